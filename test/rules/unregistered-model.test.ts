import * as assert from 'node:assert/strict';
import { applyEdits, selectEdits } from '../../src/core/fix/apply';
import rule from '../../src/core/rules/governance/unregistered-model';
import { lintCase, ruleTester } from '../helpers/rule-tester';
import { editSession } from '../helpers/edit-session';

const TRAIN = 'import joblib\nfrom sklearn.ensemble import RandomForestClassifier\n\nmodel = RandomForestClassifier(n_estimators=200, random_state=0)\nmodel.fit(X_train, y_train)\n';

ruleTester(rule, {
  valid: [
    { name: 'registered with MLflow', code: TRAIN + 'joblib.dump(model, "models/rf.joblib")\nimport mlflow\nmlflow.sklearn.log_model(model, "model", registered_model_name="churn-rf")\n' },
    { name: 'mlflow.register_model', code: TRAIN + 'joblib.dump(model, "models/rf.joblib")\nmlflow.register_model(f"runs:/{run_id}/model", "churn-rf")\n' },
    {
      name: 'Azure ML model asset',
      code: TRAIN + 'joblib.dump(model, "outputs/rf.joblib")\nfrom azure.ai.ml.entities import Model\nml_client.models.create_or_update(Model(path="outputs/rf.joblib", name="churn-rf"))\n',
    },
    { name: 'Vertex model upload', code: TRAIN + 'joblib.dump(model, "model.joblib")\nfrom google.cloud import aiplatform\naiplatform.Model.upload(display_name="rf", artifact_uri=URI, serving_container_image_uri=IMG)\n' },
    { name: 'Hugging Face hub push', code: 'from transformers import Trainer\ntrainer = Trainer(model=model, args=args, train_dataset=ds)\ntrainer.train()\ntrainer.save_model("out")\ntrainer.push_to_hub()\n' },
    { name: 'a dvc add shell step', cells: [TRAIN + 'joblib.dump(model, "models/rf.joblib")', '!dvc add models/rf.joblib'] },
    {
      name: 'the path is a DVC stage output',
      file: 'src/train.py',
      code: TRAIN + 'joblib.dump(model, "models/rf.joblib")\n',
      files: { 'dvc.yaml': 'stages:\n  train:\n    cmd: python src/train.py\n    outs:\n      - src/models/rf.joblib\n' },
    },
    { name: 'the platform chose the place', code: TRAIN + 'import os\njoblib.dump(model, os.path.join(os.environ["AIP_MODEL_DIR"], "model.joblib"))\nmodel.save(args.model_dir)\n' },
    { name: 'a pipeline output artifact', code: TRAIN + 'def component(model_out):\n    joblib.dump(model, model_out.path + "/model.joblib")\n' },
    { name: 'a remote destination', code: TRAIN + 'model.save("gs://bucket/models/rf")\n' },
    { name: 'preprocessing objects are not models', code: TRAIN + 'from sklearn.preprocessing import StandardScaler\nscaler = StandardScaler().fit(X)\njoblib.dump(scaler, "scaler.joblib")\ntokenizer.save_pretrained("tok")\n' },
    { name: 'no training in the file (a conversion script)', code: 'import joblib\nmodel = joblib.load("a.joblib")\njoblib.dump(model, "b.joblib")\n' },
    { name: 'unit tests are skipped', file: 'tests/test_train.py', code: TRAIN + 'joblib.dump(model, "m.joblib")\n' },
  ],
  invalid: [
    {
      name: 'joblib.dump of a fitted estimator: the template registers it in MLflow',
      code: TRAIN + 'joblib.dump(model, "models/churn_rf.joblib")\n',
      errors: [
        {
          messageId: 'unregistered',
          line: 6,
          column: 1,
          endColumn: 12,
          message:
            '`joblib.dump` saves the trained model `model` only to a local file ("models/churn_rf.joblib"), and nothing in this file registers or versions it: no name, version or lineage to deploy, audit or roll back. Register it (MLflow `log_model(..., registered_model_name=...)`, Azure ML `ml_client.models.create_or_update`, Vertex `Model.upload`, a SageMaker model package) or version the file with DVC.',
        },
      ],
      output: TRAIN + 'joblib.dump(model, "models/churn_rf.joblib")\nimport mlflow\nmlflow.sklearn.log_model(model, "model", registered_model_name="churn-rf")\n',
    },
    {
      name: 'a Keras model saved in a notebook cell, inside a with block, mlflow already imported',
      cells: [
        'import mlflow\nimport tensorflow as tf\nmodel = tf.keras.Sequential([tf.keras.layers.Dense(1)])\nmodel.compile(loss="mse")\nmodel.fit(X, y, epochs=3)',
        'with tf.device("/cpu:0"):\n    model.save("my_model.keras")\nprint("saved")',
      ],
      errors: [{ messageId: 'unregistered', cell: 1, line: 2, column: 5, endColumn: 15, messageIncludes: 'nothing in this notebook registers' }],
      outputCells: [
        'import mlflow\nimport tensorflow as tf\nmodel = tf.keras.Sequential([tf.keras.layers.Dense(1)])\nmodel.compile(loss="mse")\nmodel.fit(X, y, epochs=3)',
        'with tf.device("/cpu:0"):\n    model.save("my_model.keras")\n    mlflow.tensorflow.log_model(model, "model", registered_model_name="my-model")\nprint("saved")',
      ],
    },
    {
      name: 'a torch state_dict after a training loop',
      code: 'import torch\nfor epoch in range(3):\n    loss = loss_fn(net(x), y)\n    opt.zero_grad()\n    loss.backward()\n    opt.step()\ntorch.save(net.state_dict(), "checkpoints/net.pt")\n',
      errors: [{ messageId: 'unregistered', line: 7, column: 1, messageIncludes: 'the trained model `net`' }],
      output: 'import torch\nfor epoch in range(3):\n    loss = loss_fn(net(x), y)\n    opt.zero_grad()\n    loss.backward()\n    opt.step()\ntorch.save(net.state_dict(), "checkpoints/net.pt")\nimport mlflow\nmlflow.pytorch.log_model(net, "model", registered_model_name="net")\n',
    },
    {
      name: 'pickle through a file handle, unknown library: no template',
      code: 'import pickle\nclf = make_classifier()\nclf.fit(X, y)\nwith open("clf.pkl", "wb") as f:\n    pickle.dump(clf, f)\n',
      errors: [{ messageId: 'unregistered', line: 5, column: 5, messageIncludes: '("clf.pkl")' }],
    },
    {
      name: 'a save in a %%writefile training script',
      cells: ['%%writefile train.py\nimport joblib\nfrom sklearn.linear_model import LogisticRegression\nclf = LogisticRegression().fit(X, y)\njoblib.dump(clf, "model.joblib")\n'],
      errors: [{ messageId: 'unregistered', cell: 0, line: 5, column: 1 }],
      outputCells: ['%%writefile train.py\nimport joblib\nfrom sklearn.linear_model import LogisticRegression\nclf = LogisticRegression().fit(X, y)\njoblib.dump(clf, "model.joblib")\nimport mlflow\nmlflow.sklearn.log_model(clf, "model", registered_model_name="model")\n'],
    },
  ],
});

