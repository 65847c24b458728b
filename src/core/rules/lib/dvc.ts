// DVC pipelines for the cross-file rules: a positioned view of the stages of the
// dvc.yaml being linted, path coverage by `deps`/`outs`, edits that add entries
// to a stage in the file's own style, and the facts of the scripts stages run
// (which files they read and write, which metrics they produce) derived from
// their parsed Python. The workspace index keeps those programs; the facts are
// memoised per program, so they are computed once per version of a script.
import { isMap, isScalar, isSeq, type Node as YamlNode, type Pair, type YAMLMap } from 'yaml';
import type { PythonProgram, PythonUnit, ResolvedCall } from '../../parse/program';
import type { ArgFact, Span } from '../../parse/python';
import type { YamlFile } from '../../parse/yaml';
import type { Range, TextEdit } from '../../types';
import { dirname, joinPath } from '../../workspace/fs';
import { interpolate, type DvcStage, type StageScript, type WorkspaceIndex } from '../../workspace/workspace-index';
import { argument, dataReads, isAbsoluteLocal, isConfigFile, isRemotePath, normalizeLocal, producedPaths, resolverFor, type ResolvedValue } from './data-io';

export { commandScripts, interpolate } from '../../workspace/workspace-index';

// ---------------------------------------------------------------------------
// The stages of the dvc.yaml being linted, with their YAML nodes.

export interface ListEntry {
  /** The entry as written (for `- path: {cache: false}` items, the key). */
  raw: string;
  /** The scalar holding it. */
  node: YamlNode;
}

export interface YamlStage {
  name: string;
  key: YamlNode;
  /** The mapping with cmd/deps/outs (the `do:` body of a `foreach` stage). */
  body: YAMLMap;
  /** Workspace-relative working directory. */
  wdir: string;
  /** `foreach`/`matrix`: fields hold `${item}` templates. */
  generated: boolean;
  cmds: Array<{ node: YamlNode; text: string }>;
}

export function stagePair(stage: YamlStage, key: string): Pair | undefined {
  return stage.body.items.find((it) => isScalar(it.key) && String(it.key.value) === key);
}

/** Entries of a list field (`deps`, `outs`, `metrics`, `plots`). */
export function listEntries(stage: YamlStage, key: string): ListEntry[] {
  const v = stagePair(stage, key)?.value;
  const out: ListEntry[] = [];
  const add = (it: unknown): void => {
    if (isScalar(it) && typeof it.value === 'string') out.push({ raw: it.value, node: it as YamlNode });
    else if (isMap(it)) for (const p of it.items) if (isScalar(p.key) && typeof p.key.value === 'string') out.push({ raw: p.key.value, node: p.key as YamlNode });
  };
  if (isSeq(v)) v.items.forEach(add);
  else add(v);
  return out;
}

/** The stages of a dvc.yaml with their nodes. `file` is its workspace-relative path. */
export function yamlStages(yaml: YamlFile, file: string): YamlStage[] {
  const root = yaml.docs[0]?.contents;
  if (!isMap(root)) return [];
  const stages = root.get('stages', true);
  if (!isMap(stages)) return [];
  const dir = dirname(file);
  const out: YamlStage[] = [];
  for (const it of stages.items) {
    if (!isScalar(it.key) || !isMap(it.value)) continue;
    const node = it.value;
    const generated = node.has('foreach') || node.has('matrix');
    const body = node.has('foreach') ? node.get('do', true) : node;
    if (!isMap(body)) continue;
    const wdirNode = body.get('wdir', true);
    const wdir = joinPath(dir, isScalar(wdirNode) && typeof wdirNode.value === 'string' ? wdirNode.value : '');
    const cmdNode = body.get('cmd', true);
    const cmds: YamlStage['cmds'] = [];
    for (const c of isSeq(cmdNode) ? cmdNode.items : [cmdNode]) if (isScalar(c) && typeof c.value === 'string') cmds.push({ node: c as YamlNode, text: c.value });
    out.push({ name: String(it.key.value), key: it.key as YamlNode, body, wdir, generated, cmds });
  }
  return out;
}

// ---------------------------------------------------------------------------
// Paths.

/** True when `p` is `entry` or inside the folder `entry`. */
export function coveredBy(p: string, entry: string): boolean {
  return entry === '' || entry === '.' || p === entry || p.startsWith(entry + '/');
}

