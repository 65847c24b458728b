// The registry keeps its promises (design.md, "A rule is one file"): ids, files,
// docs, messages, tests, fixed ids, generated docs, and every rule reports its own
// docs Example and stays quiet on its Use instead.
import * as assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { planDocs, renderReadmeTable, renderRuleDocs, replaceReadmeTable } from '../scripts/gen-docs';
import type { Rule, RuleDocs } from '../src/core/rule';
import { RULES } from '../src/core/rules';
import { lintCase, type TestCase } from './helpers/rule-tester';

const ROOT = path.resolve(__dirname, '..');
const AREAS = ['data', 'validation', 'monitoring', 'reproducibility', 'governance', 'hygiene'];
const KEBAB = /^[a-z][a-z0-9]*(-[a-z0-9]+)*$/;

/** Ids marked **fixed** in rules-catalog.md: outside evaluations depend on them. */
const FIXED_IDS = [
  'untracked-data-read',
  'unpinned-remote-data',
  'absolute-data-path',
  'unvalidated-data-load',
  'missing-holdout-split',
  'untracked-experiment',
  'deployment-without-monitoring',
  'unseeded-randomness',
  'unpinned-install',
  'out-of-order-execution',
  'hardcoded-secret',
  'error-output-committed',
  'invalid-notebook',
  'invalid-yaml',
  'python-syntax-error',
];

/** Reported by the engine (parsing, suppressions): tested in test/engine/ as well as, or instead of, test/rules/. */
const ENGINE_RULES = new Set(['invalid-notebook', 'invalid-yaml', 'unused-suppression']);

const TODO = /\bTODO\b/;

function ruleFile(rule: Rule): string {
  return path.join(ROOT, 'src/core/rules', rule.meta.area, `${rule.meta.id}.ts`);
}

/** The docs example as a lint case: Python in `main.py`, YAML in `config.yaml` unless the docs name a file. */
function docsCase(e: RuleDocs['example']): TestCase {
  const files = (e as { files?: Record<string, string> }).files;
  return e.language === 'yaml'
    ? { text: e.code, file: e.file ?? 'config.yaml', files }
    : { code: e.code, file: e.file ?? 'main.py', files };
}

function docsStrings(d: RuleDocs): Array<[string, string]> {
  const out: Array<[string, string]> = [
    ['summary', d.summary],
    ['whatItDoes', d.whatItDoes],
    ['whyIsThisBad', d.whyIsThisBad],
    ['example.code', d.example.code],
    ['useInstead.code', d.useInstead.code],
    ['fixSafety', d.fixSafety],
  ];
  if (d.notebookBehavior !== undefined) out.push(['notebookBehavior', d.notebookBehavior]);
  if (d.options !== undefined) out.push(['options', d.options]);
  d.references.forEach((r, i) => out.push([`references[${i}]`, r]));
  return out;
}

