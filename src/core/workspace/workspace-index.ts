import ignore, { type Ignore } from 'ignore';
import picomatch from 'picomatch';
import { parse as parseToml } from 'smol-toml';
import { isMap, isScalar, LineCounter, parse as parseYamlValue, parseDocument } from 'yaml';
import { parseNotebook } from '../parse/notebook';
import { PythonProgram, UnitCache } from '../parse/program';
import { initPython } from '../parse/python';
import type { Range } from '../types';
import { basename, dirname, joinPath, type FileSystem } from './fs';
import { classifyYaml, fileKind, MAKEFILES, type ConfigKind, type FileKind } from './kinds';

export interface DvcStage {
  /** The dvc.yaml that declares it. */
  file: string;
  name: string;
  /** Working directory of the stage, workspace-relative. */
  wdir: string;
  cmd: string[];
  deps: string[];
  outs: string[];
  metrics: string[];
  plots: string[];
  /** Params per params file (workspace-relative); `params.yaml` by default. */
  params: Array<{ file: string; keys: string[] }>;
  /** Where the stage's name is in its dvc.yaml. */
  range?: Range;
  /** A `foreach`/`matrix` stage: its fields may hold `${item}`-style templates. */
  generated?: boolean;
}

export interface Tracking {
  tracked: boolean;
  /** What tracks it, e.g. `data/train.csv.dvc`, `dvc.yaml stage prepare`, `.gitattributes (LFS)`. */
  by?: string;
}

/** A params file as the index read it (`params.yaml`, or any file a stage names). */
export type ParamsFile =
  | { status: 'ok'; value: unknown }
  | { status: 'missing' }
  | { status: 'invalid'; message: string }
  /** Python params files: keys are not read. */
  | { status: 'unsupported' };

export type ScriptKind = 'python' | 'module' | 'notebook' | 'r' | 'shell' | 'julia';

/** A script a stage command runs, as written in the command. */
export interface CommandScript {
  kind: ScriptKind;
  /** A path relative to the stage's wdir, or a dotted module name for `python -m`. */
  target: string;
  /** Offsets of the word in the command text. */
  start: number;
  end: number;
  /** Working directory the runner gives the script, relative to the wdir (papermill `--cwd`, nbconvert: the notebook's folder). */
  cwd?: string;
}

/** A script a stage runs, resolved to a workspace file. */
export interface StageScript extends CommandScript {
  /** Workspace-relative path of the file. */
  path: string;
  /** Index into the stage's `cmd` list. */
  cmdIndex: number;
  /** Workspace-relative working directory the script runs in. */
  cwdPath: string;
}

interface Contribution {
  kind: FileKind;
  configKind?: ConfigKind;
  /** Paths a `.dvc` sidecar tracks. */
  dvcOuts?: string[];
  stages?: DvcStage[];
  /** `vars:` of a dvc.yaml: workspace-relative files and inline values. */
  dvcVars?: Array<string | Record<string, unknown>>;
  /** LFS patterns of a .gitattributes, already made workspace-relative matchers. */
  lfs?: string[];
  /** Targets of a top-level Makefile. */
  makeTargets?: string[];
}

/** Folders never worth walking. */
export const SKIP_DIRS = new Set(['.git', 'node_modules', '.venv', 'venv', '__pycache__', '.ipynb_checkpoints', '.mypy_cache', '.pytest_cache', '.tox', '.cache', '.vscode-test', '.dvc']);

/** Scripts and params files larger than this are not summarised. */
const MAX_FACTS_BYTES = 2 * 1024 * 1024;

function asStrings(v: unknown): string[] {
  if (typeof v === 'string') return [v];
  if (!Array.isArray(v)) return [];
  const out: string[] = [];
  for (const x of v) {
    if (typeof x === 'string') out.push(x);
    else if (x && typeof x === 'object' && !Array.isArray(x)) out.push(...Object.keys(x));
  }
  return out;
}

function safeYaml(text: string): unknown {
  try {
    return parseYamlValue(text, { uniqueKeys: false, maxAliasCount: 100 });
  } catch {
    return undefined;
  }
}

