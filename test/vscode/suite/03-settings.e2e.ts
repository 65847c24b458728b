import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import {
  assertSame,
  closeAllEditors,
  copyFile,
  eventually,
  fileFindings,
  notebookFindings,
  openNotebook,
  readText,
  readyRulesOnly,
  setSetting,
  sleep,
  workspaceUri,
  writeText,
  type Tuple,
} from './helpers';

const CONFIG_ONLY = new Set(['config']);

function severitiesOf(findings: Tuple[], rule: string): string[] {
  return findings.filter((f) => f[1] === rule).map((f) => f[3]);
}

describe('Settings and the team config file', () => {
  const config = (): vscode.Uri => workspaceUri('.mlops-hygiene.yaml');
  let original = '';
  let nb: vscode.NotebookDocument;

  let n = 0;

  before(async () => {
    await readyRulesOnly();
    original = await readText(config());
  });
  beforeEach(async () => {
    // A fresh copy per test: some tests save the notebook.
    const name = `notebooks/settings-${++n}.ipynb`;
    await copyFile('notebooks/sample.ipynb', name);
    nb = await openNotebook(name);
    await eventually(() => assert.equal(notebookFindings(nb).length, 6), 30000, 'sample findings');
  });
  afterEach(async () => {
    await writeText(config(), original);
    await readyRulesOnly();
    await setSetting('mlopsHygiene.precedence', undefined);
    await setSetting('mlopsHygiene.enable', undefined);
    await setSetting('mlopsHygiene.run', undefined);
    await closeAllEditors();
  });

  it('editor settings win over the config file, unless precedence says configFile', async () => {
    // The config file says `out-of-order-execution: warning`.
    await readyRulesOnly({ 'out-of-order-execution': 'error', 'unpinned-install': 'info' });
    await eventually(() => assertSame(severitiesOf(notebookFindings(nb), 'out-of-order-execution'), ['error'], 'settings win'));
    assertSame(severitiesOf(notebookFindings(nb), 'unpinned-install'), ['info', 'info'], 'a rule only the settings set');
    await setSetting('mlopsHygiene.precedence', 'configFile');
    await eventually(() => assertSame(severitiesOf(notebookFindings(nb), 'out-of-order-execution'), ['warning'], 'the config file wins'));
    // Rules the config file does not set still follow the settings.
    assertSame(severitiesOf(notebookFindings(nb), 'unpinned-install'), ['info', 'info'], 'settings fill in');
  });

  it('follows changes of the config file; a wrong value shows on the config file', async () => {
    const ci = workspaceUri('.github', 'workflows', 'ci.yml');
    await vscode.window.showTextDocument(ci, { preview: false });
    await eventually(() => assert.equal(fileFindings(ci).length, 1));
    await writeText(config(), 'preset: recommended\nrules:\n  unpinned-install: "off"\n  out-of-order-execution: hint\n');
    await eventually(() => {
      const f = notebookFindings(nb);
      assertSame(severitiesOf(f, 'unpinned-install'), [], 'unpinned-install off (notebook)');
      assertSame(severitiesOf(f, 'out-of-order-execution'), ['hint'], 'out-of-order-execution hint');
      assertSame(fileFindings(ci), [], 'unpinned-install off (workflow)');
    }, 20000, 'config change applied');
    await writeText(config(), 'preset: recommended\nrules:\n  unpinned-install: loud\n');
    await eventually(() => {
      assertSame(fileFindings(config(), CONFIG_ONLY), [[-1, 'config', [2, 20, 2, 24], 'error']], 'config error');
    }, 20000, 'config error shown');
    const [d] = vscode.languages.getDiagnostics(config());
    assert.match(d.message, /^rules\.unpinned-install: severity must be one of off, hint, info, warning, error/);
    // Linting goes on with the valid part of the config (the rule keeps its preset severity).
    await eventually(() => assertSame(severitiesOf(notebookFindings(nb), 'unpinned-install'), ['warning', 'warning'], 'valid part used'));
    await writeText(config(), original);
    await eventually(() => assertSame(fileFindings(config(), CONFIG_ONLY), [], 'config error cleared'));
  });

  it('validates the config file while it is typed', async () => {
    const doc = await vscode.workspace.openTextDocument(config());
    await vscode.window.showTextDocument(doc);
    const edit = new vscode.WorkspaceEdit();
    edit.insert(doc.uri, new vscode.Position(doc.lineCount - 1, 0), '  no-such-rule: error\n');
    assert.ok(await vscode.workspace.applyEdit(edit));
    await eventually(() => {
      const [d] = vscode.languages.getDiagnostics(config());
      assert.ok(d, 'a diagnostic on the config file');
      assert.match(d.message, /unknown rule id 'no-such-rule'/);
    });
    await vscode.commands.executeCommand('workbench.action.files.revert');
    await eventually(() => assertSame(fileFindings(config(), CONFIG_ONLY), [], 'cleared after revert'));
  });

  it('clears everything when disabled, and lints on save only with run: onSave', async () => {
    await setSetting('mlopsHygiene.enable', false);
    await eventually(() => assertSame(notebookFindings(nb), [], 'disabled'));
    await setSetting('mlopsHygiene.enable', undefined);
    await eventually(() => assert.equal(notebookFindings(nb).length, 6), 20000, 'enabled again');
    await setSetting('mlopsHygiene.run', 'onSave');
    const edit = new vscode.WorkspaceEdit();
    edit.insert(nb.cellAt(5).document.uri, new vscode.Position(1, 30), ')');
    assert.ok(await vscode.workspace.applyEdit(edit));
    await sleep(1500);
    assert.equal(severitiesOf(notebookFindings(nb), 'python-syntax-error').length, 1, 'not re-linted while typing');
    await nb.save();
    await eventually(() => assertSame(severitiesOf(notebookFindings(nb), 'python-syntax-error'), [], 'linted on save'));
  });

  it('creates a starter team config with the chosen preset', async () => {
    const uri = await vscode.commands.executeCommand<vscode.Uri>('mlopsHygiene.createConfig', { preset: 'strict', overwrite: true });
    assert.equal(uri?.toString(), config().toString());
    const text = await readText(config());
    assert.match(text, /^preset: strict$/m);
    assert.match(text, /^# {3}unpinned-install: warning +# /m);
    assert.equal(vscode.window.activeTextEditor?.document.uri.toString(), config().toString(), 'opened in an editor');
    await sleep(500);
    assertSame(fileFindings(config(), CONFIG_ONLY), [], 'the starter config is valid');
  });
});
