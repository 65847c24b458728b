import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import {
  assertSame,
  closeAllEditors,
  EXTENSION_ID,
  eventually,
  extensionApi,
  fileFindings,
  notebookFindings,
  ours,
  readyRulesOnly,
  workspaceUri,
  writeText,
} from './helpers';

describe('Workspace, commands and UI', () => {
  before(() => readyRulesOnly());
  after(closeAllEditors);

  it('lints the whole workspace into the Problems panel, closed files included', async () => {
    await closeAllEditors();
    const broken = workspaceUri('notebooks', 'broken.ipynb');
    await writeText(broken, '{"cells": [ {"cell_type": "code", "source": "x = 1" ');
    // The file-system watcher reports the new file to the index first.
    const api = await extensionApi();
    await eventually(async () => assert.ok((await api.indexInfo(broken)).indexed), 20000, 'broken.ipynb indexed');
    const summary = await vscode.commands.executeCommand<{ files: number; problems: number; cancelled: boolean }>('mlopsHygiene.lintWorkspace');
    assert.ok(summary, 'the command returns a summary');
    assert.equal(summary.cancelled, false);
    assert.ok(summary.files >= 5, `files linted: ${summary.files}`);
    assertSame(
      fileFindings(broken).map((f) => f[1]),
      ['invalid-notebook'],
      'a notebook that cannot be opened is still reported',
    );
    assert.ok(fileFindings(workspaceUri('.github', 'workflows', 'ci.yml')).some((f) => f[1] === 'unpinned-install'));
    // A closed notebook's findings sit on the file and name their cell.
    const sample = workspaceUri('notebooks', 'sample.ipynb');
    const onFile = ours(sample);
    const open = vscode.workspace.notebookDocuments.some((n) => n.uri.toString() === sample.toString());
    if (!open) assert.ok(onFile.some((d) => /^Cell 2: /.test(d.message)), onFile.map((d) => d.message).join(' | '));
    await vscode.workspace.fs.delete(broken);
    await eventually(() => assertSame(fileFindings(broken), [], 'a deleted file is cleared'));
  });

  it('keeps the workspace index current when DVC files change (file-system watchers)', async () => {
    const api = await extensionApi();
    const data = workspaceUri('data', 'new.csv');
    assert.equal((await api.indexInfo(data)).tracked, false);
    const sidecar = workspaceUri('data', 'new.csv.dvc');
    await writeText(sidecar, 'outs:\n- md5: 1b2c\n  size: 10\n  path: new.csv\n');
    await eventually(async () => assertSame(await api.indexInfo(data), { indexed: false, tracked: true, by: 'data/new.csv.dvc' }, 'tracked after the sidecar appeared'));
    assert.equal((await api.indexInfo(sidecar)).indexed, true);
    await vscode.workspace.fs.delete(sidecar);
    await eventually(async () => assert.equal((await api.indexInfo(data)).tracked, false), 20000, 'untracked after the sidecar went');
  });

  it('re-lints pipeline files when a stage script changes on disk (Python files are watched too)', async () => {
    await readyRulesOnly({ 'undeclared-stage-dependency': 'warning' });
    const dvcYaml = workspaceUri('dvc.yaml');
    const script = workspaceUri('src', 'train.py');
    const original = new TextDecoder().decode(await vscode.workspace.fs.readFile(script));
    await vscode.window.showTextDocument(await vscode.workspace.openTextDocument(dvcYaml));
    const undeclared = (): string[] => ours(dvcYaml, new Set(['undeclared-stage-dependency'])).map((d) => d.message);
    await eventually(() => assertSame(undeclared(), [], 'the stage declares what its script reads'), 20000);
    try {
      // The script, not open in any editor, now reads a file the stage does not declare.
      await writeText(script, `${original}\n\ndef main() -> None:\n    load("data/extra.csv")\n\n\nif __name__ == "__main__":\n    main()\n    pd.read_csv("data/extra.csv")\n`);
      await eventually(() => assert.equal(undeclared().filter((m) => m.includes('data/extra.csv')).length, 1, undeclared().join(' | ')), 20000, 'the new read shows on dvc.yaml');
    } finally {
      await writeText(script, original);
    }
    await eventually(() => assertSame(undeclared(), [], 'cleared once the script is back'), 20000);
    await readyRulesOnly();
  });

  it('opens the walkthrough sample (outside the workspace) with findings', async () => {
    const nb = await vscode.commands.executeCommand<vscode.NotebookDocument>('mlopsHygiene.openSample');
    assert.ok(nb && !vscode.workspace.getWorkspaceFolder(nb.uri), 'the sample is not written into the workspace');
    await eventually(() => {
      const rules = new Set(notebookFindings(nb).map((f) => f[1]));
      assertSame([...rules].sort(), ['error-output-committed', 'out-of-order-execution', 'python-syntax-error', 'unpinned-install'], 'sample rules');
    }, 30000);
  });

  it('registers every contributed command and offers snippets', async () => {
    const ext = vscode.extensions.getExtension(EXTENSION_ID)!;
    const contributed = (ext.packageJSON as { contributes: { commands: Array<{ command: string }> } }).contributes.commands.map((c) => c.command);
    const registered = new Set(await vscode.commands.getCommands(true));
    assertSame(contributed.filter((c) => !registered.has(c)), [], 'unregistered commands');
    const doc = await vscode.workspace.openTextDocument({ language: 'python', content: 'mlops' });
    await vscode.window.showTextDocument(doc);
    const list = await vscode.commands.executeCommand<vscode.CompletionList>('vscode.executeCompletionItemProvider', doc.uri, new vscode.Position(0, 5));
    const labels = list.items.map((i) => (typeof i.label === 'string' ? i.label : i.label.label));
    assert.ok(labels.includes('mlops-seed-everything'), `snippet completions: ${labels.filter((l) => l.startsWith('mlops')).join(', ')}`);
    await vscode.commands.executeCommand('workbench.action.revertAndCloseActiveEditor');
  });
});
