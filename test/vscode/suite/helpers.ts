// Helpers for the integration suite. Everything goes through the public VS Code
// API, as a user's editor would: open documents, read diagnostics, ask for code
// actions, apply edits, save.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import * as vscode from 'vscode';

export const EXTENSION_ID = 'mlops-hygiene.mlops-hygiene';
export const SOURCE = 'MLOps Hygiene';

/**
 * Rules that exist and work today. Assertions look at these only, so rules that
 * others add later do not break exact-findings tests.
 */
export const READY_RULES = new Set([
  'error-output-committed',
  'invalid-notebook',
  'invalid-yaml',
  'out-of-order-execution',
  'python-syntax-error',
  'unpinned-install',
  'unused-suppression',
]);

/** Figures the harness prints (activation time, lint times); shared by the separately bundled test files. */
export const metrics: Record<string, string | number> = ((globalThis as { __mlopsHygieneMetrics?: Record<string, string | number> }).__mlopsHygieneMetrics ??= {});

/** Deep-equal with both sides printed compactly as JSON (readable in the harness log). */
export function assertSame<T>(actual: T, expected: T, what = 'value'): void {
  try {
    assert.deepEqual(actual, expected);
  } catch {
    throw new assert.AssertionError({ message: `${what}:\n  actual   ${JSON.stringify(actual)}\n  expected ${JSON.stringify(expected)}` });
  }
}

export interface ExtensionApi {
  loadedAt: number;
  activatedAt: number;
  stats: { runs: number; lastMs: number; maxMs: number; longestSliceMs?: number; longestSliceWhere?: string; longestSliceHeaviestMs?: number; longestSliceFile?: string; firstNotebookDiagnosticsAt?: number; last?: { file: string; ms: number; publishMs: number; modelMs: number; findings: number; sliceMs: number; sliceWhere: string; sliceHeaviestMs: number } };
  flushWatchers(): Promise<void>;
  indexInfo(uri: vscode.Uri): Promise<{ indexed: boolean; tracked: boolean; by?: string }>;
}

export function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}

export function workspaceUri(...segments: string[]): vscode.Uri {
  const folder = vscode.workspace.workspaceFolders?.[0];
  assert.ok(folder, 'the tests need the fixture workspace open');
  return vscode.Uri.joinPath(folder.uri, ...segments);
}

/** The harness's signal folder (screenshots, results), next to the workspace copy; undefined elsewhere. */
export function signalsDir(): string | undefined {
  const fromEnv = process.env.MLOPS_HYGIENE_TEST_SIGNALS;
  if (fromEnv && fs.existsSync(fromEnv)) return fromEnv;
  const folder = vscode.workspace.workspaceFolders?.[0];
  if (!folder) return undefined;
  const sibling = path.join(path.dirname(folder.uri.fsPath), 'signals');
  return fs.existsSync(sibling) ? sibling : undefined;
}

/** Retries `check` (which throws while not yet true) until it passes or `timeoutMs` ends. */
export async function eventually<T>(check: () => T | PromiseLike<T>, timeoutMs = 20000, what = 'condition'): Promise<T> {
  const until = Date.now() + timeoutMs;
  let last: unknown;
  for (;;) {
    try {
      return await check();
    } catch (e) {
      last = e;
    }
    if (Date.now() > until) {
      if (last instanceof Error) last.message = `${what} not reached within ${timeoutMs} ms: ${last.message}`;
      throw last;
    }
    await sleep(50);
  }
}

export async function extensionApi(): Promise<ExtensionApi> {
  const ext = vscode.extensions.getExtension<ExtensionApi>(EXTENSION_ID);
  assert.ok(ext, `${EXTENSION_ID} is not installed`);
  return ext.isActive ? ext.exports : await ext.activate();
}

/** Opens a notebook in the notebook editor, retrying while the ipynb serializer registers. */
export async function openNotebook(rel: string, show = true): Promise<vscode.NotebookDocument> {
  const uri = workspaceUri(...rel.split('/'));
  const nb = await eventually(() => vscode.workspace.openNotebookDocument(uri), 30000, `opening ${rel}`);
  if (show) await vscode.window.showNotebookDocument(nb);
  return nb;
}

