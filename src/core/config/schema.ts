// The one description of the team config. Three things are derived from it:
//   - the JSON Schema (schema/mlops-hygiene.schema.json, via scripts/gen-schema.ts),
//   - the VS Code `contributes.configuration` properties (settingsContribution),
//   - the validator load.ts runs on `.mlops-hygiene.yaml` / `[tool.mlops-hygiene]`.
// Rule ids and option types come from the rule registry, so a new rule or option
// shows up in all three without touching this file.
import type { OptionValue, Rule } from '../rule';
import { RULES } from '../rules';
import { SEVERITY_SETTINGS } from '../types';
import { DEFAULT_MAX_FILE_SIZE_MB, type HygieneConfig } from './resolve';

// ---------------------------------------------------------------------------
// The schema language: small on purpose, every node maps 1:1 to JSON Schema.

interface NodeBase {
  /** Markdown; becomes `description` and `markdownDescription`. */
  description?: string;
  default?: unknown;
  /** How messages name the value ("severity", "option 'seed'"); default: its key. */
  label?: string;
  /** How messages name the expected type ("a list of glob patterns"). */
  expected?: string;
  /** Emitted once under `definitions` and referenced elsewhere (JSON Schema only). */
  definition?: string;
}

export interface StringNode extends NodeBase {
  type: 'string';
  enum?: readonly string[];
  /** Markdown, one per `enum` value. */
  enumDescriptions?: readonly string[];
  minLength?: number;
}

export interface NumberNode extends NodeBase {
  type: 'number';
  integer?: boolean;
  minimum?: number;
  exclusiveMinimum?: number;
}

export interface BooleanNode extends NodeBase {
  type: 'boolean';
}

export interface ArrayNode extends NodeBase {
  type: 'array';
  items: SchemaNode;
  minItems?: number;
}

export interface ObjectNode extends NodeBase {
  type: 'object';
  properties: Readonly<Record<string, SchemaNode>>;
  required?: readonly string[];
  /** What an unknown key is called in messages: "top-level key", "rule id", "option". */
  keyNoun: string;
  /** Whose keys these are, for messages: "rule 'unseeded-randomness'". */
  owner?: string;
}

/** One of several shapes; the variants must differ in JSON type (string vs mapping...). */
export interface UnionNode extends NodeBase {
  type: 'union';
  variants: readonly SchemaNode[];
}

export type SchemaNode = StringNode | NumberNode | BooleanNode | ArrayNode | ObjectNode | UnionNode;

// ---------------------------------------------------------------------------
// The config.

const SEVERITY_DESCRIPTIONS: Record<string, string> = {
  off: 'Do not run the rule.',
  hint: 'Report as a hint (faint dots in the editor).',
  info: 'Report as information.',
  warning: 'Report as a warning.',
  error: 'Report as an error.',
};

export const SEVERITY_NODE: StringNode = {
  type: 'string',
  label: 'severity',
  definition: 'severity',
  description: 'How findings of the rule are reported: `off`, `hint`, `info`, `warning` or `error`.',
  enum: SEVERITY_SETTINGS,
  enumDescriptions: SEVERITY_SETTINGS.map((s) => SEVERITY_DESCRIPTIONS[s]),
};

const GLOB: StringNode = { type: 'string', minLength: 1, expected: 'a glob pattern (a string)', description: 'A glob, relative to the workspace root, with `/` separators.' };

function globList(description: string, minItems?: number): ArrayNode {
  return { type: 'array', items: GLOB, minItems, expected: 'a list of glob patterns', description };
}

function optionNode(ruleId: string, name: string, value: OptionValue, optionDocs: string | undefined): SchemaNode {
  const description = `Option of \`${ruleId}\`. Default: \`${JSON.stringify(value)}\`.${optionDocs ? `\n\n${optionDocs}` : ''}`;
  const label = `option '${name}'`;
  if (Array.isArray(value)) return { type: 'array', items: { type: 'string' }, label, expected: 'a list of strings', default: value, description };
  if (typeof value === 'number') return { type: 'number', integer: Number.isInteger(value), label, default: value, description };
  if (typeof value === 'boolean') return { type: 'boolean', label, default: value, description };
  return { type: 'string', label, default: value, description };
}

