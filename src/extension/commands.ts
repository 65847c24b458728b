import * as vscode from 'vscode';
import { CONFIG_FILES } from '../core/config/load';
import { ruleDocsUrl } from '../core/docs-link';
import { RULES } from '../core/rules';
import { starterConfig, TEMPLATES, templateById, templateText, type Template } from '../core/templates';
import { isInsertCell } from '../core/types';
import { fileKind } from '../core/workspace/kinds';
import { SHOW_DOCS_COMMAND } from './code-actions';
import { toDiagnostic } from './convert';
import { templateInsert, toWorkspaceEdit } from './edits';
import type { Linting } from './linting';
import type { Log } from './log';
import type { Projects } from './projects';
import { openSample } from './sample';

export const COMMANDS = {
  lintWorkspace: 'mlopsHygiene.lintWorkspace',
  createConfig: 'mlopsHygiene.createConfig',
  insertTemplate: 'mlopsHygiene.insertTemplate',
  showDocs: SHOW_DOCS_COMMAND,
  openSample: 'mlopsHygiene.openSample',
  showOutput: 'mlopsHygiene.showOutput',
  restart: 'mlopsHygiene.restart',
} as const;

export interface WorkspaceLintSummary {
  files: number;
  problems: number;
  cancelled: boolean;
}

export interface CreateConfigOptions {
  preset?: 'recommended' | 'strict';
  folder?: vscode.Uri;
  /** Replace an existing `.mlops-hygiene.yaml` without asking. */
  overwrite?: boolean;
  /** Open the file in an editor (default true). */
  open?: boolean;
}

