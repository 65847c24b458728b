import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import fc from 'fast-check';
import { loadConfig, tomlPositions, type ConfigError } from '../../src/core/config/load';
import { defineRule, type Rule } from '../../src/core/rule';
import { RULES } from '../../src/core/rules';
import { MemoryFileSystem, NodeFileSystem } from '../../src/core/workspace/fs';

/** The registry plus one rule with an option of every type (no real rule has options yet). */
const withOptions: Rule = defineRule({
  meta: {
    id: 'fake-options',
    area: 'hygiene',
    defaultSeverity: 'info',
    recommended: false,
    targets: ['python'],
    messages: { m: 'm' },
    options: { seed: 42, threshold: 0.5, strict: false, mode: 'fast', allow: ['numpy'] },
    docs: { summary: 's', whatItDoes: '', whyIsThisBad: '', example: { language: 'python', code: '' }, useInstead: { language: 'python', code: '' }, fixSafety: '', references: [] },
  },
  check() {},
});
const TEST_RULES = [...RULES, withOptions];

async function load(files: Record<string, string>, explicit?: string): Promise<Awaited<ReturnType<typeof loadConfig>>> {
  return loadConfig(new MemoryFileSystem(files), explicit, TEST_RULES);
}

/** `line:column key: message`, for compact expectations. */
function show(errors: ConfigError[]): string[] {
  return errors.map((e) => `${e.file}:${e.line}:${e.column} ${e.key}: ${e.message}`);
}

const FULL_YAML = `# Team config
preset: strict
rules:
  unseeded-randomness: error
  hardcoded-secret: { severity: warning }
  fake-options:
    severity: hint
    options:
      seed: 7
      threshold: 0.9
      strict: true
      mode: slow
      allow: [torch, jax]
include: ["src/**", "notebooks/**"]
exclude:
  - vendor/
  - "**/*.generated.py"
overrides:
  - files: ["notebooks/scratch/**"]
    rules:
      unseeded-randomness: off
  - files: ["tests/**"]
    rules:
      hardcoded-secret: off
maxFileSizeMB: 20
`;

const FULL_TOML = `[project]
name = "churn-model"
version = "0.1.0"

[tool.ruff]
line-length = 100

[tool.mlops-hygiene]
preset = "strict"
include = ["src/**", "notebooks/**"]
exclude = ["vendor/", "**/*.generated.py"]
maxFileSizeMB = 20

[tool.mlops-hygiene.rules]
unseeded-randomness = "error"
hardcoded-secret = { severity = "warning" }

[tool.mlops-hygiene.rules.fake-options]
severity = "hint"
options = { seed = 7, threshold = 0.9, strict = true, mode = "slow", allow = ["torch", "jax"] }

[[tool.mlops-hygiene.overrides]]
files = ["notebooks/scratch/**"]
rules = { unseeded-randomness = "off" }

[[tool.mlops-hygiene.overrides]]
files = ["tests/**"]
[tool.mlops-hygiene.overrides.rules]
hardcoded-secret = "off"
`;

const FULL_CONFIG = {
  preset: 'strict',
  rules: {
    'unseeded-randomness': 'error',
    'hardcoded-secret': { severity: 'warning' },
    'fake-options': { severity: 'hint', options: { seed: 7, threshold: 0.9, strict: true, mode: 'slow', allow: ['torch', 'jax'] } },
  },
  include: ['src/**', 'notebooks/**'],
  exclude: ['vendor/', '**/*.generated.py'],
  overrides: [
    { files: ['notebooks/scratch/**'], rules: { 'unseeded-randomness': 'off' } },
    { files: ['tests/**'], rules: { 'hardcoded-secret': 'off' } },
  ],
  maxFileSizeMB: 20,
};

