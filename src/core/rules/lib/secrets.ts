// Secret recognisers for `hardcoded-secret`: provider tokens (secretlint's
// recommended preset plus ML-platform tokens it does not know) and generic
// `password = "literal"` style assignments. Everything works on one piece of text
// (a cell, a file, one output) and returns offsets into it, so callers map the
// hits back to cells and lines. Callers must never print a hit's value: use
// `maskSecret` from text.ts.
import { TextCache } from './value-resolver';

/** A secret found in a text. `start`/`end` are offsets of the secret value. */
export interface SecretHit {
  start: number;
  end: number;
  /** What it is, for messages: "Hugging Face token", "password". */
  kind: string;
  /** Conventional environment variable for this kind of secret, when there is one. */
  envName?: string;
  /** The variable, keyword or key the value is bound to, when the text says so. */
  name?: string;
  /** `provider` = a token format recognised by its shape; `assignment` = a secret-like name bound to a literal. */
  via: 'provider' | 'assignment';
}

// ---------------------------------------------------------------------------
// Names

export type SecretNameClass = 'password' | 'secret' | 'token' | 'key';

/** Words before `token` that make it an NLP special token (`pad_token = "[PAD]"`), not a credential. */
const SPECIAL_TOKEN_WORDS = new Set([
  'pad', 'eos', 'bos', 'unk', 'sep', 'cls', 'mask', 'start', 'end', 'stop', 'special', 'sos', 'image', 'audio', 'video',
  'additional', 'decoder', 'begin', 'chat', 'default', 'placeholder', 'eot', 'fim', 'think', 'tool', 'bot', 'eom', 'new',
  'next', 'csrf', 'xsrf', 'page', 'continuation', 'cancellation', 'cancel', 'sample', 'word', 'num', 'max', 'min', 'split',
]);

/** Words before `key` that make it a credential (`api_key`, `AccountKey`). */
const KEY_QUALIFIERS = new Set([
  'api', 'access', 'secret', 'private', 'account', 'storage', 'master', 'signing', 'subscription', 'auth', 'encryption',
  'client', 'app', 'service', 'admin', 'sas', 'shared', 'consumer', 'license', 'primary', 'secondary', 'endpoint', 'deploy',
]);

/** Splits an identifier into lower-case words: `dbPassword` / `DB_PASSWORD` / `db-password` -> db, password. */
export function nameWords(name: string): string[] {
  return name
    .replace(/([a-z0-9])([A-Z])/g, '$1 $2')
    .replace(/([A-Z]+)([A-Z][a-z])/g, '$1 $2')
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((w) => w.toLowerCase());
}

/** `secretNameClass` answers by name: the same names recur in every file (`key`, `token`, `api_key`). */
const nameClasses = new Map<string, SecretNameClass | null>();

/**
 * How every name `computeNameClass` takes ends: its last word (after the last `.`)
 * ends with one of these, and only characters that are not letters, digits or dots
 * follow. Most names (`df`, `model`, `x_train`) are answered by this test alone.
 */
const SECRET_NAME_TAIL = /(?:pass(?:word|wd|phrase|code)?|pwd|secret|token|key)[^A-Za-z0-9.]*$/i;

/** Whether a variable / keyword / key name holds a credential, and of which sort. */
export function secretNameClass(rawName: string): SecretNameClass | undefined {
  if (!SECRET_NAME_TAIL.test(rawName)) return undefined;
  let cls = nameClasses.get(rawName);
  if (cls === undefined) {
    cls = computeNameClass(rawName) ?? null;
    if (nameClasses.size >= 10_000) nameClasses.clear();
    nameClasses.set(rawName, cls);
  }
  return cls ?? undefined;
}

/** The classification `secretNameClass` caches (without its quick test; exported for tests). */
export function computeNameClass(rawName: string): SecretNameClass | undefined {
  // `self.db.password` -> `password`; `environ["HF_TOKEN"]` arrives as `HF_TOKEN`.
  const name = rawName.slice(rawName.lastIndexOf('.') + 1);
  const words = nameWords(name);
  if (words.length === 0 || words.length > 6) return undefined;
  const last = words[words.length - 1];
  const prev = words.length > 1 ? words[words.length - 2] : '';
  if (['password', 'passwd', 'pwd', 'passphrase', 'passcode'].includes(last) || (last === 'pass' && words.length > 1)) return 'password';
  if (/^[a-z]*(password|passwd)$/.test(last)) return 'password';
  if (last === 'secret' || /^[a-z]+secret$/.test(last)) return 'secret';
  if (last === 'token' || /^(access|auth|api|bearer|refresh|id|session|sas|bot|personal|oauth)token$/.test(last)) {
    if (SPECIAL_TOKEN_WORDS.has(prev)) return undefined;
    return 'token';
  }
  if (/^(api|access|secret|private|account|storage|master|auth|subscription|client|app)key$/.test(last)) return 'key';
  if (last === 'key' && KEY_QUALIFIERS.has(prev)) return 'key';
  if (last === 'apikey') return 'key';
  return undefined;
}

export function classLabel(cls: SecretNameClass): string {
  switch (cls) {
    case 'password':
      return 'password';
    case 'secret':
      return 'secret';
    case 'token':
      return 'token';
    default:
      return 'key';
  }
}

/** `self.hfToken` -> `HF_TOKEN`: an environment variable name for a fix. */
export function envVarName(rawName: string): string {
  const name = rawName.slice(rawName.lastIndexOf('.') + 1);
  const words = nameWords(name);
  const out = words.join('_').toUpperCase();
  return /^[A-Z_]/.test(out) ? out : `SECRET_${out}`;
}

