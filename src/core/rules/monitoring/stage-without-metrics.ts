import { isMap, isSeq, isScalar, type Node as YamlNode } from 'yaml';
import { nodeRange } from '../../parse/yaml';
import { defineRule, type RuleDocs } from '../../rule';
import type { Edit, Fix } from '../../types';
import { basename, dirname, joinPath } from '../../workspace/fs';
import type { StageScript, WorkspaceIndex } from '../../workspace/workspace-index';
import {
  coveredBy,
  downstreamHasMetrics,
  insertField,
  interpolate,
  listEntries,
  metricsFieldLines,
  otherStages,
  relativeTo,
  removeListItem,
  scriptCwds,
  scriptFacts,
  stagePair,
  stagePaths,
  yamlStages,
  type ScriptFacts,
  type StageGraphNode,
  type YamlStage,
} from '../lib/dvc';

/** Stage or script names that say the stage trains or evaluates a model. */
const TRAIN_NAME = /(^|[^a-z])(re)?(train|training|trainer|fit|finetune|fine[_-]?tune|tune|tuning|evaluate|evaluation|eval|hpo|hyperopt|hyperparam\w*)([^a-z]|$)/i;
/** Names of data-preparation stages that mention training data (`prepare_train`, `split_train_test`). */
const DATA_STAGE = /(split|prepare|prep|preprocess|featur|download|fetch|ingest|clean|extract|load|data|dataset|convert|tokeni[sz]e)/i;
const MODEL_OUT = /\.(h5|hdf5|keras|pt|pth|ckpt|onnx|safetensors|cbm|mlem|tflite|joblib|pkl|pickle|bin|model|ubj)$/i;
const MODEL_WORD = /(^|[/_.-])(model|models|clf|classifier|regressor|estimator|booster|checkpoints?|ckpt|weights)([/_.-]|\d|$)/i;

function isModelPath(p: string): boolean {
  const b = basename(p);
  return (MODEL_WORD.test(p) && (MODEL_OUT.test(b) || !b.includes('.'))) || /\.(h5|keras|pt|pth|ckpt|onnx|safetensors|mlem|tflite)$/i.test(b);
}

/** Why a stage looks like training or evaluation, or undefined. */
function trainingReason(stage: YamlStage, outs: string[], scripts: Array<{ path: string; facts?: ScriptFacts }>): string | undefined {
  const named = (s: string): boolean => TRAIN_NAME.test(s) && !DATA_STAGE.test(s.replace(TRAIN_NAME, ' '));
  // A data-preparation stage may save a fitted scaler or vectorizer: not training.
  if (DATA_STAGE.test(stage.name) && !TRAIN_NAME.test(stage.name)) return undefined;
  const model = outs.find(isModelPath);
  if (model) return `it writes ${model}`;
  if (named(stage.name)) return `its name is \`${stage.name}\``;
  const script = scripts.find((s) => named(basename(s.path).replace(/\.(py|ipynb|R|sh)$/i, '')));
  if (script) return `it runs ${script.path}`;
  const fitter = scripts.find((s) => s.facts?.trains && s.facts.writes.some((w) => w.kind === 'model'));
  if (fitter) return `${fitter.path} fits a model`;
  return undefined;
}

/** Output files that hold metrics. */
const METRICS_OUT = /(^|[/_.-])(metrics?|scores?|evaluation|eval|results?|performance)([_.-][^/]*)?\.(json|ya?ml|toml)$/i;
/** Names of evaluation stages. */
const EVAL_NAME = /(^|[^a-z])(eval|evaluate|evaluation|evaluating|test|testing|score|scoring|validate|validation|metrics?|assess\w*)([^a-z]|$)/i;

interface StageScriptFacts {
  sc: StageScript;
  path: string;
  facts?: ScriptFacts;
}

async function scriptsOfStage(ws: WorkspaceIndex, stage: YamlStage, vars: unknown): Promise<StageScriptFacts[]> {
  const cmds = stage.cmds.map((c) => interpolate(c.text, vars) ?? c.text);
  return Promise.all(
    ws.resolveScripts(cmds, stage.wdir).map(async (sc) => {
      const program = sc.kind === 'python' || sc.kind === 'module' || sc.kind === 'notebook' ? await ws.loadScript(sc.path) : undefined;
      return { sc, path: sc.path, facts: program ? scriptFacts(program) : undefined };
    }),
  );
}

