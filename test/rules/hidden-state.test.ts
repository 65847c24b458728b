import rule from '../../src/core/rules/reproducibility/hidden-state';
import { ruleTester } from '../helpers/rule-tester';
import * as assert from 'node:assert/strict';
import { editSession } from '../helpers/edit-session';

ruleTester(rule, {
  valid: [
    { name: 'a .py file has no cells', code: 'print(model)\nmodel = 1\n' },
    {
      name: 'top-to-bottom notebook',
      cells: [
        'import pandas as pd\nfrom sklearn.linear_model import LogisticRegression',
        'df = pd.read_csv("train.csv")\nX, y = df.drop(columns=["label"]), df["label"]',
        'model = LogisticRegression(max_iter=500)\nmodel.fit(X, y)',
        'print(f"accuracy: {model.score(X, y):.3f}")',
      ],
    },
    {
      name: 'function bodies run later: a name they read may be defined below the def',
      cells: ['def evaluate():\n    return model.score(X_test, y_test)', 'model = train()\nX_test, y_test = load()', 'evaluate()'],
    },
    {
      name: 'builtins and IPython names are never hidden state, even when re-bound later',
      cells: ['df = make()', 'display(df)\nprint(len(df))\n_ , __\nOut[3]', 'print = log\nid = 3\ndisplay = show'],
    },
    {
      name: 'defined later in the same cell (a loop carries it)',
      cells: ['for epoch in range(3):\n    if epoch:\n        print(loss)\n    loss = step()', 'loss = 0'],
    },
    {
      name: 'comprehension and lambda variables, attributes and keywords are not reads',
      cells: ['squares = [k * k for k in range(3)]\nf = lambda row, w=2: row * w\nobj.size\ncall(size=3, key=lambda v: v)', 'k = 1\nrow = 2\nsize = 4\nv = 5\nw = 6'],
    },
    {
      name: 'names inside strings and comments are not reads',
      cells: ['s = "model.fit(X)"  # uses model\n"""X_train"""', 'model = 1\nX_train = 2'],
    },
    {
      name: 'star imports, %run and exec can define anything',
      cells: ['%run setup.py', 'train(df)', 'def train(d):\n    pass'],
    },
    {
      name: 'from m import * before the use',
      cells: ['from helpers import *', 'train(df)', 'df = 1'],
    },
    {
      name: '%store -r and %%capture bind names',
      cells: ['%store -r df', '%%capture out\nprint(df)', 'out.show()', 'out = None\ndf = None'],
    },
    {
      name: 'class attributes are not module names',
      cells: ['class Config:\n    lr = 0.1\n    epochs = lr * 100', 'print(Config.epochs)'],
    },
    {
      name: 'global in a function may bind the name',
      cells: ['def setup():\n    global client\n    client = connect()', 'setup()\nclient.ping()', 'client = connect()'],
    },
    {
      name: 'magics are not Python',
      cells: ['!echo $model\n%time x = 1', '%%bash\necho model', 'model = 1'],
    },
    {
      name: 'markdown cells are skipped',
      cells: [{ markdown: 'Call `train(df)` after loading.' }, 'df = 1\ntrain = print', 'train(df)'],
    },
  ],
  invalid: [
    {
      name: 'a helper defined in a later cell',
      cells: ['import pandas as pd\ndf = clean(pd.read_csv("train.csv"))', 'def clean(frame):\n    return frame.dropna()'],
      errors: [
        {
          messageId: 'laterDefinition',
          cell: 0,
          line: 2,
          column: 6,
          endLine: 2,
          endColumn: 11,
          message:
            '`clean` is read here but defined only in a later cell (`def clean(frame)`): this cell works only in a kernel where that cell already ran. Move the definition above this cell, then Restart & Run All.',
          related: ['`clean` is defined here, below its first use'],
        },
      ],
    },
    {
      name: 'a variable assigned further down, read in an f-string and a subscript',
      cells: [{ markdown: '# Report' }, 'print(f"test accuracy: {acc:.3f}")\nresults[split] = acc', 'acc = model.score(X_test, y_test)\nresults = {}\nsplit = "test"'],
      errors: [
        { messageId: 'laterDefinition', cell: 1, line: 1, column: 25, endColumn: 28 },
        { messageId: 'laterDefinition', cell: 1, line: 2, column: 1, endColumn: 8 },
        { messageId: 'laterDefinition', cell: 1, line: 2, column: 9, endColumn: 14 },
      ],
    },
    {
      name: 'an import in a later cell',
      cells: ['x = np.zeros(3)', 'import numpy as np'],
      errors: [{ messageId: 'laterDefinition', cell: 0, line: 1, column: 5, messageIncludes: '(`import numpy as np`)' }],
    },
    {
      name: 'each name once, at its first read',
      cells: ['train(df)', 'train(df)', 'def train(d):\n    return d', 'df = load()'],
      errors: [
        { messageId: 'laterDefinition', cell: 0, line: 1, column: 1, related: ['`train` is defined here, below its first use'] },
        { messageId: 'laterDefinition', cell: 0, line: 1, column: 7 },
      ],
    },
    {
      name: 'loop, with and walrus targets define names',
      cells: ['print(row, fh, n)', 'for row in rows:\n    pass\nwith open(p) as fh:\n    pass\nif (n := 3):\n    pass'],
      errors: [
        { messageId: 'laterDefinition', cell: 0, line: 1, column: 7 },
        { messageId: 'laterDefinition', cell: 0, line: 1, column: 12 },
        { messageId: 'laterDefinition', cell: 0, line: 1, column: 16 },
      ],
    },
    {
      name: 'a decorator and a class base are read when the cell runs',
      cells: ['@register\nclass Model(Base):\n    pass', 'register = lambda c: c\nclass Base:\n    pass'],
      errors: [
        { messageId: 'laterDefinition', cell: 0, line: 1, column: 2 },
        { messageId: 'laterDefinition', cell: 0, line: 2, column: 13 },
      ],
    },
    {
      name: 'an augmented assignment reads the name first',
      cells: ['total += 1', 'total = 0'],
      errors: [{ messageId: 'laterDefinition', cell: 0, line: 1, column: 1 }],
    },
  ],
});

