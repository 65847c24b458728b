// Prefilters rewritten for speed in data-io and unpinned-install: each must give
// the answer of the code it replaced (kept here, verbatim, as the reference).
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { DATASET_EXTENSIONS, isRemotePath, isSparkReader, readName, shellCopy, shellWords } from '../../src/core/rules/lib/data-io';
import { shellReads } from '../../src/core/rules/data/unpinned-remote-data';
import unpinnedInstall, { INSTALL_WORDS } from '../../src/core/rules/reproducibility/unpinned-install';
import { ruleTester } from '../helpers/rule-tester';

// ---------------------------------------------------------------------------
// The code before: data-io's `unitReads` test of a qualified name and a callee.

const OLD_READERS: Array<{ match: RegExp }> = [
  { match: /^pandas\.read_(csv|parquet|json|excel|feather|pickle|table|hdf|orc|sas|stata|fwf|xml|spss)$/ },
  { match: /^polars\.(read|scan)_(csv|parquet|json|ndjson|ipc|excel|avro|delta)$/ },
  { match: /^dask\.dataframe\.read_(csv|parquet|json|table|hdf|orc)$/ },
  { match: /^numpy\.(load|loadtxt|genfromtxt|fromfile)$/ },
  { match: /^pyarrow\.(parquet\.read_table|csv\.read_csv|feather\.read_table|parquet\.ParquetFile|dataset\.dataset)$/ },
  { match: /^datasets\.(load_from_disk|Dataset\.from_(csv|json|parquet|text))$/ },
  { match: /^scipy\.io\.loadmat$/ },
  { match: /^h5py\.File$/ },
  { match: /^(tensorflow|tf)\.data\.(TFRecordDataset|TextLineDataset|experimental\.make_csv_dataset)$/ },
  { match: /^(tensorflow|tf)\.keras\.utils\.(image_dataset_from_directory|text_dataset_from_directory|audio_dataset_from_directory)$/ },
  { match: /^(keras)\.utils\.(image_dataset_from_directory|text_dataset_from_directory|audio_dataset_from_directory)$/ },
  { match: /^torchvision\.datasets\.(ImageFolder|DatasetFolder)$/ },
  { match: /^metaflow\.IncludeFile$/ },
  { match: /^arff\.load|^scipy\.io\.arff\.loadarff$/ },
];
const OLD_READ_HEADS = new Set(['pandas', 'polars', 'dask', 'numpy', 'pyarrow', 'datasets', 'scipy', 'h5py', 'tensorflow', 'tf', 'keras', 'torchvision', 'metaflow', 'arff', 'io', 'gzip', 'bz2', 'lzma', 'torch', 'joblib', 'pickle', 'json']);
const OLD_SPARK_READER = /(^|\.)read(\.(format|option|options|schema)\(\))*\.(csv|parquet|json|orc|text|load)$/;

/** The old gate (`head`) and, for a call past it, the reader the old code found. */
function oldRead(q: string, callee: string): { passes: boolean; reader: string | undefined } {
  const dot = q.indexOf('.');
  const passes = (dot > 0 ? OLD_READ_HEADS.has(q.slice(0, dot)) : q === 'open') || OLD_SPARK_READER.test(callee);
  return { passes, reader: passes ? OLD_READERS.find((r) => r.match.test(q))?.match.source : undefined };
}

function newRead(q: string, callee: string): { passes: boolean; reader: string | undefined } {
  const name = readName(q);
  const passes = name.head || isSparkReader(callee);
  return { passes, reader: passes ? name.reader?.match.source : undefined };
}

/** Pieces of qualified names: every module and name the readers know, and near misses. */
const NAME_PIECES = [
  'pandas', 'polars', 'dask', 'numpy', 'pyarrow', 'datasets', 'scipy', 'h5py', 'tensorflow', 'tf', 'keras', 'torchvision', 'metaflow', 'arff', 'io', 'gzip',
  'bz2', 'lzma', 'torch', 'joblib', 'pickle', 'json', 'open', 'spark', 'pd', 'np', 'os', 'read', 'read_csv', 'read_parquet', 'scan_csv', 'read_json', 'dataframe',
  'load', 'loadtxt', 'genfromtxt', 'fromfile', 'parquet', 'read_table', 'csv', 'feather', 'ParquetFile', 'dataset', 'load_from_disk', 'Dataset', 'from_csv',
  'loadmat', 'File', 'data', 'TFRecordDataset', 'experimental', 'make_csv_dataset', 'utils', 'image_dataset_from_directory', 'ImageFolder', 'IncludeFile',
  'loadarff', 'format()', 'option()', 'options()', 'schema()', 'orc', 'text', 'x', '', 'read_csvx', 'Read', 'DataFrame',
];