describe('rule registry (meta)', () => {
  it('has rules', () => {
    assert.ok(RULES.length > 0);
  });

  it('ids are unique kebab-case', () => {
    const seen = new Set<string>();
    for (const r of RULES) {
      assert.match(r.meta.id, KEBAB, `rule id "${r.meta.id}" is not kebab-case`);
      assert.ok(!seen.has(r.meta.id), `duplicate rule id ${r.meta.id}`);
      seen.add(r.meta.id);
    }
  });

  it('is sorted by id', () => {
    const ids = RULES.map((r) => r.meta.id);
    const sortedIds = [...ids].sort();
    assert.deepEqual(ids, sortedIds, 'src/core/rules/index.ts must list the rules sorted by id');
  });

  it('every fixed catalog id is registered with fixedId: true', () => {
    const missing = FIXED_IDS.filter((id) => !RULES.some((r) => r.meta.id === id));
    assert.deepEqual(missing, [], `fixed catalog ids missing from the registry: ${missing.join(', ')}`);
    const unmarked = FIXED_IDS.filter((id) => RULES.find((r) => r.meta.id === id)?.meta.fixedId !== true);
    assert.deepEqual(unmarked, [], `fixed ids without fixedId: true: ${unmarked.join(', ')}`);
    const extra = RULES.filter((r) => r.meta.fixedId && !FIXED_IDS.includes(r.meta.id)).map((r) => r.meta.id);
    assert.deepEqual(extra, [], `fixedId: true on ids the catalog does not mark fixed: ${extra.join(', ')}`);
  });

  it('every rule file under src/core/rules/<area>/ is registered', () => {
    const registered = new Set(RULES.map((r) => path.relative(ROOT, ruleFile(r)).split(path.sep).join('/')));
    const unregistered: string[] = [];
    for (const area of AREAS) {
      const dir = path.join(ROOT, 'src/core/rules', area);
      if (!fs.existsSync(dir)) continue;
      for (const f of fs.readdirSync(dir).filter((n) => n.endsWith('.ts')).sort()) {
        const rel = `src/core/rules/${area}/${f}`;
        if (!registered.has(rel)) unregistered.push(rel);
      }
    }
    assert.deepEqual(unregistered, [], `rule files not in src/core/rules/index.ts: ${unregistered.join(', ')}`);
  });

  for (const rule of RULES) {
    const id = rule.meta.id;
    const d = rule.meta.docs;
    describe(id, () => {
      it(`lives in src/core/rules/<area>/${id}.ts with a matching area`, () => {
        assert.ok(AREAS.includes(rule.meta.area), `unknown area ${rule.meta.area}`);
        const file = ruleFile(rule);
        assert.ok(fs.existsSync(file), `expected the rule in ${path.relative(ROOT, file)}`);
        // eslint-disable-next-line @typescript-eslint/no-require-imports
        const mod = require(file) as { default?: Rule };
        assert.equal(mod.default, rule, `${path.relative(ROOT, file)} must default-export this rule (meta.area "${rule.meta.area}")`);
      });

      it('has targets and messages', () => {
        assert.ok(rule.meta.targets.length > 0, 'no targets');
        const messages = Object.entries(rule.meta.messages);
        assert.ok(messages.length > 0, 'no messages');
        for (const [k, v] of messages) {
          assert.ok(v.trim() !== '', `message ${k} is empty`);
          assert.doesNotMatch(v, TODO, `message ${k} is a TODO`);
        }
      });

      it('has every docs section filled in (no TODO)', () => {
        for (const [k, v] of docsStrings(d)) {
          assert.ok(v.trim() !== '', `docs.${k} is empty`);
          assert.doesNotMatch(v, TODO, `docs.${k} still says TODO`);
        }
        assert.ok(d.references.length > 0, 'docs.references is empty');
        assert.ok(!d.summary.includes('\n'), 'docs.summary must be one line');
      });

      it('documents its options', () => {
        const opts = Object.keys(rule.meta.options ?? {});
        if (opts.length === 0) return;
        assert.ok(d.options && d.options.trim() !== '', `the rule has options (${opts.join(', ')}) but no docs.options`);
      });

      it('has a test file', () => {
        const own = path.join(ROOT, 'test/rules', `${id}.test.ts`);
        if (fs.existsSync(own)) return;
        if (ENGINE_RULES.has(id)) {
          const engineDir = path.join(ROOT, 'test/engine');
          const mentions = fs.existsSync(engineDir)
            ? fs.readdirSync(engineDir).filter((f) => f.endsWith('.test.ts') && fs.readFileSync(path.join(engineDir, f), 'utf8').includes(id))
            : [];
          assert.ok(mentions.length > 0, `expected test/rules/${id}.test.ts or a test/engine/*.test.ts mentioning ${id}`);
          return;
        }
        assert.fail(`expected test/rules/${id}.test.ts`);
      });

      it('reports its docs Example', async () => {
        const r = await lintCase(rule, docsCase(d.example));
        const crashes = r.findings.filter((f) => f.message.startsWith('Internal error'));
        assert.deepEqual(crashes.map((f) => f.message), [], 'the rule crashed on its Example');
        assert.ok(
          r.findings.some((f) => f.rule === id),
          `docs.example of ${id} does not make it report (file ${docsCase(d.example).file}); findings: ${JSON.stringify(r.findings.map((f) => f.message))}`,
        );
      });

      it('does not report its docs Use instead', async () => {
        const r = await lintCase(rule, docsCase(d.useInstead));
        const mine = r.findings.filter((f) => f.rule === id);
        assert.deepEqual(
          mine.map((f) => `${f.location.cell === undefined ? '' : `cell ${f.location.cell} `}${f.location.range.start.line + 1}:${f.location.range.start.character + 1} ${f.message}`),
          [],
          `docs.useInstead of ${id} makes it report`,
        );
      });
    });
  }
});

describe('generated docs', () => {
  it('docs/rules/*.md and the README table are up to date', () => {
    const plan = planDocs(ROOT);
    assert.deepEqual(
      plan.stale.map((s) => `${s.path} (${s.reason})`),
      [],
      `generated docs are stale: run \`npm run docs\`${plan.notes.length ? '\n' + plan.notes.join('\n') : ''}`,
    );
  });

  it('renders every rule once, deterministically', () => {
    const a = renderRuleDocs(RULES);
    const b = renderRuleDocs([...RULES].reverse());
    assert.deepEqual(a, b);
    assert.equal(a.length, RULES.length + 1);
    for (const r of RULES) {
      const doc = a.find((f) => f.path === `docs/rules/${r.meta.id}.md`);
      assert.ok(doc, `no page for ${r.meta.id}`);
      for (const h of ['## What it does', '## Why is this bad?', '## Example', '## Use instead', '## Fix safety', '## References', '## Suppress it']) {
        assert.ok(doc.content.includes(h), `${doc.path} lacks ${h}`);
      }
    }
  });

  it('replaces only what is between the README markers', () => {
    const table = renderReadmeTable(RULES);
    const readme = '# x\n\nintro\n<!-- rules-table:start -->\nold\n<!-- rules-table:end -->\n\nrest\n';
    const out = replaceReadmeTable(readme, table);
    assert.ok(out);
    assert.ok(out.startsWith('# x\n\nintro\n<!-- rules-table:start -->\n'));
    assert.ok(out.endsWith('\n<!-- rules-table:end -->\n\nrest\n'));
    assert.ok(!out.includes('\nold\n'));
    assert.equal(replaceReadmeTable(out, table), out, 'idempotent');
    assert.equal(replaceReadmeTable('# no markers\n', table), undefined);
  });
});
