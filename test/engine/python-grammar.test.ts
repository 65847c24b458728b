import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { extractFacts, initPython, setSkipParseOfValidText } from '../../src/core/parse/python';
import { surelyValid } from '../../src/core/parse/python-grammar';
import { scanPython } from '../../src/core/parse/python-text';
import { parsesCleanly, pythonSources } from '../helpers/python-sources';

// A cell the text scan proves free of syntax errors is not parsed by tree-sitter
// (python-grammar.ts). That is only sound if the proof never holds for a text
// tree-sitter finds an error in: these tests look for one, on tables, generated
// programs, mutants of real code and the corpus; and the facts of every corpus
// cell must be the same with and without the shortcut.

function proven(src: string): boolean {
  return scanPython(src, surelyValid)?.valid === true;
}

/** The property every test holds: proven valid => tree-sitter finds no error. */
function assertSound(src: string): boolean {
  const p = proven(src);
  if (p) assert.equal(parsesCleanly(src), true, `proven valid, but tree-sitter finds an error in ${JSON.stringify(src)}`);
  return p;
}

/** Small deterministic generator (no Math.random: failures reproduce). */
function lcg(seed: number): (n: number) => number {
  let s = seed;
  return (n) => {
    s = (s * 1103515245 + 12345) & 0x7fffffff;
    return s % n;
  };
}

const INSERTS = [
  ':', '=', '(', ')', '[', ']', '{', '}', ',', ' if ', ' else ', 'lambda ', '*', '**', ' not ', ' in ', ' is ', '.', '@', 'yield ', 'await ',
  ' for ', 'async ', 'print ', 'pass', '\n', '    ', '\\\n', ';', ':=', '"', "'", 'f"{', '#', ' as ', 'def ', 'class ', 'else:', 'elif x:',
  'try:', 'except:', 'finally:', '\n    ', '\n  ', 'return ', ' and ', 'from ', 'import ', '->', '...', '1', '0x', 'e5', 'del ', 'global ', '/', '\r', '\r\n',
];

/** One or two random edits: characters or a token dropped, doubled, swapped or inserted, a line re-indented or moved. */
function mutate(src: string, rand: (n: number) => number): string {
  let m = src;
  const edits = 1 + rand(2);
  for (let k = 0; k < edits; k++) {
    const at = rand(m.length + 1);
    switch (rand(6)) {
      case 0:
        m = m.slice(0, at) + m.slice(at + 1 + rand(3));
        break;
      case 1:
        m = m.slice(0, at) + INSERTS[rand(INSERTS.length)] + m.slice(at);
        break;
      case 2: {
        const len = 1 + rand(6);
        m = m.slice(0, at) + m.slice(at, at + len) + m.slice(at);
        break;
      }
      case 3: {
        const lines = m.split('\n');
        const li = rand(lines.length);
        lines[li] = rand(2) ? '    ' + lines[li] : lines[li].replace(/^ {1,4}/, '');
        m = lines.join('\n');
        break;
      }
      case 4: {
        const lines = m.split('\n');
        const a = rand(lines.length);
        const b = rand(lines.length);
        [lines[a], lines[b]] = [lines[b], lines[a]];
        m = lines.join('\n');
        break;
      }
      default: {
        const tokens = m.match(/ +|\n|\w+|[^\w\s]|\s/g) ?? [];
        const i = rand(tokens.length + 1);
        const op = rand(4);
        if (op === 0) tokens.splice(i, 1);
        else if (op === 1) tokens.splice(i, 0, tokens[i] ?? '');
        else if (op === 2 && i + 1 < tokens.length) [tokens[i], tokens[i + 1]] = [tokens[i + 1], tokens[i]];
        else tokens.splice(i, 0, INSERTS[rand(INSERTS.length)]);
        m = tokens.join('');
      }
    }
  }
  return m;
}

