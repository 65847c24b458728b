// Finds and reads the team config: `.mlops-hygiene.yaml` / `.yml` at the workspace
// root, else `[tool.mlops-hygiene]` in `pyproject.toml`, else defaults. Every problem
// becomes a ConfigError with file, line, column and key path; the valid part of the
// config is still returned so an editor can keep linting.
import { promises as nodeFs } from 'node:fs';
import * as nodePath from 'node:path';
import { parse as parseToml, TomlError } from 'smol-toml';
import { isAlias, isMap, isPair, isScalar, isSeq, LineCounter, parseDocument, type Document, type Node as YamlNode } from 'yaml';
import type { Rule } from '../rule';
import { RULES } from '../rules';
import { joinPath, type FileSystem } from '../workspace/fs';
import type { HygieneConfig } from './resolve';
import { formatKeyPath, validateConfig, type ConfigIssue, type KeyPath } from './schema';

export interface ConfigError {
  file: string;
  /** 1-based. */
  line: number;
  /** 1-based. */
  column: number;
  /** Key path, e.g. `rules.unseeded-randomness.severity`; `''` for the file as a whole. */
  key: string;
  message: string;
}

export interface LoadedConfig {
  config: HygieneConfig;
  /** The file the config came from, workspace-relative (absolute when outside the workspace); undefined = defaults. */
  file?: string;
  errors: ConfigError[];
}

// JSON is YAML: `.mlops-hygiene.json` is read by the same parser.
export const CONFIG_FILES = ['.mlops-hygiene.yaml', '.mlops-hygiene.yml', '.mlops-hygiene.json'];
export const PYPROJECT = 'pyproject.toml';
/** Where the config lives inside pyproject.toml. */
export const PYPROJECT_TABLE = ['tool', 'mlops-hygiene'];

/** 1-based line and column. */
interface Place {
  line: number;
  column: number;
}

/** Line and column of a key path (`at: 'key'`: its key, else its value); undefined = unknown. */
type Locator = (path: KeyPath, at: 'key' | 'value') => Place | undefined;

/**
 * Loads the config. `explicitPath` (workspace-relative or absolute) skips discovery;
 * a missing explicit file is an error. `rules` decides which rule ids and options exist.
 */
export async function loadConfig(fs: FileSystem, explicitPath?: string, rules: readonly Rule[] = RULES): Promise<LoadedConfig> {
  if (explicitPath !== undefined && explicitPath !== '') {
    const { file, text } = await readExplicit(fs, explicitPath);
    if (text === undefined) return { config: {}, file, errors: [{ file, line: 1, column: 1, key: '', message: `config file not found: ${explicitPath}` }] };
    if (/\.toml$/i.test(file)) {
      const isPyproject = nodePath.posix.basename(file.replace(/\\/g, '/')) === PYPROJECT;
      return loadToml(text, file, isPyproject ? PYPROJECT_TABLE : [], rules, true);
    }
    return loadYaml(text, file, rules);
  }
  for (const f of CONFIG_FILES) {
    const text = await fs.readFile(f);
    if (text !== undefined) return loadYaml(text, f, rules);
  }
  const py = await fs.readFile(PYPROJECT);
  if (py !== undefined) {
    const loaded = loadToml(py, PYPROJECT, PYPROJECT_TABLE, rules, false);
    if (loaded.file !== undefined || loaded.errors.length) return loaded;
  }
  return { config: {}, errors: [] };
}

/** Reads through the workspace FileSystem when the path is inside it, else from disk. */
async function readExplicit(fs: FileSystem, p: string): Promise<{ file: string; text: string | undefined }> {
  const root = (fs as { root?: unknown }).root;
  const workspaceRoot = typeof root === 'string' ? root : undefined;
  if (nodePath.isAbsolute(p)) {
    if (workspaceRoot !== undefined) {
      const rel = nodePath.relative(workspaceRoot, p);
      if (rel !== '' && !rel.startsWith('..') && !nodePath.isAbsolute(rel)) {
        const file = rel.split(nodePath.sep).join('/');
        return { file, text: await fs.readFile(file) };
      }
    }
    return { file: p, text: await readDisk(p) };
  }
  const file = joinPath(p.replace(/\\/g, '/'));
  if (file.startsWith('..') && workspaceRoot !== undefined) {
    const abs = nodePath.resolve(workspaceRoot, p);
    return { file: abs, text: await readDisk(abs) };
  }
  return { file, text: await fs.readFile(file) };
}

