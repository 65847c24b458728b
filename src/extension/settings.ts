import * as vscode from 'vscode';
import { formatKeyPath, SETTINGS_NAMESPACE, validateConfig } from '../core/config/schema';
import type { RuleConfig } from '../core/config/resolve';
import { IGNORE_CELL_VALUES, PRECEDENCE_VALUES, RUN_VALUES, type IgnoreCellWith, type Precedence, type RunMode } from './manifest';

export interface EditorSettings {
  enable: boolean;
  run: RunMode;
  /** Valid rule settings only; see `ruleIssues`. */
  rules: Record<string, RuleConfig>;
  /** Problems in `mlopsHygiene.rules` (unknown rule ids, wrong severities). */
  ruleIssues: string[];
  configFile: string;
  precedence: Precedence;
  ignoreCellWith: IgnoreCellWith;
}

function oneOf<T extends string>(values: readonly T[], v: unknown, fallback: T): T {
  return values.includes(v as T) ? (v as T) : fallback;
}

/** Settings for a resource (a workspace folder, or undefined outside folders). Read fresh each time, never cached. */
export function readSettings(resource: vscode.Uri | undefined): EditorSettings {
  const c = vscode.workspace.getConfiguration(SETTINGS_NAMESPACE, resource);
  const raw = c.get<unknown>('rules') ?? {};
  const { config, issues } = validateConfig({ rules: raw });
  return {
    enable: c.get<boolean>('enable') !== false,
    run: oneOf(RUN_VALUES, c.get('run'), 'onType'),
    rules: config.rules ?? {},
    ruleIssues: issues.map((i) => `${SETTINGS_NAMESPACE}.${formatKeyPath(i.path)}: ${i.message}`),
    configFile: (c.get<string>('configFile') ?? '').trim(),
    precedence: oneOf(PRECEDENCE_VALUES, c.get('precedence'), 'settings'),
    ignoreCellWith: oneOf(IGNORE_CELL_VALUES, c.get('ignoreCellWith'), 'comment'),
  };
}

/** A fingerprint of what a Project is built from, to know when to re-open it. */
export function projectKey(s: EditorSettings): string {
  return JSON.stringify([s.configFile, s.precedence, s.rules]);
}
