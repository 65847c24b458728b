import { defineRule } from '../../rule';

// Reported by the engine after suppressions are applied (src/core/suppressions.ts).
export default defineRule({
  meta: {
    id: 'unused-suppression',
    area: 'hygiene',
    defaultSeverity: 'hint',
    recommended: true,
    targets: ['notebook', 'python', 'yaml', 'requirements'],
    messages: { unused: '{{reason}}' },
    docs: {
      summary: 'A suppression comment, cell tag or metadata entry that suppresses nothing.',
      whatItDoes: 'Reports `# mlops-hygiene: ignore[...]`, `ignore-cell[...]` and `ignore-file[...]` comments, `mlops-hygiene-ignore:<rule>` cell tags and `"mlops-hygiene": {"ignore": [...]}` metadata that no longer suppress any finding, or that name an unknown rule.',
      whyIsThisBad: 'Stale suppressions hide the next real problem on that line and make readers think there is something to ignore. ESLint reports unused disable directives for the same reason.',
      example: { language: 'python', code: 'x = 1  # mlops-hygiene: ignore\n' },
      useInstead: { language: 'python', code: 'x = 1\n' },
      fixSafety: 'Safe: the fix removes the comment (and its line when the comment was alone on it). Tag and metadata suppressions are removed from the editor.',
      notebookBehavior: 'Cell tags and cell metadata are checked as well as comments.',
      references: ['ESLint --report-unused-disable-directives: https://eslint.org/docs/latest/use/command-line-interface#--report-unused-disable-directives'],
    },
  },
  check() {},
});
