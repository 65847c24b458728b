import { isScalar } from 'yaml';
import { defineRule } from '../../rule';
import { LineIndex } from '../../text';
import type { Fix } from '../../types';
import { basename } from '../../workspace/fs';
import { ciWorkflow, upstreamJobs, words, type CiJob, type CiWorkflow } from '../lib/pipelines';

const NON_PROD = /_(dev|develop|development|staging|stage|stg|qa|sandbox|preview|review|ephemeral|nonprod|non_prod|uat|experiment|experimental|demo|local)_/;
const PROD = /_(prod|production|live|release|main)_/;

/** Where the job deploys, judged from its names, commands and the workflow's name; undefined for non-production targets. */
function targetOf(job: CiJob, wf: CiWorkflow, file: string): string | undefined {
  const deploySteps = job.steps.filter((s) => s.roles.has('deploy'));
  const text = words([wf.name, basename(file), job.id, job.name, ...deploySteps.map((s) => `${s.name} ${s.command}`)].join(' '));
  if (PROD.test(text)) return 'production';
  if (NON_PROD.test(text)) return undefined;
  return 'its serving target';
}

function triggerText(wf: CiWorkflow): string {
  const ev = wf.triggers.events.filter((e) => e !== 'workflow_dispatch');
  return ev.length ? `on ${ev.join(', ')}` : 'on every run';
}

function approvalFix(text: string, wf: CiWorkflow, job: CiJob): Fix | undefined {
  if (wf.kind !== 'github' && wf.kind !== 'gitlab') return undefined;
  const first = job.node.items[0];
  const key = job.keyNode;
  if (!first?.key || !isScalar(first.key) || !first.key.range || !key.range) return undefined;
  const li = new LineIndex(text);
  const col = li.positionAt(first.key.range[0]).character;
  const keyPos = li.positionAt(key.range[0]);
  if (col <= keyPos.character || li.positionAt(first.key.range[0]).line === keyPos.line) return undefined;
  const line = keyPos.line + 1;
  const newText = wf.kind === 'github' ? `${' '.repeat(col)}environment: production\n` : `${' '.repeat(col)}when: manual\n`;
  return {
    title: wf.kind === 'github' ? 'Deploy through the `production` environment (then require reviewers for it in the repository settings)' : 'Make the deploy job manual (`when: manual`)',
    safety: 'unsafe',
    edits: [{ range: { start: { line, character: 0 }, end: { line, character: 0 } }, newText }],
  };
}

export default defineRule({
  meta: {
    id: 'deploy-without-approval',
    area: 'governance',
    defaultSeverity: 'warning',
    recommended: false,
    targets: ['yaml'],
    messages: {
      github:
        'Job `{{job}}` deploys to {{target}} automatically ({{trigger}}) with no protected environment or manual approval: no one signs off before the change goes live. Run it in an `environment:` with required reviewers.',
      gitlab:
        'Job `{{job}}` deploys to {{target}} automatically with no manual step or protected environment: no one signs off before the change goes live. Add `when: manual`, or deploy to a protected environment with approvals.',
      other:
        'Job `{{job}}` deploys to {{target}} automatically with no approval: no one signs off before the change goes live. Use a deployment job whose `environment:` has an approval check, or a manual validation step.',
    },
    docs: {
      summary: 'A CI/CD workflow deploys to production with no protected environment, manual approval or review step.',
      whatItDoes:
        'Reads GitHub Actions, GitLab CI, Azure Pipelines and Cloud Build workflows and finds jobs that deploy (`az ml online-deployment create`, `gcloud ai endpoints deploy-model`, `kubectl apply`, `helm upgrade`, `mlem deployment run`, deploy actions, jobs named for deploying...). It reports a deploying job when the target is production (or not marked as dev/staging/test) and nothing makes a person approve: no `environment:` (GitHub environments and Azure DevOps environments carry required reviewers and checks), no GitLab `when: manual`, no manual-approval step or job upstream, and the workflow does not only run by hand (dispatch, release, tag push).',
      whyIsThisBad:
        'Continuous deployment of a retrained model means a change in data or code reaches users with nobody accountable for the decision. A protected environment gives a named approval, an audit trail of who released which model when, and a point to stop a bad rollout; many model-risk policies require exactly that.',
      example: {
        language: 'yaml',
        file: '.github/workflows/deploy.yml',
        code: 'name: deploy\non:\n  push:\n    branches: [main]\njobs:\n  deploy:\n    runs-on: ubuntu-22.04\n    steps:\n      - uses: actions/checkout@v4\n      - run: az ml online-deployment create -f deploy/blue.yml --all-traffic\n',
      },
      useInstead: {
        language: 'yaml',
        file: '.github/workflows/deploy.yml',
        code: 'name: deploy\non:\n  push:\n    branches: [main]\njobs:\n  deploy:\n    runs-on: ubuntu-22.04\n    environment: production\n    steps:\n      - uses: actions/checkout@v4\n      - run: az ml online-deployment create -f deploy/blue.yml --all-traffic\n',
      },
      fixSafety:
        'Unsafe: on GitHub, adds `environment: production` to the job (create the environment with required reviewers in the repository settings, or the job runs unprotected); on GitLab, adds `when: manual`. Both change when the deployment runs.',
      references: [
        'GitHub Actions, environments and required reviewers: https://docs.github.com/actions/deployment/targeting-different-environments/using-environments-for-deployment',
        'GitLab, deployment approvals: https://docs.gitlab.com/ee/ci/environments/deployment_approvals.html',
        'Azure Pipelines, approvals and checks: https://learn.microsoft.com/azure/devops/pipelines/process/approvals',
      ],
    },
  },
  check(ctx) {
    if (!ctx.yaml) return;
    const wf = ciWorkflow(ctx.yaml, ctx.configKind);
    if (!wf || wf.triggers.manualOnly) return;
    for (const job of wf.jobs) {
      if (!job.roles.has('deploy') || job.environment || job.manual) continue;
      if (upstreamJobs(wf, job).some((j) => j.environment || j.manual)) continue;
      const target = targetOf(job, wf, ctx.file);
      if (!target) continue;
      const messageId = wf.kind === 'github' ? 'github' : wf.kind === 'gitlab' ? 'gitlab' : 'other';
      const fix = approvalFix(ctx.text, wf, job);
      ctx.report({ messageId, data: { job: job.id, target, trigger: triggerText(wf) }, location: { range: job.range }, fixes: fix ? [fix] : [] });
      return;
    }
  },
});
