import { isMap, isScalar } from 'yaml';
import { unitLocation } from '../../parse/program';
import type { YamlFile } from '../../parse/yaml';
import { defineRule, type RuleContext } from '../../rule';
import { LineIndex } from '../../text';
import type { Fix, Location } from '../../types';
import { basename, dirname, joinPath } from '../../workspace/fs';
import type { WorkspaceIndex } from '../../workspace/workspace-index';
import { allWorkflows, ciWorkflow, hasModelContext, pythonPipelines, workspaceSchedules, yamlPipeline, type CiWorkflow, type Pipeline, type PipelineKind } from '../lib/pipelines';

const DEPLOY_CONFIG = /(^|\/)(deploy|deployment|deployments|serving|k8s|kserve|seldon|endpoints?)\/[^/]+\.ya?ml$|(^|\/)[^/]*(deployment|inferenceservice|endpoint)[^/]*\.ya?ml$/i;
/** A CI workflow named for deploying (`deploy-prod.yml`, `release-model.yml`). */
const DEPLOY_WORKFLOW = /(^|\/)\.github\/workflows\/[^/]*(deploy|release|serve|serving|promot)[^/]*\.ya?ml$/i;

const REPO_MARKERS = ['LICENSE', 'LICENSE.md', 'LICENSE.txt', 'COPYING'];

/**
 * The repository a file belongs to: the nearest folder above it with a license file or a
 * `.github` folder, else the workspace root. A workspace that holds several repositories
 * (vendored projects, a folder of examples) is judged repository by repository.
 */
function repoRoot(ws: WorkspaceIndex, file: string): string {
  for (let d = dirname(file); d !== ''; d = dirname(d)) {
    if (REPO_MARKERS.some((m) => ws.has(joinPath(d, m))) || ws.exists(joinPath(d, '.github'))) return d;
  }
  return '';
}

function under(root: string, f: string): boolean {
  return root === '' || f.startsWith(root + '/');
}

/** Folders up from `from`'s folder to the common ancestor, and down from there to `to`'s folder. */
function folderHops(from: string, to: string): { up: number; down: number } {
  const a = from.split('/').slice(0, -1);
  const b = to.split('/').slice(0, -1);
  let common = 0;
  while (common < a.length && common < b.length && a[common] === b[common]) common++;
  return { up: a.length - common, down: b.length - common };
}

/**
 * A model deployment config near the file, in its repository (by its path): at most
 * three folders up and two down (`pipelines/train.yml` and `deploy/blue.yml`, a
 * workflow and `deploy/` at the root). In a repository of many samples, a deployment
 * deep inside another sample serves another model. The nearest one is named.
 */
