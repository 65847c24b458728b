import { defineRule } from '../../rule';

// Reported by the engine itself when parsing fails (src/core/lint.ts); this file
// holds its metadata and docs.
export default defineRule({
  meta: {
    id: 'invalid-notebook',
    area: 'hygiene',
    defaultSeverity: 'error',
    recommended: true,
    targets: ['notebook'],
    fixedId: true,
    messages: { invalid: 'This notebook cannot be read: {{reason}}' },
    docs: {
      summary: 'The file is not a valid nbformat 4 notebook.',
      whatItDoes: 'Reports a `.ipynb` file that is not valid JSON, is truncated, is binary, or does not have the nbformat 4 structure (`nbformat`, a `cells` list, each cell with a `cell_type` and a `source`). It is reported once, at the JSON position of the problem, and no other rule runs on the file.',
      whyIsThisBad: 'A notebook that Jupyter cannot open is lost work for whoever clones the repository, and usually comes from a bad merge or an interrupted save. Every other check is blind to it.',
      example: { language: 'python', file: 'broken.ipynb', code: '{"cells": [{"cell_type": "code", "source": ["import pandas as pd\\n"' },
      useInstead: { language: 'python', file: 'ok.ipynb', code: '{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": []}' },
      fixSafety: 'No fix: repair the notebook from version control (for a merge conflict, `nbdime` can merge notebooks cell by cell).',
      notebookBehavior: 'Only for notebooks.',
      references: ['nbformat: https://nbformat.readthedocs.io/en/latest/format_description.html', 'nbdime: https://nbdime.readthedocs.io/'],
    },
  },
  check() {},
});
