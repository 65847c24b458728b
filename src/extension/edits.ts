// Engine edits and suppressions as VS Code WorkspaceEdits: text edits on a file or
// on cell documents, inserted cells and metadata changes as NotebookEdits.
import * as vscode from 'vscode';
import { dataReads } from '../core/rules/lib/data-io';
import { PythonProgram } from '../core/parse/program';
import { templateCellEdit } from '../core/templates';
import { isInsertCell, type Edit, type InsertCellEdit } from '../core/types';
import { cellFields, cellMetadata, notebookFields, notebookMetadata, toRange } from './convert';
import type { IgnoreCellWith } from './manifest';
import type { Lint, NotebookLint } from './linting';

type Json = Record<string, unknown>;

function isRecord(v: unknown): v is Json {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Engine edits as one WorkspaceEdit. Inserted cells go last-first so earlier indexes stay valid. */
export function toWorkspaceEdit(edits: readonly Edit[], lint: Lint, into = new vscode.WorkspaceEdit()): vscode.WorkspaceEdit {
  const inserts: InsertCellEdit['insertCell'][] = [];
  for (const e of edits) {
    if (isInsertCell(e)) {
      inserts.push(e.insertCell);
      continue;
    }
    if (lint.kind === 'text') into.replace(lint.document.uri, toRange(e.range), e.newText);
    else if (e.cell !== undefined && lint.cells[e.cell]) into.replace(lint.cells[e.cell].document.uri, toRange(e.range), e.newText);
  }
  if (inserts.length && lint.kind === 'notebook') {
    const language = lint.model.language === 'python' ? 'python' : lint.model.language;
    const nbEdits = inserts
      .sort((a, b) => b.index - a.index)
      .map((ins) =>
        vscode.NotebookEdit.insertCells(Math.min(ins.index, lint.cells.length), [
          new vscode.NotebookCellData(ins.kind === 'markdown' ? vscode.NotebookCellKind.Markup : vscode.NotebookCellKind.Code, ins.source, ins.kind === 'markdown' ? 'markdown' : language),
        ]),
      );
    into.set(lint.notebook.uri, nbEdits);
  }
  return into;
}

// ---------------------------------------------------------------------------
// Suppressions (the syntax is the engine's, see src/core/suppressions.ts).

const LINE_DIRECTIVE = /#\s*mlops-hygiene:\s*ignore(?![-\w])(\[([^\]]*)\])?/;
const CELL_DIRECTIVE = /#\s*mlops-hygiene:\s*ignore-cell(\[([^\]]*)\])?/;
const FILE_DIRECTIVE = /#\s*mlops-hygiene:\s*ignore-file(\[([^\]]*)\])?/;

interface TextInsert {
  uri: vscode.Uri;
  position: vscode.Position;
  text: string;
}

/** Adds `rule` to an existing directive's list; undefined when the directive already covers it. */
function extendDirective(uri: vscode.Uri, line: number, lineText: string, m: RegExpExecArray, rule: string): TextInsert | undefined {
  if (m[1] === undefined) return undefined; // no list: every rule is covered already
  const ids = (m[2] ?? '').split(',').map((s) => s.trim());
  if (ids.includes(rule)) return undefined;
  const close = m.index + m[0].length - 1;
  return { uri, position: new vscode.Position(line, close), text: ids.filter(Boolean).length ? `, ${rule}` : rule };
}

/** `# mlops-hygiene: ignore[rule]` at the end of the line (above it after a line continuation). */
export function ignoreLineInsert(doc: vscode.TextDocument, line: number, rule: string): TextInsert | undefined {
  const text = doc.lineAt(line).text;
  const m = LINE_DIRECTIVE.exec(text);
  if (m) return extendDirective(doc.uri, line, text, m, rule);
  const trimmed = text.replace(/\s+$/, '');
  if (trimmed.endsWith('\\')) {
    const indent = /^\s*/.exec(text)?.[0] ?? '';
    return { uri: doc.uri, position: new vscode.Position(line, 0), text: `${indent}# mlops-hygiene: ignore[${rule}]\n` };
  }
  return { uri: doc.uri, position: new vscode.Position(line, trimmed.length), text: `${trimmed.length ? '  ' : ''}# mlops-hygiene: ignore[${rule}]` };
}

/** A `# mlops-hygiene: <kind>[rule]` line at the top of a document (after a shebang or coding line). */
function topDirectiveInsert(doc: vscode.TextDocument, kind: 'ignore-cell' | 'ignore-file', rule: string): TextInsert | undefined {
  const re = kind === 'ignore-cell' ? CELL_DIRECTIVE : FILE_DIRECTIVE;
  for (let i = 0; i < Math.min(doc.lineCount, 10); i++) {
    const t = doc.lineAt(i).text;
    const m = re.exec(t);
    if (m) return extendDirective(doc.uri, i, t, m, rule);
  }
  let line = 0;
  while (line < Math.min(doc.lineCount, 2) && /^#!|^#.*coding[:=]/.test(doc.lineAt(line).text)) line++;
  return { uri: doc.uri, position: new vscode.Position(line, 0), text: `# mlops-hygiene: ${kind}[${rule}]\n` };
}

function applyInsert(ins: TextInsert | undefined, edit: vscode.WorkspaceEdit): boolean {
  if (!ins) return false;
  edit.insert(ins.uri, ins.position, ins.text);
  return true;
}

function withIgnored(meta: Json, rule: string): Json {
  const own = isRecord(meta['mlops-hygiene']) ? meta['mlops-hygiene'] : {};
  const ignore = Array.isArray(own.ignore) ? own.ignore.filter((x): x is string => typeof x === 'string') : [];
  return { ...meta, 'mlops-hygiene': { ...own, ignore: ignore.includes(rule) ? ignore : [...ignore, rule] } };
}

function withTag(meta: Json, tag: string): Json {
  const tags = Array.isArray(meta.tags) ? meta.tags.filter((x): x is string => typeof x === 'string') : [];
  return { ...meta, tags: tags.includes(tag) ? tags : [...tags, tag] };
}

/** The cell's VS Code metadata with its nbformat `metadata` replaced (ipynb layout, old or new). */
function cellMetadataWith(cell: vscode.NotebookCell, nbMeta: Json): Json {
  const md = cell.metadata as Json;
  if (isRecord(md.custom)) return { ...md, custom: { ...cellFields(cell), metadata: nbMeta } };
  return { ...md, metadata: nbMeta };
}

function notebookMetadataWith(nb: vscode.NotebookDocument, nbMeta: Json): Json {
  const md = nb.metadata as Json;
  if (isRecord(md.custom)) return { ...md, custom: { ...notebookFields(nb), metadata: nbMeta } };
  return { ...md, metadata: nbMeta };
}

export function ignoreLineEdit(doc: vscode.TextDocument, line: number, rule: string): vscode.WorkspaceEdit | undefined {
  const edit = new vscode.WorkspaceEdit();
  return applyInsert(ignoreLineInsert(doc, line, rule), edit) ? edit : undefined;
}

export function ignoreCellEdit(lint: NotebookLint, cell: number, rule: string, how: IgnoreCellWith): vscode.WorkspaceEdit | undefined {
  const c = lint.cells[cell];
  if (!c) return undefined;
  const edit = new vscode.WorkspaceEdit();
  const isCode = c.kind === vscode.NotebookCellKind.Code && c.document.languageId !== 'raw' && c.document.languageId !== 'markdown';
  if (how === 'comment' && isCode) return applyInsert(topDirectiveInsert(c.document, 'ignore-cell', rule), edit) ? edit : undefined;
  const meta = cellMetadata(c);
  const next = how === 'metadata' ? withIgnored(meta, rule) : withTag(meta, `mlops-hygiene-ignore:${rule}`);
  edit.set(lint.notebook.uri, [vscode.NotebookEdit.updateCellMetadata(cell, cellMetadataWith(c, next))]);
  return edit;
}

export function ignoreFileEdit(lint: Lint, rule: string, how: IgnoreCellWith): vscode.WorkspaceEdit | undefined {
  const edit = new vscode.WorkspaceEdit();
  if (lint.kind === 'text') return applyInsert(topDirectiveInsert(lint.document, 'ignore-file', rule), edit) ? edit : undefined;
  const firstCode = lint.cells.find((c) => c.kind === vscode.NotebookCellKind.Code && c.document.languageId !== 'raw');
  if (how === 'comment' && firstCode) return applyInsert(topDirectiveInsert(firstCode.document, 'ignore-file', rule), edit) ? edit : undefined;
  edit.set(lint.notebook.uri, [vscode.NotebookEdit.updateNotebookMetadata(notebookMetadataWith(lint.notebook, withIgnored(notebookMetadata(lint.notebook), rule)))]);
  return edit;
}

// ---------------------------------------------------------------------------
// Notebook templates.

/** The insert-cell edit for a template, placed by the engine's template rules (after imports, after the load, top). */
export function templateInsert(lint: NotebookLint, templateId: string): InsertCellEdit {
  const cache = lint.fp.project.linter.cache;
  const code = lint.model.cells.filter((c) => c.kind === 'code');
  const program = PythonProgram.fromUnits(
    cache,
    code.map((c) => ({ cell: c.index, text: c.source })),
  );
  const dataLoads = dataReads(program).map((r) => ({ cell: r.rc.unit.cell, assignedTo: r.rc.call.assignedTo?.[0] }));
  return templateCellEdit(templateId, { cells: lint.model.cells, program, dataLoads });
}
