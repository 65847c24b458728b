import { cellRangeToFile, mapsCells, parseNotebook, type NotebookModel } from './parse/notebook';
import { PythonProgram, UnitCache } from './parse/program';
import { initPython } from './parse/python';
import { firstValue, parseYaml, type YamlFile } from './parse/yaml';
import type { ReportDescriptor, ResolvedRuleSetting, Rule, RuleContext, Warmer } from './rule';
import { applySuppressions } from './suppressions';
import { fillTemplate, LineIndex } from './text';
import type { Finding, Range, Target } from './types';
import { comparePositions } from './types';
import { classifyYaml, fileKind, type ConfigKind } from './workspace/kinds';
import type { WorkspaceIndex } from './workspace/workspace-index';

/** Settings of every rule for one file (from the config, presets and overrides). */
export type RuleSettingsFor = (file: string) => ReadonlyMap<string, ResolvedRuleSetting>;

export interface LinterOptions {
  workspace: WorkspaceIndex;
  rules: readonly Rule[];
  settings: RuleSettingsFor;
  /** Files larger than this are skipped with a message (default 50 MB). */
  maxFileBytes?: number;
  cache?: UnitCache;
  /**
   * In an editor: give the event loop back between rules once this many ms have
   * passed in one slice, so a long lint never blocks the extension host for long.
   */
  yieldAfterMs?: number;
  /** Shared analyses computed ahead of the rules, in slices, when `yieldAfterMs` is set. */
  warmers?: readonly Warmer[];
}

/** Thrown from a lint whose `isCancelled` said so (a newer edit arrived). */
export class LintCancelled extends Error {}

/**
 * The time slices of one lint in an editor: after `budgetMs` of synchronous work,
 * give the event loop back, and stop there when a newer edit cancelled the run.
 * Without a budget (the CLI) it never yields.
 */
class Slices {
  private start = performance.now();
  /** The work that took longest in the current slice, for `Linter.longestSliceWhere`. */
  private heaviest = { label: '', ms: 0 };

  constructor(
    private readonly linter: Linter,
    readonly budgetMs: number | undefined,
    private readonly isCancelled?: () => boolean,
  ) {}

  due(): boolean {
    return this.budgetMs !== undefined && performance.now() - this.start > this.budgetMs;
  }

  /** Notes that `label` (a rule id, "parsing cells") just took `ms` of this slice. */
  note(label: string, ms: number): void {
    if (ms > this.heaviest.ms) this.heaviest = { label, ms };
  }

  async pause(): Promise<void> {
    this.end();
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (this.isCancelled?.()) throw new LintCancelled('lint cancelled');
    this.restart();
  }

  /**
   * Awaits an asynchronous rule. When the event loop turned while it waited (file
   * reads through the editor), the slice ended where the rule started waiting: the
   * wait did not block anyone.
   */
  async wait(pending: Promise<void>): Promise<boolean> {
    let turned = false;
    const marker = setImmediate(() => (turned = true));
    const waitFrom = performance.now();
    try {
      await pending;
    } finally {
      clearImmediate(marker);
    }
    if (turned) {
      this.end(waitFrom);
      this.restart();
    }
    return turned;
  }

  /** Milliseconds since the current slice began. */
  elapsed(): number {
    return performance.now() - this.start;
  }

  /** Records the current slice in `Linter.longestSliceMs`. */
  end(at = performance.now()): void {
    if (this.budgetMs === undefined) return;
    const ms = at - this.start;
    if (ms > this.linter.longestSliceMs) {
      this.linter.longestSliceMs = ms;
      this.linter.longestSliceWhere = this.heaviest.label;
      this.linter.longestSliceHeaviestMs = this.heaviest.ms;
    }
  }

  private restart(): void {
    this.start = performance.now();
    this.heaviest = { label: '', ms: 0 };
  }
}

export interface LintResult {
  file: string;
  findings: Finding[];
  /** Set when the file was not linted at all (too large, unknown kind). */
  skipped?: string;
  notebook?: NotebookModel;
}

const DEFAULT_MAX_BYTES = 50 * 1024 * 1024;

/** The slice label of the last piece of a lint: suppressions, file positions, sorting. */
const FINISH_LABEL = 'suppressions and positions';

const NO_OPTIONS = Object.freeze({}) as Record<string, never>;

function hasKeys(o: object | undefined): boolean {
  for (const _ in o) return true;
  return false;
}

