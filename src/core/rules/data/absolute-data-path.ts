import { isMap, isScalar, isSeq } from 'yaml';
import { unitLocation, type PythonProgram, type PythonUnit, type ResolvedCall } from '../../parse/program';
import type { ArgFact, CallFact } from '../../parse/python';
import { nodeRange, walkScalars } from '../../parse/yaml';
import { defineRule, type RuleContext } from '../../rule';
import type { RelatedInformation } from '../../types';
import { dataReads, isAbsoluteLocal, qualifiedMemo, resolverFor, UNKNOWN, yamlDataRefs, type ResolvedValue } from '../lib/data-io';

/** Paths a platform defines inside its containers or workspaces: the same on every machine. */
const PLATFORM_PATH =
  /^(\/opt\/ml(\/|$)|\/mnt\/azureml|\/mnt\/batch|\/dbfs(\/|$)|\/Volumes\/|\/Workspace\/|\/workspace(\/|$)|\/models?(\/|$)|\/gcs\/|\/content(\/|$)|\/kaggle(\/|$)|\/home\/jovyan(\/|$)|\/app(\/|$)|\/usr\/|\/etc\/|\/dev\/|\/proc\/|\/sys\/|\/bin\/|\/lib\/|\/var\/run\/|\/var\/lib\/|\/run\/|\/opt\/conda|\/opt\/deeplearning|\/opt\/airflow|\/opt\/dagster|\/secrets?\/|\/var\/secrets\/|\/airflow\/|\/pfs\/|\/data\/ephemeral|\/kfp\/|\/tmp\/outputs|\/tmp\/kfp)/;
const TMP = /^\/(tmp|var\/tmp)(\/|$)/;
/** A path under a user's home on one machine: never portable. */
const HOME_PATH = /^(~[/\\]|~$|\/home\/[^/]+|\/Users\/[^/]+|\/root(\/|$)|[A-Za-z]:\\\\?Users|[A-Za-z]:[\\/])/;

/** Calls that read or write files or folders given as their arguments. */
const IO_NAME =
  /^(read_\w+|scan_\w+|load\w*|open|save\w*|dump|write\w*|to_(csv|parquet|json|excel|feather|pickle|hdf|orc|xml|stata)|copy\w*|move|rename|download\w*|upload\w*|listdir|scandir|walk|glob|iglob|makedirs|mkdir|rmtree|from_pretrained|imread|imwrite|File|TFRecordDataset|TextLineDataset|TFRecordWriter|ImageFolder|DatasetFolder|\w+_from_directory|loadtxt|genfromtxt|fromfile|savetxt|tofile|savez\w*|IncludeFile|SummaryWriter|FileWriter|ModelCheckpoint|CSVLogger|TensorBoard|extractall|unpack_archive|make_archive|loadmat|savemat|read|fit_generator|flow_from_directory|get_file|urlretrieve|log_artifacts?)$/;
/** Calls that read (for `/tmp`, which is fine as a scratch output). */
const READ_NAME = /^(read_\w+|scan_\w+|load\w*|open|listdir|scandir|walk|glob|iglob|from_pretrained|imread|File|TFRecordDataset|TextLineDataset|ImageFolder|DatasetFolder|\w+_from_directory|loadtxt|genfromtxt|fromfile|IncludeFile|loadmat|read|flow_from_directory)$/;
/** Keywords that take a file or folder. */
const PATH_KEYWORD = /(^|_)(path|paths|dir|directory|file|filename|filepath|fname|root|location|folder|output|destination|dest|source|src|uri|cache)$/i;
const READ_KEYWORD = /^(source\w*|src\w*|input\w*|data_dir|data_path|instance_data_dir|train_data\w*|root|directory|path|filepath)$/i;
/** Calls that only look at a path, or are not about files. */
const NOT_IO = /^(os\.path\.\w+|sys\.path\.\w+|print|str|repr|format|os\.environ\.\w+|os\.getenv|os\.chdir|os\.putenv|logging\.\w+|pathlib\.(Pure|Posix|Windows)?Path|os\.path|subprocess\.\w+|os\.system|re\.\w+|warnings\.\w+)$/;

