import type { Severity } from '../../core/types';
import type { OutputFinding } from './common';

// GitHub Actions workflow commands: annotations on the pull request's files.
function escapeData(s: string): string {
  return s.replace(/%/g, '%25').replace(/\r/g, '%0D').replace(/\n/g, '%0A');
}

function escapeProperty(s: string): string {
  return escapeData(s).replace(/:/g, '%3A').replace(/,/g, '%2C');
}

const LEVEL: Record<Severity, string> = { error: 'error', warning: 'warning', info: 'notice', hint: 'notice' };

export function formatGithub(findings: readonly OutputFinding[]): string {
  return findings
    .map(({ finding: f, path }) => {
      const r = f.fileRange;
      const cell = f.location.cell !== undefined ? ` (cell ${f.location.cell + 1}, line ${f.location.range.start.line + 1})` : '';
      const props = [
        `file=${escapeProperty(path)}`,
        `line=${r.start.line + 1}`,
        `col=${r.start.character + 1}`,
        `endLine=${r.end.line + 1}`,
        ...(r.start.line === r.end.line ? [`endColumn=${r.end.character + 1}`] : []),
        `title=${escapeProperty(`MLOps Hygiene: ${f.rule}`)}`,
      ].join(',');
      return `::${LEVEL[f.severity]} ${props}::${escapeData(f.message + cell)}\n`;
    })
    .join('');
}
