import * as assert from 'node:assert/strict';
import rule from '../../src/core/rules/data/unpinned-remote-data';
import { ruleTester } from '../helpers/rule-tester';
import { editSession } from '../helpers/edit-session';

const AML_JOB = '$schema: https://azuremlschemas.azureedge.net/latest/commandJob.schema.json\ncommand: python train.py --data ${{inputs.training_data}}\nenvironment: azureml:AzureML-sklearn-1.5@latest\n';

ruleTester(rule, {
  valid: [
    { name: 'hub dataset with a revision', code: 'from datasets import load_dataset\nds = load_dataset("imdb", revision="e6281661ce1c48d982bc483cf8a173c1bbeb5d31")\n' },
    { name: 'datasets builder over local files', code: 'from datasets import load_dataset\nds = load_dataset("csv", data_files="data/train.csv")\n' },
    { name: 'hub model downloads are not data', code: 'from huggingface_hub import hf_hub_download\np = hf_hub_download(repo_id="bert-base-uncased", filename="config.json")\n' },
    { name: 'S3 object version id', code: 'import pandas as pd\ndf = pd.read_csv("s3://ml-data/train.csv?versionId=3HL4kqtJlcpXroDTDmJ")\n' },
    { name: 'GCS generation', code: 'import pandas as pd\ndf = pd.read_csv("gs://ml-data/train.csv#1712345678901234")\n' },
    { name: 'URL pinned to a commit', code: 'import pandas as pd\ndf = pd.read_csv("https://raw.githubusercontent.com/org/repo/4f1c2a9e8b7d6c5b4a3f2e1d0c9b8a7f6e5d4c3b/data/iris.csv")\n' },
    { name: 'URL of a release tag', code: 'import urllib.request\nurllib.request.urlretrieve("https://github.com/org/data/releases/download/v1.2.0/train.csv", "train.csv")\n' },
    { name: 'get_file with a hash', code: 'import tensorflow as tf\np = tf.keras.utils.get_file("flowers.tgz", "https://example.org/datasets/flowers.tgz", file_hash="0b9a4c9b")\n' },
    { name: 'tfds with a version', code: 'import tensorflow_datasets as tfds\nds = tfds.load("mnist:3.0.1", split="train")\n' },
    { name: 'OpenML with a version', code: 'from sklearn.datasets import fetch_openml\nadult = fetch_openml(name="adult", version=2, as_frame=True)\n' },
    { name: 'bundled and canonical datasets', code: 'from sklearn.datasets import load_iris, fetch_california_housing\nfrom tensorflow import keras\nX, y = load_iris(return_X_y=True)\nh = fetch_california_housing()\n(x, y), _ = keras.datasets.fashion_mnist.load_data()\n' },
    { name: 'placeholder bucket', code: 'import pandas as pd\nBUCKET_URI = f"gs://your-bucket-name-{PROJECT_ID}-unique"\ndf = pd.read_csv(f"{BUCKET_URI}/predictions.csv")\n' },
    { name: 'a page, not a data set', code: 'import requests\nr = requests.get("https://api.example.com/v1/status")\n' },
    { name: 'writes and uploads are not reads', cells: ['df.to_csv("gs://ml-data/out/preds.csv")', '!gsutil cp preds.csv gs://ml-data/out/', '!gsutil ls gs://cloud-samples-data/ai-platform/iris'] },
    { name: 'shell download of a script or an image', cells: ['!wget https://example.org/install.sh', '!curl -O https://raw.githubusercontent.com/org/repo/master/images/sample.jpg'] },
    {
      name: 'downloaded once, then registered as a versioned Azure ML data asset',
      cells: [
        'import pandas as pd\nfrom azure.ai.ml.entities import Data\ndata_path = "https://example.blob.core.windows.net/datasets/credit.csv"\ndf = pd.read_csv(data_path)',
        'df.to_csv("credit.csv")\nml_client.data.create_or_update(Data(name="credit", path="credit.csv", version="1"))',
      ],
    },
    { name: 'Azure ML asset with a version', code: 'from azure.ai.ml import Input\ninp = Input(type="uri_file", path="azureml:credit-card:2")\n' },
    { name: 'Azure ML data.get with a version; models by label are not data', code: 'ds = ml_client.data.get(name="credit-card", version="2")\nm = ml_client.models.get(name="clf", label="latest")\n' },
    { name: 'BigQuery time travel', code: 'from google.cloud import bigquery\nclient = bigquery.Client()\ndf = client.query("SELECT * FROM `proj.sales.orders` FOR SYSTEM_TIME AS OF TIMESTAMP(\'2024-01-01\')").to_dataframe()\n' },
    { name: 'BigQuery table built at run time (the notebook\'s own table)', code: 'from google.cloud import bigquery\nclient = bigquery.Client()\njob = client.query(f"SELECT * FROM `{PROJECT_ID}.{DATASET}.predictions`")\n' },
    { name: 'pinned artifacts and DVC revisions; model artifacts are not data', code: 'import wandb\nimport dvc.api\na = run.use_artifact("team/churn/train-data:v3")\nm = run.use_artifact("team/churn/model:latest", type="model")\nraw = dvc.api.read("data/raw.csv", repo="https://github.com/org/data-registry", rev="v1.2")\nlocal = dvc.api.read("data/raw.csv")\n' },
    { name: 'pandas .query is not SQL', code: 'from google.cloud import bigquery\nsmall = df.query("price > 10")\n' },
    { name: 'Azure ML YAML: versioned asset, job output, registry asset, environment @latest', text: AML_JOB + 'inputs:\n  training_data:\n    type: uri_folder\n    path: azureml:credit:3\n  base:\n    path: azureml://registries/azureml/models/bert/versions/2\n  prev:\n    path: azureml://jobs/abc/outputs/artifacts/paths/model\noutputs:\n  scored:\n    path: azureml://datastores/workspaceblobstore/paths/out/\n' },
    { name: 'Kedro remote entry with versioning', file: 'conf/base/catalog.yml', text: 'raw:\n  type: pandas.CSVDataset\n  filepath: s3://ml-data/raw/events.csv\n  versioned: true\n' },
  ],
  invalid: [
    {
      name: 'hub dataset without a revision',
      code: 'from datasets import load_dataset\n\nds = load_dataset("imdb")\n',
      errors: [
        {
          messageId: 'hub',
          message:
            '`load_dataset` loads `imdb` from the Hugging Face Hub without `revision=`: the dataset can change under the same name. Pass `revision="<commit sha>"` (the commit shown on the dataset\'s Hub page).',
          line: 3,
          column: 19,
          endLine: 3,
          endColumn: 25,
        },
      ],
    },
    {
      name: 'hub dataset named by a variable in an earlier cell',
      cells: ['from datasets import load_dataset\nrepo = "zenml/rag_qa_embedding_questions"', 'ds = load_dataset(repo, split="train")'],
      errors: [{ messageId: 'hub', cell: 1, line: 1, column: 19, endColumn: 23, messageIncludes: '`zenml/rag_qa_embedding_questions`', related: ['The location is set here (`repo`).'] }],
    },
    {
      name: 'hf_hub_download of a dataset file, FiftyOne load_from_hub',
      code: 'from huggingface_hub import hf_hub_download\nimport fiftyone.utils.huggingface as fouh\np = hf_hub_download(repo_id="org/reviews", filename="train.parquet", repo_type="dataset")\nds = fouh.load_from_hub("Voxel51/mvtec-ad", max_samples=5)\n',
      errors: [
        { messageId: 'hub', line: 3, column: 29, messageIncludes: '`org/reviews`' },
        { messageId: 'hub', line: 4, column: 25, messageIncludes: '`Voxel51/mvtec-ad`' },
      ],
    },
    {
      name: 'cloud paths without a version',
      code: 'import pandas as pd\nimport polars as pl\ndf = pd.read_parquet("s3://ml-data/train.parquet")\nev = pl.read_csv("gs://ml-data/events.csv")\nlog = pd.read_json("abfss://raw@acct.dfs.core.windows.net/logs.jsonl", lines=True)\n',
      errors: [
        {
          messageId: 'remote',
          message:
            '`pd.read_parquet` reads s3://ml-data/train.parquet without a version pin: the S3 object can change while the code stays the same, so results cannot be reproduced. Pin an object version (`?versionId=...` / `VersionId=`), or import it with `dvc import-url` so its content hash is recorded.',
          line: 3,
          column: 22,
          endColumn: 50,
        },
        { messageId: 'remote', line: 4, column: 18, messageIncludes: 'Cloud Storage object' },
        { messageId: 'remote', line: 5, column: 20, messageIncludes: 'Azure blob' },
      ],
    },
    {
      name: 'download helpers; the URL is built from constants; a SAS token is not printed',
      code: 'import urllib.request\nfrom tensorflow import keras\nROOT = "https://raw.githubusercontent.com/ageron/handson-ml2/master/"\nurllib.request.urlretrieve(ROOT + "datasets/housing/housing.tgz", "housing.tgz")\np = keras.utils.get_file("shakespeare.txt", "https://example.org/data/input.txt?sv=2020&sig=SECRETSIGNATURE")\n',
      errors: [
        { messageId: 'remote', line: 4, column: 28, endColumn: 65, messageIncludes: 'reads https://raw.githubusercontent.com/ageron/handson-ml2/master/datasets/housing/housing.tgz without', related: ['The location is set here (`ROOT`).'] },
        { messageId: 'remote', line: 5, column: 45, messageIncludes: 'reads https://example.org/data/input.txt without' },
      ],
    },
    {
      name: 'a URL passed to a function that reads it',
      code: 'import pandas as pd\nCSV_URL = "https://example.org/releases/download/latest/trips.csv.gz"\n\ndef extract(url):\n    return pd.read_csv(url, compression="gzip")\n\ndf = extract(CSV_URL)\n',
      errors: [{ messageId: 'remote', line: 5, column: 24, endColumn: 27, messageIncludes: 'trips.csv.gz' }],
    },
    {
      name: 'tfds, OpenML and Kaggle without versions',
      code: 'import tensorflow_datasets as tfds\nfrom sklearn.datasets import fetch_openml\nimport kagglehub\nds = tfds.load("imdb_reviews", as_supervised=True)\nX = fetch_openml("mnist_784")\np = kagglehub.dataset_download("owner/churn")\n',
      errors: [
        { messageId: 'tfds', line: 4, column: 16, message: '`tfds.load("imdb_reviews")` loads whatever version of the data set the installed TFDS defaults to. Pin it in the name: `"imdb_reviews:<version>"` (e.g. `"mnist:3.0.1"`).' },
        { messageId: 'openml', line: 5, column: 18 },
        { messageId: 'kaggle', line: 6, column: 32 },
      ],
    },
    {
      name: 'Azure ML: URL input, @latest asset, data asset by label',
      code: 'from azure.ai.ml import Input, command\nweb_path = "wasbs://datasets@examples.blob.core.windows.net/mnist/"\njob = command(inputs={"data": Input(type="uri_folder", path=web_path), "ref": Input(path="azureml:credit@latest")}, command="python t.py")\nds = ml_client.data.get(name="credit", label="latest")\n',
      errors: [
        { messageId: 'remote', line: 3, column: 61, messageIncludes: 'wasbs://datasets@examples.blob.core.windows.net/mnist/', related: ['The location is set here (`web_path`).'] },
        { messageId: 'azuremlAsset', line: 3, column: 90, message: 'Input uses `azureml:credit@latest`, which resolves to whatever version of `credit` is newest when the job is submitted. Pin a version: `azureml:credit:<version>`.' },
        { messageId: 'azuremlLabel', line: 4, column: 40, endColumn: 54 },
      ],
    },
    {
      name: 'pipelines and dataset creation from cloud data',
      code: 'from kfp import dsl\nfrom google.cloud import aiplatform\n\ndef pipeline():\n    data = dsl.importer(artifact_uri="gs://cloud-samples-data/ai-platform/flowers/flowers.csv", artifact_class=dsl.Dataset)\n\nIMPORT = "bq://bigquery-public-data.ml_datasets.penguins"\nds = aiplatform.TabularDataset.create(display_name="penguins", bq_source=[IMPORT])\n',
      errors: [
        { messageId: 'remote', line: 5, column: 38, messageIncludes: '`dsl.importer` reads gs://cloud-samples-data/' },
        { messageId: 'remote', line: 8, column: 74, messageIncludes: 'BigQuery table' },
      ],
    },
    {
      name: 'BigQuery SQL over a live table, and a %%bigquery cell',
      cells: [
        'from google.cloud import bigquery\nclient = bigquery.Client()\nTABLE = "bigquery-public-data.ml_datasets.penguins"\nq = f"""\nSELECT * FROM `{TABLE}`\n"""\ndf = client.query(q).to_dataframe()',
        '%%bigquery df\nSELECT status, COUNT(*) FROM looker-private-demo.retail.order_items GROUP BY 1',
      ],
      errors: [
        { messageId: 'bigquery', cell: 0, line: 7, column: 19, messageIncludes: '`bigquery-public-data.ml_datasets.penguins`' },
        { messageId: 'bigquery', cell: 1, line: 1, column: 1, endColumn: 14, messageIncludes: '`looker-private-demo.retail.order_items`' },
      ],
    },
    {
      name: 'shell downloads and copies; $VAR and {VAR} resolved',
      cells: [
        'DATASET_URI = "gs://cloud-samples-data/ai-platform/iris"\nMETA = f"{DATASET_URI}/metadata.json"',
        '!wget -q https://example.org/datasets/reviews.zip\n!gcloud storage cp --recursive $DATASET_URI .\n! gsutil cat {META}',
        '%%bash\nset -e\naws s3 cp s3://ml-data/raw/events.parquet data/\nkaggle datasets download -d owner/churn -p data',
      ],
      errors: [
        { messageId: 'remote', cell: 1, line: 1, column: 1, endColumn: 50, messageIncludes: '`wget` reads https://example.org/datasets/reviews.zip' },
        { messageId: 'remote', cell: 1, line: 2, column: 1, messageIncludes: '`gcloud storage cp` reads gs://cloud-samples-data/ai-platform/iris' },
        { messageId: 'remote', cell: 1, line: 3, column: 1, messageIncludes: '`gsutil cat` reads gs://cloud-samples-data/ai-platform/iris/metadata.json' },
        { messageId: 'remote', cell: 2, line: 3, column: 1, messageIncludes: '`aws s3 cp` reads s3://ml-data/raw/events.parquet' },
        { messageId: 'kaggle', cell: 2, line: 4, column: 1, messageIncludes: '`owner/churn`' },
      ],
    },
    {
      name: 'W&B artifact alias, DVC data from another repository, Azure ML v1 dataset, SageMaker channels',
      code: 'import wandb\nimport dvc.api\nfrom azureml.core import Dataset\nimport sagemaker\nart = run.use_artifact("team/churn/train-data:latest", type="dataset")\nraw = dvc.api.read("data/raw.csv", repo="https://github.com/org/data-registry")\nds = Dataset.get_by_name(ws, name="credit")\nestimator.fit({"train": "s3://ml-data/train/", "test": "s3://ml-data/test/"})\n',
      errors: [
        { messageId: 'artifactAlias', line: 5, column: 24, message: '`run.use_artifact` uses `team/churn/train-data:latest`: the alias `latest` moves to newer versions, so the data a run reads can change. Pin a version: `team/churn/train-data:v<n>`.' },
        { messageId: 'dvcRev', line: 6, column: 41, messageIncludes: 'from https://github.com/org/data-registry without `rev=`' },
        { messageId: 'azuremlV1', line: 7, column: 6, endColumn: 25 },
        { messageId: 'remote', line: 8, column: 25, messageIncludes: 's3://ml-data/train/' },
        { messageId: 'remote', line: 8, column: 56, messageIncludes: 's3://ml-data/test/' },
      ],
    },
    {
      name: 'live web pages',
      code: 'from langchain.document_loaders import UnstructuredURLLoader\nloader = UnstructuredURLLoader(urls=["https://docs.example.org"])\n',
      errors: [{ messageId: 'web', line: 2, column: 10, endColumn: 31 }],
    },
    {
      name: 'copying a cloud folder to the local disk',
      code: 'from zenml.utils import io_utils\nio_utils.copy_dir(destination_dir="/tmp/faces/", source_dir="az://artifacts/faces")\n',
      errors: [{ messageId: 'remote', line: 2, column: 61, endColumn: 83, messageIncludes: 'Azure blob' }],
    },
    {
      name: 'Azure ML YAML: @latest and a datastore path as inputs',
      file: 'jobs/train.yml',
      text: AML_JOB + 'inputs:\n  training_data:\n    type: uri_folder\n    path: azureml:credit@latest\n  raw:\n    type: uri_file\n    path: azureml://datastores/workspaceblobstore/paths/data/titanic.csv\n',
      errors: [
        { messageId: 'azuremlAsset', line: 7, column: 11, endColumn: 32, message: 'training_data uses `azureml:credit@latest`, which resolves to whatever version of `credit` is newest when the job is submitted. Pin a version: `azureml:credit:<version>`.' },
        { messageId: 'remote', line: 10, column: 11, messageIncludes: 'Job input `raw` reads azureml://datastores/workspaceblobstore/paths/data/titanic.csv' },
      ],
    },
    {
      name: 'Kedro remote entry without versioning',
      file: 'conf/base/catalog.yml',
      text: 'raw_events:\n  type: pandas.CSVDataset\n  filepath: s3://ml-data/raw/events.csv\n',
      errors: [{ messageId: 'kedro', line: 3, column: 13, endColumn: 40 }],
    },
  ],
});

