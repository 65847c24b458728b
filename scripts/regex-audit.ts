// Every regular expression literal in src/, checked with the recheck ReDoS checker.
// A pattern whose matching time can grow exponentially, or as the cube of the input
// or faster, on some input fails the audit (exit 1): in the editor such a pattern
// freezes the extension host on a line someone is typing. Quadratic ones are listed
// as information: most read short strings (names, paths, one token).
// Usage: npm run audit:regex   (a few minutes: recheck tries attack strings on each)
import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkSync } from 'recheck';
import ts from 'typescript';

function sources(dir: string, out: string[] = []): string[] {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) sources(p, out);
    else if (p.endsWith('.ts')) out.push(p);
  }
  return out.sort();
}

/**
 * Patterns recheck flags whose cost is bounded anyway, each with the reason (keyed by
 * the pattern's text, so a changed pattern is checked again).
 */
const BOUNDED: Record<string, string> = {
  '/<[^>]{0,500}>/g': 'each attempt reads at most 500 characters after a `<`: linear in the text',
};

const root = path.resolve(__dirname, '..');
let count = 0;
const failed: string[] = [];
const quadratic: string[] = [];
const unknown: string[] = [];
for (const file of sources(path.join(root, 'src'))) {
  const sf = ts.createSourceFile(file, fs.readFileSync(file, 'utf8'), ts.ScriptTarget.Latest, true);
  const visit = (node: ts.Node): void => {
    if (node.kind === ts.SyntaxKind.RegularExpressionLiteral) {
      const text = node.getText(sf);
      const slash = text.lastIndexOf('/');
      const where = `${path.relative(root, file)}:${sf.getLineAndCharacterOfPosition(node.getStart(sf)).line + 1}`;
      count++;
      // `g` and `y` change where a match starts, not how long one attempt takes.
      const r = checkSync(text.slice(1, slash), text.slice(slash + 1).replace(/[gy]/g, ''), { timeout: 10_000 });
      const line = `${where}  ${text.length > 100 ? text.slice(0, 100) + '...' : text}`;
      if (r.status === 'vulnerable') {
        const c = r.complexity;
        if (BOUNDED[text] !== undefined) quadratic.push(`${line}  (bounded: ${BOUNDED[text]})`);
        else if (c.type === 'exponential' || c.degree >= 3) failed.push(`${c.type === 'exponential' ? 'exponential' : `degree ${c.degree}`}  ${line}`);
        else quadratic.push(line);
      } else if (r.status === 'unknown') unknown.push(line);
    }
    ts.forEachChild(node, visit);
  };
  visit(sf);
}
console.log(`${count} regular expressions in src/: ${failed.length} exponential or cubic and worse, ${quadratic.length} quadratic or bounded, ${unknown.length} not decided in time`);
if (process.argv.includes('--all')) {
  for (const l of quadratic) console.log(`quadratic  ${l}`);
  for (const l of unknown) console.log(`unknown  ${l}`);
}
for (const l of failed) console.log(`FAIL ${l}`);
process.exit(failed.length ? 1 : 0);
