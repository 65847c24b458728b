// Step roles and the pipeline model shared by the typed views of pipeline and CI
// configs (lib/pipelines.ts): what a step does, read from its name and the commands
// it runs, and a small step graph.
import { isMap, isScalar, isSeq, type Node as YamlNode, type Pair } from 'yaml';
import type { PythonUnit } from '../../parse/program';
import type { Span } from '../../parse/python';
import { nodeRange, scalarString, type YamlFile } from '../../parse/yaml';
import type { Range } from '../../types';
import type { DvcStage } from '../../workspace/workspace-index';

// ---------------------------------------------------------------------------
// What a step does, from its name and the commands it runs.

export type StepRole = 'train' | 'evaluate' | 'validate' | 'test' | 'register' | 'deploy' | 'build';

/** snake_case words of a name, wrapped in `_`: `TrainModelOp` -> `_train_model_op_`, `Deploy to prod` -> `_deploy_to_prod_`. */
export function words(name: string): string {
  const w = name
    .replace(/([a-z0-9])([A-Z])/g, '$1_$2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1_$2')
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, '_')
    .replace(/^_+|_+$/g, '');
  return `_${w}_`;
}

const W = (alternatives: string): RegExp => new RegExp(`_(${alternatives})_`);

const NAME_TRAIN = W('re_?train|retraining|re_?trainer|train|trains|training|trainer|fit|fit_model|fine_?tune|fine_?tuning|finetune|finetuning|automl|tune|tuning|hpo|hyperparameter_tuning|sweep');
const NAME_EVALUATE = W(
  'eval|evals|evaluate|evaluates|evaluation|evaluator|evaluating|assess|assessment|benchmark|champion|challenger|quality_gate|metrics_gate|metric_gate|gate|check_metrics|check_metric|metric_check|metrics_check|threshold|thresholds|test_model|model_test|model_tests|score_model|model_validation|validate_model|compare_models|compare_model|model_comparison|promoter|blessing|acceptance_test|model_quality',
);
const NAME_VALIDATE = W(
  'validate_data|data_validation|data_validator|validate_dataset|dataset_validation|validate_input|validate_inputs|input_validation|validate_schema|schema_validation|schema_check|check_schema|data_quality|data_check|data_checks|check_data|great_expectations|expectations|gx|tfdv|pandera|deepchecks|whylogs|example_validator|schema_gen|statistics_gen|data_drift|drift_check|check_drift|validate_raw|validate_features|data_tests|data_test|data_integrity|integrity_check|validate_raw_data|skew_comparison|skew_check|check_skew|training_serving_skew|data_skew',
);
/** `validate` / `validation` on its own: data validation before training, model validation after it. */
const NAME_VALIDATE_BARE = W('validate|validates|validation|validator|validating');
const NOT_VALIDATION_STEP = W('validation_(data|set|split|dataset|loss|size|fraction)');
const NAME_TEST = W('test|tests|testing|unit_test|unit_tests|unittest|unittests|integration_test|integration_tests|pytest|smoke_test|smoke_tests|run_tests|ci_tests');
const NOT_TEST_STEP = W('test_(data|set|split|size|dataset|datasets|prediction|predictions|sample|samples)');
const NAME_REGISTER = W(
  'register|registers|registered|registering|registration|registry|create_model_version|model_version|upload_model|model_upload|push_model|publish_model|log_model|create_registered_model|transition_model|transition_model_version_stage|promote|promotes|promoting|promotion|promote_model',
);
/** Registering data, indexes, prompts or environments is not registering a model. */
const NOT_MODEL_REGISTER = W('data|dataset|datasets|data_asset|asset|assets|env|environment|environments|feature|features|feature_set|table|schema|prompt|prompts|index|mlindex|vector_index|embeddings');
const NAME_DEPLOY = W(
  'deploy|deploys|deployed|deploying|deployment|deployments|deployer|serve|serving|rollout|roll_out|inference_service|canary|blue_green|push_to_prod|to_production|pusher|model_deploy|model_deployer',
);
const NAME_BUILD = W('docker_build|build_image|build_images|build_and_push|push_image|push_images|containerize|build_container');

