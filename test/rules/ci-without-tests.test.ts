import * as assert from 'node:assert/strict';
import { resolveConfig } from '../../src/core/config/resolve';
import { applyEdits, selectEdits } from '../../src/core/fix/apply';
import { Linter } from '../../src/core/lint';
import type { Rule } from '../../src/core/rule';
import { RULES } from '../../src/core/rules';
import rule, { repoTestCommand } from '../../src/core/rules/validation/ci-without-tests';
import type { Finding } from '../../src/core/types';
import { MemoryFileSystem } from '../../src/core/workspace/fs';
import { WorkspaceIndex } from '../../src/core/workspace/workspace-index';
import { ruleTester } from '../helpers/rule-tester';

const TRAIN_DEPLOY = `name: train-and-deploy
on:
  push:
    branches: [main]
jobs:
  train:
    runs-on: ubuntu-22.04
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "3.11"
      - run: pip install -r requirements.txt
      - name: Reproduce the pipeline
        run: dvc pull && dvc repro
      - name: Deploy
        run: az ml online-deployment create -f deploy/blue.yml --all-traffic
`;

/** Every rule on, as in `preset: strict`. */
async function lintAll(files: Record<string, string>, file: string): Promise<Finding[]> {
  const workspace = await WorkspaceIndex.build(new MemoryFileSystem(files));
  const config = resolveConfig(RULES, { rules: Object.fromEntries(RULES.map((r) => [r.meta.id, { severity: 'warning' as const }])) });
  const linter = new Linter({ workspace, rules: RULES, settings: (f) => config.settingsFor(f) });
  return (await linter.lintText(file, files[file])).findings;
}

/** Applies the rule's template and re-lints: its finding is gone and no other finding appears. */
async function fixAndRelint(r: Rule, files: Record<string, string>, file: string): Promise<string> {
  const before = await lintAll(files, file);
  const mine = before.filter((f) => f.rule === r.meta.id);
  assert.equal(mine.length, 1, JSON.stringify(before.map((f) => f.message)));
  assert.ok(mine[0].fixes.length > 0, 'the finding has a fix');
  const out = applyEdits(file, files[file], selectEdits(mine, { unsafe: true }).edits);
  assert.ok(out !== undefined);
  const after = await lintAll({ ...files, [file]: out }, file);
  const key = (f: Finding): string => `${f.rule}: ${f.message}`;
  assert.deepEqual(after.filter((f) => f.rule === r.meta.id).map(key), [], 'the finding is gone');
  const known = new Set(before.map(key));
  assert.deepEqual(after.filter((f) => !known.has(key(f))).map(key), [], 'no new finding');
  return out;
}

const FIXED_TRAIN_DEPLOY = `name: train-and-deploy
on:
  push:
    branches: [main]
jobs:
  test:
    runs-on: ubuntu-22.04
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "3.11"
      - name: Install dependencies
        run: pip install -r requirements.txt pytest==8.3.3
      - name: Run the tests
        run: python -m pytest
  train:
    needs: test
    runs-on: ubuntu-22.04
    steps:
      - uses: actions/checkout@v4
      - uses: actions/setup-python@v5
        with:
          python-version: "3.11"
      - run: pip install -r requirements.txt
      - name: Reproduce the pipeline
        run: dvc pull && dvc repro
      - name: Deploy
        run: az ml online-deployment create -f deploy/blue.yml --all-traffic
`;

