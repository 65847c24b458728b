import { cellFirstLine, type NotebookOutput } from '../../parse/notebook';
import { defineRule } from '../../rule';

/** Output texts are scanned up to this many characters each. */
const MAX_SCAN = 200_000;
/** Mime types that show text (in order of preference: the plain form first, HTML only without it). */
const TEXT_MIMES = ['text/plain', 'text/markdown', 'application/json'];

/** The strings of a list joined, other items skipped (a list of strings only is joined without a filtered copy). */
function joinStrings(v: unknown[]): string {
  for (const x of v) if (typeof x !== 'string') return v.filter((y) => typeof y === 'string').join('');
  return v.join('');
}

function textOf(v: unknown): string {
  if (typeof v === 'string') return v;
  if (Array.isArray(v)) return joinStrings(v);
  if (v && typeof v === 'object') {
    try {
      return JSON.stringify(v);
    } catch {
      return '';
    }
  }
  return '';
}

function sizeOf(v: unknown): number {
  if (typeof v === 'string') return v.length;
  if (Array.isArray(v)) return v.reduce((n: number, s) => n + (typeof s === 'string' ? s.length : 0), 0);
  if (v && typeof v === 'object') return textOf(v).length;
  return 0;
}

// ANSI colour codes, as rich and CLI loggers write them into saved outputs.
// eslint-disable-next-line no-control-regex
const ANSI = /\u001b\[[0-9;?]*[A-Za-z]/g;

/** The texts an output shows (HTML stripped of tags when it is the only form). */
function outputTexts(o: NotebookOutput): string[] {
  return rawTexts(o).map((t) => (t.includes('\u001b') ? t.replace(ANSI, ' ') : t));
}

function rawTexts(o: NotebookOutput): string[] {
  if (o.output_type === 'stream') return [textOf(o.text)];
  if (o.output_type !== 'execute_result' && o.output_type !== 'display_data') return [];
  const data = o.data ?? {};
  const out: string[] = [];
  for (const m of TEXT_MIMES) if (data[m] !== undefined) out.push(textOf(data[m]));
  if (out.length === 0 && data['text/html'] !== undefined) out.push(textOf(data['text/html']).replace(/<[^>]{0,500}>/g, ' '));
  return out;
}

// ---------------------------------------------------------------------------
// What looks like personal data

export type PiiKind = 'email' | 'phone' | 'card' | 'ssn' | 'iban';

/**
 * E-mail addresses: `[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@` and the domain after it
 * (`EMAIL_DOMAIN`). Run as a regex from every letter, the local part would be read
 * up to 64 characters ahead at each position; `emails` starts at each `@` instead
 * and finds the same matches.
 */
const EMAIL_DOMAIN = /@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.([A-Za-z]{2,24})\b/y;

function isAlnum(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122);
}

/** `[A-Za-z0-9._%+-]` */
function isLocalChar(c: number): boolean {
  return isAlnum(c) || c === 46 || c === 95 || c === 37 || c === 43 || c === 45;
}

/**
 * The matches `/[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.([A-Za-z]{2,24})\b/g`
 * has in `t`, in order: the address, its top-level domain and where it starts. The local
 * part holds no `@`, so a match ends its local part at an `@`, and the leftmost start for
 * that `@` is the first letter or digit of the run of local-part characters before it
 * (at most 64 back, not before the previous match).
 */
function emails(t: string): Array<{ address: string; tld: string; index: number }> {
  const out: Array<{ address: string; tld: string; index: number }> = [];
  let from = 0;
  for (let at = t.indexOf('@'); at >= 0; at = t.indexOf('@', at + 1)) {
    const limit = Math.max(at - 64, from);
    let start = at;
    while (start > limit && isLocalChar(t.charCodeAt(start - 1))) start--;
    while (start < at && !isAlnum(t.charCodeAt(start))) start++;
    if (start === at) continue;
    EMAIL_DOMAIN.lastIndex = at;
    const d = EMAIL_DOMAIN.exec(t);
    if (!d) continue;
    out.push({ address: t.slice(start, at) + d[0], tld: d[1], index: start });
    from = at + d[0].length;
  }
  return out;
}
/** Domains and addresses that are not a person's: documentation, service accounts, bots. */
const NOT_PERSONAL_EMAIL =
  /@(example\.(com|org|net)|[\w.-]+\.example|example|test\.com|domain\.com|email\.com|localhost|users\.noreply\.github\.com|[\w.-]*gserviceaccount\.com|[\w.-]*\.iam\.gserviceaccount\.com|[\w.-]*\.svc\.id\.goog|cloudservices\.gserviceaccount\.com|[\w.-]*\.local|[\w.-]*\.internal)$|^(no-?reply|noreply|git|root|admin|info|support|help|contact|team|security|hello|sales|jovyan)@/i;
