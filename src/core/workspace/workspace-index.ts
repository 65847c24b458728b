import ignore, { type Ignore } from 'ignore';
import picomatch from 'picomatch';
import { parse as parseYamlValue } from 'yaml';
import { basename, dirname, joinPath, type FileSystem } from './fs';
import { classifyYaml, fileKind, type ConfigKind, type FileKind } from './kinds';

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
}

export interface Tracking {
  tracked: boolean;
  /** What tracks it, e.g. `data/train.csv.dvc`, `dvc.yaml stage prepare`, `.gitattributes (LFS)`. */
  by?: string;
}

interface Contribution {
  kind: FileKind;
  configKind?: ConfigKind;
  /** Paths a `.dvc` sidecar tracks. */
  dvcOuts?: string[];
  stages?: DvcStage[];
  /** LFS patterns of a .gitattributes, already made workspace-relative matchers. */
  lfs?: string[];
}

/** Folders never worth walking. */
const SKIP_DIRS = new Set(['.git', 'node_modules', '.venv', 'venv', '__pycache__', '.ipynb_checkpoints', '.mypy_cache', '.pytest_cache', '.tox', '.cache', '.vscode-test', '.dvc']);

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

export function parseDvcStages(file: string, text: string): DvcStage[] {
  const root = record(safeYaml(text));
  const stages = record(root?.stages);
  if (!stages) return [];
  const dir = dirname(file);
  const out: DvcStage[] = [];
  for (const [name, raw] of Object.entries(stages)) {
    const s = record(raw);
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
    out.push({
      file,
      name,
      wdir,
      cmd: asStrings(s.cmd),
      deps: asStrings(s.deps).map(rel),
      outs: asStrings(s.outs).map(rel),
      metrics: asStrings(s.metrics).map(rel),
      plots: asStrings(s.plots).map(rel),
      params,
    });
  }
  return out;
}

function sidecarOuts(file: string, text: string): string[] {
  const root = record(safeYaml(text));
  const outs = Array.isArray(root?.outs) ? root.outs : [];
  const paths = outs.map((o) => record(o)?.path).filter((p): p is string => typeof p === 'string');
  const dir = dirname(file);
  return paths.length ? paths.map((p) => joinPath(dir, p)) : [file.slice(0, -'.dvc'.length)];
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

function under(p: string, dir: string): boolean {
  return dir === '' || p === dir || p.startsWith(dir + '/');
}

export interface IndexOptions {
  /** Paths (workspace-relative) the config excludes. */
  isExcluded?: (p: string) => boolean;
  /** Respect .gitignore files (default true). */
  gitignore?: boolean;
}

/**
 * What the engine knows about the workspace around a file: DVC sidecars and
 * stages, params files, LFS patterns, CI and pipeline configs. Built once, then
 * kept current file by file with `update()`; derived lookups are rebuilt lazily.
 */
export class WorkspaceIndex {
  private readonly entries = new Map<string, Contribution>();
  private derived?: { tracked: Map<string, string>; trackedDirs: Array<[string, string]>; lfs: picomatch.Matcher | undefined; lfsFile?: string; stages: DvcStage[] };
  private ignores: Array<{ dir: string; ig: Ignore }> = [];

  private constructor(
    readonly fs: FileSystem,
    private readonly options: IndexOptions,
  ) {}

  static empty(fs: FileSystem, options: IndexOptions = {}): WorkspaceIndex {
    return new WorkspaceIndex(fs, options);
  }

  static async build(fs: FileSystem, options: IndexOptions = {}): Promise<WorkspaceIndex> {
    const index = new WorkspaceIndex(fs, options);
    await index.walk('');
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
    this.derived = undefined;
    const b = basename(p);
    const kind = fileKind(p);
    const isAttr = b === '.gitattributes';
    if (kind === 'other' && !isAttr) {
      this.entries.set(p, { kind });
      return;
    }
    const contribution: Contribution = { kind };
    const needsText = isAttr || b.endsWith('.dvc') || b === 'dvc.yaml' || b === 'dvc.yml';
    const text = needsText ? await this.fs.readFile(p) : undefined;
    if (needsText && text === undefined) {
      this.entries.delete(p);
      return;
    }
    if (isAttr && text !== undefined) contribution.lfs = lfsPatterns(p, text);
    if (b.endsWith('.dvc') && text !== undefined) contribution.dvcOuts = sidecarOuts(p, text);
    if ((b === 'dvc.yaml' || b === 'dvc.yml') && text !== undefined) contribution.stages = parseDvcStages(p, text);
    this.entries.set(p, contribution);
  }

  remove(p: string): void {
    this.derived = undefined;
    this.entries.delete(p);
    for (const k of [...this.entries.keys()]) if (k.startsWith(p + '/')) this.entries.delete(k);
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
    const prefix = p + '/';
    for (const k of this.entries.keys()) if (k.startsWith(prefix)) return true;
    return false;
  }

  lintableFiles(): string[] {
    return this.files().filter((f) => {
      const k = this.entries.get(f)?.kind;
      return k === 'notebook' || k === 'python' || k === 'yaml';
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
    for (const [dir, by] of d.trackedDirs) if (under(p, dir)) return { tracked: true, by };
    if (d.lfs?.(p)) return { tracked: true, by: `${d.lfsFile ?? '.gitattributes'} (Git LFS)` };
    return { tracked: false };
  }

  /** True when the workspace uses DVC at all. */
  usesDvc(): boolean {
    for (const [p, c] of this.entries) if (c.dvcOuts || c.stages || p === '.dvc/config' || p.endsWith('/.dvc/config')) return true;
    return false;
  }

  private compute(): NonNullable<WorkspaceIndex['derived']> {
    if (this.derived) return this.derived;
    const tracked = new Map<string, string>();
    const stages: DvcStage[] = [];
    const lfs: string[] = [];
    let lfsFile: string | undefined;
    for (const [p, c] of this.entries) {
      for (const o of c.dvcOuts ?? []) tracked.set(o, p);
      for (const s of c.stages ?? []) {
        stages.push(s);
        for (const o of [...s.outs, ...s.metrics, ...s.plots]) if (!tracked.has(o)) tracked.set(o, `${s.file} stage ${s.name} (outs)`);
        for (const o of s.deps) if (!tracked.has(o)) tracked.set(o, `${s.file} stage ${s.name} (deps)`);
      }
      if (c.lfs?.length) {
        lfs.push(...c.lfs);
        lfsFile ??= p;
      }
    }
    const trackedDirs = [...tracked.entries()].filter(([p]) => p !== '').sort((a, b) => b[0].length - a[0].length);
    this.derived = { tracked, trackedDirs, lfs: lfs.length ? picomatch(lfs, { dot: true }) : undefined, lfsFile, stages };
    return this.derived;
  }
}

export { classifyYaml };