function record(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

function isDvcPipelineFile(p: string): boolean {
  const b = basename(p);
  return b === 'dvc.yaml' || b === 'dvc.yml';
}

interface ParsedDvc {
  stages: DvcStage[];
  vars: Array<string | Record<string, unknown>>;
}

function parseDvcFile(file: string, text: string): ParsedDvc {
  const lc = new LineCounter();
  let root: Record<string, unknown> | undefined;
  let doc: ReturnType<typeof parseDocument> | undefined;
  try {
    doc = parseDocument(text, { uniqueKeys: false, lineCounter: lc });
    root = doc.errors.length ? undefined : record(doc.toJS({ maxAliasCount: 100 }));
  } catch {
    root = undefined;
  }
  const dir = dirname(file);
  const vars: ParsedDvc['vars'] = [];
  for (const v of Array.isArray(root?.vars) ? root.vars : []) {
    if (typeof v === 'string') vars.push(joinPath(dir, v.replace(/:[^/]*$/, '')));
    else if (record(v)) vars.push(v as Record<string, unknown>);
  }
  const stages = record(root?.stages);
  if (!stages) return { stages: [], vars };
  // Ranges of the stage names, for related information pointing at a stage.
  const ranges = new Map<string, Range>();
  const stagesNode = isMap(doc?.contents) ? doc.contents.get('stages', true) : undefined;
  if (isMap(stagesNode)) {
    for (const it of stagesNode.items) {
      if (!isScalar(it.key) || !it.key.range) continue;
      const s = lc.linePos(it.key.range[0]);
      const e = lc.linePos(it.key.range[1]);
      ranges.set(String(it.key.value), { start: { line: s.line - 1, character: s.col - 1 }, end: { line: e.line - 1, character: e.col - 1 } });
    }
  }
  const out: DvcStage[] = [];
  for (const [name, raw] of Object.entries(stages)) {
    const outer = record(raw);
    if (!outer) continue;
    const generated = outer.foreach !== undefined || outer.matrix !== undefined;
    const s = outer.foreach !== undefined ? record(outer.do) : outer;
    if (!s) continue;
    const wdir = joinPath(dir, typeof s.wdir === 'string' ? s.wdir : '');
    const rel = (p: string): string => joinPath(wdir, p);
    const params: DvcStage['params'] = [];
    const defaultKeys: string[] = [];
    for (const p of Array.isArray(s.params) ? s.params : []) {
      if (typeof p === 'string') defaultKeys.push(p);
      else if (record(p)) for (const [f, keys] of Object.entries(p as Record<string, unknown>)) params.push({ file: rel(f), keys: asStrings(keys) });
    }
    if (defaultKeys.length) params.unshift({ file: rel('params.yaml'), keys: defaultKeys });
    const stage: DvcStage = {
      file,
      name,
      wdir,
      cmd: asStrings(s.cmd),
      deps: asStrings(s.deps).map(rel),
      outs: asStrings(s.outs).map(rel),
      metrics: asStrings(s.metrics).map(rel),
      plots: asStrings(s.plots).map(rel),
      params,
    };
    const range = ranges.get(name);
    if (range) stage.range = range;
    if (generated) stage.generated = true;
    out.push(stage);
  }
  return { stages: out, vars };
}

export function parseDvcStages(file: string, text: string): DvcStage[] {
  return parseDvcFile(file, text).stages;
}

function sidecarOuts(file: string, text: string): string[] {
  const root = record(safeYaml(text));
  const outs = Array.isArray(root?.outs) ? root.outs : [];
  const paths = outs.map((o) => record(o)?.path).filter((p): p is string => typeof p === 'string');
  const dir = dirname(file);
  return paths.length ? paths.map((p) => joinPath(dir, p)) : [file.slice(0, -'.dvc'.length)];
}

/**
 * Targets of a Makefile: names before a `:` at the start of a line (not a recipe line,
 * which starts with a tab, not a special target such as `.PHONY`, not a `:=` assignment,
 * not a pattern or variable target).
 */
export function makefileTargets(text: string): string[] {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    if (!line || line[0] === '\t' || line[0] === '.' || line[0] === '#' || line[0] === ' ') continue;
    const m = /^([^:=#]+?)\s*::?(?!=)/.exec(line);
    if (!m) continue;
    for (const name of m[1].split(/\s+/)) if (/^[A-Za-z0-9_][\w./+-]*$/.test(name) && !out.includes(name)) out.push(name);
  }
  return out;
}

function isTopMakefile(p: string): boolean {
  return MAKEFILES.includes(p);
}

function lfsPatterns(file: string, text: string): string[] {
  const dir = dirname(file);
  const out: string[] = [];
  for (const line of text.split(/\r?\n/)) {
    const t = line.trim();
    if (!t || t.startsWith('#')) continue;
    const [pattern, ...attrs] = t.split(/\s+/);
    if (!attrs.some((a) => a === 'filter=lfs')) continue;
    // gitattributes: a pattern without a slash matches the name at any depth.
    const rel = pattern.replace(/^\//, '');
    const glob = pattern.includes('/') ? joinPath(dir, rel) : joinPath(dir, '**', rel);
    out.push(glob, glob + '/**');
  }
  return out;
}

/** The entry of the nearest folder above `p` (deepest first): O(depth), not O(entries). */
function ancestorEntry(map: ReadonlyMap<string, string>, p: string): string | undefined {
  for (let i = p.lastIndexOf('/'); i > 0; i = p.lastIndexOf('/', i - 1)) {
    const by = map.get(p.slice(0, i));
    if (by) return by;
  }
  return undefined;
}

function under(p: string, dir: string): boolean {
  return dir === '' || p === dir || p.startsWith(dir + '/');
}

// ---------------------------------------------------------------------------
// Stage commands: which scripts a `cmd` runs.

interface Word {
  text: string;
  start: number;
  end: number;
  op?: boolean;
}

/** Shell words of a command with their offsets (quotes removed, no expansion). */
function commandWords(cmd: string): Word[] {
  const src = cmd.replace(/\\\r?\n/g, (m) => ' '.repeat(m.length));
  const re = /"((?:[^"\\]|\\.)*)"|'([^']*)'|(&&|\|\||[;|&\n()])|([^\s"';|&()]+)/g;
  const out: Word[] = [];
  let m: RegExpExecArray | null;
  while ((m = re.exec(src))) {
    if (m[3] !== undefined) out.push({ text: m[3], start: m.index, end: m.index + m[0].length, op: true });
    else if (m[1] !== undefined || m[2] !== undefined) out.push({ text: m[1] ?? m[2], start: m.index + 1, end: m.index + m[0].length - 1 });
    else out.push({ text: m[4], start: m.index, end: m.index + m[0].length });
  }
  return out;
}

