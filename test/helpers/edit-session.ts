// One-cell edits through the engine's caches (what the editor does on every
// keystroke): the findings must follow the edit, and equal a fresh lint.
import * as assert from 'node:assert/strict';
import { resolveConfig } from '../../src/core/config/resolve';
import { Linter } from '../../src/core/lint';
import { notebookFromCells, type NotebookOutput } from '../../src/core/parse/notebook';
import { UnitCache } from '../../src/core/parse/program';
import { RULES } from '../../src/core/rules';
import { MemoryFileSystem } from '../../src/core/workspace/fs';
import { WorkspaceIndex } from '../../src/core/workspace/workspace-index';

export type EditCell = string | { markdown: string } | { code: string; executionCount?: number | null; outputs?: NotebookOutput[] };

export async function editSession(ruleId: string, files: Record<string, string> = {}): Promise<(cells: EditCell[]) => Promise<string[]>> {
  const workspace = await WorkspaceIndex.build(new MemoryFileSystem(files));
  const config = resolveConfig(RULES, { rules: Object.fromEntries(RULES.map((r) => [r.meta.id, r.meta.id === ruleId ? ('warning' as const) : ('off' as const)])) });
  const linter = (): Linter => new Linter({ workspace, rules: RULES, settings: (f) => config.settingsFor(f), cache: new UnitCache() });
  const warm = linter();
  const run = async (l: Linter, cells: EditCell[]): Promise<string[]> => {
    const model = notebookFromCells(
      cells.map((c) =>
        typeof c === 'string'
          ? { kind: 'code' as const, source: c, executionCount: null, outputs: [], metadata: {} }
          : 'markdown' in c
            ? { kind: 'markdown' as const, source: c.markdown, executionCount: null, outputs: [], metadata: {} }
            : { kind: 'code' as const, source: c.code, executionCount: c.executionCount ?? null, outputs: c.outputs ?? [], metadata: {} },
      ),
    );
    const r = await l.lintNotebook('analysis.ipynb', model);
    return r.findings.filter((f) => f.rule === ruleId).map((f) => `${f.location.cell}:${f.location.range.start.line + 1}:${f.location.range.start.character + 1} ${f.messageId}`);
  };
  return async (cells) => {
    const got = await run(warm, cells);
    assert.deepEqual(got, await run(linter(), cells), 'a re-lint through the cache must equal a fresh lint');
    return got;
  };
}
