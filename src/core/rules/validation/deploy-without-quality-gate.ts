import { unitLocation } from '../../parse/program';
import { defineRule, type RuleContext } from '../../rule';
import type { Location, RelatedInformation } from '../../types';
import { basename } from '../../workspace/fs';
import { ciWorkflow, dvcStageRoles, pythonPipelines, stepsBefore, upstreamJobs, yamlPipeline, type CiStep, type Pipeline, type PipelineStep } from '../lib/pipelines';

/** `if:` conditions that read a metric or an evaluation's verdict. */
const METRIC_CONDITION = /metric|accuracy|auc|f1|precision|recall|rmse|mae|r2|loss|score|threshold|passed|promot|better|evaluat|quality/i;

function stepLocation(p: Pipeline, s: PipelineStep): Location | undefined {
  if (s.unit && s.span) return unitLocation(s.unit, s.span);
  return s.range ? { range: s.range } : undefined;
}

function checkPipeline(ctx: RuleContext, p: Pipeline): boolean {
  for (const step of [...p.steps].sort((a, b) => a.order - b.order)) {
    if (!step.roles.has('register') && !step.roles.has('deploy')) continue;
    if (step.roles.has('evaluate') || step.conditional) return false;
    const before = stepsBefore(p, step);
    if (before.some((s) => s.roles.has('evaluate'))) return false;
    if (p.conditions.some((c) => c.order <= step.order)) return false;
    const at = stepLocation(p, step);
    if (!at) return false;
    const trained = before.find((s) => s.roles.has('train'));
    const trainedAt = trained && stepLocation(p, trained);
    const related: RelatedInformation[] = trainedAt ? [{ location: trainedAt, message: 'The model is trained here.' }] : [];
    ctx.report({
      messageId: 'pipeline',
      data: { pipeline: p.name, action: step.roles.has('deploy') ? 'deploys' : 'registers', step: step.label },
      location: at,
      related,
    });
    return true;
  }
  return false;
}

function checkWorkflow(ctx: RuleContext): boolean {
  const wf = ciWorkflow(ctx.yaml!, ctx.configKind);
  if (!wf) return false;
  // Started by a person (dispatch, release, tag): the promotion itself is the decision point.
  if (wf.triggers.manualOnly) return true;
  const dvcEvaluates = dvcStageRoles(ctx.workspace.dvcStages()).has('evaluate');
  const evaluates = (s: CiStep): boolean => s.roles.has('evaluate') || (dvcEvaluates && /\bdvc (repro|exp run)\b/.test(s.command));
  for (const job of wf.jobs) {
    const upstream = upstreamJobs(wf, job);
    const upstreamTrains = upstream.some((j) => j.roles.has('train'));
    const upstreamEvaluates = upstream.some((j) => j.roles.has('evaluate') || j.steps.some(evaluates));
    if (upstreamEvaluates || (job.condition && METRIC_CONDITION.test(job.condition))) continue;
    let trainedAt: CiStep | undefined;
    for (const step of job.steps) {
      if (evaluates(step)) break;
      if (step.roles.has('train')) trainedAt ??= step;
      if (!step.roles.has('deploy') && !step.roles.has('register')) continue;
      if (step.condition && METRIC_CONDITION.test(step.condition)) break;
      if (!trainedAt && !upstreamTrains) break; // ships a model made elsewhere: whether it was gated is not in this file
      const trainJob = upstream.find((j) => j.roles.has('train'));
      const related: RelatedInformation[] = trainedAt
        ? [{ location: { range: trainedAt.range }, message: 'The model is trained here.' }]
        : trainJob
          ? [{ location: { range: trainJob.range }, message: 'The model is trained in this job.' }]
          : [];
      ctx.report({
        messageId: 'workflow',
        data: { workflow: wf.name || basename(ctx.file), action: step.roles.has('deploy') ? 'deploys' : 'registers', step: step.name || step.command.split('\n')[0].slice(0, 60) },
        location: { range: step.range },
        related,
      });
      return true;
    }
  }
  return true;
}

