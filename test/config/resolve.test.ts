import * as assert from 'node:assert/strict';
import { loadConfig } from '../../src/core/config/load';
import { DEFAULT_MAX_FILE_SIZE_MB, presetSettings, resolveConfig, type HygieneConfig, type RuleConfig } from '../../src/core/config/resolve';
import { defineRule, type OptionValue, type Rule } from '../../src/core/rule';
import { RULES } from '../../src/core/rules';
import type { Severity } from '../../src/core/types';
import { MemoryFileSystem } from '../../src/core/workspace/fs';

function fake(id: string, defaultSeverity: Severity, recommended: boolean, options?: Record<string, OptionValue>): Rule {
  return defineRule({
    meta: {
      id,
      area: 'hygiene',
      defaultSeverity,
      recommended,
      targets: ['python'],
      messages: { m: 'm' },
      options,
      docs: { summary: 's', whatItDoes: '', whyIsThisBad: '', example: { language: 'python', code: '' }, useInstead: { language: 'python', code: '' }, fixSafety: '', references: [] },
    },
    check() {},
  });
}

/** `a` recommended (warning), `b` strict-only (error), `c` recommended (info) with options. */
const RULESET = [fake('a', 'warning', true), fake('b', 'error', false), fake('c', 'info', true, { limit: 3, names: ['x'] })];

function severities(config: HygieneConfig, file = 'src/train.py', extra?: Record<string, RuleConfig>): Record<string, string> {
  const s = resolveConfig(RULESET, config, extra).settingsFor(file);
  return Object.fromEntries([...s].map(([id, v]) => [id, v.severity]));
}

describe('config/resolve', () => {
  it('recommended (the default) turns on the recommended rules at their default severity', () => {
    assert.deepEqual(severities({}), { a: 'warning', b: 'off', c: 'info' });
    assert.deepEqual(severities({ preset: 'recommended' }), { a: 'warning', b: 'off', c: 'info' });
  });

  it('strict turns on every rule', () => {
    assert.deepEqual(severities({ preset: 'strict' }), { a: 'warning', b: 'error', c: 'info' });
  });

  it('with the real registry, strict is a superset of recommended', () => {
    const rec = presetSettings(RULES, 'recommended');
    const strict = presetSettings(RULES, 'strict');
    for (const r of RULES) {
      assert.equal(strict.get(r.meta.id)?.severity, r.meta.defaultSeverity);
      assert.equal(rec.get(r.meta.id)?.severity, r.meta.recommended ? r.meta.defaultSeverity : 'off');
    }
  });

  it('rules win over the preset', () => {
    assert.deepEqual(severities({ rules: { a: 'off', b: 'hint', c: { severity: 'error' } } }), { a: 'off', b: 'hint', c: 'error' });
  });

  it('a mapping without severity keeps the severity, or turns an off rule on at its default', () => {
    assert.deepEqual(severities({ rules: { a: { options: {} }, b: { options: {} } } }), { a: 'warning', b: 'error', c: 'info' });
  });

  it('options merge over earlier settings; the linter adds the meta defaults underneath', () => {
    const config: HygieneConfig = {
      rules: { c: { options: { limit: 5 } } },
      overrides: [{ files: ['notebooks/**'], rules: { c: { options: { names: ['y'] } } } }],
    };
    const r = resolveConfig(RULESET, config);
    assert.deepEqual(r.settingsFor('src/x.py').get('c'), { severity: 'info', options: { limit: 5 } });
    assert.deepEqual(r.settingsFor('notebooks/x.ipynb').get('c'), { severity: 'info', options: { limit: 5, names: ['y'] } });
  });

  it('overrides apply to matching files, later ones last', () => {
    const config: HygieneConfig = {
      rules: { a: 'error' },
      overrides: [
        { files: ['notebooks/**'], rules: { a: 'info', b: 'warning' } },
        { files: ['notebooks/scratch/**'], rules: { a: 'off' } },
        { files: ['**/*.yaml'], rules: { c: 'off' } },
      ],
    };
    assert.deepEqual(severities(config, 'src/train.py'), { a: 'error', b: 'off', c: 'info' });
    assert.deepEqual(severities(config, 'notebooks/eda.ipynb'), { a: 'info', b: 'warning', c: 'info' });
    assert.deepEqual(severities(config, 'notebooks/scratch/try.ipynb'), { a: 'off', b: 'warning', c: 'info' });
    assert.deepEqual(severities(config, '.github/workflows/ci.yaml'), { a: 'error', b: 'off', c: 'off' });
  });

  it('editor settings win over everything', () => {
    const config: HygieneConfig = { preset: 'strict', rules: { a: 'error' }, overrides: [{ files: ['notebooks/**'], rules: { a: 'info' } }] };
    const extra: Record<string, RuleConfig> = { a: 'hint', b: 'off' };
    assert.deepEqual(severities(config, 'src/train.py', extra), { a: 'hint', b: 'off', c: 'info' });
    assert.deepEqual(severities(config, 'notebooks/eda.ipynb', extra), { a: 'hint', b: 'off', c: 'info' });
  });

  it('include and exclude', () => {
    const r = resolveConfig(RULESET, { include: ['src/**', 'notebooks/**'], exclude: ['vendor/', 'notebooks/old', '**/*.generated.py'] });
    assert.equal(r.isLinted('src/train.py'), true);
    assert.equal(r.isLinted('scripts/x.py'), false, 'outside include');
    assert.equal(r.isExcluded('scripts/x.py'), false, 'not included is still indexed');
    assert.equal(r.isExcluded('vendor/lib/a.py'), true);
    assert.equal(r.isExcluded('notebooks/old/a.ipynb'), true, 'a folder pattern covers what is below it');
    assert.equal(r.isLinted('src/model.generated.py'), false);
    const all = resolveConfig(RULESET, {});
    assert.equal(all.isLinted('anything/at/all.py'), true);
    assert.equal(all.isExcluded('anything/at/all.py'), false);
  });

  it('maxFileSizeMB', () => {
    assert.equal(resolveConfig(RULESET, {}).maxFileBytes, DEFAULT_MAX_FILE_SIZE_MB * 1024 * 1024);
    assert.equal(resolveConfig(RULESET, { maxFileSizeMB: 2 }).maxFileBytes, 2 * 1024 * 1024);
  });

  it('from a config file to per-file settings', async () => {
    const fs = new MemoryFileSystem({
      '.mlops-hygiene.yaml': [
        'preset: strict',
        'rules:',
        '  b: warning',
        '  c: { options: { limit: 1 } }',
        '  nope: error # an error, and ignored',
        'overrides:',
        '  - files: ["tests/**"]',
        '    rules: { a: off }',
        '',
      ].join('\n'),
    });
    const loaded = await loadConfig(fs, undefined, RULESET);
    assert.deepEqual(
      loaded.errors.map((e) => `${e.line}:${e.column} ${e.key}`),
      ['5:3 rules.nope'],
    );
    const r = resolveConfig(RULESET, loaded.config);
    assert.deepEqual(severities(loaded.config, 'tests/test_x.py'), { a: 'off', b: 'warning', c: 'info' });
    assert.deepEqual(r.settingsFor('src/x.py').get('c')?.options, { limit: 1 });
  });
});
