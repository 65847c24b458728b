import * as assert from 'node:assert/strict';
import rule from '../../src/core/rules/reproducibility/out-of-order-execution';
import { ruleTester } from '../helpers/rule-tester';
import { editSession } from '../helpers/edit-session';

ruleTester(rule, {
  valid: [
    { name: 'counts increase', cells: ['import pandas as pd', 'df = pd.read_csv("train.csv")', 'df.describe()'] },
    {
      name: 'gaps are fine (cells re-run in order, or output cleared cells)',
      cells: [
        { code: 'import pandas as pd', executionCount: 1 },
        { code: 'df = pd.read_csv("train.csv")', executionCount: 4 },
        { code: 'df.describe()', executionCount: 9 },
      ],
    },
    {
      name: 'unexecuted cells (null count) are skipped',
      cells: [
        { code: 'import pandas as pd', executionCount: 1 },
        { code: 'print("not run")', executionCount: null },
        { code: 'df = pd.read_csv("train.csv")', executionCount: 2 },
      ],
    },
    {
      name: 'saved unexecuted',
      cells: [
        { code: 'import pandas as pd', executionCount: null },
        { code: 'df = pd.read_csv("train.csv")', executionCount: null },
      ],
    },
    { name: 'markdown cells do not count', cells: [{ code: 'x = 1', executionCount: 1 }, { markdown: '## Results' }, { code: 'print(x)', executionCount: 2 }] },
    { name: 'not a notebook', code: 'x = 1\n' },
  ],
  invalid: [
    {
      name: 'a cell run before the one above',
      cells: [
        { code: 'import numpy as np', executionCount: 3 },
        { code: 'x = np.arange(10)\nprint(x)', executionCount: 1 },
        { code: 'print(x.mean())', executionCount: 5 },
      ],
      errors: [
        {
          messageId: 'outOfOrder',
          message:
            'This cell ran as [1] after the cell above ran as [3]: the saved outputs come from an out-of-order run and may not be reproducible. Restart & Run All before saving.',
          cell: 1,
          line: 1,
          column: 1,
          endLine: 1,
          endColumn: 18,
          related: ['This cell above ran later, as [3].'],
        },
      ],
    },
    {
      name: 'repeated counts (an export that saved every cell as 0)',
      cells: [
        { code: '%sh ls', executionCount: 0 },
        { code: 'import mlflow', executionCount: 0 },
      ],
      errors: [{ messageId: 'repeated', messageIncludes: 'the same execution count [0] as the cell above', cell: 1, line: 1, column: 1 }],
    },
    {
      name: 'compares with the executed cell above, skipping markdown and unexecuted cells',
      cells: [
        { code: 'a = 1', executionCount: 7 },
        { markdown: '# notes' },
        { code: 'b = 2', executionCount: null },
        { code: 'c = 3', executionCount: 2 },
      ],
      errors: [{ messageId: 'outOfOrder', cell: 3, line: 1, column: 1, related: ['This cell above ran later, as [7].'] }],
    },
    {
      name: 'one finding per break, not per cell after it',
      cells: [
        { code: 'a = 1', executionCount: 10 },
        { code: 'b = 2', executionCount: 1 },
        { code: 'c = 3', executionCount: 2 },
        { code: 'd = 4', executionCount: 3 },
      ],
      errors: [{ messageId: 'outOfOrder', cell: 1, line: 1, column: 1 }],
    },
    {
      name: 'at most maxReports findings; the last says how many more',
      cells: [
        { code: 'a = 1', executionCount: 9 },
        { code: 'b = 2', executionCount: 8 },
        { code: 'c = 3', executionCount: 7 },
        { code: 'd = 4', executionCount: 6 },
        { code: 'e = 5', executionCount: 5 },
      ],
      options: { maxReports: 2 },
      errors: [
        { messageId: 'outOfOrder', cell: 1, line: 1, column: 1 },
        { messageId: 'outOfOrderMore', messageIncludes: '(2 more execution-order breaks below)', cell: 2, line: 1, column: 1 },
      ],
    },
    {
      name: 'empty cell source',
      cells: [
        { code: 'a = 1', executionCount: 2 },
        { code: '', executionCount: 1 },
      ],
      errors: [{ messageId: 'outOfOrder', cell: 1, line: 1, column: 1, endLine: 1, endColumn: 1 }],
    },
  ],
});

describe('out-of-order-execution after one-cell edits', () => {
  it('follows the execution counts of every lint', async () => {
    const lint = await editSession('out-of-order-execution');
    assert.deepEqual(await lint([{ code: 'a = 1', executionCount: 1 }, { code: 'b = a', executionCount: 2 }]), []);
    assert.deepEqual(await lint([{ code: 'a = 1', executionCount: 3 }, { code: 'b = a', executionCount: 2 }]), ['1:1:1 outOfOrder']);
    assert.deepEqual(await lint([{ code: 'a = 1', executionCount: 1 }, { code: 'b = a', executionCount: 2 }]), []);
  });
});

