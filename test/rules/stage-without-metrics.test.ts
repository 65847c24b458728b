import * as assert from 'node:assert/strict';
import { applyEdits, selectEdits } from '../../src/core/fix/apply';
import rule from '../../src/core/rules/monitoring/stage-without-metrics';
import { lintCase, notebook, ruleTester, type InvalidCase } from '../helpers/rule-tester';

const TRAIN_WRITES_METRICS = `import json
import joblib
import pandas as pd
from sklearn.ensemble import RandomForestClassifier
from sklearn.metrics import roc_auc_score
from sklearn.model_selection import train_test_split

df = pd.read_csv("data/features.csv")
X_train, X_test, y_train, y_test = train_test_split(df.drop(columns="y"), df["y"], random_state=0)
model = RandomForestClassifier(random_state=0).fit(X_train, y_train)
with open("reports/metrics.json", "w") as f:
    json.dump({"auc": roc_auc_score(y_test, model.predict_proba(X_test)[:, 1])}, f)
joblib.dump(model, "models/model.pkl")
`;

const TRAIN_DVCLIVE = `from dvclive import Live
import joblib
from sklearn.linear_model import LogisticRegression

with Live() as live:
    model = LogisticRegression().fit(X, y)
    live.log_metric("acc", model.score(X_val, y_val))
joblib.dump(model, "models/model.pkl")
`;

const STAGE = 'stages:\n  train:\n    cmd: python src/train.py\n    deps:\n      - src/train.py\n      - data/features.csv\n    outs:\n      - models/model.pkl\n';

