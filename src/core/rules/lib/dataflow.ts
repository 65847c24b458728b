// Names defined and read, statement by statement: what `hidden-state` and
// `preprocessing-before-split` need and the engine's facts do not carry (reads of
// identifiers, loop / with / except targets, class bodies, scopes).
//
// A small Python tokenizer over the unit's masked text (strings and comments
// skipped, f-string expressions read), then a statement walk that knows which names
// a statement binds, mutates and reads. No second parse: it costs about as much as
// a regex pass, and the result is cached per parsed unit (the engine keeps one
// facts object per distinct cell text, so an unchanged cell is never re-read).
//
// Two reads: `unitFlow` keeps every statement (preprocessing-before-split walks them);
// `cellNames` keeps a cell's module-level names only (hidden-state reads every cell
// of every notebook), so it skips the function-body lines that cannot bind one and
// allocates no statements. Both reuse one pool of token objects.
import type { Magic } from '../../parse/magics';
import type { PythonProgram, PythonUnit, ResolvedCall } from '../../parse/program';
import type { ArgFact, PythonFacts } from '../../parse/python';
import { isAsciiNameChar } from '../../text';
import { unitMemo } from './value-resolver';

export interface NameRef {
  name: string;
  start: number;
  end: number;
  /** Read inside a subscript (`df[cols]`: `cols`): an index, not the data itself. */
  index?: boolean;
}

export type StmtKind =
  | 'assign'
  | 'augassign'
  | 'annotation'
  | 'expr'
  | 'import'
  | 'for'
  | 'with'
  | 'except'
  | 'if'
  | 'def'
  | 'class'
  | 'return'
  | 'del'
  | 'global'
  | 'decorator'
  | 'other';

export interface Stmt {
  kind: StmtKind;
  start: number;
  end: number;
  /** Id of the innermost enclosing `def` in this unit, -1 at module level. */
  fn: number;
  /** Directly in a class body (its names are class attributes). */
  inClass: boolean;
  /** Names bound by the statement in its scope. */
  defs: NameRef[];
  /** Names bound in a way that may not last (`except E as e`, `case` captures). */
  weakDefs: NameRef[];
  /** Roots of subscript / attribute / augmented targets: `df["a"] = ...` mutates `df`. */
  mutates: NameRef[];
  /** Names read (attribute names, keyword-argument names, comprehension and lambda variables excluded). */
  uses: NameRef[];
  /** `global x` inside a function. */
  globals?: string[];
  /** `from m import *`. */
  starImport?: boolean;
  /** For `def`: the function's id (its body's statements carry it in `fn`) and parameters. */
  defId?: number;
  params?: string[];
}

export interface UnitFlow {
  stmts: Stmt[];
  /** `%run`, `%store -r`, `exec(...)`, `globals()[...] =`: names may appear that no statement shows. */
  opaque: boolean;
  /** Names bound by magics (`%%capture out`, `%store -r x`). */
  magicDefs: string[];
}

// ---------------------------------------------------------------------------
// Tokens

type TokKind = 'name' | 'op' | 'str' | 'num' | 'nl';

interface Token {
  kind: TokKind;
  text: string;
  start: number;
  end: number;
  /** Bracket depth the token sits at (an opening bracket sits at the outer depth). */
  depth: number;
  /** Index of the innermost open bracket token, -1 outside brackets (for a bracket: its parent group). */
  group: number;
  /** A name read in an f-string expression: never a target or keyword. */
  fstring: boolean;
  /** An opening `[` of a subscript: right after a name, `)`, `]` or a string. */
  subscript: boolean;
}

const KEYWORDS = new Set([
  'False', 'None', 'True', 'and', 'as', 'assert', 'async', 'await', 'break', 'class', 'continue', 'def', 'del', 'elif', 'else', 'except',
  'finally', 'for', 'from', 'global', 'if', 'import', 'in', 'is', 'lambda', 'nonlocal', 'not', 'or', 'pass', 'raise', 'return', 'try',
  'while', 'with', 'yield',
]);
const NAME = /[\p{L}_][\p{L}\p{N}_]*/uy;
const NUMBER = /(?:0[xXoObB][\da-fA-F_]+|(?:\d[\d_]*\.?[\d_]*|\.\d[\d_]*)(?:[eE][+-]?\d[\d_]*)?[jJlL]?)/y;
const STRING_PREFIX = /^(?:[rRbBuUfFtT]|[rR][bBfFtT]|[bBfFtT][rR])$/;

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/**
 * Length of the operator starting with char code `c` (then `c1`, `c2`): the
 * three-character operators `**=` `//=` `>>=` `<<=` `...`, the two-character
 * ones `->` `:=` `==` `!=` `<=` `>=` `**` `//` `<<` `>>` and `X=` for the
 * augmented assignments, else one character.
 */
function opLength(c: number, c1: number, c2: number): number {
  switch (c) {
    case 42: // *
    case 47: // /
    case 60: // <
    case 62: // >
      if (c1 === c) return c2 === 61 ? 3 : 2;
      return c1 === 61 ? 2 : 1;
    case 46: // .
      return c1 === 46 && c2 === 46 ? 3 : 1;
    case 45: // -
      return c1 === 62 || c1 === 61 ? 2 : 1;
    case 58: // :
    case 61: // =
    case 33: // !
    case 43: // +
    case 37: // %
    case 38: // &
    case 124: // |
    case 94: // ^
    case 64: // @
      return c1 === 61 ? 2 : 1;
    default:
      return 1;
  }
}
const AUG_OPS = new Set(['+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=', '@=', '**=', '//=', '>>=', '<<=']);

/**
 * Token objects the next tokenization reuses: a unit's tokens live only while it is
 * read (`readStatements` lends the pool to one read at a time).
 */
const tokenPool: Token[] = [];
let tokenPoolLent = false;

