import { isMap, isScalar, isSeq, Pair, Scalar, YAMLMap, YAMLSeq, type Node as YamlNode } from 'yaml';
import type { NotebookCell } from '../../parse/notebook';
import { unitLocation, type PythonUnit } from '../../parse/program';
import type { ArgFact, CallFact } from '../../parse/python';
import { firstValue, offsetsToRange, parseYaml, type YamlFile } from '../../parse/yaml';
import { defineRule, type RuleContext } from '../../rule';
import { LineIndex } from '../../text';
import type { Fix, Location } from '../../types';
import { classifyYaml, type ConfigKind } from '../../workspace/kinds';
import { qualifiedMemo, unitMemo } from '../lib/value-resolver';

// ---------------------------------------------------------------------------
// Requirement specs

type Manager = 'pip' | 'conda';

/** An install of one package that is not pinned to an exact version. */
export interface Unpinned {
  /** Offsets of the package token in the scanned text. */
  start: number;
  end: number;
  package: string;
  /** `none` = no version at all, `range` = a specifier that is not exact, `ref` = a VCS branch. */
  kind: 'none' | 'range' | 'ref';
  /** The specifier or ref as written (`>=1.2`, `@main`). */
  spec: string;
  manager: Manager;
  /** Extras as written, kept by the pinning fix (`[server]`). */
  extras: string;
  /** `--upgrade` / `-U` was given. */
  upgrade: boolean;
  /** A range that only allows patch releases of one minor series (see `isPatchSeries`). */
  patchSeries?: boolean;
}

type SpecVerdict = Omit<Unpinned, 'start' | 'end' | 'manager' | 'upgrade'> | undefined;

const NAME = /^([A-Za-z0-9][A-Za-z0-9._-]*)\s*(\[[^\]]*\])?\s*(.*)$/s;
const ARTIFACT = /\.(whl|tar\.gz|tgz|tar\.bz2|zip|egg)([#?].*)?$/i;
/**
 * `name [extras] @ url`: a direct reference (PEP 508). The spaces before `@` belong to the extras' group
 * when there is one: `\s*(\[[^\]]*\])?\s*@` read the same strings but took quadratic time on a long run of spaces.
 */
export const DIRECT_REFERENCE = /^([A-Za-z0-9][A-Za-z0-9._-]*)\s*(?:(\[[^\]]*\])\s*)?@\s*(\S+)/;
// An interpolated word: `{USER_FLAG}`, `$USER_FLAG`, `${VERSION}`, `$(cat x)`.
const VARIABLE = /^(\{[^}]*\}|\$\{[^}]*\}|\$\(.*\)|\$[A-Za-z_]\w*)$/;

function isPinnedRef(ref: string): boolean {
  // A commit hash or a release tag; branch names move.
  return /^[0-9a-f]{7,40}$/i.test(ref) || /^v?\d+(\.\d+)+([.-]?\w+)?$/.test(ref);
}

