import * as fs from 'node:fs';
import * as path from 'node:path';
import { Language, Parser, Query, type Node, type Tree } from 'web-tree-sitter';
import { surelyValid } from './python-grammar';
import { isStringPrefix, scanPython, splitTargets } from './python-text';

// tree-sitter is loaded once per process. Trees live in wasm memory: every parse
// here extracts plain facts and deletes its tree straight away.

let parserPromise: Promise<Parser> | undefined;
let parser: Parser | undefined;

function findWasm(file: string, pkg: string): string {
  // Next to the bundle (dist/), else from node_modules (tests run from sources).
  const candidates = [path.join(__dirname, file), path.join(__dirname, '..', file)];
  for (const c of candidates) if (fs.existsSync(c)) return c;
  return require.resolve(`${pkg}/${file}`);
}

/** Loads tree-sitter and the Python grammar; safe to call many times. */
export function initPython(): Promise<Parser> {
  parserPromise ??= (async () => {
    await Parser.init({ locateFile: () => findWasm('web-tree-sitter.wasm', 'web-tree-sitter') });
    const lang = await Language.load(findWasm('tree-sitter-python.wasm', 'tree-sitter-python'));
    const p = new Parser();
    p.setLanguage(lang);
    parser = p;
    return p;
  })();
  return parserPromise;
}

/** The parser, after `initPython()` resolved. */
export function pythonParser(): Parser {
  if (!parser) throw new Error('initPython() must be awaited before parsing Python');
  return parser;
}

/** Offsets into the unit's text, 0-based, UTF-16 (tree-sitter's indexes in web-tree-sitter). */
export interface Span {
  start: number;
  end: number;
}

export interface ArgFact {
  /** Keyword name, undefined for positional arguments. */
  name?: string;
  span: Span;
  valueSpan: Span;
  /** Node type of the value (`string`, `identifier`, `integer`, `call`, ...). */
  kind: string;
  /** Source text of the value. */
  text: string;
  /** Contents of a plain (non f-) string literal value. */
  str?: string;
}

export interface CallFact {
  /** Callee as dotted text, calls and subscripts in it collapsed: `pd.read_csv`, `Trainer().train`. */
  callee: string;
  /** Last segment of the callee: `read_csv`. */
  name: string;
  span: Span;
  calleeSpan: Span;
  args: ArgFact[];
  /** Target text when the call is the whole right side of an assignment. */
  assignedTo?: string[];
  /** Enclosing function name, if any. */
  inFunction?: string;
  /** Inside a `for`/`while` body. */
  inLoop: boolean;
}

export interface ImportFact {
  /** `import a.b as c` -> module `a.b`; `from a import b` -> module `a`. */
  module: string;
  /** Imported name for `from` imports. */
  name?: string;
  /** The local name bound. */
  alias: string;
  span: Span;
}

export interface StringFact {
  value: string;
  span: Span;
  fString: boolean;
}

export interface AssignmentFact {
  targets: string[];
  span: Span;
  valueSpan: Span;
  valueKind: string;
}

export interface FunctionFact {
  name: string;
  span: Span;
  nameSpan: Span;
}

export interface PythonFacts {
  calls: CallFact[];
  imports: ImportFact[];
  strings: StringFact[];
  assignments: AssignmentFact[];
  functions: FunctionFact[];
  /** First syntax error, if the code does not parse. */
  syntaxError?: { span: Span; message: string };
}

