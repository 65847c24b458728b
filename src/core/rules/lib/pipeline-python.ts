// Typed views of pipelines declared in Python: Airflow, Prefect, ZenML, KFP / Vertex,
// Azure ML dsl, SageMaker Pipelines, Metaflow, Kedro, TFX.
import type { PythonProgram, PythonUnit, ResolvedCall } from '../../parse/program';
import type { FunctionFact, Span } from '../../parse/python';
import { DATA_STEP, DATA_WORD, nameRoles, resolveBareValidation, words, type Pipeline, type PipelineKind, type PipelineStep } from './pipeline-roles';
import { unitMemo } from './value-resolver';

const pythonPipelineCache = new WeakMap<PythonProgram, Pipeline[]>();

// ---------------------------------------------------------------------------
// Pipelines declared in Python: Airflow, Prefect, ZenML, KFP / Vertex, Azure ML dsl,
// SageMaker Pipelines, Metaflow, Kedro, TFX.

const FRAMEWORKS: Array<[PipelineKind, RegExp]> = [
  ['airflow', /^airflow(\.|$)/],
  ['prefect', /^prefect(\.|$)/],
  ['zenml', /^zenml(\.|$)/],
  ['metaflow', /^metaflow(\.|$)/],
  ['sagemaker', /^sagemaker\.workflow(\.|$)/],
  ['kedro', /^kedro\.pipeline(\.|$)/],
  ['tfx', /^tfx(\.|$)/],
  ['vertex', /^google_cloud_pipeline_components(\.|$)/],
  ['kfp', /^kfp(\.|$)/],
  ['azureml', /^azure\.ai\.ml\.dsl(\.|$)|^azure\.ai\.ml$/],
];

/** First segments of the modules FRAMEWORKS can match: an import of another root names no framework. */
const FRAMEWORK_ROOTS = new Set(['airflow', 'prefect', 'zenml', 'metaflow', 'sagemaker', 'kedro', 'tfx', 'google_cloud_pipeline_components', 'kfp', 'azure']);

/** Whether a unit imports from a module FRAMEWORKS may match (per unit, cached across runs). */
const unitFrameworkImport = unitMemo((unit): boolean => {
  for (const imp of unit.facts.imports) {
    const dot = imp.module.indexOf('.');
    if (FRAMEWORK_ROOTS.has(dot < 0 ? imp.module : imp.module.slice(0, dot))) return true;
  }
  return false;
});

/** The pipeline framework a Python program uses, from its imports. */
export function pythonFramework(program: PythonProgram): PipelineKind | undefined {
  // Every FRAMEWORKS pattern starts with a root module: most programs import none.
  if (!unitFrameworkImport.all(program).includes(true)) return undefined;
  const mods = program.imports().map(({ imp }) => (imp.name && imp.name !== '*' ? `${imp.module}.${imp.name}` : imp.module));
  for (const [kind, re] of FRAMEWORKS) if (mods.some((m) => re.test(m))) return kind;
  return undefined;
}

/** Decorator names above a function (`@dsl.pipeline(...)` -> `dsl.pipeline`). */
export function decoratorsOf(unit: PythonUnit, fn: FunctionFact): string[] {
  const before = unit.text.slice(Math.max(0, fn.span.start - 2000), fn.span.start).split('\n');
  before.pop(); // the `def` line's own indentation
  const defIndent = /^[ \t]*/.exec(unit.lines.lineText(unit.lines.positionAt(fn.span.start).line))?.[0].length ?? 0;
  const out: string[] = [];
  for (let i = before.length - 1; i >= 0; i--) {
    const line = before[i];
    const t = line.trim();
    const indent = /^[ \t]*/.exec(line)?.[0].length ?? 0;
    if (t.startsWith('@')) {
      out.push(t.slice(1).split('(')[0].trim());
      continue;
    }
    if (t === '') break;
    if (indent > defIndent || t.startsWith(')')) continue;
    break;
  }
  return out;
}

