import { basename } from './fs';

export type FileKind = 'notebook' | 'python' | 'yaml' | 'requirements' | 'other';

export type ConfigKind =
  | 'dvc-pipeline'
  | 'dvc-lock'
  | 'dvc-sidecar'
  | 'params'
  | 'github-workflow'
  | 'gitlab-ci'
  | 'azure-pipelines'
  | 'cloud-build'
  | 'azureml-deployment'
  | 'azureml-endpoint'
  | 'azureml-job'
  | 'azureml-component'
  | 'azureml-environment'
  | 'azureml-schedule'
  | 'azureml-model'
  | 'azureml-other'
  | 'kserve'
  | 'seldon'
  | 'kubernetes'
  | 'argo'
  | 'kfp'
  | 'kfp-component'
  | 'docker-compose'
  | 'conda'
  | 'mlproject'
  | 'kedro-catalog'
  | 'kedro-parameters'
  | 'kedro-credentials'
  | 'mlflow-recipe'
  | 'zenml-config'
  | 'prefect-deployment'
  | 'generic';

/** Kinds that describe CI/CD workflows (jobs of shell steps run on a trigger). */
export const CI_KINDS: ReadonlySet<ConfigKind> = new Set(['github-workflow', 'gitlab-ci', 'azure-pipelines', 'cloud-build']);

/**
 * pip requirements and constraints files, by name: `requirements.txt`,
 * `requirements-dev.txt`, `dev-requirements.txt`, `test-requirements-py3.txt`,
 * `requirements/base.txt`, `constraints.txt`, `constraints/ci.txt` (the names the
 * Python extension gives the `pip-requirements` language). `requirements.in`, the
 * loose input of pip-compile, is not one: it is meant to be unpinned.
 */
export function isRequirementsFile(p: string): boolean {
  const b = basename(p);
  if (!/\.txt$/i.test(b)) return false;
  return /^(requirements|constraints)[^/]*\.txt$/i.test(b) || /[-_.](requirements|constraints)([-_.][^/]*)?\.txt$/i.test(b) || /(^|\/)(requirements|constraints)\/[^/]+$/i.test(p);
}

export function fileKind(p: string): FileKind {
  const b = basename(p);
  if (b.endsWith('.ipynb')) return 'notebook';
  if (b.endsWith('.py')) return 'python';
  if (/\.(ya?ml)$/i.test(b) || b.endsWith('.dvc') || b === 'MLproject' || b === 'dvc.lock') return 'yaml';
  if (isRequirementsFile(p)) return 'requirements';
  return 'other';
}

/** A glob over every requirements file (a superset: `isRequirementsFile` decides), for editor document selectors. */
export const REQUIREMENTS_GLOB = '**/{*requirements*.txt,*constraints*.txt,requirements/*.txt,constraints/*.txt}';

/** The top-level Makefiles `make` reads, in its own order of preference. */
export const MAKEFILES: readonly string[] = ['GNUmakefile', 'makefile', 'Makefile'];

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

function records(v: unknown): Array<Record<string, unknown>> {
  return Array.isArray(v) ? v.filter(isRecord) : isRecord(v) ? Object.values(v).filter(isRecord) : [];
}

/** `on:` + `jobs:` whose jobs run somewhere: a GitHub Actions workflow kept outside `.github/workflows` (a recipe, a template). */
function looksLikeGithubWorkflow(v: Record<string, unknown>): boolean {
  if (!('on' in v) && !('true' in v)) return false;
  const jobs = records(v.jobs);
  return jobs.length > 0 && jobs.every((j) => 'runs-on' in j || typeof j.uses === 'string');
}

/** Azure DevOps: `steps`/`jobs`/`stages` lists whose steps are `script`/`bash`/`task` items. */
function looksLikeAzurePipelines(v: Record<string, unknown>): boolean {
  const hasHead = 'trigger' in v || 'pr' in v || 'pool' in v || 'stages' in v || 'resources' in v;
  if (!hasHead) return false;
  const stepLists: unknown[] = [v.steps];
  for (const stage of Array.isArray(v.stages) ? v.stages : []) if (isRecord(stage)) for (const job of Array.isArray(stage.jobs) ? stage.jobs : []) if (isRecord(job)) stepLists.push(job.steps);
  for (const job of Array.isArray(v.jobs) ? v.jobs : []) if (isRecord(job)) stepLists.push(job.steps);
  return stepLists.some((s) => Array.isArray(s) && s.some((x) => isRecord(x) && ('script' in x || 'bash' in x || 'task' in x || 'pwsh' in x || 'powershell' in x)));
}

/** Cloud Build: `steps` whose items name a builder image and its args. */
function looksLikeCloudBuild(v: Record<string, unknown>): boolean {
  const steps = v.steps;
  return Array.isArray(steps) && steps.length > 0 && steps.every((s) => isRecord(s) && typeof s.name === 'string' && ('args' in s || 'entrypoint' in s || 'script' in s));
}

/** A v1 component spec (KFP `component.yaml`): `implementation.container.image`. */
function looksLikeKfpComponent(v: Record<string, unknown>): boolean {
  const impl = v.implementation;
  return isRecord(impl) && isRecord(impl.container) && ('name' in v || 'inputs' in v || 'outputs' in v);
}

