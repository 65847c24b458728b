import * as assert from 'node:assert/strict';
import { parse } from 'yaml';
import { firstValue, parseYaml } from '../../src/core/parse/yaml';
import { ciWorkflow, floatingTag, imageRefs, parseImage, yamlPipeline } from '../../src/core/rules/lib/pipelines';
import { classifyYaml } from '../../src/core/workspace/kinds';

const kindOf = (p: string, text: string): string => classifyYaml(p, parse(text));

describe('classifyYaml: kinds by path and content', () => {
  const cases: Array<[string, string, string]> = [
    ['ci/nightly.gitlab-ci.yml', 'train:\n  script: [python train.py]\n', 'gitlab-ci'],
    ['azure-pipelines.yml', 'trigger: [main]\nsteps:\n  - script: pytest\n', 'azure-pipelines'],
    ['.azure/train.yml', 'trigger: none\npool:\n  vmImage: ubuntu-latest\nsteps:\n  - script: python train.py\n', 'azure-pipelines'],
    ['cloudbuild.yaml', 'steps:\n  - name: gcr.io/cloud-builders/docker\n    args: [build, .]\n', 'cloud-build'],
    ['.cloud-build/test.yaml', 'steps:\n  - name: python:3.11\n    entrypoint: pytest\n', 'cloud-build'],
    ['docker-compose.yml', 'services:\n  api:\n    image: acme/api:1\n', 'docker-compose'],
    ['deploy/stack.yml', 'services:\n  api:\n    image: acme/api:1\n  db:\n    image: postgres:16\n', 'docker-compose'],
    ['prefect.yaml', 'name: flows\ndeployments: []\n', 'prefect-deployment'],
    ['flows/deploy.yaml', 'deployments:\n  - name: nightly\n    entrypoint: flows/train.py:train\n', 'prefect-deployment'],
    ['components/train/component.yaml', 'name: Train\nimplementation:\n  container:\n    image: python:3.11\n', 'kfp-component'],
    ['schedules/weekly.yml', '$schema: https://azuremlschemas.azureedge.net/latest/schedule.schema.json\nname: weekly\n', 'azureml-schedule'],
    ['schedules/weekly.yml', 'name: weekly\ntrigger:\n  type: cron\n  expression: "0 3 * * 1"\ncreate_job: ./pipeline.yml\n', 'azureml-schedule'],
    ['models/churn.yml', '$schema: https://azuremlschemas.azureedge.net/latest/model.schema.json\nname: churn\npath: model\n', 'azureml-model'],
    ['pipelines/train.yml', 'type: pipeline\nsettings:\n  default_compute: azureml:cpu\njobs:\n  train:\n    type: command\n', 'azureml-job'],
    ['jobs/train.yml', 'command: python train.py\nenvironment: azureml:sklearn:1\ncompute: azureml:cpu-cluster\n', 'azureml-job'],
    ['devops/deploy-flows.yaml', '"on":\n  push:\n    branches: [main]\njobs:\n  deploy:\n    runs-on: ubuntu-latest\n    steps: []\n', 'github-workflow'],
    ['configs/training.yaml', 'settings:\n  docker:\n    parent_image: zenmldocker/zenml:0.70.0\nsteps:\n  train_model:\n    enable_cache: false\n', 'zenml-config'],
    ['configs/inference.yaml', 'model:\n  name: churn\n  version: production\nenable_cache: true\n', 'zenml-config'],
    ['argo/retrain.yaml', 'apiVersion: argoproj.io/v1alpha1\nkind: CronWorkflow\nspec: {}\n', 'argo'],
    // Unknown kinds stay generic: nothing is guessed.
    ['config/app.yaml', 'services:\n  api:\n    port: 8080\nlogging: debug\n', 'generic'],
    ['settings.yaml', 'steps:\n  - one\n  - two\n', 'generic'],
    ['mkdocs.yml', 'site_name: churn\nnav: []\n', 'generic'],
  ];
  for (const [p, text, kind] of cases) it(`${p} -> ${kind}`, () => assert.equal(kindOf(p, text), kind));
});

