import * as assert from 'node:assert/strict';
import rule from '../../src/core/rules/monitoring/untracked-experiment';
import { ruleTester } from '../helpers/rule-tester';
import { editSession } from '../helpers/edit-session';

const KFP_COMPONENT = `name: Train model
implementation:
  container:
    image: pytorch/pytorch:1.7.1
    command:
    - python3
    - -c
    - |
      import torch
      def train(model_path):
          model = torch.jit.load(model_path)
          optimizer = torch.optim.Adadelta(model.parameters(), lr=0.1)
          for batch, target in loader:
              optimizer.zero_grad()
              loss = torch.nn.functional.mse_loss(model(batch), target)
              loss.backward()
              optimizer.step()
              print(loss.item())
`;

ruleTester(rule, {
  valid: [
    { name: 'MLflow autologging', code: 'import mlflow\nfrom sklearn.linear_model import LogisticRegression\n\nmlflow.autolog()\nLogisticRegression().fit(X, y)\n' },
    { name: 'Weights & Biases', cells: ['import wandb\nwandb.init(project="churn")', 'model.fit(X_train, y_train, epochs=10)\nwandb.log({"loss": 0.1})'] },
    {
      name: 'Keras TensorBoard callback',
      code: 'import tensorflow as tf\nmodel = tf.keras.Sequential([tf.keras.layers.Dense(1)])\nmodel.compile(loss="mse")\nmodel.fit(X, y, epochs=3, callbacks=[tf.keras.callbacks.TensorBoard(log_dir="logs")])\n',
    },
    {
      name: 'PyTorch loop with a SummaryWriter',
      code: 'import torch\nfrom torch.utils.tensorboard import SummaryWriter\n\nwriter = SummaryWriter()\nfor step, (x, y) in enumerate(loader):\n    optimizer.zero_grad()\n    loss = criterion(model(x), y)\n    loss.backward()\n    optimizer.step()\n    writer.add_scalar("loss", loss.item(), step)\n',
    },
    {
      name: 'metrics written to a file',
      code: 'import json\nfrom sklearn.ensemble import RandomForestRegressor\n\nreg = RandomForestRegressor().fit(X_train, y_train)\nwith open("metrics.json", "w") as f:\n    json.dump({"r2": reg.score(X_test, y_test)}, f)\n',
    },
    { name: 'DVCLive', code: 'from dvclive import Live\nfrom xgboost import XGBClassifier\n\nwith Live() as live:\n    XGBClassifier().fit(X, y)\n    live.log_metric("acc", 0.9)\n' },
    { name: 'Hugging Face trainer reporting to a tracker', code: 'from transformers import Trainer, TrainingArguments\n\nargs = TrainingArguments(output_dir="out", report_to="wandb")\ntrainer = Trainer(model=model, args=args, train_dataset=ds)\ntrainer.train()\n' },
    { name: 'only preprocessing fits', code: 'from sklearn.preprocessing import StandardScaler\nfrom sklearn.feature_extraction.text import TfidfVectorizer\n\nscaler = StandardScaler()\nscaler.fit(X)\nvec = TfidfVectorizer()\nfeatures = vec.fit_transform(texts)\n' },
    { name: 'unit tests', file: 'tests/test_model.py', code: 'from sklearn.linear_model import LinearRegression\n\ndef test_fit():\n    LinearRegression().fit([[0], [1]], [0, 1])\n' },
    { name: 'explanations are not training', code: 'from eli5.sklearn import PermutationImportance\n\nperm = PermutationImportance(clf, random_state=1).fit(X_val, y_val)\n' },
    { name: 'inference only', code: 'import joblib\nmodel = joblib.load("model.pkl")\nmodel.eval()\npreds = model.predict(X)\n' },
    { name: 'torch train mode without a training step', code: 'import torch\nmodel = torch.load("m.pt")\nmodel.train()\nout = model(batch)\n' },
    {
      name: 'an Azure ML training job is tracked by the workspace',
      cells: ['from azure.ai.ml import command, Input\njob = command(code="./src", command="python train.py --data ${{inputs.data}}", inputs={"data": Input(type="uri_file", path="azureml:credit:1")}, experiment_name="credit")', 'ml_client.jobs.create_or_update(job)'],
    },
    {
      name: 'Vertex AutoML records its evaluation',
      cells: ['from google.cloud import aiplatform\njob = aiplatform.AutoMLTabularTrainingJob(display_name="churn", optimization_prediction_type="classification")\nmodel = job.run(dataset=ds, target_column="churned")'],
    },
    { name: 'Vertex custom job with a TensorBoard instance', cells: ['from google.cloud import aiplatform\njob = aiplatform.CustomTrainingJob(display_name="train", script_path="task.py", container_uri=IMAGE)\njob.run(tensorboard=tb.resource_name)'] },
    { name: 'a pipeline node returning its metrics', file: 'nodes.py', code: 'def evaluate(reg, X_test, y_test):\n    reg.fit(X_train, y_train)\n    return {"r2_score": reg.score(X_test, y_test)}\n' },
    { name: 'a local KFP component that does not train', file: 'pipeline.py', code: 'from kfp import dsl\n\n@dsl.component\ndef training_op(n: int) -> int:\n    return n * 2\n\n@dsl.pipeline(name="p")\ndef p():\n    training_op(n=3)\n' },
  ],
  invalid: [
    {
      name: 'scikit-learn fit in a module: MLflow lines after the imports',
      code: 'import pandas as pd\nfrom sklearn.preprocessing import StandardScaler\nfrom sklearn.ensemble import RandomForestClassifier\n\ndf = pd.read_csv("train.csv")\nscaler = StandardScaler().fit(df[["a"]])\nclf = RandomForestClassifier(random_state=0)\nclf.fit(scaler.transform(df[["a"]]), df["y"])\n',
      errors: [{ messageId: 'untracked', line: 8, column: 1, endLine: 8, endColumn: 8, messageIncludes: 'clf.fit(...)' }],
      output:
        'import pandas as pd\nfrom sklearn.preprocessing import StandardScaler\nfrom sklearn.ensemble import RandomForestClassifier\nimport mlflow\n\n# Record parameters, metrics and the model of every training run.\nmlflow.autolog()\n\ndf = pd.read_csv("train.csv")\nscaler = StandardScaler().fit(df[["a"]])\nclf = RandomForestClassifier(random_state=0)\nclf.fit(scaler.transform(df[["a"]]), df["y"])\n',
    },
    {
      name: 'notebook: a tracking cell after the last import cell',
      cells: ['import numpy as np\nimport tensorflow as tf', 'from tensorflow import keras', 'X = np.random.rand(10, 3)\ny = X.sum(axis=1)', 'model = keras.Sequential([keras.layers.Dense(1)])\nmodel.compile(loss="mse")\nhistory = model.fit(X, y, epochs=5)'],
      errors: [{ messageId: 'untracked', cell: 3, line: 3, column: 11, endColumn: 20 }],
      outputCells: [
        'import numpy as np\nimport tensorflow as tf',
        'from tensorflow import keras',
        'import mlflow\n\n# Record parameters, metrics and the model of every training run.\nmlflow.autolog()',
        'X = np.random.rand(10, 3)\ny = X.sum(axis=1)',
        'model = keras.Sequential([keras.layers.Dense(1)])\nmodel.compile(loss="mse")\nhistory = model.fit(X, y, epochs=5)',
      ],
    },
    {
      name: 'notebook: imports and training in one cell',
      cells: [{ markdown: '# Train' }, 'import xgboost as xgb\ndtrain = xgb.DMatrix(X, label=y)\nbooster = xgb.train({"max_depth": 3}, dtrain, num_boost_round=50)'],
      errors: [{ messageId: 'untracked', cell: 1, line: 3, column: 11, messageIncludes: 'xgb.train(...)' }],
      outputCells: [
        '# Train',
        'import xgboost as xgb\nimport mlflow\n\n# Record parameters, metrics and the model of every training run.\nmlflow.autolog()\ndtrain = xgb.DMatrix(X, label=y)\nbooster = xgb.train({"max_depth": 3}, dtrain, num_boost_round=50)',
      ],
    },
    {
      name: 'notebook: no imports at all, the cell goes before the training',
      cells: ['clf.fit(X_train, y_train)'],
      errors: [{ messageId: 'untracked', cell: 0, line: 1, column: 1 }],
      outputCells: ['import mlflow\n\n# Record parameters, metrics and the model of every training run.\nmlflow.autolog()', 'clf.fit(X_train, y_train)'],
    },
    {
      name: 'PyTorch training loop',
      code: 'import torch\n\nfor x, y in loader:\n    optimizer.zero_grad()\n    loss = criterion(model(x), y)\n    loss.backward()\n    optimizer.step()\n',
      errors: [{ messageId: 'untracked', line: 6, column: 5, endColumn: 18, messageIncludes: 'loss.backward()' }],
      output: 'import torch\nimport mlflow\n\n# Record parameters, metrics and the model of every training run.\nmlflow.autolog()\n\nfor x, y in loader:\n    optimizer.zero_grad()\n    loss = criterion(model(x), y)\n    loss.backward()\n    optimizer.step()\n',
    },
    {
      name: 'Hugging Face trainer without report_to',
      code: 'from transformers import Trainer\ntrainer = Trainer(model=model, train_dataset=train_ds)\ntrainer.train()',
      errors: [{ messageId: 'untracked', line: 3, column: 1 }],
      output: 'from transformers import Trainer\nimport mlflow\n\n# Record parameters, metrics and the model of every training run.\nmlflow.autolog()\ntrainer = Trainer(model=model, train_dataset=train_ds)\ntrainer.train()',
    },
    {
      name: 'Lightning trainer',
      code: 'import lightning as L\n\ntrainer = L.Trainer(max_epochs=3)\ntrainer.fit(model, datamodule=dm)\n',
      errors: [{ messageId: 'untracked', line: 4, column: 1, messageIncludes: 'trainer.fit(...)' }],
      output: 'import lightning as L\nimport mlflow\n\n# Record parameters, metrics and the model of every training run.\nmlflow.autolog()\n\ntrainer = L.Trainer(max_epochs=3)\ntrainer.fit(model, datamodule=dm)\n',
    },
    {
      name: 'Vertex custom job with no TensorBoard or experiment',
      cells: ['from google.cloud import aiplatform\nWORKER_CMD = ["python", "trainer/train.py"]', 'job = aiplatform.CustomJob(display_name="mnli", worker_pool_specs=specs)\njob.run(sync=False)'],
      errors: [{ messageId: 'untracked', cell: 1, line: 1, column: 7 }],
      outputCells: [
        'from google.cloud import aiplatform\nWORKER_CMD = ["python", "trainer/train.py"]',
        'import mlflow\n\n# Record parameters, metrics and the model of every training run.\nmlflow.autolog()',
        'job = aiplatform.CustomJob(display_name="mnli", worker_pool_specs=specs)\njob.run(sync=False)',
      ],
    },
    {
      name: 'a training script written by the notebook',
      cells: ['%%writefile train.py\nimport pandas as pd\nfrom sklearn.linear_model import Ridge\n\ndf = pd.read_csv("d.csv")\nRidge().fit(df[["x"]], df["y"])'],
      errors: [{ messageId: 'untracked', cell: 0, line: 6, column: 1, endColumn: 12 }],
      outputCells: ['%%writefile train.py\nimport pandas as pd\nfrom sklearn.linear_model import Ridge\nimport mlflow\n\n# Record parameters, metrics and the model of every training run.\nmlflow.autolog()\n\ndf = pd.read_csv("d.csv")\nRidge().fit(df[["x"]], df["y"])'],
    },
    {
      name: 'KFP component YAML with an embedded training loop: no fix',
      file: 'component.yaml',
      text: KFP_COMPONENT,
      errors: [{ messageId: 'untracked', line: 16, column: 15, endColumn: 28 }],
    },
  ],
});

