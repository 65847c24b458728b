// The extension lints pip requirements files whatever their language id: the document
// selector and activation cover every name the engine takes as a requirements file.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import picomatch from 'picomatch';
import { isRequirementsFile, REQUIREMENTS_GLOB } from '../../src/core/workspace/kinds';

describe('requirements files in the editor', () => {
  it('the document selector glob covers every requirements file name', () => {
    const match = picomatch(REQUIREMENTS_GLOB, { dot: true });
    const names = ['requirements.txt', 'a/requirements-dev.txt', 'dev-requirements.txt', 'x/test_requirements.txt', 'test-requirements-py3.txt', 'requirements/base.txt', 'deploy/requirements/prod.txt', 'constraints.txt', 'constraints/ci.txt', 'ci/constraints-3.11.txt'];
    for (const n of names) {
      assert.ok(isRequirementsFile(n), n);
      assert.ok(match(n), `${n} is not selected by ${REQUIREMENTS_GLOB}`);
    }
  });

  it('activates on the pip-requirements language and in workspaces with requirements files', () => {
    const pkg = JSON.parse(fs.readFileSync(path.resolve(__dirname, '../../package.json'), 'utf8')) as { activationEvents: string[] };
    assert.ok(pkg.activationEvents.includes('onLanguage:pip-requirements'));
    assert.ok(pkg.activationEvents.includes('workspaceContains:**/requirements*.txt'));
  });
});
