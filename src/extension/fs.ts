import * as vscode from 'vscode';
import type { DirEntry, FileSystem } from '../core/workspace/fs';

const decoder = new TextDecoder('utf-8');

function kindOf(type: vscode.FileType): 'file' | 'directory' | undefined {
  // Symbolic links carry the type of their target too (`File | SymbolicLink`).
  if (type & vscode.FileType.Directory) return 'directory';
  if (type & vscode.FileType.File) return 'file';
  return undefined;
}

/** The engine's FileSystem over `vscode.workspace.fs`, rooted at a workspace folder. */
export class VsCodeFileSystem implements FileSystem {
  /** A local path for the config loader (it maps absolute config paths inside the folder). */
  readonly root: string | undefined;

  constructor(
    readonly rootUri: vscode.Uri,
    private readonly onError?: (op: string, p: string, e: unknown) => void,
  ) {
    this.root = rootUri.scheme === 'file' || rootUri.scheme === 'vscode-remote' ? rootUri.fsPath : undefined;
  }

  uri(p: string): vscode.Uri {
    return p === '' ? this.rootUri : vscode.Uri.joinPath(this.rootUri, ...p.split('/'));
  }

  async readFile(p: string): Promise<string | undefined> {
    try {
      return decoder.decode(await vscode.workspace.fs.readFile(this.uri(p)));
    } catch (e) {
      this.onError?.('readFile', p, e);
      return undefined;
    }
  }

  async readDirectory(p: string): Promise<DirEntry[]> {
    try {
      const entries = await vscode.workspace.fs.readDirectory(this.uri(p));
      const out: DirEntry[] = [];
      for (const [name, type] of entries) {
        const kind = kindOf(type);
        if (kind) out.push({ name, type: kind });
      }
      return out;
    } catch {
      return [];
    }
  }

  async stat(p: string): Promise<{ type: 'file' | 'directory'; size: number } | undefined> {
    try {
      const s = await vscode.workspace.fs.stat(this.uri(p));
      const kind = kindOf(s.type);
      return kind ? { type: kind, size: kind === 'file' ? s.size : 0 } : undefined;
    } catch {
      return undefined;
    }
  }
}
