// The name tests of the training library that skip a pattern by a cheaper first
// step (first letter, first segment, a cached result) give the pattern's answers:
// each is compared with the test it replaced (kept here), on fixed and generated names.
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { PythonProgram, UnitCache } from '../src/core/parse/program';
import { initPython } from '../src/core/parse/python';
import { trainingTests } from '../src/core/rules/lib/training';

const METRIC_FUNC = /^(sklearn\.metrics\.(?!make_scorer|get_scorer)\w+|torchmetrics\.\w+|evaluate\.load|keras\.metrics\.\w+|tensorflow\.keras\.metrics\.\w+)$/;
const oldMetricFunction = (q: string): boolean =>
  (q.startsWith('sklearn.metrics.') || q.startsWith('torchmetrics.') || q === 'evaluate.load' || q.startsWith('keras.metrics.') || q.startsWith('tensorflow.keras.metrics.')) && METRIC_FUNC.test(q);
const BOOSTER_FUNCS = /^(xgboost\.train|lightgbm\.train|catboost\.train|fasttext\.train_(supervised|unsupervised)|xgboost\.dask\.train)$/;
const CV_FUNCS =
  /(^|\.)(\w*KFold|\w*ShuffleSplit|TimeSeriesSplit|LeaveOneOut|LeavePOut|LeaveOneGroupOut|LeavePGroupsOut|PredefinedSplit|cross_val_score|cross_validate|cross_val_predict|GridSearchCV|RandomizedSearchCV|Halving\w*SearchCV|learning_curve|validation_curve|permutation_test_score|CrossValidator|TrainValidationSplit|BayesSearchCV|cv)$/;
const SPLIT_FUNCS = /(^|\.)(train_test_split|randomSplit|random_split|split_dataset|train_valid_test_split)$/;
const TRACKING_MODULES = ['mlflow', 'wandb', 'neptune', 'neptune_client', 'comet_ml', 'dvclive', 'clearml', 'aim', 'tensorboardX', 'torch.utils.tensorboard', 'sacred', 'guildai', 'polyaxon', 'mlrun', 'azureml.core', 'azureml.mlflow', 'sagemaker.experiments', 'metaflow', 'determined', 'ray.air.integrations', 'keepsake'];
function oldTrackingImport(imports: ReadonlyArray<{ module: string; name?: string }>): string | undefined {
  for (const imp of imports) {
    const full = imp.name ? `${imp.module}.${imp.name}` : imp.module;
    const hit = TRACKING_MODULES.find((p) => full === p || full.startsWith(p + '.') || imp.module === p || imp.module.startsWith(p + '.'));
    if (hit) return hit;
    if (/^(tensorflow\.)?keras\.callbacks\.(TensorBoard|CSVLogger)$|^tensorflow\.summary/.test(full)) return full;
  }
  return undefined;
}

/** Dotted names built from pieces of the names the patterns look for, and near misses. */
const piece = fc.constantFrom('sklearn', 'metrics', 'torchmetrics', 'evaluate', 'load', 'keras', 'tensorflow', 'xgboost', 'lightgbm', 'catboost', 'fasttext', 'train', 'dask', 'train_supervised', 'train_unsupervised', 'make_scorer', 'f1_score', 'KFold', 'StratifiedKFold', 'cv', 'train_test_split', 'randomSplit', 'GridSearchCV', 'mlflow', 'wandb', 'torch', 'utils', 'tensorboard', 'tensorboardX', 'callbacks', 'TensorBoard', 'CSVLogger', 'summary', 'azureml', 'core', 'ray', 'air', 'integrations', 'aim', 'x', '', 'Sklearn', 'e');
const dotted = fc.array(piece, { minLength: 1, maxLength: 5 }).map((p) => p.join('.'));
const name = fc.oneof(dotted, fc.string({ maxLength: 12 }));

describe('training name tests', () => {
  before(initPython);

  it('metricFunction gives METRIC_FUNC after its prefix tests', () => {
    for (const q of ['sklearn.metrics.f1_score', 'sklearn.metrics.make_scorer', 'torchmetrics.Accuracy', 'evaluate.load', 'evaluate.loads', 'keras.metrics.AUC', 'tensorflow.keras.metrics.AUC', 'tf.keras.metrics.AUC', 'f1_score', '']) {
      assert.equal(trainingTests.metricFunction(q), oldMetricFunction(q), q);
    }
    assert.equal(trainingTests.metricFunction('sklearn.metrics.f1_score'), true);
    assert.equal(trainingTests.metricFunction('evaluate.load'), true);
    assert.equal(trainingTests.metricFunction('sklearn.metrics.make_scorer'), false);
    fc.assert(fc.property(name, (q) => trainingTests.metricFunction(q) === oldMetricFunction(q)), { numRuns: 3000 });
  });

  it('boosterFunction gives BOOSTER_FUNCS', () => {
    assert.equal(trainingTests.boosterFunction('xgboost.train'), true);
    assert.equal(trainingTests.boosterFunction('fasttext.train_supervised'), true);
    assert.equal(trainingTests.boosterFunction('xgb.train'), false);
    fc.assert(fc.property(name, (q) => trainingTests.boosterFunction(q) === BOOSTER_FUNCS.test(q)), { numRuns: 3000 });
  });

  it('splitsName gives CV_FUNCS (1) and SPLIT_FUNCS (2)', () => {
    assert.equal(trainingTests.splitsName('StratifiedKFold'), 1);
    assert.equal(trainingTests.splitsName('sklearn.model_selection.train_test_split'), 2);
    assert.equal(trainingTests.splitsName('fit'), 0);
    fc.assert(fc.property(name, (q) => trainingTests.splitsName(q) === ((CV_FUNCS.test(q) ? 1 : 0) | (SPLIT_FUNCS.test(q) ? 2 : 0))), { numRuns: 3000 });
  });

  it('unitTrackingImport gives the scan of every tracking module', () => {
    const cache = new UnitCache();
    const unit = (text: string) => PythonProgram.fromUnits(cache, [{ cell: 0, text }]).units[0];
    assert.equal(trainingTests.unitTrackingImport(unit('import mlflow.sklearn')), 'mlflow');
    assert.equal(trainingTests.unitTrackingImport(unit('from torch.utils import tensorboard')), 'torch.utils.tensorboard');
    assert.equal(trainingTests.unitTrackingImport(unit('from tensorflow.keras.callbacks import TensorBoard')), 'tensorflow.keras.callbacks.TensorBoard');
    assert.equal(trainingTests.unitTrackingImport(unit('import tensorflow.summary as s')), 'tensorflow.summary');
    assert.equal(trainingTests.unitTrackingImport(unit('import torch\nfrom keras import layers')), undefined);
    const imp = fc.record({ module: dotted, name: fc.option(fc.oneof(piece, dotted), { nil: undefined }) });
    fc.assert(
      fc.property(fc.array(imp, { maxLength: 4 }), (imports) => {
        const u = { ...unit(''), facts: { calls: [], imports: imports.map((i) => ({ ...i, alias: 'z', span: { start: 0, end: 0 } })), strings: [], assignments: [], functions: [] } };
        return trainingTests.unitTrackingImport(u) === oldTrackingImport(imports);
      }),
      { numRuns: 3000 },
    );
  });
});