// ---------------------------------------------------------------------------
// Values

/** Well-known default credentials: real credentials even though they are words. */
const DEFAULT_CREDENTIALS = new Set([
  'minioadmin', 'admin', 'root', 'postgres', 'guest', 'administrator', 'sa', 'tiger', 'oracle', 'letmein', 'qwerty',
  '123456', '12345678', 'p@ssw0rd', 'passw0rd', 'mlflow', 'airflow', 'rabbitmq', 'mysql', 'redis', 'elastic', 'kibana',
  'grafana', 'prom-operator', 'admin123', 'toor', 'default', 'welcome', 'secret123', 'password123', 'test123',
]);

const PLACEHOLDER_WORDS = /^(?:changeme|change[-_.]?me|change[-_.]?it|replace[-_.]?me|fill[-_.]?me|todo|tbd|none|null|nil|undefined|n\/?a|false|true|dummy|fake|placeholder|redacted|hidden|masked|secret|password|passwd|pwd|pass|token|key|apikey|api[-_]key|access[-_]key|secret[-_]key|value|string|str|xxx+|\.\.\.+)$/i;

/**
 * `your_api_key`, `enter-your-token-here`, `test password`: a filler word, then words
 * (each letter may be followed by one separator: the same strings as `(?:[a-z]+[-_ ]?)*`,
 * without its exponential backtracking), then a secret-like word.
 */
const FILLER_NAME = /^(?:your|my|the|enter|insert|replace|put|add|paste|set|some|dummy|fake|sample|test|example|default)[-_ ]?(?:own[-_ ])?(?:[a-z][-_ ]?)*(?:key|token|secret|password|pass|pwd|here|value|id)s?$/i;

/**
 * Placeholders and references, never reported: empty, `<YOUR_KEY>`, `YOUR_API_KEY`,
 * `xxx`, `***`, `${VAR}`, `${{ secrets.X }}`, `{{ var }}`, `%(x)s`, env var names
 * (`OPENAI_API_KEY`), paths and file names, secret-store references.
 */
