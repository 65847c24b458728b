// Recognisers for data I/O in Python, shared by the data and validation rules:
// which calls read data, which paths they read (string literals, and simple
// variables, `os.path.join`, `Path / "x"` and f-strings resolved through the
// program's own assignments), which paths the program writes itself, and what
// a remote location looks like when it is pinned to a version.
import { isMap, isScalar, type Node as YamlNode } from 'yaml';
import type { ArgFact, CallFact } from '../../parse/python';
import type { PythonProgram, ResolvedCall } from '../../parse/program';
import type { YamlFile } from '../../parse/yaml';
import type { ConfigKind } from '../../workspace/kinds';
import { DATA_EXTENSIONS, qualifiedMemo, resolverFor, UNKNOWN, type ResolvedValue, type ValueResolver } from './value-resolver';

export { aliasKey, DATA_EXTENSIONS, importsAny, qualifiedMemo, resolverFor, someString, TextCache, unitMemo, UNKNOWN, ValueResolver, type ResolvedValue } from './value-resolver';

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


/** Stronger data extensions: what a download or a copied file of a dataset usually ends with. */
export const DATASET_EXTENSIONS = /\.(csv|tsv|parquet|pq|jsonl|ndjson|json|xlsx?|feather|arrow|h5|hdf5?|npy|npz|tfrecords?|tf_record|txt|zip|gz|tgz|tar|bz2|xz|7z|avro|orc|mat|arff|data|sqlite|db|xml|pkl|pickle)$/i;

/** File names that say they hold data. */
const DATA_NAME = /data|train|test|valid|corpus|sample|input|label|record|review|text|token|sentence|question|answer|qa|\d{4}/i;

/** File names that hold a model rather than data. */
const MODEL_FILE = /(^|[/_.-])(model|models|clf|classifier|regressor|estimator|pipeline|pipe|encoder|scaler|vectorizer|tokenizer|checkpoint|ckpt|weights|best|state_dict|preprocessor|transformer)s?([/_.-]|\d|$)/i;

/** Files that are configuration, not data, even with a data extension. */
const CONFIG_FILE = /(^|\/)(\.?[\w-]*config[\w-]*|settings|params|parameters|hyperparams|requirements[\w-]*|constraints|package(-lock)?|tsconfig|credentials?|secrets?|client_secrets?|service[_-]?account[\w-]*|key|keys|token|\.env|env|metadata|schema|vocab|labels?|classes|index|manifest|readme|license|version|setup|pyproject|environment|conda)\.(json|txt|ya?ml|toml)$/i;

