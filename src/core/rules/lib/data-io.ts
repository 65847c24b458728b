// Recognisers for data I/O in Python, shared by the data and validation rules:
// which calls read data, which paths they read (string literals, and simple
// variables, `os.path.join`, `Path / "x"` and f-strings resolved through the
// program's own assignments), which paths the program writes itself, and what
// a remote location looks like when it is pinned to a version.
import { isMap, isScalar, type Node as YamlNode } from 'yaml';
import type { ArgFact, Span } from '../../parse/python';
import type { PythonProgram, PythonUnit, ResolvedCall } from '../../parse/program';
import type { YamlFile } from '../../parse/yaml';
import type { ConfigKind } from '../../workspace/kinds';

/** Qualified callee -> keyword names that may carry the path (first positional is always tried). */
const READERS: Array<{ match: RegExp; pathKeywords: string[] }> = [
  { match: /^pandas\.read_(csv|parquet|json|excel|feather|pickle|table|hdf|orc|sas|stata|fwf|xml|spss)$/, pathKeywords: ['filepath_or_buffer', 'path', 'io', 'path_or_buf', 'path_or_buffer'] },
  { match: /^polars\.(read|scan)_(csv|parquet|json|ndjson|ipc|excel|avro|delta)$/, pathKeywords: ['source', 'file'] },
  { match: /^dask\.dataframe\.read_(csv|parquet|json|table|hdf|orc)$/, pathKeywords: ['urlpath', 'path'] },
  { match: /^numpy\.(load|loadtxt|genfromtxt|fromfile)$/, pathKeywords: ['file', 'fname'] },
  { match: /^pyarrow\.(parquet\.read_table|csv\.read_csv|feather\.read_table|parquet\.ParquetFile|dataset\.dataset)$/, pathKeywords: ['source', 'input_file'] },
  { match: /^datasets\.(load_from_disk|Dataset\.from_(csv|json|parquet|text))$/, pathKeywords: ['dataset_path', 'path_or_paths'] },
  { match: /^scipy\.io\.loadmat$/, pathKeywords: ['file_name'] },
  { match: /^h5py\.File$/, pathKeywords: ['name'] },
  { match: /^(tensorflow|tf)\.data\.(TFRecordDataset|TextLineDataset|experimental\.make_csv_dataset)$/, pathKeywords: ['filenames', 'file_pattern'] },
  { match: /^(tensorflow|tf)\.keras\.utils\.(image_dataset_from_directory|text_dataset_from_directory|audio_dataset_from_directory)$/, pathKeywords: ['directory'] },
  { match: /^(keras)\.utils\.(image_dataset_from_directory|text_dataset_from_directory|audio_dataset_from_directory)$/, pathKeywords: ['directory'] },
  { match: /^torchvision\.datasets\.(ImageFolder|DatasetFolder)$/, pathKeywords: ['root'] },
  { match: /^metaflow\.IncludeFile$/, pathKeywords: ['default'] },
  { match: /^arff\.load|^scipy\.io\.arff\.loadarff$/, pathKeywords: ['f'] },
];

/** Spark readers, matched on the callee text: `spark.read.csv`, `spark.read.format("delta").load`. */
const SPARK_READER = /(^|\.)read(\.(format|option|options|schema)\(\))*\.(csv|parquet|json|orc|text|load)$/;

/** `torch.load` / `joblib.load` read data only when the file looks like data, not a model. */
const GENERIC_LOADERS = /^(torch\.load|joblib\.load|pickle\.load|json\.load)$/;

/** File extensions that look like data (for `open()` and generic loaders). */
export const DATA_EXTENSIONS = /\.(csv|tsv|parquet|pq|json|jsonl|ndjson|xlsx?|feather|arrow|h5|hdf5?|npy|npz|pkl|pickle|tfrecords?|txt|zip|gz|tar|avro|orc|mat)$/i;

/** Stronger data extensions: what a download or a copied file of a dataset usually ends with. */
export const DATASET_EXTENSIONS = /\.(csv|tsv|parquet|pq|jsonl|ndjson|json|xlsx?|feather|arrow|h5|hdf5?|npy|npz|tfrecords?|tf_record|txt|zip|gz|tgz|tar|bz2|xz|7z|avro|orc|mat|arff|data|sqlite|db|xml|pkl|pickle)$/i;

/** File names that say they hold data. */
const DATA_NAME = /data|train|test|valid|corpus|sample|input|label|record|review|text|token|sentence|question|answer|qa|\d{4}/i;

/** File names that hold a model rather than data. */
const MODEL_FILE = /(^|[/_.-])(model|models|clf|classifier|regressor|estimator|pipeline|pipe|encoder|scaler|vectorizer|tokenizer|checkpoint|ckpt|weights|best|state_dict|preprocessor|transformer)s?([/_.-]|\d|$)/i;

/** Files that are configuration, not data, even with a data extension. */
const CONFIG_FILE = /(^|\/)(\.?[\w-]*config[\w-]*|settings|params|parameters|hyperparams|requirements[\w-]*|constraints|package(-lock)?|tsconfig|credentials?|secrets?|client_secrets?|service[_-]?account[\w-]*|key|keys|token|\.env|env|metadata|schema|vocab|labels?|classes|index|manifest|readme|license|version|setup|pyproject|environment|conda)\.(json|txt|ya?ml|toml)$/i;

/** Placeholder for parts of a value that could not be resolved. */
export const UNKNOWN = '\u2026';

export interface ResolvedValue {
  text: string;
  /** Every part is known (no UNKNOWN in `text`). */
  complete: boolean;
  /** A guess: the file name given to a helper the engine does not know (`script_path("movies.csv")`). */
  approx?: boolean;
  /** Where the literal that gave the value is, when it came through a variable. */
  origin?: { unit: PythonUnit; span: Span; name: string };
}

export interface DataRead {
  rc: ResolvedCall;
  /** The literal path, when the path argument is a plain string. */
  path?: string;
  pathArg?: ArgFact;
  /** The path argument resolved through the program's assignments. */
  value?: ResolvedValue;
}

// ---------------------------------------------------------------------------
// Value resolution: a tiny evaluator for the expressions that build paths.

