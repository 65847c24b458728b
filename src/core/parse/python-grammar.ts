import { NAME, NUM, OP, OPEN, STR, type Scanned, type Tokens } from './python-text';

// Whether a cell is surely free of syntax errors, read from the tokens the text scan
// (python-text.ts) already made: then the engine needs no tree-sitter parse of it at all,
// since its facts come from that scan and there is no error to report.
//
// This is a strict recursive-descent reading of a subset of Python 3: it answers true
// only for text it reads completely under rules at least as strict as both CPython's and
// tree-sitter-python's, and false for anything else (which tree-sitter then parses, as
// before). False is always safe; true must never be said of a text tree-sitter finds an
// error in. Tests hold that on generated programs, on every corpus cell and on thousands
// of mutants of them (a token dropped, doubled, swapped or inserted, a line re-indented).
//
// Left to tree-sitter (answered false): starred expressions outside calls, displays and
// assignment targets; `:=` outside parentheses, call arguments and `if`/`elif`/`while`
// conditions; parenthesized `with` items; `async` comprehensions; positional-only `/`;
// `except*`; Python 2 numbers; string prefixes other than r, u, b, f and their pairs;
// `print`/`exec` as names that are bound; a first statement that is indented; a `\r` not
// followed by `\n`, and NUL.

class Invalid extends Error {}
const INVALID = new Invalid();

function no(): never {
  throw INVALID;
}

/** Words that are never an identifier (True, False, None are values). */
const KEYWORDS = new Set([
  'False', 'None', 'True', 'and', 'as', 'assert', 'async', 'await', 'break', 'class', 'continue', 'def', 'del', 'elif', 'else', 'except',
  'finally', 'for', 'from', 'global', 'if', 'import', 'in', 'is', 'lambda', 'nonlocal', 'not', 'or', 'pass', 'raise', 'return', 'try',
  'while', 'with', 'yield',
]);
/** Names tree-sitter-python also knows as statements (`print x`, `exec code`): not bound here. */
const NOT_BOUND = new Set(['print', 'exec']);
const COMPARISON = new Set(['==', '!=', '<', '>', '<=', '>=']);
const AUGMENTED = new Set(['+=', '-=', '*=', '/=', '//=', '%=', '@=', '&=', '|=', '^=', '>>=', '<<=', '**=']);
const TERM = new Set(['*', '/', '//', '%', '@']);
const NUMBER =
  /^(?:[1-9](?:_?[0-9])*|0+(?:_?0)*|0[xX](?:_?[0-9a-fA-F])+|0[oO](?:_?[0-7])+|0[bB](?:_?[01])+|(?:(?:[0-9](?:_?[0-9])*)?\.[0-9](?:_?[0-9])*|[0-9](?:_?[0-9])*\.)(?:[eE][-+]?[0-9](?:_?[0-9])*)?[jJ]?|[0-9](?:_?[0-9])*(?:[eE][-+]?[0-9](?:_?[0-9])*[jJ]?|[jJ]))$/;
const STRING_PREFIX = /^(?:|[rRuUbBfF]|[bB][rR]|[rR][bB]|[fF][rR]|[rR][fF])$/;

class Reader {
  p: number;

  constructor(
    readonly src: string,
    readonly t: Tokens,
    from: number,
    /** Past the last token the current construct may use. */
    public b: number,
  ) {
    this.p = from;
  }

  at(op: string): boolean {
    const { t, p } = this;
    return p < this.b && t.kind[p] === OP && t.text[p] === op;
  }

  word(w: string): boolean {
    const { t, p } = this;
    return p < this.b && t.kind[p] === NAME && t.text[p] === w;
  }

  eat(op: string): boolean {
    if (!this.at(op)) return false;
    this.p++;
    return true;
  }

  expect(op: string): void {
    if (!this.eat(op)) no();
  }

  expectWord(w: string): void {
    if (!this.word(w)) no();
    this.p++;
  }

  end(): boolean {
    return this.p >= this.b;
  }

