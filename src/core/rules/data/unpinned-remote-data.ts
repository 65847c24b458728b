import type { Magic } from '../../parse/magics';
import { unitLocation, type PythonProgram, type PythonUnit, type ResolvedCall } from '../../parse/program';
import type { ArgFact, CallFact } from '../../parse/python';
import { nodeRange } from '../../parse/yaml';
import { defineRule, type RuleContext } from '../../rule';
import type { Location, Range, RelatedInformation } from '../../types';
import { dirname, joinPath } from '../../workspace/fs';
import {
  argument,
  azuremlAsset,
  DATASET_EXTENSIONS,
  dataReads,
  displayUrl,
  isPinnedRemote,
  isPlaceholderRemote,
  isRemotePath,
  remoteKind,
  resolverFor,
  shellCopy,
  shellWords,
  importsAny,
  qualifiedMemo,
  UNKNOWN,
  unitMemo,
  yamlDataRefs,
  type RemoteKind,
  type ResolvedValue,
  type ValueResolver,
} from '../lib/data-io';

const ADVICE: Record<RemoteKind, string> = {
  s3: 'Pin an object version (`?versionId=...` / `VersionId=`), or import it with `dvc import-url` so its content hash is recorded.',
  gcs: 'Pin an object generation (`gs://bucket/object#<generation>`), or import it with `dvc import-url` so its content hash is recorded.',
  azure: 'Pin a blob version or snapshot (`?versionid=...`), or register it as a versioned data asset (`azureml:<name>:<version>`).',
  azureml: 'Register the data as a data asset and use `azureml:<name>:<version>`.',
  hf: 'Add a revision to the path (`hf://datasets/<repo>@<commit>/...`).',
  http: 'Download from a URL pinned to a release or commit, check a hash (`file_hash=`, `known_hash=`, `md5=`), or import it with `dvc import-url` so its content hash is recorded.',
  bigquery: 'Read a table snapshot or add `FOR SYSTEM_TIME AS OF <timestamp>`, or export a versioned copy.',
  dbfs: 'Pin a Delta table version (`versionAsOf`) or import a versioned copy.',
  other: 'Pin a version of the object, or import it with `dvc import-url` so its content hash is recorded.',
};

const KIND_NAME: Record<RemoteKind, string> = {
  s3: 'S3 object',
  gcs: 'Cloud Storage object',
  azure: 'Azure blob',
  azureml: 'Azure ML datastore path',
  hf: 'Hub path',
  http: 'URL',
  bigquery: 'BigQuery table',
  dbfs: 'DBFS path',
  other: 'remote location',
};

/** Explicit downloads: the URL argument, and the keywords that pin the content by hash. */
const DOWNLOADS: Array<{ match: RegExp; url: [number, string[]]; hash?: string[]; dataOnly?: boolean }> = [
  { match: /^urllib\.(request\.)?urlretrieve$/, url: [0, ['url']] },
  { match: /^urllib\.(request\.)?urlopen$/, url: [0, ['url']], dataOnly: true },
  { match: /^(requests|httpx)\.get$/, url: [0, ['url']], dataOnly: true },
  { match: /^wget\.download$/, url: [0, ['url']] },
  { match: /(^|\.)keras\.utils\.(data_utils\.)?get_file$|^tf\.keras\.utils\.get_file$/, url: [1, ['origin']], hash: ['file_hash', 'md5_hash', 'hash_algorithm'] },
  { match: /^torchvision\.datasets\.utils\.(download_url|download_and_extract_archive|download_file_from_google_drive)$/, url: [0, ['url', 'file_id']], hash: ['md5'] },
  { match: /^pooch\.retrieve$/, url: [0, ['url']], hash: ['known_hash'] },
  { match: /^gdown\.(download|cached_download)$/, url: [0, ['url', 'id']], hash: ['md5', 'hash'] },
  { match: /^(fsspec\.open|fsspec\.open_files|smart_open\.open|tensorflow\.io\.gfile\.GFile|tf\.io\.gfile\.GFile|tensorflow\.io\.gfile\.copy|tf\.io\.gfile\.copy)$/, url: [0, ['urlpath', 'uri', 'name', 'src']] },
];

/** Keywords through which SDKs take the data a job or dataset is built from. */
const SOURCE_KEYWORDS = new Set([
  'gcs_source', 'gcs_source_uri', 'gcs_source_uris', 'bq_source', 'bigquery_source', 'source_uri', 'source_uris', 'data_source', 'gcs_input_uri',
  'input_uri', 'train_data_uri', 'training_data_uri', 'dataset_uri', 'import_file', 's3_data',
]);

/** Generic copy/download helpers: a cloud source is a read. */
const COPY_NAMES = /^(copy|copy_dir|copytree|copyfile|download|download_file|download_dir|download_folder|download_directory|get|cp|sync|fget|get_file)$/;
const COPY_SOURCE_KEYWORDS = ['source', 'src', 'source_dir', 'source_path', 'from_path', 'rpath', 'remote_path', 'source_uri', 'uri', 'url'];

/** Files that are never data sets: pictures for the docs, scripts, packages. */
const NOT_DATA_URL = /\.(png|jpe?g|gif|svg|ico|webp|sh|py|ipynb|whl|jar|egg|deb|rpm|exe|msi|dmg|pem|crt|key|html?|js|css|md|pdf|yaml|yml|toml|cfg|ini)$/i;

const WEB_LOADERS = /(^|\.)(UnstructuredURLLoader|WebBaseLoader|RecursiveUrlLoader|SitemapLoader|AsyncHtmlLoader|AsyncChromiumLoader|SeleniumURLLoader|PlaywrightURLLoader|FireCrawlLoader|GitbookLoader|SimpleWebPageReader|BeautifulSoupWebReader|TrafilaturaWebReader)$/;