describe('hidden-state after one-cell edits', () => {
  it('follows edits that keep the names of a cell (positions move) and edits that change them', async () => {
    const lint = await editSession('hidden-state');
    assert.deepEqual(await lint(['print(model)', 'x = 1', 'model = train()']), ['0:1:7 laterDefinition']);
    // A comment: the cells hold the same names, the read moves down a line.
    assert.deepEqual(await lint(['# first\nprint(model)', 'x = 1', 'model = train()']), ['0:2:7 laterDefinition']);
    assert.deepEqual(await lint(['# first\nprint(model)', 'model = train()', 'x = 1']), ['0:2:7 laterDefinition']);
    assert.deepEqual(await lint(['model = train()', 'print(model)', 'x = 1']), []);
    assert.deepEqual(await lint(['print(model)', 'x = 1', 'model = train()']), ['0:1:7 laterDefinition']);
  });

  it('reads the lines of function bodies that can bind module names: global, namespace writes, star imports', async () => {
    const lint = await editSession('hidden-state');
    assert.deepEqual(await lint(['setup()', 'def setup():\n    w = 1', 'print(model)', 'model = 2']), ['0:1:1 laterDefinition', '2:1:7 laterDefinition']);
    // `globals()[k] = v` in a function makes the cell opaque: nothing is checked from there on.
    assert.deepEqual(await lint(['setup()', "def setup():\n    globals()['w'] = 1", 'print(model)', 'model = 2']), ['0:1:1 laterDefinition']);
    assert.deepEqual(await lint(['def f():\n    from m import *\n    return 1', 'print(model)', 'model = 2']), []);
    // `global` in a nested function may bind the name.
    assert.deepEqual(await lint(['def f():\n    def g():\n        global z\n        z = 1\n    return g', 'print(z)', 'z = 2']), []);
    assert.deepEqual(await lint(['print(z)', 'def f():\n    def g():\n        global z\n        z = 1\n    return g', 'z = 2']), ['0:1:7 laterDefinition']);
    // A class body runs at once; its methods do not.
    assert.deepEqual(await lint(['class A:\n    def m(self):\n        return y\n    z = y', 'y = 1']), ['0:4:9 laterDefinition']);
  });

  it('reads a cell cut in the middle of an f-string expression (typing in the editor)', async () => {
    const lint = await editSession('hidden-state');
    assert.deepEqual(await lint(["print(f\"{cfg['k", 'cfg = {}']), ['0:1:10 laterDefinition']);
  });
});

