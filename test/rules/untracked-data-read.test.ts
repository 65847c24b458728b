import * as assert from 'node:assert/strict';
import rule from '../../src/core/rules/data/untracked-data-read';
import { ruleTester } from '../helpers/rule-tester';
import { editSession } from '../helpers/edit-session';

const SIDECAR = 'outs:\n- md5: 3f2a\n  path: train.csv\n';
const DVC_STAGE = 'stages:\n  prepare:\n    cmd: python prepare.py\n    deps:\n    - data/raw.csv\n    outs:\n    - data/features.parquet\n';

ruleTester(rule, {
  valid: [
    { name: 'a <file>.dvc sidecar tracks it', code: 'import pandas as pd\ndf = pd.read_csv("data/train.csv")\n', files: { 'data/train.csv.dvc': SIDECAR } },
    { name: 'inside a DVC-tracked folder', code: 'import pandas as pd\ndf = pd.read_csv("data/raw/train.csv")\n', files: { 'data/raw.dvc': 'outs:\n- md5: 1a2b.dir\n  path: raw\n' } },
    { name: 'a dvc.yaml stage declares it (deps)', code: 'import pandas as pd\ndf = pd.read_csv("data/raw.csv")\n', files: { 'dvc.yaml': DVC_STAGE } },
    { name: 'a dvc.yaml stage produces it (outs)', code: 'import pandas as pd\nX = pd.read_parquet("data/features.parquet")\n', files: { 'dvc.yaml': DVC_STAGE } },
    {
      name: 'dvc.yaml entry with ${} templates filled from params.yaml',
      code: 'import pandas as pd\ndf = pd.read_csv("data/Churn.csv")\n',
      files: { 'dvc.yaml': 'stages:\n  split:\n    cmd: python split.py\n    deps:\n    - ${base.data_dir}/${base.data_fname}\n', 'params.yaml': 'base:\n  data_dir: data\n  data_fname: Churn.csv\n' },
    },
    { name: 'Git LFS tracks it', code: 'import numpy as np\nX = np.load("data/features.npy")\n', files: { '.gitattributes': '*.npy filter=lfs diff=lfs merge=lfs -text\n' } },
    {
      name: 'notebook in a subfolder reading ../data (cwd = notebook folder)',
      file: 'notebooks/eda.ipynb',
      cells: ['import pandas as pd', 'from pathlib import Path\nimport os\nroot = Path(os.getcwd()).parent\ndf = pd.read_csv(root / "data" / "train.csv")'],
      files: { 'data/train.csv.dvc': SIDECAR },
    },
    { name: 'the notebook writes the file first', cells: ['import pandas as pd\nraw.to_csv("data/clean.csv", index=False)', 'df = pd.read_csv("data/clean.csv")'] },
    { name: 'downloaded by a shell line first (unpinned-remote-data reports the download)', cells: ['!wget -q https://example.org/datasets/iris.csv', 'import pandas as pd\ndf = pd.read_csv("iris.csv")'] },
    { name: 'downloaded to a folder the program creates', code: 'import os, urllib.request\nimport pandas as pd\nos.makedirs("datasets/housing", exist_ok=True)\nurllib.request.urlretrieve(URL, "datasets/housing/housing.csv")\ndf = pd.read_csv("datasets/housing/housing.csv")\n' },
    { name: 'path from a function parameter: unknown, silent', code: 'import pandas as pd\n\ndef load(path):\n    return pd.read_csv(path)\n' },
    { name: 'path from argparse: unknown, silent', code: 'import pandas as pd\ndf = pd.read_csv(args.data)\n' },
    { name: 'remote reads are unpinned-remote-data\'s', code: 'import pandas as pd\ndf = pd.read_csv("s3://bucket/train.csv")\n' },
    { name: 'absolute paths are absolute-data-path\'s', code: 'import pandas as pd\ndf = pd.read_csv("/home/alice/train.csv")\n' },
    { name: 'open() of a config file is not data', code: 'import json\nwith open("config.json") as f:\n    cfg = json.load(f)\n' },
    { name: 'open() for writing', code: 'with open("data/out.csv", "w") as f:\n    f.write("a,b\\n")\n' },
    { name: 'a pickled model is not data', code: 'import joblib\nclf = joblib.load("models/model.pkl")\n' },
    { name: 'test modules read fixtures', file: 'tests/test_features.py', code: 'import pandas as pd\ndf = pd.read_csv("tests/fixtures/small.csv")\n' },
    { name: 'versioned Kedro entry', file: 'conf/base/catalog.yml', text: 'companies:\n  type: pandas.CSVDataset\n  filepath: data/01_raw/companies.csv\n  versioned: true\n' },
    { name: 'Kedro layers the pipeline writes', file: 'conf/base/catalog.yml', text: 'model_input_table:\n  type: pandas.ParquetDataset\n  filepath: data/03_primary/model_input_table.parquet\n' },
    {
      name: 'Azure ML inputs that are versioned assets or remote',
      file: 'jobs/train.yml',
      text: '$schema: https://azuremlschemas.azureedge.net/latest/commandJob.schema.json\ncommand: python train.py --data ${{inputs.data}}\ninputs:\n  data:\n    type: uri_folder\n    path: azureml:credit-card:3\n  extra:\n    path: https://example.org/data.csv\noutputs:\n  model:\n    path: ./outputs\n',
    },
    {
      name: 'Azure ML model inputs are not data',
      file: 'jobs/score.yml',
      text: '$schema: https://azuremlschemas.azureedge.net/latest/commandJob.schema.json\ncommand: python score.py\ninputs:\n  input_model:\n    type: mlflow_model\n    path: ../model/mlflow-model\n',
    },
  ],
  invalid: [
    {
      name: 'pandas read of an untracked file',
      code: 'import pandas as pd\n\ndf = pd.read_csv("data/train.csv")\n',
      errors: [
        {
          messageId: 'untracked',
          message:
            '`pd.read_csv` reads data/train.csv, which no DVC sidecar, dvc.yaml stage or Git LFS pattern tracks: nobody can tell which version of the data a result came from. Track it (`dvc add data/train.csv`) or declare it in a dvc.yaml stage.',
          line: 3,
          column: 18,
          endLine: 3,
          endColumn: 34,
          related: ['Run `dvc add data/train.csv` to create data/train.csv.dvc (or track it with Git LFS).'],
        },
      ],
    },
    {
      name: 'path built from a variable in an earlier cell; the assignment is related information',
      file: 'notebooks/train.ipynb',
      cells: ['import os\nimport pandas as pd\nDATA_DIR = "data"', 'df = pd.read_parquet(os.path.join(DATA_DIR, "train.parquet"))'],
      errors: [
        {
          messageId: 'untracked',
          cell: 1,
          line: 1,
          column: 22,
          endColumn: 61,
          messageIncludes: 'dvc add notebooks/data/train.parquet',
          related: ['The path is set here (`DATA_DIR`).', 'Run `dvc add notebooks/data/train.parquet` to create notebooks/data/train.parquet.dvc (or track it with Git LFS).'],
        },
      ],
    },
    {
      name: 'f-string and Path / joins resolve; each file is reported once',
      code: 'from pathlib import Path\nimport numpy as np\nimport polars as pl\nROOT = Path("data")\nX = np.load(f"{ROOT}/features.npy")\nX2 = np.load(ROOT / "features.npy")\nlf = pl.scan_csv(ROOT / "events.csv")\n',
      errors: [
        { messageId: 'untracked', line: 5, column: 13, messageIncludes: 'reads data/features.npy' },
        { messageId: 'untracked', line: 7, column: 18, messageIncludes: 'reads data/events.csv' },
      ],
    },
    {
      name: 'tracked elsewhere does not help: sidecar for another file; dvc.yaml named in related information',
      code: 'import pandas as pd\ndf = pd.read_csv("data/test.csv")\n',
      files: { 'data/train.csv.dvc': SIDECAR, 'dvc.yaml': DVC_STAGE },
      errors: [
        {
          messageId: 'untracked',
          line: 2,
          column: 18,
          related: ['Run `dvc add data/test.csv` to create data/test.csv.dvc (or track it with Git LFS).', 'Or list data/test.csv under `deps:` of a stage in dvc.yaml.'],
        },
      ],
    },
    {
      name: 'open() of a data file, glob reads the folder',
      code: 'import glob\nimport pandas as pd\nwith open("corpus/train.jsonl") as f:\n    rows = f.readlines()\nparts = pd.read_csv("shards/*.csv")\n',
      errors: [
        { messageId: 'untracked', line: 3, column: 11, messageIncludes: 'reads corpus/train.jsonl' },
        { messageId: 'untracked', line: 5, column: 21, messageIncludes: 'reads shards,' },
      ],
    },
    {
      name: 'Metaflow IncludeFile default through a helper of the module',
      file: 'flows/stats.py',
      code: 'import os\nfrom metaflow import FlowSpec, IncludeFile\n\ndef script_path(name):\n    return os.path.join(os.path.dirname(__file__), name)\n\nclass Stats(FlowSpec):\n    movies = IncludeFile("movies", default=script_path("movies.csv"))\n',
      errors: [{ messageId: 'untracked', line: 8, column: 44, endColumn: 69, messageIncludes: 'dvc add flows/movies.csv' }],
    },
    {
      name: 'a script is run from the repository root: the root-relative path is named first',
      file: 'src/train.py',
      code: 'from pyspark.sql import SparkSession\nspark = SparkSession.builder.getOrCreate()\ndf = spark.read.option("header", True).csv("data/events.csv")\nt = spark.read.format("bigquery").load("proj.ds.table")\n',
      errors: [{ messageId: 'untracked', line: 3, column: 44, messageIncludes: '`dvc add data/events.csv`' }],
    },
    {
      name: 'a file above the workspace root can never be tracked here',
      cells: ['import pandas as pd\ntrain = pd.read_csv("../input/titanic/train.csv")'],
      errors: [
        {
          messageId: 'outside',
          message:
            '`pd.read_csv` reads ../input/titanic/train.csv, outside the repository: no data version control of this project can track it, and nobody else has the file. Move the data into the repository and track it (`dvc add`), or import it from its source (`dvc import` / `dvc import-url`).',
          cell: 0,
          line: 2,
          column: 21,
        },
      ],
    },
    {
      name: 'Azure ML SDK Input with a local folder',
      code: 'from azure.ai.ml import Input, command\njob = command(inputs={"data": Input(type="uri_folder", path="./data/credit")}, command="python train.py")\n',
      errors: [{ messageId: 'untracked', line: 2, column: 61, endColumn: 76, messageIncludes: '`Input` reads data/credit' }],
    },
    {
      name: 'Kedro raw data without versioning (paths from the project root)',
      file: 'proj/conf/base/catalog.yml',
      text: 'companies:\n  type: pandas.CSVDataset\n  filepath: data/01_raw/companies.csv\n\npreprocessed:\n  type: pandas.ParquetDataset\n  filepath: data/02_intermediate/pre.parquet\n',
      errors: [
        {
          messageId: 'kedro',
          message:
            'Catalog entry `companies` reads data/01_raw/companies.csv, which is neither `versioned: true` nor tracked by DVC or Git LFS. Track it (`dvc add proj/data/01_raw/companies.csv`) or version the dataset.',
          line: 3,
          column: 13,
          endLine: 3,
          endColumn: 38,
        },
      ],
    },
    {
      name: 'Azure ML job YAML uploading a local folder',
      file: 'cli/jobs/automl.yml',
      text: '$schema: https://azuremlsdk2.blob.core.windows.net/preview/0.0.1/autoMLJob.schema.json\ntype: automl\ntask: classification\ntraining_data:\n  path: "./training-mltable-folder"\n  type: mltable\n',
      errors: [{ messageId: 'azureml', line: 5, column: 9, endColumn: 36, messageIncludes: 'dvc add cli/jobs/training-mltable-folder' }],
    },
  ],
});

