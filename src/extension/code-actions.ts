// The code-action menu per finding, as vscode-eslint builds it, plus fix-all
// source actions for files, cells and whole notebooks, and notebook templates.
import * as vscode from 'vscode';
import { selectEdits } from '../core/fix/apply';
import { TEMPLATES } from '../core/templates';
import { isInsertCell, type Finding } from '../core/types';
import { diagnosticKey, ruleOf, toRange } from './convert';
import { ignoreCellEdit, ignoreFileEdit, ignoreLineEdit, templateInsert, toWorkspaceEdit } from './edits';
import type { Lint, Linting } from './linting';
import { readSettings } from './settings';

export const FIX_ALL_KIND = vscode.CodeActionKind.SourceFixAll.append('mlopsHygiene');
/** `notebook.source.fixAll.mlopsHygiene`: asked once per notebook (on its first cell) by `notebook.codeActionsOnSave`. */
export const NOTEBOOK_FIX_ALL_KIND = vscode.CodeActionKind.Notebook.append(vscode.CodeActionKind.SourceFixAll.value).append('mlopsHygiene');
export const TEMPLATE_KIND = vscode.CodeActionKind.Source.append('mlopsHygiene').append('template');
export const SHOW_DOCS_COMMAND = 'mlopsHygiene.showDocs';

/**
 * Quick-fix sub-kinds (all under `quickfix`, so they show with the fixes), one per
 * action type, so a keybinding or `editor.action.codeAction { kind }` can pick one.
 */
const QUICK_FIX = vscode.CodeActionKind.QuickFix;
export const QUICK_FIX_KINDS = {
  fixAllRule: QUICK_FIX.append('mlopsHygiene').append('fixAll'),
  ignoreLine: QUICK_FIX.append('mlopsHygiene').append('ignore').append('line'),
  ignoreCell: QUICK_FIX.append('mlopsHygiene').append('ignore').append('cell'),
  ignoreFile: QUICK_FIX.append('mlopsHygiene').append('ignore').append('file'),
  docs: QUICK_FIX.append('mlopsHygiene').append('docs'),
};

/** Rules whose findings no directive can silence (the engine keeps them). */
const NOT_SUPPRESSIBLE = new Set(['invalid-notebook', 'invalid-yaml', 'unused-suppression']);

/** Whether a request for `only` can want actions of `kind` or of its sub-kinds. */
function wants(only: vscode.CodeActionKind | undefined, kind: vscode.CodeActionKind, explicitOnly: boolean): boolean {
  if (!only) return !explicitOnly;
  return only.intersects(kind);
}

function findingsOf(lint: Lint, cell: number | undefined): Finding[] {
  return lint.kind === 'notebook' ? lint.findings.filter((f) => f.location.cell === cell) : lint.findings;
}

/** A safe edit set from findings; for one cell, only fixes that edit that cell's text. */
function safeEdits(findings: readonly Finding[], cell?: number) {
  const usable =
    cell === undefined
      ? findings
      : findings.filter((f) => f.location.cell === cell && f.fixes.some((x) => x.safety === 'safe' && x.edits.every((e) => !isInsertCell(e) && e.cell === cell)));
  return selectEdits(usable);
}

export class CodeActions implements vscode.CodeActionProvider {
  static readonly metadata: vscode.CodeActionProviderMetadata = {
    providedCodeActionKinds: [vscode.CodeActionKind.QuickFix, FIX_ALL_KIND, NOTEBOOK_FIX_ALL_KIND, TEMPLATE_KIND],
  };

  constructor(private readonly linting: Linting) {}

