import { cellFirstLine, type NotebookOutput } from '../../parse/notebook';
import { defineRule } from '../../rule';
import { maskSecret } from '../../text';

// ANSI colour codes, as IPython and rich write them into saved tracebacks.
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;?]*[A-Za-z]/g;
const TRACEBACK_HEADER = /Traceback \(most recent call last\)/;
// The closing line of a Python traceback: `ValueError: bad value`, `KeyboardInterrupt`.
const EXCEPTION_LINE = /^([A-Za-z_][\w.]*(?:Error|Exception|Interrupt|Exit|Warning|Failure|Timeout|Iteration|Fault|Denied))(?::\s*(.*))?$/;
const MAX_EVALUE = 80;

function textOf(v: unknown): string {
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return v.filter((s) => typeof s === 'string').join('');
  return '';
}

/** Hides secret-looking pieces of an exception value (tokens, passwords in URLs, key=value). */
export function maskSecrets(s: string): string {
  return s
    .replace(/(\/\/[^:/\s@]+:)([^@\s/]+)(@)/g, (_, a: string, secret: string, b: string) => a + maskSecret(secret) + b)
    .replace(/\b((?:pass(?:word)?|pwd|secret|token|api[_-]?key|access[_-]?key|account[_-]?key|sig|signature|key)\s*[=:]\s*['"]?)([^\s'";,&]+)/gi, (_, a: string, secret: string) => a + maskSecret(secret))
    .replace(/[A-Za-z0-9+_\-=]{24,}/g, (tok) => (/[A-Za-z]/.test(tok) && /\d/.test(tok) ? maskSecret(tok) : tok));
}

function shorten(s: string): string {
  // The message template ends the sentence itself.
  const one = s.replace(/\s+/g, ' ').trim().replace(/[.\s]+$/, '');
  if (one.length <= MAX_EVALUE) return one;
  const cut = one.slice(0, MAX_EVALUE - 1);
  const space = cut.lastIndexOf(' ');
  return (space > MAX_EVALUE / 2 ? cut.slice(0, space) : cut) + '…';
}

export interface SavedError {
  ename: string;
  evalue: string;
}

/** The last exception line of a rendered traceback text (ANSI and box drawing removed). */
function exceptionFromText(text: string): SavedError {
  const lines = text.split('\n');
  for (let i = lines.length - 1; i >= 0; i--) {
    const line = lines[i].replace(/^[\s│|]+|[\s│|]+$/g, '');
    const m = EXCEPTION_LINE.exec(line);
    if (m) return { ename: m[1], evalue: m[2] ?? '' };
  }
  return { ename: 'Traceback', evalue: '' };
}

function tracebackIn(text: string): SavedError | undefined {
  if (!text.includes('Traceback')) return undefined;
  const plain = text.replace(ANSI, '');
  return TRACEBACK_HEADER.test(plain) ? exceptionFromText(plain) : undefined;
}

/** The error a saved output shows, if it is one. */
export function savedError(o: NotebookOutput): SavedError | undefined {
  if (o.output_type === 'error') {
    const ename = typeof o.ename === 'string' ? o.ename : '';
    const evalue = typeof o.evalue === 'string' ? o.evalue : '';
    if (ename) return { ename, evalue };
    // No exception name (a kernel crash, a cancelled cell): the first traceback line says what happened.
    const first = (o.traceback ?? []).map((l) => String(l).replace(ANSI, '').trim()).find((l) => l !== '');
    return { ename: 'Error', evalue: first ?? '' };
  }
  if (o.output_type === 'stream') {
    if (o.name !== 'stderr') return undefined;
    return tracebackIn(textOf(o.text));
  }
  if (o.output_type === 'display_data' || o.output_type === 'execute_result') {
    // Tracebacks rendered by rich (`rich.traceback.install()`, Typer/ZenML CLIs) are display data.
    return tracebackIn(textOf(o.data?.['text/plain']));
  }
  return undefined;
}

/** `savedError` per output object: unchanged outputs are not read again on the next lint. */
const savedErrors = new WeakMap<NotebookOutput, SavedError | null>();

function savedErrorOf(o: NotebookOutput): SavedError | undefined {
  let e = savedErrors.get(o);
  if (e === undefined) savedErrors.set(o, (e = savedError(o) ?? null));
  return e ?? undefined;
}

const EXAMPLE_NOTEBOOK = `{
 "nbformat": 4, "nbformat_minor": 5, "metadata": {},
 "cells": [
  {"cell_type": "code", "execution_count": 1, "metadata": {},
   "source": ["import pandas as pd\\n", "df = pd.read_csv(\\"data/train.csv\\")"],
   "outputs": [{"output_type": "error", "ename": "FileNotFoundError",
     "evalue": "[Errno 2] No such file or directory: 'data/train.csv'",
     "traceback": ["FileNotFoundError: [Errno 2] No such file or directory: 'data/train.csv'"]}]}
 ]
}
`;

const GOOD_NOTEBOOK = `{
 "nbformat": 4, "nbformat_minor": 5, "metadata": {},
 "cells": [
  {"cell_type": "code", "execution_count": 1, "metadata": {},
   "source": ["import pandas as pd\\n", "df = pd.read_csv(\\"data/train.csv\\")\\n", "df.shape"],
   "outputs": [{"output_type": "execute_result", "execution_count": 1, "metadata": {},
     "data": {"text/plain": ["(891, 12)"]}}]}
 ]
}
`;

export default defineRule({
  meta: {
    id: 'error-output-committed',
    area: 'governance',
    defaultSeverity: 'warning',
    recommended: true,
    targets: ['notebook'],
    fixedId: true,
    messages: {
      error: 'This cell\'s saved output is an error: {{ename}}{{evalue}}. Fix the cause and re-run, or clear the output, before committing the notebook.',
    },
    docs: {
      summary: 'A saved notebook output is an error traceback.',
      whatItDoes:
        'Looks at the saved outputs of every code cell and reports a cell whose outputs include an error: an `error` output (the exception IPython shows), a `stderr` stream holding a Python traceback (from `subprocess`, logging or `!python script.py`), or a traceback rendered as display data (rich / Typer / ZenML CLIs). One finding per cell, naming the exception and the start of its message.',
      whyIsThisBad:
        'A committed traceback means the notebook, as shared, does not run: later cells either ran on stale state or never ran, so the results it shows cannot be trusted or reproduced. Tracebacks also leak local paths, user names, host names and sometimes credentials from the author\'s machine into the repository.',
      example: { language: 'python', file: 'example.ipynb', code: EXAMPLE_NOTEBOOK },
      useInstead: { language: 'python', file: 'example.ipynb', code: GOOD_NOTEBOOK },
      fixSafety:
        'No text fix: outputs are not source. Fix the failing code and re-run the notebook, or clear the cell\'s outputs (VS Code: "Clear Cell Outputs" / "Clear All Outputs"; Jupyter: Edit > Clear Outputs; in CI: `jupyter nbconvert --clear-output --inplace` or nbstripout).',
      notebookBehavior: 'The finding sits on the first line of the cell whose output holds the error. The exception value is shortened and anything that looks like a secret in it is masked.',
      references: [
        'Breck et al. 2017, The ML Test Score (Infra 1, reproducible training): https://research.google/pubs/the-ml-test-score-a-rubric-for-ml-production-readiness-and-technical-debt-reduction/',
        'Pimentel et al. 2019, A Large-scale Study about Quality and Reproducibility of Jupyter Notebooks (MSR 2019)',
        'nbformat output types: https://nbformat.readthedocs.io/en/latest/format_description.html#code-cell-outputs',
        'nbstripout: https://github.com/kynan/nbstripout',
      ],
    },
  },
  check(ctx) {
    const nb = ctx.notebook;
    if (!nb) return;
    for (const cell of nb.cells) {
      if (cell.kind !== 'code' || cell.outputs.length === 0) continue;
      let err: SavedError | undefined;
      for (const o of cell.outputs) {
        err = savedErrorOf(o);
        if (err) break;
      }
      if (!err) continue;
      const value = shorten(maskSecrets(err.evalue));
      ctx.report({
        messageId: 'error',
        data: { ename: err.ename, evalue: value ? `: ${value}` : '' },
        location: { cell: cell.index, range: cellFirstLine(cell) },
      });
    }
  },
});
