import * as assert from 'node:assert/strict';
import { applyEdits, selectEdits } from '../../src/core/fix/apply';
import rule, { closestKey, definesKey } from '../../src/core/rules/data/dvc-params-mismatch';
import { lintCase, ruleTester, type InvalidCase } from '../helpers/rule-tester';

const PARAMS = 'prepare:\n  min_tenure_months: 1\ntrain:\n  seed: 42\n  n_estimators: 300\n  max_depth: 12\n  layers:\n    - 64\n    - 32\n';

const invalid: InvalidCase[] = [
  {
    name: 'a key params.yaml does not define, with a close match suggested',
    file: 'dvc.yaml',
    text: 'stages:\n  train:\n    cmd: python src/train.py\n    params:\n      - train.seed\n      - train.n_estimator\n',
    files: { 'params.yaml': PARAMS },
    errors: [{ messageId: 'missingKey', line: 6, column: 9, endLine: 6, endColumn: 26, messageIncludes: 'Did you mean `train.n_estimators`?' }],
    output: 'stages:\n  train:\n    cmd: python src/train.py\n    params:\n      - train.seed\n      - train.n_estimators\n',
  },
  {
    name: 'no close match: explain only',
    file: 'dvc.yaml',
    text: 'stages:\n  train:\n    cmd: python src/train.py\n    params:\n      - train.min_samples_leaf\n',
    files: { 'params.yaml': PARAMS },
    errors: [{ messageId: 'missingKey', line: 5, column: 9, message: 'Stage `train` tracks param `train.min_samples_leaf`, which params.yaml does not define: `dvc repro` stops with "Parameters are missing". Define it in params.yaml or remove it from the stage\'s `params`.' }],
  },
  {
    name: 'the same leaf under another section is suggested',
    file: 'dvc.yaml',
    text: 'stages:\n  split:\n    cmd: python split.py\n    params:\n      - split.min_tenure_months\n',
    files: { 'params.yaml': PARAMS },
    errors: [{ messageId: 'missingKey', line: 5, column: 9, messageIncludes: 'Did you mean `prepare.min_tenure_months`?' }],
    output: 'stages:\n  split:\n    cmd: python split.py\n    params:\n      - prepare.min_tenure_months\n',
  },
  {
    name: 'keys of a named params file (JSON), relative to wdir',
    file: 'dvc.yaml',
    text: 'stages:\n  train:\n    wdir: model\n    cmd: python train.py\n    params:\n      - conf/train.json:\n          - optimizer.lr\n          - optimizer.momentum\n',
    files: { 'model/conf/train.json': '{"optimizer": {"lr": 0.01}}' },
    errors: [{ messageId: 'missingKey', line: 8, column: 13, messageIncludes: 'conf/train.json does not define' }],
  },
  {
    name: 'TOML params file, flow list of keys',
    file: 'dvc.yaml',
    text: 'stages:\n  train:\n    cmd: python train.py\n    params:\n      - params.toml: [train.lr, train.epochs]\n',
    files: { 'params.toml': '[train]\nlr = 0.1\n' },
    errors: [{ messageId: 'missingKey', line: 5, column: 33, endColumn: 45 }],
  },
  {
    name: 'the default params.yaml does not exist: reported once at `params`',
    file: 'dvc.yaml',
    text: 'stages:\n  train:\n    cmd: python train.py\n    params:\n      - train.lr\n      - train.epochs\n',
    errors: [{ messageId: 'missingFile', line: 4, column: 5, endColumn: 11, message: 'Stage `train` reads 2 params from params.yaml, which does not exist: `dvc repro` cannot run the stage. Create params.yaml or point the stage at the right params file.' }],
  },
  {
    name: 'a named params file that does not exist',
    file: 'dvc.yaml',
    text: 'stages:\n  train:\n    cmd: python train.py\n    params:\n      - configs/train.yaml:\n',
    errors: [{ messageId: 'missingFile', line: 5, column: 9, endColumn: 27, messageIncludes: 'reads its params from configs/train.yaml' }],
  },
  {
    name: 'top-level params and vars files that do not exist',
    file: 'dvc.yaml',
    text: 'vars:\n  - config/base.yaml:data\n  - {seed: 1}\nparams:\n  - dvclive/params.yaml\nstages:\n  train:\n    cmd: python train.py\n',
    errors: [
      { messageId: 'missingTopFile', line: 2, column: 5, messageIncludes: 'config/base.yaml is listed under `vars`' },
      { messageId: 'missingTopFile', line: 5, column: 5, messageIncludes: 'dvclive/params.yaml is listed under `params`' },
    ],
  },
  {
    name: 'each stage reports its own keys',
    file: 'dvc.yaml',
    text: 'stages:\n  prepare:\n    cmd: python prepare.py\n    params: [prepare.min_tenure]\n  train:\n    cmd: python train.py\n    params: [train.seed, train.max_depht]\n',
    files: { 'params.yaml': PARAMS },
    errors: [
      { messageId: 'missingKey', line: 4, column: 14, messageIncludes: 'Did you mean `prepare.min_tenure_months`?' },
      { messageId: 'missingKey', line: 7, column: 26, messageIncludes: 'Did you mean `train.max_depth`?' },
    ],
    output: 'stages:\n  prepare:\n    cmd: python prepare.py\n    params: [prepare.min_tenure_months]\n  train:\n    cmd: python train.py\n    params: [train.seed, train.max_depth]\n',
  },
];