class Tokenizer {
  /** The tokens, once `run` is done. */
  tokens: Token[] = [];
  /** Some token may bind a name locally: a `for` inside brackets (a comprehension) or `lambda`. */
  binders = false;
  private depth = 0;
  private groups: number[] = [];
  private count = 0;
  /** Where tokens are written: the shared pool, or `tokens`. */
  private readonly buf: Token[];

  constructor(
    private readonly src: string,
    pooled = false,
  ) {
    this.buf = pooled ? tokenPool : this.tokens;
  }

  private push(kind: TokKind, text: string, start: number, end: number, fstring = false): void {
    const group = this.groups.length ? this.groups[this.groups.length - 1] : -1;
    const t = this.buf[this.count];
    if (t !== undefined) {
      t.kind = kind;
      t.text = text;
      t.start = start;
      t.end = end;
      t.depth = this.depth;
      t.group = group;
      t.fstring = fstring;
      t.subscript = false;
    } else {
      this.buf[this.count] = { kind, text, start, end, depth: this.depth, group, fstring, subscript: false };
    }
    this.count++;
  }

  private last(): Token | undefined {
    return this.count ? this.buf[this.count - 1] : undefined;
  }

  run(): void {
    this.scan(0, this.src.length, false);
    if (this.buf !== this.tokens) this.tokens = this.buf.slice(0, this.count);
  }

  // Reads past the end of the text are guarded (`i + 1 < n`): an out-of-bounds read
  // sends V8's optimized code back to the interpreter.
  private scan(from: number, to: number, fstring: boolean): void {
    const s = this.src;
    const n = s.length;
    // An f-string expression cut by the end of the text may ask for more than there is.
    if (to > n) to = n;
    let i = from;
    while (i < to) {
      const c = s.charCodeAt(i);
      if (c === 32 || c === 9 || c === 13 || c === 12) {
        i++;
        continue;
      }
      if (c === 35 /* # */) {
        const nl = s.indexOf('\n', i);
        i = nl < 0 || nl > to ? to : nl;
        continue;
      }
      if (c === 92 /* \ */ && i + 1 < n) {
        const c1 = s.charCodeAt(i + 1);
        if (c1 === 10 /* \n */) {
          i += 2;
          continue;
        }
        if (c1 === 13 /* \r */ && i + 2 < n && s.charCodeAt(i + 2) === 10) {
          i += 3;
          continue;
        }
      }
      if (c === 10 /* \n */) {
        if (this.depth === 0 && !fstring) {
          const last = this.last();
          if (last && last.kind !== 'nl') this.push('nl', '\n', i, i + 1);
        }
        i++;
        continue;
      }
      if (c === 34 || c === 39 /* " ' */) {
        i = this.string(i, i, '');
        continue;
      }
      if ((c >= 48 && c <= 57) || (c === 46 && i + 1 < n && isDigit(s.charCodeAt(i + 1)))) {
        NUMBER.lastIndex = i;
        const end = NUMBER.test(s) && NUMBER.lastIndex > i ? NUMBER.lastIndex : i + 1;
        this.push('num', s.slice(i, end), i, end);
        i = end;
        continue;
      }
      let nameEnd = -1;
      if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95) {
        nameEnd = i + 1;
        while (nameEnd < n && isAsciiNameChar(s.charCodeAt(nameEnd))) nameEnd++;
        if (nameEnd < n && s.charCodeAt(nameEnd) > 127) nameEnd = -1; // a non-ASCII identifier: let the regex take it whole
      }
      if (nameEnd < 0 && c > 127) {
        NAME.lastIndex = i;
        const nm = NAME.exec(s);
        if (nm) nameEnd = i + nm[0].length;
      } else if (nameEnd < 0 && ((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95)) {
        NAME.lastIndex = i;
        const nm = NAME.exec(s);
        if (nm) nameEnd = i + nm[0].length;
      }
      if (nameEnd > i) {
        const word = s.slice(i, nameEnd);
        const q = nameEnd < n ? s.charCodeAt(nameEnd) : 0;
        if ((q === 34 || q === 39) && word.length <= 2 && STRING_PREFIX.test(word)) {
          i = this.string(i, nameEnd, word);
          continue;
        }
        this.push('name', word, i, nameEnd, fstring);
        if ((word === 'for' && this.depth > 0) || word === 'lambda') this.binders = true;
        i = nameEnd;
        continue;
      }
      if (c === 40 || c === 91 || c === 123 /* ( [ { */) {
        const p = this.last();
        this.push('op', s[i], i, i + 1);
        // `[` right after a name, `)`, `]` or a string opens a subscript.
        if (c === 91 && p && ((p.kind === 'name' && !KEYWORDS.has(p.text)) || (p.kind === 'op' && (p.text === ')' || p.text === ']')) || p.kind === 'str')) {
          this.buf[this.count - 1].subscript = true;
        }
        this.groups.push(this.count - 1);
        this.depth++;
        i++;
        continue;
      }
      if (c === 41 || c === 93 || c === 125 /* ) ] } */) {
        if (this.depth > 0) {
          this.depth--;
          this.groups.pop();
        }
        this.push('op', s[i], i, i + 1);
        i++;
        continue;
      }
      const len = opLength(c, i + 1 < n ? s.charCodeAt(i + 1) : 0, i + 2 < n ? s.charCodeAt(i + 2) : 0);
      this.push('op', len === 1 ? s[i] : s.slice(i, i + len), i, i + len);
      i += len;
    }
  }

