import * as assert from 'node:assert/strict';
import { resolveConfig } from '../../src/core/config/resolve';
import { Linter, LintCancelled } from '../../src/core/lint';
import { notebookFromCells } from '../../src/core/parse/notebook';
import { UnitCache } from '../../src/core/parse/program';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Project } from '../../src/core/project';
import type { ResolvedRuleSetting, Rule, Warmer } from '../../src/core/rule';
import { RULES } from '../../src/core/rules';
import { MemoryFileSystem, NodeFileSystem } from '../../src/core/workspace/fs';
import { WorkspaceIndex } from '../../src/core/workspace/workspace-index';

// The editor lints with `yieldAfterMs`: the engine gives the event loop back between
// cell parses and between rules, and a cancelled run stops at the next yield. The CLI
// lints without it and never yields.

const CELLS = 40;
const model = () =>
  notebookFromCells(
    Array.from({ length: CELLS }, (_, i) => ({
      kind: 'code' as const,
      source: `import pandas as pd\ndf${i} = pd.read_csv("data/part${i}.csv")\nprint(df${i}.shape)\n`,
      executionCount: i + 1,
      outputs: [],
      metadata: {},
    })),
  );

async function linter(yieldAfterMs: number | undefined): Promise<Linter> {
  const config = resolveConfig(RULES, { preset: 'strict' });
  return new Linter({ workspace: await WorkspaceIndex.build(new MemoryFileSystem({})), rules: RULES, settings: (f) => config.settingsFor(f), cache: new UnitCache(), yieldAfterMs });
}

/** How many event-loop turns happen while `run` is pending. */
async function turnsDuring<T>(run: () => Promise<T>): Promise<{ value: T; turns: number }> {
  let turns = 0;
  let done = false;
  const tick = (): void => {
    if (done) return;
    turns++;
    setImmediate(tick);
  };
  setImmediate(tick);
  const value = await run();
  done = true;
  return { value, turns };
}

