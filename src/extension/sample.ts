// The walkthrough's sample: a notebook with a few MLOps smells that the
// engine finds today (unpinned installs, out-of-order execution, a saved error).
import * as vscode from 'vscode';

interface SampleCell {
  kind: 'code' | 'markdown';
  source: string;
  executionCount?: number;
  stdout?: string;
  error?: { name: string; message: string };
}

const CELLS: SampleCell[] = [
  {
    kind: 'markdown',
    source:
      '# MLOps Hygiene sample\n\nEach code cell below has a smell. Open the **Problems** panel, then put the cursor on a ' +
      'squiggle and press `Ctrl+.` (`Cmd+.` on macOS) for fixes, suppressions and documentation.',
  },
  { kind: 'code', source: '%pip install pandas scikit-learn', executionCount: 1, stdout: 'Successfully installed pandas-2.2.2 scikit-learn-1.5.0\n' },
  { kind: 'code', source: 'import pandas as pd\nfrom sklearn.linear_model import LogisticRegression', executionCount: 2 },
  { kind: 'code', source: 'df = pd.read_csv("data/churn.csv")\nX, y = df.drop(columns=["churn"]), df["churn"]', executionCount: 4 },
  { kind: 'code', source: 'model = LogisticRegression(max_iter=200).fit(X, y)', executionCount: 3 },
  {
    kind: 'code',
    source: 'print(f"accuracy: {model.score(X, y):.3f}"',
    executionCount: 5,
    error: { name: 'SyntaxError', message: "'(' was never closed" },
  },
];

/** The sample as nbformat 4 JSON, as Jupyter would save it. */
export function sampleNotebookJson(): string {
  const lines = (text: string): string[] => text.split(/(?<=\n)/);
  const cells = CELLS.map((c, i) => {
    if (c.kind === 'markdown') return { cell_type: 'markdown', id: `sample-${i}`, metadata: {}, source: lines(c.source) };
    const outputs: Array<Record<string, unknown>> = [];
    if (c.stdout) outputs.push({ name: 'stdout', output_type: 'stream', text: lines(c.stdout) });
    if (c.error) outputs.push({ ename: c.error.name, evalue: c.error.message, output_type: 'error', traceback: [`${c.error.name}: ${c.error.message}`] });
    return { cell_type: 'code', execution_count: c.executionCount ?? null, id: `sample-${i}`, metadata: {}, outputs, source: lines(c.source) };
  });
  const nb = {
    cells,
    metadata: { kernelspec: { display_name: 'Python 3', language: 'python', name: 'python3' }, language_info: { name: 'python' } },
    nbformat: 4,
    nbformat_minor: 5,
  };
  return JSON.stringify(nb, null, 1) + '\n';
}

/**
 * Opens the sample: a real .ipynb in the extension's storage (outside the
 * workspace, nothing is written to it), re-created unless it is open with edits.
 */
export async function openSample(storage: vscode.Uri): Promise<vscode.NotebookDocument> {
  const uri = vscode.Uri.joinPath(storage, 'mlops-hygiene-sample.ipynb');
  const open = vscode.workspace.notebookDocuments.find((n) => n.uri.toString() === uri.toString());
  if (!open?.isDirty) {
    await vscode.workspace.fs.createDirectory(storage);
    await vscode.workspace.fs.writeFile(uri, new TextEncoder().encode(sampleNotebookJson()));
  }
  const nb = await vscode.workspace.openNotebookDocument(uri);
  await vscode.window.showNotebookDocument(nb);
  return nb;
}
