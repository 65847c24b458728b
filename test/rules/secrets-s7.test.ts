// `scanAssignments`, `TOKEN_SHAPE`, `secretSigns` and `mayHoldProviderTokens` after
// session 7's prefilter changes give the answers of their old versions (a verbatim
// copy in test/helpers/secrets-old.ts) on texts made of the pieces they react to.
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { mayHoldProviderTokens, scanAssignments, SECRET_NAME_END, SECRET_NAME_LINES, secretSigns, TOKEN_SHAPE, type ScanMode } from '../../src/core/rules/lib/secrets';
import * as old from '../helpers/secrets-old';

/** Names, separators, values and noise of secret assignments, in every style the patterns read. */
const PIECES = [
  'password', 'db_password', 'DB_PASSWORD', 'dbPassword', 'api_key', 'apiKey', 'API_KEY', 'token', 'HF_TOKEN', 'hf_token_', 'key', 'keys', 'tokenizer', 'secret',
  'client_secret', 'pass', 'pwd', 'passwd', 'passphrase', 'access_token', 'pad_token', 'secret_key', 'token.count', 'password2', 'monkey', 'keyboard', 'x',
  ' = ', '=', ': ', ' : ', '=>', ':', '["', '"]', "['", "']", '"', "'", ' ', '\t', '\n', '\n', '\r\n', '#', '# ', '//', ',', ';', '(', ')', '[', ']', '{', '}',
  '"hunter2x"', "'s3cr3t-Pa55'", 'abc123DEF456ghi', 'postgres', 'minioadmin', '"<YOUR_KEY>"', '"YOUR_API_KEY"', 'get_password()', '"${VAR}"', '"xxxx"',
  '"sk-abcdefghijklmnopqrstuvwxyz123456"', 'Zq8rT2mN5pW1', '"changeme"', '"aB3dE5gH7jK9"', '--password', '--api-key=', '--token ', '-p ', 'export ',
  'os.environ["HF_TOKEN"] = ', 'user=u ', 'host=db ', 'postgres://u:p4ss@h/db', ' - ', '-', '.', '_', 'PASSWORD=', 'Key=', 'value',
];

const NAMES = PIECES.slice(0, 27);
const SEPS = [' = ', '=', ': ', ' : ', '=>', '"] = ', "': ", '=', ' ', '\t=\t'];
const VALUES = PIECES.filter((p) => /[A-Za-z0-9]{4}/.test(p) && !NAMES.includes(p));
/** A line like an assignment (`name sep value`), with pieces around it. */
const line = fc
  .tuple(fc.constantFrom('', '', '"', "'", '--', '# ', '  ', 'x.', 'export ', '{"'), fc.constantFrom(...NAMES), fc.constantFrom(...SEPS), fc.constantFrom(...VALUES), fc.constantFrom('', '', ',', ')', ' # note', ' and more', '"', '\n'))
  .map((p) => p.join(''));
const text = fc.array(fc.oneof(line, fc.constantFrom(...PIECES)), { maxLength: 16 }).map((parts) => parts.join(''));
const MODES: ScanMode[] = ['code', 'data', 'shell', 'output'];

describe('secrets (session 7)', () => {
  it('scanAssignments finds what its old version found, in every mode', () => {
    let found = 0;
    fc.assert(
      fc.property(text, fc.constantFrom(...MODES), (t, mode) => {
        const want = old.scanAssignments(t, mode);
        if (want.length) found++;
        assert.deepEqual(scanAssignments(t, mode), want, `${mode}: ${JSON.stringify(t)}`);
      }),
      { numRuns: 40_000, seed: 77 },
    );
    assert.ok(found > 4000, `texts with hits: ${found}`);
  });

  it('SECRET_NAME_LINES finds the lines that hold a SECRET_NAME_END', () => {
    const letters = ['p', 'P', 'a', 'A', 's', 'S', 'w', 'W', 'o', 'r', 'R', 'd', 'D', 'h', 'e', 'E', 'c', 'C', 't', 'T', 'k', 'K', 'n', 'N', 'y', 'Y', '_', '-', '.', ' ', '\n', '=', 'x', '2'];
    const words = ['pass', 'password', 'passwd', 'passphrase', 'passcode', 'pwd', 'secret', 'token', 'key', 'PASSWORD', 'Secret', 'TOKEN', 'Key', 'passs', 'pas', 'pw', 'toke', 'secre'];
    let lines = 0;
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.constantFrom(...letters), fc.constantFrom(...words)), { maxLength: 30 }), (parts) => {
        const t = parts.join('');
        const want: number[] = [];
        t.split('\n').forEach((l, i) => {
          if (SECRET_NAME_END.test(l)) want.push(i);
        });
        const got: number[] = [];
        const re = new RegExp(SECRET_NAME_LINES);
        for (let m = re.exec(t); m; m = re.exec(t)) {
          const line = t.slice(0, m.index).split('\n').length - 1;
          if (got[got.length - 1] !== line) got.push(line);
          const nl = t.indexOf('\n', m.index);
          if (nl < 0) break;
          re.lastIndex = nl;
        }
        lines += want.length;
        assert.deepEqual(got, want, JSON.stringify(t));
      }),
      { numRuns: 30_000, seed: 13 },
    );
    assert.ok(lines > 10_000, `lines: ${lines}`);
  });

  it('TOKEN_SHAPE, secretSigns and mayHoldProviderTokens answer as before', () => {
    const shapes = ['hf_' + 'aB3'.repeat(10), 'ntn_' + '1'.repeat(11), 'ghp_' + 'a'.repeat(36), 'figd_' + '-'.repeat(40), 'glsa_' + 'a'.repeat(32) + '_', 'ops_ey' + '=+/'.repeat(34), 'shpat_' + 'a'.repeat(32), 'github_pat_' + 'a'.repeat(82), 'lin_api_' + '_'.repeat(32), 'api_org_' + 'Ab1'.repeat(10), 'npm_' + 'a_'.repeat(18), 'glc_' + '/+'.repeat(16)];
    const pieces = [...shapes, ...shapes.map((s) => s.slice(0, s.length - 2)), ...shapes.map((s) => s.slice(1)), 'x_train', 'n_estimators', 'hf', 'gh', 'npm', 'ntn', '_', 'my_ops_', 'wandb ', 'a'.repeat(40), 'https://u:p@h/x', 'secret_access_key = "' + 'A'.repeat(40) + '"', ' ', '\n', 'key'];
    let tokens = 0;
    fc.assert(
      fc.property(fc.array(fc.constantFrom(...pieces), { maxLength: 6 }), (parts) => {
        const t = parts.join('');
        const want = old.TOKEN_SHAPE.test(t);
        if (want) tokens++;
        assert.equal(TOKEN_SHAPE.test(t), want, JSON.stringify(t));
        assert.equal(secretSigns(t), old.secretSigns(t), JSON.stringify(t));
        assert.equal(mayHoldProviderTokens(t), old.mayHoldProviderTokens(t), JSON.stringify(t));
      }),
      { numRuns: 20_000, seed: 5 },
    );
    assert.ok(tokens > 5000, `texts with a token shape: ${tokens}`);
  });
});
