// The workspace index beyond DVC: requirements files as a lint kind, Makefile targets,
// per-file content summaries (CI workflows, schedulers) kept until the file changes.
import * as assert from 'node:assert/strict';
import { resolveConfig } from '../../src/core/config/resolve';
import { Linter } from '../../src/core/lint';
import { RULES } from '../../src/core/rules';
import { allWorkflows, branchesOf, runsOnBranches, summariseSchedule, summariseWorkflow, workflowsBeside, workspaceSchedules } from '../../src/core/rules/lib/pipelines';
import { MemoryFileSystem } from '../../src/core/workspace/fs';
import { fileKind, isRequirementsFile } from '../../src/core/workspace/kinds';
import { makefileTargets, WorkspaceIndex } from '../../src/core/workspace/workspace-index';

/** A memory file system that counts reads per path. */
class CountingFs extends MemoryFileSystem {
  readonly reads = new Map<string, number>();
  override async readFile(p: string): Promise<string | undefined> {
    this.reads.set(p, (this.reads.get(p) ?? 0) + 1);
    return super.readFile(p);
  }
}

describe('requirements files as a file kind', () => {
  it('recognises requirements and constraints files by name', () => {
    const yes = [
      'requirements.txt',
      'requirements-dev.txt',
      'requirements_test.txt',
      'requirements.gpu.txt',
      'src/service/requirements.txt',
      'dev-requirements.txt',
      'test_requirements.txt',
      'test-requirements-py3.txt',
      'requirements/base.txt',
      'deploy/requirements/prod.txt',
      'constraints.txt',
      'ci/constraints-3.11.txt',
      'constraints/ci.txt',
      'REQUIREMENTS.TXT',
    ];
    const no = ['requirements.in', 'requirements.txt.bak', 'notes.txt', 'docs/requirements.md', 'requirement.txt', 'myrequirements.txt', 'requirements/README.md', 'data/train.txt'];
    for (const p of yes) assert.equal(fileKind(p), 'requirements', p);
    for (const p of no) assert.notEqual(fileKind(p), 'requirements', p);
    assert.equal(isRequirementsFile('requirements/base.txt'), true);
  });

  it('are lintable but never read by the index build (no cost for the walk)', async () => {
    const files: Record<string, string> = { 'train.py': 'x = 1\n', 'requirements.txt': 'pandas\n', 'requirements/dev.txt': 'pytest\n', 'notes.txt': 'x' };
    for (let i = 0; i < 200; i++) files[`svc${i}/requirements.txt`] = 'numpy==1.26.4\n';
    const fs = new CountingFs(files);
    const ix = await WorkspaceIndex.build(fs);
    assert.equal([...fs.reads.keys()].filter((p) => p.endsWith('.txt')).length, 0, 'the walk reads no requirements file');
    const lintable = ix.lintableFiles();
    assert.ok(lintable.includes('requirements.txt') && lintable.includes('requirements/dev.txt') && lintable.includes('svc7/requirements.txt'));
    assert.ok(!lintable.includes('notes.txt'));
  });

  it('the engine lints them with the requirements target only', async () => {
    const fs = new MemoryFileSystem({ 'requirements.txt': 'pandas\nAKIAIOSFODNN7EXAMPLE\n' });
    const workspace = await WorkspaceIndex.build(fs);
    const config = resolveConfig(RULES, { preset: 'strict' });
    const linter = new Linter({ workspace, rules: RULES, settings: (f) => config.settingsFor(f) });
    const r = await linter.lintText('requirements.txt', 'pandas\n');
    assert.equal(r.skipped, undefined);
    assert.deepEqual(r.findings.map((f) => `${f.rule} ${f.location.range.start.line}:${f.location.range.start.character}-${f.location.range.end.character}`), ['unpinned-install 0:0-6']);
    assert.equal((await linter.lintText('notes.txt', 'pandas\n')).skipped, 'not a notebook, Python, YAML or requirements file');
    assert.equal((await linter.lintText('requirements.txt', 'pandas\u0000')).skipped, 'binary file');
  });

  it('an unused suppression comment in a requirements file is reported', async () => {
    const workspace = await WorkspaceIndex.build(new MemoryFileSystem({}));
    const config = resolveConfig(RULES, { preset: 'strict' });
    const linter = new Linter({ workspace, rules: RULES, settings: (f) => config.settingsFor(f) });
    const r = await linter.lintText('requirements.txt', 'pandas==2.2.2  # mlops-hygiene: ignore[unpinned-install]\nnumpy  # mlops-hygiene: ignore[unpinned-install]\n');
    assert.deepEqual(r.findings.map((f) => `${f.rule} ${f.location.range.start.line}:${f.location.range.start.character}`), ['unused-suppression 0:15']);
    assert.deepEqual(r.findings[0].fixes[0].edits, [{ cell: undefined, range: { start: { line: 0, character: 13 }, end: { line: 0, character: 56 } }, newText: '' }]);
  });
});

