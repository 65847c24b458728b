import { LineIndex } from '../text';
import type { Position, Range } from '../types';

export type CellKind = 'code' | 'markdown' | 'raw';

export interface NotebookOutput {
  output_type?: string;
  ename?: string;
  evalue?: string;
  traceback?: string[];
  text?: string | string[];
  data?: Record<string, unknown>;
  [k: string]: unknown;
}

export interface NotebookCell {
  index: number;
  kind: CellKind;
  source: string;
  executionCount: number | null;
  outputs: NotebookOutput[];
  metadata: Record<string, unknown>;
  tags: string[];
}

/** Where a cell and its source sit in the .ipynb text (offsets into the file). */
export interface CellSpan {
  /** The cell object, `{` to `}` inclusive-exclusive. */
  start: number;
  end: number;
  /** The `source` value (a string or an array of strings). */
  sourceStart: number;
  sourceEnd: number;
  /** The string tokens of the source, contents only (quotes excluded). */
  tokens: Array<{ start: number; end: number }>;
  /** Decoded offset in the cell source at which each token starts. */
  decodedStarts: number[];
}

export interface NotebookModel {
  text: string;
  nbformat: number;
  nbformatMinor: number;
  language: string;
  metadata: Record<string, unknown>;
  cells: NotebookCell[];
  spans: CellSpan[];
  /** Offsets of the `cells` array brackets, for inserting cells. */
  cellsArray: { start: number; end: number };
}

export interface NotebookParseError {
  message: string;
  /** File offset where the problem is. */
  offset: number;
}

export type NotebookParseResult = { ok: true; notebook: NotebookModel } | { ok: false; error: NotebookParseError };

function fail(message: string, offset = 0): NotebookParseResult {
  return { ok: false, error: { message, offset } };
}

function jsonErrorOffset(e: unknown, text: string): number {
  const m = /position (\d+)/.exec(String(e));
  if (m) return Number(m[1]);
  if (/end of JSON input/i.test(String(e))) return text.length;
  return 0;
}

function joinSource(src: unknown): string | undefined {
  if (typeof src === 'string') return src;
  if (Array.isArray(src) && src.every((s) => typeof s === 'string')) return (src as string[]).join('');
  return undefined;
}

