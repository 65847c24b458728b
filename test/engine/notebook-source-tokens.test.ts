import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { mapsCells, notebookFromCells, parseNotebook, sourceTokens, type NotebookModel } from '../../src/core/parse/notebook';

// A finding's file position comes from its cell's source tokens. They are found by
// searching for each cell's `"source"` key (sourceTokens), and the full structural
// scan (spans) is only run for fixes or when that search cannot vouch for what it
// found. Both must agree on every notebook.

function parsed(text: string): NotebookModel {
  const r = parseNotebook(text);
  assert.ok(r.ok, r.ok ? '' : r.error.message);
  return r.notebook;
}

function pick(spans: ReturnType<typeof sourceTokens>): unknown {
  return spans.map((s) => ({ tokens: s.tokens, decodedStarts: s.decodedStarts, sourceStart: s.sourceStart }));
}

function fromScan(nb: NotebookModel): unknown {
  return pick(nb.spans);
}

describe('cell source tokens', () => {
  it('equal the structural scan for string and list sources, escapes and any indent (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.string({ unit: 'grapheme', maxLength: 30 }), fc.boolean(), fc.constantFrom('code', 'markdown')), { minLength: 1, maxLength: 4 }),
        fc.constantFrom(undefined, 1, 2, '\t'),
        ([...cells], indent) => {
          const json = cells.map(([s, asString, kind]) => ({ cell_type: kind, metadata: { note: '"source": ["x"]' }, ...(kind === 'code' ? { outputs: [{ text: '"source"' }] } : {}), source: asString ? s : s.split(/(?<=\n)/) }));
          const nb = parsed(JSON.stringify({ cells: json, metadata: {}, nbformat: 4, nbformat_minor: 5 }, null, indent));
          assert.deepStrictEqual(pick(sourceTokens(nb)), fromScan(nb));
          assert.equal(mapsCells(nb), true);
        },
      ),
      { numRuns: 300, seed: 7 },
    );
  });

  it('falls back to the structural scan when a "source" key nested in metadata comes first', () => {
    const text = '{"cells": [{"cell_type": "code", "metadata": {"source": "elsewhere"}, "outputs": [], "source": ["x = 1\\n", "y"]}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}';
    const nb = parsed(text);
    assert.equal(sourceTokens(nb), nb.spans);
    assert.deepStrictEqual(pick(sourceTokens(nb)), fromScan(nb));
    assert.equal(text.slice(nb.spans[0].tokens[0].start, nb.spans[0].tokens[0].end), 'x = 1\\n');
  });

  it('falls back when the file escapes differently from JSON.stringify (\\u00e9, \\/)', () => {
    const text = '{"cells": [{"cell_type": "code", "source": "caf\\u00e9 = \\"a\\/b\\""}], "metadata": {}, "nbformat": 4, "nbformat_minor": 5}';
    const nb = parsed(text);
    assert.equal(nb.cells[0].source, 'café = "a/b"');
    assert.equal(sourceTokens(nb), nb.spans);
    assert.deepStrictEqual(pick(sourceTokens(nb)), fromScan(nb));
    assert.equal(sourceTokens(nb)[0].tokens[0].start, text.indexOf('caf'));
  });

  it('maps no cells for a model built from editor cells (no text behind it)', () => {
    const nb = notebookFromCells([{ kind: 'code', source: 'x = 1', executionCount: null, outputs: [], metadata: {} }]);
    assert.deepStrictEqual(sourceTokens(nb), []);
    assert.equal(mapsCells(nb), false);
  });
});
