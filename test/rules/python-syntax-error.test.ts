import rule from '../../src/core/rules/hygiene/python-syntax-error';
import { ruleTester } from '../helpers/rule-tester';

ruleTester(rule, {
  valid: [
    'import pandas as pd\ndf = pd.read_csv("x.csv")\n',
    { name: 'magics are masked', cells: ['%pip install pandas==2.2.2\n!ls data\n%matplotlib inline\nimport pandas as pd', 'files = !ls\nx = 1', '%%bash\necho hi $(( 1 + ))', 'df?'] },
    { name: 'markdown is not python', cells: [{ markdown: 'def broken(:' }, 'x = 1'] },
  ],
  invalid: [
    { code: 'def train(:\n    pass\n', errors: [{ messageId: 'syntax', line: 1, column: 11 }] },
    { name: 'in a cell', cells: ['x = 1', 'for i in range(3)\n    print(i)'], errors: [{ messageId: 'syntax', cell: 1, line: 1, column: 1 }] },
  ],
});
