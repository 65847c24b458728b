// Writes schema/mlops-hygiene.schema.json from the typed config schema
// (src/core/config/schema.ts) and the rule registry. Usage:
//   npx tsx scripts/gen-schema.ts            write the file
//   npx tsx scripts/gen-schema.ts --check    exit 1 when the committed file is stale
import * as fs from 'node:fs';
import * as path from 'node:path';
import { JSON_SCHEMA_FILE, renderConfigJsonSchema } from '../src/core/config/schema';

const target = path.resolve(__dirname, '..', ...JSON_SCHEMA_FILE.split('/'));
const text = renderConfigJsonSchema();
const current = fs.existsSync(target) ? fs.readFileSync(target, 'utf8') : undefined;

if (process.argv.includes('--check')) {
  if (current !== text) {
    console.error(`${JSON_SCHEMA_FILE} is stale: run \`npx tsx scripts/gen-schema.ts\`.`);
    process.exit(1);
  }
  console.log(`${JSON_SCHEMA_FILE} is up to date.`);
} else if (current === text) {
  console.log(`${JSON_SCHEMA_FILE} is up to date.`);
} else {
  fs.mkdirSync(path.dirname(target), { recursive: true });
  fs.writeFileSync(target, text);
  console.log(`wrote ${JSON_SCHEMA_FILE}`);
}