/** A fresh copy of a fixture file inside the workspace (tests edit copies, never the originals). */
export async function copyFile(from: string, to: string): Promise<vscode.Uri> {
  const target = workspaceUri(...to.split('/'));
  await vscode.workspace.fs.copy(workspaceUri(...from.split('/')), target, { overwrite: true });
  return target;
}

export async function readText(uri: vscode.Uri): Promise<string> {
  return new TextDecoder().decode(await vscode.workspace.fs.readFile(uri));
}

export async function writeText(uri: vscode.Uri, text: string): Promise<void> {
  await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(text));
}

const SEVERITY = ['error', 'warning', 'info', 'hint'] as const;

export type Tuple = [number, string, [number, number, number, number], string];

export function ruleOf(d: vscode.Diagnostic): string {
  return typeof d.code === 'object' && d.code !== null ? String(d.code.value) : String(d.code);
}

function tuple(cell: number, d: vscode.Diagnostic): Tuple {
  const r = d.range;
  return [cell, ruleOf(d), [r.start.line, r.start.character, r.end.line, r.end.character], SEVERITY[d.severity]];
}

export function ours(uri: vscode.Uri, rules: ReadonlySet<string> = READY_RULES): vscode.Diagnostic[] {
  return vscode.languages.getDiagnostics(uri).filter((d) => d.source === SOURCE && rules.has(ruleOf(d)));
}

/** The notebook's findings of ready rules as `[cell, rule, [sl, sc, el, ec], severity]`, sorted. */
export function notebookFindings(nb: vscode.NotebookDocument, rules?: ReadonlySet<string>): Tuple[] {
  const out: Tuple[] = [];
  for (const cell of nb.getCells()) for (const d of ours(cell.document.uri, rules)) out.push(tuple(cell.index, d));
  return out.sort((a, b) => a[0] - b[0] || a[2][0] - b[2][0] || a[2][1] - b[2][1] || a[1].localeCompare(b[1]));
}

export function fileFindings(uri: vscode.Uri, rules?: ReadonlySet<string>): Tuple[] {
  return ours(uri, rules)
    .map((d) => tuple(-1, d))
    .sort((a, b) => a[2][0] - b[2][0] || a[2][1] - b[2][1] || a[1].localeCompare(b[1]));
}

export async function codeActions(uri: vscode.Uri, range: vscode.Range, kind?: string): Promise<vscode.CodeAction[]> {
  // The workbench answers only for documents with a text model; a notebook cell has
  // one once it was rendered, so scroll it into view first.
  if (uri.scheme === 'vscode-notebook-cell') {
    for (const editor of vscode.window.visibleNotebookEditors) {
      const cell = editor.notebook.getCells().find((c) => c.document.uri.toString() === uri.toString());
      if (cell) editor.revealRange(new vscode.NotebookRange(cell.index, cell.index + 1), vscode.NotebookEditorRevealType.InCenterIfOutsideViewport);
    }
  } else await vscode.workspace.openTextDocument(uri);
  const actions = await eventually(
    async () => {
      try {
        return await vscode.commands.executeCommand<Array<vscode.CodeAction | vscode.Command>>('vscode.executeCodeActionProvider', uri, range, kind);
      } catch (e) {
        throw new Error(`code actions (${kind ?? 'all'}) for ${uri.toString()}: ${e instanceof Error ? e.message : String(e)}`, { cause: e });
      }
    },
    10000,
    'code actions',
  );
  return (actions ?? []).filter((a): a is vscode.CodeAction => 'title' in a && !('command' in a && typeof (a as vscode.Command).command === 'string'));
}

/**
 * Turns every rule but the ready ones off in the workspace settings (rule ids come
 * from the extension's settings schema), so rules added later cannot change what
 * the suite sees. `extra` is merged on top.
 */
