import * as assert from 'node:assert/strict';
import { PythonProgram, UnitCache } from '../../src/core/parse/program';
import { initPython } from '../../src/core/parse/python';
import { azuremlAsset, dataReads, displayUrl, isAbsoluteLocal, isPinnedRemote, isPlaceholderRemote, producedPaths, remoteKind, shellCopy, shellWords } from '../../src/core/rules/lib/data-io';

function program(...cells: string[]): PythonProgram {
  return PythonProgram.fromUnits(new UnitCache(), cells.map((text, cell) => ({ cell, text })));
}

/** The resolved path of every data read, in order. */
function reads(...cells: string[]): Array<string | undefined> {
  return dataReads(program(...cells)).map((r) => (r.value?.complete ? r.value.text : r.value ? `~${r.value.text}` : undefined));
}

describe('data-io', () => {
  before(async () => {
    await initPython();
  });

  describe('dataReads resolves paths', () => {
    it('literals, keyword paths and readers of several libraries', () => {
      assert.deepEqual(reads('import pandas as pd\nimport numpy as np\nimport polars as pl\na = pd.read_csv(filepath_or_buffer="a.csv")\nb = np.load("b.npy")\nc = pl.read_parquet("c.parquet")'), ['a.csv', 'b.npy', 'c.parquet']);
    });

    it('variables across cells, os.path.join, Path / and f-strings', () => {
      assert.deepEqual(
        reads('import os\nfrom pathlib import Path\nimport pandas as pd\nDATA = "data"\nRAW = Path(DATA) / "raw"', 'a = pd.read_csv(os.path.join(DATA, "train.csv"))\nb = pd.read_csv(RAW / "x.csv")\nc = pd.read_csv(f"{DATA}/{name}.csv")'),
        ['data/train.csv', 'data/raw/x.csv', '~data/….csv'],
      );
    });

    it('the assignment in effect at the read wins', () => {
      assert.deepEqual(reads('import pandas as pd\np = "a.csv"\nx = pd.read_csv(p)\np = "b.csv"\ny = pd.read_csv(p)'), ['a.csv', 'b.csv']);
    });

    it('function parameters: defaults and call sites', () => {
      assert.deepEqual(
        reads('import pandas as pd\nHOUSING = "datasets/housing"\n\ndef load(path=HOUSING):\n    return pd.read_csv(path + "/housing.csv")\n\ndef read(url):\n    return pd.read_csv(url)\n\nread("https://example.org/x.csv")'),
        ['datasets/housing/housing.csv', 'https://example.org/x.csv'],
      );
    });

    it('the notebook folder and its parent', () => {
      assert.deepEqual(reads('import os\nfrom pathlib import Path\nimport pandas as pd\nroot = Path(os.getcwd()).parent.absolute()\ndf = pd.read_csv(root / "data" / "x.csv")\nhere = os.path.dirname(os.path.abspath(__file__))\ndf2 = pd.read_csv(os.path.join(here, "y.csv"))'), [
        '../data/x.csv',
        './y.csv',
      ]);
    });

    it('open() only for data files, generic loaders not for models', () => {
      assert.deepEqual(reads('import json, joblib\na = open("train.jsonl")\nb = open("config.json")\nc = open("hello.txt")\nd = joblib.load("model.pkl")\ne = joblib.load("features.pkl")\nf = open("out.csv", "w")'), ['train.jsonl', 'features.pkl']);
    });

    it('unknown values stay unknown', () => {
      assert.deepEqual(reads('import pandas as pd\na = pd.read_csv(args.data)\nb = pd.read_csv(get_path())'), ['~…', '~…']);
    });
  });

  it('producedPaths: writes, downloads and shell outputs', () => {
    const p = producedPaths(
      program(
        'import urllib.request, os\ndf.to_csv("out/a.csv")\nurllib.request.urlretrieve(URL, "data/b.csv")\nos.makedirs("cache", exist_ok=True)\nwith open("c.json", "w") as f:\n    pass',
        '!wget -q https://example.org/d.zip\n!unzip d.zip -d extracted\n!gsutil cp gs://bucket/e.csv data/',
      ),
    );
    for (const x of ['out/a.csv', 'data/b.csv', 'cache', 'c.json', 'd.zip', 'extracted', 'data', 'data/e.csv']) assert.ok(p.has(x), `${x} in ${[...p].join(', ')}`);
  });

  it('remote helpers', () => {
    assert.equal(remoteKind('s3a://b/k'), 's3');
    assert.equal(remoteKind('wasbs://c@acct.blob.core.windows.net/x'), 'azure');
    assert.equal(remoteKind('data/x.csv'), undefined);
    assert.ok(isPinnedRemote('s3://b/k.csv?versionId=abc'));
    assert.ok(isPinnedRemote('gs://b/k.csv#1712345678'));
    assert.ok(isPinnedRemote('https://huggingface.co/datasets/x/y/resolve/4f1c2a9/train.csv'));
    assert.ok(isPinnedRemote('https://github.com/o/r/releases/download/v1.2.0/d.csv'));
    assert.ok(!isPinnedRemote('https://raw.githubusercontent.com/o/r/master/d.csv'));
    assert.ok(isPlaceholderRemote('gs://your-bucket-name/x'));
    assert.ok(isPlaceholderRemote('gs://…/x'));
    assert.ok(!isPlaceholderRemote('gs://cloud-samples-data/x'));
    assert.equal(displayUrl('https://user:tok@host.org/data.csv?sig=SECRET'), 'https://host.org/data.csv');
    assert.equal(displayUrl('wasbs://datasets@acct.blob.core.windows.net/mnist/'), 'wasbs://datasets@acct.blob.core.windows.net/mnist/');
    assert.deepEqual(azuremlAsset('azureml:credit:3'), { name: 'credit', version: '3', label: undefined });
    assert.deepEqual(azuremlAsset('azureml:credit@latest'), { name: 'credit', version: undefined, label: 'latest' });
    assert.equal(azuremlAsset('azureml://datastores/x/paths/y'), undefined);
  });

  it('local path helpers', () => {
    for (const p of ['/home/a/x', '~/x', 'C:\\data\\x', '\\\\server\\share\\x']) assert.ok(isAbsoluteLocal(p), p);
    for (const p of ['data/x', './x', 's3://b/x', '//cdn.example.org/x']) assert.ok(!isAbsoluteLocal(p), p);
    assert.deepEqual(shellWords('gsutil -m cp "a b.csv" gs://x/'), ['gsutil', '-m', 'cp', 'a b.csv', 'gs://x/']);
    assert.deepEqual(shellCopy(shellWords('gcloud storage cp --recursive gs://a/b .')), { tool: 'gcloud storage', sources: ['gs://a/b'], dest: '.' });
    assert.equal(shellCopy(shellWords('gsutil ls gs://a/b')), undefined);
  });
});
