import * as assert from 'node:assert/strict';
import { extractFacts, initPython, setFactsFromText, type ArgFact, type AssignmentFact, type CallFact, type FunctionFact, type ImportFact, type PythonFacts, type StringFact } from '../../src/core/parse/python';

// Exact facts for tricky snippets. A tree without syntax errors is read by the
// fast path of extractFacts, one with errors by the general path; the last test
// checks that both give the same facts for the same code.

function arg(start: number, end: number, kind: string, text: string, str?: string): ArgFact {
  return { span: { start, end }, valueSpan: { start, end }, kind, text, str };
}

function kw(name: string, start: number, valueStart: number, end: number, kind: string, text: string, str?: string): ArgFact {
  return { name, span: { start, end }, valueSpan: { start: valueStart, end }, kind, text, str };
}

function call(callee: string, start: number, end: number, calleeEnd: number, args: ArgFact[], more: { assignedTo?: string[]; inFunction?: string; inLoop?: boolean } = {}): CallFact {
  const dot = callee.lastIndexOf('.');
  return {
    callee,
    name: dot >= 0 ? callee.slice(dot + 1) : callee,
    span: { start, end },
    calleeSpan: { start, end: calleeEnd },
    args,
    assignedTo: more.assignedTo,
    inFunction: more.inFunction,
    inLoop: more.inLoop ?? false,
  };
}

function imp(module: string, alias: string, start: number, end: number, name?: string): ImportFact {
  // `import x` facts have no `name` key at all.
  return name === undefined ? { module, alias, span: { start, end } } : { module, name, alias, span: { start, end } };
}

function str(value: string, start: number, end: number, fString = false): StringFact {
  return { value, span: { start, end }, fString };
}

function asg(targets: string[], start: number, valueStart: number, end: number, valueKind: string): AssignmentFact {
  return { targets, span: { start, end }, valueSpan: { start: valueStart, end }, valueKind };
}

function fn(name: string, start: number, end: number, nameStart: number, nameEnd: number): FunctionFact {
  return { name, span: { start, end }, nameSpan: { start: nameStart, end: nameEnd } };
}

function facts(f: Partial<PythonFacts>): PythonFacts {
  const out: PythonFacts = { calls: f.calls ?? [], imports: f.imports ?? [], strings: f.strings ?? [], assignments: f.assignments ?? [], functions: f.functions ?? [] };
  if (f.syntaxError) out.syntaxError = f.syntaxError;
  return out;
}

const NESTED = 'result = model.fit(X, y).predict(load(path="a.csv")[0])\nf(g(h(1)))(2)\n';
const KW_STRINGS =
  `df = pd.read_csv("data/" "train.csv", sep=';', names=f"col{i}", header=(  # none\n    None), comment=("#"  # hash\n    "!"), ` +
  `raw=r'\\\\', win=r'C:\\\\x', b=rb'\\N' b'y')\n`;
const F_STRINGS = `s = u"a" 'b' f"{x!r:>10}" """t"""\nlog(f"{d['k']}", F'{y}' "z", msg="{} %s" 'ok')\n`;
const SCOPES = 'def train(cfg):\n    for epoch in range(cfg.epochs):\n        step(epoch)\n        while not done():\n            wait()\n    def inner():\n        return log("x")\n    save()\nprint(train)\n';
const UNPACKING = '(a, b) = split(data)\nx, *rest = load()\nfirst = second = make()\nos.environ["SEED"] = str(42)\nn: int = count()\nm: int\n[p, q] = pair()\nw = v = f(1)(2)\n';
const IMPORTS = 'import numpy as np, os.path\nfrom a.b import c as d, e\nfrom . import sibling\nfrom ..pkg.mod import *\nfrom m import (x,  # why\n    y as z)\nimport torch\n';
const NESTED_CONCAT = `v = f"{d['k']}" "x"\nw = f"{'a' 'b'}" "c"\n`;
const SPACING = 'y = f (a = 1, b\t=\t"s")\nz = (obj\n  .m)(k=[1])\né(x)\nt = x  # c\n';
const ARGS = 'total = sum(x * 2 for x in xs)\ncall(a,  # first\n     b, \\\n     *c, **d)\n@app.route("/", methods=["GET"])\ndef index(): pass\n';