function kindOfPath(p: string): 'home' | 'tmp' | 'other' | undefined {
  if (!isAbsoluteLocal(p)) return undefined;
  if (HOME_PATH.test(p)) return 'home';
  if (PLATFORM_PATH.test(p)) return undefined;
  if (TMP.test(p)) return 'tmp';
  // `/ping`, `/embeddings`: one segment without an extension is a URL route, not a file.
  if (!/^\/[^/]+\/[^/]/.test(p) && !/\.\w{1,8}$/.test(p)) return undefined;
  return 'other';
}

function isRead(rc: ResolvedCall, arg: ArgFact, dataRead: boolean): boolean {
  if (dataRead) return true;
  const name = rc.call.name;
  if (name === 'open') {
    const mode = rc.call.args.find((a) => a.name === 'mode') ?? rc.call.args.filter((a) => !a.name)[1];
    return !/[wax+]/.test(mode?.str ?? 'r');
  }
  if (READ_NAME.test(name)) return true;
  return !!arg.name && READ_KEYWORD.test(arg.name) && !/^(dest|destination|target|output)/i.test(arg.name);
}

function shown(p: string): string {
  const t = p.replace(new RegExp(UNKNOWN, 'g'), '…');
  return t.length > 80 ? t.slice(0, 77) + '…' : t;
}

/**
 * Whether a unit can produce an absolute path at all: a literal that starts like one, or a `Path.home()` / `expanduser` call.
 * A dotted callee keeps its last segment when qualified (`os.path.expanduser`), so only bare names are qualified.
 */
const unitSeeds = qualifiedMemo((unit, qualify): boolean => {
  for (const s of unit.facts.strings) if (absoluteStart(s.value)) return true;
  for (const c of unit.facts.calls) {
    if (c.callee.includes('.')) {
      if (c.name === 'home' || c.name.endsWith('expanduser')) return true;
      continue;
    }
    const q = qualify(c.callee);
    if (q.endsWith('expanduser') || q.endsWith('.home')) return true;
  }
  return false;
});

/** `^(\/|~|[A-Za-z]:[\\/]|\\\\)` (a path from a root, a home or a drive, or a UNC path) by its first characters. */
export function absoluteStart(s: string): boolean {
  const c = s.charCodeAt(0);
  if (c === 47 /* / */ || c === 126 /* ~ */) return true;
  if (c === 92 /* \ */) return s.charCodeAt(1) === 92;
  if (((c | 32) >= 97 && (c | 32) <= 122) && s.charCodeAt(1) === 58 /* : */) {
    const d = s.charCodeAt(2);
    return d === 92 || d === 47;
  }
  return false;
}

/** One unit's I/O arguments (read only when some unit can produce an absolute path). */
interface UnitPaths {
  io: Array<{ call: CallFact; qualified: string; arg: ArgFact }>;
}

/** Whether an argument can take a path, by its keyword or the callee's name (`isIo` without the qualified name). */
function mayTakePath(arg: ArgFact, ioName: boolean): boolean {
  // Cheap filter first: literals that cannot be a path.
  if (arg.kind === 'integer' || arg.kind === 'float' || arg.kind === 'true' || arg.kind === 'false' || arg.kind === 'none') return false;
  // Keywords say what they take: `output_dir=` is a folder, `predict_route=` is not.
  if (arg.name) return PATH_KEYWORD.test(arg.name) && !/route|url|endpoint|prefix|api|host/i.test(arg.name);
  return ioName;
}

const unitPaths = qualifiedMemo((unit, qualify): UnitPaths => {
  let out: UnitPaths | undefined;
  for (const call of unit.facts.calls) {
    if (call.args.length === 0) continue;
    // Whether the name reads as I/O matters for positional arguments only: tested once, when one comes.
    let ioName: boolean | undefined;
    let q: string | undefined;
    for (const arg of call.args) {
      if (!mayTakePath(arg, arg.name ? false : (ioName ??= IO_NAME.test(call.name)))) continue;
      q ??= qualify(call.callee);
      if (NOT_IO.test(q)) break;
      (out ??= { io: [] }).io.push({ call, qualified: q, arg });
    }
  }
  return out ?? NO_PATHS;
});