  /** A string literal starting at `start` (prefix included), quotes at `q`; returns the offset after it. */
  private string(start: number, q: number, prefix: string): number {
    const s = this.src;
    const n = s.length;
    const qc = s.charCodeAt(q);
    const triple = q + 2 < n && s.charCodeAt(q + 1) === qc && s.charCodeAt(q + 2) === qc;
    const open = q + (triple ? 3 : 1);
    let j = open;
    let end = n;
    let contentEnd = n;
    while (j < n) {
      const ch = s.charCodeAt(j);
      if (ch === 92 /* \\ */) {
        j += 2;
        continue;
      }
      if (ch === qc && (!triple || (j + 2 < n && s.charCodeAt(j + 1) === qc && s.charCodeAt(j + 2) === qc))) {
        contentEnd = j;
        end = j + (triple ? 3 : 1);
        break;
      }
      if (ch === 10 /* \n */ && !triple) {
        contentEnd = j;
        end = j;
        break;
      }
      j++;
    }
    this.push('str', s.slice(start, Math.min(end, start + 3)), start, end);
    if (prefix !== '' && /[fFtT]/.test(prefix)) this.fstringExpressions(open, contentEnd);
    return end;
  }

  /** Reads the `{expression}` parts of an f-string's contents as code. */
  private fstringExpressions(from: number, to: number): void {
    const s = this.src;
    let i = from;
    while (i < to) {
      const b = s.indexOf('{', i);
      if (b < 0 || b >= to) return;
      if (s[b + 1] === '{') {
        i = b + 2;
        continue;
      }
      // The expression ends at the matching `}`, or earlier at a top-level `!r` / `:spec` / `=`.
      let depth = 0;
      let k = b + 1;
      let exprEnd = -1;
      for (; k < to; k++) {
        const ch = s[k];
        if (ch === '"' || ch === "'") {
          const close = s.indexOf(ch, k + 1);
          k = close < 0 || close >= to ? to : close;
          continue;
        }
        if (ch === '(' || ch === '[' || ch === '{') depth++;
        else if (ch === ')' || ch === ']') depth--;
        else if (ch === '}') {
          if (depth === 0) break;
          depth--;
        } else if (depth === 0 && exprEnd < 0 && ((ch === '!' && s[k + 1] !== '=') || ch === ':' || (ch === '=' && !/[=!<>]/.test(s[k - 1]) && s[k + 1] !== '='))) {
          exprEnd = k;
        }
      }
      this.depth++;
      this.scan(b + 1, exprEnd < 0 ? k : exprEnd, true);
      this.depth--;
      i = k + 1;
    }
  }
}

// ---------------------------------------------------------------------------
// Statements

const COMPOUND = new Set(['if', 'elif', 'else', 'for', 'while', 'with', 'try', 'except', 'finally', 'def', 'class']);
const OPAQUE_CALLS = /^(exec|execfile|eval)$|^(globals|locals|vars)\(\)\.update$|^get_ipython\(\)\.(run_line_magic|magic|run_cell|run_cell_magic)$/;

interface Binding {
  /** Comprehension variables per bracket group. */
  comp: Map<number, Set<string>>;
  /** Lambda parameters: names, from token index, to token index. */
  lambdas: Array<{ names: Set<string>; from: number; to: number }>;
  /** Token indexes that bind (comprehension targets, lambda parameters). */
  binders: Set<number>;
  /** No comprehension or lambda binds anything: no name is bound locally. */
  none: boolean;
}

const NO_BINDING: Binding = { comp: new Map(), lambdas: [], binders: new Set(), none: true };

function bindings(toks: Token[]): Binding {
  const b: Binding = { comp: new Map(), lambdas: [], binders: new Set(), none: true };
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i];
    if (t.kind !== 'name') continue;
    if (t.text === 'for' && t.depth > 0) {
      const set = b.comp.get(t.group) ?? new Set<string>();
      for (let k = i + 1; k < toks.length; k++) {
        const u = toks[k];
        if (u.depth < t.depth || (u.kind === 'name' && u.text === 'in' && u.group === t.group)) break;
        if (u.kind === 'name' && !KEYWORDS.has(u.text)) {
          set.add(u.text);
          b.binders.add(k);
        }
      }
      b.comp.set(t.group, set);
    } else if (t.text === 'lambda') {
      const names = new Set<string>();
      let k = i + 1;
      let inDefault = false;
      for (; k < toks.length; k++) {
        const u = toks[k];
        if (u.kind === 'nl' || u.depth < t.depth) break;
        if (u.depth === t.depth && u.kind === 'op' && u.text === ':') break;
        if (u.depth === t.depth && u.kind === 'op' && u.text === ',') inDefault = false;
        else if (u.depth === t.depth && u.kind === 'op' && u.text === '=') inDefault = true;
        else if (!inDefault && u.kind === 'name' && !KEYWORDS.has(u.text)) {
          names.add(u.text);
          b.binders.add(k);
        }
      }
      // The body runs to the end of the enclosing bracket group or statement.
      let to = k;
      for (; to < toks.length; to++) {
        const u = toks[to];
        if (u.kind === 'nl' || u.depth < t.depth) break;
      }
      b.lambdas.push({ names, from: k, to });
    }
  }
  b.none = b.comp.size === 0 && b.lambdas.length === 0;
  return b;
}

function boundLocally(b: Binding, toks: Token[], i: number): boolean {
  if (b.none) return false;
  const t = toks[i];
  if (b.binders.has(i)) return true;
  for (let g = t.group; g >= 0; g = toks[g].group) if (b.comp.get(g)?.has(t.text)) return true;
  for (const l of b.lambdas) if (i > l.from && i < l.to && l.names.has(t.text)) return true;
  return false;
}

function isOpen(t: Token | undefined): boolean {
  return !!t && t.kind === 'op' && (t.text === '(' || t.text === '[' || t.text === '{');
}

function ref(t: Token, index?: boolean): NameRef {
  return index ? { name: t.text, start: t.start, end: t.end, index } : { name: t.text, start: t.start, end: t.end };
}