export function isPlaceholder(value: string, name?: string): boolean {
  const v = value.trim();
  if (v.length === 0) return true;
  if (PLACEHOLDER_WORDS.test(v)) return true;
  if (/^[<[{(].*[>\]})]$/.test(v)) return true;
  if (/\$\{|\$\(|\{\{|\}\}|%\(|%s\b|^\$[A-Za-z_]|^%[A-Za-z_]+%$|\{[A-Za-z_0-9]*\}/.test(v)) return true;
  if (/x{4,}|X{4,}|\*{3,}|•{2,}|\.{3,}|#{3,}|_{4,}|-{4,}|0{8,}/.test(v)) return true;
  if (FILLER_NAME.test(v)) return true;
  if (/(?:^|[-_ ])(?:here|placeholder|goes[-_ ]here)$/i.test(v)) return true;
  if (/your[-_ ]?(?:api|secret|access|own|key|token|password)/i.test(v)) return true;
  // The AWS documentation example keys and similar published examples.
  if (/EXAMPLE/.test(v) && v.length >= 16) return true;
  // An environment variable name: a reference, not a value.
  if (/^[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+$/.test(v) && !/\d{4,}/.test(v)) return true;
  // Paths, URLs without credentials, file names, secret-store references.
  if (/^(?:\/|\.{1,2}\/|~\/|[A-Za-z]:\\|file:)/.test(v)) return true;
  if (/^[a-z][a-z0-9+.-]*:\/\//i.test(v) && !urlCredentials(v, PART_STOP, PART_STOP)) return true;
  if (/\.(?:json|ya?ml|txt|pem|key|crt|cer|p12|pfx|env|cfg|ini|toml|csv|pkl|pickle|secret)$/i.test(v)) return true;
  if (/^(?:arn:aws:secretsmanager|arn:aws:ssm|projects\/[^/]+\/secrets\/|vault:|secret:|keyvault:|azurekeyvault|@Microsoft\.KeyVault|ref\+|op:\/\/)/i.test(v)) return true;
  // The value repeats its own name (`token: token`, `password="PASSWORD"`).
  if (name) {
    const n = name.slice(name.lastIndexOf('.') + 1).replace(/[^A-Za-z0-9]/g, '').toLowerCase();
    const w = v.replace(/[^A-Za-z0-9]/g, '').toLowerCase();
    if (w === n || (w.length > 0 && n.endsWith(w) && w.length >= 3 && !DEFAULT_CREDENTIALS.has(w))) return true;
  }
  // The value is itself a secret-like identifier (`password: db_password`): a reference.
  if (/^[A-Za-z_][\w.-]*$/.test(v) && secretNameClass(v) !== undefined) return true;
  // Very low variety: `aaaaaaaa`, `12121212`.
  if (v.length >= 6 && new Set(v).size <= 2) return true;
  return false;
}

/** Looks generated: a long run mixing letters and digits (or cases), or a long hex string. */
export function looksRandom(v: string): boolean {
  if (v.length < 8) return false;
  if (/^[0-9a-f]{16,}$/i.test(v) && /\d/.test(v) && /[a-f]/i.test(v)) return true;
  // Words joined by separators (`my-k8s-secret`, `model_v2`) are names, not keys.
  return v.split(/[-_.:/+=@]/).some((seg) => {
    if (seg.length < 8) return false;
    const letters = /[A-Za-z]/.test(seg);
    const digits = /\d/.test(seg);
    const mixedCase = /[a-z]/.test(seg) && /[A-Z]/.test(seg) && !/^[A-Z]?[a-z]+(?:[A-Z][a-z]+)*$/.test(seg);
    return (letters && digits) || mixedCase;
  });
}

/**
 * Whether a literal bound to a secret-like name is a real credential. Passwords
 * may be plain words (`example`, default credentials count); keys, tokens and
 * secrets must look generated or be a known default. `strict` (outputs) asks every
 * class to look generated or known.
 */
export function looksLikeSecretValue(cls: SecretNameClass, value: string, name?: string, strict = false): boolean {
  const v = value.trim();
  if (v !== value && /\s/.test(v)) return false;
  if (/\s/.test(v)) return false;
  if (v.length > 300) return false;
  if (isPlaceholder(v, name)) return false;
  if (DEFAULT_CREDENTIALS.has(v.toLowerCase())) return true;
  if (cls === 'password' && !strict) return v.length >= 3 && /[A-Za-z0-9]/.test(v) && !/^\d{1,2}$/.test(v);
  return looksRandom(v);
}

/** The kind of secret when `name` is credential-like and `value` a real-looking literal for it. */
export function assignedSecretKind(name: string, value: string, strict = false): string | undefined {
  const cls = secretNameClass(name);
  return cls && looksLikeSecretValue(cls, value, name, strict) ? classLabel(cls) : undefined;
}

// ---------------------------------------------------------------------------
// Generic assignments in text

/**
 * `name = "value"`, `name: value`, `"name": "value"`, `environ["NAME"] = "value"`,
 * `NAME=value` inside a connection string or a shell line. Groups: 1 quote around
 * the name, 2 name, 3 separator with its spaces, 4 quote around the value, 5 quoted
 * value, 6 unquoted value (never followed by `(`, `[`, `.` or a word character:
 * then it is code, `password = get_password()`).
 */
const ASSIGNMENT =
  /(["']?)(?<![\w.-])([A-Za-z_][\w.-]{0,80}?)\1([ \t]*\]?[ \t]*(?::[ \t]*[A-Za-z_][\w.[\], ]{0,40}?[ \t]*(?==))?(?:=>|=|:)(?![=])[ \t]*)(?:(["'])((?:(?!\4)[^\n\\]){0,300})\4|([^\s"'`,;&|()[\]{}<>=][^\s"'`,;&|()[\]{}<>]{0,299})(?![([.\w]))/g;

/** `--password hunter2`, `--api-key=...` on command lines. */
const CLI_FLAG = /(?<![\w-])--?([A-Za-z][\w-]{1,40})(?:=|[ \t]+)(?:(["'])([^"'\n]{1,300})\2|([^\s"'`;&|()<>-][^\s"'`;&|()<>]{0,299}))/g;

/**
 * Cheap test before the assignment regexes: a secret-like word is on the page
 * (`/pass|pwd|secret|token|key/i`). Written to start at the rarer letters of each
 * word (`k`, `wd`, `cret`, `ss`) and look back for the rest: the regex engine then
 * skips most positions of a text at once. Same answers.
 */
export const SECRET_WORD = /[kK][eE](?:[yY]|[nN](?<=[tT][oO][kK][eE][nN]))|[wW][dD](?<=[pP][wW][dD])|[cC][rR][eE][tT](?<=[sS][eE][cC][rR][eE][tT])|[sS][sS](?<=[pP][aA][sS][sS])/;

/**
 * How to read a text: `code` = Python source (quoted values only; the caller checks
 * they are real literals); `data` = the contents of a string literal or a YAML
 * scalar (unquoted values too); `shell` = shell lines, cell magics, configs of
 * unknown syntax (unquoted only as `NAME=value` without spaces or a `key: value`
 * line); `output` = saved outputs (like shell, and every value must look generated
 * or be a known default).
 */
export type ScanMode = 'code' | 'data' | 'shell' | 'output';

/**
 * How a name that `secretNameClass` takes ends: its last word ends with one of these
 * (`db_password`, `apiKey`, `HF_TOKEN`, `client-secret_`), and no letter, digit or dot
 * follows (`tokenizer`, `keys`, `password2`, `token.count` are not secret names). A
 * text without one holds no name the assignment patterns would report.
 */
export const SECRET_NAME_END = /(?:pass(?:word|wd|phrase|code)?|pwd|secret|token|key)[_-]*(?![\w.-])/i;

const NAME_TAIL = '[_-]*(?![\\w.-])';

/**
 * The lines with a `SECRET_NAME_END` (the lines worth reading with the assignment
 * patterns), global. Like `SECRET_WORD`, each word is found from its rarer letters
 * (`ke`, `wd`, `cret`, `ss`) and looks back for the rest, then reads what follows as
 * `SECRET_NAME_END` does: a match starts inside the word rather than at its start,
 * on the same line, and a line holds one exactly when it holds a `SECRET_NAME_END`
 * (kept so by a test). Faster than `SECRET_NAME_END` with its `i` flag, which tries
 * its alternatives at every `p`, `s`, `t` and `k` of a text.
 */
export const SECRET_NAME_LINES = new RegExp(
  [
    `[kK][eE](?:[yY]|[nN](?<=[tT][oO][kK][eE][nN]))${NAME_TAIL}`,
    `[wW][dD](?<=[pP][wW][dD])${NAME_TAIL}`,
    `[cC][rR][eE][tT](?<=[sS][eE][cC][rR][eE][tT])${NAME_TAIL}`,
    `[sS][sS](?<=[pP][aA][sS][sS])(?:[wW][oO][rR][dD]|[wW][dD]|[pP][hH][rR][aA][sS][eE]|[cC][oO][dD][eE])?${NAME_TAIL}`,
  ].join('|'),
  'g',
);

/** Generic secret assignments in a piece of text. */
export function scanAssignments(text: string, mode: ScanMode): SecretHit[] {
  if (!SECRET_WORD.test(text)) return [];
  const hits: SecretHit[] = [];
  // No pattern crosses a newline, and a hit's name ends like a secret name: only the
  // lines with such an end are read, each on its own (the same hits). A match cannot
  // cross a newline either, and what follows it (`(?![\w.-])`) reads the same at a
  // line's end in the text (`\n`) as in the line alone (its end): a line holds one
  // in the text exactly when it holds one on its own.
  // One global regex for every call (nothing below scans assignments again): `lastIndex` from 0.
  const ends = SECRET_NAME_LINES;
  ends.lastIndex = 0;
  for (let m = ends.exec(text); m; m = ends.exec(text)) {
    const lineStart = text.lastIndexOf('\n', m.index - 1) + 1;
    let lineEnd = text.indexOf('\n', m.index);
    if (lineEnd < 0) lineEnd = text.length;
    scanLine(text, lineStart, lineEnd, mode, hits);
    ends.lastIndex = lineEnd;
  }
  return hits.length > 1 ? mergeHits(hits) : hits;
}

function scanLine(text: string, lineStart: number, lineEnd: number, mode: ScanMode, hits: SecretHit[]): void {
  // The line holds a `SECRET_NAME_END` (`scanAssignments` reads no other).
  const line = text.slice(lineStart, lineEnd);
  const strict = mode === 'output';
  for (const m of line.matchAll(ASSIGNMENT)) {
    const name = m[2];
    const cls = secretNameClass(name);
    if (!cls) continue;
    const quoted = m[5] !== undefined;
    const value = quoted ? m[5] : m[6];
    if (value === undefined) continue;
    const index = lineStart + (m.index ?? 0);
    if (!quoted) {
      if (mode === 'code') continue;
      if (mode !== 'data') {
        const sep = m[3];
        const shellStyle = sep === '=';
        const yamlStyle = /^:[ \t]+$/.test(sep) && m[1] === '' && /^[ \t-]*$/.test(text.slice(lineStart, index));
        if (!shellStyle && !yamlStyle) continue;
      }
      if (/^(?:#|\\)/.test(value)) continue;
      // `password: the database password` in a docstring or prose: a `key: value` pair ends its line.
      if (m[3].trim().startsWith(':') && !/^[ \t]*[,;]?[ \t]*(?:#.*)?(?:\r?\n|$)/.test(text.slice(index + m[0].length, index + m[0].length + 200))) continue;
    }
    if (!looksLikeSecretValue(cls, value, name, strict)) continue;
    const end = index + m[0].length - (quoted ? 1 : 0);
    hits.push({ start: end - value.length, end, kind: classLabel(cls), name, via: 'assignment' });
  }
  if (mode !== 'code') {
    for (const m of line.matchAll(CLI_FLAG)) {
      const cls = secretNameClass(m[1]);
      if (!cls) continue;
      const value = m[3] ?? m[4];
      if (value === undefined || !looksLikeSecretValue(cls, value, m[1], strict)) continue;
      const end = lineStart + (m.index ?? 0) + m[0].length - (m[3] !== undefined ? 1 : 0);
      hits.push({ start: end - value.length, end, kind: classLabel(cls), name: m[1], via: 'assignment' });
    }
  }
}

// ---------------------------------------------------------------------------
// Provider tokens

interface TokenPattern {
  kind: string;
  envName?: string;
  re: RegExp;
  /** Capture group holding the secret (0 = whole match). */
  group?: number;
  /** Extra check on the secret. */
  accept?: (value: string, text: string, index: number) => boolean;
  /** A cheap test every match passes (a literal it contains): the pattern is not run on texts without it. */
  needs: (text: string) => boolean;
}

const has = (literal: string) => (text: string): boolean => text.includes(literal);

/** Enough variety to be a generated token, and no `xxxx` / `your` filler. */
function tokenBody(v: string): boolean {
  if (/x{4,}|X{4,}|\*{3,}|your|YOUR|EXAMPLE|example|0{10,}|1234567890|abcdefghij|ABCDEFGHIJ/.test(v)) return false;
  return new Set(v).size >= 8;
}

/** ML-platform tokens the secretlint preset does not (fully) cover. */
const TOKEN_PATTERNS: TokenPattern[] = [
  { kind: 'Hugging Face token', envName: 'HF_TOKEN', re: /(?<![A-Za-z0-9])hf_[A-Za-z0-9]{30,40}(?![A-Za-z0-9])/dg, accept: (v) => tokenBody(v.slice(3)), needs: has('hf_') },
  { kind: 'Hugging Face token', envName: 'HF_TOKEN', re: /(?<![A-Za-z0-9])api_org_[A-Za-z0-9]{30,40}(?![A-Za-z0-9])/dg, accept: (v) => tokenBody(v.slice(8)), needs: has('api_org_') },
  { kind: 'Anthropic API key', envName: 'ANTHROPIC_API_KEY', re: /(?<![A-Za-z0-9])sk-ant-(?:api|admin)\d{2}-[A-Za-z0-9_-]{40,}/dg, accept: (v) => tokenBody(v.slice(14)), needs: has('sk-ant-') },
  {
    kind: 'OpenAI API key',
    envName: 'OPENAI_API_KEY',
    re: /(?<![A-Za-z0-9-])sk-(?:proj-|svcacct-|admin-|None-)?[A-Za-z0-9_-]{32,200}(?![A-Za-z0-9_-])/dg,
    accept: (v) => !v.startsWith('sk-ant-') && tokenBody(v) && /\d/.test(v) && /[A-Za-z]/.test(v.slice(3)),
    needs: has('sk-'),
  },
  { kind: 'Databricks token', envName: 'DATABRICKS_TOKEN', re: /(?<![A-Za-z0-9])dapi[a-f0-9]{32}(?:-\d)?(?![A-Za-z0-9])/dg, accept: (v) => tokenBody(v.slice(4)), needs: has('dapi') },
  {
    kind: 'W&B API key',
    envName: 'WANDB_API_KEY',
    re: /wandb\.login\([^)]{0,200}?\bkey\s*=\s*["']([0-9a-f]{40}|local-[0-9a-f]{40})["']|wandb\s+login\s+(?:--relogin\s+)?(?:--host[= ]\S+\s+)?([0-9a-f]{40})\b|WANDB_API_KEY["']?\s*[:=]\s*["']?([0-9a-f]{40})\b/dg,
    accept: (v) => tokenBody(v),
    needs: (t) => (t.includes('wandb') || t.includes('WANDB_API_KEY')) && HEX40.test(t),
  },
  {
    kind: 'AWS access key ID',
    envName: 'AWS_ACCESS_KEY_ID',
    re: /(?<![A-Z0-9])(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA)[A-Z0-9]{16}(?![A-Z0-9])/dg,
    accept: (v) => tokenBody(v.slice(4)) && !/EXAMPLE/.test(v),
    needs: (t) => t.includes('A') && AWS_ID.test(t),
  },
  { kind: 'Google API key', envName: 'GOOGLE_API_KEY', re: /(?<![A-Za-z0-9])AIza[0-9A-Za-z_-]{35}(?![A-Za-z0-9_-])/dg, accept: (v) => tokenBody(v.slice(4)), needs: has('AIza') },
  { kind: 'Azure storage account key', envName: 'AZURE_STORAGE_CONNECTION_STRING', re: /AccountKey=([A-Za-z0-9+/]{30,}={0,2})/dg, group: 1, accept: (v) => tokenBody(v), needs: has('AccountKey=') },
  { kind: 'Azure shared access key', envName: 'AZURE_CONNECTION_STRING', re: /SharedAccessKey=([A-Za-z0-9+/]{30,}={0,2})/dg, group: 1, accept: (v) => tokenBody(v), needs: has('SharedAccessKey=') },
  { kind: 'Azure SAS token signature', envName: 'AZURE_SAS_TOKEN', re: /[?&]sig=([A-Za-z0-9%+/]{30,}(?:%3D|=){0,2})/dg, group: 1, accept: (v) => tokenBody(v), needs: has('sig=') },
  { kind: 'bearer token', re: /\bBearer[ \t]+([A-Za-z0-9._~+/-]{24,}=*)(?![A-Za-z0-9._~+/=-])/dg, group: 1, accept: (v) => tokenBody(v) && /\d/.test(v) && /[A-Za-z]/.test(v), needs: has('Bearer') },
  {
    kind: 'password in a URL',
    re: /\b[a-z][a-z0-9+.-]{1,20}:\/\/([^\s:/@"'<>{}()[\]\\]{1,100}):([^\s@/"'<>\\]{1,200})@[^\s/"'<>:@]/dgi,
    group: 2,
    accept: (v) => !isPlaceholder(v) && !/^\$|^%|^\{/.test(v) && v !== '' && !/^(?:password|pass|pwd|secret|token|[*x]+)$/i.test(v),
    needs: hasUrlCredentials,
  },
];

const HEX40 = /[0-9a-f]{40}/;
const AWS_ID = /(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA)[A-Z0-9]{16}/;
/** `user:password@` in a URL (the pattern `:\/\/[^\s/@"']*:[^\s@"']*@`, in linear time: see `urlCredentials`). */
function hasUrlCredentials(text: string): boolean {
  return urlCredentials(text, USER_STOP, PASSWORD_STOP) !== undefined;
}

/** JavaScript's `\s`. */
function isSpace(c: number): boolean {
  return c === 32 || (c >= 9 && c <= 13) || c === 0xa0 || c === 0x1680 || (c >= 0x2000 && c <= 0x200a) || c === 0x2028 || c === 0x2029 || c === 0x202f || c === 0x205f || c === 0x3000 || c === 0xfeff;
}

/** Characters a URL's user part (`[^\s/@"']`) and password part (`[^\s@"']`) cannot hold. */
const USER_STOP = (c: number): boolean => isSpace(c) || c === 47 || c === 64 || c === 34 || c === 39;
const PASSWORD_STOP = (c: number): boolean => isSpace(c) || c === 64 || c === 34 || c === 39;
/** `[^/\s@]` for both parts (the placeholder test). */
const PART_STOP = (c: number): boolean => isSpace(c) || c === 47 || c === 64;
/** `[^:/\s@]` (a user part without `:`) and `[^@\s]` (the password reported). */
const PLAIN_USER_STOP = (c: number): boolean => isSpace(c) || c === 58 || c === 47 || c === 64;
const REPORTED_PASSWORD_STOP = (c: number): boolean => isSpace(c) || c === 64;

/**
 * The first `://user:password@` of a text as a pattern `:\/\/[^U]*:[^P]*@` finds it
 * (`U`, `P`: the characters each part cannot hold, `isUserStop`, `isPasswordStop`;
 * every character the user part holds, and `:`, the password part holds too), in
 * linear time: those patterns took quadratic time on a long run of `:` or `://:`.
 * The password starts after the first `:` of the user part: a later one gives the
 * same end. Returns where the match starts and where its password starts and ends
 * (the `@` follows).
 */
export function urlCredentials(text: string, isUserStop: (c: number) => boolean, isPasswordStop: (c: number) => boolean): { index: number; password: number; end: number } | undefined {
  // Where the password part that starts at or before `stopFrom` stops (remembered: every start is later).
  let stopFrom = -1;
  let stopAt = -1;
  for (let p = text.indexOf('://'); p >= 0; p = text.indexOf('://', p + 1)) {
    let j = p + 3;
    while (j < text.length && text.charCodeAt(j) !== 58 && !isUserStop(text.charCodeAt(j))) j++;
    if (j >= text.length || text.charCodeAt(j) !== 58) continue;
    const from = j + 1;
    if (!(from >= stopFrom && from <= stopAt)) {
      let k = from;
      while (k < text.length && !isPasswordStop(text.charCodeAt(k))) k++;
      stopAt = k;
    }
    stopFrom = from;
    if (stopAt < text.length && text.charCodeAt(stopAt) === 64) return { index: p, password: from, end: stopAt };
  }
  return undefined;
}

/**
 * The shapes of the tokens above and of the secretlint preset's ones: a prefix
 * and enough token characters after it (fewer than any pattern asks for). A
 * text without any of them cannot hold a provider token, so it is not scanned
 * (and secretlint is not even loaded). Case matters for prefixes.
 */
export const TOKEN_SHAPES: readonly string[] = [
  // The patterns above.
  'hf_[A-Za-z0-9]{30}',
  'api_org_[A-Za-z0-9]{30}',
  'sk-[A-Za-z0-9_-]{32}',
  'dapi[A-Fa-f0-9]{32}',
  '(?:AKIA|ASIA|AGPA|AIDA|AROA|ANPA|ANVA)[A-Z0-9]{16}',
  'AIza[0-9A-Za-z_-]{35}',
  '(?:AccountKey|SharedAccessKey|sig)=[A-Za-z0-9%+/]{30}',
  'Bearer[ \\t]+[A-Za-z0-9._~+/-]{24}',
  // secretlint's preset (its rules' patterns, loosened).
  '-----BEGIN',
  '_authToken=',
  'x-oauth-basic@',
  'npm_[A-Za-z0-9_]{36}',
  '(?:xox[abpor]|xapp)-',
  'hooks\\.slack',
  'gsk_[A-Za-z0-9]{52}',
  'lin_api_[A-Za-z0-9_]{32}',
  'ntn_[0-9]{11}',
  'SG\\.\\w+\\.\\w',
  'shp(?:pa|ca|at|ss)_[A-Za-z0-9]{32}',
  'gh[pousr]_[A-Za-z0-9_]{36}',
  'github_pat_[A-Za-z0-9_]{82}',
  'glpat-[A-Za-z0-9_-]{20}',
  'glc_[A-Za-z0-9+/]{32}',
  'glsa_[A-Za-z0-9]{32}_',
  'ops_ey[A-Za-z0-9+/=]{100}',
  'hv[sbr]\\.[A-Za-z0-9_-]{90}',
  'vc[pciark]_[A-Za-z0-9]{20}',
  'dckr_pat_[A-Za-z0-9_-]{27}',
  'figd_[A-Za-z0-9_-]{40}',
];

/**
 * Whether a text holds one of `TOKEN_SHAPES` (the same answer as their plain
 * alternation). Each shape is written to start at a character that is rare in
 * code and prose (`_`, `k`, `A`, `B`, `x`, `v`, `@`, ...) and to look back for the
 * rest of its prefix (`hf_` as `_(?<=hf_)`): the regex engine then tries the shapes
 * at a few positions of a text instead of at every letter. The `_` shapes
 * first look back for any of their prefixes at once (one backward match that
 * turns most `_` of snake_case names away at their first letter or two), then
 * for each. Kept equal to `TOKEN_SHAPES` by a test.
 */
export const TOKEN_SHAPE = new RegExp(
  [
    `_(?<=(?:hf|api_org|npm|lin_api|ntn|shp(?:pa|ca|at|ss)|gh[pousr]|github_pat|glc|glsa|ops|figd)_)(?:${[
      '(?<=hf_)[A-Za-z0-9]{30}',
      '(?<=api_org_)[A-Za-z0-9]{30}',
      '(?<=npm_)[A-Za-z0-9_]{36}',
      '(?<=lin_api_)[A-Za-z0-9_]{32}',
      '(?<=ntn_)[0-9]{11}',
      '(?<=shp(?:pa|ca|at|ss)_)[A-Za-z0-9]{32}',
      '(?<=gh[pousr]_)[A-Za-z0-9_]{36}',
      '(?<=github_pat_)[A-Za-z0-9_]{82}',
      '(?<=glc_)[A-Za-z0-9+/]{32}',
      '(?<=glsa_)[A-Za-z0-9]{32}_',
      '(?<=ops_)ey[A-Za-z0-9+/=]{100}',
      '(?<=figd_)[A-Za-z0-9_-]{40}',
    ].join('|')})`,
    'k(?:(?<=sk)-[A-Za-z0-9_-]{32}|(?<=hook)s\\.slack|(?<=gsk)_[A-Za-z0-9]{52}|(?<=dck)r_pat_[A-Za-z0-9_-]{27})',
    'pi(?<=dapi)[A-Fa-f0-9]{32}',
    'A(?:(?:KIA|SIA|GPA|IDA|ROA|NPA|NVA)[A-Z0-9]{16}|Iza[0-9A-Za-z_-]{35})',
    'Key=(?<=(?:AccountKey|SharedAccessKey)=)[A-Za-z0-9%+/]{30}',
    'g=(?<=sig=)[A-Za-z0-9%+/]{30}',
    'B(?:earer[ \\t]+[A-Za-z0-9._~+/-]{24}|EGIN(?<=-----BEGIN))',
    'Token=(?<=_authToken=)',
    '@(?<=x-oauth-basic@)',
    'x(?:ox[abpor]|app)-',
    'G(?<=SG)\\.\\w+\\.\\w',
    '-(?<=glpat-)[A-Za-z0-9_-]{20}',
    'v(?:(?<=hv)[sbr]\\.[A-Za-z0-9_-]{90}|c[pciark]_[A-Za-z0-9]{20})',
  ].join('|'),
);
/** secretlint's AWS secret access key: `aws_secret_access_key = "<40 characters>"` (any case of the name). */
const AWS_SECRET_SHAPE = /secret_?access_?key["']?\s*(?::|=>|=)\s*["']?[A-Za-z0-9/+=]{40}/i;

/** Whether secretlint's preset may report something in a text (the patterns above cover all of its token shapes). */
function secretlintMayReport(text: string): boolean {
  if (TOKEN_SHAPE.test(text)) return true;
  if (hasUrlCredentials(text)) return true;
  return (text.includes('ccess') || text.includes('CCESS')) && AWS_SECRET_SHAPE.test(text);
}

/** secretlint rule name (after `secretlint-rule-`) -> kind and environment variable. */
const SECRETLINT_KINDS: Record<string, { kind: string; envName?: string }> = {
  aws: { kind: 'AWS secret access key', envName: 'AWS_SECRET_ACCESS_KEY' },
  gcp: { kind: 'GCP service account key', envName: 'GOOGLE_APPLICATION_CREDENTIALS' },
  npm: { kind: 'npm token', envName: 'NPM_TOKEN' },
  slack: { kind: 'Slack token', envName: 'SLACK_TOKEN' },
  basicauth: { kind: 'password in a URL' },
  openai: { kind: 'OpenAI API key', envName: 'OPENAI_API_KEY' },
  anthropic: { kind: 'Anthropic API key', envName: 'ANTHROPIC_API_KEY' },
  groq: { kind: 'Groq API key', envName: 'GROQ_API_KEY' },
  huggingface: { kind: 'Hugging Face token', envName: 'HF_TOKEN' },
  linear: { kind: 'Linear API key', envName: 'LINEAR_API_KEY' },
  notion: { kind: 'Notion token', envName: 'NOTION_TOKEN' },
  privatekey: { kind: 'private key' },
  sendgrid: { kind: 'SendGrid API key', envName: 'SENDGRID_API_KEY' },
  shopify: { kind: 'Shopify token', envName: 'SHOPIFY_TOKEN' },
  github: { kind: 'GitHub token', envName: 'GITHUB_TOKEN' },
  gitlab: { kind: 'GitLab token', envName: 'GITLAB_TOKEN' },
  grafana: { kind: 'Grafana token', envName: 'GRAFANA_TOKEN' },
  '1password': { kind: '1Password service account token', envName: 'OP_SERVICE_ACCOUNT_TOKEN' },
  'database-connection-string': { kind: 'database connection string with a password', envName: 'DATABASE_URL' },
  'hashicorp-vault': { kind: 'Vault token', envName: 'VAULT_TOKEN' },
  vercel: { kind: 'Vercel token', envName: 'VERCEL_TOKEN' },
  databricks: { kind: 'Databricks token', envName: 'DATABRICKS_TOKEN' },
  docker: { kind: 'Docker Hub token', envName: 'DOCKER_TOKEN' },
  figma: { kind: 'Figma token', envName: 'FIGMA_TOKEN' },
};

type SecretlintLintSource = typeof import('@secretlint/core').lintSource;
type SecretlintConfig = Parameters<SecretlintLintSource>[0]['options']['config'];

let secretlint: Promise<{ lintSource: SecretlintLintSource; config: SecretlintConfig } | undefined> | undefined;

/**
 * secretlint's profiler records a performance mark for every step of every lint and
 * never drops them (they pile up with every keystroke in an editor), and measures
 * them later from a PerformanceObserver, so they cannot simply be cleared. Nothing
 * here reads the profile: its `mark` does nothing.
 */
async function silenceProfiler(): Promise<void> {
  try {
    const { secretLintProfiler } = await import('@secretlint/profiler');
    (secretLintProfiler as unknown as { mark(marker: unknown): void }).mark = () => undefined;
  } catch {
    // Another profiler layout: marks are kept, nothing breaks.
  }
}

/** secretlint is loaded on first use (ES module, ~300 kB); undefined when it cannot load. */
function loadSecretlint(): Promise<{ lintSource: SecretlintLintSource; config: SecretlintConfig } | undefined> {
  secretlint ??= (async () => {
    try {
      const [core, preset] = await Promise.all([import('@secretlint/core'), import('@secretlint/secretlint-rule-preset-recommend')]);
      await silenceProfiler();
      const config: SecretlintConfig = { rules: [{ id: '@secretlint/secretlint-rule-preset-recommend', rule: preset.creator }] };
      return { lintSource: core.lintSource, config };
    } catch {
      return undefined;
    }
  })();
  return secretlint;
}

async function secretlintHits(text: string): Promise<SecretHit[]> {
  const sl = await loadSecretlint();
  if (!sl) return [];
  const result = await sl.lintSource({
    source: { content: text, filePath: 'cell.txt', contentType: 'text' },
    options: { config: sl.config, maskSecrets: true, noPhysicFilePath: true },
  });
  const hits: SecretHit[] = [];
  for (const m of result.messages) {
    if (m.type !== 'message') continue;
    const rule = m.ruleId.replace(/^@secretlint\/secretlint-rule-/, '');
    const info = SECRETLINT_KINDS[rule] ?? { kind: `${rule} secret` };
    let [start, end] = m.range;
    if (rule === 'aws' && m.messageId === 'AWSSecretAccessKey') {
      // The range starts at the variable name: point at the 40-character key itself.
      const k = /[A-Za-z0-9/+=]{40}/.exec(text.slice(start, Math.min(text.length, start + 200)).replace(/^[^=:]*[=:]\s*["']?/, (s) => ' '.repeat(s.length)));
      if (k) {
        start += k.index;
        end = start + 40;
      }
    }
    if (rule === 'database-connection-string' || rule === 'basicauth') {
      // Report the password part only, and only when it is not a placeholder.
      const url = text.slice(start, end);
      const pw = urlCredentials(url, PLAIN_USER_STOP, REPORTED_PASSWORD_STOP);
      const password = pw ? url.slice(pw.password, pw.end) : '';
      if (!pw || isPlaceholder(password) || /^(?:password|pass|pwd|secret|[*x]+)$/i.test(password)) continue;
      start += pw.password;
      end = start + password.length;
    }
    const value = text.slice(start, end);
    if (rule !== 'privatekey' && rule !== 'gcp' && (/EXAMPLE/.test(value) || /x{6,}|X{6,}|\*{4,}/.test(value))) continue;
    hits.push({ start, end, kind: info.kind, envName: info.envName, via: 'provider' });
  }
  return hits;
}

/**
 * Results of recent scans by text: re-linting a notebook after a keystroke scans only
 * the edited cell again. Small texts only, bounded, oldest dropped first.
 */
const providerCache = new TextCache<SecretHit[]>(1000, Infinity, 20_000);

/** False when `scanProviderTokens` surely finds nothing in the text (a cheap test, no scan). */
export function mayHoldProviderTokens(text: string): boolean {
  return secretlintMayReport(text) || ((text.includes('wandb') || text.includes('WANDB_API_KEY')) && HEX40.test(text));
}

/** `secretSigns` bit: the text has a secret-like word (`SECRET_WORD`). */
export const SIGN_WORD = 1;
/** `secretSigns` bit: the text may hold a provider token (`mayHoldProviderTokens`). */
export const SIGN_TOKEN = 2;

/**
 * `SECRET_WORD` and `mayHoldProviderTokens` of a text at once, in fewer scans: without
 * a secret-like word there is no `secret_access_key` (AWS) and no `WANDB_API_KEY`.
 */
export function secretSigns(text: string): number {
  if (SECRET_WORD.test(text)) return SIGN_WORD | (mayHoldProviderTokens(text) ? SIGN_TOKEN : 0);
  return TOKEN_SHAPE.test(text) || hasUrlCredentials(text) || (text.includes('wandb') && HEX40.test(text)) ? SIGN_TOKEN : 0;
}

/** Token formats of known providers (secretlint's preset and the ML platforms above). */
export async function scanProviderTokens(text: string): Promise<SecretHit[]> {
  if (!mayHoldProviderTokens(text)) return [];
  const cached = providerCache.get(text);
  if (cached) return cached.map((h) => ({ ...h }));
  const hits = await scanProviderTokensUncached(text);
  providerCache.set(text, hits.map((h) => ({ ...h })));
  return hits;
}

async function scanProviderTokensUncached(text: string): Promise<SecretHit[]> {
  const hits: SecretHit[] = [];
  for (const p of TOKEN_PATTERNS) {
    if (!p.needs(text)) continue;
    for (const m of text.matchAll(p.re)) {
      // Group indices (`d` flag): the first group that took part, else the whole match.
      let g = p.group ?? 0;
      if (p.group === undefined) {
        for (let i = 1; i < m.length; i++) {
          if (m[i] !== undefined) {
            g = i;
            break;
          }
        }
      }
      const value = m[g];
      const at = m.indices?.[g];
      if (value === undefined || !at) continue;
      if (p.accept && !p.accept(value, text, at[0])) continue;
      hits.push({ start: at[0], end: at[1], kind: p.kind, envName: p.envName, via: 'provider' });
    }
  }
  if (secretlintMayReport(text)) for (const h of await secretlintHits(text)) hits.push(h);
  return mergeHits(hits);
}

/** Drops hits that overlap an earlier (provider first, then longer) one. */
export function mergeHits(hits: SecretHit[]): SecretHit[] {
  const sorted = [...hits].sort((a, b) => (a.via === b.via ? 0 : a.via === 'provider' ? -1 : 1) || b.end - b.start - (a.end - a.start));
  const kept: SecretHit[] = [];
  for (const h of sorted) {
    const o = kept.find((k) => h.start < k.end && k.start < h.end);
    if (o) {
      // Keep the name an assignment knew about for the fix.
      o.name ??= h.name;
      continue;
    }
    kept.push({ ...h });
  }
  return kept.sort((a, b) => a.start - b.start);
}
