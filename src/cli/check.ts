import * as fs from 'node:fs';
import * as path from 'node:path';
import { applyEdits, selectEdits } from '../core/fix/apply';
import { UnitCache } from '../core/parse/program';
import { Project } from '../core/project';
import { RULES } from '../core/rules';
import { severityRank, type Finding, type SeveritySetting } from '../core/types';
import { NodeFileSystem } from '../core/workspace/fs';
import { fileKind } from '../core/workspace/kinds';
import type { OutputFinding } from './formats/common';

export interface CheckOptions {
  paths: string[];
  fix: boolean;
  unsafeFixes: boolean;
  configPath?: string;
  cwd: string;
}

export interface CheckResult {
  findings: OutputFinding[];
  filesLinted: number;
  fixedCount: number;
  /** Problems that are not findings: unreadable files, skipped files, config errors. */
  messages: string[];
  configError: boolean;
  usageError: boolean;
}

const ROOT_MARKERS = ['.mlops-hygiene.yaml', '.mlops-hygiene.yml', '.git', '.dvc', 'dvc.yaml', 'pyproject.toml'];

/** The workspace root for a path: the nearest folder with a marker, else the folder itself. */
export function findRoot(target: string): string {
  const start = fs.statSync(target).isDirectory() ? target : path.dirname(target);
  for (let dir = path.resolve(start); ; dir = path.dirname(dir)) {
    if (ROOT_MARKERS.some((m) => fs.existsSync(path.join(dir, m)))) return dir;
    if (path.dirname(dir) === dir) return path.resolve(start);
  }
}

function toPosix(p: string): string {
  return p.split(path.sep).join('/');
}

/** Writes through a temporary file and a rename, so a crash never leaves half a file. */
export function writeFileAtomic(file: string, text: string): void {
  const tmp = path.join(path.dirname(file), `.${path.basename(file)}.${process.pid}.mlops-hygiene.tmp`);
  fs.writeFileSync(tmp, text, { encoding: 'utf8', mode: fs.statSync(file).mode });
  fs.renameSync(tmp, file);
}

export async function runCheck(opts: CheckOptions): Promise<CheckResult> {
  const result: CheckResult = { findings: [], filesLinted: 0, fixedCount: 0, messages: [], configError: false, usageError: false };
  const targets = (opts.paths.length ? opts.paths : ['.']).map((p) => path.resolve(opts.cwd, p));
  // Group targets by workspace root, so each root's config and index are loaded once.
  const byRoot = new Map<string, string[]>();
  for (const t of targets) {
    if (!fs.existsSync(t)) {
      result.messages.push(`${path.relative(opts.cwd, t) || t}: no such file or folder`);
      result.usageError = true;
      continue;
    }
    const root = findRoot(t);
    byRoot.set(root, [...(byRoot.get(root) ?? []), t]);
  }
  for (const [root, list] of byRoot) {
    // A small parse cache: files are linted once each (a --fix pass re-lints one file), so
    // keeping every cell of a large tree parsed only costs memory (the CLI's heap is
    // bounded, see entry.ts).
    const project = await Project.open(new NodeFileSystem(root), { configPath: opts.configPath ? path.resolve(opts.cwd, opts.configPath) : undefined, cache: new UnitCache(200) });
    for (const e of project.configErrors) {
      result.configError = true;
      result.messages.push(`${e.file}:${e.line}:${e.column}: config error at ${e.key}: ${e.message}`);
    }
    if (project.configErrors.length) continue;
    const files = new Set<string>();
    const lintable = project.lintableFiles();
    for (const t of list) {
      const rel = toPosix(path.relative(root, t));
      if (fs.statSync(t).isDirectory()) {
        for (const f of lintable) if (rel === '' || f === rel || f.startsWith(rel + '/')) files.add(f);
      } else if (fileKind(rel) !== 'other') files.add(rel);
      else result.messages.push(`${path.relative(opts.cwd, t)}: not a notebook, Python, YAML or requirements file; skipped`);
    }
    for (const f of [...files].sort()) {
      const abs = path.join(root, ...f.split('/'));
      let text: string;
      try {
        text = fs.readFileSync(abs, 'utf8');
      } catch (e) {
        result.messages.push(`${path.relative(opts.cwd, abs)}: cannot be read (${(e as NodeJS.ErrnoException).code ?? String(e)})`);
        continue;
      }
      let r = await project.lintFile(f, text);
      result.filesLinted++;
      if (r.skipped) {
        result.messages.push(`${path.relative(opts.cwd, abs)}: skipped, ${r.skipped}`);
        continue;
      }
      if (opts.fix) {
        // Like ESLint: apply, re-lint, repeat while something changes (10 passes at most).
        let current = text;
        for (let pass = 0; pass < 10; pass++) {
          const { edits, fixed } = selectEdits(r.findings, { unsafe: opts.unsafeFixes });
          if (edits.length === 0) break;
          const next = applyEdits(f, current, edits);
          if (next === undefined || next === current) break;
          result.fixedCount += fixed.length;
          current = next;
          r = await project.lintFile(f, current);
        }
        if (current !== text) writeFileAtomic(abs, current);
      }
      const printed = toPosix(path.relative(opts.cwd, abs)) || path.basename(abs);
      for (const finding of r.findings) result.findings.push({ finding, path: printed });
    }
  }
  return result;
}

export function failsOn(findings: readonly Finding[], failOn: SeveritySetting): boolean {
  if (failOn === 'off') return false;
  return findings.some((f) => severityRank(f.severity) >= severityRank(failOn));
}

export { RULES };
