import { unitLocation } from '../../parse/program';
import { defineRule, type RuleContext } from '../../rule';
import type { Location, RelatedInformation } from '../../types';
import { pythonPipelines, stepsBefore, yamlPipeline, type Pipeline, type PipelineStep } from '../lib/pipelines';
import unvalidatedDataLoad from './unvalidated-data-load';

function locate(x: { unit?: PipelineStep['unit']; span?: PipelineStep['span']; range?: PipelineStep['range'] }): Location | undefined {
  if (x.unit && x.span) return unitLocation(x.unit, x.span);
  return x.range ? { range: x.range } : undefined;
}

/** The training step that nothing validates the data of, if any. */
function unvalidatedTraining(p: Pipeline): PipelineStep | undefined {
  const trains = [...p.steps].sort((a, b) => a.order - b.order).filter((s) => s.roles.has('train'));
  if (trains.length === 0) return undefined;
  // A step that validates anything before the first training counts, wherever its output goes.
  const first = trains[0];
  const before = stepsBefore(p, first);
  if (first.roles.has('validate') || before.some((s) => s.roles.has('validate'))) return undefined;
  // Only pipelines that visibly feed data to training (a toy step taking a number is not one).
  if (!first.dataHint && !before.some((s) => s.dataHint)) return undefined;
  return first;
}

/**
 * unvalidated-data-load reports files whose data reaches training unchecked, pipeline
 * configs included; this rule speaks about the steps of a pipeline. When that rule
 * already reports the file, this one stays silent: one finding per file for one smell.
 */
async function reportedByDataRule(ctx: RuleContext): Promise<boolean> {
  let reported = false;
  await unvalidatedDataLoad.check({ ...ctx, report: () => (reported = true) });
  return reported;
}

export default defineRule({
  meta: {
    id: 'pipeline-without-validation-step',
    area: 'validation',
    defaultSeverity: 'warning',
    recommended: true,
    targets: ['yaml', 'python', 'notebook'],
    messages: {
      missing:
        'Training pipeline {{pipeline}} trains ({{step}}) with no data-validation step before it. Add a step that checks the schema and value ranges of the training data (Great Expectations, TFDV / ExampleValidator, pandera, Deepchecks, a SageMaker data-quality check) and make training depend on it.',
    },
    docs: {
      summary: 'A training pipeline has no data-validation step before its training step.',
      whatItDoes:
        'Reads the steps of training pipelines: Azure ML pipeline jobs, compiled Kubeflow (IR) and Argo workflows, and pipeline Python for Kubeflow/Vertex, Azure ML `dsl.pipeline`, ZenML, Prefect, Airflow, Kedro, Metaflow, SageMaker Pipelines and TFX. Steps are told apart by their names, components, operators and commands. When a pipeline has a training step and no step upstream of it validates data (`validate_data`, `data_validation`, `check_schema`, Great Expectations, TFDV `StatisticsGen`/`SchemaGen`/`ExampleValidator`, Deepchecks, a SageMaker `QualityCheckStep` on data quality, or a bare `validate` step placed before training), it reports the training step. It is about the pipeline\'s structure: files where `unvalidated-data-load` already reports data reaching training unchecked (Azure ML jobs with data inputs, MLflow Recipes, workflows, modules with data reads) get that finding instead of this one; `dvc.yaml` is left to the scripts its stages run, where `unvalidated-data-load` reads the actual checks.',
      whyIsThisBad:
        'In a scheduled pipeline nobody looks at the data before training: an upstream schema change, a broken join or a day of missing values trains and ships a worse model without any error. A validation step makes the pipeline fail where the problem is (ML Test Score, Data 1: feature expectations are captured in a schema; Infra 3: the full pipeline is integration tested).',
      example: {
        language: 'python',
        file: 'pipelines/training.py',
        code: 'from kfp import dsl\n\nfrom components import ingest_data, train_model\n\n\n@dsl.pipeline(name="churn-training")\ndef churn_training(source: str):\n    data = ingest_data(source=source)\n    train_model(dataset=data.outputs["dataset"])\n',
      },
      useInstead: {
        language: 'python',
        file: 'pipelines/training.py',
        code: 'from kfp import dsl\n\nfrom components import ingest_data, train_model, validate_data\n\n\n@dsl.pipeline(name="churn-training")\ndef churn_training(source: str):\n    data = ingest_data(source=source)\n    checked = validate_data(dataset=data.outputs["dataset"], schema="schema.json")\n    train_model(dataset=checked.outputs["dataset"])\n',
      },
      fixSafety: 'No fix: a validation step needs a component and an expectation suite or schema of your data.',
      notebookBehavior: 'Pipelines defined in notebook cells (Kubeflow, Vertex, Azure ML `@dsl.pipeline`) are read like those in modules.',
      references: [
        'Breck et al. 2017, The ML Test Score, Data 1 and Infra 3',
        'TFX ExampleValidator: https://www.tensorflow.org/tfx/guide/exampleval',
        'Great Expectations checkpoints: https://docs.greatexpectations.io/',
        'SageMaker Pipelines QualityCheckStep: https://docs.aws.amazon.com/sagemaker/latest/dg/build-and-manage-steps.html#step-type-quality-check',
      ],
    },
  },
  async check(ctx) {
    const pipelines = ctx.yaml ? [yamlPipeline(ctx.yaml, ctx.configKind)].filter((p): p is Pipeline => !!p) : ctx.python ? pythonPipelines(ctx.python) : [];
    for (const p of pipelines) {
      // MLflow Recipes have no place for a validation step: unvalidated-data-load speaks about them.
      if (p.kind === 'mlflow-recipe') continue;
      const step = unvalidatedTraining(p);
      const at = step && locate(step);
      if (!step || !at) continue;
      if (await reportedByDataRule(ctx)) return;
      const def = locate(p);
      const related: RelatedInformation[] = def && (def.cell !== at.cell || def.range.start.line !== at.range.start.line) ? [{ location: def, message: `Pipeline ${p.name} is defined here.` }] : [];
      ctx.report({ messageId: 'missing', data: { pipeline: p.name, step: step.label }, location: at, related });
      return;
    }
  },
});
