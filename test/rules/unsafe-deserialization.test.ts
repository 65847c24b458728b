import * as assert from 'node:assert/strict';
import { applyEdits, selectEdits } from '../../src/core/fix/apply';
import rule from '../../src/core/rules/governance/unsafe-deserialization';
import { lintCase, ruleTester } from '../helpers/rule-tester';
import { editSession } from '../helpers/edit-session';

ruleTester(rule, {
  valid: [
    'import torch\nstate = torch.load("best.pt", weights_only=True, map_location="cpu")\n',
    'import numpy as np\narr = np.load("features.npy")\nother = np.load("x.npy", allow_pickle=False)\n',
    'import yaml\nwith open("params.yaml") as f:\n    params = yaml.safe_load(f)\ncfg = yaml.load(open("c.yaml"), Loader=yaml.SafeLoader)\nc2 = yaml.load(s, yaml.CSafeLoader)\nc3 = yaml.load(s, Loader=yaml.FullLoader)\n',
    { name: 'a loader held in a variable is unknown', code: 'import yaml\nloader = pick_loader()\ncfg = yaml.load(s, Loader=loader)\n' },
    { name: 'a deep copy through pickle', code: 'import pickle\nclone = pickle.loads(pickle.dumps(model))\n' },
    {
      name: 'a file this notebook wrote earlier with a serializer',
      cells: ['import joblib\njoblib.dump(model, "models/rf.joblib")', 'restored = joblib.load("models/rf.joblib")', 'import pickle\nwith open("enc.pkl", "wb") as f:\n    pickle.dump(enc, f)\nwith open("enc.pkl", "rb") as f:\n    enc2 = pickle.load(f)'],
    },
    { name: 'the same path through a variable', code: 'import torch\nPATH = "ckpt/model.pt"\ntorch.save(model, PATH)\nmodel2 = torch.load(PATH)\n' },
    { name: 'ruamel.yaml has its own API', code: 'import ruamel.yaml\ndoc = ruamel.yaml.load(s)\n' },
    { name: 'json is data only', code: 'import json\nwith open("m.json") as f:\n    meta = json.load(f)\n' },
  ],
  invalid: [
    {
      name: 'joblib, pickle, dill and pandas loads',
      code: 'import joblib, pickle, dill\nimport pandas as pd\nmodel = joblib.load("models/churn.joblib")\nwith open(path, "rb") as fh:\n    enc = pickle.load(fh)\nobj = dill.loads(blob)\ndf = pd.read_pickle("data/features.pkl")\n',
      errors: [
        {
          messageId: 'pickle',
          line: 3,
          column: 9,
          endColumn: 20,
          message:
            '`joblib.load` unpickles "models/churn.joblib": loading a pickle runs whatever code the file holds, so a tampered or untrusted file takes over the process. Load only files you produced and can verify, or store the model in a format that holds data only (skops, ONNX, safetensors).',
        },
        { messageId: 'pickle', line: 5, column: 11, messageIncludes: '`pickle.load` unpickles `path`' },
        { messageId: 'pickle', line: 6, column: 7, messageIncludes: 'unpickles `blob`' },
        { messageId: 'pickle', line: 7, column: 6, messageIncludes: '`pd.read_pickle` unpickles "data/features.pkl"' },
      ],
    },
    {
      name: 'torch.load without weights_only: unsafe fix adds it',
      code: 'import torch\nstate = torch.load("checkpoints/best.pt", map_location="cpu")\n',
      errors: [{ messageId: 'torch', line: 2, column: 9, endColumn: 19, messageIncludes: 'unpickles "checkpoints/best.pt" in full' }],
      output: 'import torch\nstate = torch.load("checkpoints/best.pt", map_location="cpu", weights_only=True)\n',
    },
    {
      name: 'torch.load with weights_only=False',
      code: 'import torch as T\nckpt = T.load(p, weights_only=False)\n',
      errors: [{ messageId: 'torchExplicit', line: 2, column: 18, endColumn: 36 }],
      output: 'import torch as T\nckpt = T.load(p, weights_only=True)\n',
    },
    {
      name: 'numpy with allow_pickle=True, no fix',
      code: 'import numpy as np\nitems = np.load("items.npy", allow_pickle=True)\n',
      errors: [{ messageId: 'numpy', line: 2, column: 30, endColumn: 47 }],
    },
    {
      name: 'yaml.load without a Loader: safe fix to safe_load',
      code: 'import yaml\nwith open("config.yaml") as f:\n    cfg = yaml.load(f)\ndocs = list(yaml.load_all(text))\n',
      errors: [
        { messageId: 'yaml', line: 3, column: 11, endColumn: 20, messageIncludes: 'from "config.yaml"' },
        { messageId: 'yaml', line: 4, column: 13 },
      ],
      output: 'import yaml\nwith open("config.yaml") as f:\n    cfg = yaml.safe_load(f)\ndocs = list(yaml.safe_load_all(text))\n',
    },
    {
      name: 'yaml.load with the unsafe Loader: the fix drops the loader',
      code: 'import yaml\ncfg = yaml.load(stream, Loader=yaml.Loader)\nraw = yaml.unsafe_load(stream)\n',
      errors: [
        { messageId: 'yamlLoader', line: 2, column: 25, endColumn: 43 },
        { messageId: 'yamlLoader', line: 3, column: 7 },
      ],
      output: 'import yaml\ncfg = yaml.safe_load(stream)\nraw = yaml.safe_load(stream)\n',
    },
    {
      name: 'from yaml import load: reported without a fix',
      code: 'from yaml import load\ncfg = load(open("c.yaml"))\n',
      errors: [{ messageId: 'yaml', line: 2, column: 7 }],
    },
    {
      name: 'in a notebook, including a %%writefile serving script that loads what the notebook saved',
      cells: [
        'import torch\ntorch.save(model, "model.pt")\nm = torch.load("model.pt")',
        '%%writefile predictor.py\nimport torch\n\nclass Predictor:\n    def load(self):\n        self._model = torch.load("model.pt")\n',
      ],
      errors: [{ messageId: 'torch', cell: 1, line: 6, column: 23 }],
      outputCells: [
        'import torch\ntorch.save(model, "model.pt")\nm = torch.load("model.pt")',
        '%%writefile predictor.py\nimport torch\n\nclass Predictor:\n    def load(self):\n        self._model = torch.load("model.pt", weights_only=True)\n',
      ],
    },
    {
      name: 'a file another program wrote is not this one\'s output',
      code: 'import joblib\nmodel = joblib.load("downloaded/model.joblib")\njoblib.dump(model, "downloaded/model.joblib")\n',
      errors: [{ messageId: 'pickle', line: 2, column: 9 }],
    },
  ],
});