function ruleNode(rule: Rule): SchemaNode {
  const m = rule.meta;
  const options = Object.entries(m.options ?? {}).sort(([a], [b]) => a.localeCompare(b));
  const summary = m.docs.summary && m.docs.summary !== 'TODO' ? `${m.docs.summary}\n\n` : '';
  const description =
    `${summary}Area: ${m.area}. Default severity: \`${m.defaultSeverity}\`` +
    `${m.recommended ? ', in the `recommended` preset' : ', only in the `strict` preset'}. ` +
    `Run \`mlops-hygiene explain ${m.id}\` for the full documentation.`;
  const optionsNode: ObjectNode = {
    type: 'object',
    keyNoun: 'option',
    owner: `rule '${m.id}'`,
    label: 'options',
    description: options.length ? `Options of \`${m.id}\`.${m.docs.options ? `\n\n${m.docs.options}` : ''}` : `\`${m.id}\` has no options.`,
    properties: Object.fromEntries(options.map(([k, v]) => [k, optionNode(m.id, k, v, undefined)])),
  };
  return {
    type: 'union',
    label: `rule '${m.id}'`,
    expected: 'a severity or a mapping with `severity` and `options`',
    description,
    variants: [
      SEVERITY_NODE,
      {
        type: 'object',
        keyNoun: 'key',
        owner: `rule '${m.id}'`,
        properties: { severity: SEVERITY_NODE, options: optionsNode },
      },
    ],
  };
}

function rulesNode(rules: readonly Rule[]): ObjectNode {
  const sorted = [...rules].sort((a, b) => a.meta.id.localeCompare(b.meta.id));
  return {
    type: 'object',
    keyNoun: 'rule id',
    definition: 'rules',
    description:
      'Per-rule settings, on top of the preset: a severity (`off`, `hint`, `info`, `warning`, `error`) ' +
      'or a mapping `{ severity, options }`. A mapping without `severity` keeps the preset severity ' +
      '(or turns an `off` rule on at its default severity).',
    properties: Object.fromEntries(sorted.map((r) => [r.meta.id, ruleNode(r)])),
  };
}

/** The config file's schema, with every rule of `rules` (default: the registry). */
export function configSchema(rules: readonly Rule[] = RULES): ObjectNode {
  const rulesMap = rulesNode(rules);
  return {
    type: 'object',
    keyNoun: 'top-level key',
    description: 'MLOps Hygiene team config (`.mlops-hygiene.yaml` or `[tool.mlops-hygiene]` in `pyproject.toml`).',
    properties: {
      preset: {
        type: 'string',
        enum: ['recommended', 'strict'],
        enumDescriptions: [
          'Rules marked recommended, at their default severity: few false positives, fine for CI from day one.',
          'Every rule, at its default severity.',
        ],
        default: 'recommended',
        description: 'Which rules are on before `rules` and `overrides` apply.',
      },
      rules: rulesMap,
      include: globList(
        'Files to lint (globs). Absent or empty: every notebook, Python file and recognised pipeline YAML. ' +
          'Files outside `include` are still indexed (a `.dvc` sidecar still counts as tracking).',
      ),
      exclude: globList('Files and folders neither indexed nor linted (globs). A folder pattern covers everything below it.'),
      overrides: {
        type: 'array',
        expected: 'a list of `{ files, rules }` mappings',
        description: 'Rule settings for some files only. Every matching entry applies, later entries over earlier ones.',
        items: {
          type: 'object',
          keyNoun: 'key',
          owner: 'an override',
          label: 'override',
          required: ['files', 'rules'],
          properties: {
            files: globList('The files this override applies to (globs).', 1),
            rules: rulesMap,
          },
        },
      },
      maxFileSizeMB: {
        type: 'number',
        exclusiveMinimum: 0,
        default: DEFAULT_MAX_FILE_SIZE_MB,
        description: 'Files larger than this (in megabytes) are skipped.',
      },
    },
  };
}

// ---------------------------------------------------------------------------
// JSON Schema (draft-07).

type Json = Record<string, unknown>;