function zeroRange(): Range {
  return { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
}

/** The engine: lint one file's text against the workspace index. Never throws for bad input. */
export class Linter {
  readonly cache: UnitCache;
  /** Milliseconds per rule, collected when `MLOPS_HYGIENE_TIMING` is set (like ESLint's TIMING). */
  /** Longest stretch of one lint without yielding (ms), when `yieldAfterMs` is set. */
  longestSliceMs = 0;
  /** What took longest inside that slice: a rule id or "parsing cells". */
  longestSliceWhere = '';
  /** How long that heaviest work took: far below `longestSliceMs` when the slice went to work no piece notes (GC, the host). */
  longestSliceHeaviestMs = 0;
  readonly timing: Map<string, number> | undefined = typeof process !== 'undefined' && process.env?.MLOPS_HYGIENE_TIMING ? new Map() : undefined;
  private readonly byId: Map<string, Rule>;

  constructor(private readonly options: LinterOptions) {
    this.cache = options.cache ?? new UnitCache();
    this.byId = new Map(options.rules.map((r) => [r.meta.id, r]));
  }

  get workspace(): WorkspaceIndex {
    return this.options.workspace;
  }

  rule(id: string): Rule | undefined {
    return this.byId.get(id);
  }

  async lintText(file: string, text: string): Promise<LintResult> {
    const kind = fileKind(file);
    if (kind === 'other') return { file, findings: [], skipped: 'not a notebook, Python, YAML or requirements file' };
    const max = this.options.maxFileBytes ?? DEFAULT_MAX_BYTES;
    if (text.length > max) return { file, findings: [], skipped: `larger than ${Math.round(max / 1024 / 1024)} MB` };
    if (kind === 'notebook') {
      const parsed = parseNotebook(text);
      if (parsed.ok) return this.lintNotebook(file, parsed.notebook);
      // Health first: a file that does not parse gets one clear finding and nothing else.
      const settings = this.options.settings(file);
      const findings: Finding[] = [];
      const at = new LineIndex(text).positionAt(parsed.error.offset);
      this.push(findings, settings, file, 'invalid-notebook', { messageId: 'invalid', data: { reason: parsed.error.message }, location: { range: { start: at, end: at } } });
      return { file, findings };
    }
    if (kind === 'python') {
      if (text.includes('\u0000')) return { file, findings: [], skipped: 'binary file' };
      await initPython();
      const slices = new Slices(this, this.options.yieldAfterMs);
      const python = PythonProgram.fromUnits(this.cache, [{ text }]);
      await this.warm(file, python, slices);
      return this.run(file, text, 'python', { python }, slices);
    }
    if (kind === 'requirements') {
      // pip requirements/constraints: line-based, rules read `text` (no parse to share).
      if (text.includes('\u0000')) return { file, findings: [], skipped: 'binary file' };
      return this.run(file, text, 'requirements', {});
    }
    const yaml = parseYaml(text);
    if (yaml.errors.length) {
      const settings = this.options.settings(file);
      const findings: Finding[] = [];
      for (const e of yaml.errors.slice(0, 20)) {
        this.push(findings, settings, file, 'invalid-yaml', { messageId: 'invalid', data: { reason: e.message }, location: { range: e.range } });
      }
      return { file, findings: this.finish(findings, file, text, undefined, settings) };
    }
    return this.run(file, text, 'yaml', { yaml, configKind: classifyYaml(file, firstValue(yaml)) });
  }

  /**
   * Lints a notebook already in memory: parsed from a file, or built from an
   * editor's cells with `notebookFromCells` (then `text` is empty and file
   * ranges equal cell ranges). Unchanged cells come from the parse cache.
   */
  async lintNotebook(file: string, notebook: NotebookModel, isCancelled?: () => boolean): Promise<LintResult> {
    await initPython();
    const slices = new Slices(this, this.options.yieldAfterMs, isCancelled);
    let python: PythonProgram | undefined;
    if (/^i?python/.test(notebook.language) || notebook.language === '') {
      const pieces: Array<{ cell: number; text: string }> = [];
      for (const c of notebook.cells) {
        if (c.kind !== 'code') continue;
        pieces.push({ cell: c.index, text: c.source });
        // The first lint of a large notebook parses every cell: in slices too.
        if (slices.budgetMs !== undefined) {
          const t = performance.now();
          this.cache.get(c.source);
          slices.note('parsing cells', performance.now() - t);
          if (slices.due()) await slices.pause();
        }
      }
      python = PythonProgram.fromUnits(this.cache, pieces);
      await this.warm(file, python, slices);
    }
    const r = await this.run(file, notebook.text, 'notebook', { notebook, python }, slices);
    return { ...r, notebook };
  }

  /** In an editor: the shared analyses the enabled rules will need, one slice-sized piece at a time. */
  private async warm(file: string, program: PythonProgram, slices: Slices): Promise<void> {
    const warmers = this.options.warmers;
    if (slices.budgetMs === undefined || !warmers?.length) return;
    const settings = this.options.settings(file);
    const on = (id: string): boolean => {
      const s = settings.get(id);
      return s !== undefined && s.severity !== 'off';
    };
    for (const w of warmers) {
      if (!w.rules.some(on)) continue;
      try {
        if (w.unit) {
          const units = program.units;
          for (let i = 0; i < units.length; i++) {
            const t = performance.now();
            w.unit(units[i], program, i);
            slices.note(w.name, performance.now() - t);
            if (slices.due()) await slices.pause();
          }
        }
        if (w.program) {
          const t = performance.now();
          w.program(program, this.options.workspace, file);
          slices.note(w.name, performance.now() - t);
          if (slices.due()) await slices.pause();
        }
      } catch (e) {
        if (e instanceof LintCancelled) throw e;
        // A warmer is only a head start: the rule that needs the result reports any error.
      }
    }
  }

  private async run(
    file: string,
    text: string,
    target: Target,
    parsed: { notebook?: NotebookModel; python?: PythonProgram; yaml?: YamlFile; configKind?: ConfigKind },
    slices = new Slices(this, this.options.yieldAfterMs),
  ): Promise<LintResult> {
    const settings = this.options.settings(file);
    const findings: Finding[] = [];
    const { notebook, python, yaml, configKind } = parsed;
    const workspace = this.options.workspace;
    for (const rule of this.options.rules) {
      if (slices.due()) await slices.pause();
      const setting = settings.get(rule.meta.id);
      if (!setting || setting.severity === 'off' || !rule.meta.targets.includes(target)) continue;
      // One object literal of a fixed shape per rule (no spread): cheap to build.
      const ctx: RuleContext = {
        file,
        text,
        workspace,
        target,
        notebook,
        python,
        yaml,
        configKind,
        options: hasKeys(setting.options) ? { ...rule.meta.options, ...setting.options } : (rule.meta.options ?? NO_OPTIONS),
        report: (d) => this.push(findings, settings, file, rule.meta.id, d),
      };
      const t0 = this.timing || slices.budgetMs !== undefined ? performance.now() : 0;
      try {
        // Most rules are synchronous: awaiting them anyway costs a microtask turn each.
        const pending = rule.check(ctx);
        let waited = false;
        if (pending) {
          if (slices.budgetMs === undefined) await pending;
          else waited = await slices.wait(pending);
        }
        if (t0) {
          const ms = performance.now() - t0;
          if (this.timing) this.timing.set(rule.meta.id, (this.timing.get(rule.meta.id) ?? 0) + ms);
          // After a wait, only the part of the rule in the new slice blocked.
          slices.note(rule.meta.id, waited ? slices.elapsed() : ms);
        }
      } catch (e) {
        // A rule bug must not take the whole run down; say so where it can be seen.
        findings.push({
          rule: rule.meta.id,
          area: rule.meta.area,
          severity: 'error',
          message: `Internal error in rule ${rule.meta.id}: ${(e as Error).message}. Please report it.`,
          file,
          location: { range: zeroRange() },
          fileRange: zeroRange(),
          fixes: [],
          related: [],
        });
      }
    }
    // Suppressions and file positions (the notebook's structure is read here, on the
    // first finding): a piece of its own, after a yield when the slice is spent.
    if (slices.due()) await slices.pause();
    const tf = slices.budgetMs !== undefined ? performance.now() : 0;
    const out = this.finish(findings, file, text, notebook, settings);
    if (tf) slices.note(FINISH_LABEL, performance.now() - tf);
    slices.end();
    return { file, findings: out, notebook };
  }

  private finish(findings: Finding[], file: string, text: string, notebook: NotebookModel | undefined, settings: ReadonlyMap<string, ResolvedRuleSetting>): Finding[] {
    const out = applySuppressions({ file, text, notebook, findings, settings, knownRule: (id) => this.byId.has(id) });
    const mapCells = notebook !== undefined && mapsCells(notebook);
    for (const f of out) {
      if (mapCells && f.location.cell !== undefined) f.fileRange = cellRangeToFile(notebook, f.location.cell, f.location.range);
      for (const r of f.related) {
        if (r.file !== undefined && r.file !== file) continue;
        r.fileRange = mapCells && r.location.cell !== undefined ? cellRangeToFile(notebook, r.location.cell, r.location.range) : r.location.range;
      }
    }
    return out.sort(
      (a, b) =>
        (a.location.cell ?? -1) - (b.location.cell ?? -1) || comparePositions(a.fileRange.start, b.fileRange.start) || a.rule.localeCompare(b.rule),
    );
  }

  private push(
    findings: Finding[],
    settings: ReadonlyMap<string, ResolvedRuleSetting>,
    file: string,
    ruleId: string,
    d: ReportDescriptor,
  ): void {
    const rule = this.byId.get(ruleId);
    const setting = settings.get(ruleId);
    if (!rule || !setting || setting.severity === 'off') return;
    const template = rule.meta.messages[d.messageId];
    if (template === undefined) throw new Error(`rule ${ruleId} has no message ${d.messageId}`);
    const f: Finding = {
      rule: ruleId,
      area: rule.meta.area,
      severity: setting.severity,
      message: fillTemplate(template, d.data),
      messageId: d.messageId,
      file,
      location: d.location,
      fileRange: d.location.range,
      fixes: d.fixes ?? [],
      related: d.related ?? [],
    };
    findings.push(f);
  }
}

