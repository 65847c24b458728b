// `findPii` scans outputs with regexes rewritten for speed (e-mails from each `@`,
// phone and card numbers tested from their first character): on any text it must
// find what the straightforward regexes find. The reference below is the plain form.
import * as assert from 'node:assert/strict';
import { findPii, rawPiiMatches, type PiiHit } from '../../src/core/rules/governance/sensitive-output';
import { rng } from '../helpers/rng';

const EMAIL = /[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.([A-Za-z]{2,24})\b/g;
const PHONE = /(?<![\w.+-])(?:\(\d{3}\)\s?\d{3}[-.\s]\d{4}|\d{3}-\d{3}-\d{4}|\d{3}\.\d{3}\.\d{4}|\+\d{1,3}[ -]\(?\d{1,4}\)?(?:[ -]\d{2,4}){2,4})(?![\w.-]|-\d)/g;
const CARD = /(?<![\w.-])(?:\d{4}[ -]\d{4}[ -]\d{4}[ -]\d{4}|\d{4}[ -]\d{6}[ -]\d{5}|\d{15,16})(?![\w.-]|-\d)/g;

/** Every raw match of the plain regexes, unfiltered. */
function referenceMatches(t: string): { email: string[]; phone: string[]; card: string[] } {
  return {
    email: [...t.matchAll(EMAIL)].map((m) => `${m.index}:${m[0]}:${m[1]}`),
    phone: [...t.matchAll(PHONE)].map((m) => `${m.index}:${m[0]}`),
    card: [...t.matchAll(CARD)].map((m) => `${m.index}:${m[0]}`),
  };
}

const PIECES = [
  '@', '@', 'a', 'Z', '9', '.', '_', '%', '+', '-', ' ', '\n', 'com', 'io', 'example', 'gmail', '.com', '.co.uk', 'x'.repeat(30), 'ab.cd', 'ana.silva', 'user+tag', '-x', '(', ')', '415', '555', '0132', '4111',
  '1111', '4111 1111 1111 1111', '4111-1111-1111-1111', '378282246310005', '4111111111111111', '+44 20 7946 0958', '(415) 555-0132', '415-555-0132', '415.555.0132', '123-45-6789', '2.5', 'e5', ',', ';', '"',
];

function generate(r: () => number): string {
  let t = '';
  for (let k = Math.floor(r() * 40); k >= 0; k--) t += PIECES[Math.floor(r() * PIECES.length)];
  return t;
}

function sorted(hits: PiiHit[]): string[] {
  return hits.map((h) => `${h.kind}:${h.value}`);
}

describe('sensitive-output: rewritten scans', () => {
  it('find the matches of the plain regexes', function () {
    this.timeout(60_000);
    const r = rng(7);
    let found = 0;
    for (let k = 0; k < 20000; k++) {
      const t = generate(r);
      const ref = referenceMatches(t);
      found += ref.email.length + ref.phone.length + ref.card.length;
      assert.deepEqual(rawPiiMatches(t), ref, JSON.stringify(t));
      assert.deepEqual(sorted(findPii(t)), sorted(referenceFindPii(t)), JSON.stringify(t));
    }
    assert.ok(found > 5000, `matches: ${found}`);
  });

  it('find e-mail addresses at the 64-character limit and after other matches', () => {
    const local = 'a'.repeat(64);
    for (const t of [`${local}@mail.org`, `${local}a@mail.org`, `+${local}@mail.org`, `x${local}@mail.org`, `.${local}@mail.org`, 'a@b.co@c.org', 'ana@mail.org,bob@mail.org', 'a@b@c.org', '-.-ana@x-y.mail.org.', 'ana.silva@gmail.com.', 'a@gmail.c0m']) {
      assert.deepEqual(rawPiiMatches(t), referenceMatches(t), t);
      assert.deepEqual(sorted(findPii(t)), sorted(referenceFindPii(t)), t);
    }
  });
});

// ---------------------------------------------------------------------------
// The reference: findPii as written with the plain regexes.

const NOT_PERSONAL_EMAIL =
  /@(example\.(com|org|net)|[\w.-]+\.example|example|test\.com|domain\.com|email\.com|localhost|users\.noreply\.github\.com|[\w.-]*gserviceaccount\.com|[\w.-]*\.iam\.gserviceaccount\.com|[\w.-]*\.svc\.id\.goog|cloudservices\.gserviceaccount\.com|[\w.-]*\.local|[\w.-]*\.internal)$|^(no-?reply|noreply|git|root|admin|info|support|help|contact|team|security|hello|sales|jovyan)@/i;
const FILE_TLD = /^(png|jpe?g|gif|svg|webp|py|ipynb|js|ts|css|html?|txt|json|csv|tsv|md|whl|tar|gz|zip|pkl|pt|pth|h5|log|ya?ml|toml|cfg|ini|xml|parquet|lock|so|dll|exe|bin|onnx|joblib)$/i;
const PLACEHOLDER_EMAIL =
  /^([a-z]|foo|bar|baz|user|username|name|me|you|someone|somebody|test|email|your[._-]?(name|email)|first[._-]?last|firstname[._-]?lastname|john[._-]?doe|jane[._-]?doe)@|@([a-z]|foo|bar|baz|domain|company|mycompany|yourcompany|yourdomain|mydomain|acme|email|mail|test|sample|invalid|website|site|host)\./i;
const METADATA_LINE = /(author|maintainer|donor|creator|contact|owner|copyright)(-email)?\s*[:=(]/i;
const SSN = /(?<![\w.-])(?!000|666|9\d\d)\d{3}-(?!00)\d{2}-(?!0000)\d{4}(?![\w.-]|-\d)/g;
const IBAN = /\b[A-Z]{2}\d{2}(?: ?[A-Z0-9]{4}){2,7}(?: ?[A-Z0-9]{1,3})?\b/g;

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

function referenceFindPii(text: string): PiiHit[] {
  const t = text.length > 200_000 ? text.slice(0, 200_000) : text;
  const hits: PiiHit[] = [];
  const seen = new Set<string>();
  const add = (kind: PiiHit['kind'], value: string): void => {
    const key = kind + ':' + value;
    if (seen.has(key) || hits.length >= 1000) return;
    seen.add(key);
    hits.push({ kind, value });
  };
  const digitsOf = (s: string): string => s.replace(/\D/g, '');
  if (t.includes('@')) {
    for (const m of t.matchAll(EMAIL)) {
      if (FILE_TLD.test(m[1]) || NOT_PERSONAL_EMAIL.test(m[0]) || PLACEHOLDER_EMAIL.test(m[0])) continue;
      const ls = t.lastIndexOf('\n', m.index) + 1;
      if (METADATA_LINE.test(t.slice(ls, m.index))) continue;
      add('email', m[0]);
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
