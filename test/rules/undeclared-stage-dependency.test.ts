import * as assert from 'node:assert/strict';
import { applyEdits, selectEdits } from '../../src/core/fix/apply';
import rule from '../../src/core/rules/data/undeclared-stage-dependency';
import { lintCase, notebook, ruleTester, type InvalidCase } from '../helpers/rule-tester';

const TRAIN_PY = `import joblib
import pandas as pd
from sklearn.ensemble import RandomForestClassifier

df = pd.read_csv("data/features.csv")
model = RandomForestClassifier(random_state=0).fit(df.drop(columns="churned"), df["churned"])
joblib.dump(model, "models/model.pkl")
`;

const TRAIN_READS_LABELS = `import joblib
import pandas as pd

features = pd.read_parquet("data/features.parquet")
labels = pd.read_csv("data/labels.csv")
joblib.dump((features, labels), "models/model.pkl")
`;

const EVALUATE_PY = `import json
import joblib
import pandas as pd

model = joblib.load("models/model.pkl")
test = pd.read_csv("data/test.csv")
with open("metrics.json", "w") as f:
    json.dump({"acc": float(model.score(test.drop(columns="y"), test["y"]))}, f)
`;

const cases: { valid: Parameters<typeof ruleTester>[1]['valid']; invalid: InvalidCase[] } = {
  valid: [
    {
      name: 'script and the data it reads are deps',
      file: 'dvc.yaml',
      text: 'stages:\n  train:\n    cmd: python src/train.py\n    deps:\n      - src/train.py\n      - data/features.csv\n    outs:\n      - models/model.pkl\n',
      files: { 'src/train.py': TRAIN_PY },
    },
    {
      name: 'folders cover what is under them',
      file: 'dvc.yaml',
      text: 'stages:\n  train:\n    cmd: python src/train.py\n    deps: [src, data]\n    outs: [models]\n',
      files: { 'src/train.py': TRAIN_READS_LABELS, 'src/utils.py': 'X = 1\n' },
    },
    {
      name: 'a script that is not in the workspace is not judged',
      file: 'dvc.yaml',
      text: 'stages:\n  train:\n    cmd: python stages/train.py --config=params.yaml\n    deps:\n      - data/X_train.pkl\n    outs:\n      - model/clf-model\n',
    },
    {
      name: 'tools run as modules are not workspace scripts',
      file: 'dvc.yaml',
      text: 'stages:\n  test:\n    cmd: python -m pytest tests\n    deps:\n      - tests\n',
      files: { 'tests/test_x.py': 'def test_x():\n    assert True\n' },
    },
    {
      name: 'config files, own outputs, remote and absolute reads are not deps',
      file: 'dvc.yaml',
      text: 'stages:\n  train:\n    cmd: python train.py\n    deps:\n      - train.py\n    outs:\n      - checkpoints\n',
      files: {
        'train.py':
          'import json\nimport pandas as pd\nimport torch\nimport yaml\n\nparams = yaml.safe_load(open("params.yaml"))\ncfg = json.load(open("config.json"))\nstate = torch.load("checkpoints/last.pt")\ndf = pd.read_parquet("s3://bucket/data/train.parquet")\nextra = pd.read_csv("/mnt/shared/extra.csv")\n',
      },
    },
    {
      name: 'a file the script downloads before reading it',
      file: 'dvc.yaml',
      text: 'stages:\n  fetch:\n    cmd: python fetch.py\n    deps:\n      - fetch.py\n    outs:\n      - data/iris.csv\n',
      files: { 'fetch.py': 'import urllib.request\nimport pandas as pd\n\nurllib.request.urlretrieve("https://example.org/iris.csv", "data/iris.csv")\ndf = pd.read_csv("data/iris.csv")\n' },
    },
    {
      name: 'templated deps are filled from params.yaml',
      file: 'dvc.yaml',
      text: 'stages:\n  split:\n    cmd: python src/split.py\n    deps:\n      - src/split.py\n      - ${base.data_dir}/${base.data_fname}\n    outs:\n      - data/train.pkl\n',
      files: {
        'params.yaml': 'base:\n  data_dir: data\n  data_fname: churn.csv\n',
        'src/split.py': 'import pandas as pd\n\ndf = pd.read_csv("data/churn.csv")\ndf.to_pickle("data/train.pkl")\n',
      },
    },
    {
      name: 'a deps entry whose template does not resolve leaves the stage alone',
      file: 'dvc.yaml',
      text: 'stages:\n  train:\n    foreach: [a, b]\n    do:\n      cmd: python src/train.py ${item}\n      deps:\n        - data/${item}.csv\n',
      files: { 'src/train.py': TRAIN_PY },
    },
    {
      name: 'paths are relative to the stage wdir',
      file: 'pipelines/churn/dvc.yaml',
      text: 'stages:\n  train:\n    wdir: ../..\n    cmd: python src/train.py\n    deps:\n      - src/train.py\n      - data/features.csv\n',
      files: { 'src/train.py': TRAIN_PY },
    },
    {
      name: 'a notebook run by papermill, reading relative to --cwd',
      file: 'dvc.yaml',
      text: 'stages:\n  train:\n    cmd: papermill notebooks/train.ipynb reports/run.ipynb --cwd notebooks\n    deps:\n      - notebooks/train.ipynb\n      - data/prepared.csv\n    outs:\n      - reports/run.ipynb\n',
      files: { 'notebooks/train.ipynb': notebook(['import pandas as pd\ndf = pd.read_csv("../data/prepared.csv")']) },
    },
    {
      name: 'not a dvc.yaml',
      file: 'pipeline.yaml',
      text: 'stages:\n  train:\n    cmd: python src/train.py\n',
      files: { 'src/train.py': TRAIN_PY },
    },
    {
      name: 'a path argument that is this stage\'s own output',
      file: 'dvc.yaml',
      text: 'stages:\n  train:\n    cmd: python src/train.py --out models/model.pkl\n    deps:\n      - src/train.py\n      - data/features.csv\n    outs:\n      - models/model.pkl\n',
      files: { 'src/train.py': TRAIN_PY },
    },
  ],
  invalid: [
    {
      name: 'the script itself is not a dep (block list, fix keeps the indentation)',
      file: 'dvc.yaml',
      text: 'stages:\n  train:\n    cmd: python src/train.py\n    deps:\n      - data/features.csv\n    outs:\n      - models/model.pkl\n',
      files: { 'src/train.py': TRAIN_PY },
      errors: [{ messageId: 'script', line: 3, column: 17, endLine: 3, endColumn: 29, messageIncludes: 'src/train.py (the script it runs)' }],
      output: 'stages:\n  train:\n    cmd: python src/train.py\n    deps:\n      - data/features.csv\n      - src/train.py\n    outs:\n      - models/model.pkl\n',
    },
    {
      name: 'a file the script reads is not a dep: reported at `deps`, related to the read',
      file: 'dvc.yaml',
      text: 'stages:\n  train:\n    cmd: python src/train.py\n    deps:\n    - src/train.py\n    - data/features.parquet  # built by featurize\n    outs:\n    - models/model.pkl\n',
      files: { 'src/train.py': TRAIN_READS_LABELS },
      errors: [{ messageId: 'files', line: 4, column: 5, endColumn: 9, messageIncludes: 'data/labels.csv (read by train.py)', related: ['`pd.read_csv` reads data/labels.csv here.'] }],
      output: 'stages:\n  train:\n    cmd: python src/train.py\n    deps:\n    - src/train.py\n    - data/features.parquet  # built by featurize\n    - data/labels.csv\n    outs:\n    - models/model.pkl\n',
    },
    {
      name: 'flow list',
      file: 'dvc.yaml',
      text: 'stages:\n  train:\n    cmd: python src/train.py\n    deps: [src/train.py]\n    outs: [models/model.pkl]\n',
      files: { 'src/train.py': TRAIN_PY },
      errors: [{ messageId: 'files', line: 4, column: 5 }],
      output: 'stages:\n  train:\n    cmd: python src/train.py\n    deps: [src/train.py, data/features.csv]\n    outs: [models/model.pkl]\n',
    },
    {
      name: 'no deps at all: a `deps:` field is added after `cmd`',
      file: 'dvc.yaml',
      text: 'stages:\n  train:\n    cmd: python src/train.py\n    outs:\n      - models/model.pkl\n',
      files: { 'src/train.py': TRAIN_PY },
      errors: [{ messageId: 'script', line: 3, column: 17, messageIncludes: 'src/train.py (the script it runs), data/features.csv (read by train.py)' }],
      output: 'stages:\n  train:\n    cmd: python src/train.py\n    deps:\n      - src/train.py\n      - data/features.csv\n    outs:\n      - models/model.pkl\n',
    },
    {
      name: '`python -m` runs a module of the workspace; a local import is a dependency too',
      file: 'dvc.yaml',
      text: 'stages:\n  train:\n    cmd: python -m src.train\n    deps:\n      - data/features.csv\n',
      files: { 'src/train.py': 'from src.features import build\n\nbuild()\n', 'src/features.py': 'def build():\n    return 1\n', 'src/__init__.py': '' },
      errors: [{ messageId: 'script', line: 3, column: 20, endColumn: 29, messageIncludes: 'src/train.py (the script it runs), src/features.py (imported by train.py)' }],
      output: 'stages:\n  train:\n    cmd: python -m src.train\n    deps:\n      - data/features.csv\n      - src/train.py\n      - src/features.py\n',
    },
    {
      name: 'a src-layout package imported by the stage script',
      file: 'dvc.yaml',
      text: 'stages:\n  training:\n    cmd: python src/cls/pipeline/stage_03_training.py\n    deps:\n      - src/cls/pipeline/stage_03_training.py\n      - src/cls/components/callbacks.py\n',
      files: {
        'src/cls/__init__.py': '',
        'src/cls/pipeline/stage_03_training.py': 'from cls.components.callbacks import Callbacks\nfrom cls.components.training import Training\n\nTraining().train(Callbacks())\n',
        'src/cls/components/callbacks.py': 'class Callbacks: ...\n',
        'src/cls/components/training.py': 'class Training: ...\n',
      },
      errors: [{ messageId: 'files', line: 4, column: 5, message: 'Stage `training` depends on src/cls/components/training.py (imported by stage_03_training.py) without listing it in `deps`: `dvc repro` will not rerun the stage when it changes, so its cached outputs can be stale. Add it to `deps`.' }],
      output: 'stages:\n  training:\n    cmd: python src/cls/pipeline/stage_03_training.py\n    deps:\n      - src/cls/pipeline/stage_03_training.py\n      - src/cls/components/callbacks.py\n      - src/cls/components/training.py\n',
    },
    {
      name: 'Rscript and shell scripts',
      file: 'dvc.yaml',
      text: 'stages:\n  report:\n    cmd: Rscript analysis/report.R && bash scripts/publish.sh\n    deps:\n      - analysis/report.R\n',
      files: { 'analysis/report.R': 'print(1)\n', 'scripts/publish.sh': 'echo ok\n' },
      errors: [{ messageId: 'script', line: 3, column: 44, endColumn: 62 }],
      output: 'stages:\n  report:\n    cmd: Rscript analysis/report.R && bash scripts/publish.sh\n    deps:\n      - analysis/report.R\n      - scripts/publish.sh\n',
    },
    {
      name: 'a notebook run by nbconvert reads relative to its own folder',
      file: 'dvc.yaml',
      text: 'stages:\n  train:\n    cmd: jupyter nbconvert --to notebook --execute notebooks/train.ipynb\n    deps:\n      - notebooks/train.ipynb\n',
      files: { 'notebooks/train.ipynb': notebook(['import pandas as pd', 'df = pd.read_csv("../data/raw.csv")']) },
      errors: [{ messageId: 'files', line: 4, column: 5, messageIncludes: 'data/raw.csv (read by train.ipynb)' }],
      output: 'stages:\n  train:\n    cmd: jupyter nbconvert --to notebook --execute notebooks/train.ipynb\n    deps:\n      - notebooks/train.ipynb\n      - data/raw.csv\n',
    },
    {
      name: 'reading another stage\'s output without declaring it breaks the order too',
      file: 'dvc.yaml',
      text: 'stages:\n  train:\n    cmd: python src/train.py\n    deps:\n      - src/train.py\n    outs:\n      - models/model.pkl\n  evaluate:\n    cmd: python src/evaluate.py\n    deps:\n      - src/evaluate.py\n      - data/test.csv\n    metrics:\n      - metrics.json:\n          cache: false\n',
      files: { 'src/train.py': 'import joblib\n\njoblib.dump(1, "models/model.pkl")\n', 'src/evaluate.py': EVALUATE_PY },
      errors: [{ messageId: 'files', line: 10, column: 5, messageIncludes: 'may run it before `train` produces it' }],
      output: 'stages:\n  train:\n    cmd: python src/train.py\n    deps:\n      - src/train.py\n    outs:\n      - models/model.pkl\n  evaluate:\n    cmd: python src/evaluate.py\n    deps:\n      - src/evaluate.py\n      - data/test.csv\n      - models/model.pkl\n    metrics:\n      - metrics.json:\n          cache: false\n',
    },
    {
      name: 'a path the command passes that another stage produces',
      file: 'dvc.yaml',
      text: 'stages:\n  featurize:\n    cmd: python featurize.py\n    deps: [featurize.py]\n    outs: [data/features]\n  train:\n    cmd: python train.py --features data/features --out model.pkl\n    deps: [train.py]\n    outs: [model.pkl]\n',
      files: { 'featurize.py': 'print(1)\n', 'train.py': 'import sys\nprint(sys.argv)\n' },
      errors: [{ messageId: 'files', line: 8, column: 5, messageIncludes: 'data/features (passed on the command line)', related: ['The command passes data/features here.'] }],
      output: 'stages:\n  featurize:\n    cmd: python featurize.py\n    deps: [featurize.py]\n    outs: [data/features]\n  train:\n    cmd: python train.py --features data/features --out model.pkl\n    deps: [train.py, data/features]\n    outs: [model.pkl]\n',
    },
    {
      name: 'a list of commands, wdir-relative entries',
      file: 'dvc.yaml',
      text: 'stages:\n  prepare:\n    wdir: churn\n    cmd:\n      - python prepare.py\n      - python split.py\n    deps:\n      - prepare.py\n',
      files: { 'churn/prepare.py': 'print(1)\n', 'churn/split.py': 'import pandas as pd\n\npd.read_csv("raw/customers.csv")\n' },
      errors: [{ messageId: 'script', line: 6, column: 16, messageIncludes: 'churn/split.py (the script it runs), churn/raw/customers.csv (read by split.py)' }],
      output: 'stages:\n  prepare:\n    wdir: churn\n    cmd:\n      - python prepare.py\n      - python split.py\n    deps:\n      - prepare.py\n      - split.py\n      - raw/customers.csv\n',
    },
  ],
};

