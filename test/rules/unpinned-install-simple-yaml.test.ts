// `%%writefile *.yaml` bodies in the plain block subset are read without the YAML
// library (`simpleYaml`): every text must give exactly the findings the library path
// gives, and texts outside the subset must fall back to the library.
import * as assert from 'node:assert/strict';
import { isMap, isPair, isScalar, isSeq, parseAllDocuments, type Node as YamlNode } from 'yaml';
import { simpleYaml, writtenYamlInstalls } from '../../src/core/rules/reproducibility/unpinned-install';
import { rng } from '../helpers/rng';

const CONDA = `name: model-env
channels:
  - conda-forge
dependencies:
  - python=3.10
  - numpy=1.26.4
  - pip=24.0
  - scikit-learn>=1.5
  - pandas  # comment
  - pip:
    - inference-schema[numpy-support]==1.3.0
    - mlflow
    - azureml-mlflow~=1.5
`;

/** The node tree as the rule reads it: kinds, scalar types, values and ranges. */
function shape(node: unknown): unknown {
  if (isMap(node)) return { map: node.items.map((p) => (isPair(p) ? [shape(p.key), shape(p.value)] : '?')) };
  if (isSeq(node)) return { seq: node.items.map(shape) };
  // (Where an empty value sits is not read.)
  if (isScalar(node)) return { type: node.type, value: node.value, range: node.value === null ? null : node.range?.slice(0, 2) };
  return node === null || node === undefined ? null : '?';
}

function same(name: string, body: string): void {
  assert.deepEqual(writtenYamlInstalls(name, body, true), writtenYamlInstalls(name, body, false), `${name}:\n${body}`);
  const simple = simpleYaml(body);
  if (!simple) return;
  // Where the simple reader answers, it builds what the library builds.
  const docs = parseAllDocuments(body, { uniqueKeys: false });
  const doc = Array.isArray(docs) ? docs[0] : undefined;
  assert.equal(doc?.errors.length ?? 0, 0, body);
  assert.deepEqual(simple.value, doc ? doc.toJS() : null, body);
  assert.deepEqual(shape(simple.contents), shape(doc?.contents as YamlNode | undefined), body);
}

const KEYS = ['dependencies', 'pip', 'channels', 'name', 'steps', 'install', '$schema', 'apiVersion', 'kind', 'pipelineSpec', 'deploymentSpec', 'root', 'env', 'a.b', 'x-y', 'True', 'null', '1', 'a b', 'conda_file', 'conda', 'args', 'setup'];
/** Scalars in the simple subset (most of a generated text) and ones that leave it or read as something else. */
const SAFE = [
  'pandas', 'python=3.8', 'pip', 'numpy>=1.2', 'inference-schema[numpy-support]==1.3.0', 'scikit-learn==1.4.2', 'torch', 'mlflow<2.19', 'a:b', 'x#y', "pip install 'mlflow<2.19' -q",
  'pip install pandas scikit-learn==1.5.0', 'git+https://github.com/a/b@main', 'git+https://github.com/a/b.git@3f2a1b9c', 'a{b}c', 'a[b]', 'conda-forge', 'argoproj.io/v1alpha1',
  'https://azuremlschemas.azureedge.net/latest/commandJob.schema.json', 'conda install -y numpy', 'pkg @ git+https://x/y', 'name with spaces', 'a\\b', 'pip install "x>=1"', 'pip==', '<2', '=1.2',
  'tensorflow~=2.15', 'xgboost=1.7.6=py310', 'conda-forge::lightgbm>=4', 'pip install -U transformers', 'pip install -r requirements.txt', 'true-ish', 'nullable', '.', './src', '+x', 'x.', 'v1.0',
];
const TRICKY = ['{x}', '1.5', '3', '-1', '.5', 'true', 'False', 'null', '~', '-e .', '"q"', "'s'", '&a x', '*a', '!tag x', '|', '>-', '[a, b]', '{a: b}', 'a: b', 'x:', '%x', '@x', '`x`', ',x', '?x', 'trailing  ', 'a # comment', 'pip install x\\', '1e3', '0o7', '0x1F', '.inf', '-.inf', '.nan', '+1', '1_000', '-x'];
const PACKAGE_KEYS = ['dependencies', 'pip', 'requirements', 'conda_packages', 'packages_to_install', 'pip_packages', 'python_packages', 'run', 'command', 'script'];

