// Typed views of CI workflows: GitHub Actions, GitLab CI, Azure Pipelines, Cloud Build.
import { isMap, isScalar, isSeq, type Node as YamlNode, type YAMLMap } from 'yaml';
import { firstValue, nodeRange, parseYaml, type YamlFile } from '../../parse/yaml';
import type { Range } from '../../types';
import { basename, dirname } from '../../workspace/fs';
import { CI_KINDS, classifyYaml, type ConfigKind } from '../../workspace/kinds';
import type { WorkspaceIndex } from '../../workspace/workspace-index';
import { ACTION_APPROVAL, actionRoles, commandRoles, keyOf, listOf, nameRoles, pairRange, str, strings, unionRoles, type StepRole } from './pipeline-roles';

// ---------------------------------------------------------------------------
// CI workflows: GitHub Actions, GitLab CI, Azure Pipelines, Cloud Build.

export interface CiStep {
  index: number;
  name: string;
  /** Shell text the step runs (run/script/args, action inputs). */
  command: string;
  uses?: string;
  roles: Set<StepRole>;
  /** Where to point at the step: its name, else its command. */
  range: Range;
  condition?: string;
}

export interface CiJob {
  id: string;
  name: string;
  /** Range of the job's key (`deploy:`). */
  range: Range;
  /** The job's map node, for edits. */
  node: YAMLMap;
  keyNode: YamlNode;
  steps: CiStep[];
  /** Explicit dependencies (`needs`, `dependsOn`, stage order). */
  needs: string[];
  environment?: { name: string; range: Range };
  /** GitLab `when: manual`, an approval action or task before the work. */
  manual: boolean;
  roles: Set<StepRole>;
  condition?: string;
  /** GitLab stage, Azure stage. */
  stage?: string;
  /** Reusable workflow it calls (`uses: ./.github/workflows/test.yml`). */
  calls?: string;
  /** Text of the whole job (names, commands), for vocabulary checks. */
  text: string;
}

export interface CiTriggers {
  events: string[];
  /** A cron schedule is declared (`on.schedule`, Azure `schedules`, GitLab schedule rules). Undefined when the file cannot tell. */
  scheduled: boolean | undefined;
  /** Only people start it: `workflow_dispatch`, a release, a tag push, `trigger: none`. */
  manualOnly: boolean;
  /** Another system starts it: `workflow_run`, `repository_dispatch`, pipeline resources. */
  external: boolean;
  range?: Range;
  /**
   * Branch filters of the push and pull-request triggers (GitHub `branches:`, Azure
   * `trigger`/`pr` lists); an event without a filter (or with `branches-ignore`) is absent.
   */
  branches?: { push?: string[]; pull_request?: string[] };
  /** `push` with `tags:` and no branch filter: it never runs for a branch. */
  tagOnlyPush?: boolean;
  /** Workflows it runs after (`on: workflow_run: workflows: [...]`). */
  after?: string[];
}

export interface CiWorkflow {
  kind: 'github' | 'gitlab' | 'azure-pipelines' | 'cloud-build';
  name: string;
  jobs: CiJob[];
  triggers: CiTriggers;
  /** The `jobs:` map (GitHub) or the document root (GitLab), for edits. */
  jobsNode?: YAMLMap;
}

function githubTriggers(yaml: YamlFile, root: YAMLMap): CiTriggers {
  const pair = root.items.find((p) => keyOf(p) === 'on' || keyOf(p) === 'true');
  const on = pair?.value;
  const events: string[] = [];
  let tagOnlyPush = false;
  const branches: NonNullable<CiTriggers['branches']> = {};
  const after: string[] = [];
  if (isScalar(on)) events.push(str(on));
  else if (isSeq(on)) events.push(...on.items.map(str));
  else if (isMap(on)) {
    for (const p of on.items) {
      const e = keyOf(p);
      events.push(e);
      if (!isMap(p.value)) continue;
      if (e === 'push') {
        const keys = p.value.items.map(keyOf);
        tagOnlyPush = keys.includes('tags') && !keys.includes('branches') && !keys.includes('branches-ignore');
      }
      if (e === 'push' || e === 'pull_request' || e === 'pull_request_target') {
        const b = p.value.get('branches', true);
        if (b !== undefined && !p.value.has('branches-ignore')) branches[e === 'push' ? 'push' : 'pull_request'] = strings(b);
      }
      if (e === 'workflow_run') after.push(...strings(p.value.get('workflows', true)));
    }
  }
  const manual = new Set(['workflow_dispatch', 'release', 'workflow_call', 'repository_dispatch', 'registry_package', 'deployment']);
  const manualOnly = events.length > 0 && events.every((e) => manual.has(e) || (e === 'push' && tagOnlyPush) || e === 'create');
  return {
    events,
    scheduled: events.includes('schedule'),
    manualOnly,
    external: events.includes('workflow_run') || events.includes('repository_dispatch'),
    range: pair ? pairRange(yaml, pair) : undefined,
    branches,
    tagOnlyPush,
    after,
  };
}

