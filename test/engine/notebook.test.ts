import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { cellOffsetToFileOffset, cellPositionToFile, parseNotebook } from '../../src/core/parse/notebook';
import { notebook } from '../helpers/rule-tester';

describe('parseNotebook', () => {
  it('reads cells, kinds, counts, outputs and tags', () => {
    const text = notebook([{ markdown: '# Title' }, 'import pandas as pd\ndf = pd.read_csv("x.csv")', { code: 'x = 1', executionCount: null, tags: ['parameters'] }]);
    const r = parseNotebook(text);
    assert.ok(r.ok);
    const nb = r.notebook;
    assert.deepEqual(
      nb.cells.map((c) => [c.index, c.kind, c.executionCount, c.tags]),
      [
        [0, 'markdown', null, []],
        [1, 'code', 1, []],
        [2, 'code', null, ['parameters']],
      ],
    );
    assert.equal(nb.cells[1].source, 'import pandas as pd\ndf = pd.read_csv("x.csv")');
    assert.equal(nb.language, 'python');
  });

  it('maps a cell position to the exact .ipynb line and column', () => {
    const text = notebook(['import os', 'a = 1\ndf = pd.read_csv("data/train.csv")']);
    const r = parseNotebook(text);
    assert.ok(r.ok);
    const p = cellPositionToFile(r.notebook, 1, { line: 1, character: 5 });
    const fileLine = text.split('\n')[p.line];
    assert.equal(fileLine.slice(p.character, p.character + 11), 'pd.read_csv');
  });

  it('maps positions through JSON escapes (quotes, backslashes, unicode, tabs)', () => {
    const src = 'x = "a\\"b"\t# é ☃ 😀\ny = \'\\\\n\'';
    const text = JSON.stringify({ nbformat: 4, nbformat_minor: 5, metadata: {}, cells: [{ cell_type: 'code', execution_count: 1, metadata: {}, outputs: [], source: src }] });
    const r = parseNotebook(text);
    assert.ok(r.ok);
    const nb = r.notebook;
    const yAt = src.indexOf('y');
    const off = cellOffsetToFileOffset(nb, 0, yAt);
    // Decoding the JSON string from the token start up to `off` must give exactly src[0..yAt].
    const tokStart = nb.spans[0].tokens[0].start;
    assert.equal(JSON.parse('"' + text.slice(tokStart, off) + '"'), src.slice(0, yAt));
  });

  it('maps every offset of random sources correctly (property)', () => {
    fc.assert(
      fc.property(fc.array(fc.string({ unit: 'grapheme', maxLength: 40 }), { minLength: 1, maxLength: 5 }), fc.boolean(), (sources, asString) => {
        const cells = sources.map((s) => ({ cell_type: 'code', execution_count: null, metadata: {}, outputs: [], source: asString ? s : s.split(/(?<=\n)/) }));
        const text = JSON.stringify({ cells, metadata: {}, nbformat: 4, nbformat_minor: 5 }, null, 1);
        const r = parseNotebook(text);
        assert.ok(r.ok);
        r.notebook.cells.forEach((cell, ci) => {
          const span = r.notebook.spans[ci];
          for (let d = 0; d <= cell.source.length; d++) {
            const off = cellOffsetToFileOffset(r.notebook, ci, d);
            // The raw JSON between the token holding `d` and `off` decodes to the right suffix.
            let t = span.decodedStarts.length - 1;
            while (t > 0 && span.decodedStarts[t] > d) t--;
            if (!span.tokens[t]) continue;
            const decoded = JSON.parse('"' + text.slice(span.tokens[t].start, off) + '"') as string;
            assert.equal(span.decodedStarts[t] + decoded.length, d);
          }
        });
      }),
      { numRuns: 200 },
    );
  });

  const bad: Array<[string, string, RegExp]> = [
    ['truncated JSON', '{"cells": [{"cell_type": "code", "source": ["x', /not valid JSON/],
    ['binary', '\u0000\u0001\u0002PNG', /binary/],
    ['not an object', '[1, 2]', /not a JSON object/],
    ['nbformat 3', '{"nbformat": 3, "worksheets": []}', /nbformat 3 is not supported/],
    ['no cells', '{"nbformat": 4, "metadata": {}}', /no "cells" array/],
    ['bad cell type', '{"nbformat": 4, "cells": [{"cell_type": "weird", "source": ""}]}', /unknown cell_type/],
    ['bad source', '{"nbformat": 4, "cells": [{"cell_type": "code", "source": 3}]}', /no valid "source"/],
    ['empty file', '', /not valid JSON/],
  ];
  for (const [name, text, msg] of bad) {
    it(`reports, without throwing: ${name}`, () => {
      const r = parseNotebook(text);
      assert.equal(r.ok, false);
      if (!r.ok) assert.match(r.error.message, msg);
    });
  }

  it('gives the JSON position of a syntax error', () => {
    const text = '{\n "cells": [\n  {"cell_type": "code",, "source": []}\n ]\n}';
    const r = parseNotebook(text);
    assert.equal(r.ok, false);
    if (!r.ok) assert.equal(r.error.offset, text.indexOf(',,') + 1);
  });
});