const PYTHON = /^(python[\d.]*|py|pythonw|ipython3?)$/;
const WRAPPERS = new Set(['time', 'nohup', 'exec', 'sudo', 'env', 'xvfb-run', 'command', 'stdbuf', 'nice']);
const RUN_TOOLS = new Set(['uv', 'poetry', 'pipenv', 'pdm', 'hatch', 'rye', 'conda', 'mamba', 'micromamba']);
/** Launchers whose script is the first `.py` word after them. */
const LAUNCHERS = /^(torchrun|accelerate|deepspeed|horovodrun|mpirun|mpiexec|srun|streamlit|composer|lightning)$/;
const LAUNCHER_MODULES = /^(torch\.distributed\.(run|launch)|accelerate\.commands\.launch|deepspeed|streamlit)$/;
/** Python options that take a value. */
const PY_OPTS_WITH_VALUE = new Set(['-W', '-X', '--check-hash-based-pycs']);

function scriptKindOf(word: string): ScriptKind | undefined {
  if (/\.py$/.test(word)) return 'python';
  if (/\.ipynb$/.test(word)) return 'notebook';
  if (/\.[Rr]$/.test(word)) return 'r';
  if (/\.(sh|bash|zsh)$/.test(word)) return 'shell';
  if (/\.jl$/.test(word)) return 'julia';
  return undefined;
}

function scriptsOfCommand(w: Word[]): CommandScript[] {
  let i = 0;
  while (i < w.length) {
    const t = w[i].text;
    if (/^[A-Za-z_][A-Za-z0-9_]*=/.test(t) || WRAPPERS.has(t)) i++;
    else if (RUN_TOOLS.has(t) && w[i + 1]?.text === 'run') {
      i += 2;
      // `conda run -n env`, `uv run --with x`: options (and the value of -n/-p/--name/--prefix).
      while (i < w.length && w[i].text.startsWith('-')) i += /^(-n|-p|--name|--prefix|--with|--python|-e|--env)$/.test(w[i].text) ? 2 : 1;
    } else break;
  }
  if (i >= w.length) return [];
  const head = w[i];
  const cmd = basename(head.text);
  const firstWith = (re: RegExp, from: number): Word | undefined => w.slice(from).find((x) => re.test(x.text));
  const script = (x: Word | undefined, kind?: ScriptKind, cwd?: string): CommandScript[] => {
    if (!x) return [];
    const k = kind ?? scriptKindOf(x.text);
    return k ? [{ kind: k, target: x.text, start: x.start, end: x.end, ...(cwd !== undefined ? { cwd } : {}) }] : [];
  };
  if (PYTHON.test(cmd)) {
    let j = i + 1;
    while (j < w.length && w[j].text.startsWith('-')) {
      const o = w[j].text;
      if (o === '-m') {
        const mod = w[j + 1];
        if (!mod) return [];
        if (LAUNCHER_MODULES.test(mod.text)) return script(firstWith(/\.py$/, j + 2), 'python');
        return /^[A-Za-z_][\w.]*$/.test(mod.text) ? [{ kind: 'module', target: mod.text, start: mod.start, end: mod.end }] : [];
      }
      if (o === '-c') return [];
      j += PY_OPTS_WITH_VALUE.has(o) ? 2 : 1;
    }
    return script(w[j], 'python');
  }
  if (LAUNCHERS.test(cmd)) return script(firstWith(/\.py$/, i + 1), 'python');
  if (cmd === 'Rscript' || cmd === 'R') return script(firstWith(/\.[Rr]$/, i + 1), 'r');
  if (cmd === 'julia') return script(firstWith(/\.jl$/, i + 1), 'julia');
  if (/^(bash|sh|zsh|source|\.)$/.test(cmd)) {
    const x = w.slice(i + 1).find((y) => !y.text.startsWith('-'));
    return x ? script(x, scriptKindOf(x.text) ?? 'shell') : [];
  }
  if (cmd === 'jupyter' && /^(nbconvert|execute|run)$/.test(w[i + 1]?.text ?? '')) {
    const nb = firstWith(/\.ipynb$/, i + 2);
    // nbconvert and `jupyter execute` run the kernel in the notebook's folder.
    return script(nb, 'notebook', nb ? dirname(nb.text) : undefined);
  }
  if (cmd === 'papermill') {
    const nb = firstWith(/\.ipynb$/, i + 1);
    const k = w.findIndex((x) => x.text === '--cwd' || x.text.startsWith('--cwd='));
    const cwd = k < 0 ? undefined : w[k].text.startsWith('--cwd=') ? w[k].text.slice(6) : w[k + 1]?.text;
    return script(nb, 'notebook', cwd);
  }
  // A script run directly: `./train.sh`, `scripts/run.py`.
  if (head.text.includes('/') || head.text.startsWith('.')) return script(head);
  return [];
}

