import { doubled, isAsciiNameChar, isAsciiNameStart } from '../text';
import type { ArgFact, CallNode, Captured, ImportNode, StringNode } from './python';

// Facts read from the text of a cell without syntax errors: one that tree-sitter
// parsed without errors, or one python-grammar.ts proves free of them from this
// scan's tokens (then tree-sitter is not called at all). The facts are only used
// for such cells; for the others the scan's result is dropped.
//
// Reading the facts off the tree (one query walk, then a JS object per captured
// node and a wasm call per property) cost about 0.6 of the parse itself. For a
// tree without errors the text is valid Python, so one scan of its characters
// can find the same things: the tokens, the logical lines and their indentation,
// bracket pairs, strings (with the nested expressions of f-strings). From those
// come calls, their arguments (with the node type tree-sitter-python gives each
// value), assignments, imports, function definitions and loops, with the same
// spans as the tree's nodes.
//
// The scan declines (returns undefined) on any shape whose tree it does not
// mirror with certainty: tabs in indentation, non-ASCII outside strings and
// comments, `match`/`case`/`type` statements, Python 2 `print`, nested quotes an
// f-string could read either way, raw strings whose string_end token the
// tree-sitter scanner extends, an expression whose top node type is not known
// here, and so on. The caller then reads the tree. A test compares both readings
// on every corpus cell and thousands of library files.

export const NAME = 1;
export const NUM = 2;
export const STR = 3;
export const OPEN = 4;
export const CLOSE = 5;
export const OP = 6;

/** Python's hard keywords: never a callee or a plain value (but for the constants, see CONSTANTS). */
const HARD = new Set([
  'False', 'None', 'True', 'and', 'as', 'assert', 'async', 'await', 'break', 'class', 'continue', 'def', 'del', 'elif', 'else', 'except',
  'finally', 'for', 'from', 'global', 'if', 'import', 'in', 'is', 'lambda', 'nonlocal', 'not', 'or', 'pass', 'raise', 'return', 'try',
  'while', 'with', 'yield',
]);
/** Names tree-sitter-python may read as keywords (statements of their own): no plain identifier value is claimed for them. */
const SOFT = new Set(['print', 'exec', 'match', 'case', 'type']);
const CONSTANTS = new Set(['True', 'False', 'None']);
const COMPOUND = new Set(['if', 'elif', 'else', 'for', 'while', 'try', 'except', 'finally', 'with', 'def', 'class', 'async']);
/** Words after which a `-`, `+` or `~` is unary. */
const OPERATOR_WORDS = new Set(['and', 'or', 'not', 'in', 'is', 'if', 'else', 'lambda', 'await', 'yield', 'return', 'for', 'from', 'assert', 'del', 'raise']);
const COMPARISON = new Set(['<', '>', '==', '>=', '<=', '!=', '<>']);
const BINARY = new Set(['|', '^', '&', '<<', '>>', '/', '//', '%', '@', '+', '-', '*']);

export function isStringPrefix(c: number): boolean {
  // f F t T r R b B u U, as tree-sitter-python's scanner reads them.
  return c === 102 || c === 70 || c === 116 || c === 84 || c === 114 || c === 82 || c === 98 || c === 66 || c === 117 || c === 85;
}

