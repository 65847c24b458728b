import * as assert from 'node:assert/strict';
import * as vscode from 'vscode';
import {
  assertSame,
  closeAllEditors,
  codeActions,
  copyFile,
  eventually,
  fileFindings,
  focusCell,
  notebookFindings,
  openNotebook,
  ours,
  readText,
  readyRulesOnly,
  runCodeActionInCell,
  savedNotebook,
  screenshot,
  setSetting,
  sourceOf,
  workspaceUri,
  writeText,
} from './helpers';

const SUPPRESSION = '  # mlops-hygiene: ignore[python-syntax-error]';

function titles(actions: readonly vscode.CodeAction[]): string[] {
  return actions.map((a) => a.title);
}

function findingRange(nb: vscode.NotebookDocument, cell: number, rule: string): vscode.Range {
  const d = ours(nb.cellAt(cell).document.uri).find((x) => typeof x.code === 'object' && x.code.value === rule);
  assert.ok(d, `no ${rule} finding on cell ${cell}`);
  return d.range;
}

/** Cells of a saved notebook as comparable values (what a reviewer sees in a diff). */
function comparable(cell: Record<string, unknown>): unknown {
  return { ...cell, source: sourceOf(cell) };
}

describe('Code actions', () => {
  before(async () => {
    await readyRulesOnly();
    await vscode.commands.executeCommand('workbench.action.closePanel'); // room for the cells
  });
  afterEach(closeAllEditors);
  after(() => setSetting('mlopsHygiene.ignoreCellWith', undefined));

  it('offers the fix (preferred), ignores and docs per finding, as vscode-eslint does', async () => {
    await copyFile('notebooks/sample.ipynb', 'notebooks/actions.ipynb');
    const nb = await openNotebook('notebooks/actions.ipynb');
    await eventually(() => assert.equal(notebookFindings(nb).length, 6));
    const unused = await codeActions(nb.cellAt(2).document.uri, findingRange(nb, 2, 'unused-suppression'), vscode.CodeActionKind.QuickFix.value);
    assertSame(titles(unused), ['Remove the unused suppression', 'Show documentation for unused-suppression'], 'unused-suppression actions');
    assert.equal(unused[0].isPreferred, true);
    const pins = await codeActions(nb.cellAt(1).document.uri, findingRange(nb, 1, 'unpinned-install'), vscode.CodeActionKind.QuickFix.value);
    assertSame(
      titles(pins),
      [
        'Pin pandas to 2.2.2, the version this cell installed (unsafe fix)',
        'Ignore unpinned-install for this line',
        'Ignore unpinned-install for this cell',
        'Ignore unpinned-install for this notebook',
        'Show documentation for unpinned-install',
      ],
      'unpinned-install actions',
    );
    assert.notEqual(pins[0].isPreferred, true, 'an unsafe fix is never preferred');
    assert.equal(pins[4].command?.command, 'mlopsHygiene.showDocs');
    assertSame(pins[4].command?.arguments, ['unpinned-install'], 'docs command arguments');
  });

  it('applies a quick fix and a notebook template; the saved .ipynb changes only those cells', async () => {
    const uri = await copyFile('notebooks/sample.ipynb', 'notebooks/fixed.ipynb');
    const before = await savedNotebook(uri);
    const nb = await openNotebook('notebooks/fixed.ipynb');
    await eventually(() => assert.equal(notebookFindings(nb).length, 6));
    // The quick fix: remove the unused suppression in cell 2.
    const [fix] = await codeActions(nb.cellAt(2).document.uri, findingRange(nb, 2, 'unused-suppression'), vscode.CodeActionKind.QuickFix.value);
    assert.ok(fix.edit && (await vscode.workspace.applyEdit(fix.edit)));
    // The template: a seed cell at the top (after the title and the install cell).
    const templates = await codeActions(nb.cellAt(3).document.uri, new vscode.Range(0, 0, 0, 0), 'source');
    assertSame(
      titles(templates).filter((t) => t.startsWith('Insert')),
      ['Insert an MLflow tracking cell after the imports', 'Insert a data-schema check cell after the data load', 'Insert a seed cell at the top'],
      'notebook templates',
    );
    // Applied from the editor as a user picks it (the workbench applies the NotebookEdit).
    await runCodeActionInCell(nb, 3, new vscode.Position(0, 0), 'source.mlopsHygiene.template.seed-everything');
    await eventually(() => assert.equal(nb.cellCount, 7), 20000, 'seed cell inserted');
    await nb.save();
    const after = await savedNotebook(uri); // throws unless valid JSON
    assert.equal(after.cells.length, 7);
    assert.match(sourceOf(after.cells[2]), /^import os\nimport random\n\nimport numpy as np\n\nSEED = 42\n/);
    assert.equal(after.cells[2].cell_type, 'code');
    assert.equal(sourceOf(after.cells[3]), sourceOf(before.cells[2]).replace(SUPPRESSION, ''));
    // Every other cell is unchanged: source, outputs, metadata, execution counts, ids.
    const unchanged: Array<[number, number]> = [
      [0, 0],
      [1, 1],
      [3, 4],
      [4, 5],
      [5, 6],
    ];
    for (const [i, j] of unchanged) assertSame(comparable(after.cells[j]), comparable(before.cells[i]), `cell ${i}`);
    const { cells: _a, ...restAfter } = after;
    const { cells: _b, ...restBefore } = before;
    assertSame(restAfter, restBefore, 'notebook metadata');
    // The fixed finding is gone; the others stay, shifted by one cell.
    await eventually(() =>
      assertSame(
        notebookFindings(nb).map((f) => [f[0], f[1]]),
        [
          [1, 'unpinned-install'],
          [1, 'unpinned-install'],
          [5, 'out-of-order-execution'],
          [6, 'error-output-committed'],
          [6, 'python-syntax-error'],
        ],
        'findings after the fix',
      ),
    );
  });

  it('inserts templates as real cells where they belong (after the load, with its variable)', async () => {
    await copyFile('notebooks/sample.ipynb', 'notebooks/template.ipynb');
    const nb = await openNotebook('notebooks/template.ipynb');
    await eventually(() => assert.equal(notebookFindings(nb).length, 6));
    assert.equal(await vscode.commands.executeCommand('mlopsHygiene.insertTemplate', 'pandera-schema-check'), true);
    await eventually(() => assert.equal(nb.cellCount, 7));
    const inserted = nb.cellAt(4).document.getText();
    assert.match(inserted, /^import pandera\.pandas as pa\n/);
    assert.match(inserted, /^df = schema\.validate\(df, lazy=True\)$/m);
    assert.equal(nb.cellAt(3).document.getText(), 'df = pd.read_csv("data/raw.csv")\nX, y = df.drop(columns=["churn"]), df["churn"]');
    assert.equal(await vscode.commands.executeCommand('mlopsHygiene.insertTemplate', 'mlflow-autolog'), true);
    await eventually(() => assert.equal(nb.cellCount, 8));
    assert.match(nb.cellAt(3).document.getText(), /^import mlflow\n/, 'tracking goes right after the imports cell');
  });

  it('ignores a finding for the line, the cell (as a cell tag, per setting) and the file', async () => {
    const uri = await copyFile('notebooks/sample.ipynb', 'notebooks/ignored.ipynb');
    const nb = await openNotebook('notebooks/ignored.ipynb');
    await eventually(() => assert.equal(notebookFindings(nb).length, 6));
    const line = (await codeActions(nb.cellAt(1).document.uri, findingRange(nb, 1, 'unpinned-install'), 'quickfix')).find((a) => a.title === 'Ignore unpinned-install for this line');
    assert.ok(line?.edit && (await vscode.workspace.applyEdit(line.edit)));
    assert.equal(nb.cellAt(1).document.getText(), '%pip install pandas scikit-learn  # mlops-hygiene: ignore[unpinned-install]');
    await eventually(() => assert.deepEqual(notebookFindings(nb).filter((f) => f[1] === 'unpinned-install'), []));

    // Cell tags and notebook metadata are NotebookEdits: applied through the editor UI.
    await setSetting('mlopsHygiene.ignoreCellWith', 'tag');
    await runCodeActionInCell(nb, 4, findingRange(nb, 4, 'out-of-order-execution').start.translate(0, 1), 'quickfix.mlopsHygiene.ignore.cell');
    await eventually(() => assert.deepEqual(notebookFindings(nb).filter((f) => f[1] === 'out-of-order-execution'), []));
    assert.equal(nb.cellAt(4).document.getText(), 'model = LogisticRegression(max_iter=200)\nmodel.fit(X, y)', 'a tag leaves the code alone');

    await runCodeActionInCell(nb, 5, findingRange(nb, 5, 'error-output-committed').start.translate(0, 1), 'quickfix.mlopsHygiene.ignore.file');
    await eventually(() => assert.deepEqual(notebookFindings(nb).filter((f) => f[1] === 'error-output-committed'), []));
    await nb.save();
    const saved = await savedNotebook(uri);
    assertSame((saved.cells[4].metadata as { tags?: string[] }).tags, ['mlops-hygiene-ignore:out-of-order-execution'], 'cell tags');
    assertSame((saved.metadata as Record<string, unknown>)['mlops-hygiene'], { ignore: ['error-output-committed'] }, 'notebook metadata');
  });

  it('fixes all safe problems: per file, per cell, and once per notebook on save', async () => {
    // A .py file: source.fixAll.mlopsHygiene.
    const py = workspaceUri('src', 'train.py');
    const doc = await vscode.workspace.openTextDocument(py);
    await vscode.window.showTextDocument(doc);
    await eventually(() => assert.equal(fileFindings(py).length, 1));
    const [all] = await codeActions(py, new vscode.Range(0, 0, 0, 0), 'source.fixAll');
    assert.equal(all?.kind?.value, 'source.fixAll.mlopsHygiene');
    assert.ok(all.edit && (await vscode.workspace.applyEdit(all.edit)));
    assert.equal(doc.getText().split('\n')[0], 'import pandas as pd');
    await doc.save();

    // A notebook with unused suppressions in two cells.
    const uri = await copyFile('notebooks/sample.ipynb', 'notebooks/fix-all.ipynb');
    const nb = await openNotebook('notebooks/fix-all.ipynb');
    await eventually(() => assert.equal(notebookFindings(nb).length, 6));
    const add = new vscode.WorkspaceEdit();
    add.insert(nb.cellAt(4).document.uri, new vscode.Position(1, 15), '  # mlops-hygiene: ignore[unpinned-install]');
    assert.ok(await vscode.workspace.applyEdit(add));
    await eventually(() => assert.equal(notebookFindings(nb).filter((f) => f[1] === 'unused-suppression').length, 2));
    // With two fixable findings of a rule, each offers "Fix all <rule> problems in this notebook".
    const quick = await codeActions(nb.cellAt(4).document.uri, findingRange(nb, 4, 'unused-suppression'), 'quickfix');
    const fixAllRule = quick.find((a) => a.title === 'Fix all unused-suppression problems in this notebook');
    assert.ok(fixAllRule, titles(quick).join(' | '));
    assertSame(fixAllRule.edit!.entries().length, 2, 'fix-all of the rule edits both cells');
    // Per cell: `source.fixAll` on cell 4 edits cell 4 only.
    const perCell = await codeActions(nb.cellAt(4).document.uri, new vscode.Range(0, 0, 0, 0), 'source.fixAll');
    assert.equal(perCell.length, 1);
    const touched = perCell[0].edit!.entries().map(([u]) => u.toString());
    assertSame(touched, [nb.cellAt(4).document.uri.toString()], 'per-cell fix-all touches its cell only');
    // Whole notebook: one action editing both cells. (On save VS Code asks on the first
    // cell, here a markdown cell, whose text model exists only then; ask on cell 1 here.)
    const whole = await codeActions(nb.cellAt(1).document.uri, new vscode.Range(0, 0, 0, 0), 'notebook.source.fixAll');
    assert.equal(whole.length, 1);
    assert.equal(whole[0].kind?.value, 'notebook.source.fixAll.mlopsHygiene');
    assertSame(
      whole[0].edit!.entries().map(([u]) => u.toString()).sort(),
      [nb.cellAt(2).document.uri.toString(), nb.cellAt(4).document.uri.toString()].sort(),
      'notebook fix-all edits both cells',
    );
    // On save, through notebook.codeActionsOnSave: applied once, not once per cell.
    await setSetting('notebook.codeActionsOnSave', { 'notebook.source.fixAll.mlopsHygiene': 'explicit' });
    try {
      await vscode.commands.executeCommand('workbench.action.files.save');
      await eventually(async () => {
        const saved = await savedNotebook(uri);
        assert.equal(sourceOf(saved.cells[2]), 'import pandas as pd\nfrom sklearn.linear_model import LogisticRegression');
        assert.equal(sourceOf(saved.cells[4]), 'model = LogisticRegression(max_iter=200)\nmodel.fit(X, y)');
      }, 20000, 'fix-all on save');
    } finally {
      await setSetting('notebook.codeActionsOnSave', undefined);
    }
    await eventually(() => assert.equal(notebookFindings(nb).filter((f) => f[1] === 'unused-suppression').length, 0));
    // The .py fix was saved too.
    assert.match(await readText(py), /^import pandas as pd\n/);
    await writeText(py, 'import pandas as pd  # mlops-hygiene: ignore[unpinned-install]\n\n\ndef load(path: str) -> pd.DataFrame:\n    return pd.read_csv(path)\n');
  });

  it('shows the quick-fix menu over a notebook cell (screenshot)', async () => {
    await copyFile('notebooks/sample.ipynb', 'notebooks/menu.ipynb');
    const nb = await openNotebook('notebooks/menu.ipynb');
    await eventually(() => assert.equal(notebookFindings(nb).length, 6));
    const range = findingRange(nb, 1, 'unpinned-install');
    await focusCell(nb, 1, range.start.translate(0, 2));
    await vscode.commands.executeCommand('editor.action.quickFix');
    const shot = await screenshot({
      name: 'quick-fix-menu',
      selector: '.action-widget',
      expectText: ['Pin pandas to 2.2.2', 'Ignore unpinned-install for this line', 'Show documentation for unpinned-install'],
      settleMs: 500,
    });
    await vscode.commands.executeCommand('hideCodeActionWidget');
    if (shot) assert.ok(shot.ok, `screenshot: ${shot.error ?? `not visible: ${shot.missing?.join(', ')}`}`);
  });
});
