// Recognisers for model deployments and monitoring hooks in Python (notebook cells
// and modules), shared by the monitoring rules. Everything works from the extracted
// facts (calls with qualified names, imports, strings, magics): no re-parsing.
import type { PythonProgram, PythonUnit, ResolvedCall } from '../../parse/program';
import type { ArgFact, CallFact, Span } from '../../parse/python';
import { callKind, hasKind } from './training';
import { importsAny, qualifiedMemo, unitMemo } from './value-resolver';

export type Platform = 'azureml-online' | 'azureml-batch' | 'azureml' | 'sagemaker' | 'vertex' | 'mlflow' | 'serving' | 'pipeline';

export interface PythonDeployment {
  unit: PythonUnit;
  span: Span;
  platform: Platform;
  /** What deploys, for the message: `ManagedOnlineDeployment(...)`, `model.deploy(...)`. */
  what: string;
  /** An endpoint created without a model deployed to it (reported only when nothing else deploys). */
  endpointOnly?: boolean;
  /** The call itself carries a monitoring hook (`data_collector=`, `data_capture_config=`). */
  monitored: boolean;
  call?: ResolvedCall;
}

export interface MonitoringEvidence {
  unit: PythonUnit;
  span: Span;
  what: string;
}

// --- deployments ------------------------------------------------------------

const AZURE_ONLINE = /^(ManagedOnlineDeployment|KubernetesOnlineDeployment)$/;
const AZURE_BATCH = /^(BatchDeployment|ModelBatchDeployment|PipelineComponentBatchDeployment)$/;
const SAGEMAKER_DEPLOY_KWARGS = new Set(['initial_instance_count', 'instance_type', 'endpoint_name', 'serverless_inference_config', 'data_capture_config']);
const VERTEX_DEPLOY_KWARGS = new Set(['machine_type', 'deployed_model_display_name', 'traffic_split', 'traffic_percentage', 'min_replica_count', 'max_replica_count', 'accelerator_type', 'endpoint']);

function platformOfQualified(q: string): Platform | undefined {
  if (/^sagemaker(\.|$)/.test(q)) return 'sagemaker';
  if (/^(google\.cloud\.aiplatform|vertexai|google_cloud_pipeline_components)(\.|_|$)/.test(q)) return 'vertex';
  if (/^azure\.ai\.ml(\.|$)|^azureml(\.|$)/.test(q)) return 'azureml';
  if (/^mlflow(\.|$)|^mlflow_provider(\.|$)/.test(q)) return 'mlflow';
  return undefined;
}

export { importsAny };

function truthy(a: ArgFact | undefined): boolean {
  return !!a && a.text !== 'None' && a.text !== 'False' && a.text !== '{}' && a.text !== '[]';
}

function kwarg(rc: ResolvedCall, name: string): ArgFact | undefined {
  return rc.call.args.find((a) => a.name === name);
}

function receiverOf(callee: string): string | undefined {
  const dot = callee.lastIndexOf('.');
  return dot > 0 ? callee.slice(0, dot) : undefined;
}

/** Last segments that may deploy whatever the program imports (`mayDeploy`'s tests on the name alone). */
const DEPLOY_NAMES = new Set([
  'ManagedOnlineDeployment',
  'KubernetesOnlineDeployment',
  'BatchDeployment',
  'ModelBatchDeployment',
  'PipelineComponentBatchDeployment',
  'deploy',
  'create_deployment',
  'CreateDeploymentOperator',
  'create_endpoint',
  'deploy_model',
  'ModelDeployOp',
  'EndpointCreateOp',
  'V1beta1InferenceService',
]);

/** Last segments of the qualified names `mayDeploy` matches (a dotted callee keeps its last segment when qualified). */
const DEPLOY_QUALIFIED_NAMES = new Set(['deploy', 'create', 'update', 'Service', 'service']);

/** The callee's first segment: `deploy_pipeline` of `deploy_pipeline.with_options(...)`. */
function calleeHead(callee: string): string {
  let end = callee.length;
  const dot = callee.indexOf('.');
  if (dot >= 0) end = dot;
  const paren = callee.indexOf('(');
  if (paren >= 0 && paren < end) end = paren;
  return callee.slice(0, end);
}

/**
 * Calls that may deploy something (the `add` branches below), whatever the program imports elsewhere.
 * The qualified patterns are tested only where the qualified name can match: an undotted callee
 * (bound by a `from` import), or a dotted one whose last segment a qualified pattern ends with.
 */