describe('Makefile targets', () => {
  it('reads targets: names before `:` on lines that are not recipes, special targets or assignments', () => {
    const text = [
      '# build helpers',
      '.PHONY: test lint',
      'PY := python3',
      'SRC = src:lib',
      'VERSION ?= 1.0',
      'test: lint',
      '\tpytest -q',
      'lint format:: ',
      '\truff check .',
      '%.o: %.c',
      '$(BUILD_DIR)/x: y',
      'docs/index.html: docs/index.md',
      '  indented: not a target',
      'ci-all:',
      '',
    ].join('\n');
    assert.deepEqual(makefileTargets(text), ['test', 'lint', 'format', 'docs/index.html', 'ci-all']);
  });

  it('keeps the top-level Makefile targets current, incrementally', async () => {
    const fs = new CountingFs({ Makefile: 'build:\n\tpython -m build\n', 'sub/Makefile': 'test:\n\tpytest\n', 'train.py': '' });
    const ix = await WorkspaceIndex.build(fs);
    assert.deepEqual(ix.makeTargets('Makefile'), ['build']);
    assert.equal(ix.makeTargets('sub/Makefile'), undefined, 'only the top-level Makefile is read');
    assert.equal(fs.reads.get('sub/Makefile'), undefined);
    assert.equal(ix.makeTargets('GNUmakefile'), undefined);
    fs.set('Makefile', 'build:\n\tpython -m build\ntest: build\n\tpytest\n');
    await ix.update('Makefile');
    assert.deepEqual(ix.makeTargets('Makefile'), ['build', 'test']);
    fs.set('GNUmakefile', 'all:\n');
    await ix.update('GNUmakefile');
    assert.deepEqual(ix.makeTargets('GNUmakefile'), ['all']);
    fs.delete('Makefile');
    await ix.update('Makefile');
    assert.equal(ix.makeTargets('Makefile'), undefined);
    ix.remove('GNUmakefile');
    assert.equal(ix.makeTargets('GNUmakefile'), undefined);
  });
});

describe('per-file summaries', () => {
  it('computes a summary once per file version, and again after the file changes', async () => {
    const fs = new CountingFs({ 'a.yml': 'x: 1\n' });
    const ix = await WorkspaceIndex.build(fs);
    let computed = 0;
    const len = (t: string): number => (computed++, t.length);
    assert.equal(await ix.fileSummary('a.yml', 'len', len), 5);
    assert.equal(await ix.fileSummary('a.yml', 'len', len), 5);
    assert.equal(computed, 1);
    assert.equal(fs.reads.get('a.yml'), 1);
    fs.set('a.yml', 'x: 12\n');
    await ix.update('a.yml');
    assert.equal(await ix.fileSummary('a.yml', 'len', len), 6);
    assert.equal(computed, 2);
    ix.remove('a.yml');
    fs.delete('a.yml');
    assert.equal(await ix.fileSummary('a.yml', 'len', len), undefined);
    // A summary that throws is no summary (the rule does not fail).
    fs.set('b.yml', 'y');
    assert.equal(
      await ix.fileSummary('b.yml', 'boom', () => {
        throw new Error('boom');
      }),
      undefined,
    );
  });

  it('lists the files of a folder', async () => {
    const ix = await WorkspaceIndex.build(new MemoryFileSystem({ '.github/workflows/a.yml': '', '.github/workflows/b.yaml': '', '.github/c.yml': '', 'x.py': '' }));
    assert.deepEqual(ix.filesIn('.github/workflows'), ['.github/workflows/a.yml', '.github/workflows/b.yaml']);
    assert.deepEqual(ix.filesIn(''), ['x.py']);
    assert.deepEqual(ix.filesIn('nowhere'), []);
  });
});