const invalid: InvalidCase[] = [
  {
    name: 'the script writes a metrics file: the fix declares it',
    file: 'dvc.yaml',
    text: STAGE,
    files: { 'src/train.py': TRAIN_WRITES_METRICS },
    errors: [{ messageId: 'noMetrics', line: 2, column: 3, endLine: 2, endColumn: 8, messageIncludes: "(it writes models/model.pkl) but declares no `metrics:` or `plots:`, and no stage after it does: `dvc metrics diff` and `dvc exp show` have nothing to compare, so a worse model can be committed unnoticed. The stage writes reports/metrics.json" }],
    output: STAGE + '    metrics:\n      - reports/metrics.json:\n          cache: false\n',
  },
  {
    name: 'no metrics file known: metrics.json as a template',
    file: 'dvc.yaml',
    text: 'stages:\n  train:\n    cmd: python src/train.py\n    deps:\n    - src/train.py\n    outs:\n    - models/model.pkl\n  publish:\n    cmd: python publish.py\n',
    errors: [{ messageId: 'noMetrics', line: 2, column: 3, messageIncludes: 'Write the evaluation scores to a JSON file' }],
    output: 'stages:\n  train:\n    cmd: python src/train.py\n    deps:\n    - src/train.py\n    outs:\n    - models/model.pkl\n    metrics:\n    - metrics.json:\n        cache: false\n  publish:\n    cmd: python publish.py\n',
  },
  {
    name: 'a metrics file listed under outs moves to metrics',
    file: 'dvc.yaml',
    text: 'stages:\n  train:\n    cmd: python src/train.py\n    deps:\n      - src/train.py\n    outs:\n      - models/model.pkl\n      - reports/metrics.json\n',
    files: { 'src/train.py': TRAIN_WRITES_METRICS },
    errors: [{ messageId: 'noMetrics', line: 2, column: 3, messageIncludes: 'lists it under `outs`' }],
    output: 'stages:\n  train:\n    cmd: python src/train.py\n    deps:\n      - src/train.py\n    metrics:\n      - reports/metrics.json:\n          cache: false\n    outs:\n      - models/model.pkl\n',
  },
  {
    name: 'the only out is the metrics file',
    file: 'dvc.yaml',
    text: 'stages:\n  evaluate:\n    cmd: python src/train.py\n    outs:\n      - reports/metrics.json\n',
    files: { 'src/train.py': TRAIN_WRITES_METRICS },
    errors: [{ messageId: 'noMetrics', line: 2, column: 3, messageIncludes: 'its name is `evaluate`' }],
    output: 'stages:\n  evaluate:\n    cmd: python src/train.py\n    metrics:\n      - reports/metrics.json:\n          cache: false\n',
  },
  {
    name: 'DVCLive without declared metrics: its metrics file',
    file: 'dvc.yaml',
    text: 'stages:\n  train:\n    cmd: python train.py\n    deps: [train.py]\n    outs: [models/model.pkl]\n',
    files: { 'train.py': TRAIN_DVCLIVE },
    errors: [{ messageId: 'noMetrics', line: 2, column: 3, messageIncludes: 'writes dvclive/metrics.json' }],
    output: 'stages:\n  train:\n    cmd: python train.py\n    deps: [train.py]\n    outs: [models/model.pkl]\n    metrics:\n      - dvclive/metrics.json:\n          cache: false\n',
  },
  {
    name: 'named for training, paths relative to wdir',
    file: 'dvc.yaml',
    text: 'stages:\n  fine_tune:\n    wdir: nlp\n    cmd: python run.py\n    outs:\n      - out\n',
    files: { 'nlp/run.py': 'import json\n\njson.dump({"f1": 0.9}, open("results/eval_results.json", "w"))\n' },
    errors: [{ messageId: 'noMetrics', line: 2, column: 3, messageIncludes: 'writes results/eval_results.json' }],
    output: 'stages:\n  fine_tune:\n    wdir: nlp\n    cmd: python run.py\n    outs:\n      - out\n    metrics:\n      - results/eval_results.json:\n          cache: false\n',
  },
  {
    name: 'a notebook stage whose notebook fits and saves a model',
    file: 'dvc.yaml',
    text: 'stages:\n  churn:\n    cmd: papermill notebooks/churn.ipynb out.ipynb\n    outs:\n      - out.ipynb\n',
    files: { 'notebooks/churn.ipynb': notebook(['import joblib\nfrom sklearn.tree import DecisionTreeClassifier', 'clf = DecisionTreeClassifier().fit(X, y)\njoblib.dump(clf, "model.joblib")']) },
    errors: [{ messageId: 'noMetrics', line: 2, column: 3, messageIncludes: 'notebooks/churn.ipynb fits a model' }],
    output: 'stages:\n  churn:\n    cmd: papermill notebooks/churn.ipynb out.ipynb\n    outs:\n      - out.ipynb\n    metrics:\n      - metrics.json:\n          cache: false\n',
  },
  {
    name: 'an evaluation stage that lists its metrics file under outs (script not in the workspace)',
    file: 'dvc.yaml',
    text: 'stages:\n  train_model:\n    cmd: python train_model.py\n    deps:\n    - selected_features.csv\n    outs:\n    - model.pkl\n  evaluate:\n    cmd: python evaluate.py\n    deps:\n    - model.pkl\n    outs:\n    - metrics.json\n',
    errors: [{ messageId: 'noMetrics', line: 8, column: 3, messageIncludes: 'The stage writes metrics.json and lists it under `outs`' }],
    output: 'stages:\n  train_model:\n    cmd: python train_model.py\n    deps:\n    - selected_features.csv\n    outs:\n    - model.pkl\n  evaluate:\n    cmd: python evaluate.py\n    deps:\n    - model.pkl\n    metrics:\n    - metrics.json:\n        cache: false\n',
  },
  {
    name: 'a later evaluation stage gets the finding, not the training stage before it',
    file: 'dvc.yaml',
    text: 'stages:\n  train_model:\n    cmd: python train_model.py\n    outs: [model.pkl]\n  evaluate:\n    cmd: python evaluate.py\n    deps: [model.pkl]\n    outs: [predictions.csv]\n',
    errors: [{ messageId: 'noMetrics', line: 5, column: 3, messageIncludes: 'its name is `evaluate`' }],
    output: 'stages:\n  train_model:\n    cmd: python train_model.py\n    outs: [model.pkl]\n  evaluate:\n    cmd: python evaluate.py\n    deps: [model.pkl]\n    outs: [predictions.csv]\n    metrics:\n      - metrics.json:\n          cache: false\n',
  },
  {
    name: 'a flow-style stage: reported without a fix',
    file: 'dvc.yaml',
    text: 'stages:\n  train: {cmd: python train.py, outs: [model.onnx]}\n',
    errors: [{ messageId: 'noMetrics', line: 2, column: 3 }],
  },
];

