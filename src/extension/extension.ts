// The VS Code adapter over the engine (src/core): diagnostics, code actions,
// commands, status bar, watchers. The engine runs no workspace code, so the
// extension also runs in untrusted workspaces.
import * as vscode from 'vscode';
import { SETTINGS_NAMESPACE } from '../core/config/schema';
import { initPython } from '../core/parse/python';
import { REQUIREMENTS_GLOB } from '../core/workspace/kinds';
import { CodeActions } from './code-actions';
import { Commands } from './commands';
import { Linting, isLintableDocument, isLintableNotebook, TYPING_DELAY_MS, type LintStats } from './linting';
import { Log } from './log';
import { Projects, relativePath } from './projects';
import { readSettings } from './settings';
import { StatusBar } from './status-bar';
import { Watchers } from './watchers';

/** When the bundle was loaded: the start of activation as the user sees it. */
const loadedAt = Date.now();

/** What `activate` returns: timings for the benchmark and hooks for the integration tests. */
export interface MlopsHygieneApi {
  loadedAt: number;
  activatedAt: number;
  stats: LintStats;
  /** Applies queued file-system changes at once. */
  flushWatchers(): Promise<void>;
  /** What the workspace index says about a file (for tests of the watchers). */
  indexInfo(uri: vscode.Uri): Promise<{ indexed: boolean; tracked: boolean; by?: string }>;
}

/** Schemes whose documents may be lint targets or config files. */
const SELECTOR: vscode.DocumentSelector = [
  { scheme: 'vscode-notebook-cell' },
  { scheme: 'file', pattern: '**/*.{py,yml,yaml,dvc}' },
  { scheme: 'file', pattern: '**/{MLproject,dvc.lock}' },
  { scheme: 'vscode-remote', pattern: '**/*.{py,yml,yaml,dvc}' },
  // pip requirements files, whether the Python extension calls them `pip-requirements` or they are plain text.
  { scheme: 'file', pattern: REQUIREMENTS_GLOB },
  { scheme: 'vscode-remote', pattern: REQUIREMENTS_GLOB },
  { scheme: 'file', language: 'pip-requirements' },
  { scheme: 'vscode-remote', language: 'pip-requirements' },
  { scheme: 'untitled', language: 'python' },
  { scheme: 'untitled', language: 'yaml' },
];

