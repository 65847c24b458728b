// The DVC part of the workspace index: which scripts stages run, their parsed
// Python kept and refreshed file by file, params files' values, outputs.
import * as assert from 'node:assert/strict';
import { MemoryFileSystem } from '../../src/core/workspace/fs';
import { commandScripts, interpolate, WorkspaceIndex } from '../../src/core/workspace/workspace-index';

/** A memory file system that counts reads per path. */
class CountingFs extends MemoryFileSystem {
  readonly reads = new Map<string, number>();
  override async readFile(p: string): Promise<string | undefined> {
    this.reads.set(p, (this.reads.get(p) ?? 0) + 1);
    return super.readFile(p);
  }
}

const FILES = {
  'dvc.yaml':
    'vars:\n  - conf/paths.yaml\nstages:\n  prepare:\n    cmd: python src/prepare.py --in ${paths.raw}\n    deps:\n      - src/prepare.py\n      - ${paths.raw}\n    outs:\n      - ${base.data_dir}/prepared.csv\n  train:\n    cmd: python -m src.train\n    deps:\n      - data/prepared.csv\n    params:\n      - train.lr\n    outs:\n      - models\n  report:\n    cmd: papermill notebooks/report.ipynb out/report.ipynb --cwd notebooks\n',
  'params.yaml': 'base:\n  data_dir: data\ntrain:\n  lr: 0.1\n',
  'conf/paths.yaml': 'paths:\n  raw: data/raw.csv\n',
  'src/prepare.py': 'import pandas as pd\n\npd.read_csv("data/raw.csv").to_csv("data/prepared.csv")\n',
  'src/train.py': 'import joblib\n\njoblib.dump(1, "models/model.pkl")\n',
  'src/unrelated.py': 'print("not run by any stage")\n',
  'notebooks/report.ipynb': JSON.stringify({ cells: [{ cell_type: 'code', source: 'x = 1\n', metadata: {}, outputs: [], execution_count: 1 }], metadata: {}, nbformat: 4, nbformat_minor: 5 }),
};

