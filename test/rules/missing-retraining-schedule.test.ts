import * as assert from 'node:assert/strict';
import { resolveConfig } from '../../src/core/config/resolve';
import { applyEdits, selectEdits } from '../../src/core/fix/apply';
import { Linter } from '../../src/core/lint';
import { RULES } from '../../src/core/rules';
import rule from '../../src/core/rules/monitoring/missing-retraining-schedule';
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
      - run: python src/train.py
      - run: az ml online-deployment create -f deploy/blue.yml --all-traffic
`;

const TRAIN_ONLY = 'name: train\non:\n  push:\n    branches: [main]\njobs:\n  train:\n    runs-on: ubuntu-22.04\n    steps:\n      - run: dvc repro\n';

async function lintAll(files: Record<string, string>, file: string): Promise<Finding[]> {
  const workspace = await WorkspaceIndex.build(new MemoryFileSystem(files));
  const config = resolveConfig(RULES, { rules: Object.fromEntries(RULES.map((r) => [r.meta.id, { severity: 'warning' as const }])) });
  const linter = new Linter({ workspace, rules: RULES, settings: (f) => config.settingsFor(f) });
  return (await linter.lintText(file, files[file])).findings;
}

ruleTester(rule, {
  valid: [
    { name: 'scheduled', file: '.github/workflows/train.yml', text: TRAIN_DEPLOY.replace('    branches: [main]\n', '    branches: [main]\n  schedule:\n    - cron: "0 3 * * 1"\n') },
    { name: 'triggered by monitoring', file: '.github/workflows/train.yml', text: TRAIN_DEPLOY.replace('  push:\n    branches: [main]\n', '  repository_dispatch:\n    types: [drift-detected]\n') },
    { name: 'trains, but nothing in the workspace deploys a model', file: '.github/workflows/train.yml', text: TRAIN_ONLY },
    {
      name: 'a deployment config of another repository of the workspace does not count',
      file: 'churn/.github/workflows/train.yml',
      text: TRAIN_ONLY,
      files: { 'churn/LICENSE': 'MIT', 'serving/LICENSE': 'MIT', 'serving/deploy/online-deployment.yml': 'name: blue\n' },
    },
    {
      name: 'a deployment config deep inside another sample of the same repository does not count',
      file: '.github/workflows/train.yml',
      text: TRAIN_ONLY,
      files: { LICENSE: 'MIT', 'cli/endpoints/online/triton/single-model/triton-cc-deployment.yml': 'name: blue\n' },
    },
    {
      name: 'an Azure ML schedule elsewhere whose job trains',
      file: '.github/workflows/train.yml',
      text: TRAIN_DEPLOY,
      files: { 'azureml/weekly.yml': '$schema: https://azuremlschemas.azureedge.net/latest/schedule.schema.json\nname: weekly\ntrigger:\n  type: cron\n  expression: "0 3 * * 1"\ncreate_job:\n  type: command\n  command: python src/train.py\n  environment: azureml:sklearn:1\n' },
    },
    {
      name: 'another scheduled workflow trains (whatever its name)',
      file: '.github/workflows/train.yml',
      text: TRAIN_DEPLOY,
      files: { '.github/workflows/nightly.yml': 'on:\n  schedule:\n    - cron: "0 2 * * *"\njobs:\n  refresh:\n    runs-on: ubuntu-22.04\n    steps:\n      - run: dvc repro\n' },
    },
    {
      name: 'another scheduled workflow starts this one',
      file: '.github/workflows/train.yml',
      text: TRAIN_DEPLOY,
      files: { '.github/workflows/cron.yml': 'on:\n  schedule:\n    - cron: "0 2 * * 1"\njobs:\n  kick:\n    runs-on: ubuntu-22.04\n    steps:\n      - run: gh workflow run train.yml\n' },
    },
    {
      name: 'an Azure ML schedule runs this pipeline YAML',
      file: 'pipelines/train.yml',
      text: '$schema: https://azuremlschemas.azureedge.net/latest/pipelineJob.schema.json\ntype: pipeline\ndisplay_name: churn\njobs:\n  train_model:\n    type: command\n    component: ./train.yml\n  register_model:\n    type: command\n    component: ./register.yml\n',
      files: { 'pipelines/schedule.yml': '$schema: https://azuremlschemas.azureedge.net/latest/schedule.schema.json\nname: weekly\ntrigger:\n  type: recurrence\n  frequency: week\n  interval: 1\ncreate_job: ./train.yml\n' },
    },
    {
      name: 'a Python module schedules this ZenML pipeline by name',
      file: 'run.py',
      code: 'from zenml import pipeline, step\n\n\n@pipeline\ndef training_pipeline():\n    model = train_model()\n    deploy_model(model)\n\n\nif __name__ == "__main__":\n    training_pipeline()\n',
      files: { 'ops/cron_jobs.py': 'from zenml.config.schedule import Schedule\nfrom run import training_pipeline\n\ntraining_pipeline.with_options(schedule=Schedule(cron_expression="0 3 * * 1"))()\n' },
    },
    { name: 'GitLab schedules live in the project settings', file: '.gitlab-ci.yml', text: 'train:\n  script:\n    - python train.py\n    - kubectl apply -f k8s/serving.yaml\n' },
    { name: 'a workflow that does not train', file: '.github/workflows/deploy.yml', text: 'on: push\njobs:\n  deploy:\n    runs-on: ubuntu-22.04\n    steps:\n      - run: az ml online-deployment create -f deploy/blue.yml\n' },
    {
      name: 'Airflow DAG with a schedule',
      file: 'dags/retrain.py',
      code: 'from airflow.decorators import dag, task\n\n\n@dag(schedule="@weekly")\ndef retrain():\n    train_model()\n    deploy_model()\n\n\nretrain()\n',
    },
    {
      name: 'Airflow DAG without the argument runs on the default schedule',
      file: 'dags/retrain.py',
      code: 'from airflow import DAG\nfrom airflow.operators.python import PythonOperator\n\nwith DAG(dag_id="retrain") as dag:\n    train = PythonOperator(task_id="train_model", python_callable=fit)\n    deploy = PythonOperator(task_id="deploy_model", python_callable=ship)\n    train >> deploy\n',
    },
    {
      name: 'ZenML pipeline defined here and run elsewhere',
      file: 'pipelines/training.py',
      code: 'from zenml import pipeline\n\nfrom steps import deploy_model, train_model\n\n\n@pipeline\ndef training():\n    deploy_model(train_model())\n',
    },
    {
      name: 'ZenML pipeline run here with a schedule',
      file: 'run.py',
      code: 'from zenml import pipeline\nfrom zenml.config.schedule import Schedule\n\nfrom steps import deploy_model, train_model\n\n\n@pipeline\ndef training():\n    deploy_model(train_model())\n\n\ntraining.with_options(schedule=Schedule(cron_expression="0 3 * * 1"))()\n',
    },
    {
      name: 'Metaflow flow with @schedule',
      file: 'flows/train.py',
      code: 'from metaflow import FlowSpec, schedule, step\n\n\n@schedule(weekly=True)\nclass TrainFlow(FlowSpec):\n    @step\n    def start(self):\n        self.next(self.train)\n\n    @step\n    def train(self):\n        self.next(self.deploy)\n\n    @step\n    def deploy(self):\n        self.next(self.end)\n\n    @step\n    def end(self):\n        pass\n',
    },
    {
      name: 'Argo CronWorkflow',
      file: 'argo/retrain.yaml',
      text: 'apiVersion: argoproj.io/v1alpha1\nkind: CronWorkflow\nmetadata:\n  name: retrain\nspec:\n  schedule: "0 3 * * 1"\n  workflowSpec:\n    entrypoint: main\n    templates:\n      - name: main\n        steps:\n          - - name: train-model\n              template: train\n          - - name: deploy-model\n              template: deploy\n',
    },
  ],
  invalid: [
    {
      name: 'GitHub: trains and deploys on push only',
      file: '.github/workflows/train.yml',
      text: TRAIN_DEPLOY,
      errors: [
        {
          messageId: 'workflow',
          line: 2,
          column: 1,
          endColumn: 3,
          related: ['The model is trained in this job.'],
          message:
            'Workflow "train-and-deploy" trains a model (job `train`) that it registers or deploys, but runs only on push: nothing retrains it on a schedule or when the data drifts, so the model in production only gets older. Add `on: schedule` (a cron) or a trigger from monitoring (`repository_dispatch`, `workflow_run`).',
        },
      ],
      output: TRAIN_DEPLOY.replace('on:\n', 'on:\n  schedule:\n    - cron: "0 3 * * 1"  # weekly retraining on fresh data\n'),
    },
    {
      name: 'GitHub: trains a model that a deployment config of the workspace serves',
      file: '.github/workflows/train.yml',
      text: TRAIN_ONLY,
      files: { 'deploy/online-deployment.yml': '$schema: https://azuremlschemas.azureedge.net/latest/managedOnlineDeployment.schema.json\nname: blue\n' },
      errors: [{ messageId: 'workflow', line: 2, column: 1, messageIncludes: 'that deploy/online-deployment.yml deploys' }],
      output: TRAIN_ONLY.replace('on:\n', 'on:\n  schedule:\n    - cron: "0 3 * * 1"  # weekly retraining on fresh data\n'),
    },
    {
      name: 'GitHub: `on: push` as a scalar gets no template',
      file: '.github/workflows/train.yml',
      text: 'on: push\njobs:\n  train:\n    runs-on: ubuntu-22.04\n    steps:\n      - run: python train.py\n      - run: mlem deployment run churn-api\n',
      errors: [{ messageId: 'workflow', line: 1, column: 1 }],
    },
    {
      name: 'files named for schedules prove nothing: a retraining script and a schedule of another job',
      file: '.github/workflows/train.yml',
      text: TRAIN_DEPLOY,
      files: {
        'src/retrain.py': 'import pandas as pd\n\nmodel.fit(pd.read_csv("data.csv"))\n',
        'azureml/schedules/weekly-cleanup.yml': '$schema: https://azuremlschemas.azureedge.net/latest/schedule.schema.json\nname: cleanup\ntrigger:\n  type: cron\n  expression: "0 3 * * 1"\ncreate_job: ./cleanup-job.yml\n',
      },
      errors: [{ messageId: 'workflow', line: 2, column: 1 }],
      output: TRAIN_DEPLOY.replace('on:\n', 'on:\n  schedule:\n    - cron: "0 3 * * 1"  # weekly retraining on fresh data\n'),
    },
    {
      name: 'a deployment config of the same repository, and a scheduled training of another repository',
      file: 'churn/.github/workflows/train.yml',
      text: TRAIN_ONLY,
      files: {
        'churn/LICENSE': 'MIT',
        'churn/deploy/online-deployment.yml': 'name: blue\n',
        'other/LICENSE': 'MIT',
        'other/.github/workflows/nightly.yml': 'on:\n  schedule:\n    - cron: "0 2 * * *"\njobs:\n  t:\n    runs-on: x\n    steps:\n      - run: python train.py\n',
      },
      errors: [{ messageId: 'workflow', line: 2, column: 1, messageIncludes: 'that churn/deploy/online-deployment.yml deploys' }],
      output: TRAIN_ONLY.replace('on:\n', 'on:\n  schedule:\n    - cron: "0 3 * * 1"  # weekly retraining on fresh data\n'),
    },
    {
      name: 'another workflow is scheduled but neither trains nor starts this one',
      file: '.github/workflows/train.yml',
      text: TRAIN_DEPLOY,
      files: { '.github/workflows/retrain-schedule.yml': 'on:\n  schedule:\n    - cron: "0 2 * * *"\njobs:\n  stale:\n    runs-on: ubuntu-22.04\n    steps:\n      - uses: actions/stale@v9\n' },
      errors: [{ messageId: 'workflow', line: 2, column: 1 }],
      output: TRAIN_DEPLOY.replace('on:\n', 'on:\n  schedule:\n    - cron: "0 3 * * 1"  # weekly retraining on fresh data\n'),
    },
    {
      name: 'Airflow DAG with schedule=None',
      file: 'dags/retrain.py',
      code: 'from airflow.decorators import dag\n\n\n@dag(schedule=None)\ndef retrain():\n    model = train_model()\n    deploy_model(model)\n\n\nretrain()\n',
      errors: [{ messageId: 'pipeline', line: 5, column: 5, endColumn: 12, messageIncludes: '`schedule=` on the DAG' }],
    },
    {
      name: 'Azure ML pipeline YAML that trains and registers',
      file: 'pipelines/train.yml',
      text: '$schema: https://azuremlschemas.azureedge.net/latest/pipelineJob.schema.json\ntype: pipeline\ndisplay_name: churn\njobs:\n  train_model:\n    type: command\n    component: ./train.yml\n  register_model:\n    type: command\n    component: ./register.yml\n',
      errors: [{ messageId: 'pipeline', line: 4, column: 1, messageIncludes: 'az ml schedule create' }],
    },
    {
      name: 'Vertex pipeline submitted from a notebook without a schedule',
      cells: [
        'from google.cloud import aiplatform\nfrom google_cloud_pipeline_components.v1.model import ModelUploadOp\nfrom kfp import dsl',
        '@dsl.pipeline(name="churn")\ndef churn(project: str):\n    train = custom_train_op(project=project)\n    ModelUploadOp(project=project, unmanaged_container_model=train.outputs["model"])',
        'job = aiplatform.PipelineJob(display_name="churn", template_path="churn.json")\njob.submit()',
      ],
      errors: [{ messageId: 'pipeline', cell: 1, line: 2, column: 5 }],
    },
  ],
});

describe('missing-retraining-schedule template', () => {
  it('applied and re-linted with every rule on: the finding is gone, nothing new appears', async () => {
    const file = '.github/workflows/train.yml';
    const before = await lintAll({ [file]: TRAIN_DEPLOY }, file);
    const mine = before.filter((f) => f.rule === rule.meta.id);
    assert.equal(mine.length, 1);
    const out = applyEdits(file, TRAIN_DEPLOY, selectEdits(mine, { unsafe: true }).edits)!;
    const after = await lintAll({ [file]: out }, file);
    const key = (f: Finding): string => `${f.rule}: ${f.message}`;
    assert.deepEqual(after.filter((f) => f.rule === rule.meta.id), []);
    const known = new Set(before.map(key));
    // Messages that quote the triggers change with them; compare the rules that fire.
    assert.deepEqual(after.filter((f) => !known.has(key(f))).map((f) => f.rule).filter((r) => !before.some((b) => b.rule === r)), []);
  });
});
