import * as vscode from 'vscode';
import { SOURCE } from './convert';
import { isLintableDocument, isLintableNotebook } from './linting';

/** The active document's (or notebook's) findings count; a click opens the Problems panel. */
export class StatusBar implements vscode.Disposable {
  readonly item = vscode.window.createStatusBarItem('mlopsHygiene.status', vscode.StatusBarAlignment.Right, 100);
  private readonly disposables: vscode.Disposable[] = [];
  private pending?: ReturnType<typeof setTimeout>;

  constructor() {
    this.item.name = 'MLOps Hygiene';
    this.item.command = 'workbench.actions.view.problems';
    this.disposables.push(
      vscode.languages.onDidChangeDiagnostics(() => this.scheduleUpdate()),
      vscode.window.onDidChangeActiveTextEditor(() => this.update()),
      vscode.window.onDidChangeActiveNotebookEditor(() => this.update()),
    );
    this.update();
  }

  private scheduleUpdate(): void {
    if (this.pending) return;
    this.pending = setTimeout(() => {
      this.pending = undefined;
      this.update();
    }, 100);
  }

  /** URIs whose diagnostics belong to the active editor: a text document, or a notebook and its cells. */
  private activeUris(): vscode.Uri[] | undefined {
    const nb = vscode.window.activeNotebookEditor?.notebook;
    const doc = vscode.window.activeTextEditor?.document;
    if (nb && isLintableNotebook(nb) && (!doc || doc.uri.scheme === 'vscode-notebook-cell')) return [nb.uri, ...nb.getCells().map((c) => c.document.uri)];
    if (doc && isLintableDocument(doc)) return [doc.uri];
    return undefined;
  }

  update(): void {
    const uris = this.activeUris();
    if (!uris) {
      this.item.hide();
      return;
    }
    const counts = { error: 0, warning: 0, info: 0, hint: 0 };
    for (const uri of uris) {
      for (const d of vscode.languages.getDiagnostics(uri)) {
        if (d.source !== SOURCE) continue;
        if (d.severity === vscode.DiagnosticSeverity.Error) counts.error++;
        else if (d.severity === vscode.DiagnosticSeverity.Warning) counts.warning++;
        else if (d.severity === vscode.DiagnosticSeverity.Information) counts.info++;
        else counts.hint++;
      }
    }
    const total = counts.error + counts.warning + counts.info + counts.hint;
    const icon = counts.error ? '$(error)' : counts.warning ? '$(warning)' : total ? '$(info)' : '$(check)';
    this.item.text = `${icon} MLOps ${total}`;
    this.item.tooltip = new vscode.MarkdownString(
      total
        ? `**MLOps Hygiene**: ${counts.error} error(s), ${counts.warning} warning(s), ${counts.info} info, ${counts.hint} hint(s) here.\n\nClick to open the Problems panel.`
        : '**MLOps Hygiene**: no findings here.',
    );
    this.item.accessibilityInformation = { label: `MLOps Hygiene: ${total} finding${total === 1 ? '' : 's'}` };
    this.item.show();
  }

  dispose(): void {
    if (this.pending) clearTimeout(this.pending);
    for (const d of this.disposables) d.dispose();
    this.item.dispose();
  }
}
