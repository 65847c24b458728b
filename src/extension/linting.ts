// Runs the engine on open documents and notebooks and publishes diagnostics:
// debounced while typing, at once on open and save, stale runs cancelled, an
// empty list for every cell so fixed cells clear, everything cleared on close.
import * as vscode from 'vscode';
import { LintCancelled } from '../core/lint';
import type { LintResult } from '../core/lint';
import type { NotebookModel } from '../core/parse/notebook';
import type { Finding } from '../core/types';
import { fileKind } from '../core/workspace/kinds';
import { diagnosticUri, notebookModel, toDiagnostic } from './convert';
import type { Log } from './log';
import { relativePath, type FolderProject, type Projects } from './projects';
import { readSettings } from './settings';

export const TYPING_DELAY_MS = 300;

export interface TextLint {
  kind: 'text';
  document: vscode.TextDocument;
  version: number;
  file: string;
  fp: FolderProject;
  findings: Finding[];
}

export interface NotebookLint {
  kind: 'notebook';
  notebook: vscode.NotebookDocument;
  version: number;
  /** The cells as they were when linted; finding cell indexes point into this. */
  cells: vscode.NotebookCell[];
  cellVersions: number[];
  model: NotebookModel;
  file: string;
  fp: FolderProject;
  findings: Finding[];
}

export type Lint = TextLint | NotebookLint;
type Target = vscode.TextDocument | vscode.NotebookDocument;

interface State {
  seq: number;
  timer?: ReturnType<typeof setTimeout>;
  cts?: vscode.CancellationTokenSource;
  running?: Promise<Lint | undefined>;
  /** The last published lint. */
  result?: Lint;
  /** A lint made for code actions only, not published (`run: onSave` between saves). */
  quiet?: Lint;
  /** URIs that got diagnostics from this target (cells, the notebook itself). */
  published: Set<string>;
  /** What was published per URI, with a signature of its diagnostics to skip unchanged ones. */
  publishedUris: Map<string, { uri: vscode.Uri; sig: string }>;
}

export interface LintStats {
  runs: number;
  lastMs: number;
  /** Longest engine call (one synchronous slice: rules run without yielding). */
  maxMs: number;
  /** Longest stretch the engine ran without yielding, over all lints so far (ms). */
  longestSliceMs?: number;
  /** What took longest inside that slice (a rule id or "parsing cells"). */
  longestSliceWhere?: string;
  /** How long that heaviest work took (ms), and the file of that lint. */
  longestSliceHeaviestMs?: number;
  longestSliceFile?: string;
  /** When the first notebook's diagnostics were published (Date.now()). */
  firstNotebookDiagnosticsAt?: number;
  /** The last published lint; `sliceMs`/`sliceWhere`/`sliceHeaviestMs`: its longest synchronous engine slice, the heaviest work in it and how long that took. */
  last?: { file: string; ms: number; publishMs: number; modelMs: number; findings: number; sliceMs: number; sliceWhere: string; sliceHeaviestMs: number };
}

function isNotebook(t: Target): t is vscode.NotebookDocument {
  return (t as vscode.NotebookDocument).notebookType !== undefined;
}

const LINTED_SCHEMES = new Set(['file', 'untitled', 'vscode-remote', 'vscode-userdata']);

/** Whether the engine reads this text document (cells go through their notebook). */
export function isLintableDocument(doc: vscode.TextDocument): boolean {
  if (!LINTED_SCHEMES.has(doc.uri.scheme)) return false;
  if (doc.uri.scheme === 'untitled') return doc.languageId === 'python' || doc.languageId === 'yaml';
  // By name, so a requirements file is linted whatever its language id (`pip-requirements` or plain text).
  const kind = fileKind(doc.uri.path);
  return kind === 'python' || kind === 'yaml' || kind === 'requirements';
}

export function isLintableNotebook(nb: vscode.NotebookDocument): boolean {
  return nb.notebookType === 'jupyter-notebook' && LINTED_SCHEMES.has(nb.uri.scheme);
}

export class Linting implements vscode.Disposable {
  readonly collection = vscode.languages.createDiagnosticCollection('mlops-hygiene');
  private readonly states = new Map<string, State>();
  /** cell document URI -> its notebook, refreshed on every notebook lint. */
  private readonly cellOwners = new Map<string, vscode.NotebookDocument>();
  private readonly didLint = new vscode.EventEmitter<Lint>();
  readonly onDidLint = this.didLint.event;
  readonly stats: LintStats = { runs: 0, lastMs: 0, maxMs: 0 };
  private modelMs = 0;

