// Typed views of pipeline and CI configs, shared by the rules that reason about a
// pipeline's structure (a deploy step with no evaluation before it, a training
// pipeline without a data-validation step, a CI workflow that never runs tests...).
// Each view is built from the YAML nodes (so rules can report exact ranges) or from
// the extracted Python facts; a kind the module does not know gets no view.
import { isMap, isScalar, isSeq, type Node as YamlNode, type YAMLMap } from 'yaml';
import { firstValue, getNode, nodeRange, parseYaml, type YamlFile } from '../../parse/yaml';
import type { Range } from '../../types';
import { dirname, joinPath } from '../../workspace/fs';
import { CI_KINDS, classifyYaml, type ConfigKind } from '../../workspace/kinds';
import type { WorkspaceIndex } from '../../workspace/workspace-index';
import { ciKindByPath } from './pipeline-ci';
import { commandRoles, DATA_WORD, keyOf, listOf, nameRoles, pairRange, resolveBareValidation, str, strings, type Pipeline, type PipelineStep } from './pipeline-roles';

export * from './pipeline-roles';
export * from './pipeline-ci';
export * from './pipeline-python';

const yamlPipelineCache = new WeakMap<YamlFile, Pipeline | null>();


// ---------------------------------------------------------------------------
// Pipelines declared in YAML: Azure ML pipeline jobs, KFP IR, Argo, MLflow Recipes.

function stepFromText(id: string, text: string, order: number): Omit<PipelineStep, 'range'> {
  const roles = nameRoles(id);
  commandRoles(text, roles);
  return { id, label: id, roles, needs: [], order, conditional: false, inputs: [], outputs: [], dataHint: true };
}

function azuremlPipeline(yaml: YamlFile): Pipeline | undefined {
  const root = yaml.docs[0]?.contents;
  if (!isMap(root) || str(root.get('type', true)) !== 'pipeline') return undefined;
  const jobs = root.get('jobs', true);
  if (!isMap(jobs)) return undefined;
  const steps: PipelineStep[] = [];
  const names = new Map<PipelineStep, string>();
  const conditions: Pipeline['conditions'] = [];
  jobs.items.forEach((pair, i) => {
    const id = keyOf(pair);
    const job = pair.value;
    if (!isMap(job)) return;
    const type = str(job.get('type', true));
    const component = str(job.get('component', true));
    const text = [str(job.get('command', true)), str(job.get('display_name', true))].join('\n');
    const s: PipelineStep = { ...stepFromText(id, text, i), range: pairRange(yaml, pair) };
    nameRoles(component.replace(/^.*[/:]/, '').replace(/\.ya?ml$/, '').replace(/@.*$/, ''), s.roles);
    nameRoles(str(job.get('display_name', true)), s.roles);
    if (type === 'automl' || type === 'sweep') s.roles.add('train');
    if (type === 'if_else' || job.has('condition')) conditions.push({ order: i, text: str(job.get('condition', true)) });
    const refs = strings(job.get('inputs', true)).join(' ');
    for (const m of refs.matchAll(/parent\.jobs\.([\w-]+)\.outputs/g)) s.needs.push(m[1]);
    names.set(s, [id, component, str(job.get('display_name', true))].join(' '));
    steps.push(s);
  });
  resolveBareValidation(steps, names);
  const first = root.items.find((p) => keyOf(p) === 'jobs');
  return { kind: 'azureml', name: str(root.get('display_name', true)) || str(root.get('name', true)) || 'pipeline', steps, conditions, range: first ? pairRange(yaml, first) : undefined };
}

