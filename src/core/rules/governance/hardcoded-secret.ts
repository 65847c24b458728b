import { isMap, isScalar, type Scalar } from 'yaml';
import { cellFirstLine, type NotebookCell, type NotebookOutput } from '../../parse/notebook';
import { unitLocation, type PythonProgram, type PythonUnit } from '../../parse/program';
import type { StringFact } from '../../parse/python';
import { getNode, offsetsToRange, walkScalars, type YamlFile } from '../../parse/yaml';
import { defineRule, type RuleContext } from '../../rule';
import { LineIndex, maskSecret } from '../../text';
import type { Fix, Range, TextEdit } from '../../types';
import { assignedSecretKind, envVarName, mayHoldProviderTokens, mergeHits, nameWords, scanAssignments, scanProviderTokens, SECRET_WORD, secretSigns, SIGN_TOKEN, SIGN_WORD, type SecretHit } from '../lib/secrets';
import { TextCache, unitMemo } from '../lib/value-resolver';

/** Output texts larger than this are scanned only up to it (base64 images are skipped anyway). */
const MAX_OUTPUT_CHARS = 200_000;
/** Mime types of outputs that can show text (images and widgets cannot). */
const TEXT_MIMES = ['text/plain', 'text/markdown', 'application/json', 'text/html'];

/** Names too generic to become an environment variable name when the provider has a better one. */
const GENERIC_WORDS = new Set(['token', 'key', 'api', 'password', 'secret', 'pass', 'pwd', 'value', 'auth', 'access', 'credential']);

function describe(hit: SecretHit, text: string): Record<string, string> {
  return { kind: hit.kind, masked: maskSecret(text.slice(hit.start, hit.end)) };
}

// ---------------------------------------------------------------------------
// Python (cells and .py files)