  constructor(
    private readonly projects: Projects,
    private readonly log: Log,
    /** Diagnostics of files linted by "Lint Workspace" while closed: cleared when a file is opened. */
    private readonly workspaceCollection: vscode.DiagnosticCollection,
  ) {}

  private state(uri: vscode.Uri): State {
    const key = uri.toString();
    let s = this.states.get(key);
    if (!s) {
      s = { seq: 0, published: new Set(), publishedUris: new Map() };
      this.states.set(key, s);
    }
    return s;
  }

  /** The notebook a cell document belongs to (matched by cell URI, never by path). */
  notebookOfCell(doc: vscode.TextDocument): { notebook: vscode.NotebookDocument; cell: vscode.NotebookCell } | undefined {
    if (doc.uri.scheme !== 'vscode-notebook-cell') return undefined;
    const key = doc.uri.toString();
    const candidates = [this.cellOwners.get(key), ...vscode.workspace.notebookDocuments].filter((n): n is vscode.NotebookDocument => n !== undefined);
    for (const nb of candidates) {
      if (nb.isClosed) continue;
      const cell = nb.getCells().find((c) => c.document.uri.toString() === key);
      if (cell) return { notebook: nb, cell };
    }
    return undefined;
  }

  /** Lints after `delay` ms, replacing a pending run of the same target. */
  schedule(target: Target, delay = TYPING_DELAY_MS): void {
    const s = this.state(target.uri);
    if (s.timer) clearTimeout(s.timer);
    s.timer = setTimeout(() => {
      s.timer = undefined;
      void this.lintNow(target);
    }, delay);
  }

  /**
   * Lints at once; a newer run cancels this one and its result is dropped. With
   * `publish` false the result only serves code actions (the diagnostics stay).
   */
  lintNow(target: Target, publish = true): Promise<Lint | undefined> {
    const s = this.state(target.uri);
    if (s.timer) {
      clearTimeout(s.timer);
      s.timer = undefined;
    }
    s.cts?.cancel();
    const cts = new vscode.CancellationTokenSource();
    s.cts = cts;
    const seq = ++s.seq;
    const run = this.run(target, s, seq, cts.token, publish).catch((e: unknown) => {
      this.log.error(`Linting ${target.uri.toString(true)} failed`, e);
      return undefined;
    });
    s.running = run;
    return run;
  }

  /** Whether a notebook lint still matches the notebook: same cells, same texts, same outputs. */
  isCurrent(lint: NotebookLint): boolean {
    const nb = lint.notebook;
    if (nb.isClosed || nb.version !== lint.version || nb.cellCount !== lint.cells.length) return false;
    return lint.cells.every((c, i) => nb.cellAt(i) === c && c.document.version === lint.cellVersions[i]);
  }

  private async fresh(target: Target): Promise<Lint | undefined> {
    // With `run: onSave`, asking for code actions must not publish diagnostics between saves.
    const publish = readSettings(vscode.workspace.getWorkspaceFolder(target.uri)?.uri).run === 'onType';
    const lint = await this.lintNow(target, publish);
    // Superseded by a newer run (the user kept typing): wait for that one.
    return lint ?? (await this.states.get(target.uri.toString())?.running);
  }

  private latest(uri: vscode.Uri): Lint[] {
    const s = this.states.get(uri.toString());
    return [s?.result, s?.quiet].filter((l): l is Lint => l !== undefined);
  }

  /** The current lint of a text document or a cell's notebook, linting again when it is stale. */
  async resultFor(doc: vscode.TextDocument): Promise<{ lint: Lint; cell?: number } | undefined> {
    const owner = this.notebookOfCell(doc);
    if (owner) {
      const { notebook } = owner;
      let lint = this.latest(notebook.uri).find((l) => l.kind === 'notebook' && l.notebook === notebook && this.isCurrent(l));
      lint ??= await this.fresh(notebook);
      if (!lint || lint.kind !== 'notebook') return undefined;
      const cell = lint.cells.findIndex((c) => c.document.uri.toString() === doc.uri.toString());
      return cell < 0 ? undefined : { lint, cell };
    }
    let lint = this.latest(doc.uri).find((l) => l.kind === 'text' && l.version === doc.version && l.document === doc);
    lint ??= await this.fresh(doc);
    return lint && lint.kind === 'text' ? { lint } : undefined;
  }

