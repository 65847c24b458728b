import { isMap, isScalar, isSeq, type Node as YamlNode } from 'yaml';
import type { NotebookCell, NotebookModel } from '../../parse/notebook';
import { PythonProgram, unitLocation, type PythonUnit, type ResolvedCall } from '../../parse/program';
import type { ArgFact, CallFact, Span } from '../../parse/python';
import { nodeRange, type YamlFile } from '../../parse/yaml';
import { defineRule, type ReportDescriptor, type RuleContext } from '../../rule';
import type { Edit, Fix, TextEdit } from '../../types';
import { callKind, kindedCalls, parseEmbedded } from '../lib/training';
import { importsModule, unitMemo } from '../lib/value-resolver';

const SEED = 42;

// ---------------------------------------------------------------------------
// What is random, what seeds it

/** Libraries with a global random state, and the call that seeds each. */
type Library = 'random' | 'numpy' | 'torch' | 'tensorflow';

const SEED_CALLS: Array<{ match: RegExp; seeds: Library[] }> = [
  { match: /^random\.seed$/, seeds: ['random'] },
  { match: /^numpy\.random\.(seed|set_state)$/, seeds: ['numpy'] },
  // An explicitly seeded generator: the author manages randomness through it.
  { match: /^numpy\.random\.(default_rng|RandomState|Generator|PCG64|MT19937|SeedSequence)$/, seeds: ['numpy'] },
  { match: /^random\.Random$/, seeds: ['random'] },
  { match: /^torch\.(manual_seed|random\.manual_seed|cuda\.manual_seed_all)$/, seeds: ['torch'] },
  { match: /^(tensorflow|tf)\.(random\.set_seed|set_random_seed|compat\.v1\.set_random_seed|compat\.v1\.random\.set_random_seed)$/, seeds: ['tensorflow'] },
  { match: /^(tensorflow\.keras|keras|tf_keras)\.utils\.set_random_seed$/, seeds: ['random', 'numpy', 'tensorflow'] },
  { match: /^(lightning|pytorch_lightning|lightning\.pytorch|lightning\.fabric|lightning_fabric)(\.utilities(\.seed)?)?\.seed_everything$/, seeds: ['random', 'numpy', 'torch'] },
  { match: /^(transformers|accelerate\.utils|accelerate)(\.trainer_utils)?\.(set_seed|enable_full_determinism)$/, seeds: ['random', 'numpy', 'torch', 'tensorflow'] },
];

/** A project's own seeding helper (`set_seed(42)`, `seed_everything(cfg.seed)`, `fix_seeds()`): assumed to seed every library. */
const SEED_HELPER = /^(?:(?:set|fix|init|setup|reset|make|seed)_?)?(?:(?:global|random|all|torch|np|numpy|everything)_?)?seeds?(?:_?(?:everything|all|torch|random|rng))?$/i;

/** numpy.random functions that are not draws. */
const NUMPY_NOT_DRAWS = new Set(['seed', 'get_state', 'set_state', 'default_rng', 'RandomState', 'Generator', 'PCG64', 'PCG64DXSM', 'MT19937', 'Philox', 'SFC64', 'SeedSequence', 'BitGenerator', 'bit_generator']);

const RANDOM_DRAWS = new Set([
  'random', 'randint', 'randrange', 'choice', 'choices', 'shuffle', 'sample', 'uniform', 'gauss', 'normalvariate', 'triangular',
  'betavariate', 'expovariate', 'gammavariate', 'getrandbits', 'lognormvariate', 'vonmisesvariate', 'paretovariate', 'weibullvariate',
  'randbytes', 'binomialvariate',
]);

const TORCH_DRAWS = /^torch\.(rand|randn|randint|randperm|rand_like|randn_like|randint_like|normal|bernoulli|multinomial|poisson)$/;
const TF_DRAWS = /^(tensorflow|tf)\.random\.(uniform|normal|truncated_normal|shuffle|categorical|gamma|poisson|stateless_\w+)$/;

/** Draws of Generator objects (`rng.normal()`, `r.choice()`). */
const GENERATOR_METHODS = new Set([...RANDOM_DRAWS, 'rand', 'randn', 'integers', 'normal', 'permutation', 'permuted', 'binomial', 'poisson', 'exponential', 'standard_normal', 'multivariate_normal', 'beta', 'gamma', 'bytes', 'random_sample']);

/** Estimators and helpers whose result depends on `random_state`; `when` limits it to configurations that use it. */
interface RandomStateTarget {
  match: RegExp;
  param: 'random_state' | 'seed';
  when?: (call: CallFact) => boolean;
}

const kw = (call: CallFact, name: string): ArgFact | undefined => call.args.find((a) => a.name === name);
const isTrue = (a: ArgFact | undefined): boolean => a?.text === 'True';

const SKLEARN_ESTIMATORS = [
  'ensemble\\.(RandomForest|ExtraTrees|GradientBoosting)(Classifier|Regressor)',
  'ensemble\\.(AdaBoost|Bagging)(Classifier|Regressor)',
  'ensemble\\.(IsolationForest|RandomTreesEmbedding)',
  'tree\\.(DecisionTree|ExtraTree)(Classifier|Regressor)',
  'linear_model\\.(SGDClassifier|SGDRegressor|SGDOneClassSVM|Perceptron|PassiveAggressiveClassifier|PassiveAggressiveRegressor|RANSACRegressor|TheilSenRegressor)',
  'neural_network\\.(MLPClassifier|MLPRegressor|BernoulliRBM)',
  'cluster\\.(KMeans|MiniBatchKMeans|BisectingKMeans|SpectralClustering)',
  'mixture\\.(GaussianMixture|BayesianGaussianMixture)',
  'decomposition\\.(TruncatedSVD|FastICA|LatentDirichletAllocation|MiniBatchDictionaryLearning|MiniBatchNMF)',
  'manifold\\.(TSNE|MDS|SpectralEmbedding)',
  'kernel_approximation\\.(RBFSampler|Nystroem|SkewedChi2Sampler)',
  'random_projection\\.(GaussianRandomProjection|SparseRandomProjection)',
  'model_selection\\.(ShuffleSplit|StratifiedShuffleSplit|GroupShuffleSplit|RepeatedKFold|RepeatedStratifiedKFold|RandomizedSearchCV)',
  'utils\\.(shuffle|resample)',
  'datasets\\.make_\\w+',
];

