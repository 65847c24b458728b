import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { cellOffsetToFileOffset, mapsCells, notebookFromCells, parseNotebook, type NotebookModel } from '../../src/core/parse/notebook';

// The offsets of each cell in the .ipynb text are scanned on first use (a finding's
// file position, a fix); these hold what that scan gives on shapes that could
// mislead it, and that a model built from editor cells maps nothing.

function parsed(text: string): NotebookModel {
  const r = parseNotebook(text);
  assert.ok(r.ok, r.ok ? '' : r.error.message);
  return r.notebook;
}

/** The cell source decoded from the string tokens the scan found for it. */
function sourceAt(nb: NotebookModel, cell: number): string {
  return nb.spans[cell].tokens.map((t) => JSON.parse(`"${nb.text.slice(t.start, t.end)}"`) as string).join('');
}

describe('notebook cell offsets', () => {
  it('find each source past "source" keys nested in metadata and outputs, in any indent (property)', () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.stringMatching(/^[a-z =()\n]{1,20}$/), fc.boolean(), fc.constantFrom('code', 'markdown')), { minLength: 1, maxLength: 4 }),
        fc.constantFrom(undefined, 1, 2, '\t'),
        (cells, indent) => {
          const json = cells.map(([s, asString, kind]) => ({
            cell_type: kind,
            metadata: { source: s, note: '"source": ["x"]' },
            ...(kind === 'code' ? { outputs: [{ source: [s], text: '"source"' }] } : {}),
            source: asString ? s : s.split(/(?<=\n)/),
          }));
          // Where each piece of each source starts in the joined source (the pieces' JSON is not kept).
          const starts = json.map((c) => (typeof c.source === 'string' ? [0] : c.source.map((_, k, all) => all.slice(0, k).join('').length)));
          const nb = parsed(JSON.stringify({ cells: json, metadata: {}, nbformat: 4, nbformat_minor: 5 }, null, indent));
          assert.equal(mapsCells(nb), true);
          nb.cells.forEach((c, i) => {
            assert.equal(sourceAt(nb, i), c.source);
            assert.deepEqual(nb.spans[i].decodedStarts, starts[i]);
            // Every character maps to its own place in the file: a plain one to itself, `\n` to its escape.
            for (let d = 0; d < c.source.length; d++) {
              const at = cellOffsetToFileOffset(nb, i, d);
              assert.equal(c.source[d] === '\n' ? nb.text.slice(at, at + 2) : nb.text[at], c.source[d] === '\n' ? '\\n' : c.source[d]);
            }
            assert.equal(cellOffsetToFileOffset(nb, i, 0), c.source.length ? nb.spans[i].tokens[0].start : nb.spans[i].sourceStart);
            assert.equal(nb.spans[i].sourceStart > nb.text.indexOf('"metadata"', nb.spans[i].start), true);
          });
        },
      ),
      { numRuns: 200, seed: 7 },
    );
  });

  it('skip outputs and metadata whose strings hold brackets, braces, quotes and backslashes (property)', () => {
    const tricky = fc.stringMatching(/^[[\]{}"\\,:a ]{0,12}$/);
    // Nested values as outputs hold them: objects, arrays, numbers and such strings.
    const value = fc.letrec((tie) => ({
      v: fc.oneof({ depthSize: 'small' }, tricky, fc.integer(), fc.constant(null), fc.array(tie('v'), { maxLength: 3 }), fc.dictionary(tricky, tie('v'), { maxKeys: 3 })),
    })).v;
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.stringMatching(/^[a-z =()\n]{1,12}$/), value, value), { minLength: 1, maxLength: 4 }), fc.constantFrom(undefined, 1), (cells, indent) => {
        const json = cells.map(([s, meta, out]) => ({ cell_type: 'code', metadata: { m: meta }, outputs: [{ data: out, text: [JSON.stringify(out)] }], source: s.split(/(?<=\n)/) }));
        const nb = parsed(JSON.stringify({ cells: json, metadata: { x: cells.map((c) => c[1]) }, nbformat: 4, nbformat_minor: 5 }, null, indent));
        assert.equal(mapsCells(nb), true);
        nb.cells.forEach((c, i) => assert.equal(sourceAt(nb, i), c.source));
      }),
      { numRuns: 300, seed: 11 },
    );
  });

  it('maps no cells for a model built from editor cells (no text behind it)', () => {
    const nb = notebookFromCells([{ kind: 'code', source: 'x = 1', executionCount: null, outputs: [], metadata: {} }]);
    assert.deepStrictEqual(nb.spans, []);
    assert.equal(mapsCells(nb), false);
  });

  it('still tells a binary file from JSON (the NUL check runs when JSON.parse fails)', () => {
    const r = parseNotebook('{"cells": []}\u0000\u0001');
    assert.equal(r.ok, false);
    assert.match(r.ok ? '' : r.error.message, /binary/);
    assert.equal(parseNotebook('{"cells": [], "metadata": {"x": "\\u0000"}, "nbformat": 4, "nbformat_minor": 5}').ok, true);
  });
});
