// Speed and memory on ../shared/corpus, measured in ONE run so ratios compare:
//  (a) floor: read + JSON.parse + a tree-sitter parse of every code cell
//  (b) the whole check of the same notebooks (fresh caches, workspace index included), and for
//      reference the same with no rules and with the first rules only (12 fixed ids + health)
//      and, less sensitive to a busy machine, the same two notebook by notebook, best of the rounds
//  (c) re-lint of the largest notebook after a one-cell edit, through the engine's cache
//  (d) peak memory of the CLI process checking the whole corpus
//  (e) a synthetic repository of 2,000 notebooks and 500 configs: full check, one config change
//  (f) the editor's longest synchronous slice on the largest notebook
// Usage: npm run bench   (add -- --rounds N to change the number of alternating rounds)
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { notebookFromCells, parseNotebook } from '../src/core/parse/notebook';
import { PythonProgram, UnitCache } from '../src/core/parse/program';
import { factsCounts, initPython, pythonParser } from '../src/core/parse/python';
import { Project } from '../src/core/project';
import type { Rule } from '../src/core/rule';
import { RULES } from '../src/core/rules';
import { NodeFileSystem } from '../src/core/workspace/fs';

function findCorpus(): string | undefined {
  const candidates = [process.env.MLOPS_HYGIENE_CORPUS, path.resolve(process.cwd(), '../shared/corpus')];
  return candidates.find((c): c is string => !!c && fs.existsSync(c));
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function notebooksOf(dir: string, root = dir, out: string[] = []): string[] {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory() && !e.name.startsWith('.')) notebooksOf(p, root, out);
    else if (e.isFile() && e.name.endsWith('.ipynb')) out.push(path.relative(root, p));
  }
  return out.sort();
}

/** The floor's work for one notebook: read, JSON.parse, a tree-sitter parse of every code cell. */
function floorOf(parser: ReturnType<typeof pythonParser>, file: string): void {
  const json = JSON.parse(fs.readFileSync(file, 'utf8')) as { cells?: Array<{ cell_type: string; source: string | string[] }> };
  for (const c of json.cells ?? []) {
    if (c.cell_type !== 'code') continue;
    const tree = parser.parse(Array.isArray(c.source) ? c.source.join('') : c.source);
    tree?.delete();
  }
}

async function floor(corpus: string, repos: Array<{ repo: string; notebooks: string[] }>): Promise<number> {
  const parser = pythonParser();
  const t0 = performance.now();
  for (const { repo, notebooks } of repos) {
    for (const nb of notebooks) floorOf(parser, path.join(corpus, repo, nb));
  }
  return performance.now() - t0;
}

/** The first rules (issue 2's scope): the twelve fixed ids and the health rules. */
const FIRST_RULES = new Set([
  'untracked-data-read', 'unpinned-remote-data', 'absolute-data-path', 'unvalidated-data-load', 'missing-holdout-split', 'untracked-experiment',
  'deployment-without-monitoring', 'unseeded-randomness', 'unpinned-install', 'out-of-order-execution', 'hardcoded-secret', 'error-output-committed',
  'invalid-notebook', 'invalid-yaml', 'python-syntax-error',
]);

/** (b) with every rule (`rules` undefined), or with these rules only (none: parse, facts, notebook scan and index alone). */
async function fullCheck(corpus: string, repos: Array<{ repo: string; notebooks: string[] }>, rules?: readonly Rule[]): Promise<{ ms: number; indexMs: number; findings: number }> {
  const t0 = performance.now();
  let indexMs = 0;
  let findings = 0;
  for (const { repo, notebooks } of repos) {
    const ti = performance.now();
    const project = await Project.open(new NodeFileSystem(path.join(corpus, repo)), { cache: new UnitCache(), rules });
    // With no rules the engine has nothing to ask of the cells: parse them and read their facts as a check does.
    if (rules?.length === 0) {
      for (const nb of notebooks) {
        const parsed = parseNotebook(fs.readFileSync(path.join(corpus, repo, nb), 'utf8'));
        if (parsed.ok) PythonProgram.fromUnits(project.linter.cache, parsed.notebook.cells.filter((c) => c.kind === 'code').map((c) => ({ cell: c.index, text: c.source })));
      }
      continue;
    }
    indexMs += performance.now() - ti;
    for (const nb of notebooks) {
      const r = await project.lintFile(nb.split(path.sep).join('/'), fs.readFileSync(path.join(corpus, repo, nb), 'utf8'));
      findings += r.findings.length;
    }
  }
  return { ms: performance.now() - t0, indexMs, findings };
}