/** The scripts a stage command runs (`python src/train.py`, `python -m pkg.train`, `Rscript`, `bash x.sh`, papermill...). */
export function commandScripts(cmd: string): CommandScript[] {
  const words = commandWords(cmd);
  const out: CommandScript[] = [];
  let from = 0;
  for (let k = 0; k <= words.length; k++) {
    if (k === words.length || words[k].op) {
      if (k > from) out.push(...scriptsOfCommand(words.slice(from, k)));
      from = k + 1;
    }
  }
  return out;
}

/** Files a `python -m a.b` module may be, relative to the wdir. */
function moduleCandidates(wdir: string, module: string): string[] {
  const parts = module.split('.');
  return [joinPath(wdir, ...parts) + '.py', joinPath(wdir, ...parts, '__main__.py')];
}

// ---------------------------------------------------------------------------
// DVC templating: `${key.sub}` filled from params.yaml and `vars`.

function lookupDotted(vars: unknown, key: string): unknown {
  let cur: unknown = vars;
  for (const k of key.replace(/\[(\d+)\]/g, '.$1').split('.')) {
    if (Array.isArray(cur) && /^\d+$/.test(k)) cur = cur[Number(k)];
    else cur = record(cur)?.[k];
    if (cur === undefined) return undefined;
  }
  return cur;
}

/** Fills `${...}` templates; undefined when one does not resolve to a scalar. */
export function interpolate(s: string, vars: unknown): string | undefined {
  if (!s.includes('${')) return s;
  // Each `${...}` up to the first `}` after it, as the pattern `\$\{\s*([^}]+?)\s*\}` read
  // them, in linear time (that pattern took cubic time on long runs of spaces, and
  // `\$\{([^}]+)\}` quadratic time on many unclosed `${`). The key is what is inside
  // without the spaces around it; a key of spaces only is its last one.
  let out = '';
  let last = 0;
  for (let i = s.indexOf('${'); i >= 0; ) {
    const close = s.indexOf('}', i + 2);
    // No `}` after this `${`: none after a later one either.
    if (close < 0) break;
    if (close === i + 2) {
      i = s.indexOf('${', i + 1);
      continue;
    }
    const inner = s.slice(i + 2, close);
    const trimmed = inner.trim();
    const v = lookupDotted(vars, trimmed === '' ? inner.slice(-1) : trimmed);
    if (typeof v !== 'string' && typeof v !== 'number' && typeof v !== 'boolean') return undefined;
    out += s.slice(last, i) + String(v);
    last = close + 1;
    i = s.indexOf('${', last);
  }
  return out + s.slice(last);
}

function deepMerge(into: Record<string, unknown>, from: unknown): void {
  const src = record(from);
  if (!src) return;
  for (const [k, v] of Object.entries(src)) {
    const a = record(into[k]);
    if (a && record(v)) {
      const copy = { ...a };
      deepMerge(copy, v);
      into[k] = copy;
    } else into[k] = v;
  }
}

function readParams(p: string, text: string): ParamsFile {
  try {
    if (/\.json$/i.test(p)) return { status: 'ok', value: JSON.parse(text) as unknown };
    if (/\.toml$/i.test(p)) return { status: 'ok', value: parseToml(text) };
    if (/\.py$/i.test(p)) return { status: 'unsupported' };
    const doc = parseDocument(text, { uniqueKeys: false });
    if (doc.errors.length) return { status: 'invalid', message: doc.errors[0].message.split('\n')[0] };
    return { status: 'ok', value: doc.toJS({ maxAliasCount: 100 }) ?? {} };
  } catch (e) {
    return { status: 'invalid', message: String((e as Error).message).split('\n')[0] };
  }
}

// ---------------------------------------------------------------------------