const PIPELINE_DECORATOR: Partial<Record<PipelineKind, RegExp>> = {
  airflow: /(^|\.)dag$/,
  prefect: /(^|\.)flow$/,
  zenml: /(^|\.)pipeline$/,
  kfp: /(^|\.)pipeline$/,
  vertex: /(^|\.)pipeline$/,
  azureml: /(^|\.)pipeline$/,
  tfx: /(^|\.)pipeline$/,
};
const STEP_DECORATOR = /(^|\.)(task|step|component|container_component|create_component_from_func|func_to_container_op|command_component)$/;
const METRIC_NAME = /(^|_)(metrics?|accuracy|acc|auc|roc_auc|f1|f1_score|precision|recall|rmse|mse|mae|r2|loss|score|scores|eval_results?|evaluation|is_promoted|promoted|passed|approved|blessing|model_blessing|should_deploy|deploy_decision|is_better|better)($|_)/i;
const CONDITION_CALL = /(^|\.)(Condition|If|Elif|ConditionStep|BranchPythonOperator|ShortCircuitOperator|BranchSQLOperator|branch|short_circuit|condition)$/;
/** Calls inside a pipeline body that are not steps. */
const NOT_STEP_CALL = /^(print|len|str|int|float|dict|list|range|enumerate|zip|isinstance|getattr|setattr|super|logger\.\w+|logging\.\w+|get_pipeline_context|get_step_context|Client|Schedule|chain|cross_downstream|dsl\.\w+|kfp\.dsl\.\w+|Input|Output|PipelineParameter|ParameterString|ParameterInteger|ParameterFloat|JsonGet|Join|datetime|timedelta|pendulum\.\w+|os\.\w+(\.\w+)*|Path|f|get_run_logger|\w*(Error|Exception|Warning))$/;
const SCHEDULE_KW = /^(schedule|schedule_interval|timetable|cron|interval|rrule|schedules|cron_expression)$/;

function argNames(rc: ResolvedCall): string[] {
  const out: string[] = [];
  for (const a of rc.call.args) {
    if (a.str !== undefined || a.kind === 'string') continue;
    for (const m of a.text.matchAll(/[A-Za-z_][\w.]*/g)) out.push(m[0].split('.')[0]);
    if (a.name) out.push(a.name);
  }
  return out;
}

function stepName(rc: ResolvedCall): string {
  const id = rc.call.args.find((a) => a.name === 'task_id' || a.name === 'name' || a.name === 'step_name' || a.name === 'display_name')?.str;
  return id ?? rc.call.name;
}

function pyStep(rc: ResolvedCall, order: number, extraName = ''): PipelineStep {
  const name = stepName(rc);
  const roles = nameRoles(rc.call.name);
  nameRoles(name, roles);
  if (extraName) nameRoles(extraName, roles);
  // `func=train_model` (Kedro `node`, `PythonOperator(python_callable=...)`).
  for (const a of rc.call.args) if (a.name === 'func' || a.name === 'python_callable' || (a.name === undefined && a.kind === 'identifier' && /^(node|Node)$/.test(rc.call.name))) nameRoles(a.text, roles);
  const inputs = argNames(rc);
  // A step fed with a metric (or a gate's verdict) is itself the gate.
  if (inputs.some((n) => METRIC_NAME.test(n)) && (roles.has('register') || roles.has('deploy'))) roles.add('evaluate');
  const dataHint = DATA_STEP.test(words(name)) || DATA_STEP.test(words(rc.call.name)) || rc.call.args.some((a) => a.name !== 'name' && a.name !== 'task_id' && DATA_WORD.test(`${a.name ?? ''} ${a.text}`));
  return { id: name, label: name === rc.call.name ? `${name}()` : `${rc.call.name}("${name}")`, roles, needs: [], order, conditional: false, inputs, outputs: rc.call.assignedTo ?? [], dataHint, unit: rc.unit, span: rc.call.calleeSpan };
}

