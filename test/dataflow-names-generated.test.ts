// The names-only read of a cell (what hidden-state keeps: it drops the reads of
// names already read and everything inside function bodies but `global`, namespace
// writes and star imports) must give what the full statement read gives, on
// generated cells mixing module code, functions, classes and their bodies.
import * as assert from 'node:assert/strict';
import { UnitCache, type PythonUnit } from '../src/core/parse/program';
import { initPython } from '../src/core/parse/python';
import { cellNames, unitFlow, type CellNames } from '../src/core/rules/lib/dataflow';
import { rng } from './helpers/rng';

/** Statement lines; `{i}` is replaced by the indentation of the line. */
const LINES = [
  'x = y + z',
  'x, (a, b) = f(y), (z, w)',
  'a[i] = b[j] + x',
  'a.b.c = d',
  'x += y',
  'a[k] -= x[k]',
  'w: int = x',
  'v: list',
  'print(x, key=a, other=b)',
  'r = [x for x in y if x > t]',
  's = {k: v for k, v in d.items()}',
  'g = lambda q, p=x: q + p + y',
  'if (n := len(a)) > b: print(n)',
  'for i, v in enumerate(y):',
  'with open(p) as fh, ctx(a) as (b, c):',
  'try:',
  'except ValueError as err:',
  'except (KeyError, m.Err) as e2:',
  'def f(a, b=x, *args, c=y, **kw):',
  'def h(): return x + y',
  'async def co(a):',
  'class K(Base, metaclass=M):',
  '@dec(x)',
  'global x, t',
  'nonlocal a',
  'return x',
  'del a[0], b',
  'import numpy as np, os.path',
  'from m import (a as b, c)',
  'from helpers import *',
  'globals()["k"] = x',
  'builtins.t = 1',
  'exec(code)',
  'x = 1; y = x; z = y',
  'total = (a +\n{i}    b)',
  's = f"{x!r} {y:>3} {z=} {d[\'k\']}"',
  'doc = """text x = y\n{i}more"""',
  'pass',
  'match cmd:',
  'case Point(x=0, y=yy):',
  'df["a"] = df["b"] * k',
  'assert t, "msg"',
  'yield from gen(x)',
  'raise Err(t) from e',
  '# a comment x = y',
  '',
];

function generate(next: () => number): string {
  const lines: string[] = [];
  let depth = 0;
  const count = 3 + Math.floor(next() * 14);
  for (let k = 0; k < count; k++) {
    const line = LINES[Math.floor(next() * LINES.length)];
    const indent = '    '.repeat(depth);
    lines.push(indent + line.replace(/\{i\}/g, indent));
    // After a block opener go one deeper; otherwise sometimes dedent.
    if (line.endsWith(':')) depth++;
    else if (depth > 0 && next() < 0.3) depth -= 1 + Math.floor(next() * depth);
  }
  return lines.join('\n');
}

function names(n: CellNames): unknown {
  return { defs: [...n.defs], maybe: [...n.maybe], uses: [...n.uses], opaque: n.opaque };
}

function unitOf(text: string): PythonUnit {
  // A cache per read: each read gets its own facts object, so nothing is shared between them.
  const c = new UnitCache().get(text);
  return { cell: 0, text, magics: c.magics, facts: c.facts, lines: c.lines };
}

describe('dataflow: names-only read on generated cells', () => {
  before(initPython);

  it('equals the names of the full statement read', () => {
    const next = rng(20260511);
    for (let n = 0; n < 300; n++) {
      const text = generate(next);
      const namesOnly = cellNames(unitOf(text));
      const full = unitOf(text);
      unitFlow(full); // the full read first: cellNames then summarises its statements
      assert.deepEqual(names(namesOnly), names(cellNames(full)), text);
    }
  });

  it('keeps the first read of a name and nothing read inside a function', () => {
    const got = cellNames(unitOf('a = b + c\ndef f(x):\n    global g\n    return b + d\nprint(b, c)\nb[i] = e'));
    assert.deepEqual(
      [...got.uses].map(([k, v]) => [k, v.start, v.end]),
      [
        ['b', 4, 5],
        ['c', 8, 9],
        ['print', 50, 55],
        ['i', 64, 65],
        ['e', 69, 70],
      ],
    );
    assert.deepEqual([...got.defs.keys()], ['a', 'f']);
    assert.deepEqual([...got.maybe], ['g']);
    assert.equal(got.opaque, false);
  });
});