const NO_PATHS: UnitPaths = { io: [] };

function checkPython(ctx: RuleContext, program: PythonProgram): void {
  // Every absolute path starts as a literal (or `Path.home()` / `expanduser`): skip programs without one.
  if (!unitSeeds.all(program).some((seed) => seed)) return;
  const units = unitPaths.all(program);
  const resolver = resolverFor(program);
  let reads: Map<PythonUnit, Set<CallFact>> | undefined;
  const reported = new Set<string>();
  units.forEach((u, i) => {
    const unit = program.units[i];
    for (const { call, qualified, arg } of u.io) {
      const rc: ResolvedCall = { unit, call, qualified };
      const v: ResolvedValue = resolver.resolveArg(rc.unit, arg);
      const p = v.text.trim();
      const kind = kindOfPath(p);
      if (!kind) continue;
      if (kind === 'tmp') {
        if (!reads) {
          reads = new Map();
          for (const r of dataReads(program)) {
            let set = reads.get(r.rc.unit);
            if (!set) reads.set(r.rc.unit, (set = new Set()));
            set.add(r.rc.call);
          }
        }
        if (!isRead(rc, arg, reads.get(unit)?.has(call) ?? false)) continue;
      }
      const key = v.origin ? `o${v.origin.unit.cell ?? -1}:${v.origin.span.start}:${rc.call.name}` : `a${rc.unit.cell ?? -1}:${arg.valueSpan.start}`;
      if (reported.has(key)) continue;
      reported.add(key);
      const related: RelatedInformation[] = [];
      if (v.origin) related.push({ location: unitLocation(v.origin.unit, v.origin.span), message: `The path is set here (\`${v.origin.name}\`).` });
      ctx.report({
        messageId: kind === 'tmp' ? 'tmpRead' : 'absolute',
        data: { path: shown(p), call: rc.call.callee },
        location: unitLocation(rc.unit, arg.valueSpan),
        related,
      });
    }
  });
}

/** YAML kinds whose paths live inside containers, not on a developer's machine. */
const CONTAINER_KINDS = new Set(['kubernetes', 'kserve', 'seldon', 'argo', 'kfp', 'github-workflow', 'gitlab-ci', 'azureml-deployment', 'azureml-endpoint', 'azureml-environment', 'conda']);
const YAML_PATH_KEY = /(path|paths|dir|directory|file|filepath|filename|location|folder|root|data|dataset|input|output|uri)s?$/i;

function checkYaml(ctx: RuleContext): void {
  const file = ctx.yaml;
  if (!file || (ctx.configKind && CONTAINER_KINDS.has(ctx.configKind))) return;
  const seen = new Set<unknown>();
  const report = (node: Parameters<typeof nodeRange>[1], value: string): void => {
    if (seen.has(node)) return;
    seen.add(node);
    ctx.report({ messageId: 'absolute', data: { path: shown(value), call: 'this setting' }, location: { range: nodeRange(file, node) } });
  };
  // Data references whose paths are on the machine that runs the pipeline.
  for (const ref of yamlDataRefs(file, ctx.configKind)) {
    const k = kindOfPath(ref.value.trim());
    if (k === 'home' || k === 'other') report(ref.node, ref.value);
  }
  const root = file.docs[0]?.contents;
  if (ctx.configKind === 'dvc-pipeline' && isMap(root)) {
    const stages = root.get('stages', true);
    if (isMap(stages)) {
      for (const st of stages.items) {
        if (!isMap(st.value)) continue;
        for (const key of ['deps', 'outs', 'metrics', 'plots']) {
          const list = st.value.get(key, true);
          if (!isSeq(list)) continue;
          for (const it of list.items) {
            const node = isMap(it) ? it.items[0]?.key : it;
            if (isScalar(node) && typeof node.value === 'string') {
              const k = kindOfPath(node.value);
              if (k === 'home' || k === 'other') report(node, node.value);
            }
          }
        }
      }
    }
  }
  // Any path-like setting under a user's home directory.
  for (const d of file.docs) {
    for (const s of walkScalars(d.contents)) {
      const key = String(s.path[s.path.length - 1] ?? '');
      const parentKey = String(s.path[s.path.length - 2] ?? '');
      if (typeof s.path[s.path.length - 1] === 'number' ? !YAML_PATH_KEY.test(parentKey) : !YAML_PATH_KEY.test(key)) continue;
      if (/mount|route|probe|url|endpoint/i.test(key + ' ' + parentKey)) continue;
      if (kindOfPath(s.value.trim()) === 'home') report(s.node, s.value);
    }
  }
}

