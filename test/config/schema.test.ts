import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parse as parseToml } from 'smol-toml';
import { parse as parseYaml } from 'yaml';
import { configJsonSchema, didYouMean, formatKeyPath, JSON_SCHEMA_FILE, renderConfigJsonSchema, settingsContribution, validateConfig } from '../../src/core/config/schema';
import { defineRule, type Rule } from '../../src/core/rule';
import { RULES } from '../../src/core/rules';

type Json = Record<string, unknown>;

/**
 * Just enough draft-07 to check our own schema (ajv is not a dependency): $ref to
 * #/definitions, type, enum, properties, required, additionalProperties: false,
 * items, minItems, minLength, exclusiveMinimum, anyOf. Returns the failing paths.
 */
function jsonSchemaErrors(schema: Json, value: unknown, root: Json = schema, at = ''): string[] {
  if (typeof schema.$ref === 'string') {
    const name = schema.$ref.replace('#/definitions/', '');
    return jsonSchemaErrors((root.definitions as Json)[name] as Json, value, root, at);
  }
  if (Array.isArray(schema.anyOf)) {
    const results = (schema.anyOf as Json[]).map((s) => jsonSchemaErrors(s, value, root, at));
    return results.some((r) => r.length === 0) ? [] : [`${at}: no anyOf branch matches`];
  }
  const errs: string[] = [];
  const type = schema.type as string | undefined;
  const actual = value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
  if (type === 'integer' ? !Number.isInteger(value) : type !== undefined && actual !== type) return [`${at}: expected ${type}, got ${actual}`];
  if (Array.isArray(schema.enum) && !schema.enum.includes(value)) errs.push(`${at}: not in enum`);
  if (typeof schema.minLength === 'number' && (value as string).length < schema.minLength) errs.push(`${at}: too short`);
  if (typeof schema.exclusiveMinimum === 'number' && (value as number) <= schema.exclusiveMinimum) errs.push(`${at}: too small`);
  if (type === 'array') {
    const arr = value as unknown[];
    if (typeof schema.minItems === 'number' && arr.length < schema.minItems) errs.push(`${at}: too few items`);
    arr.forEach((x, i) => errs.push(...jsonSchemaErrors(schema.items as Json, x, root, `${at}[${i}]`)));
  }
  if (type === 'object') {
    const obj = value as Json;
    const props = (schema.properties ?? {}) as Record<string, Json>;
    for (const req of (schema.required ?? []) as string[]) if (!(req in obj)) errs.push(`${at}.${req}: required`);
    for (const [k, v] of Object.entries(obj)) {
      if (props[k]) errs.push(...jsonSchemaErrors(props[k], v, root, `${at}.${k}`));
      else if (schema.additionalProperties === false) errs.push(`${at}.${k}: not allowed`);
    }
  }
  return errs;
}

const fakeRule: Rule = defineRule({
  meta: {
    id: 'fake-options',
    area: 'hygiene',
    defaultSeverity: 'info',
    recommended: false,
    targets: ['python'],
    messages: { m: 'm' },
    options: { seed: 42, threshold: 0.5, strict: false, mode: 'fast', allow: ['numpy'] },
    docs: {
      summary: 'A rule with options.',
      whatItDoes: '',
      whyIsThisBad: '',
      example: { language: 'python', code: '' },
      useInstead: { language: 'python', code: '' },
      fixSafety: '',
      options: '`seed` is the seed.',
      references: [],
    },
  },
  check() {},
});
const TEST_RULES = [...RULES, fakeRule];