// Texts proven valid (and so never parsed): every one must also parse cleanly.
const PROVEN = [
  '',
  '# only a comment\n',
  'import os, sys as system\nfrom . import a\nfrom ..m import (b as c,\n  d,)\nfrom x import *\nfrom __future__ import annotations\n',
  'x = 1\ny: int = 2\nz: list\na, *rest = f()\n[p, q] = (r, s) = t\nu += 1\nv = w = yield_ = 3\n',
  'f(a, *b, c=1, **d)\ng(x for x in y if x)\nh(key=lambda r: r[0], reverse=True)\nprint(f"{x!r:>{w}} {y=}", file=out)\n',
  'd = {k: v for k, v in e.items()}\ns = {*a, b}\nl = [*a, *b]\nt = ()\nu = (1,)\nv = (w)\ne = {**m, "k": 1}\n',
  'n = not a and b or c\nm = a if b else c\nc = a < b <= c is not d not in e\np = -x ** 2 @ y // z % 3 << 1 | 2 ^ 3 & 4\n',
  'if x:\n    pass\nelif y:\n    pass\nelse:\n    pass\nwhile z: break\nelse: done()\nfor i, (a, b) in enumerate(c):\n    continue\n',
  'try:\n    import torch\nexcept (ImportError, OSError) as e:\n    torch = None\nelse:\n    ok = True\nfinally:\n    cleanup()\n',
  'with open(p) as f, lock:\n    data = f.read()\n@app.route("/", methods=["GET"])\n@cache\ndef index(a, b: int = 1, *args, c, **kw) -> str:\n    """Doc."""\n    return a\n',
  'class A(B, metaclass=M):\n    z = C()\n\n    async def run(self):\n        async with s:\n            await t()\n        async for x in y:\n            yield x\n',
  'def g():\n    global q\n    del q[0], r.s\n    assert q, "msg"\n    raise ValueError("x") from None\n    x = yield\n    yield from h()\n    return 1, 2\n',
  'x = a[1:2, ::3, ...]\ny = a[:]\nz = b"\\x00" + rb"\\d" + Rb"\\w" + u"\\u00e9" + F"{1}"\nw = 0x1F + 0o17 + 0b101 + 1_000 + 1.5e-3 + 2j + .5 + 5.\n',
  'x = 1; y = 2;\nif (n := len(a)) > 10: print(n)\nwhile chunk := f.read(10):\n    use(chunk)\n',
  'result = (a +\n          b)  # continued\ntotal = a + \\\n    b\n',
  'if x:\r\n    y = 1  # Windows line ends\r\nelse:\r\n    y = (2,\r\n         3)\r\n',
];

// Texts tree-sitter parses cleanly, but whose reading is left to it (the proof is stricter than it).
const LEFT_TO_TREE_SITTER = [
  '  x = 1\n', // an indented first line
  'x = *a, b\n', // a starred expression outside a display
  'def f(a, /, b):\n    pass\n',
  'with (open(a) as f, open(b) as g):\n    pass\n',
  'print = 1\n',
  'x = 0777\n',
  'y = ur"x"\n',
  'a = [x async for x in y]\n',
  'f(x for x in y, z)\n',
  // Not Python, but tree-sitter-python reads them without an error: still its call.
  'if x:\npass\n',
  'try:\n    pass\nx = 1\n',
  'if x:\n    a\n  b\n',
  'x = 1\n    y = 2\n',
];

// Texts with syntax errors: never proven valid.
const INVALID = [
  'x = 1\ry = 2\r', // lone carriage returns
  'from __future__ import *\n', // tree-sitter-python knows no such statement
  'def f(:\n    pass\n',
  '@deco\nx = 1\n',
  'else:\n    pass\n',
  'x = (1, 2\n',
  'f(a b)\n',
  'class A\n    pass\n',
  'for x in :\n    pass\n',
  'return = 1\n',
  'f() = 1\n',
  'x = [1, 2]]\n',
  'import a.\n',
  'lambda x: = 1\n',
  'x = 1 +\n',
];

