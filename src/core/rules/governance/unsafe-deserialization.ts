import type { PythonUnit, ResolvedCall } from '../../parse/program';
import type { ArgFact, CallFact } from '../../parse/python';
import { defineRule, type ReportDescriptor } from '../../rule';
import type { Fix, Location } from '../../types';
import { normalizeLocal, resolverFor } from '../lib/data-io';
import { fileArgument } from '../lib/dataflow';
import { codeView, programIndex, type CodeView, type ProgramIndex } from '../lib/training';
import { classifiedCalls } from '../lib/value-resolver';

/** Calls that unpickle whatever their input holds. */
const PICKLE_LOAD =
  /^((c?[Pp]ickle|_pickle|pickle5|dill|cloudpickle|joblib|sklearn\.externals\.joblib|compress_pickle)\.(load|loads)|(pickle|cPickle|_pickle|dill|cloudpickle)\.Unpickler|pandas\.read_pickle|jsonpickle\.(decode|loads)|shelve\.open)$/;
const TORCH_LOAD = /^torch\.load$/;
const NUMPY_LOAD = /^numpy\.load$/;
const YAML_LOAD = /^(yaml|ruamel\.yaml)\.(load|load_all)$/;
const YAML_UNSAFE = /^yaml\.(unsafe_load|unsafe_load_all)$/;
/** Loaders that only build plain data (FullLoader no longer runs code since PyYAML 5.4). */
const SAFE_LOADER = /(^|\.)(C?SafeLoader|BaseLoader|C?FullLoader)$/;

/** Serializer writes: where this program itself produces a file it later loads. */
const SERIALIZER_WRITE: Array<[RegExp, number]> = [
  [/^(c?[Pp]ickle|_pickle|dill|cloudpickle|joblib|sklearn\.externals\.joblib|torch|yaml|compress_pickle)\.(dump|save)$/, 1],
  [/^numpy\.(save|savez|savez_compressed)$/, 0],
];

type Kind = 'pickle' | 'torch' | 'torchExplicit' | 'numpy' | 'yaml' | 'yamlLoader';

/** A call and its qualified callee (what a unit's summary holds; resolved in a program when reported). */
interface QualifiedCall {
  call: CallFact;
  qualified: string;
}

function keyword(rc: QualifiedCall, name: string): ArgFact | undefined {
  return rc.call.args.find((a) => a.name === name);
}

function positional(rc: QualifiedCall): ArgFact[] {
  return rc.call.args.filter((a) => a.name === undefined && !a.text.startsWith('*'));
}

function shorten(text: string): string {
  const one = text.replace(/\s+/g, ' ').trim();
  return one.length > 50 ? one.slice(0, 49) + '…' : one;
}

interface Site {
  rc: QualifiedCall;
  kind: Kind;
  /** Where the finding goes (the callee, or the offending keyword argument). */
  at: ArgFact | undefined;
  /** The argument naming what is loaded. */
  input?: ArgFact;
  loader?: ArgFact;
}

