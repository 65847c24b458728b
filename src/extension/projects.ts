// One engine Project per workspace folder (plus one for files outside folders):
// config + workspace index + linter, re-opened when the config file, a .gitignore
// or the folder's settings change. Config file errors become diagnostics on it.
import * as path from 'node:path';
import * as vscode from 'vscode';
import { CONFIG_FILES, loadConfig, loadToml, loadYaml, PYPROJECT, PYPROJECT_TABLE, type ConfigError } from '../core/config/load';
import type { RuleConfig } from '../core/config/resolve';
import { UnitCache } from '../core/parse/program';
import { Project } from '../core/project';
import { MemoryFileSystem, type FileSystem } from '../core/workspace/fs';
import { SOURCE } from './convert';
import { VsCodeFileSystem } from './fs';
import type { Log } from './log';
import { projectKey, readSettings, type EditorSettings } from './settings';

export interface FolderProject {
  /** Counts opens, for logs. */
  serial: number;
  folder: vscode.WorkspaceFolder | undefined;
  project: Project;
  fs: FileSystem;
  settings: EditorSettings;
  /** The config file in use, when there is one. */
  configUri?: vscode.Uri;
}

/** Workspace-relative POSIX path of a URI inside a folder (the URI's path for files outside folders). */
export function relativePath(folder: vscode.WorkspaceFolder | undefined, uri: vscode.Uri): string {
  if (!folder) return path.posix.basename(uri.path) || 'untitled';
  return path.posix.relative(folder.uri.path, uri.path);
}

function configUriOf(folder: vscode.WorkspaceFolder | undefined, file: string | undefined): vscode.Uri | undefined {
  if (!folder || file === undefined) return undefined;
  if (path.isAbsolute(file)) return folder.uri.with({ path: file.split(path.sep).join('/') });
  return vscode.Uri.joinPath(folder.uri, ...file.split('/'));
}