/** Length of the opening quote run and prefix of a string literal's source. */
function literalContentStart(text: string, s: StringFact): number | undefined {
  const src = text.slice(s.span.start, s.span.end);
  const m = /^([rRbBuU]{0,2})("""|'''|"|')/.exec(src);
  if (!m) return undefined;
  const close = m[2];
  // Only a single literal whose contents are exactly its value (no implicit concatenation).
  if (src.length !== m[0].length + s.value.length + close.length || !src.endsWith(close)) return undefined;
  return s.span.start + m[0].length;
}

/** Where a string literal's value goes: the variable, keyword or dict key it is bound to. */
interface Binding {
  name?: string;
  /** `os.environ["X"] = "..."`: the fix removes the statement instead. */
  environStatement?: { start: number; end: number };
}

function bindingOf(unit: PythonUnit, s: StringFact): Binding {
  const f = unit.facts;
  for (const a of f.assignments) {
    if (a.valueSpan.start !== s.span.start || a.valueSpan.end !== s.span.end || a.targets.length !== 1) continue;
    const t = a.targets[0];
    // (Targets arrive with a trailing `]` trimmed.)
    const env = /(?:^|\.)environ\s*\[\s*["']([^"']+)["']\s*\]?$/.exec(t);
    if (env) return { name: env[1], environStatement: a.span };
    const sub = /\[\s*["']([^"']+)["']\s*\]?$/.exec(t);
    return { name: sub ? sub[1] : t.replace(/\s*:.*$/, '') };
  }
  for (const c of f.calls) {
    for (const arg of c.args) {
      if (arg.valueSpan.start === s.span.start && arg.valueSpan.end === s.span.end) {
        if (/(?:^|\.)(?:environ\.setdefault|putenv)$/.test(c.callee)) return {};
        return { name: arg.name };
      }
    }
  }
  const before = unit.text.slice(Math.max(0, s.span.start - 120), s.span.start);
  const key = /["']([\w.-]+)["']\s*:\s*$/.exec(before) ?? /(?<![\w.])([A-Za-z_]\w*)\s*(?::\s*[\w.[\], ]+)?=\s*$/.exec(before);
  return { name: key?.[1] };
}

/** How the module or cell refers to `os`, or undefined when it must be imported. */
function osAlias(program: PythonProgram | undefined, unit: PythonUnit): string | undefined {
  for (const u of program?.units ?? [unit]) {
    if (unit.cell !== undefined && u.cell !== undefined && u.cell > unit.cell) break;
    const imp = u.facts.imports.find((i) => i.module === 'os' && !i.name);
    if (imp) return imp.alias;
  }
  return undefined;
}

/** Where `import os` goes: after a shebang, encoding line, module docstring and `__future__` imports. */
function importOffset(unit: PythonUnit): number {
  const text = unit.text;
  const head = /^(?:#![^\n]*\n)?(?:#[^\n]*coding[:=][^\n]*\n)?/.exec(text);
  let at = head ? head[0].length : 0;
  // A cell magic (`%%time`) must stay on the first line.
  if (unit.cell !== undefined && /^\s*%%/.test(text)) {
    const nl = text.indexOf('\n');
    return nl < 0 ? text.length : nl + 1;
  }
  const doc = /^\s*(?:[rRuU]?(?:"""[\s\S]*?"""|'''[\s\S]*?'''))[^\n]*\n/.exec(text.slice(at));
  if (doc && unit.cell === undefined) at += doc[0].length;
  // `from __future__ import ...` must stay first (tree-sitter has no import fact for it).
  for (const m of text.matchAll(/^from[ \t]+__future__[ \t]+import\b[^\n]*(?:\n|$)/gm)) at = Math.max(at, (m.index ?? 0) + m[0].length);
  return at;
}

function pythonFix(ctx: RuleContext, unit: PythonUnit, hit: SecretHit): Fix | undefined {
  const facts = unit.facts;
  const s = facts.strings.find((x) => !x.fString && x.span.start <= hit.start && hit.end <= x.span.end);
  if (!s) return undefined;
  const contentStart = literalContentStart(unit.text, s);
  if (contentStart === undefined) return undefined;
  const whole = contentStart === hit.start && hit.end - hit.start === s.value.length;
  const binding = bindingOf(unit, s);
  const edit = (start: number, end: number, newText: string): TextEdit => ({ cell: unit.cell, range: unit.lines.rangeOf(start, end), newText });
  if (binding.environStatement) {
    // `os.environ["HF_TOKEN"] = "hf_..."`: the variable belongs in the environment, not in the code.
    const st = binding.environStatement;
    const lineStart = unit.text.lastIndexOf('\n', st.start - 1) + 1;
    const nl = unit.text.indexOf('\n', st.end);
    const lineEnd = nl < 0 ? unit.text.length : nl + 1;
    if (unit.text.slice(lineStart, st.start).trim() !== '' || unit.text.slice(st.end, lineEnd).trim().replace(/^#.*$/, '') !== '') return undefined;
    return { title: `Remove the hard-coded ${binding.name} (set it in the environment instead)`, safety: 'unsafe', edits: [edit(lineStart, lineEnd, '')] };
  }
  let name: string | undefined;
  if (binding.name && !(hit.envName && nameWords(binding.name).every((w) => GENERIC_WORDS.has(w)))) name = envVarName(binding.name);
  else if (hit.envName && (whole || !binding.name)) name = hit.envName;
  else if (binding.name) name = envVarName(binding.name);
  if (!name || (!whole && !binding.name)) return undefined;
  const alias = osAlias(ctx.python, unit);
  const edits: TextEdit[] = [edit(s.span.start, s.span.end, `${alias ?? 'os'}.environ["${name}"]`)];
  if (!alias) {
    const at = importOffset(unit);
    edits.push(edit(at, at, `${at > 0 && unit.text[at - 1] !== '\n' ? '\n' : ''}import os\n`));
  }
  return { title: `Read ${name} from the environment`, safety: 'unsafe', edits };
}

/** Offsets of a magic's text in the unit. */
function magicSpans(unit: PythonUnit): Array<{ start: number; end: number }> {
  return unit.magics.map((m) => ({ start: unit.lines.offsetAt(m.range.start), end: unit.lines.offsetAt(m.range.end) }));
}

/** Drops hits on comment lines (`# password = "..."` templates); provider tokens count everywhere. */
function notInComment(text: string, h: SecretHit): boolean {
  if (h.via === 'provider') return true;
  const lineStart = text.lastIndexOf('\n', h.start - 1) + 1;
  return !/^\s*(?:#|\/\/)/.test(text.slice(lineStart, h.start));
}

/** Secret assignments in a Python unit that has a secret-like word (`SIGN_WORD`), read through its facts so only real literals count. */
function pythonAssignments(unit: PythonUnit): SecretHit[] {
  const text = unit.text;
  if (unit.facts.syntaxError) return scanAssignments(text, 'shell').filter((h) => notInComment(text, h));
  const hits: SecretHit[] = [];
  const literals = unit.facts.strings.filter((s) => !s.fString);
  // `name = "value"`, keyword arguments, dict entries: the value must be a whole literal.
  for (const h of scanAssignments(text, 'code')) {
    const s = literals.find((x) => x.span.start < h.start && h.end < x.span.end && x.value === text.slice(h.start, h.end));
    if (s && literalContentStart(text, s) === h.start) hits.push(h);
  }
  // `"host=db user=u password=p"`, `"--token abc"`: inside a literal.
  for (const s of literals) {
    if (!SECRET_WORD.test(s.value)) continue;
    const at = literalContentStart(text, s);
    if (at === undefined) continue;
    for (const h of scanAssignments(s.value, 'data')) hits.push({ ...h, start: h.start + at, end: h.end + at });
  }
  // Shell escapes and line magics (`!export HF_TOKEN=...`, `%env KEY=...`), cell magics (`%%bash`, `%%writefile`).
  for (const m of unit.magics.length ? magicSpans(unit) : []) {
    const piece = text.slice(m.start, m.end);
    for (const h of scanAssignments(piece, 'shell')) hits.push({ ...h, start: h.start + m.start, end: h.end + m.start });
  }
  return hits.filter((h) => notInComment(text, h));
}

// ---------------------------------------------------------------------------
// Results cached across lint runs: per unit (facts), per output, per text.

/** A result computed asynchronously once (secretlint is async); `value` once it settled. */
interface Pending<T> {
  value?: T;
  promise: Promise<T>;
}

function pending<T>(compute: () => Promise<T>): Pending<T> {
  const p: Pending<T> = { promise: undefined as unknown as Promise<T> };
  p.promise = compute().then((v) => (p.value = v));
  return p;
}

/** An empty result, settled (most texts: no promise kept for them). */
const NOTHING: Pending<never[]> = { value: [], promise: Promise.resolve([]) };

function settledWith<T>(value: T): Pending<T> {
  return { value, promise: Promise.resolve(value) };
}

/** The value, without waiting (not even a microtask) when it is already there. */
async function settled<T>(p: Pending<T>): Promise<T> {
  return p.value ?? p.promise;
}

/** The secrets of a Python unit (code cell or file). */
const unitHits = unitMemo((unit: PythonUnit): Pending<SecretHit[]> => {
  const signs = secretSigns(unit.text);
  const assigned = signs & SIGN_WORD ? pythonAssignments(unit) : [];
  if (!(signs & SIGN_TOKEN)) return assigned.length ? settledWith(mergeHits(assigned)) : NOTHING;
  return pending(async () => mergeHits([...(await scanProviderTokens(unit.text)), ...assigned]));
});

function reportPythonUnit(ctx: RuleContext, unit: PythonUnit, hits: SecretHit[]): void {
  if (hits.length === 0) return;
  const magics = magicSpans(unit);
  for (const hit of hits) {
    const inMagic = magics.some((m) => m.start <= hit.start && hit.end <= m.end);
    const fix = unit.facts.syntaxError || inMagic ? undefined : pythonFix(ctx, unit, hit);
    const data = describe(hit, unit.text);
    ctx.report({
      messageId: hit.name ? 'literalNamed' : 'literal',
      data: { ...data, name: hit.name ?? '' },
      location: unitLocation(unit, { start: hit.start, end: hit.end }),
      fixes: fix ? [fix] : [],
    });
  }
}

// ---------------------------------------------------------------------------
// Notebook cells that are not Python, markdown and outputs

/** The strings of a list joined, other items skipped (a list of strings only is joined without a filtered copy). */
function joinStrings(v: unknown[]): string {
  for (const x of v) if (typeof x !== 'string') return v.filter((y) => typeof y === 'string').join('');
  return v.join('');
}

function outputTexts(o: NotebookOutput): string[] {
  const join = (v: unknown): string => (typeof v === 'string' ? v : Array.isArray(v) ? joinStrings(v) : '');
  const out: string[] = [];
  if (o.output_type === 'stream') out.push(join(o.text));
  else if (o.output_type === 'error') out.push([o.evalue ?? '', ...(o.traceback ?? [])].join('\n'));
  else if (o.data) for (const mime of TEXT_MIMES) if (o.data[mime] !== undefined) out.push(mime === 'application/json' && typeof o.data[mime] === 'object' && !Array.isArray(o.data[mime]) ? JSON.stringify(o.data[mime], null, 1) : join(o.data[mime]));
  return out.filter((t) => t.length > 0).map((t) => (t.length > MAX_OUTPUT_CHARS ? t.slice(0, MAX_OUTPUT_CHARS) : t));
}

/** A secret a saved output shows: its value (to report each once per cell) and what the message says. */
interface OutputSecret {
  value: string;
  data: Record<string, string>;
}

/** Secrets of one output text that may hold some, cached by the text (the same text may come in new output objects). */
const outputTextSecrets = new TextCache<Pending<OutputSecret[]>>(2000, 500_000, 100_000);

function secretsOfText(text: string): Pending<OutputSecret[]> {
  // Most texts have no secret-like word and no token shape: said without hashing them for the cache.
  const signs = secretSigns(text);
  if (!signs) return NOTHING;
  let p = outputTextSecrets.get(text);
  if (!p) {
    const assigned = signs & SIGN_WORD ? scanAssignments(text, 'output') : [];
    p = !(signs & SIGN_TOKEN) && assigned.length === 0 ? NOTHING : pending(async () => mergeHits([...(await scanProviderTokens(text)), ...assigned]).map((hit) => ({ value: text.slice(hit.start, hit.end), data: describe(hit, text) })));
    outputTextSecrets.set(text, p);
  }
  return p;
}

/** Secrets of one output, in the order of its texts (cached by the output object as well). */
const outputSecrets = new WeakMap<NotebookOutput, Pending<OutputSecret[]>>();

function secretsOfOutput(o: NotebookOutput): Pending<OutputSecret[]> {
  let p = outputSecrets.get(o);
  if (!p) {
    const texts = outputTexts(o).map(secretsOfText).filter((t) => t !== NOTHING);
    p = texts.length === 0 ? NOTHING : texts.length === 1 ? texts[0] : pending(async () => (await Promise.all(texts.map((t) => t.promise))).flat());
    outputSecrets.set(o, p);
  }
  return p;
}

/** Reports the secrets of a cell's outputs; a promise only when some output is still being scanned. */
function checkOutputs(ctx: RuleContext, cell: NotebookCell): Promise<void> | undefined {
  let found = false;
  let waiting = false;
  for (const o of cell.outputs) {
    const p = secretsOfOutput(o);
    if (p.value === undefined) waiting = true;
    else if (p.value.length) found = true;
  }
  if (waiting) return Promise.all(cell.outputs.map((o) => secretsOfOutput(o).promise)).then((lists) => reportOutputs(ctx, cell, lists));
  if (found) reportOutputs(ctx, cell, cell.outputs.map((o) => secretsOfOutput(o).value!));
  return undefined;
}

function reportOutputs(ctx: RuleContext, cell: NotebookCell, lists: OutputSecret[][]): void {
  const seen = new Set<string>();
  for (const secrets of lists) {
    for (const secret of secrets) {
      if (seen.has(secret.value)) continue;
      seen.add(secret.value);
      ctx.report({ messageId: 'output', data: secret.data, location: { cell: cell.index, range: cellFirstLine(cell) } });
    }
  }
}

/** What a cell that is not Python shows: reports in the cell, cached by its text when it may show any. */
type PlainReport = { messageId: string; data: Record<string, string>; range: Range };

const plainCode = new TextCache<Pending<PlainReport[]>>(2000, 250_000, 50_000);
const plainMarkdown = new TextCache<Pending<PlainReport[]>>(2000, 250_000, 50_000);

function plainCellReports(text: string, providersOnly: boolean): Pending<PlainReport[]> {
  // Most cells hold no token shape (and no secret-like word): said by one scan, without hashing the text
  // for the cache (a re-lint scans them again, as fast as hashing them would be).
  const signs = providersOnly ? (mayHoldProviderTokens(text) ? SIGN_TOKEN : 0) : secretSigns(text);
  if (!signs) return NOTHING;
  const cache = providersOnly ? plainMarkdown : plainCode;
  let p = cache.get(text);
  if (!p) {
    const assigned = signs & SIGN_WORD ? scanAssignments(text, 'shell').filter((h) => notInComment(text, h)) : [];
    p = assigned.length === 0 && !(signs & SIGN_TOKEN) ? NOTHING : pending(async () => {
      const hits = mergeHits([...(await scanProviderTokens(text)), ...assigned]);
      if (hits.length === 0) return [];
      const lines = new LineIndex(text);
      return hits.map((hit) => ({
        messageId: providersOnly ? 'markdown' : hit.name ? 'literalNamed' : 'literal',
        data: { ...describe(hit, text), name: hit.name ?? '' },
        range: lines.rangeOf(hit.start, hit.end),
      }));
    });
    cache.set(text, p);
  }
  return p;
}

function reportPlainCell(ctx: RuleContext, cell: NotebookCell, reports: PlainReport[]): void {
  for (const r of reports) ctx.report({ messageId: r.messageId, data: r.data, location: { cell: cell.index, range: r.range } });
}

// ---------------------------------------------------------------------------
// YAML

/** Offsets of a scalar's contents in the file (inside quotes), when they map one to one. */
function scalarContent(file: YamlFile, node: Scalar, value: string): { start: number; end: number } | undefined {
  const r = node.range;
  if (!r) return undefined;
  let [start, end] = [r[0], r[1]];
  if (node.type === 'QUOTE_DOUBLE' || node.type === 'QUOTE_SINGLE') {
    start++;
    end--;
  } else if (node.type !== 'PLAIN') return undefined;
  return file.text.slice(start, end) === value ? { start, end } : undefined;
}

async function checkYaml(ctx: RuleContext, file: YamlFile): Promise<void> {
  const hits: Array<SecretHit & { key?: string }> = [...(await scanProviderTokens(file.text))];
  if (SECRET_WORD.test(file.text)) {
    for (const doc of file.docs) {
      for (const { path, node, value } of walkScalars(doc.contents)) {
        if (!isScalar(node)) continue;
        const last = path[path.length - 1];
        let key = typeof last === 'string' ? last : undefined;
        let shown = path.join('.');
        // Kubernetes / Azure ML env lists: `- name: DB_PASSWORD` + `value: ...`.
        if (key === 'value') {
          const parent = getNode(doc.contents, path.slice(0, -1));
          const n = isMap(parent) ? parent.get('name') : undefined;
          if (typeof n === 'string') {
            key = n;
            shown = n;
          }
        }
        const content = scalarContent(file, node, value);
        if (key && (typeof node.value === 'string' || typeof node.value === 'number') && !/\n/.test(value)) {
          // `password: example` as a whole YAML value.
          const kind = assignedSecretKind(key, value);
          const at = content ?? (node.range ? { start: node.range[0], end: node.range[1] } : undefined);
          if (kind && at) {
            hits.push({ start: at.start, end: at.end, kind, name: key, key: shown, via: 'assignment' });
            continue;
          }
        }
        // `- POSTGRES_PASSWORD=example`, connection strings, command lines inside a value.
        if (typeof node.value === 'string' && SECRET_WORD.test(value)) {
          for (const h of scanAssignments(value, content ? 'data' : 'shell')) {
            if (content) hits.push({ ...h, start: h.start + content.start, end: h.end + content.start, key: shown });
            else if (node.range) {
              // Block scalars (`run: |`): find the value in the node's own text, else point at the node.
              const raw = file.text.slice(node.range[0], node.range[1]);
              const i = raw.indexOf(value.slice(h.start, h.end));
              const start = i >= 0 ? node.range[0] + i : node.range[0];
              hits.push({ ...h, start, end: i >= 0 ? start + h.end - h.start : node.range[1], key: shown });
            }
          }
        }
      }
    }
  }
  for (const hit of mergeHits(hits) as Array<SecretHit & { key?: string }>) {
    const key = hit.key ?? hit.name;
    ctx.report({
      messageId: key ? 'configNamed' : 'config',
      data: { ...describe(hit, file.text), key: key ?? '' },
      location: { range: offsetsToRange(file, hit.start, hit.end) },
    });
  }
}

/** pip requirements files: credentials in index URLs and VCS links (`--extra-index-url https://user:token@...`). */
async function checkRequirements(ctx: RuleContext): Promise<void> {
  const hits = await scanProviderTokens(ctx.text);
  if (!hits.length) return;
  const lines = new LineIndex(ctx.text);
  for (const hit of mergeHits(hits)) {
    ctx.report({ messageId: 'config', data: { ...describe(hit, ctx.text), key: '' }, location: { range: lines.rangeOf(hit.start, hit.end) } });
  }
}

// ---------------------------------------------------------------------------

export default defineRule({
  meta: {
    id: 'hardcoded-secret',
    area: 'governance',
    defaultSeverity: 'error',
    recommended: true,
    targets: ['notebook', 'python', 'yaml', 'requirements'],
    fixedId: true,
    messages: {
      literal: 'Hard-coded {{kind}} `{{masked}}`. Read it from the environment or a secret store, and rotate it: it is in the history of every copy of this file.',
      literalNamed:
        'Hard-coded {{kind}} `{{masked}}` in `{{name}}`. Read it from the environment or a secret store, and rotate it: it is in the history of every copy of this file.',
      output: 'A saved output of this cell shows a {{kind}} `{{masked}}`. Clear the output, and rotate the credential: outputs are committed and shared with the notebook.',
      markdown: 'This markdown cell contains a {{kind}} `{{masked}}`. Remove it, and rotate the credential.',
      config: 'Hard-coded {{kind}} `{{masked}}` in this config. Reference a secret (CI secret, environment variable, key vault) instead, and rotate the credential.',
      configNamed:
        'Hard-coded {{kind}} `{{masked}}` in `{{key}}`. Reference a secret (CI secret, environment variable, key vault) instead, and rotate the credential.',
    },
    docs: {
      summary: 'Credentials, tokens, keys or passwords written into code, notebook outputs or configs.',
      whatItDoes:
        'Finds secrets in code cells, `.py` files, saved notebook outputs, YAML configs and pip requirements files (index URLs with a password or token): provider tokens recognised by their format (the ' +
        '[secretlint](https://github.com/secretlint/secretlint) recommended preset: AWS, GCP, GitHub, Slack, OpenAI, Anthropic, private keys, ' +
        'database URLs, ...; plus Hugging Face `hf_` tokens, W&B API keys, Databricks `dapi` tokens, Azure `AccountKey=` connection strings, ' +
        '`user:password@` in tracking URIs) and literals bound to a credential-like name (`password`, `secret`, `*_token`, `api_key`, ' +
        '`access_key`, ...) as variables, keyword arguments, dict or YAML keys, `NAME=value` lines and connection strings. Well-known default ' +
        'credentials (`minioadmin`, `postgres`, ...) count. Placeholders (`<YOUR_KEY>`, `YOUR_API_KEY`, `xxx`, `***`, `changeme`, empty strings), ' +
        'references (`os.environ[...]`, `${{ secrets.X }}`, `${VAR}`, env var names, secret-store paths) and published example keys are not reported. ' +
        'Messages show the value masked, never in full.',
      whyIsThisBad:
        'A secret in a notebook or repository is readable by everyone who gets a copy, and it stays in the Git history after it is deleted. ' +
        'Notebooks leak twice: in the code and in saved outputs (a printed config, an `env` dump). The ML Test Score asks that data and ' +
        'systems be accessed with least privilege; a shared key is the opposite, and once leaked it has to be rotated.',
      example: {
        language: 'python',
        code: 'import wandb\n\nwandb.login(key="3f9a1c5e7b2d4f6a8c0e1b3d5f7a9c2e4b6d8f0a")\nDB_PASSWORD = "s3cr3t-Pa55"\n',
      },
      useInstead: {
        language: 'python',
        code: 'import os\nimport wandb\n\nwandb.login(key=os.environ["WANDB_API_KEY"])\nDB_PASSWORD = os.environ["DB_PASSWORD"]\n',
      },
      fixSafety:
        'Unsafe: for a string literal in Python, the fix replaces it with `os.environ["NAME"]` (NAME from the variable or keyword, upper snake case) ' +
        'and adds `import os` when missing, so the code then needs the variable set; `os.environ["X"] = "..."` lines are removed. Secrets in ' +
        'outputs, markdown, shell lines and YAML have no automatic fix: clear the output or reference a secret. In every case rotate the exposed credential.',
      notebookBehavior:
        'Each code cell is scanned on its own (positions are in the cell); shell escapes, `%env` and cell magics such as `%%bash` and `%%writefile` are read ' +
        'as shell or file text. Saved outputs are scanned too and reported on the first line of their cell; markdown cells only for provider tokens.',
      references: [
        'Breck et al., "The ML Test Score" (2017), Data 5: the data pipeline has appropriate privacy controls',
        'secretlint recommended preset: https://github.com/secretlint/secretlint/tree/master/packages/%40secretlint/secretlint-rule-preset-recommend',
        'Ruff S105-S107 (hardcoded passwords): https://docs.astral.sh/ruff/rules/hardcoded-password-string/',
        'GitHub Actions secrets: https://docs.github.com/actions/security-guides/using-secrets-in-github-actions',
      ],
    },
  },
  async check(ctx) {
    if (ctx.target === 'yaml') {
      if (ctx.yaml) await checkYaml(ctx, ctx.yaml);
      return;
    }
    if (ctx.target === 'requirements') return checkRequirements(ctx);
    const units = ctx.python?.units ?? [];
    const hits = ctx.python ? unitHits.all(ctx.python) : [];
    if (ctx.notebook) {
      // Units are the code cells in order: walk both lists together.
      let j = 0;
      for (const cell of ctx.notebook.cells) {
        if (cell.kind === 'code') {
          while (j < units.length && (units[j].cell ?? -1) < cell.index) j++;
          const unit = j < units.length && units[j].cell === cell.index ? units[j] : undefined;
          const p = unit ? hits[j] : undefined;
          if (unit && p) reportPythonUnit(ctx, unit, p.value ?? (await p.promise));
          else {
            const q = plainCellReports(cell.source, false);
            reportPlainCell(ctx, cell, q.value ?? (await q.promise));
          }
          if (cell.outputs.length) {
            const r = checkOutputs(ctx, cell);
            if (r) await r;
          }
        } else if (cell.kind === 'markdown' || cell.kind === 'raw') {
          const q = plainCellReports(cell.source, true);
          reportPlainCell(ctx, cell, q.value ?? (await q.promise));
        }
      }
      return;
    }
    const unit = units.find((u) => u.cell === undefined);
    if (unit) reportPythonUnit(ctx, unit, await settled(unitHits(unit)));
  },
});