export interface IndexOptions {
  /** Paths (workspace-relative) the config excludes. */
  isExcluded?: (p: string) => boolean;
  /** Respect .gitignore files (default true). */
  gitignore?: boolean;
  /** Parse cache shared with the linter (scripts that stages run are parsed through it). */
  cache?: UnitCache;
}

interface Derived {
  tracked: Map<string, string>;
  /** DVC outputs only (built on the first `outputOf`). */
  outputs?: { exact: Map<string, string> };
  /** A stage's paths plus their templates filled in. */
  expand: (s: DvcStage, list: string[]) => string[];
  lfs: picomatch.Matcher | undefined;
  lfsFile?: string;
  stages: DvcStage[];
  running?: Map<string, DvcStage[]>;
  /** Folders that hold indexed files (for `exists`). */
  dirs?: Set<string>;
  /** Files per folder (for `filesIn`). */
  byDir?: Map<string, string[]>;
  usesDvc?: boolean;
}

/** Files stages need facts of: the scripts they run, the params files they read. */
interface References {
  scripts: Set<string>;
  params: Set<string>;
}

/**
 * What the engine knows about the workspace around a file: DVC sidecars and
 * stages, params files, LFS patterns, CI and pipeline configs. Built once, then
 * kept current file by file with `update()`; derived lookups are rebuilt lazily.
 *
 * Cross-file DVC rules also need the content of a few other files: the scripts
 * that stages run (parsed Python facts) and the params files they name (values).
 * Those are read when the index is built or when a dvc.yaml changes, kept, and
 * re-read only when that file itself is updated, so a lint never reads the disk
 * for them. Other Python files are never parsed here: the build stays a walk.
 */
export class WorkspaceIndex {
  private readonly entries = new Map<string, Contribution>();
  private derived?: Derived;
  private ignores: Array<{ dir: string; ig: Ignore }> = [];
  private readonly cache: UnitCache;
  /** Per-file summaries of file content (`fileSummary`), by key; dropped when the file changes. */
  private readonly summaries = new Map<string, Map<string, Promise<unknown>>>();
  /** Parsed scripts (null: unreadable or missing). */
  private readonly scripts = new Map<string, PythonProgram | null>();
  private readonly paramsFiles = new Map<string, ParamsFile>();
  private refs?: References;
  private building = false;

  private constructor(
    readonly fs: FileSystem,
    private readonly options: IndexOptions,
  ) {
    this.cache = options.cache ?? new UnitCache(500);
  }

  static empty(fs: FileSystem, options: IndexOptions = {}): WorkspaceIndex {
    return new WorkspaceIndex(fs, options);
  }

  static async build(fs: FileSystem, options: IndexOptions = {}): Promise<WorkspaceIndex> {
    const index = new WorkspaceIndex(fs, options);
    index.building = true;
    try {
      await index.walk('');
    } finally {
      index.building = false;
    }
    await index.syncReferences();
    return index;
  }

  private async walk(dir: string): Promise<void> {
    const entries = await this.fs.readDirectory(dir);
    if (this.options.gitignore !== false && entries.some((e) => e.name === '.gitignore' && e.type === 'file')) {
      const text = await this.fs.readFile(joinPath(dir, '.gitignore'));
      if (text !== undefined) this.ignores.push({ dir, ig: ignore().add(text) });
    }
    for (const e of entries) {
      const p = joinPath(dir, e.name);
      if (e.type === 'directory') {
        if (SKIP_DIRS.has(e.name) || this.isIgnored(p + '/')) continue;
        await this.walk(p);
      } else if (!this.isIgnored(p)) {
        await this.update(p);
      }
    }
  }

  /** Ignored by a .gitignore or the config's excludes. */
  isIgnored(p: string): boolean {
    const clean = p.replace(/\/$/, '');
    if (this.options.isExcluded?.(clean)) return true;
    for (const { dir, ig } of this.ignores) {
      if (!under(clean, dir) || clean === dir) continue;
      const rel = dir === '' ? p : p.slice(dir.length + 1);
      if (rel && ig.ignores(rel)) return true;
    }
    return false;
  }

  /** Re-reads one file (created, changed or deleted) and updates what it contributes. */
  async update(p: string): Promise<void> {
    await this.updateEntry(p);
    if (this.building) return;
    if (isDvcPipelineFile(p)) {
      this.refs = undefined;
      await this.syncReferences();
      return;
    }
    const refs = this.references();
    if (this.scripts.has(p) || refs.scripts.has(p)) await this.readScript(p);
    if (this.paramsFiles.has(p) || refs.params.has(p)) await this.readParamsFile(p);
  }