describe('unsafe-deserialization fixes re-lint clean', () => {
  for (const code of ['import torch\nsd = torch.load(path)\n', 'import yaml\ncfg = yaml.load(f)\n', 'import yaml\ncfg = yaml.load(f, Loader=yaml.UnsafeLoader)\n']) {
    it(JSON.stringify(code), async () => {
      const r = await lintCase(rule, { code });
      const mine = r.findings.filter((f) => f.rule === rule.meta.id);
      assert.equal(mine.length, 1);
      const out = applyEdits('main.py', code, selectEdits(mine, { unsafe: true }).edits);
      assert.ok(out !== undefined);
      const again = await lintCase(rule, { code: out });
      assert.deepEqual(again.findings.map((f) => f.message), []);
    });
  }
});

describe('unsafe-deserialization after one-cell edits', () => {
  it('follows the import a load resolves through', async () => {
    const lint = await editSession('unsafe-deserialization');
    const load = 'obj = pk.load(open("m.pkl", "rb"))';
    assert.deepEqual(await lint(['import pickle as pk', load]), ['1:1:7 pickle']);
    assert.deepEqual(await lint(['import json as pk', load]), []);
    assert.deepEqual(await lint(['import pickle as pk', load]), ['1:1:7 pickle']);
    // A bare name imported from a pickle module.
    assert.deepEqual(await lint(['from pickle import load as pl', 'obj = pl(f)']), ['1:1:7 pickle']);
    assert.deepEqual(await lint(['from json import load as pl', 'obj = pl(f)']), []);
  });

  it('follows the file an earlier cell wrote', async () => {
    const lint = await editSession('unsafe-deserialization');
    assert.deepEqual(await lint(['import joblib\njoblib.dump(m, "m.pkl")', 'm = joblib.load("m.pkl")']), []);
    assert.deepEqual(await lint(['import joblib\njoblib.dump(m, "m2.pkl")', 'm = joblib.load("m.pkl")']), ['1:1:5 pickle']);
  });
});

