// Names defined and read, statement by statement: what `hidden-state` and
// `preprocessing-before-split` need and the engine's facts do not carry (reads of
// identifiers, loop / with / except targets, class bodies, scopes).
//
// A small Python tokenizer over the unit's masked text (strings and comments
// skipped, f-string expressions read), then a statement walk that knows which names
// a statement binds, mutates and reads. No second parse: it costs about as much as
// a regex pass, and the result is cached per parsed unit (the engine keeps one
// facts object per distinct cell text, so an unchanged cell is never re-read).
import { maskMagics } from '../../parse/magics';
import type { PythonUnit, ResolvedCall } from '../../parse/program';
import type { ArgFact, PythonFacts } from '../../parse/python';

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
  /** Index of the innermost open bracket token, -1 outside brackets. */
  group: number;
  /** A name read in an f-string expression: never a target or keyword. */
  fstring?: boolean;
}

const KEYWORDS = new Set([
  'False', 'None', 'True', 'and', 'as', 'assert', 'async', 'await', 'break', 'class', 'continue', 'def', 'del', 'elif', 'else', 'except',
  'finally', 'for', 'from', 'global', 'if', 'import', 'in', 'is', 'lambda', 'nonlocal', 'not', 'or', 'pass', 'raise', 'return', 'try',
  'while', 'with', 'yield',
]);
const NAME = /[\p{L}_][\p{L}\p{N}_]*/uy;
const NUMBER = /(?:0[xXoObB][\da-fA-F_]+|(?:\d[\d_]*\.?[\d_]*|\.\d[\d_]*)(?:[eE][+-]?\d[\d_]*)?[jJlL]?)/y;
const STRING_PREFIX = /^(?:[rRbBuUfFtT]|[rR][bBfFtT]|[bBfFtT][rR])$/;
const OPS3 = new Set(['**=', '//=', '>>=', '<<=', '...']);
const OPS2 = new Set(['->', ':=', '==', '!=', '<=', '>=', '+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=', '@=', '**', '//', '<<', '>>']);
const AUG_OPS = new Set(['+=', '-=', '*=', '/=', '%=', '&=', '|=', '^=', '@=', '**=', '//=', '>>=', '<<=']);

class Tokenizer {
  readonly tokens: Token[] = [];
  private depth = 0;
  private groups: number[] = [];

  constructor(private readonly src: string) {}

  private get group(): number {
    return this.groups.length ? this.groups[this.groups.length - 1] : -1;
  }

  private push(kind: TokKind, text: string, start: number, end: number, fstring = false): void {
    const t: Token = { kind, text, start, end, depth: this.depth, group: this.group };
    if (fstring) t.fstring = true;
    this.tokens.push(t);
  }