  private async updateEntry(p: string): Promise<void> {
    // Derived lookups are dropped after the await, with the entries: a lookup made
    // while the file is being read must not cache the old state.
    const b = basename(p);
    const kind = fileKind(p);
    const isAttr = b === '.gitattributes';
    this.summaries.delete(p);
    if (isTopMakefile(p)) {
      const text = await this.fs.readFile(p);
      this.summaries.delete(p);
      if (text === undefined) this.entries.delete(p);
      else this.entries.set(p, { kind, makeTargets: text.length > MAX_FACTS_BYTES ? [] : makefileTargets(text) });
      this.derived = undefined;
      return;
    }
    if (kind === 'other' && !isAttr) {
      this.entries.set(p, { kind });
      this.derived = undefined;
      return;
    }
    const contribution: Contribution = { kind };
    const isDvc = isDvcPipelineFile(p);
    const needsText = isAttr || b.endsWith('.dvc') || isDvc;
    const text = needsText ? await this.fs.readFile(p) : undefined;
    this.summaries.delete(p);
    if (needsText && text === undefined) {
      this.entries.delete(p);
      this.derived = undefined;
      return;
    }
    if (isAttr && text !== undefined) contribution.lfs = lfsPatterns(p, text);
    if (b.endsWith('.dvc') && text !== undefined) contribution.dvcOuts = sidecarOuts(p, text);
    if (isDvc && text !== undefined) {
      const parsed = parseDvcFile(p, text);
      contribution.stages = parsed.stages;
      if (parsed.vars.length) contribution.dvcVars = parsed.vars;
    }
    this.entries.set(p, contribution);
    this.derived = undefined;
  }

  remove(p: string): void {
    this.derived = undefined;
    const gone = (k: string): boolean => k === p || k.startsWith(p + '/');
    for (const k of [...this.entries.keys()]) {
      if (!gone(k)) continue;
      if (isDvcPipelineFile(k)) this.refs = undefined;
      this.entries.delete(k);
    }
    for (const k of [...this.summaries.keys()]) if (gone(k)) this.summaries.delete(k);
    for (const k of [...this.scripts.keys()]) if (gone(k)) this.scripts.set(k, null);
    for (const k of [...this.paramsFiles.keys()]) if (gone(k)) this.paramsFiles.set(k, { status: 'missing' });
  }

  /** All indexed files, sorted. */
  files(): string[] {
    return [...this.entries.keys()].sort();
  }

  has(p: string): boolean {
    return this.entries.has(p);
  }

  /** True for a file or a folder with indexed files under it. */
  exists(p: string): boolean {
    if (this.entries.has(p)) return true;
    const d = this.compute();
    if (!d.dirs) {
      d.dirs = new Set();
      for (const k of this.entries.keys()) for (let i = k.indexOf('/'); i >= 0; i = k.indexOf('/', i + 1)) d.dirs.add(k.slice(0, i));
    }
    return d.dirs.has(p);
  }

  /** Indexed files directly in a folder (not in its subfolders), sorted. */
  filesIn(dir: string): readonly string[] {
    const d = this.compute();
    if (!d.byDir) {
      d.byDir = new Map();
      for (const k of this.files()) {
        const parent = dirname(k);
        const list = d.byDir.get(parent);
        if (list) list.push(k);
        else d.byDir.set(parent, [k]);
      }
    }
    return d.byDir.get(dir) ?? [];
  }

  /**
   * Targets of a top-level Makefile (`Makefile`, `makefile`, `GNUmakefile`), read when
   * the file is indexed or changes; undefined when there is no such file.
   */
  makeTargets(file: string): readonly string[] | undefined {
    return this.entries.get(file)?.makeTargets;
  }

  /**
   * A summary of a file's content, computed by `compute` from its text the first time
   * it is asked for and kept until the file changes (`update`/`remove`): cross-file
   * rules read other files through it without re-reading or re-parsing them on every
   * lint. `key` names the kind of summary (one file may have several); `compute` must
   * depend on the text and path only. Undefined when the file cannot be read.
   */
  fileSummary<T>(p: string, key: string, compute: (text: string) => T): Promise<T | undefined> {
    let byKey = this.summaries.get(p);
    const hit = byKey?.get(key);
    if (hit) return hit as Promise<T | undefined>;
    if (!byKey) this.summaries.set(p, (byKey = new Map()));
    const job = this.fs.readFile(p).then(
      (text) => {
        if (text === undefined || text.length > MAX_FACTS_BYTES || text.includes('\u0000')) return undefined;
        try {
          return compute(text);
        } catch {
          return undefined;
        }
      },
      () => undefined,
    );
    byKey.set(key, job);
    return job;
  }

  lintableFiles(): string[] {
    return this.files().filter((f) => {
      const k = this.entries.get(f)?.kind;
      return k === 'notebook' || k === 'python' || k === 'yaml' || k === 'requirements';
    });
  }

  dvcStages(): DvcStage[] {
    return this.compute().stages;
  }