  /** An identifier that is bound or declared (a target, a parameter, an imported name). */
  identifier(): void {
    const { t, p } = this;
    if (p >= this.b || t.kind[p] !== NAME || KEYWORDS.has(t.text[p]) || NOT_BOUND.has(t.text[p])) no();
    this.p++;
  }

  /** The contents of the bracket at `this.p`, read by `inner` up to its partner; then past it. */
  inside(inner: () => void): void {
    const o = this.p;
    if (o >= this.b || this.t.kind[o] !== OPEN) no();
    const c = this.t.link[o];
    if (c <= o || c >= this.b) no();
    const outer = this.b;
    this.p = o + 1;
    this.b = c;
    inner();
    if (this.p !== c) no();
    this.b = outer;
    this.p = c + 1;
  }

  openIs(ch: string): boolean {
    return this.p < this.b && this.t.kind[this.p] === OPEN && this.t.text[this.p] === ch;
  }

  // -- expressions ---------------------------------------------------------

  /** `name := value` or an expression. */
  named(): void {
    const { t, p } = this;
    if (p + 1 < this.b && t.kind[p] === NAME && t.kind[p + 1] === OP && t.text[p + 1] === ':=') {
      this.identifier();
      this.p++;
      this.expression();
      return;
    }
    this.expression();
  }

  expression(): void {
    if (this.word('lambda')) return this.lambda();
    this.disjunction();
    if (this.word('if')) {
      this.p++;
      this.disjunction();
      this.expectWord('else');
      this.expression();
    }
  }

  private lambda(): void {
    this.p++;
    if (!this.at(':')) {
      for (;;) {
        if (this.eat('*')) {
          if (!this.at(',') && !this.at(':')) this.identifier();
        } else if (this.eat('**')) this.identifier();
        else {
          this.identifier();
          if (this.eat('=')) this.expression();
        }
        if (!this.eat(',') || this.at(':')) break;
      }
    }
    this.expect(':');
    this.expression();
  }

  disjunction(): void {
    this.conjunction();
    while (this.word('or')) {
      this.p++;
      this.conjunction();
    }
  }

  private conjunction(): void {
    this.inversion();
    while (this.word('and')) {
      this.p++;
      this.inversion();
    }
  }

  private inversion(): void {
    if (this.word('not')) {
      this.p++;
      return this.inversion();
    }
    this.comparison();
  }

  private comparison(): void {
    this.bitOr();
    const t = this.t;
    for (;;) {
      const p = this.p;
      if (p >= this.b) return;
      const kind = t.kind[p];
      const text = t.text[p];
      if (kind === OP && COMPARISON.has(text)) this.p++;
      else if (kind === NAME && text === 'in') this.p++;
      else if (kind === NAME && text === 'not' && p + 1 < this.b && t.kind[p + 1] === NAME && t.text[p + 1] === 'in') this.p += 2;
      else if (kind === NAME && text === 'is') {
        this.p++;
        if (this.word('not')) this.p++;
      } else return;
      this.bitOr();
    }
  }

  /** Binary operators from `|` down to `*`: one loop, each operand a unary expression. */
  bitOr(): void {
    const t = this.t;
    this.factor();
    for (;;) {
      const p = this.p;
      if (p >= this.b || t.kind[p] !== OP) return;
      const op = t.text[p];
      if (!(op === '|' || op === '^' || op === '&' || op === '<<' || op === '>>' || op === '+' || op === '-' || TERM.has(op))) return;
      this.p++;
      this.factor();
    }
  }

  private factor(): void {
    if (this.at('+') || this.at('-') || this.at('~')) {
      this.p++;
      return this.factor();
    }
    if (this.word('await')) this.p++;
    this.primary();
    if (this.eat('**')) this.factor();
  }

  /** An atom and its trailers (`.name`, calls, subscripts); true when it can be assigned to (a name, an attribute, a subscript). */
  primary(): boolean {
    let assignable = this.atom();
    const t = this.t;
    for (;;) {
      const p = this.p;
      if (p >= this.b) return assignable;
      const kind = t.kind[p];
      if (kind === OP && t.text[p] === '.') {
        this.p++;
        if (this.p >= this.b || t.kind[this.p] !== NAME || KEYWORDS.has(t.text[this.p])) no();
        this.p++;
        assignable = true;
      } else if (kind === OPEN && t.text[p] === '(') {
        this.inside(() => this.callArguments());
        assignable = false;
      } else if (kind === OPEN && t.text[p] === '[') {
        this.inside(() => this.subscript());
        assignable = true;
      } else return assignable;
    }
  }