/** Names a line inside a function needs for a names-only read: see `mayMatterInFunction`. */
const IN_FUNCTION_WORDS = new Set(['global', 'nonlocal', 'import', 'globals', 'locals', 'vars', 'builtins', '__builtins__']);

class StatementReader {
  readonly stmts: Stmt[] = [];
  opaque = false;
  private readonly bind: Binding;
  /** Open `def` / `class` blocks by indentation. */
  private readonly blocks: Array<{ kind: 'def' | 'class'; indent: number; id: number; outerFn: number }> = [];
  /** Id of the innermost open `def` block, -1 outside functions (the `fn` of the next statement). */
  private fn = -1;
  /** `fn` of the statement being read. */
  private stmtFn = -1;
  private nextFn = 0;
  /** `def` blocks among `blocks`. */
  private defs = 0;

  /**
   * @param sink when given, receives each statement as it is read instead of
   * `stmts`, in a Stmt object reused for the next statement (a summary that keeps
   * no statements allocates none).
   */
  private readonly toks: Token[];

  /**
   * @param seenUses with a sink: names whose reads no longer matter (a names-only
   * reader keeps the first read of each name); `readsAndWalrus` leaves them out.
   */
  constructor(
    private readonly src: string,
    tokenizer: Tokenizer,
    private readonly sink?: (st: Stmt) => void,
    private readonly seenUses?: ReadonlyMap<string, unknown>,
  ) {
    this.toks = tokenizer.tokens;
    this.bind = tokenizer.binders ? bindings(this.toks) : NO_BINDING;
  }

  private indentOf(offset: number): number {
    const ls = this.src.lastIndexOf('\n', offset - 1) + 1;
    return offset - ls;
  }

  private inSubscript(i: number, floor: number): boolean {
    const toks = this.toks;
    for (let g = toks[i].group; g > floor; g = toks[g].group) if (toks[g].subscript) return true;
    return false;
  }

  /** The names a token range reads. */
  private reads(from: number, to: number, out: NameRef[]): void {
    const toks = this.toks;
    for (let i = from; i < to; i++) {
      const t = toks[i];
      if (t.kind !== 'name' || KEYWORDS.has(t.text)) continue;
      const prev = toks[i - 1];
      if (prev && prev.kind === 'op' && prev.text === '.') continue;
      const next = toks[i + 1];
      if (t.depth > 0 && next && next.kind === 'op' && next.text === '=' && next.depth === t.depth) continue; // keyword argument
      if (!t.fstring && next && next.kind === 'op' && next.text === ':=') continue; // walrus target, bound below
      if (boundLocally(this.bind, toks, i) || this.dropsUse(t.text)) continue;
      out.push(ref(t, this.inSubscript(i, -1)));
    }
  }

  /**
   * A read the sink would not keep: a names-only reader keeps the first read of each
   * name at module level only (`seenUses`: the names read by earlier statements).
   */
  private dropsUse(name: string): boolean {
    return this.seenUses !== undefined && (this.stmtFn >= 0 || this.seenUses.has(name));
  }

  /** `reads` into `st.uses` and `walrus` into `st.defs` over one range, in one pass. */
  private readsAndWalrus(from: number, to: number, st: Stmt): void {
    const toks = this.toks;
    for (let i = from; i < to; i++) {
      const t = toks[i];
      if (t.kind !== 'name') continue;
      const next = toks[i + 1];
      const walrusNext = next !== undefined && next.kind === 'op' && next.text === ':=';
      if (walrusNext && i + 1 < to) st.defs.push(ref(t));
      if (KEYWORDS.has(t.text)) continue;
      const prev = toks[i - 1];
      if (prev && prev.kind === 'op' && prev.text === '.') continue;
      if (t.depth > 0 && next && next.kind === 'op' && next.text === '=' && next.depth === t.depth) continue; // keyword argument
      if (!t.fstring && walrusNext) continue; // walrus target, bound above
      if (this.dropsUse(t.text) || boundLocally(this.bind, toks, i)) continue;
      st.uses.push(ref(t, this.inSubscript(i, -1)));
    }
  }

  /** An assignment target: bare names bind, roots of `a.b` / `a[i]` are mutated (and read), indexes are read. */
  private target(from: number, to: number, st: Stmt, augmented: boolean): void {
    const toks = this.toks;
    const base = toks[from]?.depth ?? 0;
    // Brackets that are part of a tuple/list pattern, not subscripts or calls.
    let pattern: Set<number> | undefined;
    for (let i = from; i < to; i++) {
      const t = toks[i];
      if (t.kind !== 'op' || (t.text !== '(' && t.text !== '[')) continue;
      const p = i > from ? toks[i - 1] : undefined;
      const patternish = !p || (p.kind === 'op' && (p.text === ',' || p.text === '*' || ((p.text === '(' || p.text === '[') && (pattern?.has(i - 1) || i - 1 < from))));
      if (patternish && (t.group < 0 || t.depth === base || pattern?.has(t.group))) (pattern ??= new Set()).add(i);
    }
    for (let i = from; i < to; i++) {
      const t = toks[i];
      if (t.kind !== 'name' || KEYWORDS.has(t.text)) continue;
      const prev = i > from ? toks[i - 1] : undefined;
      if (prev && prev.kind === 'op' && prev.text === '.') continue;
      const atPattern = t.depth === base || (pattern !== undefined && t.group >= 0 && pattern.has(t.group) && this.patternChain(t.group, base, pattern));
      if (!atPattern) {
        if (!this.dropsUse(t.text) && !boundLocally(this.bind, toks, i)) st.uses.push(ref(t, this.inSubscript(i, -1)));
        continue;
      }
      const next = toks[i + 1];
      const head = next && i + 1 < to && next.kind === 'op' && (next.text === '.' || next.text === '[' || next.text === '(');
      if (head || augmented) {
        if (!this.dropsUse(t.text)) st.uses.push(ref(t));
        st.mutates.push(ref(t));
      } else {
        st.defs.push(ref(t));
      }
    }
  }