const FIRST_OPERAND = /^[\w[\], ]*$/;
const LATER_OPERAND = /^[\w[\], ()]+$/;

/**
 * Adds a line's operators and operands (`segs`, from `String.split(/(>>|<<)/)`:
 * operands at even indexes, possibly empty) to a chain, from `from` or where the
 * chain goes on; false, with the chain as it was, when they cannot go on it. A
 * chain that waits for an operand takes the line's first (which may be empty,
 * before another operator); a complete one goes on only with an operator.
 */
function readOn(parts: string[], segs: readonly string[], from?: number): boolean {
  let j = from ?? 0;
  if (from === undefined && parts.length % 2 === 1) {
    // Complete: the line must start with an operator.
    if (segs[0].trim() !== '') return false;
    j = 1;
  }
  const at = parts.length;
  for (; j < segs.length; j++) {
    if (j % 2 === 1) {
      parts.push(segs[j]);
      continue;
    }
    const operand = segs[j].trim();
    // An operator at the end of the line: the chain waits for the next line.
    if (operand === '' && j === segs.length - 1 && j > 0) break;
    // An empty operand between two operators (`a >> >> b`, invalid Python) draws no edge but does not end the chain.
    if (operand !== '' && !LATER_OPERAND.test(operand)) {
      parts.length = at;
      return false;
    }
    parts.push(operand);
  }
  return true;
}

/**
 * The chains of Airflow dependencies in a text, `a >> [b, c] >> d()`: each as its
 * operands and operators in turn (`['a', '>>', '[b, c]', '>>', 'd()']`). A chain
 * may go on over lines where a line break sits next to an operator (black's style
 * inside parentheses: `extract\n>> transform\n>> load`); it ends at the last line
 * it is complete on, or at its last operand when an operator waits for the next
 * (`a >> b >>` while it is typed). The first operand holds names, commas, brackets and spaces
 * (or nothing, on a line that starts with an operator), the others parentheses
 * too. One pass over the lines: the pattern this replaces,
 * `^[ \t]*([\w[\], ]+(?:\s*(?:>>|<<)\s*[\w[\], ()]+)+)\s*$` (multiline), took
 * exponential time on spaced operators that fail at the end of a line.
 */
export function dependencyChains(text: string): string[][] {
  const out: string[][] = [];
  /** The chain being read, and how much of it was complete at the end of a line. */
  let parts: string[] = [];
  let complete = 0;
  const end = (): void => {
    // A chain left waiting after an operator (being typed) ends at its last operand.
    const n = parts.length % 2 === 0 ? parts.length - 1 : complete;
    if (n >= 3) out.push(parts.slice(0, n));
    parts = [];
    complete = 0;
  };
  for (const raw of text.split('\n')) {
    const line = raw.trim();
    if (line === '') continue;
    const segs = line.split(/(>>|<<)/);
    // The line goes on the chain read so far; when it cannot, it may start one of its own.
    if (parts.length > 0 && readOn(parts, segs)) {
      if (parts.length % 2 === 1) complete = parts.length;
      continue;
    }
    end();
    const first = segs[0].trim();
    // A line without an operator may be the first operand of a chain the next line goes on with.
    if (!FIRST_OPERAND.test(first)) continue;
    parts.push(first);
    if (readOn(parts, segs, 1)) {
      if (parts.length % 2 === 1) complete = parts.length;
    } else {
      parts = [];
    }
  }
  end();
  return out;
}

