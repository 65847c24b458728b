import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../../src/cli/main';
import { notebook } from '../helpers/rule-tester';

interface Run {
  code: number;
  out: string;
  err: string;
}

async function run(args: string[], cwd: string): Promise<Run> {
  let out = '';
  let err = '';
  const code = await main(args, { out: (s) => (out += s), err: (s) => (err += s), isTTY: false, cwd, env: {} });
  return { code, out, err };
}

/** Temporary workspaces of this file, removed after its tests. */
const created: string[] = [];

function workspace(files: Record<string, string | Buffer>): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-hygiene-cli-'));
  created.push(dir);
  fs.mkdirSync(path.join(dir, '.git'));
  for (const [p, text] of Object.entries(files)) {
    fs.mkdirSync(path.dirname(path.join(dir, p)), { recursive: true });
    fs.writeFileSync(path.join(dir, p), text);
  }
  return dir;
}

// Only the engine-level rules are relied on here, so these tests do not move with rule heuristics.
const ONLY_HEALTH = 'rules:\n' + ['untracked-data-read', 'unpinned-remote-data', 'absolute-data-path', 'unvalidated-data-load', 'missing-holdout-split', 'untracked-experiment', 'deployment-without-monitoring', 'unseeded-randomness', 'unpinned-install', 'out-of-order-execution', 'hardcoded-secret', 'error-output-committed'].map((r) => `  ${r}: off\n`).join('');