describe('config/load: finding the config', () => {
  it('defaults when there is no config file', async () => {
    assert.deepEqual(await load({ 'train.py': 'x = 1' }), { config: {}, errors: [] });
  });

  it('reads .mlops-hygiene.yaml', async () => {
    const r = await load({ '.mlops-hygiene.yaml': FULL_YAML });
    assert.deepEqual(show(r.errors), []);
    assert.equal(r.file, '.mlops-hygiene.yaml');
    assert.deepEqual(r.config, FULL_CONFIG);
  });

  it('reads .mlops-hygiene.yml', async () => {
    const r = await load({ '.mlops-hygiene.yml': 'preset: strict\n' });
    assert.deepEqual(r, { config: { preset: 'strict' }, file: '.mlops-hygiene.yml', errors: [] });
  });

  it('prefers .yaml over .yml over pyproject.toml', async () => {
    const r = await load({ '.mlops-hygiene.yml': 'preset: strict\n', '.mlops-hygiene.yaml': 'preset: recommended\n', 'pyproject.toml': '[tool.mlops-hygiene]\npreset = "strict"\n' });
    assert.equal(r.file, '.mlops-hygiene.yaml');
    assert.equal(r.config.preset, 'recommended');
    const r2 = await load({ '.mlops-hygiene.yml': 'preset: strict\n', 'pyproject.toml': '[tool.mlops-hygiene]\npreset = "recommended"\n' });
    assert.equal(r2.file, '.mlops-hygiene.yml');
  });

  it('reads [tool.mlops-hygiene] from pyproject.toml', async () => {
    const r = await load({ 'pyproject.toml': FULL_TOML });
    assert.deepEqual(show(r.errors), []);
    assert.equal(r.file, 'pyproject.toml');
    assert.deepEqual(r.config, FULL_CONFIG);
  });

  it('ignores a pyproject.toml without [tool.mlops-hygiene], even a broken one', async () => {
    assert.deepEqual(await load({ 'pyproject.toml': '[project]\nname = "x"\n' }), { config: {}, errors: [] });
    assert.deepEqual(await load({ 'pyproject.toml': '[project\nname = "x"\n' }), { config: {}, errors: [] });
  });

  it('an empty or comment-only YAML file is an empty config', async () => {
    assert.deepEqual(await load({ '.mlops-hygiene.yaml': '' }), { config: {}, file: '.mlops-hygiene.yaml', errors: [] });
    assert.deepEqual(await load({ '.mlops-hygiene.yaml': '# nothing yet\n' }), { config: {}, file: '.mlops-hygiene.yaml', errors: [] });
  });

  it('an empty [tool.mlops-hygiene] table is an empty config', async () => {
    assert.deepEqual(await load({ 'pyproject.toml': '[tool.mlops-hygiene]\n' }), { config: {}, file: 'pyproject.toml', errors: [] });
  });

  it('reads an explicit workspace-relative path, YAML or TOML', async () => {
    const files = { 'configs/team.yaml': 'preset: strict\n', 'configs/hygiene.toml': 'preset = "strict"\n', 'sub/pyproject.toml': '[tool.mlops-hygiene]\npreset = "strict"\n', '.mlops-hygiene.yaml': 'preset: recommended\n' };
    for (const p of ['configs/team.yaml', './configs/team.yaml', 'configs/hygiene.toml', 'sub/pyproject.toml']) {
      const r = await load(files, p);
      assert.deepEqual(r.errors, [], p);
      assert.equal(r.config.preset, 'strict', p);
    }
    assert.equal((await load(files, './configs/team.yaml')).file, 'configs/team.yaml');
  });

  it('a missing explicit file is an error', async () => {
    const r = await load({ '.mlops-hygiene.yaml': 'preset: strict\n' }, 'configs/nope.yaml');
    assert.deepEqual(r.config, {});
    assert.deepEqual(show(r.errors), ['configs/nope.yaml:1:1 : config file not found: configs/nope.yaml']);
  });

  it('an explicit pyproject.toml must have the table', async () => {
    const r = await load({ 'pyproject.toml': '[project]\nname = "x"\n' }, 'pyproject.toml');
    assert.deepEqual(show(r.errors), ['pyproject.toml:1:1 : no [tool.mlops-hygiene] table in pyproject.toml']);
  });

  describe('absolute explicit paths', () => {
    let dir: string;
    before(() => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-hygiene-config-'));
      fs.mkdirSync(path.join(dir, 'ws', 'configs'), { recursive: true });
      fs.writeFileSync(path.join(dir, 'ws', 'configs', 'team.yaml'), 'preset: strict\n');
      fs.writeFileSync(path.join(dir, 'outside.yaml'), 'preset: strict\nrules:\n  nope: off\n');
    });
    after(() => fs.rmSync(dir, { recursive: true, force: true }));

    it('inside the workspace: read through the workspace, reported relative', async () => {
      const r = await loadConfig(new NodeFileSystem(path.join(dir, 'ws')), path.join(dir, 'ws', 'configs', 'team.yaml'));
      assert.deepEqual(r, { config: { preset: 'strict' }, file: 'configs/team.yaml', errors: [] });
    });

    it('outside the workspace: read from disk, reported absolute', async () => {
      const abs = path.join(dir, 'outside.yaml');
      const r = await loadConfig(new MemoryFileSystem({}), abs);
      assert.equal(r.file, abs);
      assert.equal(r.config.preset, 'strict');
      assert.deepEqual(
        r.errors.map((e) => [e.file, e.line, e.column, e.key]),
        [[abs, 3, 3, 'rules.nope']],
      );
    });

    it('a relative path above the workspace root is read from disk', async () => {
      const r = await loadConfig(new NodeFileSystem(path.join(dir, 'ws')), '../outside.yaml');
      assert.equal(r.config.preset, 'strict');
      assert.equal(r.file, path.join(dir, 'outside.yaml'));
    });

    it('a missing absolute file is an error', async () => {
      const abs = path.join(dir, 'missing.yaml');
      const r = await loadConfig(new MemoryFileSystem({}), abs);
      assert.deepEqual(show(r.errors), [`${abs}:1:1 : config file not found: ${abs}`]);
    });
  });
});

