// `npm run test:vscode`: the integration suite (test/vscode/suite) inside a real
// VS Code: code-server (the VS Code server + web workbench) driven by Debian's
// Chromium through playwright-core, with the smoke-test driver's payload starting
// the mocha tests in the extension host. See ../shared/docs/real-vscode-tests.md.
//
// Installs what it needs on first use, outside the clone, keyed by version:
//   $MLOPS_HYGIENE_VSCODE_TEST_CACHE (default ~/.cache/mlops-hygiene-vscode-test)
//     node-24/               npm package node@24 (binary + C headers for native builds)
//     code-server-4.139.1/   npm package code-server, built with that Node
// and, as root, the Debian packages chromium and libkrb5-dev.
//
// Environment: MLOPS_HYGIENE_VSCODE_TEST_TIMEOUT (seconds, default 600),
// MLOPS_HYGIENE_VSCODE_TEST_KEEP=1 keeps the run folder, MLOPS_HYGIENE_VSCODE_TEST_VERBOSE=1
// prints every workbench log line, CHROMIUM_PATH overrides the browser.
/* global process, console, fetch, setTimeout */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, statSync, unlinkSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { createServer } from 'node:net';
import { homedir, tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildSuite, prepareWorkspace, ROOT, writeUserSettings } from './vscode-tests-common.mjs';

const CODE_SERVER_VERSION = '4.139.1';
const NODE_MAJOR = 24;
const require = createRequire(import.meta.url);
const env = process.env;
const CACHE = env.MLOPS_HYGIENE_VSCODE_TEST_CACHE || join(env.XDG_CACHE_HOME || join(homedir(), '.cache'), 'mlops-hygiene-vscode-test');
const TIMEOUT_S = Number(env.MLOPS_HYGIENE_VSCODE_TEST_TIMEOUT || 600);
const VERBOSE = env.MLOPS_HYGIENE_VSCODE_TEST_VERBOSE === '1';
const KEEP = env.MLOPS_HYGIENE_VSCODE_TEST_KEEP === '1';
const started = Date.now();

function log(msg) {
  console.log(`[test:vscode ${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s] ${msg}`);
}

function fail(msg) {
  console.error(`[test:vscode] ${msg}`);
  process.exit(1);
}

// ---------------------------------------------------------------------------
// System packages.

const CHROMIUM_CANDIDATES = [env.CHROMIUM_PATH, '/usr/bin/chromium', '/usr/bin/chromium-browser'].filter(Boolean);

function findChromium() {
  return CHROMIUM_CANDIDATES.find((p) => existsSync(p));
}

function hasKrb5Dev() {
  return existsSync('/usr/include/krb5.h') || existsSync('/usr/include/krb5/krb5.h') || existsSync('/usr/include/gssapi/gssapi.h');
}

function ensureSystemPackages(needKrb5) {
  const missing = [];
  if (!findChromium()) missing.push('chromium');
  if (needKrb5 && !hasKrb5Dev()) missing.push('libkrb5-dev');
  if (!missing.length) return;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot) {
    fail(
      `missing Debian packages: ${missing.join(' ')}. Install them with \`sudo apt-get install -y ${missing.join(' ')}\` ` +
        `(chromium runs the VS Code workbench; libkrb5-dev is needed to build code-server's native module once), then run again.`,
    );
  }
  log(`installing ${missing.join(' ')} with apt-get...`);
  const aptEnv = { ...env, DEBIAN_FRONTEND: 'noninteractive' };
  const install = () => spawnSync('apt-get', ['install', '-y', '--no-install-recommends', ...missing], { stdio: 'inherit', env: aptEnv }).status === 0;
  if (!install()) {
    spawnSync('apt-get', ['update'], { stdio: 'inherit', env: aptEnv });
    if (!install()) fail(`apt-get could not install ${missing.join(' ')}.`);
  }
}

// ---------------------------------------------------------------------------
// Node 24 and code-server, cached outside the clone.

/**
 * The environment for a nested `npm install`: without the variables of the
 * `npm run` this script runs under (they would make install scripts use its Node),
 * with `nodeBin` (when given) first on PATH.
 */
