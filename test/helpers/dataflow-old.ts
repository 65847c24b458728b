// A frozen copy of the names reader of src/core/rules/lib/dataflow.ts as it was
// before the names-only read was made cheaper (tokenizer, statement reader,
// `cellNames`): the equivalence tests compare the current reader with it.
// Not used by the product. Do not "fix" it: it is the reference.
/* eslint-disable */
import type { Magic } from '../../src/core/parse/magics';
import type { PythonProgram, PythonUnit, ResolvedCall } from '../../src/core/parse/program';
import type { ArgFact, PythonFacts } from '../../src/core/parse/python';
import { doubled } from '../../src/core/text';
import { unitMemo } from '../../src/core/rules/lib/value-resolver';

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
//
// One reused set of typed arrays, no object per token: a token is an index. Its
// text is not kept: a name's is sliced from the source when a statement needs it
// (most names never are: attributes, keyword arguments, function bodies in a
// names-only read), keywords and the few other words the reader tests are told
// apart by a small id found without slicing, and operators by their kind.

const NAME = 1;
const STR = 2;
const NUM = 3;
const NL = 4;
/** Operators: OP and every kind after it. */
const OP = 8;
const DOT = 9;
const COMMA = 10;
const COLON = 11;
const SEMI = 12;
const EQ = 13;
const WALRUS = 14;
const STAR = 15;
const DSTAR = 16;
const SLASH = 17;
const AT = 18;
/** The augmented assignments: `+=` `-=` `*=` `/=` `%=` `&=` `|=` `^=` `@=` `**=` `//=` `>>=` `<<=`. */
const AUG = 19;
const LPAR = 20;
const LSQB = 21;
const LBRACE = 22;
const RPAR = 23;
const RSQB = 24;
const RBRACE = 25;

/** Token flags. */
const F_FSTRING = 1;
const F_SUBSCRIPT = 2;

/**
 * Words the reader tests, by id (a name token's `word`, 0 for any other name):
 * Python's keywords first (ids 1 to LAST_KEYWORD), then soft keywords and the
 * namespace names a names-only read looks for inside functions.
 */
const WORDS = [
  '', 'False', 'None', 'True', 'and', 'as', 'assert', 'async', 'await', 'break', 'class', 'continue', 'def', 'del', 'elif', 'else', 'except',
  'finally', 'for', 'from', 'global', 'if', 'import', 'in', 'is', 'lambda', 'nonlocal', 'not', 'or', 'pass', 'raise', 'return', 'try',
  'while', 'with', 'yield',
  // not keywords
  'match', 'case', 'globals', 'locals', 'vars', 'builtins', '__builtins__',
] as const;
const W = (w: (typeof WORDS)[number]): number => WORDS.indexOf(w);
const LAST_KEYWORD = W('yield');
const W_AS = W('as');
const W_ASYNC = W('async');
const W_BREAK = W('break');
const W_CLASS = W('class');
const W_CONTINUE = W('continue');
const W_DEF = W('def');
const W_DEL = W('del');
const W_EXCEPT = W('except');
const W_FOR = W('for');
const W_FROM = W('from');
const W_GLOBAL = W('global');
const W_IMPORT = W('import');
const W_IN = W('in');
const W_LAMBDA = W('lambda');
const W_NONLOCAL = W('nonlocal');
const W_PASS = W('pass');
const W_RETURN = W('return');
const W_WITH = W('with');
const W_YIELD = W('yield');
const W_RAISE = W('raise');
const W_ASSERT = W('assert');
const W_MATCH = W('match');
const W_CASE = W('case');
/** `globals` to `__builtins__`: names through which code binds names no statement shows. */
const FIRST_NAMESPACE = W('globals');
/** `if elif else for while with try except finally def class`: a block opener. */
const COMPOUND_WORD = new Uint8Array(WORDS.length);
for (const w of ['if', 'elif', 'else', 'for', 'while', 'with', 'try', 'except', 'finally', 'def', 'class'] as const) COMPOUND_WORD[W(w)] = 1;
/** Names a line inside a function needs for a names-only read: see `mayMatterInFunction`. */
const IN_FUNCTION_WORD = new Uint8Array(WORDS.length);
for (const w of ['global', 'nonlocal', 'import', 'globals', 'locals', 'vars', 'builtins', '__builtins__'] as const) IN_FUNCTION_WORD[W(w)] = 1;
/** Ids of the words by their first character (ASCII). */
const WORDS_BY_FIRST: number[][] = Array.from({ length: 128 }, () => []);
for (let id = 1; id < WORDS.length; id++) WORDS_BY_FIRST[WORDS[id].charCodeAt(0)].push(id);

function isKeyword(word: number): boolean {
  return word !== 0 && word <= LAST_KEYWORD;
}

/** Per first character (ASCII): bit `len` set when some word of that length starts with it. */
const WORD_LENGTHS = new Uint16Array(128);
for (let id = 1; id < WORDS.length; id++) WORD_LENGTHS[WORDS[id].charCodeAt(0)] |= 1 << WORDS[id].length;

/** The id of the name `s[i, i + len)` among WORDS, 0 for another name. */
function wordId(s: string, i: number, len: number): number {
  const c = s.charCodeAt(i);
  if (len > 12 || c > 127 || (WORD_LENGTHS[c] & (1 << len)) === 0) return 0;
  const ids = WORDS_BY_FIRST[c];
  for (let x = 0; x < ids.length; x++) {
    const w = WORDS[ids[x]];
    if (w.length !== len) continue;
    let k = 1;
    while (k < len && s.charCodeAt(i + k) === w.charCodeAt(k)) k++;
    if (k === len) return ids[x];
  }
  return 0;
}

const NAME_RE = /[\p{L}_][\p{L}\p{N}_]*/uy;

/** End of the (Unicode) identifier at `i`, or `i` when none starts there. */
function nameEnd(s: string, i: number): number {
  NAME_RE.lastIndex = i;
  return NAME_RE.test(s) ? NAME_RE.lastIndex : i;
}

