// File-system watchers keep the workspace index and config current: a `.dvc`
// sidecar, dvc.yaml, a params file, .gitattributes, a workflow or the Makefile changes -> the
// index is updated and open documents re-linted; a Python file or notebook changes ->
// what the index read from it (a DVC stage script, a scheduler's summary) is dropped,
// and open documents are re-linted when a rule had read it; the config file or a
// .gitignore changes -> the folder's project is re-opened.
import * as path from 'node:path';
import * as vscode from 'vscode';
import type { Linting } from './linting';
import type { Log } from './log';
import { relativePath, type Projects } from './projects';
import { readSettings } from './settings';

/** Files whose content the engine reads: they update the index. */
const CONTENT = '**/{*.dvc,dvc.yaml,dvc.yml,dvc.lock,params*.yaml,params*.yml,params*.json,params*.toml,.gitattributes,*.yml,*.yaml,Makefile,makefile,GNUmakefile}';
/** Code other files' findings may depend on (stage scripts, schedulers): re-linted only when a rule read it. */
const CODE = '**/*.{py,ipynb}';
/** Files that change the config or the ignore rules: the project is re-opened. */
const RELOAD = '**/{.mlops-hygiene.yaml,.mlops-hygiene.yml,pyproject.toml,.gitignore}';
/** Folders never indexed (as the engine's walk skips them). */
const SKIPPED = /(^|\/)(\.git|node_modules|\.venv|venv|__pycache__|\.ipynb_checkpoints|\.mypy_cache|\.pytest_cache|\.tox|\.cache|\.vscode-test|\.dvc)(\/|$)/;

interface Pending {
  folder: vscode.WorkspaceFolder;
  reload: boolean;
  changed: Set<string>;
  removed: Set<string>;
  /** Code files whose content changed (not created or deleted: `changed` / `removed` have those). */
  edited: Set<string>;
}

export class Watchers implements vscode.Disposable {
  private readonly disposables: vscode.Disposable[] = [];
  private readonly pending = new Map<string, Pending>();
  private timer?: ReturnType<typeof setTimeout>;
  private configWatchers: vscode.Disposable[] = [];

  constructor(
    private readonly projects: Projects,
    private readonly linting: Linting,
    private readonly workspaceCollection: vscode.DiagnosticCollection,
    private readonly log: Log,
  ) {
    const content = vscode.workspace.createFileSystemWatcher(CONTENT);
    const reload = vscode.workspace.createFileSystemWatcher(RELOAD);
    const code = vscode.workspace.createFileSystemWatcher(CODE, true, false, true);
    // Any file created or deleted: the index answers "does this path exist?".
    const any = vscode.workspace.createFileSystemWatcher('**/*', false, true, false);
    this.disposables.push(
      content,
      reload,
      code,
      any,
      content.onDidChange((u) => this.queue(u, 'changed')),
      content.onDidCreate((u) => this.queue(u, 'changed')),
      content.onDidDelete((u) => this.queue(u, 'removed')),
      code.onDidChange((u) => this.queue(u, 'edited')),
      reload.onDidChange((u) => this.queue(u, 'reload')),
      reload.onDidCreate((u) => this.queue(u, 'reload')),
      reload.onDidDelete((u) => this.queue(u, 'reload')),
      any.onDidCreate((u) => this.queue(u, 'changed')),
      any.onDidDelete((u) => {
        this.workspaceCollection.delete(u);
        this.queue(u, 'removed');
      }),
    );
    this.refreshConfigWatchers();
  }

  /** Watches a config file set by `mlopsHygiene.configFile` under a non-default name. */
  refreshConfigWatchers(): void {
    for (const d of this.configWatchers) d.dispose();
    this.configWatchers = [];
    for (const folder of vscode.workspace.workspaceFolders ?? []) {
      const file = readSettings(folder.uri).configFile;
      if (!file) continue;
      const pattern = path.isAbsolute(file)
        ? new vscode.RelativePattern(folder.uri.with({ path: path.posix.dirname(file.split(path.sep).join('/')) }), path.basename(file))
        : new vscode.RelativePattern(folder, file);
      const w = vscode.workspace.createFileSystemWatcher(pattern);
      const reload = (): void => this.queueFolder(folder, 'reload');
      this.configWatchers.push(w, w.onDidChange(reload), w.onDidCreate(reload), w.onDidDelete(reload));
    }
  }

