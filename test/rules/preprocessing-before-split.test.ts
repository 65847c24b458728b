import rule from '../../src/core/rules/validation/preprocessing-before-split';
import { ruleTester } from '../helpers/rule-tester';
import * as assert from 'node:assert/strict';
import { editSession } from '../helpers/edit-session';

const IMPORTS = 'import pandas as pd\nfrom sklearn.model_selection import train_test_split, cross_val_score, GridSearchCV, KFold\nfrom sklearn.preprocessing import StandardScaler, MinMaxScaler, OneHotEncoder, LabelEncoder, PolynomialFeatures\nfrom sklearn.decomposition import PCA\nfrom sklearn.impute import SimpleImputer\nfrom sklearn.linear_model import LogisticRegression\nfrom sklearn.pipeline import make_pipeline\n';

ruleTester(rule, {
  valid: [
    {
      name: 'split first, fit the scaler on the training part',
      code:
        IMPORTS +
        'df = pd.read_csv("train.csv")\nX, y = df.drop(columns=["label"]), df["label"]\nX_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)\nscaler = StandardScaler()\nX_train = scaler.fit_transform(X_train)\nX_test = scaler.transform(X_test)\n',
    },
    {
      name: 'the scaler inside a pipeline with the model',
      code: IMPORTS + 'X, y = load()\nX_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)\nmodel = make_pipeline(StandardScaler(), LogisticRegression())\nmodel.fit(X_train, y_train)\nprint(cross_val_score(model, X, y, cv=5))\n',
    },
    {
      name: 'a model fit (training) is not preprocessing',
      code: IMPORTS + 'X, y = load()\nclf = LogisticRegression().fit(X, y)\nX_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)\n',
    },
    {
      name: 'PCA for a plot, the raw data is split and the PCA is never applied again',
      cells: [IMPORTS + 'X, y = load()', 'pca = PCA(n_components=2)\nX_2d = pca.fit_transform(X)\nplot(X_2d)', 'X_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)\nmodel = LogisticRegression().fit(X_train, y_train)'],
    },
    {
      name: 'label encoding of the target and stateless steps',
      code: IMPORTS + 'X, y = load()\ny = LabelEncoder().fit_transform(y)\nX = PolynomialFeatures(2).fit_transform(X)\nX_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)\n',
    },
    {
      name: 're-loading the data drops what was fitted',
      cells: [IMPORTS + 'X = pd.read_csv("a.csv")\nX = StandardScaler().fit_transform(X)', 'X = pd.read_csv("b.csv")\ny = X.pop("label")\nX_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)'],
    },
    {
      name: 'a fit and a split in different functions are not connected',
      code: IMPORTS + 'def features(X):\n    return StandardScaler().fit_transform(X)\n\ndef split(X, y):\n    return train_test_split(X, y, random_state=0)\n',
    },
    {
      name: 'the split happens before the fit (cell order)',
      cells: [IMPORTS + 'X, y = load()\nparts = train_test_split(X, y, random_state=0)', 'X_all = MinMaxScaler().fit_transform(X)\nprint(X_all.mean())'],
    },
    {
      name: 'an index computed from the fitted data is not the data',
      code: IMPORTS + 'X_scaled = StandardScaler().fit_transform(df[feats])\ncols = list(df.columns)\nX_train, X_test = train_test_split(raw[cols], random_state=0)\n',
    },
    { name: 'unit tests are skipped', file: 'tests/test_features.py', code: IMPORTS + 'X = StandardScaler().fit_transform(X)\ntrain_test_split(X, random_state=0)\n' },
  ],
  invalid: [
    {
      name: 'across cells: fit_transform on the features, then train_test_split',
      cells: [
        IMPORTS + 'df = pd.read_csv("train.csv")',
        'X = df.drop(columns=["churned"])\ny = df["churned"]\nscaler = StandardScaler()\nX_scaled = scaler.fit_transform(X)',
        { markdown: '## Split' },
        'X_train, X_test, y_train, y_test = train_test_split(X_scaled, y, test_size=0.2, random_state=0)',
      ],
      errors: [
        {
          messageId: 'leak',
          cell: 1,
          line: 4,
          column: 12,
          endLine: 4,
          endColumn: 35,
          message:
            'StandardScaler is fit on `X` before that data is split (train_test_split(...)): statistics of the test rows leak into training and the evaluation is optimistic. Split first, then fit the preprocessing on the training part only (a Pipeline with the model does this).',
          related: ['The data is split here, after StandardScaler was fit on it'],
        },
      ],
    },
    {
      name: 'in place on the data frame, then a derived frame is split',
      cells: [IMPORTS + 'df = pd.read_csv("train.csv")\nnum_cols = ["age", "income"]', 'df[num_cols] = MinMaxScaler().fit_transform(df[num_cols])', 'X = df.drop(columns=["label"])\nX_train, X_test = train_test_split(X, random_state=0)'],
      errors: [{ messageId: 'leak', cell: 1, line: 1, column: 16, endColumn: 58, messageIncludes: 'MinMaxScaler is fit on `df[num_cols]`' }],
    },
    {
      name: 'fit on the full data, split, then the fitted step transforms the parts',
      code: IMPORTS + 'X, y = load()\nimputer = SimpleImputer(strategy="median")\nimputer.fit(X)\nX_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)\nX_train = imputer.transform(X_train)\nX_test = imputer.transform(X_test)\n',
      errors: [{ messageId: 'leak', line: 10, column: 1, endColumn: 15, messageIncludes: 'SimpleImputer is fit on `X`' }],
    },
    {
      name: 'the fit inside the split call',
      code: IMPORTS + 'X_train, X_test, y_train, y_test = train_test_split(StandardScaler().fit_transform(X), y, random_state=0)\n',
      errors: [{ messageId: 'leak', line: 8, column: 53 }],
    },
    {
      name: 'cross-validation of pre-scaled data',
      code: IMPORTS + 'X_scaled = StandardScaler().fit_transform(X)\nscores = cross_val_score(LogisticRegression(), X_scaled, y, cv=5)\n',
      errors: [
        {
          messageId: 'leakCv',
          line: 8,
          column: 12,
          message:
            'StandardScaler is fit on `X` before that data is cross-validated (cross_val_score(...)): every validation fold leaks into the preprocessing and the scores are optimistic. Cross-validate a Pipeline of the preprocessing and the model, so that it is refit inside each fold.',
        },
      ],
    },
    {
      name: 'a grid search and a KFold splitter over pre-processed data',
      code:
        IMPORTS +
        'pca = PCA(n_components=10)\nX_red = pca.fit_transform(X)\nsearch = GridSearchCV(LogisticRegression(), {"C": [1, 10]}, cv=5)\nsearch.fit(X_red, y)\nohe = OneHotEncoder(handle_unknown="ignore")\nX_cat = ohe.fit_transform(df[["city"]])\nfor tr, te in KFold(5).split(X_cat):\n    pass\n',
      errors: [
        { messageId: 'leakCv', line: 9, column: 9, messageIncludes: '(search.fit(...))' },
        { messageId: 'leakCv', line: 13, column: 9, messageIncludes: 'OneHotEncoder is fit on `df[["city"]]`' },
      ],
    },
    {
      name: 'oversampling before the split',
      code: 'from imblearn.over_sampling import SMOTE\nfrom sklearn.model_selection import train_test_split\nX_res, y_res = SMOTE(random_state=0).fit_resample(X, y)\nX_train, X_test, y_train, y_test = train_test_split(X_res, y_res, random_state=0)\n',
      errors: [{ messageId: 'leak', line: 3, column: 16, messageIncludes: 'SMOTE is fit on `X`' }],
    },
    {
      name: 'a Keras normalisation layer adapted on everything, then random_split of a tensor dataset',
      code: 'import tensorflow as tf\nfrom torch.utils.data import random_split\nnorm = tf.keras.layers.Normalization()\nnorm.adapt(features)\nds = make_dataset(norm(features))\ntrain_ds, val_ds = random_split(ds, [0.8, 0.2])\n',
      errors: [{ messageId: 'leak', line: 4, column: 1, messageIncludes: 'Normalization is fit on `features`' }],
    },
    {
      name: 'inside one function of a module',
      code: IMPORTS + '\ndef main():\n    X, y = load()\n    vec = TfidfVectorizer()\n    X = vec.fit_transform(X)\n    return train_test_split(X, y, random_state=0)\n',
      errors: [{ messageId: 'leak', line: 12, column: 9, messageIncludes: 'TfidfVectorizer is fit on `X`' }],
    },
    {
      name: 'a preprocessing-only pipeline, Spark randomSplit',
      code: 'from pyspark.ml.feature import StandardScaler\nscaler = StandardScaler(inputCol="features", outputCol="scaled")\nscaled = scaler.fit(df).transform(df)\ntrain, test = scaled.randomSplit([0.8, 0.2], seed=1)\n',
      errors: [{ messageId: 'leak', line: 3, column: 10, endColumn: 24, messageIncludes: '(scaled.randomSplit(...))' }],
    },
    {
      name: 'across functions of a module: one returns the fitted frame, another splits its argument',
      code:
        IMPORTS +
        'NUM = ["age", "income"]\n\ndef preprocess(df):\n    scaler = StandardScaler()\n    df[NUM] = scaler.fit_transform(df[NUM])\n    return df\n\ndef split(X, y):\n    return train_test_split(X, y, random_state=0)\n\ndef main():\n    df = preprocess(pd.read_csv("train.csv"))\n    X, y = df.drop(columns=["label"]), df["label"]\n    return split(X, y)\n',
      errors: [
        {
          messageId: 'leak',
          line: 12,
          column: 15,
          endColumn: 44,
          messageIncludes: '(split(...) calls train_test_split(...))',
          related: [
            '`preprocess(...)` returns the data StandardScaler was fit on',
            '`split(...)` passes the fitted data on to the split',
            'The data is split here, after StandardScaler was fit on it',
          ],
        },
      ],
    },
    {
      name: 'a %%writefile training script is its own module',
      cells: [
        IMPORTS + 'X_scaled = StandardScaler().fit_transform(X)',
        '%%writefile train.py\nfrom sklearn.preprocessing import MinMaxScaler\nfrom sklearn.model_selection import train_test_split\nX = MinMaxScaler().fit_transform(load())\nparts = train_test_split(X, random_state=0)\n',
        'parts = train_test_split(X, random_state=0)',
      ],
      errors: [{ messageId: 'leak', cell: 1, line: 4, column: 5, messageIncludes: 'MinMaxScaler is fit on `load()`' }],
    },
  ],
});

