import * as assert from 'node:assert/strict';
import { UnitCache } from '../../src/core/parse/program';
import { Project } from '../../src/core/project';
import { MemoryFileSystem } from '../../src/core/workspace/fs';

// Text made to make regular expressions backtrack (the shapes the recheck ReDoS
// checker found, about 30,000 characters long), linted with every rule in every
// kind of file. Before the fixes of session 5 the worst took 22 s (a notebook with a
// run of `:` after `://`); each file now takes well under a second. The limit is
// generous so that a slow machine does not fail it; an exponential or cubic pattern
// would.

const N = 30_000;
const HOSTILE: Record<string, string> = {
  'colons after ://': '://' + ':'.repeat(N),
  'repeated ://:': '://:'.repeat(N / 4),
  'unclosed ${': '${\u0000'.repeat(N / 3),
  'tabs after a name': '0' + '\t'.repeat(N),
  'spaced operators': ' <<  <<  << '.repeat(N / 12) + '!',
  'unclosed flow classes': 'class A(FlowSpec\n'.repeat(N / 17),
  'spaces and brackets': '${ ' + ' \t'.repeat(N / 2),
};

function filesWith(s: string): Record<string, string> {
  const quoted = JSON.stringify(s.replace(/["\\\n]/g, ' '));
  const notebook = JSON.stringify({
    cells: [
      { cell_type: 'code', execution_count: 1, metadata: {}, outputs: [{ output_type: 'stream', name: 'stdout', text: [s] }, { output_type: 'display_data', data: { 'text/html': [s] }, metadata: {} }], source: [s] },
      { cell_type: 'code', execution_count: 2, metadata: {}, outputs: [], source: [`x = ${quoted}\n`] },
      { cell_type: 'markdown', metadata: {}, source: [s] },
    ],
    metadata: { language_info: { name: 'python' } },
    nbformat: 4,
    nbformat_minor: 5,
  });
  return {
    'a.ipynb': notebook,
    'b.py': s,
    'c.yaml': `key: ${quoted}\n`,
    'dvc.yaml': `stages:\n  s:\n    cmd: ${JSON.stringify(s)}\n    deps: [${JSON.stringify(s)}]\n`,
    'requirements.txt': s,
    '.github/workflows/ci.yml': `on: push\njobs:\n  t:\n    runs-on: ubuntu-latest\n    steps:\n      - run: ${JSON.stringify(s)}\n`,
  };
}

describe('hostile text', function () {
  this.timeout(120_000);
  for (const [what, s] of Object.entries(HOSTILE)) {
    it(`lints files made of ${what} in linear time`, async () => {
      const files = filesWith(s);
      const project = await Project.open(new MemoryFileSystem(files), { cache: new UnitCache() });
      for (const [name, text] of Object.entries(files)) {
        const t = performance.now();
        const r = await project.lintFile(name, text);
        const ms = performance.now() - t;
        assert.ok(ms < 4000, `${name}: ${ms.toFixed(0)} ms`);
        assert.ok(!r.findings.some((f) => f.message.startsWith('Internal error')), `${name}: ${r.findings.find((f) => f.message.startsWith('Internal error'))?.message}`);
      }
    });
  }
});