async function readDisk(p: string): Promise<string | undefined> {
  try {
    return await nodeFs.readFile(p, 'utf8');
  } catch {
    return undefined;
  }
}

function finish(file: string, value: unknown, locate: Locator, rules: readonly Rule[], prefixErrors: ConfigError[] = [], reportIssues = true): LoadedConfig {
  const { config, issues } = validateConfig(value, rules);
  const errors = [...prefixErrors];
  if (reportIssues) for (const issue of issues) errors.push(toError(file, issue, locate));
  errors.sort((a, b) => a.line - b.line || a.column - b.column);
  return { config, file, errors };
}

function toError(file: string, issue: ConfigIssue, locate: Locator): ConfigError {
  // Fall back to the nearest ancestor that is in the text (a missing required key: its mapping).
  let place: Place | undefined;
  for (let n = issue.path.length; n >= 0 && !place; n--) place = locate(issue.path.slice(0, n), n === issue.path.length ? issue.at : 'value');
  return { file, line: place?.line ?? 1, column: place?.column ?? 1, key: formatKeyPath(issue.path), message: issue.message };
}

// ---------------------------------------------------------------------------
// YAML

export function loadYaml(text: string, file: string, rules: readonly Rule[] = RULES): LoadedConfig {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const at = (offset: number): Place => {
    const p = lineCounter.linePos(offset);
    return { line: p.line, column: p.col };
  };
  const syntax: ConfigError[] = doc.errors.map((e) => ({ file, ...at(e.pos[0]), key: '', message: `invalid YAML: ${e.message.split('\n')[0]}` }));
  let value: unknown;
  try {
    value = doc.toJS({ maxAliasCount: 1000 });
  } catch (e) {
    syntax.push({ file, line: 1, column: 1, key: '', message: `invalid YAML: ${(e as Error).message}` });
  }
  const locate: Locator = (path, target) => {
    const found = yamlLocate(doc, path);
    if (!found) return undefined;
    const node = target === 'key' && found.key ? found.key : (found.value ?? found.key);
    const offset = node?.range?.[0];
    return offset === undefined ? undefined : at(offset);
  };
  // After a syntax error the rest of the tree is a guess: use its valid part, but
  // report only the syntax errors so they are fixed first.
  return finish(file, value, locate, rules, syntax, syntax.length === 0);
}

function yamlLocate(doc: Document, path: KeyPath): { key?: YamlNode; value?: YamlNode } | undefined {
  let cur: unknown = doc.contents;
  let key: YamlNode | undefined;
  for (const k of path) {
    if (isAlias(cur)) cur = cur.resolve(doc);
    if (isMap(cur)) {
      const pair = cur.items.find((it) => isPair(it) && (isScalar(it.key) ? String(it.key.value) : String(it.key)) === String(k));
      if (!pair) return undefined;
      key = pair.key as YamlNode | undefined;
      cur = pair.value;
    } else if (isSeq(cur) && typeof k === 'number') {
      key = undefined;
      cur = cur.items[k];
      if (cur === undefined) return undefined;
    } else {
      return undefined;
    }
  }
  const value = cur as YamlNode | null;
  // `key:` with nothing after it has a null scalar without a useful range: point at the key.
  return { key, value: value && value.range && !(isScalar(value) && value.value === null && value.range[0] === value.range[1]) ? value : undefined };
}

// ---------------------------------------------------------------------------
// TOML

/**
 * Loads a TOML config from the table at `table` (`[]` = the whole file). With
 * `required` false a file without that table is not a config (a pyproject.toml
 * used by other tools only): no file, no errors.
 */
