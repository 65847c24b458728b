import type { PythonUnit } from '../../parse/program';
import { defineRule, type ReportDescriptor, type RuleContext } from '../../rule';
import { analyseTraining, codeView, isTestFile, trackingEvidence, type CodeView, type TrainingSite } from '../lib/training';

const TEMPLATE = ['import mlflow', '', '# Record parameters, metrics and the model of every training run.', 'mlflow.autolog()'];

function lastTopLevelImportLine(unit: PythonUnit, before: number): number | undefined {
  let line: number | undefined;
  for (const imp of unit.facts.imports) {
    if (imp.span.start >= before) continue;
    const start = unit.lines.positionAt(imp.span.start);
    if (start.character !== 0) continue; // imports inside functions stay where they are
    line = Math.max(line ?? -1, unit.lines.positionAt(imp.span.end).line);
  }
  return line;
}

/** Unsafe template: enable MLflow autologging after the imports, before the first training. */
function templateFix(ctx: RuleContext, view: CodeView, training: TrainingSite): ReportDescriptor['fixes'] {
  if (ctx.target === 'yaml') return undefined;
  const title = 'Track this training with MLflow autologging (template)';
  const unit = training.unit;
  const writtenScript = unit.cell !== undefined && /^\s*%%writefile/.test(unit.text);
  if (unit.cell === undefined || writtenScript) {
    const line = lastTopLevelImportLine(unit, training.span.start);
    const newText = TEMPLATE.join('\n') + '\n';
    if (line === undefined) {
      // No imports before the training: put the lines at the top of the file (after a `%%writefile` line).
      const at = writtenScript ? 1 : 0;
      return [{ title, safety: 'unsafe', edits: [{ cell: unit.cell, range: { start: { line: at, character: 0 }, end: { line: at, character: 0 } }, newText: newText + '\n' }] }];
    }
    const next = line + 1;
    if (next >= unit.lines.lineCount) {
      const endChar = unit.lines.lineText(line).length;
      return [{ title, safety: 'unsafe', edits: [{ cell: unit.cell, range: { start: { line, character: endChar }, end: { line, character: endChar } }, newText: '\n' + newText.replace(/\n$/, '') }] }];
    }
    return [{ title, safety: 'unsafe', edits: [{ cell: unit.cell, range: { start: { line: next, character: 0 }, end: { line: next, character: 0 } }, newText }] }];
  }
  // Notebooks: a new cell after the last earlier cell with imports (before the training cell
  // when there is none); lines after the imports when the training cell holds the only imports.
  let after: number | undefined;
  for (const u of view.program.units) {
    if (u.cell === undefined || u.cell >= unit.cell) break;
    if (u.facts.imports.length) after = u.cell;
  }
  const own = after === undefined ? lastTopLevelImportLine(unit, training.span.start) : undefined;
  if (own !== undefined) {
    const next = own + 1;
    return [{ title, safety: 'unsafe', edits: [{ cell: unit.cell, range: { start: { line: next, character: 0 }, end: { line: next, character: 0 } }, newText: TEMPLATE.join('\n') + '\n' }] }];
  }
  const index = after === undefined ? unit.cell : after + 1;
  return [{ title, safety: 'unsafe', edits: [{ insertCell: { index, kind: 'code', source: TEMPLATE.join('\n') } }] }];
}

export default defineRule({
  meta: {
    id: 'untracked-experiment',
    area: 'monitoring',
    defaultSeverity: 'warning',
    recommended: true,
    targets: ['notebook', 'python', 'yaml'],
    fixedId: true,
    messages: {
      untracked:
        'A model is trained here ({{training}}) but no experiment tracking or metrics file records the run. Log parameters and metrics (MLflow, W&B, DVCLive, TensorBoard...) so results can be compared and reproduced.',
    },
    docs: {
      summary: 'Training code with no experiment tracking and no metrics written.',
      whatItDoes:
        'Finds model training (`.fit` of estimators and Keras models, PyTorch/TensorFlow training loops, Hugging Face and Lightning trainers, `xgb.train`/`lgb.train`, Vertex custom training jobs, BigQuery ML `CREATE MODEL`, KFP training components) in a file that records nothing about the run: no MLflow, W&B, Neptune, Comet, DVCLive, ClearML, Aim, TensorBoard writer or Keras TensorBoard/CSVLogger callback, no `report_to=` tracker, no Vertex/SageMaker/Azure ML experiment API, no `log_metric(s)` calls, and no metrics file written (`json.dump` of metrics, `metrics.json`). Preprocessing fits (`scaler.fit`, `vectorizer.fit_transform`) are not training. Jobs run by a platform that records them (Azure ML jobs, Vertex AutoML, MLflow Recipes) count as tracked. Reports once per file, at the first training. Unit tests (`tests/`, `test_*.py`, `conftest.py`) are skipped.',
      whyIsThisBad:
        'Untracked runs cannot be compared, reproduced or audited: which parameters, data and code produced the model that was shipped, and was it better than the last one? The numbers live only in a notebook output or a terminal that is gone (ML Test Score, Monitor 7 and reproducibility; Sculley et al. 2015 on experimental code paths).',
      example: {
        language: 'python',
        code: 'import pandas as pd\nfrom sklearn.ensemble import RandomForestClassifier\n\ndf = pd.read_csv("data/train.csv")\nclf = RandomForestClassifier(n_estimators=200, random_state=0)\nclf.fit(df.drop(columns="label"), df["label"])\n',
      },
      useInstead: {
        language: 'python',
        code: 'import mlflow\nimport pandas as pd\nfrom sklearn.ensemble import RandomForestClassifier\n\nmlflow.autolog()\ndf = pd.read_csv("data/train.csv")\nwith mlflow.start_run():\n    clf = RandomForestClassifier(n_estimators=200, random_state=0)\n    clf.fit(df.drop(columns="label"), df["label"])\n',
      },
      fixSafety:
        'Unsafe template: adds `import mlflow` and `mlflow.autolog()` after the imports (a new cell after the last import cell in notebooks). It adds a dependency and writes runs to the local `mlruns/` folder or the configured tracking server; autologging covers scikit-learn, Keras, Lightning, XGBoost, LightGBM, statsmodels and Transformers, while plain PyTorch loops still need `mlflow.log_metric` calls.',
      notebookBehavior:
        'The whole notebook counts: tracking in any cell silences the rule. Scripts written with `%%writefile train.py` are read as part of the notebook.',
      references: [
        'Breck et al. 2017, The ML Test Score, Monitor 7 and Infra 1 (reproducible training)',
        'Sculley et al. 2015, Hidden Technical Debt in Machine Learning Systems',
        'MLflow Tracking: https://mlflow.org/docs/latest/tracking.html',
        'DVCLive: https://dvc.org/doc/dvclive',
      ],
    },
  },
  check(ctx) {
    if (isTestFile(ctx.file)) return;
    const view = codeView(ctx);
    if (!view) return;
    const { index, sites } = analyseTraining(view.program);
    if (sites.length === 0 || trackingEvidence(index, sites)) return;
    const first = sites[0];
    ctx.report({
      messageId: 'untracked',
      data: { training: first.label },
      location: view.locate(first.unit, first.focus),
      fixes: templateFix(ctx, view, first),
    });
  },
});