function yieldToHost(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

export class Commands {
  constructor(
    private readonly projects: Projects,
    private readonly linting: Linting,
    private readonly workspaceCollection: vscode.DiagnosticCollection,
    private readonly log: Log,
    /** Applies pending file-system changes to the index before a workspace run. */
    private readonly flushWatchers: () => Promise<void>,
    /** Where the walkthrough's sample notebook is written (the extension's global storage). */
    private readonly storage: vscode.Uri,
  ) {}

  register(): vscode.Disposable[] {
    return [
      vscode.commands.registerCommand(COMMANDS.lintWorkspace, () => this.lintWorkspace()),
      vscode.commands.registerCommand(COMMANDS.createConfig, (opts?: CreateConfigOptions) => this.createConfig(opts)),
      vscode.commands.registerCommand(COMMANDS.insertTemplate, (id?: string) => this.insertTemplate(id)),
      vscode.commands.registerCommand(COMMANDS.showDocs, (rule?: string) => this.showDocs(rule)),
      vscode.commands.registerCommand(COMMANDS.openSample, () => openSample(this.storage)),
      vscode.commands.registerCommand(COMMANDS.showOutput, () => this.log.show()),
      vscode.commands.registerCommand(COMMANDS.restart, () => {
        this.projects.reloadAll();
        this.linting.relintAll(undefined, 0);
      }),
    ];
  }

  /** Lints every file the config asks for into the Problems panel; open files through the live linter. */
  lintWorkspace(): Thenable<WorkspaceLintSummary> {
    return vscode.window.withProgress(
      { location: vscode.ProgressLocation.Notification, title: 'MLOps Hygiene: linting the workspace', cancellable: true },
      async (progress, token) => {
        const summary: WorkspaceLintSummary = { files: 0, problems: 0, cancelled: false };
        await this.flushWatchers();
        const jobs: Array<{ folder: vscode.WorkspaceFolder; file: string }> = [];
        for (const folder of vscode.workspace.workspaceFolders ?? []) {
          const fp = await this.projects.get(folder);
          for (const file of fp.project.lintableFiles()) jobs.push({ folder, file });
        }
        const started = Date.now();
        let slice = Date.now();
        for (const [i, { folder, file }] of jobs.entries()) {
          if (token.isCancellationRequested) {
            summary.cancelled = true;
            break;
          }
          progress.report({ increment: 100 / Math.max(1, jobs.length), message: `${i + 1}/${jobs.length} ${file}` });
          summary.problems += await this.lintOne(folder, file);
          summary.files++;
          if (Date.now() - slice > 15) {
            await yieldToHost();
            slice = Date.now();
          }
        }
        this.log.info(
          `Lint Workspace: ${summary.problems} problem(s) in ${summary.files} file(s) in ${Date.now() - started} ms${summary.cancelled ? ' (cancelled)' : ''}.`,
        );
        return summary;
      },
    );
  }

  private async lintOne(folder: vscode.WorkspaceFolder, file: string): Promise<number> {
    const uri = vscode.Uri.joinPath(folder.uri, ...file.split('/'));
    const key = uri.toString();
    const nb = vscode.workspace.notebookDocuments.find((n) => n.uri.toString() === key);
    const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === key);
    const open = nb ?? doc;
    if (open) return (await this.linting.lintNow(open))?.findings.length ?? 0;
    const fp = await this.projects.get(folder);
    const text = await fp.fs.readFile(file);
    if (text === undefined) return 0;
    const result = await fp.project.lintFile(file, text);
    // A closed notebook has no cell documents: diagnostics sit on the file, named by cell.
    const notebook = fileKind(file) === 'notebook';
    const diagnostics = result.findings.map((f) => {
      const d = toDiagnostic(f, { fileUri: uri, folderUri: folder.uri, fileRanges: true });
      if (notebook && f.location.cell !== undefined) d.message = `Cell ${f.location.cell + 1}: ${d.message}`;
      return d;
    });
    this.workspaceCollection.set(uri, diagnostics);
    return diagnostics.length;
  }

  async createConfig(opts: CreateConfigOptions = {}): Promise<vscode.Uri | undefined> {
    const folders = vscode.workspace.workspaceFolders ?? [];
    let folder = opts.folder ? vscode.workspace.getWorkspaceFolder(opts.folder) : folders.length === 1 ? folders[0] : undefined;
    if (!folder && folders.length > 1) folder = await vscode.window.showWorkspaceFolderPick({ placeHolder: 'Folder for the team config file' });
    if (!folder) {
      if (!folders.length) void vscode.window.showWarningMessage('MLOps Hygiene: open a folder first; the team config file lives at its root.');
      return undefined;
    }
    const target = vscode.Uri.joinPath(folder.uri, CONFIG_FILES[0]);
    const exists = await vscode.workspace.fs.stat(target).then(
      () => true,
      () => false,
    );
    if (exists && !opts.overwrite) {
      const choice = await vscode.window.showInformationMessage(`${CONFIG_FILES[0]} already exists in ${folder.name}.`, 'Open It');
      if (choice) await vscode.window.showTextDocument(target);
      return undefined;
    }
    let preset = opts.preset;
    if (!preset) {
      const picked = await vscode.window.showQuickPick(
        [
          { label: 'recommended' as const, description: 'Few false positives: fine for CI from day one' },
          { label: 'strict' as const, description: 'Every rule at its default severity' },
        ],
        { title: 'MLOps Hygiene: preset for the team config', placeHolder: 'Which rules should be on?' },
      );
      if (!picked) return undefined;
      preset = picked.label;
    }
    await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(starterConfig(preset, RULES)));
    this.projects.reload(folder);
    this.linting.relintAll(folder, 0);
    if (opts.open !== false) await vscode.window.showTextDocument(target);
    return target;
  }

  async insertTemplate(id?: string): Promise<boolean> {
    const nbEditor = vscode.window.activeNotebookEditor;
    const textEditor = vscode.window.activeTextEditor;
    const inNotebook = nbEditor !== undefined && (!textEditor || textEditor.document.uri.scheme === 'vscode-notebook-cell');
    const language = inNotebook ? 'python' : textEditor ? (fileKind(textEditor.document.uri.path) === 'yaml' || textEditor.document.languageId === 'yaml' ? 'yaml' : 'python') : undefined;
    if (!language) {
      void vscode.window.showInformationMessage('MLOps Hygiene: open a notebook, a Python file or a YAML file to insert a template.');
      return false;
    }
    let template: Template | undefined = id ? templateById(id) : undefined;
    if (!template) {
      const picked = await vscode.window.showQuickPick(
        TEMPLATES.filter((t) => t.language === language).map((t) => ({ label: t.name.replace(/^MLOps: /, ''), description: t.prefix, detail: t.description, t })),
        { title: 'MLOps Hygiene: insert a template', matchOnDescription: true, matchOnDetail: true },
      );
      template = picked?.t;
    }
    if (!template) return false;
    if (inNotebook && nbEditor) {
      const lint = await this.linting.lintNow(nbEditor.notebook);
      if (!lint || lint.kind !== 'notebook') return false;
      const edit = template.cell
        ? templateInsert(lint, template.id)
        : { insertCell: { index: nbEditor.selection?.end ?? lint.cells.length, kind: 'code' as const, source: templateText(template.id) } };
      const ok = await vscode.workspace.applyEdit(toWorkspaceEdit([edit], lint));
      if (ok && isInsertCell(edit)) {
        const range = new vscode.NotebookRange(edit.insertCell.index, edit.insertCell.index + 1);
        nbEditor.selection = range;
        nbEditor.revealRange(range, vscode.NotebookEditorRevealType.InCenterIfOutsideViewport);
      }
      return ok;
    }
    if (!textEditor) return false;
    return textEditor.insertSnippet(new vscode.SnippetString(template.body));
  }

  async showDocs(rule?: string): Promise<boolean> {
    let id = rule;
    if (!id) {
      const picked = await vscode.window.showQuickPick(
        RULES.map((r) => ({ label: r.meta.id, description: r.meta.area, detail: r.meta.docs.summary !== 'TODO' ? r.meta.docs.summary : undefined })),
        { title: 'MLOps Hygiene: rule documentation', matchOnDetail: true },
      );
      id = picked?.label;
    }
    if (!id) return false;
    return vscode.env.openExternal(vscode.Uri.parse(ruleDocsUrl(id)));
  }
}
