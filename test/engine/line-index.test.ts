import { strict as assert } from 'node:assert';
import fc from 'fast-check';
import { LineIndex } from '../../src/core/text';
import type { Position } from '../../src/core/types';

// The line index finds line starts on demand. These tests hold it to the eager
// reading it replaced: every line start of the text found at once.
function eagerStarts(text: string): number[] {
  const starts = [0];
  for (let i = text.indexOf('\n'); i !== -1; i = text.indexOf('\n', i + 1)) starts.push(i + 1);
  return starts;
}
function eagerPositionAt(text: string, offset: number): Position {
  const starts = eagerStarts(text);
  const o = Math.max(0, Math.min(offset, text.length));
  let line = 0;
  while (line + 1 < starts.length && starts[line + 1] <= o) line++;
  return { line, character: o - starts[line] };
}
function eagerOffsetAt(text: string, p: Position): number {
  const starts = eagerStarts(text);
  if (p.line >= starts.length) return text.length;
  const start = starts[Math.max(0, p.line)];
  const end = p.line + 1 < starts.length ? starts[p.line + 1] : text.length;
  return Math.min(start + Math.max(0, p.character), end);
}
function eagerLineText(text: string, line: number): string {
  const starts = eagerStarts(text);
  const start = starts[line] ?? text.length;
  const next = line + 1 < starts.length ? starts[line + 1] : text.length;
  return text.slice(start, next).replace(/\r?\n$/, '');
}

type Question = { q: 'pos'; offset: number } | { q: 'off'; line: number; character: number } | { q: 'text'; line: number } | { q: 'count' };

function ask(li: LineIndex, text: string, q: Question): [unknown, unknown] {
  switch (q.q) {
    case 'pos':
      return [li.positionAt(q.offset), eagerPositionAt(text, q.offset)];
    case 'off':
      return [li.offsetAt({ line: q.line, character: q.character }), eagerOffsetAt(text, { line: q.line, character: q.character })];
    case 'text':
      return [li.lineText(q.line), eagerLineText(text, q.line)];
    case 'count':
      return [li.lineCount, eagerStarts(text).length];
  }
}

describe('LineIndex (line starts found on demand)', () => {
  const text = 'a = 1\nbb = 2\r\n\nccc\n';
  const cases: Array<[string, Question, unknown]> = [
    ['position of the first character', { q: 'pos', offset: 0 }, { line: 0, character: 0 }],
    ['position at a line break', { q: 'pos', offset: 5 }, { line: 0, character: 5 }],
    ['position just after a line break', { q: 'pos', offset: 6 }, { line: 1, character: 0 }],
    ['position inside a CRLF line', { q: 'pos', offset: 12 }, { line: 1, character: 6 }],
    ['position of the empty line', { q: 'pos', offset: 14 }, { line: 2, character: 0 }],
    ['position at the end (after the last break)', { q: 'pos', offset: 19 }, { line: 4, character: 0 }],
    ['position past the end is clamped', { q: 'pos', offset: 500 }, { line: 4, character: 0 }],
    ['negative position is clamped', { q: 'pos', offset: -3 }, { line: 0, character: 0 }],
    ['offset of a line start', { q: 'off', line: 3, character: 0 }, 15],
    ['offset past a line end stops at the next line', { q: 'off', line: 0, character: 99 }, 6],
    ['offset of a line past the last', { q: 'off', line: 9, character: 0 }, 19],
    ['text of a CRLF line', { q: 'text', line: 1 }, 'bb = 2'],
    ['text of the last (empty) line', { q: 'text', line: 4 }, ''],
    ['text of a line past the last', { q: 'text', line: 7 }, ''],
    ['line count', { q: 'count' }, 5],
  ];
  for (const [name, q, expected] of cases) {
    it(name + ', asked first', () => {
      assert.deepEqual(ask(new LineIndex(text), text, q)[0], expected);
    });
    it(name + ', asked after the whole text was read', () => {
      const li = new LineIndex(text);
      assert.equal(li.lineCount, 5);
      assert.deepEqual(ask(li, text, q)[0], expected);
    });
  }

  it('a text without line breaks is one line', () => {
    const li = new LineIndex('abc');
    assert.deepEqual(li.positionAt(2), { line: 0, character: 2 });
    assert.equal(li.lineCount, 1);
    assert.equal(li.offsetAt({ line: 1, character: 0 }), 3);
  });

  it('answers every sequence of questions as the eager reading does', () => {
    const textArb = fc.array(fc.constantFrom('a', 'b', ' ', '\n', '\r\n', 'é', '\n\n'), { maxLength: 40 }).map((p) => p.join(''));
    const question: fc.Arbitrary<Question> = fc.oneof(
      fc.record({ q: fc.constant('pos' as const), offset: fc.integer({ min: -2, max: 70 }) }),
      fc.record({ q: fc.constant('off' as const), line: fc.integer({ min: -1, max: 30 }), character: fc.integer({ min: -1, max: 10 }) }),
      fc.record({ q: fc.constant('text' as const), line: fc.integer({ min: 0, max: 30 }) }),
      fc.constant({ q: 'count' as const }),
    );
    fc.assert(
      fc.property(textArb, fc.array(question, { maxLength: 12 }), (t, questions) => {
        const li = new LineIndex(t);
        for (const q of questions) {
          const [got, want] = ask(li, t, q);
          assert.deepEqual(got, want, JSON.stringify({ t, q }));
        }
      }),
      { numRuns: 3000 },
    );
  });
});