describe('WorkspaceIndex: DVC stages, scripts and params', () => {
  it('finds the scripts a command runs', () => {
    const t = (cmd: string) => commandScripts(cmd).map((s) => `${s.kind}:${s.target}${s.cwd !== undefined ? `@${s.cwd}` : ''}`);
    assert.deepEqual(t('python src/train.py --epochs 3'), ['python:src/train.py']);
    assert.deepEqual(t('python3 -u -W ignore src/train.py'), ['python:src/train.py']);
    assert.deepEqual(t('python -m pkg.train --lr 1'), ['module:pkg.train']);
    assert.deepEqual(t('CUDA_VISIBLE_DEVICES=0 uv run python train.py'), ['python:train.py']);
    assert.deepEqual(t('conda run -n ml python train.py'), ['python:train.py']);
    assert.deepEqual(t('torchrun --nproc_per_node 4 train.py'), ['python:train.py']);
    assert.deepEqual(t('python -m torch.distributed.run --nproc_per_node=2 train.py'), ['python:train.py']);
    assert.deepEqual(t('Rscript report.R && bash scripts/publish.sh; ./post.sh'), ['r:report.R', 'shell:scripts/publish.sh', 'shell:./post.sh']);
    assert.deepEqual(t('jupyter nbconvert --to notebook --execute nb/train.ipynb'), ['notebook:nb/train.ipynb@nb']);
    assert.deepEqual(t('papermill in.ipynb out.ipynb --cwd notebooks -p lr 0.1'), ['notebook:in.ipynb@notebooks']);
    assert.deepEqual(t('python -c "print(1)"'), []);
    assert.deepEqual(t('dvc exp run && make all'), []);
    assert.deepEqual(t('python "src/my train.py"'), ['python:src/my train.py']);
    assert.deepEqual(t('python \\\n  src/train.py'), ['python:src/train.py']);
  });

  it('fills DVC templates', () => {
    const vars = { base: { dir: 'data', n: 3, list: ['a', 'b'] } };
    assert.equal(interpolate('${base.dir}/x_${base.n}.csv', vars), 'data/x_3.csv');
    assert.equal(interpolate('${base.list[1]}', vars), 'b');
    assert.equal(interpolate('${item}', vars), undefined);
    assert.equal(interpolate('plain', vars), 'plain');
  });

  it('resolves stage scripts to workspace files and knows which stages run a file', async () => {
    const ix = await WorkspaceIndex.build(new MemoryFileSystem(FILES));
    const [prepare, train, report] = ix.dvcStages();
    assert.deepEqual(ix.resolveScripts(prepare.cmd, prepare.wdir).map((s) => s.path), ['src/prepare.py']);
    assert.deepEqual(ix.resolveScripts(train.cmd, train.wdir).map((s) => s.path), ['src/train.py']);
    assert.deepEqual(ix.resolveScripts(report.cmd, report.wdir).map((s) => [s.path, s.cwdPath]), [['notebooks/report.ipynb', 'notebooks']]);
    assert.deepEqual(ix.stagesRunning('src/train.py').map((s) => s.name), ['train']);
    assert.deepEqual(ix.stagesRunning('src/unrelated.py'), []);
    assert.deepEqual(train.range, { start: { line: 10, character: 2 }, end: { line: 10, character: 7 } });
  });

  it('parses the scripts stages run when it is built, and nothing else', async () => {
    const fs = new CountingFs(FILES);
    const ix = await WorkspaceIndex.build(fs);
    assert.ok(ix.scriptProgram('src/prepare.py'));
    assert.ok(ix.scriptProgram('src/train.py'));
    assert.equal(ix.scriptProgram('notebooks/report.ipynb')?.units.length, 1);
    assert.equal(ix.scriptProgram('src/unrelated.py'), undefined);
    assert.equal(fs.reads.get('src/unrelated.py'), undefined, 'a file no stage runs is never read');
    // Lints ask again and again: no more reads.
    const before = fs.reads.get('src/train.py');
    await ix.loadScript('src/train.py');
    await ix.loadParams('params.yaml');
    assert.equal(fs.reads.get('src/train.py'), before);
    assert.equal(fs.reads.get('params.yaml'), 1);
  });

  it('re-reads a script only when it changes, and follows dvc.yaml edits', async () => {
    const fs = new CountingFs(FILES);
    const ix = await WorkspaceIndex.build(fs);
    const old = ix.scriptProgram('src/train.py');
    fs.set('src/train.py', 'import torch\ntorch.save(1, "models/m.pt")\n');
    await ix.update('src/train.py');
    const fresh = ix.scriptProgram('src/train.py');
    assert.notEqual(fresh, old);
    assert.ok(fresh!.calls().some((c) => c.qualified === 'torch.save'));
    // An unrelated change reads nothing else.
    const reads = fs.reads.get('src/train.py');
    await ix.update('src/unrelated.py');
    assert.equal(fs.reads.get('src/train.py'), reads);
    assert.equal(fs.reads.get('src/unrelated.py'), undefined);
    // A new stage that runs unrelated.py: read once, when dvc.yaml changes.
    fs.set('dvc.yaml', FILES['dvc.yaml'] + '  extra:\n    cmd: python src/unrelated.py\n');
    await ix.update('dvc.yaml');
    assert.ok(ix.scriptProgram('src/unrelated.py'));
    assert.equal(fs.reads.get('src/unrelated.py'), 1);
    // A script that goes away.
    fs.delete('src/unrelated.py');
    ix.remove('src/unrelated.py');
    assert.equal(ix.scriptProgram('src/unrelated.py'), undefined);
  });

  it('keeps params files and fills templated stage paths from them', async () => {
    const fs = new MemoryFileSystem(FILES);
    const ix = await WorkspaceIndex.build(fs);
    assert.deepEqual(ix.paramsFile('params.yaml'), { status: 'ok', value: { base: { data_dir: 'data' }, train: { lr: 0.1 } } });
    assert.equal(ix.paramsFile('conf/paths.yaml')?.status, 'ok');
    assert.deepEqual(ix.templateVars('dvc.yaml'), { base: { data_dir: 'data' }, train: { lr: 0.1 }, paths: { raw: 'data/raw.csv' } });
    assert.equal(ix.trackingOf('data/prepared.csv').by, 'dvc.yaml stage prepare (outs)');
    assert.equal(ix.trackingOf('data/raw.csv').by, 'dvc.yaml stage prepare (deps)');
    fs.set('params.yaml', 'base:\n  data_dir: processed\n');
    await ix.update('params.yaml');
    assert.equal(ix.trackingOf('processed/prepared.csv').by, 'dvc.yaml stage prepare (outs)');
    assert.equal(ix.trackingOf('data/prepared.csv').by, 'dvc.yaml stage train (deps)');
    fs.delete('params.yaml');
    ix.remove('params.yaml');
    assert.deepEqual(ix.paramsFile('params.yaml'), { status: 'missing' });
  });

  it('reads YAML, JSON and TOML params files; Python ones only exist', async () => {
    const ix = await WorkspaceIndex.build(
      new MemoryFileSystem({
        'dvc.yaml': 'stages:\n  a:\n    cmd: python a.py\n    params:\n      - p.json:\n      - p.toml:\n      - p.py:\n      - bad.yaml:\n      - gone.yaml:\n',
        'p.json': '{"lr": 1}',
        'p.toml': '[train]\nlr = 1\n',
        'p.py': 'LR = 1\n',
        'bad.yaml': 'a: [\n',
      }),
    );
    assert.deepEqual(ix.paramsFile('p.json'), { status: 'ok', value: { lr: 1 } });
    assert.deepEqual(JSON.parse(JSON.stringify(ix.paramsFile('p.toml'))), { status: 'ok', value: { train: { lr: 1 } } });
    assert.deepEqual(ix.paramsFile('p.py'), { status: 'unsupported' });
    assert.equal(ix.paramsFile('bad.yaml')?.status, 'invalid');
    assert.deepEqual(ix.paramsFile('gone.yaml'), { status: 'missing' });
  });

  it('knows DVC outputs apart from deps', async () => {
    const ix = await WorkspaceIndex.build(new MemoryFileSystem({ ...FILES, 'data/raw.csv.dvc': 'outs:\n- path: raw.csv\n' }));
    assert.equal(ix.outputOf('models/model.pkl'), 'dvc.yaml stage train (outs)');
    assert.equal(ix.outputOf('data/raw.csv'), 'data/raw.csv.dvc');
    assert.equal(ix.outputOf('src/prepare.py'), undefined, 'a dep is not an output');
  });
  it('says whose content other findings read: stage scripts and files a summary was read from', async () => {
    const ix = await WorkspaceIndex.build(new MemoryFileSystem(FILES));
    assert.equal(ix.contentRead('src/prepare.py'), true, 'a stage runs it');
    assert.equal(ix.contentRead('notebooks/report.ipynb'), true, 'papermill runs it');
    assert.equal(ix.contentRead('src/unrelated.py'), false);
    assert.equal(await ix.fileSummary('src/unrelated.py', 'len', (t) => t.length), FILES['src/unrelated.py'].length);
    assert.equal(ix.contentRead('src/unrelated.py'), true, 'a rule read a summary of it');
    await ix.update('src/unrelated.py');
    assert.equal(ix.contentRead('src/unrelated.py'), false, 'the summary went with the change');
  });
});
