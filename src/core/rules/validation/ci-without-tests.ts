import { isMap, isScalar, isSeq, type YAMLMap } from 'yaml';
import type { YamlFile } from '../../parse/yaml';
import { defineRule, type RuleContext } from '../../rule';
import { LineIndex } from '../../text';
import type { Fix, TextEdit } from '../../types';
import { basename } from '../../workspace/fs';
import { MAKEFILES } from '../../workspace/kinds';
import type { WorkspaceIndex } from '../../workspace/workspace-index';
import { branchesOf, ciWorkflow, dvcStageRoles, hasModelContext, runsOnBranches, words, workflowsBeside, workflowStem, type CiJob, type CiWorkflow, type WorkflowSummary } from '../lib/pipelines';

// ---------------------------------------------------------------------------
// What the workflow does, and whether anything in it (or next to it) tests.

function activityOf(job: CiJob, wf: CiWorkflow): string | undefined {
  const trains = job.roles.has('train');
  const ships = (job.roles.has('deploy') || job.roles.has('register') || job.roles.has('build')) && (hasModelContext(job.text) || wf.jobs.some((j) => j.roles.has('train')));
  if (trains && ships) return job.roles.has('deploy') ? 'trains and deploys a model' : 'trains and ships a model';
  if (trains) return 'trains a model';
  if (!ships) return undefined;
  if (job.roles.has('deploy')) return 'deploys a model';
  if (job.roles.has('register')) return 'registers a model';
  return 'builds a model image';
}

/** A workflow started after one of these names is taken as tested when that workflow is not in the workspace. */
const TEST_WORKFLOW_NAME = /_(test|tests|testing|ci|check|checks|unit|unittests?|pytest|qa|validate|validation|pr)_/;

/** `dvc repro` runs the workspace's validation stages too. */
function dvcValidates(ws: WorkspaceIndex): boolean {
  const stages = ws.dvcStages();
  if (!stages.length) return false;
  const r = dvcStageRoles(stages);
  return r.has('validate') || r.has('test');
}

function summaryTests(s: WorkflowSummary, ws: WorkspaceIndex): boolean {
  return s.tests || (s.dvcRepro && dvcValidates(ws));
}

/**
 * Whether the workflow, or another one that gates the same code, runs tests or data
 * validation. Other workflows are judged by what they run (their jobs' commands, with
 * the recognisers used for this file's own jobs) and when (push or pull request to a
 * branch this workflow runs for), never by their file names.
 */
async function testedBy(wf: CiWorkflow, ctx: RuleContext): Promise<boolean> {
  const ws = ctx.workspace;
  for (const job of wf.jobs) {
    if (job.roles.has('test') || job.roles.has('validate')) return true;
    if (/\bdvc (repro|exp run)\b/.test(job.text) && dvcValidates(ws)) return true;
  }
  const beside = await workflowsBeside(ws, ctx.file);
  // Started after another workflow (`on: workflow_run: workflows: [Tests]`): tested when that one tests.
  const after = wf.triggers.after ?? [];
  if (wf.triggers.events.includes('workflow_run')) {
    for (const name of after) {
      const named = beside.find((s) => s.name === name || workflowStem(s.file) === name);
      // A workflow the workspace does not hold: its name is all there is to go by.
      if (named ? summaryTests(named, ws) : TEST_WORKFLOW_NAME.test(words(name))) return true;
    }
  }
  const branches = branchesOf(wf.triggers);
  return beside.some((s) => summaryTests(s, ws) && runsOnBranches(s.triggers, branches));
}

// ---------------------------------------------------------------------------
// The template: a test job with the repository's own test command.

const DEV_REQUIREMENTS = ['requirements-dev.txt', 'requirements-test.txt', 'requirements_dev.txt', 'requirements_test.txt', 'dev-requirements.txt', 'test-requirements.txt', 'requirements/dev.txt', 'requirements/test.txt', 'requirements/test-requirements.txt'];
/** pytest pinned, so the template does not add an unpinned install. */
const PYTEST = 'pytest==8.3.3';

export interface TestCommand {
  install?: string;
  run: string;
}

