// The kinds pass keeps, per callee and qualified callee, what the kind tests of the
// callee alone say (`reads: 'callee'`) and which gated tests to run on each call: its
// result must be what running every registered test on every call gives.
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { PythonProgram, UnitCache } from '../src/core/parse/program';
import { initPython } from '../src/core/parse/python';
import '../src/core/rules';
import { callKind, kindedCalls, trainingTests } from '../src/core/rules/lib/training';

/** Every registered test on every call, as the pass did before it kept verdicts. */
function reference(program: PythonProgram): string[][] {
  const tests = trainingTests.kindTests;
  return program.units.map((unit) => {
    const out: string[] = [];
    for (const call of unit.facts.calls) {
      const q = program.qualify(call.callee);
      const dotted = call.name !== call.callee && call.callee.includes('.');
      let kinds = 0;
      for (let k = 0; k < tests.length; k++) if (tests[k](call, q, dotted)) kinds |= 1 << k;
      if (kinds !== 0) out.push(`${call.span.start}:${call.callee}->${q}:${kinds}`);
    }
    return out;
  });
}

function kinded(program: PythonProgram): string[][] {
  return kindedCalls(program).map((calls) => calls.map((c) => `${c.call.span.start}:${c.call.callee}->${c.qualified}:${c.kinds}`));
}

/** Imports that rename the callees below to what some kind looks for (or away from it). */
const importLine = fc.constantFrom(
  'import numpy as np',
  'import numpy.random as random',
  'import random',
  'import torch',
  'import tensorflow as tf',
  'import mlflow as m',
  'import mlflow',
  'from mlflow import sagemaker',
  'from mlflow.sagemaker import deploy',
  'from mlflow.sklearn import log_model',
  'from mlflow import register_model as register',
  'from sklearn.metrics import accuracy_score as score',
  'from sklearn.metrics import f1_score',
  'from sklearn.model_selection import train_test_split as tts',
  'from sklearn.ensemble import RandomForestClassifier as RF',
  'import xgboost as xgb',
  'import lightgbm as xgb',
  'from xgboost import train',
  'from joblib import dump as save',
  'from joblib import dump',
  'import joblib as pickle',
  'from google.cloud import aiplatform',
  'from google.cloud.aiplatform import CustomJob as job',
  'from azure.ai.ml import command',
  'from bentoml import Service',
  'from kserve import V1beta1InferenceService as ISvc',
  'from evaluate import load',
  'import print',
);
const callee = fc.constantFrom(
  ...['np.random.rand', 'random.shuffle', 'random.random', 'rand', 'torch.manual_seed', 'tf.random.set_seed', 'set_seed', 'seed_everything', 'DataLoader', 'random_split', 'rng.normal'],
  ...['m.register_model', 'mlflow.register_model', 'register', 'log_model', 'mlflow.sklearn.log_model', 'client.create_model_version', 'ml_client.models.create_or_update', 'models.create_or_update', 'create_or_update'],
  ...['save', 'dump', 'joblib.dump', 'pickle.dump', 'model.save', 'torch.save', 'model.save_pretrained', 'save_model'],
  ...['deploy', 'model.deploy', 'sagemaker.deploy', 'm.sagemaker.deploy', 'Service', 'bentoml.Service', 'ISvc', 'endpoint.create', 'Endpoint.create', 'deploy_pipeline', 'my_deploy_pipeline.run', 'create_endpoint'],
  ...['model.fit', 'fit', 'train', 'xgb.train', 'trainer.train', 'loss.backward', 'opt.step', 'job', 'aiplatform.CustomJob', 'command', 'train_op', 'finetune_step', 'get()().fit', 'train()'],
  ...['score', 'f1_score', 'accuracy_score', 'model.score', 'model.predict', 'load', 'evaluate.load', 'RF', 'tts', 'print', 'len', 'df.head', 'plt.plot'],
);
const arg = fc.constantFrom('X', 'y', 'None', '42', 'model', 'registered_model_name="m"', 'registered_model_name=None', '"model.pkl"', 'random_state=0', 'seed=1', 'epochs=3', 'shuffle=True');
const callLine = fc
  .tuple(fc.option(fc.constantFrom('a', 'model', 'est', 'clf'), { nil: undefined }), callee, fc.array(arg, { maxLength: 3 }))
  .map(([target, c, args]) => `${target ? `${target} = ` : ''}${c}(${args.join(', ')})`);
