// `isPlaceholder`'s filler-name pattern (`your_api_key`) was rewritten without its
// exponential backtracking (seconds on a 40-letter value): `isPlaceholder` must answer
// as the earlier version, kept here, on fixed tricky values and on generated ones.
import * as assert from 'node:assert/strict';
import fc from 'fast-check';
import { isPlaceholder, secretNameClass } from '../../src/core/rules/lib/secrets';

const DEFAULT_CREDENTIALS = new Set([
  'minioadmin', 'admin', 'root', 'postgres', 'guest', 'administrator', 'sa', 'tiger', 'oracle', 'letmein', 'qwerty',
  '123456', '12345678', 'p@ssw0rd', 'passw0rd', 'mlflow', 'airflow', 'rabbitmq', 'mysql', 'redis', 'elastic', 'kibana',
  'grafana', 'prom-operator', 'admin123', 'toor', 'default', 'welcome', 'secret123', 'password123', 'test123',
]);

const OLD_FILLER_NAME = /^(?:your|my|the|enter|insert|replace|put|add|paste|set|some|dummy|fake|sample|test|example|default)[-_ ]?(?:own[-_ ])?(?:[a-z]+[-_ ]?)*(?:key|token|secret|password|pass|pwd|here|value|id)s?$/i;

/** The earlier `isPlaceholder`, as it was. */
function oldIsPlaceholder(value: string, name?: string): boolean {
  const v = value.trim();
  if (v.length === 0) return true;
  if (/^(?:changeme|change[-_.]?me|change[-_.]?it|replace[-_.]?me|fill[-_.]?me|todo|tbd|none|null|nil|undefined|n\/?a|false|true|dummy|fake|placeholder|redacted|hidden|masked|secret|password|passwd|pwd|pass|token|key|apikey|api[-_]key|access[-_]key|secret[-_]key|value|string|str|xxx+|\.\.\.+)$/i.test(v)) return true;
  if (/^[<[{(].*[>\]})]$/.test(v)) return true;
  if (/\$\{|\$\(|\{\{|\}\}|%\(|%s\b|^\$[A-Za-z_]|^%[A-Za-z_]+%$|\{[A-Za-z_0-9]*\}/.test(v)) return true;
  if (/x{4,}|X{4,}|\*{3,}|•{2,}|\.{3,}|#{3,}|_{4,}|-{4,}|0{8,}/.test(v)) return true;
  if (OLD_FILLER_NAME.test(v)) return true;
  if (/(?:^|[-_ ])(?:here|placeholder|goes[-_ ]here)$/i.test(v)) return true;
  if (/your[-_ ]?(?:api|secret|access|own|key|token|password)/i.test(v)) return true;
  if (/EXAMPLE/.test(v) && v.length >= 16) return true;
  if (/^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$/.test(v) && !/\d{4,}/.test(v)) return true;
  if (/^(?:\/|\.{1,2}\/|~\/|[A-Za-z]:\\|file:)/.test(v)) return true;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(v) && !/:\/\/[^/\s@]*:[^/\s@]*@/.test(v)) return true;
  if (/\.(?:json|ya?ml|txt|pem|key|crt|cer|p12|pfx|env|cfg|ini|toml|csv|pkl|pickle|secret)$/i.test(v)) return true;
  if (/^(?:arn:aws:secretsmanager|arn:aws:ssm|projects\/[^/]+\/secrets\/|vault:|secret:|keyvault:|azurekeyvault|@Microsoft\.KeyVault|ref\+|op:\/\/)/i.test(v)) return true;
  if (name) {
    const n = name.slice(name.lastIndexOf('.') + 1).replace(/[^A-Za-z0-9]/g, '').toLowerCase();
    const w = v.replace(/[^A-Za-z0-9]/g, '').toLowerCase();
    if (w === n || (w.length > 0 && n.endsWith(w) && w.length >= 3 && !DEFAULT_CREDENTIALS.has(w))) return true;
  }
  if (/^[A-Za-z_][\w.-]*$/.test(v) && secretNameClass(v) !== undefined) return true;
  if (v.length >= 6 && new Set(v).size <= 2) return true;
  return false;
}

/** Pieces that make the patterns match, nearly match, or change case in odd ways. */
const PIECES = [
  'your', 'YOUR', 'Your', 'my', 'the', 'enter', 'insert', 'replace', 'put', 'add', 'paste', 'set', 'some', 'dummy', 'fake', 'sample', 'test', 'example', 'Default',
  'own ', 'own_', 'key', 'KEY', 'token', 'secret', 'password', 'pass', 'pwd', 'here', 'value', 'id', 's', 'api', 'access', 'goes here', 'goes-here', 'placeholder',
  'change', 'me', 'it', 'fill', 'todo', 'tbd', 'none', 'null', 'nil', 'undefined', 'n/a', 'na', 'N/A', 'false', 'true', 'redacted', 'hidden', 'masked', 'apikey', 'string', 'str',
  'x', 'xx', 'X', 'XXXX', '*', '**', '•', '.', '..', '#', '##', '_', '__', '-', '--', '0000', '0', '${', '$(', '{{', '}}', '%(', '%s', '%', '$', '{', '}', '<', '>', '[', ']', '(', ')',
  'EXAMPLE', 'AKIA', 'A', 'Z', '_X', '1234', '12', '/', './', '../', '~/', 'C:\\', 'file:', 'https://', 'http', '://', 's3://', 'user:pw@', '@', ':',
  '.json', '.yaml', '.YML', '.txt', '.pem', '.env', '.pkl', 'arn:aws:secretsmanager', 'arn:aws:ssm', 'projects/p/secrets/', 'projects/', 'vault:', 'secret:', 'keyvault:',
  'azurekeyvault', '@Microsoft.KeyVault', '@microsoft.keyvault', 'ref+', 'op://', 'OP://', ' ', '\t', '\n', '\r', 'a', 'b', 'aa', 'ab', '9', 'hunter2', 's3cr3t-Pa55',
  'minioadmin', 'admin', 'K', '\u212A', '\u0130', '\u017F', 'ſ', 'é', 'Ω', 'ß', 'ﬀ', '\u2028',
];

const NAMES = [undefined, 'password', 'token', 'db_password', 'api_key', 'self.token', 'HF_TOKEN', 'secret', 'key', 'pwd', 'x', ''];

describe('isPlaceholder (filler-name pattern rewritten)', () => {
  it('answers as the earlier version on fixed values', () => {
    const values = [
      '', ' ', 'changeme', 'CHANGE-ME', 'change.it', 'Replace_Me', 'fillme', 'n/a', 'N/A', 'xxx', 'XxX', 'xx', '...', '....', 'None', '\u212Aey', 'ke\u212A', 'pa\u017Fs',
      '<YOUR_KEY>', '[x]', '{a}', '(b)', '<a\nb>', '<a\rb>', '${VAR}', '$(cmd)', '{{ x }}', '}}', '%(x)s', '%s', '%sx', '$HOME', '%APPDATA%', '{abc}', '{a-b}',
      'abcxxxxdef', 'ab***', '••', '_____', '----', '00000000', 'your_api_key', 'YOUR-OWN-TOKEN-HERE', 'enter your password here', 'test password', 'testpasswords',
      'my--key', 'my_ key', 'the_secret', 'some value', 'sample_id', 'default_ids', 'examplekey', 'your\u212Aey', 'key goes here', 'a-here', 'here', 'placeholder',
      'xyour-api', 'Your Token', 'AKIAIOSFODNN7EXAMPLE', 'EXAMPLEKEY12345', 'OPENAI_API_KEY', 'AWS_KEY_12345', 'A_B', 'A_', '/etc/x', './a', '../a', '~/a', 'C:\\x', 'file:x',
      'https://host/x', 'https://u:p@host/x', 'S3://bucket', 'config.json', 'key.PEM', 'arn:aws:ssm:x', 'projects/p/secrets/s', 'projects/p/x', 'VAULT:x', '@Microsoft.KeyVault(x)',
      'ref+vault://x', 'op://v/i', 'db_password', 'token.value', 'aaaaaa', '121212', 'hunter22', 's3cr3t-Pa55', 'minioadmin', 'example', '3f9a1c5e7b2d4f6a8c0e1b3d5f7a9c2e4b6d8f0a',
    ];
    for (const v of values) for (const n of NAMES) assert.equal(isPlaceholder(v, n), oldIsPlaceholder(v, n), `${JSON.stringify(v)} / ${n}`);
  });

  it('answers as the earlier version on generated values', function () {
    this.timeout(60_000);
    // Short values: the earlier filler-name pattern backtracks exponentially on long letter runs.
    const value = fc.array(fc.oneof(fc.constantFrom(...PIECES), fc.string({ maxLength: 3 })), { maxLength: 5 }).map((xs) => xs.join('')).filter((v) => v.length <= 22);
    fc.assert(
      fc.property(value, fc.constantFrom(...NAMES), (v, n) => {
        assert.equal(isPlaceholder(v, n), oldIsPlaceholder(v, n), `${JSON.stringify(v)} / ${n}`);
      }),
      { numRuns: 40_000, seed: 7 },
    );
  });

  it('the filler-name pattern has the strings of the earlier one, in linear time', function () {
    this.timeout(60_000);
    const filler = /^(?:your|my|the|enter|insert|replace|put|add|paste|set|some|dummy|fake|sample|test|example|default)[-_ ]?(?:own[-_ ])?(?:[a-z][-_ ]?)*(?:key|token|secret|password|pass|pwd|here|value|id)s?$/i;
    const value = fc
      .array(fc.constantFrom('your', 'test', 'own', 'key', 'token', 'here', 'id', 's', 'a', 'B', '-', '_', ' ', '__', '- ', 'x', '1', '\u212A'), { maxLength: 8 })
      .map((xs) => xs.join(''));
    fc.assert(
      fc.property(value, (v) => {
        assert.equal(filler.test(v), OLD_FILLER_NAME.test(v), JSON.stringify(v));
      }),
      { numRuns: 30_000, seed: 3 },
    );
    // The earlier pattern takes seconds on this value (a letter run that does not end in a secret word); the new one is immediate.
    const t0 = performance.now();
    assert.equal(isPlaceholder('test' + 'a'.repeat(40) + '!'), false);
    assert.ok(performance.now() - t0 < 50, 'no exponential backtracking');
  });
});
