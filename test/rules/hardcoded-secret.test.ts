import * as assert from 'node:assert/strict';
import { type NotebookOutput } from '../../src/core/parse/notebook';
import rule from '../../src/core/rules/governance/hardcoded-secret';
import { ruleTester } from '../helpers/rule-tester';
import { editSession } from '../helpers/edit-session';

// Provider-shaped test tokens are assembled at run time, so no scanner mistakes this file for a leak.
const HF = ['hf', 'Qm7xTz2KpLw9RbVn4YcJd8HsFa3GeUo6Ni'].join('_');
const OPENAI = ['sk', 'proj', '4fGh7Jk2Lm9Np3Qr8St1Uv6Wx0Yz5Ab2Cd4Ef'].join('-');
const GITHUB = ['ghp', 'R8kLm2Nq4Ps6Tu8Vw0Xy2Za4Bc6De8Fg0Hi2'].join('_');
const WANDB = '3f9a1c5e7b2d4f6a8c0e1b3d5f7a9c2e4b6d8f0a';
const ACCOUNT_KEY = 'Zm9vYmFyYmF6cXV4MTIzNDU2Nzg5MGFiY2RlZmdoaWprbG1ub3A=';

ruleTester(rule, {
  valid: [
    { name: 'requirements.txt: index credentials from the environment', file: 'requirements.txt', text: '--extra-index-url https://${PIP_USER}:${PIP_PASSWORD}@pypi.example.com/simple\npandas==2.2.2\n' },
    {
      name: 'values read from the environment, a prompt or a secret store',
      code:
        'import os, getpass\nfrom zenml.client import Client\n\ntoken = os.environ["HF_TOKEN"]\napi_key = os.getenv("OPENAI_API_KEY")\n' +
        'password = getpass.getpass("DB password: ")\nhf_token = Client().get_secret("huggingface").secret_values["token"]\n' +
        'db_password = os.getenv("DB_PASSWORD", "postgres")\n',
    },
    {
      name: 'placeholders',
      code:
        'api_key = "<YOUR_API_KEY>"\ntoken = "YOUR_API_KEY"\npassword = ""\nsecret = "xxx"\nCOHERE_API_KEY = "{API KEY}"\n' +
        'client_secret = "changeme"\nhf_token = "hf_xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx"\nopenai.api_key = "sk-..."\naccess_key = "***"\n' +
        'NGROK_TOKEN = (\n    ""  # TODO: set your ngrok token\n)\nwandb_key = "your-wandb-key-here"\n',
    },
    {
      name: 'names that are not credentials, and references to them',
      code:
        'tokenizer.pad_token = "[PAD]"\neos_token = "</s>"\nsecret_name = "wandb-api-key"\ntoken_env = "HF_TOKEN"\nmax_tokens = 512\n' +
        'subscription_id = "subscription_id"\npassword_field = "password"\naws_access_key_id = "token"\nsecret = "my-k8s-secret"\n' +
        'secret_key = "dev"\nkey = "a1B2c3D4e5F6g7H8"\ncommit_sha = "3f9a1c5e7b2d4f6a8c0e1b3d5f7a9c2e4b6d8f0a"\npassword = get_password()\n' +
        'api_key = "projects/my-project/secrets/openai/versions/1"\ntoken = f"{prefix}-{suffix}"\n',
    },
    {
      name: 'docstrings, prompts, format strings, local-server conventions, special tokens',
      code:
        'from openai import OpenAI\n\ndef connect(password: str, api_key: str = ""):\n    """Connect.\n\n    Args:\n        password: the database password\n        api_key: Your API key.\n    """\n' +
        '    print("password: %s" % password)\n    prompt = "Enter your password: "\n    return "password={}".format(password)\n\n' +
        'client = OpenAI(base_url="http://localhost:8000/v1", api_key="EMPTY")\nlocal = OpenAI(api_key="ollama")\n' +
        'tok.add_special_tokens({"pad_token": "<|endoftext|>", "sep_token": "[SEP]"})\nclient_secret_path = "client_secret.json"\n' +
        'parser.add_argument("--db-password", help="password: the DB password")\n',
    },
    { name: 'published example keys', code: 'AWS_ACCESS_KEY_ID = "AKIAIOSFODNN7EXAMPLE"\nAWS_SECRET_ACCESS_KEY = "wJalrXUtnFEMI/K7MDENG/bPxRfiCYEXAMPLEKEY"\n' },
    { name: 'commented-out credentials are templates', code: '# password = "hunter22"\n# DB_PASSWORD=example\nx = 1\n' },
    { name: 'URLs with placeholder credentials', code: 'uri = "postgresql://user:password@localhost:5432/db"\nurl = "https://<user>:<token>@host.example.com"\n' },
    {
      name: 'notebook: prompted key, secret store, empty placeholders, markdown prose',
      cells: [
        { markdown: 'Log in with the default `minioadmin` user, password: admin' },
        'from getpass import getpass\nLABEL_STUDIO_API_KEY = getpass("API key: ")',
        'OPENAI_API_KEY = ""\nLANGFUSE_SECRET_KEY = ""',
        { code: 'print("logged in")', outputs: [{ output_type: 'stream', name: 'stdout', text: ['Enter your password: \n', 'token: ok\n'] }] },
      ],
    },
    {
      name: 'YAML: CI secrets, nulls, references by name, env indirection, comments',
      file: '.github/workflows/train.yml',
      text:
        'on: push\njobs:\n  train:\n    runs-on: ubuntu-latest\n    permissions:\n      id-token: write\n    steps:\n      - uses: actions/checkout@v4\n' +
        '        with:\n          token: ${{ secrets.GITHUB_TOKEN }}\n      - run: python train.py\n        env:\n          HF_TOKEN: ${{ secrets.HF_TOKEN }}\n' +
        '          DB_PASSWORD: ${DB_PASSWORD}\n          AZURE_CLIENT_SECRET: ${{ secrets.AZURE_CLIENT_SECRET }}\n',
    },
    {
      name: 'YAML: Kedro credentials template and catalog',
      file: 'conf/local/credentials.yml',
      text: '# Example:\n#\n# dev_s3:\n#     aws_access_key_id: token\n#     aws_secret_access_key: key\n# dev_sql:\n#     username: admin\n#     password: admin\nllm:\n  credentials: openai\npull:\n  access_token: null\n',
    },
    {
      name: 'YAML: Kubernetes secret references',
      text: 'env:\n  - name: DB_PASSWORD\n    valueFrom:\n      secretKeyRef:\n        name: db\n        key: password\n  - name: MODEL\n    value: resnet50\n',
    },
  ],
  invalid: [
    {
      name: 'requirements.txt: a password in an index URL and a token in a VCS link',
      file: 'requirements.txt',
      text: `--extra-index-url https://alice:s3cr3t-Pa55@pypi.example.com/simple\npandas==2.2.2\nmylib @ git+https://${GITHUB}@github.com/org/mylib@3f2a1b9c\n`,
      errors: [
        { messageId: 'config', messageIncludes: '`s*********5`', line: 1, column: 33, endLine: 1, endColumn: 44 },
        { messageId: 'config', messageIncludes: 'GitHub token `ghp_************0Hi2` in this config', line: 3, column: 21, endLine: 3, endColumn: 61 },
      ],
    },
    {
      name: 'password literal in a module: fix reads it from the environment and imports os',
      code: 'import psycopg\n\nDB_PASSWORD = "s3cr3t-Pa55"\nconn = psycopg.connect(host="db", password=DB_PASSWORD)\n',
      errors: [{ messageId: 'literalNamed', message: 'Hard-coded password `s*********5` in `DB_PASSWORD`. Read it from the environment or a secret store, and rotate it: it is in the history of every copy of this file.', line: 3, column: 16, endLine: 3, endColumn: 27 }],
      output: 'import os\nimport psycopg\n\nDB_PASSWORD = os.environ["DB_PASSWORD"]\nconn = psycopg.connect(host="db", password=DB_PASSWORD)\n',
    },
    {
      name: 'keyword argument, dict entry and default argument; os already imported',
      code: 'import os\nimport psycopg\n\ndef connect(host, password="hunter22"):\n    return psycopg.connect(host=host, password=password)\n\nconfig = {"user": "scott", "password": "tiger"}\nengine = connect(host="db", password="Sup3r-s3cret")\n',
      errors: [
        { messageId: 'literalNamed', line: 4, column: 29, endLine: 4, endColumn: 37 },
        { messageId: 'literalNamed', line: 7, column: 41, endLine: 7, endColumn: 46 },
        { messageId: 'literalNamed', line: 8, column: 39, endLine: 8, endColumn: 51 },
      ],
      output: 'import os\nimport psycopg\n\ndef connect(host, password=os.environ["PASSWORD"]):\n    return psycopg.connect(host=host, password=password)\n\nconfig = {"user": "scott", "password": os.environ["PASSWORD"]}\nengine = connect(host="db", password=os.environ["PASSWORD"])\n',
    },
    {
      name: 'W&B key passed to wandb.login: the variable name comes from the provider',
      code: `import wandb\n\nwandb.login(key="${WANDB}")\n`,
      errors: [{ messageId: 'literal', messageIncludes: 'W&B API key `3f9a************8f0a`', line: 3, column: 18, endLine: 3, endColumn: 58 }],
      output: 'import os\nimport wandb\n\nwandb.login(key=os.environ["WANDB_API_KEY"])\n',
    },
    {
      name: 'Hugging Face token and OpenAI key',
      code: `from huggingface_hub import login\nfrom openai import OpenAI\n\nlogin(token="${HF}")\nclient = OpenAI(api_key="${OPENAI}")\n`,
      errors: [
        { messageId: 'literalNamed', messageIncludes: 'Hugging Face token `hf_Q************o6Ni`', line: 4, column: 14, endLine: 4, endColumn: 51 },
        { messageId: 'literalNamed', messageIncludes: 'OpenAI API key', line: 5, column: 26, endLine: 5, endColumn: 71 },
      ],
      output: 'import os\nfrom huggingface_hub import login\nfrom openai import OpenAI\n\nlogin(token=os.environ["HF_TOKEN"])\nclient = OpenAI(api_key=os.environ["OPENAI_API_KEY"])\n',
    },
    {
      name: 'os.environ assignment: the fix removes the line',
      code: `import os\n\nos.environ["HF_TOKEN"] = "${HF}"\nos.environ["WANDB_MODE"] = "offline"\n`,
      errors: [{ messageId: 'literalNamed', messageIncludes: 'in `HF_TOKEN`', line: 3, column: 27, endLine: 3, endColumn: 64 }],
      output: 'import os\n\nos.environ["WANDB_MODE"] = "offline"\n',
    },
    {
      name: 'password inside a connection string (demo database credential)',
      code: 'import psycopg\n\nCONNECTION_STRING = "host=localhost port=5432 user=postgres password=example"\nCONNECTION_STRING_DB = CONNECTION_STRING + " dbname=test"\n',
      errors: [{ messageId: 'literalNamed', messageIncludes: 'password `*******` in `password`', line: 3, column: 70, endLine: 3, endColumn: 77 }],
      output: 'import os\nimport psycopg\n\nCONNECTION_STRING = os.environ["CONNECTION_STRING"]\nCONNECTION_STRING_DB = CONNECTION_STRING + " dbname=test"\n',
    },
    {
      name: 'MLflow tracking URI with user:password@ and an Azure storage connection string',
      code:
        'from __future__ import annotations\nimport mlflow\n\nmlflow.set_tracking_uri("http://admin:Sup3rS3cret@mlflow.internal:5000")\n' +
        `conn_str = "DefaultEndpointsProtocol=https;AccountName=acct;AccountKey=${ACCOUNT_KEY};EndpointSuffix=core.windows.net"\n`,
      errors: [
        { messageId: 'literal', messageIncludes: 'password in a URL `S*********t`', line: 4, column: 39, endLine: 4, endColumn: 50 },
        { messageId: 'literalNamed', messageIncludes: 'Azure storage account key', line: 5, column: 72, endLine: 5, endColumn: 124 },
      ],
      output:
        'from __future__ import annotations\nimport os\nimport mlflow\n\nmlflow.set_tracking_uri("http://admin:Sup3rS3cret@mlflow.internal:5000")\nconn_str = os.environ["CONN_STR"]\n',
    },
    {
      name: 'notebook: a shell command in a code cell with a well-known default credential',
      cells: [
        { markdown: 'Run the service:' },
        'docker run -d -p 8000:8000 \\\n  -e FSSPEC_S3_KEY="minioadmin" \\\n  -e FSSPEC_S3_SECRET="minioadmin" \\\n  evidently/evidently-service:s3',
      ],
      errors: [{ messageId: 'literalNamed', message: 'Hard-coded secret `m********n` in `FSSPEC_S3_SECRET`. Read it from the environment or a secret store, and rotate it: it is in the history of every copy of this file.', cell: 1, line: 3, column: 24, endLine: 3, endColumn: 34 }],
    },
    {
      name: 'notebook: shell escapes and %env have no fix; a Python cell gets one, with import os in that cell',
      cells: [`!export HF_TOKEN=${HF}\n%env WANDB_API_KEY=${WANDB}`, `import openai\nclient = openai.OpenAI(api_key="${OPENAI}")`],
      errors: [
        { messageId: 'literalNamed', messageIncludes: 'Hugging Face token', cell: 0, line: 1, column: 18, endLine: 1, endColumn: 55 },
        { messageId: 'literalNamed', messageIncludes: 'W&B API key', cell: 0, line: 2, column: 20, endLine: 2, endColumn: 60 },
        { messageId: 'literalNamed', messageIncludes: 'OpenAI API key', cell: 1, line: 2, column: 33, endLine: 2, endColumn: 78 },
      ],
      outputCells: [`!export HF_TOKEN=${HF}\n%env WANDB_API_KEY=${WANDB}`, 'import os\nimport openai\nclient = openai.OpenAI(api_key=os.environ["OPENAI_API_KEY"])'],
    },
    {
      name: 'notebook: os imported in an earlier cell is reused',
      cells: ['import os as _os\nimport pandas as pd', 'SNOWFLAKE_PASSWORD = "Tr0ub4dor&3"'],
      errors: [{ messageId: 'literalNamed', cell: 1, line: 1, column: 23, endLine: 1, endColumn: 34 }],
      outputCells: ['import os as _os\nimport pandas as pd', 'SNOWFLAKE_PASSWORD = _os.environ["SNOWFLAKE_PASSWORD"]'],
    },
    {
      name: 'notebook: a token shown in a saved output, and one in markdown',
      cells: [
        { code: 'import os\nprint(os.environ)', outputs: [{ output_type: 'stream', name: 'stdout', text: [`environ({'HF_TOKEN': '${HF}', 'HOME': '/root'})\n`] }] },
        { markdown: `Use this token: ${GITHUB}` },
      ],
      errors: [
        { messageId: 'output', message: 'A saved output of this cell shows a Hugging Face token `hf_Q************o6Ni`. Clear the output, and rotate the credential: outputs are committed and shared with the notebook.', cell: 0, line: 1, column: 1, endLine: 1, endColumn: 10 },
        { messageId: 'markdown', messageIncludes: 'GitHub token', cell: 1, line: 1, column: 17, endLine: 1, endColumn: 57 },
      ],
    },
    {
      name: 'YAML: Grafana datasource with a demo password',
      file: 'config/grafana_datasources.yaml',
      text: 'apiVersion: 1\ndatasources:\n  - name: PostgreSQL\n    type: postgres\n    url: db:5432\n    user: postgres\n    secureJsonData:\n      password: \'example\'\n',
      errors: [{ messageId: 'configNamed', message: 'Hard-coded password `*******` in `datasources.0.secureJsonData.password`. Reference a secret (CI secret, environment variable, key vault) instead, and rotate the credential.', line: 8, column: 18, endLine: 8, endColumn: 25 }],
    },
    {
      name: 'YAML: docker-compose environment list and map, Kubernetes env value',
      file: 'docker-compose.yml',
      text:
        'services:\n  db:\n    image: postgres:16\n    environment:\n      - POSTGRES_USER=postgres\n      - POSTGRES_PASSWORD=example\n  minio:\n    environment:\n      MINIO_ROOT_USER: minioadmin\n      MINIO_ROOT_PASSWORD: minioadmin\n' +
        '  api:\n    env:\n      - name: OPENAI_API_KEY\n      - name: DB_PASSWORD\n        value: hunter22\n',
      errors: [
        { messageId: 'configNamed', messageIncludes: 'in `services.db.environment.4`'.replace('.4', '.1'), line: 6, column: 27, endLine: 6, endColumn: 34 },
        { messageId: 'configNamed', messageIncludes: 'in `services.minio.environment.MINIO_ROOT_PASSWORD`', line: 10, column: 28, endLine: 10, endColumn: 38 },
        { messageId: 'configNamed', messageIncludes: 'in `DB_PASSWORD`', line: 15, column: 16, endLine: 15, endColumn: 24 },
      ],
    },
    {
      name: 'YAML: a password exported in a CI script block',
      file: '.github/workflows/train.yml',
      text: 'jobs:\n  train:\n    steps:\n      - run: |\n          export DB_PASSWORD=hunter22\n          python train.py\n',
      errors: [{ messageId: 'configNamed', messageIncludes: 'in `jobs.train.steps.0.run`', line: 5, column: 30, endLine: 5, endColumn: 38 }],
    },
    {
      name: 'YAML: provider token in a comment still leaks',
      text: `# token for the registry: ${GITHUB}\nimage: ghcr.io/org/model:1.0\n`,
      errors: [{ messageId: 'config', messageIncludes: 'GitHub token', line: 1, column: 27, endLine: 1, endColumn: 67 }],
    },
  ],
});

