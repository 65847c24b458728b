import type { Position, Range } from './types';

/**
 * Line starts of a text, for offset <-> position conversion (0-based, UTF-16).
 *
 * The starts are found on demand, only as far into the text as a question needs:
 * most cells of a check never have a position asked, and a notebook's findings
 * usually sit in its first cells while its outputs make up most of the file.
 */
export class LineIndex {
  /** The line starts found so far, in order (the first is always 0). */
  private known: number[] | undefined;
  /** Where the search for the next line break goes on; -1 once the whole text is read. */
  private next = 0;

  constructor(readonly text: string) {}

  /**
   * The starts known after reading the text until one start is past `offset` and
   * there are at least `count` of them, or to its end.
   */
  private startsUntil(offset: number, count: number): number[] {
    const starts = (this.known ??= [0]);
    let i = this.next;
    if (i === -1) return starts;
    const text = this.text;
    while (starts[starts.length - 1] <= offset || starts.length < count) {
      const nl = text.indexOf('\n', i);
      if (nl === -1) {
        i = -1;
        break;
      }
      i = nl + 1;
      starts.push(i);
    }
    this.next = i;
    return starts;
  }

  get lineCount(): number {
    return this.startsUntil(-1, Infinity).length;
  }

  positionAt(offset: number): Position {
    const o = Math.max(0, Math.min(offset, this.text.length));
    // Every start up to `o` is known: the line of `o` is the last of them.
    const starts = this.startsUntil(o, 0);
    let lo = 0;
    let hi = starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (starts[mid] <= o) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, character: o - starts[lo] };
  }

  offsetAt(p: Position): number {
    const starts = this.startsUntil(-1, p.line + 2);
    if (p.line >= starts.length) return this.text.length;
    const start = starts[Math.max(0, p.line)];
    const end = p.line + 1 < starts.length ? starts[p.line + 1] : this.text.length;
    return Math.min(start + Math.max(0, p.character), end);
  }

  rangeOf(start: number, end: number): Range {
    return { start: this.positionAt(start), end: this.positionAt(end) };
  }

  lineText(line: number): string {
    const starts = this.startsUntil(-1, line + 2);
    const start = starts[line] ?? this.text.length;
    const next = line + 1 < starts.length ? starts[line + 1] : this.text.length;
    return this.text.slice(start, next).replace(/\r?\n$/, '');
  }
}

/** Shows the first and last characters of a secret only, so nothing prints it in full. */
export function maskSecret(value: string): string {
  if (value.length <= 8) return '*'.repeat(Math.max(4, value.length));
  const keep = Math.max(1, Math.min(4, Math.floor(value.length / 6)));
  return value.slice(0, keep) + '*'.repeat(Math.min(value.length - 2 * keep, 12)) + value.slice(-keep);
}

export function fillTemplate(template: string, data: Record<string, string> | undefined): string {
  return template.replace(/\{\{\s*(\w+)\s*\}\}/g, (_, k: string) => data?.[k] ?? `{{${k}}}`);
}

/** `[A-Za-z_]`, by char code: an ASCII identifier's first character. */
export function isAsciiNameStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95;
}

/** `[A-Za-z0-9_]`, by char code: an ASCII identifier's other characters. */
export function isAsciiNameChar(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || (c >= 48 && c <= 57);
}

/** A copy of a typed array at twice its length: token buffers that grow by doubling. */
export function doubled(a: Uint8Array): Uint8Array;
export function doubled(a: Int32Array): Int32Array;
export function doubled(a: Uint8Array | Int32Array): Uint8Array | Int32Array {
  const b = a instanceof Uint8Array ? new Uint8Array(a.length * 2) : new Int32Array(a.length * 2);
  b.set(a);
  return b;
}
