import * as assert from 'node:assert/strict';
import rule from '../src/core/rules/governance/hardcoded-secret';
import { envVarName, isPlaceholder, looksLikeSecretValue, looksRandom, mayHoldProviderTokens, scanAssignments, scanProviderTokens, secretNameClass } from '../src/core/rules/lib/secrets';
import { lintCase } from './helpers/rule-tester';

const HF = ['hf', 'Qm7xTz2KpLw9RbVn4YcJd8HsFa3GeUo6Ni'].join('_');
const SLACK = ['xoxb', '123456789012', '1234567890123', 'Ab3dEf6hIj9lMn2pQr5tUv8x'].join('-');
const DATABRICKS = ['dapi', '0a1b2c3d4e5f60718293a4b5c6d7e8f9'].join('');
const AWS_ROLE = ['AROA', 'X7KQ2M9PLR4TZ8WN'].join('');
const AWS_SECRET = ['k8Zq3Rt7Wm2Xp9Lv4Nb6', 'Hc1Jd5Fg0Ys8Ua3Ei7Oq'].join('');

describe('secrets library', () => {
  it('classifies credential names, not look-alikes', () => {
    for (const n of ['password', 'DB_PASSWORD', 'dbPassword', 'db_pass', 'pwd', 'client_secret', 'FSSPEC_S3_SECRET', 'hf_token', 'accessToken', 'api_key', 'OPENAI_API_KEY', 'AccountKey', 'aws_secret_access_key', 'apikey', 'self.hub_token']) {
      assert.ok(secretNameClass(n), `${n} should be credential-like`);
    }
    for (const n of ['tokenizer', 'pad_token', 'eos_token', 'max_tokens', 'secret_name', 'token_env', 'password_field', 'aws_access_key_id', 'key', 'primary_key_column', 'credentials', 'tokenize', 'passthrough']) {
      assert.equal(secretNameClass(n), undefined, `${n} should not be credential-like`);
    }
  });

  it('recognises placeholders and references', () => {
    for (const v of ['', '<YOUR_KEY>', 'YOUR_API_KEY', 'xxx', '***', 'changeme', '${DB_PASSWORD}', '${{ secrets.X }}', '{{ token }}', 'OPENAI_API_KEY', '/run/secrets/db', 'key.json', 'your-token-here', 'sk-...', 'null']) {
      assert.ok(isPlaceholder(v), `${JSON.stringify(v)} should be a placeholder`);
    }
    for (const v of ['example', 'minioadmin', 'hunter22', 's3cr3t-Pa55', '3f9a1c5e7b2d4f6a8c0e1b3d5f7a9c2e4b6d8f0a']) assert.ok(!isPlaceholder(v), `${v} is a value`);
  });

  it('asks keys and tokens to look generated, passwords only to be real', () => {
    assert.ok(looksRandom('a1B2c3D4e5F6g7H8'));
    assert.ok(!looksRandom('my-k8s-secret'));
    assert.ok(!looksRandom('MySecretName'));
    assert.ok(looksLikeSecretValue('password', 'example'));
    assert.ok(looksLikeSecretValue('secret', 'minioadmin'), 'well-known default credential');
    assert.ok(!looksLikeSecretValue('token', 'write'));
    assert.ok(!looksLikeSecretValue('password', 'example', 'password', true), 'outputs need generated-looking values');
  });

  it('derives environment variable names', () => {
    assert.equal(envVarName('dbPassword'), 'DB_PASSWORD');
    assert.equal(envVarName('self.hf_token'), 'HF_TOKEN');
    assert.equal(envVarName('FSSPEC_S3_SECRET'), 'FSSPEC_S3_SECRET');
  });

  it('scans assignments by mode', () => {
    const shell = 'export DB_PASSWORD=hunter22\npython train.py --api-key a1B2c3D4e5F6g7H8\npassword = get_password()\n';
    assert.deepEqual(scanAssignments(shell, 'shell').map((h) => shell.slice(h.start, h.end)), ['hunter22', 'a1B2c3D4e5F6g7H8']);
    const code = 'password = db_password\ntoken = "a1B2c3D4e5F6g7H8"\n';
    assert.deepEqual(scanAssignments(code, 'code').map((h) => code.slice(h.start, h.end)), ['a1B2c3D4e5F6g7H8']);
  });

  it('finds provider tokens (secretlint preset and ML platforms)', async () => {
    const text = `login("${HF}")\nslack = "${SLACK}"\nDATABRICKS_TOKEN = "${DATABRICKS}"\n`;
    const kinds = (await scanProviderTokens(text)).map((h) => h.kind);
    assert.deepEqual(kinds, ['Hugging Face token', 'Slack token', 'Databricks token']);
    assert.deepEqual(await scanProviderTokens('no secrets here, just sk-learn and asia-east1'), []);
  });

  it('does not keep secretlint profiler entries from one lint to the next (no leak in a long session)', async () => {
    const { secretLintProfiler } = await import('@secretlint/profiler');
    const coreMarks = (): number => performance.getEntries().filter((e) => e.name.startsWith('@core>')).length;
    performance.mark('someone-else');
    // Distinct texts: the provider cache must not answer.
    for (let i = 0; i < 5; i++) assert.equal((await scanProviderTokens(`slack_${i} = "${SLACK}"\n`)).length, 1);
    assert.equal(coreMarks(), 0);
    assert.equal((await secretLintProfiler.getEntries()).length, 0);
    assert.equal((await secretLintProfiler.getMeasures()).length, 0);
    assert.equal(performance.getEntriesByName('someone-else').length, 1, "other marks are left alone");
    performance.clearMarks('someone-else');
  });

  it('scans only texts that hold a token shape, with every provider pattern', async () => {
    // Token-like prefixes in ordinary identifiers: nothing to scan, nothing found.
    assert.equal(mayHoldProviderTokens('hf_token = client.get_secret("hf")\nhf_repo_suffix = "x"\n--boot-disk-size=100'), false);
    assert.equal(mayHoldProviderTokens(`login("${HF}")`), true);
    assert.equal(mayHoldProviderTokens(`aws_secret_access_key = "${AWS_SECRET}"`), true);
    assert.equal(mayHoldProviderTokens('aws_secret_access_key = "XXXXXXXX"'), false);
    // AWS key ids of every prefix are found whatever else the text holds (before: AKIA/ASIA only, or next to another token).
    const role = `role_id = "${AWS_ROLE}"\n`;
    assert.deepEqual((await scanProviderTokens(role)).map((h) => [h.kind, role.slice(h.start, h.end) === AWS_ROLE]), [['AWS access key ID', true]]);
    // secretlint's own formats (here the AWS secret access key) are still read.
    const secret = `aws_secret_access_key = "${AWS_SECRET}"\n`;
    assert.deepEqual((await scanProviderTokens(secret)).map((h) => h.kind), ['AWS secret access key']);
  });

  it('never shows a secret in full in messages or fix titles', async () => {
    const cases = [
      { code: `token = "${HF}"\nDB_PASSWORD = "s3cr3t-Pa55"\n` },
      { cells: [{ code: 'print(cfg)', outputs: [{ output_type: 'stream', name: 'stdout', text: [`{'token': '${HF}'}`] }] }] },
      { text: `slack:\n  token: ${SLACK}\n  password: hunter22\n` },
    ];
    for (const c of cases) {
      const r = await lintCase(rule, c);
      const mine = r.findings.filter((f) => f.rule === rule.meta.id);
      assert.ok(mine.length > 0);
      for (const f of mine) {
        const shown = [f.message, ...f.related.map((x) => x.message), ...f.fixes.map((x) => x.title)].join('\n');
        for (const secret of [HF, SLACK, 's3cr3t-Pa55', 'hunter22']) assert.ok(!shown.includes(secret), `shown in full: ${shown}`);
      }
    }
  });
});