function installEnv(nodeBinDir, extra = {}) {
  const out = {};
  for (const [k, v] of Object.entries(env)) {
    if (/^npm_/i.test(k) || k === 'NODE' || k === 'INIT_CWD') continue;
    out[k] = v;
  }
  const path = (env.PATH || '').split(':').filter((p) => p && !/node_modules[\\/]\.bin$/.test(p) && !/node-gyp-bin/.test(p));
  out.PATH = [nodeBinDir, ...path].filter(Boolean).join(':');
  return { ...out, ...extra };
}

function npmInstall(dir, spec, node) {
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, 'package.json'), JSON.stringify({ private: true, description: 'cache of scripts/vscode-tests.mjs' }));
  const args = ['install', '--no-audit', '--no-fund', '--no-package-lock', '--loglevel=error', spec];
  // npm itself runs on the Node the packages are for, so install scripts see that Node too.
  const npmCli = env.npm_execpath && existsSync(env.npm_execpath) ? env.npm_execpath : undefined;
  const [cmd, cmdArgs] = node && npmCli ? [node.bin, [npmCli, ...args]] : ['npm', args];
  const r = spawnSync(cmd, cmdArgs, {
    cwd: dir,
    stdio: ['ignore', 'inherit', 'inherit'],
    env: installEnv(node?.binDir, node?.headers ? { npm_config_nodedir: node.headers } : {}),
  });
  if (r.status !== 0) fail(`\`npm install ${spec}\` in ${dir} failed (exit ${r.status}).`);
  writeFileSync(join(dir, '.complete'), new Date().toISOString());
}

function ensureNode() {
  const dir = join(CACHE, `node-${NODE_MAJOR}`);
  const bin = join(dir, 'node_modules', 'node', 'bin', 'node');
  const ok = () => existsSync(join(dir, '.complete')) && existsSync(bin) && execFileSync(bin, ['-v']).toString().startsWith(`v${NODE_MAJOR}.`);
  if (!ok()) {
    log(`installing Node ${NODE_MAJOR} from npm into ${dir}...`);
    npmInstall(dir, `node@${NODE_MAJOR}`, undefined);
    if (!ok()) fail(`node@${NODE_MAJOR} did not install a working binary at ${bin}.`);
  }
  // The platform package next to the binary carries include/node for node-gyp.
  const platformDir = join(dir, 'node_modules', 'node', 'node_modules');
  const headers = readdirSync(platformDir)
    .map((d) => join(platformDir, d))
    .find((d) => existsSync(join(d, 'include', 'node', 'node.h')));
  return { bin, binDir: join(dir, 'node_modules', 'node', 'bin'), headers };
}

function codeServerEntry(dir) {
  return join(dir, 'node_modules', 'code-server', 'out', 'node', 'entry.js');
}

function ensureCodeServer(node) {
  const dir = join(CACHE, `code-server-${CODE_SERVER_VERSION}`);
  const entry = codeServerEntry(dir);
  if (existsSync(join(dir, '.complete')) && existsSync(entry)) return entry;
  if (!node.headers) fail(`node@${NODE_MAJOR} came without C headers (include/node); cannot build code-server's native modules.`);
  log(`installing code-server ${CODE_SERVER_VERSION} into ${dir} (about 2-6 minutes, 620 MB, once per machine)...`);
  npmInstall(dir, `code-server@${CODE_SERVER_VERSION}`, node);
  if (!existsSync(entry)) fail(`code-server did not install ${entry}.`);
  return entry;
}

// ---------------------------------------------------------------------------
// Helpers.