/**
 * (a) and (b) notebook by notebook, alternating, each notebook's best time over the
 * rounds: a pause of the machine or a garbage collection hits one notebook of one round,
 * not the ratio. It leaves out what the whole run pays for memory (the GC the check's
 * allocations cause) and the index build, and each check runs just after the floor read
 * the same notebook (warm caches): a lower bound for (b)/(a), not the figure the target
 * is about.
 */
async function notebookByNotebook(corpus: string, repos: Array<{ repo: string; notebooks: string[] }>, rounds: number): Promise<{ a: number; b: number }> {
  const parser = pythonParser();
  const bestA = new Map<string, number>();
  const bestB = new Map<string, number>();
  const keep = (m: Map<string, number>, k: string, v: number): void => {
    const old = m.get(k);
    if (old === undefined || v < old) m.set(k, v);
  };
  for (let r = 0; r < rounds; r++) {
    for (const { repo, notebooks } of repos) {
      const project = await Project.open(new NodeFileSystem(path.join(corpus, repo)), { cache: new UnitCache() });
      for (const nb of notebooks) {
        const file = path.join(corpus, repo, nb);
        const ta = performance.now();
        floorOf(parser, file);
        const tb = performance.now();
        await project.lintFile(nb.split(path.sep).join('/'), fs.readFileSync(file, 'utf8'));
        keep(bestA, file, tb - ta);
        keep(bestB, file, performance.now() - tb);
      }
    }
  }
  let a = 0;
  let b = 0;
  for (const v of bestA.values()) a += v;
  for (const v of bestB.values()) b += v;
  return { a, b };
}

async function editRelint(corpus: string, file: string, repo: string): Promise<{ medianMs: number; p95Ms: number; cells: number; coldMs: number; parses: number }> {
  const parsed = parseNotebook(fs.readFileSync(path.join(corpus, repo, file), 'utf8'));
  if (!parsed.ok) throw new Error(`${file}: ${parsed.error.message}`);
  const cache = new UnitCache();
  const project = await Project.open(new NodeFileSystem(path.join(corpus, repo)), { cache });
  const rel = file.split(path.sep).join('/');
  const cells = parsed.notebook.cells.map((c) => ({ kind: c.kind, source: c.source, executionCount: c.executionCount, outputs: c.outputs, metadata: c.metadata }));
  const tc = performance.now();
  await project.linter.lintNotebook(rel, notebookFromCells(cells, parsed.notebook.metadata));
  const coldMs = performance.now() - tc;
  const codeCells = cells.map((c, i) => (c.kind === 'code' ? i : -1)).filter((i) => i >= 0);
  const target = codeCells[Math.floor(codeCells.length / 2)];
  const times: number[] = [];
  const parsesBefore = cache.parses;
  for (let i = 0; i < 60; i++) {
    // The editor's view of one keystroke in one cell: a new source for that cell only.
    cells[target] = { ...cells[target], source: cells[target].source + (i % 2 ? ' ' : '#') };
    const t = performance.now();
    await project.linter.lintNotebook(rel, notebookFromCells(cells, parsed.notebook.metadata));
    times.push(performance.now() - t);
  }
  const sorted = [...times].sort((a, b) => a - b);
  return { medianMs: median(times), p95Ms: sorted[Math.floor(sorted.length * 0.95)], cells: cells.length, coldMs, parses: cache.parses - parsesBefore };
}

/**
 * (f) The editor's view of the largest notebook: the engine yields after 10 ms (as the
 * extension configures it), so the longest synchronous slice is what blocks the
 * extension host. Measured on the first lint (every cell parsed) and over 60 edits;
 * also the slowest single rule on the first lint, which bounds a slice from below.
 */