const CLASS_HEAD = /^class\s+(\w+)\s*\(/gm;
const COLON_AFTER = /\s*:/y;

/**
 * The first `class Name(... FlowSpec ...):` starting a line: where it starts, its
 * name and where that is. The bases are read up to the first `)`, as the pattern
 * `^class\s+(\w+)\s*\([^)]*FlowSpec[^)]*\)\s*:` read them (exported for tests; that
 * pattern took cubic time on many unclosed class lines).
 */
export function flowSpecClass(text: string): { index: number; name: string; nameStart: number } | undefined {
  if (!text.includes('FlowSpec')) return undefined;
  CLASS_HEAD.lastIndex = 0;
  for (let m = CLASS_HEAD.exec(text); m; m = CLASS_HEAD.exec(text)) {
    const open = m.index + m[0].length;
    const close = text.indexOf(')', open);
    // No `)` after this class line: none after a later one either.
    if (close < 0) return undefined;
    if (!text.slice(open, close).includes('FlowSpec')) continue;
    COLON_AFTER.lastIndex = close + 1;
    if (COLON_AFTER.test(text)) return { index: m.index, name: m[1], nameStart: m.index + m[0].indexOf(m[1], 5) };
  }
  return undefined;
}

/** Airflow edges: `a >> b >> c`, `[a, b] >> c`, `chain(a, b)`, `a.set_downstream(b)`. */
function airflowEdges(program: PythonProgram): Array<[string, string]> {
  const edges: Array<[string, string]> = [];
  for (const unit of program.units) {
    if (!unit.text.includes('>>') && !unit.text.includes('<<')) continue;
    for (const parts of dependencyChains(unit.text)) {
      for (let i = 0; i + 2 < parts.length; i += 2) {
        const left = parts[i].replace(/[[\]()]/g, '').split(',').map((x) => x.trim()).filter(Boolean);
        const right = parts[i + 2].replace(/[[\]()]/g, '').split(',').map((x) => x.trim()).filter(Boolean);
        for (const l of left) for (const r of right) edges.push(parts[i + 1] === '>>' ? [l, r] : [r, l]);
      }
    }
  }
  for (const rc of program.calls()) {
    if (rc.call.name === 'chain') {
      const names = rc.call.args.map((a) => a.text.replace(/\(\)$/, ''));
      for (let i = 0; i + 1 < names.length; i++) edges.push([names[i], names[i + 1]]);
    } else if (rc.call.name === 'set_downstream' || rc.call.name === 'set_upstream' || rc.call.name === 'after') {
      const self = rc.call.callee.slice(0, -rc.call.name.length - 1);
      for (const a of rc.call.args) edges.push(rc.call.name === 'set_downstream' ? [self, a.text] : [a.text, self]);
    }
  }
  return edges;
}

/** Orders steps by explicit edges where there are any (a topological rank), else keeps the text order. */
function orderByEdges(steps: PipelineStep[], edges: Array<[string, string]>): void {
  if (edges.length === 0) return;
  const key = (s: PipelineStep): string[] => [...s.outputs, s.id];
  const byName = new Map<string, PipelineStep>();
  for (const s of steps) for (const k of key(s)) byName.set(k, s);
  for (const [a, b] of edges) {
    const from = byName.get(a);
    const to = byName.get(b);
    if (from && to && from !== to) to.needs.push(from.id);
  }
  const rank = new Map<PipelineStep, number>();
  const byId = new Map(steps.map((s) => [s.id, s]));
  const visit = (s: PipelineStep, depth: number): number => {
    if (rank.has(s)) return rank.get(s)!;
    if (depth > 50) return 0;
    const r = Math.max(-1, ...s.needs.map((n) => (byId.get(n) ? visit(byId.get(n)!, depth + 1) : -1))) + 1;
    rank.set(s, r);
    return r;
  };
  for (const s of steps) s.order = visit(s, 0) * 1000 + s.order;
}

/** The decorators of each function of a unit, in `facts.functions` order (per unit, cached across runs). */
const unitDecorators = unitMemo((unit): readonly string[][] => unit.facts.functions.map((fn) => decoratorsOf(unit, fn)));

function functionsWith(program: PythonProgram, decorator: RegExp): Array<{ unit: PythonUnit; fn: FunctionFact }> {
  const out: Array<{ unit: PythonUnit; fn: FunctionFact }> = [];
  const all = unitDecorators.all(program);
  program.units.forEach((unit, u) => {
    const fns = unit.facts.functions;
    for (let k = 0; k < fns.length; k++) if (all[u][k].some((d) => decorator.test(d))) out.push({ unit, fn: fns[k] });
  });
  return out;
}

function inside(span: Span, outer: Span): boolean {
  return span.start >= outer.start && span.end <= outer.end;
}

function scheduleOf(calls: readonly ResolvedCall[], program: PythonProgram, kind: PipelineKind): boolean | undefined {
  let scheduled: boolean | undefined;
  for (const rc of calls) {
    const n = rc.call.name;
    if (/^(create_recurring_run|create_schedule|PipelineJobSchedule|Schedule|CronSchedule|IntervalSchedule|RecurrenceTrigger|CronTrigger|JobSchedule|serve|deploy|to_deployment|build_from_flow|DAG|dag|with_options)$/.test(n)) {
      for (const a of rc.call.args) {
        if (!a.name || !SCHEDULE_KW.test(a.name)) continue;
        if (a.text === 'None') scheduled ??= false;
        else scheduled = true;
      }
      if (/^(create_recurring_run|create_schedule|PipelineJobSchedule|CronSchedule|IntervalSchedule|RecurrenceTrigger|CronTrigger|JobSchedule)$/.test(n)) scheduled = true;
      if (n === 'Schedule' && kind === 'zenml') scheduled = true;
    }
  }
  if (kind === 'metaflow' && program.units.some((u) => /^[ \t]*@(schedule|trigger|trigger_on_finish)\b/m.test(u.text))) scheduled = true;
  return scheduled;
}

const RUNS_CALL = /^(run|submit|create_run_from_pipeline_func|create_run_from_pipeline_package|serve|deploy|start|upsert|create_or_update|begin_create_or_update)$/;

function pipelineRunsHere(program: PythonProgram, fnNames: ReadonlySet<string>, kind: PipelineKind): boolean {
  for (const rc of program.calls()) {
    if (fnNames.has(rc.call.callee) && !rc.call.inFunction) return true; // `training_pipeline()` at module level (ZenML)
    if (/(^|\.)PipelineJob$/.test(rc.qualified) || /^create_run_from_pipeline_(func|package)$/.test(rc.call.name)) return true;
    if (RUNS_CALL.test(rc.call.name) && (kind === 'prefect' || rc.call.args.some((a) => fnNames.has(a.text)) || /pipeline_job|PipelineJob|pipeline\b/.test(rc.call.callee))) return true;
  }
  return false;
}

/** Pipelines a Python file defines. */
export function pythonPipelines(program: PythonProgram): Pipeline[] {
  let hit = pythonPipelineCache.get(program);
  if (!hit) {
    hit = buildPythonPipelines(program);
    pythonPipelineCache.set(program, hit);
  }
  return hit;
}

function buildPythonPipelines(program: PythonProgram): Pipeline[] {
  const kind = pythonFramework(program);
  if (!kind) return [];
  // Units by their first position (what `indexOf` would say), looked up once each.
  const position = new Map<PythonUnit, number>();
  program.units.forEach((u, i) => {
    if (!position.has(u)) position.set(u, i);
  });
  const calls = [...program.calls()].sort((a, b) => (a.unit === b.unit ? a.call.span.start - b.call.span.start : position.get(a.unit)! - position.get(b.unit)!));
  const out: Pipeline[] = [];
  const ownSteps = new Set(functionsWith(program, STEP_DECORATOR).map((x) => x.fn.name));
  const decorated = PIPELINE_DECORATOR[kind] ? functionsWith(program, PIPELINE_DECORATOR[kind]!) : [];
  const fnNames = new Set(decorated.map((d) => d.fn.name));
  const scheduled = scheduleOf(calls, program, kind);
  const runsHere = pipelineRunsHere(program, fnNames, kind);

  const build = (name: string, unit: PythonUnit, span: Span, body: ResolvedCall[], edges: Array<[string, string]>): void => {
    const steps: PipelineStep[] = [];
    const conditions: Pipeline['conditions'] = [];
    for (const rc of body) {
      if (CONDITION_CALL.test(rc.call.name) || CONDITION_CALL.test(rc.qualified)) {
        conditions.push({ order: steps.length, text: rc.call.callee });
        continue;
      }
      if (rc.call.callee.includes('.') && !/Operator$|Sensor$|Step$|Op$|^(node|Node|pipeline)$/.test(rc.call.name) && !ownSteps.has(rc.call.name)) continue;
      if (NOT_STEP_CALL.test(rc.call.callee) || NOT_STEP_CALL.test(rc.qualified)) continue;
      steps.push(pyStep(rc, steps.length));
    }
    orderByEdges(steps, edges);
    const names = new Map(steps.map((s) => [s, s.id] as [PipelineStep, string]));
    resolveBareValidation(steps, names);
    out.push({ kind, name, steps, conditions, unit, span, scheduled, runsHere });
  };

  if (kind === 'kedro') {
    for (const rc of calls) {
      if (rc.call.name !== 'pipeline' && rc.call.name !== 'Pipeline') continue;
      const nodes = calls.filter((c) => /^(node|Node)$/.test(c.call.name) && c.unit === rc.unit && inside(c.call.span, rc.call.span));
      if (nodes.length === 0) continue;
      const fn = rc.call.inFunction ?? 'pipeline';
      const steps = nodes.map((n, i) => pyStep(n, i));
      resolveBareValidation(steps, new Map(steps.map((s) => [s, s.id] as [PipelineStep, string])));
      out.push({ kind, name: fn, steps, conditions: [], unit: rc.unit, span: rc.call.calleeSpan, scheduled, runsHere });
      break;
    }
    return out;
  }
  if (kind === 'metaflow') {
    for (const unit of program.units) {
      const cls = flowSpecClass(unit.text);
      if (!cls) continue;
      const steps: PipelineStep[] = [];
      for (const fn of unit.facts.functions) {
        if (fn.span.start < cls.index || !decoratorsOf(unit, fn).some((d) => /(^|\.)step$/.test(d))) continue;
        const body = unit.text.slice(fn.span.start, Math.min(fn.span.end, fn.span.start + 4000));
        steps.push({ id: fn.name, label: `step ${fn.name}`, roles: nameRoles(fn.name), needs: [], order: steps.length, conditional: false, inputs: [], outputs: [], dataHint: DATA_WORD.test(body), unit, span: fn.nameSpan });
      }
      resolveBareValidation(steps, new Map(steps.map((s) => [s, s.id] as [PipelineStep, string])));
      out.push({ kind, name: cls.name, steps, conditions: [], unit, span: { start: cls.nameStart, end: cls.nameStart + cls.name.length }, scheduled, runsHere });
    }
    return out;
  }
  if (kind === 'sagemaker' || kind === 'tfx') {
    const pipelineCall = calls.find((rc) => rc.call.name === 'Pipeline' && rc.call.args.some((a) => a.name === 'steps' || a.name === 'components'));
    const stepCalls = calls.filter((rc) => (kind === 'sagemaker' ? /(Step|^RegisterModel)$/.test(rc.call.name) : /^(ExampleGen|CsvExampleGen|ImportExampleGen|BigQueryExampleGen|StatisticsGen|SchemaGen|ExampleValidator|Transform|Trainer|Tuner|Evaluator|InfraValidator|Pusher|BulkInferrer)$/.test(rc.call.name)));
    if (stepCalls.length === 0) return out;
    const steps: PipelineStep[] = [];
    const conditions: Pipeline['conditions'] = [];
    // Steps listed in a ConditionStep's branches run only when its condition holds.
    const branchNames = new Set<string>();
    for (const rc of stepCalls) {
      if (rc.call.name !== 'ConditionStep') continue;
      for (const a of rc.call.args) if (a.name === 'if_steps' || a.name === 'else_steps') for (const m of a.text.matchAll(/[A-Za-z_]\w*/g)) branchNames.add(m[0]);
    }
    for (const rc of stepCalls) {
      const n = rc.call.name;
      if (n === 'ConditionStep') {
        conditions.push({ order: steps.length, text: n });
        continue;
      }
      const s = pyStep(rc, steps.length);
      if (/^(TrainingStep|TuningStep|Trainer|Tuner)$/.test(n)) s.roles.add('train');
      if (/^(ExampleValidator|SchemaGen|StatisticsGen)$/.test(n)) s.roles.add('validate');
      if (/^(Evaluator|InfraValidator)$/.test(n)) s.roles.add('evaluate');
      if (/^(RegisterModel|ModelStep|CreateModelStep)$/.test(n)) s.roles.add('register');
      if (n === 'Pusher') s.roles.add('deploy');
      if (/^(QualityCheckStep|ClarifyCheckStep)$/.test(n)) s.roles.add(rc.call.args.some((a) => /DataQuality|DataBias/.test(a.text)) ? 'validate' : 'evaluate');
      if (s.outputs.some((o) => branchNames.has(o))) s.conditional = true;
      steps.push(s);
    }
    if (kind === 'tfx' && steps.some((s) => s.roles.has('evaluate'))) conditions.push({ order: steps.findIndex((s) => s.roles.has('evaluate')), text: 'Evaluator blessing' });
    const at = pipelineCall ?? stepCalls[0];
    out.push({ kind, name: stepName(at), steps, conditions, unit: at.unit, span: at.call.calleeSpan, scheduled, runsHere });
    return out;
  }
  if (kind === 'airflow') {
    const edges = airflowEdges(program);
    const dagFns = decorated;
    const taskCalls = calls.filter((rc) => /(Operator|Sensor)$/.test(rc.call.name) || ownSteps.has(rc.call.callee));
    if (dagFns.length) {
      // TaskFlow: inside a `@dag` function every call of a task function is a task.
      for (const { unit, fn } of dagFns) build(fn.name, unit, fn.nameSpan, calls.filter((rc) => rc.unit === unit && inside(rc.call.span, fn.span) && rc.call.span.start > fn.nameSpan.end && (rc.call.inFunction === fn.name || /(Operator|Sensor)$/.test(rc.call.name))), edges);
    } else {
      const dag = calls.find((rc) => rc.call.name === 'DAG');
      if (dag && taskCalls.length) build(dag.call.args.find((a) => a.name === 'dag_id')?.str ?? dag.call.args[0]?.str ?? 'dag', dag.unit, dag.call.calleeSpan, taskCalls, edges);
    }
    for (const p of out) p.conditions.push(...calls.filter((rc) => /^(BranchPythonOperator|ShortCircuitOperator|BranchSQLOperator|BranchDateTimeOperator)$/.test(rc.call.name)).map((rc) => ({ order: 0, text: rc.call.name })));
    return out;
  }
  // Decorated pipeline functions: ZenML, Prefect, KFP, Vertex, Azure ML dsl.
  for (const { unit, fn } of decorated) {
    const body = calls.filter((rc) => rc.unit === unit && inside(rc.call.span, fn.span) && rc.call.span.start > fn.nameSpan.end && (rc.call.inFunction === fn.name || rc.call.inFunction === undefined));
    const edges: Array<[string, string]> = [];
    for (const rc of body) if (rc.call.name === 'after') edges.push(...rc.call.args.map((a) => [a.text, rc.call.callee.slice(0, -'.after'.length)] as [string, string]));
    build(fn.name, unit, fn.nameSpan, body.filter((rc) => rc.call.name !== 'after' && !/^(set_\w+|add_\w+|outputs|output)$/.test(rc.call.name)), edges);
  }
  return out;
}