  /** One atom; true when it is a name. */
  private atom(): boolean {
    const { t, p } = this;
    if (p >= this.b) no();
    const kind = t.kind[p];
    const text = t.text[p];
    if (kind === NAME) {
      if (text === 'True' || text === 'False' || text === 'None') {
        this.p++;
        return false;
      }
      if (KEYWORDS.has(text)) no();
      this.p++;
      return true;
    }
    if (kind === NUM) {
      if (!NUMBER.test(text)) no();
      this.p++;
      return false;
    }
    if (kind === STR) {
      while (this.p < this.b && t.kind[this.p] === STR) {
        const s = t.start[this.p];
        let q = s;
        while (this.src.charCodeAt(q) !== 34 && this.src.charCodeAt(q) !== 39) q++;
        if (!STRING_PREFIX.test(this.src.slice(s, q))) no();
        this.p++;
      }
      return false;
    }
    if (kind === OP && text === '...') {
      this.p++;
      return false;
    }
    if (kind !== OPEN) no();
    if (text === '(') this.inside(() => this.parenthesized());
    else if (text === '[') this.inside(() => this.list());
    else this.inside(() => this.braces());
    return false;
  }

  /** A display element: `*value` or a (named) expression; true when starred. */
  private element(): boolean {
    if (this.eat('*')) {
      this.bitOr();
      return true;
    }
    this.named();
    return false;
  }

  private parenthesized(): void {
    if (this.end()) return;
    if (this.word('yield')) return this.yieldExpression();
    const starred = this.element();
    if (!starred && this.comprehensionNext()) return this.comprehension();
    if (!this.eat(',')) {
      // `(*a)` is no tuple.
      if (starred) no();
      return;
    }
    while (!this.end()) {
      this.element();
      if (!this.eat(',')) break;
    }
  }

  private list(): void {
    if (this.end()) return;
    const starred = this.element();
    if (!starred && this.comprehensionNext()) return this.comprehension();
    while (this.eat(',') && !this.end()) this.element();
  }

  private braces(): void {
    if (this.end()) return;
    const item = (): boolean => {
      if (this.eat('**')) {
        this.bitOr();
        return true;
      }
      this.expression();
      this.expect(':');
      this.expression();
      return true;
    };
    if (this.at('**')) {
      item();
      while (this.eat(',') && !this.end()) item();
      return;
    }
    if (this.at('*')) {
      this.element();
      while (this.eat(',') && !this.end()) this.element();
      return;
    }
    const t = this.t;
    const p = this.p;
    // `{x := 1}` is a set; else the first expression is a key when a `:` follows it
    // (each text is read once: reading a key twice would double at every nested level).
    const walrus = p + 1 < this.b && t.kind[p] === NAME && t.kind[p + 1] === OP && t.text[p + 1] === ':=';
    if (walrus) this.named();
    else this.expression();
    if (!walrus && this.eat(':')) {
      this.expression();
      if (this.comprehensionNext()) return this.comprehension();
      while (this.eat(',') && !this.end()) item();
      return;
    }
    if (this.comprehensionNext()) return this.comprehension();
    while (this.eat(',') && !this.end()) this.element();
  }

  private comprehensionNext(): boolean {
    return this.word('for') || this.word('async');
  }

  private comprehension(): void {
    while (this.word('for')) {
      this.p++;
      this.targets('in');
      this.expectWord('in');
      this.disjunction();
      while (this.word('if')) {
        this.p++;
        this.disjunction();
      }
    }
    // `async for` and anything else left over.
    if (!this.end()) no();
  }