/** The test command the repository uses, from the files the index knows. */
export function repoTestCommand(ws: WorkspaceIndex): TestCommand {
  const has = (p: string): boolean => ws.has(p);
  const dev = DEV_REQUIREMENTS.find(has);
  const hasPytestConfig = has('pytest.ini') || has('conftest.py') || has('tests/conftest.py');
  const hasTests = ws.files().some((f) => /^(tests?|testing)\/(.*\/)?(test_[^/]*|[^/]*_test)\.py$/.test(f));
  // The Makefile `make` would read (the index keeps its targets): its `test` target is how
  // the repository runs its tests, unless a pytest config says pytest is run directly.
  const makefile = MAKEFILES.find((f) => ws.makeTargets(f) !== undefined);
  const makeTest = makefile !== undefined && (ws.makeTargets(makefile) ?? []).includes('test');
  const run = hasPytestConfig ? 'pytest' : makeTest ? 'make test' : hasTests ? 'pytest' : 'python -m pytest';
  let install: string | undefined;
  if (dev) install = `pip install -r ${dev}`;
  else if (has('requirements.txt')) install = `pip install -r requirements.txt ${PYTEST}`;
  else if (has('pyproject.toml') || has('setup.py')) install = `pip install -e . ${PYTEST}`;
  else install = `pip install ${PYTEST}`;
  if (run === 'make test') install = dev ? `pip install -r ${dev}` : has('requirements.txt') ? 'pip install -r requirements.txt' : undefined;
  return { install, run };
}

const SETUP_ACTION = /^(actions\/checkout|actions\/setup-python|conda-incubator\/setup-miniconda|mamba-org\/setup-micromamba|astral-sh\/setup-uv|actions\/cache|iterative\/setup-dvc)@/;

function lineStart(li: LineIndex, offset: number): number {
  return li.offsetAt({ line: li.positionAt(offset).line, character: 0 });
}

/** Lines `[from, to)` of the file, verbatim. */
function lines(text: string, li: LineIndex, from: number, to: number): string {
  return text.slice(li.offsetAt({ line: from, character: 0 }), li.offsetAt({ line: to, character: 0 }));
}