function mayDeploy(call: CallFact, q: string, dotted = call.callee.includes('.')): boolean {
  const name = call.name;
  if (DEPLOY_NAMES.has(name) || name.endsWith('_model_deployer_step')) return true;
  const callee = call.callee;
  // Every qualified pattern is dotted: an undotted callee matches only when a `from` import binds it.
  if (dotted ? DEPLOY_QUALIFIED_NAMES.has(name) || name.endsWith('V1beta1InferenceService') : q !== callee) {
    if (
      /^mlflow\.(sagemaker|azureml)\.deploy$/.test(q) ||
      /^(google\.cloud\.)?aiplatform\.(Endpoint|PrivateEndpoint)\.create$/.test(q) ||
      /^bentoml\.(deployment\.(create|update)|Service|service)$/.test(q) ||
      /^kserve\..*V1beta1InferenceService$/.test(q)
    ) {
      return true;
    }
  }
  if (name === 'create' && /^(Endpoint|PrivateEndpoint)\.create$/.test(callee)) return true;
  if (!callee.includes('deploy')) return false;
  const head = calleeHead(callee);
  return head.includes('deploy') && /(^|_)deploy(ment|ing)?_pipeline$/.test(head);
}

/** Calls that may deploy (most programs have none: then their other calls are not read). */
const DEPLOYS = callKind(mayDeploy, 'callee');

/** A call `pythonDeployments` reads: one that may deploy (`deploys`: `mayDeploy`), or one assigned to one name. */
interface DeploymentCall {
  call: CallFact;
  qualified: string;
  deploys: boolean;
}

/** One unit's part of `pythonDeployments`: calls that may deploy, and calls assigned to one name (they may hold a platform object). */
const unitDeploymentCalls = qualifiedMemo((unit, qualify): readonly DeploymentCall[] => {
  let out: DeploymentCall[] | undefined;
  for (const call of unit.facts.calls) {
    const q = qualify(call.callee);
    const deploys = mayDeploy(call, q);
    if (deploys || call.assignedTo?.length === 1) (out ??= []).push({ call, qualified: q, deploys });
  }
  return out ?? NO_DEPLOYMENT_CALLS;
});

const NO_DEPLOYMENT_CALLS: readonly DeploymentCall[] = [];

const deploymentsOf = new WeakMap<PythonProgram, PythonDeployment[]>();

/** Every model deployment a program makes (computed once per program: several rules ask). Do not modify the result. */
export function pythonDeployments(program: PythonProgram): PythonDeployment[] {
  let list = deploymentsOf.get(program);
  if (!list) deploymentsOf.set(program, (list = computeDeployments(program)));
  return list;
}

