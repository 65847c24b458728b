import { unitLocation } from '../../parse/program';
import type { Node as YamlNode } from 'yaml';
import { nodeRange } from '../../parse/yaml';
import { defineRule, type RuleContext, type RuleDocs } from '../../rule';
import type { Fix, Location, RelatedInformation } from '../../types';
import { basename, joinPath } from '../../workspace/fs';
import type { StageScript } from '../../workspace/workspace-index';
import { isConfigFile } from '../lib/data-io';
import {
  appendToList,
  cmdWordRange,
  coveredBy,
  interpolate,
  listEntries,
  localModuleFiles,
  otherStages,
  relativeTo,
  scriptCwds,
  scriptFacts,
  stagePair,
  stagePaths,
  yamlStages,
  type StageGraphNode,
  type YamlStage,
} from '../lib/dvc';

interface Missing {
  /** Workspace-relative path. */
  path: string;
  why: string;
  related?: RelatedInformation;
  /** Another stage's output: the stage would also run in the wrong order. */
  producer?: string;
}

const MAX_LISTED = 4;

function listText(missing: Missing[]): string {
  const shown = missing.slice(0, MAX_LISTED).map((m) => `${m.path} (${m.why})`);
  if (missing.length > MAX_LISTED) shown.push(`${missing.length - MAX_LISTED} more`);
  return shown.join(', ');
}

