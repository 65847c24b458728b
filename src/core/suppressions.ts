import type { NotebookModel } from './parse/notebook';
import type { ResolvedRuleSetting } from './rule';
import type { Finding, Range, Severity } from './types';

/**
 * Suppressions that keep notebooks readable:
 *   `# mlops-hygiene: ignore[rule-a, rule-b]`  this line (a comment alone on its line: the next line too)
 *   `# mlops-hygiene: ignore-cell[rule]`       the whole cell (notebooks) or file (.py/.yaml)
 *   `# mlops-hygiene: ignore-file[rule]`       the whole file
 *   cell tag `mlops-hygiene-ignore:rule` / `mlops-hygiene-ignore`, or cell metadata
 *   `{"mlops-hygiene": {"ignore": ["rule"]}}`; notebook metadata of the same shape for the file.
 * Without `[...]` a directive covers every rule. A directive that suppresses nothing
 * is reported as `unused-suppression` (as ESLint reports unused disable directives).
 */
export const UNUSED_SUPPRESSION = 'unused-suppression';

export const DIRECTIVE = /#\s*mlops-hygiene:\s*(ignore-file|ignore-cell|ignore)\b(?:\[([^\]]*)\])?/g;
const TAG_PREFIX = 'mlops-hygiene-ignore';

type Scope = 'line' | 'cell' | 'file';

interface Directive {
  scope: Scope;
  rules: string[] | '*';
  cell?: number;
  line: number;
  /** The next line is covered too (comment alone on its line). */
  standalone: boolean;
  /** Where the directive is written; undefined for tags and metadata. */
  range?: Range;
  /** Range of the whole line, for a fix that removes a standalone directive. */
  lineRange?: Range;
  source: 'comment' | 'tag' | 'metadata';
  used: Set<string>;
}

function parseRuleList(list: string | undefined): string[] | '*' {
  if (list === undefined) return '*';
  const ids = list.split(',').map((s) => s.trim()).filter(Boolean);
  return ids.length ? ids : '*';
}

function commentDirectives(text: string, cell: number | undefined, out: Directive[]): void {
  if (!text.includes('mlops-hygiene')) return;
  const lines = text.split('\n');
  for (let ln = 0; ln < lines.length; ln++) {
    const line = lines[ln];
    if (!line.includes('mlops-hygiene')) continue;
    DIRECTIVE.lastIndex = 0;
    let m: RegExpExecArray | null;
    while ((m = DIRECTIVE.exec(line))) {
      const kind = m[1];
      const scope: Scope = kind === 'ignore-file' ? 'file' : kind === 'ignore-cell' ? (cell === undefined ? 'file' : 'cell') : 'line';
      const before = line.slice(0, m.index);
      out.push({
        scope,
        rules: parseRuleList(m[2]),
        cell,
        line: ln,
        standalone: before.trim() === '',
        range: { start: { line: ln, character: m.index }, end: { line: ln, character: m.index + m[0].length } },
        lineRange: { start: { line: ln, character: 0 }, end: { line: ln + 1, character: 0 } },
        source: 'comment',
        used: new Set(),
      });
    }
  }
}

function metadataIgnore(meta: Record<string, unknown>): string[] | '*' | undefined {
  const own = meta['mlops-hygiene'];
  if (typeof own !== 'object' || own === null) return undefined;
  const ig = (own as Record<string, unknown>).ignore;
  if (ig === true || ig === '*') return '*';
  if (Array.isArray(ig)) return ig.filter((x): x is string => typeof x === 'string');
  return undefined;
}