export default defineRule({
  meta: {
    id: 'absolute-data-path',
    area: 'data',
    defaultSeverity: 'warning',
    recommended: true,
    targets: ['notebook', 'python', 'yaml'],
    fixedId: true,
    messages: {
      absolute:
        '{{path}} is an absolute path on one machine, used by `{{call}}`: the code breaks (or silently reads other data) anywhere else. Use a path relative to the repository, or take it from a parameter or config file.',
      tmpRead:
        '`{{call}}` reads data from {{path}}, a temporary folder on one machine: the data is gone after a restart and nobody else has it. Keep inputs in the repository (tracked with DVC) or in versioned storage.',
    },
    docs: {
      summary: 'Data or models are read or written through an absolute or home-relative local path.',
      whatItDoes:
        'Finds file and folder paths such as `/home/<user>/...`, `/Users/<user>/...`, `~/...`, `C:\\...` and other absolute local paths that reach a read or a write (`pd.read_*`, `open`, `to_csv`, `save`, `torch.save`, `os.listdir`, `from_pretrained`, keyword arguments like `output_dir=`), directly or through a variable, `os.path.join` or an f-string. In YAML it checks Kedro catalog paths, Azure ML job inputs, `dvc.yaml` deps/outs, and any path-like setting under a home directory. Paths a platform defines are allowed: `/opt/ml/...` (SageMaker), `/mnt/azureml`, `/dbfs`, `/workspace`, `/models`, `/gcs/`, Colab\'s `/content`, Kaggle\'s `/kaggle`; `/tmp` is allowed as a scratch output but reported when data is read from it.',
      whyIsThisBad:
        'An absolute path ties the notebook or pipeline to one machine and one user: it fails on a colleague\'s laptop, in CI and in the cloud, or worse, finds a different file of the same name. It also hides the data dependency from version control.',
      example: { language: 'python', code: 'import pandas as pd\n\ndf = pd.read_csv("/home/alice/projects/churn/data/train.csv")\n' },
      useInstead: { language: 'python', code: 'from pathlib import Path\n\nimport pandas as pd\n\nDATA = Path(__file__).parent / "data"\ndf = pd.read_csv(DATA / "train.csv")\n' },
      fixSafety: 'No automatic fix: the right relative location depends on the repository layout; move the data under the repository (and track it) or read the path from a parameter.',
      notebookBehavior: 'Variables assigned in earlier cells are followed, so `DATA_DIR = "/home/me/data"` in one cell and `pd.read_csv(f"{DATA_DIR}/x.csv")` in another is reported at the read, with the assignment as related information.',
      references: [
        'Breck et al. 2017, The ML Test Score: Infra 1 (training is reproducible)',
        'pynblint (planned check for absolute paths): https://github.com/collab-uniba/pynblint',
        'Kedro data catalog: https://docs.kedro.org/en/stable/data/data_catalog.html',
      ],
    },
  },
  check(ctx) {
    if (ctx.target === 'yaml') checkYaml(ctx);
    else if (ctx.python) checkPython(ctx, ctx.python);
  },
});