describe('config/load: docs/configuration.md', () => {
  const doc = fs.readFileSync(path.resolve(__dirname, '..', '..', 'docs', 'configuration.md'), 'utf8');
  const block = (lang: string): string => {
    const m = new RegExp('```' + lang + '\\n([\\s\\S]*?)```').exec(doc);
    assert.ok(m, `a ${lang} block`);
    return m[1];
  };

  it('the full YAML and pyproject examples are valid and say the same', async () => {
    const y = await loadConfig(new MemoryFileSystem({ '.mlops-hygiene.yaml': block('yaml') }));
    const t = await loadConfig(new MemoryFileSystem({ 'pyproject.toml': block('toml') }));
    assert.deepEqual(show(y.errors), []);
    assert.deepEqual(show(t.errors), []);
    assert.equal(y.config.preset, 'strict');
    assert.deepEqual(t.config, y.config);
  });
});

interface ErrorCase {
  name: string;
  file?: string;
  text: string;
  errors: string[];
  /** The valid part that is still returned. */
  config?: unknown;
}

const YAML_ERRORS: ErrorCase[] = [
  {
    name: 'unknown rule id, with a suggestion',
    text: 'rules:\n  unseeded-random: error\n  hardcoded-secret: error\n',
    errors: [".mlops-hygiene.yaml:2:3 rules.unseeded-random: unknown rule id 'unseeded-random'; did you mean 'unseeded-randomness'?"],
    config: { rules: { 'hardcoded-secret': 'error' } },
  },
  {
    name: 'unknown rule id without a close match',
    text: 'rules:\n  totally-made-up: error\n',
    errors: [".mlops-hygiene.yaml:2:3 rules.totally-made-up: unknown rule id 'totally-made-up'"],
    config: { rules: {} },
  },
  {
    name: 'bad severity (short form)',
    text: 'rules:\n  unseeded-randomness: warn\n',
    errors: [".mlops-hygiene.yaml:2:24 rules.unseeded-randomness: severity must be one of off, hint, info, warning, error (got 'warn'; did you mean 'warning'?)"],
    config: { rules: {} },
  },
  {
    name: 'bad severity (long form) keeps the options',
    text: 'rules:\n  fake-options:\n    severity: fatal\n    options:\n      seed: 1\n',
    errors: [".mlops-hygiene.yaml:3:15 rules.fake-options.severity: severity must be one of off, hint, info, warning, error (got 'fatal')"],
    config: { rules: { 'fake-options': { options: { seed: 1 } } } },
  },
  {
    name: 'YAML 1.1 booleans are not severities',
    text: 'rules:\n  unseeded-randomness: false\n',
    errors: [".mlops-hygiene.yaml:2:24 rules.unseeded-randomness: rule 'unseeded-randomness' must be a severity or a mapping with `severity` and `options`, got false"],
  },
  {
    name: 'wrong option types',
    text: 'rules:\n  fake-options:\n    options:\n      seed: "7"\n      threshold: high\n      strict: 1\n      mode: 3\n      allow: numpy\n      mode2: x\n',
    errors: [
      ".mlops-hygiene.yaml:4:13 rules.fake-options.options.seed: option 'seed' must be a whole number, got the string '7'",
      ".mlops-hygiene.yaml:5:18 rules.fake-options.options.threshold: option 'threshold' must be a number, got the string 'high'",
      ".mlops-hygiene.yaml:6:15 rules.fake-options.options.strict: option 'strict' must be true or false, got the number 1",
      ".mlops-hygiene.yaml:7:13 rules.fake-options.options.mode: option 'mode' must be a string, got the number 3",
      ".mlops-hygiene.yaml:8:14 rules.fake-options.options.allow: option 'allow' must be a list of strings, got the string 'numpy'",
      ".mlops-hygiene.yaml:9:7 rules.fake-options.options.mode2: unknown option 'mode2' for rule 'fake-options'; did you mean 'mode'?",
    ],
    config: { rules: { 'fake-options': { options: {} } } },
  },
  {
    name: 'options on a rule that has none',
    text: 'rules:\n  hardcoded-secret:\n    options: { entropy: 3 }\n',
    errors: [".mlops-hygiene.yaml:3:16 rules.hardcoded-secret.options.entropy: unknown option 'entropy'; rule 'hardcoded-secret' has no options"],
  },
  {
    name: 'unknown key in a rule mapping',
    text: 'rules:\n  hardcoded-secret: { level: error }\n',
    errors: [".mlops-hygiene.yaml:2:23 rules.hardcoded-secret.level: unknown key 'level' for rule 'hardcoded-secret'; expected one of severity, options"],
  },
  {
    name: 'unknown top-level keys',
    text: 'preset: strict\nrule:\n  hardcoded-secret: off\nverbose: true\n',
    errors: [
      ".mlops-hygiene.yaml:2:1 rule: unknown top-level key 'rule'; did you mean 'rules'?",
      ".mlops-hygiene.yaml:4:1 verbose: unknown top-level key 'verbose'; expected one of preset, rules, include, exclude, overrides, maxFileSizeMB",
    ],
    config: { preset: 'strict' },
  },
  {
    name: 'bad preset',
    text: 'preset: strct\n',
    errors: [".mlops-hygiene.yaml:1:9 preset: preset must be one of recommended, strict (got 'strct'; did you mean 'strict'?)"],
    config: {},
  },
  {
    name: 'glob lists',
    text: 'include: src/**\nexclude:\n  - build/\n  - 3\n  - ""\n',
    errors: [
      ".mlops-hygiene.yaml:1:10 include: include must be a list of glob patterns, got the string 'src/**'",
      '.mlops-hygiene.yaml:4:5 exclude[1]: exclude[1] must be a glob pattern (a string), got the number 3',
      '.mlops-hygiene.yaml:5:5 exclude[2]: exclude[2] must not be empty',
    ],
    config: { exclude: ['build/'] },
  },
  {
    name: 'a key with no value',
    text: 'preset: strict\nexclude:\nrules: {}\n',
    errors: ['.mlops-hygiene.yaml:2:1 exclude: exclude must be a list of glob patterns, got an empty value'],
    config: { preset: 'strict', rules: {} },
  },
  {
    name: 'overrides',
    text: [
      'overrides:',
      '  - rules: { hardcoded-secret: off }',
      '  - files: []',
      '    rules: {}',
      '  - files: ["tests/**"]',
      '    rules:',
      '      unseeded-randomness: nope',
      '      hardcoded-secret: off',
      '  - files: ["a/**"]',
      '    rule: {}',
      '    rules: {}',
      '',
    ].join('\n'),
    errors: [
      ".mlops-hygiene.yaml:2:5 overrides[0].files: override is missing the required key 'files'",
      '.mlops-hygiene.yaml:3:12 overrides[1].files: files must have at least 1 entry',
      ".mlops-hygiene.yaml:7:28 overrides[2].rules.unseeded-randomness: severity must be one of off, hint, info, warning, error (got 'nope')",
      ".mlops-hygiene.yaml:10:5 overrides[3].rule: unknown key 'rule' for an override; did you mean 'rules'?",
    ],
    config: {
      overrides: [
        { files: ['tests/**'], rules: { 'hardcoded-secret': 'off' } },
        { files: ['a/**'], rules: {} },
      ],
    },
  },
  {
    name: 'overrides is not a list',
    text: 'overrides:\n  files: ["a"]\n',
    errors: ['.mlops-hygiene.yaml:2:3 overrides: overrides must be a list of `{ files, rules }` mappings, got a mapping'],
  },
  {
    name: 'maxFileSizeMB',
    text: 'maxFileSizeMB: 0\n',
    errors: ['.mlops-hygiene.yaml:1:16 maxFileSizeMB: maxFileSizeMB must be greater than 0, got 0'],
  },
  {
    name: 'maxFileSizeMB as a string',
    text: 'maxFileSizeMB: 10MB\n',
    errors: [".mlops-hygiene.yaml:1:16 maxFileSizeMB: maxFileSizeMB must be a number, got the string '10MB'"],
  },
  {
    name: 'root is a list',
    text: '- preset: strict\n',
    errors: ['.mlops-hygiene.yaml:1:1 : the config must be a mapping of keys to values, got a list'],
    config: {},
  },
  {
    name: 'root is a scalar',
    text: '\n\nstrict\n',
    errors: [".mlops-hygiene.yaml:3:1 : the config must be a mapping of keys to values, got the string 'strict'"],
  },
  {
    name: 'invalid YAML syntax',
    text: 'preset: strict\nrules: [unseeded-randomness\n',
    errors: ['.mlops-hygiene.yaml:3:1 : invalid YAML: Flow sequence in block collection must be sufficiently indented and end with a ]'],
  },
  {
    name: 'invalid YAML: tab indentation',
    text: 'rules:\n\thardcoded-secret: off\n',
    errors: ['.mlops-hygiene.yaml:2:1 : invalid YAML: Tabs are not allowed as indentation'],
  },
  {
    name: 'duplicate keys',
    text: 'preset: strict\npreset: recommended\n',
    errors: ['.mlops-hygiene.yaml:2:1 : invalid YAML: Map keys must be unique'],
  },
  {
    name: 'anchors and aliases are followed',
    text: 'rules: &r\n  hardcoded-secret: off\noverrides:\n  - files: ["a/**"]\n    rules: *r\n  - files: ["b/**"]\n    rules: { hardcoded-secrets: off }\n',
    errors: [".mlops-hygiene.yaml:7:14 overrides[1].rules.hardcoded-secrets: unknown rule id 'hardcoded-secrets'; did you mean 'hardcoded-secret'?"],
  },
];