// Character classes (ASCII) for the tokenizer's dispatch: what a token starting with the character is.
// 0: an operator (or a character no token starts with).
const C_SPACE = 1;
const C_HASH = 2;
const C_NEWLINE = 3;
const C_QUOTE = 4;
const C_BACKSLASH = 5;
const C_OPEN = 6;
const C_CLOSE = 7;
const C_DOT = 8;
/** Name characters from here: digits, then the characters a name may start with. */
const C_DIGIT = 9;
const C_NAME = 10;
const C_NON_ASCII = 11;
const CHAR_CLASS = new Uint8Array(128);
for (let c = 0; c < 128; c++) {
  if (c === 32 || c === 9 || c === 13 || c === 12) CHAR_CLASS[c] = C_SPACE;
  else if (c === 35) CHAR_CLASS[c] = C_HASH;
  else if (c === 10) CHAR_CLASS[c] = C_NEWLINE;
  else if (c === 34 || c === 39) CHAR_CLASS[c] = C_QUOTE;
  else if (c === 92) CHAR_CLASS[c] = C_BACKSLASH;
  else if (c === 40 || c === 91 || c === 123) CHAR_CLASS[c] = C_OPEN;
  else if (c === 41 || c === 93 || c === 125) CHAR_CLASS[c] = C_CLOSE;
  else if (c === 46) CHAR_CLASS[c] = C_DOT;
  else if (c >= 48 && c <= 57) CHAR_CLASS[c] = C_DIGIT;
  else if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95) CHAR_CLASS[c] = C_NAME;
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

function isDigitOrUnderscore(c: number): boolean {
  return (c >= 48 && c <= 57) || c === 95;
}

function isHexOrUnderscore(c: number): boolean {
  return (c >= 48 && c <= 57) || (c >= 97 && c <= 102) || (c >= 65 && c <= 70) || c === 95;
}

/**
 * End of the number at `i` (a digit, or `.` then a digit), as the sticky regex
 * `0[xXoObB][\da-fA-F_]+|(?:\d[\d_]*\.?[\d_]*|\.\d[\d_]*)(?:[eE][+-]?\d[\d_]*)?[jJlL]?` matches it.
 */
function numberEnd(s: string, i: number, n: number): number {
  const c = s.charCodeAt(i);
  if (c === 48 && i + 2 < n) {
    const x = s.charCodeAt(i + 1);
    if ((x === 120 || x === 88 || x === 111 || x === 79 || x === 98 || x === 66) && isHexOrUnderscore(s.charCodeAt(i + 2))) {
      let j = i + 3;
      while (j < n && isHexOrUnderscore(s.charCodeAt(j))) j++;
      return j;
    }
  }
  let j: number;
  if (c === 46) {
    j = i + 2;
    while (j < n && isDigitOrUnderscore(s.charCodeAt(j))) j++;
  } else {
    j = i + 1;
    while (j < n && isDigitOrUnderscore(s.charCodeAt(j))) j++;
    if (j < n && s.charCodeAt(j) === 46) j++;
    while (j < n && isDigitOrUnderscore(s.charCodeAt(j))) j++;
  }
  if (j < n) {
    const e = s.charCodeAt(j);
    if (e === 101 || e === 69) {
      let k = j + 1;
      if (k < n) {
        const sign = s.charCodeAt(k);
        if (sign === 43 || sign === 45) k++;
      }
      if (k < n && isDigit(s.charCodeAt(k))) {
        k++;
        while (k < n && isDigitOrUnderscore(s.charCodeAt(k))) k++;
        j = k;
      }
    }
  }
  if (j < n) {
    const e = s.charCodeAt(j);
    if (e === 106 || e === 74 || e === 108 || e === 76) j++;
  }
  return j;
}

/** `[rRbBuUfFtT]`, `[rR][bBfFtT]` or `[bBfFtT][rR]`: the name `s[i, i + len)` (len 1 or 2) is a string prefix. */
function isStringPrefix(s: string, i: number, len: number): boolean {
  const a = s.charCodeAt(i);
  const r = (c: number): boolean => c === 114 || c === 82;
  const bft = (c: number): boolean => c === 98 || c === 66 || c === 102 || c === 70 || c === 116 || c === 84;
  if (len === 1) return r(a) || bft(a) || a === 117 || a === 85;
  const b = s.charCodeAt(i + 1);
  return (r(a) && bft(b)) || (bft(a) && r(b));
}