/** Path-like words of a command that are not the scripts it runs (`--data data/x.csv`, `out=models`). */
function pathArgs(cmd: string, scripts: StageScript[]): string[] {
  const out: string[] = [];
  for (const raw of cmd.split(/\s+/)) {
    let w = raw.replace(/^['"]|['"]$/g, '');
    const eq = w.indexOf('=');
    if (w.startsWith('-') && eq < 0) continue;
    if (eq >= 0) w = w.slice(eq + 1).replace(/^['"]|['"]$/g, '');
    if (!w || w.startsWith('-') || /[$*?{}<>|;&]|:\/\//.test(w) || scripts.some((s) => s.target === w)) continue;
    if (w.includes('/') || /[\w-]\.[A-Za-z][A-Za-z0-9]{0,7}$/.test(w)) out.push(w);
  }
  return out;
}

/** Stages of this file as graph nodes (paths filled from the template vars). */
function graphOf(stages: YamlStage[], file: string, vars: unknown): Map<YamlStage, StageGraphNode> {
  const m = new Map<YamlStage, StageGraphNode>();
  for (const s of stages) {
    const outs = [...stagePaths(s, 'outs', vars), ...stagePaths(s, 'metrics', vars), ...stagePaths(s, 'plots', vars)];
    m.set(s, { name: s.name, file, deps: stagePaths(s, 'deps', vars), outs, hasMetrics: false });
  }
  return m;
}

async function checkStage(ctx: RuleContext, stage: YamlStage, vars: unknown, graph: StageGraphNode[], self: StageGraphNode): Promise<void> {
  const ws = ctx.workspace;
  const yaml = ctx.yaml!;
  // An entry whose template does not resolve could cover anything: leave the stage alone.
  const rawDeps = listEntries(stage, 'deps');
  if (rawDeps.some((e) => interpolate(e.raw, vars) === undefined)) return;
  const cmds = stage.cmds.map((c) => interpolate(c.text, vars) ?? c.text);
  const scripts = ws.resolveScripts(cmds, stage.wdir);
  if (!scripts.length) return;
  const deps = self.deps;
  const outs = self.outs;
  const covered = (p: string): boolean => deps.some((d) => coveredBy(p, d)) || outs.some((o) => coveredBy(p, o));
  const producerOf = (p: string): StageGraphNode | undefined => graph.find((g) => g !== self && g.outs.some((o) => coveredBy(p, o)));
  const missing: Missing[] = [];
  const add = (m: Missing): void => {
    if (m.path.startsWith('..') || missing.some((x) => x.path === m.path)) return;
    m.producer = producerOf(m.path)?.name;
    missing.push(m);
  };
  let scriptMissing: StageScript | undefined;
  for (const sc of scripts) {
    if (!deps.some((d) => coveredBy(sc.path, d))) {
      scriptMissing ??= sc;
      add({ path: sc.path, why: sc.kind === 'notebook' ? 'the notebook it runs' : 'the script it runs' });
    }
  }
  for (const sc of scripts) {
    if (sc.kind !== 'python' && sc.kind !== 'module' && sc.kind !== 'notebook') continue;
    const program = await ws.loadScript(sc.path);
    if (!program) continue;
    const facts = scriptFacts(program);
    const cwds = scriptCwds(sc);
    const name = basename(sc.path);
    for (const r of facts.reads) {
      if (facts.produced.has(r.path)) continue;
      const places = cwds.map((c) => joinPath(c, r.path)).filter((p) => !p.startsWith('..'));
      if (!places.length || places.some(covered) || places.some((p) => isConfigFile(p))) continue;
      // Prefer the place some stage produces or DVC tracks.
      const place = places.find((p) => producerOf(p) || ws.outputOf(p)) ?? places[0];
      add({
        path: place,
        why: `read by ${name}`,
        related: { file: sc.path, location: unitLocation(r.unit, r.span), message: `\`${r.callee}\` reads ${r.path} here.` },
      });
    }
    for (const imp of facts.imports) {
      const file = localModuleFiles(imp, sc.path, sc.cwdPath).find((f) => f !== sc.path && ws.has(f));
      if (!file || covered(file)) continue;
      add({ path: file, why: `imported by ${name}`, related: { file: sc.path, location: unitLocation(imp.unit, imp.span), message: `${name} imports it here.` } });
    }
  }
  stage.cmds.forEach((c, i) => {
    for (const a of pathArgs(cmds[i], scripts)) {
      const p = joinPath(stage.wdir, a);
      if (covered(p) || isConfigFile(p)) continue;
      const by = ws.outputOf(p);
      const producer = producerOf(p);
      // Only paths DVC knows as another stage's output or a tracked file: anything else may be an output.
      if (!producer && (!by || by.includes(` stage ${stage.name} `))) continue;
      add({ path: p, why: 'passed on the command line', related: { location: { range: cmdWordRange(yaml, c.node, a) }, message: `The command passes ${a} here.` } });
    }
  });
  if (!missing.length) return;

  const depsPair = stagePair(stage, 'deps');
  let location: Location;
  if (scriptMissing) location = { range: cmdWordRange(yaml, stage.cmds[scriptMissing.cmdIndex].node, scriptMissing.target) };
  else if (depsPair?.key) location = { range: nodeRange(yaml, depsPair.key as YamlNode) };
  else location = { range: cmdWordRange(yaml, stage.cmds[scripts[0].cmdIndex].node, scripts[0].target) };

  const related: RelatedInformation[] = missing.flatMap((m) => (m.related ? [m.related] : []));
  const producers = [...new Set(missing.map((m) => m.producer).filter((x): x is string => !!x))];
  const many = missing.length > 1;
  const entries = missing.map((m) => relativeTo(stage.wdir, m.path));
  const edits = appendToList(yaml, stage, 'deps', entries);
  // A dep on an output of a stage that itself needs this stage's outputs would make a cycle.
  const cycle = missing.some((m) => {
    const p = graph.find((g) => g !== self && g.name === m.producer);
    return p !== undefined && (downstreamOf(self, graph).has(p));
  });
  const fixes: Fix[] = [];
  if (edits && !cycle) {
    // Safe when every entry exists (or DVC produces/tracks it): DVC then only reruns the stage once.
    const known = missing.every((m) => ws.exists(m.path) || ws.outputOf(m.path) !== undefined || m.producer !== undefined);
    fixes.push({ title: `Add ${entries.join(', ')} to \`deps\` of stage \`${stage.name}\``, safety: known ? 'safe' : 'unsafe', edits });
  }
  ctx.report({
    messageId: scriptMissing ? 'script' : 'files',
    data: {
      stage: stage.name,
      list: listText(missing),
      them: many ? 'them' : 'it',
      change: many ? 'they change' : 'it changes',
      order: producers.length ? ` and may run it before ${producers.map((p) => `\`${p}\``).join(', ')} produces ${many ? 'them' : 'it'}` : '',
    },
    location,
    fixes,
    related,
  });
}

/** Stages that (transitively) read the outputs of `start`. */
function downstreamOf(start: StageGraphNode, all: StageGraphNode[]): Set<StageGraphNode> {
  const seen = new Set<StageGraphNode>();
  let frontier = [start];
  while (frontier.length) {
    const next: StageGraphNode[] = [];
    for (const s of frontier)
      for (const t of all)
        if (!seen.has(t) && t !== start && t.deps.some((d) => s.outs.some((o) => coveredBy(d, o) || coveredBy(o, d)))) {
          seen.add(t);
          next.push(t);
        }
    frontier = next;
  }
  return seen;
}

/** Docs examples carry the script they run (the meta-test lints them with these files). */
type DocsExample = RuleDocs['example'] & { files: Record<string, string> };
const TRAIN_PY = 'import joblib\nimport pandas as pd\nfrom sklearn.linear_model import LogisticRegression\n\ndf = pd.read_csv("data/features.csv")\nmodel = LogisticRegression().fit(df.drop(columns="y"), df["y"])\njoblib.dump(model, "models/model.pkl")\n';
const EXAMPLE: DocsExample = {
  language: 'yaml',
  file: 'dvc.yaml',
  code: 'stages:\n  train:\n    cmd: python src/train.py\n    deps:\n      - data/features.csv\n    outs:\n      - models/model.pkl\n',
  files: { 'src/train.py': TRAIN_PY },
};
const USE_INSTEAD: DocsExample = {
  language: 'yaml',
  file: 'dvc.yaml',
  code: 'stages:\n  train:\n    cmd: python src/train.py\n    deps:\n      - src/train.py\n      - data/features.csv\n    outs:\n      - models/model.pkl\n',
  files: { 'src/train.py': TRAIN_PY },
};

export default defineRule({
  meta: {
    id: 'undeclared-stage-dependency',
    area: 'data',
    defaultSeverity: 'warning',
    recommended: true,
    targets: ['yaml'],
    messages: {
      script:
        'Stage `{{stage}}` depends on {{list}} without listing {{them}} in `deps`: `dvc repro` will not rerun the stage when {{change}}{{order}}, so its cached outputs can be stale. Add {{them}} to `deps`.',
      files:
        'Stage `{{stage}}` depends on {{list}} without listing {{them}} in `deps`: `dvc repro` will not rerun the stage when {{change}}{{order}}, so its cached outputs can be stale. Add {{them}} to `deps`.',
    },
    docs: {
      summary: 'A dvc.yaml stage runs a script, or reads files, that its `deps` do not list.',
      whatItDoes:
        'For each stage of a `dvc.yaml`, finds the workspace scripts its `cmd` runs (`python src/train.py`, `python -m pkg.train`, `Rscript`, `bash x.sh`, notebooks run by papermill or `jupyter nbconvert --execute`) and checks that `deps` lists them. For Python scripts and notebooks it also reads what the script does, from the facts the workspace index keeps for it: local files it reads (`pd.read_*`, `np.load`, `open()`, `joblib.load`, `torch.load`, ...; paths resolved from literals and simple assignments, relative to the stage\'s `wdir`), local modules it imports, and paths the command passes that DVC knows as another stage\'s output or a tracked file. Each of those must be covered by a `deps` entry (the file or a folder above it). Templated entries (`${base.data_dir}/x.csv`) are filled from `params.yaml` and `vars`; a stage with a `deps` entry that does not resolve is left alone.',
      whyIsThisBad:
        'DVC decides whether to rerun a stage from the hashes of its declared `deps`. A script or data file that is used but not declared changes without DVC noticing: `dvc repro` reports "Stage didn\'t change", the cached model and metrics come from old code or old data, and a file produced by another stage may be read before that stage runs. This is the "static analysis of data dependencies" that Sculley et al. say ML systems lack.',
      example: EXAMPLE,
      useInstead: USE_INSTEAD,
      fixSafety:
        'The fix appends the missing entries to the stage\'s `deps`, in the file\'s style (block list at the items\' indentation, flow list, or a new `deps:` field after `cmd`), with paths relative to the stage\'s `wdir`. It does not change what any code does; DVC reruns the stage once, because its declared dependencies changed. It is marked safe when every entry exists in the workspace or is produced or tracked by DVC, and unsafe otherwise (a dependency that does not exist makes `dvc repro` fail). No fix is offered when the new dependency would make a cycle between stages.',
      notebookBehavior:
        'A notebook run by a stage (papermill, `jupyter nbconvert --execute`) is read like a script: its code cells\' reads count, with paths relative to the runner\'s working directory (papermill `--cwd`, else the stage\'s `wdir`) or to the notebook\'s own folder.',
      references: [
        'Breck et al. 2017, The ML Test Score: Infra 1 (training is reproducible), Data 1',
        'Sculley et al. 2015, Hidden Technical Debt in ML Systems: data dependencies cost more than code dependencies; static analysis of data dependencies',
        'DVC: dvc.yaml stage `deps` - https://dvc.org/doc/user-guide/project-structure/dvcyaml-files#stages',
        'DVC: templating - https://dvc.org/doc/user-guide/project-structure/dvcyaml-files#templating',
      ],
    },
  },
  async check(ctx) {
    if (ctx.configKind !== 'dvc-pipeline' || !ctx.yaml) return;
    const stages = yamlStages(ctx.yaml, ctx.file);
    if (!stages.length) return;
    const vars = ctx.workspace.templateVars(ctx.file);
    const mine = graphOf(stages, ctx.file, vars);
    const graph = [...mine.values(), ...otherStages(ctx.workspace, ctx.file)];
    for (const s of stages) await checkStage(ctx, s, vars, graph, mine.get(s)!);
  },
});
