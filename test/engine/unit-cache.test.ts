import * as assert from 'node:assert/strict';
import { UnitCache } from '../../src/core/parse/program';
import { initPython } from '../../src/core/parse/python';

describe('UnitCache', () => {
  before(() => initPython());

  it('parses a text once and returns the same facts object while it is cached', () => {
    const cache = new UnitCache(10);
    const a = cache.get('x = f(1)\n');
    assert.equal(cache.get('x = f(1)\n'), a);
    assert.equal(cache.parses, 1);
    assert.deepEqual(a.facts.calls.map((c) => c.callee), ['f']);
  });

  it('evicts the least recently used entry; a hit on an old entry keeps it', () => {
    const cache = new UnitCache(4);
    for (const t of ['a = 1', 'b = 2', 'c = 3', 'd = 4']) cache.get(t);
    // `a = 1` is in the older half: the hit moves it to the recent end.
    const a = cache.get('a = 1');
    cache.get('e = 5'); // evicts `b = 2`, the oldest now
    assert.equal(cache.parses, 5);
    assert.equal(cache.get('a = 1'), a);
    assert.equal(cache.parses, 5);
    cache.get('b = 2');
    assert.equal(cache.parses, 6, '`b = 2` was evicted and is parsed again');
  });

  it('does not reorder recent entries on every hit (a re-lint hits every cell)', () => {
    const cache = new UnitCache(4);
    for (const t of ['a = 1', 'b = 2', 'c = 3']) cache.get(t);
    cache.get('c = 3'); // recent: no move
    cache.get('d = 4');
    cache.get('e = 5'); // evicts `a = 1`
    cache.get('c = 3');
    assert.equal(cache.parses, 5);
    cache.get('a = 1');
    assert.equal(cache.parses, 6);
  });
});