function generate(r: () => number): string {
  const pick = <T>(xs: T[]): T => xs[Math.floor(r() * xs.length)];
  const tricky = r() < 0.5 ? 0.04 : 0;
  const scalar = (): string => pick(r() < tricky ? TRICKY : SAFE);
  const key = (): string => pick(r() < 0.5 ? PACKAGE_KEYS : KEYS);
  const step = pick([2, 2, 4, 1, 3]);
  const lines: string[] = [];
  const comment = (): string => (r() < 0.1 ? `  # ${scalar()}` : r() < 0.05 ? ' #' : '');
  const node = (indent: number, depth: number): void => {
    const pad = ' '.repeat(indent);
    const n = 1 + Math.floor(r() * 4);
    const asSeq = r() < 0.45;
    for (let k = 0; k < n; k++) {
      if (r() < 0.06) lines.push(r() < 0.5 ? '' : `${pad}# note`);
      if (asSeq) {
        if (depth < 3 && r() < 0.25) {
          // `- key: value` / `- key:` with a nested block.
          const k = key();
          if (r() < 0.5) lines.push(`${pad}- ${k}: ${scalar()}${comment()}`);
          else {
            lines.push(`${pad}- ${k}:${comment()}`);
            node(indent + (r() < 0.7 ? 2 : step + 2), depth + 1);
          }
        } else lines.push(`${pad}-${r() < 0.9 ? ' ' : '   '}${scalar()}${comment()}`);
      } else {
        const k = key();
        if (depth < 3 && r() < 0.4) {
          lines.push(`${pad}${k}:${r() < 0.2 ? ' ' : ''}${comment()}`);
          // A compact sequence (same indent) or a nested block.
          node(r() < 0.3 ? indent : indent + step, depth + 1);
        } else if (r() < 0.05) {
          // The value alone on the next line, maybe after a comment.
          lines.push(`${pad}${k}:${comment()}`);
          if (r() < 0.3) lines.push(`${pad}  # note`);
          lines.push(`${pad}${' '.repeat(pick([2, 2, 4, 1]))}${scalar()}${comment()}`);
        } else if (r() < 0.15) {
          // A block scalar: folded or literal, usually evenly indented.
          lines.push(`${pad}${k}: ${pick(['>-', '|', '>', '|-', '>-', '|', '>+', '>2', '|-'])}${comment()}`);
          const inner = pad + ' '.repeat(pick([2, 2, 4, 1]));
          for (let j = Math.floor(r() * 3); j >= 0; j--) {
            const roll = r();
            lines.push(roll < 0.05 ? '' : roll < 0.1 ? `${inner}  ${scalar()}` : roll < 0.15 ? `${inner}# ${scalar()}` : `${inner}${scalar()}${r() < 0.2 ? ' ' : ''}`);
          }
        } else lines.push(`${pad}${k}:${r() < 0.1 ? '   ' : ' '}${scalar()}${comment()}`);
      }
    }
    // A more indented line after a scalar: the scalar continues (a multi-line plain scalar) or the text is invalid.
    if (r() < 0.04) lines.push(`${pad}${' '.repeat(1 + Math.floor(r() * 4))}${r() < 0.5 ? 'continued install' : 'x: y'}`);
  };
  if (r() < 0.3) {
    // A conda environment: `dependencies` with specs and a nested `pip` list, indented or compact.
    const list = (pad: string): void => {
      for (let k = Math.floor(r() * 5); k >= 0; k--) lines.push(`${pad}-${r() < 0.95 ? ' ' : '  '}${scalar()}${comment()}`);
    };
    if (r() < 0.7) lines.push(`name: ${scalar()}`);
    if (r() < 0.5) lines.push('channels:', `${r() < 0.5 ? '  ' : ''}- conda-forge`);
    const seqPad = r() < 0.6 ? '  ' : '';
    lines.push(`dependencies:${comment()}`);
    list(seqPad);
    if (r() < 0.7) {
      lines.push(`${seqPad}- pip:${comment()}`);
      list(seqPad + (r() < 0.6 ? '    ' : '  '));
    }
    if (r() < 0.3) list(seqPad);
  } else node(r() < 0.9 ? 0 : 2, 0);
  if (r() < 0.03) lines.splice(Math.floor(r() * lines.length), 0, pick(['---', '\tx: y', 'key: value', '  odd: indent', '- stray']));
  return lines.join('\n') + (r() < 0.5 ? '\n' : '');
}