/** "TLDs" that are file extensions: `icon@2x.png`, `pkg@1.2.tar.gz`. */
const FILE_TLD = /^(png|jpe?g|gif|svg|webp|py|ipynb|js|ts|css|html?|txt|json|csv|tsv|md|whl|tar|gz|zip|pkl|pt|pth|h5|log|ya?ml|toml|cfg|ini|xml|parquet|lock|so|dll|exe|bin|onnx|joblib)$/i;
/** Placeholder addresses of tutorials: `a@b.com`, `foo@bar.com`, `john.doe@company.com`. */
const PLACEHOLDER_EMAIL =
  /^([a-z]|foo|bar|baz|user|username|name|me|you|someone|somebody|test|email|your[._-]?(name|email)|first[._-]?last|firstname[._-]?lastname|john[._-]?doe|jane[._-]?doe)@|@([a-z]|foo|bar|baz|domain|company|mycompany|yourcompany|yourdomain|mydomain|acme|email|mail|test|sample|invalid|website|site|host)\./i;
/** Lines that name who wrote a package or data set (package metadata, dataset cards): public, not data subjects. */
const METADATA_LINE = /(author|maintainer|donor|creator|contact|owner|copyright)(-email)?\s*[:=(]/i;

// Phone and card numbers: `(?<![\w.+-])` before the number, written after its first
// character (`\d(?<![\w.-]\d)`: the same test) so the regex engine skips every
// position that does not start with a digit, `(` or `+` without running it.
const PHONE =
  /(?:\((?<![\w.+-]\()\d{3}\)\s?\d{3}[-.\s]\d{4}|\d(?<![\w.+-]\d)(?:\d{2}-\d{3}-\d{4}|\d{2}\.\d{3}\.\d{4})|\+(?<![\w.+-]\+)\d{1,3}[ -]\(?\d{1,4}\)?(?:[ -]\d{2,4}){2,4})(?![\w.-]|-\d)/g;
const SSN = /(?<![\w.-])(?!000|666|9\d\d)\d{3}-(?!00)\d{2}-(?!0000)\d{4}(?![\w.-]|-\d)/g;
const CARD = /\d(?<![\w.-]\d)(?:\d{3}[ -]\d{4}[ -]\d{4}[ -]\d{4}|\d{3}[ -]\d{6}[ -]\d{5}|\d{14,15})(?![\w.-]|-\d)/g;
const IBAN = /\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b/g;

/** Where the e-mail, phone and card patterns match in a text, unfiltered (for tests of the rewritten scans). */
export function rawPiiMatches(text: string): { email: string[]; phone: string[]; card: string[] } {
  return {
    email: emails(text).map((m) => `${m.index}:${m.address}:${m.tld}`),
    phone: [...text.matchAll(PHONE)].map((m) => `${m.index}:${m[0]}`),
    card: [...text.matchAll(CARD)].map((m) => `${m.index}:${m[0]}`),
  };
}

function luhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 1) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return sum % 10 === 0;
}

/** Issuer prefixes and lengths of the major card networks. */
function cardNetwork(d: string): boolean {
  if (d.length === 16) return /^(4|5[1-5]|2(2[2-9]|[3-6]\d|7[01]|720)|6011|65|64[4-9])/.test(d);
  if (d.length === 15) return /^3[47]/.test(d);
  return false;
}

function ibanValid(raw: string): boolean {
  const s = raw.replace(/ /g, '');
  if (s.length < 15 || s.length > 34) return false;
  const moved = s.slice(4) + s.slice(0, 4);
  let rem = 0;
  for (const ch of moved) {
    const v = /\d/.test(ch) ? ch : String(ch.charCodeAt(0) - 55);
    for (const c of v) rem = (rem * 10 + (c.charCodeAt(0) - 48)) % 97;
  }
  return rem === 1;
}

function digitsOf(s: string): string {
  return s.replace(/\D/g, '');
}

/** How a hit is shown: enough to find it, never the value. */
export function maskPii(kind: PiiKind, value: string): string {
  switch (kind) {
    case 'email': {
      const [local, domain] = value.split('@');
      const dot = domain.lastIndexOf('.');
      return `${local[0]}***@${domain[0]}***${domain.slice(dot)}`;
    }
    case 'card':
      return `**** **** **** ${digitsOf(value).slice(-4)}`;
    case 'phone':
      return `***-***-**${digitsOf(value).slice(-2)}`;
    case 'ssn':
      return '***-**-****';
    case 'iban':
      return `${value.slice(0, 2)}** **** ****`;
  }
}