function kfpPipeline(yaml: YamlFile): Pipeline | undefined {
  // The IR may be wrapped (`pipelineSpec:`) by the Vertex job format.
  const top: unknown = yaml.docs[0]?.contents;
  const wrapped = isMap(top) ? top.get('pipelineSpec', true) : undefined;
  const root = isMap(wrapped) ? wrapped : top;
  if (!isMap(root)) return undefined;
  const components = root.get('components', true);
  const executors = getNode(root, ['deploymentSpec', 'executors']);
  const steps: PipelineStep[] = [];
  const conditions: Pipeline['conditions'] = [];
  const visit = (dag: unknown, conditional: boolean, depth: number): void => {
    const tasks = getNode(dag, ['dag', 'tasks']);
    if (!isMap(tasks) || depth > 6) return;
    for (const pair of tasks.items) {
      const id = keyOf(pair);
      const task = pair.value;
      if (!isMap(task)) continue;
      const compName = str(getNode(task, ['componentRef', 'name']));
      const comp = isMap(components) ? components.get(compName, true) : undefined;
      const exec = isMap(executors) && isMap(comp) ? executors.get(str(comp.get('executorLabel', true)), true) : undefined;
      const cond = str(getNode(task, ['triggerPolicy', 'condition']));
      if (cond) conditions.push({ order: steps.length, text: cond });
      if (isMap(comp) && comp.has('dag')) {
        visit(comp, conditional || !!cond, depth + 1);
        continue;
      }
      const cmd = isMap(exec) ? strings(getNode(exec, ['container', 'command'])).concat(strings(getNode(exec, ['container', 'args']))).filter((x) => x.length < 200).join(' ') : '';
      const s: PipelineStep = { ...stepFromText(id, '', steps.length), range: pairRange(yaml, pair), conditional: conditional || !!cond };
      // Data flows in as artifacts, or as parameters named for data.
      const inputs = task.get('inputs', true);
      const params = isMap(inputs) ? inputs.get('parameters', true) : undefined;
      s.dataHint = isMap(inputs) && (inputs.has('artifacts') || (isMap(params) && params.items.some((p) => DATA_WORD.test(keyOf(p)))));
      nameRoles(compName.replace(/^comp-/, ''), s.roles);
      commandRoles(cmd, s.roles);
      s.needs = listOf(task.get('dependentTasks', true));
      steps.push(s);
    }
  };
  visit(root.get('root', true), false, 0);
  if (steps.length === 0) return undefined;
  const nameNode = getNode(root, ['pipelineInfo', 'name']);
  return { kind: 'kfp', name: str(nameNode) || 'pipeline', steps, conditions, range: nameNode ? nodeRange(yaml, nameNode) : steps[0].range };
}