ruleTester(rule, {
  valid: [
    {
      name: 'a test job runs pytest',
      file: '.github/workflows/train.yml',
      text: 'on: push\njobs:\n  test:\n    runs-on: ubuntu-22.04\n    steps:\n      - run: pytest -q\n  train:\n    needs: test\n    runs-on: ubuntu-22.04\n    steps:\n      - run: python src/train.py\n',
    },
    {
      name: 'data validation with Great Expectations counts',
      file: '.github/workflows/train.yml',
      text: 'on: push\njobs:\n  train:\n    runs-on: ubuntu-22.04\n    steps:\n      - run: great_expectations checkpoint run churn_raw\n      - run: python src/train.py\n',
    },
    {
      name: 'unittest, tox, nox, make test',
      file: '.github/workflows/train.yml',
      text: 'on: push\njobs:\n  train:\n    runs-on: ubuntu-22.04\n    steps:\n      - run: python -m unittest discover\n      - run: python src/train.py\n',
    },
    {
      name: 'a step named for tests',
      file: '.github/workflows/train.yml',
      text: 'on: push\njobs:\n  train:\n    runs-on: ubuntu-22.04\n    steps:\n      - name: Unit tests\n        run: make check\n      - run: python src/train.py\n',
    },
    {
      name: 'dvc repro of a pipeline with a validation stage',
      file: '.github/workflows/train.yml',
      text: 'on: push\njobs:\n  train:\n    runs-on: ubuntu-22.04\n    steps:\n      - run: dvc pull && dvc repro\n',
      files: { 'dvc.yaml': 'stages:\n  validate_data:\n    cmd: python src/validate.py\n    deps: [data/raw.csv]\n  train:\n    cmd: python src/train.py\n    deps: [data/raw.csv]\n' },
    },
    {
      name: 'another workflow of the repository is the test workflow',
      file: '.github/workflows/train.yml',
      text: TRAIN_DEPLOY,
      files: { '.github/workflows/tests.yml': 'on: pull_request\njobs:\n  test:\n    runs-on: ubuntu-22.04\n    steps:\n      - run: pytest\n' },
    },
    {
      name: 'another workflow tests on every push, whatever its name',
      file: '.github/workflows/train.yml',
      text: TRAIN_DEPLOY,
      files: { '.github/workflows/build.yml': 'name: build\non: [push]\njobs:\n  build:\n    runs-on: ubuntu-22.04\n    steps:\n      - run: pip install -e .\n      - run: python -m pytest tests/\n' },
    },
    {
      name: 'another workflow tests pull requests to the branch this one runs for',
      file: '.github/workflows/train.yml',
      text: TRAIN_DEPLOY,
      files: { '.github/workflows/qa.yaml': 'on:\n  pull_request:\n    branches: [main, "release/**"]\njobs:\n  unit:\n    runs-on: ubuntu-22.04\n    steps:\n      - run: tox -e py311\n' },
    },
    {
      name: 'a workflow that only runs by hand is covered by any push or PR tests',
      file: '.github/workflows/deploy.yml',
      text: 'on: workflow_dispatch\njobs:\n  deploy:\n    runs-on: ubuntu-22.04\n    steps:\n      - run: python train.py\n      - run: az ml online-deployment create -f deploy/blue.yml\n',
      files: { '.github/workflows/pr.yml': 'on:\n  pull_request:\n    branches: [develop]\njobs:\n  t:\n    runs-on: ubuntu-22.04\n    steps:\n      - run: pytest\n' },
    },
    {
      name: 'started after a workflow of the repository that tests, named by its name',
      file: '.github/workflows/train.yml',
      text: 'on:\n  workflow_run:\n    workflows: ["Quality"]\n    types: [completed]\njobs:\n  train:\n    runs-on: ubuntu-22.04\n    steps:\n      - run: python src/train.py\n',
      files: { '.github/workflows/quality.yml': 'name: Quality\non: push\njobs:\n  q:\n    runs-on: ubuntu-22.04\n    steps:\n      - run: nox -s tests\n' },
    },
    {
      name: 'Azure Pipelines: another pipeline file beside it runs the tests on the same branch',
      file: 'azure-pipelines-train.yml',
      text: 'trigger:\n  - main\npool:\n  vmImage: ubuntu-latest\nsteps:\n  - script: python train.py\n    displayName: Train\n',
      files: { 'azure-pipelines-ci.yml': 'trigger:\n  branches:\n    include: [main]\npool:\n  vmImage: ubuntu-latest\nsteps:\n  - script: pytest\n' },
    },
    {
      name: 'started after the CI workflow',
      file: '.github/workflows/train.yml',
      text: 'on:\n  workflow_run:\n    workflows: ["CI"]\n    types: [completed]\njobs:\n  train:\n    runs-on: ubuntu-22.04\n    steps:\n      - run: python src/train.py\n',
    },
    {
      name: 'a workflow that neither trains nor ships a model',
      file: '.github/workflows/docs.yml',
      text: 'on: push\njobs:\n  docs:\n    runs-on: ubuntu-22.04\n    steps:\n      - run: mkdocs build\n',
    },
    {
      name: 'deploying a website is not ML work',
      file: '.github/workflows/site.yml',
      text: 'on: push\njobs:\n  deploy:\n    runs-on: ubuntu-22.04\n    steps:\n      - uses: peaceiris/actions-gh-pages@v4\n      - run: npx vercel deploy --prod\n',
    },
    {
      name: 'a reusable workflow: its callers decide',
      file: '.github/workflows/train.yml',
      text: 'on:\n  workflow_call:\njobs:\n  train:\n    runs-on: ubuntu-22.04\n    steps:\n      - run: python src/train.py\n',
    },
    {
      name: 'GitLab with a test stage',
      file: '.gitlab-ci.yml',
      text: 'stages: [test, train]\nunit:\n  stage: test\n  script:\n    - pytest\ntrain:\n  stage: train\n  script:\n    - python train.py\n',
    },
    { name: 'not a CI file', file: 'jobs/train.yml', text: 'command: python train.py\n' },
  ],
  invalid: [
    {
      name: 'a workflow named tests.yml that only lints does not count',
      file: '.github/workflows/train.yml',
      text: 'on:\n  push:\n    branches: [main]\njobs:\n  train:\n    runs-on: ubuntu-22.04\n    steps:\n      - run: python src/train.py\n',
      files: { '.github/workflows/tests.yml': 'name: tests\non: [push, pull_request]\njobs:\n  lint:\n    runs-on: ubuntu-22.04\n    steps:\n      - run: ruff check .\n      - run: mypy src\n' },
      errors: [{ messageId: 'untested', line: 5, column: 3, endLine: 5, endColumn: 8 }],
      output:
        'on:\n  push:\n    branches: [main]\njobs:\n  test:\n    runs-on: ubuntu-22.04\n    steps:\n      - uses: actions/checkout@v4\n      - name: Install dependencies\n        run: pip install pytest==8.3.3\n      - name: Run the tests\n        run: python -m pytest\n  train:\n    needs: test\n    runs-on: ubuntu-22.04\n    steps:\n      - run: python src/train.py\n',
    },
    {
      name: 'tests that run only for other branches do not gate this one',
      file: '.github/workflows/train.yml',
      text: 'on:\n  push:\n    branches: [main]\njobs:\n  train:\n    runs-on: ubuntu-22.04\n    steps:\n      - run: python src/train.py\n',
      files: {
        '.github/workflows/ci.yml': 'on:\n  push:\n    branches: ["feature/*"]\n  pull_request:\n    branches: [develop]\njobs:\n  t:\n    runs-on: ubuntu-22.04\n    steps:\n      - run: pytest\n',
        '.github/workflows/release-tests.yml': 'on:\n  push:\n    tags: ["v*"]\njobs:\n  t:\n    runs-on: ubuntu-22.04\n    steps:\n      - run: pytest\n',
        Makefile: 'test:\n\tpytest\n',
      },
      errors: [{ messageId: 'untested', line: 5, column: 3, messageIncludes: 'runs `make test`' }],
      output:
        'on:\n  push:\n    branches: [main]\njobs:\n  test:\n    runs-on: ubuntu-22.04\n    steps:\n      - uses: actions/checkout@v4\n      - name: Run the tests\n        run: make test\n  train:\n    needs: test\n    runs-on: ubuntu-22.04\n    steps:\n      - run: python src/train.py\n',
    },
    {
      name: 'started after a workflow of the repository that does not test',
      file: '.github/workflows/train.yml',
      text: 'on:\n  workflow_run:\n    workflows: ["CI"]\n    types: [completed]\njobs:\n  train:\n    runs-on: ubuntu-22.04\n    steps:\n      - run: python src/train.py\n',
      files: { '.github/workflows/ci.yml': 'name: CI\non: push\njobs:\n  build:\n    runs-on: ubuntu-22.04\n    steps:\n      - run: python -m build\n' },
      errors: [{ messageId: 'untested', line: 6, column: 3 }],
      output:
        'on:\n  workflow_run:\n    workflows: ["CI"]\n    types: [completed]\njobs:\n  test:\n    runs-on: ubuntu-22.04\n    steps:\n      - uses: actions/checkout@v4\n      - name: Install dependencies\n        run: pip install pytest==8.3.3\n      - name: Run the tests\n        run: python -m pytest\n  train:\n    needs: test\n    runs-on: ubuntu-22.04\n    steps:\n      - run: python src/train.py\n',
    },
    {
      name: 'GitHub: trains and deploys, template adds a test job with the setup steps of the job',
      file: '.github/workflows/train.yml',
      text: TRAIN_DEPLOY,
      files: { 'requirements.txt': 'pandas==2.2.2\n' },
      errors: [
        {
          messageId: 'untested',
          line: 6,
          column: 3,
          endLine: 6,
          endColumn: 8,
          message:
            'Workflow "train-and-deploy" trains and deploys a model (job `train`) but never runs tests or data validation, so a broken change ships unchecked. Add a test job that runs `python -m pytest` and make `train` need it.',
        },
      ],
      output: FIXED_TRAIN_DEPLOY,
    },
    {
      name: 'GitHub: the repository has tests and a dev requirements file, indented the Azure way',
      file: '.github/workflows/deploy.yml',
      text: 'name: deploy\non: [push]\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n    - uses: actions/checkout@v4\n    - run: python train.py --out model.pkl\n  release:\n    needs: build\n    runs-on: ubuntu-latest\n    steps:\n    - run: mlem deployment run api-prod\n',
      files: { 'tests/test_features.py': 'def test_x():\n    assert True\n', 'requirements-dev.txt': 'pytest==8.3.3\n' },
      errors: [{ messageId: 'untested', line: 4, column: 3, messageIncludes: 'runs `pytest`' }],
      output:
        'name: deploy\non: [push]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n    - uses: actions/checkout@v4\n    - name: Install dependencies\n      run: pip install -r requirements-dev.txt\n    - name: Run the tests\n      run: pytest\n  build:\n    needs: test\n    runs-on: ubuntu-latest\n    steps:\n    - uses: actions/checkout@v4\n    - run: python train.py --out model.pkl\n  release:\n    needs: build\n    runs-on: ubuntu-latest\n    steps:\n    - run: mlem deployment run api-prod\n',
    },
    {
      name: 'GitHub: deploys a model with an Azure CLI action',
      file: '.github/workflows/release.yml',
      text: 'on:\n  push:\n    tags: ["v*"]\njobs:\n  deploy:\n    runs-on: ubuntu-22.04\n    steps:\n      - uses: actions/checkout@v4\n      - uses: azure/cli@v2\n        with:\n          inlineScript: az ml online-deployment update -f deploy/blue.yml\n',
      errors: [{ messageId: 'untested', line: 5, column: 3, messageIncludes: 'deploys a model (job `deploy`)' }],
      output:
        'on:\n  push:\n    tags: ["v*"]\njobs:\n  test:\n    runs-on: ubuntu-22.04\n    steps:\n      - uses: actions/checkout@v4\n      - name: Install dependencies\n        run: pip install pytest==8.3.3\n      - name: Run the tests\n        run: python -m pytest\n  deploy:\n    needs: test\n    runs-on: ubuntu-22.04\n    steps:\n      - uses: actions/checkout@v4\n      - uses: azure/cli@v2\n        with:\n          inlineScript: az ml online-deployment update -f deploy/blue.yml\n',
    },
    {
      name: 'GitLab: trains, template adds a .pre test job',
      file: '.gitlab-ci.yml',
      text: 'stages: [train, deploy]\n\ntrain:\n  stage: train\n  image: python:3.11.9\n  script:\n    - pip install -r requirements.txt\n    - python src/train.py\n',
      files: { 'requirements.txt': 'scikit-learn==1.5.1\n', 'pytest.ini': '[pytest]\n' },
      errors: [{ messageId: 'untested', line: 3, column: 1, messageIncludes: 'runs `pytest`' }],
      output:
        'stages: [train, deploy]\n\ntest:\n  stage: .pre\n  image: python:3.11.9\n  script:\n    - pip install -r requirements.txt pytest==8.3.3\n    - pytest\n\ntrain:\n  stage: train\n  image: python:3.11.9\n  script:\n    - pip install -r requirements.txt\n    - python src/train.py\n',
    },
    {
      name: 'Azure Pipelines: reported, no template',
      file: 'azure-pipelines.yml',
      text: 'trigger:\n  - main\npool:\n  vmImage: ubuntu-latest\nsteps:\n  - script: python train.py\n    displayName: Train\n',
      errors: [{ messageId: 'untested', line: 1, column: 1 }],
    },
    {
      name: 'a recipe kept outside .github/workflows is still a workflow',
      file: 'ci/train-workflow.yaml',
      text: '"on":\n  push:\n    branches: [main]\njobs:\n  train:\n    runs-on: ubuntu-latest\n    steps:\n      - run: kedro run --pipeline training\n',
      errors: [{ messageId: 'untested', line: 5, column: 3 }],
      output:
        '"on":\n  push:\n    branches: [main]\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - name: Install dependencies\n        run: pip install pytest==8.3.3\n      - name: Run the tests\n        run: python -m pytest\n  train:\n    needs: test\n    runs-on: ubuntu-latest\n    steps:\n      - run: kedro run --pipeline training\n',
    },
  ],
});