function describe(node: NodeBase, out: Json): void {
  if (node.description !== undefined) {
    out.description = node.description;
    out.markdownDescription = node.description;
  }
  if (node.default !== undefined) out.default = node.default;
}

/** JSON Schema for one node. With `definitions`, nodes that name one are emitted there once and referenced. */
export function toJsonSchema(node: SchemaNode, definitions?: Json): Json {
  if (definitions && node.definition) {
    if (!(node.definition in definitions)) {
      definitions[node.definition] = {}; // reserve first: a definition may refer to itself
      definitions[node.definition] = toJsonSchema({ ...node, definition: undefined }, definitions);
    }
    return { $ref: `#/definitions/${node.definition}` };
  }
  const out: Json = {};
  switch (node.type) {
    case 'string':
      out.type = 'string';
      if (node.enum) out.enum = [...node.enum];
      if (node.enumDescriptions) {
        out.enumDescriptions = [...node.enumDescriptions];
        out.markdownEnumDescriptions = [...node.enumDescriptions];
      }
      if (node.minLength !== undefined) out.minLength = node.minLength;
      break;
    case 'number':
      out.type = node.integer ? 'integer' : 'number';
      if (node.minimum !== undefined) out.minimum = node.minimum;
      if (node.exclusiveMinimum !== undefined) out.exclusiveMinimum = node.exclusiveMinimum;
      break;
    case 'boolean':
      out.type = 'boolean';
      break;
    case 'array':
      out.type = 'array';
      out.items = toJsonSchema(node.items, definitions);
      if (node.minItems !== undefined) out.minItems = node.minItems;
      break;
    case 'object':
      out.type = 'object';
      out.properties = Object.fromEntries(Object.entries(node.properties).map(([k, v]) => [k, toJsonSchema(v, definitions)]));
      if (node.required?.length) out.required = [...node.required];
      out.additionalProperties = false;
      break;
    case 'union':
      out.anyOf = node.variants.map((v) => toJsonSchema(v, definitions));
      break;
  }
  describe(node, out);
  return out;
}

export const JSON_SCHEMA_FILE = 'schema/mlops-hygiene.schema.json';

/** The whole JSON Schema document for the config file. */
export function configJsonSchema(rules: readonly Rule[] = RULES): Json {
  const definitions: Json = {};
  const root = toJsonSchema(configSchema(rules), definitions);
  return {
    $schema: 'http://json-schema.org/draft-07/schema#',
    title: 'MLOps Hygiene configuration',
    ...root,
    definitions,
  };
}

/** The text of schema/mlops-hygiene.schema.json (what gen-schema writes and the test compares). */
export function renderConfigJsonSchema(rules: readonly Rule[] = RULES): string {
  return JSON.stringify(configJsonSchema(rules), null, 2) + '\n';
}

// ---------------------------------------------------------------------------
// VS Code settings. They only override the team config (precedence: preset <
// rules < overrides < editor settings), so only rule settings are mirrored.

export const SETTINGS_NAMESPACE = 'mlopsHygiene';

/** The `contributes.configuration` block for package.json. */
export function settingsContribution(rules: readonly Rule[] = RULES): { title: string; properties: Record<string, Json> } {
  const ruleSettings = toJsonSchema({
    ...configSchema(rules).properties.rules,
    description:
      'Rule settings that win over the team config file (`.mlops-hygiene.yaml` or `pyproject.toml`), for this folder: ' +
      'a severity (`off`, `hint`, `info`, `warning`, `error`) or `{ "severity": ..., "options": {...} }` per rule id.',
    default: {},
  });
  return {
    title: 'MLOps Hygiene',
    properties: {
      [`${SETTINGS_NAMESPACE}.rules`]: { ...ruleSettings, scope: 'resource', order: 1 },
      [`${SETTINGS_NAMESPACE}.configFile`]: {
        type: 'string',
        default: '',
        scope: 'resource',
        order: 0,
        description: 'Path of the team config file, workspace-relative or absolute.',
        markdownDescription:
          'Path of the team config file, workspace-relative or absolute. Empty: `.mlops-hygiene.yaml`, ' +
          '`.mlops-hygiene.yml`, then `[tool.mlops-hygiene]` in `pyproject.toml`, at the workspace root.',
      },
    },
  };
}

