// Between the engine's LSP-shaped types and the VS Code API: ranges, severities,
// diagnostics, and editor notebooks as engine NotebookModels.
import * as vscode from 'vscode';
import { ruleDocsUrl } from '../core/docs-link';
import { notebookFromCells, type CellKind, type NotebookModel, type NotebookOutput } from '../core/parse/notebook';
import type { Finding, Range, Severity } from '../core/types';

export const SOURCE = 'MLOps Hygiene';

export function toRange(r: Range): vscode.Range {
  return new vscode.Range(r.start.line, r.start.character, r.end.line, r.end.character);
}

export function fromRange(r: vscode.Range): Range {
  return { start: { line: r.start.line, character: r.start.character }, end: { line: r.end.line, character: r.end.character } };
}

const SEVERITY: Record<Severity, vscode.DiagnosticSeverity> = {
  error: vscode.DiagnosticSeverity.Error,
  warning: vscode.DiagnosticSeverity.Warning,
  info: vscode.DiagnosticSeverity.Information,
  hint: vscode.DiagnosticSeverity.Hint,
};

export function toSeverity(s: Severity): vscode.DiagnosticSeverity {
  return SEVERITY[s] ?? vscode.DiagnosticSeverity.Warning;
}

// ---------------------------------------------------------------------------
// Notebooks: VS Code's ipynb serializer keeps the nbformat cell fields in
// `cell.metadata` ({ execution_count, metadata, id, attachments }); before VS Code
// 1.8x they were under `metadata.custom`. Outputs become output items by MIME type.

type Json = Record<string, unknown>;