  /** Whether data version control covers a workspace-relative path. */
  trackingOf(p: string): Tracking {
    const d = this.compute();
    const exact = d.tracked.get(p);
    if (exact) return { tracked: true, by: exact };
    const inDir = ancestorEntry(d.tracked, p);
    if (inDir) return { tracked: true, by: inDir };
    if (d.lfs?.(p)) return { tracked: true, by: `${d.lfsFile ?? '.gitattributes'} (Git LFS)` };
    return { tracked: false };
  }

  /**
   * What DVC output covers a path: a `.dvc` sidecar or a stage's `outs` /
   * `metrics` / `plots` (deps do not count: DVC hashes them but keeps no copy).
   */
  outputOf(p: string): string | undefined {
    const d = this.compute();
    if (!d.outputs) {
      const outputs = new Map<string, string>();
      for (const [file, c] of this.entries) for (const o of c.dvcOuts ?? []) outputs.set(o, file);
      for (const s of d.stages) for (const o of d.expand(s, [...s.outs, ...s.metrics, ...s.plots])) if (!outputs.has(o)) outputs.set(o, `${s.file} stage ${s.name} (outs)`);
      d.outputs = { exact: outputs };
    }
    const exact = d.outputs.exact.get(p);
    if (exact) return exact;
    return ancestorEntry(d.outputs.exact, p);
  }

  /** True when the workspace uses DVC at all. */
  usesDvc(): boolean {
    const d = this.compute();
    if (d.usesDvc === undefined) {
      d.usesDvc = false;
      for (const [p, c] of this.entries) if (c.dvcOuts || c.stages || p === '.dvc/config' || p.endsWith('/.dvc/config')) d.usesDvc = true;
    }
    return d.usesDvc;
  }

  // -------------------------------------------------------------------------
  // Scripts and params files of stages.

  /** The workspace scripts a stage's commands run (files that exist in the index). */
  resolveScripts(cmds: readonly string[], wdir: string): StageScript[] {
    const out: StageScript[] = [];
    cmds.forEach((cmd, cmdIndex) => {
      for (const cs of commandScripts(cmd)) {
        let path: string | undefined;
        if (cs.kind === 'module') path = moduleCandidates(wdir, cs.target).find((c) => this.has(c));
        else if (!cs.target.includes('$')) {
          const c = joinPath(wdir, cs.target);
          if (!c.startsWith('..') && this.has(c)) path = c;
        }
        if (path) out.push({ ...cs, path, cmdIndex, cwdPath: joinPath(wdir, cs.cwd ?? '') });
      }
    });
    return out;
  }

  /** Stages that run a workspace file (script or notebook). */
  stagesRunning(file: string): DvcStage[] {
    const d = this.compute();
    if (!d.running) {
      d.running = new Map();
      for (const s of d.stages) {
        for (const sc of this.resolveScripts(s.cmd, s.wdir)) {
          const list = d.running.get(sc.path) ?? [];
          if (!list.includes(s)) list.push(s);
          d.running.set(sc.path, list);
        }
      }
    }
    return d.running.get(file) ?? [];
  }

  /**
   * Whether findings of other files may depend on this file's content: it is a
   * script a DVC stage runs, or a rule read a summary of it (`fileSummary`). An
   * editor re-lints open documents after such a file changes on disk.
   */
  contentRead(p: string): boolean {
    return this.summaries.has(p) || this.scripts.has(p) || this.references().scripts.has(p);
  }

  /** The parsed Python of a script a stage runs, as last read (undefined: not read yet or not readable). */
  scriptProgram(p: string): PythonProgram | undefined {
    return this.scripts.get(p) ?? undefined;
  }

  /** The parsed Python of a `.py` file or notebook; read once, then kept until `update(p)`. */
  async loadScript(p: string): Promise<PythonProgram | undefined> {
    if (!this.scripts.has(p)) await this.readScript(p);
    return this.scripts.get(p) ?? undefined;
  }

  /** A params file as last read (undefined: not read yet). */
  paramsFile(p: string): ParamsFile | undefined {
    return this.paramsFiles.get(p);
  }

  /** A params file; read once, then kept until `update(p)`. */
  async loadParams(p: string): Promise<ParamsFile> {
    if (!this.paramsFiles.has(p)) await this.readParamsFile(p);
    return this.paramsFiles.get(p) ?? { status: 'missing' };
  }

  /** Values `${...}` templates of a dvc.yaml resolve against: its folder's params.yaml, then its `vars`. */
  templateVars(dvcFile: string): Record<string, unknown> {
    const vars: Record<string, unknown> = {};
    const dflt = this.paramsFiles.get(joinPath(dirname(dvcFile), 'params.yaml'));
    if (dflt?.status === 'ok') deepMerge(vars, dflt.value);
    for (const v of this.entries.get(dvcFile)?.dvcVars ?? []) {
      if (typeof v === 'string') {
        const f = this.paramsFiles.get(v);
        if (f?.status === 'ok') deepMerge(vars, f.value);
      } else deepMerge(vars, v);
    }
    return vars;
  }

