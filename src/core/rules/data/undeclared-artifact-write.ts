import { unitLocation } from '../../parse/program';
import { defineRule, type RuleDocs } from '../../rule';
import type { RelatedInformation } from '../../types';
import { dirname, joinPath } from '../../workspace/fs';
import type { DvcStage } from '../../workspace/workspace-index';
import { relativeTo, scriptCwds, scriptFacts } from '../lib/dvc';

/** Test modules write fixtures; these folders hold logs and caches, not artifacts. */
/** Test files: their writes are fixtures, not artifacts. */
export const TEST_FILE = /(^|\/)(tests?|testing)\/|(^|\/)(test_[^/]*|[^/]*_test|conftest)\.py$/;
const SCRATCH = /^(tmp|temp|\.cache|cache|logs?|mlruns|wandb|lightning_logs|runs|__pycache__|\.ipynb_checkpoints)(\/|$)/;

type DocsExample = RuleDocs['example'] & { files?: Record<string, string> };
const DVC_YAML = 'stages:\n  prepare:\n    cmd: python src/prepare.py\n    deps:\n      - src/prepare.py\n      - data/raw.csv\n    outs:\n      - data/prepared.csv\n';
const EXAMPLE: DocsExample = {
  language: 'python',
  file: 'src/prepare.py',
  code: 'import pandas as pd\n\nraw = pd.read_csv("data/raw.csv")\nclean = raw.dropna()\nclean.to_csv("data/prepared.csv", index=False)\nclean.sample(frac=0.1).to_csv("data/holdout.csv", index=False)\n',
  files: { 'dvc.yaml': DVC_YAML },
};
const USE_INSTEAD: DocsExample = {
  language: 'python',
  file: 'src/prepare.py',
  code: 'import pandas as pd\n\nraw = pd.read_csv("data/raw.csv")\nclean = raw.dropna()\nclean.to_csv("data/prepared.csv", index=False)\n',
  files: { 'dvc.yaml': DVC_YAML },
};