function isObject(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Parses nbformat 4 JSON; never throws. */
export function parseNotebook(text: string): NotebookParseResult {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    // A NUL byte is never valid JSON, so a binary file always lands here.
    if (text.includes('\u0000')) return fail('The file is binary, not notebook JSON.');
    return fail(`The notebook is not valid JSON: ${String((e as Error).message)}`, jsonErrorOffset(e, text));
  }
  if (!isObject(json)) return fail('The notebook is not a JSON object.');
  const nbformat = typeof json.nbformat === 'number' ? json.nbformat : 0;
  if (nbformat !== 4) {
    return fail(nbformat ? `nbformat ${nbformat} is not supported; convert the notebook to nbformat 4.` : 'The notebook has no "nbformat": 4 field.');
  }
  if (!Array.isArray(json.cells)) return fail('The notebook has no "cells" array.');
  const metadata = isObject(json.metadata) ? json.metadata : {};
  const cells: NotebookCell[] = [];
  // Where each cell's source pieces start in the joined source (for file positions):
  // kept as numbers so that the parsed JSON of the sources can go as soon as it is joined.
  const pieceStarts: number[] = [];
  const firstPiece: number[] = [];
  for (let i = 0; i < json.cells.length; i++) {
    const c: unknown = json.cells[i];
    if (!isObject(c)) return fail(`Cell ${i} is not a JSON object.`);
    const kind = c.cell_type;
    if (kind !== 'code' && kind !== 'markdown' && kind !== 'raw') return fail(`Cell ${i} has an unknown cell_type ${JSON.stringify(kind)}.`);
    const source = joinSource(c.source);
    if (source === undefined) return fail(`Cell ${i} has no valid "source" (a string or a list of strings).`);
    firstPiece.push(pieceStarts.length);
    if (typeof c.source === 'string') pieceStarts.push(0);
    else {
      let d = 0;
      for (const piece of c.source as string[]) {
        pieceStarts.push(d);
        d += piece.length;
      }
    }
    const cellMeta = isObject(c.metadata) ? c.metadata : {};
    const tags = Array.isArray(cellMeta.tags) ? cellMeta.tags.filter((t): t is string => typeof t === 'string') : [];
    cells.push({
      index: i,
      kind,
      source,
      executionCount: typeof c.execution_count === 'number' ? c.execution_count : null,
      outputs: Array.isArray(c.outputs) ? (c.outputs.filter(isObject) as NotebookOutput[]) : [],
      metadata: cellMeta,
      tags,
    });
  }
  const langInfo = isObject(metadata.language_info) ? metadata.language_info : {};
  const kernel = isObject(metadata.kernelspec) ? metadata.kernelspec : {};
  const language = String(langInfo.name ?? kernel.language ?? 'python').toLowerCase();
  firstPiece.push(pieceStarts.length);
  // Where each cell sits in the text is only needed to give a finding its file
  // position or to apply a fix, so it is found on first use (a notebook without
  // findings is never scanned). JSON.parse has checked the text, so the structural
  // scan only fails on a writer this scanner does not know; then findings keep
  // cell positions.
  let scanned: { spans: CellSpan[]; cellsArray: { start: number; end: number } } | undefined;
  const structure = (): { spans: CellSpan[]; cellsArray: { start: number; end: number } } =>
    (scanned ??= scanCellSpans(text, pieceStarts, firstPiece) ?? { spans: [], cellsArray: { start: -1, end: -1 } });
  const notebook: NotebookModel = {
    text,
    nbformat,
    nbformatMinor: typeof json.nbformat_minor === 'number' ? json.nbformat_minor : 0,
    language,
    metadata,
    cells,
    get spans() {
      return structure().spans;
    },
    get cellsArray() {
      return structure().cellsArray;
    },
  };
  return { ok: true, notebook };
}

/**
 * A notebook model from an editor's cells (no JSON text behind it): `spans` is
 * empty, so findings keep cell-relative ranges only.
 */
const NO_TAGS = Object.freeze([]) as unknown as string[];

function tagsOf(metadata: Record<string, unknown>): string[] {
  const tags = metadata.tags;
  return Array.isArray(tags) && tags.length ? tags.filter((t): t is string => typeof t === 'string') : NO_TAGS;
}

export function notebookFromCells(
  cells: ReadonlyArray<Omit<NotebookCell, 'index' | 'tags'> & { tags?: string[] }>,
  metadata: Record<string, unknown> = {},
  language = 'python',
): NotebookModel {
  return {
    text: '',
    nbformat: 4,
    nbformatMinor: 5,
    language,
    metadata,
    // Field by field, not a spread: the editor builds this model on every keystroke.
    cells: cells.map((c, index) => ({
      index,
      kind: c.kind,
      source: c.source,
      executionCount: c.executionCount,
      outputs: c.outputs,
      metadata: c.metadata,
      tags: c.tags ?? tagsOf(c.metadata),
    })),
    spans: [],
    cellsArray: { start: -1, end: -1 },
  };
}

// ---------------------------------------------------------------------------
// A minimal structural JSON scanner: finds the cells array, each cell object and
// its `source` string tokens. Values elsewhere (outputs with megabytes of base64)
// are skipped by jumping between structural characters, so this costs little next
// to JSON.parse.

class Scanner {
  i = 0;
  constructor(readonly t: string) {}

  ws(): void {
    const t = this.t;
    let c = t.charCodeAt(this.i);
    while (c === 32 || c === 10 || c === 13 || c === 9) c = t.charCodeAt(++this.i);
  }

  /** At a `"`: moves past the closing quote; returns where the contents start (they end at `this.i - 1`). */
  string(): number {
    const t = this.t;
    const start = this.i + 1;
    let j = start;
    for (;;) {
      const k = t.indexOf('"', j);
      if (k < 0) throw new Error('unterminated string');
      let b = 0;
      while (t.charCodeAt(k - 1 - b) === 92) b++;
      if (b % 2 === 0) {
        this.i = k + 1;
        return start;
      }
      j = k + 1;
    }
  }

