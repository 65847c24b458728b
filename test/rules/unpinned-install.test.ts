import * as assert from 'node:assert/strict';
import rule, { checkCondaSpec, checkPipSpec, installedVersion, isPatchSeries } from '../../src/core/rules/reproducibility/unpinned-install';
import { ruleTester } from '../helpers/rule-tester';
import { editSession } from '../helpers/edit-session';

const pipOutput = (lines: string[]): unknown => ({ output_type: 'stream', name: 'stdout', text: lines });

ruleTester(rule, {
  valid: [
    { name: 'exact pins', cells: ['%pip install pandas==2.2.2 scikit-learn==1.4.2 "zenml[server]==0.56.3"'] },
    { name: 'a requirements file', cells: ['!pip install -r requirements.txt', '%pip install -U --user -r requirements.txt'] },
    { name: 'local and editable installs', cells: ['%pip install -e .', '!pip install ./dist/mypkg-0.3.1-py3-none-any.whl --force-reinstall', '!pip install ../lib'] },
    { name: 'upgrading the installer itself (option ignore)', cells: ['!python -m pip install --upgrade pip setuptools wheel'] },
    { name: 'commented-out install lines', cells: ['# !pip install pyarrow\n# %pip install evidently openai pandas\nimport pandas as pd'] },
    { name: 'a VCS install at a commit or tag', cells: ['!pip install git+https://github.com/org/repo.git@3f2a1b9c\n!pip install "mylib @ git+https://github.com/org/mylib@v1.4.0"'] },
    { name: 'interpolated flags and versions', cells: ['! pip3 install {USER_FLAG} --upgrade torch==1.11\n!pip install $USER_FLAG tensorflow=={TF_VERSION}'] },
    { name: 'a constraints file pins the rest', cells: ['!pip install -c constraints.txt pandas scikit-learn'] },
    { name: 'patch-series ranges are accepted by default', cells: ['%pip install "pandas>=2.1,<2.2" numpy~=1.26.4 protobuf==3.20.*'] },
    { name: 'install hints in messages are not installs', cells: ['try:\n    import tfx\nexcept ImportError:\n    print("Not installed. Try running: pip3 install -U tfx")'] },
    { name: 'redirections are not packages', cells: ['!pip install -q pandas==2.2.2 > /dev/null 2>&1\n!pip install -r requirements.txt >pip.log'] },
    { name: 'other shell commands', cells: ['!ls data\n!gcloud auth login\n%sh curl -fsSL https://example.com/install.sh | sh'] },
    { name: 'pip show / freeze / uninstall', cells: ['!pip show pandas\n!pip freeze > requirements.txt\n!pip uninstall -y tensorflow'] },
    { name: 'KFP component with pinned packages', code: 'from kfp import dsl\n\n@dsl.component(packages_to_install=["pandas==2.2.2", "google-cloud-storage==2.14.0"])\ndef prep(x: str) -> str:\n    return x\n' },
    { name: 'a comment in a plain .py file is not a magic', code: '# %pip install promptflow\nimport os\n' },
    {
      name: 'pinned conda environment',
      file: 'environment.yml',
      text: 'name: train\nchannels:\n  - conda-forge\ndependencies:\n  - python=3.10\n  - numpy=1.26.4\n  - scikit-learn==1.4.2\n  - pip\n  - pip:\n    - mlflow==2.12.1\n    - -r requirements.txt\n',
    },
    { name: 'ZenML requirements from a file', file: 'configs/train.yaml', text: 'settings:\n  docker:\n    requirements: requirements.txt\n' },
    {
      name: 'CI installing from a requirements file',
      file: '.github/workflows/train.yml',
      text: 'on: push\njobs:\n  train:\n    runs-on: ubuntu-latest\n    steps:\n      - run: |\n          python -m pip install --upgrade pip\n          pip install -r requirements.txt\n',
    },
    {
      name: 'compiled KFP IR: the compiler writes its own install lines',
      file: 'pipeline.yaml',
      text: "pipelineSpec:\n  root: {}\ndeploymentSpec:\n  executors:\n    exec-train:\n      container:\n        command:\n        - sh\n        - -c\n        - python3 -m pip install --quiet 'kfp==2.7.0' '--no-deps' 'typing-extensions>=3.7.4,<5; python_version<\"3.9\"'\n",
    },
    { name: 'unexecuted notebook in another language is still fine', cells: ['x = 1'] },
    // pip requirements files: linted by name (requirements*.txt, *-requirements.txt, requirements/*.txt, constraints*.txt).
    {
      name: 'requirements.txt: exact pins, hashes on continuation lines, markers, comments, options, local and pinned VCS installs',
      file: 'requirements.txt',
      text: [
        '# production dependencies',
        '--index-url https://pypi.org/simple',
        '-r requirements/base.txt',
        '-e .',
        '-e git+https://github.com/org/lib.git@main#egg=lib',
        'pandas==2.2.2 \\',
        '    --hash=sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
        'numpy==1.26.4 ; python_version >= "3.9"  # the 1.x API',
        'scikit-learn[alldeps]===1.4.2',
        'torch>=2.1,<2.2',
        'protobuf==3.20.*',
        './vendor/mylib',
        'https://example.com/wheels/custom-0.1.0-py3-none-any.whl',
        'mylib @ git+https://github.com/org/mylib@3f2a1b9c',
        'git+https://github.com/org/other.git@v1.4.0#egg=other',
        'pip',
        'setuptools>=68',
        '',
      ].join('\n'),
    },
    { name: 'a requirements file under a constraints file: the constraints pin it', file: 'requirements-dev.txt', text: '-c constraints.txt\npytest\nruff>=0.4\n' },
    { name: 'suppressed with a comment, as in YAML', file: 'requirements.txt', text: 'pandas  # mlops-hygiene: ignore[unpinned-install]\n# mlops-hygiene: ignore[unpinned-install]\nnumpy>=1.26\n' },
    { name: 'the loose input of pip-compile is not a requirements file', file: 'requirements.in', text: 'pandas\nnumpy>=1.26\n' },
    { name: 'a text file that is not named like requirements', file: 'docs/packages.txt', text: 'pandas\nnumpy\n' },
  ],
  invalid: [
    {
      name: 'requirements.txt: bare names, lower bounds, ranges and moving VCS refs, each on its requirement',
      file: 'requirements.txt',
      text: [
        'pandas',
        'numpy>=1.26 ; python_version >= "3.9"',
        'scikit-learn[alldeps] >= 1.3, != 1.3.1  # see #42',
        'requests \\',
        '    --hash=sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef',
        '  matplotlib<4',
        'git+https://github.com/org/lib.git@main#egg=lib',
        'tool @ git+https://github.com/org/tool.git ; sys_platform == "linux"',
        'scipy~=1.11',
        '',
      ].join('\r\n'),
      errors: [
        { messageId: 'none', message: '`pandas` is installed without a version: each run may get a different release than the one this was tested with. Pin an exact version (`pandas==<version>`) or install from a pinned requirements or lock file.', line: 1, column: 1, endLine: 1, endColumn: 7 },
        { messageId: 'range', messageIncludes: '`numpy` is installed as `>=1.26`', line: 2, column: 1, endLine: 2, endColumn: 12 },
        { messageId: 'range', messageIncludes: '`scikit-learn` is installed as `>= 1.3, != 1.3.1`', line: 3, column: 1, endLine: 3, endColumn: 39 },
        { messageId: 'none', messageIncludes: '`requests`', line: 4, column: 1, endLine: 4, endColumn: 9 },
        { messageId: 'range', messageIncludes: '`matplotlib` is installed as `<4`', line: 6, column: 3, endLine: 6, endColumn: 15 },
        { messageId: 'ref', messageIncludes: 'with @main', line: 7, column: 1, endLine: 7, endColumn: 48 },
        { messageId: 'ref', messageIncludes: '`tool` is installed from a VCS URL with no commit', line: 8, column: 1, endLine: 8, endColumn: 43 },
        { messageId: 'range', messageIncludes: '`scipy` is installed as `~=1.11`', line: 9, column: 1, endLine: 9, endColumn: 12 },
      ],
    },
    {
      name: 'named like requirements: dev-requirements.txt, requirements/*.txt, constraints.txt',
      file: 'requirements/test.txt',
      text: '-r base.txt\npytest>=8\n',
      errors: [{ messageId: 'range', line: 2, column: 1, endLine: 2, endColumn: 10 }],
    },
    { name: 'dev-requirements.txt', file: 'dev-requirements.txt', text: 'black\n', errors: [{ messageId: 'none', line: 1, column: 1, endColumn: 6 }] },
    { name: 'constraints.txt', file: 'ci/constraints.txt', text: 'urllib3<3\n', errors: [{ messageId: 'range', line: 1, column: 1, endColumn: 10 }] },
    {
      name: 'requireExact reports patch series in requirements files too',
      file: 'requirements.txt',
      text: 'torch>=2.1,<2.2\nprotobuf==3.20.*\n',
      options: { requireExact: true },
      errors: [
        { messageId: 'range', line: 1, column: 1, endColumn: 16 },
        { messageId: 'range', line: 2, column: 1, endColumn: 17 },
      ],
    },
    {
      name: 'a suppression comment covers its own line only',
      file: 'requirements.txt',
      text: 'pandas  # mlops-hygiene: ignore[unpinned-install]\nnumpy\n',
      errors: [{ messageId: 'none', line: 2, column: 1, endColumn: 6 }],
    },
    {
      name: '%pip install without a version',
      cells: ['%pip install azure-ai-ml'],
      errors: [
        {
          messageId: 'none',
          message:
            '`azure-ai-ml` is installed without a version: each run may get a different release than the one this was tested with. Pin an exact version (`azure-ai-ml==<version>`) or install from a pinned requirements or lock file.',
          cell: 0,
          line: 1,
          column: 14,
          endLine: 1,
          endColumn: 25,
        },
      ],
    },
    {
      name: 'a lower bound only',
      cells: ['import os', '!python3 -m pip install \'kfp>=0.1.31\' --user --quiet'],
      errors: [{ messageId: 'range', messageIncludes: '`kfp` is installed as `>=0.1.31`, a range', cell: 1, line: 1, column: 26, endColumn: 37 }],
    },
    {
      name: '--upgrade over continuation lines, one finding per package',
      cells: ['! pip3 install --upgrade --quiet google-cloud-aiplatform \\\n    google-cloud-storage==2.14.0 \\\n    db-dtypes'],
      errors: [
        { messageId: 'none', messageIncludes: 'without a version (with --upgrade: always the newest release)', cell: 0, line: 1, column: 34, endColumn: 57 },
        { messageId: 'none', cell: 0, line: 3, column: 5, endColumn: 14 },
      ],
    },
    {
      name: 'extras in the package token',
      cells: ["!python -m pip install google-cloud-aiplatform['tensorboard'] --upgrade"],
      errors: [{ messageId: 'none', messageIncludes: '`google-cloud-aiplatform`', cell: 0, line: 1, column: 24, endColumn: 62 }],
    },
    {
      name: 'conda and mamba magics',
      cells: ['%conda install -c conda-forge lightgbm\n%mamba install -y "xgboost>=2"'],
      errors: [
        { messageId: 'none', messageIncludes: '(`lightgbm=<version>`)', cell: 0, line: 1, column: 31, endColumn: 39 },
        { messageId: 'range', cell: 0, line: 2, column: 20, endColumn: 30 },
      ],
    },
    {
      name: 'a VCS branch',
      cells: ['! pip install -U git+https://github.com/googleapis/python-aiplatform.git@main --user'],
      errors: [{ messageId: 'ref', messageIncludes: '`python-aiplatform` is installed from a VCS URL with @main', cell: 0, line: 1, column: 18 }],
    },
    {
      name: 'a %%bash cell',
      cells: ['%%bash\nset -e\npip install xgboost && echo done'],
      errors: [{ messageId: 'none', cell: 0, line: 3, column: 13, endColumn: 20 }],
    },
    {
      name: '%%writefile conda.yaml',
      cells: ['%%writefile {dependencies_dir}/conda.yaml\nname: model-env\ndependencies:\n  - python=3.10\n  - pandas>=1.5\n  - pip:\n    - mlflow==2.12.1\n    - matplotlib\n'],
      errors: [
        { messageId: 'range', messageIncludes: '`pandas` is installed as `>=1.5`', cell: 0, line: 5, column: 5, endColumn: 16 },
        { messageId: 'none', cell: 0, line: 8, column: 7, endColumn: 17 },
      ],
    },
    {
      name: '%%writefile requirements.txt and a Dockerfile',
      cells: ['%%writefile trainer/requirements.txt\ntorch==2.1.0\ntransformers  # tokenizer\n', '%%writefile Dockerfile\nFROM python:3.11-slim\nRUN pip install --no-cache-dir fastapi uvicorn==0.29.0\n'],
      errors: [
        { messageId: 'none', cell: 0, line: 3, column: 1, endColumn: 13 },
        { messageId: 'none', cell: 1, line: 3, column: 32, endColumn: 39 },
      ],
    },
    {
      name: '%%writefile component YAML whose command installs a range',
      cells: ["%%writefile {src}/train.yml\nname: train\ntype: command\ncommand: >-\n  pip install 'mlflow<2.19' -q && python train.py\n  --data ${{inputs.data}}\n"],
      errors: [{ messageId: 'range', messageIncludes: '`mlflow` is installed as `<2.19`', cell: 0, line: 5, column: 16, endColumn: 27 }],
    },
    {
      name: 'pins the version the saved output shows (unsafe fix)',
      cells: [
        {
          code: '!pip install pyngrok',
          outputs: [pipOutput(['Collecting pyngrok\n', 'Installing collected packages: pyngrok\n', 'Successfully installed PyYAML-6.0.1 pyngrok-7.1.6\n'])],
        },
        {
          code: '%pip install -q "Zenml[server]>=0.50"',
          outputs: [pipOutput(['Requirement already satisfied: zenml[server]>=0.50 in /opt/conda/lib/python3.10/site-packages (0.56.3)\n'])],
        },
      ],
      errors: [
        { messageId: 'none', cell: 0, line: 1, column: 14, endColumn: 21 },
        { messageId: 'range', cell: 1, line: 1, column: 18, endColumn: 37 },
      ],
      outputCells: ['!pip install pyngrok==7.1.6', '%pip install -q "Zenml[server]==0.56.3"'],
    },
    {
      name: 'requireExact reports patch series too',
      cells: ['%pip install "pandas>=2.1,<2.2"'],
      options: { requireExact: true },
      errors: [{ messageId: 'range', cell: 0, line: 1, column: 15, endColumn: 31 }],
    },
    {
      name: 'ignore option',
      cells: ['%pip install -U pip tqdm rich'],
      options: { ignore: ['rich', 'pip'] },
      errors: [{ messageId: 'none', messageIncludes: '`tqdm`', cell: 0, line: 1, column: 21 }],
    },
    {
      name: 'jupytext percent script with an escaped magic',
      code: '# %%[markdown]\n# # Build the index\n\n# %% Prerequisites\n# %pip install \'promptflow[azure]\' promptflow-tools==1.4.0\n\n# %%\nimport os\n',
      errors: [{ messageId: 'none', messageIncludes: '`promptflow`', line: 5, column: 17, endColumn: 34 }],
    },
    {
      name: 'KFP packages_to_install, subprocess and Azure ML command strings',
      code:
        'import subprocess, sys\nfrom kfp import dsl\nfrom azure.ai.ml import command\n\n@dsl.component(packages_to_install=["pandas", "scikit-learn==1.4.2"])\ndef prep(x: str) -> str:\n    return x\n\nsubprocess.run([sys.executable, "-m", "pip", "install", "kfp>=2.0.1", "--quiet"])\njob = command(code="./src", command="pip install \'mlflow<2.19\' -q && python train.py", environment="env@latest")\n',
      errors: [
        { messageId: 'none', messageIncludes: '`pandas`', line: 5, column: 38, endColumn: 44 },
        { messageId: 'range', messageIncludes: '`kfp`', line: 9, column: 58, endColumn: 68 },
        { messageId: 'range', messageIncludes: '`mlflow`', line: 10, column: 51, endColumn: 62 },
      ],
    },
    {
      name: 'conda environment file',
      file: 'conda.yaml',
      text: 'name: tutorial\nchannels:\n  - defaults\ndependencies:\n  - numpy>=1.14.3\n  - python=3.10\n  - pip\n  - pip:\n    - mlflow\n    - "xgboost==2.0.3"\n',
      errors: [
        { messageId: 'range', messageIncludes: '(`numpy=<version>`)', line: 5, column: 5, endLine: 5, endColumn: 18 },
        { messageId: 'none', messageIncludes: '(`mlflow==<version>`)', line: 9, column: 7, endColumn: 13 },
      ],
    },
    {
      name: 'ZenML docker requirements',
      file: 'configs/training.yaml',
      text: 'settings:\n  docker:\n    requirements:\n      - ultralytics\n      - numpy==1.26.4\n',
      errors: [{ messageId: 'none', line: 4, column: 9, endColumn: 20 }],
    },
    {
      name: 'Azure ML environment with an inline conda file',
      file: 'env.yml',
      text: '$schema: https://azuremlschemas.azureedge.net/latest/environment.schema.json\nname: sklearn-env\nimage: mcr.microsoft.com/azureml/openmpi4.1.0-ubuntu20.04:20240101.v1\nconda_file:\n  channels: [conda-forge]\n  dependencies:\n    - python=3.10\n    - scikit-learn\n',
      errors: [{ messageId: 'none', line: 8, column: 7, endColumn: 19 }],
    },
    {
      name: 'a CI step installing an unpinned tool',
      file: '.github/workflows/ci.yml',
      text: 'on: push\njobs:\n  test:\n    runs-on: ubuntu-latest\n    steps:\n      - run: |\n          pip install -r requirements.txt\n          pip install "dvc[s3]"\n',
      errors: [{ messageId: 'none', messageIncludes: '`dvc`', line: 8, column: 24, endColumn: 31 }],
    },
  ],
});

