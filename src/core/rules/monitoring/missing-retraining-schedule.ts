import { isMap, isScalar } from 'yaml';
import { unitLocation } from '../../parse/program';
import type { YamlFile } from '../../parse/yaml';
import { defineRule, type RuleContext } from '../../rule';
import { LineIndex } from '../../text';
import type { Fix, Location } from '../../types';
import { basename } from '../../workspace/fs';
import type { WorkspaceIndex } from '../../workspace/workspace-index';
import { ciWorkflow, hasModelContext, pythonPipelines, yamlPipeline, type CiWorkflow, type Pipeline, type PipelineKind } from '../lib/pipelines';

const DEPLOY_CONFIG = /(^|\/)(deploy|deployment|deployments|serving|k8s|kserve|seldon|endpoints?)\/[^/]+\.ya?ml$|(^|\/)[^/]*(deployment|inferenceservice|endpoint)[^/]*\.ya?ml$/i;
/** A CI workflow named for deploying (`deploy-prod.yml`, `release-model.yml`). */
const DEPLOY_WORKFLOW = /(^|\/)\.github\/workflows\/[^/]*(deploy|release|serve|serving|promot)[^/]*\.ya?ml$/i;
const SCHEDULE_CONFIG = /(^|\/)[^/]*(schedul|cron|retrain)[^/]*\.(ya?ml|py|json)$/i;