export async function readyRulesOnly(extra: Record<string, unknown> = {}): Promise<void> {
  const ext = vscode.extensions.getExtension(EXTENSION_ID);
  assert.ok(ext);
  const props = (ext.packageJSON as { contributes: { configuration: { properties: Record<string, { properties?: Record<string, unknown> }> } } }).contributes.configuration.properties;
  const ids = Object.keys(props['mlopsHygiene.rules']?.properties ?? {});
  assert.ok(ids.length >= READY_RULES.size, 'the settings schema lists the rules');
  const rules = Object.fromEntries(ids.filter((id) => !READY_RULES.has(id)).map((id) => [id, 'off']));
  await setSetting('mlopsHygiene.rules', { ...rules, ...extra });
}

/** Puts the cursor in a cell at `position` (edit mode), as a user clicking there. */
export async function focusCell(nb: vscode.NotebookDocument, cell: number, position: vscode.Position): Promise<vscode.TextEditor> {
  await vscode.window.showNotebookDocument(nb, { selections: [new vscode.NotebookRange(cell, cell + 1)] });
  await vscode.commands.executeCommand('notebook.cell.edit');
  const editor = await eventually(() => {
    const e = vscode.window.activeTextEditor;
    assert.equal(e?.document.uri.toString(), nb.cellAt(cell).document.uri.toString());
    return e!;
  });
  editor.selection = new vscode.Selection(position, position);
  return editor;
}

/**
 * Runs the first code action of `kind` at a cell position through the editor UI
 * (`editor.action.codeAction`), the way a user picks it: the workbench applies the
 * provider's edit itself, notebook edits included.
 */
export async function runCodeActionInCell(nb: vscode.NotebookDocument, cell: number, position: vscode.Position, kind: string): Promise<void> {
  await focusCell(nb, cell, position);
  await vscode.commands.executeCommand('editor.action.codeAction', { kind, apply: 'first' });
}

export async function setSetting(key: string, value: unknown): Promise<void> {
  await vscode.workspace.getConfiguration().update(key, value, vscode.ConfigurationTarget.Workspace);
}

/** The saved .ipynb, parsed (throws when it is not valid JSON). */
export async function savedNotebook(uri: vscode.Uri): Promise<{ cells: Array<Record<string, unknown>>; [k: string]: unknown }> {
  return JSON.parse(await readText(uri)) as { cells: Array<Record<string, unknown>> };
}

export function sourceOf(cell: Record<string, unknown>): string {
  const s = cell.source;
  return Array.isArray(s) ? s.join('') : String(s ?? '');
}

export interface ScreenshotRequest {
  /** File name in media/screenshots, without `.png`. */
  name: string;
  /** false: a DOM check only; the picture stays in the run folder. */
  save?: boolean;
  /** CSS selector that must be visible first. */
  selector?: string;
  /** Texts that must be visible (inside `selector` when given). */
  expectText?: string[];
  settleMs?: number;
}

/**
 * Asks the harness (scripts/vscode-tests.mjs) for a browser screenshot and waits for
 * it. Returns undefined when no harness listens (the desktop launcher).
 */
export async function screenshot(req: ScreenshotRequest): Promise<{ ok: boolean; path?: string; missing?: string[]; error?: string } | undefined> {
  const dir = signalsDir();
  if (!dir) return undefined;
  // Unique across the separately bundled test files.
  const id = `${Date.now()}-${req.name}`;
  const request = path.join(dir, `request-${id}.json`);
  fs.writeFileSync(`${request}.tmp`, JSON.stringify(req));
  fs.renameSync(`${request}.tmp`, request); // the harness never reads half a file
  const response = path.join(dir, `response-${id}.json`);
  return eventually(
    () => {
      if (!fs.existsSync(response)) throw new Error('no response yet');
      return JSON.parse(fs.readFileSync(response, 'utf8')) as { ok: boolean; path?: string; missing?: string[]; error?: string };
    },
    60000,
    `screenshot ${req.name}`,
  );
}

/** Saves what tests left dirty (copies only) and closes every editor, so no save dialog blocks. */
export async function closeAllEditors(): Promise<void> {
  for (const nb of vscode.workspace.notebookDocuments) if (nb.isDirty && !nb.isUntitled) await nb.save();
  for (const doc of vscode.workspace.textDocuments) if (doc.isDirty && !doc.isUntitled && doc.uri.scheme !== 'vscode-notebook-cell') await doc.save();
  await vscode.commands.executeCommand('workbench.action.closeAllEditors');
}
