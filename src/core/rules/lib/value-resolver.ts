// Value resolution for path arguments: a tiny evaluator of the expressions that
// build paths (string literals, simple assignments across cells, `os.path.join`,
// `Path / "x"`, f-strings, function parameter defaults), shared by the data rules.
import type { ArgFact, AssignmentFact, CallFact, PythonFacts, Span } from '../../parse/python';
import type { PythonProgram, PythonUnit } from '../../parse/program';
import { isAsciiNameChar, isAsciiNameStart } from '../../text';

// ---------------------------------------------------------------------------
// Per-unit summaries, cached across lint runs (shared by the rule libraries).
//
// The engine hands out the same facts object for a unit while its text is
// unchanged (UnitCache), so a summary cached by facts is recomputed only for
// the edited cell. A summary depends on its unit alone: never store a unit,
// a program or a ResolvedCall in it (they are new objects every run), only
// facts (CallFact, spans, strings). `qualifiedMemo` summaries may also use the
// program's import aliases (`qualify`): they are recomputed when an import of
// any unit changes. Rules then combine the small summaries of all units.

// Every memo owns one slot in a per-facts array; a program keeps the slot arrays
// of its units for the run, so `all(program)` costs an array read per unit.
let slotCount = 0;
/** Stands for a cached `undefined`. */
const NONE = Symbol('none');
const factsSlots = new WeakMap<PythonFacts, unknown[]>();
/** Per program and run: the slot arrays of its units, the `all` arrays made, its alias key. */
interface ProgramSlots {
  slots: unknown[][];
  all: unknown[][];
  key?: object;
  /** `program.qualify`, remembered for the run: every qualified memo reads the same callees. */
  qualify?: (dotted: string) => string;
  /**
   * The previous program with the same units at most positions (the last lint
   * before a one-cell edit): its `all` arrays and alias key, and the positions
   * whose facts changed since. `all` then copies the old array and recomputes
   * only those positions.
   */
  prev?: { all: unknown[][]; key?: object; changed: number[]; importsChanged: boolean };
}

function qualifierOf(program: PythonProgram, p: ProgramSlots): (dotted: string) => string {
  if (!p.qualify) {
    const seen = new Map<string, string>();
    p.qualify = (dotted) => {
      let q = seen.get(dotted);
      if (q === undefined) seen.set(dotted, (q = program.qualify(dotted)));
      return q;
    };
  }
  return p.qualify;
}

const programSlots = new WeakMap<PythonProgram, ProgramSlots>();

function slotsOf(unit: PythonUnit): unknown[] {
  let slots = factsSlots.get(unit.facts);
  if (!slots) factsSlots.set(unit.facts, (slots = []));
  return slots;
}

/**
 * The slot arrays of the last few programs, by position: a re-lint after an
 * edit has the same facts at almost every position, found by comparing
 * identities instead of a WeakMap lookup per unit.
 */
const recentSlots: Array<{ facts: PythonFacts[]; slots: unknown[][]; p: ProgramSlots }> = [];

/** The program asked about last, and its slots: scans ask for the same program unit after unit. */
let lastProgram: PythonProgram | undefined;
let lastSlots: ProgramSlots | undefined;

function programSlotsOf(program: PythonProgram): ProgramSlots {
  if (program === lastProgram) return lastSlots!;
  let p = programSlots.get(program);
  if (p) {
    lastProgram = program;
    lastSlots = p;
    return p;
  }
  const units = program.units;
  const n = units.length;
  const facts = new Array<PythonFacts>(n);
  for (let i = 0; i < n; i++) facts[i] = units[i].facts;
  const prev = recentSlots.find((r) => r.facts.length === n && (n === 0 || r.facts[0] === facts[0] || r.facts[n - 1] === facts[n - 1]));
  const slots = new Array<unknown[]>(n);
  p = { slots, all: [] };
  if (prev) {
    const changed: number[] = [];
    let importsChanged = false;
    for (let i = 0; i < n; i++) {
      if (prev.facts[i] === facts[i]) slots[i] = prev.slots[i];
      else {
        slots[i] = slotsOf(units[i]);
        changed.push(i);
        importsChanged ||= prev.facts[i].imports.length > 0 || facts[i].imports.length > 0;
      }
    }
    // Only when few positions changed: copying the old arrays then costs less than reading every slot.
    if (changed.length * 4 <= n) p.prev = { all: prev.p.all, key: prev.p.key, changed, importsChanged };
    // One step back only: the old program lets go of its own predecessor.
    prev.p.prev = undefined;
    recentSlots.splice(recentSlots.indexOf(prev), 1);
  } else {
    for (let i = 0; i < n; i++) slots[i] = slotsOf(units[i]);
  }
  recentSlots.unshift({ facts, slots, p });
  if (recentSlots.length > 2) recentSlots.pop();
  programSlots.set(program, p);
  lastProgram = program;
  lastSlots = p;
  return p;
}

/** A per-unit summary that depends on the unit's text alone (facts, magics, lines). */
export interface UnitMemo<T> {
  (unit: PythonUnit): T;
  /** The summaries of every unit of a program, in order (one array per program and memo). */
  all(program: PythonProgram): readonly T[];
  /** The summary of the i-th unit of a program: for scans that stop at the first hit. */
  at(program: PythonProgram, i: number): T;
}

/** A per-unit summary that may also use the program's import aliases (`qualify`). */
export interface QualifiedMemo<T> {
  (unit: PythonUnit, program: PythonProgram): T;
  all(program: PythonProgram): readonly T[];
  at(program: PythonProgram, i: number): T;
}

