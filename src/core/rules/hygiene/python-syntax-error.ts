import { unitLocation } from '../../parse/program';
import { defineRule } from '../../rule';

export default defineRule({
  meta: {
    id: 'python-syntax-error',
    area: 'hygiene',
    defaultSeverity: 'error',
    recommended: true,
    targets: ['notebook', 'python'],
    fixedId: true,
    messages: { syntax: 'Python syntax error: {{detail}}. Rules read this code as far as it parses.' },
    docs: {
      summary: 'A code cell or module is not valid Python once IPython magics are masked.',
      whatItDoes: 'Parses every code cell (after masking `%magics`, `!shell` lines and `obj?` help) and every `.py` file with tree-sitter, and reports the first syntax error of each.',
      whyIsThisBad: 'A cell that does not parse will fail when the notebook is re-run top to bottom (in CI, by papermill, by a colleague), and the other checks can only see part of it.',
      example: { language: 'python', code: 'def train(:\n    pass\n' },
      useInstead: { language: 'python', code: 'def train():\n    pass\n' },
      fixSafety: 'No fix.',
      notebookBehavior: 'Each code cell is parsed on its own; magics and shell escapes are not errors.',
      references: ['IPython magics: https://ipython.readthedocs.io/en/stable/interactive/magics.html'],
    },
  },
  check(ctx) {
    for (const unit of ctx.python?.units ?? []) {
      const e = unit.facts.syntaxError;
      if (!e) continue;
      ctx.report({ messageId: 'syntax', data: { detail: e.message }, location: unitLocation(unit, e.span) });
    }
  },
});
