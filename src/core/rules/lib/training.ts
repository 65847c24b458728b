// Recognisers for model training, evaluation, held-out data and experiment
// tracking, shared by unvalidated-data-load, missing-holdout-split and
// untracked-experiment. They read the extracted facts only (calls, imports,
// strings, assignments), plus the code a notebook writes with `%%writefile x.py`
// and the Python a pipeline YAML embeds, which is where training often lives.
import { isMap, isScalar, isSeq } from 'yaml';
import { maskMagics } from '../../parse/magics';
import { PythonProgram, unitLocation, type PythonUnit, type ResolvedCall } from '../../parse/program';
import { extractFacts, type ArgFact, type CallFact, type Span } from '../../parse/python';
import { offsetsToRange, type YamlFile } from '../../parse/yaml';
import type { RuleContext } from '../../rule';
import { LineIndex } from '../../text';
import type { Location } from '../../types';
import { firstIn, qualifiedMemo, TextCache, unitIndexOf, unitMemo, type QualifiedMemo, type UnitIndex } from './value-resolver';

// ---------------------------------------------------------------------------
// The code a file runs: its own Python, scripts written by notebook cells,
// Python embedded in pipeline YAML.

export interface CodeView {
  program: PythonProgram;
  /** A finding location for a span of one of the program's units. */
  locate(unit: PythonUnit, span: Span): Location;
}

/** Python parsed outside the engine's cache: a script a cell writes, code inside YAML. */
export interface ParsedText {
  magics: PythonUnit['magics'];
  facts: PythonUnit['facts'];
  lines: LineIndex;
}

// Embedded scripts are parsed here, not by the engine's cache; small bounded
// caches keyed by the text keep re-lints of an unchanged notebook cheap, and
// give an unchanged script the same facts object (so per-unit summaries hold).
// One cache per way of reading a text, so that the text alone is the key.
const embeddedCaches = [new TextCache<ParsedText>(500), new TextCache<ParsedText>(500), new TextCache<ParsedText>(500), new TextCache<ParsedText>(500)];

/**
 * Parses Python embedded in a text (positions stay those of the text).
 * `writefile`: the first line (a `%%writefile x.py` magic) is blanked; `magics`:
 * IPython magics and shell escapes in the body are masked, as the engine does
 * for cells.
 */
export function parseEmbedded(text: string, options: { writefile: boolean; magics: boolean }): ParsedText {
  const base = options.writefile ? 2 : 0;
  const cache = embeddedCaches[base + (options.magics ? 1 : 0)];
  const hit = cache.get(text);
  if (hit) return hit;
  // The other way of reading the text parsed the same code when there are no magics
  // to mask: share its parse (and give it this one).
  const other = embeddedCaches[base + (options.magics ? 0 : 1)];
  let masked = text;
  if (options.writefile) {
    const nl = text.indexOf('\n');
    masked = ' '.repeat(nl < 0 ? text.length : nl) + (nl < 0 ? '' : text.slice(nl));
  }
  let parsed: ParsedText;
  if (options.magics) {
    const m = maskMagics(masked);
    const same = m.magics.length === 0 ? other.get(text) : undefined;
    parsed = same ?? { magics: m.magics, facts: extractFacts(m.masked), lines: new LineIndex(text) };
    if (!same && m.magics.length === 0) other.set(text, parsed);
  } else {
    const same = other.get(text);
    if (same && same.magics.length === 0) parsed = same;
    else {
      parsed = { magics: [], facts: extractFacts(masked), lines: new LineIndex(text) };
      if (!same && maskMagics(masked).magics.length === 0) other.set(text, parsed);
    }
  }
  cache.set(text, parsed);
  return parsed;
}

/** `%%writefile [-a] path/x.py` cells: their body, parsed (cached per cell text). */
const writefileBody = unitMemo((unit): ParsedText | undefined => {
  if (!mayStartWritefile(unit.text) || !unit.text.includes('%%writefile')) return undefined;
  const first = unit.text.split('\n', 1)[0];
  if (!/^\s*%%writefile\s+(-a\s+)?\S*\.py\b/.test(first)) return undefined;
  const p = parseEmbedded(unit.text, { writefile: true, magics: true });
  if (p.facts.syntaxError && p.facts.calls.length === 0) return undefined;
  return p;
});

/**
 * False when the first line of a text cannot be `\s*%%writefile...`: it starts with
 * something else than ASCII blanks and a `%` (any other character above U+007F may
 * be a blank `\s` knows: then true). A look at the first characters, not a scan of the text.
 */
function mayStartWritefile(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 37) return true; // %
    if (c === 32 || c === 9 || c === 11 || c === 12 || c === 13) continue;
    return c > 127;
  }
  return false;
}

/** The units of a notebook with `%%writefile x.py` cells replaced by their body: Python the notebook will run elsewhere. */
function writefileUnits(program: PythonProgram): PythonUnit[] {
  const bodies = writefileBody.all(program);
  // Most notebooks write no script: their own units, without a copy to compare.
  if (!bodies.some((b) => b !== undefined)) return program.units;
  return program.units.map((unit, i) => {
    const p = bodies[i];
    return p ? { cell: unit.cell, text: unit.text, magics: p.magics, facts: p.facts, lines: p.lines } : unit;
  });
}

