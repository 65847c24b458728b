// Accuracy on work nobody here wrote: runs the engine over ../shared/corpus (each
// repository folder is its own workspace) and scores the fixed rule ids against the
// hand labels in LABELS.tsv. Usage:
//   npm run eval:corpus                      table of precision / recall / counts
//   npm run eval:corpus -- --rule <id>       every finding of one rule, with its label
//   npm run eval:corpus -- --markdown        the table as Markdown (docs/accuracy.md)
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Project } from '../src/core/project';
import { RULES } from '../src/core/rules';
import type { Finding } from '../src/core/types';
import { NodeFileSystem } from '../src/core/workspace/fs';

/** LABELS.tsv smell -> rule ids (rules-catalog.md, "Label mapping"). */
export const LABEL_RULES: Record<string, string[]> = {
  data_unversioned: ['untracked-data-read', 'unpinned-remote-data'],
  absolute_local_path: ['absolute-data-path'],
  no_data_validation: ['unvalidated-data-load'],
  no_heldout_eval: ['missing-holdout-split'],
  no_experiment_tracking: ['untracked-experiment'],
  no_monitoring_on_deploy: ['deployment-without-monitoring'],
  unseeded_randomness: ['unseeded-randomness'],
  hardcoded_secret: ['hardcoded-secret'],
  unpinned_pip_install: ['unpinned-install'],
  nonlinear_execution: ['out-of-order-execution'],
  error_traceback_output: ['error-output-committed'],
};

interface Label {
  file: string;
  smell: string;
  present: boolean;
  location: string;
  note: string;
}

function findCorpus(): string | undefined {
  const candidates = [process.env.MLOPS_HYGIENE_CORPUS, path.resolve(process.cwd(), '../shared/corpus'), path.resolve(__dirname, '../../shared/corpus')];
  return candidates.find((c): c is string => !!c && fs.existsSync(path.join(c, 'LABELS.tsv')));
}

function readLabels(corpus: string): Label[] {
  const rows = fs.readFileSync(path.join(corpus, 'LABELS.tsv'), 'utf8').split('\n').slice(1).filter(Boolean);
  return rows
    .map((r) => r.split('\t'))
    .filter((c) => !(c[4] ?? '').startsWith('n/a'))
    .map((c) => ({ file: c[0], smell: c[1], present: c[2] === '1', location: c[3] ?? '', note: c[4] ?? '' }));
}

export interface CorpusRun {
  findings: Map<string, Finding[]>;
  files: string[];
  crashes: Array<{ file: string; error: string }>;
  skipped: Array<{ file: string; reason: string }>;
  ms: number;
  /** Per-rule milliseconds when MLOPS_HYGIENE_TIMING is set. */
  timing: Map<string, number>;
}

export async function lintCorpus(corpus: string): Promise<CorpusRun> {
  const findings = new Map<string, Finding[]>();
  const files: string[] = [];
  const crashes: CorpusRun['crashes'] = [];
  const skipped: CorpusRun['skipped'] = [];
  const t0 = performance.now();
  const projects: Project[] = [];
  for (const repo of fs.readdirSync(corpus).sort()) {
    const root = path.join(corpus, repo);
    if (!fs.statSync(root).isDirectory()) continue;
    // Every rule on at its default severity (the strict preset), so strict-only rules are measured too.
    const project = await Project.open(new NodeFileSystem(root), { ruleOverrides: Object.fromEntries(RULES.map((r) => [r.meta.id, r.meta.defaultSeverity])) });
    projects.push(project);
    for (const f of project.lintableFiles()) {
      const key = `${repo}/${f}`;
      files.push(key);
      try {
        const r = await project.lintFile(f);
        if (r.skipped) skipped.push({ file: key, reason: r.skipped });
        findings.set(key, r.findings);
        for (const x of r.findings) if (x.message.startsWith('Internal error')) crashes.push({ file: key, error: x.message });
      } catch (e) {
        crashes.push({ file: key, error: String((e as Error).stack ?? e) });
      }
    }
  }
  const timing = new Map<string, number>();
  for (const p of projects) for (const [id, ms] of p.linter.timing ?? []) timing.set(id, (timing.get(id) ?? 0) + ms);
  return { findings, files, crashes, skipped, ms: performance.now() - t0, timing };
}

interface Score {
  rule: string;
  tp: number;
  fp: number;
  fn: number;
  tn: number;
  fpFiles: string[];
  fnFiles: string[];
}