function argoPipeline(yaml: YamlFile): Pipeline | undefined {
  const root = yaml.docs[0]?.contents;
  if (!isMap(root)) return undefined;
  const kind = str(root.get('kind', true));
  const spec = kind === 'CronWorkflow' ? getNode(root, ['spec', 'workflowSpec']) : root.get('spec', true);
  const templates = getNode(spec, ['templates']);
  if (!isSeq(templates)) return undefined;
  const byName = new Map<string, YAMLMap>();
  for (const t of templates.items) if (isMap(t)) byName.set(str(t.get('name', true)), t);
  const steps: PipelineStep[] = [];
  const conditions: Pipeline['conditions'] = [];
  const addTask = (task: unknown): void => {
    if (!isMap(task)) return;
    const id = str(task.get('name', true));
    const tpl = byName.get(str(task.get('template', true)));
    const cmd = tpl ? strings(tpl.get('container', true)).concat(strings(tpl.get('script', true))).filter((x) => x.length < 400).join(' ') : '';
    const when = str(task.get('when', true));
    if (when) conditions.push({ order: steps.length, text: when });
    const s: PipelineStep = { ...stepFromText(id, cmd, steps.length), range: nodeRange(yaml, task.get('name', true) as YamlNode), conditional: !!when };
    const args = task.get('arguments', true);
    s.dataHint = isMap(args) && (args.has('artifacts') || strings(args.get('parameters', true)).some((v) => DATA_WORD.test(v) && !/^\{\{/.test(v)));
    nameRoles(str(task.get('template', true)), s.roles);
    s.needs = listOf(task.get('dependencies', true));
    steps.push(s);
  };
  for (const t of byName.values()) {
    const tasks = getNode(t, ['dag', 'tasks']);
    if (isSeq(tasks)) for (const task of tasks.items) addTask(task);
    const st = t.get('steps', true);
    if (isSeq(st)) for (const group of st.items) (isSeq(group) ? group.items : [group]).forEach(addTask);
  }
  if (steps.length === 0) return undefined;
  const nameNode = getNode(root, ['metadata', 'name']) ?? getNode(root, ['metadata', 'generateName']);
  return { kind: 'argo', name: str(nameNode) || 'workflow', steps, conditions, range: nameNode ? nodeRange(yaml, nameNode) : steps[0].range, scheduled: kind === 'CronWorkflow' };
}

function mlflowRecipe(yaml: YamlFile): Pipeline | undefined {
  const root = yaml.docs[0]?.contents;
  const stepsNode = isMap(root) ? root.get('steps', true) : undefined;
  if (!isMap(stepsNode)) return undefined;
  // Recipes run their steps in a fixed order.
  const ORDER = ['ingest', 'split', 'transform', 'train', 'evaluate', 'register', 'ingest_scoring', 'predict'];
  const steps: PipelineStep[] = [];
  const conditions: Pipeline['conditions'] = [];
  for (const pair of stepsNode.items) {
    const id = keyOf(pair);
    const order = ORDER.indexOf(id) >= 0 ? ORDER.indexOf(id) : 100;
    const s: PipelineStep = { ...stepFromText(id, '', order), range: pairRange(yaml, pair) };
    if (id === 'evaluate' && isMap(pair.value) && pair.value.has('validation_criteria')) conditions.push({ order, text: 'validation_criteria' });
    steps.push(s);
  }
  steps.sort((a, b) => a.order - b.order);
  // `allow_non_validated_model: true` registers whatever the evaluation says.
  const register = stepsNode.get('register', true);
  const bypass = isMap(register) && str(register.get('allow_non_validated_model', true)) === 'true';
  // The evaluate step gates registration only through its `validation_criteria`.
  if (bypass || conditions.length === 0) for (const s of steps) s.roles.delete('evaluate');
  return { kind: 'mlflow-recipe', name: str(isMap(root) ? root.get('recipe', true) : '') || 'recipe', steps, conditions: bypass ? [] : conditions, range: pairRange(yaml, (root as YAMLMap).items.find((p) => keyOf(p) === 'steps')!) };
}

/** The pipeline a YAML file declares, or undefined when it declares none. */
export function yamlPipeline(yaml: YamlFile, kind: ConfigKind | undefined): Pipeline | undefined {
  const hit = yamlPipelineCache.get(yaml);
  if (hit !== undefined) return hit ?? undefined;
  let p: Pipeline | undefined;
  if (kind === 'azureml-job') p = azuremlPipeline(yaml);
  else if (kind === 'kfp') p = kfpPipeline(yaml);
  else if (kind === 'argo') p = argoPipeline(yaml);
  else if (kind === 'mlflow-recipe') p = mlflowRecipe(yaml);
  yamlPipelineCache.set(yaml, p ?? null);
  return p;
}

// ---------------------------------------------------------------------------
// Container images and environments.

export interface ImageRef {
  node: YamlNode;
  value: string;
  /** `image` for container images, `environment` for Azure ML environment references. */
  what: 'image' | 'environment';
}

export interface ParsedImage {
  /** Repository without tag or digest. */
  name: string;
  tag?: string;
  digest?: string;
}

const IMAGE_CHARS = /^[A-Za-z0-9][A-Za-z0-9._\-/:@]*$/;
const NOT_AN_IMAGE = /\.(png|jpe?g|gif|svg|webp|bmp|ico|tiff?|md|txt|ya?ml|json|py|sh)$/i;
const PLACEHOLDER = /placeholder|overridden|to-be-replaced|replace-me|changeme|your[-_]?(image|registry)/i;

/** Splits an image reference; undefined for values that are not one or are templated where the tag goes. */
export function parseImage(raw: string): ParsedImage | undefined {
  let v = raw.trim().replace(/^docker:\/\//, '');
  if (!v || /\s/.test(v) || NOT_AN_IMAGE.test(v) || PLACEHOLDER.test(v)) return undefined;
  // Templated registries (`{{acr}}.azurecr.io/x:latest`, `${REGISTRY}/x:1`) keep a literal tag we can judge.
  const templ = /\$\{\{[^}]*\}\}|\{\{[^}]*\}\}|\$\{[^}]*\}|\$\([^)]*\)|\$[A-Za-z_]\w*|<[^>]*>/g;
  const lastSlash = v.lastIndexOf('/');
  const tail = v.slice(lastSlash + 1);
  if (templ.test(tail)) {
    templ.lastIndex = 0;
    const m = /:([A-Za-z0-9._-]+)$/.exec(tail);
    if (!m || templ.test(m[1])) return undefined;
    templ.lastIndex = 0;
  }
  templ.lastIndex = 0;
  v = v.replace(templ, 'x');
  if (!IMAGE_CHARS.test(v)) return undefined;
  const at = v.indexOf('@');
  const digest = at >= 0 ? v.slice(at + 1) : undefined;
  const ref = at >= 0 ? v.slice(0, at) : v;
  const slash = ref.lastIndexOf('/');
  const colon = ref.lastIndexOf(':');
  const tag = colon > slash ? ref.slice(colon + 1) : undefined;
  const name = colon > slash ? ref.slice(0, colon) : ref;
  if (!name || name.endsWith('/')) return undefined;
  return { name, tag, digest };
}