async function editorSlices(corpus: string, file: string, repo: string): Promise<{ firstMs: number; editsMs: number; slowestRule: [string, number] }> {
  const parsed = parseNotebook(fs.readFileSync(path.join(corpus, repo, file), 'utf8'));
  if (!parsed.ok) throw new Error(`${file}: ${parsed.error.message}`);
  const timing = process.env.MLOPS_HYGIENE_TIMING;
  process.env.MLOPS_HYGIENE_TIMING = '1';
  const project = await Project.open(new NodeFileSystem(path.join(corpus, repo)), { cache: new UnitCache(), yieldAfterMs: 10 });
  if (timing === undefined) delete process.env.MLOPS_HYGIENE_TIMING;
  else process.env.MLOPS_HYGIENE_TIMING = timing;
  const rel = file.split(path.sep).join('/');
  const cells = parsed.notebook.cells.map((c) => ({ kind: c.kind, source: c.source, executionCount: c.executionCount, outputs: c.outputs, metadata: c.metadata }));
  const linter = project.linter;
  await linter.lintNotebook(rel, notebookFromCells(cells, parsed.notebook.metadata));
  const firstMs = linter.longestSliceMs;
  const slowestRule = [...(linter.timing ?? new Map<string, number>())].sort((x, y) => y[1] - x[1])[0] ?? ['-', 0];
  linter.longestSliceMs = 0;
  const target = cells.map((c, i) => (c.kind === 'code' ? i : -1)).filter((i) => i >= 0)[Math.floor(cells.filter((c) => c.kind === 'code').length / 2)];
  for (let i = 0; i < 60; i++) {
    cells[target] = { ...cells[target], source: cells[target].source + (i % 2 ? ' ' : '#') };
    await linter.lintNotebook(rel, notebookFromCells(cells, parsed.notebook.metadata));
  }
  return { firstMs, editsMs: linter.longestSliceMs, slowestRule };
}