const PY_SCRIPT = /^[ \t]*(import [\w.]+|from [\w.]+ import |def \w+\(|class \w+)/m;

interface YamlScript {
  unit: PythonUnit;
  /** First file line of the script, and the indentation of its lines in the file. */
  line: number;
  indent: number;
  exact: boolean;
  nodeStart: number;
}

/** String scalars of map values and sequence items that read as a Python script, in document order. */
function scriptStrings(node: unknown, out: Array<{ value: string; range: [number, number, number] }>): void {
  if (isMap(node)) for (const it of node.items) scriptStrings(it.value, out);
  else if (isSeq(node)) for (const it of node.items) scriptStrings(it, out);
  else if (isScalar(node) && typeof node.value === 'string') {
    const value = node.value;
    if (node.range && value.length >= 40 && value.includes('\n') && PY_SCRIPT.test(value)) out.push({ value, range: node.range });
  }
}

function yamlScripts(yaml: YamlFile): YamlScript[] {
  const out: YamlScript[] = [];
  let fileLines: LineIndex | undefined;
  for (const doc of yaml.docs) {
    const strings: Array<{ value: string; range: [number, number, number] }> = [];
    scriptStrings(doc.contents, strings);
    for (const s of strings) {
      const p = parseEmbedded(s.value, { writefile: false, magics: true });
      // Shell blocks that happen to start with `import` are not Python.
      if (p.facts.calls.length === 0 || p.facts.syntaxError) continue;
      const unit: PythonUnit = { text: s.value, magics: p.magics, facts: p.facts, lines: p.lines };
      fileLines ??= new LineIndex(yaml.text);
      // Block scalars (`|`) keep each line verbatim after the indentation: map lines 1:1.
      const head = fileLines.positionAt(s.range[0]);
      const firstLine = head.line + 1;
      const firstScript = s.value.split('\n').findIndex((l) => l.trim() !== '');
      let exact = false;
      let indent = 0;
      if (firstScript >= 0 && firstLine + firstScript < fileLines.lineCount) {
        const scriptLine = s.value.split('\n')[firstScript];
        const fileLine = fileLines.lineText(firstLine + firstScript);
        if (fileLine.endsWith(scriptLine)) {
          indent = fileLine.length - scriptLine.length;
          exact = /^[ \t]*$/.test(fileLine.slice(0, indent));
        }
      }
      out.push({ unit, line: firstLine, indent, exact, nodeStart: s.range[0] });
    }
  }
  return out;
}

/** Unit tests fit tiny models on fixtures on purpose: they are not experiments or training runs. */
export function isTestFile(file: string): boolean {
  return /(^|\/)(tests?|testing)\/|(^|\/)test_[^/]*\.(py|ipynb)$|_tests?\.py$|(^|\/)conftest\.py$/.test(file);
}

// The three rules that read training share one analysis per linted file: keyed by the
// file's parsed program or YAML, which the engine creates afresh for every lint.
const views = new WeakMap<object, CodeView | null>();
const analyses = new WeakMap<PythonProgram, { index: ProgramIndex; sites: TrainingSite[] }>();

/** The Python a file runs, or undefined when it has none. */
export function codeView(ctx: RuleContext): CodeView | undefined {
  const key: object | undefined = ctx.python ?? ctx.yaml;
  if (!key) return undefined;
  const hit = views.get(key);
  if (hit !== undefined) return hit ?? undefined;
  const view = buildView(ctx);
  views.set(key, view ?? null);
  return view;
}

const indexes = new WeakMap<PythonProgram, ProgramIndex>();

/** The program's call index, one per program: the lookups it caches serve every rule of the run. */
export function programIndex(program: PythonProgram): ProgramIndex {
  let index = indexes.get(program);
  if (!index) indexes.set(program, (index = new ProgramIndex(program)));
  return index;
}

/** The program's call index and training sites, computed once per program. */
export function analyseTraining(program: PythonProgram): { index: ProgramIndex; sites: TrainingSite[] } {
  let a = analyses.get(program);
  if (!a) {
    const index = programIndex(program);
    a = { index, sites: trainingSites(index) };
    analyses.set(program, a);
  }
  return a;
}

function buildView(ctx: RuleContext): CodeView | undefined {
  if (ctx.python) {
    const units = ctx.notebook ? writefileUnits(ctx.python) : ctx.python.units;
    const program = units === ctx.python.units || units.every((u, i) => u === ctx.python!.units[i]) ? ctx.python : new PythonProgram(units);
    return { program, locate: unitLocation };
  }
  if (ctx.yaml) {
    const scripts = yamlScripts(ctx.yaml);
    if (scripts.length === 0) return undefined;
    const yaml = ctx.yaml;
    const byUnit = new Map(scripts.map((s) => [s.unit, s]));
    return {
      program: new PythonProgram(scripts.map((s) => s.unit)),
      locate(unit, span) {
        const s = byUnit.get(unit);
        const r = unit.lines.rangeOf(span.start, span.end);
        if (!s || !s.exact) return { range: offsetsToRange(yaml, s?.nodeStart ?? 0, s?.nodeStart ?? 0) };
        return {
          range: {
            start: { line: s.line + r.start.line, character: s.indent + r.start.character },
            end: { line: s.line + r.end.line, character: s.indent + r.end.character },
          },
        };
      },
    };
  }
  return undefined;
}

// ---------------------------------------------------------------------------
// Estimators and transformers.

/** Constructor names of preprocessing steps: fitting them is not training a model. */
const TRANSFORMER_CTOR =
  /(Scaler|Encoder|Imputer|Vectori[sz]er|Binarizer|Discretizer|Normalizer|Transformer|PolynomialFeatures|SplineTransformer|Selector|^Select[A-Z]\w*|^RFE(CV)?$|VarianceThreshold|PCA$|SVD$|^NMF$|ICA$|^TSNE$|^UMAP$|Tokenizer|Hasher|Indexer|Assembler|Bucketizer|Nystroem|Sampler|^Isomap$|^LocallyLinearEmbedding$|TextVectorization|Normalization|Lookup$|CategoryEncoding|Discretization|Hashing|^SMOTE\w*|Resampler|Splitter$|Importance$|Explainer$)$/;
/** Constructor names of models whose fit is training. */
const ESTIMATOR_CTOR =
  /(^SentenceTransformer$|^CrossEncoder$|^SetFit\w*|Classifier$|Regressor$|Regression$|^(Linear|Nu)?SV[CR]$|SVM$|KMeans$|Clustering$|^DBSCAN$|^HDBSCAN$|^OPTICS$|^Birch$|^MeanShift$|^AffinityPropagation$|Forest$|Tree$|Trees$|Boost\w*$|^XGB\w*|^LGBM\w*|^CatBoost\w*|Neighbors\w*$|^Lasso\w*|^Ridge\w*|^ElasticNet\w*|^Lars\w*|Perceptron$|^MLP\w*|^GaussianProcess\w*|Mixture$|OutlierFactor$|^OneClass\w*|^Prophet$|ARIMA\w*$|^SARIMAX$|^ExponentialSmoothing$|^Holt\w*|^(OLS|WLS|GLS|GLM|Logit|Probit|MNLogit|QuantReg|MixedLM)$|^ALS$|^GBT\w*|NB$|NaiveBayes$|^Sequential$|Model$|Net$|SearchCV$|^CrossValidator$|^TrainValidationSplit$|Predictor$|Learner$|Trainer$|^AutoML\w*|^TPOT\w*|Estimator$|^Stacking\w*|^Bagging\w*|^Voting\w*|^Dummy\w*|^(Linear|Quadratic)DiscriminantAnalysis$|^LatentDirichletAllocation$|^KernelRidge$|^IsotonicRegression$|^YOLO$|^FastText$|^Word2Vec$|^Doc2Vec$)/;
const PIPELINE_CTOR = /^(Pipeline|make_pipeline|PipelineModel)$/;
/** Receiver names that read as preprocessing steps. */
const TRANSFORMER_NAME = /(scal(er|ing)|encod|imput|vectori[sz]|tokeni[sz]|pca|tfidf|svd|selector|transformer|preproc|normali[sz]|binari[sz]|discreti[sz]|poly|featuri[sz]|(^|_)prep(_|$)|lookup|resampl|smote|sampler)/i;
/** Receiver names that read as models. */
const MODEL_NAME =
  /(model|clf|classifier|regressor|(^|_)reg(_|$|\d)|estimator|learner|forest|tree|svm|svc|svr|knn|booster|gbm|xgb|lgbm|catboost|(^|_)lr(_|$|\d)|logreg|linreg|kmeans|(^|_)km(_|$)|trainer|automl|search|(^|_)(gs|rs|grid)(_|$)|net(work)?(_|$|\d)|predictor|ensemble|(^|_)(nb|gnb|mnb|mlp|dnn|cnn|rnn|lstm|gru|bert|rf|dt|gb|ols|arima|als|lda)(_|$|\d)|ridge|lasso|svm|prophet)/i;

export type CtorKind = 'estimator' | 'transformer' | 'unknown';

/** Results of a pure test of short strings (names), kept for the next lint runs. */
function cachedTest<T>(test: (s: string) => T, max = 4000): (s: string) => T {
  const cache = new Map<string, T>();
  return (s) => {
    let v = cache.get(s);
    if (v === undefined) {
      v = test(s);
      if (cache.size >= max) cache.clear();
      cache.set(s, v);
    }
    return v;
  };
}

const isTransformerName = cachedTest((s) => TRANSFORMER_NAME.test(s));
const isModelName = cachedTest((s) => MODEL_NAME.test(s));

export const classifyCtorName: (name: string) => CtorKind = cachedTest(classifyCtorNameUncached);

function classifyCtorNameUncached(name: string): CtorKind {
  if (/^(SentenceTransformer|CrossEncoder)$/.test(name)) return 'estimator';
  if (TRANSFORMER_CTOR.test(name)) return 'transformer';
  if (ESTIMATOR_CTOR.test(name)) return 'estimator';
  return 'unknown';
}

const CTOR_CALL = /\b([A-Za-z_]\w*)\s*\(/g;

/** A pipeline is an estimator when one of its steps is. */
function classifyPipelineText(text: string): CtorKind {
  let kind: CtorKind = 'unknown';
  for (const m of text.matchAll(CTOR_CALL)) {
    const k = classifyCtorName(m[1]);
    if (k === 'estimator') return 'estimator';
    if (k === 'transformer') kind = 'transformer';
  }
  return kind;
}

/**
 * A unit's assigned calls as (target, call) pairs in call order, once per target
 * naming it (`a, a = f()` counts twice). Compact: most units have none.
 */
const unitAssignedCalls = unitMemo((unit): ReadonlyArray<string | CallFact> => {
  let out: Array<string | CallFact> | undefined;
  for (const call of unit.facts.calls) {
    const targets = call.assignedTo;
    if (targets !== undefined) for (const t of targets) (out ??= []).push(t, call);
  }
  return out ?? NO_PAIRS;
});

const NO_PAIRS: ReadonlyArray<string | CallFact> = [];

/** The (unit, pair) positions of each name in per-unit tables of `unitAssignedCalls`, in order. */
function namesIn(all: ReadonlyArray<ReadonlyArray<string | CallFact>>): Map<string, number[]> {
  const out = new Map<string, number[]>();
  for (let u = 0; u < all.length; u++) {
    const pairs = all[u];
    for (let i = 0; i < pairs.length; i += 2) {
      const name = pairs[i] as string;
      const refs = out.get(name);
      if (refs) refs.push(u, i);
      else out.set(name, [u, i]);
    }
  }
  return out;
}

/**
 * Program-wide lookups: which call a name was last assigned from. Built lazily
 * from per-unit tables (cached across runs), so a lookup costs a pass over the
 * units, not over every call of the program.
 */
export class ProgramIndex {
  private allCalls?: ResolvedCall[];
  private readonly assigned = new Map<string, { calls: ResolvedCall[]; at: number[]; sorted: boolean } | undefined>();
  /** ResolvedCalls by call (a call fact is shared by units with the same text: then several). */
  private readonly resolved = new Map<CallFact, ResolvedCall | ResolvedCall[]>();
  private unitIndex?: UnitIndex;
  /** Where each assigned name is in the per-unit tables: (unit, pair) index pairs, in order. */
  private byName?: Map<string, number[]>;
  /** `classifyReceiver` results for a receiver at a call, for the run. */
  readonly receivers = new Map<ResolvedCall, Map<string, ReceiverKind>>();

  constructor(readonly program: PythonProgram) {}

  /** Every call of the program, qualified (computed on first use: prefer the per-unit lookups). */
  get calls(): ResolvedCall[] {
    this.allCalls ??= this.program.calls();
    return this.allCalls;
  }

  /** The ResolvedCall of a call of `unit` (one object per call and index). */
  resolvedCall(unit: PythonUnit, call: CallFact, qualified?: string): ResolvedCall {
    const known = this.resolved.get(call);
    if (known) {
      if (!Array.isArray(known)) {
        if (known.unit === unit) return known;
      } else {
        const rc = known.find((r) => r.unit === unit);
        if (rc) return rc;
      }
    }
    const rc: ResolvedCall = { unit, call, qualified: qualified ?? this.program.qualify(call.callee) };
    this.resolved.set(call, known === undefined ? rc : Array.isArray(known) ? [...known, rc] : [known, rc]);
    return rc;
  }

  /** Position in execution order (unit, then offset). */
  at(unit: PythonUnit, offset: number): number {
    this.unitIndex ??= unitIndexOf(this.program);
    return (this.unitIndex.get(unit) ?? 0) * 1e9 + offset;
  }

  atCall(rc: ResolvedCall): number {
    return this.at(rc.unit, rc.call.span.start);
  }

  private assignedCalls(name: string): { calls: ResolvedCall[]; at: number[]; sorted: boolean } | undefined {
    if (this.assigned.has(name)) return this.assigned.get(name);
    let list: { calls: ResolvedCall[]; at: number[]; sorted: boolean } | undefined;
    // The per-unit tables (cached across runs), indexed by name once per run: a scan per
    // name costs more as soon as a program looks up a few names.
    const all = unitAssignedCalls.all(this.program);
    const refs = (this.byName ??= namesIn(all)).get(name);
    if (refs !== undefined) {
      list = { calls: [], at: [], sorted: true };
      for (let k = 0; k < refs.length; k += 2) {
        const u = refs[k];
        const rc = this.resolvedCall(this.program.units[u], all[u][refs[k + 1] + 1] as CallFact);
        const at = this.atCall(rc);
        if (list.at.length && at < list.at[list.at.length - 1]) list.sorted = false;
        list.calls.push(rc);
        list.at.push(at);
      }
    }
    this.assigned.set(name, list);
    return list;
  }

  /** The call `name` was assigned from, preferring the last one before `before`. */
  assignment(name: string, before?: ResolvedCall): ResolvedCall | undefined {
    const list = this.assignedCalls(name);
    if (!list) return undefined;
    const { calls, at } = list;
    if (!before) return calls[calls.length - 1];
    const limit = this.atCall(before);
    let best: ResolvedCall | undefined;
    if (list.sorted) {
      // In execution order: the last one at or before the limit.
      for (let i = 0; i < at.length && at[i] <= limit; i++) best = calls[i];
    } else {
      for (let i = 0; i < at.length; i++) if (at[i] <= limit) best = calls[i];
    }
    return best ?? calls[0];
  }

  /** Calls whose callee receiver is `name` (`name.fit`, `name.predict`, ...). */
  methodCalls(name: string): ResolvedCall[] {
    const out: ResolvedCall[] = [];
    for (const unit of this.program.units) for (const call of unit.facts.calls) if (receiverOf(call.callee) === name) out.push(this.resolvedCall(unit, call));
    return out;
  }
}

/** `model.fit` -> `model`; `LinearRegression().fit` -> `LinearRegression()`. */
export function receiverOf(callee: string): string {
  const dot = callee.lastIndexOf('.');
  return dot < 0 ? '' : callee.slice(0, dot);
}

export interface ReceiverKind {
  kind: CtorKind;
  ctor?: ResolvedCall;
  qualifiedCtor?: string;
}

/**
 * Kind of the object a receiver names, following one assignment (`m = make_pipeline(...)`).
 * Results for a receiver at a call are kept for the run (several rules ask): treat them as read-only.
 */
export function classifyReceiver(index: ProgramIndex, receiver: string, at?: ResolvedCall, depth = 0): ReceiverKind {
  if (depth !== 0 || !at) return classifyReceiverUncached(index, receiver, at, depth);
  let byReceiver = index.receivers.get(at);
  if (!byReceiver) index.receivers.set(at, (byReceiver = new Map()));
  let kind = byReceiver.get(receiver);
  if (!kind) byReceiver.set(receiver, (kind = classifyReceiverUncached(index, receiver, at, 0)));
  return kind;
}

function classifyReceiverUncached(index: ProgramIndex, receiver: string, at: ResolvedCall | undefined, depth: number): ReceiverKind {
  // `LinearRegression().fit` / `sm.OLS(y, X).fit`: the constructor is in the callee.
  if (receiver.endsWith(')')) {
    const inner = receiver.replace(/\(\)$/, '');
    const name = inner.slice(inner.lastIndexOf('.') + 1);
    if (PIPELINE_CTOR.test(name) && at) {
      const argText = at.unit.text.slice(at.call.calleeSpan.start, at.call.calleeSpan.end);
      return { kind: classifyPipelineText(argText), qualifiedCtor: index.program.qualify(inner) };
    }
    if (name === 'fit' || name === 'compile') return classifyReceiver(index, receiverOf(inner), at, depth + 1);
    return { kind: classifyCtorName(name), qualifiedCtor: index.program.qualify(inner) };
  }
  const ctor = index.assignment(receiver, at);
  if (!ctor || depth > 3) return { kind: 'unknown' };
  const name = ctor.call.name;
  if (PIPELINE_CTOR.test(name)) {
    const text = ctor.unit.text.slice(ctor.call.span.start, ctor.call.span.end);
    let kind = classifyPipelineText(text);
    if (kind !== 'estimator') {
      // Steps given by name: `Pipeline([("prep", prep), ("model", model)])`.
      for (const id of text.matchAll(/,\s*([A-Za-z_]\w*)\s*\)/g)) if (classifyReceiver(index, id[1], ctor, depth + 1).kind === 'estimator') kind = 'estimator';
    }
    return { kind, ctor, qualifiedCtor: ctor.qualified };
  }
  if (name === 'fit' || name === 'compile' || name === 'set_params' || name === 'clone' || name === 'deepcopy') {
    // `model = LinearRegression().fit(X, y)` / `model = clone(base)`.
    const inner = receiverOf(ctor.call.callee);
    if (inner) return { ...classifyReceiver(index, inner, ctor, depth + 1), ctor };
    const arg = ctor.call.args[0];
    if (arg?.kind === 'identifier') return { ...classifyReceiver(index, arg.text, ctor, depth + 1), ctor };
    return { kind: 'unknown', ctor };
  }
  return { kind: classifyCtorName(name), ctor, qualifiedCtor: ctor.qualified };
}

// ---------------------------------------------------------------------------
// Training.

export type TrainingKind = 'fit' | 'loop' | 'trainer' | 'booster' | 'platform' | 'sql' | 'component' | 'prompt';

export interface TrainingSite {
  unit: PythonUnit;
  span: Span;
  /** The callee (`model.fit`), where squiggles go; the whole span for SQL. */
  focus: Span;
  kind: TrainingKind;
  /** How the code reads, for messages: `model.fit(...)`, `loss.backward()`. */
  label: string;
  call?: ResolvedCall;
  /** The fitted object, for fits. */
  receiver?: string;
  /** A supervised fit on local data (features and targets): what a hold-out is for. */
  supervised: boolean;
  /** The training runs inside the process (not a submitted job or SQL). */
  local: boolean;
  /** The platform records the run itself (Azure ML jobs, Vertex AutoML, MLflow Recipes). */
  tracked: boolean;
  /** The platform holds validation data out itself (AutoML, BigQuery ML auto split, Recipes split step). */
  holdsOut: boolean;
}

const FIT_NAMES = new Set(['fit', 'fit_predict', 'partial_fit', 'fit_generator', 'train_on_batch']);
const TRAIN_KEYWORDS = new Set(['epochs', 'batch_size', 'validation_data', 'validation_split', 'callbacks', 'eval_set', 'steps_per_epoch', 'train_objectives', 'sample_weight', 'early_stopping_rounds', 'num_boost_round', 'max_epochs', 'initial_epoch']);
const BOOSTER_FUNCS = /^(xgboost\.train|lightgbm\.train|catboost\.train|fasttext\.train_(supervised|unsupervised)|xgboost\.dask\.train)$/;
const TRAIN_CALL_KEYWORDS = new Set(['input_fn', 'epochs', 'data', 'max_steps', 'steps', 'num_boost_round', 'train_dataset', 'dtrain', 'train_set', 'resume_from_checkpoint']);
/** A name that says "train": `train_op`, `train_component`, `finetune_step`. */
export const TRAIN_WORD = /(^|[^a-z])(re)?(train|training|trainer|fine_?tune|finetuning|fit_model)([^a-z]|$)/i;
const NOT_MODEL_ROOTS = /^(scipy|numpy|pandas|matplotlib|seaborn|sympy|lmfit|astropy|powerlaw|distfit|fitter)(\.|$)/;

function argTexts(rc: ResolvedCall): string {
  return rc.call.args.map((a) => a.text).join(',');
}

function hasKeyword(rc: ResolvedCall, names: ReadonlySet<string>): boolean {
  return rc.call.args.some((a) => a.name !== undefined && names.has(a.name));
}

function positional(rc: ResolvedCall): ArgFact[] {
  return rc.call.args.filter((a) => a.name === undefined && !a.text.startsWith('*'));
}

/** How a call reads in a message: `r.run("train")`, `model.fit(...)`. */
export function callLabel(rc: ResolvedCall): string {
  const callee = rc.call.callee.length > 40 ? rc.call.name : rc.call.callee;
  const args = rc.call.args;
  if (args.length === 0) return `${callee}()`;
  if (args.length === 1 && args[0].str !== undefined && args[0].str.length <= 30 && !/["\n]/.test(args[0].str)) return `${callee}("${args[0].str}")`;
  return `${callee}(...)`;
}

function site(rc: ResolvedCall, kind: TrainingKind, extra: Partial<TrainingSite> = {}): TrainingSite {
  return {
    unit: rc.unit,
    span: rc.call.span,
    focus: rc.call.calleeSpan,
    kind,
    label: callLabel(rc),
    call: rc,
    supervised: false,
    local: true,
    tracked: false,
    holdsOut: false,
    ...extra,
  };
}

function fitSite(index: ProgramIndex, rc: ResolvedCall): TrainingSite | undefined {
  const receiver = receiverOf(rc.call.callee);
  if (!receiver) return undefined;
  const root = index.program.qualify(receiver.split('.')[0]);
  if (NOT_MODEL_ROOTS.test(index.program.qualify(receiver)) || (NOT_MODEL_ROOTS.test(root) && !receiver.includes('('))) return undefined;
  const cls = classifyReceiver(index, receiver, rc);
  const pos = positional(rc);
  const hasY = pos.length >= 2 || rc.call.args.some((a) => a.name === 'y' || a.name === 'labels');
  const trainingArgs = hasKeyword(rc, TRAIN_KEYWORDS);
  const q = cls.qualifiedCtor ?? '';
  if (/^sagemaker\./.test(q)) {
    return site(rc, 'platform', { receiver, local: false, tracked: rc.call.args.some((a) => a.name === 'experiment_config') });
  }
  if (/^(pytorch_lightning|lightning)(\.|$)/.test(q) || (cls.kind === 'estimator' && /Trainer$/.test(q))) {
    return site(rc, 'trainer', { receiver, supervised: true });
  }
  let training: boolean;
  if (cls.kind === 'transformer') training = false;
  else if (cls.kind === 'estimator') training = true;
  else if (isTransformerName(receiver)) training = false;
  else training = trainingArgs || isModelName(receiver) || (hasY && !/^(self|cls)$/.test(receiver));
  if (!training) return undefined;
  const unsupervised = /(KMeans|Clustering|DBSCAN|OPTICS|Birch|MeanShift|Mixture|OutlierFactor|OneClass|IsolationForest|LatentDirichlet|Word2Vec|Doc2Vec|FastText)/.test(cls.ctor?.call.name ?? q);
  const keras = trainingArgs || /^(tensorflow|keras|tf_keras)(\.|$)/.test(q) || /^(Sequential|Model)$/.test(cls.ctor?.call.name ?? '');
  return site(rc, 'fit', { receiver, supervised: !unsupervised && (hasY || keras || rc.call.name === 'fit_generator') });
}

function trainSite(index: ProgramIndex, rc: ResolvedCall): TrainingSite | undefined {
  const receiver = receiverOf(rc.call.callee);
  if (!receiver) return undefined;
  const cls = classifyReceiver(index, receiver, rc);
  const ctorName = cls.ctor?.call.name ?? receiver.replace(/\(\)$/, '').split('.').pop() ?? '';
  if (/Trainer$/.test(ctorName) || /trainer/i.test(receiver)) return site(rc, 'trainer', { receiver, supervised: true });
  if (rc.call.args.length === 0) return undefined; // torch `model.train()` only switches to training mode
  if (hasKeyword(rc, TRAIN_CALL_KEYWORDS) || cls.kind === 'estimator') return site(rc, 'trainer', { receiver, supervised: true });
  return undefined;
}

const AZURE_AUTOML = /^azure\.ai\.ml\.automl\.\w+$|^azureml\.train\.automl\.(\w+\.)?AutoMLConfig$/;
const AZURE_JOB = /^azure\.ai\.ml\.(command|load_job|load_component|sweep|spark)$|^azureml\.core\.(\w+\.)?(ScriptRunConfig|Estimator)$/;
const VERTEX = /^google\.cloud\.aiplatform\.(\w+\.)*(AutoML\w*TrainingJob|CustomTrainingJob|CustomContainerTrainingJob|CustomPythonPackageTrainingJob|CustomJob|HyperparameterTuningJob)(\.from_local_script)?$/;
/** Hyperparameters passed to a job: it trains something. */
const HYPERPARAM_ARG = /\b(learning_rate|learning-rate|num_epochs|max_epochs|n_estimators|num_train_epochs)\b/;
const BQML = /\bCREATE\s+(OR\s+REPLACE\s+)?MODEL\b/i;
const COMPONENT_FACTORY = /^(kfp\.|azure\.ai\.ml\.(load_component|command)$)|(^|\.)(load_component_from_(url|file|text)|create_component_from_func|func_to_container_op|load_component)$/;

/** A string or an assignment of the unit says "train". */
const unitMentionsTraining = unitMemo(
  (u): boolean => u.facts.strings.some((s) => s.value.length < 200 && !s.value.includes('://') && TRAIN_WORD.test(s.value)) || u.facts.assignments.some((a) => a.targets.some((t) => TRAIN_WORD.test(t))),
);

function mentionsTraining(program: PythonProgram, rc: ResolvedCall): boolean {
  if (TRAIN_WORD.test(argTexts(rc)) || (rc.call.assignedTo ?? []).some((t) => TRAIN_WORD.test(t))) return true;
  return unitMentionsTraining.all(program).some((m) => m);
}

function platformSite(index: ProgramIndex, rc: ResolvedCall): TrainingSite | undefined {
  const q = rc.qualified;
  // a(zure) g(oogle): the first letters of the Azure ML and Vertex AI patterns.
  const c = q.charCodeAt(0);
  const cloud = c === 97 || c === 103;
  if (cloud && AZURE_AUTOML.test(q)) return site(rc, 'platform', { local: false, tracked: true, holdsOut: true });
  if (cloud && AZURE_JOB.test(q) && (TRAIN_WORD.test(argTexts(rc)) || HYPERPARAM_ARG.test(argTexts(rc)) || (rc.call.assignedTo ?? []).some((t) => TRAIN_WORD.test(t)))) {
    return site(rc, 'platform', { local: false, tracked: true });
  }
  const v = cloud ? VERTEX.exec(q) : null;
  // A bare CustomJob runs any container (batch inference too): only training when the code says so.
  if (v && v[2] === 'CustomJob' && !mentionsTraining(index.program, rc)) return undefined;
  if (v) {
    const automl = /^AutoML/.test(v[2]);
    const runs = (rc.call.assignedTo ?? []).flatMap((t) => index.methodCalls(t));
    const withTracking = [rc, ...runs].some((c) => c.call.args.some((a) => a.name === 'tensorboard' || a.name === 'experiment'));
    return site(rc, 'platform', { local: false, tracked: automl || withTracking, holdsOut: automl || runs.some((c) => c.call.args.some((a) => /fraction_split|filter_split|predefined_split|validation/.test(a.name ?? ''))) });
  }
  if (rc.call.name === 'compile' && rc.qualified.startsWith('dspy.')) return site(rc, 'prompt', {});
  // Pipeline components named for training: `train_op(...)` loaded from a component spec.
  if (mayBeTrainWord(rc.call.name) && TRAIN_WORD.test(rc.call.name) && !rc.call.callee.includes('(')) {
    const def = index.assignment(rc.call.callee, rc);
    if (def && COMPONENT_FACTORY.test(def.qualified)) {
      const azure = def.qualified.startsWith('azure.');
      return site(rc, 'component', { local: false, tracked: azure });
    }
    // Components defined in this file are judged by their bodies, which are read like any code.
  }
  return undefined;
}

/** A call of a unit with its qualified callee (what per-unit candidate lists hold). */
export interface UnitCall {
  call: CallFact;
  qualified: string;
}

/** The calls of the program that a per-unit candidate list keeps, in execution order. */
export function candidateCalls(index: ProgramIndex, list: QualifiedMemo<readonly UnitCall[]>): ResolvedCall[] {
  const out: ResolvedCall[] = [];
  const all = list.all(index.program);
  for (let i = 0; i < all.length; i++) {
    const calls = all[i];
    if (calls.length === 0) continue;
    const unit = index.program.units[i];
    for (const c of calls) out.push(index.resolvedCall(unit, c.call, c.qualified));
  }
  return out;
}

/**
 * Keeps the calls of each unit that pass `keep` (cached across runs; recomputed when
 * an import changes). `pre`, when given, is a test of the call alone that every kept
 * call passes: the others are not qualified at all.
 */
export function callFilter(keep: (call: CallFact, qualified: string) => boolean, pre?: (call: CallFact) => boolean): QualifiedMemo<readonly UnitCall[]> {
  return qualifiedMemo((unit, qualify) => {
    let out: UnitCall[] | undefined;
    for (const call of unit.facts.calls) {
      if (pre && !pre(call)) continue;
      const q = qualify(call.callee);
      if (keep(call, q)) (out ??= []).push({ call, qualified: q });
    }
    return out ?? NO_CALLS;
  });
}

const NO_CALLS: readonly UnitCall[] = [];

// ---------------------------------------------------------------------------
// Calls by kind: one pass over a cell's calls for every library that picks calls by
// their names. Each library registers a test (a kind); the calls of a unit that pass
// some test are kept once, with their qualified callee and the kinds they are of,
// and cached across runs like any qualified summary. One pass instead of one per
// library: every call is qualified once, and most cells keep nothing.

/** A call of a unit of one or more registered kinds (`kinds`: their bits). */
export interface KindedCall extends UnitCall {
  kinds: number;
}

/** A test of a call, its qualified callee, and whether the callee is dotted (`callee.includes('.')`). */
type KindTest = (call: CallFact, qualified: string, dotted: boolean) => boolean;

/**
 * What a kind test reads of a call besides its callee (`call.callee`, and `call.name`
 * and `dotted`, which the callee gives) and the qualified callee:
 * - `'callee'`: nothing. Its answer for a callee that qualifies to a name is kept
 *   (across cells, files and runs) and is the answer for every call of that callee.
 * - `{ gate }`: also the call's arguments or targets, but only when `gate` (a test of
 *   the callee and qualified callee alone) is true: every other call is not of the kind.
 * Without it, the test runs on every call.
 */
export type KindReads = 'callee' | { gate: (callee: string, name: string, qualified: string, dotted: boolean) => boolean };

const kindTests: KindTest[] = [];
const kindReads: Array<KindReads | undefined> = [];
let kindsMemo: QualifiedMemo<readonly KindedCall[]> | undefined;
const NO_KINDED: readonly KindedCall[] = [];

/**
 * Registers a kind of call: `test` sees a call and its qualified callee, and must
 * depend on nothing else (no other calls, no other units). Returns the kind's bit.
 * `reads` says what else than the callee the test reads (see KindReads): a test
 * of the callee alone runs once per callee and qualified name, not on every call.
 * Register at module load: a kind added later drops the summaries made before it.
 */
export function callKind(test: KindTest, reads?: KindReads): number {
  if (kindTests.length >= 30) throw new Error('too many call kinds');
  kindTests.push(test);
  kindReads.push(reads);
  kindsMemo = undefined;
  verdicts.clear();
  return 1 << (kindTests.length - 1);
}

/**
 * What the kind tests say of a callee that qualifies to `q`: the kinds of every call
 * of it (`kinds`: the tests of the callee alone), and the tests to run on each call
 * (`ask`: gated tests whose gate is true, and tests that read every call).
 */
interface CalleeVerdict {
  q: string;
  /** `q` is the callee itself (no import renames its head). */
  plain: boolean;
  kinds: number;
  ask: number;
}

/** Verdicts by callee, kept across cells, files and runs (callees recur; an entry holds the last qualified name seen). */
const verdicts = new Map<string, CalleeVerdict>();

/** A copy of a key that does not keep the cell text it was sliced from alive. */
function detached(s: string): string {
  return s.length < 13 ? s : (' ' + s).slice(1);
}

function verdictOf(call: CallFact, q: string): CalleeVerdict {
  const callee = call.callee;
  const name = call.name;
  // An undotted callee is its own name (a dotted one's name is its last segment, shorter).
  const dotted = name !== callee && callee.includes('.');
  let kinds = 0;
  let ask = 0;
  for (let k = 0; k < kindTests.length; k++) {
    const reads = kindReads[k];
    if (reads === 'callee') {
      if (kindTests[k](call, q, dotted)) kinds |= 1 << k;
    } else if (reads === undefined || reads.gate(callee, name, q, dotted)) ask |= 1 << k;
  }
  const v: CalleeVerdict = { q: detached(q), plain: q === callee, kinds, ask };
  if (verdicts.size >= 20_000) verdicts.clear();
  verdicts.set(detached(callee), v);
  return v;
}

function kindsOf(): QualifiedMemo<readonly KindedCall[]> {
  if (kindsMemo) return kindsMemo;
  const tests = kindTests.slice();
  return (kindsMemo = qualifiedMemo((unit, qualify) => {
    let out: KindedCall[] | undefined;
    const calls = unit.facts.calls;
    for (let i = 0; i < calls.length; i++) {
      const call = calls[i];
      const callee = call.callee;
      const q = qualify(callee);
      let v = verdicts.get(callee);
      // A callee that qualifies to itself (usually the same string) is not compared with the kept name.
      if (v === undefined || (q === callee ? !v.plain : v.q !== q)) v = verdictOf(call, q);
      let kinds = v.kinds;
      const ask = v.ask;
      if (ask !== 0) {
        const dotted = call.name !== callee && callee.includes('.');
        // In registration order (they may record what they see).
        for (let k = 0; k < tests.length; k++) if ((ask & (1 << k)) !== 0 && tests[k](call, q, dotted)) kinds |= 1 << k;
      }
      if (kinds !== 0) (out ??= []).push({ call, qualified: q, kinds });
    }
    return out ?? NO_KINDED;
  }));
}

/** The calls of each unit of a program that are of some registered kind, in order. */
export function kindedCalls(program: PythonProgram): ReadonlyArray<readonly KindedCall[]> {
  return kindsOf().all(program);
}

/** Computes the kinded calls of one unit ahead of the whole program (an editor warmer, one cell per piece). */
export function warmKindedCalls(program: PythonProgram, index: number): void {
  kindsOf().at(program, index);
}

/** True when some call of the program is of the kind. */
export function hasKind(program: PythonProgram, kind: number): boolean {
  for (const calls of kindedCalls(program)) for (const c of calls) if (c.kinds & kind) return true;
  return false;
}

/** The calls of the program of a kind, resolved through the index, in execution order. */
export function callsOfKind(index: ProgramIndex, kind: number): ResolvedCall[] {
  const out: ResolvedCall[] = [];
  const all = kindedCalls(index.program);
  for (let i = 0; i < all.length; i++) {
    const calls = all[i];
    if (calls.length === 0) continue;
    const unit = index.program.units[i];
    for (const c of calls) if (c.kinds & kind) out.push(index.resolvedCall(unit, c.call, c.qualified));
  }
  return out;
}

const TRAINING_CALL_NAMES = new Set(['train', 'backward', 'step', 'zero_grad', 'apply_gradients', 'run', 'arun', 'compile']);
/** FIT_NAMES and TRAINING_CALL_NAMES: one lookup for the TRAINING kind. */
const TRAINING_KIND_NAMES = new Set([...FIT_NAMES, ...TRAINING_CALL_NAMES]);

/** BOOSTER_FUNCS, tested on the names that start as its modules do (x, l, c, f). */
function boosterFunction(q: string): boolean {
  const c = q.charCodeAt(0);
  return (c === 120 || c === 108 || c === 99 || c === 102) && BOOSTER_FUNCS.test(q);
}

/** A qualified callee of a booster, Azure ML or Vertex AI training call. */
function platformTrainingCall(q: string): boolean {
  // The modules these patterns start with, by first letter.
  switch (q.charCodeAt(0)) {
    case 120: // x
      return q.startsWith('xgboost.') && BOOSTER_FUNCS.test(q);
    case 108: // l
      return q.startsWith('lightgbm.') && BOOSTER_FUNCS.test(q);
    case 99: // c
      return q.startsWith('catboost.') && BOOSTER_FUNCS.test(q);
    case 102: // f
      return q.startsWith('fasttext.') && BOOSTER_FUNCS.test(q);
    case 97: // a
      return q.startsWith('azure') && (AZURE_AUTOML.test(q) || AZURE_JOB.test(q));
    case 103: // g
      return q.startsWith('google.cloud.aiplatform.') && VERTEX.test(q);
    default:
      return false;
  }
}

/** Calls that `trainingSites` looks at: every branch of it and of `platformSite`. */
const TRAINING = callKind((call, q) => {
  const name = call.name;
  return TRAINING_KIND_NAMES.has(name) || platformTrainingCall(q) || (mayBeTrainWord(name) && !call.callee.includes('(') && TRAIN_WORD.test(name));
}, 'callee');

/**
 * False when TRAIN_WORD cannot match: it needs `train`, `fine` or `fit_model` (any
 * case). A scan of the characters, cheaper than the pattern on every callee name.
 */
export function mayBeTrainWord(s: string): boolean {
  const n = s.length;
  for (let i = 0; i + 4 <= n; i++) {
    const c = s.charCodeAt(i) | 32;
    if (c === 116 /* t */) {
      if (i + 5 <= n && (s.charCodeAt(i + 1) | 32) === 114 && (s.charCodeAt(i + 2) | 32) === 97 && (s.charCodeAt(i + 3) | 32) === 105 && (s.charCodeAt(i + 4) | 32) === 110) return true;
    } else if (c === 102 /* f */) {
      if ((s.charCodeAt(i + 1) | 32) === 105 && (s.charCodeAt(i + 2) | 32) === 110 && (s.charCodeAt(i + 3) | 32) === 101) return true;
      if (i + 9 <= n && (s.charCodeAt(i + 1) | 32) === 105 && (s.charCodeAt(i + 2) | 32) === 116 && s.charCodeAt(i + 3) === 95 && (s.charCodeAt(i + 4) | 32) === 109) return true;
    }
  }
  return false;
}

const unitHasBqml = unitMemo((unit): boolean => unit.facts.strings.some((s) => s.value.length > 20 && BQML.test(s.value)));

/** Every place the program trains a model, in execution order. */
export function trainingSites(index: ProgramIndex): TrainingSite[] {
  const out: TrainingSite[] = [];
  let backward: ResolvedCall | undefined;
  let optimizerStep = false;
  let applyGradients: ResolvedCall | undefined;
  for (const rc of callsOfKind(index, TRAINING)) {
    const name = rc.call.name;
    let s: TrainingSite | undefined;
    if (boosterFunction(rc.qualified)) s = site(rc, 'booster', { supervised: true });
    else if (FIT_NAMES.has(name)) s = fitSite(index, rc);
    else if (name === 'train') s = trainSite(index, rc);
    else if (name === 'backward' && receiverOf(rc.call.callee)) backward ??= rc;
    else if (name === 'step' && /optim|(^|_)opt(_|$)|solver/i.test(receiverOf(rc.call.callee))) optimizerStep = true;
    else if (name === 'zero_grad') optimizerStep = true;
    else if (name === 'apply_gradients') applyGradients ??= rc;
    else if (name === 'run' || name === 'arun') {
      const r = receiverOf(rc.call.callee);
      const def = r ? index.assignment(r, rc) : undefined;
      if (def && (def.qualified === 'evidently.llm.optimization.PromptOptimizer')) s = site(rc, 'prompt', {});
      else if (def && /^mlflow\.(recipes\.Recipe|pipelines\.Pipeline)$/.test(def.qualified)) {
        // `r.run()` runs every step; `r.run("train")` the steps up to training.
        const step = rc.call.args[0]?.str ?? rc.call.args.find((a) => a.name === 'step')?.str;
        if (rc.call.args.length === 0 || (step !== undefined && /^(train|evaluate|register)$/.test(step))) s = site(rc, 'platform', { local: false, tracked: true, holdsOut: true });
      }
    }
    s ??= platformSite(index, rc);
    if (s) out.push(s);
  }
  if (backward && optimizerStep) out.push(site(backward, 'loop', { supervised: true }));
  if (applyGradients) out.push(site(applyGradients, 'loop', { supervised: true }));
  const bqml = unitHasBqml.all(index.program);
  for (let i = 0; i < bqml.length; i++) {
    if (!bqml[i]) continue;
    const unit = index.program.units[i];
    for (const s of unit.facts.strings) {
      if (s.value.length > 20 && BQML.test(s.value)) {
        out.push({
          unit,
          span: s.span,
          focus: s.span,
          kind: 'sql',
          label: 'CREATE MODEL (BigQuery ML)',
          supervised: false,
          local: false,
          tracked: false,
          holdsOut: !/data_split_method\s*=\s*['"]?no_split/i.test(s.value),
        });
      }
    }
  }
  return out.sort((a, b) => index.at(a.unit, a.span.start) - index.at(b.unit, b.span.start));
}

// ---------------------------------------------------------------------------
// Evaluation and held-out data.

export interface EvaluationSite {
  rc: ResolvedCall;
  kind: 'metric' | 'score' | 'evaluate' | 'predict';
}

const METRIC_FUNC = /^(sklearn\.metrics\.(?!make_scorer|get_scorer)\w+|torchmetrics\.\w+|evaluate\.load|keras\.metrics\.\w+|tensorflow\.keras\.metrics\.\w+)$/;
const METRIC_NAMES = new Set([
  'accuracy_score',
  'precision_score',
  'recall_score',
  'f1_score',
  'fbeta_score',
  'roc_auc_score',
  'average_precision_score',
  'log_loss',
  'r2_score',
  'mean_squared_error',
  'mean_absolute_error',
  'root_mean_squared_error',
  'median_absolute_error',
  'mean_absolute_percentage_error',
  'explained_variance_score',
  'max_error',
  'classification_report',
  'confusion_matrix',
  'balanced_accuracy_score',
  'matthews_corrcoef',
  'cohen_kappa_score',
  'hamming_loss',
  'jaccard_score',
  'top_k_accuracy_score',
]);
/** Methods of a fitted model that score or use it. */
const EVALUATION_NAMES = new Set(['score', 'evaluate', 'predict', 'predict_proba', 'predict_log_proba', 'decision_function']);

/** A metric function of a library (METRIC_FUNC, tested on the names that start as it does). */
function metricFunction(q: string): boolean {
  // The modules METRIC_FUNC starts with, by first letter.
  switch (q.charCodeAt(0)) {
    case 115: // s
      return q.startsWith('sklearn.metrics.') && METRIC_FUNC.test(q);
    case 116: // t
      return (q.startsWith('torchmetrics.') || q.startsWith('tensorflow.keras.metrics.')) && METRIC_FUNC.test(q);
    case 101: // e
      return q === 'evaluate.load';
    case 107: // k
      return q.startsWith('keras.metrics.') && METRIC_FUNC.test(q);
    default:
      return false;
  }
}

/** Metric, score, evaluate and predict calls on a fitted model (a method: `receiverOf(callee) !== ''`). */
const EVALUATION = callKind((call, q, dotted) => (dotted ? EVALUATION_NAMES.has(call.name) : METRIC_NAMES.has(call.name)) || metricFunction(q), 'callee');

export function evaluationSites(index: ProgramIndex, trained: ReadonlySet<string>): EvaluationSite[] {
  const out: EvaluationSite[] = [];
  for (const rc of callsOfKind(index, EVALUATION)) {
    const name = rc.call.name;
    if (metricFunction(rc.qualified) || (METRIC_NAMES.has(name) && !rc.call.callee.includes('.'))) {
      out.push({ rc, kind: 'metric' });
      continue;
    }
    const r = receiverOf(rc.call.callee);
    if (!r || !trained.has(r)) continue;
    if (name === 'score') out.push({ rc, kind: 'score' });
    else if (name === 'evaluate') out.push({ rc, kind: 'evaluate' });
    else if (/^predict(_proba|_log_proba)?$|^decision_function$/.test(name)) out.push({ rc, kind: 'predict' });
  }
  return out;
}

/** Identifier tokens that name held-out data: `X_test`, `val_ds`, `valid_loader`, `holdout`, `eval_dataset`. */
export const namesHeldOut = (identifier: string): boolean => mayNameHeldOut(identifier) && namesHeldOutCached(identifier);

const namesHeldOutCached = cachedTest(namesHeldOutUncached);

/**
 * False when `namesHeldOutUncached` cannot be true: each of its words contains one of
 * `tes`, `tst`, `val`, `hol`, `hel`, `dev`, `uns` or `oo` (any case), in ASCII letters
 * of the identifier (only `İ` and the Kelvin sign lower-case to ASCII, to `i` and `k`,
 * which none of these has). A scan of the characters: most identifiers are settled
 * without hashing them for the cache.
 */
function mayNameHeldOut(s: string): boolean {
  const n = s.length - 1;
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i) | 32;
    const d = s.charCodeAt(i + 1) | 32;
    switch (c) {
      case 116: // t: tes, tst
        if ((d === 101 || d === 115) && i + 2 <= n && (s.charCodeAt(i + 2) | 32) === (d === 101 ? 115 : 116)) return true;
        break;
      case 118: // v: val
        if (d === 97 && i + 2 <= n && (s.charCodeAt(i + 2) | 32) === 108) return true;
        break;
      case 104: // h: hol, hel
        if ((d === 111 || d === 101) && i + 2 <= n && (s.charCodeAt(i + 2) | 32) === 108) return true;
        break;
      case 100: // d: dev
        if (d === 101 && i + 2 <= n && (s.charCodeAt(i + 2) | 32) === 118) return true;
        break;
      case 117: // u: uns
        if (d === 110 && i + 2 <= n && (s.charCodeAt(i + 2) | 32) === 115) return true;
        break;
      case 111: // o: oo
        if (d === 111) return true;
        break;
    }
  }
  return false;
}

function namesHeldOutUncached(identifier: string): boolean {
  const tokens = identifier
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .split(/[^a-z0-9]+|(?<=[a-z])(?=\d)/);
  // A bare `val` is usually "a value" and a bare `dev` "a device": only as part of a name.
  const parts = tokens.filter((t) => t !== '');
  return parts.some((t) => /^(test|tests|testing|testset|tst|vali|valid|validation|validate|valset|holdout|heldout|hold|devset|eval|evaluation|unseen|oos|oot)$/.test(t) || /^(test|valid|holdout|heldout)/.test(t) || (parts.length > 1 && /^(val|dev)$/.test(t)));
}

// Cross-validation and search (every score they give is on held-out folds) and calls that
// set data apart are named by CV_FUNCS and SPLIT_FUNCS, which `splitsName` answers for
// (test/training-fast-paths.test.ts keeps the patterns and compares):
//   CV_FUNCS = /(^|\.)(\w*KFold|\w*ShuffleSplit|TimeSeriesSplit|LeaveOneOut|LeavePOut|LeaveOneGroupOut|LeavePGroupsOut|PredefinedSplit|cross_val_score|cross_validate|cross_val_predict|GridSearchCV|RandomizedSearchCV|Halving\w*SearchCV|learning_curve|validation_curve|permutation_test_score|CrossValidator|TrainValidationSplit|BayesSearchCV|cv)$/
//   SPLIT_FUNCS = /(^|\.)(train_test_split|randomSplit|random_split|split_dataset|train_valid_test_split)$/
/** Arguments that evaluate on held-out data while training. */
const VALIDATION_KEYWORDS = new Set(['validation_data', 'validation_split', 'validation_steps', 'validation_freq', 'eval_set', 'eval_dataset', 'eval_data', 'valid_sets', 'valid_data', 'evals', 'validation_fraction', 'val_dataloaders', 'evaluator', 'validation_set', 'test_data', 'eval_steps', 'evaluation_strategy', 'eval_strategy', 'datamodule']);
const SPLIT_KEYWORDS = new Set(['test_size', 'train_size']);

const FOR_IN = /^[ \t]*(?:async[ \t]+)?for\b[^\n]*?\bin[ \t]+(?:\w+\()?([A-Za-z_][\w.]*)/gm;

export interface HeldOutEvidence {
  what: string;
}

/**
 * The first held-out evidence a call gives (a split, validation keywords, held-out names).
 * `splits`: SPLIT_FUNCS or CV_FUNCS match the call's name or its qualified name.
 */
function callHeldOut(call: CallFact, splits: boolean): string | undefined {
  if (splits) return call.callee;
  const args = call.args;
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const name = a.name;
    if (name !== undefined) {
      if ((validationKeyword(name) || (HELD_OUT_FIRST.has(name.charCodeAt(0)) && SPLIT_KEYWORDS.has(name))) && a.text !== 'None' && a.text !== '0') return `${name}=`;
      if (name === 'split' || name === 'subset' || name === 'train') {
        if (/test|val|dev|eval|False/i.test(a.text)) return `${name}=${a.text}`;
      }
    }
    if (a.kind === 'identifier' && namesHeldOut(a.text)) return a.text;
  }
  const targets = call.assignedTo;
  if (targets !== undefined) for (const t of targets) if (namesHeldOut(t)) return t;
  return undefined;
}

/** First characters of VALIDATION_KEYWORDS and SPLIT_KEYWORDS: most keyword names are settled without hashing them. */
const HELD_OUT_FIRST = new Set([...VALIDATION_KEYWORDS, ...SPLIT_KEYWORDS].map((k) => k.charCodeAt(0)));

function validationKeyword(name: string): boolean {
  return HELD_OUT_FIRST.has(name.charCodeAt(0)) && VALIDATION_KEYWORDS.has(name);
}

/** Held-out evidence in one unit's calls: the first, and whether some call validates. */
interface CallsHeldOut {
  /** From a call (`callHeldOut`). */
  call?: string;
  /** Cross-validation, or validation data given to a call. */
  validates: boolean;
}

const NO_CALLS_HELD_OUT: CallsHeldOut = { validates: false };

/** CV_FUNCS names without a `\w*` part (bit 1), and SPLIT_FUNCS names (bit 2). */
const SPLITS_EXACT = new Map<string, number>([
  ...['TimeSeriesSplit', 'LeaveOneOut', 'LeavePOut', 'LeaveOneGroupOut', 'LeavePGroupsOut', 'PredefinedSplit', 'cross_val_score', 'cross_validate', 'cross_val_predict', 'GridSearchCV', 'RandomizedSearchCV', 'learning_curve', 'validation_curve', 'permutation_test_score', 'CrossValidator', 'TrainValidationSplit', 'BayesSearchCV', 'cv'].map((n): [string, number] => [n, 1]),
  ...['train_test_split', 'randomSplit', 'random_split', 'split_dataset', 'train_valid_test_split'].map((n): [string, number] => [n, 2]),
]);
/** The last characters of the SPLITS_EXACT names and of the `\w*` families (`KFold`, `ShuffleSplit`, `SearchCV`). */
const SPLITS_LAST = new Set([...SPLITS_EXACT.keys(), 'KFold', 'ShuffleSplit', 'SearchCV'].map((n) => n.charCodeAt(n.length - 1)));

/** True when s[from, to) is all `\w` ([A-Za-z0-9_]). */
function allWord(s: string, from: number, to: number): boolean {
  for (let i = from; i < to; i++) {
    const c = s.charCodeAt(i);
    if (!((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95)) return false;
  }
  return true;
}

/**
 * 1: CV_FUNCS matches the name, 2: SPLIT_FUNCS does. Both are `(^|\.)(...)$` over
 * dot-free alternatives: they match exactly when the last segment is one of them.
 * The last character rules out most names before anything is sliced or hashed.
 */
function splitsName(s: string): number {
  const n = s.length;
  const last = s.charCodeAt(n - 1);
  // Shorter than every name but `cv` and the `\w*KFold` family.
  if (n < 9) {
    if (last === 118) return s.charCodeAt(n - 2) === 99 && (n === 2 || s.charCodeAt(n - 3) === 46) ? 1 : 0; // (^|\.)cv$
    return last === 100 && s.endsWith('KFold') && allWord(s, s.lastIndexOf('.') + 1, n - 5) ? 1 : 0;
  }
  if (!SPLITS_LAST.has(last)) return 0;
  const start = s.lastIndexOf('.') + 1;
  const exact = SPLITS_EXACT.get(start === 0 ? s : s.slice(start));
  if (exact !== undefined) return exact;
  // \w*KFold, \w*ShuffleSplit, Halving\w*SearchCV
  if (s.endsWith('KFold')) return allWord(s, start, n - 5) ? 1 : 0;
  if (s.endsWith('ShuffleSplit')) return n - start >= 12 && allWord(s, start, n - 12) ? 1 : 0;
  if (s.endsWith('SearchCV')) return n - start >= 15 && s.startsWith('Halving', start) && allWord(s, start + 7, n - 8) ? 1 : 0;
  return 0;
}

const unitCallsHeldOut = qualifiedMemo((unit, qualify): CallsHeldOut => {
  const out: CallsHeldOut = { validates: false };
  for (const c of unit.facts.calls) {
    // CV_FUNCS and SPLIT_FUNCS are suffix patterns over dot-free words: for a dotted
    // callee, the qualified name matches exactly when the last segment does.
    // An undotted callee is its own name; when its import does not rename it, its
    // qualified name is the name again: tested once.
    const name = c.name;
    let splits = splitsName(name);
    if (name === c.callee || !c.callee.includes('.')) {
      const q = qualify(c.callee);
      if (q !== name) splits |= splitsName(q);
    }
    if (!out.validates) {
      if ((splits & 1) !== 0) out.validates = true;
      else {
        const args = c.args;
        for (let i = 0; i < args.length; i++) {
          const a = args[i];
          if (a.name !== undefined && validationKeyword(a.name) && a.text !== 'None') {
            out.validates = true;
            break;
          }
        }
      }
    }
    out.call ??= callHeldOut(c, splits !== 0);
    if (out.call !== undefined && out.validates) break;
  }
  return out.validates || out.call !== undefined ? out : NO_CALLS_HELD_OUT;
});

/** Held-out evidence in one unit's assignment targets and function names. */
const unitDefsHeldOut = unitMemo((unit): string | undefined => {
  for (const as of unit.facts.assignments) for (const t of as.targets) if (namesHeldOut(t)) return t;
  for (const fn of unit.facts.functions) if (namesHeldOut(fn.name) && /(^|_)(eval|evaluate|test|validate|validation)(_|$)/.test(fn.name)) return `${fn.name}()`;
  return undefined;
});

/** Loops over a validation set: `for x, y in val_loader:` (loop targets are not in the facts). */
const unitLoopHeldOut = unitMemo((unit): string | undefined => {
  if (!unit.text.includes('for')) return undefined;
  for (const m of unit.text.matchAll(FOR_IN)) if (namesHeldOut(m[1])) return m[1];
  return undefined;
});

/** Anything that shows the program keeps data apart for evaluation. */
export function heldOutEvidence(index: ProgramIndex, sites: readonly TrainingSite[]): HeldOutEvidence | undefined {
  const platform = sites.find((s) => s.holdsOut);
  if (platform) return { what: platform.label };
  const { program } = index;
  const what = firstIn(program, unitCallsHeldOut, (s) => s.call) ?? firstIn(program, unitDefsHeldOut, (s) => s) ?? firstIn(program, unitLoopHeldOut, (s) => s);
  return what === undefined ? undefined : { what };
}

/**
 * Whether some evaluation actually uses held-out data: cross-validation, validation
 * sets given to training, or a metric/score/predict call on held-out names. A split
 * whose test part is never evaluated does not count.
 */
export function evaluatesOnHeldOut(index: ProgramIndex, sites: readonly TrainingSite[], evals: readonly EvaluationSite[]): boolean {
  if (sites.some((s) => s.holdsOut)) return true;
  const { program } = index;
  if (firstIn(program, unitCallsHeldOut, (s) => (s.validates ? true : undefined))) return true;
  const ids = /[A-Za-z_]\w*/g;
  for (const e of evals) {
    for (const a of e.rc.call.args) for (const m of a.text.matchAll(ids)) if (namesHeldOut(m[0])) return true;
  }
  return firstIn(program, unitLoopHeldOut, (s) => s) !== undefined;
}

// ---------------------------------------------------------------------------
// Experiment tracking.

const TRACKING_MODULES = [
  'mlflow',
  'wandb',
  'neptune',
  'neptune_client',
  'comet_ml',
  'dvclive',
  'clearml',
  'aim',
  'tensorboardX',
  'torch.utils.tensorboard',
  'sacred',
  'guildai',
  'polyaxon',
  'mlrun',
  'azureml.core',
  'azureml.mlflow',
  'sagemaker.experiments',
  'metaflow',
  'determined',
  'ray.air.integrations',
  'keepsake',
];
/** First segments of TRACKING_MODULES. */
const TRACKING_HEADS = new Set(TRACKING_MODULES.map((m) => m.split('.')[0]));
/** Last segments of tracking calls: loggers, callbacks, `log_metric(s)`, `start_run`, `autolog`. */
const TRACKING_NAMES = new Set([
  'TensorBoard',
  'CSVLogger',
  'SummaryWriter',
  'create_file_writer',
  ...['TensorBoard', 'Wandb', 'WandB', 'MLFlow', 'MLflow', 'Comet', 'Neptune', 'CSV', 'DVCLive', 'Aim', 'ClearML'].map((p) => `${p}Logger`),
  ...['Wandb', 'MLflow', 'MLFlow', 'Comet', 'Neptune', 'DVCLive', 'ClearML', 'TensorBoard'].map((p) => `${p}Callback`),
  ...['log_metric', 'log_param', 'log_scalar', 'add_scalar'].flatMap((n) => [n, `${n}s`]),
  'log_metadata',
  'log_model_metadata',
  'log_artifact_metadata',
  'log_time_series_metrics',
  'upload_tb_log',
  'start_upload_tb_log',
  'start_run',
  'autolog',
]);

/** A tracking call's name or qualified name: its last segment is one of TRACKING_NAMES. */
function trackingCall(dotted: string): boolean {
  return TRACKING_NAMES.has(dotted.slice(dotted.lastIndexOf('.') + 1));
}
/** Calls that may write a metrics file. */
const METRIC_WRITERS = new Set(['open', 'dump', 'to_json', 'to_csv', 'write_text', 'savetxt', 'save']);
const METRIC_FILE = /(metric|score|eval|result|perf|accuracy)[^/\\]*\.(json|ya?ml|csv|tsv|txt)$/i;
const METRIC_DICT_RETURN = /return\s*\{\s*["'][\w ]*(score|mae|mse|rmse|accuracy|acc|f1|auc|loss|error|precision|recall|r2)[\w ]*["']\s*:/i;

export interface TrackingEvidence {
  what: string;
}

/** A tracking library or TensorBoard callback imported by one unit. */
const unitTrackingImport = unitMemo((unit): string | undefined => {
  for (const imp of unit.facts.imports) {
    const module = imp.module;
    const dot = module.indexOf('.');
    // A tracking module is at or under one of TRACKING_MODULES: its first segment is theirs.
    if (TRACKING_HEADS.has(dot < 0 ? module : module.slice(0, dot))) {
      const full = imp.name ? `${module}.${imp.name}` : module;
      const hit = TRACKING_MODULES.find((p) => full === p || full.startsWith(p + '.') || module === p || module.startsWith(p + '.'));
      if (hit) return hit;
    }
    // `module.name` starts as `module` does, then a dot: only these modules can give a name the pattern wants.
    if (module.startsWith('tensorflow') || module.startsWith('keras')) {
      const full = imp.name ? `${module}.${imp.name}` : module;
      if (/^(tensorflow\.)?keras\.callbacks\.(TensorBoard|CSVLogger)$|^tensorflow\.summary/.test(full)) return full;
    }
  }
  return undefined;
});

/** `%tensorboard`, `!mlflow ...`, `!dvc exp ...` in one unit. */
const unitTrackingMagic = unitMemo((unit): string | undefined => {
  for (const magic of unit.magics) {
    if (/^(load_ext|tensorboard)$/.test(magic.name) && /tensorboard/.test(magic.command)) return '%tensorboard';
    if (/^(mlflow|wandb|dvc)$/.test(magic.name) && /^(mlflow|wandb|dvc\s+(exp|metrics))/.test(magic.command)) return `!${magic.command.split(/\s+/).slice(0, 2).join(' ')}`;
  }
  return undefined;
});

/** Metrics returned for a pipeline to store, or a KFP metrics output, in one unit. */
const unitTrackingText = unitMemo((unit): string | undefined => {
  if (unit.text.includes('{') && METRIC_DICT_RETURN.test(unit.text)) return 'metrics returned for the pipeline to store';
  for (const s of unit.facts.strings) if (s.value.startsWith('mlpipeline') && /^mlpipeline[-_]metrics/.test(s.value)) return s.value;
  return undefined;
});

/** The first tracking evidence a call gives: a logger, a tracking call, a metrics file written. */
/**
 * `qualify` is only asked where the qualified name can differ from what the callee
 * shows: for a dotted callee, a suffix pattern (`(^|\.)(...)$` over dot-free words)
 * matches the qualified name exactly when it matches the last segment.
 */
function callTracking(call: CallFact, qualify: (dotted: string) => string): string | undefined {
  const name = call.name;
  const dotted = name !== call.callee && call.callee.includes('.');
  // An undotted callee qualifies to itself unless an import renames it: then its last segment is asked too.
  const q = dotted ? undefined : qualify(call.callee);
  if (TRACKING_NAMES.has(name) || (q !== undefined && q !== name && trackingCall(q))) {
    if (name === 'start_run' && !/mlflow|aiplatform|wandb/.test(q ?? qualify(call.callee))) return undefined;
    return call.callee;
  }
  if ((!dotted || name === 'init') && (q ?? qualify(call.callee)) === 'google.cloud.aiplatform.init' && call.args.some((a) => a.name === 'experiment')) return 'aiplatform.init(experiment=...)';
  if (call.args.length === 0) return undefined; // Nothing below matches a call without arguments.
  const writer = METRIC_WRITERS.has(name);
  for (const a of call.args) {
    if (a.name === 'tensorboard' && a.text !== 'None') return 'tensorboard=';
    if (a.name === 'report_to' && !/^(None|\[\s*\]|["']\s*(none)?\s*["']|\[\s*["']none["']\s*\])$/i.test(a.text)) return `report_to=${a.text}`;
    if (writer && a.str !== undefined && METRIC_FILE.test(a.str)) {
      if (call.name !== 'open' || /[wa]/.test(call.args[1]?.str ?? call.args.find((x) => x.name === 'mode')?.str ?? '')) return `metrics written to ${a.str}`;
    }
  }
  if (call.name === 'dump' && /^(json|yaml)\.dump$/.test(qualify(call.callee)) && /metric|score|result|eval/i.test(call.args[0]?.text ?? '')) return 'metrics written with json.dump';
  return undefined;
}

const unitTrackingCall = qualifiedMemo((unit, qualify): string | undefined => {
  for (const call of unit.facts.calls) {
    const hit = callTracking(call, qualify);
    if (hit !== undefined) return hit;
  }
  return undefined;
});

export function trackingEvidence(index: ProgramIndex, sites: readonly TrainingSite[]): TrackingEvidence | undefined {
  const platform = sites.find((s) => s.tracked);
  if (platform) return { what: platform.label };
  const program = index.program;
  // By kind, in this order: the first import, else the first call, else the first magic,
  // else the first text. One scan for the first three (a hit of a kind makes the later
  // kinds moot), the text only when none is found.
  const units = program.units;
  let call: string | undefined;
  let magic: string | undefined;
  for (let i = 0; i < units.length; i++) {
    if (units[i].facts.imports.length) {
      const imp = unitTrackingImport.at(program, i);
      if (imp !== undefined) return { what: imp };
    }
    if (call !== undefined) continue;
    call = unitTrackingCall.at(program, i);
    if (magic === undefined && units[i].magics.length) magic = unitTrackingMagic.at(program, i);
  }
  const what = call ?? magic ?? firstIn(program, unitTrackingText, (s) => s);
  return what === undefined ? undefined : { what };
}

/** The name tests that stand for a pattern (or a scan) with a cheaper first step, for the tests that compare them with it. */
export const trainingTests = {
  metricFunction,
  boosterFunction,
  splitsName,
  unitTrackingImport,
  mayNameHeldOut,
  mayStartWritefile,
  unitCallsHeldOut,
  unitTrackingCall,
  /** The registered kind tests, in order (what the kinds pass would give without its verdicts by callee). */
  kindTests: kindTests as readonly KindTest[],
};
