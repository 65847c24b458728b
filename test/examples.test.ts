// The sample workspaces: examples/workspace makes every rule of the registry fire,
// examples/clean (the same project done right) makes none fire. Both are linted
// from disk through Project, as the CLI does, with every rule on.
import * as assert from 'node:assert/strict';
import * as path from 'node:path';
import { Project } from '../src/core/project';
import type { LintResult } from '../src/core/lint';
import { RULES } from '../src/core/rules';
import type { Finding } from '../src/core/types';
import { NodeFileSystem } from '../src/core/workspace/fs';

const EXAMPLES = path.resolve(__dirname, '../examples');

/**
 * Where each rule must fire in examples/workspace (at least there). Rules added to
 * the registry later are covered by the exact-set test; add them here too.
 */
const EXPECTED_IN: Record<string, string[]> = {
  'absolute-data-path': ['notebooks/train.ipynb'],
  'ci-without-tests': ['.github/workflows/train.yml'],
  'deploy-without-approval': ['.github/workflows/train.yml'],
  'deploy-without-quality-gate': ['.github/workflows/train.yml', 'pipelines/training_pipeline.py'],
  'deployment-without-monitoring': ['deploy/online-deployment.yml'],
  'dvc-params-mismatch': ['dvc.yaml'],
  'error-output-committed': ['notebooks/train.ipynb'],
  'floating-image-tag': ['deploy/online-deployment.yml'],
  'hardcoded-secret': ['notebooks/train.ipynb'],
  'hidden-state': ['notebooks/baseline.ipynb'],
  'invalid-notebook': ['broken/eda.ipynb'],
  'invalid-yaml': ['broken/sweep-job.yml'],
  'missing-holdout-split': ['notebooks/train.ipynb'],
  'missing-retraining-schedule': ['.github/workflows/train.yml'],
  'out-of-order-execution': ['notebooks/train.ipynb'],
  'pipeline-without-validation-step': ['pipelines/training_pipeline.py'],
  'preprocessing-before-split': ['notebooks/baseline.ipynb'],
  'python-syntax-error': ['notebooks/train.ipynb'],
  'sensitive-output': ['notebooks/baseline.ipynb'],
  'stage-without-metrics': ['dvc.yaml'],
  'undeclared-artifact-write': ['src/prepare.py'],
  'undeclared-stage-dependency': ['dvc.yaml'],
  'undocumented-model': ['deploy/online-deployment.yml'],
  'unpinned-install': ['notebooks/train.ipynb', 'environment.yml', 'requirements.txt'],
  'unpinned-remote-data': ['notebooks/train.ipynb'],
  'unregistered-model': ['notebooks/baseline.ipynb'],
  'unsafe-deserialization': ['notebooks/baseline.ipynb'],
  'unseeded-randomness': ['notebooks/train.ipynb'],
  'untracked-data-read': ['notebooks/train.ipynb'],
  'untracked-experiment': ['notebooks/train.ipynb'],
  'unused-suppression': ['src/prepare.py'],
  'unvalidated-data-load': ['notebooks/train.ipynb'],
};

interface Linted {
  project: Project;
  results: LintResult[];
  findings: Finding[];
}

/** Every rule on at its default severity, whatever the preset or config loader say. */
const ALL_ON = Object.fromEntries(RULES.map((r) => [r.meta.id, { severity: r.meta.defaultSeverity }]));

async function lintExample(name: string): Promise<Linted> {
  const project = await Project.open(new NodeFileSystem(path.join(EXAMPLES, name)), { ruleOverrides: ALL_ON });
  const results: LintResult[] = [];
  for (const f of project.lintableFiles()) results.push(await project.lintFile(f));
  return { project, results, findings: results.flatMap((r) => r.findings) };
}

/** The source line a finding points at (in its cell for notebooks). */
function lineOf(r: LintResult, f: Finding): string {
  const cell = f.location.cell;
  const text = cell !== undefined && r.notebook ? r.notebook.cells[cell].source : undefined;
  return (text ?? '').split('\n')[f.location.range.start.line] ?? '';
}

function describe1(f: Finding): string {
  const at = `${f.location.cell === undefined ? '' : `cell ${f.location.cell} `}${f.location.range.start.line + 1}:${f.location.range.start.character + 1}`;
  return `${f.file} ${at} ${f.rule}: ${f.message}`;
}

function crashes(l: Linted): string[] {
  return l.findings.filter((f) => f.message.startsWith('Internal error')).map(describe1);
}

describe('examples', function () {
  describe('examples/workspace', () => {
    let ws: Linted;
    before(async () => {
      ws = await lintExample('workspace');
    });

    it('reads its config without errors and lints every file', () => {
      assert.equal(ws.project.configFile, '.mlops-hygiene.yaml');
      assert.deepEqual(ws.project.configErrors, []);
      assert.ok(ws.results.length > 0, 'no lintable files found');
      assert.deepEqual(ws.results.filter((r) => r.skipped).map((r) => `${r.file}: ${r.skipped}`), []);
      assert.deepEqual(crashes(ws), []);
    });

    it('makes exactly the registry rules fire', () => {
      const fired = [...new Set(ws.findings.map((f) => f.rule))].sort();
      const all = RULES.map((r) => r.meta.id).sort();
      const missing = all.filter((id) => !fired.includes(id));
      const unknown = fired.filter((id) => !all.includes(id));
      assert.deepEqual(
        { missing, unknown },
        { missing: [], unknown: [] },
        `rules that do not fire in examples/workspace: ${missing.join(', ') || 'none'}; fired: ${fired.join(', ')}`,
      );
    });

    for (const [id, files] of Object.entries(EXPECTED_IN)) {
      for (const file of files) {
        it(`${id} fires in ${file}`, function () {
          if (!RULES.some((r) => r.meta.id === id)) this.skip(); // not in the registry (the exact-set test covers that)
          const hits = ws.findings.filter((f) => f.rule === id && f.file === file);
          const inFile = ws.findings.filter((f) => f.file === file).map(describe1);
          assert.ok(hits.length > 0, `expected ${id} in examples/workspace/${file}; that file has:\n${inFile.join('\n') || '(no findings)'}`);
        });
      }
    }

    it('does not report the DVC-tracked read of data/raw.csv', () => {
      const wrong: string[] = [];
      for (const r of ws.results) {
        for (const f of r.findings) if (f.rule === 'untracked-data-read' && lineOf(r, f).includes('data/raw.csv')) wrong.push(describe1(f));
      }
      assert.deepEqual(wrong, [], 'data/raw.csv is tracked by data/raw.csv.dvc');
    });
  });

  describe('examples/clean', () => {
    let clean: Linted;
    before(async () => {
      clean = await lintExample('clean');
    });

    it('reads its config without errors and lints every file', () => {
      assert.equal(clean.project.configFile, '.mlops-hygiene.yaml');
      assert.deepEqual(clean.project.configErrors, []);
      assert.ok(clean.results.length > 0, 'no lintable files found');
      assert.deepEqual(clean.results.filter((r) => r.skipped).map((r) => `${r.file}: ${r.skipped}`), []);
    });

    it('has no findings at all', () => {
      assert.deepEqual(clean.findings.map(describe1), [], 'examples/clean should be clean');
    });
  });
});
