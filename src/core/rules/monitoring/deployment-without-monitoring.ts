import { isMap, isScalar, isSeq, type Document, type Node as YamlNode, type YAMLMap } from 'yaml';
import type { PythonProgram, PythonUnit } from '../../parse/program';
import { unitLocation } from '../../parse/program';
import { getNode, getPair, nodeRange, offsetsToRange, scalarString, type YamlFile } from '../../parse/yaml';
import { defineRule, type RuleContext } from '../../rule';
import type { Fix, Range } from '../../types';
import { monitoringIn, pythonDeployments, SERVING_SHELL, type Platform } from '../lib/deployment';
import { unitMemo } from '../lib/value-resolver';

const MESSAGE_BY_PLATFORM: Record<Platform, string> = {
  'azureml-online': 'azureOnline',
  'azureml-batch': 'azureBatch',
  azureml: 'serving',
  sagemaker: 'sagemaker',
  vertex: 'vertex',
  mlflow: 'serving',
  serving: 'serving',
  pipeline: 'serving',
};

const WHY = 'production inputs and predictions are not recorded, so drift and quality loss go unnoticed.';
const SHELL_CELL_MAGICS = new Set(['bash', 'sh', 'script', 'system']);
const SHELL_LINE_MAGICS = new Set(['sx', 'system', 'sh']);

// ---------------------------------------------------------------------------
// YAML: Azure ML deployments, KServe InferenceServices, Seldon deployments.

function isTrue(node: unknown): boolean {
  const v = scalarString(node);
  return v !== undefined && /^(true|yes|on|1)$/i.test(v.trim());
}

function hasKeyDeep(node: unknown, key: string, depth = 0): boolean {
  if (depth > 12) return false;
  if (isMap(node)) return node.items.some((p) => (isScalar(p.key) && String(p.key.value) === key) || hasKeyDeep(p.value, key, depth + 1));
  if (isSeq(node)) return node.items.some((it) => hasKeyDeep(it, key, depth + 1));
  return false;
}

function prometheusAnnotated(root: unknown): boolean {
  const ann = getNode(root, ['metadata', 'annotations']);
  if (!isMap(ann)) return false;
  return ann.items.some((p) => isScalar(p.key) && /prometheus/i.test(String(p.key.value)));
}

/** Indentation step of a YAML file: the column of the first nested key (2 when none). */
function indentStep(file: YamlFile, root: YAMLMap): number {
  for (const p of root.items) {
    if (isMap(p.value) && p.value.items.length && isScalar(p.key) && p.key.range && p.value.items[0].key && (p.value.items[0].key as YamlNode).range) {
      const keyCol = file.lineCounter.linePos(p.key.range[0]).col;
      const childCol = file.lineCounter.linePos((p.value.items[0].key as YamlNode).range![0]).col;
      if (childCol > keyCol) return childCol - keyCol;
    }
  }
  return 2;
}

/** An edit that appends a `data_collector:` block to the deployment's root mapping. */
function dataCollectorFix(file: YamlFile, root: YAMLMap): Fix | undefined {
  const last = root.items[root.items.length - 1];
  const lastNode = (last?.value ?? last?.key) as YamlNode | undefined;
  const end = lastNode?.range?.[1];
  if (end === undefined || !isScalar(last.key) || !last.key.range) return undefined;
  const col = file.lineCounter.linePos(last.key.range[0]).col - 1;
  const step = indentStep(file, root);
  const pad = (n: number): string => ' '.repeat(col + n * step);
  const block = [
    `${pad(0)}data_collector:`,
    `${pad(1)}collections:`,
    `${pad(2)}model_inputs:`,
    `${pad(3)}enabled: 'True'`,
    `${pad(2)}model_outputs:`,
    `${pad(3)}enabled: 'True'`,
  ].join('\n');
  const text = file.text;
  let at: number;
  let newText: string;
  if (text[end - 1] === '\n') {
    at = end;
    newText = block + '\n';
  } else {
    const nl = text.indexOf('\n', end);
    if (nl < 0) {
      at = text.length;
      newText = '\n' + block + (text.endsWith('\n') ? '\n' : '');
    } else {
      at = nl + 1;
      newText = block + '\n';
    }
  }
  const r = offsetsToRange(file, at, at);
  return {
    title: 'Add a data_collector that records model inputs and outputs',
    safety: 'unsafe',
    edits: [{ range: r, newText }],
  };
}