function classify(rc: QualifiedCall): Site | undefined {
  const q = rc.qualified;
  const first = positional(rc)[0];
  if (PICKLE_LOAD.test(q)) {
    const input = first ?? rc.call.args.find((a) => /^(file|filename|filepath_or_buffer|path|data|s|obj)$/.test(a.name ?? ''));
    // `pickle.loads(pickle.dumps(x))`: a deep copy of an object already in memory.
    if (input && /\bdumps\s*\(/.test(input.text)) return undefined;
    return { rc, kind: 'pickle', at: undefined, input };
  }
  if (TORCH_LOAD.test(q)) {
    const w = keyword(rc, 'weights_only');
    if (!w) return { rc, kind: 'torch', at: undefined, input: first ?? keyword(rc, 'f') };
    if (w.text === 'False') return { rc, kind: 'torchExplicit', at: w, input: first ?? keyword(rc, 'f') };
    return undefined;
  }
  if (NUMPY_LOAD.test(q)) {
    const a = keyword(rc, 'allow_pickle');
    return a && a.text === 'True' ? { rc, kind: 'numpy', at: a, input: first ?? keyword(rc, 'file') } : undefined;
  }
  if (YAML_UNSAFE.test(q)) return { rc, kind: 'yamlLoader', at: undefined, input: first ?? keyword(rc, 'stream') };
  if (YAML_LOAD.test(q)) {
    if (q.startsWith('ruamel')) return undefined; // ruamel's own API; its load is round-trip safe by default
    const loader = keyword(rc, 'Loader') ?? positional(rc)[1];
    const input = first ?? keyword(rc, 'stream');
    if (!loader) return { rc, kind: 'yaml', at: undefined, input };
    if (SAFE_LOADER.test(loader.text)) return undefined;
    // A loader held in a variable or built elsewhere: its kind is unknown.
    if (!/(^|\.)(C?UnsafeLoader|C?Loader)$/.test(loader.text)) return undefined;
    return { rc, kind: 'yamlLoader', at: loader, input, loader };
  }
  return undefined;
}

/** Last segments of the callees `classify` takes, when dotted (a dotted callee keeps its last segment when qualified). */
const LOAD_NAMES = new Set(['load', 'loads', 'Unpickler', 'read_pickle', 'decode', 'open', 'load_all', 'unsafe_load', 'unsafe_load_all']);
/** The same for serializer writes. */
const WRITE_NAMES = new Set(['dump', 'save', 'savez', 'savez_compressed', 'to_pickle']);

/** The loads of each unit that `classify` reports (cached across runs). */
const unitSites = classifiedCalls(LOAD_NAMES, (rc) => classify(rc));

/** Serializer writes of each unit, with the index of their path argument. */
const unitWrites = classifiedCalls(WRITE_NAMES, ({ call, qualified }) => {
  let idx = -1;
  for (const [re, i] of SERIALIZER_WRITE) if (re.test(qualified)) idx = i;
  if (idx < 0 && call.name === 'to_pickle') idx = 0;
  return idx >= 0 ? { call, qualified, idx } : undefined;
});

/** Normalised literal paths this program writes with a serializer, with where. */
function writtenPaths(view: CodeView, index: ProgramIndex): Array<{ path: string; unit: PythonUnit; offset: number }> {
  const resolver = resolverFor(view.program);
  const out: Array<{ path: string; unit: PythonUnit; offset: number }> = [];
  unitWrites.all(view.program).forEach((writes, u) => {
    for (const w of writes) {
      const rc = index.resolvedCall(view.program.units[u], w.call, w.qualified);
      const arg = fileArgument(rc, positional(rc)[w.idx] ?? rc.call.args.find((a) => /^(file|f|filename|path)$/.test(a.name ?? '')));
      const v = arg ? resolver.resolveArg(rc.unit, arg) : undefined;
      if (v?.complete) out.push({ path: normalizeLocal(v.text), unit: rc.unit, offset: rc.call.span.start });
    }
  });
  return out;
}

function fixesFor(site: Site, unit: PythonUnit): Fix[] {
  const { rc, kind } = site;
  const edit = (start: number, end: number, newText: string): { cell?: number; range: Location['range']; newText: string } => ({
    cell: unit.cell,
    range: unit.lines.rangeOf(start, end),
    newText,
  });
  if (kind === 'torch') {
    const last = rc.call.args[rc.call.args.length - 1];
    if (!last) return [];
    return [{ title: 'Load with weights_only=True', safety: 'unsafe', edits: [edit(last.span.end, last.span.end, ', weights_only=True')] }];
  }
  if (kind === 'torchExplicit' && site.at) {
    return [{ title: 'Load with weights_only=True', safety: 'unsafe', edits: [edit(site.at.valueSpan.start, site.at.valueSpan.end, 'True')] }];
  }
  if (kind === 'yaml' || kind === 'yamlLoader') {
    const callee = rc.call.callee;
    const dot = callee.lastIndexOf('.');
    if (dot < 0 || !/^[A-Za-z_][\w.]*$/.test(callee)) return []; // `from yaml import load`: the import would change too
    const name = rc.call.name.replace(/^unsafe_/, '');
    const safe = name === 'load_all' ? 'safe_load_all' : 'safe_load';
    const calleeEdit = edit(rc.call.calleeSpan.end - rc.call.name.length, rc.call.calleeSpan.end, safe);
    if (kind === 'yaml') return [{ title: `Use yaml.${safe}`, safety: 'safe', edits: [calleeEdit] }];
    const args = rc.call.args;
    const li = site.loader ? args.indexOf(site.loader) : -1;
    const edits = [calleeEdit];
    if (li > 0) edits.push(edit(args[li - 1].span.end, args[li].span.end, ''));
    return [{ title: `Use yaml.${safe}`, safety: 'unsafe', edits }];
  }
  return [];
}

export default defineRule({
  meta: {
    id: 'unsafe-deserialization',
    area: 'governance',
    defaultSeverity: 'warning',
    recommended: true,
    targets: ['notebook', 'python'],
    messages: {
      pickle:
        '`{{call}}` unpickles {{source}}: loading a pickle runs whatever code the file holds, so a tampered or untrusted file takes over the process. Load only files you produced and can verify, or store the model in a format that holds data only (skops, ONNX, safetensors).',
      torch:
        '`torch.load` without `weights_only=True` unpickles {{source}} in full (the default before PyTorch 2.6): a tampered checkpoint runs code as it loads. Save a state_dict and load it with `weights_only=True`.',
      torchExplicit:
        '`weights_only=False` makes `torch.load` unpickle {{source}} in full: a tampered checkpoint runs code as it loads. Save a state_dict and load it with `weights_only=True`.',
      numpy:
        '`allow_pickle=True` lets `np.load` unpickle object arrays from {{source}}: a tampered file runs code as it loads. Store plain numeric arrays and keep the default `allow_pickle=False`.',
      yaml: '`{{call}}` without a safe Loader can build arbitrary Python objects from {{source}} (and PyYAML 6 rejects the call). Use `yaml.safe_load`.',
      yamlLoader: '`{{call}}` with an unsafe loader builds arbitrary Python objects from {{source}}: a tampered file runs code as it loads. Use `yaml.safe_load`.',
    },
    docs: {
      summary: 'A pickle-based loader (pickle, joblib, torch.load without weights_only, yaml.load, ...) reads a file.',
      whatItDoes:
        'Reports calls that unpickle their input: `pickle.load`/`loads` (and `cPickle`, `dill`, `cloudpickle`, `shelve`, `jsonpickle`), `joblib.load`, `pandas.read_pickle`, `torch.load` without `weights_only=True` (or with `weights_only=False`), `numpy.load(..., allow_pickle=True)`, and `yaml.load` / `yaml.load_all` without a safe loader (`SafeLoader`, `CSafeLoader`, `BaseLoader`, `FullLoader`) or with `Loader=yaml.Loader` / `UnsafeLoader`, and `yaml.unsafe_load`. A file the same notebook or script wrote earlier with a serializer (`joblib.dump(model, "model.pkl")` then `joblib.load("model.pkl")`) is its own output and is not reported, nor is `pickle.loads(pickle.dumps(x))` (a deep copy). Scripts written with `%%writefile` are checked too.',
      whyIsThisBad:
        'Unpickling executes code chosen by whoever wrote the file: a model or checkpoint downloaded from a hub, copied from a shared drive or swapped in a bucket takes over the notebook kernel, the training job or the serving container, with its credentials. Model files are an attack vector in the wild (malicious pickles on model hubs), and a registry or pipeline that loads them inherits the risk. Formats that hold only data (safetensors, ONNX, skops with trusted types, JSON / Parquet for data) remove it.',
      example: {
        language: 'python',
        code: 'import torch\nimport joblib\n\nstate = torch.load("checkpoints/best.pt")\nencoder = joblib.load("artifacts/encoder.joblib")\n',
      },
      useInstead: {
        language: 'python',
        code: 'import torch\nimport skops.io as sio\n\nstate = torch.load("checkpoints/best.pt", weights_only=True)\nencoder = sio.load("artifacts/encoder.skops", trusted=["sklearn.preprocessing.OneHotEncoder"])\n',
      },
      fixSafety:
        '`torch.load`: the fix adds `weights_only=True` (or turns `weights_only=False` into `True`); it is unsafe because loading a whole pickled model object, rather than a state_dict, then fails. `yaml.load(stream)` with no Loader: replacing it with `yaml.safe_load(stream)` is a safe fix, since plain YAML loads the same and PyYAML 6 rejects a `load` without Loader anyway; with an explicit unsafe Loader the same replacement is unsafe (the document may rely on Python tags). `from yaml import load` gets no fix (the import would have to change). Pickle, joblib, pandas and numpy loads have no automatic fix: the file has to be saved in another format first.',
      notebookBehavior: 'Every code cell is read, and so is the body of `%%writefile` cells (serving and training scripts). A file is "its own output" when an earlier cell wrote it with a serializer under the same literal path.',
      references: [
        'Breck et al. 2017, The ML Test Score (Data 5 / governance of model artifacts)',
        'Python docs, pickle: "The pickle module is not secure": https://docs.python.org/3/library/pickle.html',
        'PyTorch torch.load weights_only: https://pytorch.org/docs/stable/generated/torch.load.html',
        'PyYAML load deprecation: https://github.com/yaml/pyyaml/wiki/PyYAML-yaml.load(input)-Deprecation',
        'Sonar S6985, Ruff S301 / S506 (suspicious-pickle-usage, unsafe-yaml-load)',
        'scikit-learn model persistence and skops: https://scikit-learn.org/stable/model_persistence.html',
      ],
    },
  },
  check(ctx) {
    const view = codeView(ctx);
    if (!view) return;
    const program = view.program;
    const unitSiteLists = unitSites.all(program);
    if (!unitSiteLists.some((l) => l.length > 0)) return;
    const index = programIndex(program);
    const sites: Array<{ site: Site; rc: ResolvedCall }> = [];
    unitSiteLists.forEach((list, u) => {
      for (const site of list) sites.push({ site, rc: index.resolvedCall(program.units[u], site.rc.call, site.rc.qualified) });
    });
    const resolver = resolverFor(program);
    const written = sites.some((s) => s.site.input) ? writtenPaths(view, index) : [];
    const order = new Map(program.units.map((u, i) => [u, i]));
    // A `%%writefile` script runs elsewhere (a container, a job): files the notebook wrote are not its own.
    const main = new Set(ctx.python?.units ?? []);
    const context = (u: PythonUnit): unknown => (main.has(u) ? main : u);
    for (const { site, rc } of sites) {
      const file = fileArgument(rc, site.input);
      const value = file ? resolver.resolveArg(rc.unit, file) : undefined;
      if (value?.complete) {
        const path = normalizeLocal(value.text);
        const ui = order.get(rc.unit) ?? 0;
        const own = written.some(
          (w) => w.path === path && context(w.unit) === context(rc.unit) && ((order.get(w.unit) ?? 0) < ui || (w.unit === rc.unit && w.offset < rc.call.span.start)),
        );
        if (own) continue;
      }
      const source = value?.complete ? `"${shorten(value.text)}"` : file ? `\`${shorten(file.text)}\`` : 'its input';
      const span = site.at ? site.at.span : rc.call.calleeSpan;
      const d: ReportDescriptor = {
        messageId: site.kind,
        data: { call: `${rc.call.callee}`, source },
        location: view.locate(rc.unit, span),
      };
      const fixes = ctx.yaml ? [] : fixesFor(site, rc.unit);
      if (fixes.length) d.fixes = fixes;
      ctx.report(d);
    }
  },
});
