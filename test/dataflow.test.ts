// The statement reader behind hidden-state and preprocessing-before-split: the
// names-only read (what hidden-state keeps per cell) must give what the full read
// gives, and masking magics from their ranges what maskMagics gives.
import * as assert from 'node:assert/strict';
import { maskMagics } from '../src/core/parse/magics';
import { UnitCache, type PythonUnit } from '../src/core/parse/program';
import { initPython } from '../src/core/parse/python';
import { cellNames, maskRanges, unitFlow, type CellNames } from '../src/core/rules/lib/dataflow';

const SAMPLES = [
  'import numpy as np\nfrom os import path as p, sep\nx, (y, z) = 1, (2, 3)\nw: int = x + y\nprint(f"{x!r} {y:>3} {z=}")',
  'for i, v in enumerate(data):\n    total += v\nwith open(f) as fh, ctx() as (a, b):\n    pass\ntry:\n    go()\nexcept ValueError as err:\n    log(err)',
  'def train(X, y=None, *args, lr=0.1, **kw):\n    global model\n    model = fit(X, y)\n    def inner():\n        nonlocal lr\n        return lr\n    return inner\nresult = train(X_train)',
  'class Model(Base, metaclass=Meta):\n    size = 3\n    def fit(self, X):\n        self.w = X\n        return self\n    other = size * 2\nm = Model()',
  'def setup():\n    globals()["w"] = 1\n    from helpers import *\n    builtins.x = 2\nsetup()',
  'def f(): return y\nsquares = [k * k for k in range(n) if k]\ng = lambda row, w=2: row * w + bias\nif (n := len(a)) > 3: print(n)',
  '@decorator(arg)\ndef g():\n    pass\nmatch cmd:\n    case Point(x=0, y=yy):\n        print(yy)\n    case _:\n        pass',
  '%matplotlib inline\n!pip install x\nfiles = !ls\nobj?\ndf = load()\ndf["a"] += 1\ndel df[0]\nexec(code)',
  '%%capture out\nmodel.fit(X)',
  '%%writefile train.py\nimport os\nprint(os.environ)',
  'x = 1; y = x; z = [y for y in range(3)]\nt = x if y else z\nassert t, "msg"\nraise Err(t)\nyield t\nreturn t',
  "print(f\"{cfg['k",
  'total = (1 +\n         2)  # comment with name\ns = """text with model\n"""\nr = rb"raw" + u"uni"',
];

function names(n: CellNames): unknown {
  return { defs: [...n.defs], maybe: [...n.maybe], uses: [...n.uses], opaque: n.opaque };
}

describe('dataflow: names-only read', () => {
  before(initPython);

  it('gives the names the full statement read gives, on each sample', () => {
    for (const text of SAMPLES) {
      // Two caches: two facts objects for the same text, one read names-only, one in full.
      const a = new UnitCache().get(text);
      const b = new UnitCache().get(text);
      const unitA: PythonUnit = { cell: 0, text, magics: a.magics, facts: a.facts, lines: a.lines };
      const unitB: PythonUnit = { cell: 0, text, magics: b.magics, facts: b.facts, lines: b.lines };
      const flow = unitFlow(unitB);
      assert.ok(flow.stmts.length > 0 || text.startsWith('%%'), text);
      assert.deepEqual(names(cellNames(unitA)), names(cellNames(unitB)), text);
    }
  });

  it('knows what a function body binds at module level', () => {
    const read = (text: string): unknown => {
      const c = new UnitCache().get(text);
      return names(cellNames({ cell: 0, text, magics: c.magics, facts: c.facts, lines: c.lines }));
    };
    assert.deepEqual(read('def f():\n    global a\n    a = 1\n    b = 2'), { defs: [['f', { name: 'f', start: 4, end: 5 }]], maybe: ['a'], uses: [], opaque: false });
    assert.deepEqual((read('def f():\n    globals()["k"] = 1') as { opaque: boolean }).opaque, true);
    assert.deepEqual((read('def f():\n    from m import *') as { opaque: boolean }).opaque, true);
    assert.deepEqual((read('def f():\n    import m\n    return m') as { opaque: boolean }).opaque, false);
  });
});

describe('dataflow: masking magics from their ranges', () => {
  it('equals maskMagics', () => {
    const texts = [
      ...SAMPLES,
      'x = !ls',
      'x = !l',
      'files = %sx ls\r\nprint(files)',
      '  !pip install a \\\n  b\\\n  c\nd = 1',
      'obj?\nobj??  \r\ny = 2',
      '%%time\nx = 1\n!echo 2',
      '%%bash\necho 1\r\necho 2',
      'a = 1\n%matplotlib inline\n!ls \\\n',
      '\t%load_ext x\n x = 1',
    ];
    for (const text of texts) {
      const m = maskMagics(text);
      if (m.magics.length) assert.equal(maskRanges(text, m.magics), m.masked, text);
    }
  });
});
