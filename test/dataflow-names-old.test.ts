// The names reader was made cheaper (blank runs and names read in one pass, the
// first token of a line known by a flag, empty name collections shared): it must
// read exactly what the reader before the change read. test/helpers/dataflow-old.ts
// is a frozen copy of that reader; both read the same cells, fixed tricky ones and
// generated Python-ish text, and must agree on every statement (full read) and on
// every name with its position (names-only read, and names from a full read).
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { UnitCache, type PythonUnit } from '../src/core/parse/program';
import { initPython } from '../src/core/parse/python';
import { cellNames, unitFlow, type CellNames } from '../src/core/rules/lib/dataflow';
import * as old from './helpers/dataflow-old';

function unitOf(text: string): PythonUnit {
  // A cache per read: each read gets its own facts object, so no memo is shared between reads.
  const c = new UnitCache().get(text);
  return { cell: 0, text, magics: c.magics, facts: c.facts, lines: c.lines };
}

/** Everything a CellNames holds, in order, positions included. */
function plain(n: CellNames | old.CellNames): unknown {
  return { defs: [...n.defs], maybe: [...n.maybe], uses: [...n.uses], opaque: n.opaque };
}

/** Old and new readers agree on `text`: names-only read, full read, names from the full read. */
function assertSame(text: string): void {
  assert.deepEqual(plain(cellNames(unitOf(text))), plain(old.cellNames(unitOf(text))), `names-only read of ${JSON.stringify(text)}`);
  const unit = unitOf(text);
  const flow = unitFlow(unit);
  const oldUnit = unitOf(text);
  const oldFlow = old.unitFlow(oldUnit);
  assert.deepEqual(flow, oldFlow, `full read of ${JSON.stringify(text)}`);
  assert.deepEqual(plain(cellNames(unit)), plain(old.cellNames(oldUnit)), `names from the full read of ${JSON.stringify(text)}`);
}

/** Shapes that stress the tokenizer and the reader: blanks of every kind, broken brackets and strings, f-strings, magics. */
const TRICKY = [
  '',
  ' ',
  '\n\n\n',
  'x',
  'x = 1',
  '    x = 1\ny = x',
  'x =\t1\n\ty = x\n \t z = y',
  'a = 1\r\nb = a\r\n  c = b\r\n',
  'a = 1\rb = a',
  'a\f= 1\n\fb = a',
  'x = y  \\\n  + z\n  w = x',
  'x = y \\\r\n + z',
  'x = (a,\n     b\n)\n   y = x',
  'x = a)\ny = b]]\nz = c',
  'x = ((a\ny = b',
  "s = f'{a)}'\nt = b\n  u = t",
  "s = f'{(}'\nt = b\n",
  "s = f'{a!r} {b:>{w}} {c=} {{d}} {e[\"k\"]}'\nv = s",
  's = f"""{a}\n{b\n}"""\nt = s',
  "s = rb'\\'' + Rb\"x\" + bR'y' + u'z' + F'{q}' + T'{r}' + fr'{p}'",
  "s = 'unterminated\ny = s",
  's = """never closed\ny = s',
  'ñame = 1\nx = ñame + café\nz = a😀b\nw = _ü1',
  'x = 1e5j + 0x1f + 0b101 + 0o17 + 1_000.5e-3 + .5 + 10L + 5.e3 + ...5',
  'x = 1if y else 2\nz = 0xglobals',
  'x = 1; y = x;; z = y;',
  'def f(): global g; g = 1\nh = g',
  'def f(a, *, b=c, **k):\n    import os\n    global q, r\n    globals()["z"] = 1\n    return x\ny = f',
  'class K(B, metaclass=M):\n    a = b\n    def m(self):\n        nonlocal c\n    d: int = e\nk = K.a',
  'async def f():\n    await g\nasync for i in x: pass',
  'with a as b, c as (d, e):\n    pass\nexcept E as err: pass',
  'match p:\n    case Point(x=0, y=yy) | [a, *rest]:\n        pass\nmatch = 1\ncase(2)',
  'for i, (j, k) in enumerate(items): print(i, j, k)',
  'x = [y for y in z if y] + [w for w in (lambda q, r=s: q + r)(t)]',
  'g = lambda: (lambda a: a + b)(c)\nd = {k: v for k, v in e.items()}',
  'a[i], b.c, (d, [e, f]) = g\n*h, i = j\nk += l\nm[n] -= o',
  'x := 1\n(y := 2)\nif (n := len(a)) > b: pass',
  'from m import (a as b,\n    c)\nimport d.e as f, g\nfrom h import *',
  'exec(code)\nx = eval(s)',
  'globals().update(d)',
  'builtins.t = 1\n__builtins__["u"] = 2\nvars()["v"] = 3',
  '%%capture out\nx = 1',
  '%store -r a b\ny = a',
  '%store -r\ny = a',
  '%run other.py\nz = q',
  'x = !ls\n%matplotlib inline\ny = x\n!pip install z',
  '%%writefile train.py\nimport os\nmodel = fit(x)',
  '%%time\nx = 1\ny = x',
  'x = y ?\nz?? \n%load_ext autoreload',
  '@dec(x)\ndef f(): pass\n@property\nclass C: pass',
  'del a[0], b\nassert t, "m"\nraise E(t) from e\nreturn r\nyield from g(x)',
  'if a:\n    b = 1\nelif c:\n    d = 2\nelse:\n    e = 3\nwhile f: g()\ntry:\n    h\nfinally:\n    i',
  '# comment only\n    # indented comment\nx = 1  # trailing',
  '"""docstring\nwith lines"""\nx = 1',
  'x = [\n  1,  # comment ]\n  2,\n]\ny = x',
  'x = (\\\n)\ny = 1',
  '\\',
  'x = "\\',
  "f'{",
  'def',
  'class',
  'import',
  'for',
  'x =',
  '= y',
  'x.y = z\nx[0] = 1\nx().y = 2\n(a).b = c',
  'print x\nexec "code"',
  'a = 1 if b else c; d: e = f; g: h',
];