describe('unpinned-remote-data after one-cell edits', () => {
  it('follows a URL defined in another cell', async () => {
    const lint = await editSession('unpinned-remote-data');
    const read = 'import pandas as pd\ndf = pd.read_csv(URL)';
    assert.deepEqual(await lint(['URL = "https://example.org/data/train.csv"', read]), ['1:2:18 remote']);
    assert.deepEqual(await lint(['URL = "https://github.com/org/repo/raw/v1.2.0/data/train.csv"', read]), []);
    assert.deepEqual(await lint(['URL = "https://example.org/data/train.csv"', read]), ['1:2:18 remote']);
  });

  it('follows a shell download edited in place', async () => {
    const lint = await editSession('unpinned-remote-data');
    assert.deepEqual(await lint(['!wget https://example.org/data/train.csv']), ['0:1:1 remote']);
    assert.deepEqual(await lint(['!wget https://github.com/org/repo/releases/download/v1.2.0/train.csv']), []);
    assert.deepEqual(await lint(['SRC = "https://example.org/data"', '!wget $SRC/train.csv']), ['1:1:1 remote']);
    assert.deepEqual(await lint(['SRC = "https://example.org/v1.0/data"', '!wget {SRC}/train.png']), []);
  });

  it('re-reads a call when its name is rebound by an import in another cell, and keeps the others', async () => {
    const lint = await editSession('unpinned-remote-data');
    const download = 'urlretrieve("https://example.org/data/train.csv", "train.csv")';
    const other = 'cfg = settings.get("path")\nmodel.fit(X, y)';
    assert.deepEqual(await lint(['from urllib.request import urlretrieve', other, download]), ['2:1:13 remote']);
    assert.deepEqual(await lint(['from mylib import urlretrieve', other, download]), []);
    assert.deepEqual(await lint(['from urllib.request import urlretrieve', other, download]), ['2:1:13 remote']);
    // A cell added in front and an unrelated import: every position moves.
    assert.deepEqual(await lint(['import os', 'from urllib.request import urlretrieve', other, download]), ['3:1:13 remote']);
    assert.deepEqual(await lint(['import os', 'from urllib.request import urlretrieve', other, download, download]), ['3:1:13 remote', '4:1:13 remote']);
  });
});