/** Names every reader and Spark reader takes, to be cut, extended or taken as they are. */
const KNOWN = [
  'pandas.read_csv', 'pandas.read_spss', 'polars.scan_csv', 'polars.read_delta', 'dask.dataframe.read_orc', 'numpy.load', 'numpy.fromfile', 'pyarrow.parquet.read_table',
  'pyarrow.dataset.dataset', 'datasets.load_from_disk', 'datasets.Dataset.from_text', 'scipy.io.loadmat', 'h5py.File', 'tf.data.TFRecordDataset',
  'tensorflow.data.experimental.make_csv_dataset', 'tf.keras.utils.text_dataset_from_directory', 'keras.utils.image_dataset_from_directory',
  'torchvision.datasets.ImageFolder', 'metaflow.IncludeFile', 'arff.load', 'arff.loads', 'scipy.io.arff.loadarff', 'open', 'io.open', 'torch.load',
  'spark.read.csv', 'spark.read.format().load', 'df.read.option().options().schema().parquet', 'read.json', 'x.read.text',
];

const qualifiedName = fc.oneof(
  fc.array(fc.constantFrom(...NAME_PIECES), { minLength: 1, maxLength: 5 }).map((parts) => parts.join('.')),
  fc.tuple(fc.constantFrom(...KNOWN), fc.constantFrom('', '', '', '.', 'x', '.x', '_', '()'), fc.constantFrom('', '', '', 'x.', 'my', '.')).map(([k, end, start]) => start + k + end),
);

describe('prefilters (session 7)', () => {
  it('readName and isSparkReader give the old test of a qualified name and its callee', () => {
    let readers = 0;
    let spark = 0;
    fc.assert(
      fc.property(qualifiedName, qualifiedName, fc.boolean(), (q, other, sameCallee) => {
        const callee = sameCallee ? q : other;
        const want = oldRead(q, callee);
        if (want.reader) readers++;
        if (OLD_SPARK_READER.test(callee)) spark++;
        assert.deepEqual(newRead(q, callee), want, `${q} / ${callee}`);
      }),
      { numRuns: 30_000, seed: 7 },
    );
    // Every reader of the list and Spark readers were met.
    for (const r of ['pandas.read_csv', 'polars.scan_csv', 'dask.dataframe.read_csv', 'numpy.load', 'pyarrow.parquet.read_table', 'datasets.load_from_disk', 'scipy.io.loadmat', 'h5py.File', 'tf.data.TFRecordDataset', 'keras.utils.image_dataset_from_directory', 'torchvision.datasets.ImageFolder', 'metaflow.IncludeFile', 'arff.load', 'scipy.io.arff.loadarff']) {
      assert.equal(newRead(r, r).reader, oldRead(r, r).reader, r);
      assert.ok(newRead(r, r).reader, r);
    }
    assert.equal(isSparkReader('spark.read.format().option().csv'), true);
    assert.equal(isSparkReader('spark.reader.csv'), false);
    assert.ok(readers > 100 && spark > 100, `readers ${readers}, spark ${spark}`);
  });

  it('INSTALL_WORDS is `install`, `packages` or `requirements` anywhere in a text', () => {
    const pieces = ['install', 'packages', 'requirements', 'instal', 'nstall', 'package', 'requirement', 'pip', ' ', '\n', 'x', 'pack', 'ages', 'in', 'stall', 're', 'quirements', 'INSTALL'];
    let positives = 0;
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...pieces), { maxLength: 8 }), (parts) => {
        const text = parts.join('');
        const want = text.includes('install') || text.includes('packages') || text.includes('requirements');
        if (want) positives++;
        assert.equal(INSTALL_WORDS.test(text), want, JSON.stringify(text));
      }),
      { numRuns: 20_000, seed: 3 },
    );
    assert.ok(positives > 2000, `positives: ${positives}`);
  });
});