  /** Call arguments; a class's bases and keywords are the same without a generator. */
  callArguments(generator = true): void {
    const t = this.t;
    let first = generator;
    while (!this.end()) {
      const p = this.p;
      if (this.eat('*') || this.eat('**')) this.expression();
      else if (p + 1 < this.b && t.kind[p] === NAME && t.kind[p + 1] === OP && t.text[p + 1] === '=') {
        this.identifier();
        this.p++;
        this.expression();
      } else {
        this.named();
        if (first && this.comprehensionNext()) return this.comprehension();
      }
      first = false;
      if (!this.eat(',')) break;
    }
  }

  private subscript(): void {
    if (this.end()) no();
    for (;;) {
      const stop = (): boolean => this.end() || this.at(',') || this.at(':');
      if (!this.at(':')) this.expression();
      if (this.eat(':')) {
        if (!stop()) this.expression();
        if (this.eat(':') && !stop()) this.expression();
      }
      if (!this.eat(',') || this.end()) break;
    }
  }

  private yieldExpression(): void {
    this.p++;
    if (this.word('from')) {
      this.p++;
      this.expression();
      return;
    }
    if (this.end() || this.at(')') || this.at('=') || this.at(';')) return;
    this.expressions();
  }

  /** Expressions separated by commas, a trailing comma allowed; no stars. */
  expressions(): void {
    this.expression();
    while (this.eat(',') && !this.end() && !this.at('=') && !this.at(';') && !this.at(':')) this.expression();
  }

  // -- targets -------------------------------------------------------------

  /** One target: a name, an attribute, a subscript, or a parenthesized or bracketed list of targets. */
  target(star: boolean): void {
    if (star && this.eat('*')) return this.target(false);
    const t = this.t;
    const p = this.p;
    if (p < this.b && t.kind[p] === OPEN && t.text[p] !== '{') {
      const c = t.link[p];
      const next = c + 1;
      // A bracket followed by a trailer is a primary (`(a).b`, `[x][0]`): read it as one below.
      const trailer = next < this.b && ((t.kind[next] === OP && t.text[next] === '.') || (t.kind[next] === OPEN && t.text[next] !== '{'));
      if (!trailer) {
        this.inside(() => {
          if (this.end()) no();
          this.targets(undefined);
        });
        return;
      }
    }
    this.assignable();
  }

  /** A name, an attribute or a subscript; `print = ...` and `exec = ...` are left to tree-sitter (`print.x = ...` is an attribute). */
  private assignable(): void {
    const start = this.p;
    if (!this.primary() || (this.p === start + 1 && NOT_BOUND.has(this.t.text[start]))) no();
  }

  /** Targets separated by commas (a trailing comma allowed), up to the word `until` or the end. */
  targets(until: string | undefined): void {
    for (;;) {
      this.target(true);
      if (!this.eat(',')) return;
      if (this.end() || (until !== undefined && this.word(until))) return;
    }
  }

  /** A single target of an annotated or augmented assignment: a name, an attribute or a subscript. */
  singleTarget(from: number, to: number): void {
    const r = new Reader(this.src, this.t, from, to);
    r.assignable();
    if (r.p !== to) no();
  }

  /** Targets of an assignment, at tokens [from, to). */
  assignmentTargets(from: number, to: number): void {
    const r = new Reader(this.src, this.t, from, to);
    r.targets(undefined);
    if (r.p !== to) no();
  }

  // -- statements ----------------------------------------------------------

  /** Simple statements separated by `;`, up to the end. */
  simpleStatements(): void {
    for (;;) {
      this.simpleStatement();
      if (this.end()) return;
      this.expect(';');
      if (this.end()) return;
    }
  }

  private simpleStatement(): void {
    const { t, p } = this;
    const w = t.kind[p] === NAME ? t.text[p] : '';
    switch (w) {
      case 'pass':
      case 'break':
      case 'continue':
        this.p++;
        return;
      case 'return':
        this.p++;
        if (!this.end() && !this.at(';')) this.expressions();
        return;
      case 'raise':
        this.p++;
        if (this.end() || this.at(';')) return;
        this.expression();
        if (this.word('from')) {
          this.p++;
          this.expression();
        }
        return;
      case 'global':
      case 'nonlocal':
        this.p++;
        this.identifier();
        while (this.eat(',')) this.identifier();
        return;
      case 'del':
        this.p++;
        for (;;) {
          this.target(false);
          if (!this.eat(',') || this.end() || this.at(';')) return;
        }
      case 'assert':
        this.p++;
        this.expression();
        if (this.eat(',')) this.expression();
        return;
      case 'import':
        this.p++;
        for (;;) {
          this.dottedName();
          if (this.word('as')) {
            this.p++;
            this.identifier();
          }
          if (!this.eat(',')) return;
        }
      case 'from':
        return this.fromImport();
      case 'yield':
        return this.yieldExpression();
      default:
        return this.expressionStatement();
    }
  }