/** A model deployment config somewhere in the workspace (by its path: the index keeps no contents). */
function workspaceDeploys(ws: WorkspaceIndex): string | undefined {
  return ws.files().find((f) => (DEPLOY_CONFIG.test(f) && !/(^|\/)\.github\//.test(f)) || DEPLOY_WORKFLOW.test(f));
}

/** A schedule, cron or retraining config somewhere else in the workspace. */
function workspaceSchedules(ws: WorkspaceIndex, file: string): boolean {
  return ws.files().some((f) => f !== file && SCHEDULE_CONFIG.test(f));
}

const HOW: Record<PipelineKind, string> = {
  azureml: 'an Azure ML schedule (`az ml schedule create` with a cron trigger)',
  kfp: 'a recurring run',
  vertex: 'a pipeline schedule (`PipelineJob.create_schedule`)',
  argo: 'a CronWorkflow',
  'mlflow-recipe': 'a scheduled job that runs the recipe',
  airflow: '`schedule=` on the DAG (a cron or a dataset)',
  prefect: '`cron=` or `interval=` in `serve()`/`deploy()`',
  zenml: '`Schedule(cron_expression=...)` in `with_options`',
  metaflow: '`@schedule` on the flow, or `@trigger` on a data event',
  sagemaker: 'an EventBridge schedule on the pipeline',
  kedro: 'a scheduled run of the pipeline',
  tfx: 'a scheduled run of the pipeline',
};

function scheduleFix(yaml: YamlFile): Fix | undefined {
  const root = yaml.docs[0]?.contents;
  if (!isMap(root)) return undefined;
  const on = root.items.find((p) => isScalar(p.key) && (p.key.value === 'on' || p.key.value === true));
  if (!on || !isMap(on.value) || !isScalar(on.key) || !on.key.range) return undefined;
  const first = on.value.items[0];
  if (!first?.key || !isScalar(first.key) || !first.key.range) return undefined;
  const li = new LineIndex(yaml.text);
  const keyLine = li.positionAt(on.key.range[0]).line;
  const col = li.positionAt(first.key.range[0]).character;
  if (li.positionAt(first.key.range[0]).line === keyLine || col === 0) return undefined;
  const indent = ' '.repeat(col);
  return {
    title: 'Retrain on a weekly schedule (template: adjust the cron)',
    safety: 'unsafe',
    edits: [{ range: { start: { line: keyLine + 1, character: 0 }, end: { line: keyLine + 1, character: 0 } }, newText: `${indent}schedule:\n${indent}  - cron: "0 3 * * 1"  # weekly retraining on fresh data\n` }],
  };
}

function checkWorkflow(ctx: RuleContext, wf: CiWorkflow): void {
  // GitLab and Cloud Build schedules live in the project settings, not in the file.
  if (wf.kind !== 'github' && wf.kind !== 'azure-pipelines') return;
  if (wf.triggers.scheduled || wf.triggers.external) return;
  const train = wf.jobs.find((j) => j.roles.has('train'));
  if (!train) return;
  const shipsHere = wf.jobs.some((j) => (j.roles.has('deploy') || j.roles.has('register')) && (hasModelContext(j.text) || j === train));
  const deployConfig = shipsHere ? undefined : workspaceDeploys(ctx.workspace);
  if (!shipsHere && !deployConfig) return;
  if (workspaceSchedules(ctx.workspace, ctx.file)) return;
  const trigger = wf.triggers.events.length ? wf.triggers.events.join(', ') : 'when started';
  ctx.report({
    messageId: 'workflow',
    data: { workflow: wf.name || basename(ctx.file), job: train.id, trigger, deployed: shipsHere ? 'it registers or deploys' : `${deployConfig} deploys` },
    location: { range: wf.triggers.range ?? train.range },
    related: [{ location: { range: train.range }, message: 'The model is trained in this job.' }],
    fixes: wf.kind === 'github' ? [scheduleFix(ctx.yaml!)].filter((f): f is Fix => !!f) : [],
  });
}

function pipelineLocation(p: Pipeline): Location | undefined {
  if (p.unit && p.span) return unitLocation(p.unit, p.span);
  return p.range ? { range: p.range } : undefined;
}

/** Whether the file is where this pipeline's schedule would be written. */
function scheduleBelongsHere(p: Pipeline): boolean {
  switch (p.kind) {
    case 'airflow':
      return p.scheduled === false; // `schedule=None`; a DAG without the argument runs on Airflow's default
    case 'metaflow':
      return p.scheduled !== true;
    case 'prefect':
    case 'zenml':
    case 'kfp':
    case 'vertex':
    case 'azureml':
    case 'sagemaker':
    case 'tfx':
      return p.runsHere === true && p.scheduled !== true;
    case 'argo':
      return p.scheduled !== true;
    default:
      return false;
  }
}

function checkPipeline(ctx: RuleContext, p: Pipeline): boolean {
  if (!p.steps.some((s) => s.roles.has('train'))) return false;
  // An Azure ML pipeline YAML is the pipeline itself; its schedule would be a schedule YAML beside it.
  const azureYaml = p.kind === 'azureml' && !p.unit;
  if (azureYaml ? p.scheduled === true : !scheduleBelongsHere(p)) return false;
  const shipsHere = p.steps.some((s) => s.roles.has('deploy') || s.roles.has('register'));
  const deployConfig = shipsHere ? undefined : workspaceDeploys(ctx.workspace);
  if (!shipsHere && !deployConfig) return false;
  if (workspaceSchedules(ctx.workspace, ctx.file)) return false;
  const at = pipelineLocation(p);
  if (!at) return false;
  ctx.report({
    messageId: 'pipeline',
    data: { pipeline: p.name, deployed: shipsHere ? 'it registers or deploys' : `${deployConfig} deploys`, how: HOW[p.kind] },
    location: at,
  });
  return true;
}

export default defineRule({
  meta: {
    id: 'missing-retraining-schedule',
    area: 'monitoring',
    defaultSeverity: 'info',
    recommended: false,
    targets: ['yaml', 'python', 'notebook'],
    messages: {
      workflow:
        'Workflow "{{workflow}}" trains a model (job `{{job}}`) that {{deployed}}, but runs only on {{trigger}}: nothing retrains it on a schedule or when the data drifts, so the model in production only gets older. Add `on: schedule` (a cron) or a trigger from monitoring (`repository_dispatch`, `workflow_run`).',
      pipeline:
        'Pipeline {{pipeline}} trains a model that {{deployed}}, but nothing schedules it or triggers it on drift, so the model in production only gets older. Add {{how}}.',
    },
    docs: {
      summary: 'The pipeline behind a deployed model has no schedule or trigger for retraining.',
      whatItDoes:
        'Looks at pipelines and CI workflows that train a model which is deployed: the same file registers or deploys it, or the workspace holds a deployment config (`deploy/`, `k8s/`, `*deployment*.yml`, endpoints). It reports them when nothing re-runs the training: no `on: schedule` or `workflow_run`/`repository_dispatch` trigger in a GitHub workflow, no `schedules:` in Azure Pipelines, `schedule=None` on an Airflow DAG, no `@schedule`/`@trigger` on a Metaflow flow, a ZenML/Prefect/Kubeflow/Vertex/Azure ML pipeline submitted from the file without a schedule, an Argo `Workflow` rather than a `CronWorkflow`, and no schedule, cron or retraining config anywhere in the workspace (judged by file names). GitLab and Cloud Build schedules live in the project settings, so those files are not judged.',
      whyIsThisBad:
        'Data drifts: a model trained once and deployed decays silently, and when retraining only happens on a code push, a quiet codebase means an ever older model. ML Test Score, Monitor 4: models are not too stale; a schedule (or a drift alert that triggers the pipeline) keeps the deployed model fresh by design.',
      example: {
        language: 'yaml',
        file: '.github/workflows/train.yml',
        code: 'name: train-and-deploy\non:\n  push:\n    branches: [main]\njobs:\n  train:\n    runs-on: ubuntu-22.04\n    steps:\n      - uses: actions/checkout@v4\n      - run: python src/train.py\n      - run: az ml online-deployment create -f deploy/blue.yml --all-traffic\n',
      },
      useInstead: {
        language: 'yaml',
        file: '.github/workflows/train.yml',
        code: 'name: train-and-deploy\non:\n  push:\n    branches: [main]\n  schedule:\n    - cron: "0 3 * * 1"  # weekly retraining on fresh data\njobs:\n  train:\n    runs-on: ubuntu-22.04\n    steps:\n      - uses: actions/checkout@v4\n      - run: python src/train.py\n      - run: az ml online-deployment create -f deploy/blue.yml --all-traffic\n',
      },
      fixSafety: 'Unsafe template for GitHub workflows with a block `on:`: adds a weekly `schedule:` cron. Pick the cadence your data needs, or trigger the workflow from your drift monitoring instead.',
      notebookBehavior: 'Pipelines defined and submitted from a notebook are judged like modules.',
      references: [
        'Breck et al. 2017, The ML Test Score, Monitor 4 (models are not too stale)',
        'GitHub Actions, schedule: https://docs.github.com/actions/writing-workflows/choosing-when-your-workflow-runs/events-that-trigger-workflows#schedule',
        'Azure ML, schedule pipeline jobs: https://learn.microsoft.com/azure/machine-learning/how-to-schedule-pipeline-job',
        'Ruff AIR002 (DAG without schedule): https://docs.astral.sh/ruff/rules/airflow-dag-no-schedule-argument/',
      ],
    },
  },
  check(ctx) {
    if (ctx.yaml) {
      const wf = ciWorkflow(ctx.yaml, ctx.configKind);
      if (wf) return checkWorkflow(ctx, wf);
      const p = yamlPipeline(ctx.yaml, ctx.configKind);
      // Compiled KFP specs are scheduled when a recurring run is created from them.
      if (p && p.kind !== 'kfp' && p.kind !== 'mlflow-recipe') checkPipeline(ctx, p);
      return;
    }
    if (!ctx.python) return;
    for (const p of pythonPipelines(ctx.python)) if (checkPipeline(ctx, p)) return;
  },
});
