import { CONFIG_FILES, loadConfig, type ConfigError } from './config/load';
import { resolveConfig, type ResolvedConfig, type RuleConfig } from './config/resolve';
import { Linter, type LintResult } from './lint';
import { UnitCache } from './parse/program';
import type { Rule } from './rule';
import { RULES } from './rules';
import { WARMERS } from './rules/warmers';
import type { FileSystem } from './workspace/fs';
import { WorkspaceIndex } from './workspace/workspace-index';

export interface ProjectOptions {
  /** Config file path (workspace-relative or absolute); default: `.mlops-hygiene.yaml` or `pyproject.toml`. */
  configPath?: string;
  /** Rule settings that win over the config file (editor settings). */
  ruleOverrides?: Record<string, RuleConfig>;
  rules?: readonly Rule[];
  cache?: UnitCache;
  /** Yield to the event loop between rules after this many ms (editors). */
  yieldAfterMs?: number;
}

/** A workspace opened for linting: config, index and linter together. */
export class Project {
  private constructor(
    readonly fs: FileSystem,
    readonly config: ResolvedConfig,
    readonly configFile: string | undefined,
    readonly configErrors: ConfigError[],
    readonly workspace: WorkspaceIndex,
    readonly linter: Linter,
  ) {}

  static async open(fs: FileSystem, options: ProjectOptions = {}): Promise<Project> {
    const rules = options.rules ?? RULES;
    const loaded = await loadConfig(fs, options.configPath, rules);
    const config = resolveConfig(rules, loaded.config, options.ruleOverrides);
    // One parse cache for the index (scripts that DVC stages run) and the linter.
    const cache = options.cache ?? new UnitCache();
    const workspace = await WorkspaceIndex.build(fs, { isExcluded: (p) => config.isExcluded(p), cache });
    const linter = new Linter({ workspace, rules, settings: (f) => config.settingsFor(f), maxFileBytes: config.maxFileBytes, cache, yieldAfterMs: options.yieldAfterMs, warmers: options.rules ? undefined : WARMERS });
    return new Project(fs, config, loaded.file, loaded.errors, workspace, linter);
  }

  /** Files the config asks to lint, sorted. */
  lintableFiles(): string[] {
    // The config file is checked by the config loader, not linted as a pipeline file.
    return this.workspace.lintableFiles().filter((f) => this.config.isLinted(f) && !CONFIG_FILES.includes(f) && f !== this.configFile);
  }

  async lintFile(file: string, text?: string): Promise<LintResult> {
    const t = text ?? (await this.fs.readFile(file));
    if (t === undefined) return { file, findings: [], skipped: 'cannot be read' };
    return this.linter.lintText(file, t);
  }
}
