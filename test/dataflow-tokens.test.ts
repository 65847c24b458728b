// The statement reader's tokenizer on shapes the generated cells do not cover:
// number forms, non-ASCII identifiers, string prefixes and f-string expressions,
// `;`, backslash continuations, a triple-quoted string whose lines are not
// indented, brackets over lines, class bodies, masked magics. The expected
// statements and names are what the reader gave before it moved to typed arrays.
import * as assert from 'node:assert/strict';
import { UnitCache, type PythonUnit } from '../src/core/parse/program';
import { initPython } from '../src/core/parse/python';
import { cellNames, unitFlow } from '../src/core/rules/lib/dataflow';

function unitOf(text: string): PythonUnit {
  const c = new UnitCache().get(text);
  return { cell: 0, text, magics: c.magics, facts: c.facts, lines: c.lines };
}

/** Statements as [kind, start, end, fn, defs, uses (`[]`: read as an index), mutates, weakDefs]. */
type Row = [string, number, number, number, string[], string[], string[], string[]];

interface Case {
  text: string;
  stmts: Row[];
  /** The names-only read: defs, first uses with their offsets, maybe, opaque. */
  defs: string[];
  uses: Array<[string, number]>;
  maybe: string[];
  opaque: boolean;
}

const CASES: Case[] = [
  {
    text: "a = 1e5j + 0x1f + 1_000.5e-3 + .5 + 10L\nb = a.real",
    stmts: [
      ['assign', 0, 39, -1, ['a'], [], [], []],
      ['assign', 40, 50, -1, ['b'], ['a'], [], []],
    ],
    defs: ['a', 'b'],
    uses: [['a', 44]],
    maybe: [],
    opaque: false,
  },
  {
    text: "ñame = 1\nx = ñame + café\nz = a😀b",
    stmts: [
      ['assign', 0, 8, -1, ['ñame'], [], [], []],
      ['assign', 9, 24, -1, ['x'], ['ñame', 'café'], [], []],
      ['assign', 25, 33, -1, ['z'], ['a', 'b'], [], []],
    ],
    defs: ['ñame', 'x', 'z'],
    uses: [['ñame', 13], ['café', 20], ['a', 29], ['b', 32]],
    maybe: [],
    opaque: false,
  },
  {
    text: "r = rb\"\\\"\" + f\"{q!r:>{w}}\" + t\"{u}\" + br'{nope}'",
    stmts: [
      ['assign', 0, 48, -1, ['r'], ['q', 'u'], [], []],
    ],
    defs: ['r'],
    uses: [['q', 16], ['u', 32]],
    maybe: [],
    opaque: false,
  },
  {
    text: "a = 1; b = a; c = [b for b in c]\nd = (lambda p, k=e: p + k + e)(1)",
    stmts: [
      ['assign', 0, 5, -1, ['a'], [], [], []],
      ['assign', 7, 12, -1, ['b'], ['a'], [], []],
      ['assign', 14, 32, -1, ['c'], ['c'], [], []],
      ['assign', 33, 66, -1, ['d'], ['e', 'e'], [], []],
    ],
    defs: ['a', 'b', 'c', 'd'],
    uses: [['a', 11], ['c', 30], ['e', 50]],
    maybe: [],
    opaque: false,
  },
  {
    text: "x = 1 + \\\n    2\nif x:\n    def f():\n        y = x\n    z = y\nw = z",
    stmts: [
      ['assign', 0, 15, -1, ['x'], [], [], []],
      ['if', 16, 21, -1, [], ['x'], [], []],
      ['def', 26, 34, -1, ['f'], [], [], []],
      ['assign', 43, 48, 0, ['y'], ['x'], [], []],
      ['assign', 53, 58, -1, ['z'], ['y'], [], []],
      ['assign', 59, 64, -1, ['w'], ['z'], [], []],
    ],
    defs: ['x', 'f', 'z', 'w'],
    uses: [['x', 19], ['y', 57], ['z', 63]],
    maybe: [],
    opaque: false,
  },
  {
    text: "def f(a):\n    s = \"\"\"\nnot_indented = 1\n\"\"\"\n    return s\nafter = f(1)",
    stmts: [
      ['def', 0, 9, -1, ['f'], [], [], []],
      ['assign', 14, 42, 0, ['s'], [], [], []],
      ['return', 47, 55, 0, [], ['s'], [], []],
      ['assign', 56, 68, -1, ['after'], ['f'], [], []],
    ],
    defs: ['f', 'after'],
    uses: [['f', 64]],
    maybe: [],
    opaque: false,
  },
  {
    text: "total = foo(a,\n    b=c)[d]\ne[f] += g\nh.i = j",
    stmts: [
      ['assign', 0, 26, -1, ['total'], ['foo', 'a', 'c', 'd[]'], [], []],
      ['augassign', 27, 36, -1, [], ['e', 'f[]', 'g'], ['e'], []],
      ['assign', 37, 44, -1, [], ['h', 'j'], ['h'], []],
    ],
    defs: ['total'],
    uses: [['foo', 8], ['a', 12], ['c', 21], ['d', 24], ['e', 27], ['f', 29], ['g', 35], ['h', 37], ['j', 43]],
    maybe: [],
    opaque: false,
  },
  {
    text: "class K:\n    attr = base\n    def m(self): return attr\nuse = K.attr",
    stmts: [
      ['class', 0, 8, -1, ['K'], [], [], []],
      ['assign', 13, 24, -1, ['attr'], ['base'], [], []],
      ['def', 29, 41, -1, ['m'], [], [], []],
      ['return', 42, 53, 0, [], ['attr'], [], []],
      ['assign', 54, 66, -1, ['use'], ['K'], [], []],
    ],
    defs: ['K', 'use'],
    uses: [['base', 20], ['K', 60]],
    maybe: ['attr', 'm'],
    opaque: false,
  },
  {
    text: "x = !ls\n%matplotlib inline\ny = x",
    stmts: [
      ['assign', 0, 3, -1, ['x'], [], [], []],
      ['assign', 27, 32, -1, ['y'], ['x'], [], []],
    ],
    defs: ['x', 'y'],
    uses: [['x', 31]],
    maybe: [],
    opaque: false,
  },
  {
    text: "with open(p) as (fh, gh), other() as h:\n    data = fh.read()\nfor i, (j, k) in enumerate(items): pass",
    stmts: [
      ['with', 0, 39, -1, ['fh', 'gh', 'h'], ['open', 'p', 'other'], [], []],
      ['assign', 44, 60, -1, ['data'], ['fh'], [], []],
      ['for', 61, 95, -1, ['i', 'j', 'k'], ['enumerate', 'items'], [], []],
    ],
    defs: ['fh', 'gh', 'h', 'data', 'i', 'j', 'k'],
    uses: [['open', 5], ['p', 10], ['other', 26], ['fh', 51], ['enumerate', 78], ['items', 88]],
    maybe: [],
    opaque: false,
  },
];

