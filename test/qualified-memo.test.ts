// Per-cell summaries that read names qualified through the imports: kept while
// the names they read qualify the same, recomputed when one of them changes.
import * as assert from 'node:assert/strict';
import { PythonProgram, UnitCache } from '../src/core/parse/program';
import { initPython } from '../src/core/parse/python';
import { qualifiedMemo } from '../src/core/rules/lib/value-resolver';

describe('qualifiedMemo', () => {
  before(initPython);

  const cache = new UnitCache();
  const program = (...cells: string[]): PythonProgram => PythonProgram.fromUnits(cache, cells.map((text, cell) => ({ cell, text })));
  let computed: string[] = [];
  const callees = qualifiedMemo((unit, qualify) => {
    computed.push(unit.text);
    return unit.facts.calls.map((c) => qualify(c.callee));
  });

  it('computes each cell once while the imports do not change', () => {
    computed = [];
    const cells = ['import numpy as np', 'x = np.zeros(3)', 'y = len(x)'];
    assert.deepEqual(callees.all(program(...cells)), [[], ['numpy.zeros'], ['len']]);
    assert.deepEqual(computed, cells);
    computed = [];
    assert.deepEqual(callees.all(program(...cells)), [[], ['numpy.zeros'], ['len']]);
    assert.deepEqual(computed, []);
  });

  it('keeps a summary when another import changes, recomputes one whose names change', () => {
    computed = [];
    const p = program('import numpy as np\nimport pandas as pd', 'x = np.zeros(3)', 'y = len(x)');
    // The import cell itself changed; `np` and `len` qualify as before.
    assert.deepEqual(callees.all(p), [[], ['numpy.zeros'], ['len']]);
    assert.deepEqual(computed, ['import numpy as np\nimport pandas as pd']);
    computed = [];
    const q = program('import jax.numpy as np', 'x = np.zeros(3)', 'y = len(x)');
    assert.deepEqual(callees.all(q), [[], ['jax.numpy.zeros'], ['len']]);
    assert.deepEqual(computed, ['import jax.numpy as np', 'x = np.zeros(3)']);
    computed = [];
    // `from builtins import len as len`-style rebinding of a bare name counts too.
    const r = program('import jax.numpy as np\nfrom mylib import len', 'x = np.zeros(3)', 'y = len(x)');
    assert.deepEqual(callees.all(r), [[], ['jax.numpy.zeros'], ['mylib.len']]);
    assert.deepEqual(computed, ['import jax.numpy as np\nfrom mylib import len', 'y = len(x)']);
  });

  it('gives the same values one at a time', () => {
    const p = program('import numpy as np', 'x = np.zeros(3)', 'y = len(x)');
    assert.deepEqual([0, 1, 2].map((i) => callees.at(p, i)), [[], ['numpy.zeros'], ['len']]);
    assert.deepEqual(callees(p.units[1], p), ['numpy.zeros']);
  });
});