function workspaceDeploys(ws: WorkspaceIndex, root: string, file: string): string | undefined {
  let best: { f: string; hops: number } | undefined;
  for (const f of ws.files()) {
    if (!under(root, f) || !((DEPLOY_CONFIG.test(f) && !/(^|\/)\.github\//.test(f)) || DEPLOY_WORKFLOW.test(f))) continue;
    const { up, down } = folderHops(file, f);
    if (up > 3 || down > 2) continue;
    if (!best || up + down < best.hops) best = { f, hops: up + down };
  }
  return best?.f;
}

function mentionsWord(text: string | undefined, word: string): boolean {
  if (!text || !word) return false;
  return new RegExp(`(^|[^\\w.-])${word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}($|[^\\w-])`).test(text);
}

function importsModule(text: string, module: string): boolean {
  return /^\w+$/.test(module) && new RegExp(`\\b(from|import)\\s+([\\w.]+\\.)?${module}\\b`).test(text);
}

/**
 * Whether something else in the workspace re-runs this training on a schedule, judged by
 * content: a scheduled CI workflow that trains, or that starts, calls or runs this file;
 * an Azure ML schedule, Argo CronWorkflow, Kubernetes CronJob or other YAML with a cron
 * whose job trains or names this file; a Python module that schedules this pipeline (by
 * its name or this file's). File names prove nothing: `retrain.py` may be the training
 * script itself, and `schedule.yml` may schedule something else.
 */
async function scheduledElsewhere(ctx: RuleContext, root: string, names: readonly string[]): Promise<boolean> {
  const ws = ctx.workspace;
  const me = basename(ctx.file);
  const stem = me.replace(/\.[^.]+$/, '');
  const namesThis = (refs: readonly string[]): boolean => refs.some((r) => r === ctx.file || basename(r) === me);
  for (const w of await allWorkflows(ws, ctx.file, root)) {
    if (w.triggers.scheduled !== true) continue;
    if (w.trains || w.starts.some((x) => x === stem || names.includes(x)) || mentionsWord(w.scheduledText, me)) return true;
  }
  for (const s of await workspaceSchedules(ws, ctx.file, root)) {
    if (s.trains || namesThis(s.refs)) return true;
    // A Python scheduler: it imports this module, runs this file, or names the pipeline.
    if (s.text && (importsModule(s.text, stem) || mentionsWord(s.text, me) || names.some((n) => mentionsWord(s.text, n)))) return true;
  }
  return false;
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

async function checkWorkflow(ctx: RuleContext, wf: CiWorkflow): Promise<void> {
  // GitLab and Cloud Build schedules live in the project settings, not in the file.
  if (wf.kind !== 'github' && wf.kind !== 'azure-pipelines') return;
  if (wf.triggers.scheduled || wf.triggers.external) return;
  const train = wf.jobs.find((j) => j.roles.has('train'));
  if (!train) return;
  const shipsHere = wf.jobs.some((j) => (j.roles.has('deploy') || j.roles.has('register')) && (hasModelContext(j.text) || j === train));
  const root = repoRoot(ctx.workspace, ctx.file);
  const deployConfig = shipsHere ? undefined : workspaceDeploys(ctx.workspace, root, ctx.file);
  if (!shipsHere && !deployConfig) return;
  if (await scheduledElsewhere(ctx, root, [wf.name].filter(Boolean))) return;
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

async function checkPipeline(ctx: RuleContext, p: Pipeline): Promise<boolean> {
  if (!p.steps.some((s) => s.roles.has('train'))) return false;
  // An Azure ML pipeline YAML is the pipeline itself; its schedule would be a schedule YAML beside it.
  const azureYaml = p.kind === 'azureml' && !p.unit;
  if (azureYaml ? p.scheduled === true : !scheduleBelongsHere(p)) return false;
  const shipsHere = p.steps.some((s) => s.roles.has('deploy') || s.roles.has('register'));
  const root = repoRoot(ctx.workspace, ctx.file);
  const deployConfig = shipsHere ? undefined : workspaceDeploys(ctx.workspace, root, ctx.file);
  if (!shipsHere && !deployConfig) return false;
  if (await scheduledElsewhere(ctx, root, [p.name])) return false;
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
        'Looks at pipelines and CI workflows that train a model which is deployed: the same file registers or deploys it, or a deployment config sits near the file in its repository (`deploy/`, `k8s/`, `*deployment*.yml`, endpoints, a `deploy*` workflow; at most three folders up and two down from the file, so a deployment deep inside another sample of a monorepo does not count; a workspace holding several repositories, each with its own license file or `.github` folder, is judged repository by repository). It reports them when nothing re-runs the training: no `on: schedule` or `workflow_run`/`repository_dispatch` trigger in a GitHub workflow, no `schedules:` in Azure Pipelines, `schedule=None` on an Airflow DAG, no `@schedule`/`@trigger` on a Metaflow flow, a ZenML/Prefect/Kubeflow/Vertex/Azure ML pipeline submitted from the file without a schedule, an Argo `Workflow` rather than a `CronWorkflow`; and nothing else in the repository re-runs it on a schedule, judged by content, not file names: another CI workflow with a schedule trigger that trains, or that starts, calls or runs this file (`gh workflow run train.yml`, `uses: ./.github/workflows/train.yml`); an Azure ML schedule, Argo CronWorkflow, Kubernetes CronJob, Prefect deployment or other YAML with a cron whose job trains or names this file (`create_job: ./pipeline.yml`); a Python module that calls a scheduling API (`Schedule(cron_expression=...)`, `create_schedule`, `JobSchedule`...) and imports this module, runs this file or names this pipeline. Those files are read through the workspace index, once per file and change. GitLab and Cloud Build schedules live in the project settings, so those files are not judged.',
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
  async check(ctx) {
    if (ctx.yaml) {
      const wf = ciWorkflow(ctx.yaml, ctx.configKind);
      if (wf) return checkWorkflow(ctx, wf);
      const p = yamlPipeline(ctx.yaml, ctx.configKind);
      // Compiled KFP specs are scheduled when a recurring run is created from them.
      if (p && p.kind !== 'kfp' && p.kind !== 'mlflow-recipe') await checkPipeline(ctx, p);
      return;
    }
    if (!ctx.python) return;
    for (const p of pythonPipelines(ctx.python)) if (await checkPipeline(ctx, p)) return;
  },
});