const PY_SCRIPT = String.raw`(?:python3?(?:\.\d+)?|uv run|poetry run|pipenv run|pdm run|hatch run)(?: -m)? ['"]?[\w./-]*`;
const CMD_TEST =
  /(^|[\s;&|(`])(pytest|py\.test|(python3?|uv run|poetry run|pdm run|hatch run|pipenv run)( -m)? (pytest|unittest)|python3? -m (pytest|unittest)|tox|nox|make (test|tests|check|unittest|unit-test|unit_tests)|hatch (run )?test|nbval|--nbval|nbmake|--nbmake|treon|great_expectations (--v3-api )?checkpoint run|gx checkpoint|npm (run )?test|coverage run)(?=$|[\s;&|)`])/m;
const CMD_VALIDATE = new RegExp(String.raw`great_expectations|\bgx checkpoint|soda scan|\btfdv\b|\bpandera\b|\bdeepchecks\b|${PY_SCRIPT}(validat\w*|check_?data\w*|data_?checks?\w*|schema_?check\w*|expectations?\w*)\.py`, 'i');
const CMD_TRAIN = new RegExp(
  String.raw`${PY_SCRIPT}(re)?(train|fit|fine_?tune|finetune)[\w./-]*|\bdvc (repro|exp run)\b|\bmlflow run\b|\bkedro run\b|papermill [^\n]*train|nbconvert [^\n]*--execute[^\n]*train|az ml job create[^\n]*(train|automl|sweep)|gcloud ai (custom-jobs|hp-tuning-jobs) create|aws sagemaker create-training-job|python3? run\.py [^\n]*--train`,
  'i',
);
const CMD_EVALUATE = new RegExp(
  String.raw`${PY_SCRIPT}(eval|evaluate|evaluation|assess|benchmark|compare|quality_gate|gate|check_metrics)[\w./-]*|\bdvc metrics diff\b|mlflow[\w. ]*evaluate|metrics?\.json[^\n]*(sys\.exit|exit\(|assert|threshold)|(sys\.exit|assert)[^\n]*metric`,
  'i',
);
const CMD_REGISTER = new RegExp(String.raw`az ml model (create|register)|mlflow\.register_model|register_model\(|\bgto (register|assign|promote)\b|gcloud ai models upload|aws sagemaker create-model-package|${PY_SCRIPT}regist\w*\.py`, 'i');
const CMD_DEPLOY = new RegExp(
  String.raw`az ml (online|batch)-deployment (create|update)|gcloud ai endpoints deploy-model|gcloud run deploy|kubectl (apply|rollout|set image|create)|helm (upgrade|install)|\bmlem deploy(ment)? |bentoml deploy|mlflow (models serve|deployments create|sagemaker deploy)|aws sagemaker (create|update)-endpoint|\bsam deploy|serverless deploy|cdk deploy|terraform apply|heroku container:release|git push heroku|modal deploy|prefect deploy|prefect deployment (build|apply)|az webapp (deploy|up)|az containerapp (up|update|create)|\bfly deploy|${PY_SCRIPT}deploy[\w./-]*`,
  'i',
);
const CMD_BUILD = /docker (buildx )?build|gcloud builds submit|az acr build|\bkaniko\b|buildah bud|\bpack build|bentoml (build|containerize)|mlflow models build-docker/i;
const ACTION_DEPLOY = /deploy|cloudrun|k8s-set-context|aks-set-context/i;
const ACTION_BUILD = /^docker\/build-push-action|^docker\/build/i;
const ACTION_TEST = /(^|\/)[\w-]*(pytest|unit-?test|run-tests?)[\w-]*(@|$)/i;
const ACTION_VALIDATE = /great[-_]?expectations/i;
/** A human approves before the job goes on. */
export const ACTION_APPROVAL = /manual[-_]?approval|approval[-_]?action|wait-for-approval/i;

/** The model-serving vocabulary: a deploy that ships a model, not a website. */
const MODEL_CONTEXT = /model|mlem|mlflow|bentoml|sagemaker|kserve|seldon|az ml |azureml|gcloud ai|vertex|endpoint|inference|serving|predict|huggingface|torchserve|triton|onnx|\.pkl|joblib/i;

/** Roles a step name says it has. */
export function nameRoles(name: string, out = new Set<StepRole>()): Set<StepRole> {
  if (!name) return out;
  const w = words(name);
  // `build_custom_train_image` builds an image; it neither trains nor deploys.
  const builds = NAME_BUILD.test(w) || (/_build(s|ing)?_/.test(w) && /_(image|images|container)_/.test(w));
  // `training_data_loader` loads data for training; it does not train.
  const trainingData = /_(re_?)?(train|training)_(data|dataset|datasets|set|split|examples|inputs?|table|features)_/.test(w);
  if (NAME_TRAIN.test(w) && !builds && !trainingData) out.add('train');
  if (NAME_EVALUATE.test(w)) out.add('evaluate');
  if (NAME_VALIDATE.test(w)) out.add('validate');
  if (NAME_TEST.test(w) && !NOT_TEST_STEP.test(w)) out.add('test');
  if (NAME_REGISTER.test(w) && (!NOT_MODEL_REGISTER.test(w) || /_models?_/.test(w))) out.add('register');
  if (builds) out.add('build');
  else if (NAME_DEPLOY.test(w)) out.add('deploy');
  return out;
}

/** True for a bare `validate` step name, whose meaning depends on where it sits. */
export function bareValidation(name: string): boolean {
  const w = words(name);
  return NAME_VALIDATE_BARE.test(w) && !NOT_VALIDATION_STEP.test(w) && !NAME_VALIDATE.test(w) && !NAME_EVALUATE.test(w);
}

/** Roles of a shell command (a `run:` block, a `script:` line, a container's args). */
export function commandRoles(cmd: string, out = new Set<StepRole>()): Set<StepRole> {
  if (!cmd) return out;
  // Comments are not commands.
  const c = cmd.replace(/(^|\s)#[^\n]*/g, '$1');
  if (CMD_TEST.test(c)) out.add('test');
  if (CMD_VALIDATE.test(c)) out.add('validate');
  if (CMD_TRAIN.test(c)) out.add('train');
  if (CMD_EVALUATE.test(c)) out.add('evaluate');
  if (CMD_REGISTER.test(c)) out.add('register');
  if (CMD_DEPLOY.test(c)) out.add('deploy');
  if (CMD_BUILD.test(c)) out.add('build');
  return out;
}

/** Roles of a GitHub action reference (`uses: owner/action@v1`). */
export function actionRoles(uses: string, out = new Set<StepRole>()): Set<StepRole> {
  if (!uses || uses.startsWith('docker://')) return out;
  const name = uses.split('@')[0];
  if (/^actions\/|setup|checkout|cache|login|auth|configure|upload-artifact|download-artifact/i.test(name) && !ACTION_DEPLOY.test(name.replace(/.*\//, ''))) return out;
  if (ACTION_DEPLOY.test(name)) out.add('deploy');
  if (ACTION_BUILD.test(name)) out.add('build');
  if (ACTION_TEST.test(uses)) out.add('test');
  if (ACTION_VALIDATE.test(name)) out.add('validate');
  return out;
}

export function hasModelContext(text: string): boolean {
  return MODEL_CONTEXT.test(text);
}

/** Roles `dvc repro` takes on from the workspace's stages: `validate`, `evaluate`, `train`. */
export function dvcStageRoles(stages: readonly DvcStage[]): Set<StepRole> {
  const out = new Set<StepRole>();
  for (const s of stages) {
    const r = nameRoles(s.name);
    if (bareValidation(s.name)) r.add('validate');
    for (const c of s.cmd) commandRoles(c, r);
    for (const role of r) if (role === 'validate' || role === 'evaluate' || role === 'train' || role === 'test') out.add(role);
    if (s.metrics.length && !r.has('train')) out.add('evaluate');
  }
  return out;
}

// ---------------------------------------------------------------------------
// YAML helpers.

export function str(node: unknown): string {
  return scalarString(node) ?? '';
}

export function strings(node: unknown, out: string[] = [], depth = 0): string[] {
  if (depth > 8 || node === null || node === undefined) return out;
  if (isScalar(node)) {
    const s = scalarString(node);
    if (s !== undefined) out.push(s);
  } else if (isSeq(node)) for (const it of node.items) strings(it, out, depth + 1);
  else if (isMap(node)) for (const it of node.items) strings(it.value, out, depth + 1);
  return out;
}

export function keyOf(pair: Pair): string {
  return isScalar(pair.key) ? String(pair.key.value) : '';
}

export function pairRange(yaml: YamlFile, pair: Pair): Range {
  return nodeRange(yaml, pair.key as YamlNode);
}

export function listOf(node: unknown): string[] {
  if (isScalar(node)) return str(node) ? [str(node)] : [];
  if (isSeq(node)) return node.items.map((x) => (isMap(x) ? str(x.get('job', true)) : str(x))).filter(Boolean);
  return [];
}

export function unionRoles(into: Set<StepRole>, from: Iterable<StepRole>): void {
  for (const r of from) into.add(r);
}

// ---------------------------------------------------------------------------
// The step graph of a pipeline.

export interface PipelineStep {
  id: string;
  /** For messages: `step register_model_node`. */
  label: string;
  roles: Set<StepRole>;
  /** Ids of the steps it depends on. */
  needs: string[];
  /** Position in execution order as written. */
  order: number;
  /** Runs only when a condition holds (`when:`, `triggerPolicy.condition`, `dsl.Condition`). */
  conditional: boolean;
  /** Names of the values it consumes (Python DSL arguments). */
  inputs: string[];
  /** Names it binds (Python DSL assignment targets). */
  outputs: string[];
  /** Its arguments name data (a dataset, a path, a table): data visibly flows through it. */
  dataHint?: boolean;
  /** Report location: a range in the file, or a unit span for Python. */
  range?: Range;
  unit?: PythonUnit;
  span?: Span;
}

export type PipelineKind = 'azureml' | 'kfp' | 'argo' | 'mlflow-recipe' | 'airflow' | 'prefect' | 'zenml' | 'metaflow' | 'sagemaker' | 'kedro' | 'tfx' | 'vertex';

export interface Pipeline {
  kind: PipelineKind;
  name: string;
  steps: PipelineStep[];
  /** A branch or condition construct that can stop a later step. */
  conditions: Array<{ order: number; text: string }>;
  /** Where to report about the pipeline as a whole. */
  range?: Range;
  unit?: PythonUnit;
  span?: Span;
  /** Declared schedule: true (cron, interval), false (explicitly none), undefined (not in this file). */
  scheduled?: boolean;
  /** The file also runs or submits the pipeline (so its schedule would be here too). */
  runsHere?: boolean;
}

/** Step names that bring data in. */
export const DATA_STEP = W('data|dataset|datasets|ingest|ingestion|extract|features|feature_engineering|examples|example_gen|table|csv|query|raw|images|load_images');
/** Argument names and values that carry data. */
export const DATA_WORD = /data|dataset|csv|parquet|table|feature|example|uri|path|dir|source|bucket|gs:\/\/|s3:\/\/|images|corpus|train_x|train_y|_x\b|_y\b/i;

/** A bare `validate` step is data validation before the first training step, model validation after it. */
export function resolveBareValidation(steps: PipelineStep[], names: ReadonlyMap<PipelineStep, string>): void {
  const firstTrain = Math.min(...steps.filter((s) => s.roles.has('train')).map((s) => s.order));
  for (const s of steps) {
    const n = names.get(s) ?? s.id;
    if (!bareValidation(n) || s.roles.has('validate') || s.roles.has('evaluate')) continue;
    s.roles.add(s.order < firstTrain ? 'validate' : 'evaluate');
  }
}

/** Steps (earlier in the order, or upstream through `needs`) before a step. */
export function stepsBefore(p: Pipeline, step: PipelineStep): PipelineStep[] {
  const byId = new Map(p.steps.map((s) => [s.id, s]));
  const up = new Set<PipelineStep>();
  const stack = [...step.needs];
  while (stack.length) {
    const s = byId.get(stack.pop()!);
    if (!s || up.has(s)) continue;
    up.add(s);
    stack.push(...s.needs);
  }
  for (const s of p.steps) if (s.order < step.order) up.add(s);
  up.delete(step);
  return [...up];
}