/** Azure ML job YAML written without `$schema`. */
function looksLikeAzuremlJob(v: Record<string, unknown>): boolean {
  const compute = typeof v.compute === 'string' ? v.compute : '';
  const settings = isRecord(v.settings) ? v.settings : {};
  if (v.type === 'pipeline' && isRecord(v.jobs)) {
    if (typeof settings.default_compute === 'string') return true;
    return records(v.jobs).some((j) => typeof j.component === 'string' && /^(azureml:|file:)|\.ya?ml$/.test(j.component));
  }
  return typeof v.command === 'string' && 'environment' in v && /^azureml:/.test(compute);
}

const ZENML_STEP_KEYS = new Set(['enable_cache', 'step_operator', 'experiment_tracker', 'enable_step_logs', 'enable_artifact_metadata', 'parameters', 'settings', 'extra']);

/** A ZenML run configuration: `settings.docker`, per-step options, the Model Control Plane `model:`. */
function looksLikeZenmlConfig(v: Record<string, unknown>): boolean {
  const settings = isRecord(v.settings) ? v.settings : undefined;
  if (settings && (isRecord(settings.docker) || isRecord(settings.orchestrator) || Object.keys(settings).some((k) => /^(orchestrator|step_operator|experiment_tracker)\./.test(k)))) return true;
  const steps = isRecord(v.steps) ? v.steps : undefined;
  if (steps && Object.values(steps).some((s) => isRecord(s) && Object.keys(s).some((k) => ZENML_STEP_KEYS.has(k) && k !== 'parameters' && k !== 'settings'))) return true;
  return isRecord(v.model) && typeof v.model.name === 'string' && ('enable_cache' in v || 'run_name' in v || 'build' in v);
}

/** Recognises a YAML file by its path first, then by content. */
export function classifyYaml(p: string, value: unknown): ConfigKind {
  const b = basename(p);
  if (b === 'dvc.yaml' || b === 'dvc.yml') return 'dvc-pipeline';
  if (b === 'dvc.lock') return 'dvc-lock';
  if (b.endsWith('.dvc')) return 'dvc-sidecar';
  if (/(^|\/)\.github\/workflows\/[^/]+\.ya?ml$/.test(p)) return 'github-workflow';
  if (b === '.gitlab-ci.yml' || b === '.gitlab-ci.yaml' || /\.gitlab-ci\.ya?ml$/.test(b)) return 'gitlab-ci';
  if (/^azure-pipelines?([-_.][^/]*)?\.ya?ml$/.test(b)) return 'azure-pipelines';
  if (/^cloudbuild([-_.][^/]*)?\.ya?ml$/.test(b)) return 'cloud-build';
  if (/^(docker-)?compose([-_.][^/]*)?\.ya?ml$/.test(b)) return 'docker-compose';
  if (b === 'prefect.yaml' || b === 'prefect.yml') return 'prefect-deployment';
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
    if (/[Ss]chedule/.test(schema)) return 'azureml-schedule';
    if (/\/[Mm]odel\.schema/.test(schema)) return 'azureml-model';
    return 'azureml-other';
  }
  const apiVersion = typeof value.apiVersion === 'string' ? value.apiVersion : '';
  if (apiVersion.startsWith('serving.kserve.io')) return 'kserve';
  if (apiVersion.startsWith('machinelearning.seldon.io') || apiVersion.startsWith('mlops.seldon.io')) return 'seldon';
  if (apiVersion.startsWith('argoproj.io')) return 'argo';
  if (apiVersion && typeof value.kind === 'string') return 'kubernetes';
  if (isRecord(value.pipelineSpec) || (isRecord(value.root) && isRecord(value.deploymentSpec)) || (isRecord(value.components) && isRecord(value.deploymentSpec))) return 'kfp';
  if (looksLikeKfpComponent(value)) return 'kfp-component';
  if (Array.isArray(value.dependencies) && (value.channels !== undefined || value.name !== undefined || b.includes('conda') || b.includes('env'))) return 'conda';
  if (b === 'recipe.yaml' || (typeof value.recipe === 'string' && isRecord(value.steps))) return 'mlflow-recipe';
  if (b === 'params.yaml' || b === 'params.yml') return 'params';
  if (looksLikeGithubWorkflow(value)) return 'github-workflow';
  if (looksLikeAzurePipelines(value)) return 'azure-pipelines';
  if (looksLikeCloudBuild(value)) return 'cloud-build';
  if (looksLikeAzuremlJob(value)) return 'azureml-job';
  if (isRecord(value.trigger) && /^(cron|recurrence)$/.test(String(value.trigger.type)) && 'create_job' in value) return 'azureml-schedule';
  if (Array.isArray(value.deployments) && value.deployments.some((d) => isRecord(d) && typeof d.entrypoint === 'string')) return 'prefect-deployment';
  if (isRecord(value.services) && records(value.services).some((s) => typeof s.image === 'string' || 'build' in s) && Object.keys(value).every((k) => /^(version|services|volumes|networks|configs|secrets|name|x-.*)$/.test(k))) return 'docker-compose';
  if (looksLikeZenmlConfig(value)) return 'zenml-config';
  return 'generic';
}