describe('untracked-data-read after one-cell edits', () => {
  it('follows a path defined in another cell', async () => {
    const lint = await editSession('untracked-data-read', { 'data/train.csv.dvc': 'outs:\n- path: train.csv\n' });
    const read = 'import pandas as pd\ndf = pd.read_csv(DATA)';
    assert.deepEqual(await lint(['DATA = "data/train.csv"', read]), []);
    assert.deepEqual(await lint(['DATA = "data/test.csv"', read]), ['1:2:18 untracked']);
    assert.deepEqual(await lint(['DATA = "data/train.csv"', read]), []);
    // The file is written by the notebook itself.
    assert.deepEqual(await lint(['DATA = "data/test.csv"', 'make().to_csv("data/test.csv")', read]), []);
  });

  it('follows the module a reader is imported from', async () => {
    const lint = await editSession('untracked-data-read');
    const read = 'df = pd.read_csv("data/test.csv")';
    assert.deepEqual(await lint(['import pandas as pd', read]), ['1:1:18 untracked']);
    assert.deepEqual(await lint(['import mylib as pd', read]), []);
    assert.deepEqual(await lint(['import dask.dataframe as pd', read]), ['1:1:18 untracked']);
    assert.deepEqual(await lint(['import dask.dataframe as pd', 'x = 1', read]), ['2:1:18 untracked']);
  });
});

