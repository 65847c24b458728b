import type { Finding, Severity } from '../../core/types';
import type { OutputFinding } from './common';

export interface Colors {
  bold(s: string): string;
  dim(s: string): string;
  red(s: string): string;
  yellow(s: string): string;
  blue(s: string): string;
  cyan(s: string): string;
}

const code = (open: number, close: number) => (s: string) => `\u001b[${open}m${s}\u001b[${close}m`;

export function colors(enabled: boolean): Colors {
  if (!enabled) {
    const id = (s: string) => s;
    return { bold: id, dim: id, red: id, yellow: id, blue: id, cyan: id };
  }
  return { bold: code(1, 22), dim: code(2, 22), red: code(31, 39), yellow: code(33, 39), blue: code(34, 39), cyan: code(36, 39) };
}

/** `file:cell N:line:col` for notebook cells (N and positions 1-based), `file:line:col` otherwise. */
export function locationLabel(path: string, f: Finding): string {
  if (f.location.cell !== undefined) {
    const p = f.location.range.start;
    return `${path}:cell ${f.location.cell + 1}:${p.line + 1}:${p.character + 1}`;
  }
  return `${path}:${f.fileRange.start.line + 1}:${f.fileRange.start.character + 1}`;
}

export function formatText(findings: readonly OutputFinding[], c: Colors): string {
  const sev: Record<Severity, (s: string) => string> = { error: c.red, warning: c.yellow, info: c.blue, hint: c.dim };
  return findings
    .map(({ finding: f, path }) => {
      const fix = f.fixes.some((x) => x.safety === 'safe') ? ` ${c.cyan('[*]')}` : f.fixes.length ? ` ${c.dim('[fix: --unsafe-fixes]')}` : '';
      return `${c.bold(locationLabel(path, f))}: ${sev[f.severity](f.severity)} ${c.dim(f.rule)} ${f.message}${fix}\n`;
    })
    .join('');
}

export function summaryLine(findings: readonly OutputFinding[], files: number, c: Colors): string {
  if (findings.length === 0) return `${c.bold('No problems found')} in ${files} file${files === 1 ? '' : 's'}.\n`;
  const by: Record<Severity, number> = { error: 0, warning: 0, info: 0, hint: 0 };
  for (const { finding } of findings) by[finding.severity]++;
  const parts = (['error', 'warning', 'info', 'hint'] as const).filter((s) => by[s] > 0).map((s) => `${by[s]} ${s === 'info' || s === 'hint' ? s : s + (by[s] === 1 ? '' : 's')}`);
  const safe = findings.filter((f) => f.finding.fixes.some((x) => x.safety === 'safe')).length;
  const unsafe = findings.filter((f) => f.finding.fixes.length > 0).length - safe;
  const filesWith = new Set(findings.map((f) => f.path)).size;
  let s = `${c.bold(`Found ${findings.length} problem${findings.length === 1 ? '' : 's'}`)} (${parts.join(', ')}) in ${filesWith} of ${files} file${files === 1 ? '' : 's'}.`;
  if (safe) s += ` ${safe} fixable with --fix.`;
  if (unsafe) s += ` ${unsafe} more with --fix --unsafe-fixes.`;
  return s + '\n';
}
