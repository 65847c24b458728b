// `findPii` scans outputs with regexes rewritten for speed (e-mails from each `@`,
// phone and card numbers tested from their first character): on any text they must
// match where the straightforward regexes match. What findPii does with the matches
// (filters, checksums) is unchanged and tested by the rule's own tables.
import * as assert from 'node:assert/strict';
import { rawPiiMatches } from '../../src/core/rules/governance/sensitive-output';
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
    }
    assert.ok(found > 5000, `matches: ${found}`);
  });

  it('find e-mail addresses at the 64-character limit and after other matches', () => {
    const local = 'a'.repeat(64);
    for (const t of [`${local}@mail.org`, `${local}a@mail.org`, `+${local}@mail.org`, `x${local}@mail.org`, `.${local}@mail.org`, 'a@b.co@c.org', 'ana@mail.org,bob@mail.org', 'a@b@c.org', '-.-ana@x-y.mail.org.', 'ana.silva@gmail.com.', 'a@gmail.c0m']) {
      assert.deepEqual(rawPiiMatches(t), referenceMatches(t), t);
    }
  });
});