describe('preprocessing-before-split after one-cell edits', () => {
  const head = 'from sklearn.preprocessing import StandardScaler\nfrom sklearn.model_selection import train_test_split, GridSearchCV\nX, y = load()';
  const fit = 'X_s = StandardScaler().fit_transform(X)';

  it('follows the fitted data through cells that have no fit or split', async () => {
    const lint = await editSession('preprocessing-before-split');
    const split = 'X_train, X_test = train_test_split(X2, random_state=0)';
    assert.deepEqual(await lint([head, fit, 'X2 = X_s * 2', split]), ['1:1:7 leak']);
    assert.deepEqual(await lint([head, fit, 'X2 = load_other()', split]), []);
    assert.deepEqual(await lint([head, fit, '# scaled\nX2 = X_s * 2', split]), ['1:1:7 leak']);
    assert.deepEqual(await lint([head, fit, 'print(1)', split]), []);
  });

  it('reports a fit in each copy of a cell (copies share their statements)', async () => {
    const lint = await editSession('preprocessing-before-split');
    const split = 'X_train, X_test = train_test_split(X_s, random_state=0)';
    assert.deepEqual(await lint([head, fit, 'print(1)', fit, split]), ['1:1:7 leak', '3:1:7 leak']);
    assert.deepEqual(await lint([head, fit, 'print(1)', 'X_s = load_other()', split]), []);
  });

  it('follows a function that returns fitted data, and a search fit on it', async () => {
    const lint = await editSession('preprocessing-before-split');
    const prep = 'def prep(X):\n    return StandardScaler().fit_transform(X)';
    assert.deepEqual(await lint([head, prep, 'X_s = prep(X)', 'X_train, X_test = train_test_split(X_s, random_state=0)']), ['1:2:12 leak']);
    assert.deepEqual(await lint([head, prep, 'X_s = prep(X)', 'model.fit(X_s, y)']), []);
    assert.deepEqual(await lint([head, fit, 'gs = GridSearchCV(est, grid)\ngs.fit(X_s, y)']), ['1:1:7 leakCv']);
    assert.deepEqual(await lint([head, fit, 'gs = Ridge()\ngs.fit(X_s, y)']), []);
  });
});