describe('unregistered-model template re-lints clean', () => {
  it('the inserted registration silences the rule and adds no finding', async () => {
    const code = TRAIN + 'joblib.dump(model, "models/churn_rf.joblib")\nprint("done")\n';
    const r = await lintCase(rule, { code });
    const mine = r.findings.filter((f) => f.rule === rule.meta.id);
    assert.equal(mine.length, 1);
    const out = applyEdits('main.py', code, selectEdits(mine, { unsafe: true }).edits);
    assert.ok(out !== undefined);
    const again = await lintCase(rule, { code: out });
    assert.deepEqual(again.findings.map((f) => f.message), []);
  });
});

describe('unregistered-model after one-cell edits', () => {
  it('follows registrations, shell steps and the saves of other cells', async () => {
    const lint = await editSession('unregistered-model');
    const cells = ['import joblib\nfrom sklearn.ensemble import RandomForestClassifier', 'model = RandomForestClassifier()\nmodel.fit(X, y)', 'joblib.dump(model, "model.joblib")'];
    assert.deepEqual(await lint(cells), ['2:1:1 unregistered']);
    assert.deepEqual(await lint([...cells, 'import mlflow\nmlflow.sklearn.log_model(model, "m", registered_model_name="m")']), []);
    assert.deepEqual(await lint([...cells, '!dvc add model.joblib']), []);
    assert.deepEqual(await lint([...cells, '!ls model.joblib']), ['2:1:1 unregistered']);
    // A save through a bare name imported from joblib.
    assert.deepEqual(await lint(['from joblib import dump as save_it\nfrom sklearn.ensemble import RandomForestClassifier', cells[1], 'save_it(model, "model.joblib")']), ['2:1:1 unregistered']);
    assert.deepEqual(await lint(['from shutil import copy as save_it\nfrom sklearn.ensemble import RandomForestClassifier', cells[1], 'save_it(model, "model.joblib")']), []);
  });
});

