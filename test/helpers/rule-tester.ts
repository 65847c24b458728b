// RuleTester in the shape of typescript-eslint's, under mocha: per rule, `valid`
// and `invalid` tables. Lines and columns are 1-based, as in ESLint.
import * as assert from 'node:assert/strict';
import { resolveConfig } from '../../src/core/config/resolve';
import { applyEdits, selectEdits } from '../../src/core/fix/apply';
import { Linter, type LintResult } from '../../src/core/lint';
import type { OptionValue, Rule } from '../../src/core/rule';
import { RULES } from '../../src/core/rules';
import { MemoryFileSystem } from '../../src/core/workspace/fs';
import { WorkspaceIndex } from '../../src/core/workspace/workspace-index';

export type CellSpec =
  | string
  | { code: string; executionCount?: number | null; outputs?: unknown[]; tags?: string[]; metadata?: Record<string, unknown> }
  | { markdown: string };

/** Builds nbformat 4 JSON (indent 1, like Jupyter) from a list of cells. */
export function notebook(cells: CellSpec[], metadata: Record<string, unknown> = {}): string {
  let count = 0;
  const lines = (s: string): string[] => {
    const parts = s.split('\n');
    return parts.map((p, i) => (i < parts.length - 1 ? p + '\n' : p)).filter((p, i, a) => !(i === a.length - 1 && p === ''));
  };
  const json = {
    cells: cells.map((c) => {
      if (typeof c === 'string') return { cell_type: 'code', execution_count: ++count, metadata: {}, outputs: [], source: lines(c) };
      if ('markdown' in c) return { cell_type: 'markdown', metadata: {}, source: lines(c.markdown) };
      const metaTags = c.tags ? { tags: c.tags } : {};
      return {
        cell_type: 'code',
        execution_count: c.executionCount === undefined ? ++count : c.executionCount,
        metadata: { ...metaTags, ...(c.metadata ?? {}) },
        outputs: c.outputs ?? [],
        source: lines(c.code),
      };
    }),
    metadata: { kernelspec: { display_name: 'Python 3', language: 'python', name: 'python3' }, language_info: { name: 'python' }, ...metadata },
    nbformat: 4,
    nbformat_minor: 5,
  };
  return JSON.stringify(json, null, 1) + '\n';
}

export interface ExpectedError {
  messageId?: string;
  /** Exact message, when the case wants to pin it. */
  message?: string;
  /** Substring of the message. */
  messageIncludes?: string;
  cell?: number;
  line: number;
  column: number;
  endLine?: number;
  endColumn?: number;
  /** Related information messages, exact. */
  related?: string[];
}

export interface TestCase {
  name?: string;
  /** Python source (file `main.py` unless `file` is given). */
  code?: string;
  /** Notebook cells (file `analysis.ipynb` unless `file` is given). */
  cells?: CellSpec[];
  /** Raw text of the file under test (YAML, or a notebook's raw JSON). */
  text?: string;
  file?: string;
  /** Other workspace files, e.g. `{ 'data/train.csv.dvc': 'outs:\n- path: train.csv\n' }`. */
  files?: Record<string, string>;
  options?: Record<string, OptionValue>;
}

export interface InvalidCase extends TestCase {
  errors: ExpectedError[];
  /** Expected text after applying the first fix (safe or unsafe) of every finding. */
  output?: string;
  /** Expected cells' sources after fixing a notebook (other cells must stay byte-identical). */
  outputCells?: string[];
}

function fileAndText(c: TestCase): { file: string; text: string } {
  if (c.cells) return { file: c.file ?? 'analysis.ipynb', text: notebook(c.cells) };
  if (c.code !== undefined) return { file: c.file ?? 'main.py', text: c.code };
  if (c.text !== undefined) return { file: c.file ?? 'config.yaml', text: c.text };
  throw new Error('test case needs code, cells or text');
}

