// Shared vocabulary of the engine. LSP-shaped on purpose: 0-based positions,
// rule id as `code`, docs link, so a language server could wrap it later.

export type Severity = 'hint' | 'info' | 'warning' | 'error';
export type SeveritySetting = Severity | 'off';
export const SEVERITIES: readonly Severity[] = ['hint', 'info', 'warning', 'error'];
export const SEVERITY_SETTINGS: readonly SeveritySetting[] = ['off', 'hint', 'info', 'warning', 'error'];

export function severityRank(s: SeveritySetting): number {
  return SEVERITY_SETTINGS.indexOf(s);
}

export type Area = 'data' | 'validation' | 'monitoring' | 'reproducibility' | 'governance' | 'hygiene';

/**
 * What a rule reads. `notebook` = code cells of an .ipynb, `python` = .py modules,
 * `requirements` = pip requirements and constraints files (the rule reads `text`).
 */
export type Target = 'notebook' | 'python' | 'yaml' | 'requirements';

export interface Position {
  /** 0-based line. */
  line: number;
  /** 0-based UTF-16 column. */
  character: number;
}

export interface Range {
  start: Position;
  end: Position;
}

/**
 * Where a finding or an edit is. For notebooks, `cell` is the index of the cell
 * (code and markdown cells counted) and `range` is inside that cell's source; with
 * `cell` undefined the range is in the file's own text.
 */
export interface Location {
  cell?: number;
  range: Range;
}

export interface TextEdit extends Location {
  newText: string;
}

export interface InsertCellEdit {
  insertCell: { index: number; kind: 'code' | 'markdown'; source: string };
}

export type Edit = TextEdit | InsertCellEdit;

export function isInsertCell(e: Edit): e is InsertCellEdit {
  return (e as InsertCellEdit).insertCell !== undefined;
}

/** From Ruff: `safe` fixes go into fix-all and `--fix`; `unsafe` only when asked for. */
export type FixSafety = 'safe' | 'unsafe';

export interface Fix {
  title: string;
  safety: FixSafety;
  edits: Edit[];
}

export interface RelatedInformation {
  /** Workspace-relative path; undefined = the same file. */
  file?: string;
  location: Location;
  /** Position in the related file's own text, when the engine knows it. */
  fileRange?: Range;
  message: string;
}

export interface Finding {
  rule: string;
  area: Area;
  severity: Severity;
  message: string;
  /** Which of the rule's messages (for tests and tooling). */
  messageId?: string;
  /** Workspace-relative POSIX path. */
  file: string;
  location: Location;
  /** The same place in the file's own text (for notebooks: in the .ipynb JSON). */
  fileRange: Range;
  fixes: Fix[];
  related: RelatedInformation[];
}

export function pos(line: number, character: number): Position {
  return { line, character };
}

export function range(sl: number, sc: number, el: number, ec: number): Range {
  return { start: pos(sl, sc), end: pos(el, ec) };
}

export function comparePositions(a: Position, b: Position): number {
  return a.line - b.line || a.character - b.character;
}