ruleTester(rule, cases);

describe('undeclared-stage-dependency fixes', () => {
  const byName = (n: string): InvalidCase => cases.invalid.find((c) => c.name === n)!;

  it('re-linting each fixed file finds nothing', async () => {
    for (const c of cases.invalid) {
      const r = await lintCase(rule, c);
      const fixed = applyEdits(c.file!, c.text!, selectEdits(r.findings, { unsafe: true }).edits)!;
      const again = await lintCase(rule, { ...c, text: fixed });
      assert.deepEqual(again.findings.map((f) => f.message), [], `${c.name}: still reported after the fix`);
    }
  });

  it('is safe when every added entry exists, unsafe otherwise', async () => {
    const exists = await lintCase(rule, byName('the script itself is not a dep (block list, fix keeps the indentation)'));
    // data/features.csv is not in the workspace, but only src/train.py is added.
    assert.equal(exists.findings[0].fixes[0].safety, 'safe');
    const unknown = await lintCase(rule, byName('a file the script reads is not a dep: reported at `deps`, related to the read'));
    assert.equal(unknown.findings[0].fixes[0].safety, 'unsafe');
    const produced = await lintCase(rule, byName('reading another stage\'s output without declaring it breaks the order too'));
    assert.equal(produced.findings[0].fixes[0].safety, 'safe');
  });

  it('a read added to the script is reported', async () => {
    const c = byName('the script itself is not a dep (block list, fix keeps the indentation)');
    const before = await lintCase(rule, { ...c, text: c.output! });
    assert.equal(before.findings.length, 0);
    const after = await lintCase(rule, { ...c, text: c.output!, files: { 'src/train.py': TRAIN_PY + 'extra = pd.read_csv("data/extra.csv")\n' } });
    assert.deepEqual(after.findings.map((f) => f.messageId), ['files']);
  });

  it('offers no fix when the new dependency would make a cycle', async () => {
    const r = await lintCase(rule, {
      file: 'dvc.yaml',
      text: 'stages:\n  a:\n    cmd: python a.py\n    deps: [a.py]\n    outs: [x.csv]\n  b:\n    cmd: python b.py\n    deps: [b.py, x.csv]\n    outs: [y.csv]\n',
      files: { 'a.py': 'import pandas as pd\n\npd.read_csv("y.csv")\n', 'b.py': 'print(1)\n' },
    });
    assert.equal(r.findings.length, 1);
    assert.deepEqual(r.findings[0].fixes, []);
  });
});