describe('workflow summaries (what another workflow runs, and when)', () => {
  it('summarises tests, training, triggers and branches by content', () => {
    const s = summariseWorkflow(
      '.github/workflows/build.yml',
      'on:\n  push:\n    branches: [main, "release/*"]\n    paths: ["src/**"]\n  pull_request:\njobs:\n  b:\n    runs-on: ubuntu-22.04\n    steps:\n      - run: python -m pytest\n  t:\n    uses: ./.github/workflows/train.yml\n',
    )!;
    assert.equal(s.name, 'build');
    assert.equal(s.tests, true);
    assert.equal(s.trains, true, 'a called workflow named train counts as training');
    assert.deepEqual(s.triggers.events, ['push', 'pull_request']);
    assert.deepEqual(s.triggers.branches, { push: ['main', 'release/*'] });
    assert.deepEqual(s.starts, ['train']);
    assert.equal(branchesOf(s.triggers), undefined, 'pull requests from any branch');
    const lintOnly = summariseWorkflow('.github/workflows/tests.yml', 'name: tests\non: push\njobs:\n  lint:\n    runs-on: ubuntu-22.04\n    steps:\n      - run: ruff check .\n')!;
    assert.equal(lintOnly.tests, false);
    assert.equal(summariseWorkflow('.github/workflows/bad.yml', 'on: [push\n'), undefined);
    assert.equal(summariseWorkflow('conf/app.yml', 'a: 1\n'), undefined);
  });

  it('matches branches: filters, globs, tags-only pushes', () => {
    const t = (text: string) => summariseWorkflow('.github/workflows/x.yml', text + 'jobs:\n  a:\n    runs-on: x\n    steps:\n      - run: pytest\n')!.triggers;
    const mainPush = t('on:\n  push:\n    branches: [main]\n');
    assert.deepEqual(branchesOf(mainPush), ['main']);
    assert.equal(runsOnBranches(t('on:\n  pull_request:\n    branches: [main]\n'), ['main']), true);
    assert.equal(runsOnBranches(t('on:\n  push:\n    branches: ["ma*"]\n'), ['main']), true);
    assert.equal(runsOnBranches(t('on:\n  push:\n    branches: ["release/**"]\n'), ['main']), false);
    assert.equal(runsOnBranches(t('on:\n  push:\n    tags: ["v*"]\n'), undefined), false);
    assert.equal(runsOnBranches(t('on: workflow_dispatch\n'), undefined), false);
    assert.equal(runsOnBranches(t('on: [push]\n'), ['develop']), true);
    assert.equal(runsOnBranches(t('on:\n  push:\n    branches-ignore: [gh-pages]\n'), ['main']), true);
  });

  it('reads other workflows through the index, once per version', async () => {
    const fs = new CountingFs({
      '.github/workflows/train.yml': 'on: push\njobs:\n  t:\n    runs-on: x\n    steps:\n      - run: python train.py\n',
      '.github/workflows/ci.yml': 'on: push\njobs:\n  t:\n    runs-on: x\n    steps:\n      - run: pytest\n',
      '.github/workflows/README.md': 'x',
      'azure-pipelines.yml': 'steps:\n  - script: pytest\n',
    });
    const ix = await WorkspaceIndex.build(fs);
    assert.equal(fs.reads.get('.github/workflows/ci.yml'), undefined, 'the build reads no workflow');
    const beside = await workflowsBeside(ix, '.github/workflows/train.yml');
    assert.deepEqual(beside.map((s) => [s.file, s.tests]), [['.github/workflows/ci.yml', true]]);
    await workflowsBeside(ix, '.github/workflows/train.yml');
    assert.equal(fs.reads.get('.github/workflows/ci.yml'), 1);
    fs.set('.github/workflows/ci.yml', 'on: push\njobs:\n  t:\n    runs-on: x\n    steps:\n      - run: ruff check .\n');
    await ix.update('.github/workflows/ci.yml');
    assert.deepEqual((await workflowsBeside(ix, '.github/workflows/train.yml')).map((s) => s.tests), [false]);
    const all = await allWorkflows(ix);
    assert.deepEqual(all.map((s) => [s.file, s.kind, s.triggers.events.join(',')]), [
      ['.github/workflows/ci.yml', 'github', 'push'],
      ['.github/workflows/train.yml', 'github', 'push'],
      ['azure-pipelines.yml', 'azure-pipelines', 'push'],
    ]);
  });
});