describe('lint time slices (editor) and cancellation', function () {
  this.timeout(20_000);

  it('without a budget (CLI) the lint never gives the event loop back', async () => {
    const l = await linter(undefined);
    await l.lintNotebook('nb.ipynb', model()); // loads tree-sitter outside the measured run
    const { value, turns } = await turnsDuring(() => l.lintNotebook('other.ipynb', model()));
    assert.equal(turns, 0);
    assert.ok(value.findings.length > 0);
    assert.equal(l.longestSliceMs, 0);
  });

  it('with a 0 ms budget it yields between cell parses and rules, with the same findings', async () => {
    const plain = await (await linter(undefined)).lintNotebook('nb.ipynb', model());
    const l = await linter(0);
    await l.lintNotebook('warm.ipynb', notebookFromCells([]));
    const { value, turns } = await turnsDuring(() => l.lintNotebook('nb.ipynb', model()));
    // One yield per cell parsed (40) plus one per rule at least.
    assert.ok(turns >= CELLS + RULES.length - 1, `only ${turns} turns`);
    assert.deepEqual(value.findings, plain.findings);
    assert.ok(l.longestSliceMs > 0);
  });

  it('a cancelled first lint stops parsing at the next yield', async () => {
    const l = await linter(0);
    await l.lintNotebook('warm.ipynb', notebookFromCells([]));
    const before = l.cache.parses;
    let calls = 0;
    await assert.rejects(
      l.lintNotebook('nb.ipynb', model(), () => ++calls >= 3),
      (e: unknown) => e instanceof LintCancelled,
    );
    assert.equal(l.cache.parses - before, 3, 'three cells parsed, then cancelled');
  });

  it('counts an async rule waiting on I/O as a yield, a busy rule as blocking, and names the heaviest work', async () => {
    const rule = (id: string, check: Rule['check']): Rule => ({ meta: { ...RULES[0].meta, id, targets: ['notebook'] }, check });
    const busy = rule('busy', () => {
      const end = performance.now() + 30;
      while (performance.now() < end);
    });
    const waits = rule('waits', () => new Promise<void>((resolve) => setTimeout(resolve, 60)));
    const settings = new Map<string, ResolvedRuleSetting>([['busy', { severity: 'warning', options: {} }], ['waits', { severity: 'warning', options: {} }]]);
    const make = async (rules: Rule[]) => new Linter({ workspace: await WorkspaceIndex.build(new MemoryFileSystem({})), rules, settings: () => settings, cache: new UnitCache(), yieldAfterMs: 10 });
    const onlyWaits = await make([waits]);
    await onlyWaits.lintNotebook('nb.ipynb', notebookFromCells([]));
    assert.ok(onlyWaits.longestSliceMs < 30, `a 60 ms wait is not a ${onlyWaits.longestSliceMs} ms slice`);
    const both = await make([waits, busy]);
    await both.lintNotebook('nb.ipynb', notebookFromCells([]));
    assert.ok(both.longestSliceMs >= 30, `${both.longestSliceMs}`);
    assert.equal(both.longestSliceWhere, 'busy');
    assert.ok(both.longestSliceHeaviestMs >= 30 && both.longestSliceHeaviestMs <= both.longestSliceMs, `${both.longestSliceHeaviestMs} of ${both.longestSliceMs}`);
  });

  it('suppressions and file positions are a piece of their own, after a yield, with their label', async () => {
    let turnedAfterLastRule = false;
    const reports: Rule = {
      meta: { ...RULES[0].meta, id: 'reports', targets: ['notebook'] },
      check: (ctx) => {
        ctx.report({ messageId: Object.keys(RULES[0].meta.messages)[0], data: {}, location: { cell: 0, range: { start: { line: 0, character: 0 }, end: { line: 0, character: 1 } } } });
        setImmediate(() => (turnedAfterLastRule = true));
      },
    };
    const settings = new Map<string, ResolvedRuleSetting>([['reports', { severity: 'warning', options: {} }]]);
    const make = async (yieldAfterMs: number | undefined) => new Linter({ workspace: await WorkspaceIndex.build(new MemoryFileSystem({})), rules: [reports], settings: () => settings, cache: new UnitCache(), yieldAfterMs });
    // The CLI: no yield, the lint is done before the event loop turns.
    const cli = await (await make(undefined)).lintNotebook('nb.ipynb', model());
    assert.equal(cli.findings.length, 1);
    assert.equal(turnedAfterLastRule, false);
    await new Promise((resolve) => setImmediate(resolve));
    turnedAfterLastRule = false;
    // The editor, every slice spent at once: the loop turns between the last rule and the positions.
    const editor = await make(0);
    const r = await editor.lintNotebook('nb.ipynb', model());
    assert.equal(turnedAfterLastRule, true);
    assert.deepEqual(r.findings.map((f) => [f.rule, f.location.cell]), [['reports', 0]]);
  });

  it('warmers run in the editor only, only for rules that are on, one slice-sized piece at a time', async () => {
    const calls: string[] = [];
    const warmers: Warmer[] = [
      // Each unit with its program and its position there (per-cell parts of program analyses).
      { name: 'per cell', rules: ['hidden-state'], unit: (u, p, i) => void calls.push(p.units[i] === u ? `unit ${u.cell}` : `unit ${u.cell} at ${i}?`) },
      { name: 'whole', rules: ['untracked-data-read'], program: (_p, _ws, file) => void calls.push(`program ${file}`) },
      { name: 'off rule', rules: ['no-such-rule'], program: () => void calls.push('never') },
    ];
    const config = resolveConfig(RULES, { preset: 'recommended' });
    const make = async (yieldAfterMs: number | undefined) =>
      new Linter({ workspace: await WorkspaceIndex.build(new MemoryFileSystem({})), rules: RULES, settings: (f) => config.settingsFor(f), cache: new UnitCache(), yieldAfterMs, warmers });
    await (await make(undefined)).lintNotebook('nb.ipynb', model());
    assert.deepEqual(calls, [], 'the CLI runs no warmer');
    const editor = await make(0);
    const { turns } = await turnsDuring(() => editor.lintNotebook('nb.ipynb', model()));
    assert.deepEqual(calls, [...Array.from({ length: CELLS }, (_, i) => `unit ${i}`), 'program nb.ipynb']);
    assert.ok(turns >= 2 * CELLS, `${turns} turns: cells parsed, then warmed, one by one`);
  });

  it('the real warmers leave every finding as it is (sample workspace, editor vs CLI)', async () => {
    const root = path.resolve(__dirname, '../../examples/workspace');
    const file = 'notebooks/train.ipynb';
    const text = fs.readFileSync(path.join(root, file), 'utf8');
    const cli = await Project.open(new NodeFileSystem(root));
    const editor = await Project.open(new NodeFileSystem(root), { yieldAfterMs: 0 });
    const expected = (await cli.lintFile(file, text)).findings;
    assert.ok(expected.length > 5);
    assert.deepEqual((await editor.lintFile(file, text)).findings, expected);
    const py = 'src/prepare.py';
    assert.deepEqual((await editor.lintFile(py)).findings, (await cli.lintFile(py)).findings);
  });
});