export interface DataRead {
  rc: ResolvedCall;
  /** The literal path, when the path argument is a plain string. */
  path?: string;
  pathArg?: ArgFact;
  /** The path argument resolved through the program's assignments. */
  value?: ResolvedValue;
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

type ReadKind = 'reader' | 'spark' | 'builder' | 'open';

/** A call of a unit that reads data if its (resolved) path argument says so. */
interface ReadCandidate {
  call: CallFact;
  qualified: string;
  kind: ReadKind;
  arg?: ArgFact;
}

/** The read candidates of one unit, in call order (cached across runs). */
const unitReads = qualifiedMemo((unit, qualify): ReadCandidate[] => {
  // Made for the first candidate (most units have none and share NO_READS).
  let out: ReadCandidate[] | undefined;
  for (const call of unit.facts.calls) {
    const q = qualify(call.callee);
    const name = readName(q);
    // Every reader and loader below is in one of these modules, or `open` itself; Spark readers go by the callee.
    if (!name.head && !isSparkReader(call.callee)) continue;
    const rc = { unit, call, qualified: q };
    const reader = name.reader;
    if (reader) {
      (out ??= []).push({ call, qualified: q, kind: 'reader', arg: pathArgument(rc, reader.pathKeywords) });
      continue;
    }
    if (isSparkReader(call.callee)) {
      const arg = pathArgument(rc, ['path', 'paths']);
      if (arg) (out ??= []).push({ call, qualified: q, kind: 'spark', arg });
      continue;
    }
    // `load_dataset("csv", data_files="data/train.csv")`: a local file read through a builder.
    if (q === 'datasets.load_dataset' && localDatasetsBuilder(rc)) {
      const arg = argument(rc, 99, ['data_files', 'data_dir']);
      if (arg) (out ??= []).push({ call, qualified: q, kind: 'builder', arg });
      continue;
    }
    const isOpen = q === 'open' || q === 'io.open' || q === 'gzip.open' || q === 'bz2.open' || q === 'lzma.open';
    if ((isOpen && !/[wax+]/.test(openMode(rc))) || GENERIC_LOADERS.test(q)) {
      const arg = pathArgument(rc, ['file', 'f', 'filename']);
      if (arg) (out ??= []).push({ call, qualified: q, kind: 'open', arg });
    }
  }
  return out ?? NO_READS;
});

const NO_READS: ReadCandidate[] = [];

/** First segments of the qualified names READERS, `load_dataset`, the `open`s and GENERIC_LOADERS match. */
const READ_HEADS = new Set(['pandas', 'polars', 'dask', 'numpy', 'pyarrow', 'datasets', 'scipy', 'h5py', 'tensorflow', 'tf', 'keras', 'torchvision', 'metaflow', 'arff', 'io', 'gzip', 'bz2', 'lzma', 'torch', 'joblib', 'pickle', 'json']);

/** What `unitReads` asks of a qualified name: whether it is in a module of READ_HEADS (or `open`), and which reader it is. */
interface ReadName {
  head: boolean;
  reader: (typeof READERS)[number] | undefined;
}

/**
 * `readName` by qualified name: the same names recur in every program (`numpy.array`,
 * `pandas.DataFrame`), and a qualified name is one string for all the memos of a
 * program, so its hash is computed once. Every READERS pattern starts with a module
 * of READ_HEADS, so a name outside them is no reader.
 */
const readNames = new Map<string, ReadName>();

export function readName(q: string): ReadName {
  let v = readNames.get(q);
  if (v === undefined) {
    const dot = q.indexOf('.');
    const head = dot > 0 ? READ_HEADS.has(q.slice(0, dot)) : q === 'open';
    v = { head, reader: head ? READERS.find((r) => r.match.test(q)) : undefined };
    if (readNames.size >= 20_000) readNames.clear();
    readNames.set(q, v);
  }
  return v;
}

/** `SPARK_READER.test(callee)`: every callee it matches has `read.` (most callees are turned away by that test alone). */
export function isSparkReader(callee: string): boolean {
  return callee.includes('read.') && SPARK_READER.test(callee);
}

function findDataReads(program: PythonProgram): DataRead[] {
  const out: DataRead[] = [];
  let resolver: ValueResolver | undefined;
  const all = unitReads.all(program);
  for (let i = 0; i < all.length; i++) {
    const unit = program.units[i];
    const candidates = all[i];
    if (candidates.length === 0) continue;
    resolver ??= resolverFor(program);
    for (const c of candidates) {
      const rc: ResolvedCall = { unit, call: c.call, qualified: c.qualified };
      const arg = c.arg;
      if (c.kind === 'reader' || c.kind === 'builder') {
        out.push({ rc, pathArg: arg, path: arg?.str, value: arg ? resolver.resolveArg(unit, arg) : undefined });
        continue;
      }
      if (!arg) continue;
      const value = resolver.resolveArg(unit, arg);
      if (c.kind === 'spark') {
        // `format("bigquery").load("project.dataset.table")` names a table, not a file.
        if (value.text.includes('/') || DATA_EXTENSIONS.test(value.text)) out.push({ rc, pathArg: arg, path: arg.str, value });
        continue;
      }
      const text = value.text.replace(/[?#].*$/, '');
      if (value.text === UNKNOWN || !DATA_EXTENSIONS.test(text) || isConfigFile(text)) continue;
      // `open()` of a .txt/.json is data only when its name says so (`train.txt`, not `hello.txt`).
      if (/\.(txt|json)$/i.test(text) && !DATA_NAME.test(text.slice(text.lastIndexOf('/') + 1))) continue;
      // A pickled model or checkpoint is not a data set.
      const isOpen = !GENERIC_LOADERS.test(c.qualified);
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

/** Computes one unit's read candidates ahead of `dataReads` (an editor warmer, one cell per piece). */
export function warmReadCandidates(program: PythonProgram, index: number): void {
  unitReads.at(program, index);
}

/** Computes one unit's writes ahead of `producedPaths` (an editor warmer, one cell per piece). */
export function warmWrites(program: PythonProgram, index: number): void {
  unitWrites.at(program, index);
}

/** Paths this program writes or downloads to (normalised, without `./`). Cached per program. */
export function producedPaths(program: PythonProgram): Set<string> {
  let out = producedMemo.get(program);
  if (!out) producedMemo.set(program, (out = findProducedPaths(program)));
  return out;
}

/** What one unit writes: arguments to resolve, and paths its shell lines and commands name. */
interface UnitWrites {
  args: ArgFact[];
  paths: string[];
}

const NO_WRITES: UnitWrites = { args: [], paths: [] };

const unitWrites = qualifiedMemo((unit, qualify): UnitWrites => {
  const args: ArgFact[] = [];
  const paths: string[] = [];
  const shellCalls: CallFact[] = [];
  for (const call of unit.facts.calls) {
    const q = qualify(call.callee);
    const rc = { unit, call, qualified: q };
    const name = call.name;
    if (/^(os\.system|subprocess\.(run|call|check_call|check_output|Popen))$/.test(q)) shellCalls.push(call);
    const isOpen = q === 'open' || q === 'io.open' || q === 'gzip.open';
    if (isOpen) {
      if (/[wax+]/.test(openMode(rc))) {
        const a = argument(rc, 0, 'file');
        if (a) args.push(a);
      }
      continue;
    }
    if (WRITE_SECOND.test(q)) {
      const a = argument(rc, q.startsWith('numpy') ? 0 : 1);
      if (a) args.push(a);
    } else if (WRITE_FIRST.test(name)) {
      const a = argument(rc, 0, ['path', 'path_or_buf', 'file', 'fname', 'filepath', 'dataset_path', 'name']);
      if (a) args.push(a);
    }
    if (/download|copy|get_file|extract|retrieve|dump|save|write|export|unpack|fetch/i.test(name)) {
      for (const a of call.args) if (a.name && WRITE_KEYWORDS.has(a.name)) args.push(a);
    }
  }
  for (const magic of unit.magics) {
    if (magic.kind !== 'shell' && !(magic.kind === 'cell' && /^(bash|sh|script)$/.test(magic.name))) continue;
    for (const line of magic.command.split('\n')) for (const p of shellOutputs(line)) paths.push(normalizeLocal(p));
  }
  // `os.system("python download.py --download_dir data")`, `subprocess.run([...])`.
  for (const call of shellCalls) {
    const a = call.args[0];
    if (!a) continue;
    const line = a.str ?? (a.kind === 'list' ? [...a.text.matchAll(/["']([^"']*)["']/g)].map((m) => m[1]).join(' ') : undefined);
    if (line) for (const p of shellOutputs(line)) paths.push(normalizeLocal(p));
  }
  return args.length || paths.length ? { args, paths } : NO_WRITES;
});

function findProducedPaths(program: PythonProgram): Set<string> {
  const out = new Set<string>();
  let resolver: ValueResolver | undefined;
  const all = unitWrites.all(program);
  for (let i = 0; i < all.length; i++) {
    const unit = program.units[i];
    const w = all[i];
    if (w === NO_WRITES) continue;
    resolver ??= resolverFor(program);
    for (const a of w.args) {
      const v = resolver.resolveArg(unit, a);
      if (v.complete) out.add(normalizeLocal(v.text));
    }
    for (const p of w.paths) out.add(p);
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
