import { strict as assert } from 'node:assert';
import { absoluteStart } from '../../src/core/rules/data/absolute-data-path';
import { rng } from '../helpers/rng';

describe('absolute-data-path: absoluteStart', () => {
  it('reads as the pattern it replaces on generated strings', () => {
    const reference = /^(\/|~|[A-Za-z]:[\\/]|\\\\)/;
    const alphabet = ['/', '\\', '~', ':', 'C', 'c', 'z', 'Z', '@', '[', '`', '{', '_', '.', ' ', 'é', '0', 'a', '\u00c3'];
    const next = rng(3);
    const cases = ['', '/', '~', 'C:', 'C:\\', 'c:/x', '\\\\server', '\\x', 'ab', '1:/'];
    for (let i = 0; i < 20_000; i++) {
      let s = '';
      const n = Math.floor(next() * 4);
      for (let k = 0; k < n; k++) s += alphabet[Math.floor(next() * alphabet.length)];
      cases.push(s);
    }
    for (const s of cases) assert.equal(absoluteStart(s), reference.test(s), JSON.stringify(s));
  });
});