function isRecord(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** The nbformat fields VS Code keeps for a cell (`{ metadata, execution_count, id }`). */
export function cellFields(cell: vscode.NotebookCell): Json {
  const md = cell.metadata as Json;
  return isRecord(md.custom) ? md.custom : md;
}

/** The nbformat `metadata` of a cell (tags, suppressions). */
export function cellMetadata(cell: vscode.NotebookCell): Json {
  const m = cellFields(cell).metadata;
  return isRecord(m) ? m : {};
}

/** The nbformat fields VS Code keeps for the notebook (`{ metadata, nbformat, nbformat_minor }`). */
export function notebookFields(nb: vscode.NotebookDocument): Json {
  const md = nb.metadata as Json;
  return isRecord(md.custom) ? md.custom : md;
}

export function notebookMetadata(nb: vscode.NotebookDocument): Json {
  const m = notebookFields(nb).metadata;
  return isRecord(m) ? m : {};
}

export function cellKind(cell: vscode.NotebookCell): CellKind {
  if (cell.kind === vscode.NotebookCellKind.Markup) return 'markdown';
  return cell.document.languageId === 'raw' ? 'raw' : 'code';
}

const STDOUT = 'application/vnd.code.notebook.stdout';
const STDERR = 'application/vnd.code.notebook.stderr';
const ERROR = 'application/vnd.code.notebook.error';
const decoder = new TextDecoder('utf-8');

function isTextMime(mime: string): boolean {
  return mime.startsWith('text/') || mime === 'application/json' || mime === STDOUT || mime === STDERR || mime === ERROR;
}

/** Output bytes as text; tolerant of the shapes item data takes after a round trip (a VSBuffer, plain arrays). */
function decodeBytes(data: unknown): string {
  try {
    if (data instanceof Uint8Array || data instanceof ArrayBuffer) return decoder.decode(data);
    if (isRecord(data) && data.buffer instanceof Uint8Array) return decoder.decode(data.buffer);
    if (Array.isArray(data)) return decoder.decode(Uint8Array.from(data as number[]));
    if (isRecord(data) && Array.isArray(data.data)) return decoder.decode(Uint8Array.from(data.data as number[]));
  } catch {
    // fall through
  }
  return '';
}

const outputCache = new WeakMap<vscode.NotebookCellOutput, NotebookOutput>();

/** An editor cell output as nbformat output JSON (text payloads only; images are left out). */
export function toNbOutput(o: vscode.NotebookCellOutput): NotebookOutput {
  const cached = outputCache.get(o);
  if (cached) return cached;
  const meta = isRecord(o.metadata) ? o.metadata : {};
  let out: NotebookOutput;
  const original = meta.originalError;
  const errorItem = o.items.find((i) => i.mime === ERROR);
  if (isRecord(original) && original.output_type === 'error') out = original as NotebookOutput;
  else if (errorItem) {
    let e: Json = {};
    try {
      e = JSON.parse(decodeBytes(errorItem.data)) as Json;
    } catch {
      // keep the empty error
    }
    out = { output_type: 'error', ename: String(e.name ?? ''), evalue: String(e.message ?? ''), traceback: String(e.stack ?? '').split('\n') };
  } else if (o.items.length > 0 && o.items.every((i) => i.mime === STDOUT || i.mime === STDERR)) {
    out = { output_type: 'stream', name: o.items[0].mime === STDERR ? 'stderr' : 'stdout', text: o.items.map((i) => decodeBytes(i.data)).join('') };
  } else {
    const data: Json = {};
    for (const item of o.items) if (isTextMime(item.mime)) data[item.mime] = decodeBytes(item.data);
    const outputType = typeof meta.outputType === 'string' ? meta.outputType : 'display_data';
    out = { output_type: outputType, data, metadata: isRecord(meta.metadata) ? meta.metadata : {} };
    if (outputType === 'execute_result') out.execution_count = typeof meta.executionCount === 'number' ? meta.executionCount : null;
  }
  outputCache.set(o, out);
  return out;
}

function executionCount(cell: vscode.NotebookCell): number | null {
  const order = cell.executionSummary?.executionOrder;
  if (typeof order === 'number') return order;
  const saved = cellFields(cell).execution_count;
  return typeof saved === 'number' ? saved : null;
}

function notebookLanguage(nb: vscode.NotebookDocument): string {
  const md = notebookMetadata(nb);
  const info = isRecord(md.language_info) ? md.language_info : {};
  const kernel = isRecord(md.kernelspec) ? md.kernelspec : {};
  const named = info.name ?? kernel.language;
  if (typeof named === 'string' && named) return named.toLowerCase();
  const firstCode = nb.getCells().find((c) => c.kind === vscode.NotebookCellKind.Code && c.document.languageId !== 'raw');
  return firstCode?.document.languageId ?? 'python';
}

/** The engine's model of an editor notebook: cell-relative ranges, no JSON text behind it. */
export function notebookModel(nb: vscode.NotebookDocument, cells: readonly vscode.NotebookCell[] = nb.getCells()): NotebookModel {
  return notebookFromCells(
    cells.map((cell) => ({
      kind: cellKind(cell),
      source: cell.document.getText(),
      executionCount: cellKind(cell) === 'code' ? executionCount(cell) : null,
      outputs: cell.outputs.map(toNbOutput),
      metadata: cellMetadata(cell),
    })),
    notebookMetadata(nb),
    notebookLanguage(nb),
  );
}

// ---------------------------------------------------------------------------
// Diagnostics.

export interface DiagnosticPlace {
  /** The file's URI (for notebooks, the notebook's). */
  fileUri: vscode.Uri;
  /** Workspace folder, to resolve related information in other files. */
  folderUri?: vscode.Uri;
  /** Cell document URIs by cell index (notebooks open in the editor). */
  cellUri?: (cell: number) => vscode.Uri | undefined;
  /** Use the finding's place in the file text (`fileRange`) instead of cell ranges: notebooks linted from disk. */
  fileRanges?: boolean;
}

export function diagnosticUri(f: Finding, place: DiagnosticPlace): vscode.Uri {
  if (!place.fileRanges && f.location.cell !== undefined) return place.cellUri?.(f.location.cell) ?? place.fileUri;
  return place.fileUri;
}

export function toDiagnostic(f: Finding, place: DiagnosticPlace): vscode.Diagnostic {
  const inCell = !place.fileRanges && f.location.cell !== undefined && place.cellUri?.(f.location.cell) !== undefined;
  const range = toRange(inCell ? f.location.range : place.fileRanges ? f.fileRange : f.location.range);
  const d = new vscode.Diagnostic(range, f.message, toSeverity(f.severity));
  d.source = SOURCE;
  d.code = { value: f.rule, target: vscode.Uri.parse(ruleDocsUrl(f.rule)) };
  if (f.rule === 'unused-suppression') d.tags = [vscode.DiagnosticTag.Unnecessary];
  const related: vscode.DiagnosticRelatedInformation[] = [];
  for (const r of f.related) {
    let uri: vscode.Uri | undefined;
    let rr: Range = r.location.range;
    if (r.file === undefined || r.file === f.file) {
      if (!place.fileRanges && r.location.cell !== undefined) uri = place.cellUri?.(r.location.cell);
      if (!uri) {
        uri = place.fileUri;
        rr = place.fileRanges ? (r.fileRange ?? r.location.range) : r.location.range;
      }
    } else if (place.folderUri) {
      uri = vscode.Uri.joinPath(place.folderUri, ...r.file.split('/'));
      rr = r.fileRange ?? r.location.range;
    }
    if (uri) related.push(new vscode.DiagnosticRelatedInformation(new vscode.Location(uri, toRange(rr)), r.message));
  }
  if (related.length) d.relatedInformation = related;
  return d;
}

/** Matches a diagnostic VS Code hands back (a copy) to the finding it came from. */
export function diagnosticKey(rule: string, range: vscode.Range, message: string): string {
  return `${rule}|${range.start.line}:${range.start.character}-${range.end.line}:${range.end.character}|${message}`;
}

export function ruleOf(d: vscode.Diagnostic): string | undefined {
  if (d.source !== SOURCE) return undefined;
  const c = d.code;
  if (typeof c === 'string') return c;
  if (typeof c === 'object' && c !== null) return String(c.value);
  return undefined;
}
