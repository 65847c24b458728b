import { type NotebookOutput } from '../../src/core/parse/notebook';
import * as assert from 'node:assert/strict';
import rule, { maskSecrets } from '../../src/core/rules/governance/error-output-committed';
import { ruleTester } from '../helpers/rule-tester';
import { editSession } from '../helpers/edit-session';

const ok = { output_type: 'stream', name: 'stdout', text: ['Epoch 1/3\n', 'loss: 0.41\n'] };

ruleTester(rule, {
  valid: [
    { name: 'no outputs', cells: ['import pandas as pd', 'df = pd.read_csv("train.csv")'] },
    { name: 'normal outputs', cells: [{ code: 'model.fit(X, y, epochs=3)', outputs: [ok] }] },
    {
      name: 'stderr warnings and progress bars are not errors',
      cells: [
        {
          code: 'import tensorflow as tf',
          outputs: [{ output_type: 'stream', name: 'stderr', text: ['2024-01-01 W tensorflow: oneDNN custom operations are on.\n', 'UserWarning: X does not have valid feature names\n'] }],
        },
      ],
    },
    {
      name: 'a traceback printed to stdout on purpose (teaching material) is not flagged',
      cells: [{ code: 'print(tb)', outputs: [{ output_type: 'stream', name: 'stdout', text: ['Traceback (most recent call last):\n', 'ValueError: demo\n'] }] }],
    },
    {
      name: 'a markdown cell that talks about tracebacks',
      cells: [{ markdown: 'If you see `Traceback (most recent call last)` re-run the cell.' }],
    },
    { name: 'not a notebook', code: 'raise ValueError("x")\n' },
  ],
  invalid: [
    {
      name: 'an error output',
      cells: [
        'import pandas as pd',
        {
          code: 'df = pd.read_csv("data/train.csv")\ndf.head()',
          outputs: [
            {
              output_type: 'error',
              ename: 'FileNotFoundError',
              evalue: "[Errno 2] No such file or directory: 'data/train.csv'",
              traceback: ['\u001b[0;31mFileNotFoundError\u001b[0m: [Errno 2] No such file or directory'],
            },
          ],
        },
      ],
      errors: [
        {
          messageId: 'error',
          message:
            "This cell's saved output is an error: FileNotFoundError: [Errno 2] No such file or directory: 'data/train.csv'. Fix the cause and re-run, or clear the output, before committing the notebook.",
          cell: 1,
          line: 1,
          column: 1,
          endLine: 1,
          endColumn: 35,
        },
      ],
    },
    {
      name: 'one finding per cell even with several error outputs; long values are shortened',
      cells: [
        {
          code: 'train()',
          outputs: [
            ok,
            { output_type: 'error', ename: 'RuntimeError', evalue: 'CUDA out of memory. ' + 'Tried to allocate 2.00 GiB; '.repeat(10), traceback: [] },
            { output_type: 'error', ename: 'KeyError', evalue: "'label'", traceback: [] },
          ],
        },
      ],
      errors: [{ messageId: 'error', messageIncludes: 'RuntimeError: CUDA out of memory. Tried to allocate 2.00 GiB; Tried to allocate 2.00 GiB;…', cell: 0, line: 1, column: 1 }],
    },
    {
      name: 'secrets in the exception value are masked',
      cells: [
        {
          code: 'engine = create_engine(url)',
          outputs: [
            {
              output_type: 'error',
              ename: 'OperationalError',
              evalue: 'could not connect to postgresql://admin:S3cretPassw0rd@db.internal:5432/ml',
              traceback: [],
            },
          ],
        },
      ],
      errors: [{ messageId: 'error', messageIncludes: 'postgresql://admin:S3**********rd@db.internal', cell: 0, line: 1, column: 1 }],
    },
    {
      name: 'a traceback on stderr',
      cells: [
        {
          code: '!python train.py --epochs 3',
          outputs: [
            {
              output_type: 'stream',
              name: 'stderr',
              text: ['Traceback (most recent call last):\n', '  File "train.py", line 3, in <module>\n', '    import torch\n', "ModuleNotFoundError: No module named 'torch'\n"],
            },
          ],
        },
      ],
      errors: [{ messageId: 'error', messageIncludes: "ModuleNotFoundError: No module named 'torch'.", cell: 0, line: 1, column: 1 }],
    },
    {
      name: 'a rich-rendered traceback in display data',
      cells: [
        {
          code: 'run_pipeline()',
          outputs: [
            {
              output_type: 'display_data',
              metadata: {},
              data: {
                'text/plain': [
                  '\u001b[31m╭─\u001b[0m\u001b[31m Traceback \u001b[0m\u001b[1;2;31m(most recent call last)\u001b[0m\u001b[31m ─╮\u001b[0m\n',
                  '\u001b[31m│\u001b[0m in \u001b[92m<module>\u001b[0m:1 \u001b[31m│\u001b[0m\n',
                  '\u001b[31m╰──────╯\u001b[0m\n',
                  '\u001b[1;91mKeyboardInterrupt\u001b[0m\n',
                ],
              },
            },
          ],
        },
      ],
      errors: [{ messageId: 'error', messageIncludes: 'an error: KeyboardInterrupt. Fix', cell: 0, line: 1, column: 1 }],
    },
    {
      name: 'a kernel crash (error output without ename)',
      cells: [
        {
          code: '%pip install zenml==0.56.3',
          outputs: [
            {
              output_type: 'error',
              ename: '',
              evalue: '',
              traceback: ['\u001b[1;31mThe Kernel crashed while executing code in the current cell or a previous cell. \n', '\u001b[1;31mPlease review the code.'],
            },
          ],
        },
      ],
      errors: [{ messageId: 'error', messageIncludes: 'an error: Error: The Kernel crashed while executing code in the current cell or a previous cell. Fix the cause', cell: 0, line: 1, column: 1 }],
    },
  ],
});

describe('error-output-committed maskSecrets', () => {
  it('masks tokens and key=value secrets but keeps ordinary text', () => {
    assert.equal(maskSecrets("No such file: 'data/train_2023.csv'"), "No such file: 'data/train_2023.csv'");
    assert.ok(!maskSecrets('401 Unauthorized: token=ghp_abcdefghijklmnop1234').includes('ghp_abcdefghijklmnop1234'));
    assert.ok(!maskSecrets('invalid key AKIAIOSFODNN7EXAMPLE1234XYZ').includes('AKIAIOSFODNN7EXAMPLE1234XYZ'));
  });
});

describe('error-output-committed after one-cell edits', () => {
  it('follows outputs rebuilt for every lint', async () => {
    const lint = await editSession('error-output-committed');
    const error = (): NotebookOutput => ({ output_type: 'error', ename: 'KeyError', evalue: "'label'", traceback: [] });
    assert.deepEqual(await lint([{ code: 'df["label"]', outputs: [error()] }]), ['0:1:1 error']);
    assert.deepEqual(await lint([{ code: 'df["label"]', outputs: [] }]), []);
    assert.deepEqual(await lint([{ code: 'df["label"]', outputs: [error()] }]), ['0:1:1 error']);
  });
});

