// The training library's per-cell summaries skip work by cheaper first steps (a look at
// a name's last character, a scan for the letters a held-out word needs, one
// qualification per call, one call site per kind test). Each rewritten test is compared
// here with the implementation it replaced (kept below), on fixed tricky inputs and on
// generated ones, so that every finding stays the same.
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { PythonProgram, UnitCache, type PythonUnit } from '../src/core/parse/program';
import { initPython, type CallFact } from '../src/core/parse/python';
import { callKind, kindedCalls, namesHeldOut, trainingTests } from '../src/core/rules/lib/training';

// ---------------------------------------------------------------------------
// The implementations replaced, as they were.

const CV_FUNCS =
  /(^|\.)(\w*KFold|\w*ShuffleSplit|TimeSeriesSplit|LeaveOneOut|LeavePOut|LeaveOneGroupOut|LeavePGroupsOut|PredefinedSplit|cross_val_score|cross_validate|cross_val_predict|GridSearchCV|RandomizedSearchCV|Halving\w*SearchCV|learning_curve|validation_curve|permutation_test_score|CrossValidator|TrainValidationSplit|BayesSearchCV|cv)$/;
const SPLIT_FUNCS = /(^|\.)(train_test_split|randomSplit|random_split|split_dataset|train_valid_test_split)$/;
const oldSplitsName = (s: string): number => (CV_FUNCS.test(s) ? 1 : 0) | (SPLIT_FUNCS.test(s) ? 2 : 0);

function oldNamesHeldOut(identifier: string): boolean {
  const tokens = identifier
    .replace(/([a-z])([A-Z])/g, '$1_$2')
    .toLowerCase()
    .split(/[^a-z0-9]+|(?<=[a-z])(?=\d)/);
  const parts = tokens.filter((t) => t !== '');
  return parts.some((t) => /^(test|tests|testing|testset|tst|vali|valid|validation|validate|valset|holdout|heldout|hold|devset|eval|evaluation|unseen|oos|oot)$/.test(t) || /^(test|valid|holdout|heldout)/.test(t) || (parts.length > 1 && /^(val|dev)$/.test(t)));
}

const VALIDATION_KEYWORDS = new Set(['validation_data', 'validation_split', 'validation_steps', 'validation_freq', 'eval_set', 'eval_dataset', 'eval_data', 'valid_sets', 'valid_data', 'evals', 'validation_fraction', 'val_dataloaders', 'evaluator', 'validation_set', 'test_data', 'eval_steps', 'evaluation_strategy', 'eval_strategy', 'datamodule']);
const SPLIT_KEYWORDS = new Set(['test_size', 'train_size']);

function oldCallHeldOut(call: CallFact, splits: boolean): string | undefined {
  if (splits) return call.callee;
  for (const a of call.args) {
    if (a.name !== undefined && (VALIDATION_KEYWORDS.has(a.name) || SPLIT_KEYWORDS.has(a.name)) && a.text !== 'None' && a.text !== '0') return `${a.name}=`;
    if (a.name === 'split' || a.name === 'subset' || a.name === 'train') {
      if (/test|val|dev|eval|False/i.test(a.text)) return `${a.name}=${a.text}`;
    }
    if (a.kind === 'identifier' && oldNamesHeldOut(a.text)) return a.text;
  }
  const targets = call.assignedTo;
  if (targets !== undefined) for (const t of targets) if (oldNamesHeldOut(t)) return t;
  return undefined;
}

function oldCallsHeldOut(unit: PythonUnit, qualify: (dotted: string) => string): { call?: string; validates: boolean } {
  const out: { call?: string; validates: boolean } = { validates: false };
  for (const c of unit.facts.calls) {
    const q = c.callee.includes('.') ? undefined : qualify(c.callee);
    const splits = oldSplitsName(c.name) | (q !== undefined ? oldSplitsName(q) : 0);
    const cv = (splits & 1) !== 0;
    if (!out.validates && (cv || c.args.some((a) => a.name !== undefined && VALIDATION_KEYWORDS.has(a.name) && a.text !== 'None'))) out.validates = true;
    out.call ??= oldCallHeldOut(c, splits !== 0);
    if (out.call !== undefined && out.validates) break;
  }
  return out;
}