/** `p` (workspace-relative) written relative to `from` (a folder), as DVC paths are. */
export function relativeTo(from: string, p: string): string {
  if (from === '') return p;
  const a = from.split('/');
  const b = p.split('/');
  let i = 0;
  while (i < a.length && i < b.length && a[i] === b[i]) i++;
  return [...a.slice(i).map(() => '..'), ...b.slice(i)].join('/') || '.';
}

/** Entries of a stage field as workspace paths (templates filled when they resolve). */
export function stagePaths(stage: YamlStage, key: string, vars: unknown): string[] {
  const out: string[] = [];
  for (const e of listEntries(stage, key)) {
    const v = interpolate(e.raw, vars);
    if (v !== undefined) out.push(joinPath(stage.wdir, v));
  }
  return out;
}

/** `data/*.csv` -> `data`: the folder a glob reads from. */
export function globBase(p: string): string {
  const i = p.search(/[*?[{]/);
  if (i < 0) return p;
  return p.slice(0, i).replace(/\/[^/]*$/, '');
}

/** A path a rule can reason about: local, relative, fully known. */
export function usableLocalPath(v: ResolvedValue | undefined): string | undefined {
  if (!v || !v.complete || v.approx) return undefined;
  const raw = v.text.trim();
  if (!raw || isRemotePath(raw) || isAbsoluteLocal(raw) || /^[a-z][a-z0-9+.-]*:/i.test(raw) || /[$<>|]|\{\{|\{\}|%s/.test(raw)) return undefined;
  const p = normalizeLocal(globBase(raw));
  if (p === '.' || p === '' || p === '..' || p === '__file__' || p.includes('__file__')) return undefined;
  return p;
}

// ---------------------------------------------------------------------------
// Edits in the file's style.

function lineStart(text: string, offset: number): number {
  return text.lastIndexOf('\n', offset - 1) + 1;
}

function lineEnd(text: string, offset: number): number {
  const i = text.indexOf('\n', offset);
  return i < 0 ? text.length : i;
}

function col(text: string, offset: number): number {
  return offset - lineStart(text, offset);
}

function at(yaml: YamlFile, start: number, end: number): Range {
  const s = yaml.lineCounter.linePos(start);
  const e = yaml.lineCounter.linePos(end);
  return { start: { line: s.line - 1, character: s.col - 1 }, end: { line: e.line - 1, character: e.col - 1 } };
}

/** A list entry as YAML: plain when safe, double-quoted otherwise. */
export function yamlScalar(s: string): string {
  return /^[A-Za-z0-9_./$][\w./${}@+=~-]*$/.test(s) && !/^(true|false|null|yes|no|on|off|~)$/i.test(s) ? s : JSON.stringify(s);
}

/** How far list items are indented under their key in this file (`deps:\n  - x` -> 2, `deps:\n- x` -> 0). */
function listIndent(yaml: YamlFile): number {
  const text = yaml.text;
  const m = /^([ \t]*)[\w.-]+:[ \t]*\r?\n([ \t]*)- /m.exec(text);
  return m ? Math.max(0, m[2].length - m[1].length) : 2;
}

/** Indentation step of mappings in this file. */
function mapIndent(stage: YamlStage, yaml: YamlFile): number {
  const k = stage.key.range;
  const first = stage.body.items[0]?.key as YamlNode | undefined;
  if (k && first?.range) {
    const d = col(yaml.text, first.range[0]) - col(yaml.text, k[0]);
    if (d > 0) return d;
  }
  return 2;
}

/**
 * Edits that append entries to a stage's list field, keeping the file's style:
 * a block list gets `- x` lines at the items' indentation, a flow list `, x`,
 * and a missing field is added after `cmd` (or as the stage's last field).
 */
export function appendToList(yaml: YamlFile, stage: YamlStage, key: string, entries: string[]): TextEdit[] | undefined {
  if (!entries.length) return undefined;
  const text = yaml.text;
  const pair = stagePair(stage, key);
  const v = pair?.value as YamlNode | null | undefined;
  if (pair && isSeq(v) && v.range) {
    if (v.flow) {
      const close = text.lastIndexOf(']', v.range[1]);
      if (close < v.range[0]) return undefined;
      const sep = v.items.length ? ', ' : '';
      return [{ range: at(yaml, close, close), newText: sep + entries.map(yamlScalar).join(', ') }];
    }
    const last = v.items[v.items.length - 1] as YamlNode | undefined;
    if (!last?.range) return undefined;
    const ls = lineStart(text, last.range[0]);
    const dash = text.lastIndexOf('-', last.range[0]);
    if (dash < ls) return undefined;
    const indent = text.slice(ls, dash).replace(/[^\t]/g, ' ');
    const end = lineEnd(text, last.range[1] - (text[last.range[1] - 1] === '\n' ? 1 : 0));
    return [{ range: at(yaml, end, end), newText: entries.map((e) => `\n${indent}- ${yamlScalar(e)}`).join('') }];
  }
  if (pair && isScalar(v) && v.range && typeof v.value === 'string') {
    return [{ range: at(yaml, v.range[0], v.range[1]), newText: `[${[v.value, ...entries].map(yamlScalar).join(', ')}]` }];
  }
  if (pair) return undefined;
  return insertField(yaml, stage, key, (keyIndent) => {
    const item = ' '.repeat(keyIndent + listIndent(yaml));
    return [`${' '.repeat(keyIndent)}${key}:`, ...entries.map((e) => `${item}- ${yamlScalar(e)}`)];
  });
}

/** Inserts a new field into a stage: after `after` when given (else after `cmd`), else at the end. */
export function insertField(yaml: YamlFile, stage: YamlStage, key: string, lines: (keyIndent: number) => string[], after?: string): TextEdit[] | undefined {
  if (stage.body.flow) return undefined;
  const text = yaml.text;
  const items = stage.body.items;
  const anchor = (after ? items.find((it) => isScalar(it.key) && it.key.value === after) : undefined) ?? (key === 'deps' ? items.find((it) => isScalar(it.key) && it.key.value === 'cmd') : undefined) ?? items[items.length - 1];
  const keyNode = anchor?.key as YamlNode | undefined;
  if (!keyNode?.range) return undefined;
  const keyIndent = col(text, keyNode.range[0]);
  const valueNode = (anchor.value ?? anchor.key) as YamlNode;
  const valueEnd = valueNode.range ? valueNode.range[1] : keyNode.range[1];
  const body = lines(keyIndent).join('\n');
  if (text[valueEnd - 1] === '\n') return [{ range: at(yaml, valueEnd, valueEnd), newText: body + '\n' }];
  const end = lineEnd(text, valueEnd);
  return [{ range: at(yaml, end, end), newText: '\n' + body }];
}

/** `metrics:` with one file kept in Git (`cache: false`), in the file's indentation. */
export function metricsFieldLines(yaml: YamlFile, stage: YamlStage, file: string): (keyIndent: number) => string[] {
  const step = mapIndent(stage, yaml);
  return (keyIndent) => {
    const dash = keyIndent + listIndent(yaml);
    return [`${' '.repeat(keyIndent)}metrics:`, `${' '.repeat(dash)}- ${yamlScalar(file)}:`, `${' '.repeat(dash + 2 + step)}cache: false`];
  };
}

/** An edit deleting one item of a block list (its whole line or lines). */
export function removeListItem(yaml: YamlFile, stage: YamlStage, key: string, raw: string): TextEdit[] | undefined {
  const v = stagePair(stage, key)?.value;
  if (!isSeq(v) || v.flow) return undefined;
  const text = yaml.text;
  const i = v.items.findIndex((it) => (isScalar(it) && it.value === raw) || (isMap(it) && it.items.some((p) => isScalar(p.key) && p.key.value === raw)));
  const item = v.items[i] as YamlNode | undefined;
  if (!item?.range) return undefined;
  if (v.items.length === 1) {
    // The only item: the whole field goes.
    const pair = stagePair(stage, key)!;
    const k = pair.key as YamlNode;
    if (!k.range) return undefined;
    const s = lineStart(text, k.range[0]);
    const e = lineEnd(text, item.range[1] - (text[item.range[1] - 1] === '\n' ? 1 : 0));
    return [{ range: at(yaml, s, Math.min(text.length, e + 1)), newText: '' }];
  }
  const s = lineStart(text, item.range[0]);
  const e = lineEnd(text, item.range[1] - (text[item.range[1] - 1] === '\n' ? 1 : 0));
  return [{ range: at(yaml, s, Math.min(text.length, e + 1)), newText: '' }];
}

/** Range of a word of a `cmd` (the script), else of the command's first line. */
export function cmdWordRange(yaml: YamlFile, node: YamlNode, word?: string): Range {
  const r = node.range;
  if (!r) return { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } };
  const src = yaml.text.slice(r[0], r[1]);
  if (word) {
    const re = new RegExp(`(^|[\\s'"=/])(${word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')})(?=$|[\\s'";&|)])`);
    const m = re.exec(src);
    if (m) {
      const s = r[0] + m.index + m[1].length;
      return at(yaml, s, s + word.length);
    }
  }
  const nl = src.search(/\S\s*\n/);
  return at(yaml, r[0], nl >= 0 ? r[0] + nl + 1 : r[1]);
}

// ---------------------------------------------------------------------------
// Stage relations.

/** Stages of the workspace outside `file` plus the stages of `file` as linted now. */
export interface StageGraphNode {
  name: string;
  file: string;
  deps: string[];
  outs: string[];
  hasMetrics: boolean;
}

/** True when some stage downstream of `start` (reading its outs, transitively) declares metrics or plots (or passes `accept`). */
export function downstreamHasMetrics(start: StageGraphNode, all: readonly StageGraphNode[], accept: (n: StageGraphNode) => boolean = (n) => n.hasMetrics): boolean {
  const seen = new Set<StageGraphNode>([start]);
  let frontier = [start];
  while (frontier.length) {
    const next: StageGraphNode[] = [];
    for (const s of frontier) {
      for (const t of all) {
        if (seen.has(t)) continue;
        if (t.deps.some((d) => s.outs.some((o) => coveredBy(d, o) || coveredBy(o, d)))) {
          if (accept(t)) return true;
          seen.add(t);
          next.push(t);
        }
      }
    }
    frontier = next;
  }
  return false;
}

/** The graph nodes of the workspace's other dvc.yaml files. */
export function otherStages(ws: WorkspaceIndex, file: string): StageGraphNode[] {
  return ws
    .dvcStages()
    .filter((s: DvcStage) => s.file !== file)
    .map((s) => {
      const vars = ws.templateVars(s.file);
      const fill = (l: string[]): string[] => l.map((p) => interpolate(p, vars)).filter((p): p is string => p !== undefined).map((p) => joinPath(p));
      return { name: s.name, file: s.file, deps: fill(s.deps), outs: fill([...s.outs, ...s.metrics, ...s.plots]), hasMetrics: s.metrics.length + s.plots.length > 0 };
    });
}

// ---------------------------------------------------------------------------
// What a script does with files.

export interface FileUse {
  unit: PythonUnit;
  /** The call that reads or writes. */
  span: Span;
  callee: string;
  /** The path as the code builds it, normalised (`./x` -> `x`), relative to the working directory. */
  path: string;
  /** Where the path literal is when it came through a variable. */
  origin?: ResolvedValue['origin'];
}

export interface ArtifactWrite extends FileUse {
  kind: 'data' | 'model';
}

export interface LocalImport {
  /** Dotted module (`src.utils`, `.helpers`). */
  module: string;
  /** Imported name of a `from` import (`from src import utils` -> `utils`). */
  name?: string;
  unit: PythonUnit;
  span: Span;
}

export interface ScriptFacts {
  /** Local files read (data, and models loaded from files). */
  reads: FileUse[];
  /** Data and model artifacts written. */
  writes: ArtifactWrite[];
  /** Metrics files written (JSON/YAML/TOML with a metrics-like name, DVCLive's). */
  metrics: FileUse[];
  /** DVCLive output folder, when the script logs with DVCLive. */
  dvclive?: string;
  /** An experiment tracker other than DVCLive the script imports (`mlflow`). */
  tracker?: string;
  /** The script fits or trains a model. */
  trains: boolean;
  imports: LocalImport[];
  /** Every path the script writes or downloads (for reads of its own outputs). */
  produced: Set<string>;
}

const MODEL_LOAD = /^(joblib\.load|torch\.load|(tensorflow\.|tf\.)?keras\.models\.load_model|keras\.saving\.load_model|onnxruntime\.InferenceSession|xgboost\.Booster|lightgbm\.Booster|mlflow\.[\w.]+\.load_model|tensorflow\.saved_model\.load|tf\.saved_model\.load)$/;
const MODEL_EXT = /\.(pkl|pickle|joblib|h5|hdf5|keras|pt|pth|ckpt|onnx|safetensors|cbm|model|mlem|tflite|pb|bin|ubj)$/i;
const MODEL_NAME = /(^|[/_.-])(model|models|clf|classifier|regressor|estimator|pipeline|booster|checkpoint|checkpoints|ckpt|weights|net)s?([/_.-]|\d|$)/i;
const DATA_WRITE_METHOD = /^(to_csv|to_parquet|to_feather|to_pickle|to_hdf|to_excel|to_orc|to_json|to_netcdf|to_stata|write_csv|write_parquet|write_ipc|write_json|write_ndjson|write_delta|write_avro|save_to_disk)$/;
const NUMPY_SAVE = /^numpy\.(save|savez|savez_compressed|savetxt)$/;
const SECOND_ARG_SAVE = /^(joblib\.dump|torch\.save|pickle\.dump|dill\.dump|cloudpickle\.dump|(tensorflow\.|tf\.)?keras\.models\.save_model|keras\.saving\.save_model|mlflow\.[\w.]+\.save_model|skops\.io\.dump)$/;
const MODEL_METHOD = /^(save_model|save_pretrained|save_weights|save_checkpoint|export_model)$/;
const METRICS_FILE = /(^|[/_.-])(metrics?|scores?|eval|evaluation|results?|perf|performance|accuracy|summary)([/_.-]|\d|$)[^/]*\.(json|ya?ml|toml)$|(^|\/)(metrics?|scores?)\.(json|ya?ml|toml)$/i;
const TRACKERS = ['mlflow', 'wandb', 'neptune', 'comet_ml', 'clearml', 'aim', 'tensorboardX', 'torch.utils.tensorboard', 'sacred', 'azureml.core', 'mlrun'];
const DATA_OUT_EXT = /\.(csv|tsv|parquet|pq|feather|arrow|h5|hdf5?|npy|npz|pkl|pickle|joblib|jsonl|ndjson|xlsx?|orc|avro|tfrecords?|nc|dta)$/i;

function openMode(rc: ResolvedCall): string {
  return argument(rc, 1, 'mode')?.str ?? 'r';
}

function isOpen(rc: ResolvedCall): boolean {
  return rc.qualified === 'open' || rc.qualified === 'io.open' || rc.qualified === 'gzip.open' || rc.qualified === 'bz2.open' || rc.qualified === 'lzma.open';
}

const memo = new WeakMap<PythonProgram, ScriptFacts>();

/** What a script reads, writes and logs. Memoised per program (one per version of the file). */
export function scriptFacts(program: PythonProgram): ScriptFacts {
  let f = memo.get(program);
  if (!f) memo.set(program, (f = computeFacts(program)));
  return f;
}

function computeFacts(program: PythonProgram): ScriptFacts {
  const resolver = resolverFor(program);
  const calls = program.calls();
  const facts: ScriptFacts = { reads: [], writes: [], metrics: [], trains: false, imports: [], produced: producedPaths(program) };
  const value = (rc: ResolvedCall, a: ArgFact | undefined): { path: string; origin?: ResolvedValue['origin'] } | undefined => {
    if (!a) return undefined;
    const v = resolver.resolveArg(rc.unit, a);
    const p = usableLocalPath(v);
    return p === undefined ? undefined : { path: p, origin: v.origin };
  };
  const use = (rc: ResolvedCall, pv: { path: string; origin?: ResolvedValue['origin'] }): FileUse => ({ unit: rc.unit, span: rc.call.span, callee: rc.call.callee, path: pv.path, origin: pv.origin });

  // Reads: data readers, then model files loaded.
  const readSeen = new Set<string>();
  for (const r of dataReads(program)) {
    const p = usableLocalPath(r.value);
    if (!p || isConfigFile(p) || readSeen.has(p)) continue;
    readSeen.add(p);
    facts.reads.push({ unit: r.rc.unit, span: r.rc.call.span, callee: r.rc.call.callee, path: p, origin: r.value?.origin });
  }
  for (const rc of calls) {
    const loads = MODEL_LOAD.test(rc.qualified) || rc.call.name === 'load_model' || (rc.call.name === 'from_pretrained' && /^\.\.?\//.test(argument(rc, 0)?.str ?? ''));
    if (!loads) continue;
    const pv = value(rc, argument(rc, 0, ['filename', 'filepath', 'path', 'f', 'model_file', 'path_or_bytes', 'model_uri', 'fname', 'export_dir', 'pretrained_model_name_or_path']));
    if (!pv || readSeen.has(pv.path) || isConfigFile(pv.path)) continue;
    readSeen.add(pv.path);
    facts.reads.push(use(rc, pv));
  }

  // Writes.
  const opens = calls.filter((rc) => isOpen(rc) && /[wax+]/.test(openMode(rc)));
  const consumed = new Set<ResolvedCall>();
  /** The file a dump writes: `open(...)` inline, or the handle of the latest `open(..., 'w')` before it. */
  const handleTarget = (rc: ResolvedCall, a: ArgFact | undefined): ResolvedCall | undefined => {
    if (!a) return undefined;
    if (a.kind === 'call') return opens.find((o) => o.unit === rc.unit && o.call.span.start >= a.valueSpan.start && o.call.span.end <= a.valueSpan.end);
    if (a.kind !== 'identifier') return undefined;
    let best: ResolvedCall | undefined;
    for (const o of opens) if (o.unit === rc.unit && o.call.span.end <= rc.call.span.start) best = o;
    return best;
  };
  const writeSeen = new Set<string>();
  const addWrite = (rc: ResolvedCall, pv: { path: string; origin?: ResolvedValue['origin'] } | undefined, kind: 'data' | 'model'): void => {
    if (!pv || (isConfigFile(pv.path) && !DATA_OUT_EXT.test(pv.path))) return;
    if (METRICS_FILE.test(pv.path)) {
      if (!facts.metrics.some((m) => m.path === pv.path)) facts.metrics.push(use(rc, pv));
      return;
    }
    if (writeSeen.has(pv.path)) return;
    writeSeen.add(pv.path);
    facts.writes.push({ ...use(rc, pv), kind: kind === 'data' && MODEL_EXT.test(pv.path) && MODEL_NAME.test(pv.path) ? 'model' : kind });
  };
  for (const rc of calls) {
    const q = rc.qualified;
    const name = rc.call.name;
    if (SECOND_ARG_SAVE.test(q)) {
      const a = argument(rc, 1, ['filename', 'f', 'path', 'filepath', 'file']);
      const target = a?.kind === 'call' || a?.kind === 'identifier' ? handleTarget(rc, a) : undefined;
      if (target) consumed.add(target);
      const pv = target ? value(target, argument(target, 0, 'file')) : value(rc, a);
      addWrite(rc, pv, /^(pickle|dill|cloudpickle)\./.test(q) && pv && !MODEL_NAME.test(pv.path) ? 'data' : 'model');
    } else if (/^(json|yaml|toml)\.dump$/.test(q)) {
      // Metrics or config, never an artifact: only metrics-named files count.
      const target = handleTarget(rc, argument(rc, 1, ['fp', 'stream', 'f']));
      if (target) consumed.add(target);
      const pv = target ? value(target, argument(target, 0, 'file')) : undefined;
      if (pv && METRICS_FILE.test(pv.path)) addWrite(rc, pv, 'data');
    } else if (NUMPY_SAVE.test(q)) {
      addWrite(rc, value(rc, argument(rc, 0, ['file', 'fname'])), 'data');
    } else if (DATA_WRITE_METHOD.test(name) && rc.call.callee.includes('.')) {
      const pv = value(rc, argument(rc, 0, ['path_or_buf', 'path', 'file', 'excel_writer', 'dataset_path', 'path_or_buffer', 'fname']));
      if (pv && (DATA_OUT_EXT.test(pv.path) || METRICS_FILE.test(pv.path) || name === 'save_to_disk' || name === 'to_parquet')) addWrite(rc, pv, 'data');
    } else if (MODEL_METHOD.test(name)) {
      const kw = ['filepath', 'path', 'fname', 'save_directory', 'filename', 'model_path', 'export_dir', 'output_dir'];
      // `keras.models.save_model(model, path)` takes the model first; `booster.save_model(path)` does not.
      const a = rc.call.callee.includes('.') && !/^(tensorflow|tf|keras)\b/.test(q) ? argument(rc, 0, kw) : argument(rc, 1, kw);
      addWrite(rc, value(rc, a), 'model');
    } else if (name === 'save' && rc.call.callee.includes('.') && !/^(numpy|np|PIL|matplotlib|plt)\./.test(q)) {
      const pv = value(rc, argument(rc, 0, ['filepath', 'path', 'f', 'fname']));
      // `.save()` is everywhere (images, figures, documents): only model-looking paths.
      if (pv && (MODEL_EXT.test(pv.path) || MODEL_NAME.test(pv.path)) && !/\.(png|jpe?g|gif|svg|pdf|html?|txt|md)$/i.test(pv.path)) addWrite(rc, pv, 'model');
    }
  }
  for (const o of opens) {
    if (consumed.has(o)) continue;
    const pv = value(o, argument(o, 0, 'file'));
    if (pv && (DATA_OUT_EXT.test(pv.path) || METRICS_FILE.test(pv.path))) addWrite(o, pv, 'data');
  }

  // Metrics written another way: `Path("metrics.json").write_text(json.dumps(m))`, DVCLive.
  for (const rc of calls) {
    if (rc.call.name === 'write_text' && rc.call.callee.includes('.')) {
      const recv = rc.unit.text.slice(rc.call.calleeSpan.start, rc.call.calleeSpan.end).replace(/\s*\.\s*write_text$/, '');
      const v = resolver.evaluate(rc.unit, recv, rc.call.calleeSpan.start);
      const p = usableLocalPath(v);
      if (p && METRICS_FILE.test(p) && !facts.metrics.some((m) => m.path === p)) facts.metrics.push({ unit: rc.unit, span: rc.call.span, callee: rc.call.callee, path: p, origin: v.origin });
    }
    if (/^dvclive\.(Live|lightning\.DVCLiveLogger|keras\.DVCLiveCallback|huggingface\.DVCLiveCallback|lgbm\.DVCLiveCallback|xgb\.DVCLiveCallback|fastai\.DVCLiveCallback|optuna\.DVCLiveCallback)$/.test(rc.qualified) || /(^|\.)DVCLive(Logger|Callback)$/.test(rc.qualified)) {
      const a = argument(rc, rc.call.name === 'Live' ? 0 : 99, ['dir', 'path']);
      const v = a ? usableLocalPath(resolver.resolveArg(rc.unit, a)) : 'dvclive';
      facts.dvclive ??= v ?? 'dvclive';
    }
  }
  if (!facts.dvclive && program.importsAny(['dvclive'])) facts.dvclive = 'dvclive';
  facts.tracker = TRACKERS.find((t) => program.importsAny([t]));
  facts.trains = calls.some((rc) => /^(fit|fit_generator|partial_fit|train|train_model|fit_model)$/.test(rc.call.name) && (rc.call.callee.includes('.') || rc.call.name !== 'train'));
  for (const { unit, imp } of program.imports()) {
    if (imp.name === '*' && !imp.module) continue;
    facts.imports.push({ module: imp.module, name: imp.name === '*' ? undefined : imp.name, unit, span: imp.span });
  }
  return facts;
}

/** Workspace files a script's import may be (local modules only; `has` says which exist). */
export function localModuleFiles(imp: LocalImport, scriptPath: string, cwd: string): string[] {
  const level = /^\.+/.exec(imp.module)?.[0].length ?? 0;
  const dotted = imp.module.slice(level);
  const parts = dotted ? dotted.split('.') : [];
  // Absolute imports: the script's folder (sys.path[0]), the working directory, and a src-layout package root.
  const bases = level > 0 ? [joinPath(dirname(scriptPath), ...Array<string>(level - 1).fill('..'))] : [dirname(scriptPath), cwd, joinPath(cwd, 'src')];
  const out: string[] = [];
  for (const base of [...new Set(bases)]) {
    const mod = joinPath(base, ...parts);
    if (imp.name) out.push(joinPath(mod, imp.name) + '.py', joinPath(mod, imp.name, '__init__.py'));
    if (parts.length) out.push(mod + '.py', joinPath(mod, '__init__.py'));
  }
  return out.filter((p) => p && !p.startsWith('..'));
}

/** Folders a stage script's relative paths may be relative to: its cwd, and a notebook's own folder. */
export function scriptCwds(sc: StageScript): string[] {
  const out = [sc.cwdPath];
  if (sc.kind === 'notebook' && !out.includes(dirname(sc.path))) out.push(dirname(sc.path));
  return out;
}