  private patternChain(group: number, base: number, pattern: Set<number>): boolean {
    for (let g = group; g >= 0 && this.toks[g].depth >= base; g = this.toks[g].group) if (!pattern.has(g)) return false;
    return true;
  }

  private emit(st: Stmt): void {
    if (this.sink) this.sink(st);
    else this.stmts.push(st);
  }

  /** The statement object a sink gets, reused. */
  private scratch?: Stmt;

  private newStmt(kind: StmtKind, from: number, to: number): Stmt {
    const top = this.blocks[this.blocks.length - 1];
    const fn = (this.stmtFn = this.fn);
    const last = this.toks[Math.max(from, to - 1)];
    const st = this.scratch;
    if (st) {
      st.kind = kind;
      st.start = this.toks[from].start;
      st.end = last ? last.end : this.toks[from].end;
      st.fn = fn;
      st.inClass = top?.kind === 'class';
      st.defs.length = 0;
      st.weakDefs.length = 0;
      st.mutates.length = 0;
      st.uses.length = 0;
      st.globals = undefined;
      st.starImport = undefined;
      st.defId = undefined;
      st.params = undefined;
      return st;
    }
    const fresh: Stmt = {
      kind,
      start: this.toks[from].start,
      end: last ? last.end : this.toks[from].end,
      fn,
      inClass: top?.kind === 'class',
      defs: [],
      weakDefs: [],
      mutates: [],
      uses: [],
      // Every field from the start: one object shape for all statements.
      globals: undefined,
      starImport: undefined,
      defId: undefined,
      params: undefined,
    };
    if (this.sink) this.scratch = fresh;
    return fresh;
  }

  /** The first token of a kind and text at a bracket depth in [from, to), or -1. */
  private find(from: number, to: number, kind: TokKind, text: string, depth: number): number {
    const toks = this.toks;
    for (let i = from; i < to; i++) {
      const t = toks[i];
      if (t.depth === depth && t.text === text && t.kind === kind) return i;
    }
    return -1;
  }

  /** The first `)` or `]` at a bracket depth in [from, to), or -1. */
  private findClose(from: number, to: number, depth: number): number {
    for (let i = from; i < to; i++) {
      const t = this.toks[i];
      if (t.depth === depth && t.kind === 'op' && (t.text === ')' || t.text === ']')) return i;
    }
    return -1;
  }

  /** Whether a line can be a `global` statement, bind through a namespace (`globals()[k] = v`) or star-import. */
  private mayMatterInFunction(from: number, to: number): boolean {
    for (let i = from; i < to; i++) {
      const t = this.toks[i];
      if (t.kind === 'name' && IN_FUNCTION_WORDS.has(t.text)) return true;
    }
    return false;
  }

  read(): void {
    const toks = this.toks;
    let i = 0;
    while (i < toks.length) {
      let end = i;
      while (end < toks.length && toks[end].kind !== 'nl') end++;
      if (end > i) this.line(i, end);
      i = end + 1;
    }
  }

  private pushBlock(kind: 'def' | 'class', indent: number, id: number): void {
    this.blocks.push({ kind, indent, id, outerFn: this.fn });
    if (kind === 'def') {
      this.defs++;
      this.fn = id;
    }
  }

  private popBlock(): void {
    const b = this.blocks.pop()!;
    if (b.kind === 'def') this.defs--;
    this.fn = b.outerFn;
  }

  private line(from: number, to: number): void {
    const indent = this.indentOf(this.toks[from].start);
    const blocks = this.blocks;
    while (blocks.length && blocks[blocks.length - 1].indent >= indent) this.popBlock();
    // Inside a function, a names-only reader needs `global` statements, namespace
    // mutations and star imports only: other lines are not read.
    if (this.sink && this.defs > 0 && !this.mayMatterInFunction(from, to)) return;
    let i = from;
    while (i < to) {
      const end = this.statement(i, to, indent);
      i = end + 1;
    }
  }