  private async run(target: Target, s: State, seq: number, token: vscode.CancellationToken, publish: boolean): Promise<Lint | undefined> {
    const folder = vscode.workspace.getWorkspaceFolder(target.uri);
    if (!readSettings(folder?.uri).enable) {
      this.clear(target);
      return undefined;
    }
    const fp = await this.projects.get(folder);
    if (token.isCancellationRequested || seq !== s.seq) return undefined;
    const file = relativePath(folder, target.uri);
    if (folder && !fp.project.config.isLinted(file)) {
      this.clear(target);
      return undefined;
    }
    const started = Date.now();
    const linter = fp.project.linter;
    let lint: Lint;
    let result: LintResult;
    if (isNotebook(target)) {
      if (target.isClosed) return undefined;
      const cells = target.getCells();
      const version = target.version;
      const cellVersions = cells.map((c) => c.document.version);
      const m0 = Date.now();
      const model = notebookModel(target, cells);
      this.modelMs = Date.now() - m0;
      const t0 = Date.now();
      try {
        // The engine works in slices (cell parses, shared analyses, rules) and yields
        // between them; a newer edit stops this run there.
        linter.longestSliceMs = 0;
        result = await linter.lintNotebook(file, model, () => token.isCancellationRequested || seq !== s.seq);
      } catch (e) {
        if (e instanceof LintCancelled) return undefined;
        throw e;
      }
      this.measure(Date.now() - t0);
      lint = { kind: 'notebook', notebook: target, version, cells, cellVersions, model, file, fp, findings: result.findings };
    } else {
      if (target.isClosed) return undefined;
      if (this.projects.isConfigFile(folder, target.uri)) return undefined;
      const version = target.version;
      const text = target.getText();
      const t0 = Date.now();
      linter.longestSliceMs = 0;
      result = await linter.lintText(file, text);
      this.measure(Date.now() - t0);
      lint = { kind: 'text', document: target, version, file, fp, findings: result.findings };
    }
    if (token.isCancellationRequested || seq !== s.seq) return undefined;
    if (result.skipped) this.log.debug(`${file}: skipped, ${result.skipped}`);
    if (!publish) {
      s.quiet = lint;
      return lint;
    }
    s.result = lint;
    s.quiet = undefined;
    const p0 = Date.now();
    this.publish(lint, s);
    this.stats.runs++;
    if (linter.longestSliceMs > (this.stats.longestSliceMs ?? 0)) {
      this.stats.longestSliceMs = linter.longestSliceMs;
      this.stats.longestSliceWhere = linter.longestSliceWhere;
      this.stats.longestSliceHeaviestMs = linter.longestSliceHeaviestMs;
      this.stats.longestSliceFile = file;
    }
    this.stats.last = {
      file,
      ms: this.stats.lastMs,
      publishMs: Date.now() - p0,
      modelMs: lint.kind === 'notebook' ? this.modelMs : 0,
      findings: lint.findings.length,
      sliceMs: linter.longestSliceMs,
      sliceWhere: linter.longestSliceWhere,
      sliceHeaviestMs: linter.longestSliceHeaviestMs,
    };
    this.log.debug(`${file}: ${lint.findings.length} finding(s) in ${Date.now() - started} ms`);
    this.didLint.fire(lint);
    return lint;
  }

  private measure(ms: number): void {
    this.stats.lastMs = ms;
    this.stats.maxMs = Math.max(this.stats.maxMs, ms);
  }