  skipValue(): void {
    this.ws();
    const t = this.t;
    const c = t.charCodeAt(this.i);
    if (c === 34 /* " */) {
      this.string();
      return;
    }
    if (c === 123 /* { */ || c === 91 /* [ */) {
      // Between strings, a container holds only short runs of punctuation, numbers
      // and blanks: read those character by character, and jump over each string
      // (outputs are mostly long strings: base64 images, text lines) to its
      // closing quote.
      let depth = 0;
      let i = this.i;
      const n = t.length;
      for (;;) {
        if (i >= n) throw new Error('unterminated container');
        const ch = t.charCodeAt(i);
        if (ch === 34) {
          this.i = i;
          this.string();
          i = this.i;
          continue;
        }
        if (ch === 123 || ch === 91) depth++;
        else if ((ch === 125 || ch === 93) && --depth === 0) {
          this.i = i + 1;
          return;
        }
        i++;
      }
    }
    // A number, true, false or null: up to the next delimiter.
    while (this.i < t.length) {
      const ch = t.charCodeAt(this.i);
      if (ch === 44 || ch === 125 || ch === 93 || ch === 32 || ch === 10 || ch === 13 || ch === 9) return;
      this.i++;
    }
  }

  expect(ch: string): void {
    this.ws();
    if (this.t[this.i] !== ch) throw new Error(`expected ${ch}`);
    this.i++;
  }

  /** Iterates an object's members, calling `member(key)` with the scanner at the value. */
  object(member: (key: string) => void): void {
    this.expect('{');
    this.ws();
    if (this.t[this.i] === '}') {
      this.i++;
      return;
    }
    for (;;) {
      this.ws();
      const k = this.string();
      const raw = this.t.slice(k, this.i - 1);
      const key = raw.includes('\\') ? (JSON.parse(`"${raw}"`) as string) : raw;
      this.expect(':');
      this.ws();
      member(key);
      this.ws();
      const ch = this.t[this.i++];
      if (ch === '}') return;
      if (ch !== ',') throw new Error('expected , or }');
    }
  }

  array(element: (index: number) => void): void {
    this.expect('[');
    this.ws();
    if (this.t[this.i] === ']') {
      this.i++;
      return;
    }
    for (let n = 0; ; n++) {
      this.ws();
      element(n);
      this.ws();
      const ch = this.t[this.i++];
      if (ch === ']') return;
      if (ch !== ',') throw new Error('expected , or ]');
    }
  }
}

/**
 * A cell's place in the text. The string tokens of its source are read on first
 * use (a finding's file position, a fix), from the source value alone: most cells
 * of a notebook never need them.
 */
class ScannedCellSpan implements CellSpan {
  start: number;
  end = -1;
  sourceStart = -1;
  sourceEnd = -1;
  private read: { tokens: Array<{ start: number; end: number }>; decodedStarts: number[] } | undefined;

  constructor(
    private readonly text: string,
    /** The decoded starts of every cell's pieces, this cell's from `from` to `to`. */
    private readonly pieceStarts: readonly number[],
    private readonly from: number,
    private readonly to: number,
    start: number,
  ) {
    this.start = start;
  }

  get tokens(): Array<{ start: number; end: number }> {
    return (this.read ??= this.readSource()).tokens;
  }

  get decodedStarts(): number[] {
    return (this.read ??= this.readSource()).decodedStarts;
  }

  private readSource(): { tokens: Array<{ start: number; end: number }>; decodedStarts: number[] } {
    let tokens: Array<{ start: number; end: number }> = [];
    if (this.sourceStart >= 0) {
      const s = new Scanner(this.text);
      s.i = this.sourceStart;
      const token = (): void => {
        const start = s.string();
        tokens.push({ start, end: s.i - 1 });
      };
      try {
        if (this.text.charCodeAt(s.i) === 34) token();
        else s.array(token);
      } catch {
        // The structural scan already read this value; should it not read as tokens, positions fall back to the source's start.
        tokens = [];
      }
    }
    return { tokens, decodedStarts: this.pieceStarts.slice(this.from, this.to) };
  }
}