  /** Reads one statement from `from`; returns the index of the token that ended it. */
  private statement(from: number, to: number, indent: number): number {
    const toks = this.toks;
    let i = from;
    if (toks[i].kind === 'name' && toks[i].text === 'async') i++;
    const first = toks[i];
    if (!first) return to;
    const depth0 = first.depth;
    if (first.kind === 'op' && first.text === '@') {
      const st = this.newStmt('decorator', i, to);
      this.reads(i + 1, to, st.uses);
      this.emit(st);
      return to;
    }
    const word = first.kind === 'name' ? first.text : '';
    const softCompound = (word === 'match' || word === 'case') && toks[to - 1]?.kind === 'op' && toks[to - 1].text === ':' && toks[i + 1]?.kind !== 'op';
    if (COMPOUND.has(word) || softCompound) {
      const colonAt = this.find(i, to, 'op', ':', depth0);
      const c = colonAt < 0 ? to : colonAt;
      const kind: StmtKind = word === 'for' ? 'for' : word === 'with' ? 'with' : word === 'except' ? 'except' : word === 'def' ? 'def' : word === 'class' ? 'class' : word === 'case' ? 'other' : 'if';
      const st = this.newStmt(kind, from, c + 1 > to ? to : c + 1);
      if (word === 'for') {
        const inAt = this.find(i + 1, c, 'name', 'in', depth0);
        this.target(i + 1, inAt < 0 ? c : inAt, st, false);
        if (inAt >= 0) this.reads(inAt + 1, c, st.uses);
      } else if (word === 'with' || word === 'except') {
        for (let k = i + 1; k < c; k++) {
          const t = toks[k];
          if (t.kind === 'name' && t.text === 'as') {
            let e = k + 1;
            if (isOpen(toks[e])) {
              const close = this.findClose(e + 1, c, toks[e].depth);
              e = close < 0 ? c : close + 1;
            } else {
              while (e < c && (toks[e].kind === 'name' || (toks[e].kind === 'op' && toks[e].text === '.'))) e++;
            }
            if (word === 'except') {
              for (let x = k + 1; x < e; x++) if (toks[x].kind === 'name') st.weakDefs.push(ref(toks[x]));
            } else {
              this.target(k + 1, e, st, false);
            }
            k = e - 1;
          } else if (t.kind === 'name' && !KEYWORDS.has(t.text)) {
            this.reads(k, k + 1, st.uses);
          }
        }
      } else if (word === 'def') {
        const name = toks[i + 1];
        if (name?.kind === 'name') st.defs.push(ref(name));
        st.defId = this.nextFn++;
        st.params = [];
        const open = i + 2;
        if (isOpen(toks[open])) {
          let expectName = true;
          for (let k = open + 1; k < c; k++) {
            const t = toks[k];
            if (t.depth !== toks[open].depth + 1) continue;
            if (t.kind === 'op' && t.text === ',') expectName = true;
            else if (expectName && t.kind === 'name') {
              st.params.push(t.text);
              expectName = false;
            } else if (!(t.kind === 'op' && (t.text === '*' || t.text === '**' || t.text === '/'))) expectName = false;
          }
        }
      } else if (word === 'class') {
        const name = toks[i + 1];
        if (name?.kind === 'name') st.defs.push(ref(name));
        this.reads(i + 2, c, st.uses);
      } else if (word === 'case') {
        for (let k = i + 1; k < c; k++) if (toks[k].kind === 'name' && !KEYWORDS.has(toks[k].text) && toks[k - 1]?.text !== '.') st.weakDefs.push(ref(toks[k]));
      } else {
        this.readsAndWalrus(i + 1, c, st);
      }
      this.emit(st);
      if (c + 1 >= to && (word === 'def' || word === 'class')) {
        this.pushBlock(word, indent, word === 'def' ? st.defId! : -1);
      } else if (c + 1 < to && word === 'def') {
        // `def f(): return x` on one line: the rest belongs to the function.
        this.pushBlock('def', indent, st.defId!);
        let k = c + 1;
        while (k < to) k = this.statement(k, to, indent + 1) + 1;
        this.popBlock();
        return to;
      }
      return c;
    }
    // A simple statement runs to `;` at depth 0 or the end of the line.
    let end = this.find(i, to, 'op', ';', depth0);
    if (end < 0) end = to;
    this.simple(i, end, word);
    return end;
  }

  private simple(from: number, to: number, word: string): void {
    const toks = this.toks;
    if (from >= to) return;
    if (word === 'import' || word === 'from') {
      const st = this.newStmt('import', from, to);
      const imp = word === 'import' ? from : this.find(from, to, 'name', 'import', toks[from]?.depth ?? 0);
      if (imp >= 0) {
        let k = imp + 1;
        while (k < to) {
          // One `a.b.c [as d]` item.
          let e = k;
          while (e < to && !(toks[e].kind === 'op' && toks[e].text === ',')) e++;
          const item = toks.slice(k, e).filter((t) => !(t.kind === 'op' && (t.text === '(' || t.text === ')')));
          const as = item.findIndex((t) => t.kind === 'name' && t.text === 'as');
          if (item.some((t) => t.kind === 'op' && t.text === '*')) st.starImport = true;
          else if (as >= 0 && item[as + 1]) st.defs.push(ref(item[as + 1]));
          else if (item[0]?.kind === 'name') st.defs.push(ref(item[0]));
          k = e + 1;
        }
      }
      if (st.starImport) this.opaque = true;
      this.emit(st);
      return;
    }
    if (word === 'global' || word === 'nonlocal') {
      const st = this.newStmt('global', from, to);
      st.globals = toks.slice(from + 1, to).filter((t) => t.kind === 'name').map((t) => t.text);
      this.emit(st);
      return;
    }
    if (word === 'pass' || word === 'break' || word === 'continue') return;
    if (word === 'return' || word === 'del' || word === 'yield' || word === 'raise' || word === 'assert') {
      const st = this.newStmt(word === 'return' ? 'return' : word === 'del' ? 'del' : 'expr', from, to);
      this.readsAndWalrus(from + 1, to, st);
      this.emit(st);
      return;
    }
    const depth0 = toks[from].depth;
    // One pass at the statement's depth: `=` signs, the first augmented operator and the
    // first `:`, up to a `lambda` (its defaults are not targets, its `:` no annotation).
    let eqs: number[] | undefined;
    let aug = -1;
    let colon = -1;
    for (let k = from; k < to; k++) {
      const t = toks[k];
      if (t.depth !== depth0) continue;
      if (t.kind === 'name') {
        if (t.text === 'lambda') break;
        continue;
      }
      if (t.kind !== 'op') continue;
      if (t.text === '=') (eqs ??= []).push(k);
      else if (t.text === ':') {
        if (colon < 0) colon = k;
      } else if (aug < 0 && AUG_OPS.has(t.text)) aug = k;
    }
    if (aug >= 0 && eqs === undefined) {
      const st = this.newStmt('augassign', from, to);
      this.target(from, aug, st, true);
      this.readsAndWalrus(aug + 1, to, st);
      this.emit(st);
      return;
    }
    if (eqs !== undefined) {
      const st = this.newStmt('assign', from, to);
      let segStart = from;
      for (const eq of eqs) {
        const ann = this.find(segStart, eq, 'op', ':', depth0);
        this.target(segStart, ann < 0 ? eq : ann, st, false);
        if (ann >= 0) this.reads(ann + 1, eq, st.uses);
        segStart = eq + 1;
      }
      this.readsAndWalrus(segStart, to, st);
      this.emit(st);
      return;
    }
    // A `:` before any `lambda`: an annotation (`x: int`).
    if (colon >= 0) {
      const st = this.newStmt('annotation', from, to);
      this.reads(colon + 1, to, st.uses);
      this.emit(st);
      return;
    }
    const st = this.newStmt('expr', from, to);
    this.readsAndWalrus(from, to, st);
    this.emit(st);
  }
}