function githubFix(yaml: YamlFile, wf: CiWorkflow, mlJob: CiJob, cmd: TestCommand): Fix | undefined {
  const jobsNode = wf.jobsNode;
  const text = yaml.text;
  const li = new LineIndex(text);
  if (!jobsNode || wf.jobs.some((j) => j.id === 'test')) return undefined;
  const first = jobsNode.items[0];
  if (!first?.key || !isScalar(first.key) || !first.key.range) return undefined;
  const keyPos = li.positionAt(first.key.range[0]);
  const jobIndent = ' '.repeat(keyPos.character);
  const job = mlJob.node;
  const firstChild = job.items[0];
  if (!firstChild?.key || !isScalar(firstChild.key) || !firstChild.key.range) return undefined;
  const childCol = li.positionAt(firstChild.key.range[0]).character;
  const childIndent = ' '.repeat(childCol);
  if (childCol <= keyPos.character) return undefined; // a flow map: leave it to the user
  // Steps: copy the job's own setup steps (checkout, setup-python...), in its indentation style.
  const stepsNode = job.get('steps', true);
  let stepsBlock: string;
  let dashIndent = childIndent + '  ';
  const setup: string[] = [];
  if (isSeq(stepsNode) && stepsNode.range) {
    dashIndent = ' '.repeat(li.positionAt(stepsNode.range[0]).character);
    const items = stepsNode.items;
    for (let i = 0; i < items.length; i++) {
      const it = items[i];
      if (!isMap(it) || !it.range) break;
      const uses = it.get('uses', true);
      if (!isScalar(uses) || typeof uses.value !== 'string' || !SETUP_ACTION.test(uses.value)) {
        if (mlJob.steps.find((st) => st.index === i)?.roles.size) break;
        continue;
      }
      const from = li.positionAt(lineStart(li, it.range[0])).line;
      const next = items[i + 1] as { range?: [number, number, number] } | undefined;
      const to = next?.range ? li.positionAt(next.range[0]).line : li.positionAt(stepsNode.range[1]).line + (text.slice(stepsNode.range[1] - 1, stepsNode.range[1]) === '\n' ? 0 : 1);
      setup.push(lines(text, li, from, to).replace(/\n?$/, '\n'));
    }
  }
  const itemIndent = dashIndent + '  ';
  if (!setup.some((s) => /actions\/checkout@/.test(s))) setup.unshift(`${dashIndent}- uses: actions/checkout@v4\n`);
  stepsBlock = setup.join('');
  if (cmd.install) stepsBlock += `${dashIndent}- name: Install dependencies\n${itemIndent}run: ${cmd.install}\n`;
  stepsBlock += `${dashIndent}- name: Run the tests\n${itemIndent}run: ${cmd.run}\n`;
  const runsOn = job.get('runs-on', true);
  const runsOnText = isScalar(runsOn) && runsOn.range ? text.slice(runsOn.range[0], runsOn.range[1]) : 'ubuntu-latest';
  const testJob = `${jobIndent}test:\n${childIndent}runs-on: ${runsOnText}\n${childIndent}steps:\n${stepsBlock}`;
  // Above the first job and the comments that introduce it.
  let insertLine = keyPos.line;
  while (insertLine > 0 && /^\s*#/.test(li.lineText(insertLine - 1)) && li.lineText(insertLine - 1).indexOf('#') === keyPos.character) insertLine--;
  const edits: TextEdit[] = [{ range: { start: { line: insertLine, character: 0 }, end: { line: insertLine, character: 0 } }, newText: testJob }];
  // Every job that waits for nothing now waits for the tests.
  for (const pair of jobsNode.items) {
    const j = pair.value;
    if (!isMap(j) || j.has('needs') || !isScalar(pair.key) || !pair.key.range || j.has('uses')) continue;
    const c = j.items[0];
    if (!c?.key || !isScalar(c.key) || !c.key.range) continue;
    const col = li.positionAt(c.key.range[0]).character;
    const keyLine = li.positionAt(pair.key.range[0]).line;
    if (col <= li.positionAt(pair.key.range[0]).character) continue;
    edits.push({ range: { start: { line: keyLine + 1, character: 0 }, end: { line: keyLine + 1, character: 0 } }, newText: `${' '.repeat(col)}needs: test\n` });
  }
  return { title: `Add a test job (\`${cmd.run}\`) that the other jobs need (template)`, safety: 'unsafe', edits };
}

function gitlabFix(yaml: YamlFile, wf: CiWorkflow, mlJob: CiJob, cmd: TestCommand): Fix | undefined {
  const root = wf.jobsNode as YAMLMap | undefined;
  if (!root || root.has('test')) return undefined;
  const text = yaml.text;
  const li = new LineIndex(text);
  const firstJobPair = root.items.find((p) => isScalar(p.key) && String(p.key.value) === mlJob.id);
  const job = mlJob.node;
  const c = job.items[0];
  if (!firstJobPair?.key || !isScalar(firstJobPair.key) || !firstJobPair.key.range || !c?.key || !isScalar(c.key) || !c.key.range) return undefined;
  const keyPos = li.positionAt(firstJobPair.key.range[0]);
  if (keyPos.character !== 0) return undefined;
  const indent = ' '.repeat(li.positionAt(c.key.range[0]).character);
  if (!indent) return undefined;
  const script = job.get('script', true);
  const dash = isSeq(script) && script.range ? ' '.repeat(li.positionAt(script.range[0]).character) : indent + '  ';
  const dashIndent = dash.length > indent.length ? dash : indent;
  const out = [`test:`, `${indent}stage: .pre`];
  const image = job.get('image', true);
  const defaults = root.get('default', true);
  if (!root.has('image') && !(isMap(defaults) && defaults.has('image')) && isScalar(image) && image.range && !/:latest\b|^[^:@]*$/.test(String(image.value))) {
    out.push(`${indent}image: ${text.slice(image.range[0], image.range[1])}`);
  }
  out.push(`${indent}script:`);
  if (cmd.install) out.push(`${dashIndent}- ${cmd.install}`);
  out.push(`${dashIndent}- ${cmd.run}`);
  const firstJob = root.items.find((p) => isScalar(p.key) && wf.jobs.some((j) => j.id === String((p.key as { value: unknown }).value)));
  const at = firstJob?.key && isScalar(firstJob.key) && firstJob.key.range ? li.positionAt(firstJob.key.range[0]).line : keyPos.line;
  return {
    title: `Add a test job (\`${cmd.run}\`) that runs before every stage (template)`,
    safety: 'unsafe',
    edits: [{ range: { start: { line: at, character: 0 }, end: { line: at, character: 0 } }, newText: out.join('\n') + '\n\n' }],
  };
}

export default defineRule({
  meta: {
    id: 'ci-without-tests',
    area: 'validation',
    defaultSeverity: 'warning',
    recommended: true,
    targets: ['yaml'],
    messages: {
      untested:
        'Workflow "{{workflow}}" {{activity}} (job `{{job}}`) but never runs tests or data validation, so a broken change ships unchecked. Add a test job that runs `{{command}}` and make `{{job}}` need it.',
    },
    docs: {
      summary: 'A CI workflow trains, registers or deploys a model but never runs tests or data validation.',
      whatItDoes:
        'Reads GitHub Actions, GitLab CI, Azure Pipelines and Cloud Build workflows. A workflow counts as ML work when a job trains (`python train.py`, `dvc repro`, `mlflow run`, `kedro run`, training job submissions), or registers, deploys or builds a model (`az ml online-deployment create`, `gcloud ai endpoints deploy-model`, `mlem deployment run`, model servers, `docker build` of a serving image in a training workflow). It reports the first such job when no job runs tests or data validation: `pytest`, `python -m unittest`, `tox`, `nox`, `make test`, `nbval`/`nbmake`, `great_expectations checkpoint run`, a data-validation script, or `dvc repro` of a pipeline that has a validation stage. It is also taken as tested when another workflow file of the same kind in the same folder runs tests or data validation (judged by its jobs\' commands and names with the same recognisers, not by its file name: a `tests.yml` that only lints does not count, a `build.yml` that runs pytest does) on push or pull requests for a branch this workflow runs for (a workflow that only runs by hand, on a schedule or on tags is covered by any branch\'s tests), and when it starts after a workflow of the repository that tests (`on: workflow_run`; a workflow the workspace does not hold is judged by its name). The other workflows are read through the workspace index: once per file and change, not on every lint.',
      whyIsThisBad:
        'The training code, the feature code and the data they read change all the time; without tests in the same pipeline, a bug or a broken data feed trains and ships a model before anyone looks. ML Test Score, Infra 2 and 3 (model specification code is unit tested; the full pipeline is integration tested) and Data 7 (input feature code is tested).',
      example: {
        language: 'yaml',
        file: '.github/workflows/train.yml',
        code: 'name: train\non:\n  push:\n    branches: [main]\njobs:\n  train:\n    runs-on: ubuntu-22.04\n    steps:\n      - uses: actions/checkout@v4\n      - run: pip install -r requirements.txt\n      - run: python src/train.py\n',
      },
      useInstead: {
        language: 'yaml',
        file: '.github/workflows/train.yml',
        code: 'name: train\non:\n  push:\n    branches: [main]\njobs:\n  test:\n    runs-on: ubuntu-22.04\n    steps:\n      - uses: actions/checkout@v4\n      - run: pip install -r requirements.txt\n      - run: pytest\n  train:\n    needs: test\n    runs-on: ubuntu-22.04\n    steps:\n      - uses: actions/checkout@v4\n      - run: pip install -r requirements.txt\n      - run: python src/train.py\n',
      },
      fixSafety:
        'Unsafe template (GitHub Actions and GitLab CI): adds a `test` job that runs the command the repository uses, as far as the workspace shows it: `pytest` when there is a `pytest.ini` or `conftest.py`, else `make test` when the top-level Makefile (`GNUmakefile`, `makefile` or `Makefile`, as `make` picks it) has a `test` target, else `pytest` when there is a `tests/` folder with test files, else `python -m pytest`; it installs a dev/test requirements file when there is one, else `requirements.txt` plus a pinned pytest (for `make test`, only the requirements file: the Makefile knows what it needs). On GitHub the job copies the checkout and Python setup steps of the training job, in the file\'s own indentation, and every job that waited for nothing gets `needs: test`; on GitLab it runs in the `.pre` stage, before every other stage. Review the command: it changes when the workflow deploys.',
      references: [
        'Breck et al. 2017, The ML Test Score, Infra 2 and 3, Data 7',
        'GitHub Actions, building and testing Python: https://docs.github.com/actions/automating-builds-and-tests/building-and-testing-python',
        'GitLab CI `stage: .pre`: https://docs.gitlab.com/ee/ci/yaml/#stage-pre',
      ],
    },
  },
  async check(ctx) {
    if (!ctx.yaml) return;
    const wf = ciWorkflow(ctx.yaml, ctx.configKind);
    if (!wf || wf.jobs.length === 0) return;
    // A reusable workflow: its callers decide what runs before it.
    if (wf.triggers.events.length > 0 && wf.triggers.events.every((e) => e === 'workflow_call')) return;
    let ml: { job: CiJob; activity: string } | undefined;
    for (const job of wf.jobs) {
      const activity = activityOf(job, wf);
      if (activity) {
        ml = { job, activity };
        break;
      }
    }
    if (!ml || (await testedBy(wf, ctx))) return;
    const cmd = repoTestCommand(ctx.workspace);
    const fix = wf.kind === 'github' ? githubFix(ctx.yaml, wf, ml.job, cmd) : wf.kind === 'gitlab' ? gitlabFix(ctx.yaml, wf, ml.job, cmd) : undefined;
    ctx.report({
      messageId: 'untested',
      data: { workflow: wf.name || basename(ctx.file), activity: ml.activity, job: ml.job.id, command: cmd.run },
      location: { range: ml.job.range },
      fixes: fix ? [fix] : [],
    });
  },
});