  private queue(uri: vscode.Uri, what: 'changed' | 'removed' | 'edited' | 'reload'): void {
    const folder = vscode.workspace.getWorkspaceFolder(uri);
    if (!folder) return;
    const rel = relativePath(folder, uri);
    if (SKIPPED.test(rel)) return;
    this.log.debug(`file event: ${what} ${rel}`);
    this.queueFolder(folder, what, rel);
  }

  private queueFolder(folder: vscode.WorkspaceFolder, what: 'changed' | 'removed' | 'edited' | 'reload', rel?: string): void {
    const key = folder.uri.toString();
    let p = this.pending.get(key);
    if (!p) {
      p = { folder, reload: false, changed: new Set(), removed: new Set(), edited: new Set() };
      this.pending.set(key, p);
    }
    if (what === 'reload') p.reload = true;
    else if (what === 'edited') {
      if (rel !== undefined) p.edited.add(rel);
    } else if (rel !== undefined) {
      (what === 'changed' ? p.changed : p.removed).add(rel);
      (what === 'changed' ? p.removed : p.changed).delete(rel);
    }
    if (this.timer) clearTimeout(this.timer);
    // Batch bursts (a git checkout, `dvc add` of many files) into one update and one re-lint.
    this.timer = setTimeout(() => void this.flush(), 150);
  }

  /** Applies queued changes now (also used by tests through the extension API). */
  async flush(): Promise<void> {
    this.timer = undefined;
    const batches = [...this.pending.values()];
    this.pending.clear();
    for (const p of batches) {
      try {
        if (p.reload) {
          this.log.debug(`${p.folder.name}: config or .gitignore changed; re-opening the project`);
          this.projects.reload(p.folder);
        } else {
          const open = this.projects.peek(p.folder);
          if (!open) {
            this.log.debug(`${p.folder.name}: no project open; ${p.changed.size + p.removed.size} file event(s) left to the next open`);
            continue;
          }
          const { project, serial } = await open;
          // An edited code file matters to other files only when a rule read it (asked before the update
          // forgets): only then is it updated (its summaries dropped, a stage script re-read). Other edits
          // leave the index, and its derived lookups, alone.
          for (const rel of p.edited) if (!p.changed.has(rel) && !p.removed.has(rel) && project.workspace.contentRead(rel)) p.changed.add(rel);
          const relint = p.changed.size > 0 || p.removed.size > 0;
          for (const rel of p.removed) project.workspace.remove(rel);
          for (const rel of p.changed) {
            if (project.workspace.isIgnored(rel)) {
              this.log.debug(`${rel}: ignored by a .gitignore or the config's exclude`);
              continue;
            }
            await project.workspace.update(rel);
            if (!project.workspace.has(rel)) this.log.debug(`${rel}: not indexed after the update (unreadable?)`);
          }
          // WorkspaceIndex.update() drops its derived lookups *before* awaiting the file,
          // so a lookup made meanwhile (a lint running) caches them without the change.
          // Removing a path that cannot exist drops them again, synchronously, after it.
          if (p.changed.size) project.workspace.remove('\u0000');
          this.log.debug(`${p.folder.name} (#${serial}): index updated for ${p.changed.size + p.removed.size} file(s)${relint ? '' : '; nothing read them, no re-lint'}`);
          if (!relint) continue;
        }
        this.linting.relintAll(p.folder);
      } catch (e) {
        this.log.error(`Updating ${p.folder.name} after file changes failed`, e);
      }
    }
  }

  dispose(): void {
    if (this.timer) clearTimeout(this.timer);
    for (const d of [...this.disposables, ...this.configWatchers]) d.dispose();
  }
}
