// Writes the generated parts of the VS Code extension: snippets/*.json (from
// src/core/templates.ts) and package.json `contributes.configuration` (from the
// engine's typed config schema). Usage:
//   node --import tsx scripts/gen-contributions.ts           write them
//   node --import tsx scripts/gen-contributions.ts --check   exit 1 when stale
import * as fs from 'node:fs';
import * as path from 'node:path';
import { configurationContribution, snippetFiles } from '../src/extension/manifest';

const root = path.resolve(__dirname, '..');
const check = process.argv.includes('--check');
const stale: string[] = [];

function sync(rel: string, text: string): void {
  const file = path.join(root, ...rel.split('/'));
  const current = fs.existsSync(file) ? fs.readFileSync(file, 'utf8') : undefined;
  if (current === text) return;
  stale.push(rel);
  if (check) return;
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, text);
  console.log(`wrote ${rel}`);
}

for (const [rel, text] of Object.entries(snippetFiles())) sync(rel, text);

// package.json: only `contributes.configuration` is generated; every other key is kept as is.
const pkgText = fs.readFileSync(path.join(root, 'package.json'), 'utf8');
const pkg = JSON.parse(pkgText) as { contributes?: Record<string, unknown> };
pkg.contributes = { ...(pkg.contributes ?? {}), configuration: configurationContribution() };
sync('package.json', JSON.stringify(pkg, null, 2) + '\n');

if (check && stale.length) {
  console.error(`stale: ${stale.join(', ')}; run \`npm run snippets\`.`);
  process.exit(1);
}
if (!stale.length) console.log('snippets and contributes.configuration are up to date.');
