// The cheap tests `hardcoded-secret` runs on every text before its scans are
// rewritten for speed: each must give the answer of its plain form (or, for a
// necessary condition, never miss what the scans would report).
import * as assert from 'node:assert/strict';
import { computeNameClass, mayHoldProviderTokens, SECRET_NAME_END, SECRET_WORD, secretNameClass, secretSigns, SIGN_TOKEN, SIGN_WORD, TOKEN_SHAPE, TOKEN_SHAPES } from '../../src/core/rules/lib/secrets';
import { rng } from '../helpers/rng';

const PLAIN_SHAPE = new RegExp(TOKEN_SHAPES.join('|'));

/** One text each shape matches (bodies at their shortest). */
const SHAPE_SAMPLES = [
  'hf_' + 'aB3'.repeat(10), 'api_org_' + 'Ab1'.repeat(10), 'sk-' + 'a1'.repeat(16), 'dapi' + 'ab12'.repeat(8), 'AKIA' + 'AB12'.repeat(4), 'ASIA' + 'AB12'.repeat(4), 'AGPA' + 'Z9'.repeat(8), 'AIDA' + 'Z9'.repeat(8),
  'AROA' + 'Z9'.repeat(8), 'ANPA' + 'Z9'.repeat(8), 'ANVA' + 'AB12'.repeat(4), 'AIza' + 'x-_9'.repeat(8) + 'abc', 'AccountKey=' + 'a+/%'.repeat(7) + 'ab', 'SharedAccessKey=' + 'a'.repeat(30), 'sig=' + '%'.repeat(30),
  'Bearer  ' + 'a.~'.repeat(8), 'Bearer\t' + '~'.repeat(24), '-----BEGIN', '_authToken=', 'x-oauth-basic@', 'npm_' + 'a_'.repeat(18), 'xoxa-', 'xoxb-', 'xoxp-', 'xoxo-', 'xoxr-', 'xapp-', 'hooks.slack',
  'gsk_' + 'a'.repeat(52), 'lin_api_' + '_'.repeat(32), 'ntn_' + '1'.repeat(11), 'SG.a.b', 'SG._a._', 'shppa_' + 'a'.repeat(32), 'shpca_' + 'a'.repeat(32), 'shpat_' + 'a'.repeat(32), 'shpss_' + 'a'.repeat(32),
  'ghp_' + 'a'.repeat(36), 'gho_' + 'a'.repeat(36), 'ghu_' + 'a'.repeat(36), 'ghs_' + 'a'.repeat(36), 'ghr_' + '_'.repeat(36), 'github_pat_' + 'a'.repeat(82), 'glpat-' + '-'.repeat(20), 'glc_' + '/+'.repeat(16),
  'glsa_' + 'a'.repeat(32) + '_', 'ops_ey' + '=+/'.repeat(34), 'hvs.' + '-'.repeat(90), 'hvb.' + 'a'.repeat(90), 'hvr.' + '_'.repeat(90), 'vcp_' + 'a'.repeat(20), 'vci_' + 'a'.repeat(20), 'vcc_' + 'a'.repeat(20),
  'vca_' + 'a'.repeat(20), 'vcr_' + 'a'.repeat(20), 'vck_' + 'a'.repeat(20), 'dckr_pat_' + '-'.repeat(27), 'figd_' + '-'.repeat(40),
];

const NOISE = ['', 'x', ' ', '_', '-', '=', '.', 'A', 'k', 'g', 'p', 'B', 'G', 'v', '@', '\n', 'hf', 'sk', 'da', 'shp', 'gh', 'S', 'hook', 'dck', 'ops', '-----', '_auth', 'x-oauth-basic', 'Account', 'Shared', 'si'];