describe('untracked-experiment after one-cell edits', () => {
  it('follows a tracking import added to and removed from another cell', async () => {
    const lint = await editSession('untracked-experiment');
    const train = 'from sklearn.ensemble import RandomForestClassifier\nclf = RandomForestClassifier()\nclf.fit(X_train, y_train)';
    assert.deepEqual(await lint(['import pandas as pd', train]), ['1:3:1 untracked']);
    assert.deepEqual(await lint(['import pandas as pd\nimport mlflow\nmlflow.autolog()', train]), []);
    assert.deepEqual(await lint(['import pandas as pd', train]), ['1:3:1 untracked']);
    assert.deepEqual(await lint(['import pandas as pd', train, 'import wandb']), []);
  });

  it('follows the training cell being edited', async () => {
    const lint = await editSession('untracked-experiment');
    assert.deepEqual(await lint(['import pandas as pd', 'print(1)']), []);
    assert.deepEqual(await lint(['import pandas as pd', 'model.fit(X_train, y_train, epochs=3)']), ['1:1:1 untracked']);
    assert.deepEqual(await lint(['import pandas as pd', 'print(1)']), []);
  });
});

describe('untracked-experiment: tracking evidence of each kind', () => {
  it('finds an import, a call through an alias, a magic', async () => {
    const lint = await editSession('untracked-experiment');
    const train = 'from sklearn.linear_model import LogisticRegression\nclf = LogisticRegression()\nclf.fit(X, y)';
    assert.deepEqual(await lint([train]), ['0:3:1 untracked']);
    assert.deepEqual(await lint([train, 'import mlflow']), []);
    assert.deepEqual(await lint(['from myutils import log_metrics as lm', `${train}\nlm({"acc": 1})`]), []);
    assert.deepEqual(await lint(['from myutils import helper as lm', `${train}\nlm({"acc": 1})`]), ['1:3:1 untracked']);
    assert.deepEqual(await lint([train, '%load_ext tensorboard']), []);
  });
});