function urlPath(url: string): string {
  return url.replace(/[?#].*$/, '');
}

/** A URL that names a data set rather than a page or an API call. */
function looksLikeDataUrl(url: string): boolean {
  const p = urlPath(url);
  if (NOT_DATA_URL.test(p)) return false;
  return DATASET_EXTENSIONS.test(p) || /\/(data|datasets?)\//i.test(p);
}

/** True when the program imports a module (`import a.b`, `from a import b`, `from a.b import c`). */
const imports = importsAny;

function hasKeyword(rc: ResolvedCall, names: string[]): boolean {
  return rc.call.args.some((a) => a.name !== undefined && names.includes(a.name) && a.text !== 'None');
}

/** `"imdb"`, `"owner/name"`: a dataset id on a hub, not a local path. */
function isHubName(name: string): boolean {
  return /^[\w.-]+(\/[\w.-]+)?$/.test(name) && !/\.(csv|tsv|json|jsonl|parquet|txt|arrow)$/i.test(name);
}

interface Reporter {
  ctx: RuleContext;
  reported: Set<string>;
}

function report(r: Reporter, unit: PythonUnit, at: { start: number; end: number }, messageId: string, data: Record<string, string>, value?: ResolvedValue): void {
  const key = `${unit.cell ?? -1}:${at.start}`;
  if (r.reported.has(key)) return;
  r.reported.add(key);
  const location = unitLocation(unit, at);
  const related: RelatedInformation[] = [];
  if (value?.origin) related.push({ location: unitLocation(value.origin.unit, value.origin.span), message: `The location is set here (\`${value.origin.name}\`).` });
  r.ctx.report({ messageId, data, location, related });
}

/** Reports a read of `value` when it is a remote location with no version pin. */
function checkRemote(r: Reporter, rc: ResolvedCall, arg: ArgFact | undefined, value: ResolvedValue | undefined, what: string, opts: { requireData?: boolean; snapshotted?: boolean } = {}): void {
  if (!value) return;
  const url = value.text.trim();
  if (!isRemotePath(url)) return;
  const kind = remoteKind(url) ?? 'other';
  if (isPlaceholderRemote(url) || isPinnedRemote(url)) return;
  if (NOT_DATA_URL.test(urlPath(url))) return;
  if (kind === 'http' && (opts.snapshotted || (opts.requireData && !looksLikeDataUrl(url)))) return;
  if (kind === 'azureml' && /^azureml:\/\/(jobs|registries)\//i.test(url)) return;
  report(r, rc.unit, arg ? arg.valueSpan : rc.call.span, 'remote', { what, url: displayUrl(url.replace(new RegExp(UNKNOWN, 'g'), '…')), kind: KIND_NAME[kind], advice: ADVICE[kind] }, value);
}

/** Table references in SQL that reads live tables (`FROM project.dataset.table`). */
export function liveTables(sql: string): string[] {
  if (/FOR\s+SYSTEM_TIME\s+AS\s+OF/i.test(sql)) return [];
  const out: string[] = [];
  const re = /\b(?:FROM|JOIN)\s+(`[^`]+`|[A-Za-z_][\w-]*(?:[.:][\w-]+){1,2}\b)/gi;
  let m: RegExpExecArray | null;
  while ((m = re.exec(sql))) {
    const t = m[1].replace(/`/g, '');
    if (/^ML\./i.test(t) || /INFORMATION_SCHEMA/i.test(t) || /^UNNEST/i.test(t)) continue;
    // A table whose name is built at run time is usually the notebook's own output table.
    if (!t.includes('.') || t.includes(UNKNOWN)) continue;
    out.push(t);
  }
  return out;
}

/** What every call handler needs: the program, its resolver and a few program-wide facts. */
interface Env {
  r: Reporter;
  program: PythonProgram;
  /** Some literal has a scheme (`://`, `azureml:`): remote locations are possible at all. */
  urls: boolean;
  /** Data downloaded once and registered as a versioned Azure ML asset is versioned from there on. */
  snapshotted: boolean;
  bigquery: boolean;
  resolve(rc: ResolvedCall, a: ArgFact | undefined): ResolvedValue | undefined;
  /** The current call's qualified name passes some test on qualified names (`handledQualified`): else all of them fail. */
  qualifiedHandled: boolean;
}

/** A handler returns true when the call was its kind (reported or not), so later handlers skip it. */
type Handler = (rc: ResolvedCall, env: Env) => boolean;

const downloads: Handler = (rc, env) => {
  const dl = env.urls && env.qualifiedHandled ? DOWNLOADS.find((d) => d.match.test(rc.qualified)) : undefined;
  if (!dl) return false;
  const positional = rc.call.args.filter((a) => !a.name);
  const poochHash = rc.qualified.endsWith('pooch.retrieve') && positional.length > 1 && positional[1].text !== 'None';
  if (dl.hash && (hasKeyword(rc, dl.hash) || poochHash)) return true;
  let arg = argument(rc, dl.url[0], dl.url[1]);
  // `get_file("https://...")` with the URL as the only argument.
  if (!arg && dl.url[0] === 1) arg = argument(rc, 0, 'fname');
  checkRemote(env.r, rc, arg, env.resolve(rc, arg), `\`${rc.call.callee}\``, { requireData: dl.dataOnly, snapshotted: env.snapshotted });
  return true;
};

/** Hugging Face Hub, TFDS, OpenML, Kaggle: named datasets whose latest version is loaded. */
const hubs: Handler = (rc, env) => {
  const q = rc.qualified;
  const callee = rc.call.callee;
  const { r } = env;
  const named = (arg: ArgFact | undefined): { v?: ResolvedValue; name: string } => {
    const v = env.resolve(rc, arg);
    return { v, name: v?.complete ? v.text : 'the dataset' };
  };
  if (env.qualifiedHandled && (q === 'datasets.load_dataset' || q === 'datasets.load_dataset_builder')) {
    const arg = argument(rc, 0, 'path');
    const v = env.resolve(rc, arg);
    if (!arg || !v?.complete || hasKeyword(rc, ['revision'])) return true;
    const id = v.text;
    if (!isHubName(id) || /^(csv|json|parquet|text|arrow|pandas|imagefolder|audiofolder|videofolder|webdataset|xml|sql)$/.test(id)) return true;
    // A folder of the workspace (`load_dataset("data/reviews")`) is local, not the Hub.
    const ws = r.ctx.workspace;
    if (ws.exists(id) || ws.exists(joinPath(dirname(r.ctx.file), id))) return true;
    report(r, rc.unit, arg.valueSpan, 'hub', { call: callee, name: id }, v);
    return true;
  }
  if (env.qualifiedHandled && /^huggingface_hub\.(hf_hub_download|snapshot_download)$/.test(q)) {
    // Models and spaces are not data; `repo_type="dataset"` says it is.
    if (argument(rc, 99, 'repo_type')?.str !== 'dataset' || hasKeyword(rc, ['revision'])) return true;
    const arg = argument(rc, 0, 'repo_id');
    const { v, name } = named(arg);
    report(r, rc.unit, arg?.valueSpan ?? rc.call.span, 'hub', { call: callee, name }, v);
    return true;
  }
  if (env.qualifiedHandled && q === 'fiftyone.utils.huggingface.load_from_hub') {
    if (hasKeyword(rc, ['revision'])) return true;
    const arg = argument(rc, 0, 'repo_id');
    const { v, name } = named(arg);
    report(r, rc.unit, arg?.valueSpan ?? rc.call.span, 'hub', { call: callee, name }, v);
    return true;
  }
  if (env.qualifiedHandled && /^tensorflow_datasets\.(load|builder|data_source)$/.test(q)) {
    const arg = argument(rc, 0, 'name');
    const v = env.resolve(rc, arg);
    if (arg && v?.complete && !v.text.includes(':')) report(r, rc.unit, arg.valueSpan, 'tfds', { call: callee, name: v.text }, v);
    return true;
  }
  if (env.qualifiedHandled && q === 'sklearn.datasets.fetch_openml') {
    const version = argument(rc, 1, 'version');
    if (hasKeyword(rc, ['data_id']) || (version && version.str !== 'active')) return true;
    const arg = argument(rc, 0, 'name');
    report(r, rc.unit, arg?.valueSpan ?? rc.call.span, 'openml', { name: arg?.str ?? 'the dataset' });
    return true;
  }
  if (env.qualifiedHandled && /^kagglehub\.(dataset_download|load_dataset)$/.test(q)) {
    const arg = argument(rc, q.endsWith('load_dataset') ? 1 : 0, 'handle');
    const v = env.resolve(rc, arg);
    if (v?.complete && !/\/versions\/\d+/.test(v.text)) report(r, rc.unit, arg?.valueSpan ?? rc.call.span, 'kaggle', { name: v.text }, v);
    return true;
  }
  if (/^(dataset_download_files|dataset_download_file)$/.test(rc.call.name) && imports(env.program, ['kaggle'])) {
    const arg = argument(rc, 0, 'dataset');
    report(r, rc.unit, arg?.valueSpan ?? rc.call.span, 'kaggle', { name: arg?.str ?? 'the dataset' });
    return true;
  }
  return false;
};

/** Azure ML: job inputs, data assets by label, v1 datasets by name. */
const azureml: Handler = (rc, env) => {
  const q = rc.qualified;
  const callee = rc.call.callee;
  if (env.qualifiedHandled && /^azure\.ai\.ml\.(Input|dsl\.Input)$/.test(q)) {
    if (!env.urls) return true;
    const arg = argument(rc, 99, 'path');
    const v = env.resolve(rc, arg);
    // Model inputs (`type=AssetTypes.MLFLOW_MODEL`) are not data.
    if (!arg || !v || /model/i.test(argument(rc, 99, 'type')?.text ?? '')) return true;
    const asset = azuremlAsset(v.text);
    if (!asset) checkRemote(env.r, rc, arg, v, '`Input`');
    else if (!(asset.version && !asset.label) && !asset.name.includes(UNKNOWN)) report(env.r, rc.unit, arg.valueSpan, 'azuremlAsset', { name: 'Input', ref: v.text, asset: asset.name }, v);
    return true;
  }
  if (/\.data\.get$/.test(callee)) {
    const label = rc.call.args.find((a) => a.name === 'label');
    if (label?.str === 'latest') report(env.r, rc.unit, label.span, 'azuremlLabel', { call: callee });
    return true;
  }
  if (env.qualifiedHandled && /^azureml\.core\.(Dataset|dataset\.Dataset)\.get_by_name$/.test(q)) {
    const version = argument(rc, 2, 'version');
    if (!version || version.str === 'latest') report(env.r, rc.unit, version?.span ?? rc.call.calleeSpan, 'azuremlV1', { call: callee });
    return true;
  }
  return false;
};

/** Pipelines and managed datasets (KFP importer, Vertex datasets and monitoring baselines, SageMaker channels). */
const pipelines: Handler = (rc, env) => {
  if (!env.urls) return false;
  const callee = rc.call.callee;
  if (env.qualifiedHandled && /(^|\.)dsl\.importer$/.test(rc.qualified)) {
    const arg = argument(rc, 0, 'artifact_uri');
    checkRemote(env.r, rc, arg, env.resolve(rc, arg), '`dsl.importer`');
    return true;
  }
  // SageMaker `estimator.fit({"train": "s3://..."})`: the channels are the training data.
  if (rc.call.name === 'fit' && imports(env.program, ['sagemaker'])) {
    for (const a of rc.call.args) {
      if (a.kind === 'identifier' || a.kind === 'string') {
        checkRemote(env.r, rc, a, env.resolve(rc, a), `\`${callee}\``);
        continue;
      }
      for (const str of rc.unit.facts.strings) {
        if (str.span.start < a.valueSpan.start || str.span.end > a.valueSpan.end || str.fString || !isRemotePath(str.value)) continue;
        checkRemote(env.r, rc, { span: str.span, valueSpan: str.span, kind: 'string', text: str.value, str: str.value }, { text: str.value, complete: true }, `\`${callee}\``);
      }
    }
    return true;
  }
  let found = false;
  for (const a of rc.call.args) {
    if (!a.name || !SOURCE_KEYWORDS.has(a.name)) continue;
    checkRemote(env.r, rc, a, env.resolve(rc, a), `\`${callee}(${a.name}=...)\``);
    found = true;
  }
  return found;
};

/** BigQuery: SQL over live tables. */
const bigquery: Handler = (rc, env) => {
  if (!env.bigquery || !(rc.call.name === 'query' || (env.qualifiedHandled && /^(pandas|pandas_gbq|bigframes\.pandas)\.read_gbq$/.test(rc.qualified)))) return false;
  const arg = argument(rc, 0, ['query', 'query_or_table']);
  const v = env.resolve(rc, arg);
  if (!arg || !v || !/\bSELECT\b/i.test(v.text)) return true;
  const tables = liveTables(v.text);
  if (tables.length) report(env.r, rc.unit, arg.valueSpan, 'bigquery', { what: `\`${rc.call.callee}\``, table: tables[0] }, v);
  return true;
};

/** Experiment-tracker artifacts and DVC-tracked data of other repositories, by moving references. */
const artifacts: Handler = (rc, env) => {
  const name = rc.call.name;
  const callee = rc.call.callee;
  if (name === 'use_artifact' || (name === 'artifact' && imports(env.program, ['wandb']))) {
    const arg = argument(rc, 0, ['artifact_or_name', 'name']);
    const v = env.resolve(rc, arg);
    const type = argument(rc, 1, 'type')?.str;
    if (!arg || !v?.complete || (type !== undefined && !/data/i.test(type)) || (type === undefined && /model|checkpoint|weights/i.test(v.text))) return true;
    const colon = v.text.lastIndexOf(':');
    const alias = colon > 0 ? v.text.slice(colon + 1) : 'latest';
    if (!/^v\d+$/.test(alias)) report(env.r, rc.unit, arg.valueSpan, 'artifactAlias', { call: callee, name: v.text, alias, base: colon > 0 ? v.text.slice(0, colon) : v.text }, v);
    return true;
  }
  if (env.qualifiedHandled && /^dvc\.api\.(open|read|get_url)$/.test(rc.qualified)) {
    const repo = argument(rc, 99, 'repo');
    const rv = env.resolve(rc, repo);
    if (!repo || !rv || hasKeyword(rc, ['rev']) || !isRemotePath(rv.text)) return true;
    report(env.r, rc.unit, repo.valueSpan, 'dvcRev', { call: callee, path: argument(rc, 0, 'path')?.str ?? 'the file', repo: displayUrl(rv.text) }, rv);
    return true;
  }
  return false;
};

/** Live web pages, S3 objects through boto3, generic copies of cloud folders. */
const others: Handler = (rc, env) => {
  const name = rc.call.name;
  const callee = rc.call.callee;
  if (env.qualifiedHandled && WEB_LOADERS.test(rc.qualified) && /^(langchain|llama_index)/.test(rc.qualified)) {
    report(env.r, rc.unit, rc.call.calleeSpan, 'web', { call: name });
    return true;
  }
  if (/^(download_file|download_fileobj|get_object)$/.test(name) && imports(env.program, ['boto3'])) {
    if (/VersionId/.test(rc.call.args.map((a) => a.text).join(' '))) return true;
    const bucket = argument(rc, 0, 'Bucket');
    const key = argument(rc, 1, 'Key');
    if (!bucket?.str || isPlaceholderRemote(`s3://${bucket.str}`)) return true;
    report(env.r, rc.unit, rc.call.span, 'remote', { what: `\`${callee}\``, url: `s3://${bucket.str}/${key?.str ?? '…'}`, kind: KIND_NAME.s3, advice: ADVICE.s3 });
    return true;
  }
  if (env.urls && COPY_NAMES.test(name)) {
    const arg = argument(rc, 0, COPY_SOURCE_KEYWORDS);
    const v = env.resolve(rc, arg);
    const kind = v ? remoteKind(v.text) : undefined;
    if (kind && kind !== 'http' && kind !== 'other') checkRemote(env.r, rc, arg, v, `\`${callee}\``);
    return true;
  }
  return false;
};

const HANDLERS: Handler[] = [downloads, hubs, azureml, pipelines, bigquery, artifacts, others];

/** Calls some handler may claim by their name or keywords (with `handledQualified`: each handler returns false for every other call). `x.data.get` is a `get`. */
function handledOtherwise(call: CallFact): boolean {
  if (handledName(call.name)) return true;
  for (const a of call.args) if (a.name !== undefined && SOURCE_KEYWORD_SHAPES.may(a.name, 0) && SOURCE_KEYWORDS.has(a.name)) return true;
  return false;
}

/**
 * A cheap necessary test for a name (or the last dotted segment of a text) being
 * one of a few: its length and first and last characters, as a small number in a
 * set. Most callee names fail it without being hashed as strings, which the exact
 * tests (maps and sets of strings, regexes) cost on every new name object.
 */
export class NameShapes {
  private readonly keys = new Set<number>();

  constructor(names: Iterable<string>) {
    for (const n of names) this.keys.add(NameShapes.key(n, 0, n.length));
  }

  private static key(s: string, from: number, to: number): number {
    return (((to - from) & 255) << 22) | ((s.charCodeAt(from) & 2047) << 11) | (s.charCodeAt(to - 1) & 2047);
  }

  /** False when `s.slice(from)` is surely none of the names. */
  may(s: string, from: number): boolean {
    return from < s.length && this.keys.has(NameShapes.key(s, from, s.length));
  }
}

/**
 * The last segments of every qualified name `handledQualified` accepts (each of its
 * patterns ends in one of these after `^` or `.`), and `Data` (`azure.ai.ml.entities.Data`).
 * Kept complete by a test.
 */
export const QUALIFIED_LAST_SEGMENTS = [
  'urlretrieve', 'urlopen', 'get', 'download', 'get_file', 'download_url', 'download_and_extract_archive', 'download_file_from_google_drive', 'retrieve',
  'cached_download', 'open', 'open_files', 'GFile', 'copy', 'load_dataset', 'load_dataset_builder', 'load_from_hub', 'fetch_openml', 'hf_hub_download',
  'snapshot_download', 'load', 'builder', 'data_source', 'dataset_download', 'Input', 'get_by_name', 'importer', 'read_gbq', 'read', 'get_url',
  'UnstructuredURLLoader', 'WebBaseLoader', 'RecursiveUrlLoader', 'SitemapLoader', 'AsyncHtmlLoader', 'AsyncChromiumLoader', 'SeleniumURLLoader',
  'PlaywrightURLLoader', 'FireCrawlLoader', 'GitbookLoader', 'SimpleWebPageReader', 'BeautifulSoupWebReader', 'TrafilaturaWebReader', 'Data',
];
const QUALIFIED_SHAPES = new NameShapes(QUALIFIED_LAST_SEGMENTS);

/** Every name `handledName` accepts. Kept complete by a test. */
export const HANDLED_NAMES = [
  'dataset_download_files', 'dataset_download_file', 'fit', 'query', 'use_artifact', 'artifact', 'download_file', 'download_fileobj', 'get_object',
  'copy', 'copy_dir', 'copytree', 'copyfile', 'download', 'download_dir', 'download_folder', 'download_directory', 'get', 'cp', 'sync', 'fget', 'get_file',
];
const NAME_SHAPES = new NameShapes(HANDLED_NAMES);
const SOURCE_KEYWORD_SHAPES = new NameShapes(SOURCE_KEYWORDS);

/** The tests of `handled` on the qualified name alone, remembered by name (the same callees recur in every file). */
const qualifiedHandled = new Map<string, boolean>();

export function handledQualified(q: string): boolean {
  let v = qualifiedHandled.get(q);
  if (v === undefined) {
    v =
      DOWNLOADS.some((d) => d.match.test(q)) ||
      /^(datasets\.load_dataset|datasets\.load_dataset_builder|fiftyone\.utils\.huggingface\.load_from_hub|sklearn\.datasets\.fetch_openml)$/.test(q) ||
      /^(huggingface_hub\.(hf_hub_download|snapshot_download)|tensorflow_datasets\.(load|builder|data_source)|kagglehub\.(dataset_download|load_dataset))$/.test(q) ||
      /^azure\.ai\.ml\.(Input|dsl\.Input)$/.test(q) ||
      /^azureml\.core\.(Dataset|dataset\.Dataset)\.get_by_name$/.test(q) ||
      /(^|\.)dsl\.importer$/.test(q) ||
      /^(pandas|pandas_gbq|bigframes\.pandas)\.read_gbq$/.test(q) ||
      /^dvc\.api\.(open|read|get_url)$/.test(q) ||
      WEB_LOADERS.test(q);
    if (qualifiedHandled.size >= 20_000) qualifiedHandled.clear();
    qualifiedHandled.set(q, v);
  }
  return v;
}

/** The tests of `handled` on the callee's last segment alone, remembered by name. */
const nameHandled = new Map<string, boolean>();

export function handledName(name: string): boolean {
  if (!NAME_SHAPES.may(name, 0)) return false;
  let v = nameHandled.get(name);
  if (v === undefined) {
    v = /^(dataset_download_files|dataset_download_file|fit|query|use_artifact|artifact|download_file|download_fileobj|get_object)$/.test(name) || COPY_NAMES.test(name);
    if (nameHandled.size >= 20_000) nameHandled.clear();
    nameHandled.set(name, v);
  }
  return v;
}

/** One unit's part of the checks: URL literals, snapshots, the calls handlers may claim. */
interface UnitRemote {
  urls: boolean;
  snapshotted: boolean;
  calls: Array<{ call: CallFact; qualified: string; qualifiedHandled: boolean }>;
}

const unitRemote = qualifiedMemo((unit, qualify): UnitRemote => {
  const urls = unit.facts.strings.some((s) => s.value.includes('://') || s.value.startsWith('azureml:'));
  let snapshotted = false;
  // Made for the first call kept (most units keep none and share NO_REMOTE).
  let calls: UnitRemote['calls'] | undefined;
  for (const call of unit.facts.calls) {
    const callee = call.callee;
    const dot = callee.lastIndexOf('.');
    // A dotted callee qualifies to a name with the same last segment: when that segment is
    // none of the qualified tests' last segments, they all fail without qualifying it.
    if (dot >= 0 && !QUALIFIED_SHAPES.may(callee, dot + 1)) {
      if (handledOtherwise(call)) (calls ??= []).push({ call, qualified: qualify(callee), qualifiedHandled: false });
      continue;
    }
    const q = qualify(callee);
    if (q === 'azure.ai.ml.entities.Data' && call.args.some((a) => a.name === 'version' && a.text !== 'None')) snapshotted = true;
    // An undotted name that no import rebinds is its own last segment.
    const qualifiedHandled = dot < 0 && q === callee && !QUALIFIED_SHAPES.may(q, 0) ? false : handledQualified(q);
    if (qualifiedHandled || handledOtherwise(call)) (calls ??= []).push({ call, qualified: q, qualifiedHandled });
  }
  return urls || snapshotted || calls ? { urls, snapshotted, calls: calls ?? [] } : NO_REMOTE;
});

const NO_REMOTE: UnitRemote = { urls: false, snapshotted: false, calls: [] };

function checkPython(ctx: RuleContext, program: PythonProgram): void {
  const units = unitRemote.all(program);
  let resolver: ValueResolver | undefined;
  const env: Env = {
    r: { ctx, reported: new Set() },
    program,
    urls: units.some((u) => u.urls),
    snapshotted: units.some((u) => u.snapshotted),
    bigquery: imports(program, ['google.cloud.bigquery', 'bigframes', 'pandas_gbq']),
    resolve: (rc, a) => (a ? (resolver ??= resolverFor(program)).resolveArg(rc.unit, a) : undefined),
    qualifiedHandled: false,
  };
  if (env.urls) for (const read of dataReads(program)) checkRemote(env.r, read.rc, read.pathArg, read.value, `\`${read.rc.call.callee}\``, { snapshotted: env.snapshotted });
  for (let i = 0; i < units.length; i++) {
    const calls = units[i].calls;
    if (calls.length === 0) continue;
    const unit = program.units[i];
    for (const c of calls) {
      const rc: ResolvedCall = { unit, call: c.call, qualified: c.qualified };
      env.qualifiedHandled = c.qualifiedHandled;
      for (const h of HANDLERS) if (h(rc, env)) break;
    }
  }
  checkMagics(env.r, program);
}

// ---------------------------------------------------------------------------
// Shell lines in notebooks: `!wget`, `!gsutil cp`, `%%bash`, `%%bigquery`.

function magicLines(unit: PythonUnit, magic: Magic): Array<{ text: string; line: number }> {
  if (magic.kind === 'shell' || (magic.kind === 'line' && /^(sx|system)$/.test(magic.name))) {
    const text = magic.kind === 'shell' ? magic.command : magic.command.slice(magic.name.length);
    return [{ text, line: magic.range.start.line }];
  }
  if (magic.kind === 'cell' && /^(bash|sh|script|system)$/.test(magic.name)) {
    const out: Array<{ text: string; line: number }> = [];
    for (let l = magic.range.start.line + 1; l <= magic.range.end.line; l++) out.push({ text: unit.lines.lineText(l), line: l });
    return out;
  }
  return [];
}

/** Expands `$VAR`, `${VAR}` and `{VAR}` in a shell line from the notebook's assignments (unknown -> UNKNOWN). */
function substitute(text: string, resolver: ReturnType<typeof resolverFor>, unit: PythonUnit, offset: number): string {
  return text.replace(/\$\{(\w+)\}|\$(\w+)|\{([A-Za-z_][\w.]*)\}/g, (_m, a?: string, b?: string, c?: string) => {
    const name = a ?? b ?? c ?? '';
    if (!resolver.isAssigned(name)) return UNKNOWN;
    const v = resolver.resolveName(name, unit, offset);
    return v.complete ? v.text : UNKNOWN;
  });
}

/**
 * Every command `shellReads` knows is one of these names as a whole shell word: a word
 * (`shellWords`) starts at the line's start, after a space, a quote or a part's `&&`,
 * `||`, `;` or `|`, and ends before one of them or at the end; a quoted word is the
 * name between its quotes. Most shell lines have none (`pip install awscli`, `git+https://...`).
 */
const SHELL_READ_COMMANDS = /(?:^|[\s"'&|;])(?:wget|curl|gsutil|gcloud|aws|azcopy|cp|mv|kaggle|hf|huggingface-cli|git)(?=$|[\s"'&|;])/;

/** Remote data a shell command reads: `[what, url]` pairs, or hub ids. */
export function shellReads(line: string): Array<{ what: string; url: string; messageId: 'remote' | 'kaggle' | 'hub' }> {
  const out: Array<{ what: string; url: string; messageId: 'remote' | 'kaggle' | 'hub' }> = [];
  if (!SHELL_READ_COMMANDS.test(line)) return out;
  for (const part of line.split(/&&|\|\||;/)) {
    const piped = part.split('|');
    const words = shellWords(piped[0].trim());
    let k = 0;
    while (k < words.length && /^(sudo|time|!)$/.test(words[k])) k++;
    const cmd = words[k];
    if (!cmd) continue;
    const rest = words.slice(k + 1);
    if (cmd === 'wget' || cmd === 'curl') {
      const saves = cmd === 'wget' || rest.some((w) => /^(-[a-zA-Z]*[oO][a-zA-Z]*|--output|--remote-name)$/.test(w)) || /\s>\s*\S/.test(piped[0]) || (piped.length > 1 && /\b(tar|unzip|gunzip|zcat|bunzip2)\b/.test(piped[1]));
      if (!saves) continue;
      for (const u of rest.filter((w) => /^(https?|ftp):\/\//.test(w))) if (looksLikeDataUrl(u)) out.push({ what: `\`${cmd}\``, url: u, messageId: 'remote' });
      continue;
    }
    const copy = shellCopy(words.slice(k));
    if (copy) {
      for (const s of copy.sources) if (isRemotePath(s)) out.push({ what: `\`${copy.tool} ${copy.tool === 'gcloud storage' || copy.tool === 'aws s3' ? words[k + 2] : words[k + 1]}\``, url: s, messageId: 'remote' });
      continue;
    }
    if ((cmd === 'gsutil' && rest[0] === 'cat') || (cmd === 'gcloud' && rest[0] === 'storage' && rest[1] === 'cat')) {
      for (const s of rest.filter((w) => isRemotePath(w))) out.push({ what: `\`${cmd === 'gsutil' ? 'gsutil cat' : 'gcloud storage cat'}\``, url: s, messageId: 'remote' });
      continue;
    }
    if (cmd === 'kaggle' && rest[0] === 'datasets' && rest[1] === 'download') {
      const id = rest.slice(2).find((w) => /^[\w.-]+\/[\w.-]+$/.test(w));
      if (id && !/\/versions\/\d+/.test(id)) out.push({ what: '`kaggle datasets download`', url: id, messageId: 'kaggle' });
      continue;
    }
    if ((cmd === 'huggingface-cli' || cmd === 'hf') && rest[0] === 'download' && rest.includes('dataset') && !rest.some((w) => w.startsWith('--revision'))) {
      const id = rest.slice(1).find((w) => /^[\w.-]+\/[\w.-]+$/.test(w));
      if (id) out.push({ what: `\`${cmd} download\``, url: id, messageId: 'hub' });
      continue;
    }
    if (cmd === 'git' && rest[0] === 'clone') {
      const u = rest.find((w) => /^https:\/\/huggingface\.co\/datasets\//.test(w));
      if (u) out.push({ what: '`git clone`', url: u, messageId: 'remote' });
    }
  }
  return out;
}

type ShellRead = ReturnType<typeof shellReads>[number];

/** Shell reads worth reporting: pinned, placeholder and non-data locations dropped. */
function reportable(hits: ShellRead[]): ShellRead[] {
  return hits.filter((hit) => hit.messageId !== 'remote' || !(isPlaceholderRemote(hit.url) || isPinnedRemote(hit.url) || hit.url.includes(UNKNOWN) || NOT_DATA_URL.test(urlPath(hit.url))));
}

/** Variables a shell line may refer to (`$VAR`, `${VAR}`, `{VAR}`): it is read after substitution. */
const VARIABLE_REF = /\$\{(\w+)\}|\$(\w+)|\{([A-Za-z_][\w.]*)\}/;

type MagicItem =
  | { kind: 'bigquery'; table: string; range: Range }
  | { kind: 'line'; line: number; range: Range; text: string; hits?: ShellRead[] };

/** The reads of one unit's shell lines; lines with variables keep their text for substitution. */
const unitMagicItems = unitMemo((unit): MagicItem[] => {
  const items: MagicItem[] = [];
  for (const magic of unit.magics) {
    if (magic.kind === 'cell' && magic.name === 'bigquery') {
      const tables = liveTables(magic.command);
      if (tables.length) items.push({ kind: 'bigquery', table: tables[0], range: { start: magic.range.start, end: { line: magic.range.start.line, character: unit.lines.lineText(magic.range.start.line).length } } });
      continue;
    }
    for (const ln of magicLines(unit, magic)) {
      const variables = VARIABLE_REF.test(ln.text);
      const hits = variables ? undefined : reportable(shellReads(ln.text));
      if (hits && hits.length === 0) continue;
      const lineText = unit.lines.lineText(ln.line);
      const start = ln.line === magic.range.start.line ? magic.range.start.character : lineText.length - lineText.trimStart().length;
      items.push({ kind: 'line', line: ln.line, range: { start: { line: ln.line, character: start }, end: { line: ln.line, character: lineText.length } }, text: ln.text, hits });
    }
  }
  return items.length ? items : NO_ITEMS;
});

const NO_ITEMS: MagicItem[] = [];

function checkMagics(r: Reporter, program: PythonProgram): void {
  let resolver: ValueResolver | undefined;
  for (const unit of program.units) {
    if (unit.magics.length === 0) continue;
    for (const item of unitMagicItems(unit)) {
      if (item.kind === 'bigquery') {
        r.ctx.report({ messageId: 'bigquery', data: { what: '`%%bigquery`', table: item.table }, location: { cell: unit.cell, range: item.range } });
        continue;
      }
      resolver ??= resolverFor(program);
      const hits = item.hits ?? reportable(shellReads(substitute(item.text, resolver, unit, unit.lines.offsetAt({ line: item.line, character: 0 }))));
      for (const hit of hits) {
        const url = hit.url;
        const location: Location = { cell: unit.cell, range: item.range };
        const key = `${unit.cell ?? -1}:m${item.line}`;
        if (r.reported.has(key)) continue;
        r.reported.add(key);
        if (hit.messageId === 'remote') {
          const kind = remoteKind(url) ?? 'other';
          r.ctx.report({ messageId: 'remote', data: { what: hit.what, url: displayUrl(url), kind: KIND_NAME[kind], advice: ADVICE[kind] }, location });
        } else if (hit.messageId === 'kaggle') r.ctx.report({ messageId: 'kaggle', data: { name: url }, location });
        else r.ctx.report({ messageId: 'hub', data: { call: hit.what.replace(/`/g, ''), name: url }, location });
      }
    }
  }
}

// ---------------------------------------------------------------------------
// YAML: Azure ML job inputs, Kedro catalog entries.

function checkYaml(ctx: RuleContext): void {
  const file = ctx.yaml;
  if (!file) return;
  for (const ref of yamlDataRefs(file, ctx.configKind)) {
    const raw = ref.value.trim();
    if (raw.includes('${{')) continue;
    const location = { range: nodeRange(file, ref.node) };
    const asset = azuremlAsset(raw);
    if (asset) {
      if (asset.version && !asset.label) continue;
      ctx.report({ messageId: 'azuremlAsset', data: { name: ref.name, ref: raw, asset: asset.name }, location });
      continue;
    }
    if (!isRemotePath(raw) || isPlaceholderRemote(raw) || isPinnedRemote(raw)) continue;
    const kind = remoteKind(raw) ?? 'other';
    if (kind === 'azureml' && /^azureml:\/\/(jobs|registries)\//i.test(raw)) continue;
    if (ref.source === 'kedro-catalog') {
      if (ref.versioned) continue;
      ctx.report({ messageId: 'kedro', data: { name: ref.name, url: displayUrl(raw) }, location });
    } else {
      ctx.report({ messageId: 'remote', data: { what: `Job input \`${ref.name}\``, url: displayUrl(raw), kind: KIND_NAME[kind], advice: ADVICE[kind] }, location });
    }
  }
}

export default defineRule({
  meta: {
    id: 'unpinned-remote-data',
    area: 'data',
    defaultSeverity: 'warning',
    recommended: true,
    targets: ['notebook', 'python', 'yaml'],
    fixedId: true,
    messages: {
      remote: '{{what}} reads {{url}} without a version pin: the {{kind}} can change while the code stays the same, so results cannot be reproduced. {{advice}}',
      hub: '`{{call}}` loads `{{name}}` from the Hugging Face Hub without `revision=`: the dataset can change under the same name. Pass `revision="<commit sha>"` (the commit shown on the dataset\'s Hub page).',
      tfds: '`{{call}}("{{name}}")` loads whatever version of the data set the installed TFDS defaults to. Pin it in the name: `"{{name}}:<version>"` (e.g. `"mnist:3.0.1"`).',
      openml: '`fetch_openml` without `version=` or `data_id=` loads the currently active version of `{{name}}`, which can change. Pass `version=<n>` or `data_id=<id>`.',
      kaggle: 'Downloads the Kaggle data set `{{name}}` at its latest version. Pin a version (`{{name}}/versions/<n>`) or keep a versioned copy (DVC).',
      azuremlAsset: '{{name}} uses `{{ref}}`, which resolves to whatever version of `{{asset}}` is newest when the job is submitted. Pin a version: `azureml:{{asset}}:<version>`.',
      azuremlLabel: '`{{call}}(..., label="latest")` fetches whatever version of the data asset is newest. Pass `version="<n>"` so a run always reads the same data.',
      bigquery: '{{what}} reads BigQuery table `{{table}}` as it is at run time: the table can change between runs. Read a table snapshot or add `FOR SYSTEM_TIME AS OF <timestamp>`, or export a versioned copy.',
      web: '`{{call}}` loads live web pages: their content changes without notice, so the data behind a result cannot be recovered. Snapshot the pages into versioned storage (DVC, a dated archive) and load from there.',
      artifactAlias: '`{{call}}` uses `{{name}}`: the alias `{{alias}}` moves to newer versions, so the data a run reads can change. Pin a version: `{{base}}:v<n>`.',
      dvcRev: '`{{call}}` reads {{path}} from {{repo}} without `rev=`: it follows the default branch, so the data can change between runs. Pass `rev="<tag or commit>"`.',
      azuremlV1: '`{{call}}` without `version=` (or with `version="latest"`) fetches the newest version of the dataset. Pass `version=<n>` so a run always reads the same data.',
      kedro: 'Catalog entry `{{name}}` reads {{url}} without `versioned: true` or an object version: the data can change under the same path. Version the dataset or pin the object version.',
    },
    docs: {
      summary: 'Remote data (cloud storage, URLs, dataset hubs, Azure ML assets, BigQuery) is read without a version pin.',
      whatItDoes:
        'Finds reads of remote data with nothing that fixes which version is read: `s3://`, `gs://`, `abfs(s)://`/`wasbs://`/`az://` and `azureml://datastores/` paths without a version id or generation; plain `http(s)` data downloads (`urlretrieve`, `get_file` without `file_hash`, `pd.read_csv(url)`, `!wget`, `!gsutil cp`) that are not pinned to a commit or release; `datasets.load_dataset` / `hf_hub_download(repo_type="dataset")` / FiftyOne `load_from_hub` without `revision=`; `tfds.load("name")` without `:version`; `fetch_openml` without `version`/`data_id`; Kaggle downloads without a version; Azure ML inputs `azureml:<name>@latest`, `ml_client.data.get(..., label="latest")` and v1 `Dataset.get_by_name` without a version; W&B artifacts by a moving alias (`:latest`); `dvc.api.open/read(..., repo=<url>)` without `rev`; SageMaker training channels on S3; BigQuery SQL over live tables (no `FOR SYSTEM_TIME AS OF`); live web loaders; and the same in Azure ML job YAML inputs and Kedro catalogs. Outputs are not reads; registered assets with explicit versions (`azureml:name:1`) are pinned.',
      whyIsThisBad:
        'A remote object that is overwritten, a hub dataset that gets a new commit or a table that receives new rows changes the training data while the code stays the same: runs stop being reproducible and nobody can say which data produced a model (Sculley et al.: unstable data dependencies).',
      example: { language: 'python', code: 'from datasets import load_dataset\n\nds = load_dataset("imdb")\n' },
      useInstead: { language: 'python', code: 'from datasets import load_dataset\n\nds = load_dataset("imdb", revision="e6281661ce1c48d982bc483cf8a173c1bbeb5d31")\n' },
      fixSafety: 'No automatic fix: the right version (a commit, a generation, an asset version) is only known to you; the message says which argument or suffix pins it.',
      notebookBehavior: 'Shell lines (`!wget`, `!gsutil cp`, `%%bash` cells) and `%%bigquery` cells are checked too; `$VAR` and `{VAR}` in them are resolved from the notebook\'s assignments.',
      references: [
        'Breck et al. 2017, The ML Test Score: Infra 1 (training is reproducible)',
        'Sculley et al. 2015, Hidden Technical Debt in ML Systems: unstable data dependencies',
        'Hugging Face datasets, revision: https://huggingface.co/docs/datasets/loading#hugging-face-hub',
        'S3 object versioning: https://docs.aws.amazon.com/AmazonS3/latest/userguide/Versioning.html',
        'Cloud Storage object versioning: https://cloud.google.com/storage/docs/object-versioning',
        'Azure ML data versioning: https://learn.microsoft.com/azure/machine-learning/how-to-create-data-assets',
        'BigQuery time travel: https://cloud.google.com/bigquery/docs/time-travel',
        'DVC import-url: https://dvc.org/doc/command-reference/import-url',
      ],
    },
  },
  check(ctx) {
    if (ctx.target === 'yaml') checkYaml(ctx);
    else if (ctx.python) checkPython(ctx, ctx.python);
  },
});
