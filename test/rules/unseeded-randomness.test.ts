import * as assert from 'node:assert/strict';
import rule from '../../src/core/rules/reproducibility/unseeded-randomness';
import { ruleTester } from '../helpers/rule-tester';
import { editSession } from '../helpers/edit-session';

ruleTester(rule, {
  valid: [
    {
      name: 'random_state given everywhere',
      code:
        'from sklearn.model_selection import train_test_split, KFold\nfrom sklearn.ensemble import RandomForestClassifier\n\n' +
        'X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=42)\ncv = KFold(n_splits=5, shuffle=True, random_state=0)\n' +
        'model = RandomForestClassifier(n_estimators=100, random_state=params["random_state"])\n',
    },
    {
      name: 'deterministic configurations: no shuffle, lbfgs, linear models, boosting libraries with fixed default seeds',
      code:
        'from sklearn.model_selection import KFold, train_test_split\nfrom sklearn.linear_model import LogisticRegression, LinearRegression\nimport xgboost as xgb\nimport lightgbm as lgb\n\n' +
        'KFold(n_splits=5)\ntrain_test_split(X, y, shuffle=False)\nLogisticRegression(max_iter=1000)\nLinearRegression()\nxgb.XGBClassifier(n_estimators=50)\nlgb.LGBMRegressor()\nbooster = xgb.train(params, dtrain)\n',
    },
    {
      name: 'a global NumPy seed covers scikit-learn and numpy draws',
      code: 'import numpy as np\nfrom sklearn.model_selection import train_test_split\nfrom sklearn.tree import DecisionTreeClassifier\n\nnp.random.seed(42)\nnoise = np.random.randn(100)\ntrain_test_split(X, y)\nDecisionTreeClassifier(max_depth=2)\n',
    },
    {
      name: 'seeds set in another notebook cell',
      cells: ['import numpy as np\nimport random\nimport tensorflow as tf', 'x = np.random.rand(10)\nrandom.shuffle(items)\nmodel.compile(optimizer="adam", loss="mse")\nmodel.fit(x, y, epochs=3)', 'np.random.seed(42)\nrandom.seed(42)\ntf.random.set_seed(42)'],
    },
    {
      name: 'framework and project seed helpers',
      code: 'import torch\nimport numpy as np\nfrom transformers import set_seed\nfrom utils import seed_everything\n\nset_seed(42)\nseed_everything(cfg.seed)\nx = torch.rand(3)\nloader = torch.utils.data.DataLoader(ds, shuffle=True)\nloss.backward()\ny = np.random.normal(size=3)\n',
    },
    {
      name: 'keras.utils.set_random_seed covers TensorFlow, NumPy and random',
      code: 'import tensorflow as tf\nimport numpy as np\n\ntf.keras.utils.set_random_seed(1)\nmodel.compile(optimizer="adam", loss="mse")\nmodel.fit(x, y, epochs=3)\nidx = np.random.permutation(10)\n',
    },
    {
      name: 'random draws that only build names',
      code:
        'import random\nimport string\n\nsuffix = "".join(random.choice(string.ascii_lowercase + string.digits) for _ in range(5))\n' +
        'endpoint_name = "endpt-moe-" + str(random.randint(0, 10000))\nrand = random.randint(0, 10000)\nstorage_account_name = f"oepstorage{rand}"\n\ndef random_suffix():\n    return "".join(random.choices(string.ascii_lowercase, k=10))\n',
    },
    {
      name: 'seeded generators, unused unseeded generator, pandas sample of a few rows',
      code: 'import numpy as np\nimport random\nimport pandas as pd\n\nrng = np.random.default_rng(7)\nx = rng.normal(size=3)\nrand = random.Random()\nrequest = pd.read_csv("heart.csv").sample(n=5)\n',
    },
    {
      name: 'Hugging Face: seeded split, Trainer seeds itself',
      code: 'from datasets import load_dataset\nfrom transformers import Trainer\n\nds = load_dataset("imdb")\nsplits = ds["train"].train_test_split(test_size=0.1, seed=42)\ntrainer = Trainer(model=model, args=args, train_dataset=splits["train"])\ntrainer.train()\n',
    },
    { name: 'Spark with seeds', code: 'from pyspark.ml.recommendation import ALS\n\ntrain, test = df.randomSplit([0.8, 0.2], seed=36)\nals = ALS(userCol="user", itemCol="item", seed=7)\n' },
    { name: 'YAML sweep with a seeded random sampler', text: '$schema: https://azuremlschemas.azureedge.net/latest/sweepJob.schema.json\ntype: sweep\nsampling_algorithm:\n  type: random\n  seed: 42\n' },
    { name: 'YAML: params file with random_state', file: 'params.yaml', text: 'train:\n  random_state: 42\n  n_estimators: 100\n' },
    { name: 'no imports of random libraries', code: 'def random_split(xs):\n    return xs[:10], xs[10:]\n\nshuffle(xs)\n' },
  ],
  invalid: [
    {
      name: 'sklearn split and estimator without random_state; fix adds it (empty args, trailing comma, one argument per line)',
      code:
        'from sklearn.model_selection import train_test_split\nfrom sklearn.ensemble import RandomForestClassifier, GradientBoostingClassifier\n\n' +
        'X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2)\nclf = RandomForestClassifier()\n' +
        'gb = GradientBoostingClassifier(\n    n_estimators=100,\n    learning_rate=0.1,\n)\ngb2 = GradientBoostingClassifier(\n    n_estimators=100,\n    learning_rate=0.1\n)\n',
      errors: [
        { messageId: 'missingRandomState', message: '`train_test_split` is called without `random_state`, so its result changes from run to run. Pass `random_state=42` (any fixed number), or seed NumPy once with `np.random.seed(42)`.', line: 4, column: 36, endLine: 4, endColumn: 52 },
        { messageId: 'missingRandomState', line: 5, column: 7, endLine: 5, endColumn: 29 },
        { messageId: 'missingRandomState', line: 6, column: 6, endLine: 6, endColumn: 32 },
        { messageId: 'missingRandomState', line: 10, column: 7, endLine: 10, endColumn: 33 },
      ],
      output:
        'from sklearn.model_selection import train_test_split\nfrom sklearn.ensemble import RandomForestClassifier, GradientBoostingClassifier\n\n' +
        'X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2, random_state=42)\nclf = RandomForestClassifier(random_state=42)\n' +
        'gb = GradientBoostingClassifier(\n    n_estimators=100,\n    learning_rate=0.1,\n    random_state=42,\n)\ngb2 = GradientBoostingClassifier(\n    n_estimators=100,\n    learning_rate=0.1,\n    random_state=42\n)\n',
    },
    {
      name: 'shuffling splitters, stochastic solvers, random_state=None, module-qualified calls',
      code:
        'import sklearn\nfrom sklearn import model_selection\nfrom sklearn.linear_model import LogisticRegression\n\n' +
        'cv = model_selection.StratifiedKFold(n_splits=5, shuffle=True)\nlr = LogisticRegression(solver="saga")\nkm = sklearn.cluster.KMeans(n_clusters=3, random_state=None)\n',
      errors: [
        { messageId: 'missingRandomState', line: 5, column: 6, endLine: 5, endColumn: 37 },
        { messageId: 'missingRandomState', line: 6, column: 6, endLine: 6, endColumn: 24 },
        { messageId: 'noneSeed', line: 7, column: 43, endLine: 7, endColumn: 60 },
      ],
      output:
        'import sklearn\nfrom sklearn import model_selection\nfrom sklearn.linear_model import LogisticRegression\n\n' +
        'cv = model_selection.StratifiedKFold(n_splits=5, shuffle=True, random_state=42)\nlr = LogisticRegression(solver="saga", random_state=42)\nkm = sklearn.cluster.KMeans(n_clusters=3, random_state=42)\n',
    },
    {
      name: 'notebook: global draws with no seed get a seed cell after the imports cell',
      cells: [{ markdown: '# Generate data' }, 'import numpy as np\nimport random\nimport pandas as pd', 'noise = np.random.normal(0, 1, 100)\nidx = np.random.permutation(100)', 'random.shuffle(rows)'],
      errors: [
        { messageId: 'unseededDraw', message: '`np.random.normal` draws random numbers, but NumPy is never seeded here. Call `np.random.seed(42)` once before the first draw so runs can be repeated.', cell: 2, line: 1, column: 9, endLine: 1, endColumn: 25 },
        { messageId: 'unseededDraw', cell: 2, line: 2, column: 7, endLine: 2, endColumn: 28 },
        { messageId: 'unseededDraw', messageIncludes: "Python's random module", cell: 3, line: 1, column: 1, endLine: 1, endColumn: 15 },
      ],
      outputCells: [
        '# Generate data',
        'import numpy as np\nimport random\nimport pandas as pd',
        '# Fixed seeds, so every run draws the same random numbers.\nimport random\nimport numpy as np\n\nrandom.seed(42)\nnp.random.seed(42)',
        'noise = np.random.normal(0, 1, 100)\nidx = np.random.permutation(100)',
        'random.shuffle(rows)',
      ],
    },
    {
      name: '.py: seed lines go after the imports; from-imports resolve',
      code: 'import numpy as np\nfrom random import shuffle\n\nweights = np.random.rand(3)\nshuffle(playlist)\n',
      errors: [
        { messageId: 'unseededDraw', line: 4, column: 11, endLine: 4, endColumn: 25 },
        { messageId: 'unseededDraw', messageIncludes: '`random.shuffle`', line: 5, column: 1, endLine: 5, endColumn: 8 },
      ],
      output: 'import numpy as np\nfrom random import shuffle\n\nimport random\nrandom.seed(42)\nnp.random.seed(42)\n\nweights = np.random.rand(3)\nshuffle(playlist)\n',
    },
    {
      name: 'PyTorch: shuffling DataLoader with no seed; seed cell at the top when the first cell does more than import',
      cells: ['import torch\nfrom torch.utils.data import DataLoader\n\nloader = DataLoader(examples, shuffle=True, batch_size=64)', 'for xb, yb in loader:\n    loss = loss_fn(model(xb), yb)\n    loss.backward()\n    optimizer.step()'],
      errors: [
        { messageId: 'unseededShuffle', cell: 0, line: 4, column: 10, endLine: 4, endColumn: 20 },
        { messageId: 'unseededTraining', cell: 1, line: 3, column: 5, endLine: 3, endColumn: 18 },
      ],
      outputCells: [
        '# Fixed seeds, so every run draws the same random numbers.\nimport torch\n\ntorch.manual_seed(42)',
        'import torch\nfrom torch.utils.data import DataLoader\n\nloader = DataLoader(examples, shuffle=True, batch_size=64)',
        'for xb, yb in loader:\n    loss = loss_fn(model(xb), yb)\n    loss.backward()\n    optimizer.step()',
      ],
    },
    {
      name: 'PyTorch training loop with no seed',
      code: 'import torch\n\nmodel = torch.nn.Linear(4, 2)\nfor epoch in range(10):\n    loss = criterion(model(x), y)\n    loss.backward()\n',
      errors: [{ messageId: 'unseededTraining', messageIncludes: 'PyTorch training with no seed set', line: 6, column: 5, endLine: 6, endColumn: 18 }],
      output: 'import torch\n\ntorch.manual_seed(42)\n\nmodel = torch.nn.Linear(4, 2)\nfor epoch in range(10):\n    loss = criterion(model(x), y)\n    loss.backward()\n',
    },
    {
      name: 'Keras training and tf.data shuffle with no TensorFlow seed',
      cells: ['import tensorflow as tf', 'model = create_model()\nmodel.compile(optimizer="adam", loss="sparse_categorical_crossentropy")\nmodel.fit(x=x_train, y=y_train, epochs=5)', 'train_ds = tf.data.Dataset.from_tensor_slices((x, y)).shuffle(60000).batch(64)'],
      errors: [
        { messageId: 'unseededTraining', messageIncludes: 'TensorFlow/Keras', cell: 1, line: 3, column: 1, endLine: 3, endColumn: 10 },
        { messageId: 'unseededDraw', messageIncludes: '`Dataset.shuffle`', cell: 2, line: 1, column: 55, endLine: 1, endColumn: 62 },
      ],
      outputCells: [
        'import tensorflow as tf',
        '# Fixed seeds, so every run draws the same random numbers.\nimport tensorflow as tf\n\ntf.random.set_seed(42)',
        'model = create_model()\nmodel.compile(optimizer="adam", loss="sparse_categorical_crossentropy")\nmodel.fit(x=x_train, y=y_train, epochs=5)',
        'train_ds = tf.data.Dataset.from_tensor_slices((x, y)).shuffle(60000).batch(64)',
      ],
    },
    {
      name: 'Keras 3 without TensorFlow is seeded through keras.utils',
      code: 'import keras\n\nmodel = keras.Sequential([keras.layers.Dense(1)])\nmodel.compile(optimizer="adam", loss="mse")\nmodel.fit(x, y, epochs=2)\n',
      errors: [{ messageId: 'unseededTraining', messageIncludes: 'Call `keras.utils.set_random_seed(42)`', line: 5, column: 1, endLine: 5, endColumn: 10 }],
      output: 'import keras\n\nkeras.utils.set_random_seed(42)\n\nmodel = keras.Sequential([keras.layers.Dense(1)])\nmodel.compile(optimizer="adam", loss="mse")\nmodel.fit(x, y, epochs=2)\n',
    },
    {
      name: 'notebook: a %%writefile script is its own program (the notebook seed does not reach it)',
      cells: [
        'import numpy as np\nnp.random.seed(0)',
        '%%writefile src/train.py\nimport numpy as np\nfrom sklearn.model_selection import train_test_split\n\ndef main():\n    idx = np.random.permutation(10)\n    train_df, test_df = train_test_split(df, test_size=0.25)\n',
      ],
      errors: [
        { messageId: 'unseededDraw', cell: 1, line: 6, column: 11, endLine: 6, endColumn: 32 },
        { messageId: 'missingRandomState', cell: 1, line: 7, column: 25, endLine: 7, endColumn: 41 },
      ],
      outputCells: [
        'import numpy as np\nnp.random.seed(0)',
        '%%writefile src/train.py\nimport numpy as np\nfrom sklearn.model_selection import train_test_split\n\nnp.random.seed(42)\n\ndef main():\n    idx = np.random.permutation(10)\n    train_df, test_df = train_test_split(df, test_size=0.25, random_state=42)\n',
      ],
    },
    {
      name: 'generator created without a seed and drawn from',
      code: 'import numpy as np\n\nrng = np.random.default_rng()\nsample = rng.choice(ids, size=100)\n',
      errors: [{ messageId: 'unseededGenerator', line: 3, column: 7, endLine: 3, endColumn: 28 }],
      output: 'import numpy as np\n\nrng = np.random.default_rng(42)\nsample = rng.choice(ids, size=100)\n',
    },
    {
      name: 'Hugging Face dataset split, pandas shuffle and bootstrap',
      code: 'import pandas as pd\nfrom datasets import load_dataset\n\nds = load_dataset("zenml/rag_qa")["train"]\nsplits = ds.train_test_split(test_size=0.1)\nshuffled = df.sample(frac=1)\nboot = df.sample(n=len(df), replace=True)\n',
      errors: [
        { messageId: 'missingSeed', line: 5, column: 10, endLine: 5, endColumn: 29 },
        { messageId: 'missingRandomState', line: 6, column: 12, endLine: 6, endColumn: 21 },
        { messageId: 'missingRandomState', line: 7, column: 8, endLine: 7, endColumn: 17 },
      ],
      output:
        'import pandas as pd\nfrom datasets import load_dataset\n\nds = load_dataset("zenml/rag_qa")["train"]\nsplits = ds.train_test_split(test_size=0.1, seed=42)\nshuffled = df.sample(frac=1, random_state=42)\nboot = df.sample(n=len(df), replace=True, random_state=42)\n',
    },
    {
      name: 'Spark ML estimator and cross-validation without seed',
      code: 'from pyspark.ml.recommendation import ALS\nfrom pyspark.ml.tuning import CrossValidator\n\nals = ALS(userCol="USER_ID", itemCol="PRODUCT_ID")\ncv = CrossValidator(estimator=als, estimatorParamMaps=grid, evaluator=ev, numFolds=3)\n',
      errors: [
        { messageId: 'missingSeed', line: 4, column: 7, endLine: 4, endColumn: 10 },
        { messageId: 'missingSeed', line: 5, column: 6, endLine: 5, endColumn: 20 },
      ],
      output:
        'from pyspark.ml.recommendation import ALS\nfrom pyspark.ml.tuning import CrossValidator\n\nals = ALS(userCol="USER_ID", itemCol="PRODUCT_ID", seed=42)\ncv = CrossValidator(estimator=als, estimatorParamMaps=grid, evaluator=ev, numFolds=3, seed=42)\n',
    },
    {
      name: 'Azure ML SDK sweep with random sampling',
      code: 'sweep_job = job_for_sweep.sweep(\n    compute="gpu-cluster",\n    sampling_algorithm="random",\n    primary_metric="validation_acc",\n)\n',
      errors: [{ messageId: 'randomSweep', line: 3, column: 5, endLine: 3, endColumn: 32 }],
    },
    {
      name: 'Azure ML sweep job YAML with random sampling and no seed',
      file: 'hello-sweep.yml',
      text: '$schema: https://azuremlschemas.azureedge.net/latest/sweepJob.schema.json\ntype: sweep\nsampling_algorithm: random\nsearch_space:\n  B:\n    type: choice\n    values: [1, 2]\n',
      errors: [{ messageId: 'randomSweep', line: 3, column: 21, endLine: 3, endColumn: 27 }],
    },
  ],
});

