import { unitLocation, type PythonProgram, type PythonUnit, type ResolvedCall } from '../../parse/program';
import type { ArgFact, CallFact, PythonFacts, Span } from '../../parse/python';
import { defineRule } from '../../rule';
import { cellNames, statementAt, unitFlow, type NameRef, type Stmt } from '../lib/dataflow';
import { callFilter, classifyCtorName, classifyReceiver, codeView, isTestFile, programIndex, receiverOf, type ProgramIndex } from '../lib/training';
import { unitMemo } from '../lib/value-resolver';

// ---------------------------------------------------------------------------
// What is a stateful preprocessing step, what is a split

/** Modules whose estimators learn statistics from the data they are fit on. */
const PREPROC_MODULE =
  /^(sklearn\.(preprocessing|impute|feature_selection|decomposition|feature_extraction|kernel_approximation|random_projection|cross_decomposition|compose|manifold)|category_encoders|feature_engine|imblearn|umap|dask_ml\.(preprocessing|decomposition|impute|feature_extraction)|cuml\.(preprocessing|decomposition|feature_extraction)|pyspark\.ml\.feature)(\.|$)/;
/** Constructor names of stateful steps, for code whose imports do not resolve them. */
const PREPROC_NAME =
  /^(\w*Scaler|SimpleImputer|KNNImputer|IterativeImputer|\w*Imputer|MissingIndicator|(OneHot|Ordinal|Target|Binary|Count|LeaveOneOut|WOE|JamesStein|CatBoost|MEstimate|Helmert|BackwardDifference|BaseN|GLMM|Quantile|Frequency|Mean|Rare[Ll]abel|Categorical)Encoder|CountVectorizer|TfidfVectorizer|DictVectorizer|TfidfTransformer|\w*PCA|TruncatedSVD|FastICA|NMF|FactorAnalysis|LatentDirichletAllocation|Select(KBest|Percentile|Fpr|Fdr|Fwe|FromModel)|GenericUnivariateSelect|SequentialFeatureSelector|VarianceThreshold|RFE|RFECV|QuantileTransformer|PowerTransformer|KBinsDiscretizer|SplineTransformer|ColumnTransformer|make_column_transformer|SMOTE\w*|ADASYN|BorderlineSMOTE|RandomOverSampler|RandomUnderSampler|NearMiss|TomekLinks|UMAP|Isomap|LocallyLinearEmbedding|TSNE|Normalization|TextVectorization|StringLookup|IntegerLookup|Discretization)$/;
/** Steps that learn nothing from the rows (or only the label set): fitting them early leaks nothing. */
const STATELESS = /^(FunctionTransformer|Normalizer|Binarizer|PolynomialFeatures|HashingVectorizer|FeatureHasher|LabelEncoder|LabelBinarizer|MultiLabelBinarizer|CategoryEncoding|Hashing)$/;
const PIPELINE_CTOR = /^(Pipeline|make_pipeline|ColumnTransformer|make_column_transformer|FeatureUnion|make_union)$/;
/** Receiver names that read as a preprocessing step when nothing shows how it was built. */
const PREPROC_RECEIVER = /(scaler|imputer|encoder|vectori[sz]er|(^|_)pca(_|$)|tfidf|selector|normali[sz]er|preprocessor|(^|_)(ohe|sc|ss|mms)(_|$)|smote|sampler)/i;
const KERAS_ADAPT = /^(Normalization|TextVectorization|StringLookup|IntegerLookup|Discretization)$/;

const FIT_NAMES = new Set(['fit', 'fit_transform', 'fit_resample', 'adapt']);

function simpleName(dotted: string): string {
  const s = dotted.replace(/\(\)$/, '');
  return s.slice(s.lastIndexOf('.') + 1);
}