export function unitMemo<T>(compute: (unit: PythonUnit) => T): UnitMemo<T> {
  const id = slotCount++;
  const memo = ((unit: PythonUnit): T => {
    const slots = slotsOf(unit);
    const v = slots[id];
    if (v !== undefined) return (v === NONE ? undefined : v) as T;
    const value = compute(unit);
    slots[id] = value === undefined ? NONE : value;
    return value;
  }) as UnitMemo<T>;
  const read = (s: unknown[], unit: PythonUnit): T => {
    let v = s[id];
    if (v === undefined) {
      const value = compute(unit);
      v = s[id] = value === undefined ? NONE : value;
    }
    return (v === NONE ? undefined : v) as T;
  };
  memo.all = (program) => {
    const p = programSlotsOf(program);
    const cached = p.all[id] as T[] | undefined;
    if (cached) return cached;
    const slots = p.slots;
    const n = slots.length;
    const old = p.prev?.all[id] as T[] | undefined;
    let out: T[];
    if (old && old.length === n) {
      // The units at the other positions are the same: so are their summaries.
      out = old.slice();
      for (const i of p.prev!.changed) out[i] = read(slots[i], program.units[i]);
    } else {
      out = new Array<T>(n);
      for (let i = 0; i < n; i++) out[i] = read(slots[i], program.units[i]);
    }
    p.all[id] = out;
    return out;
  };
  memo.at = (program, i) => {
    const s = programSlotsOf(program).slots[i];
    let v = s[id];
    if (v === undefined) {
      const value = compute(program.units[i]);
      v = s[id] = value === undefined ? NONE : value;
    }
    return (v === NONE ? undefined : v) as T;
  };
  return memo;
}

/** A value of a qualified memo, with the alias key it was read under and how the unit's callee heads qualified then. */
interface QualifiedEntry<T> {
  key: object;
  value: T;
  fulls: readonly string[];
}

/** The distinct first segments of a unit's callees (`np` of `np.random.rand`), in order. */
const calleeHeads = unitMemo((unit): readonly string[] => {
  const heads: string[] = [];
  for (const c of unit.facts.calls) {
    const dot = c.callee.indexOf('.');
    const head = dot < 0 ? c.callee : c.callee.slice(0, dot);
    if (!heads.includes(head)) heads.push(head);
  }
  return heads;
});

/** Slot of a unit's qualified callee heads under the last alias key (shared by every qualified memo). */
const HEADS_SLOT = slotCount++;

/**
 * What a unit's callee heads qualify to under the program's imports: the same
 * array object as long as they qualify the same, so kept summaries are checked
 * by identity. Computed once per unit and alias key, for all qualified memos.
 */
function unitFulls(s: unknown[], unit: PythonUnit, key: object, program: PythonProgram, p: ProgramSlots): readonly string[] {
  const last = s[HEADS_SLOT] as { key: object; fulls: readonly string[] } | undefined;
  if (last && last.key === key) return last.fulls;
  // A head has no dot: qualifying it is qualifying the whole name, through the same cache.
  const qualifyHead = qualifierOf(program, p);
  const heads = calleeHeads(unit);
  let fulls: readonly string[] | undefined = last?.fulls;
  if (!fulls || fulls.length !== heads.length || heads.some((h, i) => qualifyHead(h) !== fulls![i])) fulls = heads.map(qualifyHead);
  s[HEADS_SLOT] = { key, fulls };
  return fulls;
}

/**
 * Per unit: `classify` applied to its calls, through `qualifiedMemo`. A dotted
 * callee whose last segment is not in `names` is skipped without qualifying it
 * (qualifying keeps the last segment, so `classify` could not match it anyway).
 */
export function classifiedCalls<T>(names: ReadonlySet<string>, classify: (rc: { call: CallFact; qualified: string }) => T | undefined): QualifiedMemo<readonly T[]> {
  const none: readonly T[] = [];
  return qualifiedMemo((unit, qualify): readonly T[] => {
    let out: T[] | undefined;
    for (const call of unit.facts.calls) {
      if (call.callee.includes('.') && !names.has(call.name)) continue;
      const v = classify({ call, qualified: qualify(call.callee) });
      if (v !== undefined) (out ??= []).push(v);
    }
    return out ?? none;
  });
}

/**
 * A per-unit summary that may also read the unit's callee names qualified
 * through the program's imports (`qualify(call.callee)` for calls of the unit,
 * nothing else), and nothing else of other units. A value is kept with the
 * alias key it was computed under and what the unit's callee heads qualified
 * to then: when the program's imports change (another cell imports
 * something), the value is reused as long as the unit's own names qualify as
 * before, so an import edit recomputes only the cells whose names it rebinds.
 * The last two values are kept (a notebook's cells are also units of its
 * `%%writefile`-aware program, whose imports may differ).
 */
export function qualifiedMemo<T>(compute: (unit: PythonUnit, qualify: (dotted: string) => string) => T): QualifiedMemo<T> {
  // Two slots: the entry of the last read, and the one before.
  const id = slotCount;
  slotCount += 2;
  const same = (e: QualifiedEntry<T> | undefined, fulls: readonly string[]): boolean =>
    !!e && (e.fulls === fulls || (e.fulls.length === fulls.length && e.fulls.every((f, i) => f === fulls[i])));
  const get = (s: unknown[], key: object, unit: PythonUnit, program: PythonProgram, p: ProgramSlots): T => {
    const last = s[id] as QualifiedEntry<T> | undefined;
    if (last && last.key === key) return last.value;
    const before = s[id + 1] as QualifiedEntry<T> | undefined;
    if (before && before.key === key) {
      s[id] = before;
      s[id + 1] = last;
      return before.value;
    }
    const fulls = unitFulls(s, unit, key, program, p);
    const reuse = same(last, fulls) ? last : same(before, fulls) ? before : undefined;
    const entry: QualifiedEntry<T> = { key, value: reuse ? reuse.value : compute(unit, qualifierOf(program, p)), fulls };
    s[id + 1] = last;
    s[id] = entry;
    return entry.value;
  };
  const memo = ((unit: PythonUnit, program: PythonProgram): T => {
    const p = programSlotsOf(program);
    return get(slotsOf(unit), (p.key ??= aliasKey(program)), unit, program, p);
  }) as QualifiedMemo<T>;
  memo.all = (program) => {
    const p = programSlotsOf(program);
    const cached = p.all[id] as T[] | undefined;
    if (cached) return cached;
    const key = (p.key ??= aliasKey(program));
    const slots = p.slots;
    const n = slots.length;
    const old = p.prev && p.prev.key === key ? (p.prev.all[id] as T[] | undefined) : undefined;
    let out: T[];
    if (old && old.length === n) {
      // Same imports, and the units at the other positions are the same: so are their summaries.
      out = old.slice();
      for (const i of p.prev!.changed) out[i] = get(slots[i], key, program.units[i], program, p);
    } else {
      out = new Array<T>(n);
      for (let i = 0; i < n; i++) {
        const s = slots[i];
        const e = s[id] as QualifiedEntry<T> | undefined;
        out[i] = e && e.key === key ? e.value : get(s, key, program.units[i], program, p);
      }
    }
    p.all[id] = out;
    return out;
  };
  memo.at = (program, i) => {
    const p = programSlotsOf(program);
    const key = (p.key ??= aliasKey(program));
    const s = p.slots[i];
    const e = s[id] as QualifiedEntry<T> | undefined;
    return e && e.key === key ? e.value : get(s, key, program.units[i], program, p);
  };
  return memo;
}

