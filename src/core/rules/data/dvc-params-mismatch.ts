import { defineRule } from '../../rule';

// STUB: to be implemented.
export default defineRule({
  meta: {
    id: 'dvc-params-mismatch',
    area: 'data',
    defaultSeverity: 'warning',
    recommended: true,
    targets: ['notebook', 'python'],
    messages: { todo: 'TODO' },
    docs: {
      summary: 'TODO',
      whatItDoes: 'TODO',
      whyIsThisBad: 'TODO',
      example: { language: 'python', code: '' },
      useInstead: { language: 'python', code: '' },
      fixSafety: 'TODO',
      references: [],
    },
  },
  check() {},
});
