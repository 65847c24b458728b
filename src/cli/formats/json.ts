import { ruleDocsUrl } from '../../core/docs-link';
import { fixAvailability, type OutputFinding } from './common';

/** The stable JSON shape: one object per finding, 1-based lines and columns. */
export function formatJson(findings: readonly OutputFinding[]): string {
  const out = findings.map(({ finding: f, path }) => ({
    file: path,
    rule: f.rule,
    area: f.area,
    severity: f.severity,
    message: f.message,
    range: {
      start: { line: f.fileRange.start.line + 1, column: f.fileRange.start.character + 1 },
      end: { line: f.fileRange.end.line + 1, column: f.fileRange.end.character + 1 },
    },
    ...(f.location.cell !== undefined
      ? {
          cell: {
            index: f.location.cell,
            line: f.location.range.start.line + 1,
            column: f.location.range.start.character + 1,
            endLine: f.location.range.end.line + 1,
            endColumn: f.location.range.end.character + 1,
          },
        }
      : {}),
    fix: fixAvailability(f),
    related: f.related.map((r) => ({
      file: r.file ?? path,
      message: r.message,
      ...(r.location.cell !== undefined ? { cell: r.location.cell } : {}),
      line: r.location.range.start.line + 1,
      column: r.location.range.start.character + 1,
    })),
    docs: ruleDocsUrl(f.rule),
  }));
  return JSON.stringify(out, null, 2) + '\n';
}