const TOML_ERRORS: ErrorCase[] = [
  {
    name: 'unknown rule id in a sub-table',
    file: 'pyproject.toml',
    text: '[project]\nname = "x"\n\n[tool.mlops-hygiene.rules]\nunseeded-random = "error"\n',
    errors: ["pyproject.toml:5:1 rules.unseeded-random: unknown rule id 'unseeded-random'; did you mean 'unseeded-randomness'?"],
  },
  {
    name: 'bad severity in an inline table',
    file: 'pyproject.toml',
    text: '[tool.mlops-hygiene]\nrules = { hardcoded-secret = "warn", "unseeded-randomness" = { severity = "loud" } }\n',
    errors: [
      "pyproject.toml:2:30 rules.hardcoded-secret: severity must be one of off, hint, info, warning, error (got 'warn'; did you mean 'warning'?)",
      "pyproject.toml:2:75 rules.unseeded-randomness.severity: severity must be one of off, hint, info, warning, error (got 'loud')",
    ],
  },
  {
    name: 'dotted keys',
    file: 'pyproject.toml',
    text: '[tool.mlops-hygiene]\nrules.fake-options.options.seed = 1.5\nrules.fake-options.options.allow = ["a", 2]\n',
    errors: [
      "pyproject.toml:2:35 rules.fake-options.options.seed: option 'seed' must be a whole number, got the number 1.5",
      'pyproject.toml:3:42 rules.fake-options.options.allow[1]: allow[1] must be a string, got the number 2',
    ],
    config: { rules: { 'fake-options': { options: { allow: ['a'] } } } },
  },
  {
    name: 'unknown top-level key and wrong types',
    file: 'pyproject.toml',
    text: '[tool.mlops-hygiene]\npreset = "strict"\nmax-file-size = 10\nmaxFileSizeMB = "10"\ninclude = "src"\n',
    errors: [
      "pyproject.toml:3:1 max-file-size: unknown top-level key 'max-file-size'; did you mean 'maxFileSizeMB'?",
      "pyproject.toml:4:17 maxFileSizeMB: maxFileSizeMB must be a number, got the string '10'",
      "pyproject.toml:5:11 include: include must be a list of glob patterns, got the string 'src'",
    ],
    config: { preset: 'strict' },
  },
  {
    name: 'arrays of tables',
    file: 'pyproject.toml',
    text: [
      '[tool.mlops-hygiene]',
      'preset = "strict"',
      '',
      '[[tool.mlops-hygiene.overrides]]',
      'files = ["a/**"]',
      'rules = {}',
      '',
      '[[tool.mlops-hygiene.overrides]]',
      'rules = { hardcoded-secret = "off" }',
      '',
      '[[tool.mlops-hygiene.overrides]]',
      'files = ["c/**"]',
      '[tool.mlops-hygiene.overrides.rules]',
      'hardcoded-secrt = "off"',
      '',
    ].join('\n'),
    errors: [
      "pyproject.toml:8:1 overrides[1].files: override is missing the required key 'files'",
      "pyproject.toml:14:1 overrides[2].rules.hardcoded-secrt: unknown rule id 'hardcoded-secrt'; did you mean 'hardcoded-secret'?",
    ],
    config: { preset: 'strict', overrides: [{ files: ['a/**'], rules: {} }, { files: ['c/**'], rules: {} }] },
  },
  {
    name: 'multi-line arrays and quoted keys',
    file: 'pyproject.toml',
    text: '[tool.mlops-hygiene]\nexclude = [\n  "build/",  # generated\n  \'\'\'\nmulti\'\'\',\n  7,\n]\n"rules" = { \'hardcoded-secret\' = 1 }\n',
    errors: [
      'pyproject.toml:6:3 exclude[2]: exclude[2] must be a glob pattern (a string), got the number 7',
      "pyproject.toml:8:34 rules.hardcoded-secret: rule 'hardcoded-secret' must be a severity or a mapping with `severity` and `options`, got the number 1",
    ],
  },
  {
    name: 'dates are not numbers',
    file: 'pyproject.toml',
    text: '[tool.mlops-hygiene]\nmaxFileSizeMB = 2024-01-01\n',
    errors: ['pyproject.toml:2:17 maxFileSizeMB: maxFileSizeMB must be a number, got a date'],
  },
  {
    name: 'the table is not a table',
    file: 'pyproject.toml',
    text: '[tool]\nmlops-hygiene = "strict"\n',
    errors: ["pyproject.toml:2:17 : the config must be a mapping of keys to values, got the string 'strict'"],
  },
  {
    name: 'invalid TOML syntax in our table',
    file: 'pyproject.toml',
    text: '[project]\nname = "x"\n\n[tool.mlops-hygiene]\npreset = strict\n',
    errors: ['pyproject.toml:5:10 : invalid TOML: invalid value'],
    config: {},
  },
  {
    name: 'invalid TOML: redefined table',
    file: 'pyproject.toml',
    text: '[tool.mlops-hygiene]\nrules = { hardcoded-secret = "off" }\n[tool.mlops-hygiene.rules]\nunseeded-randomness = "off"\n',
    errors: ['pyproject.toml:3:2 : invalid TOML: trying to redefine an already defined table or value'],
  },
];