export default defineRule({
  meta: {
    id: 'undeclared-artifact-write',
    area: 'data',
    defaultSeverity: 'warning',
    recommended: true,
    targets: ['notebook', 'python'],
    messages: {
      inStage:
        '`{{call}}` writes {{path}}, but stage `{{stage}}` ({{dvcfile}}), which runs this {{what}}, does not list it in `outs`: DVC neither versions this {{kind}} nor knows the stage produces it, so `dvc repro`/`dvc pull` cannot restore it and later stages may read a stale copy. Add {{entry}} to the stage\'s `outs`.',
      noStage:
        '`{{call}}` writes the {{kind}} {{path}} outside the DVC pipeline: no stage `outs` and no .dvc file cover it, so it is not versioned and nobody can tell which code and data produced it. Produce it in a dvc.yaml stage (`outs:`) or track it with `dvc add {{target}}`.',
    },
    docs: {
      summary: 'A script or notebook writes a data or model artifact that no DVC output covers.',
      whatItDoes:
        'In a workspace that uses DVC (a `dvc.yaml`, a `.dvc` file or `.dvc/config`), finds writes of data and model artifacts - `to_csv`, `to_parquet` and the other DataFrame writers, `np.save`/`savez`, `joblib.dump`, `pickle.dump` (also through a file opened for writing), `torch.save`, `model.save` / `save_model` / `save_pretrained` / `save_weights`, `save_to_disk` - to local paths known from literals and simple assignments, and reports the ones that no DVC output covers: no stage `outs`/`metrics`/`plots` entry and no `.dvc` sidecar names the file or a folder above it (Git LFS patterns count as versioned too). When a dvc.yaml stage runs the file, paths are resolved from the stage\'s working directory and the message names that stage; otherwise from the file\'s folder and the workspace root. Repositories without DVC are left alone, as are tests, absolute paths, metrics files (see `stage-without-metrics`) and scratch folders (`tmp/`, `logs/`, `mlruns/`, ...).',
      whyIsThisBad:
        'An artifact written outside the declared pipeline is a "pipeline jungle" (Sculley et al.): it is not versioned with the code and data that made it, `dvc pull` cannot restore it, `dvc repro` does not know to rebuild it, and a stage that reads it may silently use a stale copy from someone\'s working tree.',
      example: EXAMPLE,
      useInstead: USE_INSTEAD,
      fixSafety: 'No automatic fix: the declaration lives in dvc.yaml (or in a `dvc add`), not in the file that writes. The message says which stage and which `outs` entry.',
      notebookBehavior:
        'A notebook run by a stage (papermill, `jupyter nbconvert --execute`) is checked against that stage\'s `outs`, with paths relative to the runner\'s working directory or the notebook\'s folder; other notebooks are checked against every DVC output of the workspace, with paths relative to the notebook\'s folder (Jupyter\'s working directory) or the workspace root.',
      references: [
        'Breck et al. 2017, The ML Test Score: Infra 1 (training is reproducible), Infra 7 (models can be rolled back)',
        'Sculley et al. 2015, Hidden Technical Debt in ML Systems: pipeline jungles',
        'DVC: stage outputs - https://dvc.org/doc/user-guide/project-structure/dvcyaml-files#output-subfields',
        'DVC: `dvc add` - https://dvc.org/doc/command-reference/add',
      ],
    },
  },
  check(ctx) {
    const program = ctx.python;
    const ws = ctx.workspace;
    if (!program || TEST_FILE.test(ctx.file) || !ws.usesDvc()) return;
    const facts = scriptFacts(program);
    if (!facts.writes.length) return;
    // Where relative paths point: the stage's working directory, else the file's folder and the root.
    const runners: Array<{ stage: DvcStage; cwds: string[] }> = [];
    for (const stage of ws.stagesRunning(ctx.file)) {
      const sc = ws.resolveScripts(stage.cmd, stage.wdir).find((s) => s.path === ctx.file);
      if (sc) runners.push({ stage, cwds: scriptCwds(sc) });
    }
    const own = ctx.target === 'notebook' ? [dirname(ctx.file), ''] : ['', dirname(ctx.file)];
    const bases = [...new Set(runners.length ? runners.flatMap((r) => r.cwds) : own)];
    const versioned = (p: string): boolean => ws.outputOf(p) !== undefined || (ws.trackingOf(p).by ?? '').endsWith('(Git LFS)');
    for (const w of facts.writes) {
      if (SCRATCH.test(w.path)) continue;
      const places = bases.map((b) => joinPath(b, w.path)).filter((p) => p && !p.startsWith('..'));
      if (!places.length || places.some(versioned)) continue;
      const location = unitLocation(w.unit, w.span);
      const related: RelatedInformation[] = [];
      if (w.origin) related.push({ location: unitLocation(w.origin.unit, w.origin.span), message: `The path is set here (\`${w.origin.name}\`).` });
      const kind = w.kind === 'model' ? 'model' : 'data file';
      const runner = runners[0];
      if (runner) {
        const place = joinPath(runner.cwds[0], w.path);
        const entry = relativeTo(runner.stage.wdir, place);
        if (runner.stage.range) related.push({ file: runner.stage.file, location: { range: runner.stage.range }, fileRange: runner.stage.range, message: `Stage \`${runner.stage.name}\` runs this file; list ${entry} in its \`outs\`.` });
        ctx.report({
          messageId: 'inStage',
          data: { call: w.callee, path: w.path, stage: runner.stage.name, dvcfile: runner.stage.file, what: ctx.target === 'notebook' ? 'notebook' : 'script', kind, entry },
          location,
          related,
        });
      } else {
        // The place whose folder exists is the likely one (Jupyter runs in the notebook's folder, scripts from the root).
        const target = places.find((p) => dirname(p) === '' || ws.exists(dirname(p))) ?? places[0];
        ctx.report({ messageId: 'noStage', data: { call: w.callee, path: w.path, target, kind }, location, related });
      }
    }
  },
});