describe('ci-without-tests template', () => {
  it('finds the test command the repository uses', async () => {
    const cmd = async (files: Record<string, string>): Promise<string> => repoTestCommand(await WorkspaceIndex.build(new MemoryFileSystem(files))).run;
    assert.equal(await cmd({ 'tests/test_a.py': '' }), 'pytest');
    assert.equal(await cmd({ 'conftest.py': '' }), 'pytest');
    assert.equal(await cmd({ 'src/model_test.py': '' }), 'python -m pytest');
    // The top-level Makefile's `test` target, unless a pytest config says pytest runs directly.
    assert.equal(await cmd({ Makefile: '.PHONY: test lint\nPY := python3\ntest: lint\n\tpytest -q\nlint:\n\truff check .\n' }), 'make test');
    assert.equal(await cmd({ GNUmakefile: 'test:\n\tpytest\n', 'tests/test_a.py': '' }), 'make test');
    assert.equal(await cmd({ Makefile: 'test:\n\tpytest\n', 'pytest.ini': '[pytest]\n' }), 'pytest');
    assert.equal(await cmd({ Makefile: 'check:\n\tpytest\n', 'tests/test_a.py': '' }), 'pytest');
    assert.equal(await cmd({ 'sub/Makefile': 'test:\n\tpytest\n' }), 'python -m pytest');
  });

  it('applied and re-linted with every rule on: the finding is gone, nothing new appears (GitHub)', async () => {
    const out = await fixAndRelint(rule, { '.github/workflows/train.yml': TRAIN_DEPLOY, 'requirements.txt': 'pandas==2.2.2\n' }, '.github/workflows/train.yml');
    assert.equal(out, FIXED_TRAIN_DEPLOY);
  });

  it('applied and re-linted with every rule on (GitLab)', async () => {
    await fixAndRelint(rule, { '.gitlab-ci.yml': 'train:\n  image: python:3.11.9\n  script:\n    - python src/train.py\n', 'tests/test_a.py': '' }, '.gitlab-ci.yml');
  });

  it('applied and re-linted on the sample workspace workflow', async () => {
    const text = 'name: t\non:\n  push:\n    branches: [main]\njobs:\n  train:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: pip install -r requirements.txt nbconvert\n      - name: Reproduce the pipeline\n        run: dvc pull && dvc repro\n';
    await fixAndRelint(rule, { '.github/workflows/train.yml': text, 'requirements.txt': 'pandas\n' }, '.github/workflows/train.yml');
  });
});
