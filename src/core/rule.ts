import type { NotebookModel } from './parse/notebook';
import type { PythonProgram, PythonUnit } from './parse/program';
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

/**
 * Work several rules share (data reads, training analysis, names per cell), computed
 * ahead of the rules in an editor so that each piece, not the first rule to need it,
 * fills a time slice. Results are memoised by the libraries, so the rules find them
 * ready. Only run when one of `rules` is on for the file; the CLI never runs them.
 */
export interface Warmer {
  /** Named as the heaviest work of a slice. */
  name: string;
  rules: readonly string[];
  /** Per unit (a cell) of the program, with a yield check between units. */
  unit?(unit: PythonUnit, program: PythonProgram, index: number): void;
  /** The whole program, after the unit warmers. */
  program?(program: PythonProgram, workspace: WorkspaceIndex, file: string): void;
}