// ---------------------------------------------------------------------------
// Validation. Format-neutral: issues carry a key path; load.ts turns it into a
// line and column of the YAML or TOML text.

export type KeyPath = ReadonlyArray<string | number>;

export interface ConfigIssue {
  path: KeyPath;
  /** Point at the key (unknown keys) or at the value (wrong values). */
  at: 'key' | 'value';
  message: string;
}

/** `['overrides', 0, 'rules', 'x']` -> `overrides[0].rules.x`. */
export function formatKeyPath(p: KeyPath): string {
  let s = '';
  for (const k of p) s += typeof k === 'number' ? `[${k}]` : s === '' ? k : `.${k}`;
  return s;
}

/**
 * Checks a parsed config (plain JSON-like data) against the schema. Never throws;
 * `config` keeps every valid part so an editor can go on with it.
 */
export function validateConfig(value: unknown, rules: readonly Rule[] = RULES): { config: HygieneConfig; issues: ConfigIssue[] } {
  const issues: ConfigIssue[] = [];
  if (value === undefined || value === null) return { config: {}, issues };
  if (!isPlainObject(value)) {
    issues.push({ path: [], at: 'value', message: `the config must be a mapping of keys to values, got ${describeValue(value)}` });
    return { config: {}, issues };
  }
  const r = check(configSchema(rules), value, [], issues);
  return { config: (r.value ?? {}) as HygieneConfig, issues };
}

interface Checked {
  ok: boolean;
  /** The valid part (undefined when nothing is usable). */
  value?: unknown;
}

function check(node: SchemaNode, v: unknown, path: KeyPath, issues: ConfigIssue[]): Checked {
  const fail = (message: string): Checked => {
    issues.push({ path, at: 'value', message });
    return { ok: false };
  };
  const name = node.label ?? lastName(path);
  if (!matchesType(node, v)) return fail(`${name} must be ${expectedOf(node)}, got ${describeValue(v)}`);
  switch (node.type) {
    case 'union':
      return check(node.variants.find((x) => matchesType(x, v))!, v, path, issues);
    case 'string': {
      const s = v as string;
      if (node.enum && !node.enum.includes(s)) {
        const hint = didYouMean(s, node.enum);
        return fail(`${name} must be one of ${node.enum.join(', ')} (got '${s}'${hint ? `; did you mean '${hint}'?` : ''})`);
      }
      if (node.minLength !== undefined && s.length < node.minLength) return fail(`${name} must not be empty`);
      return { ok: true, value: s };
    }
    case 'number': {
      const n = v as number;
      if (node.minimum !== undefined && n < node.minimum) return fail(`${name} must be at least ${node.minimum}, got ${n}`);
      if (node.exclusiveMinimum !== undefined && n <= node.exclusiveMinimum) return fail(`${name} must be greater than ${node.exclusiveMinimum}, got ${n}`);
      return { ok: true, value: n };
    }
    case 'boolean':
      return { ok: true, value: v };
    case 'array': {
      const arr = v as unknown[];
      const kept: unknown[] = [];
      let ok = true;
      arr.forEach((item, i) => {
        const r = check(node.items, item, [...path, i], issues);
        if (r.value !== undefined) kept.push(r.value);
        if (!r.ok) ok = false;
      });
      if (node.minItems !== undefined && arr.length < node.minItems) {
        return fail(`${name} must have at least ${node.minItems} ${node.minItems === 1 ? 'entry' : 'entries'}`);
      }
      if (node.minItems !== undefined && kept.length < node.minItems) return { ok: false };
      return { ok, value: kept };
    }
    case 'object': {
      const obj = v as Record<string, unknown>;
      const kept: Record<string, unknown> = {};
      let ok = true;
      const known = Object.keys(node.properties);
      for (const [k, item] of Object.entries(obj)) {
        const child = Object.prototype.hasOwnProperty.call(node.properties, k) ? node.properties[k] : undefined;
        if (!child) {
          issues.push({ path: [...path, k], at: 'key', message: unknownKeyMessage(node, k, known) });
          ok = false;
          continue;
        }
        const r = check(child, item, [...path, k], issues);
        // Keep the valid part of a partly wrong value (a rule's options when only its severity is wrong).
        if (r.value !== undefined) kept[k] = r.value;
        if (!r.ok) ok = false;
      }
      for (const req of node.required ?? []) {
        if (!(req in obj)) {
          issues.push({ path: [...path, req], at: 'value', message: `${name} is missing the required key '${req}'` });
          return { ok: false };
        }
        if (!(req in kept)) return { ok: false };
      }
      return { ok, value: kept };
    }
  }
}