/**
 * The first unit (in order) whose summary `pick` finds something in: a scan that
 * stops there, as the whole-program loops it replaces did.
 */
export function firstIn<T, R>(program: PythonProgram, memo: { at(program: PythonProgram, i: number): T }, pick: (v: T) => R | undefined): R | undefined {
  const n = program.units.length;
  for (let i = 0; i < n; i++) {
    const r = pick(memo.at(program, i));
    if (r !== undefined) return r;
  }
  return undefined;
}

/**
 * The dotted prefixes a unit's imports answer for (`import a.b.c` -> a, a.b,
 * a.b.c; `from a import b` -> also a.b), alias-independent and cached across
 * runs: import questions read a set per unit with imports.
 */
interface ImportPrefixes {
  /** Prefixes of the modules and of `module.name` for `from` imports (`importsAny`). */
  names: Set<string>;
  /** Prefixes of the modules only (`PythonProgram.importsAny`). */
  modules: Set<string>;
}

function addPrefixes(set: Set<string>, dotted: string): void {
  set.add(dotted);
  for (let i = dotted.indexOf('.'); i >= 0; i = dotted.indexOf('.', i + 1)) set.add(dotted.slice(0, i));
}

const unitImportPrefixes = unitMemo((unit): ImportPrefixes | undefined => {
  if (unit.facts.imports.length === 0) return undefined;
  const names = new Set<string>();
  const modules = new Set<string>();
  for (const i of unit.facts.imports) {
    addPrefixes(modules, i.module);
    addPrefixes(names, i.module);
    if (i.name && i.name !== '*') addPrefixes(names, `${i.module}.${i.name}`);
  }
  return { names, modules };
});

/** Answers of import questions per program, by kind and prefix list (several rules ask the same). */
const importsMemo = new WeakMap<PythonProgram, Map<string, boolean>>();

function importsQuery(program: PythonProgram, prefixes: readonly string[], kind: 'names' | 'modules'): boolean {
  let memo = importsMemo.get(program);
  if (!memo) importsMemo.set(program, (memo = new Map()));
  const key = kind + '\n' + prefixes.join('\n');
  let v = memo.get(key);
  if (v === undefined) {
    v = false;
    const units = program.units;
    let all: ReadonlyArray<ImportPrefixes | undefined> | undefined;
    for (let i = 0; i < units.length && !v; i++) {
      if (units[i].facts.imports.length === 0) continue;
      const set = (all ??= unitImportPrefixes.all(program))[i]![kind];
      for (const p of prefixes) {
        if (set.has(p)) {
          v = true;
          break;
        }
      }
    }
    memo.set(key, v);
  }
  return v;
}

/** True when the program imports a module at or under a prefix, `from a import b` counting as `a.b`. */
export function importsAny(program: PythonProgram, prefixes: readonly string[]): boolean {
  return importsQuery(program, prefixes, 'names');
}

/** `program.importsAny(prefixes)` (modules only, not `from a import b` names), remembered per program. */
export function importsModule(program: PythonProgram, prefixes: readonly string[]): boolean {
  return importsQuery(program, prefixes, 'modules');
}

/** Positions of units in a program, found on demand (most runs ask about a few units only). */
export class UnitIndex {
  private readonly known = new Map<PythonUnit, number>();

  constructor(private readonly units: readonly PythonUnit[]) {}

  /** The unit's position, undefined when it is not a unit of the program. */
  get(unit: PythonUnit): number | undefined {
    let i = this.known.get(unit);
    if (i === undefined) this.known.set(unit, (i = this.units.indexOf(unit)));
    return i < 0 ? undefined : i;
  }
}

const unitIndexes = new WeakMap<PythonProgram, UnitIndex>();

/** Position of each unit in its program (one index per program, shared by the libraries). */
export function unitIndexOf(program: PythonProgram): UnitIndex {
  let m = unitIndexes.get(program);
  if (!m) unitIndexes.set(program, (m = new UnitIndex(program.units)));
  return m;
}

/** `alias=target` lines of a unit's imports, as PythonProgram builds its alias map. */
const importLines = unitMemo((unit): string => {
  let s = '';
  for (const imp of unit.facts.imports) {
    if (imp.alias === '*') continue;
    const target = imp.name ? `${imp.module}.${imp.name}` : imp.alias === imp.module.split('.')[0] ? imp.alias : imp.module;
    s += `${imp.alias}=${target}\n`;
  }
  return s;
});

const aliasKeys = new WeakMap<PythonProgram, object>();
/** Interned alias maps: the same text gives the same key object from run to run. */
const internedAliases = new Map<string, object>();

/**
 * An object that stands for the program's import aliases: the same object in
 * every lint run whose imports (in order) are the same, so summaries computed
 * with `qualify` stay valid until an import changes.
 */
/** The import lines of the last programs and their keys: most runs find their imports unchanged here. */
const recentAliases: Array<{ lines: string[]; key: object }> = [];

export function aliasKey(program: PythonProgram): object {
  let key = aliasKeys.get(program);
  if (key) return key;
  // No import changed since the previous program at these positions: the same aliases.
  const prev = programSlotsOf(program).prev;
  if (prev?.key && !prev.importsChanged) {
    aliasKeys.set(program, prev.key);
    return prev.key;
  }
  const lines: string[] = [];
  const units = program.units;
  let all: readonly string[] | undefined;
  for (let i = 0; i < units.length; i++) if (units[i].facts.imports.length) lines.push((all ??= importLines.all(program))[i]);
  key = recentAliases.find((r) => r.lines.length === lines.length && r.lines.every((l, i) => l === lines[i]))?.key ?? internAliases(lines.join(''));
  if (!recentAliases.some((r) => r.key === key)) {
    recentAliases.unshift({ lines, key });
    if (recentAliases.length > 4) recentAliases.pop();
  }
  aliasKeys.set(program, key);
  return key;
}

