// Shared by the two launchers of the integration suite (test/vscode/suite):
// scripts/vscode-tests.mjs (code-server + Chromium, runs here) and
// scripts/vscode-tests-electron.mjs (desktop VS Code via @vscode/test-electron).
import * as esbuild from 'esbuild';
import { cpSync, existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const SUITE_DIR = join(ROOT, 'test', 'vscode', 'suite');
export const FIXTURE_WORKSPACE = join(ROOT, 'test', 'vscode', 'fixtures', 'workspace');
/** Inside the clone (so `require('mocha')` resolves from node_modules) but git-ignored. */
export const TESTS_OUT = join(ROOT, '.cache', 'vscode-tests', 'out');

/**
 * Bundles the suite: one file per `*.e2e.ts` (mocha loads each with its own
 * `describe` globals) plus the `index.ts` entry VS Code calls. `vscode` and
 * `mocha` stay external: the extension host provides one, node_modules the other.
 */
export async function buildSuite() {
  rmSync(TESTS_OUT, { recursive: true, force: true });
  mkdirSync(TESTS_OUT, { recursive: true });
  const tests = readdirSync(SUITE_DIR).filter((f) => f.endsWith('.e2e.ts'));
  await esbuild.build({
    entryPoints: [join(SUITE_DIR, 'index.ts'), ...tests.map((f) => join(SUITE_DIR, f))],
    outdir: TESTS_OUT,
    bundle: true,
    platform: 'node',
    format: 'cjs',
    target: 'node20',
    sourcemap: 'inline',
    external: ['vscode', 'mocha'],
    logLevel: 'warning',
  });
  return { index: join(TESTS_OUT, 'index.js'), tests: tests.length };
}

/**
 * A fresh copy of the fixture workspace plus a `signals` folder next to it, which
 * the suite finds from the workspace path (screenshot requests, results). Without
 * a signals folder the suite skips screenshots.
 */
export function prepareWorkspace(runDir, { signals: withSignals = true } = {}) {
  const workspace = join(runDir, 'workspace');
  const signals = join(runDir, 'signals');
  cpSync(FIXTURE_WORKSPACE, workspace, { recursive: true });
  if (withSignals) mkdirSync(signals, { recursive: true });
  return { workspace, signals: withSignals ? signals : undefined };
}

/** User settings that keep a test window quiet and deterministic. */
export function writeUserSettings(userDataDir, extra = {}) {
  const dir = join(userDataDir, 'User');
  mkdirSync(dir, { recursive: true });
  const settings = {
    'workbench.startupEditor': 'none',
    'workbench.tips.enabled': false,
    'workbench.welcomePage.walkthroughs.openOnInstall': false,
    'workbench.enableExperiments': false,
    'extensions.autoUpdate': false,
    'extensions.autoCheckUpdates': false,
    'extensions.ignoreRecommendations': true,
    'telemetry.telemetryLevel': 'off',
    'update.mode': 'none',
    'chat.disableAIFeatures': true,
    'chat.commandCenter.enabled': false,
    'security.workspace.trust.enabled': false,
    'files.autoSave': 'off',
    'git.enabled': false,
    'window.commandCenter': false,
    'notebook.experimental.generate': false,
    'workbench.secondarySideBar.defaultVisibility': 'hidden',
    'workbench.auxiliaryBar.hidden': true,
    ...extra,
  };
  writeFileSync(join(dir, 'settings.json'), JSON.stringify(settings, null, 2));
}

export function exists(p) {
  return existsSync(p);
}