ruleTester(rule, {
  valid: [
    {
      name: 'every key defined (nested, whole sections, list indexes)',
      file: 'dvc.yaml',
      text: 'stages:\n  train:\n    cmd: python train.py\n    params:\n      - train.seed\n      - prepare\n      - train.layers.1\n',
      files: { 'params.yaml': PARAMS },
    },
    {
      name: 'a literal dotted key',
      file: 'dvc.yaml',
      text: 'stages:\n  train:\n    cmd: python train.py\n    params:\n      - model.lr\n',
      files: { 'params.yaml': '"model.lr": 0.1\n' },
    },
    {
      name: 'a whole params file (no key list)',
      file: 'dvc.yaml',
      text: 'stages:\n  train:\n    cmd: python train.py\n    params:\n      - conf/train.yaml:\n',
      files: { 'conf/train.yaml': 'lr: 1\n' },
    },
    {
      name: 'templated keys and Python params files are not judged',
      file: 'dvc.yaml',
      text: 'stages:\n  train:\n    foreach: [a, b]\n    do:\n      cmd: python train.py ${item}\n      params:\n        - ${item}.lr\n        - params.py:\n          - LR\n',
      files: { 'params.yaml': 'a:\n  lr: 1\n', 'params.py': 'LR = 0.1\n' },
    },
    {
      name: 'a params file with YAML errors is left to invalid-yaml',
      file: 'dvc.yaml',
      text: 'stages:\n  train:\n    cmd: python train.py\n    params:\n      - train.lr\n',
      files: { 'params.yaml': 'train: [\n' },
    },
    {
      name: 'inline vars and existing vars files',
      file: 'dvc.yaml',
      text: 'vars:\n  - config/base.yaml\n  - seed: 1\nstages:\n  train:\n    cmd: python train.py\n',
      files: { 'config/base.yaml': 'data: x\n' },
    },
    {
      name: 'not a dvc.yaml',
      file: 'ci.yaml',
      text: 'stages:\n  train:\n    params:\n      - train.lr\n',
    },
  ],
  invalid,
});

describe('dvc-params-mismatch helpers and fixes', () => {
  it('definesKey walks maps, lists and literal dotted keys', () => {
    const v = { a: { b: [1, { c: 2 }] }, 'x.y': 3 };
    assert.ok(definesKey(v, 'a.b.1.c'));
    assert.ok(definesKey(v, 'x.y'));
    assert.ok(!definesKey(v, 'a.c'));
    assert.ok(!definesKey(v, 'a.b.5'));
  });

  it('closestKey suggests only near keys', () => {
    const v = { train: { learning_rate: 1, epochs: 2 } };
    assert.equal(closestKey(v, 'train.learning_rat'), 'train.learning_rate');
    assert.equal(closestKey(v, 'train.lr'), undefined);
    assert.equal(closestKey(v, 'fit.epochs'), 'train.epochs');
  });

  it('re-linting each fixed file finds nothing new', async () => {
    for (const c of invalid.filter((x) => x.output)) {
      const r = await lintCase(rule, c);
      const fixed = applyEdits(c.file!, c.text!, selectEdits(r.findings, { unsafe: true }).edits)!;
      const again = await lintCase(rule, { ...c, text: fixed });
      assert.deepEqual(again.findings.map((f) => f.message), [], c.name);
    }
  });

  it('the rename fix is unsafe', async () => {
    const r = await lintCase(rule, invalid[0]);
    assert.equal(r.findings[0].fixes[0].safety, 'unsafe');
  });
});