function checkAzureDeployment(ctx: RuleContext, file: YamlFile, root: YAMLMap, schema: string): void {
  const schemaKey = getPair(root, ['$schema'])?.key as YamlNode | undefined;
  const location = { range: nodeRange(file, schemaKey) };
  if (isTrue(getNode(root, ['app_insights_enabled']))) return;
  const online = /onlineDeployment/i.test(schema);
  const collectorPair = getPair(root, ['data_collector']);
  if (collectorPair) {
    const collections = getNode(root, ['data_collector', 'collections']);
    const enabled = isMap(collections) && collections.items.some((p) => isTrue(getNode(p.value, ['enabled'])));
    if (enabled) return;
    ctx.report({ messageId: 'collectorDisabled', location: { range: nodeRange(file, collectorPair.key as YamlNode) } });
    return;
  }
  if (!online) {
    ctx.report({ messageId: 'azureBatchYaml', location });
    return;
  }
  const fix = dataCollectorFix(file, root);
  ctx.report({ messageId: 'azureOnlineYaml', location, fixes: fix ? [fix] : [] });
}

function checkYaml(ctx: RuleContext, file: YamlFile): void {
  for (const doc of file.docs as Document.Parsed[]) {
    if (doc.errors.length) continue;
    const root = doc.contents;
    if (!isMap(root)) continue;
    const schema = scalarString(getNode(root, ['$schema'])) ?? '';
    if (/azureml/i.test(schema) && /(online|batch)Deployment/i.test(schema)) {
      checkAzureDeployment(ctx, file, root, schema);
      continue;
    }
    const apiVersion = scalarString(getNode(root, ['apiVersion'])) ?? '';
    const kind = scalarString(getNode(root, ['kind'])) ?? '';
    const kindNode = getNode(root, ['kind']);
    const spec = getNode(root, ['spec']);
    if (apiVersion.startsWith('serving.kserve.io') && kind === 'InferenceService') {
      if (hasKeyDeep(spec, 'logger') || prometheusAnnotated(root)) continue;
      ctx.report({ messageId: 'kserve', location: { range: nodeRange(file, kindNode) } });
    } else if (apiVersion.startsWith('machinelearning.seldon.io') && kind === 'SeldonDeployment') {
      if (hasKeyDeep(spec, 'logger') || prometheusAnnotated(root) || hasKeyDeep(spec, 'prometheus.io/scrape')) continue;
      ctx.report({ messageId: 'seldon', location: { range: nodeRange(file, kindNode) } });
    }
  }
}

// ---------------------------------------------------------------------------
// Python: SDK deployments and serving commands.

/** Serving commands in shell escapes and `%%bash` cells, with the range of the command (cached per cell text). */
const shellServing = unitMemo((unit: PythonUnit): Array<{ range: Range; command: string }> => {
  const out: Array<{ range: Range; command: string }> = [];
  for (const m of unit.magics) {
    const shell = m.kind === 'shell' || (m.kind === 'cell' && SHELL_CELL_MAGICS.has(m.name)) || (m.kind === 'line' && SHELL_LINE_MAGICS.has(m.name));
    if (!shell || !SERVING_SHELL.test(m.command)) continue;
    const start = unit.lines.offsetAt(m.range.start);
    const end = unit.lines.offsetAt(m.range.end);
    const found = SERVING_SHELL.exec(unit.text.slice(start, end));
    if (!found) continue;
    out.push({ range: unit.lines.rangeOf(start + found.index, start + found.index + found[0].length), command: found[0] });
  }
  return out;
});

function checkPython(ctx: RuleContext, program: PythonProgram): void {
  const container = ctx.target === 'notebook' ? 'notebook' : 'file';
  const deployments = pythonDeployments(program);
  // Serving commands per unit (only units with magics have any).
  const units = program.units;
  let serving: Array<{ unit: PythonUnit; list: Array<{ range: Range; command: string }> }> | undefined;
  for (const unit of units) {
    if (unit.magics.length === 0) continue;
    const list = shellServing(unit);
    if (list.length) (serving ??= []).push({ unit, list });
  }
  // Nothing deploys: nothing to report, whatever monitors (the monitoring scan is skipped).
  if (deployments.length === 0 && !serving) return;
  const monitoring = monitoringIn(program);
  if (monitoring.fileWide) return;
  // A capture config passed to some deployment covers that one; built but passed to none we can see, it covers all.
  if (monitoring.capture && !deployments.some((d) => d.monitored)) return;
  for (const d of deployments) {
    if (d.monitored) continue;
    ctx.report({ messageId: MESSAGE_BY_PLATFORM[d.platform], data: { what: d.what, container }, location: unitLocation(d.unit, d.span) });
  }
  for (const { unit, list } of serving ?? []) {
    for (const s of list) {
      ctx.report({
        messageId: 'serving',
        data: { what: s.command, container },
        location: { cell: unit.cell, range: s.range },
      });
    }
  }
}