describe('unseeded-randomness after one-cell edits', () => {
  it('follows a seed added to and removed from another cell', async () => {
    const lint = await editSession('unseeded-randomness');
    const draw = 'x = np.random.rand(3)\nprint(x.mean())';
    assert.deepEqual(await lint(['import numpy as np', draw]), ['1:1:5 unseededDraw']);
    assert.deepEqual(await lint(['import numpy as np\nnp.random.seed(0)', draw]), []);
    assert.deepEqual(await lint(['import numpy as np', draw]), ['1:1:5 unseededDraw']);
    // An edit of the drawing cell itself.
    assert.deepEqual(await lint(['import numpy as np', 'np.random.seed(1)\n' + draw]), []);
  });

  it('re-qualifies unchanged cells when an import in another cell changes', async () => {
    const lint = await editSession('unseeded-randomness');
    const split = 'X_tr, X_te, y_tr, y_te = tts(X, y, test_size=0.2)';
    assert.deepEqual(await lint(['from sklearn.model_selection import train_test_split as tts', split]), ['1:1:26 missingRandomState']);
    // `tts` is now another function: the unchanged cell is read again.
    assert.deepEqual(await lint(['from mylib import split as tts', split]), []);
    assert.deepEqual(await lint(['from sklearn.model_selection import train_test_split as tts', split]), ['1:1:26 missingRandomState']);
  });

  it('follows cells moved, copied and deleted', async () => {
    const lint = await editSession('unseeded-randomness');
    const seed = 'np.random.seed(0)';
    const draw = 'x = np.random.rand(3)';
    assert.deepEqual(await lint(['import numpy as np', draw, seed]), []);
    assert.deepEqual(await lint(['import numpy as np', draw]), ['1:1:5 unseededDraw']);
    assert.deepEqual(await lint(['import numpy as np', draw, draw]), ['1:1:5 unseededDraw', '2:1:5 unseededDraw']);
    assert.deepEqual(await lint([draw, 'import numpy as np', draw]), ['0:1:5 unseededDraw', '2:1:5 unseededDraw']);
  });
});