function scanCellSpans(
  text: string,
  pieceStarts: readonly number[],
  firstPiece: readonly number[],
): { spans: CellSpan[]; cellsArray: { start: number; end: number } } | undefined {
  const s = new Scanner(text);
  const spans: CellSpan[] = [];
  let cellsArray = { start: -1, end: -1 };
  try {
    s.ws();
    s.object((key) => {
      if (key !== 'cells') {
        s.skipValue();
        return;
      }
      const arrStart = s.i;
      s.array((n) => {
        const span = new ScannedCellSpan(text, pieceStarts, firstPiece[n] ?? 0, firstPiece[n + 1] ?? 0, s.i);
        s.object((ck) => {
          if (ck !== 'source') {
            s.skipValue();
            return;
          }
          // JSON.parse found a string or an array of strings here.
          span.sourceStart = s.i;
          s.skipValue();
          span.sourceEnd = s.i;
        });
        span.end = s.i;
        spans.push(span);
      });
      cellsArray = { start: arrStart, end: s.i };
    });
  } catch {
    return undefined;
  }
  if (spans.length !== firstPiece.length - 1) return undefined;
  return { spans, cellsArray };
}

/** Length in UTF-16 units that a raw JSON string escape sequence at `i` decodes to, and its raw length. */
function escapeAt(t: string, i: number): number {
  if (t.charCodeAt(i) !== 92) return 1;
  return t[i + 1] === 'u' ? 6 : 2;
}

/** Can cell positions be mapped to positions in the notebook's text? */
export function mapsCells(nb: NotebookModel): boolean {
  return nb.text !== '' && nb.spans.length === nb.cells.length;
}

/** Maps a decoded offset in cell `cell`'s source to an offset in the .ipynb text. */
export function cellOffsetToFileOffset(nb: NotebookModel, cell: number, decoded: number): number {
  const span = nb.spans[cell];
  if (!span || span.tokens.length === 0) return span ? span.sourceStart : 0;
  let t = span.decodedStarts.length - 1;
  while (t > 0 && span.decodedStarts[t] > decoded) t--;
  const tok = span.tokens[t];
  let remaining = decoded - span.decodedStarts[t];
  let i = tok.start;
  while (remaining > 0 && i < tok.end) {
    i += escapeAt(nb.text, i);
    remaining--;
  }
  return i;
}

/** The first line of a cell's source: where a finding about the whole cell sits. */
export function cellFirstLine(cell: NotebookCell): Range {
  const nl = cell.source.indexOf('\n');
  const end = (nl < 0 ? cell.source : cell.source.slice(0, nl)).replace(/\r$/, '').length;
  return { start: { line: 0, character: 0 }, end: { line: 0, character: end } };
}

const cellIndexes = new WeakMap<NotebookCell, LineIndex>();

export function cellLineIndex(cell: NotebookCell): LineIndex {
  let li = cellIndexes.get(cell);
  if (!li) {
    li = new LineIndex(cell.source);
    cellIndexes.set(cell, li);
  }
  return li;
}

const fileIndexes = new WeakMap<NotebookModel, LineIndex>();

export function notebookLineIndex(nb: NotebookModel): LineIndex {
  let li = fileIndexes.get(nb);
  if (!li) {
    li = new LineIndex(nb.text);
    fileIndexes.set(nb, li);
  }
  return li;
}

/** A position inside a cell, as a position in the .ipynb file. */
export function cellPositionToFile(nb: NotebookModel, cell: number, p: Position): Position {
  const c = nb.cells[cell];
  if (!c) return { line: 0, character: 0 };
  const decoded = cellLineIndex(c).offsetAt(p);
  return notebookLineIndex(nb).positionAt(cellOffsetToFileOffset(nb, cell, decoded));
}

export function cellRangeToFile(nb: NotebookModel, cell: number, r: Range): Range {
  return { start: cellPositionToFile(nb, cell, r.start), end: cellPositionToFile(nb, cell, r.end) };
}
