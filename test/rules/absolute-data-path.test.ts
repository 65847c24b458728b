import * as assert from 'node:assert/strict';
import rule from '../../src/core/rules/data/absolute-data-path';
import { ruleTester } from '../helpers/rule-tester';
import { editSession } from '../helpers/edit-session';

ruleTester(rule, {
  valid: [
    { name: 'relative paths', code: 'import pandas as pd\ndf = pd.read_csv("data/train.csv")\ndf.to_parquet("data/clean.parquet")\n' },
    { name: 'SageMaker container paths', code: 'import pandas as pd\nimport joblib\ndf = pd.read_csv("/opt/ml/input/data/train/train.csv")\njoblib.dump(clf, "/opt/ml/model/model.joblib")\n' },
    { name: 'Databricks, Azure ML, Vertex (gcsfuse), Colab and Kaggle mounts', code: 'import pandas as pd\na = pd.read_csv("/dbfs/FileStore/data/iris.csv")\nb = pd.read_csv("/mnt/azureml/cr/j/data/train.csv")\nc = pd.read_csv("/gcs/my-bucket/train.csv")\nd = pd.read_csv("/content/drive/MyDrive/train.csv")\ne = pd.read_csv("/kaggle/input/titanic/train.csv")\n' },
    { name: '/tmp as a scratch output', cells: ["import os, json\nos.makedirs('/tmp/kfp_nb_outputs', exist_ok=True)", "with open('/tmp/kfp_nb_outputs/metrics.json', 'w') as f:\n    json.dump(metrics, f)"] },
    { name: 'checks and sys.path are not data I/O', code: 'import os, sys\nIS_WORKBENCH = os.path.exists("/opt/deeplearning/metadata/env_version")\nsys.path.append("/home/alice/src")\nprint("/home/alice/data.csv")\n' },
    { name: 'URL routes are not files', code: 'from google.cloud import aiplatform\nm = aiplatform.Model.upload(display_name="m", serving_container_predict_route="/predictions/model", serving_container_health_route="/ping")\nr = endpoint.invoke(path="/embeddings", body=b)\n' },
    { name: 'cloud URIs', code: 'import pandas as pd\ndf = pd.read_csv("gs://bucket/train.csv")\n' },
    { name: 'container paths in Kubernetes-style manifests', file: 'serving/isvc.yaml', text: 'apiVersion: serving.kserve.io/v1beta1\nkind: InferenceService\nmetadata:\n  name: m\nspec:\n  predictor:\n    model:\n      storageUri: /home/model-server/model-store\n' },
    { name: 'Azure ML deployment mount path and probe routes', file: 'deploy.yml', text: '$schema: https://azuremlschemas.azureedge.net/latest/managedOnlineDeployment.schema.json\nname: blue\nmodel:\n  path: ./models/model_1\nmodel_mount_path: /models\nenvironment:\n  inference_config:\n    liveness_route:\n      path: /v2/health/live\n      port: 8000\n' },
    { name: 'comments are not settings', file: 'profiles/local.yaml', text: 'model_registry:\n  # registry_uri: "sqlite:////tmp/registry.db"\n  model_name: "red_wine_classifier"\n' },
  ],
  invalid: [
    {
      name: 'a home directory path in a read',
      code: 'import pandas as pd\n\ndf = pd.read_csv("/home/alice/projects/churn/data/train.csv")\n',
      errors: [
        {
          messageId: 'absolute',
          message:
            '/home/alice/projects/churn/data/train.csv is an absolute path on one machine, used by `pd.read_csv`: the code breaks (or silently reads other data) anywhere else. Use a path relative to the repository, or take it from a parameter or config file.',
          line: 3,
          column: 18,
          endLine: 3,
          endColumn: 61,
        },
      ],
    },
    {
      name: 'home-relative, Windows and macOS paths; writes count too',
      code: 'import os\nimport numpy as np\nimport torch\nX = np.load(os.path.expanduser("~/data/features.npy"))\ndf.to_csv(r"C:\\Users\\bob\\out\\preds.csv")\ntorch.save(model.state_dict(), "/Users/carol/models/net.pt")\n',
      errors: [
        { messageId: 'absolute', line: 4, column: 13, messageIncludes: '~/data/features.npy' },
        { messageId: 'absolute', line: 5, column: 11, messageIncludes: 'C:\\Users\\bob\\out\\preds.csv' },
        { messageId: 'absolute', line: 6, column: 32, messageIncludes: 'used by `torch.save`' },
      ],
    },
    {
      name: 'through a variable in an earlier cell and an f-string; related points at the assignment',
      cells: ['DATA_DIR = "/data/projects/churn"', 'import pandas as pd\ndf = pd.read_parquet(f"{DATA_DIR}/train.parquet")'],
      errors: [{ messageId: 'absolute', cell: 1, line: 2, column: 22, messageIncludes: '/data/projects/churn/train.parquet', related: ['The path is set here (`DATA_DIR`).'] }],
    },
    {
      name: 'keyword arguments that take folders',
      code: 'from transformers import TrainingArguments\nargs = TrainingArguments(output_dir="/home/alice/runs/bert", num_train_epochs=3)\n',
      errors: [{ messageId: 'absolute', line: 2, column: 37, endColumn: 60 }],
    },
    {
      name: 'data read back from /tmp',
      cells: ['images_dir = "/tmp/faces/"\nio_utils.copy_dir(destination_dir=images_dir, source_dir=src)', 'import os\nfiles = os.listdir(images_dir)'],
      errors: [
        {
          messageId: 'tmpRead',
          message: '`os.listdir` reads data from /tmp/faces/, a temporary folder on one machine: the data is gone after a restart and nobody else has it. Keep inputs in the repository (tracked with DVC) or in versioned storage.',
          cell: 1,
          line: 2,
          column: 20,
          endColumn: 30,
        },
      ],
    },
    {
      name: 'Kedro catalog and dvc.yaml with absolute paths',
      file: 'conf/base/catalog.yml',
      text: 'companies:\n  type: pandas.CSVDataset\n  filepath: /Users/alice/data/companies.csv\n',
      errors: [{ messageId: 'absolute', line: 3, column: 13, endColumn: 44, messageIncludes: 'used by `this setting`' }],
    },
    {
      name: 'dvc.yaml deps outside the repository',
      file: 'dvc.yaml',
      text: 'stages:\n  prepare:\n    cmd: python prepare.py\n    deps:\n    - /mnt/shared/raw.csv\n    outs:\n    - data/prepared.csv\n',
      errors: [{ messageId: 'absolute', line: 5, column: 7 }],
    },
    {
      name: 'a home path in a params file',
      file: 'params.yaml',
      text: 'data:\n  train_path: /home/alice/data/train.csv\n  test_size: 0.2\n',
      errors: [{ messageId: 'absolute', line: 2, column: 15 }],
    },
  ],
});

describe('absolute-data-path after one-cell edits', () => {
  it('follows a path defined in another cell', async () => {
    const lint = await editSession('absolute-data-path');
    const read = 'import pandas as pd\ndf = pd.read_csv(f"{ROOT}/train.csv")';
    assert.deepEqual(await lint(['ROOT = "/home/alice/data"', read]), ['1:2:18 absolute']);
    assert.deepEqual(await lint(['ROOT = "data"', read]), []);
    assert.deepEqual(await lint(['ROOT = "/home/alice/data"', read]), ['1:2:18 absolute']);
  });
});


describe('absolute-data-path: cells with the same text', () => {
  it('resolves each copy of a cell where it runs (the facts of equal cells are shared)', async () => {
    const lint = await editSession('absolute-data-path');
    const read = 'df = pd.read_csv(P)';
    // The first copy reads a relative path, the second (same text) an absolute one.
    assert.deepEqual(await lint(['import pandas as pd\nP = "data/x.csv"', read, 'P = "/home/alice/x.csv"', read]), ['3:1:18 absolute']);
    assert.deepEqual(await lint(['import pandas as pd\nP = "/home/alice/x.csv"', read, 'P = "data/x.csv"', read]), ['1:1:18 absolute']);
  });
});
