// One esbuild context per entry (CLI, benchmark and corpus scripts; the extension
// entry is added with the extension). `--watch` rebuilds; `--production` minifies.
import * as esbuild from 'esbuild';
import { copyFileSync, existsSync, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';

const require = createRequire(import.meta.url);
const pkg = JSON.parse(readFileSync('package.json', 'utf8'));
const production = process.argv.includes('--production');
const watch = process.argv.includes('--watch');

const entries = [
  { in: 'src/cli/entry.ts', out: 'cli' },
  { in: 'scripts/eval-corpus.ts', out: 'eval-corpus' },
  { in: 'scripts/bench.ts', out: 'bench' },
].filter((e) => existsSync(e.in));
if (existsSync('src/extension/extension.ts')) entries.push({ in: 'src/extension/extension.ts', out: 'extension' });

/** web-tree-sitter's ESM build reads import.meta.url, undefined in CJS: use its CJS build. */
const webTreeSitterCjs = require.resolve('web-tree-sitter').replace(/\.js$/, '.cjs');

const problemMatcherLog = {
  name: 'log',
  setup(build) {
    build.onEnd((result) => {
      for (const { text, location } of [...result.errors, ...result.warnings]) {
        console.error(`✘ [ERROR] ${text}`);
        if (location) console.error(`    ${location.file}:${location.line}:${location.column}:`);
      }
    });
  },
};

function copyWasm() {
  mkdirSync('dist', { recursive: true });
  copyFileSync(join(dirname(webTreeSitterCjs), 'web-tree-sitter.wasm'), 'dist/web-tree-sitter.wasm');
  copyFileSync(require.resolve('tree-sitter-python/tree-sitter-python.wasm'), 'dist/tree-sitter-python.wasm');
}

const contexts = await Promise.all(
  entries.map((e) =>
    esbuild.context({
      entryPoints: [{ in: e.in, out: e.out }],
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      outdir: 'dist',
      external: ['vscode'],
      alias: { 'web-tree-sitter': webTreeSitterCjs },
      sourcemap: !production,
      minify: production,
      logLevel: 'warning',
      plugins: [problemMatcherLog],
      define: { PACKAGE_VERSION: JSON.stringify(pkg.version), ...(e.out === 'cli' ? { MLOPS_HYGIENE_BUNDLED_CLI: 'true' } : {}) },
      banner: e.out === 'cli' ? { js: '#!/usr/bin/env node' } : undefined,
    }),
  ),
);

copyWasm();
if (watch) {
  await Promise.all(contexts.map((c) => c.watch()));
} else {
  await Promise.all(contexts.map((c) => c.rebuild()));
  await Promise.all(contexts.map((c) => c.dispose()));
}
