import rule from '../../src/core/rules/data/undeclared-artifact-write';
import { ruleTester } from '../helpers/rule-tester';

const DVC_YAML = 'stages:\n  train:\n    cmd: python src/train.py\n    deps:\n      - src/train.py\n      - data/features.csv\n    outs:\n      - models/model.pkl\n';
const WITH_DVC = { 'dvc.yaml': DVC_YAML };

ruleTester(rule, {
  valid: [
    {
      name: 'a repository without DVC',
      code: 'import joblib\njoblib.dump(model, "models/model.pkl")\n',
      file: 'src/train.py',
    },
    {
      name: 'the stage that runs the script declares the output',
      file: 'src/train.py',
      code: 'import joblib\nimport pandas as pd\n\ndf = pd.read_csv("data/features.csv")\njoblib.dump(model, "models/model.pkl")\n',
      files: WITH_DVC,
    },
    {
      name: 'a .dvc sidecar tracks the folder',
      file: 'src/embed.py',
      code: 'import numpy as np\n\nnp.save("data/embeddings/train.npy", vectors)\n',
      files: { 'data/embeddings.dvc': 'outs:\n- md5: 1\n  path: embeddings\n' },
    },
    {
      name: 'a notebook writes an output of a stage, relative to its folder',
      cells: ['import pandas as pd', 'df.to_parquet("../data/features.csv")'],
      file: 'notebooks/explore.ipynb',
      files: { 'dvc.yaml': 'stages:\n  featurize:\n    cmd: python f.py\n    outs:\n      - data/features.csv\n' },
    },
    {
      name: 'tests, scratch folders, metrics, figures, absolute and remote paths, unknown paths',
      file: 'src/report.py',
      code: [
        'import json',
        'import matplotlib.pyplot as plt',
        'df.to_csv("tmp/debug.csv")',
        'df.to_csv("logs/run.csv")',
        'json.dump(scores, open("reports/metrics.json", "w"))',
        'plt.savefig("reports/roc.png")',
        'img.save("reports/sample.png")',
        'df.to_parquet("/mnt/scratch/x.parquet")',
        'df.to_parquet("s3://bucket/x.parquet")',
        'df.to_csv(f"out/{name}.csv")',
        'df.to_csv(args.output)',
        '',
      ].join('\n'),
      files: WITH_DVC,
    },
    {
      name: 'test modules write fixtures',
      file: 'tests/test_io.py',
      code: 'def test_roundtrip(tmp_path):\n    df.to_csv("data/fixture.csv")\n',
      files: WITH_DVC,
    },
    {
      name: 'Git LFS versions the model',
      file: 'train.py',
      code: 'import torch\n\ntorch.save(model.state_dict(), "weights/best.pt")\n',
      files: { ...WITH_DVC, '.gitattributes': '*.pt filter=lfs diff=lfs merge=lfs -text\n' },
    },
  ],
  invalid: [
    {
      name: 'a script run by a stage writes a file its outs do not list',
      file: 'src/train.py',
      code: 'import joblib\nimport pandas as pd\n\ndf = pd.read_csv("data/features.csv")\njoblib.dump(model, "models/model.pkl")\ndf.describe().to_csv("reports/profile.csv")\n',
      files: WITH_DVC,
      errors: [
        {
          messageId: 'inStage',
          line: 6,
          column: 1,
          endLine: 6,
          endColumn: 44,
          message:
            "`df.describe().to_csv` writes reports/profile.csv, but stage `train` (dvc.yaml), which runs this script, does not list it in `outs`: DVC neither versions this data file nor knows the stage produces it, so `dvc repro`/`dvc pull` cannot restore it and later stages may read a stale copy. Add reports/profile.csv to the stage's `outs`.",
          related: ['Stage `train` runs this file; list reports/profile.csv in its `outs`.'],
        },
      ],
    },
    {
      name: 'a notebook no stage runs saves a model',
      cells: ['import joblib', { markdown: '## Save' }, 'joblib.dump(clf, "../models/clf_v2.joblib")'],
      file: 'notebooks/experiment.ipynb',
      files: WITH_DVC,
      errors: [{ messageId: 'noStage', cell: 2, line: 1, column: 1, endColumn: 44, messageIncludes: 'writes the model ../models/clf_v2.joblib outside the DVC pipeline' }],
    },
    {
      name: 'pickle through a file handle, torch.save, np.save, keras save, booster.save_model',
      file: 'train.py',
      code: [
        'import pickle',
        'import numpy as np',
        'import torch',
        '',
        'with open("models/encoder.pkl", "wb") as f:',
        '    pickle.dump(encoder, f)',
        'torch.save(net.state_dict(), "checkpoints/best.pt")',
        'np.save("data/embeddings.npy", emb)',
        'model.save("models/keras_model.h5")',
        'booster.save_model("models/xgb.json")',
        '',
      ].join('\n'),
      files: WITH_DVC,
      errors: [
        { messageId: 'noStage', line: 6, column: 5, messageIncludes: '`pickle.dump` writes the model models/encoder.pkl' },
        { messageId: 'noStage', line: 7, column: 1, messageIncludes: '`torch.save` writes the model checkpoints/best.pt' },
        { messageId: 'noStage', line: 8, column: 1, messageIncludes: '`np.save` writes the data file data/embeddings.npy' },
        { messageId: 'noStage', line: 9, column: 1, messageIncludes: '`model.save` writes the model models/keras_model.h5' },
        { messageId: 'noStage', line: 10, column: 1, messageIncludes: '`booster.save_model` writes the model models/xgb.json' },
      ],
    },
    {
      name: 'a path through a variable points at where it is set',
      file: 'src/export.py',
      code: 'import os\n\nOUT_DIR = "data/exports"\ndf.to_parquet(os.path.join(OUT_DIR, "customers.parquet"))\n',
      files: { 'data/raw.csv.dvc': 'outs:\n- path: raw.csv\n' },
      errors: [{ messageId: 'noStage', line: 4, column: 1, messageIncludes: 'data/exports/customers.parquet', related: ['The path is set here (`OUT_DIR`).'] }],
    },
    {
      name: 'a notebook run by a stage, paths from the runner\'s working directory',
      cells: ['import pandas as pd', 'df.to_csv("../data/scored.csv", index=False)'],
      file: 'notebooks/score.ipynb',
      files: { 'dvc.yaml': 'stages:\n  score:\n    cmd: jupyter nbconvert --execute notebooks/score.ipynb\n    deps:\n      - notebooks/score.ipynb\n    outs:\n      - data/predictions.csv\n' },
      errors: [{ messageId: 'inStage', cell: 1, line: 1, column: 1, messageIncludes: 'Add data/scored.csv to the stage\'s `outs`' }],
    },
  ],
});