/** `latest` or no tag, and no digest. */
export function floatingTag(img: ParsedImage): 'latest' | 'untagged' | undefined {
  if (img.digest) return undefined;
  if (img.tag === undefined) return img.name === 'scratch' ? undefined : 'untagged';
  return img.tag.toLowerCase() === 'latest' ? 'latest' : undefined;
}

const IMAGE_KEYS = new Set(['image', 'parent_image', 'base_image', 'container_image', 'docker_image']);
const K8S_LIKE: ReadonlySet<ConfigKind> = new Set(['kubernetes', 'kserve', 'seldon', 'argo', 'kfp', 'kfp-component', 'docker-compose', 'prefect-deployment', 'zenml-config', 'mlproject', 'azure-pipelines']);

function collectImages(node: unknown, out: ImageRef[], keys: ReadonlySet<string>, depth = 0): void {
  if (depth > 20) return;
  if (isSeq(node)) {
    for (const it of node.items) collectImages(it, out, keys, depth + 1);
    return;
  }
  if (!isMap(node)) return;
  for (const p of node.items) {
    const k = keyOf(p);
    if (keys.has(k) && isScalar(p.value) && typeof p.value.value === 'string') out.push({ node: p.value as YamlNode, value: p.value.value, what: 'image' });
    else if (k === 'image' && isMap(p.value) && isScalar(p.value.get('name', true))) out.push({ node: p.value.get('name', true) as YamlNode, value: str(p.value.get('name', true)), what: 'image' });
    else collectImages(p.value, out, keys, depth + 1);
  }
}

/** Azure ML environment references that float: `azureml:name@latest`, `.../labels/latest`. */
function azuremlEnvironments(node: unknown, out: ImageRef[], depth = 0): void {
  if (depth > 12) return;
  if (isSeq(node)) for (const it of node.items) azuremlEnvironments(it, out, depth + 1);
  if (!isMap(node)) return;
  for (const p of node.items) {
    if (keyOf(p) === 'environment' && isScalar(p.value) && typeof p.value.value === 'string') {
      if (/^azureml:[^:@\s]+@latest$|^azureml:\/\/registries\/[^/]+\/environments\/[^/]+\/labels\/latest$/i.test(p.value.value.trim())) out.push({ node: p.value as YamlNode, value: p.value.value, what: 'environment' });
    } else azuremlEnvironments(p.value, out, depth + 1);
  }
}