  async provideCodeActions(
    doc: vscode.TextDocument,
    range: vscode.Range | vscode.Selection,
    context: vscode.CodeActionContext,
    token: vscode.CancellationToken,
  ): Promise<vscode.CodeAction[]> {
    const ours = context.diagnostics.filter((d) => ruleOf(d) !== undefined);
    const only = context.only;
    const wantQuickFix = wants(only, vscode.CodeActionKind.QuickFix, false) && ours.length > 0;
    const wantFixAll = wants(only, FIX_ALL_KIND, true);
    const wantNotebookFixAll = wants(only, NOTEBOOK_FIX_ALL_KIND, true);
    const wantTemplates = wants(only, TEMPLATE_KIND, true);
    if (!wantQuickFix && !wantFixAll && !wantNotebookFixAll && !wantTemplates) return [];
    const r = await this.linting.resultFor(doc);
    if (!r || token.isCancellationRequested) return [];
    const { lint, cell } = r;
    const actions: vscode.CodeAction[] = [];
    if (wantQuickFix) actions.push(...this.quickFixes(doc, lint, cell, ours));
    if (wantFixAll && (lint.kind === 'text' || cell !== undefined)) {
      const { edits } = safeEdits(lint.findings, lint.kind === 'notebook' ? cell : undefined);
      if (edits.length) {
        const a = new vscode.CodeAction(`Fix all safe MLOps Hygiene problems in this ${lint.kind === 'notebook' ? 'cell' : 'file'}`, FIX_ALL_KIND);
        a.edit = toWorkspaceEdit(edits, lint);
        actions.push(a);
      }
    }
    if (wantNotebookFixAll && lint.kind === 'notebook') {
      const { edits } = safeEdits(lint.findings);
      if (edits.length) {
        const a = new vscode.CodeAction('Fix all safe MLOps Hygiene problems in this notebook', NOTEBOOK_FIX_ALL_KIND);
        a.edit = toWorkspaceEdit(edits, lint);
        actions.push(a);
      }
    }
    if (wantTemplates && lint.kind === 'notebook') {
      for (const t of TEMPLATES) {
        if (!t.cell) continue;
        const a = new vscode.CodeAction(t.cell.title, TEMPLATE_KIND.append(t.id));
        a.edit = toWorkspaceEdit([templateInsert(lint, t.id)], lint);
        actions.push(a);
      }
    }
    return only ? actions.filter((a) => a.kind && only.contains(a.kind)) : actions;
  }

  private quickFixes(doc: vscode.TextDocument, lint: Lint, cell: number | undefined, diagnostics: readonly vscode.Diagnostic[]): vscode.CodeAction[] {
    const findings = findingsOf(lint, cell);
    const byKey = new Map(findings.map((f) => [diagnosticKey(f.rule, toRange(f.location.range), f.message), f]));
    const how = readSettings(lint.fp.folder?.uri).ignoreCellWith;
    const where = lint.kind === 'notebook' ? 'notebook' : 'file';
    const fixes: vscode.CodeAction[] = [];
    const fixAlls: vscode.CodeAction[] = [];
    const ignores: vscode.CodeAction[] = [];
    const docs: vscode.CodeAction[] = [];
    const seen = new Set<string>();
    const once = (key: string): boolean => (seen.has(key) ? false : (seen.add(key), true));
    for (const d of diagnostics) {
      const rule = ruleOf(d)!;
      const f = byKey.get(diagnosticKey(rule, d.range, d.message));
      if (!f) continue;
      f.fixes.forEach((fix, i) => {
        const a = new vscode.CodeAction(fix.safety === 'unsafe' ? `${fix.title} (unsafe fix)` : fix.title, vscode.CodeActionKind.QuickFix);
        a.diagnostics = [d];
        a.isPreferred = i === 0 && fix.safety === 'safe';
        a.edit = toWorkspaceEdit(fix.edits, lint);
        fixes.push(a);
      });
      if (once(`all:${rule}`)) {
        const same = lint.findings.filter((x) => x.rule === rule && x.fixes.some((y) => y.safety === 'safe'));
        if (same.length > 1) {
          const { edits } = selectEdits(same);
          const a = new vscode.CodeAction(`Fix all ${rule} problems in this ${where}`, QUICK_FIX_KINDS.fixAllRule);
          a.edit = toWorkspaceEdit(edits, lint);
          fixAlls.push(a);
        }
      }
      if (!NOT_SUPPRESSIBLE.has(rule)) {
        if (once(`line:${rule}:${d.range.start.line}`)) {
          const edit = ignoreLineEdit(doc, d.range.start.line, rule);
          if (edit) ignores.push(action(`Ignore ${rule} for this line`, QUICK_FIX_KINDS.ignoreLine, edit));
        }
        if (lint.kind === 'notebook' && cell !== undefined && once(`cell:${rule}`)) {
          const edit = ignoreCellEdit(lint, cell, rule, how);
          if (edit) ignores.push(action(`Ignore ${rule} for this cell`, QUICK_FIX_KINDS.ignoreCell, edit));
        }
        if (once(`file:${rule}`)) {
          const edit = ignoreFileEdit(lint, rule, how);
          if (edit) ignores.push(action(`Ignore ${rule} for this ${where}`, QUICK_FIX_KINDS.ignoreFile, edit));
        }
      }
      if (once(`docs:${rule}`)) {
        const a = new vscode.CodeAction(`Show documentation for ${rule}`, QUICK_FIX_KINDS.docs);
        a.command = { title: a.title, command: SHOW_DOCS_COMMAND, arguments: [rule] };
        docs.push(a);
      }
    }
    return [...fixes, ...fixAlls, ...ignores, ...docs];
  }
}

function action(title: string, kind: vscode.CodeActionKind, edit: vscode.WorkspaceEdit): vscode.CodeAction {
  const a = new vscode.CodeAction(title, kind);
  a.edit = edit;
  return a;
}