type Tok = { t: 'str'; v: string; f: boolean; raw: boolean; start: number } | { t: 'name'; v: string; start: number } | { t: 'num'; v: string; start: number } | { t: 'op'; v: string; start: number };

function tokenize(src: string): Tok[] | undefined {
  const out: Tok[] = [];
  let i = 0;
  const n = src.length;
  while (i < n) {
    const c = src[i];
    if (c === ' ' || c === '\t' || c === '\n' || c === '\r' || c === '\\') {
      i++;
      continue;
    }
    if (c === '#') {
      while (i < n && src[i] !== '\n') i++;
      continue;
    }
    const sm = /^([rRbBuUfF]{0,2})('''|"""|'|")/.exec(src.slice(i, i + 5));
    if (sm && (sm[1].length === 0 || /^[A-Za-z]/.test(c))) {
      const prefix = sm[1].toLowerCase();
      const q = sm[2];
      const start = i;
      let j = i + sm[0].length;
      let body = '';
      const raw = prefix.includes('r');
      while (j < n && !src.startsWith(q, j)) {
        if (src[j] === '\\' && j + 1 < n) {
          const e = src[j + 1];
          if (raw) body += '\\' + e;
          else if (e === '\\' || e === "'" || e === '"') body += e;
          else if (e === 'n') body += '\n';
          else if (e === 't') body += '\t';
          else if (e === '\n') body += '';
          else body += '\\' + e;
          j += 2;
          continue;
        }
        if (q.length === 1 && src[j] === '\n') return undefined;
        body += src[j++];
      }
      if (j >= n) return undefined;
      out.push({ t: 'str', v: body, f: prefix.includes('f'), raw, start });
      i = j + q.length;
      continue;
    }
    const nm = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i, i + 200));
    if (nm) {
      out.push({ t: 'name', v: nm[0], start: i });
      i += nm[0].length;
      continue;
    }
    const num = /^\d[\d_.eEjJxXoObB]*/.exec(src.slice(i, i + 50));
    if (num) {
      out.push({ t: 'num', v: num[0], start: i });
      i += num[0].length;
      continue;
    }
    const two = src.slice(i, i + 2);
    if (['**', '//', '==', '!=', '<=', '>=', '->', ':='].includes(two)) {
      out.push({ t: 'op', v: two, start: i });
      i += 2;
      continue;
    }
    out.push({ t: 'op', v: c, start: i });
    i++;
  }
  return out;
}

const known = (text: string): ResolvedValue => ({ text, complete: !text.includes(UNKNOWN) });
const unknownValue = (): ResolvedValue => ({ text: UNKNOWN, complete: false });

function joinPaths(parts: ResolvedValue[]): ResolvedValue {
  let text = '';
  let approx = false;
  for (const p of parts) {
    approx ||= !!p.approx;
    const t = p.text;
    // os.path.join / Path: an absolute part restarts the path.
    if (/^(\/|~|[A-Za-z]:[\\/]|[a-z][a-z0-9+.-]*:\/\/)/i.test(t)) text = t;
    else if (text === '' || text.endsWith('/') || text.endsWith('\\')) text += t;
    else text += '/' + t;
  }
  return { ...known(text), approx: approx || undefined, origin: parts.find((p) => p.origin)?.origin };
}

function parentOf(v: ResolvedValue): ResolvedValue {
  const t = v.text.replace(/[/\\]+$/, '');
  if (t === '__file__' || t === '.' || t === '') return { ...v, text: t === '.' ? '..' : '.' };
  if (t.endsWith('..')) return { ...v, text: t + '/..' };
  const i = Math.max(t.lastIndexOf('/'), t.lastIndexOf('\\'));
  if (i < 0) return { ...v, text: '.' };
  return { ...v, text: t.slice(0, i) || '/' };
}

const PATH_JOIN = /^(os\.path\.join|posixpath\.join|ntpath\.join|pathlib\.(Pure|Posix|Windows|PurePosix)?Path|upath\.UPath|cloudpathlib\.(CloudPath|S3Path|GSPath|AzureBlobPath)|str|os\.fspath|os\.path\.(normpath|abspath|realpath|expanduser)|tf\.io\.gfile\.join|tensorflow\.io\.gfile\.join)$/;
const DOWNLOAD_CALL = /(get_file|download|retrieve|fetch|cached_path|urlopen|hf_hub_download|snapshot_download|load_dataset|load_from_hub)\w*$/i;
const CWD = /^(os\.getcwd|os\.getcwdb|pathlib\.Path\.cwd|pathlib\.Path\.home)$/;
const PATH_METHODS_SAME = new Set(['absolute', 'resolve', 'expanduser', 'as_posix', 'strip', 'rstrip', 'lstrip', 'lower', 'upper', '__str__']);

interface Assignment {
  unitIndex: number;
  start: number;
  end: number;
  unit: PythonUnit;
  valueSpan: Span;
}

interface Parameter {
  name: string;
  index: number;
  /** Source text of the default value and where it starts in the unit. */
  dflt?: { text: string; start: number };
}

interface FunctionScope {
  name: string;
  unit: PythonUnit;
  span: Span;
  params: Parameter[];
  /** First parameter is `self`/`cls`. */
  method: boolean;
}

/** Parameters of a `def` from its source text (`def f(a, b: str = "x", *args, **kw):`). */
function parseParams(text: string, base: number): Parameter[] {
  const open = text.indexOf('(');
  if (open < 0) return [];
  const out: Parameter[] = [];
  let depth = 0;
  let start = open + 1;
  let quote = '';
  const pieces: Array<{ text: string; start: number }> = [];
  for (let i = open + 1; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = '';
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if (c === '(' || c === '[' || c === '{') depth++;
    else if ((c === ')' || c === ']' || c === '}') && depth > 0) depth--;
    else if ((c === ',' || c === ')') && depth === 0) {
      pieces.push({ text: text.slice(start, i), start });
      start = i + 1;
      if (c === ')') break;
    }
  }
  let index = 0;
  for (const p of pieces) {
    const m = /^(\s*)(\*{0,2})([A-Za-z_]\w*)\s*(?::[^=]*)?(?:=\s*)?/.exec(p.text);
    if (!m || m[2]) continue;
    const eq = p.text.indexOf('=', m[1].length + m[3].length);
    const hasDefault = eq >= 0 && p.text[eq + 1] !== '=';
    const dText = hasDefault ? p.text.slice(eq + 1) : '';
    const lead = dText.length - dText.trimStart().length;
    out.push({ name: m[3], index: index++, dflt: hasDefault ? { text: dText.trim(), start: base + p.start + eq + 1 + lead } : undefined });
  }
  return out;
}

/**
 * Resolves expressions to the strings they build, through the program's simple
 * assignments (`DATA = "data/train.csv"`). Cached per program: rules share it.
 */
export class ValueResolver {
  private table?: Map<string, Assignment[]>;
  private scopes?: FunctionScope[];
  private paramNames?: Set<string>;
  // Memos: a program is linted once, so values do not change under them.
  private readonly assignmentValues = new Map<Assignment, ResolvedValue>();
  private readonly paramValues = new Map<string, ResolvedValue>();
  private readonly argValues = new Map<ArgFact, ResolvedValue>();
  private readonly unitIndex = new Map<PythonUnit, number>();

  constructor(readonly program: PythonProgram) {
    program.units.forEach((u, i) => this.unitIndex.set(u, i));
  }

  private assignments(): Map<string, Assignment[]> {
    if (this.table) return this.table;
    const table = new Map<string, Assignment[]>();
    this.program.units.forEach((unit, unitIndex) => {
      for (const a of unit.facts.assignments) {
        if (a.targets.length !== 1) continue;
        const name = a.targets[0];
        if (!/^[A-Za-z_][\w.]*$/.test(name)) continue;
        let list = table.get(name);
        if (!list) table.set(name, (list = []));
        list.push({ unitIndex, start: a.span.start, end: a.span.end, unit, valueSpan: a.valueSpan });
      }
    });
    this.table = table;
    return table;
  }

  /** The assignment of `name` that is in effect at a point (the last one before it, else the first). */
  assignmentOf(name: string, unit: PythonUnit, offset: number): Assignment | undefined {
    const list = this.assignments().get(name);
    if (!list?.length) return undefined;
    const ui = this.unitIndex.get(unit) ?? 0;
    let best: Assignment | undefined;
    for (const a of list) if (a.unitIndex < ui || (a.unitIndex === ui && a.end <= offset)) best = a;
    return best ?? list[0];
  }

  private functionScopes(): FunctionScope[] {
    this.scopes ??= this.program.units.flatMap((unit) =>
      unit.facts.functions.map((f) => {
        const header = unit.text.slice(f.nameSpan.end, Math.min(f.span.end, f.nameSpan.end + 4000));
        const params = parseParams(header, f.nameSpan.end);
        return { name: f.name, unit, span: f.span, params, method: params[0]?.name === 'self' || params[0]?.name === 'cls' };
      }),
    );
    return this.scopes;
  }

  /** The innermost function around a point that has a parameter `name`. */
  private scopeWithParam(name: string, unit: PythonUnit, offset: number): FunctionScope | undefined {
    let best: FunctionScope | undefined;
    for (const f of this.functionScopes()) {
      if (f.unit !== unit || offset < f.span.start || offset >= f.span.end) continue;
      if (best && f.span.start < best.span.start) continue;
      best = f;
    }
    return best && best.params.some((p) => p.name === name) ? best : undefined;
  }

  /** A parameter's value: its default, else the argument of the first call site that resolves. */
  private resolveParam(scope: FunctionScope, name: string, depth: number, seen: Set<Assignment>): ResolvedValue {
    const key = `${scope.unit.cell ?? -1}:${scope.span.start}:${name}`;
    const memo = this.paramValues.get(key);
    if (memo) return memo;
    // Recursion guard while the callers are evaluated.
    this.paramValues.set(key, unknownValue());
    const v = this.computeParam(scope, name, depth, seen);
    this.paramValues.set(key, v);
    return v;
  }

  private computeParam(scope: FunctionScope, name: string, depth: number, seen: Set<Assignment>): ResolvedValue {
    const param = scope.params.find((p) => p.name === name);
    if (!param || depth > 6) return unknownValue();
    for (const rc of this.program.calls()) {
      if (rc.call.name !== scope.name || (rc.call.callee !== scope.name && !rc.call.callee.endsWith('.' + scope.name))) continue;
      const index = param.index - (scope.method && rc.call.callee.includes('.') ? 1 : 0);
      const arg = rc.call.args.find((a) => a.name === name) ?? rc.call.args.filter((a) => a.name === undefined)[index];
      if (!arg) continue;
      const v = arg.str !== undefined ? known(arg.str) : this.evaluate(rc.unit, arg.text, arg.valueSpan.start, depth + 1, seen);
      if (v.text !== UNKNOWN) return v;
    }
    if (param.dflt) return this.evaluate(scope.unit, param.dflt.text, param.dflt.start, depth + 1, seen);
    return unknownValue();
  }

  /** True when the program defines a function of that name. */
  definesFunction(name: string): boolean {
    return this.functionScopes().some((f) => f.name === name);
  }

  /** True when the name is assigned anywhere in the program. */
  isAssigned(name: string): boolean {
    this.paramNames ??= new Set(this.functionScopes().flatMap((f) => f.params.map((p) => p.name)));
    return this.assignments().has(name) || this.paramNames.has(name);
  }

  resolveName(name: string, unit: PythonUnit, offset: number, depth = 0, seen: Set<Assignment> = new Set()): ResolvedValue {
    if (name === '__file__') return known('__file__');
    const scope = name.includes('.') ? undefined : this.scopeWithParam(name, unit, offset);
    let a = this.assignmentOf(name, unit, offset);
    if (scope && !(a && a.unit === unit && a.start >= scope.span.start && a.end <= offset)) {
      // A parameter: its default or what the callers pass.
      const v = this.resolveParam(scope, name, depth, seen);
      if (v.text !== UNKNOWN) return v;
      a = undefined;
    }
    if (!a || depth > 6 || seen.has(a)) return unknownValue();
    const memo = this.assignmentValues.get(a);
    if (memo) return memo;
    seen.add(a);
    const v = this.evaluate(a.unit, a.unit.text.slice(a.valueSpan.start, a.valueSpan.end), a.valueSpan.start, depth + 1, seen);
    seen.delete(a);
    const out = { ...v, origin: v.origin ?? { unit: a.unit, span: a.valueSpan, name } };
    this.assignmentValues.set(a, out);
    return out;
  }

  resolveArg(unit: PythonUnit, arg: ArgFact): ResolvedValue {
    if (arg.str !== undefined) return known(arg.str);
    let v = this.argValues.get(arg);
    if (!v) this.argValues.set(arg, (v = this.evaluate(unit, arg.text, arg.valueSpan.start)));
    return v;
  }

  /** Evaluates an expression's source text found at `offset` of `unit`. */
  evaluate(unit: PythonUnit, src: string, offset: number, depth = 0, seen: Set<Assignment> = new Set()): ResolvedValue {
    if (src.length > 4000) return unknownValue();
    const toks = tokenize(src);
    if (!toks || !toks.length) return unknownValue();
    const p = new ExprParser(toks, this, unit, offset, depth, seen);
    const v = p.parseExpr();
    if (!p.atEnd()) return { ...v, complete: false };
    return v;
  }
}

class ExprParser {
  private i = 0;

  constructor(
    private readonly toks: Tok[],
    private readonly r: ValueResolver,
    private readonly unit: PythonUnit,
    private readonly offset: number,
    private readonly depth: number,
    private readonly seen: Set<Assignment>,
  ) {}

  atEnd(): boolean {
    return this.i >= this.toks.length;
  }

  private peek(v?: string): Tok | undefined {
    const t = this.toks[this.i];
    if (v !== undefined && (!t || t.t !== 'op' || t.v !== v)) return undefined;
    return t;
  }

  private eat(v: string): boolean {
    if (this.peek(v)) {
      this.i++;
      return true;
    }
    return false;
  }

  parseExpr(): ResolvedValue {
    let left = this.parsePostfix();
    for (;;) {
      const t = this.toks[this.i];
      if (!t || t.t !== 'op' || !['+', '/', '%'].includes(t.v)) return left;
      this.i++;
      const right = this.parsePostfix();
      if (t.v === '+') left = { ...known(left.text + right.text), approx: left.approx || right.approx, origin: left.origin ?? right.origin };
      else if (t.v === '/') left = joinPaths([left, right]);
      else left = { ...left, text: left.text.replace(/%[-\d.]*[sdrifx]/g, UNKNOWN), complete: false };
    }
  }

  private parseArgs(): Array<{ name?: string; value: ResolvedValue; literal: boolean }> {
    const args: Array<{ name?: string; value: ResolvedValue; literal: boolean }> = [];
    while (!this.atEnd() && !this.peek(')')) {
      let name: string | undefined;
      const t = this.toks[this.i];
      const next = this.toks[this.i + 1];
      if (t.t === 'name' && next?.t === 'op' && next.v === '=') {
        name = t.v;
        this.i += 2;
      } else if (this.peek('*')) {
        this.i++;
        this.eat('*');
      }
      const startTok = this.toks[this.i];
      const value = this.parseExpr();
      const literal = startTok?.t === 'str' && !startTok.f && this.toks[this.i - 1] === startTok;
      args.push({ name, value, literal });
      if (!this.eat(',')) break;
    }
    this.eat(')');
    return args;
  }

  private callValue(qualified: string, args: Array<{ name?: string; value: ResolvedValue; literal: boolean }>): ResolvedValue {
    const positional = args.filter((a) => a.name === undefined).map((a) => a.value);
    if (PATH_JOIN.test(qualified)) {
      if (/expanduser|abspath|realpath|normpath|fspath|^str$/.test(qualified)) return positional[0] ?? unknownValue();
      return positional.length ? joinPaths(positional) : known('.');
    }
    if (CWD.test(qualified)) return known(qualified.endsWith('home') ? '~' : '.');
    if (qualified === 'os.path.dirname') return positional[0] ? parentOf(positional[0]) : unknownValue();
    if (qualified === 'os.path.basename') {
      const t = positional[0]?.text ?? UNKNOWN;
      return known(t.slice(Math.max(t.lastIndexOf('/'), t.lastIndexOf('\\')) + 1));
    }
    if (/^os\.(getenv|environ\.get)$/.test(qualified)) {
      const dflt = args.find((a) => a.name === 'default')?.value ?? positional[1];
      return dflt ? { ...dflt, approx: true } : unknownValue();
    }
    // A download helper returns where it put the file: not a file of the repository.
    if (DOWNLOAD_CALL.test(qualified)) return unknownValue();
    // A helper of the program itself (`script_path("movies.csv")`), given one data file name: take the name.
    const files = args.filter((a) => a.literal && DATA_EXTENSIONS.test(a.value.text));
    if (files.length === 1 && !qualified.includes('.') && this.r.definesFunction(qualified)) return { ...files[0].value, approx: true };
    return unknownValue();
  }

  private parsePostfix(): ResolvedValue {
    const t = this.toks[this.i];
    if (!t) return unknownValue();
    let value: ResolvedValue | undefined;
    let dotted: string | undefined;
    if (t.t === 'str') {
      let text = '';
      let complete = true;
      let origin: ResolvedValue['origin'];
      while (this.toks[this.i]?.t === 'str') {
        const s = this.toks[this.i] as Extract<Tok, { t: 'str' }>;
        this.i++;
        if (s.f) {
          const v = this.fString(s.v, s.start);
          text += v.text;
          complete &&= v.complete;
          origin ??= v.origin;
        } else text += s.v;
      }
      value = { text, complete: complete && !text.includes(UNKNOWN), origin };
    } else if (t.t === 'name') {
      if (t.v === 'lambda' || t.v === 'await' || t.v === 'not') return this.skipRest();
      dotted = t.v;
      this.i++;
      while (this.peek('.') && this.toks[this.i + 1]?.t === 'name') {
        dotted += '.' + this.toks[this.i + 1].v;
        this.i += 2;
      }
    } else if (t.t === 'num') {
      this.i++;
      value = known(t.v);
    } else if (t.t === 'op' && t.v === '(') {
      this.i++;
      value = this.parseExpr();
      // A tuple: keep the first element.
      while (this.eat(',')) if (!this.peek(')')) this.parseExpr();
      this.eat(')');
    } else if (t.t === 'op' && t.v === '[') {
      this.i++;
      value = this.peek(']') ? unknownValue() : this.parseExpr();
      while (this.eat(',')) if (!this.peek(']')) this.parseExpr();
      if (!this.eat(']')) return this.skipRest();
    } else {
      return this.skipRest();
    }
    // Postfix: calls, attributes, subscripts.
    for (;;) {
      if (dotted !== undefined && this.peek('(')) {
        this.i++;
        const args = this.parseArgs();
        value = this.callValue(this.r.program.qualify(dotted), args);
        dotted = undefined;
        continue;
      }
      if (dotted !== undefined) {
        value = this.nameValue(dotted);
        dotted = undefined;
      }
      if (this.peek('.') && this.toks[this.i + 1]?.t === 'name') {
        const attr = this.toks[this.i + 1].v;
        this.i += 2;
        const call = this.peek('(');
        const args = call ? (this.i++, this.parseArgs()) : [];
        value = this.methodValue(value ?? unknownValue(), attr, args);
        continue;
      }
      if (this.peek('[')) {
        this.i++;
        let depth = 1;
        while (!this.atEnd() && depth > 0) {
          const x = this.toks[this.i++];
          if (x.t === 'op' && x.v === '[') depth++;
          else if (x.t === 'op' && x.v === ']') depth--;
        }
        value = unknownValue();
        continue;
      }
      break;
    }
    return value ?? unknownValue();
  }

  private skipRest(): ResolvedValue {
    this.i = this.toks.length;
    return unknownValue();
  }

  private nameValue(dotted: string): ResolvedValue {
    if (dotted === 'os.path.curdir' || dotted === 'os.curdir') return known('.');
    if (dotted === '__file__') return known('__file__');
    if (this.r.isAssigned(dotted)) return this.r.resolveName(dotted, this.unit, this.offset, this.depth, this.seen);
    // `Path(__file__).parent` style chains handled by methodValue; plain `x.y` unknown.
    const head = dotted.split('.')[0];
    if (dotted.includes('.') && this.r.isAssigned(head)) {
      const base = this.r.resolveName(head, this.unit, this.offset, this.depth, this.seen);
      let v = base;
      for (const attr of dotted.split('.').slice(1)) v = this.methodValue(v, attr, []);
      return v;
    }
    return unknownValue();
  }

  private methodValue(v: ResolvedValue, attr: string, args: Array<{ name?: string; value: ResolvedValue }>): ResolvedValue {
    if (attr === 'parent') return parentOf(v);
    if (PATH_METHODS_SAME.has(attr)) return v;
    if (attr === 'joinpath') return joinPaths([v, ...args.map((a) => a.value)]);
    if (attr === 'with_suffix' && args[0]) return { ...v, text: v.text.replace(/\.[^./]*$/, '') + args[0].value.text };
    if (attr === 'replace' && args.length >= 2 && args[0].value.complete && args[1].value.complete) return { ...v, text: v.text.split(args[0].value.text).join(args[1].value.text) };
    if (attr === 'format') return { ...v, text: v.text.replace(/\{[^{}]*\}/g, UNKNOWN), complete: false };
    if (attr === 'join' && args[0]) return unknownValue();
    return unknownValue();
  }

  private fString(body: string, start: number): ResolvedValue {
    let text = '';
    let complete = true;
    let origin: ResolvedValue['origin'];
    for (let k = 0; k < body.length; k++) {
      const c = body[k];
      if (c === '{' && body[k + 1] === '{') {
        text += '{';
        k++;
        continue;
      }
      if (c === '}' && body[k + 1] === '}') {
        text += '}';
        k++;
        continue;
      }
      if (c !== '{') {
        text += c;
        continue;
      }
      let depth = 1;
      let j = k + 1;
      while (j < body.length && depth > 0) {
        if (body[j] === '{') depth++;
        else if (body[j] === '}') depth--;
        j++;
      }
      const expr = body.slice(k + 1, j - 1).replace(/![rsa]$/, '').replace(/:[^\])]*$/, '');
      const v = this.depth > 6 ? unknownValue() : this.r.evaluate(this.unit, expr, start, this.depth + 1, this.seen);
      text += v.complete ? v.text : UNKNOWN;
      complete &&= v.complete;
      origin ??= v.origin;
      k = j - 1;
    }
    return { text, complete, origin };
  }
}

/** True when some string literal of the program passes `test` (a cheap filter before resolving values). */
export function someString(program: PythonProgram, test: (value: string) => boolean): boolean {
  return program.units.some((u) => u.facts.strings.some((s) => test(s.value)));
}

const resolvers = new WeakMap<PythonProgram, ValueResolver>();

/** The program's value resolver (shared by all rules linting the same program). */
export function resolverFor(program: PythonProgram): ValueResolver {
  let r = resolvers.get(program);
  if (!r) resolvers.set(program, (r = new ValueResolver(program)));
  return r;
}

// ---------------------------------------------------------------------------
// Reads and writes.

function pathArgument(rc: ResolvedCall, keywords: string[]): ArgFact | undefined {
  const args = rc.call.args;
  const kw = args.find((a) => a.name !== undefined && keywords.includes(a.name));
  return kw ?? args.find((a) => a.name === undefined);
}

/** The n-th positional argument, or the keyword one. */
export function argument(rc: ResolvedCall, index: number, keyword?: string | string[]): ArgFact | undefined {
  const names = keyword === undefined ? [] : Array.isArray(keyword) ? keyword : [keyword];
  return rc.call.args.find((a) => a.name !== undefined && names.includes(a.name)) ?? rc.call.args.filter((a) => a.name === undefined)[index];
}

function openMode(rc: ResolvedCall): string {
  const args = rc.call.args;
  const kw = args.find((a) => a.name === 'mode');
  const pos = args.filter((a) => a.name === undefined)[1];
  return (kw ?? pos)?.str ?? 'r';
}

/** True for a file name that is configuration rather than data (`config.json`, `requirements.txt`). */
export function isConfigFile(p: string): boolean {
  return CONFIG_FILE.test(p) || /\.(ya?ml|toml|ini|cfg|py|ipynb|md|sh)$/i.test(p);
}

function localDatasetsBuilder(rc: ResolvedCall): boolean {
  const a = argument(rc, 0, 'path');
  return !!a?.str && /^(csv|json|parquet|text|arrow|pandas|imagefolder|audiofolder|videofolder|webdataset|xml|sql)$/.test(a.str);
}

const readsMemo = new WeakMap<PythonProgram, DataRead[]>();
const producedMemo = new WeakMap<PythonProgram, Set<string>>();

/** Local or remote data reads in a program (calls whose argument is a data path). Cached per program. */
export function dataReads(program: PythonProgram): DataRead[] {
  let out = readsMemo.get(program);
  if (!out) readsMemo.set(program, (out = findDataReads(program)));
  return out;
}

function findDataReads(program: PythonProgram): DataRead[] {
  const resolver = resolverFor(program);
  const out: DataRead[] = [];
  for (const rc of program.calls()) {
    const q = rc.qualified;
    const reader = READERS.find((r) => r.match.test(q));
    if (reader) {
      const arg = pathArgument(rc, reader.pathKeywords);
      out.push({ rc, pathArg: arg, path: arg?.str, value: arg ? resolver.resolveArg(rc.unit, arg) : undefined });
      continue;
    }
    if (SPARK_READER.test(rc.call.callee)) {
      const arg = pathArgument(rc, ['path', 'paths']);
      const value = arg ? resolver.resolveArg(rc.unit, arg) : undefined;
      // `format("bigquery").load("project.dataset.table")` names a table, not a file.
      if (arg && value && (value.text.includes('/') || DATA_EXTENSIONS.test(value.text))) out.push({ rc, pathArg: arg, path: arg.str, value });
      continue;
    }
    // `load_dataset("csv", data_files="data/train.csv")`: a local file read through a builder.
    if (q === 'datasets.load_dataset' && localDatasetsBuilder(rc)) {
      const arg = argument(rc, 99, ['data_files', 'data_dir']);
      if (arg) out.push({ rc, pathArg: arg, path: arg.str, value: resolver.resolveArg(rc.unit, arg) });
      continue;
    }
    const isOpen = q === 'open' || q === 'io.open' || q === 'gzip.open' || q === 'bz2.open' || q === 'lzma.open';
    if ((isOpen && !/[wax+]/.test(openMode(rc))) || GENERIC_LOADERS.test(q)) {
      const arg = pathArgument(rc, ['file', 'f', 'filename']);
      if (!arg) continue;
      const value = resolver.resolveArg(rc.unit, arg);
      const text = value.text.replace(/[?#].*$/, '');
      if (value.text === UNKNOWN || !DATA_EXTENSIONS.test(text) || isConfigFile(text)) continue;
      // `open()` of a .txt/.json is data only when its name says so (`train.txt`, not `hello.txt`).
      if (/\.(txt|json)$/i.test(text) && !DATA_NAME.test(text.slice(text.lastIndexOf('/') + 1))) continue;
      // A pickled model or checkpoint is not a data set.
      if ((!isOpen || /\.(pkl|pickle|joblib|h5|hdf5)$/i.test(text)) && MODEL_FILE.test(text)) continue;
      out.push({ rc, pathArg: arg, path: arg.str, value });
    }
  }
  return out;
}

/** Methods whose first argument is a path written to. */
const WRITE_FIRST = /^(to_csv|to_parquet|to_json|to_excel|to_feather|to_pickle|to_hdf|to_orc|to_stata|to_xml|write_csv|write_parquet|write_ipc|write_json|write_ndjson|write_delta|save|savez|savez_compressed|savetxt|tofile|savefig|save_model|save_weights|save_pretrained|save_to_disk|TFRecordWriter|makedirs|mkdir|write_text|write_bytes|extractall|export|to_netcdf|download_to_filename)$/;
/** Calls whose second argument is a path written to. */
const WRITE_SECOND = /^(torch\.save|joblib\.dump|numpy\.save|urllib\.request\.urlretrieve|shutil\.(copy|copy2|copyfile|copytree|move)|os\.rename|wget\.download|gdown\.download)$/;
/** Keywords that name where something is written. */
const WRITE_KEYWORDS = new Set(['path_or_buf', 'filename', 'fname', 'out', 'output', 'output_path', 'output_dir', 'download_path', 'download_dir', 'local_dir', 'local_path', 'dst', 'destination', 'destination_dir', 'destination_path', 'target_dir', 'save_dir', 'save_path', 'cache_dir', 'cache_subdir', 'data_dir', 'root', 'dest', 'lpath']);

/** Paths this program writes or downloads to (normalised, without `./`). Cached per program. */
export function producedPaths(program: PythonProgram): Set<string> {
  let out = producedMemo.get(program);
  if (!out) producedMemo.set(program, (out = findProducedPaths(program)));
  return out;
}

function findProducedPaths(program: PythonProgram): Set<string> {
  const resolver = resolverFor(program);
  const out = new Set<string>();
  const add = (v: ResolvedValue | undefined): void => {
    if (!v || !v.complete) return;
    out.add(normalizeLocal(v.text));
  };
  for (const rc of program.calls()) {
    const q = rc.qualified;
    const name = rc.call.name;
    const isOpen = q === 'open' || q === 'io.open' || q === 'gzip.open';
    if (isOpen) {
      if (/[wax+]/.test(openMode(rc))) {
        const a = argument(rc, 0, 'file');
        if (a) add(resolver.resolveArg(rc.unit, a));
      }
      continue;
    }
    if (WRITE_SECOND.test(q)) {
      const a = argument(rc, q.startsWith('numpy') ? 0 : 1);
      if (a) add(resolver.resolveArg(rc.unit, a));
    } else if (WRITE_FIRST.test(name)) {
      const a = argument(rc, 0, ['path', 'path_or_buf', 'file', 'fname', 'filepath', 'dataset_path', 'name']);
      if (a) add(resolver.resolveArg(rc.unit, a));
    }
    if (/download|copy|get_file|extract|retrieve|dump|save|write|export|unpack|fetch/i.test(name)) {
      for (const a of rc.call.args) if (a.name && WRITE_KEYWORDS.has(a.name)) add(resolver.resolveArg(rc.unit, a));
    }
  }
  for (const { magic } of program.magics()) {
    if (magic.kind !== 'shell' && !(magic.kind === 'cell' && /^(bash|sh|script)$/.test(magic.name))) continue;
    for (const line of magic.command.split('\n')) for (const p of shellOutputs(line)) out.add(normalizeLocal(p));
  }
  // `os.system("python download.py --download_dir data")`, `subprocess.run([...])`.
  for (const rc of program.calls()) {
    if (!/^(os\.system|subprocess\.(run|call|check_call|check_output|Popen))$/.test(rc.qualified)) continue;
    const a = rc.call.args[0];
    if (!a) continue;
    const line = a.str ?? (a.kind === 'list' ? [...a.text.matchAll(/["']([^"']*)["']/g)].map((m) => m[1]).join(' ') : undefined);
    if (line) for (const p of shellOutputs(line)) out.add(normalizeLocal(p));
  }
  return out;
}

/** Destination paths of download/extract shell commands (`wget -O x`, `unzip a.zip -d dir`). */
function shellOutputs(line: string): string[] {
  const words = shellWords(line);
  const out: string[] = [];
  for (let i = 0; i < words.length; i++) {
    const w = words[i];
    if ((w === '-O' || w === '-o' || w === '-P' || w === '-d' || w === '-C' || w === '-p' || /^--[\w-]*(output|download|dest|save|target|outdir|out-dir|out_dir|prefix)[\w-]*$/.test(w)) && words[i + 1]) out.push(words[i + 1]);
    const eq = /^--[\w-]*(output|download|dest|save|target|outdir|out-dir|out_dir|prefix)[\w-]*=(.+)$/.exec(w);
    if (eq) out.push(eq[2]);
    if (w === '>' && words[i + 1]) out.push(words[i + 1]);
    if (/^(wget|curl)$/.test(w)) {
      const url = words.slice(i + 1).find((x) => /^https?:\/\//.test(x));
      if (url) out.push(url.replace(/[?#].*$/, '').split('/').pop() ?? '');
    }
  }
  const copy = shellCopy(words);
  if (copy) {
    out.push(copy.dest);
    for (const src of copy.sources) out.push(copy.dest.replace(/\/$/, '') + '/' + src.replace(/\/$/, '').split('/').pop());
  }
  return out.filter((p) => p && !isRemotePath(p));
}

/** `gsutil cp a b dest`, `gcloud storage cp`, `aws s3 cp`, `azcopy copy`, `cp`: sources and destination. */
export function shellCopy(words: string[]): { tool: string; sources: string[]; dest: string } | undefined {
  let k = 0;
  while (k < words.length && /^(sudo|time|!)$/.test(words[k])) k++;
  const w = words.slice(k);
  let rest: string[] | undefined;
  let tool = w[0];
  if (w[0] === 'gsutil') {
    const sub = w.findIndex((x, i) => i > 0 && !x.startsWith('-'));
    if (sub > 0 && /^(cp|rsync|mv)$/.test(w[sub])) rest = w.slice(sub + 1);
  } else if (w[0] === 'gcloud' && w[1] === 'storage' && /^(cp|rsync|mv)$/.test(w[2] ?? '')) {
    tool = 'gcloud storage';
    rest = w.slice(3);
  } else if (w[0] === 'aws' && w[1] === 's3' && /^(cp|sync|mv)$/.test(w[2] ?? '')) {
    tool = 'aws s3';
    rest = w.slice(3);
  } else if (w[0] === 'azcopy' && /^(copy|cp|sync)$/.test(w[1] ?? '')) rest = w.slice(2);
  else if (w[0] === 'cp' || w[0] === 'mv') rest = w.slice(1);
  if (!rest) return undefined;
  const args = rest.filter((x) => !x.startsWith('-'));
  if (args.length < 2) return undefined;
  return { tool, sources: args.slice(0, -1), dest: args[args.length - 1] };
}

/** Splits a shell line into words (quotes removed, no expansion). */
export function shellWords(line: string): string[] {
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|'([^']*)'|(\S+)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(line))) out.push(m[1] ?? m[2] ?? m[3]);
  return out;
}

/** `./data/x.csv` -> `data/x.csv`; keeps `..` and absolute paths. */
export function normalizeLocal(p: string): string {
  let t = p.replace(/\\/g, '/').replace(/\/+$/, '');
  while (t.startsWith('./')) t = t.slice(2);
  return t.replace(/\/\.\//g, '/') || '.';
}

// ---------------------------------------------------------------------------
// Remote locations.

/** True for a path that names a remote location (URL or cloud storage). */
export function isRemotePath(p: string): boolean {
  return /^[a-z][a-z0-9+.-]*:\/\//i.test(p);
}

/** True for an absolute or home-relative local path (`/data/x`, `~/x`, `C:\x`, `\\server\share`). */
export function isAbsoluteLocal(p: string): boolean {
  return /^(\/(?!\/)|~[/\\]|~$|[A-Za-z]:[\\/]|\\\\[^\\])/.test(p);
}

export type RemoteKind = 's3' | 'gcs' | 'azure' | 'hf' | 'http' | 'bigquery' | 'azureml' | 'dbfs' | 'other';

export function remoteKind(url: string): RemoteKind | undefined {
  const m = /^([a-z][a-z0-9+.-]*):\/\//i.exec(url);
  if (!m) return undefined;
  const s = m[1].toLowerCase();
  if (s === 's3' || s === 's3a' || s === 's3n') return 's3';
  if (s === 'gs' || s === 'gcs') return 'gcs';
  if (s === 'abfs' || s === 'abfss' || s === 'az' || s === 'wasb' || s === 'wasbs' || s === 'adl') return 'azure';
  if (s === 'hf') return 'hf';
  if (s === 'bq') return 'bigquery';
  if (s === 'azureml') return 'azureml';
  if (s === 'dbfs') return 'dbfs';
  if (s === 'http' || s === 'https' || s === 'ftp') return 'http';
  return 'other';
}

const SHA = /(^|[/@=_-])[0-9a-f]{40}([/?#_.-]|$)/i;
const VERSION_SEGMENT = /\/v?\d+(\.\d+)+[^/]*\//;

/** True when a remote URL names one immutable version of the object. */
export function isPinnedRemote(url: string): boolean {
  const kind = remoteKind(url);
  if (SHA.test(url)) return true;
  if (/[?&](versionId|version_id|generation|snapshot|versionid)=/i.test(url)) return true;
  switch (kind) {
    case 'gcs':
      return /#\d+$/.test(url);
    case 'hf':
      return /@[^/]+/.test(url);
    case 'bigquery':
      return /@-?\d+/.test(url);
    case 'azureml':
      // Job outputs and registry assets with a version are immutable.
      return /\/versions\/[^/]+/.test(url) || /^azureml:\/\/jobs\//i.test(url);
    case 'http': {
      if (/\/resolve\/[0-9a-f]{7,}\//i.test(url)) return true;
      if (/zenodo\.org\/records?\/\d+/i.test(url) || /doi\.org\//i.test(url)) return true;
      // A release asset or raw file under a version tag (`/releases/download/v1.2.0/`, `/raw/1.0/`).
      if (/github(usercontent)?\.com\//i.test(url) && VERSION_SEGMENT.test(url)) return true;
      if (/\/(releases\/download|archive\/refs\/tags)\/v?\d+(\.\d+)+/i.test(url)) return true;
      return false;
    }
    default:
      return false;
  }
}

/** A bucket or host that is a placeholder or not known here (`gs://your-bucket`, `s3://…/x`). */
export function isPlaceholderRemote(url: string): boolean {
  const host = /^[a-z][a-z0-9+.-]*:\/\/([^/]*)/i.exec(url)?.[1] ?? '';
  if (host === '' || host.includes(UNKNOWN)) return true;
  return /[<>[\]{}$]|your[-_]?|^my[-_]?bucket|^bucket[-_]?name|example\.com|^localhost|^127\.|^0\.0\.0\.0|xxx/i.test(host);
}

/** A URL for a message: no query string (it may carry a SAS token), not too long. */
export function displayUrl(url: string): string {
  // Credentials in the authority (`https://user:token@host`) go; `wasbs://container@account` is a name.
  const t = url.replace(/[?#].*$/, '').replace(/^(https?|ftp|s3a?|gs):\/\/[^/@]*@/i, '$1://').replace(/\/\/[^/@:]*:[^/@]*@/, '//');
  return t.length > 90 ? t.slice(0, 60) + '…' + t.slice(-25) : t;
}

// ---------------------------------------------------------------------------
// Data references in pipeline YAML.

export interface YamlDataRef {
  /** The scalar that holds the path. */
  node: YamlNode;
  value: string;
  /** Input name or catalog entry. */
  name: string;
  source: 'azureml-input' | 'kedro-catalog';
  /** Kedro `versioned: true`. */
  versioned?: boolean;
}

const MODEL_INPUT = /(^|[_-])(models?|checkpoints?|weights|config|configs|settings)($|[_-])/i;
const AZUREML_DATA_KEYS = new Set(['training_data', 'validation_data', 'test_data']);

/**
 * Paths a pipeline config reads: Azure ML job inputs (`inputs.<name>.path`,
 * AutoML `training_data.path`, pipeline steps' inputs; never `outputs`) and
 * Kedro catalog entries (`filepath`).
 */
export function yamlDataRefs(file: YamlFile, kind: ConfigKind | undefined): YamlDataRef[] {
  const out: YamlDataRef[] = [];
  const root = file.docs[0]?.contents;
  if (!root) return out;
  if (kind === 'kedro-catalog') {
    if (!isMap(root)) return out;
    for (const it of root.items) {
      const name = isScalar(it.key) ? String(it.key.value) : '';
      if (!name || name.startsWith('_') || !isMap(it.value)) continue;
      const fp = it.value.get('filepath', true);
      const versioned = it.value.get('versioned', true);
      const vv: unknown = isScalar(versioned) ? versioned.value : undefined;
      const isVersioned = vv === true || vv === 'true';
      if (isScalar(fp) && typeof fp.value === 'string') out.push({ node: fp as YamlNode, value: fp.value, name, source: 'kedro-catalog', versioned: isVersioned });
    }
    return out;
  }
  if (!kind?.startsWith('azureml')) return out;
  const visit = (node: unknown, depth: number): void => {
    if (depth > 8 || !isMap(node)) return;
    for (const it of node.items) {
      const key = isScalar(it.key) ? String(it.key.value) : '';
      if (key === 'outputs' || key === 'environment' || key === 'code' || key === 'model') continue;
      if (key === 'inputs' && isMap(it.value)) {
        for (const inp of it.value.items) {
          const name = isScalar(inp.key) ? String(inp.key.value) : '';
          const v = inp.value;
          if (isScalar(v) && typeof v.value === 'string' && /^(azureml:|[a-z][a-z0-9+.-]*:\/\/)/i.test(v.value)) {
            if (!MODEL_INPUT.test(name)) out.push({ node: v as YamlNode, value: v.value, name, source: 'azureml-input' });
          } else if (isMap(v)) {
            const p = v.get('path', true);
            const type = v.get('type');
            // Model inputs (`type: mlflow_model`, `score_model`) are not data.
            if (typeof type === 'string' && /model/i.test(type)) continue;
            if (MODEL_INPUT.test(name)) continue;
            if (isScalar(p) && typeof p.value === 'string') out.push({ node: p as YamlNode, value: p.value, name, source: 'azureml-input' });
          }
        }
        continue;
      }
      if (AZUREML_DATA_KEYS.has(key) && isMap(it.value)) {
        const p = it.value.get('path', true);
        if (isScalar(p) && typeof p.value === 'string') out.push({ node: p as YamlNode, value: p.value, name: key, source: 'azureml-input' });
        continue;
      }
      if (isMap(it.value)) visit(it.value, depth + 1);
    }
  };
  visit(root, 0);
  return out;
}

/** An Azure ML asset reference: `azureml:name:version`, `azureml:name@label`, `azureml:name`. */
export function azuremlAsset(value: string): { name: string; version?: string; label?: string } | undefined {
  const m = /^azureml:(?!\/\/)([^:@\s]+)(?::([^@\s]+))?(?:@(\S+))?$/i.exec(value.trim());
  if (!m) return undefined;
  return { name: m[1], version: m[2], label: m[3] };
}