// A single target (`df`, `self.model`) has nothing to unpack or strip.
const NEEDS_SPLIT = /[,([*]/;

export function splitTargets(text: string): string[] {
  // `(a, b) = ...` and `[a, b] = ...` unpack; `os.environ["X"] = ...` keeps its bracket.
  const t = text.trim();
  if (!NEEDS_SPLIT.test(t)) return t.length > 0 ? [t] : [];
  const inner = (t.startsWith('(') && t.endsWith(')')) || (t.startsWith('[') && t.endsWith(']')) ? t.slice(1, -1) : t;
  return inner
    .split(',')
    .map((s) => s.trim().replace(/^\*/, ''))
    .filter((s) => s.length > 0);
}

class Decline extends Error {}
const DECLINE = new Decline();

function decline(): never {
  throw DECLINE;
}

export interface Line {
  indent: number;
  /** First and past-last token; -1 for a comment-only line. */
  first: number;
  last: number;
  /** End of the line's last token or trailing comment. */
  end: number;
}

/** The tokens of the cell, or of one f-string interpolation. */
export class Tokens {
  kind: Uint8Array;
  start: Int32Array;
  end: Int32Array;
  /** Bracket depth outside the token (a bracket's own depth is the outside one). */
  depth: Int32Array;
  /** Brackets: the partner's index. Strings: index in the string list. */
  link: Int32Array;
  /** 1 when the token starts a logical line. */
  lineStart: Uint8Array;
  /** Names and operators: their text. */
  readonly text: string[] = [];
  length = 0;

  constructor(capacity: number) {
    this.kind = new Uint8Array(capacity);
    this.start = new Int32Array(capacity);
    this.end = new Int32Array(capacity);
    this.depth = new Int32Array(capacity);
    this.link = new Int32Array(capacity);
    this.lineStart = new Uint8Array(capacity);
  }

  /** Empties the buffers for another text (the main stream is reused from one cell to the next). */
  reset(): void {
    this.length = 0;
    this.text.length = 0;
  }

  push(kind: number, start: number, end: number, text: string, depth: number, link: number, lineStart: number): number {
    const k = this.length;
    if (k === this.kind.length) this.grow();
    this.kind[k] = kind;
    this.start[k] = start;
    this.end[k] = end;
    this.text[k] = text;
    this.depth[k] = depth;
    this.link[k] = link;
    this.lineStart[k] = lineStart;
    this.length = k + 1;
    return k;
  }

  private grow(): void {
    this.kind = doubled(this.kind);
    this.start = doubled(this.start);
    this.end = doubled(this.end);
    this.depth = doubled(this.depth);
    this.link = doubled(this.link);
    this.lineStart = doubled(this.lineStart);
  }

  isOp(k: number, op: string): boolean {
    return this.kind[k] === OP && this.text[k] === op;
  }

  isName(k: number, name: string): boolean {
    return this.kind[k] === NAME && this.text[k] === name;
  }
}

/** The main token stream, reused by every scan (scans do not nest). */
const mainTokens = new Tokens(4096);
/** Token streams of f-string interpolations, reused the same way: the n-th interpolation of a scan takes the n-th. */
const interpolationPool: Tokens[] = [];

class Scanner {
  readonly main = mainTokens;
  /** The interpolations met so far: the first `interpolationCount` of `interpolationPool`. */
  interpolationCount = 0;
  readonly lines: Line[] = [];
  readonly strings: StringNode[] = [];
  /** Offsets of comments (named nodes between the parts of a concatenated string). */
  readonly extras: number[] = [];
  private i = 0;

  constructor(readonly src: string) {
    mainTokens.reset();
  }

  /** Tokens and logical lines of the whole text. */
  scanModule(): void {
    const src = this.src;
    const n = src.length;
    const t = this.main;
    let depth = 0;
    const stack: number[] = [];
    let line: Line | undefined;
    let lineStart = 0;
    while (this.i < n) {
      if (!line) {
        // The start of a physical line outside brackets: indentation, then a blank line, a comment line or a logical line.
        let j = this.i;
        while (src.charCodeAt(j) === 32) j++;
        const c = src.charCodeAt(j);
        if (c === 9 || c === 12) decline();
        if (j >= n) break;
        if (c === 10 || c === 13) {
          this.i = j + 1;
          continue;
        }
        if (c === 35) {
          const e = this.lineEnd(j);
          this.extras.push(j);
          this.lines.push({ indent: j - this.i, first: -1, last: -1, end: e });
          this.i = e;
          continue;
        }
        if (c === 92) decline();
        line = { indent: j - this.i, first: t.length, last: -1, end: j };
        lineStart = 1;
        this.i = j;
        continue;
      }
      const c = src.charCodeAt(this.i);
      if (c === 32 || c === 9 || c === 12) {
        this.i++;
        continue;
      }
      if (c === 10 || c === 13) {
        this.i += c === 13 && src.charCodeAt(this.i + 1) === 10 ? 2 : 1;
        if (depth > 0) continue;
        line.last = t.length;
        if (line.last > line.first) this.lines.push(line);
        line = undefined;
        continue;
      }
      if (c === 35) {
        const e = this.lineEnd(this.i);
        this.extras.push(this.i);
        line.end = e;
        this.i = e;
        continue;
      }
      if (c === 92) {
        // A line continuation inside brackets is a node of its own (an argument, a part of a concatenation).
        if (depth > 0) decline();
        const d = src.charCodeAt(this.i + 1);
        if (d === 10) this.i += 2;
        else if (d === 13) this.i += src.charCodeAt(this.i + 2) === 10 ? 3 : 2;
        else decline();
        continue;
      }
      const k = this.token(t, depth, lineStart);
      lineStart = 0;
      line.end = t.end[k];
      depth = pairBrackets(t, k, stack, depth);
    }
    if (depth !== 0) decline();
    if (line) {
      line.last = t.length;
      if (line.last > line.first) this.lines.push(line);
    }
  }

  private lineEnd(from: number): number {
    const src = this.src;
    let e = from;
    while (e < src.length) {
      const c = src.charCodeAt(e);
      if (c === 10 || c === 13) break;
      e++;
    }
    return e;
  }

  /** One token at `this.i` into `t`; returns its index. */
  private token(t: Tokens, depth: number, lineStart: number): number {
    const src = this.src;
    const s = this.i;
    const c = src.charCodeAt(s);
    if (isAsciiNameStart(c)) {
      let j = s + 1;
      while (isAsciiNameChar(src.charCodeAt(j))) j++;
      const q = src.charCodeAt(j);
      if ((q === 34 || q === 39) && j - s <= 2 && isStringPrefix(c) && (j - s === 1 || isStringPrefix(src.charCodeAt(s + 1)))) {
        return this.string(t, s, j, depth, lineStart);
      }
      if (q > 127) decline();
      this.i = j;
      return t.push(NAME, s, j, src.slice(s, j), depth, -1, lineStart);
    }
    if (c === 34 || c === 39) return this.string(t, s, s, depth, lineStart);
    if ((c >= 48 && c <= 57) || (c === 46 && isDigit(src.charCodeAt(s + 1)))) {
      let j = s + 1;
      for (;;) {
        const d = src.charCodeAt(j);
        if (isAsciiNameChar(d) || d === 46) j++;
        else if ((d === 43 || d === 45) && (src.charCodeAt(j - 1) | 32) === 101 && !/^0[xX]/.test(src.slice(s, j))) j++;
        else break;
      }
      this.i = j;
      return t.push(NUM, s, j, src.slice(s, j), depth, -1, lineStart);
    }
    if (c === 40 || c === 91 || c === 123) {
      this.i = s + 1;
      return t.push(OPEN, s, s + 1, c === 40 ? '(' : c === 91 ? '[' : '{', depth, -1, lineStart);
    }
    if (c === 41 || c === 93 || c === 125) {
      this.i = s + 1;
      return t.push(CLOSE, s, s + 1, c === 41 ? ')' : c === 93 ? ']' : '}', depth - 1, -1, lineStart);
    }
    const op = operatorAt(src, s);
    if (op === undefined) decline();
    this.i = s + op.length;
    return t.push(OP, s, this.i, op, depth, -1, lineStart);
  }

  /** A string literal whose prefix starts at `s` and quote is at `q`. */
  private string(t: Tokens, s: number, q: number, depth: number, lineStart: number): number {
    const src = this.src;
    let fString = false;
    let raw = false;
    for (let k = s; k < q; k++) {
      const c = src.charCodeAt(k) | 32;
      if (c === 102 || c === 116) fString = true;
      else if (c === 114) raw = true;
    }
    const qc = src.charCodeAt(q);
    const triple = src.charCodeAt(q + 1) === qc && src.charCodeAt(q + 2) === qc;
    const ql = triple ? 3 : 1;
    const node: StringNode = { start: s, end: -1, concatenated: false, value: '', fString, ok: true, named: 0 };
    const index = this.strings.length;
    this.strings.push(node);
    let j = q + ql;
    let backslash = false;
    for (;;) {
      if (j >= src.length) decline();
      const ch = src.charCodeAt(j);
      if (ch === 92) {
        backslash = true;
        if (fString) {
          const d = src.charCodeAt(j + 1);
          // `\{x}` is a backslash and an interpolation; `\N{...}` names a character.
          if (d === 78 && src.charCodeAt(j + 2) === 123) decline();
          if (d === 123 || d === 125) {
            j++;
            continue;
          }
        }
        j += 2;
        continue;
      }
      if (ch === qc) {
        if (!triple) break;
        if (src.charCodeAt(j + 1) === qc && src.charCodeAt(j + 2) === qc) break;
      } else if ((ch === 10 || ch === 13) && !triple) decline();
      else if (fString && (ch === 123 || ch === 125)) {
        if (src.charCodeAt(j + 1) === ch) {
          j += 2;
          continue;
        }
        if (ch === 125) decline();
        j = this.interpolation(j, qc, triple);
        continue;
      }
      j++;
    }
    const contentEnd = j;
    const end = j + ql;
    node.end = end;
    if (backslash && raw) {
      // tree-sitter-python's scanner folds leading backslash sequences of a raw string into string_end when nothing else follows.
      if (fString || triple) decline();
      node.value = onlyBackslashSequences(src, q + ql, contentEnd, qc) ? '' : src.slice(q + ql, contentEnd);
    } else node.value = src.slice(q + ql, contentEnd);
    this.i = end;
    return t.push(STR, s, end, '', depth, index, lineStart);
  }

  /** An f-string interpolation whose `{` is at `open`; returns the offset after its `}`. */
  private interpolation(open: number, quote: number, triple: boolean): number {
    const src = this.src;
    let t = interpolationPool[this.interpolationCount];
    if (t === undefined) interpolationPool.push((t = new Tokens(16)));
    else t.reset();
    this.interpolationCount++;
    const stack: number[] = [];
    let depth = 0;
    this.i = open + 1;
    // The expression: up to `}`, `!`, `:` or a closing `=` at depth 0.
    for (;;) {
      if (this.i >= src.length) decline();
      const c = src.charCodeAt(this.i);
      if (c === 32 || c === 10 || c === 13) {
        if (!triple && c !== 32) decline();
        this.i++;
        continue;
      }
      if (c === 35 || c === 92 || c === 9 || c === 12) decline();
      if (depth === 0 && (c === 125 || (c === 33 && src.charCodeAt(this.i + 1) !== 61) || (c === 58 && src.charCodeAt(this.i + 1) !== 61))) break;
      if (depth === 0 && c === 61 && src.charCodeAt(this.i + 1) !== 61 && t.length > 0 && !(t.kind[t.length - 1] === OP && /^[=!<>]$/.test(t.text[t.length - 1]))) {
        // `{x=}`: the text of the expression is echoed.
        let j = this.i + 1;
        while (src.charCodeAt(j) === 32) j++;
        const d = src.charCodeAt(j);
        if (d !== 125 && d !== 33 && d !== 58) decline();
        this.i = j;
        break;
      }
      if (c === quote || ((c === 34 || c === 39) && triple)) decline();
      const k = this.token(t, depth, 0);
      depth = pairBrackets(t, k, stack, depth);
      if (t.kind[k] === NAME && (t.text[k] === 'lambda' || t.text[k] === 'yield')) decline();
    }
    if (t.length === 0) decline();
    let c = src.charCodeAt(this.i);
    if (c === 33) {
      // !r !s !a
      let j = this.i + 1;
      while (isAsciiNameChar(src.charCodeAt(j))) j++;
      if (j === this.i + 1) decline();
      this.i = j;
      c = src.charCodeAt(this.i);
    }
    if (c === 58) {
      // The format spec, which may hold nested interpolations.
      let j = this.i + 1;
      for (;;) {
        if (j >= src.length) decline();
        const d = src.charCodeAt(j);
        if (d === 125) break;
        if (d === quote || d === 92 || d === 10 || d === 13) decline();
        if (d === 123) {
          if (src.charCodeAt(j + 1) === 123) decline();
          j = this.interpolation(j, quote, triple);
          continue;
        }
        j++;
      }
      this.i = j;
      c = src.charCodeAt(this.i);
    }
    if (c !== 125) decline();
    return this.i + 1;
  }
}

function isDigit(c: number): boolean {
  return c >= 48 && c <= 57;
}

/** After token k of `t`: pairs a closing bracket with its opener (both `link`s); returns the depth after k. */
function pairBrackets(t: Tokens, k: number, stack: number[], depth: number): number {
  const kind = t.kind[k];
  if (kind === OPEN) {
    stack.push(k);
    return depth + 1;
  }
  if (kind !== CLOSE) return depth;
  const o = stack.pop();
  if (o === undefined || !matches(t.text[o], t.text[k])) decline();
  t.link[o] = k;
  t.link[k] = o;
  return depth - 1;
}

function matches(open: string, close: string): boolean {
  return (open === '(' && close === ')') || (open === '[' && close === ']') || (open === '{' && close === '}');
}

/** The content of a raw string at [from, to) is backslash sequences only (as tree-sitter-python's scanner steps over them). */
function onlyBackslashSequences(src: string, from: number, to: number, quote: number): boolean {
  let k = from;
  while (k < to) {
    if (src.charCodeAt(k) !== 92) return false;
    k++;
    const c = src.charCodeAt(k);
    if (c === quote || c === 92) k++;
    const d = src.charCodeAt(k);
    if (d === 13) {
      k++;
      if (src.charCodeAt(k) === 10) k++;
    } else if (d === 10) k++;
  }
  return true;
}

function operatorAt(src: string, s: number): string | undefined {
  const c = src.charCodeAt(s);
  const d = src.charCodeAt(s + 1);
  const e = src.charCodeAt(s + 2);
  // Constant strings: no string is built per operator.
  switch (c) {
    case 46: // .
      return d === 46 && e === 46 ? '...' : '.';
    case 42: // *
      return d === 42 ? (e === 61 ? '**=' : '**') : d === 61 ? '*=' : '*';
    case 47: // /
      return d === 47 ? (e === 61 ? '//=' : '//') : d === 61 ? '/=' : '/';
    case 60: // <
      return d === 60 ? (e === 61 ? '<<=' : '<<') : d === 62 ? '<>' : d === 61 ? '<=' : '<';
    case 62: // >
      return d === 62 ? (e === 61 ? '>>=' : '>>') : d === 61 ? '>=' : '>';
    case 61: // =
      return d === 61 ? '==' : '=';
    case 33: // !
      return d === 61 ? '!=' : undefined;
    case 58: // :
      return d === 61 ? ':=' : ':';
    case 45: // -
      return d === 62 ? '->' : d === 61 ? '-=' : '-';
    case 43:
      return d === 61 ? '+=' : '+';
    case 37:
      return d === 61 ? '%=' : '%';
    case 38:
      return d === 61 ? '&=' : '&';
    case 124:
      return d === 61 ? '|=' : '|';
    case 94:
      return d === 61 ? '^=' : '^';
    case 64:
      return d === 61 ? '@=' : '@';
    case 126:
      return '~';
    case 44:
      return ',';
    case 59:
      return ';';
    default:
      return undefined;
  }
}

/** The node type tree-sitter-python gives a number literal. */
function numberKind(text: string): string | undefined {
  if (/^0[xX][0-9a-fA-F_]+[lL]?$|^0[oO][0-7_]+[lL]?$|^0[bB][01_]+[lL]?$/.test(text)) return 'integer';
  if (/^[0-9][0-9_]*[lLjJ]?$/.test(text)) return 'integer';
  if (/^(?:[0-9][0-9_]*\.(?:[0-9][0-9_]*)?|\.[0-9][0-9_]*|[0-9][0-9_]*)(?:[eE][-+]?[0-9][0-9_]*)?[jJ]?$/.test(text)) return 'float';
  return undefined;
}

/** The node type tree-sitter-python gives the expression of tokens [a, b) (one stream), or undefined when not known here. */
function kindOf(t: Tokens, a: number, b: number, allowList: boolean): string | undefined {
  if (b <= a) return undefined;
  const d0 = t.depth[a];
  let comma = false;
  let lambdaAt = -1;
  let lambdaColon = false;
  let commaAfterLambda = false;
  let hasIf = false;
  let boolOp = false;
  let cmp = false;
  let bin = false;
  let pow = false;
  let walrus = false;
  for (let k = a; k < b; k++) {
    if (t.depth[k] !== d0) continue;
    const kind = t.kind[k];
    // A lambda's parameters, up to its colon.
    if (lambdaAt >= 0 && !lambdaColon && !t.isOp(k, ':')) continue;
    if (kind === NAME) {
      const w = t.text[k];
      if (!HARD.has(w)) continue;
      if (w === 'lambda') {
        if (lambdaAt < 0) lambdaAt = k;
      } else if (w === 'if') hasIf = true;
      else if (w === 'or' || w === 'and') boolOp = true;
      else if (w === 'in' || w === 'is') cmp = true;
      else if (w === 'for' || w === 'async' || w === 'from' || w === 'import' || w === 'as') return undefined;
      else if (w === 'yield' && k !== a) return undefined;
      continue;
    }
    if (kind !== OP) continue;
    const op = t.text[k];
    if (op === ',') {
      comma = true;
      if (lambdaColon) commaAfterLambda = true;
    } else if (op === ':') {
      if (lambdaAt < 0) return undefined;
      lambdaColon = true;
    } else if (op === ':=') walrus = true;
    else if (op === '**') {
      if (k !== a) pow = true;
    } else if (COMPARISON.has(op)) cmp = true;
    else if (op === '-' || op === '+' || op === '~') {
      if (k > a && op !== '~' && operandEnd(t, k - 1)) bin = true;
    } else if (op === '*') {
      if (k !== a) bin = true;
    } else if (BINARY.has(op)) bin = true;
    else if (op !== '.' && op !== '...') return undefined;
  }
  if (lambdaAt >= 0) {
    if (lambdaAt !== a || commaAfterLambda) return undefined;
    return 'lambda';
  }
  if (comma) return allowList ? 'expression_list' : undefined;
  const first = t.kind[a];
  const ft = t.text[a];
  if (first === OP && ft === '*') return 'list_splat';
  if (first === OP && ft === '**') return 'dictionary_splat';
  if (walrus) return 'named_expression';
  if (first === NAME && ft === 'yield') return 'yield';
  if (hasIf) return 'conditional_expression';
  if (boolOp) return 'boolean_operator';
  if (first === NAME && ft === 'not') return 'not_operator';
  if (cmp) return 'comparison_operator';
  if (bin) return 'binary_operator';
  if (first === OP && (ft === '-' || ft === '+' || ft === '~')) return 'unary_operator';
  // tree-sitter-python reads `await a ** b` as an await of the power.
  if (first === NAME && ft === 'await') return 'await';
  if (pow) return 'binary_operator';
  return primaryKind(t, a, b);
}

/** Does token k end an operand (so a following `-` or `+` is binary)? */
function operandEnd(t: Tokens, k: number): boolean {
  const kind = t.kind[k];
  if (kind === NUM || kind === STR || kind === CLOSE) return true;
  if (kind === NAME) return !OPERATOR_WORDS.has(t.text[k]) && !(HARD.has(t.text[k]) && t.text[k] !== 'True' && t.text[k] !== 'False' && t.text[k] !== 'None');
  return kind === OP && t.text[k] === '...';
}

function primaryKind(t: Tokens, a: number, b: number): string | undefined {
  let kind: string | undefined;
  let k: number;
  const first = t.kind[a];
  if (first === NAME) {
    const w = t.text[a];
    if (SOFT.has(w)) return undefined;
    if (w === 'True' || w === 'False' || w === 'None') {
      if (b - a !== 1) return undefined;
      return w === 'True' ? 'true' : w === 'False' ? 'false' : 'none';
    }
    if (HARD.has(w)) return undefined;
    kind = 'identifier';
    k = a + 1;
  } else if (first === NUM) {
    kind = numberKind(t.text[a]);
    if (kind === undefined) return undefined;
    k = a + 1;
  } else if (first === STR) {
    k = a + 1;
    while (k < b && t.kind[k] === STR) k++;
    kind = k - a > 1 ? 'concatenated_string' : 'string';
  } else if (first === OPEN) {
    const c = t.link[a];
    kind = bracketKind(t, a, c);
    if (kind === undefined) return undefined;
    k = c + 1;
  } else if (first === OP && t.text[a] === '...') {
    kind = 'ellipsis';
    k = a + 1;
  } else return undefined;
  while (k < b) {
    const kk = t.kind[k];
    if (kk === OP && t.text[k] === '.') {
      if (k + 1 >= b || t.kind[k + 1] !== NAME || HARD.has(t.text[k + 1])) return undefined;
      kind = 'attribute';
      k += 2;
    } else if (kk === OPEN && t.text[k] !== '{') {
      kind = t.text[k] === '(' ? 'call' : 'subscript';
      k = t.link[k] + 1;
    } else return undefined;
  }
  return kind;
}

/** list / tuple / dictionary / set / comprehension / parenthesized expression of the brackets at o..c. */
function bracketKind(t: Tokens, o: number, c: number): string | undefined {
  const inner = t.depth[o] + 1;
  let comma = false;
  let colon = false;
  let splat2 = false;
  let forAt = -1;
  for (let k = o + 1; k < c; k++) {
    if (t.depth[k] !== inner) continue;
    const kind = t.kind[k];
    if (kind === NAME) {
      const w = t.text[k];
      if (w === 'lambda' || w === 'yield' || w === 'await') return undefined;
      if ((w === 'for' || w === 'async') && forAt < 0) forAt = k;
    } else if (kind === OP) {
      const op = t.text[k];
      if (op === ',') comma = true;
      else if (op === ':' && forAt < 0) colon = true;
      else if (op === '**' && forAt < 0 && (k === o + 1 || t.isOp(k - 1, ','))) splat2 = true;
    }
  }
  const open = t.text[o];
  if (open === '(') {
    if (c === o + 1) return 'tuple';
    if (forAt >= 0) return 'generator_expression';
    return comma ? 'tuple' : 'parenthesized_expression';
  }
  if (open === '[') return forAt >= 0 ? 'list_comprehension' : 'list';
  if (c === o + 1) return 'dictionary';
  if (forAt >= 0) return colon ? 'dictionary_comprehension' : 'set_comprehension';
  return colon || splat2 ? 'dictionary' : 'set';
}

/** Where the primary expression ending at token p starts (walking back over trailers), or -1 when unsure. */
function primaryStart(t: Tokens, p: number): number {
  let k = p;
  for (;;) {
    const kind = t.kind[k];
    if (kind === NAME) {
      if (HARD.has(t.text[k]) && !CONSTANTS.has(t.text[k])) return -1;
      if (k >= 2 && !t.lineStart[k] && t.isOp(k - 1, '.')) {
        const before = k - 2;
        const bk = t.kind[before];
        if (bk === NAME && HARD.has(t.text[before]) && !CONSTANTS.has(t.text[before])) return -1;
        if (bk !== NAME && bk !== CLOSE && bk !== STR && bk !== NUM) return -1;
        k = before;
        continue;
      }
      return k;
    }
    if (kind === CLOSE) {
      const o = t.link[k];
      if (t.text[o] !== '{' && o >= 1 && !t.lineStart[o] && isCalleeEnd(t, o - 1)) {
        k = o - 1;
        continue;
      }
      return o;
    }
    if (kind === STR) {
      while (k >= 1 && !t.lineStart[k] && t.kind[k - 1] === STR) k--;
      return k;
    }
    if (kind === NUM) return k;
    if (kind === OP && t.text[k] === '...') return k;
    return -1;
  }
}

/** Can token p end a callee or subscripted value (so a following `(` or `[` is a trailer)? */
function isCalleeEnd(t: Tokens, p: number): boolean {
  const kind = t.kind[p];
  if (kind === CLOSE || kind === STR || kind === NUM) return true;
  if (kind !== NAME) return t.isOp(p, '...');
  if (HARD.has(t.text[p])) return CONSTANTS.has(t.text[p]);
  // `def f(` and `class C(` are not calls.
  return !(p >= 1 && !t.lineStart[p] && t.kind[p - 1] === NAME && (t.text[p - 1] === 'def' || t.text[p - 1] === 'class'));
}

/** Calls of one token stream into `out`. */
function findCalls(src: string, t: Tokens, out: CallNode[]): void {
  const n = t.length;
  for (let j = 1; j < n; j++) {
    if (t.kind[j] !== OPEN || t.text[j] !== '(' || t.lineStart[j]) continue;
    const p = j - 1;
    if (!isCalleeEnd(t, p)) continue;
    const s = primaryStart(t, p);
    if (s < 0) decline();
    const close = t.link[j];
    out.push({ start: t.start[s], end: t.end[close], calleeEnd: t.end[p], list: undefined, args: callArgs(src, t, j, close) });
  }
}

/** The arguments between the parentheses at o..c, `str` left for the caller. */
function callArgs(src: string, t: Tokens, o: number, c: number): ArgFact[] {
  const args: ArgFact[] = [];
  const inner = t.depth[o] + 1;
  // `f(x for x in y)`: the arguments are a generator expression, with no argument facts.
  for (let k = o + 1; k < c; k++) {
    if (t.depth[k] === inner && t.kind[k] === NAME && (t.text[k] === 'for' || t.text[k] === 'async')) return args;
  }
  let ps = o + 1;
  let inLambda = false;
  for (let k = o + 1; k <= c; k++) {
    if (k < c && t.depth[k] !== inner) continue;
    if (k < c) {
      if (t.kind[k] === NAME && t.text[k] === 'lambda') inLambda = true;
      else if (inLambda && t.isOp(k, ':')) inLambda = false;
      if (inLambda || !t.isOp(k, ',')) continue;
    }
    if (k === ps) {
      if (k === c && (ps === o + 1 || t.isOp(ps - 1, ','))) break;
      decline();
    }
    const pe = k;
    if (pe - ps >= 3 && t.kind[ps] === NAME && t.isOp(ps + 1, '=')) {
      const kind = kindOf(t, ps + 2, pe, false);
      if (kind === undefined) decline();
      const start = t.start[ps];
      const vs = t.start[ps + 2];
      const end = t.end[pe - 1];
      args.push({ name: t.text[ps], span: { start, end }, valueSpan: { start: vs, end }, kind, text: src.slice(vs, end), str: undefined });
    } else {
      const kind = kindOf(t, ps, pe, false);
      if (kind === undefined) decline();
      const start = t.start[ps];
      const end = t.end[pe - 1];
      // A positional argument is its value: one span object for both (facts are never modified).
      const span = { start, end };
      args.push({ span, valueSpan: span, kind, text: src.slice(start, end), str: undefined });
    }
    ps = k + 1;
  }
  return args;
}

/** Concatenated strings of one stream: runs of adjacent string tokens. */
function concatenations(scan: Scanner, t: Tokens, out: StringNode[]): void {
  const n = t.length;
  for (let k = 0; k < n; k++) {
    if (t.kind[k] !== STR) continue;
    let m = k;
    while (m + 1 < n && t.kind[m + 1] === STR && !t.lineStart[m + 1]) m++;
    if (m > k) {
      const start = t.start[k];
      const end = t.end[m];
      let named = m - k + 1;
      for (const x of scan.extras) if (x > start && x < end) named++;
      out.push({ start, end, concatenated: true, value: '', fString: false, ok: false, named });
    }
    k = m;
  }
}

/** What a scan read, for a check of the whole text (python-grammar.ts) before its buffers are reused. */
export interface Scanned {
  src: string;
  main: Tokens;
  lines: readonly Line[];
  interpolations: readonly Tokens[];
}

/**
 * Reads the facts' raw parts from the text; undefined when the text has a shape not read here.
 * With `check`, `valid` is what it says of the scanned text.
 */
export function scanPython(src: string, check?: (scan: Scanned) => boolean): (Captured & { valid?: boolean }) | undefined {
  const scan = new Scanner(src);
  try {
    scan.scanModule();
    const out: Captured & { valid?: boolean } = { calls: [], strings: scan.strings, assignments: [], functions: [], loops: [], imports: [] };
    statements(scan, out);
    findCalls(src, scan.main, out.calls);
    for (let i = 0; i < scan.interpolationCount; i++) findCalls(src, interpolationPool[i], out.calls);
    concatenations(scan, scan.main, out.strings);
    for (let i = 0; i < scan.interpolationCount; i++) concatenations(scan, interpolationPool[i], out.strings);
    if (check) out.valid = check({ src, main: scan.main, lines: scan.lines, interpolations: interpolationPool.slice(0, scan.interpolationCount) });
    return out;
  } catch (e) {
    // Declined, or text this reader got wrong (an index past the end): the tree reads it.
    if (e === DECLINE || e instanceof RangeError || e instanceof TypeError) return undefined;
    throw e;
  }
}

/** Statements line by line: assignments, imports, function definitions and loops. */
function statements(scan: Scanner, out: Captured): void {
  const { lines, main: t, src } = scan;
  for (let li = 0; li < lines.length; li++) {
    const line = lines[li];
    if (line.first < 0) continue;
    const a = line.first;
    const b = line.last;
    const w = t.kind[a] === NAME ? t.text[a] : '';
    if (COMPOUND.has(w)) {
      let h = -1;
      for (let k = a + 1; k < b; k++) {
        if (t.depth[k] !== 0) continue;
        if (t.isName(k, 'lambda')) decline();
        if (t.isOp(k, ':')) {
          h = k;
          break;
        }
      }
      if (h < 0) decline();
      let kw = w;
      let nameAt = a + 1;
      if (w === 'async') {
        kw = t.kind[a + 1] === NAME ? t.text[a + 1] : '';
        if (kw !== 'def' && kw !== 'for' && kw !== 'with') decline();
        nameAt = a + 2;
      }
      const inline = h + 1 < b;
      if (kw === 'def' || kw === 'for' || kw === 'while') {
        let [end, next] = inline ? [line.end, li + 1] : blockEnd(lines, li);
        if (kw !== 'def') {
          // A loop's `else` clause belongs to the loop.
          while (next < lines.length && lines[next].first < 0) next++;
          const e = lines[next];
          if (e && e.indent === line.indent && t.isName(e.first, 'else')) {
            const eh = e.first + 1;
            if (!t.isOp(eh, ':')) decline();
            end = eh + 1 < e.last ? e.end : blockEnd(lines, next)[0];
          }
          out.loops.push({ start: t.start[a], end });
        } else {
          if (t.kind[nameAt] !== NAME) decline();
          out.functions.push({ start: t.start[a], end, name: t.text[nameAt], nameStart: t.start[nameAt], nameEnd: t.end[nameAt] });
        }
      }
      if (inline) simpleStatements(src, t, h + 1, b, out);
      continue;
    }
    if (t.isOp(a, '@')) continue;
    simpleStatements(src, t, a, b, out);
  }
}

/** [end, index of the line after the block] of the indented block after header line `li`. */
function blockEnd(lines: Line[], li: number): [number, number] {
  const indent = lines[li].indent;
  let k = li + 1;
  let blockIndent = -1;
  let last = -1;
  for (; k < lines.length; k++) {
    const l = lines[k];
    if (l.first < 0) continue;
    if (l.indent <= indent) break;
    if (blockIndent < 0) blockIndent = l.indent;
    last = k;
  }
  if (last < 0) decline();
  let end = lines[last].end;
  // Comment lines after the last statement belong to the block while indented at least as deep as it.
  let lower = false;
  for (let c = last + 1; c < k; c++) {
    if (lines[c].indent >= blockIndent) {
      if (lower) decline();
      end = lines[c].end;
    } else lower = true;
  }
  return [end, k];
}

function simpleStatements(src: string, t: Tokens, a: number, b: number, out: Captured): void {
  let s = a;
  for (let k = a; k <= b; k++) {
    if (k < b && !(t.depth[k] === 0 && t.isOp(k, ';'))) continue;
    if (k > s) simpleStatement(src, t, s, k, out);
    s = k + 1;
  }
}

function simpleStatement(src: string, t: Tokens, a: number, b: number, out: Captured): void {
  const w = t.kind[a] === NAME ? t.text[a] : '';
  if (w === 'import') return importNames(src, t, a, a + 1, b, undefined, out);
  if (w === 'from') {
    let k = a + 1;
    while (k < b && t.kind[k] === OP && (t.text[k] === '.' || t.text[k] === '...')) k++;
    while (k < b && t.kind[k] === NAME && t.text[k] !== 'import') {
      k++;
      if (k < b && t.isOp(k, '.')) k++;
    }
    if (k >= b || !t.isName(k, 'import') || k === a + 1) decline();
    const module = src.slice(t.start[a + 1], t.end[k - 1]);
    if (module === '__future__') return;
    return importNames(src, t, a, k + 1, b, module, out);
  }
  // Python 2's `print x` is a statement of its own in tree-sitter-python.
  if ((w === 'print' || w === 'exec') && b > a + 1 && !(t.kind[a + 1] === OPEN && t.text[a + 1] === '(') && !t.isOp(a + 1, '=') && !t.isOp(a + 1, '.')) decline();
  if (w === 'match' || w === 'case' || w === 'type') {
    const n = t.kind[a + 1];
    if (b > a + 1 && (n === NAME || n === STR || n === NUM || t.isOp(b - 1, ':') || (n === OPEN && t.text[a + 1] !== '('))) decline();
  }
  if (HARD.has(w) && w !== 'True' && w !== 'False' && w !== 'None') {
    // return, del, raise, assert, global, yield, await, not, lambda ...: no assignment starts with these.
    for (let k = a; k < b; k++) if (t.depth[k] === 0 && t.isOp(k, '=')) decline();
    return;
  }
  const eqs: number[] = [];
  let colon = -1;
  for (let k = a; k < b; k++) {
    if (t.depth[k] !== 0) continue;
    if (t.kind[k] === NAME && t.text[k] === 'lambda') break;
    if (t.kind[k] !== OP) continue;
    if (t.text[k] === '=') eqs.push(k);
    else if (t.text[k] === ':' && eqs.length === 0 && colon < 0) colon = k;
  }
  if (eqs.length === 0) return;
  if (colon >= 0 && eqs.length > 1) decline();
  const end = t.end[b - 1];
  for (let i = 0; i < eqs.length; i++) {
    const ls = i === 0 ? a : eqs[i - 1] + 1;
    const le = i === 0 && colon >= 0 ? colon : eqs[i];
    const rs = eqs[i] + 1;
    if (le <= ls || rs >= b) decline();
    const kind = i < eqs.length - 1 ? 'assignment' : kindOf(t, rs, b, true);
    if (kind === undefined) decline();
    if (!validTargets(t, ls, le)) decline();
    out.assignments.push({ start: t.start[ls], end, targets: splitTargets(src.slice(t.start[ls], t.end[le - 1])), rightStart: t.start[rs], kind });
  }
}

/** Assignment targets: names, attributes, subscripts, starred names, in tuples or lists. */
function validTargets(t: Tokens, a: number, b: number): boolean {
  for (let k = a; k < b; k++) {
    if (t.depth[k] !== t.depth[a]) continue;
    const kind = t.kind[k];
    if (kind === NAME) {
      if (HARD.has(t.text[k]) || SOFT.has(t.text[k])) return false;
      if (k + 1 < b && t.kind[k + 1] === NAME) return false;
    } else if (kind === OP) {
      const op = t.text[k];
      if (op !== '.' && op !== ',' && op !== '*') return false;
    } else if (kind === STR || kind === NUM) return false;
  }
  return true;
}

/** `import a.b as c, d` (module undefined) or the names after `from m import`. */
function importNames(src: string, t: Tokens, stmt: number, a: number, b: number, module: string | undefined, out: Captured): void {
  const start = t.start[stmt];
  const span = { start, end: t.end[b - 1] };
  let k = a;
  let end = b;
  if (module !== undefined && t.kind[k] === OPEN) {
    if (t.link[k] !== b - 1) decline();
    k++;
    end = b - 1;
  }
  if (module !== undefined && t.isOp(k, '*')) {
    if (k + 1 !== end) decline();
    out.imports.push({ start, nameStart: t.start[k], fact: { module, name: '*', alias: '*', span } } as ImportNode);
    return;
  }
  while (k < end) {
    const ns = k;
    if (t.kind[k] !== NAME) decline();
    k++;
    while (k + 1 < end && t.isOp(k, '.') && t.kind[k + 1] === NAME) k += 2;
    const name = src.slice(t.start[ns], t.end[k - 1]);
    let alias: string | undefined;
    if (k < end && t.isName(k, 'as')) {
      if (k + 1 >= end || t.kind[k + 1] !== NAME) decline();
      alias = t.text[k + 1];
      k += 2;
    }
    if (module === undefined) {
      if (alias !== undefined) out.imports.push({ start, nameStart: t.start[ns], fact: { module: name, alias, span } });
      else {
        const dot = name.indexOf('.');
        out.imports.push({ start, nameStart: t.start[ns], fact: { module: name, alias: dot < 0 ? name : name.slice(0, dot), span } });
      }
    } else {
      if (name.includes('.')) decline();
      out.imports.push({ start, nameStart: t.start[ns], fact: { module, name, alias: alias ?? name, span } });
    }
    if (k < end) {
      if (!t.isOp(k, ',')) decline();
      k++;
    }
  }
}
