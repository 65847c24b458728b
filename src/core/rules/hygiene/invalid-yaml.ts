import { defineRule } from '../../rule';

// Reported by the engine itself when YAML parsing fails (src/core/lint.ts).
export default defineRule({
  meta: {
    id: 'invalid-yaml',
    area: 'hygiene',
    defaultSeverity: 'error',
    recommended: true,
    targets: ['yaml'],
    fixedId: true,
    messages: { invalid: 'This YAML file cannot be parsed: {{reason}}' },
    docs: {
      summary: 'A pipeline or config YAML file has syntax errors.',
      whatItDoes: 'Reports YAML syntax errors (bad indentation, unclosed quotes or brackets, tabs, duplicate anchors) with their positions. Other YAML rules skip a file that does not parse.',
      whyIsThisBad: 'A pipeline file that does not parse fails at submission time, often in CI or on a cluster, far from the person who broke it.',
      example: { language: 'yaml', file: 'dvc.yaml', code: 'stages:\n  train:\n    cmd: python train.py\n   deps: [data]\n' },
      useInstead: { language: 'yaml', file: 'dvc.yaml', code: 'stages:\n  train:\n    cmd: python train.py\n    deps: [data]\n' },
      fixSafety: 'No fix.',
      references: ['YAML 1.2 specification: https://yaml.org/spec/1.2.2/'],
    },
  },
  check() {},
});
