import { isMap, isScalar, isSeq, type Node as YamlNode, type Pair } from 'yaml';
import type { PythonProgram, PythonUnit } from '../../parse/program';
import type { Span, StringFact } from '../../parse/python';
import { firstValue, getNode, getPair, nodeRange, offsetsToRange, type YamlFile } from '../../parse/yaml';
import { defineRule, type ReportDescriptor, type RuleContext } from '../../rule';
import type { Edit, Location, Range } from '../../types';
import { dataReads, unitMemo } from '../lib/data-io';
import { analyseTraining, callFilter, callLabel, candidateCalls, codeView, isTestFile, TRAIN_WORD, type CodeView, type ProgramIndex, type TrainingSite } from '../lib/training';

// ---------------------------------------------------------------------------
// Evidence that data is checked before training.

const VALIDATION_MODULES = /^(pandera|great_expectations|tensorflow_data_validation|deepchecks|whylogs|soda|pandas_schema|pointblank|frictionless|cerberus|pydeequ|dataprofiler|tfx\.components\.(example_validator|schema_gen)|ydata_quality)(\.|$)/;
const EVIDENTLY_CHECKS = /(^|\.)(presets?|tests?|test_suite|metric_preset|report|metrics|guardrails|steps)(\.|$)/;
const DATA_ASSERT = /^[ \t]*assert\b(?![^\n]*(__version__|version_info|sys\.|\bversion\b))[^\n]*(\.columns\b|\.dtypes?\b|\.shape\b|isnull\(|isna\(|notna\(|notnull\(|\.between\(|\.min\(\)|\.max\(\)|nunique\(|\.empty\b|\.is_unique\b|\.duplicated\(|len\(\w+\)\s*[=><!])/m;
const DATA_RAISE = /\bif\b[^\n]*(\.columns\b|\.dtypes?\b|isnull\(|isna\(|notna\(|\.empty\b|missing_col)[^\n]*:\s*\n[ \t]*raise\b/;
const VALIDATE_CALL = /^(pandera\.|great_expectations\.|tensorflow_data_validation\.|deepchecks\.|whylogs\.)|(^|\.)(ExampleValidator|SchemaGen|validate_statistics|expect_column_\w+|expect_table_\w+|model_validate|parse_obj|validate_python|TypeAdapter)$/;

/** A validation library imported by one unit. */
const unitValidationImport = unitMemo((unit): string | undefined => {
  for (const i of unit.facts.imports) {
    const full = i.name ? `${i.module}.${i.name}` : i.module;
    if (VALIDATION_MODULES.test(i.module) || VALIDATION_MODULES.test(full)) return i.module;
    if (/(^|\.)evidently(\.|$)/.test(i.module) && (EVIDENTLY_CHECKS.test(full) || /^(Report|TestSuite)$|Preset$/.test(i.name ?? ''))) return `evidently ${i.name ?? i.module}`;
  }
  return undefined;
});

/** An assert or raise on the data in one unit. */
const unitDataAssert = unitMemo((unit): boolean => DATA_ASSERT.test(unit.text) || DATA_RAISE.test(unit.text));

const unitValidateCalls = callFilter((_call, q) => VALIDATE_CALL.test(q));

/** What checks the data in this program, if anything (by kind, each scan stopping at the first hit). */
function validationEvidence(program: PythonProgram): string | undefined {
  const n = program.units.length;
  for (let i = 0; i < n; i++) {
    const imp = program.units[i].facts.imports.length ? unitValidationImport.at(program, i) : undefined;
    if (imp !== undefined) return imp;
  }
  let pydantic: boolean | undefined;
  for (let i = 0; i < n; i++) {
    for (const c of unitValidateCalls.at(program, i)) {
      pydantic ??= program.importsAny(['pydantic']);
      if (pydantic || !/model_validate|parse_obj|validate_python|TypeAdapter/.test(c.call.name)) return c.call.callee;
    }
  }
  for (let i = 0; i < n; i++) if (unitDataAssert.at(program, i)) return 'an assert on the data';
  return undefined;
}

// ---------------------------------------------------------------------------
// Where data comes in.

interface DataLoad {
  unit: PythonUnit;
  span: Span;
  label: string;
  /** A pandas/polars frame bound to a name: a check can be inserted after it. */
  frame?: { name: string; statement: Span };
}

const LOADERS =
  /^((tensorflow\.)?keras\.datasets\.\w+\.load_data|tensorflow_datasets\.(load|builder)|datasets\.load_dataset|sklearn\.datasets\.(load|fetch)_\w+|torchvision\.datasets\.[A-Z]\w*|pandas\.read_(sql\w*|gbq|html)|pandas_gbq\.read_gbq|bigframes\.pandas\.read_gbq\w*|(tensorflow\.)?keras\.utils\.get_file|google\.cloud\.aiplatform\.(\w+\.)*(Tabular|Image|Text|Video|TimeSeries)Dataset(\.create)?|mltable\.(load|from_\w+)|kfp\.(v2\.)?dsl\.importer|azureml\.core\.Dataset\.\w+\.from_\w+)$/;
const SPARK_READ = /(^|\.)read\.(csv|parquet|json|table|orc|text|load)$|(^|\.)read\.format\(\)\.load$|(^|\.)read\.options?\(\)\.(csv|parquet|json|load)$/;
const DATA_PATH = /\.(csv|tsv|parquet|jsonl|tf_?records?|avro|orc|feather)$/i;

const FRAME_CHAIN = /^(\.(dropna|rename|set_index|reset_index|drop|query|fillna|astype|sort_values|sort_index|sample|copy|assign|convert_dtypes|drop_duplicates|pipe|infer_objects)\((\([^()]*\)|[^()])*\))*$/;

function frameOf(unit: PythonUnit, span: Span, qualified: string): DataLoad['frame'] {
  if (!/^(pandas|polars|dask\.dataframe)\./.test(qualified)) return undefined;
  let best: { targets: string[]; span: Span; valueSpan: Span } | undefined;
  for (const a of unit.facts.assignments) {
    if (a.valueSpan.start <= span.start && a.valueSpan.end >= span.end && (!best || a.span.end - a.span.start < best.span.end - best.span.start)) best = a;
  }
  if (!best || best.targets.length !== 1 || !/^[A-Za-z_]\w*$/.test(best.targets[0])) return undefined;
  // Still a frame: the read itself, maybe followed by frame-to-frame methods (not `.values`).
  const value = unit.text.slice(best.valueSpan.start, best.valueSpan.end);
  const call = unit.text.slice(span.start, span.end);
  if (!value.startsWith(call) || !FRAME_CHAIN.test(value.slice(call.length).replace(/\s+/g, ''))) return undefined;
  return { name: best.targets[0], statement: best.span };
}

/** Loader calls of a unit: datasets, SQL, Spark reads, Azure ML inputs, MLflow ingest steps. */
const unitLoaderCalls = callFilter((call, q) => {
  const azureInput = q === 'azure.ai.ml.Input' && call.args.some((a) => a.name === 'path');
  const recipeIngest = call.name === 'run' && call.args.some((a) => a.str === 'ingest');
  return LOADERS.test(q) || SPARK_READ.test(call.callee) || azureInput || recipeIngest || call.name === 'to_dataframe';
});

const unitLoadDataCalls = callFilter((call, q) => call.name === 'load_data' && !LOADERS.test(q));

/** Functions of a unit that take a DataFrame parameter (pipeline nodes and steps). */
const unitFrameParams = unitMemo((unit) =>
  unit.facts.functions.length === 0 ? [] : unit.facts.functions.filter((fn) => {
    const header = unit.text.slice(fn.span.start, Math.min(fn.span.end, fn.span.start + 600)).split(/\)\s*(->[^:]*)?:/, 1)[0];
    return /:\s*(pd|pandas|pl|polars)\.(DataFrame|LazyFrame)\b/.test(header);
  }),
);

/** String literals of a unit that name a data file. */
const unitDataPaths = unitMemo((unit) => {
  const paths = unit.facts.strings.filter((s) => DATA_PATH.test(s.value));
  return paths.length ? paths : NO_STRINGS;
});

const NO_STRINGS: StringFact[] = [];

function dataLoads(view: CodeView, index: ProgramIndex, sites: readonly TrainingSite[]): DataLoad[] {
  const program = view.program;
  const out: DataLoad[] = [];
  for (const r of dataReads(program)) {
    out.push({ unit: r.rc.unit, span: r.rc.call.span, label: callLabel(r.rc), frame: frameOf(r.rc.unit, r.rc.call.span, r.rc.qualified) });
  }
  for (const rc of candidateCalls(index, unitLoaderCalls)) {
    out.push({ unit: rc.unit, span: rc.call.span, label: callLabel(rc), frame: frameOf(rc.unit, rc.call.span, rc.qualified) });
  }
  for (const rc of candidateCalls(index, unitLoadDataCalls)) {
    // `mnist = tf.keras.datasets.mnist` then `mnist.load_data()`.
    const receiver = rc.call.callee.slice(0, -'.load_data'.length);
    const def = rc.unit.facts.assignments.find((a) => a.targets.length === 1 && a.targets[0] === receiver);
    if (def && /(^|\.)datasets\.\w+$/.test(rc.unit.text.slice(def.valueSpan.start, def.valueSpan.end))) out.push({ unit: rc.unit, span: rc.call.span, label: callLabel(rc) });
  }
  for (const s of sites) if (s.kind === 'sql') out.push({ unit: s.unit, span: s.span, label: 'the query of CREATE MODEL' });
  for (const unit of program.units) {
    for (const magic of unit.magics) {
      if (magic.kind !== 'cell' || magic.name !== 'bigquery') continue;
      const start = unit.lines.offsetAt(magic.range.start);
      out.push({ unit, span: { start, end: unit.lines.offsetAt(magic.range.end) }, label: '%%bigquery' });
    }
  }
  if (out.length === 0) {
    // Pipeline nodes and steps (Kedro, ZenML, Prefect) receive their data as DataFrame parameters.
    unitFrameParams.all(program).forEach((fns, i) => {
      const unit = program.units[i];
      for (const fn of fns) out.push({ unit, span: fn.nameSpan, label: `the DataFrame parameter of ${fn.name}()` });
    });
  }
  if (out.length === 0 && sites.some((s) => !s.local)) {
    // A submitted job reads its data itself; the notebook only names the files.
    unitDataPaths.all(program).forEach((strings, i) => {
      const unit = program.units[i];
      for (const s of strings) out.push({ unit, span: s.span, label: `"${s.value.length > 40 ? '...' + s.value.slice(-37) : s.value}"` });
    });
  }
  return out.sort((a, b) => index.at(a.unit, a.span.start) - index.at(b.unit, b.span.start));
}

// ---------------------------------------------------------------------------
// The template fix: a check right after the load.

function expectedColumns(program: PythonProgram, frame: string): string[] {
  const cols = new Set<string>();
  const created = new Set<string>();
  const esc = frame.replace(/[$()*+.?[\\\]^{|}]/g, '\\$&');
  // `df["a"]`, `df[["a", "b"]]`; `df["new"] = ...` creates a column, which the load need not have.
  const subscript = new RegExp(`\\b${esc}\\[\\s*(?:(["'])([^"'\\n]{1,60})\\1\\s*\\](\\s*=(?!=))?|\\[([^\\]\\n]{1,400})\\]\\s*\\])`, 'g');
  for (const unit of program.units) {
    if (!unit.text.includes(frame + '[')) continue;
    for (const m of unit.text.matchAll(subscript)) {
      if (m[2] !== undefined) (m[3] ? created : cols).add(m[2]);
      else for (const s of m[4].matchAll(/(["'])([^"'\n]{1,60})\1/g)) cols.add(s[2]);
    }
  }
  return [...cols].filter((c) => !created.has(c)).slice(0, 12);
}

function checkLines(frame: string, columns: string[], indent: string): string {
  const lines = ['# Check the data before training on it: fail fast when its shape changes.'];
  if (columns.length) {
    lines.push(
      `expected_columns = [${columns.map((c) => JSON.stringify(c)).join(', ')}]`,
      `missing_columns = set(expected_columns) - set(${frame}.columns)`,
      'assert not missing_columns, f"missing columns: {sorted(missing_columns)}"',
    );
  } else {
    lines.push(`assert ${frame}.columns.is_unique, "duplicate column names"`);
  }
  lines.push(`assert len(${frame}) > 0, "no rows loaded"`);
  return lines.map((l) => indent + l + '\n').join('');
}

function templateFix(view: CodeView, load: DataLoad, training: TrainingSite | undefined): ReportDescriptor['fixes'] {
  if (!load.frame) return undefined;
  const unit = load.unit;
  const columns = expectedColumns(view.program, load.frame.name);
  const endPos = unit.lines.positionAt(load.frame.statement.end);
  const startPos = unit.lines.positionAt(load.frame.statement.start);
  const indent = /^[ \t]*/.exec(unit.lines.lineText(startPos.line))?.[0] ?? '';
  const title = 'Insert a data check after the load (template)';
  const writtenScript = unit.cell !== undefined && /^\s*%%writefile/.test(unit.text);
  const sameCell = training !== undefined && training.unit === unit;
  if (unit.cell === undefined || writtenScript || sameCell || indent !== '') {
    const nextLine = endPos.line + 1;
    const atEnd = nextLine >= unit.lines.lineCount;
    const edit: Edit = atEnd
      ? { cell: unit.cell, range: { start: endPos, end: endPos }, newText: '\n' + checkLines(load.frame.name, columns, indent).replace(/\n$/, '') }
      : { cell: unit.cell, range: { start: { line: nextLine, character: 0 }, end: { line: nextLine, character: 0 } }, newText: checkLines(load.frame.name, columns, indent) };
    return [{ title, safety: 'unsafe', edits: [edit] }];
  }
  return [{ title, safety: 'unsafe', edits: [{ insertCell: { index: unit.cell + 1, kind: 'code', source: checkLines(load.frame.name, columns, '').replace(/\n$/, '') } }] }];
}

// ---------------------------------------------------------------------------
// Pipeline configs.

const VALIDATION_WORD = /(data[-_ ]?validat|validat\w*[-_ ]?(the[-_ ])?data|schema[-_ ]?(check|valid)|validate[-_]?schema|great[-_]?expectations|\bgx\b|expectations?\b|tfdv|pandera|deepchecks|data[-_ ]?quality|data[-_ ]?checks?\b|evidently|whylogs|example[-_]?validator)/i;
const HYPERPARAMS = /^(learning_rate|lr|epochs|num_epochs|max_epochs|max_epocs|n_estimators|max_depth|max_steps|num_train_epochs|batch_size|train_batch_size)$/;
const DATA_FETCH = /\b(dvc\s+(pull|get|fetch|import)|aws\s+s3\s+(cp|sync)|gsutil\s+(-m\s+)?cp|gcloud\s+storage\s+cp|az\s+storage\s+blob\s+download\w*|azcopy\s+copy|kaggle\s+datasets\s+download|wget\s|curl\s[^\n]*-o)/;

function record(v: unknown): Record<string, unknown> | undefined {
  return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined;
}

function texts(v: unknown, out: string[] = [], depth = 0): string[] {
  if (depth > 6) return out;
  if (typeof v === 'string') out.push(v);
  else if (Array.isArray(v)) for (const x of v) texts(x, out, depth + 1);
  else if (record(v)) for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
    out.push(k);
    texts(x, out, depth + 1);
  }
  return out;
}

interface ConfigFinding {
  at: Range;
  load: string;
  training: string;
  trainingAt?: Range;
}

function keyRange(yaml: YamlFile, pair: Pair | undefined): Range | undefined {
  return pair ? nodeRange(yaml, pair.key as YamlNode) : undefined;
}

/** Range of `needle` inside a scalar's source text (block scalars keep lines verbatim). */
function rangeInScalar(yaml: YamlFile, node: unknown, needle: RegExp): Range | undefined {
  if (!isScalar(node) || !node.range) return undefined;
  const src = yaml.text.slice(node.range[0], node.range[1]);
  const m = needle.exec(src);
  if (!m) return undefined;
  return offsetsToRange(yaml, node.range[0] + m.index, node.range[0] + m.index + m[0].trimEnd().length);
}

function dataInputPair(yaml: YamlFile, root: unknown, base: Array<string | number>): Pair | undefined {
  const inputs = getNode(root, [...base, 'inputs']);
  if (!isMap(inputs)) return undefined;
  const pairs = inputs.items.filter((it) => {
    const v = it.value;
    if (isMap(v)) {
      const type = getNode(v, ['type']);
      const path = getNode(v, ['path']);
      return (isScalar(type) && /^(uri_file|uri_folder|mltable)$/.test(String(type.value))) || (isScalar(path) && !isScalar(type));
    }
    return isScalar(v) && typeof v.value === 'string' && /^(azureml:|https?:|wasbs?:|abfss?:|gs:|s3:)/.test(v.value) && !/\$\{\{/.test(v.value);
  });
  return pairs.find((p) => isScalar(p.key) && /train/i.test(String(p.key.value))) ?? pairs[0];
}

function azureJob(yaml: YamlFile, root: unknown, value: Record<string, unknown>): ConfigFinding | undefined {
  const type = String(value.type ?? 'command');
  if (VALIDATION_WORD.test(texts(value.jobs).join('\n'))) return undefined;
  let training: string | undefined;
  let trainingAt: Range | undefined;
  if (type === 'automl' || value.task !== undefined && value.training_data !== undefined) {
    training = `AutoML ${String(value.task ?? 'job')}`;
    trainingAt = keyRange(yaml, getPair(root, ['task']) ?? getPair(root, ['type']));
    const data = getPair(root, ['training_data']);
    if (data) return { at: keyRange(yaml, data)!, load: 'training_data', training, trainingAt };
  } else if (type === 'pipeline') {
    const jobs = record(value.jobs) ?? {};
    for (const [name, job] of Object.entries(jobs)) {
      if (TRAIN_WORD.test(name) || TRAIN_WORD.test(texts(record(job) ? { c: (job as Record<string, unknown>).component, d: (job as Record<string, unknown>).command } : job).join(' '))) {
        training = `pipeline step ${name}`;
        trainingAt = keyRange(yaml, getPair(root, ['jobs', name]));
        break;
      }
    }
    if (!training && (TRAIN_WORD.test(String(value.display_name ?? '')) || TRAIN_WORD.test(String(value.description ?? '')))) {
      training = `pipeline ${String(value.display_name ?? '')}`.trim();
      trainingAt = keyRange(yaml, getPair(root, ['jobs']));
    }
  } else if (type === 'command' || type === 'sweep') {
    const command = String(type === 'sweep' ? (record(value.trial)?.command ?? '') : (value.command ?? ''));
    const inputs = Object.keys(record(value.inputs) ?? {});
    if (TRAIN_WORD.test(command) || inputs.some((k) => HYPERPARAMS.test(k)) || (type === 'sweep' && TRAIN_WORD.test(String(value.display_name ?? '')))) {
      training = type === 'sweep' ? 'sweep trials' : `command ${command.split(/\s+/).slice(0, 2).join(' ')}`;
      trainingAt = keyRange(yaml, getPair(root, type === 'sweep' ? ['trial'] : ['command']));
    }
  }
  if (!training) return undefined;
  const input = dataInputPair(yaml, root, []);
  if (!input) return undefined;
  return { at: keyRange(yaml, input)!, load: `input ${String((input.key as { value?: unknown }).value)}`, training, trainingAt };
}

function githubWorkflow(yaml: YamlFile, root: unknown, value: Record<string, unknown>): ConfigFinding | undefined {
  if (VALIDATION_WORD.test(texts(value.jobs).join('\n'))) return undefined;
  for (const [jobId, job] of Object.entries(record(value.jobs) ?? {})) {
    const steps = record(job)?.steps;
    if (!Array.isArray(steps)) continue;
    let fetch: Range | undefined;
    for (let i = 0; i < steps.length; i++) {
      const step = record(steps[i]);
      if (!step) continue;
      const run = typeof step.run === 'string' ? step.run : '';
      const runNode = getNode(root, ['jobs', jobId, 'steps', i, 'run']);
      fetch ??= DATA_FETCH.test(run) ? rangeInScalar(yaml, runNode, DATA_FETCH) : undefined;
      const name = typeof step.name === 'string' ? step.name : '';
      if (TRAIN_WORD.test(name) || /python3?\s+(-m\s+)?[\w./-]*train[\w./-]*/.test(run)) {
        const trainingAt = nodeRange(yaml, getNode(root, ['jobs', jobId, 'steps', i, 'name']) ?? runNode);
        return { at: fetch ?? trainingAt, load: fetch ? 'the data pulled here' : 'its data', training: `step "${name || run.split('\n')[0]}"`, trainingAt };
      }
    }
  }
  return undefined;
}

function mlflowRecipe(yaml: YamlFile, root: unknown, value: Record<string, unknown>): ConfigFinding | undefined {
  const steps = record(value.steps);
  if (!steps || !('train' in steps) || Object.keys(steps).some((k) => VALIDATION_WORD.test(k))) return undefined;
  const ingest = getPair(root, ['steps', 'ingest']);
  const train = getPair(root, ['steps', 'train']);
  return { at: keyRange(yaml, ingest ?? train)!, load: 'the ingest step', training: 'the train step', trainingAt: keyRange(yaml, train) };
}

function checkConfig(ctx: RuleContext): boolean {
  const yaml = ctx.yaml!;
  const root = yaml.docs[0]?.contents;
  const value = record(firstValue(yaml));
  if (!value || isSeq(root)) return false;
  let f: ConfigFinding | undefined;
  if (ctx.configKind === 'azureml-job' || ctx.configKind === 'azureml-component') f = azureJob(yaml, root, value);
  else if (ctx.configKind === 'github-workflow') f = githubWorkflow(yaml, root, value);
  else if (ctx.configKind === 'mlflow-recipe') f = mlflowRecipe(yaml, root, value);
  else return false;
  if (f) {
    ctx.report({
      messageId: 'config',
      data: { load: f.load, training: f.training },
      location: { range: f.at },
      related: f.trainingAt ? [{ location: { range: f.trainingAt }, message: 'Training happens here.' }] : [],
    });
  }
  return true;
}

// ---------------------------------------------------------------------------

function checkCode(ctx: RuleContext, view: CodeView): void {
  const { index, sites } = analyseTraining(view.program);
  if (sites.length === 0) return;
  if (validationEvidence(view.program)) return;
  const loads = dataLoads(view, index, sites);
  if (loads.length === 0) return;
  // The first load that some training comes after, and that training.
  // (A load inside the training call, like an Azure ML `Input` in `command(...)`, feeds it too.)
  const at = (x: { unit: PythonUnit; span: Span }): number => index.at(x.unit, x.span.start);
  const end = (x: { unit: PythonUnit; span: Span }): number => index.at(x.unit, x.span.end);
  const load = loads.find((l) => sites.some((s) => at(l) <= end(s)));
  if (!load) return;
  const first = sites.find((s) => at(load) <= end(s)) ?? sites[0];
  const location: Location = view.locate(load.unit, load.span);
  ctx.report({
    messageId: 'unvalidated',
    data: { load: load.label, training: first.label },
    location,
    related: [{ location: view.locate(first.unit, first.focus), message: 'Training happens here.' }],
    fixes: ctx.yaml ? undefined : templateFix(view, load, first),
  });
}

export default defineRule({
  meta: {
    id: 'unvalidated-data-load',
    area: 'validation',
    defaultSeverity: 'warning',
    recommended: true,
    targets: ['notebook', 'python', 'yaml'],
    fixedId: true,
    messages: {
      unvalidated:
        'Data loaded by {{load}} trains a model ({{training}}) with no schema or expectation check in this file. Check columns, dtypes and value ranges first (pandera, Great Expectations, or asserts).',
      config:
        'This pipeline trains ({{training}}) on {{load}} with no data-validation step. Add a step that checks the schema and value ranges (TFDV, Great Expectations, pandera) before training.',
    },
    docs: {
      summary: 'Data is loaded and used to train a model without any schema or expectation check.',
      whatItDoes:
        'Finds files that load data (pandas/polars/numpy reads, dataset hubs, Spark, BigQuery, Azure ML / Vertex data inputs) and train a model on it (`.fit`, training loops, trainers, AutoML and training jobs, BigQuery ML `CREATE MODEL`, training steps of Azure ML jobs, GitHub workflows, MLflow Recipes and KFP components), while nothing in the file checks the data: no pandera, Great Expectations, TFDV, deepchecks, whylogs, Evidently tests or reports, pydantic row models, and no `assert` on columns, dtypes, shapes or ranges. Reports once per file, at the load that feeds the first training. Unit tests (`tests/`, `test_*.py`, `conftest.py`) are skipped.',
      whyIsThisBad:
        'Training silently absorbs whatever the data turns into: a renamed column, a unit change, a flood of nulls or a shifted category still produce a model, just a worse one, and nobody notices until production. A schema check at the point of loading turns such changes into a loud failure (ML Test Score, Data 1: feature expectations are captured in a schema).',
      example: {
        language: 'python',
        code: 'import pandas as pd\nfrom sklearn.linear_model import LogisticRegression\n\ndf = pd.read_csv("data/churn.csv")\nmodel = LogisticRegression()\nmodel.fit(df[["tenure", "charges"]], df["churned"])\n',
      },
      useInstead: {
        language: 'python',
        code: 'import pandas as pd\nimport pandera as pa\nfrom sklearn.linear_model import LogisticRegression\n\nschema = pa.DataFrameSchema({\n    "tenure": pa.Column(int, pa.Check.ge(0)),\n    "charges": pa.Column(float, pa.Check.ge(0)),\n    "churned": pa.Column(int, pa.Check.isin([0, 1])),\n})\ndf = schema.validate(pd.read_csv("data/churn.csv"))\nmodel = LogisticRegression()\nmodel.fit(df[["tenure", "charges"]], df["churned"])\n',
      },
      fixSafety:
        'Unsafe template: for a pandas/polars frame bound to a name, inserts assert-based checks right after the load (in a new cell for notebooks), listing the columns the code reads from the frame. Review it and extend it with dtypes and ranges, or replace it with a pandera or Great Expectations schema. Pipeline configs get no fix.',
      notebookBehavior:
        'The whole notebook counts: a check in any cell silences the rule. Scripts a notebook writes with `%%writefile train.py` are read as part of it, since that is where the training usually is.',
      references: [
        'Breck et al. 2017, The ML Test Score, Data 1 (feature expectations are captured in a schema) and Monitor 2',
        'pandera: https://pandera.readthedocs.io/',
        'Great Expectations: https://docs.greatexpectations.io/',
        'TensorFlow Data Validation: https://www.tensorflow.org/tfx/guide/tfdv',
      ],
    },
  },
  check(ctx) {
    if (isTestFile(ctx.file)) return;
    if (ctx.target === 'yaml' && checkConfig(ctx)) return;
    const view = codeView(ctx);
    if (view) checkCode(ctx, view);
  },
});