export default defineRule({
  meta: {
    id: 'deploy-without-quality-gate',
    area: 'validation',
    defaultSeverity: 'warning',
    recommended: true,
    targets: ['yaml', 'python', 'notebook'],
    messages: {
      workflow:
        'Workflow "{{workflow}}" {{action}} the model it trains ("{{step}}") with no evaluation step before it that can stop a bad model. Evaluate on held-out data first and fail the job when the metric is below a threshold or worse than production.',
      pipeline:
        'Pipeline {{pipeline}} {{action}} a model ({{step}}) with no earlier evaluation step whose metric gates it. Add an evaluation step and deploy only when its metric passes (a condition on the metric, a promoter step fed with it).',
    },
    docs: {
      summary: 'A pipeline or CI workflow registers or deploys a model with no evaluation step that gates it.',
      whatItDoes:
        'Reads the structure of pipelines (Azure ML pipeline jobs, compiled Kubeflow and Argo workflows, MLflow Recipes, and pipeline Python for Airflow, Prefect, ZenML, Kubeflow/Vertex, Azure ML `dsl.pipeline`, SageMaker Pipelines, Metaflow, Kedro and TFX) and of CI workflows. It reports the first step that registers or deploys a model when nothing before it evaluates the model: no evaluation step upstream, no condition on a metric (`dsl.Condition`/`dsl.If`, `ConditionStep`, Airflow branch operators, Azure ML `if_else`, `triggerPolicy.condition`, MLflow Recipes `validation_criteria`), and no step fed with a metric (a ZenML promoter taking the accuracy). In CI, only workflows that train the model they ship are judged, and workflows started by hand (dispatch, release, tag) are left alone: the promotion is the decision point there.',
      whyIsThisBad:
        'A training run that silently degrades (a bad data batch, a broken feature, a lucky seed) goes straight to users when nothing compares its metrics to a threshold or to the model in production. A gate in the pipeline is the cheapest guard there is (ML Test Score, Infra 4: a model is tested for quality before serving; Model 5: a simpler model is not better).',
      example: {
        language: 'python',
        file: 'pipelines/training.py',
        code: 'from zenml import pipeline\n\nfrom steps import deploy_model, load_data, train_model\n\n\n@pipeline\ndef training():\n    data = load_data()\n    model = train_model(data)\n    deploy_model(model)\n',
      },
      useInstead: {
        language: 'python',
        file: 'pipelines/training.py',
        code: 'from zenml import pipeline\n\nfrom steps import deploy_model, evaluate_model, load_data, train_model\n\n\n@pipeline\ndef training():\n    data = load_data()\n    model = train_model(data)\n    accuracy = evaluate_model(model, data)\n    deploy_model(model, accuracy=accuracy, min_accuracy=0.8)\n',
      },
      fixSafety: 'No fix: the metric, the threshold and where the held-out data comes from are yours to choose.',
      notebookBehavior: 'Pipelines defined in a notebook (Kubeflow, Vertex, Azure ML `@dsl.pipeline` functions) are read like those in modules.',
      references: [
        'Breck et al. 2017, The ML Test Score, Infra 4 and Model 5',
        'Kubeflow Pipelines, conditions: https://www.kubeflow.org/docs/components/pipelines/user-guides/core-functions/control-flow/',
        'SageMaker Pipelines, ConditionStep: https://docs.aws.amazon.com/sagemaker/latest/dg/build-and-manage-steps.html',
        'MLflow Recipes, validation_criteria: https://mlflow.org/docs/latest/recipes.html',
      ],
    },
  },
  check(ctx) {
    if (ctx.yaml) {
      if (checkWorkflow(ctx)) return;
      const p = yamlPipeline(ctx.yaml, ctx.configKind);
      if (p) checkPipeline(ctx, p);
      return;
    }
    if (!ctx.python) return;
    for (const p of pythonPipelines(ctx.python)) if (checkPipeline(ctx, p)) return;
  },
});
