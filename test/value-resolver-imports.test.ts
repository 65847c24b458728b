// importsAny / importsModule: whether an import is at or under a prefix, read
// without building `module.name` strings, gives the answers of the plain string
// tests (kept here as the reference), on fixed and generated programs.
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { PythonProgram, UnitCache } from '../src/core/parse/program';
import { initPython, type ImportFact } from '../src/core/parse/python';
import { importsAny, importsModule } from '../src/core/rules/lib/value-resolver';

/** The reference: the plain string tests over every import and prefix. */
function atOrUnder(dotted: string, prefix: string): boolean {
  return dotted === prefix || dotted.startsWith(prefix + '.');
}
function reference(imports: readonly ImportFact[], prefixes: readonly string[], names: boolean): boolean {
  for (const imp of imports) {
    for (const prefix of prefixes) {
      if (atOrUnder(imp.module, prefix)) return true;
      if (names && imp.name && imp.name !== '*' && atOrUnder(`${imp.module}.${imp.name}`, prefix)) return true;
    }
  }
  return false;
}

describe('importsAny / importsModule', () => {
  before(initPython);
  const cache = new UnitCache();
  const program = (...cells: string[]): PythonProgram => PythonProgram.fromUnits(cache, cells.map((text, cell) => ({ cell, text })));

  it('answers for modules, their parents and from-imported names', () => {
    const p = program('import a.b.c as x\nimport numpy as np', 'from sklearn import metrics\nfrom os.path import *', 'x = 1');
    assert.equal(importsAny(p, ['a']), true);
    assert.equal(importsAny(p, ['a.b']), true);
    assert.equal(importsAny(p, ['a.b.c']), true);
    assert.equal(importsAny(p, ['a.b.c.d']), false);
    assert.equal(importsAny(p, ['a.bc']), false);
    assert.equal(importsAny(p, ['sklearn.metrics']), true);
    assert.equal(importsModule(p, ['sklearn.metrics']), false);
    assert.equal(importsModule(p, ['sklearn']), true);
    assert.equal(importsAny(p, ['os.path.join']), false);
    assert.equal(importsAny(p, ['os.path.*']), false);
    assert.equal(importsAny(p, ['pandas', 'numpy']), true);
    assert.equal(importsAny(p, ['num']), false);
    assert.equal(importsAny(p, []), false);
    assert.equal(importsAny(program('x = 1'), ['a']), false);
  });

  it('gives the answers of a scan of every import (generated imports and prefixes)', () => {
    const seg = fc.constantFrom('a', 'b', 'ab', 'np', '', 'x_1');
    const dotted = fc.array(seg, { minLength: 1, maxLength: 4 }).map((s) => s.join('.'));
    const imp = fc.record({ module: dotted, name: fc.option(fc.oneof(seg, dotted, fc.constant('*')), { nil: undefined }), alias: fc.constant('z'), span: fc.constant({ start: 0, end: 0 }) });
    fc.assert(
      fc.property(fc.array(fc.array(imp, { maxLength: 4 }), { maxLength: 4 }), fc.array(dotted, { maxLength: 4 }), (cells, prefixes) => {
        // Units with these import facts (the facts objects are new: nothing cached).
        const units = cells.map((imports, cell) => ({ cell, text: '', magics: [], lines: program('').units[0].lines, facts: { calls: [], imports, strings: [], assignments: [], functions: [] } }));
        const p = new PythonProgram(units);
        const all = cells.flat();
        assert.equal(importsAny(p, prefixes), reference(all, prefixes, true));
        assert.equal(importsModule(p, prefixes), reference(all, prefixes, false));
      }),
      { numRuns: 2000 },
    );
  });

  it('answers for a program after an edit as for a fresh one', () => {
    const cells = ['import pandas as pd', 'x = 1', 'y = 2', 'z = 3', 'w = 4'];
    const before = program(...cells);
    assert.equal(importsAny(before, ['torch']), false);
    const edited = program(...cells.slice(0, 4), 'import torch');
    assert.equal(importsAny(edited, ['torch']), true);
    const back = program(...cells);
    assert.equal(importsAny(back, ['torch']), false);
    assert.equal(importsAny(back, ['pandas']), true);
  });
});
