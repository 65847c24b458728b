import type * as Sarif from 'sarif';
import { ruleDocsUrl, REPOSITORY_URL } from '../../core/docs-link';
import type { Rule } from '../../core/rule';
import type { Severity } from '../../core/types';
import type { OutputFinding } from './common';

const LEVEL: Record<Severity, Sarif.ReportingConfiguration.level> = { error: 'error', warning: 'warning', info: 'note', hint: 'note' };

/** SARIF 2.1.0 with rule metadata and help links (GitHub code scanning reads it). */
export function formatSarif(findings: readonly OutputFinding[], rules: readonly Rule[], version: string): string {
  const used = rules;
  const index = new Map(used.map((r, i) => [r.meta.id, i]));
  const log: Sarif.Log = {
    $schema: 'https://json.schemastore.org/sarif-2.1.0.json',
    version: '2.1.0',
    runs: [
      {
        tool: {
          driver: {
            name: 'MLOps Hygiene',
            informationUri: REPOSITORY_URL,
            version,
            rules: used.map((r) => ({
              id: r.meta.id,
              name: r.meta.id,
              shortDescription: { text: r.meta.docs.summary },
              fullDescription: { text: r.meta.docs.whatItDoes },
              helpUri: ruleDocsUrl(r.meta.id),
              help: { text: `${r.meta.docs.whyIsThisBad}\n\n${ruleDocsUrl(r.meta.id)}`, markdown: `${r.meta.docs.whyIsThisBad}\n\n[Documentation](${ruleDocsUrl(r.meta.id)})` },
              defaultConfiguration: { level: LEVEL[r.meta.defaultSeverity], enabled: r.meta.recommended },
              properties: { tags: ['mlops', r.meta.area] },
            })),
          },
        },
        columnKind: 'utf16CodeUnits',
        originalUriBaseIds: { '%SRCROOT%': { description: { text: 'The folder mlops-hygiene was run from.' } } },
        results: findings.map(({ finding: f, path }) => {
          const r = f.fileRange;
          const result: Sarif.Result = {
            ruleId: f.rule,
            ruleIndex: index.get(f.rule),
            level: LEVEL[f.severity],
            message: { text: f.message },
            locations: [
              {
                physicalLocation: {
                  artifactLocation: { uri: encodeURI(path), uriBaseId: '%SRCROOT%' },
                  region: { startLine: r.start.line + 1, startColumn: r.start.character + 1, endLine: r.end.line + 1, endColumn: r.end.character + 1 },
                },
              },
            ],
          };
          if (f.location.cell !== undefined) result.properties = { cell: f.location.cell, cellLine: f.location.range.start.line + 1, cellColumn: f.location.range.start.character + 1 };
          if (f.related.length) {
            result.relatedLocations = f.related.map((rel, i) => ({
              id: i,
              message: { text: rel.message },
              physicalLocation: {
                artifactLocation: { uri: encodeURI(rel.file ?? path), uriBaseId: '%SRCROOT%' },
                ...(rel.fileRange ? { region: { startLine: rel.fileRange.start.line + 1, startColumn: rel.fileRange.start.character + 1, endLine: rel.fileRange.end.line + 1, endColumn: rel.fileRange.end.character + 1 } } : {}),
              },
            }));
          }
          return result;
        }),
      },
    ],
  };
  return JSON.stringify(log, null, 2) + '\n';
}
