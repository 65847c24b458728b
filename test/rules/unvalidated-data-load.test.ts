import * as assert from 'node:assert/strict';
import rule from '../../src/core/rules/validation/unvalidated-data-load';
import { ruleTester } from '../helpers/rule-tester';
import { editSession } from '../helpers/edit-session';

const TRAIN_PY = `import pandas as pd
from sklearn.ensemble import RandomForestClassifier

df = pd.read_csv("data/churn.csv")
X = df[["tenure", "monthly_charges"]]
y = df["churned"]
clf = RandomForestClassifier(random_state=0)
clf.fit(X, y)
`;

const KFP_COMPONENT = `name: Train model from CSV
inputs:
- {name: training_data, type: CSV}
outputs:
- {name: model, type: PyTorchScriptModule}
implementation:
  container:
    image: pytorch/pytorch:1.7.1
    command:
    - python3
    - -c
    - |
      def train(training_data_path, model_path):
          import pandas
          import torch
          df = pandas.read_csv(training_data_path)
          model = torch.nn.Linear(df.shape[1] - 1, 1)
          optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
          for epoch in range(10):
              optimizer.zero_grad()
              loss = torch.nn.functional.mse_loss(model(torch.tensor(df.values[:, 1:])), torch.tensor(df.values[:, :1]))
              loss.backward()
              optimizer.step()
          torch.save(model, model_path)
      import sys
      train(sys.argv[1], sys.argv[2])
`;

