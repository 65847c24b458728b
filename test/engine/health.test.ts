// The engine-level health rules: invalid-notebook and invalid-yaml are produced by the
// linter itself when a file does not parse, so their tables live here.
import invalidNotebook from '../../src/core/rules/hygiene/invalid-notebook';
import invalidYaml from '../../src/core/rules/hygiene/invalid-yaml';
import { ruleTester } from '../helpers/rule-tester';

ruleTester(invalidNotebook, {
  valid: [
    { file: 'a.ipynb', text: '{"nbformat": 4, "nbformat_minor": 5, "metadata": {}, "cells": []}' },
    { cells: ['import pandas as pd', { markdown: '# ok' }] },
  ],
  invalid: [
    {
      name: 'truncated JSON, reported at the end',
      file: 'a.ipynb',
      text: '{\n "cells": [\n  {"cell_type": "code", "source": ["x',
      errors: [{ messageId: 'invalid', line: 3, column: 38, messageIncludes: 'not valid JSON' }],
    },
    {
      name: 'a merge conflict marker',
      file: 'a.ipynb',
      text: '{\n<<<<<<< HEAD\n "cells": []\n}',
      errors: [{ messageId: 'invalid', line: 2, column: 1 }],
    },
    { name: 'binary', file: 'a.ipynb', text: '\u0089PNG\u0000\u0001', errors: [{ messageId: 'invalid', line: 1, column: 1, messageIncludes: 'binary' }] },
    { name: 'nbformat 3', file: 'a.ipynb', text: '{"nbformat": 3, "worksheets": []}', errors: [{ messageId: 'invalid', line: 1, column: 1, messageIncludes: 'nbformat 3' }] },
  ],
});

ruleTester(invalidYaml, {
  valid: [
    { file: 'dvc.yaml', text: 'stages:\n  train:\n    cmd: python train.py\n' },
    { name: 'a template that parses once placeholders are masked', file: 'deploy.yml', text: 'image: {{acr}}.azurecr.io/x:1\n' },
  ],
  invalid: [
    {
      file: 'dvc.yaml',
      text: 'stages:\n  train:\n    cmd: python train.py\n   deps: [data]\n',
      errors: [{ messageId: 'invalid', line: 4, column: 1, messageIncludes: 'same column' }],
    },
    { name: 'an unclosed flow sequence', file: 'params.yaml', text: 'lr: [0.1, 0.2\nepochs: 3\n', errors: [{ messageId: 'invalid', line: 2, column: 1, messageIncludes: 'Flow sequence' }] },
  ],
});