const TRACKING_NAMES = new Set([
  'TensorBoard',
  'CSVLogger',
  'SummaryWriter',
  'create_file_writer',
  ...['TensorBoard', 'Wandb', 'WandB', 'MLFlow', 'MLflow', 'Comet', 'Neptune', 'CSV', 'DVCLive', 'Aim', 'ClearML'].map((p) => `${p}Logger`),
  ...['Wandb', 'MLflow', 'MLFlow', 'Comet', 'Neptune', 'DVCLive', 'ClearML', 'TensorBoard'].map((p) => `${p}Callback`),
  ...['log_metric', 'log_param', 'log_scalar', 'add_scalar'].flatMap((n) => [n, `${n}s`]),
  'log_metadata',
  'log_model_metadata',
  'log_artifact_metadata',
  'log_time_series_metrics',
  'upload_tb_log',
  'start_upload_tb_log',
  'start_run',
  'autolog',
]);
const METRIC_WRITERS = new Set(['open', 'dump', 'to_json', 'to_csv', 'write_text', 'savetxt', 'save']);
const METRIC_FILE = /(metric|score|eval|result|perf|accuracy)[^/\\]*\.(json|ya?ml|csv|tsv|txt)$/i;

function oldCallTracking(call: CallFact, qualify: (dotted: string) => string): string | undefined {
  const trackingCall = (dotted: string): boolean => TRACKING_NAMES.has(dotted.slice(dotted.lastIndexOf('.') + 1));
  const dotted = call.callee.includes('.');
  if (TRACKING_NAMES.has(call.name) || (!dotted && trackingCall(qualify(call.callee)))) {
    if (call.name === 'start_run' && !/mlflow|aiplatform|wandb/.test(qualify(call.callee))) return undefined;
    return call.callee;
  }
  if ((!dotted || call.name === 'init') && qualify(call.callee) === 'google.cloud.aiplatform.init' && call.args.some((a) => a.name === 'experiment')) return 'aiplatform.init(experiment=...)';
  const writer = METRIC_WRITERS.has(call.name);
  for (const a of call.args) {
    if (a.name === 'tensorboard' && a.text !== 'None') return 'tensorboard=';
    if (a.name === 'report_to' && !/^(None|\[\s*\]|["']\s*(none)?\s*["']|\[\s*["']none["']\s*\])$/i.test(a.text)) return `report_to=${a.text}`;
    if (writer && a.str !== undefined && METRIC_FILE.test(a.str)) {
      if (call.name !== 'open' || /[wa]/.test(call.args[1]?.str ?? call.args.find((x) => x.name === 'mode')?.str ?? '')) return `metrics written to ${a.str}`;
    }
  }
  if (call.name === 'dump' && /^(json|yaml)\.dump$/.test(qualify(call.callee)) && /metric|score|result|eval/i.test(call.args[0]?.text ?? '')) return 'metrics written with json.dump';
  return undefined;
}

function oldTrackingCall(unit: PythonUnit, qualify: (dotted: string) => string): string | undefined {
  for (const call of unit.facts.calls) {
    const hit = oldCallTracking(call, qualify);
    if (hit !== undefined) return hit;
  }
  return undefined;
}

const WRITEFILE_FIRST_LINE = /^\s*%%writefile\s+(-a\s+)?\S*\.py\b/;

// ---------------------------------------------------------------------------
// Generators.

/** Names built from the pieces the patterns look for, near misses, and odd characters. */
const namePiece = fc.constantFrom(
  ...['KFold', 'StratifiedKFold', 'ShuffleSplit', 'StratifiedShuffleSplit', 'Halving', 'HalvingGridSearchCV', 'HalvingSearchCV', 'SearchCV', 'GridSearchCV', 'BayesSearchCV', 'cv', 'CV', 'Cv', 'TimeSeriesSplit', 'LeaveOneOut', 'LeavePOut', 'cross_val_score', 'cross_validate', 'cross_val_predict', 'learning_curve', 'CrossValidator'],
  ...['train_test_split', 'randomSplit', 'random_split', 'split_dataset', 'train_valid_test_split', 'split', 'Split', 'fit', 'predict', 'read_csv', 'sklearn', 'model_selection'],
  ...['test', 'Test', 'TEST', 'tst', 'val', 'Val', 'VAL', 'vali', 'valid', 'eval', 'dev', 'Dev', 'hold', 'held', 'Holdout', 'unseen', 'oos', 'oot', 'OOS', 'te', 'st', 'va', 'l', 'ho', 'de', 'v', 'un', 'o'],
  ...['.', '_', '-', ' ', '2', '0', 'x', 'X', 'İ', '\u212a', 'ß', 'é', '\u00a0', '(', ')', '[', ']'],
);
const nameLike = fc.oneof(fc.array(namePiece, { minLength: 1, maxLength: 6 }).map((p) => p.join('')), fc.string({ maxLength: 14 }), fc.string({ unit: 'binary', maxLength: 8 }));

/** Python cells: imports that rename, calls with the arguments the summaries read. */
const importLine = fc.constantFrom(
  'import numpy as np',
  'from sklearn.model_selection import train_test_split as tts',
  'from sklearn.model_selection import KFold as kf, cross_val_score',
  'from mlflow import log_metric as lm, start_run',
  'from wandb import init as start_run',
  'import json',
  'from json import dump',
  'from google.cloud import aiplatform',
  'from google.cloud.aiplatform import init',
  'from torch.utils.tensorboard import SummaryWriter as SW',
  'import yaml as json',
);
const callee = fc.constantFrom(
  ...['tts', 'kf', 'cross_val_score', 'lm', 'start_run', 'mlflow.start_run', 'wandb.start_run', 'json.dump', 'dump', 'yaml.dump', 'aiplatform.init', 'init', 'SW', 'model.fit', 'fit', 'print', 'open', 'df.to_csv', 'np.savetxt', 'Trainer', 'TrainingArguments'],
  ...['train_test_split', 'GridSearchCV', 'sklearn.model_selection.KFold', 'm.evaluate', 'model.predict', 'DataLoader', 'load_dataset', 'tf.keras.callbacks.TensorBoard', 'CSVLogger', 'writer.add_scalar', 'get()().fit', 'x[0].fit'],
);
const arg = fc.constantFrom(
  ...['X_test', 'y_val', 'val_loader', 'valid_ds', 'dev', 'train_dev', 'X', 'y', 'data', 'holdout', 'xTest', 'val2', 'None', '0', '0.2', '"metrics.json"', '"results/eval_scores.csv"', '"w"', '"r"', 'metrics', 'scores'],
  ...['validation_data=(X_val, y_val)', 'validation_data=None', 'validation_split=0', 'test_size=0.2', 'test_size=0', 'train_size=None', 'eval_set=[(a, b)]', 'split="validation"', 'split="train"', 'subset=False', 'train=False', 'evals=None'],
  ...['tensorboard=True', 'tensorboard=None', 'report_to="wandb"', 'report_to="none"', 'report_to=[]', 'report_to=None', 'experiment="exp"', 'mode="w"', 'mode="r"', 'cv=5', 'datamodule=dm'],
);
const callLine = fc.record({ target: fc.constantFrom('', 'a = ', 'X_train, X_test = ', 'val = ', 'metrics = ', 'holdout_scores = '), callee, args: fc.array(arg, { maxLength: 3 }) }).map((c) => `${c.target}${c.callee}(${c.args.join(', ')})`);
const cellText = fc.array(fc.oneof(importLine, callLine, callLine), { minLength: 1, maxLength: 6 }).map((lines) => lines.join('\n'));

describe('training fast paths', () => {
  before(initPython);

  const cache = new UnitCache();
  const programOf = (cells: string[]): PythonProgram => PythonProgram.fromUnits(cache, cells.map((text, cell) => ({ cell, text })));

  it('splitsName gives CV_FUNCS (1) and SPLIT_FUNCS (2) on names made of their pieces', () => {
    const fixed = ['cv', 'x.cv', 'a.b.cv', 'xcv', 'CV', '.cv', 'KFold', 'x.StratifiedKFold', 'a-b.KFold', 'a-bKFold', 'x.y-KFold', 'ShuffleSplit', 'x.StratifiedShuffleSplit', 'é.ShuffleSplit', 'éShuffleSplit'];
    fixed.push('HalvingSearchCV', 'HalvingGridSearchCV', 'HalvingSearchC', 'HalvinSearchCV', 'x.HalvingRandomSearchCV', 'Halving-SearchCV', 'GridSearchCV', 'a.GridSearchCV', 'aGridSearchCV', 'train_test_split', 'sklearn.train_test_split', 'xtrain_test_split', 'split_dataset', 'fit', '', '.', 'v', 'd');
    for (const s of fixed) assert.equal(trainingTests.splitsName(s), oldSplitsName(s), s);
    assert.equal(trainingTests.splitsName('x.cv'), 1);
    assert.equal(trainingTests.splitsName('a.StratifiedKFold'), 1);
    assert.equal(trainingTests.splitsName('a-bKFold'), 0);
    assert.equal(trainingTests.splitsName('HalvingSearchCV'), 1);
    assert.equal(trainingTests.splitsName('sklearn.train_test_split'), 2);
    assert.equal(trainingTests.splitsName('xtrain_test_split'), 0);
    fc.assert(fc.property(nameLike, (s) => trainingTests.splitsName(s) === oldSplitsName(s)), { numRuns: 20000 });
  });

  it('namesHeldOut gives the word test it is guarded by, and the guard never refuses a held-out name', () => {
    const fixed = ['X_test', 'xTest', 'XTEST', 'val_loader', 'val', 'dev', 'train_dev', 'holdout', 'HeldOut', 'unseen_df', 'oos', 'oot', 'tst', 'valİd', 'VALİD', 'x_\u212atest', 'test2', 'val2', 'model', 'X_train', '', 'evaluation', 'e_val', 'vAl_x'];
    for (const s of fixed) assert.equal(namesHeldOut(s), oldNamesHeldOut(s), s);
    assert.equal(namesHeldOut('xTest'), true);
    assert.equal(namesHeldOut('valİd'), true);
    assert.equal(namesHeldOut('model'), false);
    assert.equal(trainingTests.mayNameHeldOut('model'), false);
    fc.assert(
      fc.property(nameLike, (s) => {
        const old = oldNamesHeldOut(s);
        return namesHeldOut(s) === old && (!old || trainingTests.mayNameHeldOut(s));
      }),
      { numRuns: 20000 },
    );
  });

  it('the %%writefile guard never refuses a cell whose first line is a %%writefile of a .py file', () => {
    for (const t of ['%%writefile x.py\nimport os', '  %%writefile -a x.py', '\u00a0%%writefile x.py', '\ufeff%%writefile x.py', '\t\v\f\r%%writefile x.py']) {
      assert.equal(WRITEFILE_FIRST_LINE.test(t.split('\n', 1)[0]), true, JSON.stringify(t));
      assert.equal(trainingTests.mayStartWritefile(t), true, JSON.stringify(t));
    }
    for (const t of ['import os\n%%writefile x.py', '\n%%writefile x.py', '', '# %%writefile x.py']) assert.equal(trainingTests.mayStartWritefile(t), false, JSON.stringify(t));
    const blank = fc.constantFrom(' ', '\t', '\v', '\f', '\r', '\n', '\u00a0', '\u2000', '\u3000', '\ufeff', '\u2028', 'x', '%', '#');
    const text = fc.tuple(fc.array(blank, { maxLength: 4 }), fc.constantFrom('%%writefile x.py', '%%writefile -a a/b.py\nx = 1', '%%writefile x.txt', '%writefile x.py', 'print(1)', ''), fc.string({ maxLength: 6 }));
    fc.assert(
      fc.property(text, ([pre, body, rest]) => {
        const t = pre.join('') + body + rest;
        return !WRITEFILE_FIRST_LINE.test(t.split('\n', 1)[0]) || trainingTests.mayStartWritefile(t);
      }),
      { numRuns: 5000 },
    );
  });

  it('held-out and tracking evidence per cell is what the old scans found', () => {
    const check = (cells: string[]): void => {
      const program = programOf(cells);
      program.units.forEach((unit) => {
        const qualify = (d: string): string => program.qualify(d);
        const old = oldCallsHeldOut(unit, qualify);
        const now = trainingTests.unitCallsHeldOut(unit, program);
        assert.deepEqual({ call: now.call, validates: now.validates }, { call: old.call, validates: old.validates }, unit.text);
        assert.equal(trainingTests.unitTrackingCall(unit, program), oldTrackingCall(unit, qualify), unit.text);
      });
    };
    // Fixed cases: renamed imports, validation keywords, a held-out target, trackers.
    check(['from sklearn.model_selection import train_test_split as tts', 'X_train, X_test = tts(X, y, test_size=0.2)']);
    check(['from mlflow import log_metric as lm', 'lm("acc", 1)']);
    check(['from wandb import init as start_run', 'start_run()', 'mlflow.start_run()']);
    check(['from google.cloud import aiplatform', 'aiplatform.init(experiment="e")']);
    check(['import yaml as json', 'json.dump(metrics, f)', 'open("eval_scores.json", "w")']);
    check(['model.fit(X, y, validation_data=None)', 'model.fit(X, y, validation_data=(a, b))']);
    const p = programOf(['from sklearn.model_selection import train_test_split as tts', 'X_train, X_test = tts(X, y, test_size=0.2)']);
    assert.deepEqual(trainingTests.unitCallsHeldOut(p.units[1], p), { call: 'tts', validates: false });
    fc.assert(
      fc.property(fc.array(cellText, { minLength: 1, maxLength: 3 }), (cells) => {
        check(cells);
      }),
      { numRuns: 300 },
    );
  });

  it('runs every kind test once per call, in registration order, past the tests with a call site of their own', () => {
    const seen: string[] = [];
    const names = ['fit', 'print', 'tts', 'dump', 'start_run', 'predict', 'read_csv', 'train', 'zeros', 'init'];
    // Registered here (they stay registered): enough that some run in the loop after the first eight.
    const kinds = names.map((n, k) =>
      callKind((call, q, dotted) => {
        if (call.name === 'probe') seen.push(`${k}:${q}:${dotted}`);
        assert.equal(dotted, call.callee.includes('.'));
        return call.name === n || (k === 2 && q === 'sklearn.model_selection.train_test_split');
      }),
    );
    const program = programOf(['import numpy as np\nfrom sklearn.model_selection import train_test_split as tts', 'np.probe()\nprobe()', 'a = tts(x)\nmodel.fit(X)\nprint(1)', 'np.zeros(3)\ntrainer.train()\nlen(x)']);
    const all = kindedCalls(program);
    const of = (kind: number): string[] => all.flatMap((calls) => calls.filter((c) => c.kinds & kind).map((c) => `${c.call.callee}->${c.qualified}`));
    assert.deepEqual(
      kinds.map((k) => of(k)),
      [['model.fit->model.fit'], ['print->print'], ['tts->sklearn.model_selection.train_test_split'], [], [], [], [], ['trainer.train->trainer.train'], ['np.zeros->numpy.zeros'], []],
    );
    assert.deepEqual(seen, [...names.map((_, k) => `${k}:numpy.probe:true`), ...names.map((_, k) => `${k}:probe:false`)]);
  });
});
