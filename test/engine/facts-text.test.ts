import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import fc from 'fast-check';
import { extractFacts, initPython, setFactsFromText, type PythonFacts } from '../../src/core/parse/python';
import { scanPython } from '../../src/core/parse/python-text';
import { parsesCleanly, pythonSources } from '../helpers/python-sources';

// The facts of a cell that parses without errors are read from its text
// (python-text.ts) unless the text has a shape that reader declines; these
// tests hold that reading equal to the tree's, fact for fact.

function both(src: string): { text: PythonFacts; tree: PythonFacts } {
  setFactsFromText(true);
  const text = extractFacts(src);
  setFactsFromText(false);
  try {
    return { text, tree: extractFacts(src) };
  } finally {
    setFactsFromText(true);
  }
}

// [source, read from the text (true) or declined (false)]
const CASES: Array<[string, boolean]> = [
  ['first = second = make(1)\nn: int = count()\nm: int\nx, *rest = load()\n', true],
  ['f = lambda a, b=1: g(a, b)\nh(key=lambda r: r[0], reverse=True)\nsorted(xs, key=lambda a: (a, -a))\n', true],
  ['print(f"{acc(y, p):.3f} {name!r:>{width}} {x=}")\nmsg = f"{d[\'k\']}" "x"\n', true],
  ['for i in range(3):\n    step(i)\nelse:\n    done()\nwhile ok():\n    wait()\n    # trailing\n  # lower\nafter()\n', true],
  ['def f():\n    x = 1  # c\n\n    # kept\n# not kept\ny = 2\nasync def g(): await h()\n', true],
  ['@app.route("/", methods=["GET"])\ndef index(): return render("i.html")\nclass A(B, metaclass=M):\n    z = C()\n', true],
  ['if x: import os; a = os.getcwd()\ntry: import torch\nexcept ImportError: torch = None\n', true],
  ['from __future__ import annotations\nfrom . import a\nfrom ..m import (b as c,\n  d)\nimport x.y as z, w.v\n', true],
  ['p = r"\\d+" + r\'\\\\\' + b"\\x00" + u"é"\nq = ("a"  # c\n  "b")\n', true],
  ['x = [i for i in y if i]\nd = {k: v for k, v in e}\ns = {a for a in b}\ng = (a for a in b)\nt = ()\nu = (1,)\nv = (w)\n', true],
  ['a = not b\nc = d and e or f\ng = h if i else j\nk = l < m <= n\no = -p ** 2\nq = r * -s\nt = await u\nv = ~w\nz = 1, 2\n', true],
  ['y = x.constructor\nz = toString\nw = f(constructor, __proto__=1)\n', true],
  // More tokens than the reused buffers start with: they grow.
  ['x = f(1, k="v")[0]\n'.repeat(2000), true],
  ['print "python 2"\n', false],
  ['match command:\n    case "go":\n        go()\n', false],
  ['if x:\n\tf()\n', false],
  ['f(a, \\\n  b)\n', false],
  ['é = 1\n', false],
];