type DocsExample = RuleDocs['example'] & { files?: Record<string, string> };
const EXAMPLE: DocsExample = {
  language: 'yaml',
  file: 'dvc.yaml',
  code: 'stages:\n  train:\n    cmd: python src/train.py\n    deps:\n      - src/train.py\n      - data/features.csv\n    outs:\n      - models/model.pkl\n',
};
const USE_INSTEAD: DocsExample = {
  language: 'yaml',
  file: 'dvc.yaml',
  code: 'stages:\n  train:\n    cmd: python src/train.py\n    deps:\n      - src/train.py\n      - data/features.csv\n    outs:\n      - models/model.pkl\n    metrics:\n      - reports/metrics.json:\n          cache: false\n',
};

export default defineRule({
  meta: {
    id: 'stage-without-metrics',
    area: 'monitoring',
    defaultSeverity: 'warning',
    recommended: true,
    targets: ['yaml'],
    messages: {
      noMetrics:
        'Stage `{{stage}}` trains or evaluates a model ({{why}}) but declares no `metrics:` or `plots:`, and no stage after it does: `dvc metrics diff` and `dvc exp show` have nothing to compare, so a worse model can be committed unnoticed. {{hint}}',
    },
    docs: {
      summary: 'A dvc.yaml training or evaluation stage declares no `metrics:` or `plots:`.',
      whatItDoes:
        'Finds the training and evaluation stages of a `dvc.yaml` - a stage whose outputs include a model file (`models/model.pkl`, `*.pt`, `*.onnx`, a `model/` folder), whose name or script says train/fit/tune/evaluate (and not data preparation), or whose script fits a model and saves it - and reports the ones that declare neither `metrics:` nor `plots:` (nor DVC 2 `live:`). A training stage is fine when a later stage that reads its outputs (through `deps` or, from the workspace index, through what its script reads) declares metrics or plots - the usual train -> evaluate split - or is an evaluation stage that gets the finding itself; when an evaluation stage of the same pipeline declares metrics; when top-level `metrics:`/`plots:` (DVC 3, written by DVCLive) fall inside its outputs or cover a file its script writes; or when its script logs to another experiment tracker (MLflow, W&B, Neptune, ClearML, ...).',
      whyIsThisBad:
        'Without declared metrics, DVC versions the model but not how good it is: `dvc metrics diff`, `dvc plots diff` and `dvc exp show` cannot compare runs or branches, reviews see a changed model hash and nothing else, and a regression ships unnoticed. Tracking the quality of each model version is what makes rollback decisions possible (ML Test Score, Monitor 7 / Infra 5).',
      example: EXAMPLE,
      useInstead: USE_INSTEAD,
      fixSafety:
        'The fix adds a `metrics:` field to the stage, kept in Git (`cache: false`), pointing at the metrics file the stage\'s script already writes (a `json.dump`/`yaml.dump`/`to_json` to a metrics-named file, or DVCLive\'s `dvclive/metrics.json`); when that file was listed under `outs`, it moves there from `outs`. When the script writes no metrics file, the fix adds `metrics.json` as a template that the script must then write. Always unsafe: it changes what DVC expects the stage to produce (`dvc repro` fails if the file is not written) and makes the file part of Git history.',
      references: [
        'Breck et al. 2017, The ML Test Score: Monitor 7 (prediction quality has not regressed), Infra 5 (model quality is checked before serving)',
        'DVC: metrics - https://dvc.org/doc/command-reference/metrics',
        'DVC: dvc.yaml `metrics` and `plots` - https://dvc.org/doc/user-guide/project-structure/dvcyaml-files#metrics-and-plots-outputs',
        'DVCLive - https://dvc.org/doc/dvclive',
      ],
    },
  },
  async check(ctx) {
    if (ctx.configKind !== 'dvc-pipeline' || !ctx.yaml) return;
    const yaml = ctx.yaml;
    const ws = ctx.workspace;
    const stages = yamlStages(yaml, ctx.file);
    if (!stages.length) return;
    const vars = ws.templateVars(ctx.file);
    const dir = dirname(ctx.file);
    // Top-level `metrics:`/`plots:` (DVC 3, DVCLive writes them).
    const root = yaml.docs[0]?.contents;
    const top: string[] = [];
    if (isMap(root)) {
      for (const field of ['metrics', 'plots']) {
        const v = root.get(field, true);
        for (const it of isSeq(v) ? v.items : []) {
          const raw = isScalar(it) && typeof it.value === 'string' ? it.value : isMap(it) && isScalar(it.items[0]?.key) ? String(it.items[0].key.value) : undefined;
          const p = raw === undefined ? undefined : interpolate(raw, vars);
          if (p !== undefined) top.push(joinPath(dir, p));
        }
      }
    }
    const nodes = new Map<YamlStage, StageGraphNode>();
    const scriptsOf = new Map<YamlStage, StageScriptFacts[]>();
    for (const s of stages) {
      // `live:` is how DVC 2 declared DVCLive metrics.
      const hasMetrics = listEntries(s, 'metrics').length + listEntries(s, 'plots').length > 0 || stagePair(s, 'live') !== undefined;
      const scripts = await scriptsOfStage(ws, s, vars);
      scriptsOf.set(s, scripts);
      // What the stage's scripts read counts as a dependency too: a missing `deps` entry is another rule's finding.
      const reads = scripts.flatMap((x) => (x.facts ? x.facts.reads.flatMap((r) => scriptCwds(x.sc).map((c) => joinPath(c, r.path))) : []));
      const outs = [...stagePaths(s, 'outs', vars), ...stagePaths(s, 'metrics', vars), ...stagePaths(s, 'plots', vars)];
      // Top-level `metrics:`/`plots:` inside the stage's outputs are the stage's metrics.
      const topInOuts = top.some((t) => outs.some((o) => coveredBy(t, o)));
      nodes.set(s, { name: s.name, file: ctx.file, deps: [...stagePaths(s, 'deps', vars), ...reads], outs, hasMetrics: hasMetrics || topInOuts });
    }
    const graph = [...nodes.values(), ...otherStages(ws, ctx.file)];
    // An evaluation stage of the same pipeline that declares metrics evaluates its models.
    const evaluated = stages.some((s) => nodes.get(s)!.hasMetrics && EVAL_NAME.test(s.name));
    for (const stage of stages) {
      const node = nodes.get(stage)!;
      if (node.hasMetrics || evaluated || stagePair(stage, 'metrics') || stagePair(stage, 'plots')) continue;
      const scripts = scriptsOf.get(stage)!;
      if (scripts.some((s) => s.facts?.tracker)) continue;
      const why = trainingReason(stage, node.outs, scripts);
      // A later evaluation stage gets the finding (its fix also covers this stage).
      if (!why || downstreamHasMetrics(node, graph, (n) => n.hasMetrics || (n.file === ctx.file && TRAIN_NAME.test(n.name) && EVAL_NAME.test(n.name)))) continue;
      // Metrics files the scripts write, as workspace paths.
      const written: string[] = [];
      for (const s of scripts) {
        if (!s.facts) continue;
        const cwd = scriptCwds(s.sc)[0];
        if (s.facts.dvclive) written.push(joinPath(cwd, s.facts.dvclive, 'metrics.json'));
        for (const m of s.facts.metrics) written.push(joinPath(cwd, m.path));
      }
      if (top.some((t) => written.some((w) => coveredBy(w, t) || coveredBy(t, w)))) continue;
      // Else a metrics-named file the stage already lists under `outs`.
      const target = written.find((w) => !w.startsWith('..')) ?? node.outs.find((o) => METRICS_OUT.test(o));
      const file = target ? relativeTo(stage.wdir, target) : 'metrics.json';
      const edits: Edit[] = [];
      const inOuts = target ? listEntries(stage, 'outs').find((e) => joinPath(stage.wdir, interpolate(e.raw, vars) ?? e.raw) === target) : undefined;
      if (inOuts) {
        const removal = removeListItem(yaml, stage, 'outs', inOuts.raw);
        const outsKey = stagePair(stage, 'outs')?.key as YamlNode | undefined;
        const lineStart = outsKey?.range ? yaml.text.lastIndexOf('\n', outsKey.range[0] - 1) + 1 : -1;
        if (removal && outsKey?.range && lineStart >= 0) {
          const indent = outsKey.range[0] - lineStart;
          const pos = nodeRange(yaml, outsKey).start;
          edits.push({ range: { start: { line: pos.line, character: 0 }, end: { line: pos.line, character: 0 } }, newText: metricsFieldLines(yaml, stage, file)(indent).join('\n') + '\n' }, ...removal);
        }
      } else {
        edits.push(...(insertField(yaml, stage, 'metrics', metricsFieldLines(yaml, stage, file)) ?? []));
      }
      const fixes: Fix[] = edits.length ? [{ title: `Declare ${file} under \`metrics:\` of stage \`${stage.name}\``, safety: 'unsafe', edits }] : [];
      const hint = target
        ? inOuts
          ? `The stage writes ${file} and lists it under \`outs\`: declare it under \`metrics:\` instead (with \`cache: false\`).`
          : `The stage writes ${file}: declare it under \`metrics:\` (with \`cache: false\`).`
        : 'Write the evaluation scores to a JSON file (e.g. metrics.json, or use DVCLive) and declare it under `metrics:`.';
      ctx.report({ messageId: 'noMetrics', data: { stage: stage.name, why, hint }, location: { range: nodeRange(yaml, stage.key) }, fixes });
    }
  },
});