describe('mlops-hygiene CLI', () => {
  after(() => {
    for (const dir of created.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
  });

  it('reports notebook findings as file:cell N:line:col with a summary, exit 1', async () => {
    const dir = workspace({ '.mlops-hygiene.yaml': ONLY_HEALTH, 'nb/a.ipynb': notebook(['import os', 'x = 1\ndef f(:\n  pass']), 'ok.py': 'x = 1\n' });
    const r = await run(['check'], dir);
    assert.equal(r.code, 1, r.err);
    assert.equal(r.out.split('\n')[0], 'nb/a.ipynb:cell 2:2:7: error python-syntax-error Python syntax error: expected ). Rules read this code as far as it parses.');
    assert.match(r.out, /Found 1 problem \(1 error\) in 1 of 2 files\./);
  });

  it('exits 0 when nothing reaches --fail-on, and on a clean tree', async () => {
    const dir = workspace({ '.mlops-hygiene.yaml': ONLY_HEALTH, 'a.py': 'x = 1  # mlops-hygiene: ignore[python-syntax-error]\n' });
    const hint = await run(['check', '.'], dir);
    assert.equal(hint.code, 0);
    assert.match(hint.out, /a\.py:1:8: hint unused-suppression/);
    assert.equal((await run(['check', '--fail-on', 'hint'], dir)).code, 1);
    const clean = workspace({ '.mlops-hygiene.yaml': ONLY_HEALTH, 'a.py': 'x = 1\n' });
    const r = await run(['check'], clean);
    assert.equal(r.code, 0);
    assert.equal(r.out, 'No problems found in 1 file.\n');
  });

  it('prints the stable JSON shape with file and cell positions', async () => {
    const dir = workspace({ '.mlops-hygiene.yaml': ONLY_HEALTH, 'a.ipynb': notebook(['x = 1', 'def f(:\n  pass']) });
    const r = await run(['check', '--format', 'json'], dir);
    const [f] = JSON.parse(r.out) as Array<Record<string, unknown>>;
    assert.deepEqual(Object.keys(f), ['file', 'rule', 'area', 'severity', 'message', 'range', 'cell', 'fix', 'related', 'docs']);
    assert.equal(f.file, 'a.ipynb');
    assert.equal(f.rule, 'python-syntax-error');
    assert.deepEqual(f.cell, { index: 1, line: 1, column: 7, endLine: 1, endColumn: 7 });
    // The file range points into the .ipynb JSON at the same character.
    const range = f.range as { start: { line: number; column: number } };
    const text = fs.readFileSync(path.join(dir, 'a.ipynb'), 'utf8').split('\n')[range.start.line - 1];
    assert.equal(text.slice(range.start.column - 3, range.start.column), 'f(:');
    assert.deepEqual(f.fix, { available: false });
  });

  it('writes SARIF 2.1.0 with rule metadata and GitHub annotations', async () => {
    const dir = workspace({ '.mlops-hygiene.yaml': ONLY_HEALTH, 'src/a.py': 'def f(:\n  pass\n' });
    const sarif = JSON.parse((await run(['check', '--format', 'sarif'], dir)).out);
    assert.equal(sarif.version, '2.1.0');
    const rules = sarif.runs[0].tool.driver.rules as Array<{ id: string; helpUri: string }>;
    const res = sarif.runs[0].results[0];
    assert.equal(rules[res.ruleIndex].id, 'python-syntax-error');
    assert.match(rules[res.ruleIndex].helpUri, /docs\/rules\/python-syntax-error\.md$/);
    assert.deepEqual(res.locations[0].physicalLocation.region, { startLine: 1, startColumn: 7, endLine: 1, endColumn: 7 });
    assert.equal(res.locations[0].physicalLocation.artifactLocation.uri, 'src/a.py');
    const gh = await run(['check', '--format', 'github'], dir);
    assert.equal(gh.out, '::error file=src/a.py,line=1,col=7,endLine=1,endColumn=7,title=MLOps Hygiene%3A python-syntax-error::Python syntax error: expected ). Rules read this code as far as it parses.\n');
  });

  it('--fix applies safe fixes atomically and reports what is left', async () => {
    const dir = workspace({ '.mlops-hygiene.yaml': ONLY_HEALTH, 'a.py': 'x = 1  # mlops-hygiene: ignore[python-syntax-error]\ny = 2\n' });
    const r = await run(['check', '--fix'], dir);
    assert.equal(r.code, 0, r.out + r.err);
    assert.equal(fs.readFileSync(path.join(dir, 'a.py'), 'utf8'), 'x = 1\ny = 2\n');
    assert.match(r.out, /Fixed 1 problem\./);
    assert.deepEqual(fs.readdirSync(dir).filter((f) => f.includes('.tmp')), []);
  });

  it('reports broken, binary and unreadable inputs and goes on, changing nothing', async () => {
    const broken = '{"cells": [{"cell_type": "code", "source": ["x';
    const dir = workspace({ '.mlops-hygiene.yaml': ONLY_HEALTH, 'a.ipynb': broken, 'b.yaml': 'a: [1,\n', 'c.py': Buffer.from([0, 1, 2, 3]), 'd.py': 'def f(:\n  pass\n' });
    const r = await run(['check', '--fix', '--format', 'json'], dir);
    const findings = JSON.parse(r.out) as Array<{ file: string; rule: string }>;
    assert.deepEqual(findings.map((f) => `${f.file} ${f.rule}`), ['a.ipynb invalid-notebook', 'b.yaml invalid-yaml', 'd.py python-syntax-error']);
    assert.match(r.err, /c\.py: skipped, binary file/);
    assert.equal(fs.readFileSync(path.join(dir, 'a.ipynb'), 'utf8'), broken);
  });

  it('checks requirements files, in a folder and by name, and skips other text files', async () => {
    const config = 'rules:\n  unpinned-install: warning\n';
    const dir = workspace({
      '.mlops-hygiene.yaml': config,
      'requirements.txt': '# service\npandas==2.2.2\nscikit-learn>=1.3  # model\n',
      'requirements/dev.txt': '-r ../requirements.txt\npytest\n',
      'notes.txt': 'pandas\n',
      'requirements.in': 'pandas\n',
    });
    const r = await run(['check', '--format', 'json'], dir);
    assert.equal(r.code, 1, r.err);
    const findings = JSON.parse(r.out) as Array<{ file: string; rule: string; range: { start: { line: number; column: number }; end: { line: number; column: number } } }>;
    assert.deepEqual(
      findings.map((f) => `${f.file}:${f.range.start.line}:${f.range.start.column}-${f.range.end.column} ${f.rule}`),
      ['requirements.txt:3:1-18 unpinned-install', 'requirements/dev.txt:2:1-7 unpinned-install'],
    );
    const one = await run(['check', 'requirements/dev.txt'], dir);
    assert.equal(one.out.split('\n')[0], 'requirements/dev.txt:2:1: warning unpinned-install `pytest` is installed without a version: each run may get a different release than the one this was tested with. Pin an exact version (`pytest==<version>`) or install from a pinned requirements or lock file.');
    assert.match(one.out, /Found 1 problem \(1 warning\) in 1 of 1 file\./);
    const other = await run(['check', 'notes.txt'], dir);
    assert.match(other.err, /notes\.txt: not a notebook, Python, YAML or requirements file; skipped/);
  });

  it('exits 2 on usage errors and missing paths', async () => {
    const dir = workspace({});
    for (const args of [['check', '--format', 'xml'], ['check', '--bogus'], ['check', '--unsafe-fixes'], ['check', 'nope/'], ['frobnicate'], ['explain', 'no-such-rule']]) {
      const r = await run(args, dir);
      assert.equal(r.code, 2, args.join(' '));
      assert.ok(r.err.length > 0);
    }
  });

  it('exits 2 on an invalid config, naming the file, line and key', async () => {
    const dir = workspace({ '.mlops-hygiene.yaml': 'rules:\n  unseeded-randomness: warn\n', 'a.py': 'x = 1\n' });
    const r = await run(['check'], dir);
    assert.equal(r.code, 2);
    assert.match(r.err, /^mlops-hygiene: \.mlops-hygiene\.yaml:2:24: config error at rules\.unseeded-randomness: .*did you mean 'warning'/m);
    assert.equal(r.out, '');
  });

  it('lists rules and explains one', async () => {
    const dir = workspace({});
    const rules = await run(['rules'], dir);
    assert.equal(rules.code, 0);
    assert.match(rules.out, /^python-syntax-error\s+hygiene\s+error\s+yes\s+/m);
    const ex = await run(['explain', 'python-syntax-error'], dir);
    assert.match(ex.out, /^python-syntax-error \(hygiene, default error, recommended\)/);
    assert.match(ex.out, /Suppress it: # mlops-hygiene: ignore\[python-syntax-error\]/);
  });
});