describe('dataflow: tokenizer shapes', () => {
  before(initPython);

  for (const c of CASES) {
    it(`reads ${JSON.stringify(c.text.slice(0, 40))}`, () => {
      const flow = unitFlow(unitOf(c.text));
      const rows: Row[] = flow.stmts.map((s) => [
        s.kind,
        s.start,
        s.end,
        s.fn,
        s.defs.map((d) => d.name),
        s.uses.map((d) => d.name + (d.index ? '[]' : '')),
        s.mutates.map((d) => d.name),
        s.weakDefs.map((d) => d.name),
      ]);
      assert.deepEqual(rows, c.stmts);
      const names = cellNames(unitOf(c.text));
      assert.deepEqual(
        { defs: [...names.defs.keys()], uses: [...names.uses].map(([k, v]): [string, number] => [k, v.start]), maybe: [...names.maybe], opaque: names.opaque },
        { defs: c.defs, uses: c.uses, maybe: c.maybe, opaque: c.opaque },
      );
    });
  }

  it('reads a cell with more tokens than the reused buffers start with', () => {
    const lines = Array.from({ length: 1500 }, (_, i) => `x${i} = f(y${i}, k=[1, 2])`);
    const text = lines.join('\n') + '\n';
    const flow = unitFlow(unitOf(text));
    assert.equal(flow.stmts.length, 1500);
    assert.deepEqual(flow.stmts[1499].defs.map((d) => d.name), ['x1499']);
    const names = cellNames(unitOf(text));
    assert.equal(names.defs.size, 1500);
    assert.equal(names.uses.get('y1499')?.start, text.lastIndexOf('y1499'));
  });
});
