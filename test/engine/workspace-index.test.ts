import * as assert from 'node:assert/strict';
import { getNode, nodeRange, parseYaml } from '../../src/core/parse/yaml';
import { classifyYaml } from '../../src/core/workspace/kinds';
import { MemoryFileSystem } from '../../src/core/workspace/fs';
import { WorkspaceIndex } from '../../src/core/workspace/workspace-index';

describe('WorkspaceIndex', () => {
  const files = {
    'data/train.csv.dvc': 'outs:\n- md5: abc\n  path: train.csv\n',
    'data/images.dvc': 'outs:\n- path: images\n',
    'dvc.yaml': 'stages:\n  prepare:\n    cmd: python src/prepare.py\n    deps:\n    - src/prepare.py\n    - data/raw\n    outs:\n    - data/prepared\n    params:\n    - prepare.split\n    metrics:\n    - metrics.json:\n        cache: false\n  sub:\n    wdir: sub\n    cmd: python x.py\n    outs: [out.parquet]\n    params:\n    - conf/p.yaml:\n      - lr\n',
    '.gitattributes': '*.parquet filter=lfs diff=lfs merge=lfs -text\nmodels/** filter=lfs\n',
    '.gitignore': 'build/\n*.tmp\n',
    'build/x.ipynb': '{}',
    'notes.tmp': 'x',
    'nb/analysis.ipynb': '{}',
    'node_modules/pkg/x.py': '',
  };

  it('knows what DVC and LFS track', async () => {
    const ix = await WorkspaceIndex.build(new MemoryFileSystem(files));
    const t = (p: string) => ix.trackingOf(p).by ?? 'untracked';
    assert.equal(t('data/train.csv'), 'data/train.csv.dvc');
    assert.equal(t('data/images/cat/1.png'), 'data/images.dvc');
    assert.equal(t('data/prepared/train.csv'), 'dvc.yaml stage prepare (outs)');
    assert.equal(t('data/raw'), 'dvc.yaml stage prepare (deps)');
    assert.equal(t('metrics.json'), 'dvc.yaml stage prepare (outs)');
    assert.equal(t('sub/out.parquet'), 'dvc.yaml stage sub (outs)');
    assert.equal(t('other/x.parquet'), '.gitattributes (Git LFS)');
    assert.equal(t('models/a/b.pkl'), '.gitattributes (Git LFS)');
    assert.equal(t('data/test.csv'), 'untracked');
    assert.equal(t('data/train.csv.bak'), 'untracked');
    assert.ok(ix.usesDvc());
  });

  it('reads stages with params per file and wdir', async () => {
    const ix = await WorkspaceIndex.build(new MemoryFileSystem(files));
    const [prepare, sub] = ix.dvcStages();
    assert.deepEqual(prepare.params, [{ file: 'params.yaml', keys: ['prepare.split'] }]);
    assert.deepEqual(prepare.metrics, ['metrics.json']);
    assert.deepEqual(sub.params, [{ file: 'sub/conf/p.yaml', keys: ['lr'] }]);
    assert.deepEqual(sub.cmd, ['python x.py']);
  });

  it('respects .gitignore, skipped folders and config excludes', async () => {
    const ix = await WorkspaceIndex.build(new MemoryFileSystem(files), { isExcluded: (p) => p.startsWith('nb/') });
    assert.deepEqual(ix.lintableFiles(), ['data/images.dvc', 'data/train.csv.dvc', 'dvc.yaml']);
  });

  it('updates incrementally when a sidecar appears or goes', async () => {
    const fs = new MemoryFileSystem(files);
    const ix = await WorkspaceIndex.build(fs);
    assert.equal(ix.trackingOf('data/test.csv').tracked, false);
    fs.set('data/test.csv.dvc', 'outs:\n- path: test.csv\n');
    await ix.update('data/test.csv.dvc');
    assert.equal(ix.trackingOf('data/test.csv').by, 'data/test.csv.dvc');
    fs.delete('data/test.csv.dvc');
    await ix.update('data/test.csv.dvc');
    assert.equal(ix.trackingOf('data/test.csv').tracked, false);
  });

  it('survives broken YAML in DVC files', async () => {
    const ix = await WorkspaceIndex.build(new MemoryFileSystem({ 'dvc.yaml': 'stages: [\n', 'x.dvc': ': :\n' }));
    assert.deepEqual(ix.dvcStages(), []);
    assert.equal(ix.trackingOf('x').by, 'x.dvc');
  });
});

describe('classifyYaml', () => {
  const cases: Array<[string, unknown, string]> = [
    ['dvc.yaml', {}, 'dvc-pipeline'],
    ['data/x.csv.dvc', {}, 'dvc-sidecar'],
    ['.github/workflows/ci.yml', {}, 'github-workflow'],
    ['.gitlab-ci.yml', {}, 'gitlab-ci'],
    ['deploy/blue.yml', { $schema: 'https://azuremlschemas.azureedge.net/latest/managedOnlineDeployment.schema.json' }, 'azureml-deployment'],
    ['jobs/train.yml', { $schema: 'https://azuremlschemas.azureedge.net/latest/commandJob.schema.json' }, 'azureml-job'],
    ['env.yml', { $schema: 'https://azuremlschemas.azureedge.net/latest/environment.schema.json' }, 'azureml-environment'],
    ['isvc.yaml', { apiVersion: 'serving.kserve.io/v1beta1', kind: 'InferenceService' }, 'kserve'],
    ['deploy.yaml', { apiVersion: 'apps/v1', kind: 'Deployment' }, 'kubernetes'],
    ['conda.yaml', { name: 'x', channels: ['conda-forge'], dependencies: ['python=3.11'] }, 'conda'],
    ['pipeline.yaml', { pipelineSpec: {} }, 'kfp'],
    ['conf/base/catalog.yml', {}, 'kedro-catalog'],
    ['params.yaml', { lr: 1 }, 'params'],
    ['other.yaml', { a: 1 }, 'generic'],
  ];
  for (const [p, v, kind] of cases) it(`${p} -> ${kind}`, () => assert.equal(classifyYaml(p, v), kind));
});

describe('parseYaml on templates', () => {
  it('parses cookiecutter/Jinja YAML by masking placeholders, positions kept', () => {
    const text = 'image: {{acr_name}}.azurecr.io/triton:1\n{% if gpu %}\nresources: {gpu: 1}\n{% endif %}\nname: "{{ cookiecutter.name }}"\n';
    const y = parseYaml(text);
    assert.deepEqual(y.errors, []);
    assert.equal(y.templated, true);
    assert.equal(y.text, text);
    assert.deepEqual(nodeRange(y, getNode(y.docs[0].contents, ['resources'])).start, { line: 2, character: 11 });
    assert.ok(parseYaml('a: [1,\n').errors.length > 0);
  });
});