function internAliases(text: string): object {
  let key = internedAliases.get(text);
  if (!key) {
    key = {};
    internedAliases.set(text, key);
    if (internedAliases.size > 200) internedAliases.delete(internedAliases.keys().next().value as string);
  }
  return key;
}

/**
 * A small cache keyed by text, for results computed from texts that have no
 * facts object (markdown cells, outputs, embedded scripts). Bounded in entries
 * and in the total length of the keys; the oldest go first.
 */
export class TextCache<V> {
  private readonly map = new Map<string, V>();
  private chars = 0;

  /**
   * @param maxEntries most entries kept
   * @param maxChars most characters of keys kept, in total
   * @param maxText longer keys are not cached at all
   */
  constructor(
    private readonly maxEntries: number,
    private readonly maxChars = Infinity,
    private readonly maxText = maxChars / 4,
  ) {}

  get(text: string): V | undefined {
    return this.map.get(text);
  }

  set(text: string, value: V): void {
    if (text.length > this.maxText) return;
    if (this.map.has(text)) this.map.delete(text);
    else this.chars += text.length;
    this.map.set(text, value);
    while (this.map.size > this.maxEntries || this.chars > this.maxChars) {
      const oldest = this.map.keys().next().value as string;
      this.map.delete(oldest);
      this.chars -= oldest.length;
    }
  }
}

/** File extensions that look like data (for `open()` and generic loaders). */
export const DATA_EXTENSIONS = /\.(csv|tsv|parquet|pq|json|jsonl|ndjson|xlsx?|feather|arrow|h5|hdf5?|npy|npz|pkl|pickle|tfrecords?|txt|zip|gz|tar|avro|orc|mat)$/i;

/** Placeholder for parts of a value that could not be resolved. */
export const UNKNOWN = '\u2026';

export interface ResolvedValue {
  text: string;
  /** Every part is known (no UNKNOWN in `text`). */
  complete: boolean;
  /** A guess: the file name given to a helper the engine does not know (`script_path("movies.csv")`). */
  approx?: boolean;
  /** Where the literal that gave the value is, when it came through a variable. */
  origin?: { unit: PythonUnit; span: Span; name: string };
}

// ---------------------------------------------------------------------------
// Value resolution: a tiny evaluator for the expressions that build paths.

type Tok = { t: 'str'; v: string; f: boolean; raw: boolean; start: number } | { t: 'name'; v: string; start: number } | { t: 'num'; v: string; start: number } | { t: 'op'; v: string; start: number };

function isStringPrefixLetter(c: number): boolean {
  // r R b B u U f F
  return c === 114 || c === 82 || c === 98 || c === 66 || c === 117 || c === 85 || c === 102 || c === 70;
}

/** `[\d_.eEjJxXoObB]` */
function isNumberChar(c: number): boolean {
  return (c >= 48 && c <= 57) || c === 95 || c === 46 || c === 101 || c === 69 || c === 106 || c === 74 || c === 120 || c === 88 || c === 111 || c === 79 || c === 98 || c === 66;
}

/** `** // == != <= >= -> :=` */
function isTwoCharOp(c: number, c1: number): boolean {
  switch (c) {
    case 42: // *
    case 47: // /
      return c1 === c;
    case 61: // =
    case 33: // !
    case 60: // <
    case 62: // >
    case 58: // :
      return c1 === 61;
    case 45: // -
      return c1 === 62;
    default:
      return false;
  }
}

/**
 * Tokens of an expression: strings (prefix, escapes read), names (at most 200
 * characters), numbers (at most 50), two-character operators, other characters
 * one by one. Undefined for a string that does not close.
 */
function tokenize(src: string): Tok[] | undefined {
  const out: Tok[] = [];
  const n = src.length;
  let i = 0;
  while (i < n) {
    const c = src.charCodeAt(i);
    if (c === 32 || c === 9 || c === 10 || c === 13 || c === 92) {
      i++;
      continue;
    }
    if (c === 35) {
      const nl = src.indexOf('\n', i);
      i = nl < 0 ? n : nl;
      continue;
    }
    // A string: up to two prefix letters, then a quote (one or three).
    let p = i;
    while (p - i < 2 && p < n && isStringPrefixLetter(src.charCodeAt(p))) p++;
    const qc = p < n ? src.charCodeAt(p) : 0;
    if (qc === 34 || qc === 39) {
      const triple = p + 2 < n && src.charCodeAt(p + 1) === qc && src.charCodeAt(p + 2) === qc;
      const prefix = src.slice(i, p).toLowerCase();
      const raw = prefix.includes('r');
      let j = p + (triple ? 3 : 1);
      let body = '';
      let chunk = j;
      for (;;) {
        if (j >= n) return undefined;
        const ch = src.charCodeAt(j);
        if (ch === qc && (!triple || (j + 2 < n && src.charCodeAt(j + 1) === qc && src.charCodeAt(j + 2) === qc))) break;
        if (ch === 92 && j + 1 < n) {
          body += src.slice(chunk, j);
          const e = src[j + 1];
          if (raw) body += '\\' + e;
          else if (e === '\\' || e === "'" || e === '"') body += e;
          else if (e === 'n') body += '\n';
          else if (e === 't') body += '\t';
          else if (e !== '\n') body += '\\' + e;
          j += 2;
          chunk = j;
          continue;
        }
        if (!triple && ch === 10) return undefined;
        j++;
      }
      body += src.slice(chunk, j);
      out.push({ t: 'str', v: body, f: prefix.includes('f'), raw, start: i });
      i = j + (triple ? 3 : 1);
      continue;
    }
    if (isAsciiNameStart(c)) {
      let k = i + 1;
      while (k < n && k - i < 200 && isAsciiNameChar(src.charCodeAt(k))) k++;
      out.push({ t: 'name', v: src.slice(i, k), start: i });
      i = k;
      continue;
    }
    if (c >= 48 && c <= 57) {
      let k = i + 1;
      while (k < n && k - i < 50 && isNumberChar(src.charCodeAt(k))) k++;
      out.push({ t: 'num', v: src.slice(i, k), start: i });
      i = k;
      continue;
    }
    if (i + 1 < n && isTwoCharOp(c, src.charCodeAt(i + 1))) {
      out.push({ t: 'op', v: src.slice(i, i + 2), start: i });
      i += 2;
      continue;
    }
    out.push({ t: 'op', v: src[i], start: i });
    i++;
  }
  return out;
}