export function loadToml(text: string, file: string, table: readonly string[], rules: readonly Rule[] = RULES, required = true): LoadedConfig {
  let data: Record<string, unknown>;
  try {
    data = parseToml(text) as Record<string, unknown>;
  } catch (e) {
    // A broken pyproject.toml is ours to report only when it seems to hold our table.
    if (!required && !text.includes(table.join('.'))) return { config: {}, errors: [] };
    const err = e as TomlError;
    const message = String(err.message ?? e).replace(/^Invalid TOML document:\s*/, '').split('\n')[0];
    const line = typeof err.line === 'number' ? err.line : 1;
    const column = typeof err.column === 'number' ? err.column : 1;
    return { config: {}, file, errors: [{ file, line, column, key: '', message: `invalid TOML: ${message}` }] };
  }
  let value: unknown = data;
  for (const k of table) value = value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>)[k] : undefined;
  if (value === undefined) {
    if (!required) return { config: {}, errors: [] };
    return { config: {}, file, errors: [{ file, line: 1, column: 1, key: '', message: `no [${table.join('.')}] table in ${file}` }] };
  }
  const positions = tomlPositions(text);
  const locate: Locator = (path, at) => {
    const p = positions.get(JSON.stringify([...table, ...path]));
    return p && (at === 'key' ? (p.key ?? p.value) : (p.value ?? p.key));
  };
  return finish(file, toPlain(value), locate, rules);
}

/** Tables (null-prototype objects in smol-toml) become plain objects; dates stay dates so validation names them. */
function toPlain(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(toPlain);
  const proto = v !== null && typeof v === 'object' ? (Object.getPrototypeOf(v) as unknown) : undefined;
  if (proto === null || proto === Object.prototype) {
    return Object.fromEntries(Object.entries(v as Record<string, unknown>).map(([k, x]) => [k, toPlain(x)]));
  }
  if (typeof v === 'bigint') return Number(v);
  return v;
}

interface TomlPlaces {
  key?: Place;
  value?: Place;
}

/**
 * Where each key and value of a TOML document starts, keyed by its JSON-encoded path
 * (array-of-tables and array elements by index). Only runs on text smol-toml has
 * already accepted, so it skips over values rather than checking them.
 */
