import * as fs from 'node:fs';
import * as path from 'node:path';
import { Language, Parser, Query, type Node, type Tree } from 'web-tree-sitter';

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

function collapse(text: string): string {
  let t = text.replace(/\s+/g, '');
  // Innermost (...) and [...] groups become () and [] until none is left.
  for (let prev = ''; prev !== t; ) {
    prev = t;
    t = t.replace(/\([^()]*\)/g, '()').replace(/\[[^[\]]*\]/g, '[]');
  }
  return t;
}

function splitTargets(text: string): string[] {
  // `(a, b) = ...` and `[a, b] = ...` unpack; `os.environ["X"] = ...` keeps its bracket.
  const t = text.trim();
  const inner = (t.startsWith('(') && t.endsWith(')')) || (t.startsWith('[') && t.endsWith(']')) ? t.slice(1, -1) : t;
  return inner
    .split(',')
    .map((s) => s.trim().replace(/^\*/, ''))
    .filter((s) => s.length > 0);
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

// One query finds every node a fact comes from: the walk happens inside wasm and
// only the captured nodes cross into JavaScript (a full cursor walk cost as much
// as the parse itself).
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

let factsQuery: Query | undefined;

function inside(spans: Span[], at: number): Span | undefined {
  let found: Span | undefined;
  for (const s of spans) {
    if (s.start > at) break;
    if (at < s.end) found = s; // innermost wins: later spans start inside earlier ones
  }
  return found;
}

/** Parses (already masked) Python and extracts the facts rules read. */
export function extractFacts(source: string): PythonFacts {
  const p = pythonParser();
  const tree: Tree | null = p.parse(source);
  const facts: PythonFacts = { calls: [], imports: [], strings: [], assignments: [], functions: [] };
  if (!tree) return facts;
  try {
    const root = tree.rootNode;
    if (root.hasError) {
      const e = firstError(root);
      if (e) {
        facts.syntaxError = {
          span: { start: e.startIndex, end: Math.max(e.endIndex, e.startIndex) },
          message: e.isMissing ? `expected ${e.type}` : 'invalid syntax',
        };
      }
    }
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
    return facts;
  } finally {
    tree.delete();
  }
}