describe('secret prefilters', () => {
  it('TOKEN_SHAPE answers as the plain alternation of TOKEN_SHAPES', function () {
    this.timeout(30_000);
    assert.equal(SHAPE_SAMPLES.filter((s) => PLAIN_SHAPE.test(s)).length, SHAPE_SAMPLES.length, 'every sample is a shape');
    const r = rng(11);
    const pick = <T>(xs: T[]): T => xs[Math.floor(r() * xs.length)];
    let positives = 0;
    for (let k = 0; k < 40000; k++) {
      let t = pick(SHAPE_SAMPLES);
      // Cut, extend or damage the token, and put it in context.
      const roll = r();
      if (roll < 0.2) t = t.slice(0, t.length - 1 - Math.floor(r() * 3));
      else if (roll < 0.4) {
        const i = Math.floor(r() * t.length);
        t = t.slice(0, i) + pick(NOISE) + t.slice(i + 1);
      } else if (roll < 0.5) t = t.slice(Math.floor(r() * 4));
      t = pick(NOISE) + pick(NOISE) + t + pick(NOISE);
      if (r() < 0.3) t = t + ' ' + pick(SHAPE_SAMPLES).slice(0, 6);
      const plain = PLAIN_SHAPE.test(t);
      if (plain) positives++;
      assert.equal(TOKEN_SHAPE.test(t), plain, JSON.stringify(t));
    }
    assert.ok(positives > 10000 && positives < 38000, `positives: ${positives}`);
  });

  it('SECRET_WORD answers as /pass|pwd|secret|token|key/i', () => {
    const plain = /pass|pwd|secret|token|key/i;
    const r = rng(5);
    const letters = 'pPaAsSwWdDeEcCrRtTkKoOnNyYx _';
    let positives = 0;
    for (let k = 0; k < 50000; k++) {
      let t = '';
      for (let n = Math.floor(r() * 12); n >= 0; n--) t += letters[Math.floor(r() * letters.length)];
      if (r() < 0.3) t += ['pass', 'PWD', 'Secret', 'toKen', 'KEY', 'pas', 'pw', 'secre', 'toke', 'ke'][Math.floor(r() * 10)] + t;
      const want = plain.test(t);
      if (want) positives++;
      assert.equal(SECRET_WORD.test(t), want, t);
    }
    assert.ok(positives > 5000, `positives: ${positives}`);
  });

  it('SECRET_NAME_END holds in every secret name and what follows it', () => {
    const r = rng(3);
    const words = ['pass', 'password', 'passwd', 'pwd', 'passphrase', 'passcode', 'secret', 'token', 'key', 'api', 'access', 'db', 'client', 'hf', 'x', 'auth', 'bearer', 'my', 'pad', 'apikey', 'dbpassword', 'clientsecret', 'accesstoken', 'keys', 'tokens', '2'];
    const seps = ['_', '-', '.', '', '__'];
    const cases = [(w: string) => w, (w: string) => w.toUpperCase(), (w: string) => w[0].toUpperCase() + w.slice(1)];
    const after = [' ', '=', ':', '"', "'", ']', '\t', ''];
    let secret = 0;
    for (let k = 0; k < 50000; k++) {
      const c = cases[Math.floor(r() * cases.length)];
      let name = '';
      for (let n = Math.floor(r() * 4); n >= 0; n--) name += (name ? seps[Math.floor(r() * seps.length)] : '') + c(words[Math.floor(r() * words.length)]);
      if (r() < 0.1) name += seps[Math.floor(r() * 2)];
      if (!/^[A-Za-z_]/.test(name) || secretNameClass(name) === undefined) continue;
      secret++;
      for (const a of after) assert.ok(SECRET_NAME_END.test(`x = ${name}${a}`), `${name}${a}`);
    }
    assert.ok(secret > 5000, `secret names: ${secret}`);
  });

  it('secretNameClass answers as before its quick test on the end of the name', () => {
    const r = rng(17);
    const words = ['pass', 'password', 'Passwd', 'PWD', 'passphrase', 'passcode', 'secret', 'clientsecret', 'token', 'accessToken', 'key', 'apikey', 'api', 'Key', 'KEY', 'pad', 'db', 'keys', 'tokenizer', 'x', '2', 'S'];
    const seps = ['_', '-', '.', '', ' ', '!', '"', ']', '__', ':'];
    let secret = 0;
    for (let k = 0; k < 50000; k++) {
      let name = '';
      for (let n = Math.floor(r() * 4); n >= 0; n--) name += (name ? seps[Math.floor(r() * seps.length)] : '') + words[Math.floor(r() * words.length)];
      if (r() < 0.2) name += seps[Math.floor(r() * seps.length)];
      const want = computeNameClass(name);
      if (want) secret++;
      assert.equal(secretNameClass(name), want, name);
    }
    assert.ok(secret > 5000, `secret names: ${secret}`);
  });

  it('secretSigns is SECRET_WORD and mayHoldProviderTokens', () => {
    const r = rng(9);
    const pieces = ['secret_access_key = "' + 'A'.repeat(40) + '"', 'AWS_SECRET_ACCESS_KEY=' + 'b/'.repeat(20), 'wandb.login()', 'wandb ' + 'ab12'.repeat(10), 'WANDB_API_KEY=' + 'ab12'.repeat(10), 'https://u:p@host/x', 'ftp://host/x', ...SHAPE_SAMPLES.slice(0, 8), 'plain text', 'key', 'x'];
    for (let k = 0; k < 20000; k++) {
      let t = '';
      for (let n = Math.floor(r() * 3); n >= 0; n--) t += pieces[Math.floor(r() * pieces.length)] + ' ';
      const want = (SECRET_WORD.test(t) ? SIGN_WORD : 0) | (mayHoldProviderTokens(t) ? SIGN_TOKEN : 0);
      assert.equal(secretSigns(t), want, t);
    }
  });
});