export function activate(context: vscode.ExtensionContext): MlopsHygieneApi {
  const activatedAt = Date.now();
  // Compile the Python grammar while the first project indexes the workspace.
  void initPython().catch(() => undefined);
  const log = new Log();
  const projects = new Projects(log);
  const workspaceCollection = vscode.languages.createDiagnosticCollection('mlops-hygiene-workspace');
  const linting = new Linting(projects, log, workspaceCollection);
  const watchers = new Watchers(projects, linting, workspaceCollection, log);
  const commands = new Commands(projects, linting, workspaceCollection, log, () => watchers.flush(), context.globalStorageUri);
  const statusBar = new StatusBar();
  context.subscriptions.push(log, projects, workspaceCollection, linting, watchers, statusBar, ...commands.register());
  context.subscriptions.push(vscode.languages.registerCodeActionsProvider(SELECTOR, new CodeActions(linting), CodeActions.metadata));

  const runOnType = (uri: vscode.Uri): boolean => readSettings(vscode.workspace.getWorkspaceFolder(uri)?.uri).run === 'onType';
  const configTimers = new Map<string, ReturnType<typeof setTimeout>>();
  const checkConfigSoon = (doc: vscode.TextDocument): void => {
    const key = doc.uri.toString();
    clearTimeout(configTimers.get(key));
    configTimers.set(
      key,
      setTimeout(() => {
        configTimers.delete(key);
        if (!doc.isClosed) projects.checkOpenConfig(vscode.workspace.getWorkspaceFolder(doc.uri), doc);
      }, TYPING_DELAY_MS),
    );
  };
  const isConfig = (doc: vscode.TextDocument): boolean => projects.isConfigFile(vscode.workspace.getWorkspaceFolder(doc.uri), doc.uri);

  context.subscriptions.push(
    vscode.workspace.onDidOpenNotebookDocument((nb) => {
      if (isLintableNotebook(nb)) void linting.lintNow(nb);
    }),
    vscode.workspace.onDidChangeNotebookDocument((e) => {
      // Cell text, cells added or removed, outputs, execution order, metadata (tags):
      // all are facts the rules read. With `run: onSave` only open and save lint.
      if (isLintableNotebook(e.notebook) && runOnType(e.notebook.uri)) linting.schedule(e.notebook);
    }),
    vscode.workspace.onDidSaveNotebookDocument((nb) => {
      if (isLintableNotebook(nb)) void linting.lintNow(nb);
    }),
    vscode.workspace.onDidCloseNotebookDocument((nb) => linting.clear(nb)),
    vscode.workspace.onDidOpenTextDocument((doc) => {
      if (isConfig(doc)) projects.checkOpenConfig(vscode.workspace.getWorkspaceFolder(doc.uri), doc);
      else if (isLintableDocument(doc)) void linting.lintNow(doc);
    }),
    vscode.workspace.onDidChangeTextDocument((e) => {
      const doc = e.document;
      if (e.contentChanges.length === 0) return;
      if (doc.uri.scheme === 'vscode-notebook-cell') {
        const owner = linting.notebookOfCell(doc);
        if (owner && isLintableNotebook(owner.notebook) && runOnType(owner.notebook.uri)) linting.schedule(owner.notebook);
      } else if (isConfig(doc)) checkConfigSoon(doc);
      else if (isLintableDocument(doc) && runOnType(doc.uri)) linting.schedule(doc);
    }),
    vscode.workspace.onDidSaveTextDocument((doc) => {
      if (isConfig(doc)) {
        const folder = vscode.workspace.getWorkspaceFolder(doc.uri);
        projects.reload(folder);
        linting.relintAll(folder, 0);
      } else if (isLintableDocument(doc)) void linting.lintNow(doc);
    }),
    vscode.workspace.onDidCloseTextDocument((doc) => {
      if (doc.uri.scheme !== 'vscode-notebook-cell' && isLintableDocument(doc)) linting.clear(doc);
    }),
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (!e.affectsConfiguration(SETTINGS_NAMESPACE)) return;
      if (e.affectsConfiguration(`${SETTINGS_NAMESPACE}.configFile`)) watchers.refreshConfigWatchers();
      // Projects re-open lazily when their settings fingerprint changed; `enable` and `run` are read per run.
      linting.relintAll(undefined, 0);
    }),
    vscode.workspace.onDidChangeWorkspaceFolders(() => {
      projects.reloadAll();
      watchers.refreshConfigWatchers();
      linting.relintAll(undefined, 0);
    }),
    { dispose: () => configTimers.forEach((t) => clearTimeout(t)) },
  );

  // What is already open: visible editors first.
  const visibleNotebooks = new Set(vscode.window.visibleNotebookEditors.map((e) => e.notebook));
  const targets = linting.openTargets().sort((a, b) => Number(visibleNotebooks.has(b as vscode.NotebookDocument)) - Number(visibleNotebooks.has(a as vscode.NotebookDocument)));
  for (const t of targets) void linting.lintNow(t);
  for (const doc of vscode.workspace.textDocuments) if (isConfig(doc)) projects.checkOpenConfig(vscode.workspace.getWorkspaceFolder(doc.uri), doc);

  const first = linting.onDidLint((lint) => {
    if (lint.kind !== 'notebook') return;
    first.dispose();
    log.info(`First notebook diagnostics ${Date.now() - loadedAt} ms after the extension was loaded (${lint.file}).`);
  });
  context.subscriptions.push(first);
  log.info(`MLOps Hygiene ${String(context.extension.packageJSON.version)} activated in ${Date.now() - activatedAt} ms (bundle loaded ${activatedAt - loadedAt} ms before).`);

  return {
    loadedAt,
    activatedAt,
    stats: linting.stats,
    flushWatchers: () => watchers.flush(),
    indexInfo: async (uri) => {
      const folder = vscode.workspace.getWorkspaceFolder(uri);
      const { project } = await projects.get(folder);
      const rel = relativePath(folder, uri);
      return { indexed: project.workspace.has(rel), ...project.workspace.trackingOf(rel) };
    },
  };
}

export function deactivate(): void {
  // Everything is in context.subscriptions.
}