describe('hardcoded-secret after one-cell edits', () => {
  it('follows a secret typed into and removed from a cell', async () => {
    const lint = await editSession('hardcoded-secret');
    assert.deepEqual(await lint(['import os', 'token = os.environ["HF_TOKEN"]']), []);
    assert.deepEqual(await lint(['import os', 'token = "hf_abcdefghijklmnopqrstuvwxyz0123456789"']), ['1:1:10 literalNamed']);
    assert.deepEqual(await lint(['import os', 'token = os.environ["HF_TOKEN"]']), []);
  });

  it('follows outputs and markdown rebuilt for every lint', async () => {
    const lint = await editSession('hardcoded-secret');
    const leak: NotebookOutput = { output_type: 'stream', name: 'stdout', text: 'WANDB_API_KEY=3f9a1c5e7b2d4f6a8c0e1b3d5f7a9c2e4b6d8f0a\n' };
    const clean: NotebookOutput = { output_type: 'stream', name: 'stdout', text: 'done\n' };
    assert.deepEqual(await lint([{ code: 'print(cfg)', outputs: [{ ...clean }] }]), []);
    assert.deepEqual(await lint([{ code: 'print(cfg)', outputs: [{ ...leak }] }]), ['0:1:1 output']);
    assert.deepEqual(await lint([{ code: 'print(cfg)', outputs: [{ ...clean }] }]), []);
    assert.deepEqual(await lint([{ markdown: 'Token: hf_Xq7LmN2pR9sT4vW8yZ1bC3dF5gH6jK0aQe' }, 'x = 1']), ['0:1:8 markdown']);
    assert.deepEqual(await lint([{ markdown: 'Token: set HF_TOKEN' }, 'x = 1']), []);
  });
});