describe('config/load: errors name file, line, column and key', () => {
  for (const c of YAML_ERRORS) {
    it(`YAML: ${c.name}`, async () => {
      const r = await load({ '.mlops-hygiene.yaml': c.text });
      assert.deepEqual(show(r.errors), c.errors);
      if (c.config !== undefined) assert.deepEqual(r.config, c.config);
    });
  }
  for (const c of TOML_ERRORS) {
    it(`TOML: ${c.name}`, async () => {
      const r = await load({ [c.file ?? 'pyproject.toml']: c.text });
      assert.deepEqual(show(r.errors), c.errors);
      if (c.config !== undefined) assert.deepEqual(r.config, c.config);
    });
  }

  it('CRLF line ends and a byte order mark do not shift positions', async () => {
    const y = await load({ '.mlops-hygiene.yaml': '\uFEFFpreset: strict\r\nrules:\r\n  nope: off\r\n' });
    assert.deepEqual(show(y.errors), [".mlops-hygiene.yaml:3:3 rules.nope: unknown rule id 'nope'"]);
    const t = await load({ 'pyproject.toml': '\uFEFF[tool.mlops-hygiene]\r\npreset = "strict"\r\nrules = { nope = "off" }\r\n' });
    assert.deepEqual(show(t.errors), ["pyproject.toml:3:11 rules.nope: unknown rule id 'nope'"]);
  });

  it('the TOML position scanner ends on any text', () => {
    const alphabet = fc.constantFrom('[', ']', '{', '}', '"', "'", '=', ',', '.', '#', '\n', ' ', 'a', '1', '\\');
    fc.assert(
      fc.property(fc.array(alphabet, { maxLength: 60 }), (chars) => {
        tomlPositions(chars.join(''));
      }),
      { numRuns: 500 },
    );
  });

  it('errors come sorted by position', async () => {
    const r = await load({ '.mlops-hygiene.yaml': 'zzz: 1\npreset: x\naaa: 2\n' });
    assert.deepEqual(
      r.errors.map((e) => e.line),
      [1, 2, 3],
    );
  });

  it('every unknown real-looking rule id is an error with the real registry too', async () => {
    const r = await loadConfig(new MemoryFileSystem({ '.mlops-hygiene.yaml': 'rules:\n  fake-options: off\n' }));
    assert.deepEqual(show(r.errors), [".mlops-hygiene.yaml:2:3 rules.fake-options: unknown rule id 'fake-options'"]);
  });
});
