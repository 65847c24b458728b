import * as assert from 'node:assert/strict';
import { resolveConfig } from '../../src/core/config/resolve';
import { applyEdits, selectEdits } from '../../src/core/fix/apply';
import { Linter } from '../../src/core/lint';
import { RULES } from '../../src/core/rules';
import rule from '../../src/core/rules/governance/deploy-without-approval';
import type { Finding } from '../../src/core/types';
import { MemoryFileSystem } from '../../src/core/workspace/fs';
import { WorkspaceIndex } from '../../src/core/workspace/workspace-index';
import { ruleTester } from '../helpers/rule-tester';

const DEPLOY_ON_PUSH = `name: deploy
on:
  push:
    branches: [main]
jobs:
  deploy:
    runs-on: ubuntu-22.04
    steps:
      - uses: actions/checkout@v4
      - run: az ml online-deployment create -f deploy/blue.yml --all-traffic
`;

async function lintAll(files: Record<string, string>, file: string): Promise<Finding[]> {
  const workspace = await WorkspaceIndex.build(new MemoryFileSystem(files));
  const config = resolveConfig(RULES, { rules: Object.fromEntries(RULES.map((r) => [r.meta.id, { severity: 'warning' as const }])) });
  const linter = new Linter({ workspace, rules: RULES, settings: (f) => config.settingsFor(f) });
  return (await linter.lintText(file, files[file])).findings;
}

ruleTester(rule, {
  valid: [
    { name: 'a protected environment', file: '.github/workflows/deploy.yml', text: DEPLOY_ON_PUSH.replace('    runs-on', '    environment: production\n    runs-on') },
    {
      name: 'environment with a URL',
      file: '.github/workflows/deploy.yml',
      text: DEPLOY_ON_PUSH.replace('    runs-on', '    environment:\n      name: production\n      url: https://churn.example.com\n    runs-on'),
    },
    { name: 'started by hand', file: '.github/workflows/deploy.yml', text: DEPLOY_ON_PUSH.replace('  push:\n    branches: [main]', '  workflow_dispatch:') },
    { name: 'started by a release', file: '.github/workflows/deploy.yml', text: DEPLOY_ON_PUSH.replace('  push:\n    branches: [main]', '  release:\n    types: [published]') },
    { name: 'started by a tag push', file: '.github/workflows/deploy.yml', text: DEPLOY_ON_PUSH.replace('    branches: [main]', '    tags: ["v*"]') },
    {
      name: 'a manual-approval step upstream',
      file: '.github/workflows/deploy.yml',
      text: 'on: push\njobs:\n  approve:\n    runs-on: ubuntu-22.04\n    steps:\n      - uses: trstringer/manual-approval@v1\n        with:\n          approvers: ml-leads\n  deploy:\n    needs: approve\n    runs-on: ubuntu-22.04\n    steps:\n      - run: kubectl apply -f k8s/serving.yaml\n',
    },
    { name: 'a staging target', file: '.github/workflows/deploy-staging.yml', text: DEPLOY_ON_PUSH.replace('deploy/blue.yml', 'deploy/staging.yml') },
    { name: 'no deployment', file: '.github/workflows/train.yml', text: 'on: push\njobs:\n  train:\n    runs-on: ubuntu-22.04\n    steps:\n      - run: python train.py\n' },
    { name: 'GitLab manual job', file: '.gitlab-ci.yml', text: 'deploy:\n  stage: deploy\n  when: manual\n  script:\n    - helm upgrade churn charts/churn\n' },
    { name: 'GitLab job in a protected environment', file: '.gitlab-ci.yml', text: 'deploy:\n  stage: deploy\n  environment: production\n  script:\n    - helm upgrade churn charts/churn\n' },
    {
      name: 'Azure Pipelines deployment job with an environment',
      file: 'azure-pipelines.yml',
      text: 'trigger: [main]\njobs:\n  - deployment: deploy_model\n    environment: production\n    strategy:\n      runOnce:\n        deploy:\n          steps:\n            - script: az ml online-deployment create -f deploy/blue.yml\n',
    },
  ],
  invalid: [
    {
      name: 'GitHub: deploys on every push to main',
      file: '.github/workflows/deploy.yml',
      text: DEPLOY_ON_PUSH,
      errors: [
        {
          messageId: 'github',
          line: 6,
          column: 3,
          endColumn: 9,
          message:
            'Job `deploy` deploys to its serving target automatically (on push) with no protected environment or manual approval: no one signs off before the change goes live. Run it in an `environment:` with required reviewers.',
        },
      ],
      output: DEPLOY_ON_PUSH.replace('  deploy:\n', '  deploy:\n    environment: production\n'),
    },
    {
      name: 'GitHub: a production deploy job after training',
      file: '.github/workflows/train.yml',
      text: 'on:\n  push:\n    branches: [main]\n  schedule:\n    - cron: "0 3 * * 1"\njobs:\n  train:\n    runs-on: ubuntu-22.04\n    steps:\n      - run: python train.py\n  deploy-prod:\n    needs: train\n    runs-on: ubuntu-22.04\n    steps:\n      - name: Deploy to production\n        run: mlem deployment run churn-api-prod\n',
      errors: [{ messageId: 'github', line: 11, column: 3, messageIncludes: 'deploys to production automatically (on push, schedule)' }],
      output: 'on:\n  push:\n    branches: [main]\n  schedule:\n    - cron: "0 3 * * 1"\njobs:\n  train:\n    runs-on: ubuntu-22.04\n    steps:\n      - run: python train.py\n  deploy-prod:\n    environment: production\n    needs: train\n    runs-on: ubuntu-22.04\n    steps:\n      - name: Deploy to production\n        run: mlem deployment run churn-api-prod\n',
    },
    {
      name: 'GitLab: deploy job runs on its own',
      file: '.gitlab-ci.yml',
      text: 'stages: [train, deploy]\ntrain:\n  stage: train\n  script:\n    - python train.py\ndeploy:\n  stage: deploy\n  script:\n    - kubectl apply -f k8s/serving.yaml\n',
      errors: [{ messageId: 'gitlab', line: 6, column: 1 }],
      output: 'stages: [train, deploy]\ntrain:\n  stage: train\n  script:\n    - python train.py\ndeploy:\n  when: manual\n  stage: deploy\n  script:\n    - kubectl apply -f k8s/serving.yaml\n',
    },
    {
      name: 'Azure Pipelines: a plain job that deploys',
      file: 'azure-pipelines.yml',
      text: 'trigger: [main]\njobs:\n  - job: deploy\n    steps:\n      - script: az ml online-deployment create -f deploy/blue.yml\n',
      errors: [{ messageId: 'other', line: 3, column: 5 }],
    },
  ],
});

describe('deploy-without-approval template', () => {
  it('applied and re-linted with every rule on: the finding is gone, nothing new appears', async () => {
    const file = '.github/workflows/deploy.yml';
    const before = await lintAll({ [file]: DEPLOY_ON_PUSH }, file);
    const mine = before.filter((f) => f.rule === rule.meta.id);
    assert.equal(mine.length, 1);
    const out = applyEdits(file, DEPLOY_ON_PUSH, selectEdits(mine, { unsafe: true }).edits)!;
    const after = await lintAll({ [file]: out }, file);
    const key = (f: Finding): string => `${f.rule}: ${f.message}`;
    assert.deepEqual(after.filter((f) => f.rule === rule.meta.id), []);
    const known = new Set(before.map(key));
    assert.deepEqual(after.filter((f) => !known.has(key(f))).map(key), []);
  });
});