describe('unpinned-install spec checks', () => {
  it('pip specs', () => {
    assert.equal(checkPipSpec('pandas==2.2.2'), undefined);
    assert.equal(checkPipSpec('pandas===2.2.2'), undefined);
    assert.equal(checkPipSpec('pandas == 2.2.2'), undefined);
    assert.equal(checkPipSpec('https://files.example.com/pkg-1.0.tar.gz'), undefined);
    assert.equal(checkPipSpec('{pkg}'), undefined);
    assert.equal(checkPipSpec('Must have five years'), undefined);
    assert.equal(checkPipSpec('pandas')?.kind, 'none');
    assert.equal(checkPipSpec('pandas>=2')?.kind, 'range');
    assert.equal(checkPipSpec('pandas==2.*')?.kind, 'range');
    assert.equal(checkPipSpec("typing-extensions>=3.7.4,<5; python_version<'3.9'")?.spec, '>=3.7.4,<5');
    assert.equal(checkPipSpec('git+https://github.com/a/b.git#egg=bee')?.package, 'bee');
  });
  it('conda specs', () => {
    assert.equal(checkCondaSpec('numpy=1.26.4'), undefined);
    assert.equal(checkCondaSpec('conda-forge::numpy==1.26.4'), undefined);
    assert.equal(checkCondaSpec('numpy 1.26.4'), undefined);
    assert.equal(checkCondaSpec('numpy=1.26.4=py310h'), undefined);
    assert.equal(checkCondaSpec('python=3.10')?.patchSeries, true);
    assert.equal(checkCondaSpec('numpy')?.kind, 'none');
    assert.equal(checkCondaSpec('numpy>=1.2')?.patchSeries, false);
  });
  it('patch series', () => {
    assert.ok(isPatchSeries('>=1.1,<1.2'));
    assert.ok(isPatchSeries('<1.2, >=1.1.4'));
    assert.ok(isPatchSeries('~=1.2.3'));
    assert.ok(isPatchSeries('==1.2.*'));
    assert.ok(!isPatchSeries('~=1.2'));
    assert.ok(!isPatchSeries('>=0.12.0,<0.14.0'));
    assert.ok(!isPatchSeries('>=1.26.0,<2.0.0dev'));
    assert.ok(!isPatchSeries('<2.19'));
  });
  it('installed versions from saved pip output', () => {
    assert.equal(installedVersion('Successfully installed google_cloud-aiplatform-1.38.0 shapely-2.0.1\n', 'google-cloud-aiplatform'), '1.38.0');
    assert.equal(installedVersion('Requirement already satisfied: kfp>=1.4 in /usr/lib/python3/site-packages (from x==1) (1.8.22)\n', 'kfp'), '1.8.22');
    assert.equal(installedVersion('Requirement already satisfied: kfp-server-api in /usr/lib (2.0.1)\n', 'kfp'), undefined);
  });
});

describe('unpinned-install after one-cell edits', () => {
  it('follows an install line edited in place', async () => {
    const lint = await editSession('unpinned-install');
    assert.deepEqual(await lint(['%pip install pandas', 'import pandas as pd']), ['0:1:14 none']);
    assert.deepEqual(await lint(['%pip install pandas==2.2.2', 'import pandas as pd']), []);
    assert.deepEqual(await lint(['%pip install pandas', 'import pandas as pd']), ['0:1:14 none']);
  });

  it('re-qualifies unchanged cells when an import in another cell changes', async () => {
    const lint = await editSession('unpinned-install');
    const install = 'sp.check_call("pip install requests", shell=True)';
    assert.deepEqual(await lint(['import subprocess as sp', install]), ['1:1:28 none']);
    assert.deepEqual(await lint(['import mytools as sp', install]), []);
  });
});

