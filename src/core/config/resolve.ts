import picomatch from 'picomatch';
import type { OptionValue, ResolvedRuleSetting, Rule } from '../rule';
import type { Severity, SeveritySetting } from '../types';

export type Preset = 'recommended' | 'strict';

export type RuleConfig = SeveritySetting | { severity?: SeveritySetting; options?: Record<string, OptionValue> };

/** Used when the config sets no `maxFileSizeMB`. */
export const DEFAULT_MAX_FILE_SIZE_MB = 50;

/** The config file's content, after validation (see schema.ts). */
export interface HygieneConfig {
  preset?: Preset;
  rules?: Record<string, RuleConfig>;
  include?: string[];
  exclude?: string[];
  overrides?: Array<{ files: string[]; rules: Record<string, RuleConfig> }>;
  maxFileSizeMB?: number;
}

/**
 * A mapping without `severity` keeps the current severity; on a rule that is off
 * (e.g. not in the preset) it turns the rule on at its default severity, since
 * setting options for a rule says it is wanted.
 */
function applyRuleConfig(into: Map<string, ResolvedRuleSetting>, defaults: ReadonlyMap<string, Severity>, id: string, rc: RuleConfig): void {
  const prev = into.get(id);
  if (!prev) return;
  if (typeof rc === 'string') into.set(id, { ...prev, severity: rc });
  else
    into.set(id, {
      severity: rc.severity ?? (prev.severity === 'off' ? (defaults.get(id) ?? 'warning') : prev.severity),
      options: { ...prev.options, ...(rc.options ?? {}) },
    });
}

/** Preset defaults: `recommended` turns on the rules marked recommended, `strict` all. */
export function presetSettings(rules: readonly Rule[], preset: Preset = 'recommended'): Map<string, ResolvedRuleSetting> {
  const m = new Map<string, ResolvedRuleSetting>();
  for (const r of rules) {
    const on = preset === 'strict' || r.meta.recommended;
    m.set(r.meta.id, { severity: on ? r.meta.defaultSeverity : 'off', options: {} });
  }
  return m;
}

export interface ResolvedConfig {
  settingsFor(file: string): ReadonlyMap<string, ResolvedRuleSetting>;
  /** Excluded by `exclude`: not indexed, not linted. */
  isExcluded(file: string): boolean;
  /** Linted: not excluded and matching `include` (when given). */
  isLinted(file: string): boolean;
  maxFileBytes: number;
}

/**
 * Turns a config into per-file settings. Precedence, lowest first: preset, `rules`,
 * matching `overrides` in file order, then `extra` (editor settings, when they win).
 */
export function resolveConfig(rules: readonly Rule[], config: HygieneConfig = {}, extra?: Record<string, RuleConfig>): ResolvedConfig {
  const defaults = new Map(rules.map((r) => [r.meta.id, r.meta.defaultSeverity]));
  const apply = (into: Map<string, ResolvedRuleSetting>, ruleConfigs: Record<string, RuleConfig> | undefined): void => {
    for (const [id, rc] of Object.entries(ruleConfigs ?? {})) applyRuleConfig(into, defaults, id, rc);
  };
  const base = presetSettings(rules, config.preset);
  apply(base, config.rules);
  const overrides = (config.overrides ?? []).map((o) => ({ match: picomatch(o.files, { dot: true }), rules: o.rules }));
  const include = config.include?.length ? picomatch(config.include, { dot: true }) : undefined;
  const exclude = config.exclude?.length ? picomatch(config.exclude.flatMap((g) => [g, `${g.replace(/\/$/, '')}/**`]), { dot: true }) : undefined;
  const cache = new Map<string, ReadonlyMap<string, ResolvedRuleSetting>>();
  const withExtra = (m: Map<string, ResolvedRuleSetting>): Map<string, ResolvedRuleSetting> => {
    apply(m, extra);
    return m;
  };
  const plain = withExtra(new Map(base));
  return {
    maxFileBytes: (config.maxFileSizeMB ?? DEFAULT_MAX_FILE_SIZE_MB) * 1024 * 1024,
    settingsFor(file) {
      const matching = overrides.filter((o) => o.match(file));
      if (matching.length === 0) return plain;
      const key = matching.map((o) => overrides.indexOf(o)).join(',');
      let m = cache.get(key);
      if (!m) {
        const s = new Map(base);
        for (const o of matching) apply(s, o.rules);
        m = withExtra(s);
        cache.set(key, m);
      }
      return m;
    },
    isExcluded(file) {
      return exclude?.(file) ?? false;
    },
    isLinted(file) {
      // `include` limits what is linted, not what is indexed: a .dvc sidecar outside it still counts.
      return !(exclude?.(file) ?? false) && (include === undefined || include(file));
    },
  };
}