export interface PiiHit {
  kind: PiiKind;
  value: string;
}

/** Personal-looking values in one output text (distinct values, capped). */
export function findPii(text: string): PiiHit[] {
  const t = text.length > MAX_SCAN ? text.slice(0, MAX_SCAN) : text;
  const hits: PiiHit[] = [];
  const seen = new Set<string>();
  const add = (kind: PiiKind, value: string): void => {
    const key = kind + ':' + value;
    if (seen.has(key) || hits.length >= 1000) return;
    seen.add(key);
    hits.push({ kind, value });
  };
  if (t.includes('@')) {
    for (const m of emails(t)) {
      if (FILE_TLD.test(m.tld) || NOT_PERSONAL_EMAIL.test(m.address) || PLACEHOLDER_EMAIL.test(m.address)) continue;
      const ls = t.lastIndexOf('\n', m.index) + 1;
      if (METADATA_LINE.test(t.slice(ls, m.index))) continue;
      add('email', m.address);
    }
  }
  if (/\d{3}/.test(t)) {
    for (const m of t.matchAll(CARD)) {
      const d = digitsOf(m[0]);
      if (cardNetwork(d) && luhn(d) && !/^(\d)\1+$/.test(d.slice(1))) add('card', m[0]);
    }
    for (const m of t.matchAll(SSN)) add('ssn', m[0]);
    for (const m of t.matchAll(PHONE)) {
      const d = digitsOf(m[0]);
      if (d.length >= 10 && d.length <= 15 && !seen.has('ssn:' + m[0])) add('phone', m[0]);
    }
    if (/[A-Z]{2}\d{2}/.test(t)) for (const m of t.matchAll(IBAN)) if (ibanValid(m[0])) add('iban', m[0]);
  }
  return hits;
}

const KIND_NAMES: Record<PiiKind, [string, string]> = {
  email: ['e-mail address', 'e-mail addresses'],
  phone: ['phone number', 'phone numbers'],
  card: ['payment card number', 'payment card numbers'],
  ssn: ['US social security number', 'US social security numbers'],
  iban: ['IBAN', 'IBANs'],
};

function describePii(hits: PiiHit[]): { what: string; sample: string } {
  const counts = new Map<PiiKind, number>();
  for (const h of hits) counts.set(h.kind, (counts.get(h.kind) ?? 0) + 1);
  const parts = [...counts].map(([k, n]) => `${n} ${KIND_NAMES[k][n === 1 ? 0 : 1]}`);
  const first = hits[0];
  return { what: parts.join(', '), sample: maskPii(first.kind, first.value) };
}

function formatSize(chars: number): string {
  return chars >= 1024 * 1024 ? `${(chars / 1024 / 1024).toFixed(1)} MB` : `${Math.round(chars / 1024)} KB`;
}

function notebookJson(outputs: string): string {
  return `{
 "nbformat": 4, "nbformat_minor": 5, "metadata": {},
 "cells": [
  {"cell_type": "code", "execution_count": 2, "metadata": {},
   "source": ["customers = pd.read_csv(\\"data/customers.csv\\")\\n", "customers.head(2)"],
   "outputs": [${outputs}]}
 ]
}
`;
}

const EXAMPLE_NOTEBOOK = notebookJson(
  `{"output_type": "execute_result", "execution_count": 2, "metadata": {},
     "data": {"text/plain": ["   customer_id              email         phone\\n", "0         1001  ana.silva@gmail.com  415-555-0132\\n", "1         1002  j.doe@outlook.com  212-555-0188"]}}`,
);
const GOOD_NOTEBOOK = notebookJson(
  `{"output_type": "execute_result", "execution_count": 2, "metadata": {},
     "data": {"text/plain": ["   customer_id  tenure_months  churned\\n", "0         1001             14        0\\n", "1         1002              3        1"]}}`,
);

// ---------------------------------------------------------------------------
// Per-output summaries, cached across lint runs by the output object: a re-lint
// hands the same objects for unchanged cells (the extension keeps its converted
// outputs), so an edit rescans nothing.

interface OutputSummary {
  /** The hits of each text of the output, in order (not merged). */
  hits: PiiHit[];
  /** The largest entry (the first of equal sizes). */
  largest: { size: number; mime: string };
}

const NO_HITS: PiiHit[] = [];
const summaries = new WeakMap<NotebookOutput, OutputSummary>();

