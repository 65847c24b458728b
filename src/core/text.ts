import type { Position, Range } from './types';

/** Line starts of a text, for offset <-> position conversion (0-based, UTF-16). */
export class LineIndex {
  private lineStarts: number[] | undefined;

  constructor(readonly text: string) {}

  /** Found on first use: most cells of a check never have a position asked. */
  private get starts(): number[] {
    if (this.lineStarts) return this.lineStarts;
    const text = this.text;
    const starts = [0];
    let i = text.indexOf('\n');
    while (i !== -1) {
      starts.push(i + 1);
      i = text.indexOf('\n', i + 1);
    }
    this.lineStarts = starts;
    return starts;
  }

  get lineCount(): number {
    return this.starts.length;
  }

  positionAt(offset: number): Position {
    const o = Math.max(0, Math.min(offset, this.text.length));
    let lo = 0;
    let hi = this.starts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (this.starts[mid] <= o) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo, character: o - this.starts[lo] };
  }

  offsetAt(p: Position): number {
    if (p.line >= this.starts.length) return this.text.length;
    const start = this.starts[Math.max(0, p.line)];
    const end = p.line + 1 < this.starts.length ? this.starts[p.line + 1] : this.text.length;
    return Math.min(start + Math.max(0, p.character), end);
  }

  rangeOf(start: number, end: number): Range {
    return { start: this.positionAt(start), end: this.positionAt(end) };
  }

  lineText(line: number): string {
    const start = this.starts[line] ?? this.text.length;
    const next = line + 1 < this.starts.length ? this.starts[line + 1] : this.text.length;
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