// ---------------------------------------------------------------------------
// The code before: unpinned-remote-data's `shellReads` with its substring test on command names.

const OLD_NOT_DATA_URL = /\.(png|jpe?g|gif|svg|ico|webp|sh|py|ipynb|whl|jar|egg|deb|rpm|exe|msi|dmg|pem|crt|key|html?|js|css|md|pdf|yaml|yml|toml|cfg|ini)$/i;
function oldUrlPath(url: string): string {
  return url.replace(/[?#].*$/, '');
}
function oldLooksLikeDataUrl(url: string): boolean {
  const p = oldUrlPath(url);
  if (OLD_NOT_DATA_URL.test(p)) return false;
  return DATASET_EXTENSIONS.test(p) || /\/(data|datasets?)\//i.test(p);
}
const OLD_SHELL_READ_COMMANDS = /wget|curl|gsutil|gcloud|aws|azcopy|cp|mv|kaggle|hf|huggingface-cli|git/;
function oldShellReads(line: string): Array<{ what: string; url: string; messageId: 'remote' | 'kaggle' | 'hub' }> {
  const out: Array<{ what: string; url: string; messageId: 'remote' | 'kaggle' | 'hub' }> = [];
  if (!OLD_SHELL_READ_COMMANDS.test(line)) return out;
  for (const part of line.split(/&&|\|\||;/)) {
    const piped = part.split('|');
    const words = shellWords(piped[0].trim());
    let k = 0;
    while (k < words.length && /^(sudo|time|!)$/.test(words[k])) k++;
    const cmd = words[k];
    if (!cmd) continue;
    const rest = words.slice(k + 1);
    if (cmd === 'wget' || cmd === 'curl') {
      const saves = cmd === 'wget' || rest.some((w) => /^(-[a-zA-Z]*[oO][a-zA-Z]*|--output|--remote-name)$/.test(w)) || /\s>\s*\S/.test(piped[0]) || (piped.length > 1 && /\b(tar|unzip|gunzip|zcat|bunzip2)\b/.test(piped[1]));
      if (!saves) continue;
      for (const u of rest.filter((w) => /^(https?|ftp):\/\//.test(w))) if (oldLooksLikeDataUrl(u)) out.push({ what: `\`${cmd}\``, url: u, messageId: 'remote' });
      continue;
    }
    const copy = shellCopy(words.slice(k));
    if (copy) {
      for (const s of copy.sources) if (isRemotePath(s)) out.push({ what: `\`${copy.tool} ${copy.tool === 'gcloud storage' || copy.tool === 'aws s3' ? words[k + 2] : words[k + 1]}\``, url: s, messageId: 'remote' });
      continue;
    }
    if ((cmd === 'gsutil' && rest[0] === 'cat') || (cmd === 'gcloud' && rest[0] === 'storage' && rest[1] === 'cat')) {
      for (const s of rest.filter((w) => isRemotePath(w))) out.push({ what: `\`${cmd === 'gsutil' ? 'gsutil cat' : 'gcloud storage cat'}\``, url: s, messageId: 'remote' });
      continue;
    }
    if (cmd === 'kaggle' && rest[0] === 'datasets' && rest[1] === 'download') {
      const id = rest.slice(2).find((w) => /^[\w.-]+\/[\w.-]+$/.test(w));
      if (id && !/\/versions\/\d+/.test(id)) out.push({ what: '`kaggle datasets download`', url: id, messageId: 'kaggle' });
      continue;
    }
    if ((cmd === 'huggingface-cli' || cmd === 'hf') && rest[0] === 'download' && rest.includes('dataset') && !rest.some((w) => w.startsWith('--revision'))) {
      const id = rest.slice(1).find((w) => /^[\w.-]+\/[\w.-]+$/.test(w));
      if (id) out.push({ what: `\`${cmd} download\``, url: id, messageId: 'hub' });
      continue;
    }
    if (cmd === 'git' && rest[0] === 'clone') {
      const u = rest.find((w) => /^https:\/\/huggingface\.co\/datasets\//.test(w));
      if (u) out.push({ what: '`git clone`', url: u, messageId: 'remote' });
    }
  }
  return out;
}

/** Words of shell lines: every command `shellReads` knows, near misses, separators, quotes and arguments. */
const SHELL_PIECES = [
  'wget', 'curl', 'gsutil', 'gcloud', 'aws', 'azcopy', 'cp', 'mv', 'kaggle', 'hf', 'huggingface-cli', 'git', 'sudo', 'time', '!', 'pip', 'install', 'awscli', 'git+https://github.com/o/r',
  'wgetx', 'xcp', 'cat', 'storage', 's3', 'copy', 'sync', 'rsync', 'datasets', 'download', 'dataset', 'clone', '--revision=abc', '-O', 'out.csv', '-q', '-r',
  'https://example.com/data/train.csv', 'http://x.org/a.zip', 's3://bucket/data.csv', 'gs://b/x.parquet', 'owner/name', 'owner/name/versions/2', 'https://huggingface.co/datasets/o/n',
  ' ', ' ', ' ', '  ', '\t', '&&', '||', ';', '|', '| tar xz', '>', '> f.csv', '"', "'", '"wget"', "'cp'", 'dest/', '.', 'x',
];

/** A command `shellReads` may read with, with arguments. */
const command = fc
  .tuple(
    fc.constantFrom('', '', 'sudo ', 'time ', '! ', 'cd x && ', 'ls; ', '"', "'"),
    fc.constantFrom('wget', 'curl', 'gsutil cp', 'gsutil -m cp', 'gsutil cat', 'gcloud storage cp', 'gcloud storage cat', 'aws s3 cp', 'azcopy copy', 'cp', 'mv', 'kaggle datasets download', 'hf download', 'huggingface-cli download', 'git clone'),
    fc.array(fc.constantFrom('https://example.com/data/train.csv', 'http://x.org/a.zip', 's3://bucket/data.csv', 'gs://b/x.parquet', 'owner/name', 'dataset', '-O', 'out.csv', 'dest/', '--revision=abc', 'https://huggingface.co/datasets/o/n', '-q', '"', "'", '| tar xz', '> f.csv'), { maxLength: 5 }),
  )
  .map(([pre, cmd, args]) => `${pre}${cmd} ${args.join(' ')}`);

describe('shellReads (session 7)', () => {
  it('finds what its old version found', () => {
    let found = 0;
    fc.assert(
      fc.property(fc.array(fc.oneof(command, fc.constantFrom(...SHELL_PIECES)), { maxLength: 8 }), fc.boolean(), (parts, spaced) => {
        const line = parts.join(spaced ? ' ' : '');
        const want = oldShellReads(line);
        if (want.length) found++;
        assert.deepEqual(shellReads(line), want, JSON.stringify(line));
      }),
      { numRuns: 40_000, seed: 21 },
    );
    assert.ok(found > 2000, `lines with reads: ${found}`);
  });
});

// `# %pip` comments count in percent scripts (`.py` files) only: a notebook cell is not even searched for them.
ruleTester(unpinnedInstall, {
  valid: [{ name: 'a percent-script comment in a notebook cell', cells: ['# %%\n# %pip install promptflow\nimport os\n'] }],
  invalid: [
    {
      name: 'the same text as a percent script',
      code: '# %%\n# %pip install promptflow\nimport os\n',
      errors: [{ messageId: 'none', messageIncludes: '`promptflow`', line: 2, column: 16, endColumn: 26 }],
    },
    {
      name: 'a magic and a call in one cell, the comment not read',
      cells: ['# %%\n# %pip install promptflow\n%pip install pandas\nimport subprocess\nsubprocess.run("pip install numpy", shell=True)\n'],
      errors: [
        { messageId: 'none', messageIncludes: '`pandas`', cell: 0, line: 3, column: 14, endColumn: 20 },
        { messageId: 'none', messageIncludes: '`numpy`', cell: 0, line: 5, column: 29, endColumn: 34 },
      ],
    },
  ],
});