  private dottedName(): void {
    this.identifier();
    while (this.eat('.')) this.identifier();
  }

  private fromImport(): void {
    this.p++;
    let dots = false;
    while (this.at('.') || this.at('...')) {
      this.p++;
      dots = true;
    }
    // `from __future__ import *` is no statement tree-sitter-python knows.
    const future = !dots && this.word('__future__');
    if (!this.word('import')) this.dottedName();
    else if (!dots) no();
    this.expectWord('import');
    if (!future && this.eat('*')) return;
    const names = (trailing: boolean): void => {
      for (;;) {
        this.identifier();
        if (this.word('as')) {
          this.p++;
          this.identifier();
        }
        if (!this.eat(',')) return;
        if (trailing && this.end()) return;
      }
    };
    if (this.openIs('(')) this.inside(() => names(true));
    else names(false);
  }

  private expressionStatement(): void {
    const t = this.t;
    const start = this.p;
    // Read as expressions first (stars allowed, as in targets); what an `=` follows is then read again as targets.
    let starred = false;
    for (;;) {
      if (this.eat('*')) {
        starred = true;
        this.bitOr();
      } else this.expression();
      if (!this.eat(',') || this.end() || this.at('=') || this.at(';')) break;
    }
    const p = this.p;
    if (p >= this.b || (t.kind[p] === OP && t.text[p] === ';')) {
      if (starred) no();
      return;
    }
    const op = t.kind[p] === OP ? t.text[p] : '';
    if (op === '=') {
      let from = start;
      while (this.at('=')) {
        this.assignmentTargets(from, this.p);
        this.p++;
        from = this.p;
        if (this.word('yield')) {
          this.yieldExpression();
          break;
        }
        this.expressions();
      }
      return;
    }
    if (op === ':') {
      if (starred) no();
      this.singleTarget(start, p);
      this.p++;
      this.expression();
      if (this.eat('=')) {
        if (this.word('yield')) this.yieldExpression();
        else this.expressions();
      }
      return;
    }
    if (AUGMENTED.has(op)) {
      if (starred) no();
      this.singleTarget(start, p);
      this.p++;
      if (this.word('yield')) this.yieldExpression();
      else this.expressions();
      return;
    }
    no();
  }

  /** Function parameters inside the parentheses: names with annotations and defaults, `*`, `*args`, `**kwargs`. */
  parameters(): void {
    while (!this.end()) {
      if (this.eat('*')) {
        if (!this.at(',')) {
          this.identifier();
          if (this.eat(':')) this.expression();
        }
      } else if (this.eat('**')) {
        this.identifier();
        if (this.eat(':')) this.expression();
      } else {
        this.identifier();
        if (this.eat(':')) this.expression();
        if (this.eat('=')) this.expression();
      }
      if (!this.eat(',')) return;
    }
  }

}

/** What a statement at one indentation level allows next: the clauses that may continue it. */
const enum Open {
  None,
  /** After `if` or `elif`: `elif`, `else`. */
  If,
  /** After `for` or `while`: `else`. */
  Loop,
  /** After `try`: `except` or `finally` must come. */
  Try,
  /** After `except`: `except`, `else`, `finally`. */
  Except,
  /** After a `try`'s `else`: `finally`. */
  TryElse,
  /** After a decorator: another decorator, `def` or `class` must come. */
  Decorator,
}