/** Lints one case with only `rule` on (plus the health rules it may need). */
export async function lintCase(rule: Rule, c: TestCase): Promise<LintResult> {
  const { file, text } = fileAndText(c);
  const fs = new MemoryFileSystem({ ...(c.files ?? {}), [file]: text });
  const workspace = await WorkspaceIndex.build(fs);
  const config = resolveConfig(RULES, {
    rules: Object.fromEntries(RULES.map((r) => [r.meta.id, r.meta.id === rule.meta.id ? { severity: 'warning' as const, options: c.options ?? {} } : ('off' as const)])),
  });
  const linter = new Linter({ workspace, rules: RULES.some((r) => r.meta.id === rule.meta.id) ? RULES : [...RULES, rule], settings: (f) => config.settingsFor(f) });
  return linter.lintText(file, text);
}

function describeFindings(r: LintResult): string {
  return JSON.stringify(
    r.findings.map((f) => ({ rule: f.rule, cell: f.location.cell, line: f.location.range.start.line + 1, column: f.location.range.start.character + 1, endLine: f.location.range.end.line + 1, endColumn: f.location.range.end.character + 1, message: f.message })),
    null,
    1,
  );
}

export function ruleTester(rule: Rule, tests: { valid: Array<TestCase | string>; invalid: InvalidCase[] }): void {
  const id = rule.meta.id;
  describe(id, () => {
    describe('valid', () => {
      tests.valid.forEach((v, i) => {
        const c: TestCase = typeof v === 'string' ? { code: v } : v;
        it(c.name ?? `valid #${i + 1}`, async () => {
          const r = await lintCase(rule, c);
          const mine = r.findings.filter((f) => f.rule === id);
          assert.equal(mine.length, 0, `expected no ${id} findings, got ${describeFindings(r)}`);
        });
      });
    });
    describe('invalid', () => {
      tests.invalid.forEach((c, i) => {
        it(c.name ?? `invalid #${i + 1}`, async () => {
          assert.ok(c.errors.length > 0, 'an invalid case must expect at least one error');
          const r = await lintCase(rule, c);
          const mine = r.findings.filter((f) => f.rule === id);
          assert.equal(mine.length, c.errors.length, `expected ${c.errors.length} ${id} findings, got ${describeFindings(r)}`);
          c.errors.forEach((e, k) => {
            const f = mine[k];
            const got = f.location;
            const where = `finding ${k}: ${describeFindings({ ...r, findings: [f] })}`;
            if (e.messageId) assert.equal(f.messageId, e.messageId, `messageId of ${where}`);
            if (e.message !== undefined) assert.equal(f.message, e.message, where);
            if (e.messageIncludes !== undefined) assert.ok(f.message.includes(e.messageIncludes), `${where}\nmessage should include ${e.messageIncludes}`);
            assert.equal(got.cell, e.cell, `cell of ${where}`);
            assert.equal(got.range.start.line + 1, e.line, `line of ${where}`);
            assert.equal(got.range.start.character + 1, e.column, `column of ${where}`);
            if (e.endLine !== undefined) assert.equal(got.range.end.line + 1, e.endLine, `endLine of ${where}`);
            if (e.endColumn !== undefined) assert.equal(got.range.end.character + 1, e.endColumn, `endColumn of ${where}`);
            if (e.related) assert.deepEqual(f.related.map((x) => x.message), e.related, `related of ${where}`);
          });
          if (c.output !== undefined || c.outputCells !== undefined) {
            const { file, text } = fileAndText(c);
            const { edits } = selectEdits(mine, { unsafe: true });
            const out = applyEdits(file, text, edits);
            assert.ok(out !== undefined, 'fix produced invalid output');
            if (c.output !== undefined) assert.equal(out, c.output);
            if (c.outputCells !== undefined) {
              const before = JSON.parse(text) as { cells: Array<{ source: string[] }> };
              const after = JSON.parse(out) as { cells: Array<{ source: string[] }> };
              assert.deepEqual(after.cells.map((x) => x.source.join('')), c.outputCells);
              // Cells the fix did not touch keep their exact JSON.
              for (const cell of before.cells) {
                const same = after.cells.find((x) => x.source.join('') === cell.source.join(''));
                if (same) assert.deepEqual(same, cell);
              }
            }
          } else {
            assert.ok(mine.every((f) => f.fixes.length === 0), `this case's findings have fixes: give \`output\` or \`outputCells\` to test them`);
          }
        });
      });
    });
  });
}