describe('typed views of configs', () => {
  it('GitHub workflow: jobs, steps, roles, needs, environments, triggers', () => {
    const y = parseYaml('name: ml\non:\n  push:\n    branches: [main]\n  schedule:\n    - cron: "0 3 * * 1"\njobs:\n  test:\n    runs-on: ubuntu-22.04\n    steps:\n      - run: pytest\n  train:\n    needs: test\n    runs-on: ubuntu-22.04\n    steps:\n      - name: Train\n        run: python src/train.py\n  deploy:\n    needs: [train]\n    environment: production\n    runs-on: ubuntu-22.04\n    steps:\n      - run: az ml online-deployment create -f deploy/blue.yml\n');
    const wf = ciWorkflow(y, classifyYaml('.github/workflows/ml.yml', firstValue(y)))!;
    assert.deepEqual(wf.triggers.events, ['push', 'schedule']);
    assert.equal(wf.triggers.scheduled, true);
    assert.equal(wf.triggers.manualOnly, false);
    assert.deepEqual(wf.jobs.map((j) => [j.id, [...j.roles].sort().join(','), j.needs.join(','), j.environment?.name ?? '']), [
      ['test', 'test', '', ''],
      ['train', 'train', 'test', ''],
      ['deploy', 'deploy', 'train', 'production'],
    ]);
  });

  it('GitLab CI: stage order makes later jobs wait for earlier ones; templates are not jobs', () => {
    const y = parseYaml('stages: [build, train, deploy]\n.py:\n  image: python:3.11\ntrain:\n  extends: .py\n  stage: train\n  script:\n    - python train.py\ndeploy:\n  stage: deploy\n  when: manual\n  environment:\n    name: production\n  script:\n    - helm upgrade churn charts/churn\n');
    const wf = ciWorkflow(y, 'gitlab-ci')!;
    assert.deepEqual(wf.jobs.map((j) => j.id), ['train', 'deploy']);
    assert.deepEqual(wf.jobs[1].needs, ['train']);
    assert.equal(wf.jobs[1].manual, true);
    assert.equal(wf.jobs[1].environment?.name, 'production');
    assert.equal(wf.triggers.scheduled, undefined);
  });

  it('Azure ML pipeline job: steps, roles, data edges, conditions', () => {
    const y = parseYaml('type: pipeline\njobs:\n  validate_data:\n    type: command\n    component: ./validate.yml\n  train:\n    type: command\n    component: ./train.yml\n    inputs:\n      data: ${{parent.jobs.validate_data.outputs.checked}}\n  register_model:\n    type: command\n    component: azureml:register_model:1\n');
    const p = yamlPipeline(y, 'azureml-job')!;
    assert.deepEqual(p.steps.map((s) => [s.id, [...s.roles].join(','), s.needs.join(',')]), [
      ['validate_data', 'validate', ''],
      ['train', 'train', 'validate_data'],
      ['register_model', 'register', ''],
    ]);
  });

  it('container images: tags, digests, registries with ports, templates', () => {
    const tag = (v: string): string | undefined => {
      const img = parseImage(v);
      return img ? (floatingTag(img) ?? 'pinned') : undefined;
    };
    assert.equal(tag('python'), 'untagged');
    assert.equal(tag('python:latest'), 'latest');
    assert.equal(tag('python:3.11'), 'pinned');
    assert.equal(tag('localhost:5000/api'), 'untagged');
    assert.equal(tag('ghcr.io/a/b@sha256:abc'), 'pinned');
    assert.equal(tag('docker://alpine'), 'untagged');
    assert.equal(tag('${{ matrix.image }}'), undefined);
    assert.equal(tag('acme/api:${TAG}'), undefined);
    assert.equal(tag('logo.png'), undefined);
    const y = parseYaml('apiVersion: v1\nkind: Pod\nspec:\n  containers:\n    - image: a/b:1\n    - image: c/d\n');
    assert.deepEqual(imageRefs(y, 'kubernetes').map((r) => r.value), ['a/b:1', 'c/d']);
  });
});
