import type { ResolvedCall } from '../../parse/program';
import { defineRule } from '../../rule';
import { importsModule } from '../lib/value-resolver';
import { analyseTraining, callFilter, callLabel, candidateCalls, codeView, evaluatesOnHeldOut, evaluationSites, isTestFile, heldOutEvidence, receiverOf, type EvaluationSite, type ProgramIndex, type TrainingSite } from '../lib/training';

const REPORTED = /\b(loss|acc|accuracy|score|rmse|mse|mae|auc|f1|error)\b/i;

/** Reinforcement learning libraries (a module at or under one of these: `PythonProgram.importsAny`). */
const RL_MODULES = ['gym', 'gymnasium', 'stable_baselines3', 'tf_agents', 'ray.rllib', 'pettingzoo'];

/** Prints and log lines that show a metric (`print(f"loss {loss}")`). */
const unitPrints = callFilter(
  () => true,
  (call) => /^(print|logging\.\w+|\w*log\w*\.(info|debug|warning))$/.test(call.callee) && REPORTED.test(call.args.map((a) => a.text).join(' ')),
);

function positionalTexts(rc: ResolvedCall): string[] {
  return rc.call.args.filter((a) => a.name === undefined).map((a) => a.text.replace(/\s+/g, ''));
}

/** `model.score(X, y)` / `metric(y, model.predict(X))` on the arrays `model.fit(X, y)` saw. */
function scoredOnTrainingData(index: ProgramIndex, fit: TrainingSite, evals: readonly EvaluationSite[]): EvaluationSite | undefined {
  if (fit.kind !== 'fit' || !fit.call || !fit.receiver) return undefined;
  const [x, y] = positionalTexts(fit.call);
  if (!x || !y) return undefined;
  const fitAt = index.atCall(fit.call);
  // Names that hold predictions on X: `pred = model.predict(X)`.
  const predictions = new Set<string>();
  for (const e of evals) {
    if (e.kind !== 'predict' || receiverOf(e.rc.call.callee) !== fit.receiver) continue;
    if (positionalTexts(e.rc)[0] === x) for (const t of e.rc.call.assignedTo ?? []) predictions.add(t);
  }
  for (const e of evals) {
    if (index.atCall(e.rc) < fitAt) continue;
    const args = positionalTexts(e.rc);
    if ((e.kind === 'score' || e.kind === 'evaluate') && receiverOf(e.rc.call.callee) === fit.receiver && args[0] === x && args[1] === y) return e;
    if (e.kind === 'metric' && args.includes(y)) {
      const direct = `${fit.receiver}.predict(${x})`;
      if (args.some((a) => a === direct || a.startsWith(`${fit.receiver}.predict(${x})`) || predictions.has(a))) return e;
    }
  }
  return undefined;
}

