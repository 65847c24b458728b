import * as assert from 'node:assert/strict';
import { maskMagics, type Magic } from '../../src/core/parse/magics';

function range(line: number, character: number, endLine: number, endCharacter: number): Magic['range'] {
  return { start: { line, character }, end: { line: endLine, character: endCharacter } };
}

describe('maskMagics fast path and masking', () => {
  it('returns code with %, ! and ? only inside expressions, strings and comments unchanged', () => {
    for (const src of ['x = "%d" % n\nif a != b:\n    print("ok?")  # why?\ny = x ?\n', 'a = b %c\nd = e != f', 'q = "%s=%d" % (k, v)  # x = !y', 'x == !y']) {
      assert.deepStrictEqual(maskMagics(src), { masked: src, magics: [] }, src);
    }
  });

  it('masks line, assigned, help and continued shell magics with CRLF line ends', () => {
    const src = '\t%matplotlib inline\r\nx = %timeit f()\r\nobj??\r\n!!ls -la \\\r\n  /tmp\r\n';
    assert.deepStrictEqual(maskMagics(src), {
      masked: '\t                  \r\nx = None       \r\n     \r\n          \r\n      \r\n',
      magics: [
        { kind: 'line', name: 'matplotlib', command: 'matplotlib inline', range: range(0, 1, 0, 19) },
        { kind: 'line', name: 'timeit', command: 'timeit f()', range: range(1, 4, 1, 15) },
        { kind: 'help', name: 'obj', command: 'obj', range: range(2, 0, 2, 5) },
        { kind: 'shell', name: 'ls', command: 'ls -la /tmp', range: range(3, 0, 4, 6) },
      ],
    });
  });

  it('treats %% after the first code line as a line magic', () => {
    assert.deepStrictEqual(maskMagics('x = 1\n%%time\n'), {
      masked: 'x = 1\n      \n',
      magics: [{ kind: 'line', name: 'time', command: 'time', range: range(1, 0, 1, 6) }],
    });
  });

  it('blanks a whole %%writefile cell after comments, keeping CR and LF', () => {
    assert.deepStrictEqual(maskMagics('# setup\n%%writefile run.py\r\nimport os\r\nprint(1)\r\n'), {
      masked: '# setup\n                  \r\n         \r\n        \r\n',
      magics: [{ kind: 'cell', name: 'writefile', command: 'run.py\nimport os\r\nprint(1)', range: range(1, 0, 4, 0) }],
    });
  });

  it('finds a %%capture cell magic after a no-break space, masking its first line only', () => {
    assert.deepStrictEqual(maskMagics('\u00a0%%capture out\nfit()\n'), {
      masked: '              \nfit()\n',
      magics: [{ kind: 'cell', name: 'capture', command: 'out', range: range(0, 1, 0, 14) }],
    });
  });
});