  private references(): References {
    if (this.refs) return this.refs;
    const refs: References = { scripts: new Set(), params: new Set() };
    for (const [p, c] of this.entries) {
      if (!c.stages) continue;
      refs.params.add(joinPath(dirname(p), 'params.yaml'));
      for (const v of c.dvcVars ?? []) if (typeof v === 'string' && !v.includes('${')) refs.params.add(v);
      for (const s of c.stages) {
        for (const sp of s.params) if (!sp.file.includes('${')) refs.params.add(sp.file);
        for (const cmd of s.cmd) {
          for (const cs of commandScripts(cmd)) {
            if (cs.kind === 'module') for (const m of moduleCandidates(s.wdir, cs.target)) refs.scripts.add(m);
            else if ((cs.kind === 'python' || cs.kind === 'notebook') && !cs.target.includes('$')) refs.scripts.add(joinPath(s.wdir, cs.target));
          }
        }
      }
    }
    this.refs = refs;
    return refs;
  }

  /** Reads what stages reference and is not read yet; forgets what nothing references any more. */
  private async syncReferences(): Promise<void> {
    const refs = this.references();
    const jobs: Array<Promise<void>> = [];
    for (const p of refs.scripts) if (!this.scripts.has(p)) jobs.push(this.readScript(p));
    for (const p of refs.params) if (!this.paramsFiles.has(p)) jobs.push(this.readParamsFile(p));
    await Promise.all(jobs);
    for (const p of [...this.scripts.keys()]) if (!refs.scripts.has(p)) this.scripts.delete(p);
    for (const p of [...this.paramsFiles.keys()]) if (!refs.params.has(p)) this.paramsFiles.delete(p);
  }

  private async readScript(p: string): Promise<void> {
    const kind = fileKind(p);
    const text = kind === 'python' || kind === 'notebook' ? await this.fs.readFile(p) : undefined;
    if (text === undefined || text.length > MAX_FACTS_BYTES || text.includes('\u0000')) {
      this.scripts.set(p, null);
      return;
    }
    await initPython();
    if (kind === 'python') {
      this.scripts.set(p, PythonProgram.fromUnits(this.cache, [{ text }]));
      return;
    }
    const nb = parseNotebook(text);
    if (!nb.ok || !(/^i?python/.test(nb.notebook.language) || nb.notebook.language === '')) {
      this.scripts.set(p, null);
      return;
    }
    const cells = nb.notebook.cells.filter((c) => c.kind === 'code').map((c) => ({ cell: c.index, text: c.source }));
    this.scripts.set(p, PythonProgram.fromUnits(this.cache, cells));
  }

  private async readParamsFile(p: string): Promise<void> {
    this.derived = undefined; // templated stage paths may resolve differently now
    const text = await this.fs.readFile(p);
    if (text === undefined) this.paramsFiles.set(p, { status: 'missing' });
    else if (text.length > MAX_FACTS_BYTES) this.paramsFiles.set(p, { status: 'unsupported' });
    else this.paramsFiles.set(p, readParams(p, text));
  }

  private compute(): Derived {
    if (this.derived) return this.derived;
    const tracked = new Map<string, string>();
    const stages: DvcStage[] = [];
    const lfs: string[] = [];
    let lfsFile: string | undefined;
    const varsOf = new Map<string, Record<string, unknown>>();
    // Templated paths (`${base.data_dir}/x.csv`) count under their filled-in value too.
    const expand = (s: DvcStage, list: string[]): string[] => {
      if (!list.some((x) => x.includes('${'))) return list;
      let vars = varsOf.get(s.file);
      if (!vars) varsOf.set(s.file, (vars = this.templateVars(s.file)));
      const out = [...list];
      for (const x of list) {
        const v = x.includes('${') ? interpolate(x, vars) : undefined;
        if (v !== undefined) out.push(joinPath(v));
      }
      return out;
    };
    for (const [p, c] of this.entries) {
      for (const o of c.dvcOuts ?? []) tracked.set(o, p);
      for (const s of c.stages ?? []) {
        stages.push(s);
        for (const o of expand(s, [...s.outs, ...s.metrics, ...s.plots])) if (!tracked.has(o)) tracked.set(o, `${s.file} stage ${s.name} (outs)`);
        for (const o of expand(s, s.deps)) if (!tracked.has(o)) tracked.set(o, `${s.file} stage ${s.name} (deps)`);
      }
      if (c.lfs?.length) {
        lfs.push(...c.lfs);
        lfsFile ??= p;
      }
    }
    this.derived = {
      tracked,
      expand,
      lfs: lfs.length ? picomatch(lfs, { dot: true }) : undefined,
      lfsFile,
      stages,
    };
    return this.derived;
  }
}

export { classifyYaml };