/** True when every statement and block of the scanned text reads as valid Python (see the top of this file). */
export function surelyValid(scan: Scanned): boolean {
  const { src } = scan;
  if (/\r(?!\n)/.test(src) || src.includes('\0')) return false;
  try {
    for (const t of scan.interpolations) {
      const r = new Reader(src, t, 0, t.length);
      r.expression();
      if (!r.end()) return false;
    }
    return blocks(scan);
  } catch (e) {
    if (e === INVALID || e instanceof RangeError || e instanceof TypeError) return false;
    throw e;
  }
}

function blocks(scan: Scanned): boolean {
  const { src, main: t, lines } = scan;
  const indents: number[] = [];
  const open: Open[] = [];
  let expectBlock = false;
  for (const line of lines) {
    if (line.first < 0) continue;
    const indent = line.indent;
    if (indents.length === 0) {
      if (indent !== 0) return false;
      indents.push(0);
      open.push(Open.None);
    } else if (expectBlock) {
      if (indent <= indents[indents.length - 1]) return false;
      indents.push(indent);
      open.push(Open.None);
      expectBlock = false;
    } else {
      while (indent < indents[indents.length - 1]) {
        const closed = open.pop();
        if (closed === Open.Try || closed === Open.Decorator) return false;
        indents.pop();
      }
      if (indent !== indents[indents.length - 1]) return false;
    }
    const level = open.length - 1;
    const before = open[level];
    const r = new Reader(src, t, line.first, line.last);
    const w = t.kind[line.first] === NAME ? t.text[line.first] : '';
    let next = Open.None;
    let header = true;
    if (before === Open.Decorator && !(w === 'def' || w === 'class' || w === 'async' || r.at('@'))) return false;
    if (before === Open.Try && w !== 'except' && w !== 'finally') return false;
    switch (w) {
      case 'if':
      case 'while':
        r.p++;
        r.named();
        next = w === 'if' ? Open.If : Open.Loop;
        break;
      case 'elif':
        if (before !== Open.If) return false;
        r.p++;
        r.named();
        next = Open.If;
        break;
      case 'else':
        if (before !== Open.If && before !== Open.Loop && before !== Open.Except) return false;
        r.p++;
        next = before === Open.Except ? Open.TryElse : Open.None;
        break;
      case 'try':
        r.p++;
        next = Open.Try;
        break;
      case 'except':
        if (before !== Open.Try && before !== Open.Except) return false;
        r.p++;
        if (!r.at(':')) {
          r.expression();
          if (r.word('as')) {
            r.p++;
            r.identifier();
          }
        }
        next = Open.Except;
        break;
      case 'finally':
        if (before !== Open.Try && before !== Open.Except && before !== Open.TryElse) return false;
        r.p++;
        break;
      case 'async':
        r.p++;
        if (r.word('def')) def(r);
        else if (before === Open.Decorator) return false;
        else if (r.word('for')) next = forHeader(r);
        else if (r.word('with')) withHeader(r);
        else return false;
        break;
      case 'for':
        next = forHeader(r);
        break;
      case 'with':
        withHeader(r);
        break;
      case 'def':
        def(r);
        break;
      case 'class':
        r.p++;
        r.identifier();
        if (r.openIs('(')) r.inside(() => r.callArguments(false));
        break;
      default:
        header = false;
    }
    if (header) {
      r.expect(':');
      if (r.end()) expectBlock = true;
      else r.simpleStatements();
    } else if (r.at('@')) {
      r.p++;
      r.expression();
      if (!r.end()) return false;
      next = Open.Decorator;
    } else r.simpleStatements();
    open[level] = next;
  }
  if (expectBlock) return false;
  return !open.some((o) => o === Open.Try || o === Open.Decorator);
}

function def(r: Reader): void {
  r.p++;
  r.identifier();
  r.inside(() => r.parameters());
  if (r.eat('->')) r.expression();
}

function forHeader(r: Reader): Open {
  r.p++;
  r.targets('in');
  r.expectWord('in');
  r.expressions();
  return Open.Loop;
}

function withHeader(r: Reader): void {
  r.p++;
  for (;;) {
    r.expression();
    if (r.word('as')) {
      r.p++;
      r.target(false);
    }
    if (!r.eat(',')) return;
  }
}
