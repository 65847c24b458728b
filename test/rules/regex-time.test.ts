import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { flowSpecClass } from '../../src/core/rules/lib/pipeline-python';
import { urlCredentials } from '../../src/core/rules/lib/secrets';
import { DIRECT_REFERENCE } from '../../src/core/rules/reproducibility/unpinned-install';
import { onlyImportsLine } from '../../src/core/rules/reproducibility/unseeded-randomness';
import { interpolate } from '../../src/core/workspace/workspace-index';

// Patterns that took polynomial time of a high degree on some inputs (found with
// the `recheck` ReDoS checker) and their linear replacements: each agrees with a
// copy of the old pattern on generated strings, and stays fast where the old one
// did not (2,000 characters of tabs took the old ones 1.4 s and 2.7 s).

function within(ms: number, run: () => void): void {
  const t = performance.now();
  run();
  const took = performance.now() - t;
  assert.ok(took < ms, `took ${took.toFixed(0)} ms`);
}

describe('linear-time patterns', () => {
  it('dvc.yaml ${...} interpolation reads the keys the old pattern read (property), fast on long runs of spaces', () => {
    const OLD = /\$\{\s*([^}]+?)\s*\}/g;
    const vars = { a: 'A', ' ': 'SPACE', '\t': 'TAB', b: { c: 'BC' }, l: ['L0'] };
    const old = (s: string): string | undefined => {
      let ok = true;
      const out = s.replace(OLD, (_, key: string) => {
        const path = key.replace(/\[(\d+)\]/g, '.$1').split('.');
        let cur: unknown = vars;
        for (const k of path) cur = cur === undefined || cur === null ? undefined : (cur as Record<string, unknown>)[k];
        if (typeof cur === 'string') return cur;
        ok = false;
        return '';
      });
      return ok ? out : undefined;
    };
    const piece = fc.constantFrom('${', '}', ' ', '\t', 'a', 'b.c', 'l[0]', 'x', '\n', '$', '{');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 10 }).map((p) => p.join('')), (s) => assert.equal(interpolate(s, vars), old(s))),
      { numRuns: 20000, seed: 3 },
    );
    within(500, () => assert.equal(interpolate('${' + '\t'.repeat(20_000), vars), '${' + '\t'.repeat(20_000)));
    within(500, () => assert.equal(interpolate('${ ' + ' \t'.repeat(20_000) + 'a }', vars), 'A'));
    within(500, () => assert.equal(interpolate('${\u0000'.repeat(20_000), vars), '${\u0000'.repeat(20_000)));
  });

  it('the Metaflow flow class is the one the old pattern found (property), fast on many unclosed class lines', () => {
    const OLD = /^class\s+(\w+)\s*\([^)]*FlowSpec[^)]*\)\s*:/m;
    const piece = fc.constantFrom('class ', 'class\t', 'Flow', 'A', '(', ')', 'FlowSpec', ':', ' ', '\n', 'x', ',', '#');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 12 }).map((p) => p.join('')), (text) => {
        const m = OLD.exec(text);
        const got = flowSpecClass(text);
        assert.deepEqual(got && { index: got.index, name: got.name }, m ? { index: m.index, name: m[1] } : undefined);
      }),
      { numRuns: 20000, seed: 9 },
    );
    assert.deepEqual(flowSpecClass('from metaflow import FlowSpec\n\nclass Train(FlowSpec):\n    pass\n'), { index: 31, name: 'Train', nameStart: 37 });
    // The name's own place, also when it is a piece of the word `class` (the old span searched the match for it).
    assert.deepEqual(flowSpecClass('class ss(FlowSpec):\n'), { index: 0, name: 'ss', nameStart: 6 });
    within(500, () => assert.equal(flowSpecClass('class A(FlowSpec\n'.repeat(5_000) + 'x'), undefined));
  });

  it('a requirement\'s direct reference (`name [extras] @ url`) is the old pattern\'s (property), fast on long runs of spaces', () => {
    const OLD = /^([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*@\s*(\S+)/;
    const piece = fc.constantFrom('pkg', 'a.b', '-', ' ', '\t', '[x]', '[', ']', '@', 'git+https://h/r', '\n', '#');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 10 }).map((p) => p.join('')), (s) => assert.deepEqual(DIRECT_REFERENCE.exec(s)?.slice(0, 4), OLD.exec(s)?.slice(0, 4))),
      { numRuns: 20000, seed: 17 },
    );
    within(500, () => assert.equal(DIRECT_REFERENCE.exec('0' + '\t'.repeat(50_000)), null));
  });

  it('the import lines of a first cell (where the seed cell goes) are the old pattern\'s (property), fast on long lines', () => {
    const OLD = /^\s*(import\s|from\s+\S+\s+import\s|[%!]|\)|[\w\s,]+,?\s*$)/;
    const piece = fc.constantFrom('import', 'from', ' ', '\t', 'x', 'os', ',', '(', ')', '%', '!', '.', '#', '\u00a0', '\r', 'a_1');
    fc.assert(
      fc.property(fc.array(piece, { maxLength: 10 }).map((p) => p.join('')), (l) => assert.equal(onlyImportsLine(l), OLD.test(l))),
      { numRuns: 20000, seed: 5 },
    );
    within(500, () => assert.equal(onlyImportsLine('\t'.repeat(20_000) + '.'), false));
    within(500, () => assert.equal(onlyImportsLine('x' + ' \t,'.repeat(20_000) + '.'), false));
  });
});