/** A config error as a diagnostic, spanning the token at its line and column. */
function configDiagnostic(e: ConfigError, lineText: string | undefined): vscode.Diagnostic {
  const line = Math.max(0, e.line - 1);
  const col = Math.max(0, e.column - 1);
  const token = lineText !== undefined ? /^[^\s:,#]+/.exec(lineText.slice(col)) : null;
  const end = token ? col + token[0].length : lineText !== undefined ? Math.max(col + 1, lineText.length) : col + 1;
  const d = new vscode.Diagnostic(new vscode.Range(line, col, line, end), e.key ? `${e.key}: ${e.message}` : e.message, vscode.DiagnosticSeverity.Error);
  d.source = SOURCE;
  d.code = 'config';
  return d;
}

export function configDiagnostics(errors: readonly ConfigError[], text: string | undefined): vscode.Diagnostic[] {
  const lines = text?.split(/\r?\n/);
  return errors.map((e) => configDiagnostic(e, lines?.[e.line - 1]));
}

/** Validates a config file's text as it is typed (YAML, or the table in pyproject.toml). */
export function checkConfigText(file: string, text: string): ConfigError[] {
  if (/\.toml$/i.test(file)) return loadToml(text, file, path.posix.basename(file) === PYPROJECT ? PYPROJECT_TABLE : [], undefined, path.posix.basename(file) !== PYPROJECT).errors;
  return loadYaml(text, file).errors;
}

export class Projects implements vscode.Disposable {
  private readonly entries = new Map<string, { key: string; promise: Promise<FolderProject> }>();
  /** Parsed cells survive project re-opens (a settings change does not re-parse anything). */
  readonly cache = new UnitCache();
  readonly configCollection = vscode.languages.createDiagnosticCollection('mlops-hygiene-config');
  private readonly configByFolder = new Map<string, vscode.Uri>();
  private opened = 0;

  constructor(private readonly log: Log) {}

  private id(folder: vscode.WorkspaceFolder | undefined): string {
    return folder?.uri.toString() ?? '';
  }

  /** The folder's project, opening (or re-opening, after a settings change) it when needed. */
  get(folder: vscode.WorkspaceFolder | undefined): Promise<FolderProject> {
    const settings = readSettings(folder?.uri);
    const key = projectKey(settings);
    const existing = this.entries.get(this.id(folder));
    if (existing && existing.key === key) return existing.promise;
    this.log.debug(`${folder?.name ?? 'outside folders'}: ${existing ? 'settings changed' : 'no project yet'}; opening one`);
    const promise = this.open(folder, settings);
    this.entries.set(this.id(folder), { key, promise });
    return promise;
  }

  /** The project if it is already open (or opening), without re-reading settings. */
  peek(folder: vscode.WorkspaceFolder | undefined): Promise<FolderProject> | undefined {
    return this.entries.get(this.id(folder))?.promise;
  }

  /** Forgets a folder's project; the next `get` re-opens it (config or .gitignore changed). */
  reload(folder: vscode.WorkspaceFolder | undefined): void {
    this.entries.delete(this.id(folder));
  }

  reloadAll(): void {
    this.entries.clear();
  }

  /** Whether `uri` is the config file a folder uses, or one the loader would find. */
  isConfigFile(folder: vscode.WorkspaceFolder | undefined, uri: vscode.Uri): boolean {
    if (!folder) return false;
    const inUse = this.configByFolder.get(this.id(folder));
    if (inUse && inUse.toString() === uri.toString()) return true;
    const rel = relativePath(folder, uri);
    return CONFIG_FILES.includes(rel);
  }

  private async open(folder: vscode.WorkspaceFolder | undefined, settings: EditorSettings): Promise<FolderProject> {
    const started = Date.now();
    const serial = ++this.opened;
    const fs: FileSystem = folder ? new VsCodeFileSystem(folder.uri, (op, p, e) => this.log.debug(`${op} ${p}: ${String(e)}`)) : new MemoryFileSystem();
    const configPath = settings.configFile ? settings.configFile.replace(/\$\{workspaceFolder\}/g, folder?.uri.fsPath ?? '') : undefined;
    for (const issue of settings.ruleIssues) this.log.warn(issue);
    let project: Project;
    try {
      const ruleOverrides = settings.precedence === 'configFile' ? await this.settingsUnderConfig(fs, configPath, settings.rules) : settings.rules;
      project = await Project.open(fs, { configPath, ruleOverrides, cache: this.cache, yieldAfterMs: 10 });
    } catch (e) {
      this.log.error(`Could not open ${folder?.name ?? 'the workspace'}; linting with defaults`, e);
      project = await Project.open(new MemoryFileSystem(), { cache: this.cache, yieldAfterMs: 10 });
    }
    const configUri = configUriOf(folder, project.configFile);
    await this.publishConfigErrors(folder, project, configUri, fs);
    this.log.info(
      `${folder ? `Folder ${folder.name}` : 'Files outside folders'} (#${serial}): ${project.workspace.files().length} files indexed in ${Date.now() - started} ms; ` +
        `config: ${project.configFile ?? 'defaults (no .mlops-hygiene.yaml)'}${project.configErrors.length ? ` with ${project.configErrors.length} error(s)` : ''}.`,
    );
    return { serial, folder, project, fs, settings, configUri };
  }

  /**
   * Precedence `configFile`: the editor's rule settings apply only to rules the
   * config file sets nowhere (neither in `rules` nor in an override).
   */
  private async settingsUnderConfig(fs: FileSystem, configPath: string | undefined, rules: Record<string, RuleConfig>): Promise<Record<string, RuleConfig>> {
    if (Object.keys(rules).length === 0) return rules;
    const loaded = await loadConfig(fs, configPath);
    const setByFile = new Set([...Object.keys(loaded.config.rules ?? {}), ...(loaded.config.overrides ?? []).flatMap((o) => Object.keys(o.rules ?? {}))]);
    return Object.fromEntries(Object.entries(rules).filter(([id]) => !setByFile.has(id)));
  }

  private async publishConfigErrors(folder: vscode.WorkspaceFolder | undefined, project: Project, configUri: vscode.Uri | undefined, fs: FileSystem): Promise<void> {
    const id = this.id(folder);
    const previous = this.configByFolder.get(id);
    if (previous) this.configCollection.delete(previous);
    if (!configUri) {
      this.configByFolder.delete(id);
      return;
    }
    this.configByFolder.set(id, configUri);
    const open = vscode.workspace.textDocuments.find((d) => d.uri.toString() === configUri.toString());
    // An open, edited config is validated as typed (see `checkOpenConfig`); else the file on disk.
    if (open?.isDirty) {
      this.checkOpenConfig(folder, open);
      return;
    }
    const text = project.configFile && !path.isAbsolute(project.configFile) ? await fs.readFile(project.configFile) : undefined;
    this.configCollection.set(configUri, configDiagnostics(project.configErrors, text));
  }

  /** Validates an open config document's current text. */
  checkOpenConfig(folder: vscode.WorkspaceFolder | undefined, doc: vscode.TextDocument): void {
    const text = doc.getText();
    const file = relativePath(folder, doc.uri);
    this.configCollection.set(doc.uri, configDiagnostics(checkConfigText(file, text), text));
  }

  dispose(): void {
    this.configCollection.dispose();
    this.entries.clear();
  }
}