describe('facts read from the text', () => {
  before(() => initPython());

  it('reads each shape it knows exactly as the tree gives it, and declines the others', () => {
    for (const [src, read] of CASES) {
      assert.equal(parsesCleanly(src), true, `fixture must parse: ${JSON.stringify(src)}`);
      assert.equal(scanPython(src) !== undefined, read, `read from the text? ${JSON.stringify(src)}`);
      const { text, tree } = both(src);
      assert.deepStrictEqual(text, tree, src);
    }
  });

  it('gives an identifier named like an Object.prototype member the kind identifier', () => {
    const { calls } = extractFacts('f(constructor, toString=hasOwnProperty)\n');
    assert.deepStrictEqual(
      calls[0].args.map((a) => a.kind),
      ['identifier', 'identifier'],
    );
    setFactsFromText(false);
    try {
      assert.deepStrictEqual(
        extractFacts('f(constructor, toString=hasOwnProperty)\n').calls[0].args.map((a) => a.kind),
        ['identifier', 'identifier'],
      );
    } finally {
      setFactsFromText(true);
    }
  });

  it('equals the tree on generated programs', function () {
    this.timeout(60_000);
    const name = fc.constantFrom('x', 'df', 'pd.read_csv', 'np', 'model', 'self', 'constructor', 'print', '_', 'i');
    const str = fc
      .tuple(
        fc.constantFrom('', 'r', 'f', 'b', 'rb', 'u', 'F', 'Rb'),
        fc.constantFrom('"', "'", '"""'),
        fc.array(fc.constantFrom('a', '\\\\', '\\n', '{x}', '{{', '}}', ' ', '#', 'é', '\\', '{f(1)}', "{d['k']}", '{x:>{w}}'), { maxLength: 4 }),
      )
      .map(([p, q, parts]) => p + q + parts.join('') + q);
    const atom = fc.oneof(name, str, fc.constantFrom('1', '0.5', '1e-3', '0x1F', '1j', '10_000', '...', 'True', 'None'));
    const { expr } = fc.letrec<{ expr: string; args: string }>((tie) => ({
      expr: fc.oneof(
        { depthSize: 'small', withCrossShrink: true },
        atom,
        fc.tuple(tie('expr'), name).map(([e, n]) => `${e}.${n}`),
        fc.tuple(tie('expr'), tie('args')).map(([e, a]) => `${e}(${a})`),
        fc.tuple(tie('expr'), tie('expr')).map(([e, i]) => `${e}[${i}]`),
        fc.tuple(tie('expr'), fc.constantFrom(' + ', ' - ', '*', ' ** ', ' < ', ' == ', ' and ', ' or ', ' in ', ' is not ', ' @ ', '//'), tie('expr')).map(([a, o, b]) => a + o + b),
        fc.tuple(fc.constantFrom('-', 'not ', '~', 'await ', 'lambda: ', 'lambda a, b=1: '), tie('expr')).map(([o, e]) => o + e),
        fc.tuple(tie('expr'), tie('expr'), tie('expr')).map(([a, b, c]) => `${a} if ${b} else ${c}`),
        fc.tuple(tie('expr'), tie('expr'), fc.nat(6)).map(([a, b, k]) => [`[${a}, ${b}]`, `(${a}, ${b})`, `(${a})`, `{${a}: ${b}}`, `{${a}}`, `[${a} for x in ${b}]`, `(x := ${a})`][k]),
      ),
      args: fc
        .array(
          fc.oneof(tie('expr'), fc.tuple(name.filter((n) => !n.includes('.')), tie('expr')).map(([k, v]) => `${k}=${v}`), tie('expr').map((e) => `*${e}`), tie('expr').map((e) => `**${e}`)),
          { maxLength: 3 },
        )
        .chain((xs) => fc.constantFrom(', ', ',\n  ', ',  # c\n  ').map((sep) => xs.join(sep))),
    }));
    const simple = fc.oneof(
      expr,
      fc.tuple(name, expr).map(([n, e]) => `${n} = ${e}`),
      fc.tuple(name, name, expr).map(([a, b, e]) => `${a}, ${b} = ${e}`),
      fc.tuple(name, expr).map(([n, e]) => `${n}: int = ${e}`),
      fc.tuple(name, name, expr).map(([a, b, e]) => `${a} = ${b} = ${e}`),
      fc.constantFrom('import os.path as p, sys', 'from . import a', 'from m import (b as c, d)', 'from x import *', 'pass', 'x += 1'),
    );
    const header = fc.oneof(
      expr.map((e) => `for x in ${e}:`),
      expr.map((e) => `while ${e}:`),
      fc.constant('def f(a, b=1):'),
      fc.constant('async def g():'),
      fc.constant('class C(B):'),
      expr.map((e) => `if ${e}:`),
      expr.map((e) => `@deco(${e})\ndef h():`),
    );
    const comment = fc.tuple(fc.integer({ min: 0, max: 10 }), fc.constantFrom('# c', '#')).map(([n, c]) => ' '.repeat(n) + c);
    const block = (indent: string): fc.Arbitrary<string> =>
      fc
        .array(
          fc.oneof(
            simple.map((s) => indent + s),
            fc.tuple(simple, simple).map(([a, b]) => `${indent}${a}; ${b}`),
            fc.tuple(header, fc.array(simple, { minLength: 1, maxLength: 3 }), fc.boolean()).map(([h, body, inline]) =>
              inline ? `${indent}${h.replace(/\n/g, `\n${indent}`)} ${body[0]}` : `${indent}${h.replace(/\n/g, `\n${indent}`)}\n${body.map((s) => `${indent}    ${s}`).join('\n')}`,
            ),
            comment,
            fc.constant(''),
          ),
          { minLength: 1, maxLength: 6 },
        )
        .map((lines) => lines.join('\n') + '\n');
    let clean = 0;
    let read = 0;
    fc.assert(
      fc.property(block(''), (src) => {
        if (!parsesCleanly(src)) return;
        clean++;
        if (scanPython(src)) read++;
        const { text, tree } = both(src);
        assert.deepStrictEqual(text, tree, src);
      }),
      { numRuns: 1500, seed: 20261127 },
    );
    // The property is only worth something if most programs parse and the text reads most of them.
    assert.ok(clean > 500, `only ${clean} generated programs parse`);
    assert.ok(read > clean / 2, `the text reads only ${read} of ${clean}`);
  });

  it('never throws on arbitrary text, parsed or not (property)', () => {
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom('a', 'f', 'r', '"', "'", '{', '}', '(', ')', '[', ']', ':', '=', ',', '\\', '\n', ' ', '#', '\t', 'é', '.', '1', 'def ', 'for ', 'lambda ', 'import ', 'from ', '@', '*', ';'), maxLength: 60 }), (src) => {
        const read = scanPython(src);
        assert.ok(read === undefined || Array.isArray(read.calls));
      }),
      { numRuns: 3000, seed: 11 },
    );
  });

  it('equals the tree on every corpus cell and .py file (when ../shared/corpus is present)', function () {
    const corpus = path.resolve(__dirname, '../../../shared/corpus');
    if (!fs.existsSync(corpus)) this.skip();
    this.timeout(120_000);
    let compared = 0;
    let declined = 0;
    for (const src of pythonSources(corpus)) {
      if (!parsesCleanly(src)) continue;
      if (!scanPython(src)) {
        declined++;
        continue;
      }
      const { text, tree } = both(src);
      assert.deepStrictEqual(text, tree, src.slice(0, 200));
      compared++;
    }
    assert.ok(compared > 4000, `compared ${compared}`);
    assert.ok(declined < compared / 20, `declined ${declined} of ${compared + declined}`);
  });
});