// A callee that is a plain dotted name (no call, subscript or whitespace) is already collapsed.
const NEEDS_COLLAPSE = /[\s([]/;

function collapse(text: string): string {
  if (!NEEDS_COLLAPSE.test(text)) return text;
  let t = text.replace(/\s+/g, '');
  // Innermost (...) and [...] groups become () and [] until none is left.
  for (let prev = ''; prev !== t; ) {
    prev = t;
    t = t.replace(/\([^()]*\)/g, '()').replace(/\[[^[\]]*\]/g, '[]');
  }
  return t;
}

function stringValue(n: Node, text: string): { value: string; fString: boolean } | undefined {
  if (n.type === 'concatenated_string') {
    let value = '';
    let fString = false;
    for (const c of n.namedChildren) {
      if (!c) continue;
      const v = stringValue(c, text);
      if (!v) return undefined;
      value += v.value;
      fString ||= v.fString;
    }
    return { value, fString };
  }
  if (n.type !== 'string') return undefined;
  const first = n.firstChild;
  const last = n.lastChild;
  if (!first || !last) return undefined;
  const prefix = text.slice(first.startIndex, first.endIndex);
  return { value: text.slice(first.endIndex, last.startIndex), fString: /f/i.test(prefix) };
}

function extractCall(n: Node, text: string, inFunction: string | undefined, inLoop: boolean): CallFact | undefined {
  const fn = n.childForFieldName('function');
  const argList = n.childForFieldName('arguments');
  if (!fn) return undefined;
  const callee = collapse(text.slice(fn.startIndex, fn.endIndex));
  const dot = callee.lastIndexOf('.');
  const args: ArgFact[] = [];
  if (argList && argList.type === 'argument_list') {
    for (const a of argList.namedChildren) {
      if (!a || a.type === 'comment') continue;
      if (a.type === 'keyword_argument') {
        const name = a.childForFieldName('name');
        const value = a.childForFieldName('value');
        if (!name || !value) continue;
        const sv = stringValue(value, text);
        args.push({
          name: text.slice(name.startIndex, name.endIndex),
          span: { start: a.startIndex, end: a.endIndex },
          valueSpan: { start: value.startIndex, end: value.endIndex },
          kind: value.type,
          text: text.slice(value.startIndex, value.endIndex),
          str: sv && !sv.fString ? sv.value : undefined,
        });
      } else {
        const sv = stringValue(a, text);
        args.push({
          span: { start: a.startIndex, end: a.endIndex },
          valueSpan: { start: a.startIndex, end: a.endIndex },
          kind: a.type,
          text: text.slice(a.startIndex, a.endIndex),
          str: sv && !sv.fString ? sv.value : undefined,
        });
      }
    }
  }
  let assignedTo: string[] | undefined;
  const parent = n.parent;
  if (parent && parent.type === 'assignment' && parent.childForFieldName('right')?.id === n.id) {
    const left = parent.childForFieldName('left');
    if (left) assignedTo = splitTargets(text.slice(left.startIndex, left.endIndex));
  }
  return {
    callee,
    name: dot >= 0 ? callee.slice(dot + 1) : callee,
    span: { start: n.startIndex, end: n.endIndex },
    calleeSpan: { start: fn.startIndex, end: fn.endIndex },
    args,
    assignedTo,
    inFunction,
    inLoop,
  };
}

function extractImports(n: Node, text: string, out: ImportFact[]): void {
  const span = { start: n.startIndex, end: n.endIndex };
  if (n.type === 'import_statement') {
    for (const c of n.namedChildren) {
      if (!c) continue;
      if (c.type === 'dotted_name') {
        const module = text.slice(c.startIndex, c.endIndex);
        out.push({ module, alias: module.split('.')[0], span });
      } else if (c.type === 'aliased_import') {
        const name = c.childForFieldName('name');
        const alias = c.childForFieldName('alias');
        if (name && alias) out.push({ module: text.slice(name.startIndex, name.endIndex), alias: text.slice(alias.startIndex, alias.endIndex), span });
      }
    }
    return;
  }
  const moduleNode = n.childForFieldName('module_name');
  const module = moduleNode ? text.slice(moduleNode.startIndex, moduleNode.endIndex) : '';
  for (const c of n.namedChildren) {
    if (!c || c.id === moduleNode?.id) continue;
    if (c.type === 'dotted_name') {
      const name = text.slice(c.startIndex, c.endIndex);
      out.push({ module, name, alias: name, span });
    } else if (c.type === 'aliased_import') {
      const name = c.childForFieldName('name');
      const alias = c.childForFieldName('alias');
      if (name && alias) out.push({ module, name: text.slice(name.startIndex, name.endIndex), alias: text.slice(alias.startIndex, alias.endIndex), span });
    } else if (c.type === 'wildcard_import') {
      out.push({ module, name: '*', alias: '*', span });
    }
  }
}

function firstError(n: Node): Node | undefined {
  if (n.type === 'ERROR' || n.isMissing) return n;
  for (const c of n.children) {
    if (c && c.hasError) {
      const e = firstError(c);
      if (e) return e;
    }
    if (c && (c.type === 'ERROR' || c.isMissing)) return c;
  }
  return undefined;
}

// Every property of a web-tree-sitter Node (`type`, `endIndex`, children, `parent`)
// is a call into wasm, and every node handed back is a new JS object: reading
// the facts off the nodes cost as much as the parse. So a tree without syntax
// errors is read from its text (python-text.ts) when that scan knows every shape
// in it, and otherwise takes the fast path below, which lets one query pick out
// the nodes of every fact with their parts, reads each end offset once and derives
// what the grammar fixes (a string's quotes, a call's end) from the source text.
// Both give the parts that `assemble` turns into facts. A tree with errors, where
// the grammar's shape cannot be relied on, takes the general path, which asks the
// tree for everything.

// General path: one query finds every node a fact comes from (a cursor walk in
// JavaScript cost as much as the parse itself).
const FACTS_QUERY = `
(call) @call
(import_statement) @import
(import_from_statement) @import
(concatenated_string) @string
(string) @string
(assignment) @assignment
(function_definition) @function
(for_statement) @loop
(while_statement) @loop
`;

// Fast path. Read with matches(): captures() hands over every node of a match
// once per capture of it. Matches come in the order they complete, so each kind
// is sorted back into tree order (by start, the enclosing node first). A node
// whose start or end equals a part's is not captured: a call starts with its
// callee and ends with its argument list, an assignment starts with its left side
// and ends with its right side, a keyword argument ends with its value.
const FAST_QUERY = `
(call function: (_) @callee arguments: [(argument_list) @args (generator_expression) @generator])
(assignment left: (_) @left right: (_) @right)
(function_definition name: (_) @name) @function
[(for_statement) (while_statement)] @loop
(import_statement name: (dotted_name) @name) @import
(import_statement name: (aliased_import name: (_) @name alias: (_) @alias)) @import
(import_from_statement module_name: (_) @module name: (dotted_name) @name) @import
(import_from_statement module_name: (_) @module name: (aliased_import name: (_) @name alias: (_) @alias)) @import
(import_from_statement module_name: (_) @module (wildcard_import)) @import
(concatenated_string) @string
(string) @string
`;
const P_CALL = 0;
const P_ASSIGNMENT = 1;
const P_FUNCTION = 2;
const P_LOOP = 3;
const P_IMPORT = 4;
const P_IMPORT_ALIASED = 5;
const P_FROM_IMPORT = 6;
const P_FROM_IMPORT_ALIASED = 7;
const P_FROM_IMPORT_WILDCARD = 8;
const P_CONCATENATED = 9;
const P_STRING = 10;

let factsQuery: Query | undefined;
let fastQuery: Query | undefined;
let valueField = -1;

function inside(spans: Span[], at: number): Span | undefined {
  let found: Span | undefined;
  for (const s of spans) {
    if (s.start > at) break;
    if (at < s.end) found = s; // innermost wins: later spans start inside earlier ones
  }
  return found;
}

function generalFacts(p: Parser, root: Node, source: string, facts: PythonFacts): void {
  factsQuery ??= new Query(p.language!, FACTS_QUERY);
  const captures = factsQuery.captures(root);
  const loops: Span[] = [];
  const fnSpans: Span[] = [];
  let concatEnd = -1;
  const pendingCalls: Node[] = [];
  for (const { name, node: n } of captures) {
    switch (name) {
      case 'call':
        pendingCalls.push(n);
        break;
      case 'import':
        extractImports(n, source, facts.imports);
        break;
      case 'string': {
        // Parts of a concatenated string are already in the whole.
        if (n.type === 'string' && n.startIndex < concatEnd) break;
        if (n.type === 'concatenated_string') concatEnd = n.endIndex;
        const v = stringValue(n, source);
        if (v) facts.strings.push({ value: v.value, span: { start: n.startIndex, end: n.endIndex }, fString: v.fString });
        break;
      }
      case 'assignment': {
        const left = n.childForFieldName('left');
        const right = n.childForFieldName('right');
        if (left && right) {
          facts.assignments.push({
            targets: splitTargets(source.slice(left.startIndex, left.endIndex)),
            span: { start: n.startIndex, end: n.endIndex },
            valueSpan: { start: right.startIndex, end: right.endIndex },
            valueKind: right.type,
          });
        }
        break;
      }
      case 'function': {
        const nameNode = n.childForFieldName('name');
        if (nameNode) {
          const span = { start: n.startIndex, end: n.endIndex };
          facts.functions.push({ name: source.slice(nameNode.startIndex, nameNode.endIndex), span, nameSpan: { start: nameNode.startIndex, end: nameNode.endIndex } });
          fnSpans.push(span);
        }
        break;
      }
      case 'loop':
        loops.push({ start: n.startIndex, end: n.endIndex });
        break;
    }
  }
  for (const n of pendingCalls) {
    const fn = inside(fnSpans, n.startIndex);
    const fname = fn ? facts.functions.find((f) => f.span === fn)?.name : undefined;
    const c = extractCall(n, source, fname, inside(loops, n.startIndex) !== undefined);
    if (c) facts.calls.push(c);
  }
}

export interface Ranged {
  start: number;
  end: number;
}

/** The parts facts are assembled from, captured from the tree or read from the text (python-text.ts). */
export interface StringNode extends Ranged {
  concatenated: boolean;
  /** A concatenation's named children: its parts, and any comment or line continuation between them. */
  named: number;
  value: string;
  fString: boolean;
  /** Has a value: false for a concatenation with a comment or line continuation between its parts. */
  ok: boolean;
}

export interface CallNode extends Ranged {
  calleeEnd: number;
  /** The argument_list; undefined for `f(x for x in y)`. */
  list: Node | undefined;
  /** Arguments read from the text (their `str` is filled in when the strings are known). */
  args?: ArgFact[];
}

export interface AssignmentNode extends Ranged {
  targets: string[];
  rightStart: number;
  kind: string;
}

export interface FunctionNode extends Ranged {
  name: string;
  nameStart: number;
  nameEnd: number;
}

export interface ImportNode {
  start: number;
  nameStart: number;
  fact: ImportFact;
}

export interface Captured {
  calls: CallNode[];
  strings: StringNode[];
  assignments: AssignmentNode[];
  functions: FunctionNode[];
  loops: Ranged[];
  imports: ImportNode[];
}

/** Sorts unless already in order (matches of non-nested nodes mostly come in order). */
function sortIfNeeded<T>(xs: T[], order: (a: T, b: T) => number): void {
  for (let i = 1; i < xs.length; i++) {
    if (order(xs[i - 1], xs[i]) > 0) {
      xs.sort(order);
      return;
    }
  }
}

function treeOrder(a: Ranged, b: Ranged): number {
  return a.start - b.start || b.end - a.end;
}

function importOrder(a: ImportNode, b: ImportNode): number {
  return a.start - b.start || a.nameStart - b.nameStart;
}

/**
 * `string` node [start, end): its string_start token is the prefix and one or
 * three quotes (one backtick), its string_end token the same quotes, except
 * that tree-sitter-python's scanner folds backslash sequences it skips in raw
 * and bytes strings (`r'\\'`) into string_end when nothing else precedes them:
 * there the tree tells where string_end starts.
 */
function plainString(node: Node, source: string, start: number, end: number): StringNode {
  let i = start;
  let fString = false;
  let rawOrBytes = false;
  for (let c = source.charCodeAt(i); isStringPrefix(c); c = source.charCodeAt(++i)) {
    if (c === 102 || c === 70) fString = true;
    else if (c === 114 || c === 82 || c === 98 || c === 66) rawOrBytes = true;
  }
  const quote = source.charCodeAt(i);
  const q = quote !== 96 && source.charCodeAt(i + 1) === quote && source.charCodeAt(i + 2) === quote ? 3 : 1;
  const contentStart = i + q;
  let contentEnd = end - q;
  if (rawOrBytes) {
    for (let k = contentStart; k < end; k++) {
      if (source.charCodeAt(k) === 92) {
        contentEnd = node.lastChild?.startIndex ?? contentEnd;
        break;
      }
    }
  }
  return { start, end, concatenated: false, named: 0, value: source.slice(contentStart, contentEnd), fString, ok: true };
}

// The end of a keyword argument's name: identifiers stop at whitespace, `=`, a comment or a line continuation.
const NAME_END = /[\s=#\\\u2060\u200B]/g;

function nameEnd(source: string, start: number): number {
  NAME_END.lastIndex = start;
  return NAME_END.exec(source)?.index ?? source.length;
}

// The callee ends right before its argument list unless padding separates them.
function endsCallee(c: number): boolean {
  // [A-Za-z0-9_] ) ] } " ' `
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || (c >= 48 && c <= 57) || c === 95 || c === 41 || c === 93 || c === 125 || c === 34 || c === 39 || c === 96;
}

function textOf(source: string, n: Node | undefined): string {
  return n ? source.slice(n.startIndex, n.endIndex) : '';
}

function strOf(plainAt: Map<number, StringNode>, concatenatedAt: Map<number, StringNode>, kind: string, start: number): string | undefined {
  const s = kind === 'string' ? plainAt.get(start) : kind === 'concatenated_string' ? concatenatedAt.get(start) : undefined;
  return s && s.ok && !s.fString ? s.value : undefined;
}

function capture(p: Parser, root: Node, source: string): Captured {
  fastQuery ??= new Query(p.language!, FAST_QUERY);
  if (valueField < 0) valueField = p.language!.fieldIdForName('value') ?? -1;
  const calls: CallNode[] = [];
  const strings: StringNode[] = [];
  const assignments: AssignmentNode[] = [];
  const functions: FunctionNode[] = [];
  const loops: Ranged[] = [];
  const imports: ImportNode[] = [];
  let importSpan: Span | undefined;
  for (const m of fastQuery.matches(root)) {
    const caps = m.captures;
    switch (m.patternIndex) {
      case P_CALL: {
        let callee: Node | undefined;
        let args: Node | undefined;
        let list: Node | undefined;
        for (const c of caps) {
          if (c.name === 'callee') callee = c.node;
          else {
            args = c.node;
            if (c.name === 'args') list = args;
          }
        }
        if (!callee || !args) break;
        const argsStart = args.startIndex;
        calls.push({ start: callee.startIndex, end: args.endIndex, calleeEnd: endsCallee(source.charCodeAt(argsStart - 1)) ? argsStart : callee.endIndex, list });
        break;
      }
      case P_ASSIGNMENT: {
        let left: Node | undefined;
        let right: Node | undefined;
        for (const c of caps) {
          if (c.name === 'left') left = c.node;
          else right = c.node;
        }
        if (!left || !right) break;
        const start = left.startIndex;
        assignments.push({ start, end: right.endIndex, targets: splitTargets(source.slice(start, left.endIndex)), rightStart: right.startIndex, kind: right.type });
        break;
      }
      case P_FUNCTION: {
        let node: Node | undefined;
        let name: Node | undefined;
        for (const c of caps) {
          if (c.name === 'function') node = c.node;
          else name = c.node;
        }
        if (!node || !name) break;
        const nameStart = name.startIndex;
        const nameEnd = name.endIndex;
        functions.push({ start: node.startIndex, end: node.endIndex, name: source.slice(nameStart, nameEnd), nameStart, nameEnd });
        break;
      }
      case P_LOOP: {
        const n = caps[0].node;
        loops.push({ start: n.startIndex, end: n.endIndex });
        break;
      }
      case P_IMPORT:
      case P_IMPORT_ALIASED:
      case P_FROM_IMPORT:
      case P_FROM_IMPORT_ALIASED:
      case P_FROM_IMPORT_WILDCARD: {
        let node: Node | undefined;
        let module: Node | undefined;
        let name: Node | undefined;
        let alias: Node | undefined;
        for (const c of caps) {
          if (c.name === 'import') node = c.node;
          else if (c.name === 'module') module = c.node;
          else if (c.name === 'name') name = c.node;
          else alias = c.node;
        }
        if (!node) break;
        const start = node.startIndex;
        // One span object per statement, shared by its names.
        if (importSpan?.start !== start) importSpan = { start, end: node.endIndex };
        const span = importSpan;
        let fact: ImportFact;
        const pi = m.patternIndex;
        if (pi === P_IMPORT) {
          const module = textOf(source, name);
          const dot = module.indexOf('.');
          fact = { module, alias: dot < 0 ? module : module.slice(0, dot), span };
        } else if (pi === P_IMPORT_ALIASED) fact = { module: textOf(source, name), alias: textOf(source, alias), span };
        else if (pi === P_FROM_IMPORT) {
          const n = textOf(source, name);
          fact = { module: textOf(source, module), name: n, alias: n, span };
        } else if (pi === P_FROM_IMPORT_ALIASED) fact = { module: textOf(source, module), name: textOf(source, name), alias: textOf(source, alias), span };
        else fact = { module: textOf(source, module), name: '*', alias: '*', span };
        imports.push({ start, nameStart: name ? name.startIndex : 0, fact });
        break;
      }
      case P_CONCATENATED: {
        const n = caps[0].node;
        strings.push({ start: n.startIndex, end: n.endIndex, concatenated: true, named: n.namedChildCount, value: '', fString: false, ok: false });
        break;
      }
      case P_STRING: {
        const n = caps[0].node;
        strings.push(plainString(n, source, n.startIndex, n.endIndex));
        break;
      }
    }
  }

  return { calls, strings, assignments, functions, loops, imports };
}

/** Facts from their captured parts, in tree order. */
function assemble(source: string, parts: Captured, facts: PythonFacts): void {
  const { calls, strings, assignments, functions, loops, imports } = parts;
  sortIfNeeded(imports, importOrder);
  for (const i of imports) facts.imports.push(i.fact);

  // Strings: a concatenation joins its direct parts (strings nested in their
  // interpolations start inside a previous part).
  sortIfNeeded(strings, treeOrder);
  const plainAt = new Map<number, StringNode>();
  const concatenatedAt = new Map<number, StringNode>();
  for (let i = 0; i < strings.length; i++) {
    const s = strings[i];
    if (!s.concatenated) {
      plainAt.set(s.start, s);
      continue;
    }
    let parts = 0;
    let partEnd = -1;
    for (let j = i + 1; j < strings.length && strings[j].start < s.end; j++) {
      const part = strings[j];
      if (part.start < partEnd) continue;
      s.value += part.value;
      s.fString ||= part.fString;
      partEnd = part.end;
      parts++;
    }
    // Anything else between the parts (a comment, a line continuation) leaves the value unknown.
    s.ok = parts === s.named;
    concatenatedAt.set(s.start, s);
  }
  let concatEnd = -1;
  for (const s of strings) {
    // Parts of a concatenated string are already in the whole.
    if (!s.concatenated && s.start < concatEnd) continue;
    if (s.concatenated) concatEnd = s.end;
    if (s.ok) facts.strings.push({ value: s.value, span: { start: s.start, end: s.end }, fString: s.fString });
  }

  sortIfNeeded(assignments, treeOrder);
  // Right sides by start; a call is one when it also ends there.
  const assignedAt = new Map<number, AssignmentNode>();
  for (const a of assignments) {
    facts.assignments.push({ targets: a.targets, span: { start: a.start, end: a.end }, valueSpan: { start: a.rightStart, end: a.end }, valueKind: a.kind });
    assignedAt.set(a.rightStart, a);
  }

  sortIfNeeded(functions, treeOrder);
  for (const f of functions) facts.functions.push({ name: f.name, span: { start: f.start, end: f.end }, nameSpan: { start: f.nameStart, end: f.nameEnd } });
  sortIfNeeded(loops, treeOrder);

  // Calls in tree order; the enclosing function and loop by a sweep over spans sorted the same way.
  sortIfNeeded(calls, treeOrder);
  const openFunctions: FunctionNode[] = [];
  const openLoops: Ranged[] = [];
  let fi = 0;
  let li = 0;
  for (const c of calls) {
    const at = c.start;
    while (fi < functions.length && functions[fi].start <= at) openFunctions.push(functions[fi++]);
    while (openFunctions.length > 0 && openFunctions[openFunctions.length - 1].end <= at) openFunctions.pop();
    while (li < loops.length && loops[li].start <= at) openLoops.push(loops[li++]);
    while (openLoops.length > 0 && openLoops[openLoops.length - 1].end <= at) openLoops.pop();
    const callee = collapse(source.slice(at, c.calleeEnd));
    const dot = callee.lastIndexOf('.');
    let args: ArgFact[] = [];
    if (c.args) {
      args = c.args;
      for (const a of args) a.str = strOf(plainAt, concatenatedAt, a.kind, a.valueSpan.start);
    } else if (c.list) {
      for (const a of c.list.namedChildren) {
        if (!a) continue;
        const type = a.type;
        if (type === 'comment') continue;
        if (type === 'keyword_argument') {
          const value = a.childForFieldId(valueField);
          if (!value) continue;
          const start = a.startIndex;
          const valueStart = value.startIndex;
          const end = value.endIndex;
          const kind = value.type;
          args.push({
            name: source.slice(start, nameEnd(source, start)),
            span: { start, end },
            valueSpan: { start: valueStart, end },
            kind,
            text: source.slice(valueStart, end),
            str: strOf(plainAt, concatenatedAt, kind, valueStart),
          });
        } else {
          const start = a.startIndex;
          const end = a.endIndex;
          args.push({ span: { start, end }, valueSpan: { start, end }, kind: type, text: source.slice(start, end), str: strOf(plainAt, concatenatedAt, type, start) });
        }
      }
    }
    const assignment = assignedAt.get(at);
    const fn = openFunctions.length > 0 ? openFunctions[openFunctions.length - 1] : undefined;
    facts.calls.push({
      callee,
      name: dot >= 0 ? callee.slice(dot + 1) : callee,
      span: { start: at, end: c.end },
      calleeSpan: { start: at, end: c.calleeEnd },
      args,
      assignedTo: assignment && assignment.end === c.end ? assignment.targets.slice() : undefined,
      inFunction: fn?.name,
      inLoop: openLoops.length > 0,
    });
  }
}

/** Read facts from the text when possible (python-text.ts; off: always read the tree; for tests). */
let factsFromText = true;

/** Tests: compare the text reading of the facts (python-text.ts) with the tree's. */
export function setFactsFromText(on: boolean): void {
  factsFromText = on;
}

/** Skip the tree-sitter parse of text the scan proves free of syntax errors (python-grammar.ts; off: always parse, for tests). */
let skipParseOfValidText = true;

/** Texts read so far: proven free of syntax errors without a parse, or parsed by tree-sitter (for the benchmark). */
export const factsCounts = { proven: 0, parsed: 0 };

/** Tests: parse every text with tree-sitter, as before python-grammar.ts. */
export function setSkipParseOfValidText(on: boolean): void {
  skipParseOfValidText = on;
}

/** Parses (already masked) Python and extracts the facts rules read. */
export function extractFacts(source: string): PythonFacts {
  const facts: PythonFacts = { calls: [], imports: [], strings: [], assignments: [], functions: [] };
  // The text scan reads the facts of most cells; when it also proves the text free of
  // syntax errors, tree-sitter has nothing to add.
  const scanned = factsFromText ? scanPython(source, skipParseOfValidText ? surelyValid : undefined) : undefined;
  if (scanned?.valid) {
    factsCounts.proven++;
    assemble(source, scanned, facts);
    return facts;
  }
  factsCounts.parsed++;
  const p = pythonParser();
  const tree: Tree | null = p.parse(source);
  if (!tree) return facts;
  try {
    const root = tree.rootNode;
    if (!root.hasError) {
      assemble(source, scanned || capture(p, root, source), facts);
      return facts;
    }
    const e = firstError(root);
    if (e) {
      facts.syntaxError = {
        span: { start: e.startIndex, end: Math.max(e.endIndex, e.startIndex) },
        message: e.isMissing ? `expected ${e.type}` : 'invalid syntax',
      };
    }
    generalFacts(p, root, source, facts);
    return facts;
  } finally {
    tree.delete();
  }
}