// ---------------------------------------------------------------------------
// Per-unit analysis, cached

const cache = new WeakMap<PythonFacts, UnitFlow>();

const NO_EFFECTS: { opaque: boolean; defs: string[] } = Object.freeze({ opaque: false, defs: Object.freeze([]) as unknown as string[] });

function magicEffects(unit: PythonUnit): { opaque: boolean; defs: string[] } {
  if (unit.magics.length === 0) return NO_EFFECTS;
  let opaque = false;
  const defs: string[] = [];
  for (const m of unit.magics) {
    // Shell escapes (`!pip ...`) neither bind nor hide names.
    if (m.kind === 'shell') continue;
    const words = m.command.split(/\s+/).filter(Boolean);
    if (m.kind === 'cell' && m.name === 'capture') {
      const v = words.find((w) => !w.startsWith('-'));
      if (v && /^[A-Za-z_]\w*$/.test(v)) defs.push(v);
    } else if (m.kind === 'line' && m.name === 'store' && words.includes('-r')) {
      const names = words.slice(words.indexOf('-r') + 1).filter((w) => /^[A-Za-z_]\w*$/.test(w));
      if (names.length) defs.push(...names);
      else opaque = true;
    } else if (m.kind === 'line' && (/^(run|load|loadpy|macro|recall|rerun|aimport)$/.test(m.name) || (m.name === 'sql' && m.command.includes('<<')))) {
      opaque = true;
    }
  }
  return { opaque, defs };
}

/** Tokenizes and reads a text (see StatementReader for `sink` and `seenUses`). */
function readStatements(src: string, sink?: (st: Stmt) => void, seenUses?: ReadonlyMap<string, unknown>): StatementReader {
  const pooled = !tokenPoolLent;
  if (pooled) tokenPoolLent = true;
  try {
    const tz = new Tokenizer(src, pooled);
    tz.run();
    const reader = new StatementReader(src, tz, sink, seenUses);
    reader.read();
    return reader;
  } finally {
    if (pooled) tokenPoolLent = false;
  }
}

/** The unit's text as the statement reader reads it: magics masked, a `%%writefile` line blanked. */
function codeOf(unit: PythonUnit): string {
  let src = unit.text;
  // The body of a `%%writefile` script read as code (training.ts's code view): only its first line is a magic.
  if (/^\s*%%writefile\b/.test(src) && !unit.magics.some((m) => m.kind === 'cell' && m.name === 'writefile')) {
    const nl = src.indexOf('\n');
    src = ' '.repeat(nl < 0 ? src.length : nl) + (nl < 0 ? '' : src.slice(nl));
  }
  return unit.magics.length ? maskRanges(src, unit.magics) : src;
}

function spaces(run: string): string {
  return ' '.repeat(run.length);
}

function blank(s: string): string {
  return s.replace(/[^\r\n]+/g, spaces);
}

/**
 * What `maskMagics(src).masked` is, from the magics it found (`unit.magics`): only
 * their lines are rewritten. A cell magic blanks its lines; a line magic, shell
 * escape or help request blanks its text after the prefix (`x = !ls` keeps
 * `x = None`) and its continuation lines.
 */
export function maskRanges(src: string, magics: readonly Magic[]): string {
  let out = '';
  let pos = 0;
  // Line starts as maskMagics splits lines (on `\n`), found walking forward: magics come in line order.
  let line = 0;
  let lineStart = 0;
  const startOf = (l: number): number => {
    while (line < l) {
      const nl = src.indexOf('\n', lineStart);
      if (nl < 0) return src.length;
      lineStart = nl + 1;
      line++;
    }
    return lineStart;
  };
  const endOf = (start: number): number => {
    const nl = src.indexOf('\n', start);
    return nl < 0 ? src.length : nl;
  };
  for (const m of magics) {
    const first = startOf(m.range.start.line);
    const firstEnd = endOf(first);
    const last = m.range.end.line > m.range.start.line ? endOf(startOf(m.range.end.line)) : firstEnd;
    let masked: string;
    if (m.kind === 'cell') {
      masked = blank(src.slice(first, last));
    } else {
      const text = src.slice(first, firstEnd);
      const prefix = text.slice(0, m.range.start.character);
      const rest = text.slice(m.range.start.character);
      // `x = !ls`: an assignment whose value is a magic (a line magic's prefix is indentation only).
      const assigned = /[^ \t]/.test(prefix);
      masked = prefix + (assigned && rest.length >= 4 ? 'None' + blank(rest.slice(4)) : blank(rest)) + blank(src.slice(firstEnd, last));
    }
    out += src.slice(pos, first) + masked;
    pos = last;
  }
  return out + src.slice(pos);
}

/** `exec(...)`, `globals().update(...)`, `get_ipython().run_cell(...)` in the unit. */
function opaqueCalls(unit: PythonUnit): boolean {
  for (const c of unit.facts.calls) {
    // e(xec|val), g(lobals|et_ipython), l(ocals), v(ars): the only first letters OPAQUE_CALLS takes.
    const h = c.callee.charCodeAt(0);
    if ((h === 101 || h === 103 || h === 108 || h === 118) && OPAQUE_CALLS.test(c.callee)) return true;
  }
  return false;
}

const NAMESPACES = new Set(['globals', 'locals', 'vars', 'builtins', '__builtins__']);