function score(labels: Label[], run: CorpusRun): Score[] {
  const out: Score[] = [];
  for (const [smell, rules] of Object.entries(LABEL_RULES)) {
    const s: Score = { rule: rules.join(' + '), tp: 0, fp: 0, fn: 0, tn: 0, fpFiles: [], fnFiles: [] };
    for (const l of labels.filter((x) => x.smell === smell)) {
      const found = (run.findings.get(l.file) ?? []).some((f) => rules.includes(f.rule));
      if (l.present && found) s.tp++;
      else if (l.present) {
        s.fn++;
        s.fnFiles.push(l.file);
      } else if (found) {
        s.fp++;
        s.fpFiles.push(l.file);
      } else s.tn++;
    }
    out.push(s);
  }
  return out;
}

const ratio = (a: number, b: number): string => (b === 0 ? 'n/a' : (a / b).toFixed(2));

async function main(): Promise<void> {
  const args = process.argv.slice(2);
  const corpus = findCorpus();
  if (!corpus) {
    console.error('The corpus is absent: expected ../shared/corpus/LABELS.tsv (or set MLOPS_HYGIENE_CORPUS). Nothing was measured.');
    process.exit(2);
  }
  const labels = readLabels(corpus);
  const run = await lintCorpus(corpus);
  const ruleIdx = args.indexOf('--rule');
  if (ruleIdx >= 0) {
    const id = args[ruleIdx + 1];
    const smell = Object.entries(LABEL_RULES).find(([, r]) => r.includes(id))?.[0];
    for (const [file, fs_] of [...run.findings].sort()) {
      const mine = fs_.filter((f) => f.rule === id);
      const label = labels.find((l) => l.file === file && l.smell === smell);
      const tag = label ? (label.present ? '[label 1]' : '[label 0]') : '[unlabelled]';
      for (const f of mine) {
        const at = f.location.cell !== undefined ? `cell ${f.location.cell}:${f.location.range.start.line + 1}` : `${f.fileRange.start.line + 1}`;
        console.log(`${tag} ${file}:${at} ${f.message}`);
      }
      if (label?.present && mine.length === 0) console.log(`[MISSED] ${file} ${label.location} ${label.note}`);
    }
    return;
  }
  const scores = score(labels, run);
  const counts = new Map<string, number>();
  for (const list of run.findings.values()) for (const f of list) counts.set(f.rule, (counts.get(f.rule) ?? 0) + 1);
  const md = args.includes('--markdown');
  const lines: string[] = [];
  if (md) {
    lines.push('| label | rule(s) | TP | FP | FN | TN | precision | recall |', '|---|---|---|---|---|---|---|---|');
    for (const [i, s] of scores.entries()) lines.push(`| ${Object.keys(LABEL_RULES)[i]} | \`${s.rule}\` | ${s.tp} | ${s.fp} | ${s.fn} | ${s.tn} | ${ratio(s.tp, s.tp + s.fp)} | ${ratio(s.tp, s.tp + s.fn)} |`);
    lines.push('', '| rule | findings on the whole corpus |', '|---|---|');
    for (const [r, n] of [...counts].sort()) lines.push(`| \`${r}\` | ${n} |`);
  } else {
    lines.push(`${'rule'.padEnd(48)} TP  FP  FN  TN  prec  recall`);
    for (const s of scores) lines.push(`${s.rule.padEnd(48)} ${String(s.tp).padStart(2)}  ${String(s.fp).padStart(2)}  ${String(s.fn).padStart(2)}  ${String(s.tn).padStart(2)}  ${ratio(s.tp, s.tp + s.fp).padStart(4)}  ${ratio(s.tp, s.tp + s.fn).padStart(4)}`);
    for (const s of scores) {
      if (s.fpFiles.length) lines.push(`  FP ${s.rule}: ${s.fpFiles.join(', ')}`);
      if (s.fnFiles.length) lines.push(`  FN ${s.rule}: ${s.fnFiles.join(', ')}`);
    }
    lines.push('', 'findings per rule on the whole corpus:');
    for (const [r, n] of [...counts].sort()) lines.push(`  ${r.padEnd(32)} ${n}`);
  }
  lines.push('', `${run.files.length} files linted in ${(run.ms / 1000).toFixed(1)} s; ${run.crashes.length} crashes; ${run.skipped.length} skipped.`);
  for (const c of run.crashes) lines.push(`  CRASH ${c.file}: ${c.error}`);
  if (run.timing.size) {
    lines.push('', 'time per rule (MLOPS_HYGIENE_TIMING):');
    for (const [id, ms] of [...run.timing].sort((a, b) => b[1] - a[1])) lines.push(`  ${id.padEnd(32)} ${ms.toFixed(0)} ms`);
  }
  console.log(lines.join('\n'));
  if (run.crashes.length) process.exitCode = 1;
}

if (require.main === module) void main();