function outputSummary(o: NotebookOutput): OutputSummary {
  let s = summaries.get(o);
  if (s) return s;
  let hits: PiiHit[] = NO_HITS;
  for (const t of outputTexts(o)) {
    const h = findPii(t);
    if (h.length) hits = hits === NO_HITS ? [...h] : hits.concat(h);
  }
  let largest = { size: 0, mime: '' };
  if (o.output_type === 'stream') {
    const n = sizeOf(o.text);
    if (n > largest.size) largest = { size: n, mime: 'text stream' };
  } else {
    const data = o.data ?? {};
    for (const mime in data) {
      if (!Object.prototype.hasOwnProperty.call(data, mime)) continue;
      const n = sizeOf(data[mime]);
      if (n > largest.size) largest = { size: n, mime };
    }
  }
  s = { hits, largest };
  summaries.set(o, s);
  return s;
}

export default defineRule({
  meta: {
    id: 'sensitive-output',
    area: 'governance',
    defaultSeverity: 'warning',
    recommended: true,
    targets: ['notebook'],
    messages: {
      personalData:
        "This cell's saved output shows what looks like personal data: {{what}} (e.g. {{sample}}). Clear the output, or drop / mask those columns before displaying them, before the notebook is committed.",
      largeOutput:
        "This cell's saved output is {{size}} ({{mime}}): outputs that large bloat the repository and every diff, and can embed a whole data set. Clear it, or save the figure or table to a file and show a small preview.",
    },
    options: { maxOutputBytes: 1048576 },
    docs: {
      summary: 'Saved notebook outputs show personal data (e-mails, phone numbers, card numbers) or are very large.',
      whatItDoes:
        'Scans the saved outputs of every code cell (streams, and the text, Markdown, JSON or, without those, HTML forms of results and displays). It reports a cell whose outputs contain e-mail addresses of people (documentation domains, service accounts, no-reply and package-author addresses are skipped), formatted phone numbers, payment card numbers that pass the Luhn check and belong to a card network, US social security numbers or IBANs with a valid checksum, with counts per kind and one masked example. Separately, it reports a cell with one output larger than `maxOutputBytes` (base64 images, embedded HTML/JavaScript, huge tables).',
      whyIsThisBad:
        'A notebook output is committed with the code: `df.head()` on a customer table puts real people\'s contact data into Git history, where it is copied to every clone and fork and cannot be erased without rewriting history (GDPR / CCPA exposure, ML Test Score Data 5: privacy controls are built into the pipeline). Multi-megabyte outputs make the repository slow, diffs unreadable, and often embed a data set or a full plotting library.',
      example: { language: 'python', file: 'example.ipynb', code: EXAMPLE_NOTEBOOK },
      useInstead: { language: 'python', file: 'example.ipynb', code: GOOD_NOTEBOOK },
      fixSafety:
        'No text fix: outputs are not source. Clear the cell\'s output (VS Code: "Clear Cell Outputs"; Jupyter: Edit > Clear Outputs; `jupyter nbconvert --clear-output --inplace`, or nbstripout as a Git filter), and display only non-personal columns (`df.drop(columns=["email", "phone"]).head()`) or masked values. Large figures: save them to a file, or use a static image at a lower resolution.',
      notebookBehavior: 'The finding sits on the first line of the cell whose output holds the data. Values are never shown in full: e-mails, phone and card numbers are masked in the message.',
      options: '`maxOutputBytes` (default 1048576, 1 MB): the size in characters of the notebook JSON above which one output counts as very large.',
      references: [
        'Breck et al. 2017, The ML Test Score (Data 5: the data pipeline has appropriate privacy controls)',
        'nbstripout (strip outputs on commit): https://github.com/kynan/nbstripout',
        'GDPR Art. 5 (data minimisation) and Art. 32 (security of processing)',
      ],
    },
  },
  check(ctx) {
    const nb = ctx.notebook;
    if (!nb) return;
    const max = Number(ctx.options.maxOutputBytes ?? 1048576);
    for (const cell of nb.cells) {
      if (cell.kind !== 'code' || cell.outputs.length === 0) continue;
      let hits: PiiHit[] | undefined;
      let seen: Set<string> | undefined;
      let largest: { size: number; mime: string } = { size: 0, mime: '' };
      for (const o of cell.outputs) {
        const s = outputSummary(o);
        for (const h of s.hits) {
          const key = h.kind + ':' + h.value;
          if (seen?.has(key)) continue;
          (seen ??= new Set()).add(key);
          (hits ??= []).push(h);
        }
        if (s.largest.size > largest.size) largest = s.largest;
      }
      if (hits) ctx.report({ messageId: 'personalData', data: describePii(hits), location: { cell: cell.index, range: cellFirstLine(cell) } });
      if (max > 0 && largest.size > max) ctx.report({ messageId: 'largeOutput', data: { size: formatSize(largest.size), mime: largest.mime }, location: { cell: cell.index, range: cellFirstLine(cell) } });
    }
  },
});
