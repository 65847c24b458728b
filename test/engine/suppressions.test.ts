import * as assert from 'node:assert/strict';
import rule from '../../src/core/rules/hygiene/python-syntax-error';
import { applyEdits, selectEdits } from '../../src/core/fix/apply';
import { resolveConfig } from '../../src/core/config/resolve';
import { Linter } from '../../src/core/lint';
import { RULES } from '../../src/core/rules';
import { MemoryFileSystem } from '../../src/core/workspace/fs';
import { WorkspaceIndex } from '../../src/core/workspace/workspace-index';
import { notebook, type CellSpec } from '../helpers/rule-tester';

// python-syntax-error is the probe rule: it reports on any unparsable line.
async function lint(file: string, text: string) {
  const fs = new MemoryFileSystem({ [file]: text });
  const config = resolveConfig(RULES, { rules: Object.fromEntries(RULES.map((r) => [r.meta.id, r.meta.id === rule.meta.id || r.meta.id === 'unused-suppression' ? 'warning' : 'off'])) });
  const linter = new Linter({ workspace: await WorkspaceIndex.build(fs), rules: RULES, settings: (f) => config.settingsFor(f) });
  return (await linter.lintText(file, text)).findings.map((f) => `${f.rule}@${f.location.cell ?? '-'}:${f.location.range.start.line + 1}`);
}

const nb = (cells: CellSpec[], meta?: Record<string, unknown>) => notebook(cells, meta);

describe('suppressions', () => {
  it('a trailing comment suppresses its own line only', async () => {
    assert.deepEqual(await lint('a.py', 'def f(:  # mlops-hygiene: ignore[python-syntax-error]\n  pass\n'), []);
    assert.deepEqual(await lint('a.py', 'x = 1  # mlops-hygiene: ignore[python-syntax-error]\ndef f(:\n  pass\n'), ['unused-suppression@-:1', 'python-syntax-error@-:2']);
  });

  it('a comment alone on its line covers the next line', async () => {
    assert.deepEqual(await lint('a.py', '# mlops-hygiene: ignore[python-syntax-error]\ndef f(:\n  pass\n'), []);
  });

  it('ignore-file covers the whole file, ignore without a list covers every rule', async () => {
    assert.deepEqual(await lint('a.py', 'x = 1\n\n\ndef f(:\n  pass\n# mlops-hygiene: ignore-file[python-syntax-error]\n'), []);
    assert.deepEqual(await lint('a.py', 'def f(:  # mlops-hygiene: ignore\n  pass\n'), []);
  });

  it('cells: ignore-cell, tags and metadata', async () => {
    assert.deepEqual(await lint('a.ipynb', nb(['# mlops-hygiene: ignore-cell[python-syntax-error]\n\n\ndef f(:\n  pass', 'def g(:\n  pass'])), ['python-syntax-error@1:1']);
    assert.deepEqual(await lint('a.ipynb', nb([{ code: 'def f(:\n  pass', tags: ['mlops-hygiene-ignore:python-syntax-error'] }])), []);
    assert.deepEqual(await lint('a.ipynb', nb([{ code: 'def f(:\n  pass', metadata: { 'mlops-hygiene': { ignore: ['python-syntax-error'] } } }])), []);
    assert.deepEqual(await lint('a.ipynb', nb(['def f(:\n  pass'], { 'mlops-hygiene': { ignore: '*' } })), []);
  });

  it('reports unused and unknown suppressions, with a fix that removes the comment', async () => {
    assert.deepEqual(await lint('a.ipynb', nb([{ code: 'x = 1', tags: ['mlops-hygiene-ignore:python-syntax-error'] }])), ['unused-suppression@0:1']);
    const text = 'x = 1  # mlops-hygiene: ignore[no-such-rule]\n# mlops-hygiene: ignore[python-syntax-error]\ny = 2\n';
    const fs = new MemoryFileSystem({ 'a.py': text });
    const config = resolveConfig(RULES, {});
    const linter = new Linter({ workspace: await WorkspaceIndex.build(fs), rules: RULES, settings: (f) => config.settingsFor(f) });
    const findings = (await linter.lintText('a.py', text)).findings.filter((f) => f.rule === 'unused-suppression');
    assert.deepEqual(findings.map((f) => f.message), ['This suppression comment names an unknown rule "no-such-rule".', 'This suppression comment suppresses no python-syntax-error finding.']);
    const out = applyEdits('a.py', text, selectEdits(findings).edits);
    assert.equal(out, 'x = 1\ny = 2\n');
  });
});
