import { cellFirstLine, type NotebookCell } from '../../parse/notebook';
import { defineRule } from '../../rule';

const EXAMPLE_NOTEBOOK = `{
 "nbformat": 4, "nbformat_minor": 5, "metadata": {},
 "cells": [
  {"cell_type": "code", "execution_count": 3, "metadata": {}, "outputs": [],
   "source": ["import pandas as pd\\n", "df = pd.read_csv(\\"train.csv\\")"]},
  {"cell_type": "code", "execution_count": 1, "metadata": {}, "outputs": [],
   "source": ["df = df.dropna()"]}
 ]
}
`;

const GOOD_NOTEBOOK = `{
 "nbformat": 4, "nbformat_minor": 5, "metadata": {},
 "cells": [
  {"cell_type": "code", "execution_count": 1, "metadata": {}, "outputs": [],
   "source": ["import pandas as pd\\n", "df = pd.read_csv(\\"train.csv\\")"]},
  {"cell_type": "code", "execution_count": 2, "metadata": {}, "outputs": [],
   "source": ["df = df.dropna()"]}
 ]
}
`;

export default defineRule({
  meta: {
    id: 'out-of-order-execution',
    area: 'reproducibility',
    defaultSeverity: 'warning',
    recommended: true,
    targets: ['notebook'],
    fixedId: true,
    messages: {
      outOfOrder:
        'This cell ran as [{{count}}] after the cell above ran as [{{previous}}]: the saved outputs come from an out-of-order run and may not be reproducible. Restart & Run All before saving.',
      repeated:
        'This cell has the same execution count [{{count}}] as the cell above: the order in which the saved outputs were produced is unknown (an export or a kernel restart between runs), so they may not be reproducible. Restart & Run All before saving.',
      outOfOrderMore:
        'This cell ran as [{{count}}] after the cell above ran as [{{previous}}] ({{more}} more execution-order breaks below): the saved outputs come from an out-of-order run. Restart & Run All before saving.',
    },
    options: { maxReports: 3 },
    docs: {
      summary: 'Saved code cells whose execution counts do not increase from top to bottom.',
      whatItDoes:
        'Reads the saved `execution_count` of every executed code cell (cells never run, with a null count, are skipped) and reports each cell whose count is not greater than the count of the executed cell above it: it ran before that cell, or it was run again, or both ran in another session. A repeated count (for example every cell saved with `0` by an export) counts too, since the order is then unknown. At most `maxReports` breaks are reported per notebook; the last one says how many more there are.',
      whyIsThisBad:
        'A notebook is read and re-run top to bottom. When the saved outputs came from cells run in another order, the results shown (metrics, plots, saved models) may depend on hidden state that a top-to-bottom run does not recreate, so nobody can reproduce them, not even the author after a kernel restart (ML Test Score, Infra 1: training is reproducible).',
      example: { language: 'python', file: 'example.ipynb', code: EXAMPLE_NOTEBOOK },
      useInstead: { language: 'python', file: 'example.ipynb', code: GOOD_NOTEBOOK },
      fixSafety:
        'No text fix: the counts change only by running the notebook. Use "Restart & Run All" (Jupyter) or "Restart" then "Run All" (VS Code), check the results, and save; `jupyter nbconvert --to notebook --execute --inplace` does the same in CI.',
      notebookBehavior: 'The finding sits on the first line of the cell that breaks the order; related information points at the cell above that ran later.',
      options: '`maxReports` (number, default 3): the most findings reported per notebook.',
      references: [
        'Breck et al. 2017, The ML Test Score, Infra 1 (training is reproducible): https://research.google/pubs/the-ml-test-score-a-rubric-for-ml-production-readiness-and-technical-debt-reduction/',
        'Pimentel et al. 2019, A Large-scale Study about Quality and Reproducibility of Jupyter Notebooks (MSR 2019)',
        'pynblint, non-linear execution check: https://github.com/collab-uniba/pynblint',
      ],
    },
  },
  check(ctx) {
    const nb = ctx.notebook;
    if (!nb) return;
    const max = Math.max(1, Number(ctx.options.maxReports) || 3);
    const breaks: Array<{ cell: NotebookCell; previous: NotebookCell }> = [];
    let previous: NotebookCell | undefined;
    for (const cell of nb.cells) {
      if (cell.kind !== 'code' || cell.executionCount === null) continue;
      if (previous && previous.executionCount !== null && cell.executionCount <= previous.executionCount) breaks.push({ cell, previous });
      previous = cell;
    }
    const shown = breaks.slice(0, max);
    shown.forEach(({ cell, previous: before }, i) => {
      const more = i === shown.length - 1 ? breaks.length - shown.length : 0;
      ctx.report({
        messageId: more > 0 ? 'outOfOrderMore' : cell.executionCount === before.executionCount ? 'repeated' : 'outOfOrder',
        data: { count: String(cell.executionCount), previous: String(before.executionCount), more: String(more) },
        location: { cell: cell.index, range: cellFirstLine(cell) },
        related: [{ location: { cell: before.index, range: cellFirstLine(before) }, message: `This cell above ran later, as [${before.executionCount}].` }],
      });
    });
  },
});
