import type { NotebookModel } from './parse/notebook';
import type { PythonProgram } from './parse/program';
import type { YamlFile } from './parse/yaml';
import type { ConfigKind } from './workspace/kinds';
import type { WorkspaceIndex } from './workspace/workspace-index';
import type { Area, Fix, Location, RelatedInformation, Severity, Target } from './types';

/** Rule documentation in fixed sections (Ruff's shape); rendered to docs/rules/<id>.md. */
export interface RuleDocs {
  /** One line, shown in `rules` and the README table. */
  summary: string;
  whatItDoes: string;
  whyIsThisBad: string;
  /** Code that must make the rule report (checked by a test). */
  example: { language: 'python' | 'yaml'; code: string; file?: string };
  /** Code that must not make the rule report (checked by a test). */
  useInstead: { language: 'python' | 'yaml'; code: string; file?: string };
  fixSafety: string;
  notebookBehavior?: string;
  options?: string;
  references: string[];
}

export type OptionValue = string | number | boolean | string[];

export interface RuleMeta {
  id: string;
  area: Area;
  defaultSeverity: Severity;
  /** In the `recommended` preset (every rule is in `strict`). */
  recommended: boolean;
  targets: Target[];
  /** Message templates with `{{placeholders}}`. */
  messages: Record<string, string>;
  /** Option defaults; the config may override them per rule. */
  options?: Record<string, OptionValue>;
  /** Marked fixed in the catalog: used by outside evaluations, never renamed. */
  fixedId?: boolean;
  docs: RuleDocs;
}

export interface ReportDescriptor {
  messageId: string;
  data?: Record<string, string>;
  location: Location;
  fixes?: Fix[];
  related?: RelatedInformation[];
}

export interface RuleContext {
  /** Workspace-relative POSIX path. */
  file: string;
  target: Target;
  /** The file's own text. */
  text: string;
  notebook?: NotebookModel;
  python?: PythonProgram;
  yaml?: YamlFile;
  /** Recognised kind of a YAML file. */
  configKind?: ConfigKind;
  workspace: WorkspaceIndex;
  options: Record<string, OptionValue>;
  report(d: ReportDescriptor): void;
}

export interface Rule {
  meta: RuleMeta;
  check(ctx: RuleContext): void | Promise<void>;
}

export function defineRule(rule: Rule): Rule {
  return rule;
}

export interface ResolvedRuleSetting {
  severity: Severity | 'off';
  options: Record<string, OptionValue>;
}

export type { Severity };