ruleTester(rule, {
  valid: [
    {
      name: 'pandera schema validates the frame',
      code: `import pandas as pd
import pandera as pa
from sklearn.linear_model import LogisticRegression

schema = pa.DataFrameSchema({"tenure": pa.Column(int), "churned": pa.Column(int)})
df = schema.validate(pd.read_csv("data/churn.csv"))
LogisticRegression().fit(df[["tenure"]], df["churned"])
`,
    },
    {
      name: 'an assert on the columns in another cell',
      cells: [
        'import pandas as pd\ndf = pd.read_csv("data/churn.csv")',
        'assert {"tenure", "churned"} <= set(df.columns)\nassert df["tenure"].between(0, 120).all()',
        'from sklearn.linear_model import LogisticRegression\nmodel = LogisticRegression()\nmodel.fit(df[["tenure"]], df["churned"])',
      ],
    },
    {
      name: 'Great Expectations in the notebook',
      cells: ['import great_expectations as gx\nimport pandas as pd\ndf = pd.read_csv("train.csv")', 'from xgboost import XGBClassifier\nXGBClassifier().fit(df.drop(columns="y"), df["y"])'],
    },
    {
      name: 'Evidently data tests',
      code: 'import pandas as pd\nfrom evidently import Report\nfrom evidently.presets import DataSummaryPreset\nfrom sklearn.linear_model import LinearRegression\n\ndf = pd.read_parquet("trips.parquet")\nReport([DataSummaryPreset()]).run(df, None)\nLinearRegression().fit(df[["distance"]], df["fare"])\n',
    },
    {
      name: 'pydantic row models',
      code: 'import pandas as pd\nfrom pydantic import BaseModel\nfrom sklearn.linear_model import LinearRegression\n\nclass Row(BaseModel):\n    x: float\n    y: float\n\ndf = pd.read_csv("rows.csv")\nrows = [Row.model_validate(r) for r in df.to_dict("records")]\nLinearRegression().fit(df[["x"]], df["y"])\n',
    },
    { name: 'unit tests fit on fixtures', file: 'tests/test_train.py', code: 'import pandas as pd\nfrom sklearn.linear_model import LinearRegression\n\ndef test_fit():\n    df = pd.read_csv("tests/fixtures/small.csv")\n    LinearRegression().fit(df[["x"]], df["y"])\n' },
    { name: 'MLflow recipe notebook that only ingests', cells: ['from mlflow.recipes import Recipe\nr = Recipe(profile="local")', 'r.run("ingest")\nr.inspect("ingest")'] },
    { name: 'data is read but nothing is trained', code: 'import pandas as pd\ndf = pd.read_csv("data/sales.csv")\nprint(df.describe())\n' },
    { name: 'only a preprocessing fit', code: 'import pandas as pd\nfrom sklearn.preprocessing import StandardScaler\ndf = pd.read_csv("x.csv")\nscaler = StandardScaler()\nscaler.fit(df)\nX = scaler.transform(df)\n' },
    {
      name: 'training on synthetic data, the file is read only afterwards',
      code: 'import numpy as np\nimport pandas as pd\nfrom sklearn.linear_model import LinearRegression\n\nX = np.random.rand(100, 1)\ny = 3 * X[:, 0]\nmodel = LinearRegression().fit(X, y)\nnew = pd.read_csv("to_score.csv")\nprint(model.predict(new))\n',
    },
    {
      name: 'a Vertex custom container job that reads its data itself',
      cells: ['from google.cloud import aiplatform\njob = aiplatform.CustomContainerTrainingJob(display_name="train", container_uri=IMAGE)\njob.run(args=["--epochs", "5"])'],
    },
    {
      name: 'Azure ML sweep of a script that is not training',
      file: 'hello-sweep.yml',
      text: '$schema: https://azuremlschemas.azureedge.net/latest/sweepJob.schema.json\ntype: sweep\ntrial:\n  command: python hello-sweep.py --A ${{inputs.A}}\ninputs:\n  A: 0.5\n',
    },
    {
      name: 'Azure ML pipeline with a data validation step',
      file: 'pipeline.yml',
      text: `$schema: https://azuremlschemas.azureedge.net/latest/pipelineJob.schema.json
type: pipeline
inputs:
  raw:
    type: uri_file
    path: azureml:credit:3
jobs:
  validate_data:
    command: python validate.py --data \${{parent.inputs.raw}}
  train_model:
    command: python train.py --data \${{parent.inputs.raw}}
`,
    },
    {
      name: 'a workflow that only builds',
      file: '.github/workflows/ci.yml',
      text: 'on: push\njobs:\n  build:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: pip install -r requirements.txt\n',
    },
    {
      name: 'a training workflow with a Great Expectations step',
      file: '.github/workflows/train.yml',
      text: 'on: push\njobs:\n  train:\n    runs-on: ubuntu-latest\n    steps:\n      - run: dvc pull\n      - name: Validate data\n        run: great_expectations checkpoint run churn\n      - name: Train model\n        run: python train.py\n',
    },
  ],
  invalid: [
    {
      name: 'read_csv then fit in a module: lines inserted after the load',
      code: TRAIN_PY,
      errors: [{ messageId: 'unvalidated', line: 4, column: 6, endLine: 4, endColumn: 35, related: ['Training happens here.'] }],
      output: `import pandas as pd
from sklearn.ensemble import RandomForestClassifier

df = pd.read_csv("data/churn.csv")
# Check the data before training on it: fail fast when its shape changes.
expected_columns = ["tenure", "monthly_charges", "churned"]
missing_columns = set(expected_columns) - set(df.columns)
assert not missing_columns, f"missing columns: {sorted(missing_columns)}"
assert len(df) > 0, "no rows loaded"
X = df[["tenure", "monthly_charges"]]
y = df["churned"]
clf = RandomForestClassifier(random_state=0)
clf.fit(X, y)
`,
    },
    {
      name: 'notebook: a check cell is inserted after the load cell',
      cells: [
        'import pandas as pd\nfrom sklearn.linear_model import LinearRegression',
        'housing = pd.read_csv("datasets/housing.csv")',
        'housing["rooms_per_household"] = housing["total_rooms"] / housing["households"]',
        'model = LinearRegression()\nmodel.fit(housing[["median_income"]], housing["median_house_value"])',
      ],
      errors: [{ messageId: 'unvalidated', cell: 1, line: 1, column: 11, related: ['Training happens here.'] }],
      outputCells: [
        'import pandas as pd\nfrom sklearn.linear_model import LinearRegression',
        'housing = pd.read_csv("datasets/housing.csv")',
        '# Check the data before training on it: fail fast when its shape changes.\nexpected_columns = ["total_rooms", "households", "median_income", "median_house_value"]\nmissing_columns = set(expected_columns) - set(housing.columns)\nassert not missing_columns, f"missing columns: {sorted(missing_columns)}"\nassert len(housing) > 0, "no rows loaded"',
        'housing["rooms_per_household"] = housing["total_rooms"] / housing["households"]',
        'model = LinearRegression()\nmodel.fit(housing[["median_income"]], housing["median_house_value"])',
      ],
    },
    {
      name: 'notebook: load and training in one cell, a version assert is no data check',
      cells: ['import sys\nassert sys.version_info >= (3, 7)', 'import pandas as pd\nfrom sklearn.svm import SVC\ndata = pd.read_parquet("train.parquet")\nSVC().fit(data.drop(columns="label"), data["label"])'],
      errors: [{ messageId: 'unvalidated', cell: 1, line: 3, column: 8 }],
      outputCells: [
        'import sys\nassert sys.version_info >= (3, 7)',
        'import pandas as pd\nfrom sklearn.svm import SVC\ndata = pd.read_parquet("train.parquet")\n# Check the data before training on it: fail fast when its shape changes.\nexpected_columns = ["label"]\nmissing_columns = set(expected_columns) - set(data.columns)\nassert not missing_columns, f"missing columns: {sorted(missing_columns)}"\nassert len(data) > 0, "no rows loaded"\nSVC().fit(data.drop(columns="label"), data["label"])',
      ],
    },
    {
      name: 'a frame renamed on load keeps the template; columns created later are not expected',
      code: 'import pandas as pd\nfrom sklearn.linear_model import Ridge\n\nsales = pd.read_csv("sales.csv").rename(columns={"amt": "amount"})\nsales["log_amount"] = sales["amount"].clip(lower=1)\nRidge().fit(sales[["log_amount"]], sales["units"])\n',
      errors: [{ messageId: 'unvalidated', line: 4, column: 9 }],
      output:
        'import pandas as pd\nfrom sklearn.linear_model import Ridge\n\nsales = pd.read_csv("sales.csv").rename(columns={"amt": "amount"})\n# Check the data before training on it: fail fast when its shape changes.\nexpected_columns = ["amount", "units"]\nmissing_columns = set(expected_columns) - set(sales.columns)\nassert not missing_columns, f"missing columns: {sorted(missing_columns)}"\nassert len(sales) > 0, "no rows loaded"\nsales["log_amount"] = sales["amount"].clip(lower=1)\nRidge().fit(sales[["log_amount"]], sales["units"])\n',
    },
    {
      name: 'an array taken from the frame gets no template',
      code: 'import pandas as pd\nfrom sklearn.svm import SVR\n\ndata = pd.read_csv("points.csv").values\nSVR().fit(data[:, :-1], data[:, -1])\n',
      errors: [{ messageId: 'unvalidated', line: 4, column: 8 }],
    },
    {
      name: 'Keras dataset loader: reported without a fix',
      cells: [
        'import tensorflow as tf\nmnist = tf.keras.datasets.mnist\n(x_train, y_train), (x_test, y_test) = mnist.load_data()',
        'model = tf.keras.Sequential([tf.keras.layers.Flatten(), tf.keras.layers.Dense(10)])\nmodel.compile(optimizer="adam", loss="sparse_categorical_crossentropy")\nmodel.fit(x_train, y_train, epochs=5, validation_data=(x_test, y_test))',
      ],
      errors: [{ messageId: 'unvalidated', cell: 0, line: 3, column: 40, messageIncludes: 'mnist.load_data()' }],
    },
    {
      name: 'a training script written by the notebook',
      cells: [
        '%%writefile src/train.py\nimport argparse\nimport pandas as pd\nfrom sklearn.ensemble import GradientBoostingClassifier\n\nargs = argparse.ArgumentParser().parse_args()\ncredit = pd.read_csv(args.data)\nGradientBoostingClassifier().fit(credit.drop(columns=["default"]), credit["default"])',
      ],
      errors: [{ messageId: 'unvalidated', cell: 0, line: 7, column: 10 }],
      outputCells: [
        '%%writefile src/train.py\nimport argparse\nimport pandas as pd\nfrom sklearn.ensemble import GradientBoostingClassifier\n\nargs = argparse.ArgumentParser().parse_args()\ncredit = pd.read_csv(args.data)\n# Check the data before training on it: fail fast when its shape changes.\nexpected_columns = ["default"]\nmissing_columns = set(expected_columns) - set(credit.columns)\nassert not missing_columns, f"missing columns: {sorted(missing_columns)}"\nassert len(credit) > 0, "no rows loaded"\nGradientBoostingClassifier().fit(credit.drop(columns=["default"]), credit["default"])',
      ],
    },
    {
      name: 'BigQuery ML CREATE MODEL',
      cells: ['from google.cloud import bigquery\nclient = bigquery.Client()', 'query = """\nCREATE OR REPLACE MODEL `demo.churn_model`\nOPTIONS(model_type="logistic_reg", input_label_cols=["churned"]) AS\nSELECT * FROM `demo.customers`\n"""\nclient.query(query).result()'],
      errors: [{ messageId: 'unvalidated', cell: 1, line: 1, column: 9, messageIncludes: 'CREATE MODEL' }],
    },
    {
      name: 'a pipeline node that trains on a DataFrame parameter',
      file: 'nodes.py',
      code: 'import pandas as pd\nfrom sklearn.linear_model import LinearRegression\n\n\ndef train_model(features: pd.DataFrame, target: pd.Series) -> LinearRegression:\n    regressor = LinearRegression()\n    regressor.fit(features, target)\n    return regressor\n',
      errors: [{ messageId: 'unvalidated', line: 5, column: 5, endColumn: 16, messageIncludes: 'the DataFrame parameter of train_model()' }],
    },
    {
      name: 'Azure ML AutoML job',
      file: 'automl-job.yml',
      text: '$schema: https://azuremlschemas.azureedge.net/latest/autoMLJob.schema.json\ntype: automl\nexperiment_name: churn\ntask: classification\nprimary_metric: accuracy\ntarget_column_name: "y"\ntraining_data:\n  path: ./training-mltable-folder\n  type: mltable\n',
      errors: [{ messageId: 'config', line: 7, column: 1, endColumn: 14, related: ['Training happens here.'], messageIncludes: 'AutoML classification' }],
    },
    {
      name: 'Azure ML pipeline job with a fine-tuning component',
      file: 'finetune-pipeline.yml',
      text: `$schema: https://azuremlschemas.azureedge.net/latest/pipelineJob.schema.json
type: pipeline
display_name: finetune_and_evaluate
inputs:
  train_dataset_path:
    type: uri_folder
    path: azureml:train_set:1
  learning_rate: 0.001
jobs:
  finetune:
    type: command
    component: azureml://registries/demo/components/finetune/versions/1
    inputs:
      data: \${{parent.inputs.train_dataset_path}}
`,
      errors: [{ messageId: 'config', line: 5, column: 3, related: ['Training happens here.'], messageIncludes: 'pipeline step finetune' }],
    },
    {
      name: 'GitHub workflow that pulls data and trains',
      file: '.github/workflows/train-model.yaml',
      text: 'name: train\non: push\njobs:\n  train:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - name: Train model\n        run: |\n          pip install -r requirements.txt\n          dvc pull\n          dvc repro\n',
      errors: [{ messageId: 'config', line: 11, column: 11, endColumn: 19, related: ['Training happens here.'] }],
    },
    {
      name: 'MLflow recipe with a train step',
      file: 'recipe.yaml',
      text: 'recipe: "classification/v1"\ntarget_col: "is_red"\nsteps:\n  ingest:\n    using: csv\n    location: data/wine.csv\n  split:\n    split_ratios: [0.75, 0.125, 0.125]\n  train:\n    using: custom\n    estimator_method: estimator_fn\n',
      errors: [{ messageId: 'config', line: 4, column: 3, endColumn: 9, related: ['Training happens here.'] }],
    },
    {
      name: 'KFP component with an embedded training script',
      file: 'component.yaml',
      text: KFP_COMPONENT,
      errors: [{ messageId: 'unvalidated', line: 16, column: 16, endColumn: 51, messageIncludes: 'loss.backward()' }],
    },
  ],
});

describe('unvalidated-data-load after one-cell edits', () => {
  it('follows a validation library imported in another cell', async () => {
    const lint = await editSession('unvalidated-data-load');
    const load = 'import pandas as pd\ndf = pd.read_csv("data/churn.csv")';
    const train = 'from sklearn.linear_model import LogisticRegression\nmodel = LogisticRegression()\nmodel.fit(df[["a"]], df["y"])';
    assert.deepEqual(await lint([load, train]), ['0:2:6 unvalidated']);
    assert.deepEqual(await lint([load, 'import pandera as pa', train]), []);
    assert.deepEqual(await lint([load, 'import numpy as np', train]), ['0:2:6 unvalidated']);
    assert.deepEqual(await lint([load, 'assert df.shape[0] > 0', train]), []);
  });
});