describe('URL credentials in linear time', () => {
  // The three patterns they replace, and the stops `urlCredentials` gets for each.
  const space = (c: number) => /\s/.test(String.fromCharCode(c));
  const cases: Array<[RegExp, (c: number) => boolean, (c: number) => boolean]> = [
    [/:\/\/[^\s/@"']*:[^\s@"']*@/, (c) => space(c) || '/@"\''.includes(String.fromCharCode(c)), (c) => space(c) || '@"\''.includes(String.fromCharCode(c))],
    [/:\/\/[^/\s@]*:[^/\s@]*@/, (c) => space(c) || '/@'.includes(String.fromCharCode(c)), (c) => space(c) || '/@'.includes(String.fromCharCode(c))],
    [/:\/\/[^:/\s@]*:([^@\s]*)@/, (c) => space(c) || ':/@'.includes(String.fromCharCode(c)), (c) => space(c) || c === 64],
  ];
  const piece = fc.constantFrom('://', ':', '/', '@', ' ', '"', "'", 'a', 'pw', '\n', '\u00a0', '\u2028', '\t', 'x@');

  it('finds what the old patterns found, where they found it (property)', () => {
    for (const [old, user, password] of cases) {
      fc.assert(
        fc.property(fc.array(piece, { maxLength: 14 }).map((p) => p.join('')), (text) => {
          const m = old.exec(text);
          const got = urlCredentials(text, user, password);
          // Where the match starts and where its `@` is; the password where the pattern captures it.
          const seen = got && { index: got.index, at: got.end, password: m?.[1] === undefined ? undefined : text.slice(got.password, got.end) };
          assert.deepEqual(seen, m ? { index: m.index, at: m.index + m[0].length - 1, password: m[1] } : undefined, `${old} on ${JSON.stringify(text)}`);
        }),
        { numRuns: 20000, seed: 13 },
      );
    }
  });

  it('stays linear on long runs of `:` and `://:` (the old patterns took seconds on 30,000 characters)', () => {
    for (const [, user, password] of cases) {
      within(500, () => assert.equal(urlCredentials('://' + ':'.repeat(100_000), user, password), undefined));
      within(500, () => assert.equal(urlCredentials('://:'.repeat(25_000), user, password), undefined));
    }
  });
});
