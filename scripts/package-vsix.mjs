// `npm run package`: production build, then a .vsix made by @vscode/vsce from the
// allow-list in .vscodeignore.
//
// vsce refuses a package.json that has both a `files` list (ours is for the npm
// package of the CLI) and a .vscodeignore. So the extension is staged in a
// scratch folder with a manifest without `files`, and packaged from there; the
// allow-list decides what goes in, as it would in the repository.
//
// Usage: node scripts/package-vsix.mjs [--out <file.vsix>] [--skip-build]
/* global process, console */
import { spawnSync } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const require = createRequire(import.meta.url);
const args = process.argv.slice(2);
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
const outArg = args.indexOf('--out');
const out = resolve(root, outArg >= 0 ? args[outArg + 1] : `${pkg.name}-${pkg.version}.vsix`);
const MAX_BYTES = 3 * 1024 * 1024;

function run(cmd, cmdArgs, cwd) {
  const r = spawnSync(cmd, cmdArgs, { cwd, stdio: 'inherit' });
  if (r.status !== 0) {
    console.error(`package: \`${[cmd, ...cmdArgs].join(' ')}\` failed (exit ${r.status ?? r.signal}).`);
    process.exit(r.status ?? 1);
  }
}

if (!args.includes('--skip-build')) run(process.execPath, [join(root, 'esbuild.config.mjs'), '--production'], root);

// Staging: everything the allow-list could let in; vsce then applies .vscodeignore.
const stage = join(root, '.cache', 'vsix-stage');
rmSync(stage, { recursive: true, force: true });
mkdirSync(stage, { recursive: true });
const candidates = ['.vscodeignore', 'README.md', 'CHANGELOG.md', 'LICENSE', 'LICENSE.md', 'dist/extension.js', 'dist/web-tree-sitter.wasm', 'dist/tree-sitter-python.wasm', 'media', 'snippets', 'schema'];
for (const c of candidates) {
  const from = join(root, c);
  if (existsSync(from)) cpSync(from, join(stage, c), { recursive: true });
}
for (const required of ['dist/extension.js', 'dist/web-tree-sitter.wasm', 'dist/tree-sitter-python.wasm', 'schema/mlops-hygiene.schema.json']) {
  if (!existsSync(join(stage, required))) {
    console.error(`package: ${required} is missing; run the build (and \`npm run schema\`) first.`);
    process.exit(1);
  }
}
const manifest = { ...pkg };
delete manifest.files; // the npm package's list, see above
delete manifest.bin;
delete manifest.devDependencies;
delete manifest.dependencies; // bundled into dist/extension.js
writeFileSync(join(stage, 'package.json'), JSON.stringify(manifest, null, 2) + '\n');

const vsce = join(dirname(require.resolve('@vscode/vsce/package.json')), 'vsce');
run(process.execPath, [vsce, 'package', '--no-dependencies', '--skip-license', '--allow-missing-repository', '--out', out], stage);

const size = statSync(out).size;
console.log(`package: ${relative(root, out)} is ${(size / 1024 / 1024).toFixed(2)} MB (${size} bytes).`);
if (size > MAX_BYTES) {
  console.error(`package: the .vsix is larger than ${MAX_BYTES / 1024 / 1024} MB.`);
  process.exit(1);
}