describe('scheduler summaries', () => {
  it('recognises schedulers by content, not by name', () => {
    const az = summariseSchedule('ops/weekly.yml', '$schema: https://azuremlschemas.azureedge.net/latest/schedule.schema.json\nname: w\ntrigger:\n  type: cron\n  expression: "0 3 * * 1"\ncreate_job: ../pipelines/train.yml\n')!;
    assert.deepEqual(az.refs, ['pipelines/train.yml']);
    assert.equal(az.trains, false);
    const cron = summariseSchedule('k8s/job.yaml', 'apiVersion: batch/v1\nkind: CronJob\nmetadata:\n  name: retrain\nspec:\n  schedule: "0 3 * * 1"\n  jobTemplate:\n    spec:\n      template:\n        spec:\n          containers:\n            - name: t\n              image: acme/train:1.0\n              command: ["python", "train.py"]\n')!;
    assert.equal(cron.trains, true, 'a command list is one command line');
    assert.deepEqual(cron.refs, ['k8s/train.py']);
    const prefect = summariseSchedule('prefect.yaml', 'deployments:\n  - name: nightly\n    entrypoint: flows/train.py:train\n    schedules:\n      - cron: "0 2 * * *"\n')!;
    assert.deepEqual(prefect.refs, ['flows/train.py']);
    assert.equal(summariseSchedule('conf/retrain-schedule.yml', 'lr: 0.1\nepochs: 3\n'), undefined, 'a file named for schedules that schedules nothing');
    assert.equal(summariseSchedule('src/retrain.py', 'model.fit(X, y)\nscheduler = torch.optim.lr_scheduler.StepLR(opt, 1)\n'), undefined);
    assert.ok(summariseSchedule('ops/cron.py', 'from zenml.config.schedule import Schedule\np.with_options(schedule=Schedule(cron_expression="0 3 * * 1"))()\n'));
  });

  it('are read lazily through the index', async () => {
    const fs = new CountingFs({ 'ops/weekly.yml': 'trigger:\n  type: cron\n  expression: "0 3 * * 1"\ncreate_job:\n  type: command\n  command: python src/train.py\n', 'src/a.py': 'x = 1\n', 'dvc.yaml': 'stages: {}\n' });
    const ix = await WorkspaceIndex.build(fs);
    assert.equal(fs.reads.get('ops/weekly.yml'), undefined);
    const found = await workspaceSchedules(ix);
    assert.deepEqual(found.map((s) => [s.file, s.trains]), [['ops/weekly.yml', true]]);
    await workspaceSchedules(ix);
    assert.equal(fs.reads.get('ops/weekly.yml'), 1);
    assert.equal(fs.reads.get('src/a.py'), 1);
  });
});