export default defineRule({
  meta: {
    id: 'deployment-without-monitoring',
    area: 'monitoring',
    defaultSeverity: 'warning',
    recommended: true,
    targets: ['notebook', 'python', 'yaml'],
    fixedId: true,
    messages: {
      azureOnline: '`{{what}}` creates an Azure ML online deployment, and nothing in this {{container}} monitors it: ' + WHY + ' Pass `data_collector=DataCollector(collections={"model_inputs": DeploymentCollection(enabled="true"), "model_outputs": DeploymentCollection(enabled="true")})` and schedule a model monitor.',
      azureBatch: '`{{what}}` creates an Azure ML batch deployment, and nothing in this {{container}} monitors it: ' + WHY + ' Schedule an Azure ML model monitor on the scored data, or run drift checks (Evidently, whylogs, NannyML) on each batch.',
      sagemaker: '`{{what}}` deploys a SageMaker endpoint, and nothing in this {{container}} monitors it: ' + WHY + ' Pass `data_capture_config=DataCaptureConfig(enable_capture=True, destination_s3_uri=...)` and schedule a `DefaultModelMonitor`.',
      vertex: '`{{what}}` deploys to a Vertex AI endpoint, and nothing in this {{container}} monitors it: ' + WHY + ' Create a `ModelDeploymentMonitoringJob` for the endpoint (skew/drift objectives), or enable request-response logging.',
      serving: '`{{what}}` deploys or serves a model, and nothing in this {{container}} monitors it: ' + WHY + ' Log requests and predictions and check them for drift and quality (the platform\'s model monitor, Evidently, whylogs, NannyML, or Prometheus metrics).',
      azureOnlineYaml: 'This Azure ML online deployment has no `data_collector` and no Application Insights: ' + WHY + ' Add a `data_collector` with `model_inputs`/`model_outputs` collections enabled and schedule a model monitor.',
      azureBatchYaml: 'This Azure ML batch deployment has no monitoring hook: ' + WHY + ' Schedule an Azure ML model monitor on the scored data, or run drift checks (Evidently, whylogs, NannyML) on each batch.',
      collectorDisabled: 'This `data_collector` enables no collection: production inputs and predictions are still not recorded. Set `enabled: \'True\'` on the `model_inputs` and `model_outputs` collections.',
      kserve: 'This InferenceService has no payload `logger` and no Prometheus scraping annotation: ' + WHY + ' Add `spec.predictor.logger` (mode: all, url: your log sink) and export metrics.',
      seldon: 'This SeldonDeployment has no request `logger` and no Prometheus annotation: ' + WHY + ' Add a `logger` to the graph (mode: all) and scrape its metrics.',
    },
    docs: {
      summary: 'A model is deployed (endpoint, online/batch deployment, serving manifest) with no monitoring hook.',
      whatItDoes:
        'Finds model deployments and reports each one when nothing in the same file sets up monitoring. Deployments: Azure ML online/batch deployment YAML (`managedOnlineDeployment`, `kubernetesOnlineDeployment`, `batchDeployment` schemas) and SDK entities (`ManagedOnlineDeployment(...)`, `KubernetesOnlineDeployment(...)`, `BatchDeployment(...)`, `ModelBatchDeployment(...)`, SDK v1 `Model.deploy`); SageMaker `model.deploy(...)`/`estimator.deploy(...)` and boto3 `create_endpoint`; Vertex AI `model.deploy(...)`, `endpoint.deploy(...)`, `aiplatform.Endpoint.create(...)` (when nothing is deployed to it in the file), GAPIC `deploy_model`, KFP `ModelDeployOp`; MLflow deployment clients (`create_deployment`), `mlflow.sagemaker.deploy`, the Airflow `CreateDeploymentOperator`; ZenML model deployers and deployment pipelines; KServe `InferenceService` and Seldon `SeldonDeployment` manifests; BentoML services; and `mlflow models serve`, `bentoml serve`, TF Serving and `gcloud ai endpoints deploy-model` in notebook shell commands. Monitoring hooks that silence it: an Azure ML `data_collector` with an enabled collection, Application Insights, a `MonitorSchedule`; SageMaker `data_capture_config` / `DataCaptureConfig`, `DefaultModelMonitor` and other model monitors; Vertex `ModelDeploymentMonitoringJob` / `model_monitoring` configs or request-response logging; a KServe/Seldon payload `logger` or Prometheus annotation; and any use of a monitoring library (Evidently, whylogs, NannyML, Alibi Detect, Arize, Fiddler, prometheus_client, `azureml-ai-monitoring`). A hook passed to one deployment call covers that deployment; a monitor or library anywhere in the file covers them all. Each deployment is reported once, at the deploying call or at the manifest\'s `$schema` / `kind`.',
      whyIsThisBad:
        'A deployed model meets data it was not trained on. Without captured inputs and predictions and a check that compares them with the training data, data drift, training/serving skew and silent quality loss go unnoticed until someone complains (ML Test Score, Monitor 1-7; Sculley et al. 2015: monitoring and testing of live systems). Monitoring is cheapest to add in the same change that creates the deployment.',
      example: {
        language: 'python',
        code:
          'from sagemaker.sklearn import SKLearnModel\n\nmodel = SKLearnModel(model_data="s3://bucket/model.tar.gz", role=role, entry_point="inference.py", framework_version="1.2-1")\npredictor = model.deploy(initial_instance_count=1, instance_type="ml.m5.large")\n',
      },
      useInstead: {
        language: 'python',
        code:
          'from sagemaker.model_monitor import DataCaptureConfig, DefaultModelMonitor\nfrom sagemaker.sklearn import SKLearnModel\n\ncapture = DataCaptureConfig(enable_capture=True, sampling_percentage=100, destination_s3_uri="s3://bucket/capture")\nmodel = SKLearnModel(model_data="s3://bucket/model.tar.gz", role=role, entry_point="inference.py", framework_version="1.2-1")\npredictor = model.deploy(initial_instance_count=1, instance_type="ml.m5.large", data_capture_config=capture)\n',
      },
      fixSafety:
        "For Azure ML online deployment YAML, an unsafe fix appends a `data_collector:` block that enables the `model_inputs` and `model_outputs` collections, indented like the rest of the file. It is unsafe because it changes the deployment (data is written to the workspace's blob storage, which costs money and may hold personal data). Other deployments have no automatic fix: the monitoring set-up (capture destination, baseline, schedule, alerts) needs decisions only you can make.",
      notebookBehavior:
        'The whole notebook counts as one file: a monitor set up in any cell covers deployments in every cell. Shell commands (`!mlflow models serve`, `%%bash` cells running `tensorflow_model_server`) are read as deployments too.',
      references: [
        'Breck et al. 2017, The ML Test Score, Monitor 1-7: https://research.google/pubs/the-ml-test-score-a-rubric-for-ml-production-readiness-and-technical-debt-reduction/',
        'Sculley et al. 2015, Hidden Technical Debt in Machine Learning Systems (monitoring and testing)',
        'Azure ML, collect production data from online endpoints: https://learn.microsoft.com/azure/machine-learning/how-to-collect-production-data',
        'Amazon SageMaker Model Monitor, data capture: https://docs.aws.amazon.com/sagemaker/latest/dg/model-monitor-data-capture.html',
        'Vertex AI Model Monitoring: https://cloud.google.com/vertex-ai/docs/model-monitoring/overview',
        'KServe inference logger: https://kserve.github.io/website/latest/modelserving/logger/logger/',
      ],
    },
  },
  check(ctx) {
    if (ctx.yaml) {
      if (ctx.configKind === 'azureml-deployment' || ctx.configKind === 'kserve' || ctx.configKind === 'seldon' || ctx.configKind === 'kubernetes' || /\b(InferenceService|SeldonDeployment)\b/.test(ctx.text)) checkYaml(ctx, ctx.yaml);
      return;
    }
    if (ctx.python) checkPython(ctx, ctx.python);
  },
});