/** `f F t T` in a string prefix `s[i, i + len)`: its `{expressions}` are code. */
function hasFormatPrefix(s: string, i: number, len: number): boolean {
  for (let k = i; k < i + len; k++) {
    const c = s.charCodeAt(k);
    if (c === 102 || c === 70 || c === 116 || c === 84) return true;
  }
  return false;
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

/** The kind of the operator of `len` characters starting with `c`, `c1` (brackets aside). */
function opKind(c: number, c1: number, len: number): number {
  if (len === 1) {
    switch (c) {
      case 46:
        return DOT;
      case 44:
        return COMMA;
      case 58:
        return COLON;
      case 59:
        return SEMI;
      case 61:
        return EQ;
      case 42:
        return STAR;
      case 47:
        return SLASH;
      case 64:
        return AT;
      default:
        return OP;
    }
  }
  if (len === 3) return c === 46 ? OP : AUG; // `...`, or `**=` `//=` `>>=` `<<=`
  if (c === 58) return WALRUS;
  if (c === 42 && c1 === 42) return DSTAR;
  // `X=`: augmented but for `==` `!=` `<=` `>=`.
  if (c1 === 61 && (c === 43 || c === 45 || c === 42 || c === 47 || c === 37 || c === 38 || c === 124 || c === 94 || c === 64)) return AUG;
  return OP;
}

/** The tokens of one text: parallel arrays indexed by token, grown by doubling. */
class Tokens {
  kind: Uint8Array;
  /** Names: the id of the word among WORDS, 0 for another name. */
  word: Uint8Array;
  flags: Uint8Array;
  start: Int32Array;
  end: Int32Array;
  /** Bracket depth the token sits at (an opening bracket sits at the outer depth). */
  depth: Int32Array;
  /** Index of the innermost open bracket token, -1 outside brackets (for a bracket: its parent group). */
  group: Int32Array;
  length = 0;
  /** Indexes of the tokens that may bind a name locally (a `for` inside brackets, a comprehension, or `lambda`), ascending. */
  binders: Int32Array = new Int32Array(64);
  binderCount = 0;
  /** Indexes of the line-break tokens, ascending. */
  lineEnds: Int32Array = new Int32Array(256);
  lineCount = 0;
  /** Indentation of each logical line (of its first token): the first line's, then the one after each line break. */
  indents: Int32Array = new Int32Array(257);
  /** Some `;` token: statements may share a line. */
  semicolons = false;

  constructor(capacity: number) {
    this.kind = new Uint8Array(capacity);
    this.word = new Uint8Array(capacity);
    this.flags = new Uint8Array(capacity);
    this.start = new Int32Array(capacity);
    this.end = new Int32Array(capacity);
    this.depth = new Int32Array(capacity);
    this.group = new Int32Array(capacity);
  }

  reset(): void {
    this.length = 0;
    this.binderCount = 0;
    this.lineCount = 0;
    this.semicolons = false;
  }

  addBinder(k: number): void {
    if (this.binderCount === this.binders.length) this.binders = doubled(this.binders);
    this.binders[this.binderCount++] = k;
  }

  addLineEnd(k: number): void {
    if (this.lineCount === this.lineEnds.length) {
      this.lineEnds = doubled(this.lineEnds);
      this.indents = doubled(this.indents);
    }
    this.lineEnds[this.lineCount++] = k;
  }

  grow(): void {
    this.kind = doubled(this.kind);
    this.word = doubled(this.word);
    this.flags = doubled(this.flags);
    this.start = doubled(this.start);
    this.end = doubled(this.end);
    this.depth = doubled(this.depth);
    this.group = doubled(this.group);
  }
}


/** The tokens the next tokenization reuses (`readStatements` lends them to one read at a time). */
const sharedTokens = new Tokens(4096);
let sharedTokensLent = false;

class Tokenizer {
  private depth = 0;
  /** The innermost open bracket: the top of the bracket stack, whose entries link down through `group`. */
  private top = -1;
  /** Offset after the last `\n` met between tokens: the start of the physical line of the next token. */
  private lineStart = 0;

  constructor(
    private readonly src: string,
    private readonly t: Tokens,
  ) {
    t.reset();
  }

  private push(kind: number, word: number, start: number, end: number, flags: number): void {
    const t = this.t;
    const k = t.length;
    if (k === t.kind.length) t.grow();
    // The first token of a logical line: its indentation.
    if (k === 0 || t.kind[k - 1] === NL) t.indents[t.lineCount] = start - this.lineStart;
    t.kind[k] = kind;
    t.word[k] = word;
    t.flags[k] = flags;
    t.start[k] = start;
    t.end[k] = end;
    t.depth[k] = this.depth;
    t.group[k] = this.top;
    t.length = k + 1;
  }

  run(): void {
    this.scan(0, this.src.length, false);
  }

  // Reads past the end of the text are guarded (`i + 1 < n`): an out-of-bounds read
  // sends V8's optimized code back to the interpreter.
  private scan(from: number, to: number, fstring: boolean): void {
    const s = this.src;
    const n = s.length;
    const t = this.t;
    // An f-string expression cut by the end of the text may ask for more than there is.
    if (to > n) to = n;
    let i = from;
    while (i < to) {
      const c = s.charCodeAt(i);
      switch (c < 128 ? CHAR_CLASS[c] : C_NON_ASCII) {
        case C_SPACE:
          i++;
          continue;
        case C_HASH: {
          const nl = s.indexOf('\n', i);
          i = nl < 0 || nl > to ? to : nl;
          continue;
        }
        case C_NEWLINE:
          if (this.depth === 0 && !fstring && t.length > 0 && t.kind[t.length - 1] !== NL) {
            t.addLineEnd(t.length);
            this.push(NL, 0, i, i + 1, 0);
          }
          i++;
          this.lineStart = i;
          continue;
        case C_QUOTE:
          i = this.string(i, i, false);
          continue;
        case C_DIGIT: {
          const end = numberEnd(s, i, n);
          this.push(NUM, 0, i, end, 0);
          i = end;
          continue;
        }
        case C_NAME: {
          let end = i + 1;
          while (end < n) {
            const d = s.charCodeAt(end);
            if (d > 127 || CHAR_CLASS[d] < C_DIGIT) break;
            end++;
          }
          // A non-ASCII identifier: let the regex take it whole.
          if (end < n && s.charCodeAt(end) > 127) end = nameEnd(s, i);
          i = this.name(i, end, fstring);
          continue;
        }
        case C_NON_ASCII: {
          const end = nameEnd(s, i);
          if (end > i) {
            i = this.name(i, end, fstring);
            continue;
          }
          break;
        }
        case C_OPEN: {
          // `[` right after a name, `)`, `]` or a string opens a subscript.
          let flags = 0;
          const p = t.length - 1;
          if (c === 91 && p >= 0) {
            const pk = t.kind[p];
            if ((pk === NAME && !isKeyword(t.word[p])) || pk === RPAR || pk === RSQB || pk === STR) flags = F_SUBSCRIPT;
          }
          this.push(c === 40 ? LPAR : c === 91 ? LSQB : LBRACE, 0, i, i + 1, flags);
          this.top = t.length - 1;
          this.depth++;
          i++;
          continue;
        }
        case C_CLOSE:
          if (this.depth > 0) {
            this.depth--;
            if (this.top >= 0) this.top = t.group[this.top];
          }
          this.push(c === 41 ? RPAR : c === 93 ? RSQB : RBRACE, 0, i, i + 1, 0);
          i++;
          continue;
        case C_DOT:
          if (i + 1 < n && isDigit(s.charCodeAt(i + 1))) {
            const end = numberEnd(s, i, n);
            this.push(NUM, 0, i, end, 0);
            i = end;
            continue;
          }
          break;
        case C_BACKSLASH:
          if (i + 1 < n) {
            const c1 = s.charCodeAt(i + 1);
            if (c1 === 10 /* \n */) {
              i += 2;
              this.lineStart = i;
              continue;
            }
            if (c1 === 13 /* \r */ && i + 2 < n && s.charCodeAt(i + 2) === 10) {
              i += 3;
              this.lineStart = i;
              continue;
            }
          }
          break;
      }
      // An operator (or a character no token starts with: one of its own).
      const c1 = i + 1 < n ? s.charCodeAt(i + 1) : 0;
      const len = opLength(c, c1, i + 2 < n ? s.charCodeAt(i + 2) : 0);
      const kind = opKind(c, c1, len);
      if (kind === SEMI) t.semicolons = true;
      this.push(kind, 0, i, i + len, 0);
      i += len;
    }
  }

  /** The name `[start, end)`, or the string it prefixes; returns the offset after it. */
  private name(start: number, end: number, fstring: boolean): number {
    const s = this.src;
    const len = end - start;
    if (len <= 2 && end < s.length) {
      const q = s.charCodeAt(end);
      if ((q === 34 || q === 39) && isStringPrefix(s, start, len)) return this.string(start, end, hasFormatPrefix(s, start, len));
    }
    const word = wordId(s, start, len);
    if ((word === W_FOR && this.depth > 0) || word === W_LAMBDA) this.t.addBinder(this.t.length);
    this.push(NAME, word, start, end, fstring ? F_FSTRING : 0);
    return end;
  }

  /** A string literal starting at `start` (prefix included), quotes at `q`; returns the offset after it. */
  private string(start: number, q: number, format: boolean): number {
    const s = this.src;
    const n = s.length;
    const qc = s.charCodeAt(q);
    const quote = qc === 34 ? '"' : "'";
    const triple = q + 2 < n && s.charCodeAt(q + 1) === qc && s.charCodeAt(q + 2) === qc;
    const open = q + (triple ? 3 : 1);
    let end = n;
    let contentEnd = n;
    // The first quote, backslash (escaping the next character) or, for a one-line
    // string, line break from `j` on: found with indexOf, not character by character.
    let j = open;
    let backslash = -1;
    let newline = triple ? n : -1;
    while (j < n) {
      let qpos = s.indexOf(quote, j);
      if (qpos < 0) qpos = n;
      if (backslash < j) {
        backslash = s.indexOf('\\', j);
        if (backslash < 0) backslash = n;
      }
      if (newline < j) {
        newline = s.indexOf('\n', j);
        if (newline < 0) newline = n;
      }
      if (backslash < qpos && backslash < newline) {
        j = backslash + 2;
        continue;
      }
      if (newline < qpos) {
        contentEnd = newline;
        end = newline;
        break;
      }
      if (qpos >= n) break;
      if (!triple || (qpos + 2 < n && s.charCodeAt(qpos + 1) === qc && s.charCodeAt(qpos + 2) === qc)) {
        contentEnd = qpos;
        end = qpos + (triple ? 3 : 1);
        break;
      }
      j = qpos + 1;
    }
    this.push(STR, 0, start, end, 0);
    if (format) this.fstringExpressions(open, contentEnd);
    return end;
  }

  /** Reads the `{expression}` parts of an f-string's contents as code. */
  private fstringExpressions(from: number, to: number): void {
    const s = this.src;
    const n = s.length;
    let i = from;
    while (i < to) {
      const b = s.indexOf('{', i);
      if (b < 0 || b >= to) return;
      if (b + 1 < n && s.charCodeAt(b + 1) === 123 /* { */) {
        i = b + 2;
        continue;
      }
      // The expression ends at the matching `}`, or earlier at a top-level `!r` / `:spec` / `=`.
      let depth = 0;
      let k = b + 1;
      let exprEnd = -1;
      for (; k < to; k++) {
        const ch = s.charCodeAt(k);
        if (ch === 34 || ch === 39) {
          const close = s.indexOf(ch === 34 ? '"' : "'", k + 1);
          k = close < 0 || close >= to ? to : close;
          continue;
        }
        if (ch === 40 || ch === 91 || ch === 123) depth++;
        else if (ch === 41 || ch === 93) depth--;
        else if (ch === 125) {
          if (depth === 0) break;
          depth--;
        } else if (depth === 0 && exprEnd < 0) {
          const next = k + 1 < n ? s.charCodeAt(k + 1) : 0;
          if (ch === 33 /* ! */ && next !== 61) exprEnd = k;
          else if (ch === 58 /* : */) exprEnd = k;
          else if (ch === 61 /* = */ && next !== 61) {
            const prev = s.charCodeAt(k - 1);
            if (prev !== 61 && prev !== 33 && prev !== 60 && prev !== 62) exprEnd = k;
          }
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

const OPAQUE_CALLS = /^(exec|execfile|eval)$|^(globals|locals|vars)\(\)\.update$|^get_ipython\(\)\.(run_line_magic|magic|run_cell|run_cell_magic)$/;

/** Names a comprehension or lambda binds in one line. */
interface LineBindings {
  /** Comprehension variables per bracket group. */
  comp: Map<number, Set<string>>;
  /** Lambda parameters: names, from token index, to token index (the body). */
  lambdas: Array<{ names: Set<string>; from: number; to: number }>;
  /** Token indexes that bind (comprehension targets, lambda parameters). */
  tokens: Set<number>;
}

/** The `=` signs of the simple statement being read (statements are read one at a time). */
let EQS: Int32Array = new Int32Array(16);

const enum Block {
  Def,
  Class,
}

/**
 * Reads statements from the tokens: into `stmts` (the full read), or, given a
 * `CellNames`, straight into the module-level names (the names-only read keeps
 * no statements, skips the function-body lines that cannot bind a module-level
 * name and the reads of names already read).
 */
class StatementReader {
  readonly stmts: Stmt[] = [];
  /** A star import. */
  opaque = false;
  /** Names-only read: some statement assigns through a namespace (`globals()[k] = v`). */
  mutated = false;
  private readonly kind: Uint8Array;
  private readonly word: Uint8Array;
  private readonly flags: Uint8Array;
  private readonly start: Int32Array;
  private readonly end: Int32Array;
  private readonly depth: Int32Array;
  private readonly group: Int32Array;
  private readonly length: number;
  /** Open `def` / `class` blocks by indentation. */
  private readonly blocks: Array<{ kind: Block; indent: number; id: number; outerFn: number }> = [];
  /** Id of the innermost open `def` block, -1 outside functions (the `fn` of the next statement). */
  private fn = -1;
  /** `fn` and `inClass` of the statement being read. */
  private stmtFn = -1;
  private stmtInClass = false;
  /** The statement being read (full read). */
  private cur: Stmt | undefined;
  private nextFn = 0;
  /** `def` blocks among `blocks`. */
  private defs = 0;
  /** The next of `binders` to look at (lines are read in order). */
  private nextBinder = 0;
  // Names bound locally in the line being read (comprehension variables, lambda parameters); `hasBindings` false: none.
  private hasBindings = false;
  /** Created for the first line that has some. */
  private lineBindings: LineBindings | undefined;

  constructor(
    private readonly src: string,
    private readonly toks: Tokens,
    /** The names-only read's output. */
    private readonly names?: CellNames,
  ) {
    this.kind = toks.kind;
    this.word = toks.word;
    this.flags = toks.flags;
    this.start = toks.start;
    this.end = toks.end;
    this.depth = toks.depth;
    this.group = toks.group;
    this.length = toks.length;
  }

  private text(k: number): string {
    return this.src.slice(this.start[k], this.end[k]);
  }

  /** A token's text, whatever its kind: a string's is its first three characters (prefix and quotes). */
  private anyText(k: number): string {
    const kind = this.kind[k];
    if (kind === NL) return '\n';
    if (kind === STR) return this.src.slice(this.start[k], Math.min(this.end[k], this.start[k] + 3));
    return this.text(k);
  }

  private ref(k: number, name: string, index: boolean): NameRef {
    return index ? { name, start: this.start[k], end: this.end[k], index } : { name, start: this.start[k], end: this.end[k] };
  }

  private isOpen(k: number): boolean {
    if (k >= this.length) return false;
    const kind = this.kind[k];
    return kind === LPAR || kind === LSQB || kind === LBRACE;
  }

  // -- what a statement binds and reads

  private beginStmt(kind: StmtKind, from: number, to: number): void {
    const top = this.blocks.length ? this.blocks[this.blocks.length - 1] : undefined;
    this.stmtFn = this.fn;
    this.stmtInClass = top !== undefined && top.kind === Block.Class;
    if (this.names) return;
    const last = Math.max(from, to - 1);
    this.cur = {
      kind,
      start: this.start[from],
      end: last < this.length ? this.end[last] : this.end[from],
      fn: this.fn,
      inClass: this.stmtInClass,
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
  }

  private endStmt(): void {
    if (this.cur) {
      this.stmts.push(this.cur);
      this.cur = undefined;
    }
  }

  /** A name the statement binds (any token: an import's `as` may be followed by anything). */
  private bind(k: number): void {
    const names = this.names;
    if (!names) {
      this.cur!.defs.push(this.ref(k, this.anyText(k), false));
      return;
    }
    if (this.stmtFn >= 0) return;
    const name = this.anyText(k);
    if (this.stmtInClass) names.maybe.add(name);
    else if (!names.defs.has(name)) names.defs.set(name, this.ref(k, name, false));
  }

  /** A name the statement may bind (`except E as e`, `case` captures). */
  private weakBind(k: number): void {
    const names = this.names;
    if (!names) this.cur!.weakDefs.push(this.ref(k, this.text(k), false));
    else if (this.stmtFn < 0) names.maybe.add(this.text(k));
  }

  /** The root of a mutated target (a name). */
  private mutate(k: number): void {
    if (!this.names) this.cur!.mutates.push(this.ref(k, this.text(k), false));
    else if (this.word[k] >= FIRST_NAMESPACE) this.mutated = true;
  }

  /**
   * A name the statement reads (`local`: unless a comprehension or lambda binds it;
   * `index`: noting whether it sits in a subscript). A names-only read keeps the
   * first read of each name at module level only.
   */
  private use(k: number, local: boolean, index: boolean): void {
    const names = this.names;
    if (names && this.stmtFn >= 0) return;
    if (local && this.hasBindings && this.boundLocally(k)) return;
    const name = this.text(k);
    if (!names) this.cur!.uses.push(this.ref(k, name, index && this.inSubscript(k)));
    else if (!names.uses.has(name)) names.uses.set(name, this.ref(k, name, index && this.inSubscript(k)));
  }

  private inSubscript(k: number): boolean {
    const group = this.group;
    for (let g = group[k]; g >= 0; g = group[g]) if (this.flags[g] & F_SUBSCRIPT) return true;
    return false;
  }

  /** Comprehension variables and lambda parameters of the line [from, to): it has a binder token. */
  private bindingsOf(from: number, to: number): void {
    const { kind, word, depth, group } = this;
    const b: LineBindings = (this.lineBindings ??= { comp: new Map(), lambdas: [], tokens: new Set() });
    const comp = b.comp;
    comp.clear();
    b.lambdas.length = 0;
    b.tokens.clear();
    for (let i = from; i < to; i++) {
      if (kind[i] !== NAME) continue;
      const w = word[i];
      if (w === W_FOR && depth[i] > 0) {
        const g = group[i];
        let set = comp.get(g);
        if (!set) comp.set(g, (set = new Set<string>()));
        for (let k = i + 1; k < to; k++) {
          if (depth[k] < depth[i] || (kind[k] === NAME && word[k] === W_IN && group[k] === g)) break;
          if (kind[k] === NAME && !isKeyword(word[k])) {
            set.add(this.text(k));
            b.tokens.add(k);
          }
        }
      } else if (w === W_LAMBDA) {
        const names = new Set<string>();
        const d = depth[i];
        let k = i + 1;
        let inDefault = false;
        for (; k < to; k++) {
          if (depth[k] < d) break;
          const kk = kind[k];
          if (depth[k] === d && kk === COLON) break;
          if (depth[k] === d && kk === COMMA) inDefault = false;
          else if (depth[k] === d && kk === EQ) inDefault = true;
          else if (!inDefault && kk === NAME && !isKeyword(word[k])) {
            names.add(this.text(k));
            b.tokens.add(k);
          }
        }
        // The body runs to the end of the enclosing bracket group or statement.
        let end = k;
        while (end < to && depth[end] >= d) end++;
        b.lambdas.push({ names, from: k, to: end });
      }
    }
    this.hasBindings = comp.size !== 0 || b.lambdas.length !== 0;
  }

  private boundLocally(i: number): boolean {
    const b = this.lineBindings!;
    if (b.tokens.has(i)) return true;
    const name = this.text(i);
    if (b.comp.size) for (let g = this.group[i]; g >= 0; g = this.group[g]) if (b.comp.get(g)?.has(name)) return true;
    for (const l of b.lambdas) if (i > l.from && i < l.to && l.names.has(name)) return true;
    return false;
  }

  /** The names a token range reads. */
  private reads(from: number, to: number): void {
    const { kind, word, depth, flags } = this;
    for (let i = from; i < to; i++) {
      if (kind[i] !== NAME || isKeyword(word[i])) continue;
      if (i > 0 && kind[i - 1] === DOT) continue;
      const next = i + 1 < this.length ? kind[i + 1] : 0;
      if (depth[i] > 0 && next === EQ && depth[i + 1] === depth[i]) continue; // keyword argument
      if (!(flags[i] & F_FSTRING) && next === WALRUS) continue; // walrus target, bound below
      this.use(i, true, true);
    }
  }

  /** `reads` and the walrus targets (bound) over one range, in one pass. */
  private readsAndWalrus(from: number, to: number): void {
    const { kind, word, depth, flags } = this;
    for (let i = from; i < to; i++) {
      if (kind[i] !== NAME) continue;
      const next = i + 1 < this.length ? kind[i + 1] : 0;
      const walrusNext = next === WALRUS;
      if (walrusNext && i + 1 < to) this.bind(i);
      if (isKeyword(word[i])) continue;
      if (i > 0 && kind[i - 1] === DOT) continue;
      if (depth[i] > 0 && next === EQ && depth[i + 1] === depth[i]) continue; // keyword argument
      if (!(flags[i] & F_FSTRING) && walrusNext) continue; // walrus target, bound above
      this.use(i, true, true);
    }
  }

  /** An assignment target: bare names bind, roots of `a.b` / `a[i]` are mutated (and read), indexes are read. */
  private target(from: number, to: number, augmented: boolean): void {
    const { kind, word, depth, group } = this;
    const base = from < this.length ? depth[from] : 0;
    // Brackets that are part of a tuple/list pattern, not subscripts or calls.
    let pattern: Set<number> | undefined;
    for (let i = from; i < to; i++) {
      if (kind[i] !== LPAR && kind[i] !== LSQB) continue;
      const p = i > from ? kind[i - 1] : 0;
      const patternish = i === from || p === COMMA || p === STAR || ((p === LPAR || p === LSQB) && (pattern?.has(i - 1) || i - 1 < from));
      if (patternish && (group[i] < 0 || depth[i] === base || pattern?.has(group[i]))) (pattern ??= new Set()).add(i);
    }
    for (let i = from; i < to; i++) {
      if (kind[i] !== NAME || isKeyword(word[i])) continue;
      if (i > from && kind[i - 1] === DOT) continue;
      const atPattern = depth[i] === base || (pattern !== undefined && group[i] >= 0 && pattern.has(group[i]) && this.patternChain(group[i], base, pattern));
      if (!atPattern) {
        this.use(i, true, true);
        continue;
      }
      const next = i + 1 < to ? kind[i + 1] : 0;
      if (next === DOT || next === LSQB || next === LPAR || augmented) {
        this.use(i, false, false);
        this.mutate(i);
      } else {
        this.bind(i);
      }
    }
  }

  private patternChain(group: number, base: number, pattern: Set<number>): boolean {
    for (let g = group; g >= 0 && this.depth[g] >= base; g = this.group[g]) if (!pattern.has(g)) return false;
    return true;
  }

  /** The first token of a kind at a bracket depth in [from, to), or -1. */
  private find(from: number, to: number, kind: number, depth: number): number {
    for (let i = from; i < to; i++) if (this.kind[i] === kind && this.depth[i] === depth) return i;
    return -1;
  }

  /** The first name `word` at a bracket depth in [from, to), or -1. */
  private findWord(from: number, to: number, word: number, depth: number): number {
    for (let i = from; i < to; i++) if (this.word[i] === word && this.kind[i] === NAME && this.depth[i] === depth) return i;
    return -1;
  }

  /** The first `)` or `]` at a bracket depth in [from, to), or -1. */
  private findClose(from: number, to: number, depth: number): number {
    for (let i = from; i < to; i++) if ((this.kind[i] === RPAR || this.kind[i] === RSQB) && this.depth[i] === depth) return i;
    return -1;
  }

  /** Whether a line can be a `global` statement, bind through a namespace (`globals()[k] = v`) or star-import. */
  private mayMatterInFunction(from: number, to: number): boolean {
    for (let i = from; i < to; i++) if (IN_FUNCTION_WORD[this.word[i]] === 1 && this.kind[i] === NAME) return true;
    return false;
  }

  read(): void {
    const { lineEnds, lineCount, indents } = this.toks;
    let i = 0;
    for (let l = 0; l < lineCount; l++) {
      const end = lineEnds[l];
      if (end > i) this.line(i, end, indents[l]);
      i = end + 1;
    }
    if (this.length > i) this.line(i, this.length, indents[lineCount]);
  }

  private pushBlock(kind: Block, indent: number, id: number): void {
    this.blocks.push({ kind, indent, id, outerFn: this.fn });
    if (kind === Block.Def) {
      this.defs++;
      this.fn = id;
    }
  }

  private popBlock(): void {
    const b = this.blocks.pop()!;
    if (b.kind === Block.Def) this.defs--;
    this.fn = b.outerFn;
  }

  /** Reads the logical line of tokens [from, to), indented by `indent` (its first token's column). */
  private line(from: number, to: number, indent: number): void {
    const blocks = this.blocks;
    while (blocks.length && blocks[blocks.length - 1].indent >= indent) this.popBlock();
    // Inside a function, a names-only reader needs `global` statements, namespace
    // mutations and star imports only: other lines are not read.
    if (this.names && this.defs > 0 && !this.mayMatterInFunction(from, to)) return;
    // Comprehension and lambda bindings stay within their line: a lambda's body ends
    // at the line break, and a comprehension's bracket is closed before it (a line
    // breaks at depth 0 only, and while a bracket is open the depth counts it: the
    // depth drops without closing a bracket only when none is open).
    const { binders, binderCount } = this.toks;
    while (this.nextBinder < binderCount && binders[this.nextBinder] < from) this.nextBinder++;
    if (this.nextBinder < binderCount && binders[this.nextBinder] < to) this.bindingsOf(from, to);
    else this.hasBindings = false;
    let i = from;
    while (i < to) {
      const end = this.statement(i, to, indent);
      i = end + 1;
    }
  }

  /** Reads one statement from `from`; returns the index of the token that ended it. */
  private statement(from: number, to: number, indent: number): number {
    const { kind, word } = this;
    let i = from;
    if (kind[i] === NAME && word[i] === W_ASYNC) i++;
    if (i >= this.length) return to;
    const depth0 = this.depth[i];
    if (kind[i] === AT) {
      this.beginStmt('decorator', i, to);
      this.reads(i + 1, to);
      this.endStmt();
      return to;
    }
    const w = kind[i] === NAME ? word[i] : 0;
    const softCompound = (w === W_MATCH || w === W_CASE) && kind[to - 1] === COLON && !(i + 1 < this.length && kind[i + 1] >= OP);
    if (COMPOUND_WORD[w] === 1 || softCompound) {
      const colonAt = this.find(i, to, COLON, depth0);
      const c = colonAt < 0 ? to : colonAt;
      const stmtKind: StmtKind = w === W_FOR ? 'for' : w === W_WITH ? 'with' : w === W_EXCEPT ? 'except' : w === W_DEF ? 'def' : w === W_CLASS ? 'class' : w === W_CASE ? 'other' : 'if';
      this.beginStmt(stmtKind, from, c + 1 > to ? to : c + 1);
      let defId = -1;
      if (w === W_FOR) {
        const inAt = this.findWord(i + 1, c, W_IN, depth0);
        this.target(i + 1, inAt < 0 ? c : inAt, false);
        if (inAt >= 0) this.reads(inAt + 1, c);
      } else if (w === W_WITH || w === W_EXCEPT) {
        for (let k = i + 1; k < c; k++) {
          if (kind[k] === NAME && word[k] === W_AS) {
            let e = k + 1;
            if (this.isOpen(e)) {
              const close = this.findClose(e + 1, c, this.depth[e]);
              e = close < 0 ? c : close + 1;
            } else {
              while (e < c && (kind[e] === NAME || kind[e] === DOT)) e++;
            }
            if (w === W_EXCEPT) {
              for (let x = k + 1; x < e; x++) if (kind[x] === NAME) this.weakBind(x);
            } else {
              this.target(k + 1, e, false);
            }
            k = e - 1;
          } else if (kind[k] === NAME && !isKeyword(word[k])) {
            this.reads(k, k + 1);
          }
        }
      } else if (w === W_DEF) {
        if (i + 1 < this.length && kind[i + 1] === NAME) this.bind(i + 1);
        defId = this.nextFn++;
        const params: string[] | undefined = this.names ? undefined : [];
        if (this.cur) {
          this.cur.defId = defId;
          this.cur.params = params;
        }
        const open = i + 2;
        if (params && this.isOpen(open)) {
          const inner = this.depth[open] + 1;
          let expectName = true;
          for (let k = open + 1; k < c; k++) {
            if (this.depth[k] !== inner) continue;
            const kk = kind[k];
            if (kk === COMMA) expectName = true;
            else if (expectName && kk === NAME) {
              params.push(this.text(k));
              expectName = false;
            } else if (kk !== STAR && kk !== DSTAR && kk !== SLASH) expectName = false;
          }
        }
      } else if (w === W_CLASS) {
        if (i + 1 < this.length && kind[i + 1] === NAME) this.bind(i + 1);
        this.reads(i + 2, c);
      } else if (w === W_CASE) {
        for (let k = i + 1; k < c; k++) if (kind[k] === NAME && !isKeyword(word[k]) && kind[k - 1] !== DOT) this.weakBind(k);
      } else {
        this.readsAndWalrus(i + 1, c);
      }
      this.endStmt();
      if (c + 1 >= to && (w === W_DEF || w === W_CLASS)) {
        this.pushBlock(w === W_DEF ? Block.Def : Block.Class, indent, defId);
      } else if (c + 1 < to && w === W_DEF) {
        // `def f(): return x` on one line: the rest belongs to the function.
        this.pushBlock(Block.Def, indent, defId);
        let k = c + 1;
        while (k < to) k = this.statement(k, to, indent + 1) + 1;
        this.popBlock();
        return to;
      }
      return c;
    }
    // A simple statement runs to `;` at depth 0 or the end of the line.
    let end = this.toks.semicolons ? this.find(i, to, SEMI, depth0) : -1;
    if (end < 0) end = to;
    this.simple(i, end, w);
    return end;
  }

  private simple(from: number, to: number, w: number): void {
    const { kind, depth } = this;
    if (from >= to) return;
    if (w === W_IMPORT || w === W_FROM) {
      this.beginStmt('import', from, to);
      const imp = w === W_IMPORT ? from : this.findWord(from, to, W_IMPORT, depth[from]);
      let star = false;
      if (imp >= 0) {
        let k = imp + 1;
        while (k < to) {
          // One `a.b.c [as d]` item (brackets aside): binds its `as` name, else its first name.
          let e = k;
          while (e < to && kind[e] !== COMMA) e++;
          let first = -1;
          let afterAs = -1;
          let seenAs = false;
          let itemStar = false;
          for (let x = k; x < e; x++) {
            const kx = kind[x];
            if (kx === LPAR || kx === RPAR) continue;
            if (first < 0) first = x;
            if (seenAs && afterAs < 0) afterAs = x;
            if (kx === NAME && this.word[x] === W_AS) seenAs = true;
            else if (kx === STAR) itemStar = true;
          }
          if (itemStar) star = true;
          else if (afterAs >= 0) this.bind(afterAs);
          else if (first >= 0 && kind[first] === NAME) this.bind(first);
          k = e + 1;
        }
      }
      if (star) {
        this.opaque = true;
        if (this.cur) this.cur.starImport = true;
      }
      this.endStmt();
      return;
    }
    if (w === W_GLOBAL || w === W_NONLOCAL) {
      this.beginStmt('global', from, to);
      // Only a function's `global` statements matter to the names-only read.
      if (this.cur) {
        const globals: string[] = (this.cur.globals = []);
        for (let k = from + 1; k < to; k++) if (kind[k] === NAME) globals.push(this.text(k));
      } else if (this.names && this.stmtFn >= 0) {
        // The names-only read keeps a function's `global` names (as names it may bind).
        for (let k = from + 1; k < to; k++) if (kind[k] === NAME) this.names.maybe.add(this.text(k));
      }
      this.endStmt();
      return;
    }
    if (w === W_PASS || w === W_BREAK || w === W_CONTINUE) return;
    if (w === W_RETURN || w === W_DEL || w === W_YIELD || w === W_RAISE || w === W_ASSERT) {
      this.beginStmt(w === W_RETURN ? 'return' : w === W_DEL ? 'del' : 'expr', from, to);
      this.readsAndWalrus(from + 1, to);
      this.endStmt();
      return;
    }
    const depth0 = depth[from];
    // One pass at the statement's depth: `=` signs, the first augmented operator and the
    // first `:`, up to a `lambda` (its defaults are not targets, its `:` no annotation).
    let eqs = EQS;
    let eqCount = 0;
    let aug = -1;
    let colon = -1;
    for (let k = from; k < to; k++) {
      if (depth[k] !== depth0) continue;
      const kk = kind[k];
      if (kk === NAME) {
        if (this.word[k] === W_LAMBDA) break;
      } else if (kk === EQ) {
        if (eqCount === eqs.length) EQS = eqs = doubled(eqs);
        eqs[eqCount++] = k;
      }
      else if (kk === COLON) {
        if (colon < 0) colon = k;
      } else if (kk === AUG && aug < 0) aug = k;
    }
    if (aug >= 0 && eqCount === 0) {
      this.beginStmt('augassign', from, to);
      this.target(from, aug, true);
      this.readsAndWalrus(aug + 1, to);
      this.endStmt();
      return;
    }
    if (eqCount > 0) {
      this.beginStmt('assign', from, to);
      let segStart = from;
      for (let x = 0; x < eqCount; x++) {
        const eq = eqs[x];
        const ann = this.find(segStart, eq, COLON, depth0);
        this.target(segStart, ann < 0 ? eq : ann, false);
        if (ann >= 0) this.reads(ann + 1, eq);
        segStart = eq + 1;
      }
      this.readsAndWalrus(segStart, to);
      this.endStmt();
      return;
    }
    // A `:` before any `lambda`: an annotation (`x: int`).
    if (colon >= 0) {
      this.beginStmt('annotation', from, to);
      this.reads(colon + 1, to);
      this.endStmt();
      return;
    }
    this.beginStmt('expr', from, to);
    this.readsAndWalrus(from, to);
    this.endStmt();
  }
}

// ---------------------------------------------------------------------------
// Per-unit analysis, cached

const cache = new WeakMap<PythonFacts, UnitFlow>();

const NO_EFFECTS: { opaque: boolean; defs: string[] } = Object.freeze({ opaque: false, defs: Object.freeze([]) as unknown as string[] });

function words(m: Magic): string[] {
  return m.command.split(/\s+/).filter(Boolean);
}

function magicEffects(unit: PythonUnit): { opaque: boolean; defs: string[] } {
  if (unit.magics.length === 0) return NO_EFFECTS;
  let opaque = false;
  const defs: string[] = [];
  for (const m of unit.magics) {
    // Shell escapes (`!pip ...`) neither bind nor hide names.
    if (m.kind === 'shell') continue;
    if (m.kind === 'cell' && m.name === 'capture') {
      const v = words(m).find((w) => !w.startsWith('-'));
      if (v && /^[A-Za-z_]\w*$/.test(v)) defs.push(v);
    } else if (m.kind === 'line' && m.name === 'store') {
      const ws = words(m);
      if (ws.includes('-r')) {
        const names = ws.slice(ws.indexOf('-r') + 1).filter((w) => /^[A-Za-z_]\w*$/.test(w));
        if (names.length) defs.push(...names);
        else opaque = true;
      }
    } else if (m.kind === 'line' && (/^(run|load|loadpy|macro|recall|rerun|aimport)$/.test(m.name) || (m.name === 'sql' && m.command.includes('<<')))) {
      opaque = true;
    }
  }
  return { opaque, defs };
}

/** Tokenizes and reads a text: its statements, or with `names` its module-level names only. */
function readStatements(src: string, names?: CellNames): StatementReader {
  const shared = !sharedTokensLent;
  if (shared) sharedTokensLent = true;
  try {
    const toks = shared ? sharedTokens : new Tokens(256);
    new Tokenizer(src, toks).run();
    const reader = new StatementReader(src, toks, names);
    reader.read();
    return reader;
  } finally {
    if (shared) sharedTokensLent = false;
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

/** `s` with every character but line breaks (`\r`, `\n`) made a space. */
function blank(s: string): string {
  let out = '';
  let run = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c === 10 || c === 13) {
      out += (i > run ? ' '.repeat(i - run) : '') + (c === 10 ? '\n' : '\r');
      run = i + 1;
    }
  }
  return run === 0 ? ' '.repeat(s.length) : s.length > run ? out + ' '.repeat(s.length - run) : out;
}

/** Offset of the `\n` ending the line that starts at `start`, or the text's length. */
function lineEndAt(src: string, start: number): number {
  const nl = src.indexOf('\n', start);
  return nl < 0 ? src.length : nl;
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
  for (const m of magics) {
    const { start, end } = m.range;
    for (; line < start.line; line++) {
      const nl = src.indexOf('\n', lineStart);
      if (nl < 0) break;
      lineStart = nl + 1;
    }
    const first = line < start.line ? src.length : lineStart;
    const firstEnd = lineEndAt(src, first);
    let last = firstEnd;
    if (end.line > start.line) {
      for (; line < end.line; line++) {
        const nl = src.indexOf('\n', lineStart);
        if (nl < 0) break;
        lineStart = nl + 1;
      }
      last = lineEndAt(src, line < end.line ? src.length : lineStart);
    }
    let masked: string;
    if (m.kind === 'cell') {
      masked = blank(src.slice(first, last));
    } else {
      const cut = first + start.character;
      // `x = !ls`: an assignment whose value is a magic (a line magic's prefix is indentation only).
      let assigned = false;
      for (let k = first; k < cut && k < firstEnd; k++) {
        const c = src.charCodeAt(k);
        if (c !== 32 && c !== 9) {
          assigned = true;
          break;
        }
      }
      const restStart = Math.min(cut, firstEnd);
      masked =
        src.slice(first, restStart) +
        (assigned && firstEnd - restStart >= 4 ? 'None' + blank(src.slice(restStart + 4, firstEnd)) : blank(src.slice(restStart, firstEnd))) +
        (last > firstEnd ? blank(src.slice(firstEnd, last)) : '');
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
    out = { defs: new Map(), maybe: new Set(magic.defs), uses: new Map(), opaque: false };
    const reader = readStatements(codeOf(unit), out);
    out.opaque = reader.opaque || magic.opaque || opaqueCalls(unit) || reader.mutated;
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