export function collectDirectives(text: string, notebook: NotebookModel | undefined): Directive[] {
  const out: Directive[] = [];
  if (!notebook) {
    commentDirectives(text, undefined, out);
    return out;
  }
  const nbIgnore = metadataIgnore(notebook.metadata);
  if (nbIgnore) out.push({ scope: 'file', rules: nbIgnore, line: 0, standalone: false, source: 'metadata', used: new Set() });
  for (const c of notebook.cells) {
    if (c.kind === 'code' || c.kind === 'raw') commentDirectives(c.source, c.index, out);
    for (const tag of c.tags) {
      if (tag === TAG_PREFIX) out.push({ scope: 'cell', rules: '*', cell: c.index, line: 0, standalone: false, source: 'tag', used: new Set() });
      else if (tag.startsWith(TAG_PREFIX + ':')) out.push({ scope: 'cell', rules: parseRuleList(tag.slice(TAG_PREFIX.length + 1)), cell: c.index, line: 0, standalone: false, source: 'tag', used: new Set() });
    }
    const mi = metadataIgnore(c.metadata);
    if (mi) out.push({ scope: 'cell', rules: mi, cell: c.index, line: 0, standalone: false, source: 'metadata', used: new Set() });
  }
  return out;
}

function covers(d: Directive, f: Finding): boolean {
  if (d.rules !== '*' && !d.rules.includes(f.rule)) return false;
  if (d.scope === 'file') return true;
  if (d.cell !== f.location.cell) return false;
  if (d.scope === 'cell') return true;
  const { start, end } = f.location.range;
  const lines = d.standalone ? [d.line, d.line + 1] : [d.line];
  return lines.includes(start.line) || lines.includes(end.line);
}

export interface SuppressionInput {
  file: string;
  text: string;
  notebook?: NotebookModel;
  findings: Finding[];
  settings: ReadonlyMap<string, ResolvedRuleSetting>;
  knownRule: (id: string) => boolean;
}

/** Drops suppressed findings and adds `unused-suppression` findings. */
export function applySuppressions(input: SuppressionInput): Finding[] {
  const directives = collectDirectives(input.text, input.notebook);
  if (directives.length === 0) return input.findings;
  const kept: Finding[] = [];
  for (const f of input.findings) {
    if (f.rule === 'invalid-notebook' || f.rule === 'invalid-yaml') {
      kept.push(f);
      continue;
    }
    const d = directives.find((x) => covers(x, f));
    if (d) d.used.add(f.rule);
    else kept.push(f);
  }
  const unused = input.settings.get(UNUSED_SUPPRESSION);
  if (!unused || unused.severity === 'off') return kept;
  for (const d of directives) {
    const problems: string[] = [];
    if (d.rules === '*') {
      if (d.used.size === 0) problems.push('suppresses nothing');
    } else {
      for (const id of d.rules) {
        if (!input.knownRule(id)) problems.push(`names an unknown rule "${id}"`);
        else if (!d.used.has(id) && input.settings.get(id)?.severity !== 'off') problems.push(`suppresses no ${id} finding`);
      }
    }
    if (problems.length === 0) continue;
    const where = d.source === 'comment' ? 'This suppression comment' : d.source === 'tag' ? 'The cell tag suppression' : 'The metadata suppression';
    const onlyRules = d.rules === '*' || problems.length === d.rules.length;
    kept.push({
      rule: UNUSED_SUPPRESSION,
      area: 'hygiene',
      severity: unused.severity as Severity,
      message: `${where} ${problems.join('; ')}.`,
      file: input.file,
      location: { cell: d.cell, range: d.range ?? { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } },
      fileRange: d.range ?? { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } },
      fixes:
        d.range && onlyRules
          ? [
              {
                title: 'Remove the unused suppression',
                safety: 'safe',
                edits: [d.standalone && d.lineRange ? { cell: d.cell, range: d.lineRange, newText: '' } : { cell: d.cell, range: trimLeading(input, d), newText: '' }],
              },
            ]
          : [],
      related: [],
    });
  }
  return kept;
}

/** The directive plus the spaces before it, so removing it leaves no trailing blanks. */
function trimLeading(input: SuppressionInput, d: Directive): Range {
  const r = d.range!;
  const text = d.cell !== undefined && input.notebook ? input.notebook.cells[d.cell].source : input.text;
  const line = text.split('\n')[r.start.line] ?? '';
  let s = r.start.character;
  while (s > 0 && (line[s - 1] === ' ' || line[s - 1] === '\t')) s--;
  return { start: { line: r.start.line, character: s }, end: r.end };
}
