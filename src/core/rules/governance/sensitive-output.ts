import { defineRule } from '../../rule';

// STUB: to be implemented.
export default defineRule({
  meta: {
    id: 'sensitive-output',
    area: 'governance',
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
