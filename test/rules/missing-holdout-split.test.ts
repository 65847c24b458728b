import * as assert from 'node:assert/strict';
import rule from '../../src/core/rules/validation/missing-holdout-split';
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
      def train(training_data_path, model_path):
          model = torch.jit.load(model_path)
          optimizer = torch.optim.Adadelta(model.parameters(), lr=0.1)
          for epoch in range(10):
              for data, target in train_loader:
                  optimizer.zero_grad()
                  loss = torch.nn.functional.mse_loss(model(data), target)
                  loss.backward()
                  optimizer.step()
              print(f"epoch {epoch} loss {loss.item():.4f}")
`;

ruleTester(rule, {
  valid: [
    {
      name: 'train_test_split and a test score',
      code: 'from sklearn.model_selection import train_test_split\nfrom sklearn.tree import DecisionTreeClassifier\n\nX_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)\nclf = DecisionTreeClassifier().fit(X_train, y_train)\nprint(clf.score(X_test, y_test))\n',
    },
    { name: 'cross-validation', code: 'from sklearn.model_selection import cross_val_score\nfrom sklearn.svm import SVC\n\nclf = SVC()\nclf.fit(X, y)\nprint(cross_val_score(SVC(), X, y, cv=5).mean())\n' },
    { name: 'Keras validation_split', cells: ['model.compile(loss="mse")', 'model.fit(X, y, epochs=10, validation_split=0.2)', 'model.evaluate(X, y)'] },
    { name: 'a separate test file', code: 'import pandas as pd\nfrom sklearn.linear_model import LinearRegression\n\ntrain = pd.read_csv("train.csv")\ntest = pd.read_csv("test.csv")\nreg = LinearRegression().fit(train[["x"]], train["y"])\nprint(reg.score(test[["x"]], test["y"]))\n' },
    { name: 'fit without any evaluation', code: 'from sklearn.linear_model import LinearRegression\nimport joblib\n\nreg = LinearRegression()\nreg.fit(X, y)\njoblib.dump(reg, "model.pkl")\n' },
    { name: 'unsupervised clustering', code: 'from sklearn.cluster import KMeans\nkm = KMeans(n_clusters=3)\nkm.fit(X)\nlabels = km.predict(X)\n' },
    { name: 'only preprocessing', code: 'from sklearn.preprocessing import StandardScaler\nscaler = StandardScaler()\nscaler.fit(X)\nprint(scaler.transform(X).mean())\n' },
    { name: 'xgboost with an evaluation set', code: 'import xgboost as xgb\nbooster = xgb.train(params, dtrain, evals=[(dvalid, "valid")])\nprint(booster.predict(dvalid))\n' },
    {
      name: 'AutoML holds data out itself',
      cells: ['from google.cloud import aiplatform\njob = aiplatform.AutoMLTabularTrainingJob(display_name="churn", optimization_prediction_type="classification")\nmodel = job.run(dataset=ds, target_column="churned")'],
    },
    {
      name: 'reinforcement learning has no dataset to split',
      code: 'import gymnasium as gym\nimport tensorflow as tf\n\nenv = gym.make("CartPole-v1")\nfor episode in range(100):\n    with tf.GradientTape() as tape:\n        loss = compute_loss(env)\n    grads = tape.gradient(loss, model.trainable_variables)\n    optimizer.apply_gradients(zip(grads, model.trainable_variables))\n    print("loss", loss)\n',
    },
    {
      name: 'a training score next to a test score',
      code: 'from sklearn.model_selection import train_test_split\nfrom sklearn.svm import SVC\n\nX_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)\nclf = SVC()\nclf.fit(X_train, y_train)\nprint(clf.score(X_train, y_train), clf.score(X_test, y_test))\n',
    },
    { name: 'training score reported alongside cross-validation', code: 'from sklearn.model_selection import cross_val_score\nreg.fit(X, y)\nprint(reg.score(X, y), cross_val_score(reg, X, y).mean())\n' },
    { name: 'the MNIST test split of torchvision', code: 'from torchvision import datasets\ntest_set = datasets.MNIST("data", train=False)\nclf.fit(X, y)\nprint(clf.predict(X[:5]))\n' },
    { name: 'unit tests', file: 'tests/test_model.py', code: 'def test_fit():\n    clf.fit(X, y)\n    assert clf.score(X, y) > 0.9\n' },
    { name: 'validation loader in a PyTorch loop', code: 'for x, y in train_loader:\n    optimizer.zero_grad()\n    loss = criterion(model(x), y)\n    loss.backward()\n    optimizer.step()\nfor x, y in val_loader:\n    print("val loss", criterion(model(x), y).item())\n' },
  ],
  invalid: [
    {
      name: 'scored on the arrays it was fit on',
      code: 'from sklearn.datasets import load_iris\nfrom sklearn.tree import DecisionTreeClassifier\n\nX, y = load_iris(return_X_y=True)\nclf = DecisionTreeClassifier()\nclf.fit(X, y)\nprint(clf.score(X, y))\n',
      errors: [{ messageId: 'sameData', line: 7, column: 7, endColumn: 22, related: ['Fit on the same data here.'], messageIncludes: '(X, y)' }],
    },
    {
      name: 'a metric on predictions for the training features',
      code: 'from sklearn.linear_model import LogisticRegression\nfrom sklearn.metrics import accuracy_score\n\nmodel = LogisticRegression().fit(features, labels)\nmodel.fit(features, labels)\nprint(accuracy_score(labels, model.predict(features)))\n',
      errors: [{ messageId: 'sameData', line: 6, column: 7 }],
    },
    {
      name: 'notebook: predictions stored, then scored against the training targets',
      cells: ['from sklearn.ensemble import RandomForestRegressor\nfrom sklearn.metrics import mean_squared_error', 'forest = RandomForestRegressor()\nforest.fit(housing_prepared, housing_labels)', 'predictions = forest.predict(housing_prepared)\nrmse = mean_squared_error(housing_labels, predictions) ** 0.5'],
      errors: [{ messageId: 'sameData', cell: 2, line: 2, column: 8, related: ['Fit on the same data here.'] }],
    },
    {
      name: 'a split whose test part is never scored',
      code: 'from sklearn.model_selection import train_test_split\nfrom sklearn.svm import SVC\n\nX_train, X_test, y_train, y_test = train_test_split(X, y, random_state=0)\nclf = SVC().fit(X_train, y_train)\nclf.fit(X_train, y_train)\nprint("accuracy", clf.score(X_train, y_train))\n',
      errors: [{ messageId: 'sameData', line: 7, column: 19, messageIncludes: '(X_train, y_train)' }],
    },
    {
      name: 'Keras evaluate on the training arrays',
      code: 'model.compile(optimizer="adam", loss="mse")\nmodel.fit(X, y, epochs=20)\nmodel.evaluate(X, y)\n',
      errors: [{ messageId: 'sameData', line: 3, column: 1 }],
    },
    {
      name: 'notebook: fit on all the data and used to predict, with no split anywhere',
      cells: [
        'import numpy as np\nimport sklearn.linear_model',
        'X = np.c_[country_stats["GDP per capita"]]\ny = np.c_[country_stats["Life satisfaction"]]\nmodel = sklearn.linear_model.LinearRegression()\nmodel.fit(X, y)',
        'print(model.predict([[22587]]))',
      ],
      errors: [{ messageId: 'noHoldout', cell: 1, line: 4, column: 1, endColumn: 10, related: ['Evaluated or used here without held-out data.'], messageIncludes: 'model.predict(...)' }],
    },
    {
      name: 'KFP component that reports its training loss only',
      file: 'component.yaml',
      text: KFP_COMPONENT,
      errors: [{ messageId: 'noHoldout', line: 17, column: 19, endColumn: 32, messageIncludes: 'the training loss is printed' }],
    },
  ],
});

describe('missing-holdout-split after one-cell edits', () => {
  it('follows a split added to and removed from another cell', async () => {
    const lint = await editSession('missing-holdout-split');
    const fit = 'from sklearn.tree import DecisionTreeClassifier\nclf = DecisionTreeClassifier()\nclf.fit(X, y)';
    const score = 'print(clf.score(X, y))';
    assert.deepEqual(await lint(['X, y = load()', fit, score]), ['2:1:7 sameData']);
    const split = 'from sklearn.model_selection import train_test_split\nX, X_test, y, y_test = train_test_split(X, y)';
    assert.deepEqual(await lint(['X, y = load()', split, fit, 'print(clf.score(X_test, y_test))']), []);
    assert.deepEqual(await lint(['X, y = load()', fit, score]), ['2:1:7 sameData']);
  });
});

describe('missing-holdout-split: held-out evidence through aliases', () => {
  it('qualifies a bare name through its import, and stops at reinforcement learning', async () => {
    const lint = await editSession('missing-holdout-split');
    const train = 'from sklearn.linear_model import LogisticRegression\nclf = LogisticRegression()\nclf.fit(X, y)';
    assert.deepEqual(await lint([train, 'print(clf.score(X, y))']), ['1:1:7 sameData']);
    assert.deepEqual(await lint([train, 'from sklearn.model_selection import cross_val_score as cvs\nprint(cvs(clf, X, y))', 'print(clf.score(X, y))']), []);
    assert.deepEqual(await lint([train, 'from myutils import helper as cvs\nprint(cvs(clf, X, y))', 'print(clf.predict(X2))']), ['0:3:1 noHoldout']);
    assert.deepEqual(await lint([`import gym\n${train}`, 'print(clf.score(X, y))']), []);
  });
});