const VALID_EXAMPLES: Array<{ name: string; value: unknown }> = [
  { name: 'empty', value: {} },
  { name: 'preset only', value: { preset: 'strict' } },
  {
    name: 'everything',
    value: {
      preset: 'recommended',
      rules: { 'unseeded-randomness': 'error', 'hardcoded-secret': { severity: 'off' }, 'fake-options': { options: { seed: 1, threshold: 2.5, strict: true, mode: 'x', allow: [] } } },
      include: ['src/**'],
      exclude: ['vendor/'],
      overrides: [{ files: ['notebooks/**'], rules: { 'unseeded-randomness': 'hint' } }],
      maxFileSizeMB: 0.5,
    },
  },
  {
    name: 'the documented YAML example',
    value: parseYaml(
      'preset: strict\nrules:\n  unseeded-randomness: error\n  out-of-order-execution: { severity: info }\nexclude: ["vendor/"]\noverrides:\n  - files: ["scratch/**"]\n    rules: { unseeded-randomness: off }\n',
    ),
  },
  {
    name: 'a pyproject table',
    // smol-toml builds null-prototype objects: compare as plain JSON.
    value: JSON.parse(JSON.stringify((parseToml('[tool.mlops-hygiene]\npreset = "strict"\n[tool.mlops-hygiene.rules]\nhardcoded-secret = "error"\n') as { tool: Record<string, unknown> }).tool['mlops-hygiene'])),
  },
];

const INVALID_EXAMPLES: Array<{ name: string; value: unknown }> = [
  { name: 'unknown top-level key', value: { rulez: {} } },
  { name: 'unknown rule', value: { rules: { 'unseeded-random': 'error' } } },
  { name: 'bad severity', value: { rules: { 'unseeded-randomness': 'warn' } } },
  { name: 'bad severity, long form', value: { rules: { 'unseeded-randomness': { severity: 'warn' } } } },
  { name: 'unknown option', value: { rules: { 'fake-options': { options: { sed: 1 } } } } },
  { name: 'wrong option type', value: { rules: { 'fake-options': { options: { seed: 'x' } } } } },
  { name: 'fractional integer option', value: { rules: { 'fake-options': { options: { seed: 1.5 } } } } },
  { name: 'option list of numbers', value: { rules: { 'fake-options': { options: { allow: [1] } } } } },
  { name: 'bad preset', value: { preset: 'loose' } },
  { name: 'include not a list', value: { include: 'src' } },
  { name: 'empty glob', value: { exclude: [''] } },
  { name: 'override without files', value: { overrides: [{ rules: {} }] } },
  { name: 'override with empty files', value: { overrides: [{ files: [], rules: {} }] } },
  { name: 'maxFileSizeMB zero', value: { maxFileSizeMB: 0 } },
  { name: 'maxFileSizeMB string', value: { maxFileSizeMB: '10' } },
];