const cellText = fc.array(fc.oneof(importLine, callLine, callLine, callLine), { minLength: 1, maxLength: 6 }).map((lines) => lines.join('\n'));

describe('call kinds: verdicts by callee', () => {
  before(initPython);

  const cache = new UnitCache();
  const programOf = (cells: string[]): PythonProgram => PythonProgram.fromUnits(cache, cells.map((text, cell) => ({ cell, text })));

  it('give what every test on every call gives, whatever the imports rename', () => {
    // The same callees under other imports, one program after the other: verdicts kept for one qualified name must not answer for another.
    const fixed = [
      ['score(y, p)'],
      ['from sklearn.metrics import accuracy_score as score', 'score(y, p)'],
      ['score(y, p)', 'import mlflow as score'],
      ['save(model, "m.pkl")', 'from joblib import dump as save'],
      ['from joblib import dump as save', 'save(model, "m.pkl")', 'save(x)'],
      ['import mlflow as m', 'm.sklearn.log_model(model, "m", registered_model_name="x")', 'm.sklearn.log_model(model, "m")'],
      ['import xgboost as xgb', 'xgb.train(params, d)'],
      ['import lightgbm as xgb', 'xgb.train(params, d)'],
      ['xgb.train(params, d)'],
    ];
    for (const cells of fixed) {
      const p = programOf(cells);
      assert.deepEqual(kinded(p), reference(p), cells.join(' | '));
    }
    fc.assert(
      fc.property(fc.array(cellText, { minLength: 1, maxLength: 4 }), (cells) => {
        const p = programOf(cells);
        assert.deepEqual(kinded(p), reference(p), cells.join(' | '));
      }),
      { numRuns: 600 },
    );
  });

  it('runs a test of the callee once per callee and qualified name, and a gated test on every call its gate lets through', () => {
    const seen: string[] = [];
    const byCallee = callKind((call, q) => {
      if (call.name.startsWith('probe')) seen.push(`callee ${call.callee}->${q}`);
      return q.endsWith('.probe_a');
    }, 'callee');
    const gated = callKind(
      (call, q) => {
        seen.push(`gated ${call.callee}:${call.args.length}`);
        return call.args.length > 0 && q.startsWith('lib.');
      },
      { gate: (_callee, name) => name === 'probe_b' },
    );
    const p1 = programOf(['from lib import probe_a, probe_b', 'probe_a()\nprobe_a(1)\nprobe_b()\nprobe_b(1)', 'probe_a()\nprobe_c()']);
    const of = (p: PythonProgram, kind: number): string[] => kindedCalls(p).flatMap((calls) => calls.filter((c) => c.kinds & kind).map((c) => `${c.call.callee}:${c.call.args.length}`));
    assert.deepEqual(of(p1, byCallee), ['probe_a:0', 'probe_a:1', 'probe_a:0']);
    assert.deepEqual(of(p1, gated), ['probe_b:1']);
    assert.deepEqual(seen, ['callee probe_a->lib.probe_a', 'callee probe_b->lib.probe_b', 'gated probe_b:0', 'gated probe_b:1', 'callee probe_c->probe_c']);
    // Another program where the same callees qualify otherwise: asked again, once.
    seen.length = 0;
    const p2 = programOf(['probe_a()\nprobe_a(2)\nprobe_b(1)']);
    assert.deepEqual(of(p2, byCallee), []);
    assert.deepEqual(of(p2, gated), []);
    assert.deepEqual(seen, ['callee probe_a->probe_a', 'callee probe_b->probe_b', 'gated probe_b:1']);
  });
});