const known = (text: string): ResolvedValue => ({ text, complete: !text.includes(UNKNOWN) });
const unknownValue = (): ResolvedValue => ({ text: UNKNOWN, complete: false });

function joinPaths(parts: ResolvedValue[]): ResolvedValue {
  let text = '';
  let approx = false;
  for (const p of parts) {
    approx ||= !!p.approx;
    const t = p.text;
    // os.path.join / Path: an absolute part restarts the path.
    if (/^(\/|~|[A-Za-z]:[\\/]|[a-z][a-z0-9+.-]*:\/\/)/i.test(t)) text = t;
    else if (text === '' || text.endsWith('/') || text.endsWith('\\')) text += t;
    else text += '/' + t;
  }
  return { ...known(text), approx: approx || undefined, origin: parts.find((p) => p.origin)?.origin };
}

function parentOf(v: ResolvedValue): ResolvedValue {
  const t = v.text.replace(/[/\\]+$/, '');
  if (t === '__file__' || t === '.' || t === '') return { ...v, text: t === '.' ? '..' : '.' };
  if (t.endsWith('..')) return { ...v, text: t + '/..' };
  const i = Math.max(t.lastIndexOf('/'), t.lastIndexOf('\\'));
  if (i < 0) return { ...v, text: '.' };
  return { ...v, text: t.slice(0, i) || '/' };
}

const PATH_JOIN = /^(os\.path\.join|posixpath\.join|ntpath\.join|pathlib\.(Pure|Posix|Windows|PurePosix)?Path|upath\.UPath|cloudpathlib\.(CloudPath|S3Path|GSPath|AzureBlobPath)|str|os\.fspath|os\.path\.(normpath|abspath|realpath|expanduser)|tf\.io\.gfile\.join|tensorflow\.io\.gfile\.join)$/;
const DOWNLOAD_CALL = /(get_file|download|retrieve|fetch|cached_path|urlopen|hf_hub_download|snapshot_download|load_dataset|load_from_hub)\w*$/i;
const CWD = /^(os\.getcwd|os\.getcwdb|pathlib\.Path\.cwd|pathlib\.Path\.home)$/;
const PATH_METHODS_SAME = new Set(['absolute', 'resolve', 'expanduser', 'as_posix', 'strip', 'rstrip', 'lstrip', 'lower', 'upper', '__str__']);

interface Assignment {
  unitIndex: number;
  start: number;
  end: number;
  unit: PythonUnit;
  valueSpan: Span;
}

interface Parameter {
  name: string;
  index: number;
  /** Source text of the default value and where it starts in the unit. */
  dflt?: { text: string; start: number };
}

interface FunctionScope {
  name: string;
  unit: PythonUnit;
  span: Span;
  params: Parameter[];
  /** First parameter is `self`/`cls`. */
  method: boolean;
}

/** Parameters of a `def` from its source text (`def f(a, b: str = "x", *args, **kw):`). */
function parseParams(text: string, base: number): Parameter[] {
  const open = text.indexOf('(');
  if (open < 0) return [];
  const out: Parameter[] = [];
  let depth = 0;
  let start = open + 1;
  let quote = '';
  const pieces: Array<{ text: string; start: number }> = [];
  for (let i = open + 1; i < text.length; i++) {
    const c = text[i];
    if (quote) {
      if (c === '\\') i++;
      else if (c === quote) quote = '';
      continue;
    }
    if (c === '"' || c === "'") quote = c;
    else if (c === '(' || c === '[' || c === '{') depth++;
    else if ((c === ')' || c === ']' || c === '}') && depth > 0) depth--;
    else if ((c === ',' || c === ')') && depth === 0) {
      pieces.push({ text: text.slice(start, i), start });
      start = i + 1;
      if (c === ')') break;
    }
  }
  let index = 0;
  for (const p of pieces) {
    const m = /^(\s*)(\*{0,2})([A-Za-z_]\w*)\s*(?::[^=]*)?(?:=\s*)?/.exec(p.text);
    if (!m || m[2]) continue;
    const eq = p.text.indexOf('=', m[1].length + m[3].length);
    const hasDefault = eq >= 0 && p.text[eq + 1] !== '=';
    const dText = hasDefault ? p.text.slice(eq + 1) : '';
    const lead = dText.length - dText.trimStart().length;
    out.push({ name: m[3], index: index++, dflt: hasDefault ? { text: dText.trim(), start: base + p.start + eq + 1 + lead } : undefined });
  }
  return out;
}

interface ScopeShape {
  name: string;
  span: Span;
  params: Parameter[];
  method: boolean;
}

/** The functions a unit defines, with their parameters (read from the `def` header). */
const unitScopes = unitMemo((unit): ScopeShape[] =>
  unit.facts.functions.length === 0 ? [] : unit.facts.functions.map((f) => {
    const header = unit.text.slice(f.nameSpan.end, Math.min(f.span.end, f.nameSpan.end + 4000));
    const params = parseParams(header, f.nameSpan.end);
    return { name: f.name, span: f.span, params, method: params[0]?.name === 'self' || params[0]?.name === 'cls' };
  }),
);

/** A unit's single-target assignments by target (cached across runs): name lookups read one map per unit. */
const unitAssignmentsByTarget = unitMemo((unit): Map<string, AssignmentFact[]> | undefined => {
  let out: Map<string, AssignmentFact[]> | undefined;
  for (const a of unit.facts.assignments) {
    if (a.targets.length !== 1) continue;
    out ??= new Map();
    const t = a.targets[0];
    const list = out.get(t);
    if (list) list.push(a);
    else out.set(t, [a]);
  }
  return out;
});