describe('config/schema', () => {
  it(`${JSON_SCHEMA_FILE} is up to date (regenerate: npx tsx scripts/gen-schema.ts)`, () => {
    const file = path.resolve(__dirname, '..', '..', JSON_SCHEMA_FILE);
    assert.ok(fs.existsSync(file), `${JSON_SCHEMA_FILE} is missing: run npx tsx scripts/gen-schema.ts`);
    assert.equal(fs.readFileSync(file, 'utf8'), renderConfigJsonSchema(), `${JSON_SCHEMA_FILE} is stale: run npx tsx scripts/gen-schema.ts`);
  });

  it('the JSON Schema is draft-07 and lists every rule id of the registry', () => {
    const schema = configJsonSchema();
    assert.equal(schema.$schema, 'http://json-schema.org/draft-07/schema#');
    const rules = (schema.definitions as Record<string, Json>).rules;
    assert.deepEqual(Object.keys(rules.properties as Json), RULES.map((r) => r.meta.id).sort());
    assert.equal(rules.additionalProperties, false);
    for (const key of ['preset', 'rules', 'include', 'exclude', 'overrides', 'maxFileSizeMB']) {
      const prop = (schema.properties as Record<string, Json>)[key];
      const target = prop.$ref ? (schema.definitions as Record<string, Json>)[String(prop.$ref).replace('#/definitions/', '')] : prop;
      assert.ok(typeof target.markdownDescription === 'string' && target.markdownDescription.length > 10, `${key} has a description`);
    }
  });

  it('rule options get their type and default from the rule meta', () => {
    const schema = configJsonSchema(TEST_RULES);
    const rule = ((schema.definitions as Record<string, Json>).rules.properties as Record<string, Json>)['fake-options'];
    const long = (rule.anyOf as Json[])[1];
    const options = (long.properties as Record<string, Json>).options;
    const props = options.properties as Record<string, Json>;
    assert.deepEqual(
      Object.fromEntries(Object.entries(props).map(([k, v]) => [k, [v.type, v.default]])),
      { allow: ['array', ['numpy']], mode: ['string', 'fast'], seed: ['integer', 42], strict: ['boolean', false], threshold: ['number', 0.5] },
    );
    assert.match(String(options.markdownDescription), /`seed` is the seed\./);
    assert.match(String(rule.markdownDescription), /A rule with options\./);
  });

  describe('the JSON Schema and the validator agree', () => {
    const schema = configJsonSchema(TEST_RULES);
    for (const ex of VALID_EXAMPLES) {
      it(`accepts: ${ex.name}`, () => {
        assert.deepEqual(jsonSchemaErrors(schema, ex.value), []);
        const r = validateConfig(ex.value, TEST_RULES);
        assert.deepEqual(r.issues, []);
        assert.deepEqual(r.config, ex.value);
      });
    }
    for (const ex of INVALID_EXAMPLES) {
      it(`rejects: ${ex.name}`, () => {
        assert.notDeepEqual(jsonSchemaErrors(schema, ex.value), [], 'JSON Schema should reject it');
        assert.notDeepEqual(validateConfig(ex.value, TEST_RULES).issues, [], 'validator should reject it');
      });
    }
  });

  it('settingsContribution() mirrors the rule settings for VS Code', () => {
    const c = settingsContribution(TEST_RULES);
    assert.equal(c.title, 'MLOps Hygiene');
    const rules = c.properties['mlopsHygiene.rules'];
    assert.equal(rules.scope, 'resource');
    assert.equal(rules.type, 'object');
    assert.deepEqual(rules.default, {});
    assert.ok(typeof rules.markdownDescription === 'string');
    assert.deepEqual(Object.keys(rules.properties as Json), TEST_RULES.map((r) => r.meta.id).sort());
    // Inline, no $ref: package.json has no `definitions` to point at.
    assert.ok(!JSON.stringify(c).includes('$ref'));
    const severity = ((rules.properties as Record<string, Json>)['unseeded-randomness'].anyOf as Json[])[0];
    assert.deepEqual(severity.enum, ['off', 'hint', 'info', 'warning', 'error']);
    assert.equal((severity.enumDescriptions as string[]).length, 5);
    assert.deepEqual(jsonSchemaErrors(rules, { 'unseeded-randomness': 'off', 'fake-options': { options: { seed: 3 } } }), []);
    assert.notDeepEqual(jsonSchemaErrors(rules, { 'unseeded-random': 'off' }), []);
    assert.equal(c.properties['mlopsHygiene.configFile'].type, 'string');
  });

  it('formats key paths', () => {
    assert.equal(formatKeyPath([]), '');
    assert.equal(formatKeyPath(['rules', 'unseeded-randomness', 'severity']), 'rules.unseeded-randomness.severity');
    assert.equal(formatKeyPath(['overrides', 0, 'files', 2]), 'overrides[0].files[2]');
  });

  it('suggests close names only', () => {
    const ids = RULES.map((r) => r.meta.id);
    assert.equal(didYouMean('unseeded-random', ids), 'unseeded-randomness');
    assert.equal(didYouMean('hardcoded-secrets', ids), 'hardcoded-secret');
    assert.equal(didYouMean('Unpinned-Install', ids), 'unpinned-install');
    assert.equal(didYouMean('warn', ['off', 'hint', 'info', 'warning', 'error']), 'warning');
    assert.equal(didYouMean('banana', ids), undefined);
  });
});
