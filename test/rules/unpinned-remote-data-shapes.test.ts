import { strict as assert } from 'node:assert';
import { HANDLED_NAMES, handledName, handledQualified, NameShapes, QUALIFIED_LAST_SEGMENTS } from '../../src/core/rules/data/unpinned-remote-data';
import { rng } from '../helpers/rng';

// unpinned-remote-data skips the exact name tests for callees whose last segment has
// the wrong length or first/last character: the lists behind those shapes must hold
// every name the exact tests accept.

/** Pieces of the qualified names the handlers know, and near misses. */
const POOL = [
  'urllib', 'request', 'requests', 'httpx', 'wget', 'keras', 'utils', 'data_utils', 'tf', 'tensorflow', 'io', 'gfile', 'torchvision', 'datasets', 'pooch',
  'gdown', 'fsspec', 'smart_open', 'fiftyone', 'huggingface', 'sklearn', 'huggingface_hub', 'tensorflow_datasets', 'kagglehub', 'azure', 'ai', 'ml', 'dsl',
  'azureml', 'core', 'dataset', 'Dataset', 'kfp', 'pandas', 'pandas_gbq', 'bigframes', 'dvc', 'api', 'langchain', 'document_loaders', 'llama_index',
  ...QUALIFIED_LAST_SEGMENTS, ...HANDLED_NAMES, 'read_csv', 'fit_transform', 'gets', 'Get', 'loader', 'copy_', 'Loader', 'Reader', 'x', 'data',
];

const lastSegment = (q: string): string => q.slice(q.lastIndexOf('.') + 1);

describe('unpinned-remote-data: name shapes', () => {
  it('every qualified name the handlers accept ends in a listed segment', () => {
    const next = rng(7);
    let accepted = 0;
    for (let i = 0; i < 60_000; i++) {
      const parts: string[] = [];
      const n = 1 + Math.floor(next() * 5);
      for (let k = 0; k < n; k++) parts.push(POOL[Math.floor(next() * POOL.length)]);
      const q = parts.join('.');
      if (!handledQualified(q)) continue;
      accepted++;
      assert.ok(QUALIFIED_LAST_SEGMENTS.includes(lastSegment(q)), q);
    }
    assert.ok(accepted > 50, `only ${accepted} generated names were accepted`);
  });

  it('known accepted names', () => {
    for (const q of ['urllib.request.urlretrieve', 'tensorflow.keras.utils.get_file', 'datasets.load_dataset', 'azure.ai.ml.dsl.Input', 'kfp.dsl.importer', 'dvc.api.get_url', 'langchain.document_loaders.WebBaseLoader', 'pandas.read_gbq']) {
      assert.ok(handledQualified(q), q);
      assert.ok(QUALIFIED_LAST_SEGMENTS.includes(lastSegment(q)), q);
    }
  });

  it('handledName accepts exactly the listed names (the regexes of the handlers)', () => {
    const reference = (name: string): boolean =>
      /^(dataset_download_files|dataset_download_file|fit|query|use_artifact|artifact|download_file|download_fileobj|get_object)$/.test(name) ||
      /^(copy|copy_dir|copytree|copyfile|download|download_file|download_dir|download_folder|download_directory|get|cp|sync|fget|get_file)$/.test(name);
    const next = rng(11);
    const names = [...POOL, '', 'g', 'gt', 'fet', 'fitt', 'cp_', 'Cp', 'copies', 'download_fil', 'get_objects'];
    for (let i = 0; i < 20_000; i++) {
      const a = POOL[Math.floor(next() * POOL.length)];
      const cut = Math.floor(next() * (a.length + 1));
      names.push(a.slice(0, cut) + (next() < 0.5 ? '' : POOL[Math.floor(next() * POOL.length)].slice(cut)));
    }
    for (const name of names) assert.equal(handledName(name), reference(name), name);
    for (const name of HANDLED_NAMES) assert.ok(reference(name), name);
  });

  it('NameShapes never rejects a listed name, also as the last segment of a dotted text', () => {
    const shapes = new NameShapes(['get', 'fit', 'Input', 'x']);
    for (const n of ['get', 'fit', 'Input', 'x']) {
      assert.ok(shapes.may(n, 0));
      assert.ok(shapes.may(`a.b.${n}`, 4));
    }
    assert.equal(shapes.may('gets', 0), false);
    assert.equal(shapes.may('a.', 2), false);
    assert.equal(shapes.may('', 0), false);
  });
});