export function tomlPositions(text: string): Map<string, TomlPlaces> {
  const out = new Map<string, TomlPlaces>();
  const lineStarts = [0];
  for (let i = 0; i < text.length; i++) if (text[i] === '\n') lineStarts.push(i + 1);
  const place = (offset: number): Place => {
    let lo = 0;
    let hi = lineStarts.length - 1;
    while (lo < hi) {
      const mid = (lo + hi + 1) >> 1;
      if (lineStarts[mid] <= offset) lo = mid;
      else hi = mid - 1;
    }
    return { line: lo + 1, column: offset - lineStarts[lo] + 1 };
  };
  const record = (path: ReadonlyArray<string | number>, kind: 'key' | 'value', offset: number): void => {
    const id = JSON.stringify(path);
    const entry = out.get(id) ?? {};
    if (entry[kind] === undefined) entry[kind] = place(offset);
    out.set(id, entry);
  };

  let i = 0;
  const skipSpace = (newlines: boolean): void => {
    for (;;) {
      const c = text[i];
      if (c === ' ' || c === '\t' || c === '\r' || c === '\uFEFF' || (newlines && c === '\n')) i++;
      else if (c === '#' && newlines) while (i < text.length && text[i] !== '\n') i++;
      else return;
    }
  };
  const readString = (): string => {
    const q = text[i];
    const triple = text.startsWith(q.repeat(3), i);
    const end = triple ? q.repeat(3) : q;
    i += end.length;
    let s = '';
    while (i < text.length && !text.startsWith(end, i)) {
      if (q === '"' && text[i] === '\\') {
        s += text.slice(i, i + 2);
        i += 2;
      } else s += text[i++];
    }
    i += end.length;
    while (triple && text[i] === q) i++; // up to two quotes may close a multi-line string
    return q === '"' ? safeJsonString(s) : s;
  };
  /** A dotted key; returns its parts and where each part starts. */
  const readKey = (): Array<{ name: string; offset: number }> => {
    const parts: Array<{ name: string; offset: number }> = [];
    for (;;) {
      skipSpace(false);
      const offset = i;
      let name: string;
      if (text[i] === '"' || text[i] === "'") name = readString();
      else {
        const m = /^[A-Za-z0-9_-]+/.exec(text.slice(i, i + 256));
        name = m ? m[0] : '';
        i += name.length;
      }
      parts.push({ name, offset });
      skipSpace(false);
      if (text[i] !== '.') return parts;
      i++;
    }
  };
  const readValue = (path: ReadonlyArray<string | number>): void => {
    skipSpace(false);
    record(path, 'value', i);
    const c = text[i];
    if (c === '"' || c === "'") {
      readString();
    } else if (c === '[') {
      i++;
      for (let n = 0; ; n++) {
        skipSpace(true);
        if (text[i] === ']' || i >= text.length) break;
        const before = i;
        readValue([...path, n]);
        skipSpace(true);
        if (text[i] === ',') i++;
        else if (i === before) i++; // never loop on text the scanner does not understand
      }
      i++;
    } else if (c === '{') {
      i++;
      for (;;) {
        skipSpace(true);
        if (text[i] === '}' || i >= text.length) break;
        const before = i;
        const key = readKey();
        recordKey(path, key);
        if (text[i] === '=') i++;
        readValue([...path, ...key.map((k) => k.name)]);
        skipSpace(true);
        if (text[i] === ',') i++;
        else if (i === before) i++;
      }
      i++;
    } else {
      while (i < text.length && !',]}\n#'.includes(text[i])) i++;
    }
  };
  const recordKey = (base: ReadonlyArray<string | number>, key: Array<{ name: string; offset: number }>): void => {
    key.forEach((k, n) => record([...base, ...key.slice(0, n + 1).map((x) => x.name)], 'key', k.offset));
  };

  // Arrays of tables: `[[a.b]]` appends an element; later headers below `a.b` go into the last one.
  const arrayCounts = new Map<string, number>();
  const resolveHeader = (names: string[], isArray: boolean): Array<string | number> => {
    const resolved: Array<string | number> = [];
    names.forEach((name, n) => {
      resolved.push(name);
      const id = JSON.stringify(resolved);
      if (isArray && n === names.length - 1) {
        const next = (arrayCounts.get(id) ?? -1) + 1;
        arrayCounts.set(id, next);
        resolved.push(next);
      } else if (arrayCounts.has(id)) resolved.push(arrayCounts.get(id)!);
    });
    return resolved;
  };

  let table: Array<string | number> = [];
  while (i < text.length) {
    skipSpace(true);
    if (i >= text.length) break;
    if (text[i] === '[') {
      const start = i;
      const isArray = text[i + 1] === '[';
      i += isArray ? 2 : 1;
      const key = readKey();
      table = resolveHeader(
        key.map((k) => k.name),
        isArray,
      );
      // The header is where the table (or array element) is, for both its key and its value.
      const names = key.map((k) => k.name);
      key.forEach((k, n) => record(resolveHeader(names.slice(0, n + 1), false), 'key', k.offset));
      record(table, 'key', key[key.length - 1].offset);
      record(table, 'value', start);
      if (isArray) record(table.slice(0, -1), 'value', start);
      while (i < text.length && text[i] !== '\n') i++;
      continue;
    }
    const key = readKey();
    recordKey(table, key);
    if (text[i] === '=') i++;
    readValue([...table, ...key.map((k) => k.name)]);
    while (i < text.length && text[i] !== '\n') i++;
  }
  return out;
}

function safeJsonString(raw: string): string {
  try {
    return JSON.parse(`"${raw}"`) as string;
  } catch {
    return raw;
  }
}