export default defineRule({
  meta: {
    id: 'missing-holdout-split',
    area: 'validation',
    defaultSeverity: 'warning',
    recommended: true,
    targets: ['notebook', 'python', 'yaml'],
    fixedId: true,
    messages: {
      noHoldout:
        'The model trained by {{training}} is evaluated or used ({{use}}) with no held-out data anywhere in this file: no train/test split, cross-validation or validation set. Hold out a test set (train_test_split) or cross-validate before trusting its numbers.',
      sameData:
        'The model is scored on the same data it was fit on ({{arrays}}): this measures memorisation, not generalisation. Score it on held-out data (train_test_split, cross_val_score).',
    },
    docs: {
      summary: 'A model is fit and evaluated with no held-out data, or scored on its own training data.',
      whatItDoes:
        'Finds supervised training (`.fit(X, y)` of estimators and Keras models, training loops, trainers, `xgb.train`) that is followed by an evaluation or use of the model (metrics, `.score`, `.evaluate`, `.predict`, printed losses) while nothing in the file keeps data apart: no `train_test_split`, CV splitter or `cross_val_*`, no `validation_data`/`validation_split`/`eval_set`, no test or validation set (names such as `X_test`, `val_ds`, `valid_loader`). Also reports `model.score(X, y)` or `metric(y, model.predict(X))` on the very arrays of `model.fit(X, y)` when no evaluation in the file uses held-out data (a split whose test part is never scored does not count). AutoML, BigQuery ML and MLflow Recipes split data themselves and count as held out. Unit tests (`tests/`, `test_*.py`, `conftest.py`) are skipped.',
      whyIsThisBad:
        'A score computed on the training data rewards memorisation: an overfit model looks perfect and the number says nothing about the data it will see in production. Model quality has to be measured on data the model never saw (ML Test Score, Model 6 and Infra 4).',
      example: {
        language: 'python',
        code: 'from sklearn.datasets import load_iris\nfrom sklearn.tree import DecisionTreeClassifier\n\nX, y = load_iris(return_X_y=True)\nclf = DecisionTreeClassifier()\nclf.fit(X, y)\nprint(clf.score(X, y))\n',
      },
      useInstead: {
        language: 'python',
        code: 'from sklearn.datasets import load_iris\nfrom sklearn.model_selection import train_test_split\nfrom sklearn.tree import DecisionTreeClassifier\n\nX, y = load_iris(return_X_y=True)\nX_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=0)\nclf = DecisionTreeClassifier(random_state=0)\nclf.fit(X_train, y_train)\nprint(clf.score(X_test, y_test))\n',
      },
      fixSafety: 'No fix: where to split (random, stratified, by time or group) depends on the data.',
      notebookBehavior:
        'The whole notebook counts: a split, cross-validation or validation set in any cell silences the rule, unless the only score computed is on the training arrays. Scripts written with `%%writefile` are read as part of the notebook.',
      references: [
        'Breck et al. 2017, The ML Test Score, Model 6 and Infra 4',
        'scikit-learn, Cross-validation: https://scikit-learn.org/stable/modules/cross_validation.html',
        'Keras Model.fit validation_split / validation_data: https://keras.io/api/models/model_training_apis/',
      ],
    },
  },
  check(ctx) {
    if (isTestFile(ctx.file)) return;
    const view = codeView(ctx);
    if (!view) return;
    const { index, sites } = analyseTraining(view.program);
    const fits = sites.filter((s) => s.local && s.supervised);
    if (fits.length === 0) return;
    // Reinforcement learning learns from an environment, not a dataset to split.
    if (importsModule(view.program, RL_MODULES)) return;
    const trained = new Set(fits.map((s) => s.receiver).filter((r): r is string => r !== undefined));
    const evals = evaluationSites(index, trained);
    // Scored on its own training arrays: reported unless some evaluation uses held-out
    // data (a split whose test part is never scored does not help).
    const heldOut = heldOutEvidence(index, sites);
    const validated = heldOut !== undefined && evaluatesOnHeldOut(index, sites, evals);
    for (const fit of fits) {
      const same = validated ? undefined : scoredOnTrainingData(index, fit, evals);
      if (same) {
        const [x, y] = positionalTexts(fit.call!);
        ctx.report({
          messageId: 'sameData',
          data: { arrays: `${x}, ${y}` },
          location: view.locate(same.rc.unit, same.rc.call.span),
          related: [{ location: view.locate(fit.unit, fit.focus), message: 'Fit on the same data here.' }],
        });
        return;
      }
    }
    if (heldOut) return;
    let first = fits[0];
    let use: { unit: typeof first.unit; span: typeof first.span; label: string } | undefined;
    const e = evals.find((x) => index.atCall(x.rc) > index.at(first.unit, first.span.start));
    if (e) use = { unit: e.rc.unit, span: e.rc.call.calleeSpan, label: callLabel(e.rc) };
    const loop = fits.find((s) => s.kind === 'loop');
    if (!use && loop) {
      // A training loop that prints its loss reports a training-data number.
      const loopAt = index.at(loop.unit, loop.span.start);
      let p: ResolvedCall | undefined;
      for (const rc of candidateCalls(index, unitPrints)) {
        if (index.atCall(rc) > loopAt) {
          p = rc;
          break;
        }
      }
      if (p) {
        first = loop;
        use = { unit: p.unit, span: p.call.calleeSpan, label: 'the training loss is printed' };
      }
    }
    if (!use) return;
    ctx.report({
      messageId: 'noHoldout',
      data: { training: first.label, use: use.label },
      location: view.locate(first.unit, first.focus),
      related: [{ location: view.locate(use.unit, use.span), message: 'Evaluated or used here without held-out data.' }],
    });
  },
});
