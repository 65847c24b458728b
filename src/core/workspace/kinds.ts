import { basename } from './fs';

export type FileKind = 'notebook' | 'python' | 'yaml' | 'other';

export type ConfigKind =
  | 'dvc-pipeline'
  | 'dvc-lock'
  | 'dvc-sidecar'
  | 'params'
  | 'github-workflow'
  | 'gitlab-ci'
  | 'azureml-deployment'
  | 'azureml-endpoint'
  | 'azureml-job'
  | 'azureml-component'
  | 'azureml-environment'
  | 'azureml-other'
  | 'kserve'
  | 'seldon'
  | 'kubernetes'
  | 'argo'
  | 'kfp'
  | 'conda'
  | 'mlproject'
  | 'kedro-catalog'
  | 'kedro-parameters'
  | 'kedro-credentials'
  | 'mlflow-recipe'
  | 'generic';

export function fileKind(p: string): FileKind {
  const b = basename(p);
  if (b.endsWith('.ipynb')) return 'notebook';
  if (b.endsWith('.py')) return 'python';
  if (/\.(ya?ml)$/i.test(b) || b.endsWith('.dvc') || b === 'MLproject' || b === 'dvc.lock') return 'yaml';
  return 'other';
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

/** Recognises a YAML file by its path first, then by content. */
export function classifyYaml(p: string, value: unknown): ConfigKind {
  const b = basename(p);
  if (b === 'dvc.yaml' || b === 'dvc.yml') return 'dvc-pipeline';
  if (b === 'dvc.lock') return 'dvc-lock';
  if (b.endsWith('.dvc')) return 'dvc-sidecar';
  if (/(^|\/)\.github\/workflows\/[^/]+\.ya?ml$/.test(p)) return 'github-workflow';
  if (b === '.gitlab-ci.yml' || b === '.gitlab-ci.yaml') return 'gitlab-ci';
  if (b === 'MLproject') return 'mlproject';
  if (/(^|\/)conf\/[^/]+\/(.*\/)?catalog[^/]*\.ya?ml$/.test(p) || /^catalog.*\.ya?ml$/.test(b) && /conf\//.test(p)) return 'kedro-catalog';
  if (/(^|\/)conf\/[^/]+\/(.*\/)?credentials[^/]*\.ya?ml$/.test(p)) return 'kedro-credentials';
  if (/(^|\/)conf\/[^/]+\/(.*\/)?parameters[^/]*\.ya?ml$/.test(p)) return 'kedro-parameters';
  if (!isRecord(value)) return b === 'params.yaml' || b === 'params.yml' ? 'params' : 'generic';
  const schema = typeof value.$schema === 'string' ? value.$schema : '';
  if (/azureml/i.test(schema)) {
    if (/(OnlineDeployment|batchDeployment|BatchDeployment|onlineDeployment)/.test(schema)) return 'azureml-deployment';
    if (/(OnlineEndpoint|BatchEndpoint|onlineEndpoint|batchEndpoint)/.test(schema)) return 'azureml-endpoint';
    if (/(Job|job)\.schema/.test(schema)) return 'azureml-job';
    if (/[Cc]omponent/.test(schema)) return 'azureml-component';
    if (/[Ee]nvironment/.test(schema)) return 'azureml-environment';
    return 'azureml-other';
  }
  const apiVersion = typeof value.apiVersion === 'string' ? value.apiVersion : '';
  if (apiVersion.startsWith('serving.kserve.io')) return 'kserve';
  if (apiVersion.startsWith('machinelearning.seldon.io') || apiVersion.startsWith('mlops.seldon.io')) return 'seldon';
  if (apiVersion.startsWith('argoproj.io')) return 'argo';
  if (apiVersion && typeof value.kind === 'string') return 'kubernetes';
  if (isRecord(value.pipelineSpec) || (isRecord(value.root) && isRecord(value.deploymentSpec)) || (isRecord(value.components) && isRecord(value.deploymentSpec))) return 'kfp';
  if (Array.isArray(value.dependencies) && (value.channels !== undefined || value.name !== undefined || b.includes('conda') || b.includes('env'))) return 'conda';
  if (b === 'recipe.yaml' || (typeof value.recipe === 'string' && isRecord(value.steps))) return 'mlflow-recipe';
  if (b === 'params.yaml' || b === 'params.yml') return 'params';
  return 'generic';
}