function peakMemory(corpus: string): { maxRssMb: number; ms: number; code: number | null } {
  const hook = path.join(os.tmpdir(), `mlops-hygiene-rss-${process.pid}.cjs`);
  fs.writeFileSync(hook, "process.on('exit', () => process.stderr.write('MAXRSS ' + process.resourceUsage().maxRSS + '\\n'));\n");
  const cli = path.join(__dirname, 'cli.js');
  const t = performance.now();
  const r = spawnSync(process.execPath, ['-r', hook, cli, 'check', corpus, '--format', 'json', '--fail-on', 'off'], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
  const ms = performance.now() - t;
  fs.rmSync(hook, { force: true });
  const m = /MAXRSS (\d+)/.exec(r.stderr);
  return { maxRssMb: m ? Number(m[1]) / 1024 : NaN, ms, code: r.status };
}

/** A synthetic repository: 2,000 small notebooks and 500 configs, written once to a temp folder. */
function syntheticRepo(): string {
  const dir = path.join(os.tmpdir(), 'mlops-hygiene-bench-synthetic-v1');
  if (fs.existsSync(path.join(dir, 'done'))) return dir;
  fs.rmSync(dir, { recursive: true, force: true });
  const w = (p: string, text: string): void => {
    fs.mkdirSync(path.dirname(path.join(dir, p)), { recursive: true });
    fs.writeFileSync(path.join(dir, p), text);
  };
  const cell = (src: string, n: number) => ({ cell_type: 'code', execution_count: n, metadata: {}, outputs: [], source: src.split(/(?<=\n)/) });
  for (let i = 0; i < 2000; i++) {
    const team = `team${i % 40}`;
    const cells = [
      cell('%pip install pandas scikit-learn==1.5.0\nimport pandas as pd\nimport numpy as np\nfrom sklearn.model_selection import train_test_split\nfrom sklearn.ensemble import RandomForestClassifier', 1),
      cell(`df = pd.read_csv("data/${team}/part${i % 7}.csv")\ndf = df.dropna()\nX = df.drop(columns=["label"])\ny = df["label"]`, 2),
      cell('X_train, X_test, y_train, y_test = train_test_split(X, y, test_size=0.2)', 3),
      cell(`model = RandomForestClassifier(n_estimators=${50 + (i % 100)})\nmodel.fit(X_train, y_train)\nprint(model.score(X_test, y_test))`, 4),
      cell(`import joblib\njoblib.dump(model, "models/${team}/model${i}.joblib")`, 5),
    ];
    w(`projects/${team}/nb${i}.ipynb`, JSON.stringify({ cells, metadata: { language_info: { name: 'python' } }, nbformat: 4, nbformat_minor: 5 }, null, 1));
  }
  for (let i = 0; i < 500; i++) {
    const team = `team${i % 40}`;
    switch (i % 5) {
      case 0:
        w(`data/${team}/part${i % 7}.csv.dvc`, `outs:\n- md5: ${i.toString(16).padStart(32, '0')}\n  path: part${i % 7}.csv\n`);
        break;
      case 1:
        w(`projects/${team}/dvc${i}/dvc.yaml`, `stages:\n  train:\n    cmd: python train.py\n    deps: [train.py]\n    outs: [model.pkl]\n    params: [train.lr]\n`);
        w(`projects/${team}/dvc${i}/params.yaml`, 'train:\n  lr: 0.1\n');
        break;
      case 2:
        w(`.github/workflows/ci${i}.yml`, `on: [push]\njobs:\n  train:\n    runs-on: ubuntu-latest\n    steps:\n      - uses: actions/checkout@v4\n      - run: python train.py\n`);
        break;
      case 3:
        w(`deploy/${team}/d${i}.yml`, `$schema: https://azuremlschemas.azureedge.net/latest/managedOnlineDeployment.schema.json\nname: blue\nendpoint_name: ep${i}\nmodel: azureml:m${i}:1\ninstance_type: Standard_DS3_v2\ninstance_count: 1\n`);
        break;
      default:
        w(`envs/${team}/env${i}.yml`, `name: env${i}\nchannels: [conda-forge]\ndependencies:\n  - python=3.11\n  - pandas\n  - pip:\n    - mlflow==2.16.0\n`);
    }
  }
  w('done', '');
  return dir;
}

async function syntheticRun(): Promise<{ files: number; fullMs: number; updateMs: number; relintMs: number }> {
  const dir = syntheticRepo();
  const t0 = performance.now();
  const project = await Project.open(new NodeFileSystem(dir), { cache: new UnitCache(20000) });
  const files = project.lintableFiles();
  for (const f of files) await project.lintFile(f);
  const fullMs = performance.now() - t0;
  // One config change: a new .dvc sidecar makes one data file tracked.
  const sidecar = 'data/team3/part6.csv.dvc';
  fs.mkdirSync(path.dirname(path.join(dir, sidecar)), { recursive: true });
  fs.writeFileSync(path.join(dir, sidecar), 'outs:\n- md5: 0\n  path: part6.csv\n');
  const t1 = performance.now();
  await project.workspace.update(sidecar);
  const updateMs = performance.now() - t1;
  // The re-check: every notebook again, through the warm parse cache (what the editor does for open files).
  const t2 = performance.now();
  for (const f of files) if (f.endsWith('.ipynb')) await project.lintFile(f);
  const relintMs = performance.now() - t2;
  fs.rmSync(path.join(dir, sidecar));
  return { files: files.length, fullMs, updateMs, relintMs };
}

async function main(): Promise<void> {
  const corpus = findCorpus();
  if (!corpus) {
    console.error('The corpus is absent: expected ../shared/corpus (or set MLOPS_HYGIENE_CORPUS). Nothing was measured.');
    process.exit(2);
  }
  const roundsArg = process.argv.indexOf('--rounds');
  const rounds = roundsArg > 0 ? Number(process.argv[roundsArg + 1]) : 5;
  await initPython();
  const repos = fs
    .readdirSync(corpus)
    .filter((r) => fs.statSync(path.join(corpus, r)).isDirectory())
    .map((repo) => ({ repo, notebooks: notebooksOf(path.join(corpus, repo)) }));
  const count = repos.reduce((n, r) => n + r.notebooks.length, 0);
  let largest = { repo: '', file: '', size: 0, cells: 0 };
  for (const r of repos)
    for (const nb of r.notebooks) {
      const text = fs.readFileSync(path.join(corpus, r.repo, nb), 'utf8');
      const p = parseNotebook(text);
      const cells = p.ok ? p.notebook.cells.length : 0;
      if (cells > largest.cells) largest = { repo: r.repo, file: nb, size: text.length, cells };
    }

  // Warm-up (JIT, wasm), then alternate (a) and (b) so both see the same machine state.
  await floor(corpus, repos);
  await fullCheck(corpus, repos);
  const first = RULES.filter((r) => FIRST_RULES.has(r.meta.id));
  const a: number[] = [];
  const b: number[] = [];
  const b0: number[] = [];
  const b1: number[] = [];
  const idx: number[] = [];
  let findings = 0;
  let firstFindings = 0;
  let parsedCells = 0;
  let provenCells = 0;
  for (let i = 0; i < rounds; i++) {
    a.push(await floor(corpus, repos));
    const before = { ...factsCounts };
    const r = await fullCheck(corpus, repos);
    parsedCells = factsCounts.parsed - before.parsed;
    provenCells = factsCounts.proven - before.proven;
    b.push(r.ms);
    idx.push(r.indexMs);
    findings = r.findings;
    b0.push((await fullCheck(corpus, repos, [])).ms);
    const r1 = await fullCheck(corpus, repos, first);
    b1.push(r1.ms);
    firstFindings = r1.findings;
  }
  const nbn = await notebookByNotebook(corpus, repos, rounds);
  const c = await editRelint(corpus, largest.file, largest.repo);
  const f = await editorSlices(corpus, largest.file, largest.repo);
  const mem = peakMemory(corpus);
  const syn = await syntheticRun();

  const ma = median(a);
  const mb = median(b);
  // Each round's (b) against the (a) measured just before it: steadier than a ratio of medians on a busy machine.
  const paired = b.map((x, i) => x / a[i]).sort((x, y) => x - y);
  const lines = [
    `corpus: ${corpus} (${count} notebooks in ${repos.length} repositories), node ${process.version}, ${os.cpus().length} cores, ${rounds} rounds, medians`,
    `(a) floor: read + JSON.parse + tree-sitter parse of every code cell   ${ma.toFixed(1)} ms`,
    `(b) whole check of the same notebooks (index build ${median(idx).toFixed(1)} ms included)   ${mb.toFixed(1)} ms   ratio b/a = ${(mb / ma).toFixed(2)} (target <= 1.5), per round ${median(paired).toFixed(2)} (${paired[0].toFixed(2)}-${paired[paired.length - 1].toFixed(2)}), ${findings} findings`,
    `    of which: no rules (notebook scan, magics, parse where needed, facts, index) ${median(b0).toFixed(1)} ms = ${(median(b0) / ma).toFixed(2)} x (a); the first ${first.length} rules only (12 fixed ids + health) ${median(b1).toFixed(1)} ms = ${(median(b1) / ma).toFixed(2)} x (a), ${firstFindings} findings`,
    `    code cells (b) read: ${provenCells + parsedCells}, of which ${parsedCells} parsed by tree-sitter; ${provenCells} proven free of syntax errors by the text scan need no parse (the floor parses them all)`,
    `    notebook by notebook, best of ${rounds} rounds (leaves out the GC a whole run pays): (a) ${nbn.a.toFixed(1)} ms, (b) ${nbn.b.toFixed(1)} ms, ratio ${(nbn.b / nbn.a).toFixed(2)}`,
    `(c) re-lint after a one-cell edit, largest notebook (${largest.repo}/${largest.file}, ${largest.cells} cells, ${(largest.size / 1024 / 1024).toFixed(1)} MB): median ${c.medianMs.toFixed(2)} ms, p95 ${c.p95Ms.toFixed(2)} ms (target median < 5 ms); first lint ${c.coldMs.toFixed(1)} ms; ${c.parses} cell parses for 60 edits`,
    `(d) CLI \`check\` of the whole corpus: peak RSS ${mem.maxRssMb.toFixed(0)} MB (target < 150 MB), ${(mem.ms / 1000).toFixed(1)} s, exit ${mem.code}`,
    `(e) synthetic repository (2,000 notebooks, 500 configs; ${syn.files} lintable files): full check ${(syn.fullMs / 1000).toFixed(2)} s; after one config change: index update ${syn.updateMs.toFixed(2)} ms, re-check of all notebooks through the warm cache ${(syn.relintMs / 1000).toFixed(2)} s`,
    `(f) editor slices (engine yields after 10 ms), largest notebook: longest synchronous slice ${f.firstMs.toFixed(1)} ms on the first lint (slowest rule ${f.slowestRule[0]} ${f.slowestRule[1].toFixed(1)} ms), ${f.editsMs.toFixed(1)} ms over 60 edits (target < 50 ms)`,
  ];
  console.log(lines.join('\n'));
}

void main();