/** A unit's calls by the callee's last segment (cached across runs): call sites of a function in one lookup per unit. */
const NO_CALL_FACTS: CallFact[] = [];

const unitCallsByName = unitMemo((unit): Map<string, CallFact[]> => {
  const out = new Map<string, CallFact[]>();
  for (const c of unit.facts.calls) {
    const list = out.get(c.name);
    if (list) list.push(c);
    else out.set(c.name, [c]);
  }
  return out;
});

/**
 * Resolves expressions to the strings they build, through the program's simple
 * assignments (`DATA = "data/train.csv"`). Cached per program: rules share it.
 * The per-unit tables behind it are cached across lint runs (unitMemo), so a
 * resolver costs only the names it is asked about.
 */
export class ValueResolver {
  private readonly named = new Map<string, Assignment[]>();
  private readonly scopesByUnit = new Map<PythonUnit, FunctionScope[]>();
  private paramNames?: Set<string>;
  private functionNames?: Set<string>;
  // Memos: a program is linted once, so values do not change under them.
  private readonly assignmentValues = new Map<Assignment, ResolvedValue>();
  private readonly paramValues = new Map<string, ResolvedValue>();
  /**
   * By unit, then argument: the facts (and so the argument objects) of cells
   * with the same text are shared, but a value depends on where the cell is.
   */
  private readonly argValues = new Map<PythonUnit, Map<ArgFact, ResolvedValue>>();
  constructor(readonly program: PythonProgram) {}

  private indexOf(unit: PythonUnit): number | undefined {
    return unitIndexOf(this.program).get(unit);
  }

  /** Every simple assignment of `name`, in execution order. */
  private assignmentsOf(name: string): Assignment[] {
    let list = this.named.get(name);
    if (list) return list;
    list = [];
    // Only simple names are looked up in the table (`DATA`, `cfg.path`).
    if (/^[A-Za-z_][\w.]*$/.test(name)) {
      const units = this.program.units;
      const byTarget = unitAssignmentsByTarget.all(this.program);
      for (let unitIndex = 0; unitIndex < units.length; unitIndex++) {
        const found = byTarget[unitIndex]?.get(name);
        if (!found) continue;
        const unit = units[unitIndex];
        for (const a of found) list.push({ unitIndex, start: a.span.start, end: a.span.end, unit, valueSpan: a.valueSpan });
      }
    }
    this.named.set(name, list);
    return list;
  }

  /** The assignment of `name` that is in effect at a point (the last one before it, else the first). */
  assignmentOf(name: string, unit: PythonUnit, offset: number): Assignment | undefined {
    const list = this.assignmentsOf(name);
    if (!list.length) return undefined;
    const ui = this.indexOf(unit) ?? 0;
    let best: Assignment | undefined;
    for (const a of list) if (a.unitIndex < ui || (a.unitIndex === ui && a.end <= offset)) best = a;
    return best ?? list[0];
  }

  /** The functions `unit` defines (none when it is not a unit of this program). */
  private scopesOf(unit: PythonUnit): FunctionScope[] {
    let scopes = this.scopesByUnit.get(unit);
    if (!scopes) {
      scopes = this.indexOf(unit) === undefined ? [] : unitScopes(unit).map((s) => ({ ...s, unit }));
      this.scopesByUnit.set(unit, scopes);
    }
    return scopes;
  }

  /** The innermost function around a point that has a parameter `name`. */
  private scopeWithParam(name: string, unit: PythonUnit, offset: number): FunctionScope | undefined {
    let best: FunctionScope | undefined;
    for (const f of this.scopesOf(unit)) {
      if (offset < f.span.start || offset >= f.span.end) continue;
      if (best && f.span.start < best.span.start) continue;
      best = f;
    }
    return best && best.params.some((p) => p.name === name) ? best : undefined;
  }

  /** A parameter's value: its default, else the argument of the first call site that resolves. */
  private resolveParam(scope: FunctionScope, name: string, depth: number, seen: Set<Assignment>): ResolvedValue {
    const key = `${scope.unit.cell ?? -1}:${scope.span.start}:${name}`;
    const memo = this.paramValues.get(key);
    if (memo) return memo;
    // Recursion guard while the callers are evaluated.
    this.paramValues.set(key, unknownValue());
    const v = this.computeParam(scope, name, depth, seen);
    this.paramValues.set(key, v);
    return v;
  }

  private computeParam(scope: FunctionScope, name: string, depth: number, seen: Set<Assignment>): ResolvedValue {
    const param = scope.params.find((p) => p.name === name);
    if (!param || depth > 6) return unknownValue();
    const byName = unitCallsByName.all(this.program);
    const units = this.program.units;
    for (let ui = 0; ui < units.length; ui++) {
      const unit = units[ui];
      for (const call of byName[ui].get(scope.name) ?? NO_CALL_FACTS) {
        if (call.callee !== scope.name && !call.callee.endsWith('.' + scope.name)) continue;
        const index = param.index - (scope.method && call.callee.includes('.') ? 1 : 0);
        const arg = call.args.find((a) => a.name === name) ?? call.args.filter((a) => a.name === undefined)[index];
        if (!arg) continue;
        const v = arg.str !== undefined ? known(arg.str) : this.evaluate(unit, arg.text, arg.valueSpan.start, depth + 1, seen);
        if (v.text !== UNKNOWN) return v;
      }
    }
    if (param.dflt) return this.evaluate(scope.unit, param.dflt.text, param.dflt.start, depth + 1, seen);
    return unknownValue();
  }

  /** True when the program defines a function of that name. */
  definesFunction(name: string): boolean {
    if (!this.functionNames) {
      this.functionNames = new Set();
      for (const u of this.program.units) for (const f of u.facts.functions) this.functionNames.add(f.name);
    }
    return this.functionNames.has(name);
  }

  /** True when the name is assigned anywhere in the program. */
  isAssigned(name: string): boolean {
    if (!this.paramNames) {
      this.paramNames = new Set();
      for (const u of this.program.units) {
        if (u.facts.functions.length === 0) continue;
        for (const s of unitScopes(u)) for (const p of s.params) this.paramNames.add(p.name);
      }
    }
    return this.assignmentsOf(name).length > 0 || this.paramNames.has(name);
  }