function vcsVerdict(url: string, name?: string): SpecVerdict {
  const egg = /[#&]egg=([A-Za-z0-9._-]+)/.exec(url)?.[1];
  const noFragment = url.replace(/#.*$/, '');
  const afterHost = noFragment.replace(/^[a-z+]+:\/\/[^/]*/i, '');
  const at = afterHost.lastIndexOf('@');
  const ref = at >= 0 ? afterHost.slice(at + 1) : '';
  const pkg = name ?? egg ?? (afterHost.slice(0, at >= 0 ? at : undefined).split('/').filter(Boolean).pop() ?? url).replace(/\.git$/, '');
  if (ref && isPinnedRef(ref)) return undefined;
  return { package: pkg, kind: 'ref', spec: ref ? `@${ref}` : 'no commit', extras: '' };
}

function versionParts(v: string): number[] | undefined {
  const m = /^v?(\d+(?:\.\d+)*)/.exec(v.trim());
  return m ? m[1].split('.').map(Number) : undefined;
}

/**
 * True for a specifier that allows patch releases of one minor series only:
 * `==1.2.*`, `~=1.2.3`, `>=1.2,<1.3` (and conda's `=1.2`). Such specs stay on the
 * tested API; the rule accepts them unless `requireExact` is set.
 */
export function isPatchSeries(spec: string): boolean {
  const parts = spec.replace(/[()\s]/g, '').split(',').filter(Boolean);
  if (parts.length === 1) {
    const p = parts[0];
    if (/^==?\d+\.\d+(\.\*)?$/.test(p) || /^\d+\.\d+(\.\*)?$/.test(p)) return true;
    const compat = /^~=(\d+(?:\.\d+){2,})$/.exec(p);
    return compat !== null;
  }
  if (parts.length !== 2) return false;
  const lower = parts.find((p) => /^>=?/.test(p));
  const upper = parts.find((p) => /^<(?!=)/.test(p));
  if (!lower || !upper) return false;
  const lo = versionParts(lower.replace(/^>=?/, ''));
  const hi = versionParts(upper.slice(1));
  if (!lo || !hi || lo.length < 2 || hi.length < 2) return false;
  return hi[0] === lo[0] && hi[1] === lo[1] + 1 && hi.slice(2).every((n) => n === 0);
}

/** Checks one pip requirement (PEP 508 string, URL or path). */
export function checkPipSpec(raw: string): SpecVerdict {
  const s = raw.trim();
  if (!s || s.startsWith('-') || VARIABLE.test(s) || s.includes('{{')) return undefined;
  // Local paths and artifact files (wheels, sdists) name one exact build.
  if (/^(\.|\/|~|[A-Za-z]:[\\/])/.test(s) || ARTIFACT.test(s)) return undefined;
  if (/^(git|hg|svn|bzr)\+/i.test(s)) return vcsVerdict(s);
  if (/^[a-z]+:\/\//i.test(s)) return undefined;
  const direct = DIRECT_REFERENCE.exec(s);
  if (direct) {
    if (ARTIFACT.test(direct[3]) || !/^(git|hg|svn|bzr)\+/i.test(direct[3])) return undefined;
    return vcsVerdict(direct[3], direct[1]);
  }
  if (s.includes('/') || s.includes('\\')) return undefined;
  const m = NAME.exec(s);
  if (!m) return undefined;
  const rest = m[3].split(';')[0].trim();
  // Anything else after the name (prose, shell leftovers) is not a requirement.
  if (rest && !/^(===?|~=|!=|<=?|>=?|\()/.test(rest)) return undefined;
  if (!rest) return { package: m[1], kind: 'none', spec: '', extras: m[2] ?? '' };
  const exact = /^(===?)\s*([^\s,;*<>!~=()]+)\s*$/.exec(rest.replace(/^\(|\)$/g, ''));
  if (exact) return undefined;
  return { package: m[1], kind: 'range', spec: rest, extras: m[2] ?? '', patchSeries: isPatchSeries(rest) };
}

/**
 * Checks one conda match spec: `name`, `name=1.2`, `name==1.2.3`, `name 1.2.3`,
 * `name=1.2.3=build`, `channel::name>=1`. Conda's `=1.2` matches the 1.2 series
 * (a patch series, accepted unless `requireExact`); `=1.2.3` is exact.
 */
export function checkCondaSpec(raw: string): SpecVerdict {
  const s = raw.trim().replace(/^[\w./:-]*::/, '');
  if (!s || s.startsWith('-') || VARIABLE.test(s) || s.includes('{{')) return undefined;
  if (/^(\.|\/|~|[a-z]+:\/\/)/i.test(s) || /\.(conda|tar\.bz2)$/.test(s)) return undefined;
  const m = /^([A-Za-z0-9_][A-Za-z0-9._-]*)(.*)$/s.exec(s);
  if (!m) return undefined;
  const rest = m[2].trim();
  if (!rest) return { package: m[1], kind: 'none', spec: '', extras: '' };
  if (rest.startsWith('[')) {
    const v = /version\s*=\s*['"]?([^'"\]]*)/.exec(rest)?.[1] ?? '';
    return /^==?\s*\d[^*<>~!|,]*$/.test(v.trim()) ? undefined : { package: m[1], kind: 'range', spec: rest, extras: '', patchSeries: isPatchSeries(v) };
  }
  if (!/^(==?|\s|>|<|~|!)/.test(m[2])) return undefined;
  const eq = /^(==?|\s+)\s*([^\s<>!~|,=]+)(=\S+)?$/.exec(m[2]);
  if (eq) {
    const version = eq[2];
    if ((eq[1] === '==' || eq[3] || /^\d+(\.\d+){2,}/.test(version)) && !version.includes('*')) return undefined;
    return { package: m[1], kind: 'range', spec: rest, extras: '', patchSeries: /^\d+\.\d+(\.\*)?$/.test(version) };
  }
  return { package: m[1], kind: 'range', spec: rest, extras: '', patchSeries: isPatchSeries(rest) };
}

// ---------------------------------------------------------------------------
// Shell commands: words with offsets, split into simple commands.

interface Word {
  text: string;
  start: number;
  end: number;
}

const SEPARATORS = new Set([';', '&', '|', '(', ')', '\n']);
/** Characters that end a run of plain characters in a word: blanks, separators, quotes, backslash. */
const WORD_BREAK = new Set([' ', '\t', '\n', '\r', "'", '"', '\\', ...SEPARATORS]);

/**
 * Splits `src[start, end)` into simple commands of words (quotes removed, offsets
 * kept). Backslash-newline continues a line; `newlineEnds` = a newline ends a
 * command (shell scripts) rather than being a space (folded YAML scalars).
 */
function shellCommands(src: string, start: number, end: number, newlineEnds: boolean): Word[][] {
  const commands: Word[][] = [];
  let cur: Word[] = [];
  const flush = (): void => {
    if (cur.length) commands.push(cur);
    cur = [];
  };
  let i = start;
  while (i < end) {
    const c = src[i];
    if (c === '\\' && (src[i + 1] === '\n' || (src[i + 1] === '\r' && src[i + 2] === '\n'))) {
      i += src[i + 1] === '\r' ? 3 : 2;
      continue;
    }
    if (c === ' ' || c === '\t' || c === '\r' || (c === '\n' && !newlineEnds)) {
      i++;
      continue;
    }
    if (SEPARATORS.has(c)) {
      flush();
      i++;
      continue;
    }
    if (c === '#') {
      while (i < end && src[i] !== '\n') i++;
      continue;
    }
    const wStart = i;
    let text = '';
    while (i < end) {
      const ch = src[i];
      if (ch === ' ' || ch === '\t' || ch === '\n' || ch === '\r' || SEPARATORS.has(ch)) break;
      if (ch === "'") {
        const close = src.indexOf("'", i + 1);
        const stop = close < 0 || close > end ? end : close;
        text += src.slice(i + 1, stop);
        i = stop + 1;
      } else if (ch === '"') {
        let j = i + 1;
        while (j < end && src[j] !== '"') {
          if (src[j] === '\\' && j + 1 < end) j++;
          text += src[j];
          j++;
        }
        i = j + 1;
      } else if (ch === '\\' && i + 1 < end) {
        if (src[i + 1] === '\n') break;
        text += src[i + 1];
        i += 2;
      } else {
        // A run of plain characters at once.
        let j = i + 1;
        while (j < end && !WORD_BREAK.has(src[j])) j++;
        text += src.slice(i, j);
        i = j;
      }
    }
    cur.push({ text, start: wStart, end: Math.min(i, end) });
  }
  flush();
  return commands;
}

/** Offsets of a word without the quotes around it. */
function innerSpan(src: string, w: Word): { start: number; end: number } {
  const q = src[w.start];
  if ((q === '"' || q === "'") && src[w.end - 1] === q && w.end - w.start >= 2) return { start: w.start + 1, end: w.end - 1 };
  return { start: w.start, end: w.end };
}

const PIP_VALUE_OPTIONS = new Set([
  '-r', '--requirement', '-c', '--constraint', '-e', '--editable', '-i', '--index-url', '--extra-index-url', '-f', '--find-links',
  '-t', '--target', '--prefix', '--root', '--src', '--upgrade-strategy', '--platform', '--python-version', '--implementation',
  '--abi', '--only-binary', '--no-binary', '--progress-bar', '--log', '--proxy', '--retries', '--timeout', '--exists-action',
  '--trusted-host', '--cert', '--client-cert', '--cache-dir', '--report', '--global-option', '--config-settings', '-C', '--python',
]);
const CONDA_VALUE_OPTIONS = new Set(['-n', '--name', '-p', '--prefix', '-c', '--channel', '--file', '--repodata-fn', '--solver']);
const PREFIX_WORDS = new Set(['sudo', 'exec', 'time', 'command', 'nohup', 'RUN', 'env', 'then', 'do', 'else', '!']);

function base(word: string): string {
  return word.slice(word.lastIndexOf('/') + 1);
}

function isPython(word: string): boolean {
  return /^python(\d(\.\d+)?)?(\.exe)?$/.test(base(word)) || /^\{?sys\.executable\}?$/.test(word) || word === '"$PYTHON"';
}

/** The install arguments of a simple command, if it runs `pip install` / `conda install`. */
function installArgs(cmd: Word[]): { manager: Manager; args: Word[] } | undefined {
  let k = 0;
  while (k < cmd.length && (PREFIX_WORDS.has(cmd[k].text) || /^[A-Za-z_]\w*=/.test(cmd[k].text))) k++;
  let manager: Manager | undefined;
  const w = cmd[k]?.text ?? '';
  if (/^pip(\d(\.\d+)?)?$/.test(base(w))) manager = 'pip';
  else if (isPython(w) && cmd[k + 1]?.text === '-m' && /^pip(\d(\.\d+)?)?$/.test(cmd[k + 2]?.text ?? '')) {
    manager = 'pip';
    k += 2;
  } else if (base(w) === 'uv' && cmd[k + 1]?.text === 'pip') {
    manager = 'pip';
    k += 1;
  } else if (/^(conda|mamba|micromamba)$/.test(base(w))) manager = 'conda';
  if (!manager) return undefined;
  k++;
  // Global options before the subcommand (`pip -q install`).
  while (k < cmd.length && cmd[k].text.startsWith('-')) k++;
  const sub = cmd[k]?.text;
  if (sub !== 'install' && !(manager === 'conda' && sub === 'create')) return undefined;
  return { manager, args: cmd.slice(k + 1) };
}

/**
 * False when the shell text `src[start, end)` surely runs no `install` / `create`
 * subcommand: a word is its characters less some quotes and backslashes, so the
 * subcommand's name is in the text once quotes and backslashes are taken out.
 */
function mayInstall(src: string, start: number, end: number): boolean {
  const t = start === 0 && end === src.length ? src : src.slice(start, end);
  if (t.includes('install') || t.includes('create')) return true;
  if (!QUOTE_OR_BACKSLASH.test(t)) return false;
  const bare = t.replace(QUOTES_AND_BACKSLASHES, '');
  return bare.includes('install') || bare.includes('create');
}

const QUOTE_OR_BACKSLASH = /["'\\]/;
const QUOTES_AND_BACKSLASHES = /["'\\]/g;

/** Unpinned packages of the install commands in `src[start, end)`. */
function scanShell(src: string, start: number, end: number, newlineEnds: boolean, out: Unpinned[]): void {
  if (!mayInstall(src, start, end)) return;
  for (const cmd of shellCommands(src, start, end, newlineEnds)) {
    const inst = installArgs(cmd);
    if (inst) checkInstallArgs(src, inst.manager, inst.args, out);
  }
}

function checkInstallArgs(src: string, manager: Manager, args: Word[], out: Unpinned[]): void {
  const valueOptions = manager === 'pip' ? PIP_VALUE_OPTIONS : CONDA_VALUE_OPTIONS;
  // Verdicts and their words; the findings are built once `upgrade` is known.
  let found: Array<{ verdict: NonNullable<SpecVerdict>; word: Word }> | undefined;
  let upgrade = false;
  let constrained = false;
  for (let i = 0; i < args.length; i++) {
    const t = args[i].text;
    // Redirections: `> log.txt`, `2>` (the target follows unless attached).
    if (/^\d*(>>?|<)/.test(t)) {
      if (/^\d*(>>?|<)$/.test(t)) i++;
      continue;
    }
    if (t.startsWith('-')) {
      if (t === '-U' || t === '--upgrade' || (/^-[a-zA-Z]+$/.test(t) && t.includes('U'))) upgrade = true;
      if (t === '-c' || t === '--constraint' || t.startsWith('--constraint=')) constrained = manager === 'pip';
      if (!t.includes('=') && valueOptions.has(t)) i++;
      continue;
    }
    const verdict = manager === 'pip' ? checkPipSpec(t) : checkCondaSpec(t);
    if (verdict) (found ??= []).push({ verdict, word: args[i] });
  }
  // A constraints file pins what the command line leaves open.
  if (constrained || !found) return;
  for (const { verdict, word } of found) {
    const span = innerSpan(src, word);
    out.push(finding(verdict, span.start, span.end, manager, upgrade));
  }
}

/** `{ ...verdict, start, end, manager, upgrade }` without a spread (the same properties). */
function finding(verdict: NonNullable<SpecVerdict>, start: number, end: number, manager: Manager, upgrade: boolean): Unpinned {
  const f: Unpinned = { package: verdict.package, kind: verdict.kind, spec: verdict.spec, extras: verdict.extras, start, end, manager, upgrade };
  if ('patchSeries' in verdict) f.patchSeries = verdict.patchSeries;
  return f;
}

// ---------------------------------------------------------------------------
// YAML: conda environments, requirement lists, shell steps.

const PIP_LIST_KEYS = new Set(['pip', 'requirements', 'packages_to_install', 'pip_packages', 'pip_requirements', 'extra_pip_requirements', 'python_packages']);
const CONDA_PARENT_KEYS = new Set(['conda_file', 'conda_env', 'conda', 'conda_dependencies', 'conda_environment']);
const SHELL_KEYS = new Set(['run', 'script', 'command', 'cmd', 'args', 'before_script', 'after_script', 'entrypoint', 'commands', 'setup', 'install']);

function scalarSpan(src: string, node: Scalar): { start: number; end: number } | undefined {
  const r = node.range;
  if (!r) return undefined;
  let start = r[0];
  let end = r[1];
  if (node.type === Scalar.QUOTE_DOUBLE || node.type === Scalar.QUOTE_SINGLE) {
    start++;
    end--;
  }
  while (end > start && /\s/.test(src[end - 1])) end--;
  return { start, end };
}

function yamlList(src: string, node: unknown, manager: Manager, out: Unpinned[]): void {
  if (!isSeq(node)) return;
  for (const item of node.items) {
    if (isScalar(item) && typeof item.value === 'string') {
      const span = scalarSpan(src, item);
      const verdict = manager === 'pip' ? checkPipSpec(item.value) : checkCondaSpec(item.value);
      if (span && verdict) out.push({ ...verdict, ...span, manager, upgrade: false });
    } else if (manager === 'conda' && isMap(item)) {
      for (const p of item.items) if (isScalar(p.key) && p.key.value === 'pip') yamlList(src, p.value, 'pip', out);
    }
  }
}

function yamlShell(src: string, node: unknown, out: Unpinned[]): void {
  if (isSeq(node)) {
    for (const it of node.items) yamlShell(src, it, out);
    return;
  }
  if (!isScalar(node) || typeof node.value !== 'string' || !node.range || !/install/.test(node.value)) return;
  let [start, end] = node.range;
  const literal = node.type === Scalar.BLOCK_LITERAL;
  if (node.type === Scalar.BLOCK_LITERAL || node.type === Scalar.BLOCK_FOLDED) start = src.indexOf('\n', start) + 1 || end;
  else if (node.type === Scalar.QUOTE_DOUBLE || node.type === Scalar.QUOTE_SINGLE) {
    start++;
    end--;
  }
  scanShell(src, start, end, literal, out);
}

function walkYaml(src: string, node: unknown, kind: ConfigKind | undefined, parentKey: string, depth: number, out: Unpinned[]): void {
  if (isSeq(node)) {
    for (const it of node.items) walkYaml(src, it, kind, parentKey, depth + 1, out);
    return;
  }
  if (!isMap(node)) return;
  for (const pair of node.items) {
    if (!isScalar(pair.key)) continue;
    const key = String(pair.key.value);
    const v = pair.value;
    if (key === 'dependencies' && isSeq(v) && ((kind === 'conda' && depth === 0) || CONDA_PARENT_KEYS.has(parentKey))) yamlList(src, v, 'conda', out);
    else if (key === 'conda_packages' && isSeq(v)) yamlList(src, v, 'conda', out);
    else if (PIP_LIST_KEYS.has(key) && isSeq(v)) yamlList(src, v, 'pip', out);
    // Compiled KFP / Argo specs carry the compiler's own install lines: they are checked where they are written.
    else if (SHELL_KEYS.has(key) && kind !== 'kfp' && kind !== 'argo' && (isScalar(v) || isSeq(v))) yamlShell(src, v, out);
    else walkYaml(src, v, kind, key, depth + 1, out);
  }
}

function scanYaml(file: YamlFile, kind: ConfigKind | undefined, out: Unpinned[]): void {
  for (const doc of file.docs) if (!doc.errors.length) walkYaml(file.text, doc.contents as YamlNode, kind, '', 0, out);
}

// ---------------------------------------------------------------------------
// Python: magics, `%%writefile` bodies, KFP/Azure ML package lists, subprocess.

const SHELL_LINE_MAGICS = new Set(['sx', 'system', 'sh', 'bash']);
const MANAGER_MAGICS = new Set(['pip', 'conda', 'mamba', 'micromamba', 'uv']);
const SHELL_CELL_MAGICS = new Set(['bash', 'sh', 'script', 'system']);
const PACKAGE_LIST_KWARGS = new Map<string, Manager>([
  ['packages_to_install', 'pip'],
  ['pip_packages', 'pip'],
  ['pip_requirements', 'pip'],
  ['extra_pip_requirements', 'pip'],
  ['requirements', 'pip'],
  ['python_packages', 'pip'],
  ['conda_packages', 'conda'],
]);
const COMMAND_KWARGS = new Set(['command', 'cmd', 'commands', 'script', 'args', 'entrypoint', 'entry_point']);
const SHELL_CALLS = /^(subprocess\.(run|call|check_call|check_output|Popen|getoutput|getstatusoutput)|os\.(system|popen)|get_ipython\(\)\.(system|getoutput))$/;
const STRING_LITERAL = /(?:^|[^A-Za-z0-9_])([rRbBuUfF]{0,2})('''|"""|'|")/g;

/** String literals inside a Python expression's source, with offsets of their contents. */
function literalsIn(text: string, base0: number): Array<{ value: string; start: number; end: number }> {
  const out: Array<{ value: string; start: number; end: number }> = [];
  STRING_LITERAL.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = STRING_LITERAL.exec(text))) {
    const q = m[2];
    const open = m.index + m[0].length;
    const close = text.indexOf(q, open);
    if (close < 0) break;
    if (!/f/i.test(m[1])) out.push({ value: text.slice(open, close), start: base0 + open, end: base0 + close });
    STRING_LITERAL.lastIndex = close + q.length;
  }
  return out;
}

function stringContent(unit: PythonUnit, arg: ArgFact): { start: number; end: number } | undefined {
  if (arg.kind !== 'string') return undefined;
  const m = /^([rRbBuU]{0,2})('''|"""|'|")/.exec(arg.text);
  if (!m || /f/i.test(m[1])) return undefined;
  const q = m[2];
  if (!arg.text.endsWith(q)) return undefined;
  return { start: arg.valueSpan.start + m[0].length, end: arg.valueSpan.end - q.length };
}

/** Last segments of the callees `SHELL_CALLS` matches: a dotted callee ending otherwise cannot match, qualified or not. */
const SHELL_CALL_NAMES = new Set(['run', 'call', 'check_call', 'check_output', 'Popen', 'getoutput', 'getstatusoutput', 'system', 'popen']);

/** Whether a call runs a shell command line (`subprocess.run(...)`, `os.system(...)`, also through import aliases). */
function isShellCall(call: CallFact, qualify: (callee: string) => string): boolean {
  // Qualifying keeps the last segment of a dotted callee; a bare name may be an alias (`from subprocess import run as sh`).
  if (call.callee.includes('.') && !SHELL_CALL_NAMES.has(call.name)) return false;
  return SHELL_CALLS.test(qualify(call.callee)) || SHELL_CALLS.test(call.callee);
}

/** False when no call of the unit can install anything: every package list keyword holds `packages` or `requirements`, and a command line says `install`. */
function mayCallInstall(text: string): boolean {
  return INSTALL_WORDS.test(text);
}

/** `install`, `packages` or `requirements` in one scan (three `includes` read a text without any three times). */
export const INSTALL_WORDS = /install|packages|requirements/;

function scanCalls(unit: PythonUnit, qualify: (callee: string) => string, out: Unpinned[]): void {
  if (!mayCallInstall(unit.text)) return;
  for (const call of unit.facts.calls) {
    // Asked only for a positional argument (most calls have none that matters).
    let shellCall: boolean | undefined;
    for (const arg of call.args) {
      const name = arg.name;
      if (name !== undefined) {
        const listManager = PACKAGE_LIST_KWARGS.get(name);
        if (listManager && arg.kind === 'list') {
          for (const lit of literalsIn(arg.text, arg.valueSpan.start)) {
            const verdict = listManager === 'pip' ? checkPipSpec(lit.value) : checkCondaSpec(lit.value);
            if (verdict) out.push({ ...verdict, start: lit.start, end: lit.end, manager: listManager, upgrade: false });
          }
          continue;
        }
        if (!COMMAND_KWARGS.has(name)) continue;
      } else if (!(shellCall ??= isShellCall(call, qualify))) continue;
      if (!arg.text.includes('install')) continue;
      const content = stringContent(unit, arg);
      if (content) {
        scanShell(unit.text, content.start, content.end, false, out);
      } else if (arg.kind === 'list') {
        // subprocess.run([sys.executable, "-m", "pip", "install", "kfp>=2"]): literal words only.
        const words = literalsIn(arg.text, arg.valueSpan.start).map((l) => ({ text: l.value, start: l.start, end: l.end }));
        const k = words.findIndex((w, i) => /^pip\d?$/.test(w.text) && words[i + 1]?.text === 'install');
        if (k >= 0) checkInstallArgs(unit.text, 'pip', words.slice(k + 2), out);
      }
    }
  }
}

function offsetOf(unit: PythonUnit, line: number, character: number): number {
  return unit.lines.offsetAt({ line, character });
}

function scanMagics(unit: PythonUnit, out: Unpinned[]): void {
  const text = unit.text;
  for (const magic of unit.magics) {
    const shell = magic.kind === 'shell' || (magic.kind === 'line' && (MANAGER_MAGICS.has(magic.name) || SHELL_LINE_MAGICS.has(magic.name)));
    if (!shell && !(magic.kind === 'cell' && (SHELL_CELL_MAGICS.has(magic.name) || magic.name === 'writefile' || magic.name === 'file'))) continue;
    const start = offsetOf(unit, magic.range.start.line, magic.range.start.character);
    const end = offsetOf(unit, magic.range.end.line, magic.range.end.character);
    if (shell) {
      let s = start;
      while (text[s] === '%' || text[s] === '!') s++;
      if (magic.kind === 'line' && SHELL_LINE_MAGICS.has(magic.name)) s += magic.name.length;
      scanShell(text, s, end, true, out);
    } else if (magic.kind === 'cell') {
      const bodyStart = text.indexOf('\n', start) + 1;
      if (bodyStart <= 0) continue;
      if (SHELL_CELL_MAGICS.has(magic.name)) scanShell(text, bodyStart, end, true, out);
      else if (magic.name === 'writefile' || magic.name === 'file') scanWrittenFile(text, start, bodyStart, end, out);
    }
  }
}

/**
 * What a YAML text holds when `scanYaml` can find anything in it: a package list key
 * (`dependencies`, `conda_packages`, `pip*`, `requirements`, `python_packages`,
 * `packages_to_install`) or an `install` command; a backslash may spell either in
 * a quoted scalar. Other texts are not parsed.
 */
const YAML_INSTALL_WORDS = /pip|install|dependencies|conda_packages|requirements|python_packages|\\/;

/**
 * Unpinned installs of a YAML text written by a cell (`%%writefile conda.yaml`),
 * offsets in `body`. A text in the plain block subset most such files use is read
 * by `simpleYaml` (the YAML library costs milliseconds per small file until it is
 * warm); any other goes through the YAML library. `simple: false` forces the library.
 */
export function writtenYamlInstalls(name: string, body: string, simple = true): Unpinned[] {
  if (!YAML_INSTALL_WORDS.test(body)) return [];
  const found: Unpinned[] = [];
  const doc = simple ? simpleYaml(body) : undefined;
  if (doc) {
    if (doc.contents) scanYaml({ text: body, docs: [{ contents: doc.contents, errors: [] }] } as unknown as YamlFile, classifyYaml(name, doc.value), found);
    return found;
  }
  const file = parseYaml(body);
  if (file.errors.length) return [];
  scanYaml(file, classifyYaml(name, firstValue(file)), found);
  return found;
}

// ---------------------------------------------------------------------------
// Plain block YAML without the YAML library: block mappings of simple keys, block
// sequences, one-line plain scalars that are strings under the YAML 1.2 core schema,
// and folded or literal block scalars (`>-`, `|`) of evenly indented lines, with
// comments and blank lines between entries. Anything else (quoted or multi-line plain
// scalars, flow collections, anchors, aliases, tags, directives, document markers,
// tabs, non-ASCII, a scalar that would read as a number, boolean or null, duplicate
// keys) returns undefined: the caller parses the text with the library then. The
// nodes built are the library's, with the ranges and values it gives, so `scanYaml`
// reads them the same.

interface SimpleLine {
  indent: number;
  /** Offset of the line in the text. */
  at: number;
  /** The line as written. */
  raw: string;
  /** Content without indentation, comment and trailing spaces; empty for blank and comment lines. */
  content: string;
}

/** Raised inside `simpleYaml` when the text leaves the subset. */
const NOT_SIMPLE = new Error('not simple YAML');
/** Simple mapping keys; the rest of the line is empty or a space and the value. */
const SIMPLE_KEY = /^([A-Za-z_$][\w$./-]*):(?: +(.*))?$/;
/** One-line plain scalars: no indicator first, no `: ` inside (` #` was cut off as a comment). */
const SIMPLE_PLAIN = /^[^-?:,[\]{}#&*!|>'"%@` ](?:(?!: )[^])*$/;
/** What the core schema may read as a number, boolean or null (a superset). */
const NOT_STRING = /^(?:[-+]?\.?[0-9]|[-+]?\.(?:inf|Inf|INF|nan|NaN|NAN)$|~$|(?:null|Null|NULL|true|True|TRUE|false|False|FALSE)$)/;
/** A block scalar header: `|` or `>`, optional strip or clip chomping (not keep, not an indentation digit). */
const BLOCK_HEADER = /^([|>])(-?)$/;

function simpleLines(text: string): SimpleLine[] | undefined {
  if (/[^\n\x20-\x7e]/.test(text)) return undefined;
  const out: SimpleLine[] = [];
  let at = 0;
  for (const raw of text.split('\n')) {
    let i = 0;
    while (raw.charCodeAt(i) === 32) i++;
    let content = '';
    if (i < raw.length && raw[i] !== '#') {
      const hash = raw.indexOf(' #', i);
      let end = hash < 0 ? raw.length : hash;
      while (end > i && raw.charCodeAt(end - 1) === 32) end--;
      content = raw.slice(i, end);
      if (/^(?:---|\.\.\.)/.test(content)) return undefined;
    }
    out.push({ indent: i, at, raw, content });
    at += raw.length + 1;
  }
  return out;
}

function simpleScalar(value: string, type: Scalar.Type, range: [number, number, number]): Scalar {
  const node = new Scalar(value);
  node.type = type;
  node.range = range;
  return node;
}

function simplePlain(value: string, start: number): { node: Scalar; value: string } {
  if (!SIMPLE_PLAIN.test(value) || NOT_STRING.test(value) || value.endsWith(':')) throw NOT_SIMPLE;
  return { node: simpleScalar(value, Scalar.PLAIN, [start, start + value.length, start + value.length]), value };
}

type SimpleNode = { node: YamlNode | null; value: unknown };

/** The plain block YAML subset read without the library (see above); undefined for any other text. */
export function simpleYaml(text: string): { contents: YamlNode | null; value: unknown } | undefined {
  const lines = simpleLines(text);
  if (!lines) return undefined;
  let i = 0;
  /** Moves `i` to the next line with content. */
  const next = (): void => {
    while (i < lines.length && lines[i].content === '') i++;
  };
  const more = (): boolean => i < lines.length;
  next();
  if (!more()) return { contents: null, value: null };
  const isSeqLine = (l: SimpleLine): boolean => l.content === '-' || l.content.startsWith('- ');
  const block = (indent: number): SimpleNode => (isSeqLine(lines[i]) ? seq(indent) : map(indent, lines[i].at + lines[i].indent, lines[i].content));
  const seq = (n: number): SimpleNode => {
    const node = new YAMLSeq();
    const value: unknown[] = [];
    while (more() && lines[i].indent === n && isSeqLine(lines[i])) {
      const l = lines[i];
      if (l.content === '-') throw NOT_SIMPLE;
      let k = 2;
      while (l.content.charCodeAt(k) === 32) k++;
      const item = l.content.slice(k);
      const start = l.at + n + k;
      let itemNode: SimpleNode;
      if (SIMPLE_KEY.test(item)) itemNode = map(n + k, start, item);
      else {
        itemNode = simplePlain(item, start);
        i++;
        next();
      }
      node.items.push(itemNode.node);
      value.push(itemNode.value);
      if (more() && lines[i].indent > n) throw NOT_SIMPLE;
    }
    return { node, value };
  };
  /** A block scalar whose header (`>-`) is at `start` on the current line, the value of an entry at indent `n`. */
  const blockScalar = (n: number, start: number, header: string): SimpleNode => {
    const h = BLOCK_HEADER.exec(header);
    if (!h) throw NOT_SIMPLE;
    i++;
    const first = i;
    // Evenly indented non-blank lines, more indented than the entry; a blank or more indented line leaves the subset.
    const indent = i < lines.length ? lines[i].indent : 0;
    if (indent <= n || lines[i].raw.length === indent) throw NOT_SIMPLE;
    while (i < lines.length && lines[i].indent >= indent && lines[i].raw.length > indent) {
      if (lines[i].indent !== indent) throw NOT_SIMPLE;
      i++;
    }
    // The last line must end with a line break (clip keeps it).
    if (i === lines.length) throw NOT_SIMPLE;
    const body = lines.slice(first, i).map((l) => l.raw.slice(indent));
    const value = body.join(h[1] === '>' ? ' ' : '\n') + (h[2] === '-' ? '' : '\n');
    const end = lines[i].at;
    next();
    return { node: simpleScalar(value, h[1] === '>' ? Scalar.BLOCK_FOLDED : Scalar.BLOCK_LITERAL, [start, end, end]), value };
  };
  /** A mapping at indent `n` whose first entry is `content` at `start` (the current line, or the rest of a sequence item). */
  const map = (n: number, start: number, content: string): SimpleNode => {
    const node = new YAMLMap();
    const value: Record<string, unknown> = {};
    for (;;) {
      const m = SIMPLE_KEY.exec(content);
      if (!m) throw NOT_SIMPLE;
      const key = m[1];
      if (key.length > 1000 || NOT_STRING.test(key) || key === '__proto__' || Object.prototype.hasOwnProperty.call(value, key)) throw NOT_SIMPLE;
      const keyNode = simplePlain(key, start).node;
      let entry: SimpleNode;
      if (m[2] !== undefined && (m[2][0] === '>' || m[2][0] === '|')) entry = blockScalar(n, start + content.length - m[2].length, m[2]);
      else {
        i++;
        next();
        if (m[2] !== undefined) {
          entry = simplePlain(m[2], start + content.length - m[2].length);
          if (more() && lines[i].indent > n) throw NOT_SIMPLE;
        } else if (more() && lines[i].indent > n) {
          const l = lines[i];
          if (isSeqLine(l) || SIMPLE_KEY.test(l.content)) entry = block(l.indent);
          else {
            // `key:` and the value alone on the next line.
            entry = simplePlain(l.content, l.at + l.indent);
            i++;
            next();
            if (more() && lines[i].indent > n) throw NOT_SIMPLE;
          }
        }
        else if (more() && lines[i].indent === n && isSeqLine(lines[i])) entry = seq(n);
        else {
          // `key:` alone: the library's empty plain scalar.
          const at = start + key.length + 1;
          entry = { node: simpleScalar(null as unknown as string, Scalar.PLAIN, [at, at, at]), value: null };
        }
      }
      node.items.push(new Pair(keyNode, entry.node));
      value[key] = entry.value;
      if (!more() || lines[i].indent < n) break;
      if (lines[i].indent > n || isSeqLine(lines[i])) throw NOT_SIMPLE;
      start = lines[i].at + n;
      content = lines[i].content;
    }
    return { node, value };
  };
  try {
    const top = block(lines[i].indent);
    if (more()) return undefined;
    return { contents: top.node, value: top.value };
  } catch (e) {
    if (e === NOT_SIMPLE) return undefined;
    throw e;
  }
}

/** `%%writefile conda.yaml` and friends: the written file is a dependency spec too. */
function scanWrittenFile(text: string, start: number, bodyStart: number, end: number, out: Unpinned[]): void {
  const args = text.slice(start, bodyStart).trim().split(/\s+/).slice(1).filter((a) => !a.startsWith('-'));
  const target = (args[args.length - 1] ?? '').replace(/^['"]|['"]$/g, '');
  const name = target.slice(target.lastIndexOf('/') + 1);
  const body = text.slice(bodyStart, end);
  if (/\.ya?ml$/i.test(name)) {
    for (const f of writtenYamlInstalls(name, body)) out.push({ ...f, start: f.start + bodyStart, end: f.end + bodyStart });
  } else if (/(^|[-_.])requirements?([-_.].*)?\.(txt|in)$/i.test(name) || /^constraints.*\.txt$/i.test(name)) {
    scanRequirements(text, bodyStart, end, out);
  } else if (/^(Dockerfile.*|.*\.dockerfile|.*\.sh)$/i.test(name)) {
    scanShell(text, bodyStart, end, true, out);
  }
}

// ---------------------------------------------------------------------------
// pip requirements files (`requirements*.txt`, `constraints*.txt`, `%%writefile` bodies).

/**
 * Unpinned requirements of the requirements-file text `src[start, end)`, read as pip
 * reads it: one requirement per logical line (a `\` at the end of a line continues it),
 * `#` comments at the start of a line or after whitespace, per-requirement options
 * (`--hash=...`) and environment markers (`; python_version < "3.9"`) cut off. Option
 * lines are skipped as on the command line (`-r other.txt`, `-e .`, index options); a
 * `-c constraints.txt` line constrains every requirement of the file, like `pip install
 * -c`, so none is reported. Offsets are those of `src`; a finding covers the requirement
 * (name, extras, specifier or URL).
 */
function scanRequirements(src: string, start: number, end: number, out: Unpinned[]): void {
  // Continuations become spaces of the same length: offsets stay those of `src`.
  const body = src.slice(start, end).replace(/\\\r?\n/g, (m) => ' '.repeat(m.length));
  const found: Unpinned[] = [];
  let constrained = false;
  let offset = start;
  for (const line of body.split('\n')) {
    const at = offset;
    offset += line.length + 1;
    const comment = /(^|\s)#/.exec(line);
    const content = (comment ? line.slice(0, comment.index) : line).trimEnd();
    const rest = content.trimStart();
    if (!rest) continue;
    if (rest.startsWith('-')) {
      if (/^(-c|--constraint\b)/.test(rest)) constrained = true;
      continue;
    }
    // pip: the requirement ends at the first word that is an option (`--hash=...`).
    const option = /\s-/.exec(rest);
    let req = option ? rest.slice(0, option.index) : rest;
    // Markers: after `;` (after ` ;` for a URL, whose own text may hold `;`).
    const marker = /^[^;]*:\/\//.test(req) ? /\s;/.exec(req) : /;/.exec(req);
    if (marker) req = req.slice(0, marker.index);
    req = req.trimEnd();
    const verdict = checkPipSpec(req);
    const from = at + content.length - rest.length;
    if (verdict) found.push({ ...verdict, start: from, end: from + req.length, manager: 'pip', upgrade: false });
  }
  if (!constrained) out.push(...found);
}

/** Jupytext percent scripts keep magics as comments: `# %pip install x`. */
function scanEscapedMagics(unit: PythonUnit, out: Unpinned[]): void {
  const text = unit.text;
  if (!text.includes('# %%') || !/^# %%/m.test(text) || !/^#\s*[%!]/m.test(text)) return;
  const re = /^#[ \t]*(%|!)[ \t]*(?=\S)(.*)$/gm;
  let m: RegExpExecArray | null;
  while ((m = re.exec(text))) {
    if (m[2].startsWith('%')) continue;
    const s = m.index + m[0].length - m[2].length;
    scanShell(text, s, m.index + m[0].length, true, out);
  }
}

/** Unpinned installs of one unit's magics and shell lines. */
const unitShellInstalls = unitMemo((unit): Unpinned[] => {
  if (unit.magics.length === 0) return NO_INSTALLS;
  const magics: Unpinned[] = [];
  scanMagics(unit, magics);
  return magics.length ? magics : NO_INSTALLS;
});

/**
 * Unpinned installs of one unit's `# %pip` comments (percent scripts: `.py` files only,
 * so notebook cells are not even searched for `# %%`).
 */
const unitEscapedInstalls = unitMemo((unit): Unpinned[] => {
  // Percent scripts only (`# %%` cells): most units have none.
  if (!unit.text.includes('# %%')) return NO_INSTALLS;
  const escaped: Unpinned[] = [];
  scanEscapedMagics(unit, escaped);
  return escaped.length ? escaped : NO_INSTALLS;
});

/** `mayCallInstall` per unit: the others' callees are not even qualified. */
const unitMayCallInstall = unitMemo((unit): boolean => mayCallInstall(unit.text));

/** Unpinned installs in one unit's calls (package lists, `subprocess` command lines). */
const unitCallInstalls = qualifiedMemo((unit, qualify): Unpinned[] => {
  const out: Unpinned[] = [];
  scanCalls(unit, qualify, out);
  return out.length ? out : NO_INSTALLS;
});

const NO_INSTALLS: Unpinned[] = [];

// ---------------------------------------------------------------------------
// The pinning fix: the version the saved `pip install` output shows.

function normalise(name: string): string {
  return name.toLowerCase().replace(/[-_.]+/g, '-');
}

function outputText(cell: NotebookCell | undefined): string {
  if (!cell) return '';
  let t = '';
  for (const o of cell.outputs) {
    if (o.output_type !== 'stream') continue;
    t += Array.isArray(o.text) ? o.text.join('') : typeof o.text === 'string' ? o.text : '';
  }
  return t;
}

/** The version of `pkg` that the cell's saved install output says was installed. */
export function installedVersion(output: string, pkg: string): string | undefined {
  if (!output) return undefined;
  const want = normalise(pkg);
  const ok = /^Successfully installed (.+)$/m.exec(output);
  if (ok) {
    for (const item of ok[1].trim().split(/\s+/)) {
      const m = /^(.+?)-(\d[^-\s]*)$/.exec(item);
      if (m && normalise(m[1]) === want) return m[2];
    }
  }
  const re = /^Requirement already satisfied: ([A-Za-z0-9._-]+)[^\n]* \(([^()\s]+)\)\s*$/gm;
  let m: RegExpExecArray | null;
  while ((m = re.exec(output))) if (normalise(m[1]) === want && /^\d/.test(m[2])) return m[2];
  return undefined;
}

// ---------------------------------------------------------------------------

const MESSAGE_TAIL = 'each run may get a different release than the one this was tested with. Pin an exact version (`{{pin}}`) or install from a pinned requirements or lock file.';

export default defineRule({
  meta: {
    id: 'unpinned-install',
    area: 'reproducibility',
    defaultSeverity: 'warning',
    recommended: true,
    targets: ['notebook', 'python', 'yaml', 'requirements'],
    fixedId: true,
    messages: {
      none: '`{{package}}` is installed without a version{{upgrade}}: ' + MESSAGE_TAIL,
      range: '`{{package}}` is installed as `{{spec}}`, a range, not an exact version: ' + MESSAGE_TAIL,
      ref: '`{{package}}` is installed from a VCS URL with {{spec}}, not a commit or release tag: ' + MESSAGE_TAIL,
    },
    options: { ignore: ['pip', 'setuptools', 'wheel'], requireExact: false },
    docs: {
      summary: 'A package is installed (`%pip install`, requirements file, conda env, pipeline requirements) without an exact version.',
      whatItDoes:
        'Finds package installs whose version can change between runs and reports each such package: `%pip` / `!pip` / `!python -m pip` / `%conda` / `%mamba` / `%uv pip` installs in notebooks (also inside `%%bash` cells, `%%writefile` requirements, conda YAML and Dockerfiles, and jupytext `# %pip` lines in `.py` files); pip requirements and constraints files (`requirements*.txt`, `*-requirements.txt`, `requirements/*.txt`, `constraints*.txt`: each requirement line, read as pip reads it, with `\\` line continuations, `#` comments, `--hash` options and environment markers set aside; the finding covers the requirement itself); conda environment files (`dependencies:` and the nested `pip:` list); requirement lists in pipeline configs (ZenML `requirements:`, `packages_to_install:`, inline Azure ML `conda_file:`); `pip install` in CI `run:` steps and job `command:` strings; and in Python, KFP `packages_to_install=[...]`, Azure ML `pip_packages=`/`conda_packages=`, MLflow `pip_requirements=` lists and `subprocess`/`os.system` pip installs. A package counts as pinned with an exact version (`==1.2.3`, `===1.2.3`, conda `=1.2.3` / `==1.2.3`), with a spec that only allows patch releases of one minor series (`==1.2.*`, `~=1.2.3`, `>=1.2,<1.3`, conda `=1.2`; option `requireExact` turns these into findings too), as a wheel or sdist file, a local path, or a VCS URL at a commit hash or release tag. Lower bounds (`>=`), upper bounds alone (`<2`), `~=1.2` and bare names are reported. `-r requirements.txt`, `--file env.txt` and installs under a `-c constraints.txt` file are not reported (the file is where pins belong); likewise a requirements file is not reported when it has a `-c constraints.txt` line, and its `-r`/`-e` lines (`-e .`) are skipped as on the command line. `pip`, `setuptools` and `wheel` themselves are ignored by default (option `ignore`): upgrading the installer does not change what the code imports.',
      whyIsThisBad:
        'An unpinned install resolves to whatever is newest on the day it runs, so the same notebook or pipeline silently trains, evaluates or serves with different library versions from one run to the next: results drift, and old runs cannot be reproduced or rolled back (ML Test Score, Infra 1; Sculley et al. 2015, configuration debt). Lower bounds (`>=`) and `--upgrade` have the same effect.',
      example: {
        language: 'yaml',
        file: 'environment.yml',
        code: 'name: train-env\nchannels:\n  - conda-forge\ndependencies:\n  - python=3.10\n  - scikit-learn>=1.3\n  - pip\n  - pip:\n    - mlflow\n',
      },
      useInstead: {
        language: 'yaml',
        file: 'environment.yml',
        code: 'name: train-env\nchannels:\n  - conda-forge\ndependencies:\n  - python=3.10\n  - scikit-learn=1.3.2\n  - pip\n  - pip:\n    - mlflow==2.12.1\n',
      },
      fixSafety:
        'In notebooks, when the cell\'s saved output shows which version pip installed ("Successfully installed mlflow-2.12.1" or "Requirement already satisfied: ... (2.12.1)"), an unsafe fix pins the package to exactly that version. It is unsafe because it changes what later runs install (to the version the notebook was last run with). Elsewhere, requirements files included, there is no automatic fix: the linter cannot know which version you tested with (`pip show <package>` or `pip freeze` tells you; `pip-compile` writes a pinned requirements file from a loose `requirements.in`).',
      notebookBehavior:
        'Reads `%pip`/`%conda`/`!pip` magics and shell escapes (also `%%bash` bodies and `%%writefile` files); the finding sits on the package name in the cell. Commented-out install lines are ignored.',
      options: '`ignore` (list of package names, default `["pip", "setuptools", "wheel"]`): packages never reported. `requireExact` (boolean, default false): also report patch-series specs such as `==1.2.*`, `~=1.2.3`, `>=1.2,<1.3` and conda `=1.2`.',
      references: [
        'Breck et al. 2017, The ML Test Score, Infra 1 (training is reproducible): https://research.google/pubs/the-ml-test-score-a-rubric-for-ml-production-readiness-and-technical-debt-reduction/',
        'Sculley et al. 2015, Hidden Technical Debt in Machine Learning Systems (configuration debt)',
        'pip, Repeatable installs: https://pip.pypa.io/en/stable/topics/repeatable-installs/',
        'conda, Sharing an environment / conda-lock: https://docs.conda.io/projects/conda/en/latest/user-guide/tasks/manage-environments.html#sharing-an-environment',
        'IPython %pip and %conda magics: https://ipython.readthedocs.io/en/stable/interactive/magics.html#magic-pip',
      ],
    },
  },
  check(ctx) {
    const ignore = new Set((Array.isArray(ctx.options.ignore) ? ctx.options.ignore : []).map((n) => normalise(String(n))));
    if (ctx.target === 'requirements') {
      const found: Unpinned[] = [];
      scanRequirements(ctx.text, 0, ctx.text.length, found);
      if (found.length === 0) return;
      const li = new LineIndex(ctx.text);
      // No fix: nothing in the file says which version was tested (see fixSafety).
      for (const f of found) report(ctx, f, { range: { start: li.positionAt(f.start), end: li.positionAt(f.end) } }, ignore);
      return;
    }
    if (ctx.yaml) {
      const found: Unpinned[] = [];
      scanYaml(ctx.yaml, ctx.configKind, found);
      const file = ctx.yaml;
      for (const f of found) report(ctx, f, { range: offsetsToRange(file, f.start, f.end) }, ignore);
      return;
    }
    const program = ctx.python;
    if (!program) return;
    const shells = unitShellInstalls.all(program);
    const mayCall = unitMayCallInstall.all(program);
    for (const [i, unit] of program.units.entries()) {
      const magics = shells[i];
      const escaped = ctx.target === 'python' ? unitEscapedInstalls(unit) : NO_INSTALLS;
      const calls = mayCall[i] ? unitCallInstalls.at(program, i) : NO_INSTALLS;
      if (magics.length === 0 && calls.length === 0 && escaped.length === 0) continue;
      const found = [...magics, ...escaped, ...calls];
      const cell = unit.cell !== undefined ? ctx.notebook?.cells[unit.cell] : undefined;
      const output = outputText(cell);
      for (const f of found) {
        const location = unitLocation(unit, { start: f.start, end: f.end });
        const version = f.manager === 'pip' && f.kind !== 'ref' ? installedVersion(output, f.package) : undefined;
        const fixes: Fix[] = version
          ? [{ title: `Pin ${f.package} to ${version}, the version this cell installed`, safety: 'unsafe', edits: [{ ...location, newText: `${f.package}${f.extras}==${version}` }] }]
          : [];
        report(ctx, f, location, ignore, fixes);
      }
    }
  },
});

function report(ctx: RuleContext, f: Unpinned, location: Location, ignore: Set<string>, fixes: Fix[] = []): void {
  if (ignore.has(normalise(f.package))) return;
  if (f.patchSeries && ctx.options.requireExact !== true) return;
  const pin = f.manager === 'pip' ? `${f.package}==<version>` : `${f.package}=<version>`;
  ctx.report({
    messageId: f.kind,
    data: { package: f.package, spec: f.spec, pin, upgrade: f.upgrade ? ' (with --upgrade: always the newest release)' : '' },
    location,
    fixes,
  });
}