function githubStep(yaml: YamlFile, node: unknown, index: number): CiStep | undefined {
  if (!isMap(node)) return undefined;
  const name = str(node.get('name', true));
  const run = str(node.get('run', true));
  const uses = str(node.get('uses', true)) || undefined;
  const withNode = node.get('with', true);
  const inputs = isMap(withNode) ? strings(withNode).join('\n') : '';
  const roles = nameRoles(name);
  commandRoles(run, roles);
  if (uses) {
    actionRoles(uses, roles);
    // Inline scripts of actions (`azure/cli` `inlineScript`, `script:` inputs) run commands too.
    commandRoles(inputs, roles);
  }
  const first = node.items[0];
  const namePair = node.items.find((p) => keyOf(p) === 'name');
  const at = namePair ? nodeRange(yaml, namePair.value as YamlNode) : first ? pairRange(yaml, first) : nodeRange(yaml, node);
  return { index, name, command: [run, inputs].filter(Boolean).join('\n'), uses, roles, range: at, condition: str(node.get('if', true)) || undefined };
}

function githubWorkflow(yaml: YamlFile): CiWorkflow | undefined {
  const root = yaml.docs[0]?.contents;
  if (!isMap(root)) return undefined;
  const jobsNode = root.get('jobs', true);
  if (!isMap(jobsNode)) return undefined;
  const jobs: CiJob[] = [];
  for (const pair of jobsNode.items) {
    const job = pair.value;
    if (!isMap(job)) continue;
    const id = keyOf(pair);
    const name = str(job.get('name', true)) || id;
    const stepsNode = job.get('steps', true);
    const steps = isSeq(stepsNode) ? stepsNode.items.map((s, i) => githubStep(yaml, s, i)).filter((s): s is CiStep => !!s) : [];
    const envNode = job.get('environment', true);
    const envName = isMap(envNode) ? str(envNode.get('name', true)) : str(envNode);
    const roles = nameRoles(id);
    nameRoles(name, roles);
    for (const s of steps) unionRoles(roles, s.roles);
    const calls = str(job.get('uses', true)) || undefined;
    if (calls) {
      actionRoles(calls.replace(/^\.\/\.github\/workflows\//, ''), roles);
      nameRoles(calls.replace(/^.*\//, '').replace(/\.ya?ml(@.*)?$/, ''), roles);
    }
    jobs.push({
      id,
      name,
      range: pairRange(yaml, pair),
      node: job,
      keyNode: pair.key as YamlNode,
      steps,
      needs: listOf(job.get('needs', true)),
      environment: envName ? { name: envName, range: nodeRange(yaml, envNode as YamlNode) } : undefined,
      manual: steps.some((s) => s.uses !== undefined && ACTION_APPROVAL.test(s.uses)),
      roles,
      condition: str(job.get('if', true)) || undefined,
      calls,
      text: [id, name, ...steps.map((s) => `${s.name}\n${s.command}\n${s.uses ?? ''}`), calls ?? ''].join('\n'),
    });
  }
  return { kind: 'github', name: str(root.get('name', true)), jobs, triggers: githubTriggers(yaml, root), jobsNode };
}

const GITLAB_RESERVED = new Set(['image', 'services', 'stages', 'types', 'before_script', 'after_script', 'variables', 'cache', 'include', 'workflow', 'default', 'spec']);

function gitlabWorkflow(yaml: YamlFile): CiWorkflow | undefined {
  const root = yaml.docs[0]?.contents;
  if (!isMap(root)) return undefined;
  const templates = new Map<string, YAMLMap>();
  for (const p of root.items) if (isMap(p.value)) templates.set(keyOf(p), p.value);
  const scriptOf = (job: YAMLMap, depth = 0): string[] => {
    const own = ['before_script', 'script', 'after_script'].flatMap((k) => strings(job.get(k, true)));
    if (depth > 4) return own;
    const ext = listOf(job.get('extends', true));
    return [...own, ...ext.flatMap((e) => (templates.get(e) ? scriptOf(templates.get(e)!, depth + 1) : []))];
  };
  const fileText = yaml.text;
  const scheduled = /\$CI_PIPELINE_SOURCE\s*==\s*["']schedule["']|^\s*-\s*schedules\s*$/m.test(fileText);
  const jobs: CiJob[] = [];
  for (const pair of root.items) {
    const id = keyOf(pair);
    const job = pair.value;
    if (!isMap(job) || GITLAB_RESERVED.has(id) || id.startsWith('.')) continue;
    if (!job.has('script') && !job.has('extends') && !job.has('trigger') && !job.has('stage')) continue;
    const scriptNode = job.get('script', true);
    const lines = scriptOf(job);
    const steps: CiStep[] = [];
    const items = isSeq(scriptNode) ? scriptNode.items : scriptNode ? [scriptNode] : [];
    items.forEach((it, i) => {
      const cmd = strings(it).join('\n');
      steps.push({ index: i, name: '', command: cmd, roles: commandRoles(cmd), range: nodeRange(yaml, it as YamlNode) });
    });
    const roles = nameRoles(id);
    const stage = str(job.get('stage', true)) || undefined;
    if (stage) nameRoles(stage, roles);
    commandRoles(lines.join('\n'), roles);
    const envNode = job.get('environment', true);
    const envName = isMap(envNode) ? str(envNode.get('name', true)) : str(envNode);
    const rulesText = strings(job.get('rules', true)).join('\n');
    const manual = str(job.get('when', true)) === 'manual' || /(^|\n)manual(\n|$)/.test(rulesText);
    jobs.push({
      id,
      name: id,
      range: pairRange(yaml, pair),
      node: job,
      keyNode: pair.key as YamlNode,
      steps,
      needs: listOf(job.get('needs', true)),
      environment: envName ? { name: envName, range: nodeRange(yaml, envNode as YamlNode) } : undefined,
      manual,
      roles,
      stage,
      text: [id, stage ?? '', ...lines].join('\n'),
    });
  }
  // Jobs of later stages wait for every job of the earlier ones.
  const stagesNode = root.get('stages', true);
  const stages = isSeq(stagesNode) ? stagesNode.items.map(str) : ['build', 'test', 'deploy'];
  const order = (j: CiJob): number => (j.stage === '.pre' ? -1 : j.stage === '.post' ? 1e6 : stages.indexOf(j.stage ?? 'test'));
  for (const j of jobs) if (j.needs.length === 0) j.needs = jobs.filter((o) => order(o) >= 0 && order(o) < order(j)).map((o) => o.id);
  return { kind: 'gitlab', name: '', jobs, triggers: { events: [], scheduled: scheduled || undefined, manualOnly: false, external: false }, jobsNode: root };
}

function azureSteps(yaml: YamlFile, job: YAMLMap): CiStep[] {
  const lists: unknown[] = [job.get('steps', true)];
  const strategy = job.get('strategy', true);
  if (isMap(strategy)) for (const s of strategy.items) if (isMap(s.value)) for (const phase of s.value.items) if (isMap(phase.value)) lists.push(phase.value.get('steps', true));
  const out: CiStep[] = [];
  for (const list of lists) {
    if (!isSeq(list)) continue;
    for (const it of list.items) {
      if (!isMap(it)) continue;
      const name = str(it.get('displayName', true)) || str(it.get('name', true));
      const task = str(it.get('task', true));
      const cmd = ['script', 'bash', 'pwsh', 'powershell'].map((k) => str(it.get(k, true))).join('\n') + '\n' + strings(it.get('inputs', true)).join('\n');
      const roles = nameRoles(name);
      commandRoles(cmd, roles);
      if (/deploy/i.test(task)) roles.add('deploy');
      const first = it.items[0];
      out.push({ index: out.length, name, command: cmd.trim(), uses: task || undefined, roles, range: first ? pairRange(yaml, first) : nodeRange(yaml, it) });
    }
  }
  return out;
}

function azurePipelines(yaml: YamlFile): CiWorkflow | undefined {
  const root = yaml.docs[0]?.contents;
  if (!isMap(root)) return undefined;
  const jobs: CiJob[] = [];
  const addJob = (node: unknown, stage: string | undefined, stageNeeds: string[]): void => {
    if (!isMap(node)) return;
    const first = node.items[0];
    const id = str(node.get('job', true)) || str(node.get('deployment', true)) || `job${jobs.length + 1}`;
    const name = str(node.get('displayName', true)) || id;
    const steps = azureSteps(yaml, node);
    const roles = nameRoles(id);
    nameRoles(name, roles);
    if (node.has('deployment')) roles.add('deploy');
    for (const s of steps) unionRoles(roles, s.roles);
    const envNode = node.get('environment', true);
    const envName = isMap(envNode) ? str(envNode.get('name', true)) : str(envNode);
    const pool = str(node.get('pool', true));
    jobs.push({
      id,
      name,
      range: first ? pairRange(yaml, first) : nodeRange(yaml, node),
      node,
      keyNode: (first?.key ?? node) as YamlNode,
      steps,
      needs: [...listOf(node.get('dependsOn', true)), ...stageNeeds],
      environment: envName ? { name: envName, range: nodeRange(yaml, envNode as YamlNode) } : undefined,
      manual: (pool === 'server' || pool === '') && steps.some((s) => /ManualValidation/i.test(s.uses ?? '')),
      roles,
      stage,
      condition: str(node.get('condition', true)) || undefined,
      text: [id, name, ...steps.map((s) => `${s.name}\n${s.command}\n${s.uses ?? ''}`)].join('\n'),
    });
  };
  const stagesNode = root.get('stages', true);
  if (isSeq(stagesNode)) {
    const stageJobs = new Map<string, string[]>();
    let previous: string | undefined;
    for (const st of stagesNode.items) {
      if (!isMap(st)) continue;
      const stage = str(st.get('stage', true));
      const dep = st.get('dependsOn', true);
      const deps = dep === undefined ? (previous ? [previous] : []) : listOf(dep);
      const needs = deps.flatMap((d) => stageJobs.get(d) ?? []);
      const before = jobs.length;
      const jl = st.get('jobs', true);
      if (isSeq(jl)) for (const j of jl.items) addJob(j, stage, needs);
      stageJobs.set(stage, jobs.slice(before).map((j) => j.id));
      previous = stage;
    }
  }
  const jl = root.get('jobs', true);
  if (isSeq(jl)) for (const j of jl.items) addJob(j, undefined, []);
  if (root.has('steps')) addJob(root, undefined, []);
  if (jobs.length === 0) return undefined;
  const trigger = root.get('trigger', true);
  const pr = root.get('pr', true);
  const off = (n: unknown): boolean => str(n) === 'none';
  const resources = root.get('resources', true);
  // `trigger: [main]`, `trigger: {branches: {include: [main]}}`; `trigger: main` is one branch.
  const branchList = (n: unknown): string[] | undefined => {
    if (isSeq(n) || (isScalar(n) && !off(n))) return strings(n);
    const include = isMap(n) ? n.get('branches', true) : undefined;
    return isMap(include) && include.has('include') ? strings(include.get('include', true)) : undefined;
  };
  const branches: NonNullable<CiTriggers['branches']> = {};
  const pushBranches = branchList(trigger);
  const prBranches = branchList(pr);
  if (pushBranches) branches.push = pushBranches;
  if (prBranches) branches.pull_request = prBranches;
  return {
    kind: 'azure-pipelines',
    name: str(root.get('name', true)),
    jobs,
    triggers: {
      events: [trigger !== undefined && !off(trigger) ? 'push' : '', pr !== undefined && !off(pr) ? 'pull_request' : ''].filter(Boolean),
      scheduled: root.has('schedules'),
      manualOnly: off(trigger) && (pr === undefined || off(pr)) && !root.has('schedules'),
      external: isMap(resources) && resources.has('pipelines'),
      branches,
    },
  };
}

function cloudBuild(yaml: YamlFile): CiWorkflow | undefined {
  const root = yaml.docs[0]?.contents;
  if (!isMap(root)) return undefined;
  const stepsNode = root.get('steps', true);
  if (!isSeq(stepsNode)) return undefined;
  const steps: CiStep[] = [];
  stepsNode.items.forEach((it, i) => {
    if (!isMap(it)) return;
    const name = str(it.get('id', true));
    const cmd = [str(it.get('entrypoint', true)), ...strings(it.get('args', true)), str(it.get('script', true))].join(' ');
    const image = str(it.get('name', true));
    const roles = nameRoles(name);
    commandRoles(cmd, roles);
    if (/cloud-builders\/docker$/.test(image) && /\bbuild\b/.test(cmd)) roles.add('build');
    const first = it.items[0];
    steps.push({ index: i, name, command: cmd, roles, range: first ? pairRange(yaml, first) : nodeRange(yaml, it) });
  });
  const roles = new Set<StepRole>();
  for (const s of steps) unionRoles(roles, s.roles);
  const first = root.items[0];
  return {
    kind: 'cloud-build',
    name: '',
    jobs: [{ id: 'build', name: 'build', range: pairRange(yaml, first), node: root, keyNode: first.key as YamlNode, steps, needs: [], manual: false, roles, text: steps.map((s) => `${s.name}\n${s.command}`).join('\n') }],
    triggers: { events: [], scheduled: undefined, manualOnly: false, external: false },
  };
}

// Several rules read the same view of a file: built once per parsed file (the engine
// parses afresh for every lint, so a cache keyed by the parse never goes stale).
const ciCache = new WeakMap<YamlFile, CiWorkflow | null>();

/** The CI view of a workflow file, or undefined for other kinds. */
export function ciWorkflow(yaml: YamlFile, kind: ConfigKind | undefined): CiWorkflow | undefined {
  const hit = ciCache.get(yaml);
  if (hit !== undefined) return hit ?? undefined;
  let wf: CiWorkflow | undefined;
  if (kind === 'github-workflow') wf = githubWorkflow(yaml);
  else if (kind === 'gitlab-ci') wf = gitlabWorkflow(yaml);
  else if (kind === 'azure-pipelines') wf = azurePipelines(yaml);
  else if (kind === 'cloud-build') wf = cloudBuild(yaml);
  ciCache.set(yaml, wf ?? null);
  return wf;
}

/** Jobs a job waits for, directly or through others. */
export function upstreamJobs(wf: CiWorkflow, job: CiJob): CiJob[] {
  const byId = new Map(wf.jobs.map((j) => [j.id, j]));
  const seen = new Set<string>();
  const stack = [...job.needs];
  while (stack.length) {
    const id = stack.pop()!;
    if (seen.has(id)) continue;
    seen.add(id);
    stack.push(...(byId.get(id)?.needs ?? []));
  }
  return wf.jobs.filter((j) => seen.has(j.id) && j !== job);
}


// ---------------------------------------------------------------------------
// Other workflow files of the workspace: what each runs and when, by content.
// Summaries are computed from a file's text the first time a rule asks, kept by the
// workspace index and dropped when the file changes, so judging "another workflow
// runs the tests" costs one parse per workflow file and version, not one per lint.

/** What a CI workflow file does, for rules that judge another file. */
export interface WorkflowSummary {
  file: string;
  kind: CiWorkflow['kind'];
  /** `name:` of the workflow, else the file name without extension. */
  name: string;
  /** A job runs tests or data validation (the roles `ci-without-tests` reads in its own jobs). */
  tests: boolean;
  /** A job runs `dvc repro` / `dvc exp run`: it validates when the DVC pipeline has a validation stage. */
  dvcRepro: boolean;
  /** A job trains a model. */
  trains: boolean;
  triggers: CiTriggers;
  /** Workflows it starts: local reusable workflows it calls, `gh workflow run <x>`. */
  starts: string[];
  /** What its jobs run, when it is scheduled (so a schedule can be matched to the file it runs). */
  scheduledText?: string;
}

/** The workflow file's name without folder and extension. */
export function workflowStem(file: string): string {
  return basename(file).replace(/\.ya?ml$/i, '');
}

/** A summary of a CI workflow's text; undefined for a file that is not one. */
export function summariseWorkflow(file: string, text: string): WorkflowSummary | undefined {
  const yaml = parseYaml(text);
  if (yaml.errors.length) return undefined;
  // Workflows beside a file are recognised by path: no need to build the plain value.
  const kind = ciKindByPath(file) ?? classifyYaml(file, firstValue(yaml));
  if (!CI_KINDS.has(kind)) return undefined;
  const wf = ciWorkflow(yaml, kind);
  if (!wf) return undefined;
  const triggers = { ...wf.triggers, events: [...wf.triggers.events] };
  // GitLab pipelines and Cloud Build triggers (set outside the file) and Azure Pipelines
  // without `trigger:` run on every push.
  if (wf.kind === 'gitlab' || wf.kind === 'cloud-build' || (wf.kind === 'azure-pipelines' && !/^trigger\s*:/m.test(text))) {
    if (!triggers.events.includes('push')) triggers.events.push('push');
  }
  const starts: string[] = [];
  for (const j of wf.jobs) {
    if (j.calls?.startsWith('./')) starts.push(workflowStem(j.calls.replace(/@.*$/, '')));
    for (const m of j.text.matchAll(/\bgh workflow run\s+("[^"]+"|'[^']+'|[^\s"']+)/g)) starts.push(m[1].replace(/^["']|["']$/g, '').replace(/\.ya?ml$/i, ''));
  }
  return {
    file,
    kind: wf.kind,
    name: wf.name || workflowStem(file),
    tests: wf.jobs.some((j) => j.roles.has('test') || j.roles.has('validate')),
    dvcRepro: wf.jobs.some((j) => /\bdvc (repro|exp run)\b/.test(j.text)),
    trains: wf.jobs.some((j) => j.roles.has('train')),
    triggers,
    starts,
    scheduledText: triggers.scheduled ? wf.jobs.map((j) => j.text).join('\n').slice(0, 20000) : undefined,
  };
}

/** The summary of a workflow file, as the workspace index keeps it. */
export function workflowSummary(ws: WorkspaceIndex, file: string): Promise<WorkflowSummary | undefined> {
  return ws.fileSummary(file, 'ci-workflow', (text) => summariseWorkflow(file, text));
}

/** CI kind of a file by its path alone (`.github/workflows/*.yml`, `.gitlab-ci.yml`...). */
export function ciKindByPath(file: string): ConfigKind | undefined {
  if (!/\.ya?ml$/i.test(file)) return undefined;
  const k = classifyYaml(file, undefined);
  return CI_KINDS.has(k) ? k : undefined;
}

/** Summaries of the other workflow files of the same CI kind in the file's folder. */
export async function workflowsBeside(ws: WorkspaceIndex, file: string): Promise<WorkflowSummary[]> {
  const kind = ciKindByPath(file);
  if (!kind) return [];
  const others = ws.filesIn(dirname(file)).filter((f) => f !== file && ciKindByPath(f) === kind);
  const all = await Promise.all(others.map((f) => workflowSummary(ws, f)));
  return all.filter((s): s is WorkflowSummary => s !== undefined);
}

/** Summaries of every CI workflow file of the workspace (recognised by path) under `root`, but `except`. */
export async function allWorkflows(ws: WorkspaceIndex, except?: string, root = ''): Promise<WorkflowSummary[]> {
  const files = ws.files().filter((f) => f !== except && (root === '' || f.startsWith(root + '/')) && ciKindByPath(f) !== undefined);
  const all = await Promise.all(files.map((f) => workflowSummary(ws, f)));
  return all.filter((s): s is WorkflowSummary => s !== undefined);
}

function globRegex(glob: string): RegExp | undefined {
  try {
    // GitHub filter patterns: `*` within a name, `**` across `/`, `[...]`, `+`, `?`.
    const src = glob
      .replace(/[.^${}()|\\]/g, '\\$&')
      .split('**')
      .map((part) => part.replace(/\*/g, '[^/]*'))
      .join('.*');
    return new RegExp(`^${src}$`);
  } catch {
    return undefined;
  }
}

function branchesOverlap(a: readonly string[], b: readonly string[]): boolean {
  return a.some((x) => b.some((y) => x === y || globRegex(x)?.test(y) === true || globRegex(y)?.test(x) === true));
}

/**
 * The branches a workflow's own runs come from: its push and pull-request filters;
 * undefined when it runs for any branch, or only on other events (a schedule, by hand,
 * a tag), whose code any branch's tests may have checked.
 */
export function branchesOf(t: CiTriggers): string[] | undefined {
  const own: string[] = [];
  const pushes = t.events.includes('push') && !t.tagOnlyPush;
  const prs = t.events.includes('pull_request') || t.events.includes('pull_request_target');
  if (pushes) {
    if (!t.branches?.push) return undefined;
    own.push(...t.branches.push);
  }
  if (prs) {
    if (!t.branches?.pull_request) return undefined;
    own.push(...t.branches.pull_request);
  }
  return own.length ? own : undefined;
}

/**
 * Whether a workflow runs for the code of `branches` (undefined: any branch): on push
 * (not tags only) or on pull requests, to an overlapping branch or without a filter.
 */
export function runsOnBranches(t: CiTriggers, branches: readonly string[] | undefined): boolean {
  const gates: Array<string[] | undefined> = [];
  if (t.events.includes('push') && !t.tagOnlyPush) gates.push(t.branches?.push);
  if (t.events.includes('pull_request') || t.events.includes('pull_request_target')) gates.push(t.branches?.pull_request);
  if (t.events.includes('merge_group')) gates.push(undefined);
  return gates.some((g) => g === undefined || branches === undefined || branchesOverlap(g, branches));
}