describe('dataflow: the names reader equals the reader before its speed-up', () => {
  before(initPython);

  it('on fixed tricky cells', () => {
    for (const text of TRICKY) assertSame(text);
  });

  it('on the cells with every tricky cell indented under a def, a class and an if', () => {
    for (const text of TRICKY) {
      const body = text
        .split('\n')
        .map((l) => '    ' + l)
        .join('\n');
      for (const head of ['def f(a):', 'class K:', 'if a:']) assertSame(`${head}\n${body}\nafter = a`);
    }
  });

  it('sees a difference where there is one (the comparison can fail)', () => {
    const a = plain(cellNames(unitOf('x = y\nz = x')));
    const b = plain(old.cellNames(unitOf('x = y\nz =  x')));
    assert.notDeepEqual(a, b);
  });

  it('on generated Python-ish text (fragments, blanks, brackets, quotes, magics)', () => {
    const fragment = fc.constantFrom(
      'x', 'y', 'df', 'ñ', 'é1', '😀', '_', 'self', 'def', 'class', 'if', 'else', 'for', 'in', 'lambda', 'import', 'from', 'as', 'with', 'except',
      'global', 'nonlocal', 'globals', 'locals', 'vars', 'builtins', 'exec', 'match', 'case', 'async', 'await', 'return', 'del', 'pass', 'yield',
      '1', '0x1f', '1e5', '.5', '1_0', '10L', '=', '==', ':=', '+=', '**=', '//=', '->', ':', ';', ',', '.', '...', '*', '**', '@', '!', '?', '%', '%%',
      '(', ')', '[', ']', '{', '}', "'", '"', '"""', "'''", 'f"', "f'", 'rb"', 'F\'{', 'b"', 'u"', '{', '}', '!r', '\\', '#', '# c',
      ' ', '  ', '    ', '\t', '\f', '\r', '\n', '\r\n', '\n    ', '\n        ', '\\\n',
    );
    fc.assert(
      fc.property(fc.array(fragment, { maxLength: 40 }), (parts) => {
        assertSame(parts.join(''));
      }),
      { numRuns: 1500, seed: 20261127 },
    );
  });

  it('on generated statement lines at random indentation', () => {
    const line = fc.constantFrom(
      'x = y + z', 'x, (a, b) = f(y), (z, w)', 'a[i] = b[j] + x', 'a.b.c = d', 'x += y', 'w: int = x', 'print(x, key=a)', 'r = [x for x in y if x > t]',
      'g = lambda q, p=x: q + p + y', 'if (n := len(a)) > b: print(n)', 'for i, v in enumerate(y):', 'with open(p) as fh:', 'try:', 'except E as err:',
      'def f(a, b=x, *args, **kw):', 'def h(): return x + y', 'class K(Base):', '@dec(x)', 'global x, t', 'import numpy as np', 'from m import *',
      'globals()["k"] = x', 'exec(code)', 'x = 1; y = x', 's = f"{x!r} {y:>3}"', 'doc = """text\nx = y"""', 'match cmd:', 'case P(x=0):', '%time x = 1',
      '%%capture out', 'x = !ls', 'pass', '# x = y', '',
    );
    fc.assert(
      fc.property(fc.array(fc.tuple(line, fc.integer({ min: 0, max: 3 }), fc.constantFrom('\n', '\r\n', '\n\n')), { maxLength: 25 }), (lines) => {
        assertSame(lines.map(([l, d, nl]) => '    '.repeat(d) + l + nl).join(''));
      }),
      { numRuns: 800, seed: 5161 },
    );
  });
});
