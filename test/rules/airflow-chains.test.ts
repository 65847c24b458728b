import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { dependencyChains } from '../../src/core/rules/lib/pipeline-python';

// Airflow dependency chains (`a >> b >> c`) are read in one pass over the lines.
// The pattern they were read with before took exponential time on some lines; a
// copy of it is kept here to check that both read the same edges wherever it
// finishes (short texts), and the new reading stays linear where it did not.

const OLD = /^[ \t]*([\w[\], ]+(?:\s*(?:>>|<<)\s*[\w[\], ()]+)+)\s*$/gm;

/** The edges airflowEdges draws from chains: brackets dropped, names split at commas. */
function edgesOf(chains: string[][]): string[] {
  const edges: string[] = [];
  for (const parts of chains) {
    for (let i = 0; i + 2 < parts.length; i += 2) {
      const names = (p: string) => p.replace(/[[\]()]/g, '').split(',').map((x) => x.trim()).filter(Boolean);
      for (const l of names(parts[i])) for (const r of names(parts[i + 2])) edges.push(parts[i + 1] === '>>' ? `${l}->${r}` : `${r}->${l}`);
    }
  }
  return edges;
}

function oldChains(text: string): string[][] {
  return [...text.matchAll(OLD)].map((m) => m[1].split(/\s*(>>|<<)\s*/));
}

describe('Airflow dependency chains', () => {
  const cases: Array<[string, string[][]]> = [
    ['train >> check >> deploy', [['train', '>>', 'check', '>>', 'deploy']]],
    ['[a, b] >> c << d', [['[a, b]', '>>', 'c', '<<', 'd']]],
    // black's style inside parentheses: the chain goes on over the lines.
    ['    (\n        extract\n        >> transform\n        >> load\n    )', [['extract', '>>', 'transform', '>>', 'load']]],
    ['a >>\n    b >> c', [['a', '>>', 'b', '>>', 'c']]],
    // A first operand with a call is not one (a shift in an expression); the rest of the chain is.
    ['    (\n        extract()\n        >> transform()\n        >> load()\n    )', [['', '>>', 'transform()', '>>', 'load()']]],
    ['a >> b\nc >> d', [['a', '>>', 'b'], ['c', '>>', 'd']]],
    // It ends at the last line it is complete on.
    ['a >> b\n>> c = 1', [['a', '>>', 'b']]],
    ['a >>\n# c\nb', []],
    ['x = 1 >> 2', []],
    ['print(a >> 1)', []],
    ['a >>> b', []],
  ];
  for (const [text, chains] of cases) {
    it(`reads ${JSON.stringify(text)}`, () => {
      assert.deepEqual(dependencyChains(text), chains);
      assert.deepEqual(edgesOf(dependencyChains(text)), edgesOf(oldChains(text)));
    });
  }

  it('ends a chain whose last operator waits for the next line at its last operand (the old pattern: only with a space after it)', () => {
    for (const text of ['a >> b >>', 'a >> b >> ', 'a >> b >>\nx = 1', 'a >> b >>\n    ']) assert.deepEqual(dependencyChains(text), [['a', '>>', 'b']], JSON.stringify(text));
    assert.deepEqual(edgesOf(oldChains('a >> b >> ')), ['a->b']);
    assert.deepEqual(edgesOf(oldChains('a >> b >>')), []);
  });

  it('draws the edges the old pattern drew on generated texts (property)', () => {
    const operand = fc.constantFrom('a', 'b', 'task_1', '[a, b]', 'f()', 'x = 1', 'print(a', '#c', 'c d');
    const op = fc.constantFrom(' >> ', ' << ', '>>', ' >>', '<< ');
    // A line: an operand and operators with operands, possibly (indented) starting with an operator or going on
    // on the next line after one (a chain that ends with an operator is read otherwise: see above).
    const line = fc.tuple(fc.boolean(), operand, fc.array(fc.tuple(op, operand), { maxLength: 3 }), fc.boolean()).map(([lead, first, rest, trail]) => {
      const body = first + rest.map(([o, x]) => o + x).join('');
      return (lead ? '    >> ' : '') + body + (trail ? ' >>\n    ' + first : '');
    });
    fc.assert(
      fc.property(fc.array(fc.oneof(line, fc.constantFrom('', '    ', ')', '(')), { maxLength: 6 }), (lines) => {
        const text = lines.join('\n');
        assert.deepEqual(edgesOf(dependencyChains(text)), edgesOf(oldChains(text)));
      }),
      { numRuns: 3000, seed: 11 },
    );
  });

  it('stays linear on spaced operators that fail at the end of a line (the old pattern took exponential time)', () => {
    const text = ' <<  <<  << '.repeat(20_000) + '!';
    const t = performance.now();
    assert.deepEqual(dependencyChains(text), []);
    assert.ok(performance.now() - t < 1000, `took ${performance.now() - t} ms`);
  });
});