describe('python-grammar: proving a cell free of syntax errors (no tree-sitter parse)', () => {
  before(() => initPython());

  it('proves the shapes of the table, each of which tree-sitter parses cleanly', () => {
    for (const src of PROVEN) {
      assert.equal(parsesCleanly(src), true, `fixture must parse: ${JSON.stringify(src)}`);
      assert.equal(proven(src), true, `should be proven valid: ${JSON.stringify(src)}`);
    }
  });

  it('leaves stricter-than-needed shapes to tree-sitter, and never proves a text with an error', () => {
    for (const src of LEFT_TO_TREE_SITTER) {
      assert.equal(parsesCleanly(src), true, `fixture must parse: ${JSON.stringify(src)}`);
      assert.equal(proven(src), false, `left to tree-sitter: ${JSON.stringify(src)}`);
    }
    for (const src of INVALID) {
      assert.equal(parsesCleanly(src), false, `fixture must not parse: ${JSON.stringify(src)}`);
      assert.equal(proven(src), false, `must not be proven: ${JSON.stringify(src)}`);
    }
  });

  it('reads nested text once (linear time), and leaves text nested deeper than its stack to tree-sitter', () => {
    // Dicts whose keys are dicts, 40 deep: a reading that re-read each key would take 2^40 steps.
    const keys = `x = ${'{'.repeat(40)}1${': 1}'.repeat(40)}\n`;
    const t0 = performance.now();
    assert.equal(assertSound(keys), true);
    assert.ok(performance.now() - t0 < 1000, `${performance.now() - t0} ms`);
    const deep = `x = ${'('.repeat(50_000)}1${')'.repeat(50_000)}\n`;
    assert.equal(proven(deep), false);
    assert.equal(proven(`x = ${'not '.repeat(50_000)}y\n`), false);
  });

  it('gives the same facts, syntax errors included, with and without the tree-sitter parse', () => {
    for (const src of [...PROVEN, ...LEFT_TO_TREE_SITTER, ...INVALID]) {
      const fast = extractFacts(src);
      setSkipParseOfValidText(false);
      try {
        assert.deepStrictEqual(fast, extractFacts(src), JSON.stringify(src));
      } finally {
        setSkipParseOfValidText(true);
      }
    }
  });

  it('is sound on generated programs, valid and broken (property)', function () {
    this.timeout(60_000);
    const name = fc.constantFrom('x', 'df', 'model', 'self', 'print', '_', 'i', 'match', 'type', 'x', 'df', 'True', 'None', 'lambda');
    const atom = fc.oneof(name, fc.constantFrom('1', '0.5', '1e-3', '0x1F', '1j', '...', '"s"', "f'{x}'", 'b"b"', '()', '[]', '{}'));
    const { expr } = fc.letrec<{ expr: string }>((tie) => ({
      expr: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        atom,
        fc.tuple(tie('expr'), name).map(([e, n]) => `${e}.${n}`),
        fc.tuple(tie('expr'), fc.array(tie('expr'), { maxLength: 3 }), fc.constantFrom('', 'k=1', '*a', '**kw')).map(([e, a, k]) => `${e}(${[...a, k].filter(Boolean).join(', ')})`),
        fc.tuple(tie('expr'), tie('expr'), fc.constantFrom('', ':', '::2', ', 0')).map(([e, i, s]) => `${e}[${i}${s}]`),
        fc.tuple(tie('expr'), fc.constantFrom(' + ', '*', ' ** ', ' < ', ' not in ', ' is not ', ' and ', ' or ', ' @ ', ' if c else '), tie('expr')).map(([a, o, b]) => a + o + b),
        fc.tuple(fc.constantFrom('-', 'not ', '~', 'await ', 'lambda: ', 'lambda a, *b, c=1: ', '*', 'yield '), tie('expr')).map(([o, e]) => o + e),
        fc.tuple(tie('expr'), tie('expr'), fc.nat(8)).map(([a, b, k]) =>
          [`[${a}, ${b}]`, `(${a}, ${b})`, `(${a})`, `{${a}: ${b}}`, `{${a}}`, `[${a} for x in ${b}]`, `(x := ${a})`, `{**${a}}`, `(*${a},)`][k],
        ),
      ),
    }));
    const simple = fc.oneof(
      expr,
      fc.tuple(expr, expr).map(([n, e]) => `${n} = ${e}`),
      fc.tuple(expr, expr).map(([n, e]) => `${n}: int = ${e}`),
      fc.tuple(expr, expr).map(([n, e]) => `${n} += ${e}`),
      fc.tuple(name, name, expr).map(([a, b, e]) => `${a}, *${b} = ${e}`),
      expr.map((e) => `return ${e}`),
      expr.map((e) => `del ${e}`),
      expr.map((e) => `assert ${e}, "m"`),
      expr.map((e) => `raise ${e} from None`),
      fc.constantFrom('import os.path as p, sys', 'from . import a', 'from m import (b as c, d)', 'from x import *', 'pass', 'global g', 'yield', 'x = yield y'),
    );
    const header = fc.oneof(
      expr.map((e) => `for x in ${e}:`),
      expr.map((e) => `while ${e}:`),
      expr.map((e) => `if ${e}:`),
      expr.map((e) => `elif ${e}:`),
      fc.constantFrom('else:', 'try:', 'except:', 'except E as e:', 'finally:', 'with a as b, c:', 'class C(B):', 'def f(a, b=1, *c, d, **e) -> T:', 'async def g():', '@deco'),
    );
    const glitch = fc.constantFrom('', '', '', '', '', '', '', ')', '(', ':', ',', '=', 'if', '*', '\\\n', ';');
    const line = (indent: string): fc.Arbitrary<string> =>
      fc.oneof(
        simple.map((s) => indent + s),
        fc.tuple(simple, simple).map(([a, b]) => `${indent}${a}; ${b}`),
        fc.tuple(header, fc.array(simple, { minLength: 0, maxLength: 2 }), fc.boolean()).map(([h, body, inline]) =>
          inline && body.length ? `${indent}${h} ${body[0]}` : [indent + h, ...body.map((s) => `${indent}    ${s}`)].join('\n'),
        ),
        fc.constantFrom('# c', '', '  # lower'),
      );
    const program = fc
      .tuple(fc.array(fc.oneof(line(''), line('    ')), { minLength: 1, maxLength: 6 }), glitch, fc.nat(500))
      .map(([lines, g, at]) => {
        const text = lines.join('\n') + '\n';
        const i = at % (text.length + 1);
        return text.slice(0, i) + g + text.slice(i);
      });
    let provenCount = 0;
    let clean = 0;
    fc.assert(
      fc.property(program, (src) => {
        if (parsesCleanly(src)) clean++;
        if (assertSound(src)) provenCount++;
      }),
      { numRuns: 4000, seed: 20261127 },
    );
    // Worth something only if both kinds come up, and most clean programs are proven.
    assert.ok(clean > 300 && clean < 3600, `${clean} of 4000 generated programs parse cleanly`);
    // (Many clean ones are shapes only tree-sitter accepts: a stray indented line, a header with no body.)
    assert.ok(provenCount > clean / 3, `only ${provenCount} of ${clean} clean programs proven`);
  });

  it('is sound on mutants of the examples and the tables (a dropped, doubled, swapped or inserted token; a line moved or re-indented)', function () {
    this.timeout(60_000);
    const lf = pythonSources(path.resolve(__dirname, '../../examples'), [...PROVEN]);
    // The same with Windows line ends, as an editor on Windows may give a cell.
    const sources = [...lf, ...lf.map((src) => src.replace(/\r?\n/g, '\r\n'))];
    assert.ok(sources.length > 25, `${sources.length} sources`);
    const rand = lcg(2026);
    let provenCount = 0;
    let broken = 0;
    for (let i = 0; i < 15_000; i++) {
      const m = mutate(sources[rand(sources.length)], rand);
      if (assertSound(m)) provenCount++;
      else if (!parsesCleanly(m)) broken++;
    }
    assert.ok(provenCount > 3000 && broken > 3000, `proven ${provenCount}, broken ${broken} of 15,000 mutants`);
  });

  it('is sound on every corpus cell and .py file and 30,000 mutants of them, proves most cells, and keeps their facts (when ../shared/corpus is present)', function () {
    const corpus = path.resolve(__dirname, '../../../shared/corpus');
    if (!fs.existsSync(corpus)) this.skip();
    this.timeout(180_000);
    const sources = pythonSources(corpus);
    let clean = 0;
    let provenCount = 0;
    for (const src of sources) {
      if (parsesCleanly(src)) clean++;
      if (!assertSound(src)) continue;
      provenCount++;
      const fast = extractFacts(src);
      setSkipParseOfValidText(false);
      try {
        assert.deepStrictEqual(fast, extractFacts(src), src.slice(0, 200));
      } finally {
        setSkipParseOfValidText(true);
      }
    }
    assert.ok(provenCount > 0.95 * clean, `proven ${provenCount} of ${clean} clean cells and files`);
    const rand = lcg(7);
    const small = sources.filter((s) => s.length < 3000);
    for (let i = 0; i < 30_000; i++) assertSound(mutate(small[rand(small.length)], rand));
  });
});