function unknownKeyMessage(node: ObjectNode, key: string, known: string[]): string {
  if (known.length === 0) return `unknown ${node.keyNoun} '${key}'; ${node.owner ?? 'this mapping'} has no ${node.keyNoun}s`;
  const base = `unknown ${node.keyNoun} '${key}'${node.owner ? ` for ${node.owner}` : ''}`;
  const hint = didYouMean(key, known);
  if (hint) return `${base}; did you mean '${hint}'?`;
  return known.length <= 8 ? `${base}; expected one of ${known.join(', ')}` : base;
}

function jsonType(v: unknown): 'string' | 'number' | 'boolean' | 'array' | 'object' | 'null' | 'other' {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (isPlainObject(v)) return 'object';
  if (typeof v === 'number') return Number.isFinite(v) ? 'number' : 'other';
  if (typeof v === 'string' || typeof v === 'boolean') return typeof v as 'string' | 'boolean';
  return 'other';
}

function matchesType(node: SchemaNode, v: unknown): boolean {
  if (node.type === 'union') return node.variants.some((x) => matchesType(x, v));
  const t = jsonType(v);
  if (node.type === 'number') return t === 'number' && (!node.integer || Number.isInteger(v));
  return t === node.type;
}

function expectedOf(node: SchemaNode): string {
  if (node.expected) return node.expected;
  switch (node.type) {
    case 'string':
      return 'a string';
    case 'number':
      return node.integer ? 'a whole number' : 'a number';
    case 'boolean':
      return 'true or false';
    case 'array':
      return 'a list';
    case 'object':
      return 'a mapping';
    case 'union':
      return node.variants.map(expectedOf).join(' or ');
  }
}

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) return false;
  const proto = Object.getPrototypeOf(v) as unknown;
  return proto === Object.prototype || proto === null;
}

function describeValue(v: unknown): string {
  switch (jsonType(v)) {
    case 'null':
      return 'an empty value';
    case 'array':
      return 'a list';
    case 'object':
      return 'a mapping';
    case 'string':
      return `the string '${v as string}'`;
    case 'number':
      return `the number ${v as number}`;
    case 'boolean':
      return String(v);
    default:
      return v instanceof Date ? 'a date' : typeof v === 'number' ? `the number ${v}` : `a value of type ${typeof v}`;
  }
}

function lastName(path: KeyPath): string {
  if (path.length === 0) return 'the config';
  const last = path[path.length - 1];
  if (typeof last === 'string') return last;
  return formatKeyPath(path.slice(Math.max(0, path.findLastIndex((k) => typeof k === 'string'))));
}

/** The closest candidate, if close enough to be a likely typo. */
export function didYouMean(word: string, candidates: readonly string[]): string | undefined {
  const w = word.toLowerCase();
  let best: string | undefined;
  let bestScore = Infinity;
  for (const c of candidates) {
    const lc = c.toLowerCase();
    let score = editDistance(w, lc);
    const limit = Math.max(1, Math.floor(Math.max(w.length, lc.length) * 0.4));
    const affix = w.length >= 3 && (lc.startsWith(w) || w.startsWith(lc));
    if (score > limit && !affix) continue;
    if (affix) score = Math.min(score, Math.abs(lc.length - w.length));
    if (score < bestScore) {
      best = c;
      bestScore = score;
    }
  }
  return best;
}

function editDistance(a: string, b: string): number {
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const cur = [i];
    for (let j = 1; j <= b.length; j++) cur[j] = Math.min(prev[j] + 1, cur[j - 1] + 1, prev[j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = cur;
  }
  return prev[b.length];
}
