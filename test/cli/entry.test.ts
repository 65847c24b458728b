import * as assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { main } from '../../src/cli/main';

// The bundled CLI (dist/cli.js, built by `npm test` / `npm run test:unit` before mocha)
// runs `check` in a worker with a bounded heap, retries with larger limits when the
// heap is too small, and prints exactly what the in-process `main()` prints.

const ROOT = path.resolve(__dirname, '../..');
const CLI = path.join(ROOT, 'dist', 'cli.js');

function bundled(args: string[], env: Record<string, string> = {}): { code: number | null; out: string; err: string } {
  if (!fs.existsSync(CLI)) throw new Error(`${CLI} is missing: run \`npm run build\` first (npm test does)`);
  const r = spawnSync(process.execPath, [CLI, ...args], { cwd: ROOT, encoding: 'utf8', env: { ...process.env, NO_COLOR: '1', ...env }, maxBuffer: 64 * 1024 * 1024 });
  return { code: r.status, out: r.stdout, err: r.stderr };
}

async function inProcess(args: string[]): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const code = await main(args, { out: (s) => (out += s), err: (s) => (err += s), isTTY: false, cwd: ROOT, env: {} });
  return { code, out, err };
}

describe('bundled CLI entry (bounded worker)', function () {
  this.timeout(60_000);
  const args = ['check', 'examples/workspace', '--format', 'json'];
  let expected: { code: number; out: string; err: string };

  before(async () => {
    expected = await inProcess(args);
    assert.equal(expected.code, 1);
    assert.ok((JSON.parse(expected.out) as unknown[]).length > 20, 'the sample workspace has findings');
  });

  it('prints the same findings and exit code as the in-process check', () => {
    const r = bundled(args);
    assert.equal(r.err, expected.err);
    assert.equal(r.out, expected.out);
    assert.equal(r.code, 1);
  });

  it('falls back to larger limits, then to an unbounded run, when the heap is too small', () => {
    // A 2 MB and a 3 MB old generation cannot even load the engine: both workers run
    // out of memory and the check runs in the main thread, with the same result.
    const r = bundled(args, { MLOPS_HYGIENE_HEAP_STEPS: '2,3' });
    assert.equal(r.err, expected.err);
    assert.equal(r.out, expected.out);
    assert.equal(r.code, 1);
  });

  it('runs in the main thread with MLOPS_HYGIENE_NO_WORKER', () => {
    const r = bundled(args, { MLOPS_HYGIENE_NO_WORKER: '1' });
    assert.equal(r.out, expected.out);
    assert.equal(r.code, 1);
  });

  it('checks files with provider tokens (secretlint runs in the worker) and masks them', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'mlops-hygiene-entry-'));
    fs.mkdirSync(path.join(dir, '.git'));
    // Assembled at run time: no token in full in the repository.
    const token = ['xoxb', '123456789012', '1234567890123', 'Ab3dEf6hIj9lMn2pQr5tUv8x'].join('-');
    for (const f of ['a.py', 'b.py']) fs.writeFileSync(path.join(dir, f), `slack = "${token}"\nother = "${token.replace('8x', '8y')}"\n`);
    const r = bundled(['check', dir, '--format', 'json']);
    assert.equal(r.err, '');
    assert.equal(r.code, 1);
    const rules = (JSON.parse(r.out) as Array<{ rule: string }>).map((f) => f.rule);
    assert.deepEqual(rules, Array(4).fill('hardcoded-secret'));
    assert.ok(!r.out.includes(token), 'the token is masked');
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('reports usage errors from the worker with exit 2; other commands run in the main thread', () => {
    const missing = bundled(['check', 'no/such/folder']);
    assert.equal(missing.code, 2);
    assert.equal(missing.err, 'mlops-hygiene: no/such/folder: no such file or folder\n');
    const bad = bundled(['check', '--format', 'xml']);
    assert.equal(bad.code, 2);
    assert.match(bad.err, /--format must be text, json, sarif or github, not "xml"/);
    const rules = bundled(['rules']);
    assert.equal(rules.code, 0);
    assert.match(rules.out, /^rule +area +severity +recommended +what it flags\n/);
  });
});