  resolveName(name: string, unit: PythonUnit, offset: number, depth = 0, seen: Set<Assignment> = new Set()): ResolvedValue {
    if (name === '__file__') return known('__file__');
    const scope = name.includes('.') ? undefined : this.scopeWithParam(name, unit, offset);
    let a = this.assignmentOf(name, unit, offset);
    if (scope && !(a && a.unit === unit && a.start >= scope.span.start && a.end <= offset)) {
      // A parameter: its default or what the callers pass.
      const v = this.resolveParam(scope, name, depth, seen);
      if (v.text !== UNKNOWN) return v;
      a = undefined;
    }
    if (!a || depth > 6 || seen.has(a)) return unknownValue();
    const memo = this.assignmentValues.get(a);
    if (memo) return memo;
    seen.add(a);
    const v = this.evaluate(a.unit, a.unit.text.slice(a.valueSpan.start, a.valueSpan.end), a.valueSpan.start, depth + 1, seen);
    seen.delete(a);
    const out = { ...v, origin: v.origin ?? { unit: a.unit, span: a.valueSpan, name } };
    this.assignmentValues.set(a, out);
    return out;
  }

  resolveArg(unit: PythonUnit, arg: ArgFact): ResolvedValue {
    if (arg.str !== undefined) return known(arg.str);
    let byArg = this.argValues.get(unit);
    if (!byArg) this.argValues.set(unit, (byArg = new Map()));
    let v = byArg.get(arg);
    if (!v) byArg.set(arg, (v = this.evaluate(unit, arg.text, arg.valueSpan.start)));
    return v;
  }

  /** Evaluates an expression's source text found at `offset` of `unit`. */
  evaluate(unit: PythonUnit, src: string, offset: number, depth = 0, seen: Set<Assignment> = new Set()): ResolvedValue {
    if (src.length > 4000) return unknownValue();
    const toks = tokenize(src);
    if (!toks || !toks.length) return unknownValue();
    const p = new ExprParser(toks, this, unit, offset, depth, seen);
    const v = p.parseExpr();
    if (!p.atEnd()) return { ...v, complete: false };
    return v;
  }
}

class ExprParser {
  private i = 0;

  constructor(
    private readonly toks: Tok[],
    private readonly r: ValueResolver,
    private readonly unit: PythonUnit,
    private readonly offset: number,
    private readonly depth: number,
    private readonly seen: Set<Assignment>,
  ) {}

  atEnd(): boolean {
    return this.i >= this.toks.length;
  }

  private peek(v?: string): Tok | undefined {
    const t = this.toks[this.i];
    if (v !== undefined && (!t || t.t !== 'op' || t.v !== v)) return undefined;
    return t;
  }

  private eat(v: string): boolean {
    if (this.peek(v)) {
      this.i++;
      return true;
    }
    return false;
  }

  parseExpr(): ResolvedValue {
    let left = this.parsePostfix();
    for (;;) {
      const t = this.toks[this.i];
      if (!t || t.t !== 'op' || !['+', '/', '%'].includes(t.v)) return left;
      this.i++;
      const right = this.parsePostfix();
      if (t.v === '+') left = { ...known(left.text + right.text), approx: left.approx || right.approx, origin: left.origin ?? right.origin };
      else if (t.v === '/') left = joinPaths([left, right]);
      else left = { ...left, text: left.text.replace(/%[-\d.]*[sdrifx]/g, UNKNOWN), complete: false };
    }
  }

  private parseArgs(): Array<{ name?: string; value: ResolvedValue; literal: boolean }> {
    const args: Array<{ name?: string; value: ResolvedValue; literal: boolean }> = [];
    while (!this.atEnd() && !this.peek(')')) {
      let name: string | undefined;
      const t = this.toks[this.i];
      const next = this.toks[this.i + 1];
      if (t.t === 'name' && next?.t === 'op' && next.v === '=') {
        name = t.v;
        this.i += 2;
      } else if (this.peek('*')) {
        this.i++;
        this.eat('*');
      }
      const startTok = this.toks[this.i];
      const value = this.parseExpr();
      const literal = startTok?.t === 'str' && !startTok.f && this.toks[this.i - 1] === startTok;
      args.push({ name, value, literal });
      if (!this.eat(',')) break;
    }
    this.eat(')');
    return args;
  }

  private callValue(qualified: string, args: Array<{ name?: string; value: ResolvedValue; literal: boolean }>): ResolvedValue {
    const positional = args.filter((a) => a.name === undefined).map((a) => a.value);
    if (PATH_JOIN.test(qualified)) {
      if (/expanduser|abspath|realpath|normpath|fspath|^str$/.test(qualified)) return positional[0] ?? unknownValue();
      return positional.length ? joinPaths(positional) : known('.');
    }
    if (CWD.test(qualified)) return known(qualified.endsWith('home') ? '~' : '.');
    if (qualified === 'os.path.dirname') return positional[0] ? parentOf(positional[0]) : unknownValue();
    if (qualified === 'os.path.basename') {
      const t = positional[0]?.text ?? UNKNOWN;
      return known(t.slice(Math.max(t.lastIndexOf('/'), t.lastIndexOf('\\')) + 1));
    }
    if (/^os\.(getenv|environ\.get)$/.test(qualified)) {
      const dflt = args.find((a) => a.name === 'default')?.value ?? positional[1];
      return dflt ? { ...dflt, approx: true } : unknownValue();
    }
    // A download helper returns where it put the file: not a file of the repository.
    if (DOWNLOAD_CALL.test(qualified)) return unknownValue();
    // A helper of the program itself (`script_path("movies.csv")`), given one data file name: take the name.
    const files = args.filter((a) => a.literal && DATA_EXTENSIONS.test(a.value.text));
    if (files.length === 1 && !qualified.includes('.') && this.r.definesFunction(qualified)) return { ...files[0].value, approx: true };
    return unknownValue();
  }