/** `globals()[...] = ...`, `builtins.x = ...`: the statement binds names no statement shows. */
function mutatesNamespace(st: Stmt): boolean {
  for (const m of st.mutates) if (NAMESPACES.has(m.name)) return true;
  return false;
}

/** Statements of one unit (a cell or a module), computed once per distinct text. */
export function unitFlow(unit: PythonUnit): UnitFlow {
  const hit = cache.get(unit.facts);
  if (hit) return hit;
  const masked = codeOf(unit);
  const reader = readStatements(masked);
  const magic = magicEffects(unit);
  const opaque = reader.opaque || magic.opaque || opaqueCalls(unit) || reader.stmts.some(mutatesNamespace);
  const flow: UnitFlow = { stmts: reader.stmts, opaque, magicDefs: magic.defs };
  cache.set(unit.facts, flow);
  return flow;
}

/** The statement of `flow` that contains `offset` (statements are disjoint and sorted). */
export function statementAt(flow: UnitFlow, offset: number): Stmt | undefined {
  const stmts = flow.stmts;
  let lo = 0;
  let hi = stmts.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >> 1;
    if (stmts[mid].start <= offset) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  const st = found >= 0 ? stmts[found] : undefined;
  return st && (offset < st.end || offset === st.start) ? st : undefined;
}

// ---------------------------------------------------------------------------
// Module-level names per cell (for hidden state)

export interface CellNames {
  /** Names bound at module level, with their first binding. */
  defs: Map<string, NameRef>;
  /** Names that may be bound (class attributes, `global` in functions, `except ... as`, magics). */
  maybe: Set<string>;
  /** Names read at module level (class bodies included, function bodies excluded), first read. */
  uses: Map<string, NameRef>;
  opaque: boolean;
}

function addNames(out: CellNames, st: Stmt): void {
  if (st.fn >= 0) {
    if (st.globals) for (const g of st.globals) out.maybe.add(g);
    return;
  }
  for (const u of st.uses) if (!out.uses.has(u.name)) out.uses.set(u.name, u);
  for (const w of st.weakDefs) out.maybe.add(w.name);
  for (const d of st.defs) {
    if (st.inClass) out.maybe.add(d.name);
    else if (!out.defs.has(d.name)) out.defs.set(d.name, d);
  }
}

/**
 * The module-level names of a unit, computed once per distinct text. Read
 * statement by statement without keeping the statements (most units never need
 * them), unless `unitFlow` already has them.
 */
const namesMemo = unitMemo((unit): CellNames => {
  let out: CellNames;
  const flow = cache.get(unit.facts);
  if (flow) {
    out = { defs: new Map(), maybe: new Set(flow.magicDefs), uses: new Map(), opaque: flow.opaque };
    for (const st of flow.stmts) addNames(out, st);
  } else {
    const magic = magicEffects(unit);
    const names: CellNames = (out = { defs: new Map(), maybe: new Set(magic.defs), uses: new Map(), opaque: false });
    let mutated = false;
    const masked = codeOf(unit);
    const reader = readStatements(
      masked,
      (st) => {
        if (!mutated && mutatesNamespace(st)) mutated = true;
        addNames(names, st);
      },
      names.uses,
    );
    out.opaque = reader.opaque || magic.opaque || opaqueCalls(unit) || mutated;
  }
  return out;
});

/** The module-level names of a unit (cached per distinct text). */
export function cellNames(unit: PythonUnit): CellNames {
  return namesMemo(unit);
}

/** The module-level names of every unit of a program, in order. */
export function cellNamesOf(program: PythonProgram): readonly CellNames[] {
  return namesMemo.all(program);
}

// ---------------------------------------------------------------------------
// The file behind a serializer call (for unsafe-deserialization, unregistered-model)


const OPEN_CALL = /^(open|io\.open|gzip\.open|bz2\.open|lzma\.open|builtins\.open|(\w+\.)*fs\.open|\w+\.open)$/;

/**
 * The argument naming the file a serializer reads or writes: the path itself, or the
 * path of the `open(...)` whose handle is passed (inline, `f = open(p)`, `with open(p) as f`).
 */
export function fileArgument(rc: ResolvedCall, arg: ArgFact | undefined): ArgFact | undefined {
  if (!arg) return undefined;
  const calls = rc.unit.facts.calls;
  const firstArg = (c: (typeof calls)[number]): ArgFact | undefined => c.args.find((a) => a.name === 'file' || a.name === 'path') ?? c.args.find((a) => a.name === undefined);
  if (arg.kind === 'call') {
    const inner = calls.find((c) => c.span.start === arg.valueSpan.start && c.span.end === arg.valueSpan.end);
    if (inner && (OPEN_CALL.test(inner.callee) || /^Path\(\)\.open$|\.open$/.test(inner.callee))) {
      if (/^Path\(\)\.open$/.test(inner.callee)) {
        const ctor = calls.find((c) => c.callee === 'Path' && c.span.start === inner.span.start);
        return ctor ? firstArg(ctor) : undefined;
      }
      return firstArg(inner);
    }
    return arg;
  }
  if (arg.kind !== 'identifier') return arg;
  // The handle: `with open(p) as f` or `f = open(p)`, the last one before the call.
  let best: ArgFact | undefined;
  for (const c of calls) {
    if (c.span.start >= rc.call.span.start || !OPEN_CALL.test(c.callee)) continue;
    const after = rc.unit.text.slice(c.span.end, c.span.end + 80);
    const asName = /^\s*as\s+([A-Za-z_]\w*)/.exec(after)?.[1];
    const assigned = c.assignedTo?.length === 1 ? c.assignedTo[0] : undefined;
    if (asName === arg.text || assigned === arg.text) best = firstArg(c) ?? best;
  }
  return best ?? arg;
}
