// The shared analyses of value-resolver.ts: import questions, qualified memos
// across alias changes, the qualifier handed to them, and value resolution
// through the program's assignments and call sites.
import * as assert from 'node:assert/strict';
import { PythonProgram, UnitCache } from '../src/core/parse/program';
import { initPython } from '../src/core/parse/python';
import { importsAny, importsModule, qualifiedMemo, resolverFor } from '../src/core/rules/lib/value-resolver';
import { rng } from './helpers/rng';

describe('value-resolver', () => {
  before(initPython);

  const cache = new UnitCache();
  const program = (...cells: string[]): PythonProgram => PythonProgram.fromUnits(cache, cells.map((text, cell) => ({ cell, text })));

  describe('import questions', () => {
    it('answer for the modules and, for names, `module.name` of from-imports', () => {
      const p = program('import a.b.c\nfrom x.y import z\nfrom q import *', 'import m as n');
      assert.deepEqual(
        ['a', 'a.b', 'a.b.c', 'a.b.c.d', 'a.bc', 'x', 'x.y', 'x.y.z', 'x.y.z.w', 'x.y.zz', 'q', 'q.*', 'm', 'n'].map((x) => [x, importsAny(p, [x]), importsModule(p, [x])]),
        [
          ['a', true, true],
          ['a.b', true, true],
          ['a.b.c', true, true],
          ['a.b.c.d', false, false],
          ['a.bc', false, false],
          ['x', true, true],
          ['x.y', true, true],
          ['x.y.z', true, false],
          ['x.y.z.w', false, false],
          ['x.y.zz', false, false],
          ['q', true, true],
          ['q.*', false, false],
          ['m', true, true],
          ['n', false, false],
        ],
      );
      assert.equal(importsAny(p, ['nope', 'x.y.z']), true);
      assert.equal(importsModule(p, ['nope', 'x.y.z']), false);
      assert.equal(importsAny(program('x = 1'), ['x']), false);
    });

    it('equal the prefix sets of every import on generated programs', () => {
      // The reference: every dotted prefix of each module (and of `module.name`), in a set.
      const prefixes = (set: Set<string>, dotted: string): void => {
        set.add(dotted);
        for (let i = dotted.indexOf('.'); i >= 0; i = dotted.indexOf('.', i + 1)) set.add(dotted.slice(0, i));
      };
      const next = rng(7);
      const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)];
      const seg = ['a', 'b', 'ab', 'np', 'torch', 'nn', 'x'];
      const dotted = (): string => Array.from({ length: 1 + Math.floor(next() * 3) }, () => pick(seg)).join('.');
      for (let round = 0; round < 300; round++) {
        const lines: string[] = [];
        for (let k = Math.floor(next() * 4); k > 0; k--) {
          const r = next();
          lines.push(r < 0.35 ? `import ${dotted()}` : r < 0.5 ? `import ${dotted()} as al` : r < 0.85 ? `from ${dotted()} import ${pick(seg)}` : `from ${dotted()} import *`);
        }
        const p = program(lines.join('\n'), 'y = 2');
        const names = new Set<string>();
        const modules = new Set<string>();
        for (const imp of p.units.flatMap((u) => u.facts.imports)) {
          prefixes(modules, imp.module);
          prefixes(names, imp.module);
          if (imp.name && imp.name !== '*') prefixes(names, `${imp.module}.${imp.name}`);
        }
        const asked = Array.from({ length: 1 + Math.floor(next() * 2) }, dotted);
        assert.equal(importsAny(p, asked), asked.some((x) => names.has(x)), `${lines.join('; ')} / ${asked.join(',')}`);
        assert.equal(importsModule(p, asked), asked.some((x) => modules.has(x)), `${lines.join('; ')} / ${asked.join(',')}`);
      }
    });
  });

  describe('qualified memos', () => {
    it('keep the values of two alias sets (a notebook and its %%writefile-aware program) without recomputing', () => {
      let computed: string[] = [];
      const callees = qualifiedMemo((unit, qualify) => {
        computed.push(unit.text);
        return unit.facts.calls.map((c) => qualify(c.callee));
      });
      const a = ['import numpy as np', 'v = np.ones(2)\nw = pd.read_csv("a.csv")'];
      const b = ['import numpy as np\nimport pandas as pd', 'v = np.ones(2)\nw = pd.read_csv("a.csv")'];
      assert.deepEqual(callees.all(program(...a)), [[], ['numpy.ones', 'pd.read_csv']]);
      assert.deepEqual(callees.all(program(...b)), [[], ['numpy.ones', 'pandas.read_csv']]);
      assert.deepEqual(computed, [...a, b[0], b[1]]);
      computed = [];
      for (let k = 0; k < 3; k++) {
        assert.deepEqual(callees.all(program(...a)), [[], ['numpy.ones', 'pd.read_csv']]);
        assert.deepEqual(callees.all(program(...b)), [[], ['numpy.ones', 'pandas.read_csv']]);
      }
      assert.deepEqual(computed, []);
      // A third alias set that qualifies the cell's names as the first: kept, not recomputed.
      const c = ['import numpy as np\nimport os', 'v = np.ones(2)\nw = pd.read_csv("a.csv")'];
      assert.deepEqual(callees.all(program(...c)), [[], ['numpy.ones', 'pd.read_csv']]);
      assert.deepEqual(computed, [c[0]]);
    });

    it('qualify any name the same as the program, in any order', () => {
      const next = rng(11);
      const heads = ['np', 'pd', 'os', 'plt', 'len', 'model', 'tf'];
      const imports = ['import numpy as np', 'import pandas as pd', 'import os', 'from matplotlib import pyplot as plt', 'import tensorflow as tf'];
      for (let round = 0; round < 60; round++) {
        const cells = [imports.filter(() => next() < 0.6).join('\n') || 'pass'];
        for (let k = 1 + Math.floor(next() * 3); k > 0; k--) {
          const lines: string[] = [];
          for (let j = Math.floor(next() * 12); j > 0; j--) lines.push(`x${j} = ${heads[Math.floor(next() * heads.length)]}${next() < 0.6 ? '.f' + Math.floor(next() * 3) : ''}(${j})`);
          cells.push(lines.join('\n') || 'pass');
        }
        const p = program(...cells);
        // Reads the callees in order, skipping some, then repeats some, then asks names that are no callee.
        const memo = qualifiedMemo((unit, qualify) => {
          const calls = unit.facts.calls;
          const out: string[] = [];
          for (const c of calls) if (next() < 0.7) out.push(`${c.callee}=${qualify(c.callee)}`);
          for (let j = calls.length - 1; j >= 0; j -= 2) out.push(`${calls[j].callee}=${qualify(calls[j].callee)}`);
          for (const h of heads) if (next() < 0.3) out.push(`${h}.x=${qualify(`${h}.x`)}`);
          return out;
        });
        memo.all(p).forEach((got, i) => {
          for (const pair of got) {
            const [name, q] = pair.split('=');
            assert.equal(q, p.qualify(name), `cell ${i}: ${name}`);
          }
        });
      }
    });
  });

  describe('value resolution', () => {
    it('the assignment in effect at a point, across cells', () => {
      const p = program('DATA = "a"\nOTHER = "o"', 'x = 1\nDATA = "b"\nuse(DATA)', 'use(DATA)\nDATA = DATA + "/c"\nuse(DATA)');
      const r = resolverFor(p);
      const at = (cell: number, needle: string): string => r.resolveName('DATA', p.units[cell], p.units[cell].text.indexOf(needle)).text;
      assert.equal(at(1, 'use'), 'b');
      assert.equal(at(2, 'use'), 'b');
      assert.equal(r.resolveName('DATA', p.units[2], p.units[2].text.lastIndexOf('use')).text, 'b/c');
      assert.equal(r.resolveName('DATA', p.units[2], p.units[2].text.length).text, 'b/c');
      assert.equal(r.resolveName('DATA', p.units[0], 0).text, 'a');
      assert.equal(r.isAssigned('OTHER'), true);
      assert.equal(r.isAssigned('use'), false);
    });

    it('parameters: the first call site that resolves, methods shifted by self, else the default', () => {
      const p = program(
        'class Loader:\n    def load(self, path):\n        return open(path)\n\ndef read(name, folder="data"):\n    return open(folder + "/" + name)',
        'Loader().load("m.csv")\nread(unknown)\nread("t.csv", folder="d2")',
      );
      const r = resolverFor(p);
      const def = p.units[0].text;
      assert.equal(r.resolveName('path', p.units[0], def.indexOf('open(path)')).text, 'm.csv');
      assert.equal(r.resolveName('name', p.units[0], def.indexOf('open(folder')).text, 't.csv');
      assert.equal(r.resolveName('folder', p.units[0], def.indexOf('open(folder')).text, 'd2');
      const q = program('def read(name, folder="data"):\n    return open(folder + "/" + name)', 'read(x)');
      assert.equal(resolverFor(q).resolveName('folder', q.units[0], q.units[0].text.indexOf('open(')).text, 'data');
    });

    it('a bare name gives what the parser gives for it (its value in parentheses), on generated programs', () => {
      const next = rng(23);
      const names = ['DATA', 'path', 'root', 'f', 'rb', 'x1', '__file__', 'not', 'lambda', 'None', 'cfg'];
      const pick = (): string => names[Math.floor(next() * names.length)];
      const value = (): string => {
        const r = next();
        return r < 0.3 ? `"${pick()}.csv"` : r < 0.5 ? pick() : r < 0.7 ? `f"{${pick()}}/a.csv"` : r < 0.85 ? `os.path.join(${pick()}, "b")` : `${pick()} + "/c"`;
      };
      let resolved = 0;
      for (let round = 0; round < 80; round++) {
        const cells = ['import os'];
        for (let k = 1 + Math.floor(next() * 3); k > 0; k--) {
          const lines: string[] = [];
          for (let j = 1 + Math.floor(next() * 4); j > 0; j--) lines.push(next() < 0.2 ? `def load(${pick()}, ${pick()}="d.csv"):\n    return ${pick()}` : `${pick()} = ${value()}`);
          cells.push(lines.join('\n'));
        }
        const p = program(...cells.map((c) => c.replace(/^(not|lambda|None) = .*$/gm, 'pass')));
        const r = resolverFor(p);
        for (let u = 0; u < p.units.length; u++) {
          const text = p.units[u].text;
          for (const offset of [0, Math.floor(text.length / 2), text.length]) {
            for (const name of names) {
              const a = r.evaluate(p.units[u], name, offset);
              const b = r.evaluate(p.units[u], `(${name})`, offset);
              if (a.complete) resolved++;
              assert.deepEqual([a.text, a.complete, !!a.approx, a.origin?.name, a.origin?.span.start], [b.text, b.complete, !!b.approx, b.origin?.name, b.origin?.span.start], `${cells.join(' | ')} :: ${name}@${u}:${offset}`);
            }
          }
        }
      }
      // The generated programs do resolve names (not only unknowns compared with unknowns).
      assert.ok(resolved > 200, `${resolved} names resolved`);
    });

    it('values keep where a variable set them, and mark guesses', () => {
      const p = program('import os\nROOT = os.path.join("data", "raw")', 'def script_path(f):\n    return f\nP = script_path("movies.csv")\nQ = os.getenv("X", "fallback.csv")');
      const r = resolverFor(p);
      const root = r.resolveName('ROOT', p.units[1], 0);
      assert.deepEqual([root.text, root.complete, root.origin?.name, root.origin?.span.start], ['data/raw', true, 'ROOT', p.units[0].text.indexOf('os.path.join(')]);
      const g = r.resolveName('P', p.units[1], p.units[1].text.length);
      assert.deepEqual([g.text, g.complete, !!g.approx], ['movies.csv', true, true]);
      const e = r.resolveName('Q', p.units[1], p.units[1].text.length);
      assert.deepEqual([e.text, !!e.approx], ['fallback.csv', true]);
      const f = r.evaluate(p.units[1], 'f"{ROOT}/{x}.csv" + "!"', 0);
      assert.deepEqual([f.text, f.complete], ['data/raw/\u2026.csv!', false]);
    });
  });
});