  private publish(lint: Lint, s: State): void {
    const entries: Array<[vscode.Uri, vscode.Diagnostic[]]> = [];
    const byUri = new Map<string, { uri: vscode.Uri; diagnostics: vscode.Diagnostic[] }>();
    const add = (uri: vscode.Uri, d?: vscode.Diagnostic): void => {
      const key = uri.toString();
      let e = byUri.get(key);
      if (!e) {
        e = { uri, diagnostics: [] };
        byUri.set(key, e);
      }
      if (d) e.diagnostics.push(d);
    };
    if (lint.kind === 'notebook') {
      const cellUri = (i: number): vscode.Uri | undefined => lint.cells[i]?.document.uri;
      const place = { fileUri: lint.notebook.uri, folderUri: lint.fp.folder?.uri, cellUri };
      // Every cell gets a list, empty or not, so fixed cells clear.
      for (const c of lint.cells) {
        add(c.document.uri);
        this.cellOwners.set(c.document.uri.toString(), lint.notebook);
      }
      for (const f of lint.findings) add(diagnosticUri(f, place), toDiagnostic(f, place));
      this.workspaceCollection.delete(lint.notebook.uri);
      if (this.stats.firstNotebookDiagnosticsAt === undefined) this.stats.firstNotebookDiagnosticsAt = Date.now();
    } else {
      const place = { fileUri: lint.document.uri, folderUri: lint.fp.folder?.uri };
      add(lint.document.uri);
      for (const f of lint.findings) add(lint.document.uri, toDiagnostic(f, place));
      this.workspaceCollection.delete(lint.document.uri);
    }
    // URIs published before but gone now (deleted cells) are cleared.
    for (const [key, p] of s.publishedUris) if (!byUri.has(key)) entries.push([p.uri, []]);
    const before = s.publishedUris;
    s.publishedUris = new Map();
    for (const [key, e] of byUri) {
      const sig = e.diagnostics.map(diagnosticSig).join('\n');
      s.publishedUris.set(key, { uri: e.uri, sig });
      // An edit changes one cell's findings, rarely the other 299: send only what changed.
      if (before.get(key)?.sig !== sig || !before.has(key)) entries.push([e.uri, e.diagnostics]);
    }
    if (entries.length) this.collection.set(entries);
  }

  /** Drops a target's diagnostics and pending runs (closed, disabled, excluded). */
  clear(target: Target | vscode.Uri): void {
    const uri = target instanceof vscode.Uri ? target : target.uri;
    const key = uri.toString();
    const s = this.states.get(key);
    if (s) {
      if (s.timer) clearTimeout(s.timer);
      s.cts?.cancel();
      s.seq++;
      for (const { uri: u } of s.publishedUris.values()) {
        this.collection.delete(u);
        this.cellOwners.delete(u.toString());
      }
      this.states.delete(key);
    }
    this.collection.delete(uri);
  }

  /** Open notebooks and lintable documents, optionally of one folder only. */
  openTargets(folder?: vscode.WorkspaceFolder): Target[] {
    const inFolder = (uri: vscode.Uri): boolean => !folder || vscode.workspace.getWorkspaceFolder(uri)?.uri.toString() === folder.uri.toString();
    const notebooks = vscode.workspace.notebookDocuments.filter((n) => isLintableNotebook(n) && inFolder(n.uri));
    const docs = vscode.workspace.textDocuments.filter((d) => isLintableDocument(d) && inFolder(d.uri));
    return [...notebooks, ...docs];
  }

  /** Re-lints every open target (of a folder): config, settings or workspace files changed. */
  relintAll(folder?: vscode.WorkspaceFolder, delay = 50): void {
    for (const t of this.openTargets(folder)) this.schedule(t, delay);
  }

  /** Findings published for a URI (a text document, a cell or a notebook), for the status bar. */
  count(uri: vscode.Uri): number {
    return this.collection.get(uri)?.length ?? 0;
  }

  dispose(): void {
    for (const s of this.states.values()) {
      if (s.timer) clearTimeout(s.timer);
      s.cts?.cancel();
    }
    this.states.clear();
    this.collection.dispose();
    this.didLint.dispose();
  }
}

/** Everything a diagnostic shows, as a string: equal strings, nothing to re-publish. */
function diagnosticSig(d: vscode.Diagnostic): string {
  const r = d.range;
  const code = typeof d.code === 'object' ? `${d.code.value}` : `${d.code ?? ''}`;
  const related = (d.relatedInformation ?? []).map((ri) => `${ri.location.uri.toString()}@${ri.location.range.start.line}:${ri.location.range.start.character}:${ri.message}`).join('|');
  return `${r.start.line}:${r.start.character}-${r.end.line}:${r.end.character} ${d.severity} ${code} ${(d.tags ?? []).join(',')} ${d.message} ${related}`;
}