  private parsePostfix(): ResolvedValue {
    const t = this.toks[this.i];
    if (!t) return unknownValue();
    let value: ResolvedValue | undefined;
    let dotted: string | undefined;
    if (t.t === 'str') {
      let text = '';
      let complete = true;
      let origin: ResolvedValue['origin'];
      while (this.toks[this.i]?.t === 'str') {
        const s = this.toks[this.i] as Extract<Tok, { t: 'str' }>;
        this.i++;
        if (s.f) {
          const v = this.fString(s.v, s.start);
          text += v.text;
          complete &&= v.complete;
          origin ??= v.origin;
        } else text += s.v;
      }
      value = { text, complete: complete && !text.includes(UNKNOWN), origin };
    } else if (t.t === 'name') {
      if (t.v === 'lambda' || t.v === 'await' || t.v === 'not') return this.skipRest();
      dotted = t.v;
      this.i++;
      while (this.peek('.') && this.toks[this.i + 1]?.t === 'name') {
        dotted += '.' + this.toks[this.i + 1].v;
        this.i += 2;
      }
    } else if (t.t === 'num') {
      this.i++;
      value = known(t.v);
    } else if (t.t === 'op' && t.v === '(') {
      this.i++;
      value = this.parseExpr();
      // A tuple: keep the first element.
      while (this.eat(',')) if (!this.peek(')')) this.parseExpr();
      this.eat(')');
    } else if (t.t === 'op' && t.v === '[') {
      this.i++;
      value = this.peek(']') ? unknownValue() : this.parseExpr();
      while (this.eat(',')) if (!this.peek(']')) this.parseExpr();
      if (!this.eat(']')) return this.skipRest();
    } else {
      return this.skipRest();
    }
    // Postfix: calls, attributes, subscripts.
    for (;;) {
      if (dotted !== undefined && this.peek('(')) {
        this.i++;
        const args = this.parseArgs();
        value = this.callValue(this.r.program.qualify(dotted), args);
        dotted = undefined;
        continue;
      }
      if (dotted !== undefined) {
        value = this.nameValue(dotted);
        dotted = undefined;
      }
      if (this.peek('.') && this.toks[this.i + 1]?.t === 'name') {
        const attr = this.toks[this.i + 1].v;
        this.i += 2;
        const call = this.peek('(');
        const args = call ? (this.i++, this.parseArgs()) : [];
        value = this.methodValue(value ?? unknownValue(), attr, args);
        continue;
      }
      if (this.peek('[')) {
        this.i++;
        let depth = 1;
        while (!this.atEnd() && depth > 0) {
          const x = this.toks[this.i++];
          if (x.t === 'op' && x.v === '[') depth++;
          else if (x.t === 'op' && x.v === ']') depth--;
        }
        value = unknownValue();
        continue;
      }
      break;
    }
    return value ?? unknownValue();
  }

  private skipRest(): ResolvedValue {
    this.i = this.toks.length;
    return unknownValue();
  }

  private nameValue(dotted: string): ResolvedValue {
    if (dotted === 'os.path.curdir' || dotted === 'os.curdir') return known('.');
    if (dotted === '__file__') return known('__file__');
    if (this.r.isAssigned(dotted)) return this.r.resolveName(dotted, this.unit, this.offset, this.depth, this.seen);
    // `Path(__file__).parent` style chains handled by methodValue; plain `x.y` unknown.
    const head = dotted.split('.')[0];
    if (dotted.includes('.') && this.r.isAssigned(head)) {
      const base = this.r.resolveName(head, this.unit, this.offset, this.depth, this.seen);
      let v = base;
      for (const attr of dotted.split('.').slice(1)) v = this.methodValue(v, attr, []);
      return v;
    }
    return unknownValue();
  }

  private methodValue(v: ResolvedValue, attr: string, args: Array<{ name?: string; value: ResolvedValue }>): ResolvedValue {
    if (attr === 'parent') return parentOf(v);
    if (PATH_METHODS_SAME.has(attr)) return v;
    if (attr === 'joinpath') return joinPaths([v, ...args.map((a) => a.value)]);
    if (attr === 'with_suffix' && args[0]) return { ...v, text: v.text.replace(/\.[^./]*$/, '') + args[0].value.text };
    if (attr === 'replace' && args.length >= 2 && args[0].value.complete && args[1].value.complete) return { ...v, text: v.text.split(args[0].value.text).join(args[1].value.text) };
    if (attr === 'format') return { ...v, text: v.text.replace(/\{[^{}]*\}/g, UNKNOWN), complete: false };
    if (attr === 'join' && args[0]) return unknownValue();
    return unknownValue();
  }

  private fString(body: string, start: number): ResolvedValue {
    let text = '';
    let complete = true;
    let origin: ResolvedValue['origin'];
    for (let k = 0; k < body.length; k++) {
      const c = body[k];
      if (c === '{' && body[k + 1] === '{') {
        text += '{';
        k++;
        continue;
      }
      if (c === '}' && body[k + 1] === '}') {
        text += '}';
        k++;
        continue;
      }
      if (c !== '{') {
        text += c;
        continue;
      }
      let depth = 1;
      let j = k + 1;
      while (j < body.length && depth > 0) {
        if (body[j] === '{') depth++;
        else if (body[j] === '}') depth--;
        j++;
      }
      const expr = body.slice(k + 1, j - 1).replace(/![rsa]$/, '').replace(/:[^\])]*$/, '');
      const v = this.depth > 6 ? unknownValue() : this.r.evaluate(this.unit, expr, start, this.depth + 1, this.seen);
      text += v.complete ? v.text : UNKNOWN;
      complete &&= v.complete;
      origin ??= v.origin;
      k = j - 1;
    }
    return { text, complete, origin };
  }
}

/** True when some string literal of the program passes `test` (a cheap filter before resolving values). */
export function someString(program: PythonProgram, test: (value: string) => boolean): boolean {
  return program.units.some((u) => u.facts.strings.some((s) => test(s.value)));
}

const resolvers = new WeakMap<PythonProgram, ValueResolver>();

/** The program's value resolver (shared by all rules linting the same program). */
export function resolverFor(program: PythonProgram): ValueResolver {
  let r = resolvers.get(program);
  if (!r) resolvers.set(program, (r = new ValueResolver(program)));
  return r;
}
