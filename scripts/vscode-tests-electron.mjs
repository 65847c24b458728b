// `npm run test:electron`: the same integration suite (test/vscode/suite) in desktop
// VS Code, downloaded by @vscode/test-electron. For machines that can reach
// Microsoft's update server; it cannot run where only the npm registry is
// reachable (use `npm run test:vscode` there). Screenshots are skipped here: they
// need the browser that scripts/vscode-tests.mjs drives.
//
// Environment: VSCODE_TEST_VERSION (default `stable`), MLOPS_HYGIENE_VSCODE_TEST_GREP.
/* global process, console */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runTests } from '@vscode/test-electron';
import { buildSuite, prepareWorkspace, ROOT, writeUserSettings } from './vscode-tests-common.mjs';

const build = spawnSync(process.execPath, [join(ROOT, 'esbuild.config.mjs')], { cwd: ROOT, stdio: 'inherit' });
if (build.status !== 0) process.exit(build.status ?? 1);
const suite = await buildSuite();
const runDir = mkdtempSync(join(tmpdir(), 'mlops-hygiene-electron-'));
const { workspace } = prepareWorkspace(runDir, { signals: false });
const userData = join(runDir, 'user-data');
writeUserSettings(userData);

let code;
try {
  code = await runTests({
    version: process.env.VSCODE_TEST_VERSION || 'stable',
    extensionDevelopmentPath: ROOT,
    extensionTestsPath: suite.index,
    launchArgs: [workspace, '--disable-extensions', '--disable-workspace-trust', '--skip-welcome', '--skip-release-notes', '--user-data-dir', userData],
    extensionTestsEnv: { MLOPS_HYGIENE_VSCODE_TEST_GREP: process.env.MLOPS_HYGIENE_VSCODE_TEST_GREP ?? '' },
  });
} catch (e) {
  console.error(`test:electron: ${e && e.message ? e.message : e}`);
  code = 1;
} finally {
  rmSync(runDir, { recursive: true, force: true });
}
process.exit(code);