describe('unpinned-install: simple YAML reader', () => {
  it('reads a conda environment without the YAML library, with the same findings', () => {
    assert.ok(simpleYaml(CONDA), 'the conda file is in the simple subset');
    const found = writtenYamlInstalls('conda.yaml', CONDA);
    assert.deepEqual(
      found.map((f) => [f.package, f.kind, f.spec, CONDA.slice(f.start, f.end), f.patchSeries]),
      [
        ['python', 'range', '=3.10', 'python=3.10', true],
        ['pip', 'range', '=24.0', 'pip=24.0', true],
        ['scikit-learn', 'range', '>=1.5', 'scikit-learn>=1.5', false],
        ['pandas', 'none', '', 'pandas', undefined],
        ['mlflow', 'none', '', 'mlflow', undefined],
        ['azureml-mlflow', 'range', '~=1.5', 'azureml-mlflow~=1.5', false],
      ],
    );
    same('conda.yaml', CONDA);
  });

  it('reads folded and literal block scalars', () => {
    const body = 'type: command\ncode: .\ncommand: >-\n  pip install \'mlflow<2.19\' -q && python train.py \n  --data ${{inputs.data}}\n# </component>\n';
    assert.ok(simpleYaml(body));
    const found = writtenYamlInstalls('train.yml', body);
    assert.deepEqual(found.map((f) => [f.package, f.spec, body.slice(f.start, f.end)]), [['mlflow', '<2.19', 'mlflow<2.19']]);
    same('train.yml', body);
    same('run.yml', 'steps:\n  - run: |\n      pip install pandas\n      pip install -U numpy\n');
  });

  it('falls back to the YAML library outside the subset', () => {
    for (const body of [
      'dependencies:\n  - "pandas"\n',
      'dependencies: [pandas, numpy]\n',
      'a: &x\n  - pandas\nb: *x\n',
      'dependencies:\n  - pandas\n  - 1.5\n',
      'dependencies:\n  - pandas\n    numpy\n',
      '%YAML 1.2\n---\ndependencies:\n  - pandas\n',
      'dependencies:\n\t- pandas\n',
      'a: 1\na: 2\n',
      'dependencies:\n  -\n  - pandas\n',
      'command: >+\n  pip install pandas\n',
      'command: |\n  pip install pandas\n\n  pip install numpy\n',
      'command: |\n  pip install pandas',
    ]) {
      assert.equal(simpleYaml(body), undefined, body);
      same('environment.yml', body);
    }
  });

  it('agrees with the YAML library on edge texts', () => {
    for (const body of [
      'command: >-\n  pip install x\n  \n  pip install y\n',
      'command: |\n  pip install x\n   \n',
      'command: >\n  pip install x\n\nname: y\n',
      'a:\n  # only a comment\nb: pip\n',
      'pip:\n- pandas\n- numpy>=1\nname: x\n',
      '  dependencies:\n  - pandas\n',
      'dependencies:\n  - pip:\n    - mlflow\n  - numpy\n',
      'dependencies:\n  -   pandas   # spaced\n',
      'requirements: pandas>=1\n',
      'x: a:b\ny: x#y\nz: .\n',
      'environment:\n  # a comment\n  azureml://registries/azureml/environments/sklearn-1.5/labels/latest\ncommand: pip install x\n',
      'environment:\n  azureml://x\n  continued\n',
      '',
      '# nothing\n',
    ]) {
      for (const name of ['conda.yaml', 'pipeline.yaml']) same(name, body);
    }
  });

  it('gives the findings of the YAML library on generated texts', function () {
    this.timeout(120_000);
    const r = rng(20240611);
    let simple = 0;
    for (let k = 0; k < 2000; k++) {
      const body = generate(r);
      if (simpleYaml(body)) simple++;
      for (const name of ['conda.yaml', 'environment.yml', 'train.yml', 'pipeline.yaml']) same(name, body);
    }
    // Both paths are exercised.
    assert.ok(simple > 200 && simple < 1900, `simple: ${simple}`);
  });
});