function computeDeployments(program: PythonProgram): PythonDeployment[] {
  // Only calls that may deploy add to the result: without one, the platform objects do not matter.
  if (!hasKind(program, DEPLOYS)) return [];
  const units = unitDeploymentCalls.all(program);
  const out: PythonDeployment[] = [];
  // Variables bound to platform objects: `model = aiplatform.Model.upload(...)`, `est = HuggingFace(...)`.
  const typed = new Map<string, Platform>();
  const hasSagemaker = importsAny(program, ['sagemaker']);
  const hasVertex = importsAny(program, ['google.cloud.aiplatform', 'google.cloud.aiplatform_v1', 'google.cloud.aiplatform_v1beta1', 'vertexai', 'google_cloud_pipeline_components']);
  const hasAzure = importsAny(program, ['azure.ai.ml', 'azureml']);
  const hasZenml = importsAny(program, ['zenml']);
  const hasMlflow = importsAny(program, ['mlflow', 'mlflow_provider']);

  const platformOfReceiver = (rc: ResolvedCall): Platform | undefined => {
    const recv = receiverOf(rc.call.callee);
    if (!recv) return undefined;
    const head = recv.split(/[.([]/)[0];
    return typed.get(recv) ?? typed.get(head) ?? platformOfQualified(program.qualify(recv));
  };

  // Calls to functions the notebook defines itself are not platform APIs (`def deploy_model(...)`).
  const ownFunctions = new Set<string>();
  for (const u of program.units) for (const f of u.facts.functions) ownFunctions.add(f.name);

  for (let i = 0; i < units.length; i++) {
    const unit = program.units[i];
    for (const c of units[i]) {
      const rc: ResolvedCall = { unit, call: c.call, qualified: c.qualified };
      const { call, qualified: q } = rc;
      const name = call.name;
      if (ownFunctions.has(call.callee)) continue;
      // Every branch deploys only calls `mayDeploy` lets through: the others may only hold a platform object.
      if (c.deploys) {
        const add = (platform: Platform, extra: Partial<PythonDeployment> = {}): void => {
          const source = unit.text.slice(call.calleeSpan.start, call.calleeSpan.end).replace(/\s+/g, '');
          const what = `${source.length <= 60 ? source : call.callee.replace(/\(\)/g, '(...)')}(...)`;
          out.push({ unit, span: call.calleeSpan, platform, what, monitored: false, call: rc, ...extra });
        };
        const deployPlatform = name === 'deploy' ? (platformOfReceiver(rc) ?? guessDeployPlatform(rc, hasSagemaker, hasVertex)) : undefined;

        // Azure ML SDK v2 deployment entities.
        if (AZURE_ONLINE.test(name) && (hasAzure || /^azure\.ai\.ml/.test(q))) {
          add('azureml-online', { monitored: truthy(kwarg(rc, 'data_collector')) || kwarg(rc, 'app_insights_enabled')?.text === 'True' });
        } else if (AZURE_BATCH.test(name) && (hasAzure || /^azure\.ai\.ml/.test(q))) {
          add('azureml-batch');
        } else if (name === 'deploy' && /^azureml\.core(\.model)?\.Model\.deploy$/.test(q)) {
          // SDK v1: Model.deploy(ws, name, models, inference_config, deployment_config).
          add('azureml');
        } else if (deployPlatform) {
          if (deployPlatform === 'sagemaker') add('sagemaker', { monitored: truthy(kwarg(rc, 'data_capture_config')) });
          else if (deployPlatform === 'vertex') add('vertex');
          else if (deployPlatform === 'mlflow') add('mlflow');
        } else if (/^mlflow\.(sagemaker|azureml)\.deploy$/.test(q)) {
          add('mlflow');
        } else if (name === 'create_deployment' && (platformOfReceiver(rc) === 'mlflow' || (hasMlflow && !hasAzure))) {
          add('mlflow', { monitored: truthy(kwarg(rc, 'data_capture_config')) });
        } else if (name === 'CreateDeploymentOperator' && (hasMlflow || /^mlflow_provider\./.test(q))) {
          add('mlflow');
        } else if (name === 'create_endpoint' && platformOfReceiver(rc) === 'mlflow') {
          add('mlflow', { endpointOnly: true });
        } else if (/^(google\.cloud\.)?aiplatform\.(Endpoint|PrivateEndpoint)\.create$/.test(q) || (/^(Endpoint|PrivateEndpoint)\.create$/.test(call.callee) && hasVertex)) {
          add('vertex', { endpointOnly: true, monitored: kwarg(rc, 'enable_request_response_logging')?.text === 'True' });
        } else if (name === 'deploy_model' && (hasZenml || /model_deployer/.test(call.callee))) {
          add('pipeline');
        } else if (name === 'deploy_model' && (hasVertex || platformOfReceiver(rc) === 'vertex')) {
          // GAPIC EndpointServiceClient.deploy_model(endpoint=..., deployed_model=...).
          add('vertex');
        } else if (name === 'create_endpoint' && (platformOfReceiver(rc) === 'vertex' || (hasVertex && rc.call.args.some((a) => a.name === 'endpoint' || a.name === 'parent')))) {
          add('vertex', { endpointOnly: true });
        } else if (name === 'ModelDeployOp' && hasVertex) {
          add('vertex');
        } else if (name === 'EndpointCreateOp' && hasVertex) {
          add('vertex', { endpointOnly: true });
        } else if (name === 'create_endpoint' && (platformOfReceiver(rc) === 'sagemaker' || isBotoSagemaker(rc, typed))) {
          add('sagemaker');
        } else if (/_model_deployer_step$/.test(name) || /(^|_)deploy(ment|ing)?_pipeline$/.test(call.callee.split(/[.(]/)[0])) {
          // ZenML deployer steps and deployment pipelines run from a notebook or a DAG.
          add('pipeline');
        } else if (/^bentoml\.(deployment\.(create|update)|Service|service)$/.test(q)) {
          add('serving');
        } else if (/^kserve\..*V1beta1InferenceService$/.test(q) || name === 'V1beta1InferenceService') {
          add('serving', { monitored: rc.call.args.some((a) => a.text.includes('logger')) });
        }
      }

      // Remember what platform objects variables hold.
      if (call.assignedTo?.length === 1) {
        const target = call.assignedTo[0];
        const p =
          platformOfQualified(q) ??
          platformOfReceiver(rc) ??
          (q === 'boto3.client' && call.args[0]?.str === 'sagemaker' ? 'sagemaker' : undefined) ??
          (/^(Model|Endpoint|CustomTrainingJob|CustomContainerTrainingJob|AutoML\w*Job)(\.|$)/.test(call.callee) && hasVertex && !hasSagemaker ? 'vertex' : undefined);
        if (p) typed.set(target, p);
      }
    }
  }
  return dedupe(out);
}

function isBotoSagemaker(rc: ResolvedCall, typed: Map<string, Platform>): boolean {
  const recv = receiverOf(rc.call.callee);
  return !!recv && (typed.get(recv) === 'sagemaker' || /^boto3\.client\(\)$/.test(recv));
}

/** A `.deploy(...)` whose receiver is unknown: tell the platform by its keyword arguments. */
function guessDeployPlatform(rc: ResolvedCall, hasSagemaker: boolean, hasVertex: boolean): Platform | undefined {
  const kws = rc.call.args.map((a) => a.name).filter((n): n is string => !!n);
  const sm = kws.some((k) => SAGEMAKER_DEPLOY_KWARGS.has(k));
  const vx = kws.some((k) => VERTEX_DEPLOY_KWARGS.has(k));
  if (hasSagemaker && (sm || !hasVertex)) return 'sagemaker';
  if (hasVertex && (vx || !hasSagemaker)) return 'vertex';
  return undefined;
}

/** One finding per deployment: the same call in both branches of an `if` is one deployment. */
function dedupe(list: PythonDeployment[]): PythonDeployment[] {
  const seen = new Set<string>();
  const out: PythonDeployment[] = [];
  const anyModelDeploy = list.some((d) => !d.endpointOnly);
  for (const d of list) {
    if (d.endpointOnly && anyModelDeploy) continue;
    const key = `${d.unit.cell ?? ''}|${d.platform}|${d.call?.call.callee}|${d.call?.call.assignedTo?.join(',') ?? ''}`;
    // Pipelines: `deploy_pipeline.with_options(...)(...)` holds two calls for one run.
    const pipelineKey = d.platform === 'pipeline' ? `${d.unit.cell ?? ''}|pipeline|${d.call?.call.callee.split(/[.(]/)[0]}` : undefined;
    if (seen.has(key) || (pipelineKey && seen.has(pipelineKey))) continue;
    seen.add(key);
    if (pipelineKey) seen.add(pipelineKey);
    out.push(d);
  }
  return out;
}

// --- monitoring hooks -------------------------------------------------------

const MONITORING_MODULES = [
  'evidently',
  'whylogs',
  'nannyml',
  'alibi_detect',
  'prometheus_client',
  'prometheus_fastapi_instrumentator',
  'azureml.ai.monitoring',
  'sagemaker.model_monitor',
  'google.cloud.aiplatform.model_monitoring',
  'google.cloud.aiplatform_v1.types.model_monitoring',
  'vertexai.resources.preview.ml_monitoring',
  'arize',
  'fiddler',
  'frouros',
  'deepchecks.monitoring',
];
const MONITORING_NAMES = /^(model_monitoring|ml_monitoring|model_monitor)$/;
const MONITORING_CALLS =
  /^(MonitorSchedule|MonitorDefinition|MonitoringTarget|AlertNotification|ModelMonitor|DefaultModelMonitor|ModelQualityMonitor|ModelBiasMonitor|ModelExplainabilityMonitor|create_monitoring_schedule|ModelDeploymentMonitoringJob|create_model_deployment_monitoring_job|ModelMonitoringAlertConfig|ObjectiveConfig|SkewDetectionConfig|DriftDetectionConfig|monitor)$/;
/** Data capture objects: they cover the deployments they are passed to (or, when passed to none we can see, every one). */
const CAPTURE_CALLS = /^(DataCollector|DeploymentCollection|DataCaptureConfig)$/;
const CAPTURE_KWARGS = new Set(['data_collector', 'data_capture_config']);
/** A Map, not an object: a keyword named `constructor` or `toString` is no hook. */
const MONITORING_KWARGS = new Map<string, 'true' | 'set'>([
  ['DataCaptureConfig', 'set'],
  ['app_insights_enabled', 'true'],
  ['enable_app_insights', 'true'],
  ['collect_model_data', 'true'],
  ['enable_request_response_logging', 'true'],
]);
const MONITORING_STRINGS = new Set(['data_collector', 'DataCaptureConfig', 'app_insights_enabled', 'enable_app_insights', 'collect_model_data', 'model_monitoring']);
/** Shell commands that set up monitoring: Azure ML monitor schedules, Vertex monitoring jobs. */
const MONITORING_SHELL = /\b(az\s+ml\s+schedule\s+create|gcloud\s+(beta\s+)?ai\s+model-monitoring-jobs\s+create|evidently\s+ui)\b/;

export interface Monitoring {
  /** A hook that covers every deployment of the file: a monitor, a monitoring library, a capture config. */
  fileWide?: MonitoringEvidence;
  /** Data capture objects built in the file (`DataCollector(...)`, `DataCaptureConfig(...)`). */
  capture?: MonitoringEvidence;
}

interface Evidence {
  span: Span;
  what: string;
}

/** One unit's monitoring calls: one that monitors everything (`fileWide`), and a data capture before it. */
interface UnitMonitoring {
  call?: Evidence;
  capture?: Evidence;
}

/** A monitoring library imported by one unit. */
const unitMonitoringImport = unitMemo((unit): Evidence | undefined => {
  for (const imp of unit.facts.imports) {
    const full = imp.name ? `${imp.module}.${imp.name}` : imp.module;
    if (MONITORING_MODULES.some((m) => full === m || full.startsWith(m + '.') || imp.module === m || imp.module.startsWith(m + '.')) || (imp.name && MONITORING_NAMES.test(imp.name))) {
      return { span: imp.span, what: `import of ${full}` };
    }
  }
  return undefined;
});

/** A string naming a hook, or a shell command that sets one up, in one unit. */
const unitMonitoringText = unitMemo((unit): Evidence | undefined => {
  for (const s of unit.facts.strings) if (MONITORING_STRINGS.has(s.value)) return { span: s.span, what: s.value };
  for (const m of unit.magics) if (MONITORING_SHELL.test(m.command)) return { span: { start: 0, end: 0 }, what: m.command.split('\n')[0] };
  return undefined;
});

const NO_MONITORING: UnitMonitoring = {};

const unitMonitoringCalls = qualifiedMemo((unit, qualify): UnitMonitoring => {
  const out: UnitMonitoring = {};
  for (const call of unit.facts.calls) {
    const qualified = qualify(call.callee);
    if (MONITORING_CALLS.test(call.name) && (call.name !== 'monitor' || /^bentoml\.monitor$/.test(qualified))) return { ...out, call: { span: call.calleeSpan, what: call.name } };
    if (/\.(model_monitoring|ml_monitoring)\./.test(qualified)) return { ...out, call: { span: call.calleeSpan, what: call.callee } };
    if (CAPTURE_CALLS.test(call.name)) out.capture ??= { span: call.calleeSpan, what: call.name };
    for (const a of call.args) {
      if (a.name && CAPTURE_KWARGS.has(a.name) && truthy(a)) out.capture ??= { span: a.span, what: `${a.name}=` };
      const want = a.name ? MONITORING_KWARGS.get(a.name) : undefined;
      if (!want) continue;
      if (want === 'true' ? a.text === 'True' : truthy(a)) return { ...out, call: { span: a.span, what: `${a.name}=` } };
    }
  }
  return out.capture ? out : NO_MONITORING;
});

/** Monitoring hooks in a program: a monitoring library, a model monitor, data capture. */
export function monitoringIn(program: PythonProgram): Monitoring {
  const units = program.units;
  const at = (i: number, e: Evidence): MonitoringEvidence => ({ unit: units[i], ...e });
  // By kind, in this order, each scan stopping at the first hit.
  for (let i = 0; i < units.length; i++) {
    const imp = units[i].facts.imports.length ? unitMonitoringImport.at(program, i) : undefined;
    if (imp) return { fileWide: at(i, imp) };
  }
  const found: Monitoring = {};
  for (let i = 0; i < units.length; i++) {
    const c = unitMonitoringCalls.at(program, i);
    if (c.capture) found.capture ??= at(i, c.capture);
    if (c.call) return { fileWide: at(i, c.call) };
  }
  for (let i = 0; i < units.length; i++) {
    const text = unitMonitoringText.at(program, i);
    if (text) return { fileWide: at(i, text) };
  }
  return found;
}

// --- serving from the shell ---------------------------------------------------

/** Shell commands that serve or deploy a model: `mlflow models serve`, TF Serving, BentoML, gcloud. */
export const SERVING_SHELL =
  /\b(mlflow\s+models\s+serve|mlflow\s+deployments\s+create|mlflow\s+sagemaker\s+deploy|bentoml\s+(serve|deploy)|tensorflow_model_server|docker\s+run\b[^\n;&|]*\btensorflow\/serving|gcloud\s+(beta\s+)?ai\s+endpoints\s+deploy-model|gcloud\s+ai-platform\s+versions\s+create)\b/;