const RANDOM_STATE_TARGETS: RandomStateTarget[] = [
  { match: new RegExp(`^sklearn\\.(?:\\w+\\.)*?(?:${SKLEARN_ESTIMATORS.join('|')})$`), param: 'random_state' },
  { match: /^sklearn\.model_selection\.train_test_split$/, param: 'random_state', when: (c) => kw(c, 'shuffle')?.text !== 'False' },
  { match: /^sklearn\.model_selection\.(KFold|StratifiedKFold|GroupKFold|StratifiedGroupKFold)$/, param: 'random_state', when: (c) => isTrue(kw(c, 'shuffle')) },
  { match: /^sklearn\.linear_model\.(LogisticRegression|Ridge|RidgeClassifier)$/, param: 'random_state', when: (c) => /^["'](sag|saga)["']$/.test(kw(c, 'solver')?.text ?? '') },
  { match: /^sklearn\.svm\.SVC$|^sklearn\.svm\.NuSVC$/, param: 'random_state', when: (c) => isTrue(kw(c, 'probability')) },
  { match: /^imblearn\.(?:\w+\.)*(SMOTE|SMOTENC|SMOTEN|ADASYN|BorderlineSMOTE|SVMSMOTE|KMeansSMOTE|RandomOverSampler|RandomUnderSampler|SMOTEENN|SMOTETomek|ClusterCentroids|BalancedRandomForestClassifier|BalancedBaggingClassifier|EasyEnsembleClassifier|RUSBoostClassifier)$/, param: 'random_state' },
  { match: /^umap\.(umap_\.)?UMAP$/, param: 'random_state' },
  {
    match: /^pyspark\.ml\.(?:\w+\.)*(ALS|RandomForestClassifier|RandomForestRegressor|GBTClassifier|GBTRegressor|DecisionTreeClassifier|DecisionTreeRegressor|KMeans|BisectingKMeans|GaussianMixture|LDA|MultilayerPerceptronClassifier|Word2Vec|CrossValidator|TrainValidationSplit|FMClassifier|FMRegressor|BucketedRandomProjectionLSH|MinHashLSH)$/,
    param: 'seed',
  },
  { match: /^optuna\.samplers\.(TPESampler|RandomSampler|CmaEsSampler|NSGAIISampler|NSGAIIISampler|QMCSampler|GPSampler)$/, param: 'seed' },
];

/** Which global seed makes a missing `random_state`/`seed` harmless (sklearn and pandas fall back to numpy's global state). */
function coveredBy(qualified: string): Library | undefined {
  if (/^(sklearn|imblearn|umap)\./.test(qualified)) return 'numpy';
  return undefined;
}

// ---------------------------------------------------------------------------
// Programs: the notebook (or .py file) itself, and `%%writefile x.py` scripts

interface Analysed {
  program: PythonProgram;
  /** `%%writefile` script: seeds are inserted as lines in its cell, not as a new cell. */
  script: boolean;
}

/** `%%writefile x.py` cells: a script of their own (the test of a cell's text, cached per text). */
function writesScript(text: string): boolean {
  // The pattern reads the first line only: so does the quick test (not the whole cell).
  const nl = text.indexOf('\n');
  const first = nl < 0 ? text : text.slice(0, nl);
  return first.includes('%%writefile') && /^\s*%%writefile\s+(?:-a\s+)?\S*\.py\s*$/m.test(first);
}

const unitWritesScript = unitMemo((unit) => writesScript(unit.text));

function programsOf(ctx: RuleContext): Analysed[] {
  const out: Analysed[] = [];
  if (ctx.python) out.push({ program: ctx.python, script: ctx.target === 'python' });
  const nb = ctx.notebook;
  if (!nb) return out;
  // The units of a notebook's program are its code cells, in order.
  let cells: NotebookCell[];
  if (ctx.python) {
    const writes = unitWritesScript.all(ctx.python);
    cells = [];
    for (let i = 0; i < writes.length; i++) if (writes[i]) cells.push(nb.cells[ctx.python.units[i].cell!]);
  } else cells = nb.cells.filter((c) => c.kind === 'code' && writesScript(c.source));
  for (const cell of cells) {
    // The magic line becomes spaces so positions stay cell-relative.
    const text = cell.source;
    const p = parseEmbedded(text, { writefile: true, magics: false });
    const unit: PythonUnit = { cell: cell.index, text, magics: p.magics, facts: p.facts, lines: p.lines };
    out.push({ program: new PythonProgram([unit]), script: true });
  }
  return out;
}

// ---------------------------------------------------------------------------
// Fixes

function indentOf(text: string, offset: number): string {
  const ls = text.lastIndexOf('\n', offset - 1) + 1;
  return /^[ \t]*/.exec(text.slice(ls))?.[0] ?? '';
}

/** Adds `name=value` to a call's arguments: empty lists, trailing commas and one-argument-per-line calls. */
function addKeywordArgument(unit: PythonUnit, call: CallFact, name: string, value: string): TextEdit | undefined {
  const text = unit.text;
  const close = call.span.end - 1;
  if (text[close] !== ')') return undefined;
  const last = call.args[call.args.length - 1];
  const edit = (at: number, newText: string): TextEdit => ({ cell: unit.cell, range: unit.lines.rangeOf(at, at), newText });
  if (!last) return edit(close, `${name}=${value}`);
  const between = text.slice(last.span.end, close);
  const open = text.indexOf('(', call.calleeSpan.end);
  const multiLine = text.slice(open, last.span.start).includes('\n');
  const comma = between.indexOf(',');
  if (multiLine) {
    const indent = indentOf(text, last.span.start);
    if (comma >= 0) return edit(last.span.end + comma + 1, `\n${indent}${name}=${value},`);
    return edit(last.span.end, `,\n${indent}${name}=${value}`);
  }
  if (comma >= 0) return edit(last.span.end + comma + 1, ` ${name}=${value}`);
  return edit(last.span.end, `, ${name}=${value}`);
}

interface SeedLine {
  module: string;
  alias: string;
  line: (alias: string) => string;
}

const SEED_LINES: Record<Library, SeedLine> = {
  random: { module: 'random', alias: 'random', line: (a) => `${a}.seed(${SEED})` },
  numpy: { module: 'numpy', alias: 'np', line: (a) => `${a}.random.seed(${SEED})` },
  torch: { module: 'torch', alias: 'torch', line: (a) => `${a}.manual_seed(${SEED})` },
  tensorflow: { module: 'tensorflow', alias: 'tf', line: (a) => `${a}.random.set_seed(${SEED})` },
};

/** Keras 3 without TensorFlow (JAX / PyTorch backends) is seeded through Keras itself. */
const KERAS_SEED: SeedLine = { module: 'keras', alias: 'keras', line: (a) => `${a}.utils.set_random_seed(${SEED})` };

function seedLineFor(l: Library, program: PythonProgram): SeedLine {
  return l === 'tensorflow' && !importsModule(program, ['tensorflow']) && importsModule(program, ['keras']) ? KERAS_SEED : SEED_LINES[l];
}

const importLine = (s: SeedLine, alias = s.alias): string => (alias === s.module ? `import ${s.module}` : `import ${s.module} as ${alias}`);

const LIBRARY_ORDER: Library[] = ['random', 'numpy', 'torch', 'tensorflow'];

/** `import numpy as np` -> `np`; undefined when the module itself is not imported. */
function moduleAlias(program: PythonProgram, module: string): string | undefined {
  return program.imports().find(({ imp }) => imp.module === module && !imp.name)?.imp.alias;
}

function seedSource(lines: SeedLine[]): string {
  return ['# Fixed seeds, so every run draws the same random numbers.', ...lines.map((s) => importLine(s)), '', ...lines.map((s) => s.line(s.alias))].join('\n');
}

const IMPORT_START = /^\s*(?:import\s|from\s+\S+\s+import\s|[%!]|\))/;
const IMPORT_NAMES = /^[\w\s,]+$/;

/** A line a cell that only imports may have (exported for tests). */
export function onlyImportsLine(line: string): boolean {
  return IMPORT_START.test(line) || IMPORT_NAMES.test(line);
}

/** Where the seed cell goes: before the first code cell, or after it when it only imports. */
function seedCellIndex(nb: NotebookModel): number {
  const first = nb.cells.find((c) => c.kind === 'code');
  if (!first) return 0;
  const lines = first.source.split('\n').filter((l) => l.trim() !== '' && !/^\s*#/.test(l));
  // An import, a magic, the `)` or the names of a parenthesised import (the same lines as
  // `^\s*(import\s|from\s+\S+\s+import\s|[%!]|\)|[\w\s,]+,?\s*$)`, in linear time).
  const importsOnly = lines.length > 0 && lines.every(onlyImportsLine);
  return importsOnly ? first.index + 1 : first.index;
}

function seedFix(ctx: RuleContext, a: Analysed, libs: Library[]): Fix | undefined {
  if (libs.length === 0) return undefined;
  const seeds = libs.map((l) => seedLineFor(l, a.program));
  const title = `Set fixed seeds (${seeds.map((s) => s.line(s.alias).replace(/\(.*/, '')).join(', ')})`;
  if (ctx.notebook && !a.script) {
    const edits: Edit[] = [{ insertCell: { index: seedCellIndex(ctx.notebook), kind: 'code', source: seedSource(seeds) } }];
    return { title, safety: 'unsafe', edits };
  }
  // A .py file or a %%writefile script: seed lines after its last top-level import.
  const unit = a.program.units[0];
  const topImports = unit.facts.imports.filter((i) => unit.lines.positionAt(i.span.start).character === 0);
  const after = topImports.length ? Math.max(...topImports.map((i) => i.span.end)) : -1;
  let at: number;
  if (after >= 0) {
    const nl = unit.text.indexOf('\n', after);
    at = nl < 0 ? unit.text.length : nl + 1;
  } else at = unit.cell !== undefined ? unit.text.indexOf('\n') + 1 : 0;
  const lines: string[] = [];
  for (const seed of seeds) {
    let alias = moduleAlias(a.program, seed.module);
    if (!alias) {
      alias = seed.alias;
      lines.push(importLine(seed));
    }
    lines.push(seed.line(alias));
  }
  const prefix = at > 0 && unit.text[at - 1] !== '\n' ? '\n' : '';
  return { title, safety: 'unsafe', edits: [{ cell: unit.cell, range: unit.lines.rangeOf(at, at), newText: `${prefix}\n${lines.join('\n')}\n` }] };
}

// ---------------------------------------------------------------------------
// Analysis of one program

/** A draw whose result only names something (endpoint suffix, run id) or waits: not a result. */
function namingOnly(program: PythonProgram, unit: PythonUnit, rc: ResolvedCall): boolean {
  const call = rc.call;
  const text = unit.text;
  const lineStart = text.lastIndexOf('\n', call.span.start - 1) + 1;
  const before = text.slice(lineStart, call.span.start);
  if (/(?:\.join\(|\bstr\(|\bf["']|["']\s*\+\s*(?:str\()?$|\bsleep\(|\buuid)/.test(before)) return true;
  if (call.args.some((a) => /\bstring\.(ascii_\w+|digits|hexdigits|letters|lowercase|uppercase)\b|\bascii_(letters|lowercase|uppercase)\b/.test(a.text))) return true;
  const named = /(?:^|_)(?:name|names|suffix|prefix|id|ids|uuid|tag|port|colou?r|sleep|delay|jitter|backoff|wait|user_agent|nonce|salt)(?:_|$)|name$|suffix$|Name$|Id$/;
  if (call.assignedTo?.some((t) => named.test(t))) return true;
  if (call.inFunction && named.test(call.inFunction)) return true;
  // `rand = random.randint(0, 9999)` used only as `f"endpoint-{rand}"` / `str(rand)`.
  const target = call.assignedTo?.length === 1 && /^[A-Za-z_]\w*$/.test(call.assignedTo[0]) ? call.assignedTo[0] : undefined;
  if (target) {
    const own = usesForNaming(unit.text, target, lineStart, call.span.start);
    if (own.bad) return false;
    let n = own.n;
    for (const u of program.units) {
      if (u === unit) continue;
      const other = namingUses(u, target);
      if (other.bad) return false;
      n += other.n;
    }
    return n > 0;
  }
  return false;
}

/** Uses of `target` in a text outside [skipFrom, skipTo): how many, and whether one is not string building. */
function usesForNaming(text: string, target: string, skipFrom = -1, skipTo = -1): { bad: boolean; n: number } {
  const uses = new RegExp(`(?<![\\w.])${target}(?!\\w)`, 'g');
  let n = 0;
  for (const m of text.matchAll(uses)) {
    const at = m.index ?? 0;
    if (at >= skipFrom && at < skipTo) continue; // the assignment itself
    const pre = text.slice(Math.max(0, at - 6), at);
    const post = text.slice(at + target.length, at + target.length + 6);
    if (!(/\{\s*$/.test(pre) && /^\s*[}:!]/.test(post)) && !/\bstr\($/.test(pre) && !/["']\s*\+\s*$/.test(pre) && !/^\s*\+\s*["']/.test(post)) return { bad: true, n };
    n++;
  }
  return { bad: false, n };
}

/** `usesForNaming` of other cells, cached per cell text and name. */
const namingUsesOf = unitMemo((): Map<string, { bad: boolean; n: number }> => new Map());

function namingUses(unit: PythonUnit, target: string): { bad: boolean; n: number } {
  const memo = namingUsesOf(unit);
  let r = memo.get(target);
  if (!r) {
    r = usesForNaming(unit.text, target);
    if (memo.size < 64) memo.set(target, r);
  }
  return r;
}

interface ProgramFacts {
  seeded: Set<Library>;
  /** Variables bound to generators created without a seed: `rng = np.random.default_rng()`. */
  unseededGenerators: Map<string, ResolvedCall>;
}

function programFacts(calls: readonly RandomCall[]): ProgramFacts {
  const seeded = new Set<Library>();
  const unseededGenerators = new Map<string, ResolvedCall>();
  for (const rc of calls) {
    const { pre } = rc;
    const seededCall = pre.q.seedCall;
    if (seededCall) {
      const hasSeedArg = pre.hasSeedArg;
      if (hasSeedArg) seededCall.seeds.forEach((l) => seeded.add(l));
      else if (pre.q.generator && rc.call.assignedTo?.length === 1) unseededGenerators.set(rc.call.assignedTo[0], rc);
      continue;
    }
    // A project's own helper: `set_seed(42)`, `utils.seed_everything(cfg.seed)`.
    if (pre.helper) LIBRARY_ORDER.forEach((l) => seeded.add(l));
  }
  return { seeded, unseededGenerators };
}

/** Names whose calls the analysis reads whatever they qualify to (seeds and splits, draws, shuffles, training). */
const RANDOM_CALL_NAMES = new Set(['sweep', 'train_test_split', 'shuffle', 'sample', 'backward', 'fit', 'step', 'compile', ...GENERATOR_METHODS]);

/**
 * Calls that some part of the analysis below reads (seeds, seeded estimators,
 * draws, shuffles, generators, training): every other call has no effect on it.
 */
function readsRandomness(call: CallFact, q: string): boolean {
  const name = call.name;
  if (RANDOM_CALL_NAMES.has(name) || (hasSeed(name) && SEED_HELPER.test(name)) || call.callee === 'DataLoader' || call.callee === 'random_split') return true;
  return randomModule(q) && qualifiedOf(q) !== undefined;
}

/** `/seed/i.test(s)`, as a scan of the characters (run on every callee name). */
function hasSeed(s: string): boolean {
  for (let i = 0; i + 4 <= s.length; i++) {
    if ((s.charCodeAt(i) | 32) === 115 && (s.charCodeAt(i + 1) | 32) === 101 && (s.charCodeAt(i + 2) | 32) === 101 && (s.charCodeAt(i + 3) | 32) === 100) return true;
  }
  return false;
}

/** True when a qualified name starts with `<one of RANDOM_HEADS>.` (every test on qualified names is anchored there). */
function randomModule(q: string): boolean {
  switch (q.charCodeAt(0)) {
    case 114: // r
      return q.startsWith('random.');
    case 110: // n
      return q.startsWith('numpy.');
    case 116: // t
      return q.startsWith('torch.') || q.startsWith('tensorflow.') || q.startsWith('tf.') || q.startsWith('tf_keras.') || q.startsWith('transformers.');
    case 107: // k
      return q.startsWith('keras.');
    case 108: // l
      return q.startsWith('lightning.') || q.startsWith('lightning_fabric.');
    case 112: // p
      return q.startsWith('pytorch_lightning.') || q.startsWith('pyspark.');
    case 97: // a
      return q.startsWith('accelerate.') || q.startsWith('azure.');
    case 115: // s
      return q.startsWith('sklearn.');
    case 105: // i
      return q.startsWith('imblearn.');
    case 117: // u
      return q.startsWith('umap.');
    case 111: // o
      return q.startsWith('optuna.');
    default:
      return false;
  }
}

/** First segments of the qualified names the tests of `readsRandomness` match (SEED_CALLS, RANDOM_STATE_TARGETS, draws). */
const RANDOM_HEADS = new Set(['random', 'numpy', 'torch', 'tensorflow', 'tf', 'keras', 'tf_keras', 'lightning', 'pytorch_lightning', 'lightning_fabric', 'transformers', 'accelerate', 'sklearn', 'imblearn', 'umap', 'pyspark', 'optuna', 'azure']);

/** The modules RANDOM_STATE_TARGETS are anchored at (no other pattern is). */
const STATE_TARGET_HEADS = new Set(['sklearn', 'imblearn', 'umap', 'pyspark', 'optuna']);

/** What the analysis tests of a qualified name alone (the same for every call of that name). */
interface QualifiedPre {
  seedCall?: (typeof SEED_CALLS)[number];
  /** A generator constructor (`default_rng`, `RandomState`, `random.Random`). */
  generator: boolean;
  /** Not a function of `random` or `numpy.random` (a seeding helper of the project may be). */
  notRandomModule: boolean;
  /** The estimator or splitter whose `random_state` / `seed` may matter (see `when`). */
  target?: RandomStateTarget;
  cover?: Library;
  randomSampling: boolean;
  moduleFunction: boolean;
  randomModule: boolean;
  sklearn: boolean;
  /** `np.random.<draw>` */
  npDraw?: string;
  /** `random.<draw>` */
  pyDraw?: string;
  torchDraw: boolean;
  tfDraw: boolean;
  torchLoader: boolean;
}

function qualifiedPre(q: string): QualifiedPre {
  const np = /^numpy\.random\.(\w+)$/.exec(q);
  const py = /^random\.(\w+)$/.exec(q);
  return {
    seedCall: SEED_CALLS.find((s) => s.match.test(q)),
    generator: /default_rng|RandomState|Generator|Random$/.test(q),
    notRandomModule: !/^(random|numpy\.random)\./.test(q),
    target: RANDOM_STATE_TARGETS.find((t) => t.match.test(q)),
    cover: coveredBy(q),
    randomSampling: /^azure\.ai\.ml\.sweep\.RandomSamplingAlgorithm$/.test(q),
    moduleFunction: /^(sklearn|numpy|random|torch|tensorflow)(\.\w+)*$/.test(q),
    randomModule: /^random\./.test(q),
    sklearn: /^sklearn\./.test(q),
    npDraw: np && !NUMPY_NOT_DRAWS.has(np[1]) ? np[1] : undefined,
    pyDraw: py && RANDOM_DRAWS.has(py[1]) ? py[1] : undefined,
    torchDraw: TORCH_DRAWS.test(q),
    tfDraw: TF_DRAWS.test(q) && !/stateless/.test(q),
    torchLoader: /^torch\.utils\.data\.(DataLoader|random_split)$/.test(q),
  };
}

/** True when a qualified name alone makes the analysis read a call (every test on it is anchored at a RANDOM_HEADS module). */
function readsQualified(q: string): boolean {
  const dot = q.indexOf('.');
  const head = dot < 0 ? undefined : q.slice(0, dot);
  if (head === undefined || !RANDOM_HEADS.has(head)) return false;
  // RANDOM_STATE_TARGETS are anchored at these modules, every other pattern at others.
  if (STATE_TARGET_HEADS.has(head)) return RANDOM_STATE_TARGETS.some((t) => t.match.test(q));
  return (
    SEED_CALLS.some((s) => s.match.test(q)) ||
    /^azure\.ai\.ml\.sweep\.RandomSamplingAlgorithm$/.test(q) ||
    /^numpy\.random\.\w+$/.test(q) ||
    /^random\.\w+$/.test(q) ||
    TORCH_DRAWS.test(q) ||
    TF_DRAWS.test(q) ||
    /^torch\.utils\.data\.(DataLoader|random_split)$/.test(q)
  );
}

/** A copy of a cache key that does not keep the cell text it was sliced from alive. */
function detached(s: string): string {
  return s.length < 13 ? s : (' ' + s).slice(1);
}

/**
 * The tests of qualified names, remembered across files and runs (the same names recur):
 * `null` for a name that alone does not make a call read, else what the analysis tests of it.
 */
const qualifiedCache = new Map<string, QualifiedPre | null>();

function qualifiedOf(q: string): QualifiedPre | undefined {
  let v = qualifiedCache.get(q);
  if (v === undefined) {
    v = readsQualified(q) ? qualifiedPre(q) : null;
    if (qualifiedCache.size >= 10_000) qualifiedCache.clear();
    qualifiedCache.set(detached(q), v);
  }
  return v ?? undefined;
}

/** What the analysis tests of a call: its qualified name's tests, and those of the call itself (computed once per cell text). */
interface Pre {
  q: QualifiedPre;
  /** A seed is passed (first argument not None, or `seed=`). */
  hasSeedArg: boolean;
  /** A project's own seeding helper. */
  helper: boolean;
  splat: boolean;
  /** The estimator or splitter whose `random_state` / `seed` matters here. */
  target?: RandomStateTarget;
  bareLoader: boolean;
}

/** `qualifiedPre` of a name that alone does not make a call read (it is still tested, for calls read by name). */
const preOfOther = new Map<string, QualifiedPre>();

function precompute(call: CallFact, q: string): Pre {
  let qp = qualifiedOf(q);
  if (!qp) {
    qp = preOfOther.get(q);
    if (!qp) {
      if (preOfOther.size >= 10_000) preOfOther.clear();
      preOfOther.set(detached(q), (qp = qualifiedPre(q)));
    }
  }
  const target = qp.target;
  return {
    q: qp,
    hasSeedArg: call.args.length > 0 && call.args[0].text !== 'None' && !call.args.every((a) => a.name && a.name !== 'seed'),
    // SEED_HELPER needs `seed` (any case): `hasSeed` settles most names without the pattern.
    helper: qp.notRandomModule && hasSeed(call.name) && SEED_HELPER.test(call.name),
    splat: call.args.some((x) => x.kind === 'dictionary_splat' || x.kind === 'list_splat'),
    target: target && (!target.when || target.when(call)) ? target : undefined,
    bareLoader: call.callee === 'DataLoader' || call.callee === 'random_split',
  };
}

interface RandomCall extends ResolvedCall {
  pre: Pre;
}

/** Calls the analysis reads. */
const RANDOMNESS = callKind(readsRandomness, 'callee');

/** `precompute` of a call, kept while the call's cell is unchanged (and its callee qualifies the same). */
const preOfCall = new WeakMap<CallFact, { qualified: string; pre: Pre }>();

/** The calls of a program the analysis reads, in execution order. */
function randomnessCalls(program: PythonProgram): RandomCall[] {
  const out: RandomCall[] = [];
  const all = kindedCalls(program);
  for (let i = 0; i < all.length; i++) {
    if (all[i].length === 0) continue;
    const unit = program.units[i];
    for (const c of all[i]) {
      if (!(c.kinds & RANDOMNESS)) continue;
      let kept = preOfCall.get(c.call);
      if (kept?.qualified !== c.qualified) preOfCall.set(c.call, (kept = { qualified: c.qualified, pre: precompute(c.call, c.qualified) }));
      out.push({ unit, call: c.call, qualified: c.qualified, pre: kept.pre });
    }
  }
  return out;
}

/** Reports the unseeded randomness of one program (the notebook, a .py file or a %%writefile script). */
function analyse(ctx: RuleContext, a: Analysed): void {
  const program = a.program;
  const calls = randomnessCalls(program);
  if (calls.length === 0) return;
  const { seeded, unseededGenerators } = programFacts(calls);
  const drawReports: Array<{ lib: Library; d: ReportDescriptor }> = [];
  const report = (d: ReportDescriptor): void => ctx.report(d);
  // The callee; for a method on a chain (`tf.data.Dataset.from_tensor_slices(...).shuffle`), its name only.
  const calleeOf = (c: CallFact): Span => (c.callee.includes('()') ? { start: c.calleeSpan.end - c.name.length, end: c.calleeSpan.end } : c.calleeSpan);
  const loc = (rc: ResolvedCall, span: Span = calleeOf(rc.call)) => unitLocation(rc.unit, span);
  const usesGenerator = new Set<string>();

  let torchTraining: ResolvedCall | undefined;
  let tfTraining: ResolvedCall | undefined;
  const importsTorch = importsModule(program, ['torch', 'lightning', 'pytorch_lightning', 'sentence_transformers']);
  const importsTf = importsModule(program, ['tensorflow', 'keras', 'tf_keras']);
  const tfSeedCall = seedLineFor('tensorflow', program).line(seedLineFor('tensorflow', program).alias);
  // `model.compile(optimizer=..., loss=...)`: a Keras model is trained in this program.
  const compiles = importsTf && calls.some((rc) => rc.call.name === 'compile' && rc.call.callee.includes('.') && rc.call.args.some((x) => x.name === 'optimizer' || x.name === 'loss'));
  let tfTrainingWeak: ResolvedCall | undefined;

  for (const rc of calls) {
    const { call, qualified: q, unit, pre } = rc;
    if (pre.splat) continue;

    // Estimators, splitters and samplers without random_state / seed.
    const target = pre.target;
    if (target) {
      const arg = kw(call, target.param);
      const cover = pre.q.cover;
      if (cover && seeded.has(cover)) continue;
      if (arg && arg.text !== 'None') continue;
      const short = q.slice(q.lastIndexOf('.') + 1);
      if (arg) {
        const fix: Fix = { title: `Set ${target.param}=${SEED}`, safety: 'unsafe', edits: [{ cell: unit.cell, range: unit.lines.rangeOf(arg.valueSpan.start, arg.valueSpan.end), newText: String(SEED) }] };
        report({ messageId: 'noneSeed', data: { callee: short, param: target.param }, location: loc(rc, arg.span), fixes: [fix] });
        continue;
      }
      const edit = addKeywordArgument(unit, call, target.param, String(SEED));
      report({
        messageId: target.param === 'seed' ? 'missingSeed' : 'missingRandomState',
        data: { callee: short },
        location: loc(rc),
        fixes: edit ? [{ title: `Pass ${target.param}=${SEED}`, safety: 'unsafe', edits: [edit] }] : [],
      });
      continue;
    }

    // Azure ML sweeps with random sampling and no seed.
    if (call.name === 'sweep') {
      const sa = kw(call, 'sampling_algorithm');
      if (sa && /^["']random["']$/.test(sa.text)) {
        report({ messageId: 'randomSweep', data: {}, location: loc(rc, sa.span) });
        continue;
      }
    }
    if (pre.q.randomSampling && !kw(call, 'seed')) {
      const edit = addKeywordArgument(unit, call, 'seed', String(SEED));
      report({ messageId: 'missingSeed', data: { callee: 'RandomSamplingAlgorithm' }, location: loc(rc), fixes: edit ? [{ title: `Pass seed=${SEED}`, safety: 'unsafe', edits: [edit] }] : [] });
      continue;
    }

    // Hugging Face datasets: `ds.train_test_split(test_size=0.1)`, `ds.shuffle()`; pandas `df.sample(frac=1)`.
    if (!pre.q.moduleFunction && call.callee.includes('.')) {
      const noSeed = !kw(call, 'seed') && !kw(call, 'generator');
      if (call.name === 'train_test_split' && noSeed && call.args.some((x) => x.name === 'test_size' || x.name === 'train_size' || !x.name)) {
        if (seeded.has('numpy')) continue;
        const edit = addKeywordArgument(unit, call, 'seed', String(SEED));
        report({ messageId: 'missingSeed', data: { callee: 'train_test_split' }, location: loc(rc), fixes: edit ? [{ title: `Pass seed=${SEED}`, safety: 'unsafe', edits: [edit] }] : [] });
        continue;
      }
      if (call.name === 'shuffle' && noSeed && importsModule(program, ['datasets']) && call.args.length === 0) {
        if (seeded.has('numpy')) continue;
        const edit = addKeywordArgument(unit, call, 'seed', String(SEED));
        report({ messageId: 'missingSeed', data: { callee: 'shuffle' }, location: loc(rc), fixes: edit ? [{ title: `Pass seed=${SEED}`, safety: 'unsafe', edits: [edit] }] : [] });
        continue;
      }
      if (call.name === 'shuffle' && importsTf && call.args.length > 0 && !call.args[0].name && noSeed && !seeded.has('tensorflow')) {
        drawReports.push({ lib: 'tensorflow', d: { messageId: 'unseededDraw', data: { callee: 'Dataset.shuffle', library: 'TensorFlow', seedCall: tfSeedCall }, location: loc(rc) } });
        continue;
      }
      if (call.name === 'sample' && !kw(call, 'random_state') && (kw(call, 'frac') || isTrue(kw(call, 'replace'))) && !pre.q.randomModule) {
        if (seeded.has('numpy')) continue;
        const edit = addKeywordArgument(unit, call, 'random_state', String(SEED));
        report({ messageId: 'missingRandomState', data: { callee: 'sample' }, location: loc(rc), fixes: edit ? [{ title: `Pass random_state=${SEED}`, safety: 'unsafe', edits: [edit] }] : [] });
        continue;
      }
    }

    // Draws from the global generators.
    if (pre.q.npDraw !== undefined) {
      if (!seeded.has('numpy') && !namingOnly(program, unit, rc)) drawReports.push({ lib: 'numpy', d: { messageId: 'unseededDraw', data: { callee: `np.random.${pre.q.npDraw}`, library: 'NumPy', seedCall: 'np.random.seed(42)' }, location: loc(rc) } });
      continue;
    }
    if (pre.q.pyDraw !== undefined && importsModule(program, ['random'])) {
      if (!seeded.has('random') && !namingOnly(program, unit, rc)) drawReports.push({ lib: 'random', d: { messageId: 'unseededDraw', data: { callee: `random.${pre.q.pyDraw}`, library: "Python's random module", seedCall: 'random.seed(42)' }, location: loc(rc) } });
      continue;
    }
    if (pre.q.torchDraw) {
      if (!seeded.has('torch')) {
        drawReports.push({ lib: 'torch', d: { messageId: 'unseededDraw', data: { callee: q, library: 'PyTorch', seedCall: 'torch.manual_seed(42)' }, location: loc(rc) } });
      }
      continue;
    }
    if (pre.q.tfDraw && !kw(call, 'seed')) {
      if (!seeded.has('tensorflow')) {
        drawReports.push({ lib: 'tensorflow', d: { messageId: 'unseededDraw', data: { callee: q.replace(/^tensorflow\./, 'tf.'), library: 'TensorFlow', seedCall: tfSeedCall }, location: loc(rc) } });
      }
      continue;
    }
    // PyTorch data loading that shuffles with the global generator.
    if (pre.q.torchLoader || (importsTorch && pre.bareLoader)) {
      const shuffles = call.name === 'random_split' || isTrue(kw(call, 'shuffle'));
      if (shuffles && !kw(call, 'generator') && !seeded.has('torch')) {
        drawReports.push({ lib: 'torch', d: { messageId: 'unseededShuffle', data: { callee: call.name }, location: loc(rc) } });
      }
      continue;
    }
    // Generators created without a seed, then drawn from.
    const dot = call.callee.lastIndexOf('.');
    if (dot > 0 && unseededGenerators.has(call.callee.slice(0, dot)) && GENERATOR_METHODS.has(call.name)) usesGenerator.add(call.callee.slice(0, dot));

    // Training loops.
    if (importsTorch && !torchTraining && (call.name === 'backward' || (call.name === 'fit' && (kw(call, 'train_objectives') || /trainer/i.test(call.callee))) || (call.name === 'step' && /optim/i.test(call.callee)))) torchTraining = rc;
    if (importsTf && call.name === 'fit' && call.callee.includes('.') && !pre.q.sklearn) {
      const kerasArgs = call.args.some((x) => ['epochs', 'batch_size', 'validation_data', 'validation_split', 'callbacks', 'steps_per_epoch'].includes(x.name ?? ''));
      if (kerasArgs) tfTraining ??= rc;
      else if (compiles && /model|net|encoder|decoder|classifier|regressor|gan|learner|lm$/i.test(call.callee.slice(0, -4))) tfTrainingWeak ??= rc;
    }
  }

  for (const [name, rc] of unseededGenerators) {
    if (!usesGenerator.has(name)) continue;
    const close = rc.call.span.end - 1;
    const first = rc.call.args[0];
    const seedEdit: TextEdit | undefined =
      rc.call.args.length === 0 && rc.unit.text[close] === ')'
        ? { cell: rc.unit.cell, range: rc.unit.lines.rangeOf(close, close), newText: String(SEED) }
        : first && !first.name && first.text === 'None'
          ? { cell: rc.unit.cell, range: rc.unit.lines.rangeOf(first.valueSpan.start, first.valueSpan.end), newText: String(SEED) }
          : undefined;
    report({ messageId: 'unseededGenerator', data: { callee: rc.call.callee, name }, location: loc(rc), fixes: seedEdit ? [{ title: `Seed the generator with ${SEED}`, safety: 'unsafe', edits: [seedEdit] }] : [] });
  }

  if (torchTraining && !seeded.has('torch')) {
    drawReports.push({ lib: 'torch', d: { messageId: 'unseededTraining', data: { framework: 'PyTorch', seedCall: 'torch.manual_seed(42)' }, location: loc(torchTraining) } });
  }
  tfTraining ??= tfTrainingWeak;
  if (tfTraining && !seeded.has('tensorflow')) {
    drawReports.push({ lib: 'tensorflow', d: { messageId: 'unseededTraining', data: { framework: 'TensorFlow/Keras', seedCall: tfSeedCall }, location: loc(tfTraining) } });
  }

  if (drawReports.length === 0) return;
  // One seed fix for every unseeded library: the same edit on each finding, applied once.
  const fix = seedFix(ctx, a, LIBRARY_ORDER.filter((l) => drawReports.some((r) => r.lib === l)));
  for (const r of drawReports) report({ ...r.d, fixes: fix ? [fix] : [] });
}

// ---------------------------------------------------------------------------
// Azure ML sweep jobs in YAML

function checkYaml(ctx: RuleContext, file: YamlFile): void {
  const visit = (node: unknown): void => {
    if (isMap(node)) {
      for (const it of node.items) {
        const key = isScalar(it.key) ? String(it.key.value) : '';
        const v = it.value as YamlNode | null;
        if (key === 'sampling_algorithm') {
          if (isScalar(v) && String(v.value).toLowerCase() === 'random') {
            ctx.report({ messageId: 'randomSweep', data: {}, location: { range: nodeRange(file, v) } });
          } else if (isMap(v) && String(v.get('type') ?? '').toLowerCase() === 'random' && !v.has('seed')) {
            ctx.report({ messageId: 'randomSweep', data: {}, location: { range: nodeRange(file, v.get('type', true) as YamlNode) } });
          }
          continue;
        }
        visit(v);
      }
    } else if (isSeq(node)) node.items.forEach(visit);
  };
  for (const d of file.docs) visit(d.contents);
}

export default defineRule({
  meta: {
    id: 'unseeded-randomness',
    area: 'reproducibility',
    defaultSeverity: 'warning',
    recommended: true,
    targets: ['notebook', 'python', 'yaml'],
    fixedId: true,
    messages: {
      missingRandomState: '`{{callee}}` is called without `random_state`, so its result changes from run to run. Pass `random_state=42` (any fixed number), or seed NumPy once with `np.random.seed(42)`.',
      noneSeed: '`{{callee}}` gets `{{param}}=None`, so its result changes from run to run. Pass a fixed number such as `{{param}}=42`.',
      missingSeed: '`{{callee}}` is called without `seed`, so its result changes from run to run. Pass `seed=42` (any fixed number).',
      unseededDraw: '`{{callee}}` draws random numbers, but {{library}} is never seeded here. Call `{{seedCall}}` once before the first draw so runs can be repeated.',
      unseededShuffle: '`{{callee}}` shuffles with PyTorch\'s global generator, which is never seeded here. Call `torch.manual_seed(42)` first, or pass `generator=torch.Generator().manual_seed(42)`.',
      unseededTraining: '{{framework}} training with no seed set: weight initialisation, dropout and shuffling differ on every run. Call `{{seedCall}}` before building the model.',
      unseededGenerator: '`{{name}}` is a random generator created without a seed (`{{callee}}()`), so its draws differ on every run. Pass a fixed seed.',
      randomSweep: 'Random hyperparameter sampling without a seed: every run of this sweep tries different configurations. Use `RandomSamplingAlgorithm(seed=42)` (YAML: `sampling_algorithm: {type: random, seed: 42}`).',
    },
    docs: {
      summary: 'Random splits, estimators, draws or training with no seed, so results change from run to run.',
      whatItDoes:
        'Reports random behaviour that no seed fixes: scikit-learn splitters and estimators that use `random_state` (`train_test_split`, ' +
        '`KFold(shuffle=True)`, `ShuffleSplit`, random forests, gradient boosting, `KMeans`, `MLPClassifier`, `SGD*`, `LogisticRegression` ' +
        'with `sag`/`saga`, imbalanced-learn samplers, UMAP, ...) called without it; `np.random.*` and `random.*` draws in a file that never ' +
        'seeds NumPy / `random`; PyTorch shuffling `DataLoader`s, `random_split` and training loops with no `torch.manual_seed` ' +
        '(or Lightning `seed_everything`, transformers `set_seed`); Keras/TensorFlow training and `Dataset.shuffle` with no `tf.random.set_seed` ' +
        '(or `keras.utils.set_random_seed`); Spark ML estimators and `CrossValidator` without `seed`; Hugging Face `Dataset.train_test_split` ' +
        'without `seed`; random hyperparameter sweeps (Azure ML `sampling_algorithm: random`, Optuna samplers) without a seed. A global seed ' +
        'covers its library: `np.random.seed` also covers scikit-learn estimators left at `random_state=None`, and a project helper such as ' +
        '`set_seed(42)` counts for every library. Draws that only build names (endpoint suffixes, run ids) are ignored, and so are XGBoost, ' +
        'LightGBM and CatBoost, whose default seed is fixed.',
      whyIsThisBad:
        'Without a seed, two runs of the same code give different splits, weights and metrics: a change in a score cannot be told apart from ' +
        'noise, a bug cannot be reproduced, and a reviewer cannot get the reported numbers. The ML Test Score asks that training be reproducible (Infra 1).',
      example: {
        language: 'python',
        code:
          'from sklearn.ensemble import RandomForestClassifier\nfrom sklearn.model_selection import train_test_split\n\n' +
          'X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2)\nmodel = RandomForestClassifier(n_estimators=100)\nmodel.fit(X_train, y_train)\n',
      },
      useInstead: {
        language: 'python',
        code:
          'from sklearn.ensemble import RandomForestClassifier\nfrom sklearn.model_selection import train_test_split\n\n' +
          'X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=42)\nmodel = RandomForestClassifier(n_estimators=100, random_state=42)\nmodel.fit(X_train, y_train)\n',
      },
      fixSafety:
        'Unsafe, because results change: calls without `random_state`/`seed` get `random_state=42` (or `seed=42`) added as a keyword argument. ' +
        'For unseeded global draws and training, notebooks get a new code cell near the top that seeds the libraries the notebook imports ' +
        '(`random.seed`, `np.random.seed`, `torch.manual_seed`, `tf.random.set_seed`); `.py` files get those lines after their imports. Random sweeps have no automatic fix.',
      notebookBehavior:
        'The whole notebook is one program: a seed set in any cell counts for every cell. A `%%writefile script.py` cell is a separate script ' +
        'with its own imports and seeds (it runs elsewhere), and its fixes edit that cell.',
      references: [
        'Breck et al., "The ML Test Score" (2017), Infra 1: training is reproducible',
        'scikit-learn, Controlling randomness: https://scikit-learn.org/stable/common_pitfalls.html#controlling-randomness',
        'PyTorch, Reproducibility: https://pytorch.org/docs/stable/notes/randomness.html',
        'TensorFlow, tf.random.set_seed: https://www.tensorflow.org/api_docs/python/tf/random/set_seed',
        'Azure ML sweep sampling: https://learn.microsoft.com/azure/machine-learning/how-to-tune-hyperparameters#sampling-the-hyperparameter-space',
      ],
    },
  },
  check(ctx) {
    if (ctx.target === 'yaml') {
      if (ctx.yaml && /sampling_algorithm/.test(ctx.text)) checkYaml(ctx, ctx.yaml);
      return;
    }
    for (const a of programsOf(ctx)) analyse(ctx, a);
  },
});
