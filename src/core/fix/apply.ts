import { createHash } from 'node:crypto';
import { parseNotebook, type NotebookModel } from '../parse/notebook';
import { LineIndex } from '../text';
import { comparePositions, isInsertCell, type Edit, type Finding, type FixSafety, type InsertCellEdit, type TextEdit } from '../types';

/** Applies non-overlapping text edits (later ones first); overlapping edits are dropped. */
export function applyTextEdits(text: string, edits: readonly TextEdit[]): string {
  if (edits.length === 0) return text;
  const li = new LineIndex(text);
  const spans = edits
    .map((e) => ({ start: li.offsetAt(e.range.start), end: li.offsetAt(e.range.end), text: e.newText }))
    .sort((a, b) => a.start - b.start || a.end - b.end);
  let out = '';
  let at = 0;
  for (const s of spans) {
    if (s.start < at) continue; // overlaps the previous edit
    out += text.slice(at, s.start) + s.text;
    at = s.end;
  }
  return out + text.slice(at);
}

/** Splits source into nbformat's list of lines, each but the last keeping its `\n`. */
export function sourceLines(source: string): string[] {
  if (source === '') return [];
  const parts = source.split('\n');
  return parts.map((p, i) => (i < parts.length - 1 ? p + '\n' : p)).filter((p, i, a) => !(i === a.length - 1 && p === ''));
}

function lineIndent(text: string, offset: number): string {
  const ls = text.lastIndexOf('\n', offset - 1) + 1;
  const m = /^[ \t]*/.exec(text.slice(ls, offset));
  return m ? m[0] : '';
}

/** Serialises a cell source in the style the file used (list of lines or string, same indent). */
function serialiseSource(nb: NotebookModel, cell: number, source: string): string {
  const span = nb.spans[cell];
  const raw = nb.text.slice(span.sourceStart, span.sourceEnd);
  if (raw.startsWith('"')) return JSON.stringify(source);
  const lines = sourceLines(source);
  if (lines.length === 0) return '[]';
  if (!raw.includes('\n')) return '[' + lines.map((l) => JSON.stringify(l)).join(', ') + ']';
  const keyIndent = lineIndent(nb.text, span.sourceStart);
  const firstTok = span.tokens[0];
  const itemIndent = firstTok ? lineIndent(nb.text, firstTok.start - 1) : keyIndent + detectIndentUnit(nb.text);
  return '[\n' + lines.map((l) => itemIndent + JSON.stringify(l)).join(',\n') + '\n' + keyIndent + ']';
}

function detectIndentUnit(text: string): string {
  const m = /\n([ \t]+)"/.exec(text);
  return m ? m[1] : ' ';
}

function newCellJson(nb: NotebookModel, e: InsertCellEdit['insertCell'], indent: string, unit: string): string {
  const cell: Record<string, unknown> = { cell_type: e.kind };
  if (e.kind === 'code') cell.execution_count = null;
  if (nb.nbformatMinor >= 5) cell.id = createHash('sha1').update(`${e.index}:${e.source}`).digest('hex').slice(0, 8);
  cell.metadata = {};
  if (e.kind === 'code') cell.outputs = [];
  cell.source = sourceLines(e.source);
  const json = JSON.stringify(cell, null, unit);
  return json
    .split('\n')
    .map((l, i) => (i === 0 ? l : indent + l))
    .join('\n');
}

/**
 * Applies edits to a notebook's JSON text. Only the edited cells' `source` values
 * change; every other byte (other cells, outputs, metadata, formatting) is kept.
 */
