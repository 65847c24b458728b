// Plain mocha (no VS Code): the extension's generated manifest parts and the
// template texts. The integration suite itself is in test/vscode/suite.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { parseDocument } from 'yaml';
import { loadYaml } from '../../src/core/config/load';
import { PythonProgram, UnitCache } from '../../src/core/parse/program';
import { extractFacts, initPython } from '../../src/core/parse/python';
import { RULES } from '../../src/core/rules';
import { dataReads } from '../../src/core/rules/lib/data-io';
import { snippetToText, starterConfig, TEMPLATES, templateCellEdit, templateText } from '../../src/core/templates';
import { configurationContribution, snippetFiles } from '../../src/extension/manifest';

const root = path.resolve(__dirname, '..', '..');
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8')) as {
  main: string;
  icon: string;
  activationEvents: string[];
  capabilities: { untrustedWorkspaces: { supported: boolean } };
  contributes: Record<string, unknown> & {
    configuration: { properties: Record<string, Record<string, unknown>> };
    snippets: Array<{ language: string; path: string }>;
    jsonValidation: Array<{ url: string }>;
    yamlValidation: Array<{ url: string }>;
    walkthroughs: Array<{ steps: Array<{ media: { markdown?: string; image?: string } }> }>;
  };
};

describe('VS Code extension manifest', () => {
  it('contributes.configuration is generated from the engine schema (`npm run snippets` regenerates it)', () => {
    assert.deepEqual(pkg.contributes.configuration, configurationContribution());
  });

  it('snippets/*.json are generated from src/core/templates.ts (`npm run snippets` regenerates them)', () => {
    for (const [rel, text] of Object.entries(snippetFiles())) {
      assert.equal(fs.readFileSync(path.join(root, rel), 'utf8'), text, `${rel} is stale`);
    }
  });

  it('every setting is per folder (resource scope) with a markdown description; enums describe each value', () => {
    for (const [key, p] of Object.entries(pkg.contributes.configuration.properties)) {
      assert.ok(key.startsWith('mlopsHygiene.'), key);
      assert.equal(p.scope, 'resource', key);
      assert.equal(typeof p.markdownDescription, 'string', key);
      if (p.enum) assert.equal((p.enumDescriptions as unknown[] | undefined)?.length, (p.enum as unknown[]).length, key);
    }
    const keys = Object.keys(pkg.contributes.configuration.properties).sort();
    for (const k of ['configFile', 'enable', 'precedence', 'rules', 'run']) assert.ok(keys.includes(`mlopsHygiene.${k}`), k);
  });

  it('declares untrusted-workspace support, activation and the files it points at', () => {
    assert.equal(pkg.main, './dist/extension.js');
    assert.equal(pkg.capabilities.untrustedWorkspaces.supported, true);
    assert.ok(pkg.activationEvents.includes('onNotebook:jupyter-notebook'));
    const files = [
      pkg.icon,
      ...pkg.contributes.snippets.map((s) => s.path),
      ...pkg.contributes.jsonValidation.map((v) => v.url),
      ...pkg.contributes.yamlValidation.map((v) => v.url),
      ...pkg.contributes.walkthroughs.flatMap((w) => w.steps.map((s) => s.media.markdown ?? s.media.image ?? '')),
    ];
    for (const f of files) assert.ok(fs.existsSync(path.join(root, f)), `${f} is missing`);
  });

  it('.vscodeignore is an allow-list', () => {
    const lines = fs
      .readFileSync(path.join(root, '.vscodeignore'), 'utf8')
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !l.startsWith('#'));
    assert.equal(lines[0], '**');
    assert.ok(lines.slice(1).every((l) => l.startsWith('!')));
    assert.ok(lines.includes('!dist/extension.js') && lines.includes('!dist/tree-sitter-python.wasm'));
  });
});

describe('Templates (src/core/templates.ts)', () => {
  before(() => initPython());

  it('are found by typing `mlops`', () => {
    const ids = new Set<string>();
    for (const t of TEMPLATES) {
      assert.match(t.name, /^MLOps: /);
      assert.match(t.prefix, /^mlops-/);
      assert.ok(!ids.has(t.id), `duplicate ${t.id}`);
      ids.add(t.id);
    }
    for (const id of ['dvc-stage', 'dvc-tracked-read', 'mlflow-autolog', 'mlflow-manual', 'wandb-run', 'pandera-schema-check', 'great-expectations-checkpoint', 'evidently-drift-report', 'seed-everything', 'github-actions-ml-job', 'azureml-online-deployment']) {
      assert.ok(ids.has(id), id);
    }
  });

  it('turn snippet syntax into plain text', () => {
    assert.equal(snippetToText('a ${1:x} $2 ${3|p,q|} \\$HOME \\} ${4:${5:nested}}$0'), 'a x  p $HOME } nested');
    assert.equal(snippetToText('${1:df} = f(${1:df})', { df: 'train' }), 'train = f(train)');
  });

  it('are valid Python or YAML once filled in', () => {
    for (const t of TEMPLATES) {
      const text = templateText(t.id);
      assert.ok(!text.includes('${'), `${t.id} keeps a placeholder`);
      if (t.language === 'python') assert.equal(extractFacts(text).syntaxError, undefined, `${t.id}: ${extractFacts(text).syntaxError?.message}`);
      else assert.deepEqual(parseDocument(text).errors, [], t.id);
    }
  });

  it('place notebook cells: seed at the top, tracking after the imports, schema check after the load', () => {
    const cells = [
      { kind: 'markdown' as const, source: '# Title' },
      { kind: 'code' as const, source: '%pip install pandas' },
      { kind: 'code' as const, source: 'import pandas as pd' },
      { kind: 'code' as const, source: 'from sklearn.linear_model import LinearRegression' },
      { kind: 'code' as const, source: 'train = pd.read_csv("data/train.csv")' },
      { kind: 'code' as const, source: 'LinearRegression().fit(train, train.y)' },
    ];
    const program = PythonProgram.fromUnits(
      new UnitCache(),
      cells.flatMap((c, i) => (c.kind === 'code' ? [{ cell: i, text: c.source }] : [])),
    );
    const dataLoads = dataReads(program).map((r) => ({ cell: r.rc.unit.cell, assignedTo: r.rc.call.assignedTo?.[0] }));
    const input = { cells, program, dataLoads };
    assert.equal(templateCellEdit('seed-everything', input).insertCell.index, 2);
    assert.equal(templateCellEdit('mlflow-autolog', input).insertCell.index, 4);
    const schema = templateCellEdit('pandera-schema-check', input).insertCell;
    assert.equal(schema.index, 5);
    assert.match(schema.source, /^train = schema\.validate\(train, lazy=True\)$/m);
  });

  it('the starter config is valid, with every rule line uncommented too', () => {
    for (const preset of ['recommended', 'strict'] as const) {
      const text = starterConfig(preset, RULES);
      assert.deepEqual(loadYaml(text, '.mlops-hygiene.yaml').errors, [], preset);
      // Uncomment `# rules:` and the rule lines below it, as a user would.
      const lines = text.split('\n');
      const at = lines.indexOf('# rules:');
      lines[at] = 'rules:';
      for (let i = at + 1; lines[i]?.startsWith('#   '); i++) lines[i] = lines[i].replace(/^# /, '');
      const uncommented = lines.join('\n');
      assert.deepEqual(loadYaml(uncommented, '.mlops-hygiene.yaml').errors, [], `${preset}, uncommented`);
      assert.equal(Object.keys(loadYaml(uncommented, '.mlops-hygiene.yaml').config.rules ?? {}).length, RULES.length);
    }
  });
});
