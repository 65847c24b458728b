import { parse as parseYamlValue } from 'yaml';
import { unitLocation } from '../../parse/program';
import { nodeRange } from '../../parse/yaml';
import { defineRule, type RuleContext } from '../../rule';
import type { Location, RelatedInformation } from '../../types';
import { dirname, joinPath } from '../../workspace/fs';
import type { DvcStage } from '../../workspace/workspace-index';
import type { PythonProgram } from '../../parse/program';
import { argument, dataReads, isAbsoluteLocal, isConfigFile, isRemotePath, normalizeLocal, producedPaths, qualifiedMemo, resolverFor, UNKNOWN, yamlDataRefs, type DataRead } from '../lib/data-io';
import type { ArgFact, CallFact } from '../../parse/python';

/** Layers of the Kedro data convention that the pipeline itself writes (02_intermediate ... 08_reporting). */
const KEDRO_PRODUCED_LAYER = /(^|\/)0[2-8]_[a-z_]+\//;

/** `data/*.csv` -> `data`: the folder a glob reads from. */
function globBase(p: string): string {
  const i = p.search(/[*?[{]/);
  if (i < 0) return p;
  return p.slice(0, i).replace(/\/[^/]*$/, '');
}

/**
 * Workspace-relative places a relative path may mean: from the file's folder (a
 * notebook's working directory) and from the root (where scripts usually run).
 * The likelier one comes first: one that exists, else the folder for notebooks
 * and folder-relative helpers, the root for scripts.
 */
function candidates(ctx: RuleContext, p: string, fileFirst: boolean): string[] {
  const fromFile = joinPath(dirname(ctx.file), p);
  const fromRoot = joinPath(p);
  const order = fileFirst ? [fromFile, fromRoot] : [fromRoot, fromFile];
  const out: string[] = [];
  for (const c of order) if (c && !c.startsWith('..') && !out.includes(c)) out.push(c);
  const existing = out.findIndex((c) => ctx.workspace.exists(c));
  if (existing > 0) out.unshift(...out.splice(existing, 1));
  return out;
}

/** dvc.yaml entries with `${...}` templates, filled from the stage's params.yaml. */
async function templatedEntries(ctx: RuleContext): Promise<Array<{ path: string; by: string }>> {
  const out: Array<{ path: string; by: string }> = [];
  const stages = ctx.workspace.dvcStages().filter((s) => [...s.deps, ...s.outs].some((p) => p.includes('${')));
  const params = new Map<string, unknown>();
  for (const s of stages) {
    const dir = dirname(s.file);
    if (!params.has(dir)) {
      const text = await ctx.workspace.fs.readFile(joinPath(dir, 'params.yaml'));
      let v: unknown;
      try {
        v = text === undefined ? undefined : parseYamlValue(text);
      } catch {
        v = undefined;
      }
      params.set(dir, v);
    }
    const vars = params.get(dir);
    const fill = (p: string): string | undefined => {
      const r = p.replace(/\$\{\s*([\w.-]+)\s*\}/g, (_, key: string) => {
        let cur: unknown = vars;
        for (const k of key.split('.')) cur = cur && typeof cur === 'object' ? (cur as Record<string, unknown>)[k] : undefined;
        return typeof cur === 'string' || typeof cur === 'number' ? String(cur) : UNKNOWN;
      });
      return r.includes(UNKNOWN) ? undefined : joinPath(r);
    };
    const add = (list: string[], what: string, st: DvcStage): void => {
      for (const p of list) {
        if (!p.includes('${')) continue;
        const f = fill(p);
        if (f) out.push({ path: f, by: `${st.file} stage ${st.name} (${what})` });
      }
    };
    add(s.deps, 'deps', s);
    add(s.outs, 'outs', s);
  }
  return out;
}

interface Tracker {
  tracked(paths: string[]): Promise<boolean>;
}

function tracker(ctx: RuleContext): Tracker {
  let templated: Promise<Array<{ path: string; by: string }>> | undefined;
  return {
    async tracked(paths) {
      if (paths.some((p) => ctx.workspace.trackingOf(p).tracked)) return true;
      templated ??= templatedEntries(ctx);
      const extra = await templated;
      return paths.some((p) => extra.some((e) => p === e.path || p.startsWith(e.path + '/')));
    },
  };
}

function related(ctx: RuleContext, location: Location, target: string): RelatedInformation[] {
  const out: RelatedInformation[] = [{ location, message: `Run \`dvc add ${target}\` to create ${target}.dvc (or track it with Git LFS).` }];
  const stage = ctx.workspace.dvcStages()[0];
  if (stage) out.push({ file: stage.file, location: { range: { start: { line: 0, character: 0 }, end: { line: 0, character: 0 } } }, message: `Or list ${target} under \`deps:\` of a stage in ${stage.file}.` });
  return out;
}

/** Test modules read fixtures, not training data. */
const TEST_FILE = /(^|\/)(tests?|testing)\/|(^|\/)(test_[^/]*|[^/]*_test|conftest)\.py$/;

/** Azure ML `Input(path="./data")`: a local folder uploaded for a job. */
const unitAzuremlInputs = qualifiedMemo((unit, qualify): Array<{ call: CallFact; qualified: string; arg: ArgFact }> => {
  const out: Array<{ call: CallFact; qualified: string; arg: ArgFact }> = [];
  for (const call of unit.facts.calls) {
    const q = qualify(call.callee);
    if (!/^azure\.ai\.ml\.(Input|dsl\.Input)$/.test(q)) continue;
    const rc = { unit, call, qualified: q };
    const arg = argument(rc, 99, 'path');
    if (!arg || /model/i.test(argument(rc, 99, 'type')?.text ?? '')) continue;
    out.push({ call, qualified: q, arg });
  }
  return out.length ? out : NO_INPUTS;
});

const NO_INPUTS: Array<{ call: CallFact; qualified: string; arg: ArgFact }> = [];

function azuremlLocalInputs(program: PythonProgram): DataRead[] {
  const out: DataRead[] = [];
  unitAzuremlInputs.all(program).forEach((inputs, i) => {
    const unit = program.units[i];
    for (const { call, qualified, arg } of inputs) {
      out.push({ rc: { unit, call, qualified }, pathArg: arg, path: arg.str, value: resolverFor(program).resolveArg(unit, arg) });
    }
  });
  return out;
}

async function checkPython(ctx: RuleContext): Promise<void> {
  const program = ctx.python;
  if (!program || TEST_FILE.test(ctx.file)) return;
  const reads = [...dataReads(program), ...azuremlLocalInputs(program)];
  if (!reads.length) return;
  let produced: Set<string> | undefined;
  const track = tracker(ctx);
  const reported = new Set<string>();
  for (const read of reads) {
    const v = read.value;
    if (!v || !v.complete || v.text === '') continue;
    const raw = v.text.trim();
    if (isRemotePath(raw) || isAbsoluteLocal(raw) || /^[a-z][a-z0-9+.-]*:/i.test(raw) || /[$<>]|\{\{/.test(raw)) continue;
    const p = normalizeLocal(globBase(raw));
    if (p === '.' || p === '' || p === '__file__' || isConfigFile(p)) continue;
    produced ??= producedPaths(program);
    if ([...produced].some((w) => w !== '.' && (p === w || p.startsWith(w + '/')))) continue;
    const places = candidates(ctx, p, ctx.target === 'notebook' || !!v.approx);
    if (!places.length) {
      // Above the workspace root: nothing in the repository can track it.
      const key = `..:${p}`;
      if (reported.has(key)) continue;
      reported.add(key);
      const arg = read.pathArg;
      ctx.report({ messageId: 'outside', data: { path: p, call: read.rc.call.callee }, location: unitLocation(read.rc.unit, arg ? arg.valueSpan : read.rc.call.span) });
      continue;
    }
    if (await track.tracked(places)) continue;
    if (reported.has(places[0])) continue;
    reported.add(places[0]);
    const arg = read.pathArg;
    const location = unitLocation(read.rc.unit, arg ? arg.valueSpan : read.rc.call.span);
    const rel = related(ctx, location, places[0]);
    if (v.origin) rel.unshift({ location: unitLocation(v.origin.unit, v.origin.span), message: `The path is set here (\`${v.origin.name}\`).` });
    ctx.report({ messageId: 'untracked', data: { path: p, call: read.rc.call.callee, target: places[0] }, location, related: rel });
  }
}

async function checkYaml(ctx: RuleContext): Promise<void> {
  const file = ctx.yaml;
  if (!file) return;
  const refs = yamlDataRefs(file, ctx.configKind);
  if (!refs.length) return;
  const track = tracker(ctx);
  for (const ref of refs) {
    const raw = ref.value.trim();
    if (!raw || isRemotePath(raw) || isAbsoluteLocal(raw) || /^[a-z][a-z0-9+.-]*:/i.test(raw) || /[$<>]|\{\{/.test(raw) || (ref.source !== 'kedro-catalog' && isConfigFile(raw))) continue;
    let places: string[];
    if (ref.source === 'kedro-catalog') {
      if (ref.versioned || KEDRO_PRODUCED_LAYER.test(raw)) continue;
      // Catalog paths are relative to the Kedro project root, the folder holding conf/.
      const m = /^(.*?)(^|\/)conf\//.exec(ctx.file);
      const root = m ? m[1] : dirname(ctx.file);
      places = [joinPath(root, globBase(raw))].filter((x) => !x.startsWith('..'));
    } else {
      // Azure ML resolves local paths from the YAML file's folder.
      places = candidates(ctx, globBase(raw), true).slice(0, 1);
    }
    if (!places.length || (await track.tracked(places))) continue;
    const location = { range: nodeRange(file, ref.node) };
    const messageId = ref.source === 'kedro-catalog' ? 'kedro' : 'azureml';
    ctx.report({ messageId, data: { path: raw, name: ref.name, target: places[0] }, location, related: related(ctx, location, places[0]) });
  }
}

export default defineRule({
  meta: {
    id: 'untracked-data-read',
    area: 'data',
    defaultSeverity: 'warning',
    recommended: true,
    targets: ['notebook', 'python', 'yaml'],
    fixedId: true,
    messages: {
      untracked:
        '`{{call}}` reads {{path}}, which no DVC sidecar, dvc.yaml stage or Git LFS pattern tracks: nobody can tell which version of the data a result came from. Track it (`dvc add {{target}}`) or declare it in a dvc.yaml stage.',
      outside:
        '`{{call}}` reads {{path}}, outside the repository: no data version control of this project can track it, and nobody else has the file. Move the data into the repository and track it (`dvc add`), or import it from its source (`dvc import` / `dvc import-url`).',
      azureml:
        'Job input `{{name}}` uploads the local folder/file {{path}}, which no DVC sidecar or Git LFS pattern tracks. Track it (`dvc add {{target}}`) or register it as a data asset and use `azureml:<name>:<version>`.',
      kedro:
        'Catalog entry `{{name}}` reads {{path}}, which is neither `versioned: true` nor tracked by DVC or Git LFS. Track it (`dvc add {{target}}`) or version the dataset.',
    },
    docs: {
      summary: 'A local data file is read that no data version control (DVC, Git LFS) tracks.',
      whatItDoes:
        'Finds local data reads - `pd.read_*`, `np.load`, `polars`/`pyarrow`/`dask` readers, `open()` of data files, `datasets.load_from_disk`, `load_dataset("csv", data_files=...)`, Spark readers, `tf.data` readers, Metaflow `IncludeFile`, Azure ML job inputs with local paths (SDK `Input(path=...)` and job YAML), Kedro catalog `filepath`s of raw data - and checks the workspace: the read is fine when a `<file>.dvc` sidecar or a tracked folder covers it, when a `dvc.yaml` stage lists it in `deps`/`outs`, or when a Git LFS pattern in `.gitattributes` matches it. Paths are resolved from string literals and simple assignments (`DATA = "data"`, `os.path.join(DATA, "train.csv")`, `Path(...) / "x.csv"`, f-strings), relative to the file\'s folder (a notebook\'s working directory) and to the workspace root. Files the same notebook or script writes or downloads first are not reported (the download is `unpinned-remote-data`\'s job); a file above the workspace root is reported as untrackable; test modules are skipped.',
      whyIsThisBad:
        'A file that lives only in somebody\'s working copy, or in Git without a content hash, silently changes: a colleague, a CI job or you in three months will train on different data and get different results without any way to tell which data produced which model (Sculley et al.: unstable data dependencies).',
      example: { language: 'python', code: 'import pandas as pd\n\ndf = pd.read_csv("data/train.csv")\n' },
      useInstead: {
        language: 'python',
        code: '# data/train.csv is tracked: `dvc add data/train.csv` created data/train.csv.dvc\nimport pandas as pd\nimport dvc.api\n\nwith dvc.api.open("data/train.csv", rev="v1.0") as f:\n    df = pd.read_csv(f)\n',
      },
      fixSafety: 'No automatic fix: tracking data means running `dvc add` (or `git lfs track`) and committing the sidecar; the related information says which command.',
      notebookBehavior: 'Paths are resolved relative to the notebook\'s folder (Jupyter\'s working directory) and to the workspace root; a read is tracked when either is.',
      references: [
        'Breck et al. 2017, The ML Test Score: Infra 1 (training is reproducible)',
        'Sculley et al. 2015, Hidden Technical Debt in ML Systems: unstable data dependencies',
        'DVC: https://dvc.org/doc/command-reference/add',
        'Git LFS: https://git-lfs.com/',
        'Kedro dataset versioning: https://docs.kedro.org/en/stable/data/data_catalog.html',
      ],
    },
  },
  async check(ctx) {
    if (ctx.target === 'yaml') await checkYaml(ctx);
    else await checkPython(ctx);
  },
});