/** Container images (and floating Azure ML environments) a config runs. */
export function imageRefs(yaml: YamlFile, kind: ConfigKind | undefined): ImageRef[] {
  const out: ImageRef[] = [];
  for (const doc of yaml.docs) {
    if (doc.errors.length) continue;
    const root = doc.contents;
    if (!isMap(root)) continue;
    if (kind && (K8S_LIKE.has(kind) || kind.startsWith('azureml'))) collectImages(root, out, IMAGE_KEYS);
    if (kind?.startsWith('azureml')) azuremlEnvironments(root, out);
    if (kind === 'github-workflow') {
      const jobs = root.get('jobs', true);
      for (const p of isMap(jobs) ? jobs.items : []) {
        if (!isMap(p.value)) continue;
        const c = p.value.get('container', true);
        if (isScalar(c) && typeof c.value === 'string') out.push({ node: c as YamlNode, value: c.value, what: 'image' });
        else if (isMap(c)) collectImages(c, out, new Set(['image']));
        const services = p.value.get('services', true);
        if (isMap(services)) for (const s of services.items) if (isMap(s.value)) collectImages(s.value, out, new Set(['image']));
        const steps = p.value.get('steps', true);
        for (const s of isSeq(steps) ? steps.items : []) {
          const uses = isMap(s) ? s.get('uses', true) : undefined;
          if (isScalar(uses) && typeof uses.value === 'string' && uses.value.startsWith('docker://')) out.push({ node: uses as YamlNode, value: uses.value, what: 'image' });
        }
      }
    } else if (kind === 'gitlab-ci') {
      const visit = (n: unknown, depth: number): void => {
        if (!isMap(n) || depth > 2) return;
        for (const p of n.items) {
          const k = keyOf(p);
          if (k === 'image') {
            if (isScalar(p.value) && typeof p.value.value === 'string') out.push({ node: p.value as YamlNode, value: p.value.value, what: 'image' });
            else if (isMap(p.value) && isScalar(p.value.get('name', true))) out.push({ node: p.value.get('name', true) as YamlNode, value: str(p.value.get('name', true)), what: 'image' });
          } else if (k === 'services' && isSeq(p.value)) {
            for (const s of p.value.items) {
              const n2 = isMap(s) ? s.get('name', true) : s;
              if (isScalar(n2) && typeof n2.value === 'string') out.push({ node: n2 as YamlNode, value: n2.value, what: 'image' });
            }
          } else if (isMap(p.value)) visit(p.value, depth + 1);
        }
      };
      visit(root, 0);
    } else if (kind === 'cloud-build') {
      const steps = root.get('steps', true);
      for (const s of isSeq(steps) ? steps.items : []) {
        const n = isMap(s) ? s.get('name', true) : undefined;
        if (isScalar(n) && typeof n.value === 'string') out.push({ node: n as YamlNode, value: n.value, what: 'image' });
      }
    } else if (kind === 'generic') {
      // Unknown files: only explicit `:latest` tags or untagged references to a registry host.
      const found: ImageRef[] = [];
      collectImages(root, found, IMAGE_KEYS);
      for (const f of found) {
        const img = parseImage(f.value);
        if (!img) continue;
        if (img.tag?.toLowerCase() === 'latest' || (img.tag === undefined && !img.digest && /^[^/]*[.:][^/]*\//.test(img.name))) out.push(f);
      }
    }
  }
  // Templates were parsed with their placeholders masked: judge the text as written.
  if (yaml.templated) {
    for (const r of out) {
      const range = r.node.range;
      if (range) r.value = yaml.text.slice(range[0], range[1]).replace(/^(["'])(.*)\1$/s, '$2');
    }
  }
  return out;
}

// ---------------------------------------------------------------------------
// Small typed views of other kinds (MLproject, conda, Kedro catalog, Kubernetes serving).

export interface MlProject {
  name: string;
  entryPoints: Array<{ name: string; command: string; range: Range }>;
  image?: string;
}

export function mlProject(yaml: YamlFile): MlProject | undefined {
  const root = yaml.docs[0]?.contents;
  if (!isMap(root)) return undefined;
  const eps = root.get('entry_points', true);
  const entryPoints = isMap(eps) ? eps.items.map((p) => ({ name: keyOf(p), command: isMap(p.value) ? str(p.value.get('command', true)) : '', range: pairRange(yaml, p) })) : [];
  return { name: str(root.get('name', true)), entryPoints, image: str(getNode(root, ['docker_env', 'image'])) || undefined };
}

export interface CondaEnv {
  name: string;
  channels: string[];
  conda: string[];
  pip: string[];
}

export function condaEnv(yaml: YamlFile): CondaEnv | undefined {
  const root = yaml.docs[0]?.contents;
  if (!isMap(root)) return undefined;
  const deps = root.get('dependencies', true);
  if (!isSeq(deps)) return undefined;
  const conda: string[] = [];
  const pip: string[] = [];
  for (const d of deps.items) {
    if (isScalar(d)) conda.push(str(d));
    else if (isMap(d)) pip.push(...strings(d.get('pip', true)));
  }
  return { name: str(root.get('name', true)), channels: strings(root.get('channels', true)), conda, pip };
}

export interface KedroDataset {
  name: string;
  type: string;
  filepath?: string;
  versioned: boolean;
  range: Range;
}

export function kedroCatalog(yaml: YamlFile): KedroDataset[] {
  const root = yaml.docs[0]?.contents;
  if (!isMap(root)) return [];
  const out: KedroDataset[] = [];
  for (const p of root.items) {
    const name = keyOf(p);
    if (!name || name.startsWith('_') || !isMap(p.value)) continue;
    out.push({ name, type: str(p.value.get('type', true)), filepath: str(p.value.get('filepath', true)) || undefined, versioned: str(p.value.get('versioned', true)) === 'true', range: pairRange(yaml, p) });
  }
  return out;
}

/** A manifest that serves a model: KServe/Seldon resources, or a Kubernetes workload running a model server. */
export function servesModel(yaml: YamlFile, kind: ConfigKind | undefined): boolean {
  if (kind === 'kserve' || kind === 'seldon' || kind === 'azureml-deployment') return true;
  if (kind !== 'kubernetes') return false;
  return /\b(InferenceService|SeldonDeployment|ServingRuntime)\b|tensorflow\/serving|torchserve|tritonserver|mlflow models serve|bentoml serve|seldonio|kserve|vllm|text-generation-inference/i.test(yaml.text);
}

// ---------------------------------------------------------------------------
// Schedulers elsewhere in the workspace, by content (summaries kept per file by the
// workspace index, like the workflow summaries of lib/pipeline-ci.ts).

/** A file that runs something on a schedule: an Azure ML schedule, an Argo CronWorkflow, a CronJob, a Python scheduler. */
export interface ScheduleSummary {
  file: string;
  /** Workspace-relative files the scheduled job names (`create_job: ./pipeline.yml`, `python src/train.py`, entrypoints). */
  refs: string[];
  /** The scheduled job trains (its commands or step names say so). */
  trains: boolean;
  /** Python schedulers: the text, to match a pipeline by name. */
  text?: string;
}

const FILE_REF = /[\w${}./-]*[\w}]\.(?:ya?ml|py|ipynb|json)\b/g;
/** A cron expression (five or six fields) or a cron macro, as a whole scalar. */
const CRON = /^\s*(@(yearly|annually|monthly|weekly|daily|hourly|midnight)|([\d*?/,LW#-]+|[A-Z]{3}(-[A-Z]{3})?)(\s+([\d*?/,LW#-]+|[A-Z]{3}(-[A-Z]{3})?)){4,5})\s*$/i;
const SCHEDULE_KEY = /^(cron|cron_expression|cronExpression|schedule|schedules|schedule_interval|recurrence|trigger)$/;
/** Python calls that put a pipeline on a schedule. */
const PY_SCHEDULER = /\b(create_schedule|JobSchedule|CronTrigger|RecurrenceTrigger|CronSchedule|IntervalSchedule|RRuleSchedule|PipelineJobSchedule|cron_expression\s*=|schedule_interval\s*=|ScheduleExpression|put_rule)\b|\bschedule\s*=\s*(["'@]|timedelta|Schedule\(|CronSchedule|IntervalSchedule)|\bcron\s*=\s*["']/;

function hasSchedule(v: unknown, depth = 0): boolean {
  if (depth > 6 || typeof v !== 'object' || v === null) return false;
  for (const [k, x] of Array.isArray(v) ? v.map((x, i) => [String(i), x] as const) : Object.entries(v as Record<string, unknown>)) {
    if (SCHEDULE_KEY.test(k) && ((typeof x === 'string' && CRON.test(x)) || (typeof x === 'object' && x !== null && JSON.stringify(x).length < 2000 && /"(cron|expression|frequency|interval|cron_expression)"/.test(JSON.stringify(x))))) return true;
    if (hasSchedule(x, depth + 1)) return true;
  }
  return false;
}

function scalarsOf(v: unknown, out: string[] = [], depth = 0): string[] {
  if (depth > 10) return out;
  if (typeof v === 'string') out.push(v);
  else if (Array.isArray(v)) {
    // A container's `command: [python, train.py]` is one command line.
    if (v.length > 1 && v.every((x) => typeof x === 'string')) out.push(v.join(' '));
    else for (const x of v) scalarsOf(x, out, depth + 1);
  }
  else if (typeof v === 'object' && v !== null) for (const x of Object.values(v)) scalarsOf(x, out, depth + 1);
  return out;
}

function refsIn(file: string, texts: readonly string[]): string[] {
  const dir = dirname(file);
  const out = new Set<string>();
  for (const t of texts) for (const m of t.replace(/\b[a-z][\w+.-]*:\/\/\S*/gi, ' ').matchAll(FILE_REF)) if (!m[0].includes('$') && !m[0].includes('{')) out.add(joinPath(dir, m[0].replace(/^file:/, '')));
  return [...out];
}

/** A summary of a file that schedules something; undefined for any other file. CI workflows are summarised by `summariseWorkflow`. */
export function summariseSchedule(file: string, text: string): ScheduleSummary | undefined {
  if (/\.py$/.test(file)) {
    if (!PY_SCHEDULER.test(text)) return undefined;
    return { file, refs: refsIn(file, [text]), trains: false, text };
  }
  if (!/\.ya?ml$/i.test(file) || !/cron|schedul|recurrence/i.test(text)) return undefined;
  const yaml = parseYaml(text);
  if (yaml.errors.length) return undefined;
  const value = firstValue(yaml);
  const kind = classifyYaml(file, value);
  if (CI_KINDS.has(kind) || typeof value !== 'object' || value === null) return undefined;
  const root = value as Record<string, unknown>;
  const scheduler =
    kind === 'azureml-schedule' || (kind === 'argo' && root.kind === 'CronWorkflow') || (kind === 'kubernetes' && root.kind === 'CronJob') || hasSchedule(value);
  if (!scheduler) return undefined;
  const texts = scalarsOf(value);
  const pipeline = kind === 'argo' ? yamlPipeline(yaml, kind) : undefined;
  const trains = commandRoles(texts.filter((t) => t.length < 2000).join('\n')).has('train') || (pipeline?.steps.some((s) => s.roles.has('train')) ?? false);
  return { file, refs: refsIn(file, texts), trains };
}

/** The schedule summary of a file, as the workspace index keeps it. */
export function scheduleSummary(ws: WorkspaceIndex, file: string): Promise<ScheduleSummary | undefined> {
  return ws.fileSummary(file, 'schedule', (text) => summariseSchedule(file, text));
}

/** Schedulers among the workspace's YAML and Python files (CI workflows aside) under `root`, but `except`. */
export async function workspaceSchedules(ws: WorkspaceIndex, except?: string, root = ''): Promise<ScheduleSummary[]> {
  const files = ws.files().filter((f) => f !== except && (root === '' || f.startsWith(root + '/')) && (/\.py$/.test(f) || (/\.ya?ml$/i.test(f) && ciKindByPath(f) === undefined && !/(^|\/)(dvc\.ya?ml|params\.ya?ml)$/.test(f))));
  const all = await Promise.all(files.map((f) => scheduleSummary(ws, f)));
  return all.filter((s): s is ScheduleSummary => s !== undefined);
}