describe('extractFacts', () => {
  before(() => initPython());

  it('lists nested calls in tree order, outer first, with collapsed callees', () => {
    assert.deepStrictEqual(
      extractFacts(NESTED),
      facts({
        calls: [
          call('model.fit().predict', 9, 55, 32, [arg(33, 54, 'subscript', 'load(path="a.csv")[0]')], { assignedTo: ['result'] }),
          call('model.fit', 9, 24, 18, [arg(19, 20, 'identifier', 'X'), arg(22, 23, 'identifier', 'y')]),
          call('load', 33, 51, 37, [kw('path', 38, 43, 50, 'string', '"a.csv"', 'a.csv')]),
          call('f(g(h()))', 56, 69, 66, [arg(67, 68, 'integer', '2')]),
          call('f', 56, 66, 57, [arg(58, 65, 'call', 'g(h(1))')]),
          call('g', 58, 65, 59, [arg(60, 64, 'call', 'h(1)')]),
          call('h', 60, 64, 61, [arg(62, 63, 'integer', '1')]),
        ],
        strings: [str('a.csv', 43, 50)],
        assignments: [asg(['result'], 0, 9, 55, 'call')],
      }),
    );
  });

  it('reads keyword arguments with concatenated, f-, raw and bytes strings', () => {
    // A comment between the parts of a concatenation leaves it without a value
    // (no string fact at all); `r'\\'` has the value '' because tree-sitter-python
    // puts the backslashes into the closing token.
    assert.deepStrictEqual(
      extractFacts(KW_STRINGS),
      facts({
        calls: [
          call(
            'pd.read_csv',
            5,
            162,
            16,
            [
              arg(17, 36, 'concatenated_string', '"data/" "train.csv"', 'data/train.csv'),
              kw('sep', 38, 42, 45, 'string', "';'", ';'),
              kw('names', 47, 53, 62, 'string', 'f"col{i}"'),
              kw('header', 64, 71, 90, 'parenthesized_expression', '(  # none\n    None)'),
              kw('comment', 92, 100, 121, 'parenthesized_expression', '("#"  # hash\n    "!")'),
              kw('raw', 123, 127, 132, 'string', "r'\\\\'", ''),
              kw('win', 134, 138, 146, 'string', "r'C:\\\\x'", 'C:\\\\x'),
              kw('b', 148, 150, 161, 'concatenated_string', "rb'\\N' b'y'", '\\Ny'),
            ],
            { assignedTo: ['df'] },
          ),
        ],
        strings: [str('data/train.csv', 17, 36), str(';', 42, 45), str('col{i}', 53, 62, true), str('', 127, 132), str('C:\\\\x', 138, 146), str('\\Ny', 150, 161)],
        assignments: [asg(['df'], 0, 5, 162, 'call')],
      }),
    );
  });

  it('joins concatenations with f-string parts and keeps strings nested in interpolations', () => {
    // 'k' inside f"{d['k']}" is a string of its own; the parts of a concatenation are not.
    assert.deepStrictEqual(
      extractFacts(F_STRINGS),
      facts({
        calls: [
          call('log', 34, 80, 37, [
            arg(38, 49, 'string', `f"{d['k']}"`),
            arg(51, 61, 'concatenated_string', `F'{y}' "z"`),
            kw('msg', 63, 67, 79, 'concatenated_string', `"{} %s" 'ok'`, '{} %sok'),
          ]),
        ],
        strings: [str('ab{x!r:>10}t', 4, 33, true), str("{d['k']}", 38, 49, true), str('k', 43, 46), str('{y}z', 51, 61, true), str('{} %sok', 67, 79)],
        assignments: [asg(['s'], 0, 4, 33, 'concatenated_string')],
      }),
    );
  });

  it('skips strings inside the parts of a concatenation, up to a nested concatenation', () => {
    // Kept as it always was: after the concatenation nested in the interpolation,
    // the outer concatenation's last part "c" counts as a string of its own.
    assert.deepStrictEqual(
      extractFacts(NESTED_CONCAT),
      facts({
        strings: [str("{d['k']}x", 4, 19, true), str("{'a' 'b'}c", 24, 40, true), str('ab', 27, 34), str('c', 37, 40)],
        assignments: [asg(['v'], 0, 4, 19, 'concatenated_string'), asg(['w'], 20, 24, 40, 'concatenated_string')],
      }),
    );
  });

  it('tells the innermost enclosing function and whether a loop encloses a call', () => {
    assert.deepStrictEqual(
      extractFacts(SCOPES),
      facts({
        calls: [
          call('range', 33, 50, 38, [arg(39, 49, 'attribute', 'cfg.epochs')], { inFunction: 'train', inLoop: true }),
          call('step', 60, 71, 64, [arg(65, 70, 'identifier', 'epoch')], { inFunction: 'train', inLoop: true }),
          call('done', 90, 96, 94, [], { inFunction: 'train', inLoop: true }),
          call('wait', 110, 116, 114, [], { inFunction: 'train', inLoop: true }),
          call('log', 149, 157, 152, [arg(153, 156, 'string', '"x"', 'x')], { inFunction: 'inner' }),
          call('save', 162, 168, 166, [], { inFunction: 'train' }),
          call('print', 169, 181, 174, [arg(175, 180, 'identifier', 'train')]),
        ],
        strings: [str('x', 153, 156)],
        functions: [fn('train', 0, 168, 4, 9), fn('inner', 121, 157, 125, 130)],
      }),
    );
  });

  it('splits unpacking targets and sets assignedTo only for the whole right side', () => {
    assert.deepStrictEqual(
      extractFacts(UNPACKING),
      facts({
        calls: [
          call('split', 9, 20, 14, [arg(15, 19, 'identifier', 'data')], { assignedTo: ['a', 'b'] }),
          call('load', 32, 38, 36, [], { assignedTo: ['x', 'rest'] }),
          call('make', 56, 62, 60, [], { assignedTo: ['second'] }),
          call('str', 84, 91, 87, [arg(88, 90, 'integer', '42')], { assignedTo: ['os.environ["SEED"]'] }),
          call('count', 101, 108, 106, [], { assignedTo: ['n'] }),
          call('pair', 125, 131, 129, [], { assignedTo: ['p', 'q'] }),
          call('f()', 140, 147, 144, [arg(145, 146, 'integer', '2')], { assignedTo: ['v'] }),
          call('f', 140, 144, 141, [arg(142, 143, 'integer', '1')]),
        ],
        strings: [str('SEED', 74, 80)],
        // `m: int` has no value: no assignment.
        assignments: [
          asg(['a', 'b'], 0, 9, 20, 'call'),
          asg(['x', 'rest'], 21, 32, 38, 'call'),
          asg(['first'], 39, 47, 62, 'assignment'),
          asg(['second'], 47, 56, 62, 'call'),
          asg(['os.environ["SEED"]'], 63, 84, 91, 'call'),
          asg(['n'], 92, 101, 108, 'call'),
          asg(['p', 'q'], 116, 125, 131, 'call'),
          asg(['w'], 132, 136, 147, 'assignment'),
          asg(['v'], 136, 140, 147, 'call'),
        ],
      }),
    );
  });

  it('finds the end of a callee and of a keyword name across spaces and lines', () => {
    assert.deepStrictEqual(
      extractFacts(SPACING),
      facts({
        calls: [
          call('f', 4, 22, 5, [kw('a', 7, 11, 12, 'integer', '1'), kw('b', 14, 18, 21, 'string', '"s"', 's')], { assignedTo: ['y'] }),
          call('()', 27, 44, 37, [kw('k', 38, 40, 43, 'list', '[1]')], { assignedTo: ['z'] }),
          call('é', 45, 49, 46, [arg(47, 48, 'identifier', 'x')]),
        ],
        strings: [str('s', 18, 21)],
        assignments: [asg(['y'], 0, 4, 22, 'call'), asg(['z'], 23, 27, 44, 'call'), asg(['t'], 50, 54, 55, 'identifier')],
      }),
    );
  });

  it('lists plain, dotted, aliased, relative and wildcard imports', () => {
    assert.deepStrictEqual(
      extractFacts(IMPORTS),
      facts({
        imports: [
          imp('numpy', 'np', 0, 27),
          imp('os.path', 'os', 0, 27),
          imp('a.b', 'd', 28, 53, 'c'),
          imp('a.b', 'e', 28, 53, 'e'),
          imp('.', 'sibling', 54, 75, 'sibling'),
          imp('..pkg.mod', '*', 76, 99, '*'),
          imp('m', 'x', 100, 136, 'x'),
          imp('m', 'z', 100, 136, 'y'),
          imp('torch', 'torch', 137, 149),
        ],
      }),
    );
  });

  it('skips comments among arguments, keeps splats, and gives a generator argument no args', () => {
    // The line continuation shows up as an argument of its own (tree-sitter-python makes it a named node).
    assert.deepStrictEqual(
      extractFacts(ARGS),
      facts({
        calls: [
          call('sum', 8, 30, 11, [], { assignedTo: ['total'] }),
          call('call', 31, 71, 35, [
            arg(36, 37, 'identifier', 'a'),
            arg(53, 54, 'identifier', 'b'),
            arg(56, 58, 'line_continuation', '\\\n'),
            arg(63, 65, 'list_splat', '*c'),
            arg(67, 70, 'dictionary_splat', '**d'),
          ]),
          call('app.route', 73, 104, 82, [arg(83, 86, 'string', '"/"', '/'), kw('methods', 88, 96, 103, 'list', '["GET"]')]),
        ],
        strings: [str('/', 83, 86), str('GET', 97, 102)],
        assignments: [asg(['total'], 0, 8, 30, 'call')],
        functions: [fn('index', 105, 122, 109, 114)],
      }),
    );
  });

  it('reads facts from the text exactly as the tree gives them, and falls back to the tree for other shapes', () => {
    const sources = [
      NESTED, KW_STRINGS, F_STRINGS, NESTED_CONCAT, SCOPES, UNPACKING, SPACING, IMPORTS, ARGS,
      'f(a, b.c, d(e)[0], g[1](2), "s", r"\\d", b"x", f"{x}", 1, 1_000, 0.5, .5, 1e-3, 2., -1, -0.5, -x, True, False, None)\n',
      'f(*args, **kwargs, k=v, k2 = [1, 2], k3={"a": 1}, k4={1, 2}, k5=(), k6=(1,), k7=(x), k8={}, k9=[])\n',
      'f(x,)\nf()\nf(\n    a,\n    b=2,\n)\nf("a, b", \'c)d\', """e,\nf""")\n',
      'f(a + b, a == b, a if b else c, lambda x: x, [x for x in y], {k: v for k, v in d}, not a, await_(x))\n',
      'f(k=lambda x=1: x, j=a<=b, m=(y := 2))\nf(x) (y)\nf(a .b)\nf("a" "b")\nf(é)\nf(a  # c\n  )\n',
      'f(0x1F, 0o7, 0b1, 1j, 10L)\nf(print, exec, match, type)\nf({"a": lambda: 1})\nf(a[1:2], b[::2], c[x, y])\n',
    ];
    for (const src of sources) {
      setFactsFromText(false);
      const fromTree = extractFacts(src);
      setFactsFromText(true);
      const fromText = extractFacts(src);
      assert.deepStrictEqual(fromText, fromTree, src);
    }
    const kinds = extractFacts('f(a, b.c, d(e)[0], "s", 1, 0.5, -1, *p, **q, k=(1,), m={}, n={1}, o=[])\n').calls[0].args.map((a) => a.kind);
    assert.deepStrictEqual(kinds, ['identifier', 'attribute', 'subscript', 'string', 'integer', 'float', 'unary_operator', 'list_splat', 'dictionary_splat', 'tuple', 'dictionary', 'set', 'list']);
  });

  it('reports the first syntax error and the facts error recovery leaves', () => {
    assert.deepStrictEqual(
      extractFacts('import os\nf(x\nopen("a.txt", mode="w"\n'),
      facts({
        imports: [imp('os', 'os', 0, 9)],
        strings: [str('a.txt', 19, 26), str('w', 33, 36)],
        syntaxError: { span: { start: 10, end: 36 }, message: 'invalid syntax' },
      }),
    );
    assert.deepStrictEqual(
      extractFacts('def f(:\n    g(1)\n'),
      facts({
        calls: [call('g', 12, 16, 13, [arg(14, 15, 'integer', '1')], { inFunction: 'f' })],
        functions: [fn('f', 0, 16, 4, 5)],
        syntaxError: { span: { start: 6, end: 6 }, message: 'expected )' },
      }),
    );
  });

  it('gives the same facts on the fast path (no errors) and the general path (an error further down)', () => {
    for (const src of [NESTED, KW_STRINGS, F_STRINGS, NESTED_CONCAT, SCOPES, UNPACKING, SPACING, IMPORTS, ARGS]) {
      const valid = extractFacts(src);
      assert.equal(valid.syntaxError, undefined);
      const withError = extractFacts(`${src})\n`);
      assert.ok(withError.syntaxError, 'the trailing `)` is a syntax error');
      delete withError.syntaxError;
      assert.deepStrictEqual(withError, valid, src);
    }
  });
});