/** The step a fit call fits, when it is a stateful preprocessing step. */
function preprocessingStep(index: ProgramIndex, rc: ResolvedCall): { label: string; named?: string } | undefined {
  const receiver = receiverOf(rc.call.callee);
  if (!receiver) return undefined;
  const adapt = rc.call.name === 'adapt';
  const cls = classifyReceiver(index, receiver, rc);
  const named = /^[A-Za-z_]\w*$/.test(receiver) ? receiver : undefined;
  let ctorQualified = cls.qualifiedCtor ?? (receiver.endsWith(')') ? index.program.qualify(receiver.replace(/\(\)$/, '')) : undefined);
  let ctorName = cls.ctor?.call.name ?? (ctorQualified ? simpleName(ctorQualified) : undefined);
  // `scaler = StandardScaler().fit(X)`: the constructor is one step further.
  if (cls.ctor && (ctorName === 'fit' || ctorName === 'set_params')) {
    ctorQualified = cls.qualifiedCtor;
    ctorName = ctorQualified ? simpleName(ctorQualified) : undefined;
  }
  if (ctorName !== undefined) {
    if (STATELESS.test(ctorName)) return undefined;
    if (adapt) return KERAS_ADAPT.test(ctorName) ? { label: ctorName, named } : undefined;
    if (PIPELINE_CTOR.test(ctorName)) {
      // A pipeline of preprocessing steps only: with a model in it, fitting it is training.
      if (cls.kind === 'estimator') return undefined;
      const at = cls.ctor ?? rc;
      const text = at.unit.text.slice(at.call.span.start, at.call.span.end);
      const steps = [...text.matchAll(/\b([A-Za-z_]\w*)\s*\(/g)].map((m) => m[1]);
      if (steps.some((s) => classifyCtorName(s) === 'estimator' && !PREPROC_NAME.test(s))) return undefined;
      return steps.some((s) => PREPROC_NAME.test(s) && !STATELESS.test(s)) ? { label: ctorName, named } : undefined;
    }
    if (ctorQualified && PREPROC_MODULE.test(ctorQualified)) {
      return /^sklearn\.manifold\./.test(ctorQualified) && !/^(TSNE|Isomap|LocallyLinearEmbedding|MDS|SpectralEmbedding)$/.test(ctorName) ? undefined : { label: ctorName, named };
    }
    if (PREPROC_NAME.test(ctorName) && !/^(tensorflow|keras|torch)/.test(ctorQualified ?? '')) return { label: ctorName, named };
    if (cls.ctor || receiver.endsWith(')')) return undefined;
  }
  if (adapt) return undefined;
  // Built elsewhere (a parameter, a loaded object): judge by its name.
  if (named && PREPROC_RECEIVER.test(named) && !/label|(^|_)(le|lb)(_|$)/i.test(named)) return { label: `\`${named}\``, named };
  return undefined;
}

const TARGET_LIKE = /^(y|Y|target|targets|label|labels|y_\w+|\w+_labels?|\w+_target)$/;

/** Cross-validation functions: each splits the data it is given. */
const CV_FUNCS = new Set(['cross_val_score', 'cross_validate', 'cross_val_predict', 'learning_curve', 'validation_curve', 'permutation_test_score']);
const SPLITTER_CTOR = /(KFold|ShuffleSplit|TimeSeriesSplit|LeaveOneOut|LeavePOut|LeaveOneGroupOut|LeavePGroupsOut|PredefinedSplit)$/;
const SPLITTER_NAME = /^(k?folds?|kf|skf|gkf|sgkf|rkf|cv|cv_\w+|\w+_cv|splitter|sss|tscv|folds?_?\w*)$/i;
const SEARCH_CTOR = /(SearchCV|^RFECV|CV)$/;

interface SplitSite {
  rc: ResolvedCall;
  /** Spans whose data-bearing names are what gets split. */
  spans: Span[];
  label: string;
  /** Cross-validation (folds) rather than one train/test split. */
  cv?: boolean;
  /** A call of a function of this file that splits the argument it is given. */
  via?: ResolvedCall;
}

function positional(rc: ResolvedCall): ArgFact[] {
  return rc.call.args.filter((a) => a.name === undefined && !a.text.startsWith('*'));
}

function splitSite(index: ProgramIndex, rc: ResolvedCall): SplitSite | undefined {
  const name = rc.call.name;
  const pos = positional(rc);
  const kw = (k: string): ArgFact | undefined => rc.call.args.find((a) => a.name === k);
  const receiver = receiverOf(rc.call.callee);
  const spans = (args: Array<ArgFact | undefined>): Span[] => args.filter((a): a is ArgFact => !!a).map((a) => a.valueSpan);
  if (name === 'train_test_split') {
    // `dataset.train_test_split(...)` (Hugging Face datasets): the receiver is the data.
    if (receiver && index.program.qualify(receiver) === receiver && !/^[A-Z]/.test(receiver) && !/model_selection|sklearn/.test(receiver)) {
      return { rc, spans: [rc.call.calleeSpan], label: `${receiver}.train_test_split(...)` };
    }
    return { rc, spans: spans(pos.length ? pos : [kw('X')]), label: 'train_test_split(...)' };
  }
  if (CV_FUNCS.has(name)) return { rc, spans: spans([pos[1] ?? kw('X')]), label: `${name}(...)`, cv: true };
  if (name === 'random_split' && /^(torch\.utils\.data\.)?random_split$/.test(rc.qualified)) return { rc, spans: spans([pos[0] ?? kw('dataset')]), label: 'random_split(...)' };
  if (name === 'randomSplit' && receiver) return { rc, spans: [rc.call.calleeSpan], label: `${receiver}.randomSplit(...)` };
  if (!receiver) return undefined;
  if (name === 'split') {
    const cls = classifyReceiver(index, receiver, rc);
    const ctor = cls.ctor?.call.name ?? (receiver.endsWith(')') ? simpleName(receiver) : undefined);
    if ((ctor && SPLITTER_CTOR.test(ctor)) || (!cls.ctor && !receiver.endsWith(')') && SPLITTER_NAME.test(receiver))) {
      return { rc, spans: spans([pos[0] ?? kw('X')]), label: `${receiver}.split(...)`, cv: true };
    }
    return undefined;
  }
  if (name === 'fit') {
    const cls = classifyReceiver(index, receiver, rc);
    const ctor = cls.ctor?.call.name ?? (receiver.endsWith(')') ? simpleName(receiver) : undefined);
    if (ctor && SEARCH_CTOR.test(ctor) && ctor !== 'RFECV') return { rc, spans: spans([pos[0] ?? kw('X')]), label: `${receiver.length > 30 ? ctor : receiver}.fit(...)`, cv: true };
  }
  return undefined;
}

// ---------------------------------------------------------------------------
// Data flow, statement by statement

interface FitSite {
  rc: ResolvedCall;
  step: { label: string; named?: string };
  data: ArgFact;
  roots: string[];
  /** A call of a function of this file that fits the step and returns the fitted data. */
  via?: ResolvedCall;
}

function inside(ref: NameRef, span: Span): boolean {
  return ref.start >= span.start && ref.end <= span.end;
}

/** Names carrying data in a span of a statement: not indexes (`df[cols]`: `df`, not `cols`). */
function dataNames(st: Stmt, spans: readonly Span[]): string[] {
  return st.uses.filter((u) => !u.index && spans.some((s) => inside(u, s))).map((u) => u.name);
}

/** `scaler` in `scaler.transform(X)`, `norm` in `norm(x)` (a Keras layer applied). */
function methodReceiver(unit: PythonUnit, ref: NameRef): boolean {
  return /^\s*(\.\s*\w|\()/.test(unit.text.slice(ref.end, ref.end + 40));
}

function shorten(text: string): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length > 40 ? one.slice(0, 39) + '…' : one;
}

interface Leak {
  fit: FitSite;
  split: SplitSite;
}

interface Tracker {
  fit: FitSite;
  /** Names holding fitted output (or the fitted step). */
  out: Set<string>;
  /** Names holding the data the step was fit on. */
  inputs: Set<string>;
  /** A split of the fit's input: leakage once the fitted step is applied after it. */
  pendingSplit?: SplitSite;
  done: boolean;
}

function push<K, V>(map: Map<K, V[]>, key: K, value: V): void {
  const list = map.get(key);
  if (list) list.push(value);
  else map.set(key, [value]);
}

/** Fits and splits by statement. A statement object is shared by the units with the same text (their facts). */
interface Sites {
  fits: Map<Stmt, FitSite[]>;
  splits: Map<Stmt, SplitSite[]>;
  /** Facts of the units holding a fit or a split statement. */
  facts: Set<PythonFacts>;
  /** Facts of the units holding a fit statement. */
  fitFacts: Set<PythonFacts>;
}

function newSites(): Sites {
  return { fits: new Map(), splits: new Map(), facts: new Set(), fitFacts: new Set() };
}

function addFit(sites: Sites, unit: PythonUnit, st: Stmt, fit: FitSite): void {
  push(sites.fits, st, fit);
  sites.facts.add(unit.facts);
  sites.fitFacts.add(unit.facts);
}

function addSplit(sites: Sites, unit: PythonUnit, st: Stmt, split: SplitSite): void {
  push(sites.splits, st, split);
  sites.facts.add(unit.facts);
}

/** Every module-level name a unit mentions (its `cellNames`), once. */
const unitNameList = unitMemo((unit): readonly string[] => {
  const names = cellNames(unit);
  const all = new Set<string>(names.uses.keys());
  for (const n of names.defs.keys()) all.add(n);
  for (const n of names.maybe) all.add(n);
  return [...all];
});

/** Whether a unit mentions a name a live tracker follows. */
function mentionsTracked(names: readonly string[], trackers: readonly Tracker[]): boolean {
  for (const t of trackers) {
    if (t.done) continue;
    const named = t.fit.step.named;
    for (const n of names) if (t.out.has(n) || t.inputs.has(n) || n === named) return true;
  }
  return false;
}

/**
 * One pass over the statements in execution order, scope by scope: each fit seeds
 * the names it taints; assignments carry the taint on (or drop it when a name is
 * re-bound from clean data); a split of tainted data is a leak. The pass starts at
 * the first unit with a fit (nothing is followed before) and skips the units that
 * have no fit or split and do not mention a followed name (nothing changes there).
 */
function walk(program: PythonProgram, mainUnits: readonly PythonUnit[], sites: Sites, returnsFitted?: Map<string, FitSite>): Leak[] {
  const units = program.units;
  const { fits, splits } = sites;
  const found: Leak[] = [];
  const trackers = new Map<string, Tracker[]>();
  let from = 0;
  while (from < units.length && !sites.fitFacts.has(units[from].facts)) from++;
  for (let u = from; u < units.length; u++) {
    const unit = units[u];
    // The code view keeps the notebook's cells in place (a `%%writefile` script replaces its cell).
    const isMain = mainUnits[u] === unit;
    if (!sites.facts.has(unit.facts)) {
      // Only the notebook's module scope carries trackers into a unit without fits or splits.
      const moduleTrackers = isMain ? trackers.get('module') : undefined;
      if (!moduleTrackers || !mentionsTracked(unitNameList.at(program, u), moduleTrackers)) continue;
    }
    for (const st of unitFlow(unit).stmts) {
      // Notebook cells share one module scope; a `%%writefile` script has its own.
      const scope = st.fn >= 0 ? `${u}:${st.fn}` : isMain ? 'module' : `script${u}`;
      let active = trackers.get(scope);
      if (!active) trackers.set(scope, (active = []));
      const stSplits = splits.get(st);
      const stFits = fits.get(st);
      if (stSplits) {
        for (const s of stSplits) {
          const names = dataNames(st, s.spans);
          for (const t of active) {
            if (t.done) continue;
            if (names.some((n) => t.out.has(n))) {
              found.push({ fit: t.fit, split: s });
              t.done = true;
            } else if (!t.pendingSplit && t.fit.step.named && names.some((n) => t.inputs.has(n))) {
              t.pendingSplit = s;
            }
          }
          // The fit is inside the split's arguments: `train_test_split(scaler.fit_transform(X), y)`.
          for (const f of stFits ?? []) {
            const at = (f.via ?? f.rc).call.span;
            if (s.spans.some((sp) => at.start >= sp.start && at.end <= sp.end)) found.push({ fit: f, split: s });
          }
        }
      }
      for (const t of active) {
        if (t.done) continue;
        const named = t.fit.step.named;
        // The fitted step applied after a split of the data it was fit on.
        if (t.pendingSplit && named && !stSplits?.includes(t.pendingSplit) && t.out.has(named) && st.uses.some((x) => x.name === named && methodReceiver(unit, x))) {
          found.push({ fit: t.fit, split: t.pendingSplit });
          t.done = true;
          continue;
        }
        // What this statement binds or mutates from tainted data carries the taint on. The
        // fitted step itself carries it only through its methods (`scaler.transform(X)`):
        // pipelines and column transformers built from it refit (or clone) it.
        let readsOut = false;
        let readsInputs = false;
        for (const x of st.uses) {
          if (x.index || (readsOut && readsInputs)) continue;
          const inOut = !readsOut && t.out.has(x.name);
          const inInputs = !readsInputs && t.inputs.has(x.name);
          if ((inOut || inInputs) && (x.name !== named || methodReceiver(unit, x))) {
            if (inOut) readsOut = true;
            if (inInputs) readsInputs = true;
          }
        }
        if (st.kind === 'return' && returnsFitted && readsOut && !returnsFitted.has(scope)) returnsFitted.set(scope, t.fit);
        taint(t.out, readsOut, st);
        taint(t.inputs, readsInputs, st);
      }
      for (const f of stFits ?? []) {
        if (found.some((x) => x.fit === f)) continue;
        const out = new Set<string>();
        for (const d of st.defs) out.add(d.name);
        for (const d of st.mutates) out.add(d.name);
        if (f.step.named) out.add(f.step.named);
        if (st.kind === 'return' && returnsFitted && !returnsFitted.has(scope)) returnsFitted.set(scope, f);
        active.push({ fit: f, out, inputs: new Set(f.roots), done: false });
      }
    }
  }
  return found;
}

/** A statement that reads tainted data taints what it binds or mutates; else what it binds is clean again. */
function taint(set: Set<string>, reads: boolean, st: Stmt): void {
  if (reads) {
    for (const d of st.defs) set.add(d.name);
    for (const d of st.mutates) set.add(d.name);
  } else {
    for (const d of st.defs) set.delete(d.name);
  }
}

/** Calls that may fit a preprocessing step or split data (per unit, cached across runs). */
const SPLIT_CALL_NAMES = new Set(['train_test_split', 'random_split', 'randomSplit', 'split', 'fit']);
const unitCandidates = callFilter(
  () => true,
  (call) => FIT_NAMES.has(call.name) || SPLIT_CALL_NAMES.has(call.name) || CV_FUNCS.has(call.name),
);
/** A call that may build a search (`GridSearchCV(...)`): only a `.fit` of one splits data. */
const unitSearchCtor = unitMemo((unit): boolean => unit.facts.calls.some((c) => SEARCH_CTOR.test(c.name)));

function dataArgument(call: CallFact): ArgFact | undefined {
  return call.args.find((a) => a.name === undefined && !a.text.startsWith('*')) ?? call.args.find((a) => a.name === 'X' || a.name === 'data');
}

function analyse(program: PythonProgram, mainUnits: readonly PythonUnit[]): Leak[] {
  const candidates = unitCandidates.all(program);
  // Cheap preconditions first: a fit with data, and something that may split.
  let fitting = false;
  let splitting = false;
  let fitCall = false;
  for (const list of candidates) {
    for (const { call } of list) {
      if (FIT_NAMES.has(call.name) && dataArgument(call)) fitting = true;
      if (call.name === 'fit') fitCall = true;
      else if (SPLIT_CALL_NAMES.has(call.name) || CV_FUNCS.has(call.name)) splitting = true;
    }
  }
  if (!fitting || (!splitting && !(fitCall && unitSearchCtor.all(program).some((b) => b)))) return [];
  const index = programIndex(program);
  const units = program.units;
  const stmtOf = (rc: ResolvedCall): Stmt | undefined => statementAt(unitFlow(rc.unit), rc.call.span.start);
  const sites = newSites();
  for (let u = 0; u < units.length; u++) {
    for (const c of candidates[u]) {
      if (!SPLIT_CALL_NAMES.has(c.call.name) && !CV_FUNCS.has(c.call.name)) continue;
      const rc = index.resolvedCall(units[u], c.call, c.qualified);
      const s = splitSite(index, rc);
      const st = s && stmtOf(rc);
      if (s && st) addSplit(sites, units[u], st, s);
    }
  }
  if (sites.splits.size === 0) return [];
  for (let u = 0; u < units.length; u++) {
    for (const c of candidates[u]) {
      if (!FIT_NAMES.has(c.call.name)) continue;
      const rc = index.resolvedCall(units[u], c.call, c.qualified);
      const data = positional(rc)[0] ?? rc.call.args.find((a) => a.name === 'X' || a.name === 'data');
      const step = data && preprocessingStep(index, rc);
      const st = step && stmtOf(rc);
      if (!data || !step || !st) continue;
      const roots = dataNames(st, [data.valueSpan]);
      if (roots.length === 0 || roots.every((r) => TARGET_LIKE.test(r))) continue;
      addFit(sites, units[u], st, { rc, step, data, roots });
    }
  }
  if (sites.fits.size === 0) return [];
  // One level across functions of the file: a function that returns fitted data, and
  // one that splits a parameter, act at their call sites.
  const returnsFitted = new Map<string, FitSite>();
  const found = walk(program, mainUnits, sites, returnsFitted);
  // The scope of a statement, where the last unit holding it puts it.
  const scopeOf = (unit: PythonUnit, st: Stmt): string => {
    let u = units.length - 1;
    while (u > 0 && units[u].facts !== unit.facts) u--;
    return st.fn >= 0 ? `${u}:${st.fn}` : mainUnits[u] === units[u] ? 'module' : `script${u}`;
  };
  const splitScopes: Array<{ st: Stmt; scope: string; list: SplitSite[] }> = [];
  for (const [st, list] of sites.splits) {
    const scope = scopeOf(list[0].rc.unit, st);
    if (scope !== 'module') splitScopes.push({ st, scope, list });
  }
  if (returnsFitted.size === 0 && splitScopes.length === 0) return found;
  /** Module-level functions of the file: name -> scope key and parameters. */
  const functions = new Map<string, { scope: string; params: string[] }>();
  units.forEach((unit, u) => {
    // A `def` statement needs the word in the text: the other cells are not read.
    if (!unit.text.includes('def')) return;
    for (const st of unitFlow(unit).stmts) {
      if (st.kind === 'def' && st.fn < 0 && !st.inClass && st.defs[0] && st.defId !== undefined) functions.set(st.defs[0].name, { scope: `${u}:${st.defId}`, params: st.params ?? [] });
    }
  });
  const splitsParam = new Map<string, Map<number, SplitSite>>();
  for (const { st, scope, list } of splitScopes) {
    const fn = [...functions.values()].find((f) => f.scope === scope);
    if (!fn) continue;
    for (const s of list) {
      for (const n of dataNames(st, s.spans)) {
        const i = fn.params.indexOf(n);
        if (i < 0) continue;
        let m = splitsParam.get(scope);
        if (!m) splitsParam.set(scope, (m = new Map()));
        if (!m.has(i)) m.set(i, s);
      }
    }
  }
  if (returnsFitted.size === 0 && splitsParam.size === 0) return found;
  const more: Sites = { fits: new Map(sites.fits), splits: new Map(sites.splits), facts: new Set(sites.facts), fitFacts: new Set(sites.fitFacts) };
  for (const unit of units) {
    for (const call of unit.facts.calls) {
      const fn = functions.get(call.callee);
      if (!fn) continue;
      const rc = index.resolvedCall(unit, call);
      const st = stmtOf(rc);
      if (!st || scopeOf(unit, st) === fn.scope) continue;
      const fitted = returnsFitted.get(fn.scope);
      if (fitted) addFit(more, unit, st, { ...fitted, step: { label: fitted.step.label }, roots: dataNames(st, rc.call.args.map((a) => a.valueSpan)), via: rc });
      const pos = positional(rc);
      for (const [i, s] of splitsParam.get(fn.scope) ?? []) {
        if (pos[i]) addSplit(more, unit, st, { ...s, spans: [pos[i].valueSpan], via: rc });
      }
    }
  }
  const all = walk(program, mainUnits, more);
  const seen = new Set<string>();
  return all.filter((l) => {
    const key = `${l.fit.rc.unit.cell}:${l.fit.rc.call.span.start}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}

// ---------------------------------------------------------------------------

export default defineRule({
  meta: {
    id: 'preprocessing-before-split',
    area: 'validation',
    defaultSeverity: 'warning',
    recommended: true,
    targets: ['notebook', 'python'],
    messages: {
      leak:
        '{{step}} is fit on `{{data}}` before that data is split ({{split}}): statistics of the test rows leak into training and the evaluation is optimistic. Split first, then fit the preprocessing on the training part only (a Pipeline with the model does this).',
      leakCv:
        '{{step}} is fit on `{{data}}` before that data is cross-validated ({{split}}): every validation fold leaks into the preprocessing and the scores are optimistic. Cross-validate a Pipeline of the preprocessing and the model, so that it is refit inside each fold.',
    },
    docs: {
      summary: 'A scaler, encoder, imputer or feature selector is fit on data that is split into train and test later (data leakage).',
      whatItDoes:
        'Follows the data through assignments, cell by cell in notebook order (or statement by statement in a module or function). It reports a `.fit(...)` / `.fit_transform(...)` / `.fit_resample(...)` / Keras `.adapt(...)` of a step that learns from the rows (scalers, imputers, encoders, vectorizers, PCA and other decompositions, feature selectors, resamplers such as SMOTE, from scikit-learn, category_encoders, feature-engine, imbalanced-learn, Spark ML, Keras preprocessing layers) when the fitted data, or data the fitted step transformed, later flows into `train_test_split`, a CV splitter\'s `.split`, `cross_val_score` / `cross_validate` / `cross_val_predict`, a `*SearchCV.fit`, `random_split` or `randomSplit`; or when the data it was fit on is split and the fitted step is then applied to the parts. Steps that learn nothing from the rows (`FunctionTransformer`, `Normalizer`, `Binarizer`, `PolynomialFeatures`, hashing vectorizers, `LabelEncoder` on labels) and fits on data already split off (`X_train`, parts returned by a split) are not reported.',
      whyIsThisBad:
        'The mean and variance of a scaler, the values an imputer fills in, the categories of an encoder, the vocabulary of a vectorizer, the features a selector keeps and the rows an oversampler synthesises are all learned from the data. Fit on everything before the split, they have seen the test rows: the test set is no longer unseen, scores are optimistic and the model that goes to production is not the one that was measured. It is one of the most common leakage patterns in published notebooks (Yang et al., ASE 2022) and no other linter detects it.',
      example: {
        language: 'python',
        code: 'import pandas as pd\nfrom sklearn.linear_model import LogisticRegression\nfrom sklearn.model_selection import train_test_split\nfrom sklearn.preprocessing import StandardScaler\n\ndf = pd.read_csv("train.csv")\nX = df.drop(columns=["churned"])\ny = df["churned"]\nX_scaled = StandardScaler().fit_transform(X)\nX_train, X_test, y_train, y_test = train_test_split(X_scaled, y, random_state=0)\nmodel = LogisticRegression().fit(X_train, y_train)\nprint(model.score(X_test, y_test))\n',
      },
      useInstead: {
        language: 'python',
        code: 'import pandas as pd\nfrom sklearn.linear_model import LogisticRegression\nfrom sklearn.model_selection import train_test_split\nfrom sklearn.pipeline import make_pipeline\nfrom sklearn.preprocessing import StandardScaler\n\ndf = pd.read_csv("train.csv")\nX = df.drop(columns=["churned"])\ny = df["churned"]\nX_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)\n# The scaler is fit inside the pipeline, on the training part only.\nmodel = make_pipeline(StandardScaler(), LogisticRegression())\nmodel.fit(X_train, y_train)\nprint(model.score(X_test, y_test))\n',
      },
      fixSafety:
        'No automatic fix: moving the fit after the split changes the numbers every later cell computes, and the transformed test data has to come from the step fit on the training part. Put the step in a `Pipeline` (or `make_pipeline(StandardScaler(), model)`) and fit the pipeline on the training split; for cross-validation pass the pipeline to `cross_val_score` / `GridSearchCV`, which then refit the step inside every fold.',
      notebookBehavior:
        'Names are followed across cells in their order in the notebook; the finding is on the fit call and the split is linked as related information. A fit and a split in different functions of a module are not connected.',
      references: [
        'Breck et al. 2017, The ML Test Score (Model 6: model quality is checked on held-out data; Infra 4)',
        'Yang, Brower-Sinning, Lewis, Kästner 2022, Data Leakage in Notebooks: Static Detection and Better Processes (ASE 2022)',
        'scikit-learn, Common pitfalls: data leakage: https://scikit-learn.org/stable/common_pitfalls.html#data-leakage',
        'scikit-learn Pipeline: https://scikit-learn.org/stable/modules/compose.html#pipeline',
      ],
    },
  },
  check(ctx) {
    if (!ctx.python || isTestFile(ctx.file)) return;
    const view = codeView(ctx);
    if (!view) return;
    for (const { fit, split } of analyse(view.program, ctx.python.units)) {
      const related = [];
      if (fit.via) related.push({ location: unitLocation(fit.via.unit, fit.via.call.span), message: `\`${fit.via.call.callee}(...)\` returns the data ${fit.step.label} was fit on` });
      if (split.via) related.push({ location: unitLocation(split.via.unit, split.via.call.span), message: `\`${split.via.call.callee}(...)\` passes the fitted data on to the split` });
      related.push({ location: unitLocation(split.rc.unit, split.rc.call.span), message: `The data is split here, after ${fit.step.label} was fit on it` });
      ctx.report({
        messageId: split.cv ? 'leakCv' : 'leak',
        data: { step: fit.step.label, data: shorten(fit.data.text), split: split.via ? `${split.via.call.callee}(...) calls ${split.label}` : split.label },
        location: unitLocation(fit.rc.unit, fit.rc.call.span),
        related,
      });
    }
  },
});