export function applyNotebookEdits(nb: NotebookModel, edits: readonly Edit[]): string {
  const byCell = new Map<number, TextEdit[]>();
  const inserts: InsertCellEdit['insertCell'][] = [];
  for (const e of edits) {
    if (isInsertCell(e)) inserts.push(e.insertCell);
    else if (e.cell !== undefined && nb.cells[e.cell]) {
      const list = byCell.get(e.cell) ?? [];
      list.push(e);
      byCell.set(e.cell, list);
    }
  }
  const replacements: Array<{ start: number; end: number; text: string }> = [];
  for (const [cell, list] of byCell) {
    const source = applyTextEdits(nb.cells[cell].source, list);
    if (source !== nb.cells[cell].source) replacements.push({ start: nb.spans[cell].sourceStart, end: nb.spans[cell].sourceEnd, text: serialiseSource(nb, cell, source) });
  }
  if (inserts.length) {
    const unit = detectIndentUnit(nb.text);
    const arr = nb.cellsArray;
    for (const ins of inserts) {
      const idx = Math.max(0, Math.min(ins.index, nb.spans.length));
      if (nb.spans.length === 0) {
        const indent = lineIndent(nb.text, arr.start) + unit;
        replacements.push({ start: arr.start, end: arr.end, text: `[\n${indent}${newCellJson(nb, ins, indent, unit)}\n${lineIndent(nb.text, arr.start)}]` });
        continue;
      }
      const anchor = idx < nb.spans.length ? nb.spans[idx] : nb.spans[nb.spans.length - 1];
      const indent = lineIndent(nb.text, anchor.start);
      const json = newCellJson(nb, ins, indent, unit);
      // Separator copied from between the first two cells (`,\n  `), else a newline and indent.
      const sep = nb.spans.length > 1 ? nb.text.slice(nb.spans[0].end, nb.spans[1].start) : `,\n${indent}`;
      if (idx < nb.spans.length) replacements.push({ start: anchor.start, end: anchor.start, text: json + sep });
      else replacements.push({ start: anchor.end, end: anchor.end, text: sep + json });
    }
  }
  replacements.sort((a, b) => b.start - a.start || b.end - a.end);
  let text = nb.text;
  for (const r of replacements) text = text.slice(0, r.start) + r.text + text.slice(r.end);
  return text;
}

export interface FixSelection {
  /** Include unsafe fixes (`--unsafe-fixes`). */
  unsafe?: boolean;
  /** Only these rules. */
  rules?: ReadonlySet<string>;
}

/** Picks the first fix of each finding allowed by `sel`, dropping edits that overlap earlier picks. */
export function selectEdits(findings: readonly Finding[], sel: FixSelection = {}): { edits: Edit[]; fixed: Finding[] } {
  const allowed: FixSafety[] = sel.unsafe ? ['safe', 'unsafe'] : ['safe'];
  const edits: Edit[] = [];
  const fixed: Finding[] = [];
  const taken: TextEdit[] = [];
  const insertedAt = new Set<string>();
  for (const f of findings) {
    if (sel.rules && !sel.rules.has(f.rule)) continue;
    const fix = f.fixes.find((x) => allowed.includes(x.safety));
    if (!fix) continue;
    const text = fix.edits.filter((e): e is TextEdit => !isInsertCell(e));
    const overlaps = text.some((e) => taken.some((t) => t.cell === e.cell && comparePositions(e.range.start, t.range.end) < 0 && comparePositions(t.range.start, e.range.end) < 0));
    const ins = fix.edits.filter(isInsertCell).map((e) => `${e.insertCell.index}:${e.insertCell.source}`);
    if (overlaps || ins.some((k) => insertedAt.has(k))) continue;
    // Two findings can share an identical edit (e.g. one import for two calls): apply it once.
    const fresh = text.filter((e) => !taken.some((t) => t.cell === e.cell && t.newText === e.newText && comparePositions(t.range.start, e.range.start) === 0 && comparePositions(t.range.end, e.range.end) === 0));
    taken.push(...fresh);
    ins.forEach((k) => insertedAt.add(k));
    edits.push(...fresh, ...fix.edits.filter(isInsertCell));
    fixed.push(f);
  }
  return { edits, fixed };
}

/** Applies edits to a file's text, notebook-aware. Returns undefined when the result would not be valid. */
export function applyEdits(file: string, text: string, edits: readonly Edit[]): string | undefined {
  if (file.endsWith('.ipynb')) {
    const parsed = parseNotebook(text);
    if (!parsed.ok) return undefined;
    const out = applyNotebookEdits(parsed.notebook, edits);
    try {
      JSON.parse(out);
    } catch {
      return undefined;
    }
    return out;
  }
  return applyTextEdits(
    text,
    edits.filter((e): e is TextEdit => !isInsertCell(e)),
  );
}