ruleTester(rule, {
  valid: [
    { name: 'metrics declared', file: 'dvc.yaml', text: STAGE + '    metrics:\n      - reports/metrics.json:\n          cache: false\n' },
    { name: 'plots declared', file: 'dvc.yaml', text: STAGE + '    plots:\n      - reports/roc.json\n' },
    {
      name: 'a later stage evaluates the model and declares metrics',
      file: 'dvc.yaml',
      text: STAGE + '  evaluate:\n    cmd: python src/evaluate.py\n    deps:\n      - models/model.pkl\n    metrics:\n      - metrics.json:\n          cache: false\n',
    },
    {
      name: 'transitively downstream, in another dvc.yaml',
      file: 'dvc.yaml',
      text: STAGE + '  predict:\n    cmd: python src/predict.py\n    deps: [models/model.pkl]\n    outs: [data/predictions.csv]\n',
      files: { 'eval/dvc.yaml': 'stages:\n  score:\n    cmd: python score.py\n    deps: [../data/predictions.csv]\n    plots: [roc.json]\n' },
    },
    {
      name: 'data preparation stages, even when they save a fitted scaler',
      file: 'dvc.yaml',
      text: 'stages:\n  data_split:\n    cmd: python stages/data_split.py\n    outs:\n      - data/X_train.pkl\n      - data/y_train.pkl\n  featurize:\n    cmd: python featurize.py\n    outs:\n      - models/vectorizer.pkl\n      - data/features\n  prepare_train_data:\n    cmd: python prep.py\n    outs: [data/train]\n',
    },
    {
      name: 'the script logs to another experiment tracker',
      file: 'dvc.yaml',
      text: STAGE,
      files: { 'src/train.py': 'import mlflow\nimport joblib\n\nwith mlflow.start_run():\n    model = clf.fit(X, y)\n    mlflow.log_metric("acc", model.score(Xt, yt))\njoblib.dump(model, "models/model.pkl")\n' },
    },
    {
      name: 'top-level metrics that DVCLive wrote',
      file: 'dvc.yaml',
      text: 'metrics:\n  - dvclive/metrics.json\nplots:\n  - dvclive/plots/metrics:\n      x: step\nstages:\n  train:\n    cmd: python train.py\n    deps: [train.py]\n    outs: [models/model.pkl]\n',
      files: { 'train.py': TRAIN_DVCLIVE },
    },
    { name: 'not a dvc.yaml', file: 'pipeline.yml', text: STAGE },
    {
      name: 'DVC 2 `live:` declares DVCLive metrics',
      file: 'dvc.yaml',
      text: STAGE + '    live:\n      dvclive:\n        summary: true\n',
    },
    {
      name: 'the evaluation stage reads the model in its script, not in `deps`',
      file: 'dvc.yaml',
      text: STAGE + '  evaluate:\n    cmd: python src/evaluate.py\n    deps: [src/evaluate.py]\n    metrics: [metrics.json]\n',
      files: { 'src/evaluate.py': 'import joblib\n\nmodel = joblib.load("models/model.pkl")\n' },
    },
    {
      name: 'an evaluation stage of the same pipeline declares metrics (top-level, inside its outs)',
      file: 'dvc.yaml',
      text: 'stages:\n  train:\n    cmd: python train.py\n    outs: [data/stages/train/model.pkl]\n  evaluate:\n    cmd: python evaluate.py\n    outs: [data/stages/evaluate/]\nmetrics:\n- data/stages/evaluate/metrics.json\n',
    },

  ],
  invalid,
});

describe('stage-without-metrics fixes', () => {
  it('re-linting each fixed file finds nothing', async () => {
    for (const c of invalid.filter((x) => x.output)) {
      const r = await lintCase(rule, c);
      const fixed = applyEdits(c.file!, c.text!, selectEdits(r.findings, { unsafe: true }).edits)!;
      const again = await lintCase(rule, { ...c, text: fixed });
      assert.deepEqual(again.findings.map((f) => f.message), [], c.name);
    }
  });

  it('is never applied by --fix', async () => {
    const r = await lintCase(rule, invalid[0]);
    assert.deepEqual(selectEdits(r.findings).edits, []);
    assert.equal(r.findings[0].fixes[0].safety, 'unsafe');
  });
});
