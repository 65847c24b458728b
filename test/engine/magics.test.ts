import * as assert from 'node:assert/strict';
import { maskMagics } from '../../src/core/parse/magics';

describe('maskMagics', () => {
  it('keeps length and lines, and records the magics', () => {
    const src = 'import os\n%pip install pandas scikit-learn==1.5\n!wget https://x/y.csv\nfiles = !ls data\n  %time x = 1\ndf?\nprint(1)';
    const r = maskMagics(src);
    assert.equal(r.masked.length, src.length);
    assert.equal(r.masked.split('\n').length, src.split('\n').length);
    assert.deepEqual(
      r.magics.map((m) => [m.kind, m.name, m.command, m.range.start.line, m.range.start.character]),
      [
        ['line', 'pip', 'pip install pandas scikit-learn==1.5', 1, 0],
        ['shell', 'wget', 'wget https://x/y.csv', 2, 0],
        ['shell', 'ls', 'ls data', 3, 8],
        ['line', 'time', 'time x = 1', 4, 2],
        ['help', 'df', 'df', 5, 0],
      ],
    );
    assert.ok(r.masked.includes('files = None'));
    assert.ok(r.masked.endsWith('print(1)'));
  });

  it('masks a whole non-Python cell magic but only the first line of %%time', () => {
    const bash = maskMagics('%%bash\npip install x\necho $((1+))');
    assert.equal(bash.masked.trim(), '');
    assert.equal(bash.magics[0].kind, 'cell');
    assert.equal(bash.magics[0].name, 'bash');
    assert.match(bash.magics[0].command, /pip install x/);
    const time = maskMagics('%%time\nmodel.fit(X, y)');
    assert.equal(time.masked, '      \nmodel.fit(X, y)');
  });

  it('joins backslash continuation lines', () => {
    const r = maskMagics('!pip install a \\\n    b==1');
    assert.equal(r.magics[0].command, 'pip install a b==1');
    assert.equal(r.magics[0].range.end.line, 1);
  });

  it('leaves plain Python alone', () => {
    const src = 'x = a % b\ny = not x\nprint("100%")';
    assert.deepEqual(maskMagics(src), { masked: src, magics: [] });
  });
});