  run(from = 0, to = this.src.length, fstring = false): void {
    const s = this.src;
    let i = from;
    while (i < to) {
      const c = s.charCodeAt(i);
      if (c === 35 /* # */) {
        const nl = s.indexOf('\n', i);
        i = nl < 0 || nl > to ? to : nl;
        continue;
      }
      if (c === 92 /* \ */ && (s[i + 1] === '\n' || (s[i + 1] === '\r' && s[i + 2] === '\n'))) {
        i += s[i + 1] === '\n' ? 2 : 3;
        continue;
      }
      if (c === 10 /* \n */) {
        if (this.depth === 0 && !fstring) {
          const last = this.tokens[this.tokens.length - 1];
          if (last && last.kind !== 'nl') this.push('nl', '\n', i, i + 1);
        }
        i++;
        continue;
      }
      if (c === 32 || c === 9 || c === 13 || c === 12) {
        i++;
        continue;
      }
      if (c === 34 || c === 39 /* " ' */) {
        i = this.string(i, i, '');
        continue;
      }
      if ((c >= 48 && c <= 57) || (c === 46 && /\d/.test(s[i + 1] ?? ''))) {
        NUMBER.lastIndex = i;
        const m = NUMBER.exec(s);
        const end = m && m[0].length > 0 ? i + m[0].length : i + 1;
        this.push('num', s.slice(i, end), i, end);
        i = end;
        continue;
      }
      let nameEnd = -1;
      if ((c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95) {
        nameEnd = i + 1;
        for (let k = s.charCodeAt(nameEnd); (k >= 97 && k <= 122) || (k >= 65 && k <= 90) || k === 95 || (k >= 48 && k <= 57); k = s.charCodeAt(++nameEnd));
        if (s.charCodeAt(nameEnd) > 127) nameEnd = -1; // a non-ASCII identifier: let the regex take it whole
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
        if ((s[nameEnd] === '"' || s[nameEnd] === "'") && word.length <= 2 && STRING_PREFIX.test(word)) {
          i = this.string(i, nameEnd, word);
          continue;
        }
        this.push('name', word, i, nameEnd, fstring);
        i = nameEnd;
        continue;
      }
      let op = s[i];
      if (OPS3.has(s.slice(i, i + 3))) op = s.slice(i, i + 3);
      else if (OPS2.has(s.slice(i, i + 2))) op = s.slice(i, i + 2);
      if (op === '(' || op === '[' || op === '{') {
        this.push('op', op, i, i + 1);
        this.groups.push(this.tokens.length - 1);
        this.depth++;
      } else if (op === ')' || op === ']' || op === '}') {
        if (this.depth > 0) {
          this.depth--;
          this.groups.pop();
        }
        this.push('op', op, i, i + 1);
      } else {
        this.push('op', op, i, i + op.length);
      }
      i += op.length;
    }
  }

  /** A string literal starting at `start` (prefix included), quotes at `q`; returns the offset after it. */
  private string(start: number, q: number, prefix: string): number {
    const s = this.src;
    const quote = s[q];
    const three = quote + quote + quote;
    const triple = s.startsWith(three, q);
    const open = q + (triple ? 3 : 1);
    let j = open;
    let end = s.length;
    let contentEnd = s.length;
    while (j < s.length) {
      const ch = s[j];
      if (ch === '\\') {
        j += 2;
        continue;
      }
      if (ch === quote && (!triple || s.startsWith(three, j))) {
        contentEnd = j;
        end = j + (triple ? 3 : 1);
        break;
      }
      if (!triple && ch === '\n') {
        contentEnd = j;
        end = j;
        break;
      }
      j++;
    }
    this.push('str', s.slice(start, Math.min(end, start + 3)), start, end);
    if (/[fFtT]/.test(prefix)) this.fstringExpressions(open, contentEnd);
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
      this.run(b + 1, exprEnd < 0 ? k : exprEnd, true);
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
  /** Parent group of each group (opening bracket token index). */
  parent: Map<number, number>;
}

function bindings(toks: Token[]): Binding {
  const b: Binding = { comp: new Map(), lambdas: [], binders: new Set(), parent: new Map() };
  for (let i = 0; i < toks.length; i++) {
    const t = toks[i];
    if (t.kind === 'op' && (t.text === '(' || t.text === '[' || t.text === '{')) b.parent.set(i, t.group);
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
  return b;
}

function boundLocally(b: Binding, toks: Token[], i: number): boolean {
  const t = toks[i];
  if (b.binders.has(i)) return true;
  for (let g = t.group; g >= 0; g = b.parent.get(g) ?? -1) if (b.comp.get(g)?.has(t.text)) return true;
  for (const l of b.lambdas) if (i > l.from && i < l.to && l.names.has(t.text)) return true;
  return false;
}

function isOpen(t: Token | undefined): boolean {
  return !!t && t.kind === 'op' && (t.text === '(' || t.text === '[' || t.text === '{');
}

function ref(t: Token, index?: boolean): NameRef {
  return index ? { name: t.text, start: t.start, end: t.end, index } : { name: t.text, start: t.start, end: t.end };
}

class StatementReader {
  readonly stmts: Stmt[] = [];
  opaque = false;
  private readonly bind: Binding;
  /** Open `def` / `class` blocks by indentation. */
  private readonly blocks: Array<{ kind: 'def' | 'class'; indent: number; id: number }> = [];
  private nextFn = 0;
  /** Subscript brackets: `[` right after a name, `)` or `]`. */
  private readonly subscript = new Set<number>();

  constructor(
    private readonly src: string,
    private readonly toks: Token[],
  ) {
    this.bind = bindings(toks);
    for (let i = 0; i < toks.length; i++) {
      const t = toks[i];
      if (t.kind === 'op' && t.text === '[') {
        const p = toks[i - 1];
        if (p && ((p.kind === 'name' && !KEYWORDS.has(p.text)) || (p.kind === 'op' && (p.text === ')' || p.text === ']')) || p.kind === 'str')) this.subscript.add(i);
      }
    }
  }

  private indentOf(offset: number): number {
    const ls = this.src.lastIndexOf('\n', offset - 1) + 1;
    return offset - ls;
  }

  private inSubscript(i: number, floor: number): boolean {
    for (let g = this.toks[i].group; g > floor; g = this.bind.parent.get(g) ?? -1) if (this.subscript.has(g)) return true;
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
      if (boundLocally(this.bind, toks, i)) continue;
      out.push(ref(t, this.inSubscript(i, -1)));
    }
  }

  private walrus(from: number, to: number, out: NameRef[]): void {
    for (let i = from; i + 1 < to; i++) {
      const t = this.toks[i];
      const n = this.toks[i + 1];
      if (t.kind === 'name' && n.kind === 'op' && n.text === ':=') out.push(ref(t));
    }
  }

  /** An assignment target: bare names bind, roots of `a.b` / `a[i]` are mutated (and read), indexes are read. */
  private target(from: number, to: number, st: Stmt, augmented: boolean): void {
    const toks = this.toks;
    const base = toks[from]?.depth ?? 0;
    // Brackets that are part of a tuple/list pattern, not subscripts or calls.
    const pattern = new Set<number>();
    for (let i = from; i < to; i++) {
      const t = toks[i];
      if (!isOpen(t) || t.text === '{') continue;
      const p = i > from ? toks[i - 1] : undefined;
      const patternish = !p || (p.kind === 'op' && (p.text === ',' || p.text === '*' || ((p.text === '(' || p.text === '[') && (pattern.has(i - 1) || i - 1 < from))));
      if (patternish && (t.group < 0 || t.depth === base || pattern.has(t.group))) pattern.add(i);
    }
    for (let i = from; i < to; i++) {
      const t = toks[i];
      if (t.kind !== 'name' || KEYWORDS.has(t.text)) continue;
      const prev = i > from ? toks[i - 1] : undefined;
      if (prev && prev.kind === 'op' && prev.text === '.') continue;
      const atPattern = t.depth === base || (t.group >= 0 && pattern.has(t.group) && this.patternChain(t.group, base, pattern));
      if (!atPattern) {
        if (!boundLocally(this.bind, toks, i)) st.uses.push(ref(t, this.inSubscript(i, -1)));
        continue;
      }
      const next = toks[i + 1];
      const head = next && i + 1 < to && next.kind === 'op' && (next.text === '.' || next.text === '[' || next.text === '(');
      if (head) {
        st.uses.push(ref(t));
        st.mutates.push(ref(t));
      } else if (augmented) {
        st.uses.push(ref(t));
        st.mutates.push(ref(t));
      } else {
        st.defs.push(ref(t));
      }
    }
  }

  private patternChain(group: number, base: number, pattern: Set<number>): boolean {
    for (let g = group; g >= 0 && this.toks[g].depth >= base; g = this.bind.parent.get(g) ?? -1) if (!pattern.has(g)) return false;
    return true;
  }

  private newStmt(kind: StmtKind, from: number, to: number): Stmt {
    const top = this.blocks[this.blocks.length - 1];
    let fn = -1;
    for (let k = this.blocks.length - 1; k >= 0; k--) {
      if (this.blocks[k].kind === 'def') {
        fn = this.blocks[k].id;
        break;
      }
    }
    const last = this.toks[Math.max(from, to - 1)];
    return {
      kind,
      start: this.toks[from].start,
      end: last ? last.end : this.toks[from].end,
      fn,
      inClass: top?.kind === 'class',
      defs: [],
      weakDefs: [],
      mutates: [],
      uses: [],
    };
  }

  private find(from: number, to: number, test: (t: Token) => boolean, depth = this.toks[from]?.depth ?? 0): number {
    for (let i = from; i < to; i++) {
      const t = this.toks[i];
      if (t.depth === depth && test(t)) return i;
    }
    return -1;
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

  private line(from: number, to: number): void {
    const indent = this.indentOf(this.toks[from].start);
    while (this.blocks.length && this.blocks[this.blocks.length - 1].indent >= indent) this.blocks.pop();
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
    const colon = (): number => {
      const c = this.find(i, to, (t) => t.kind === 'op' && t.text === ':', depth0);
      return c < 0 ? to : c;
    };
    if (first.kind === 'op' && first.text === '@') {
      const st = this.newStmt('decorator', i, to);
      this.reads(i + 1, to, st.uses);
      this.stmts.push(st);
      return to;
    }
    const word = first.kind === 'name' ? first.text : '';
    const softCompound = (word === 'match' || word === 'case') && toks[to - 1]?.kind === 'op' && toks[to - 1].text === ':' && toks[i + 1]?.kind !== 'op';
    if (COMPOUND.has(word) || softCompound) {
      const c = colon();
      const kind: StmtKind = word === 'for' ? 'for' : word === 'with' ? 'with' : word === 'except' ? 'except' : word === 'def' ? 'def' : word === 'class' ? 'class' : word === 'case' ? 'other' : 'if';
      const st = this.newStmt(kind, from, c + 1 > to ? to : c + 1);
      if (word === 'for') {
        const inAt = this.find(i + 1, c, (t) => t.kind === 'name' && t.text === 'in', depth0);
        this.target(i + 1, inAt < 0 ? c : inAt, st, false);
        if (inAt >= 0) this.reads(inAt + 1, c, st.uses);
      } else if (word === 'with' || word === 'except') {
        for (let k = i + 1; k < c; k++) {
          const t = toks[k];
          if (t.kind === 'name' && t.text === 'as') {
            let e = k + 1;
            if (isOpen(toks[e])) {
              const close = this.find(e + 1, c, (x) => x.kind === 'op' && (x.text === ')' || x.text === ']'), toks[e].depth);
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
        this.reads(i + 1, c, st.uses);
        this.walrus(i + 1, c, st.defs);
      }
      this.stmts.push(st);
      if (c + 1 >= to && (word === 'def' || word === 'class')) {
        this.blocks.push({ kind: word, indent, id: word === 'def' ? st.defId! : -1 });
      } else if (c + 1 < to && word === 'def') {
        // `def f(): return x` on one line: the rest belongs to the function.
        this.blocks.push({ kind: 'def', indent, id: st.defId! });
        let k = c + 1;
        while (k < to) k = this.statement(k, to, indent + 1) + 1;
        this.blocks.pop();
        return to;
      }
      return c;
    }
    // A simple statement runs to `;` at depth 0 or the end of the line.
    let end = this.find(i, to, (t) => t.kind === 'op' && t.text === ';', depth0);
    if (end < 0) end = to;
    this.simple(i, end, word);
    return end;
  }

  private simple(from: number, to: number, word: string): void {
    const toks = this.toks;
    if (from >= to) return;
    if (word === 'import' || word === 'from') {
      const st = this.newStmt('import', from, to);
      const imp = word === 'import' ? from : this.find(from, to, (t) => t.kind === 'name' && t.text === 'import');
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
      this.stmts.push(st);
      return;
    }
    if (word === 'global' || word === 'nonlocal') {
      const st = this.newStmt('global', from, to);
      st.globals = toks.slice(from + 1, to).filter((t) => t.kind === 'name').map((t) => t.text);
      this.stmts.push(st);
      return;
    }
    if (word === 'pass' || word === 'break' || word === 'continue') return;
    if (word === 'return' || word === 'del' || word === 'yield' || word === 'raise' || word === 'assert') {
      const st = this.newStmt(word === 'return' ? 'return' : word === 'del' ? 'del' : 'expr', from, to);
      this.reads(from + 1, to, st.uses);
      this.walrus(from + 1, to, st.defs);
      this.stmts.push(st);
      return;
    }
    const depth0 = toks[from].depth;
    const eqs: number[] = [];
    let aug = -1;
    for (let k = from; k < to; k++) {
      const t = toks[k];
      if (t.depth === depth0 && t.kind === 'name' && t.text === 'lambda') break; // its defaults are not targets
      if (t.depth !== depth0 || t.kind !== 'op') continue;
      if (t.text === '=') eqs.push(k);
      else if (AUG_OPS.has(t.text) && aug < 0) aug = k;
    }
    const lambdaAt = this.find(from, to, (t) => t.kind === 'name' && t.text === 'lambda', depth0);
    if (aug >= 0 && eqs.length === 0) {
      const st = this.newStmt('augassign', from, to);
      this.target(from, aug, st, true);
      this.reads(aug + 1, to, st.uses);
      this.walrus(aug + 1, to, st.defs);
      this.stmts.push(st);
      return;
    }
    if (eqs.length > 0) {
      const st = this.newStmt('assign', from, to);
      let segStart = from;
      for (const eq of eqs) {
        const ann = this.find(segStart, eq, (t) => t.kind === 'op' && t.text === ':', depth0);
        this.target(segStart, ann < 0 ? eq : ann, st, false);
        if (ann >= 0) this.reads(ann + 1, eq, st.uses);
        segStart = eq + 1;
      }
      this.reads(segStart, to, st.uses);
      this.walrus(segStart, to, st.defs);
      this.stmts.push(st);
      return;
    }
    const ann = this.find(from, to, (t) => t.kind === 'op' && t.text === ':', depth0);
    if (ann >= 0 && (lambdaAt < 0 || lambdaAt > ann)) {
      const st = this.newStmt('annotation', from, to);
      this.reads(ann + 1, to, st.uses);
      this.stmts.push(st);
      return;
    }
    const st = this.newStmt('expr', from, to);
    this.reads(from, to, st.uses);
    this.walrus(from, to, st.defs);
    this.stmts.push(st);
  }
}

// ---------------------------------------------------------------------------
// Per-unit analysis, cached

const cache = new WeakMap<PythonFacts, UnitFlow>();

function magicEffects(unit: PythonUnit): { opaque: boolean; defs: string[] } {
  let opaque = false;
  const defs: string[] = [];
  for (const m of unit.magics) {
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

/** Statements of one unit (a cell or a module), computed once per distinct text. */
export function unitFlow(unit: PythonUnit): UnitFlow {
  const hit = cache.get(unit.facts);
  if (hit) return hit;
  let src = unit.text;
  // The body of a `%%writefile` script read as code (training.ts's code view): only its first line is a magic.
  if (/^\s*%%writefile\b/.test(src) && !unit.magics.some((m) => m.kind === 'cell' && m.name === 'writefile')) {
    const nl = src.indexOf('\n');
    src = ' '.repeat(nl < 0 ? src.length : nl) + (nl < 0 ? '' : src.slice(nl));
  }
  const masked = unit.magics.length ? maskMagics(src).masked : src;
  const tz = new Tokenizer(masked);
  tz.run();
  const reader = new StatementReader(masked, tz.tokens);
  reader.read();
  const magic = magicEffects(unit);
  let opaque = reader.opaque || magic.opaque;
  if (!opaque) {
    for (const c of unit.facts.calls) if (OPAQUE_CALLS.test(c.callee)) opaque = true;
    for (const st of reader.stmts) if (st.mutates.some((m) => m.name === 'globals' || m.name === 'locals' || m.name === 'vars' || m.name === 'builtins' || m.name === '__builtins__')) opaque = true;
  }
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

const namesCache = new WeakMap<UnitFlow, CellNames>();

export function cellNames(unit: PythonUnit): CellNames {
  const flow = unitFlow(unit);
  const hit = namesCache.get(flow);
  if (hit) return hit;
  const out: CellNames = { defs: new Map(), maybe: new Set(flow.magicDefs), uses: new Map(), opaque: flow.opaque };
  for (const st of flow.stmts) {
    if (st.fn >= 0) {
      for (const g of st.globals ?? []) out.maybe.add(g);
      continue;
    }
    for (const u of st.uses) if (!out.uses.has(u.name)) out.uses.set(u.name, u);
    for (const w of st.weakDefs) out.maybe.add(w.name);
    for (const d of st.defs) {
      if (st.inClass) out.maybe.add(d.name);
      else if (!out.defs.has(d.name)) out.defs.set(d.name, d);
    }
  }
  namesCache.set(flow, out);
  return out;
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
