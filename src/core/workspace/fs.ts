import * as nodeFs from 'node:fs';
import * as path from 'node:path';

export interface DirEntry {
  name: string;
  type: 'file' | 'directory';
}

/**
 * What the engine may do with a workspace: read, list, stat. Paths are POSIX and
 * relative to the workspace root (`''` is the root). Node's `fs` backs the CLI, a
 * Map backs tests, VS Code's `workspace.fs` backs the extension.
 */
export interface FileSystem {
  readFile(p: string): Promise<string | undefined>;
  readDirectory(p: string): Promise<DirEntry[]>;
  stat(p: string): Promise<{ type: 'file' | 'directory'; size: number } | undefined>;
}

/**
 * Node's fs for the CLI. Synchronous calls behind the async interface: a lint run
 * reads thousands of small files one after another, and the thread-pool round trip
 * of fs.promises cost more than the reads themselves (measured with `npm run bench`).
 */
export class NodeFileSystem implements FileSystem {
  constructor(readonly root: string) {}

  private abs(p: string): string {
    return path.join(this.root, ...p.split('/'));
  }

  async readFile(p: string): Promise<string | undefined> {
    try {
      return nodeFs.readFileSync(this.abs(p), 'utf8');
    } catch {
      return undefined;
    }
  }

  async readDirectory(p: string): Promise<DirEntry[]> {
    try {
      const entries = nodeFs.readdirSync(this.abs(p), { withFileTypes: true });
      return entries
        .filter((e) => e.isFile() || e.isDirectory())
        .map((e) => ({ name: e.name, type: e.isDirectory() ? ('directory' as const) : ('file' as const) }));
    } catch {
      return [];
    }
  }

  async stat(p: string): Promise<{ type: 'file' | 'directory'; size: number } | undefined> {
    try {
      const s = nodeFs.statSync(this.abs(p));
      if (s.isDirectory()) return { type: 'directory', size: 0 };
      if (s.isFile()) return { type: 'file', size: s.size };
      return undefined;
    } catch {
      return undefined;
    }
  }
}

/** An in-memory workspace for tests: `{ 'data/x.csv.dvc': '...' }`. */
export class MemoryFileSystem implements FileSystem {
  readonly files = new Map<string, string>();

  constructor(files: Record<string, string> = {}) {
    for (const [k, v] of Object.entries(files)) this.files.set(k, v);
  }

  set(p: string, text: string): void {
    this.files.set(p, text);
  }

  delete(p: string): void {
    this.files.delete(p);
  }

  async readFile(p: string): Promise<string | undefined> {
    return this.files.get(p);
  }

  async readDirectory(p: string): Promise<DirEntry[]> {
    const prefix = p === '' ? '' : p.replace(/\/$/, '') + '/';
    const seen = new Map<string, DirEntry>();
    for (const f of this.files.keys()) {
      if (!f.startsWith(prefix)) continue;
      const rest = f.slice(prefix.length);
      const slash = rest.indexOf('/');
      const name = slash < 0 ? rest : rest.slice(0, slash);
      if (!seen.has(name)) seen.set(name, { name, type: slash < 0 ? 'file' : 'directory' });
    }
    return [...seen.values()].sort((a, b) => a.name.localeCompare(b.name));
  }

  async stat(p: string): Promise<{ type: 'file' | 'directory'; size: number } | undefined> {
    const f = this.files.get(p);
    if (f !== undefined) return { type: 'file', size: f.length };
    const prefix = p === '' ? '' : p + '/';
    for (const k of this.files.keys()) if (k.startsWith(prefix)) return { type: 'directory', size: 0 };
    return undefined;
  }
}

/** POSIX join + normalise of workspace-relative paths; `..` above the root stays. */
export function joinPath(...parts: string[]): string {
  const out: string[] = [];
  for (const part of parts.join('/').split('/')) {
    if (part === '' || part === '.') continue;
    if (part === '..' && out.length && out[out.length - 1] !== '..') out.pop();
    else out.push(part);
  }
  return out.join('/');
}

export function dirname(p: string): string {
  const i = p.lastIndexOf('/');
  return i < 0 ? '' : p.slice(0, i);
}

export function basename(p: string): string {
  return p.slice(p.lastIndexOf('/') + 1);
}