function freePort() {
  return new Promise((resolve, reject) => {
    const srv = createServer();
    srv.unref();
    srv.on('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

function sleep(ms) {
  return new Promise((r) => setTimeout(r, ms));
}

async function waitForHttp(url, timeoutMs, isAlive) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (!isAlive()) return false;
    try {
      const r = await fetch(url);
      if (r.ok) return true;
    } catch {
      // not listening yet
    }
    await sleep(250);
  }
  return false;
}

function vscodeSockets() {
  try {
    return new Set(readdirSync(tmpdir()).filter((f) => /^vscode-.*\.sock$/.test(f)));
  } catch {
    return new Set();
  }
}

/** Log lines that only say the machine is offline, or talk about chat, sign-in and telemetry. */
const NOISE = [
  /ENOTFOUND|EAI_AGAIN|getaddrinfo|ERR_NAME_NOT_RESOLVED|ERR_INTERNET_DISCONNECTED|net::ERR_|Failed to fetch|fetch failed/i,
  /marketplace|gallery|extensionsGallery|open-vsx|vscode-unpkg|update\.code\.visualstudio|vscode-cdn/i,
  /telemetry|sign[ -]?in|authentication|github\.com\/login|microsoft-authentication/i,
  /chat|copilot|agent|languageModel|mcp\b/i,
  /\[Extension Host\] (Debugger|Waiting for debugger)/i,
];

const WORKBENCH_CHATTER = [
  /^\s*at .*(workbench\.js|extensionHostProcess\.js|<anonymous>)/,
  /AccountPolicyGate|Resolv(ing|ed) connection token|Creating a socket|reconnection-grace-time|Updating additional builtin extensions cache|\[Service Worker\]/,
  /Extension host \(LocalWebWorker\)|DialogService: Dialog requested during smoke test/,
];

function isNoise(line) {
  return NOISE.some((re) => re.test(line)) || WORKBENCH_CHATTER.some((re) => re.test(line));
}

/** console.log-style formatting of the arguments the workbench forwards (`%s`, `%d`...). */
function formatLog(args) {
  const list = Array.isArray(args) ? [...args] : [args];
  const str = (a) => (typeof a === 'string' ? a : a === undefined ? 'undefined' : JSON.stringify(a));
  if (typeof list[0] !== 'string') return list.map(str).join(' ');
  let rest = list.slice(1);
  const head = list[0].replace(/%[sdifoOjc%]/g, (m) => {
    if (m === '%%') return '%';
    if (!rest.length) return m;
    const [a] = rest;
    rest = rest.slice(1);
    return m === '%c' ? '' : str(a);
  });
  return [head, ...rest.map(str)].join(' ');
}

// ---------------------------------------------------------------------------
// Screenshots requested by the suite: it writes signals/request-<n>.json and
// waits for response-<n>.json.

async function serveScreenshots(page, signals, stop) {
  const handled = new Set();
  while (!stop.done) {
    let files = [];
    try {
      files = readdirSync(signals).filter((f) => /^request-.+\.json$/.test(f) && !handled.has(f));
    } catch {
      // folder removed at the end
    }
    for (const f of files.sort()) {
      handled.add(f);
      const id = f.slice('request-'.length, -'.json'.length);
      let response;
      try {
        const req = JSON.parse(readFileSync(join(signals, f), 'utf8'));
        const dir = req.save === false ? signals : join(ROOT, 'media', 'screenshots');
        const out = join(dir, `${req.name}.png`);
        mkdirSync(dir, { recursive: true });
        if (req.selector) await page.locator(req.selector).first().waitFor({ state: 'visible', timeout: 15000 });
        const missing = [];
        for (const text of req.expectText ?? []) {
          const scope = req.selector ? page.locator(req.selector).first() : page.locator('body');
          try {
            await scope.getByText(text, { exact: false }).first().waitFor({ state: 'visible', timeout: 10000 });
          } catch {
            missing.push(text);
          }
        }
        await sleep(req.settleMs ?? 300);
        await page.screenshot({ path: out });
        response = { ok: missing.length === 0, path: out, missing, size: statSync(out).size };
        log(`${req.save === false ? 'checked' : 'screenshot'} ${req.name}.png (${(response.size / 1024).toFixed(0)} KB)${missing.length ? `; not visible: ${missing.join(', ')}` : ''}`);
      } catch (e) {
        response = { ok: false, error: String(e && e.message ? e.message : e) };
        log(`screenshot request ${f} failed: ${response.error}`);
      }
      const out = join(signals, `response-${id}.json`);
      writeFileSync(`${out}.tmp`, JSON.stringify(response));
      renameSync(`${out}.tmp`, out);
    }
    await sleep(150);
  }
}

// ---------------------------------------------------------------------------

async function main() {
  // 1. What is installed once per machine.
  let playwright;
  try {
    playwright = require('playwright-core');
  } catch {
    fail('playwright-core is not installed: run `npm install` (it is a devDependency).');
  }
  const csDir = join(CACHE, `code-server-${CODE_SERVER_VERSION}`);
  ensureSystemPackages(!existsSync(join(csDir, '.complete')));
  const node = ensureNode();
  const entry = ensureCodeServer(node);
  const chromium = findChromium();
  log(`code-server ${CODE_SERVER_VERSION} with Node ${execFileSync(node.bin, ['-v']).toString().trim()}; Chromium ${chromium}`);

  // 2. Build: the .vsix (production bundle) and the suite.
  const runDir = mkdtempSync(join(tmpdir(), 'mlops-hygiene-vscode-'));
  const vsix = join(runDir, 'mlops-hygiene.vsix');
  const pack = spawnSync(process.execPath, [join(ROOT, 'scripts', 'package-vsix.mjs'), '--out', vsix], { cwd: ROOT, encoding: 'utf8' });
  if (pack.status !== 0) {
    process.stdout.write(pack.stdout);
    process.stderr.write(pack.stderr);
    fail('packaging the extension failed.');
  }
  log(`packaged ${(statSync(vsix).size / 1024).toFixed(0)} KB .vsix`);
  const suite = await buildSuite();
  log(`built ${suite.tests} test file(s)`);

  // 3. A fresh VS Code profile with the .vsix installed.
  const { workspace, signals } = prepareWorkspace(runDir);
  const userData = join(runDir, 'user-data');
  const extensions = join(runDir, 'extensions');
  const config = join(runDir, 'code-server.yaml');
  writeFileSync(config, 'auth: none\ncert: false\n');
  writeUserSettings(userData);
  const serverEnv = {
    ...installEnv(node.binDir),
    // code-server keeps its own files under XDG folders: keep them in the run folder.
    XDG_DATA_HOME: join(runDir, 'xdg-data'),
    XDG_CONFIG_HOME: join(runDir, 'xdg-config'),
    XDG_CACHE_HOME: join(runDir, 'xdg-cache'),
    MLOPS_HYGIENE_TEST_SIGNALS: signals,
    // The labelled corpus next to the clone, when there is one: the suite measures its largest notebook.
    MLOPS_HYGIENE_CORPUS: env.MLOPS_HYGIENE_CORPUS || (existsSync(join(ROOT, '..', 'shared', 'corpus')) ? join(ROOT, '..', 'shared', 'corpus') : ''),
  };
  const common = ['--config', config, '--user-data-dir', userData, '--extensions-dir', extensions];
  const inst = spawnSync(node.bin, [entry, ...common, '--install-extension', vsix, '--force'], { env: serverEnv, encoding: 'utf8' });
  if (inst.status !== 0) {
    process.stdout.write(inst.stdout);
    process.stderr.write(inst.stderr);
    fail('`code-server --install-extension` failed.');
  }
  const pkg = JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8'));
  const installed = readdirSync(extensions).find((d) => d.toLowerCase().startsWith(`${pkg.publisher}.${pkg.name}-`.toLowerCase()));
  if (!installed) fail(`the .vsix did not install into ${extensions}.`);
  const extensionPath = join(extensions, installed);
  log(`installed ${installed}`);

  // 4. Server, browser, tests.
  const port = await freePort();
  const socketsBefore = vscodeSockets();
  const server = spawn(
    node.bin,
    [
      entry,
      ...common,
      '--bind-addr',
      `127.0.0.1:${port}`,
      '--auth',
      'none',
      '--disable-telemetry',
      '--disable-update-check',
      '--disable-workspace-trust',
      '--disable-getting-started-override',
      '--vscode-option',
      'enable-smoke-test-driver',
      workspace,
    ],
    { env: serverEnv, detached: true, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let serverExited = false;
  server.on('exit', () => (serverExited = true));
  const serverLog = [];
  const onServerOutput = (chunk) => {
    for (const line of chunk.toString().split('\n')) {
      if (!line.trim()) continue;
      serverLog.push(line);
      if (VERBOSE) console.log(`  [server] ${line}`);
    }
  };
  server.stdout.on('data', onServerOutput);
  server.stderr.on('data', onServerOutput);

  let browser;
  const stop = { done: false };
  const cleanup = async () => {
    stop.done = true;
    try {
      await browser?.close();
    } catch {
      // already gone
    }
    if (!serverExited && server.pid) {
      try {
        process.kill(-server.pid, 'SIGTERM'); // its process group: the server and its extension host
      } catch {
        // already gone
      }
      for (let i = 0; i < 30 && !serverExited; i++) await sleep(100);
      if (!serverExited) {
        try {
          process.kill(-server.pid, 'SIGKILL');
        } catch {
          // already gone
        }
      }
    }
    for (const s of vscodeSockets()) {
      if (socketsBefore.has(s)) continue;
      try {
        unlinkSync(join(tmpdir(), s));
      } catch {
        // removed by the server
      }
    }
    if (!KEEP) rmSync(runDir, { recursive: true, force: true });
    else log(`kept ${runDir}`);
  };
  const onSignal = async () => {
    await cleanup();
    process.exit(130);
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);

  let exitCode;
  try {
    if (!(await waitForHttp(`http://127.0.0.1:${port}/healthz`, 60000, () => !serverExited))) {
      console.error(serverLog.slice(-30).join('\n'));
      throw new Error('code-server did not start within 60 s.');
    }
    log(`code-server listening on 127.0.0.1:${port}`);
    browser = await playwright.chromium.launch({
      executablePath: chromium,
      headless: true,
      args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
    });
    const page = await (await browser.newContext({ viewport: { width: 1440, height: 900 } })).newPage();
    let resolveExit;
    const exited = new Promise((r) => (resolveExit = r));
    await page.exposeFunction('codeAutomationLog', (type, args) => {
      for (const line of formatLog(args).split('\n')) if (VERBOSE || !isNoise(line)) console.log(`  ${line}`);
    });
    await page.exposeFunction('codeAutomationExit', (code) => resolveExit(Number(code)));
    page.on('pageerror', (e) => VERBOSE && console.log(`  [page error] ${e.message}`));
    const remote = (p) => `vscode-remote://127.0.0.1:${port}${p}`;
    const payload = [
      ['extensionDevelopmentPath', remote(extensionPath)],
      ['extensionTestsPath', remote(suite.index)],
    ];
    const url = `http://127.0.0.1:${port}/?folder=${encodeURIComponent(workspace)}&payload=${encodeURIComponent(JSON.stringify(payload))}`;
    const screenshots = serveScreenshots(page, signals, stop);
    const testsStarted = Date.now();
    await page.goto(url);
    log('workbench loaded; running the suite in the extension host');
    const timeout = sleep(TIMEOUT_S * 1000).then(() => 'timeout');
    const result = await Promise.race([exited, timeout]);
    if (result === 'timeout') {
      await page.screenshot({ path: join(runDir, 'timeout.png') }).catch(() => undefined);
      throw new Error(`the suite did not finish within ${TIMEOUT_S} s (screenshot: ${join(runDir, 'timeout.png')}; set MLOPS_HYGIENE_VSCODE_TEST_KEEP=1 to keep it).`);
    }
    exitCode = result;
    stop.done = true;
    await screenshots;
    const resultsFile = join(signals, 'results.json');
    if (existsSync(resultsFile)) {
      const r = JSON.parse(readFileSync(resultsFile, 'utf8'));
      log(`suite: ${r.passes} passing, ${r.failures} failing, ${r.pending} pending in ${(r.durationMs / 1000).toFixed(1)} s (extension host)`);
      for (const [k, v] of Object.entries(r.metrics ?? {})) log(`metric ${k}: ${v}`);
    }
    log(`tests ran ${((Date.now() - testsStarted) / 1000).toFixed(1)} s; exit code ${exitCode}`);
  } catch (e) {
    console.error(`[test:vscode] ${e && e.message ? e.message : e}`);
    exitCode = 1;
  } finally {
    await cleanup();
  }
  log(exitCode === 0 ? 'PASSED' : 'FAILED');
  process.exit(exitCode);
}

main().catch((e) => fail(e && e.stack ? e.stack : String(e)));
