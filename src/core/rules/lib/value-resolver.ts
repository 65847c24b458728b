// Value resolution for path arguments: a tiny evaluator of the expressions that
// build paths (string literals, simple assignments across cells, `os.path.join`,
// `Path / "x"`, f-strings, function parameter defaults), shared by the data rules.
import type { ArgFact, CallFact, ImportFact, PythonFacts, Span } from '../../parse/python';
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

// Every unit memo owns one slot in a per-facts array; the qualified memos share
// two slots there (the unit's qualified states, see `qualifiedMemo`). A program
// keeps the slot arrays of its units for the run, so `all(program)` costs an
// array read per unit.
let slotCount = 0;
/** Index of every memo (unit or qualified) in a program's `all` arrays. */
let allCount = 0;
/** Index of every qualified memo in the values of a qualified state. */
let qualifiedCount = 0;
/** Stands for a cached `undefined`. */
const NONE = Symbol('none');
const factsSlots = new WeakMap<PythonFacts, unknown[]>();
/** Per program and run: the slot arrays of its units, the `all` arrays made, its alias key. */
interface ProgramSlots {
  slots: unknown[][];
  all: unknown[][];
  key?: AliasKey;
  /** `program.qualify`, remembered for the run: every qualified memo reads the same callees. */
  qualify?: (dotted: string) => string;
  /** The imports of all units, in order (`importsAny`). */
  imports?: readonly ImportFact[];
  /** Per position: the values of the unit's qualified state under `key` (read by `all` without going through the state). */
  qualifiedValues?: unknown[][];
  /** Per position: the positional qualifier of the unit's calls, made on the unit's first question (see CallQualifier). */
  callQualifiers?: Array<CallQualifier | undefined>;
  /** The `qualify` handed to qualified memos: the program's, answering through the qualifier of the unit `cur` computes. */
  unitQualify?: (dotted: string) => string;
  /** Position of the unit a qualified memo computes (-1: none known). */
  cur: number;
  /** Counts computations: a unit's qualifier restarts from its first call when a new one asks. */
  epoch: number;
  /**
   * The previous program with the same units at most positions (the last lint
   * before a one-cell edit): its `all` arrays and alias key, and the positions
   * whose facts changed since. `all` then copies the old array and recomputes
   * only those positions.
   */
  prev?: { all: unknown[][]; key?: AliasKey; changed: number[]; importsChanged: boolean };
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

/**
 * `qualify` for the calls of one unit, as qualified memos read them: call
 * after call, each callee once. The answer for the i-th call is kept, so the
 * next memo reading the same callees finds it by position (the callee at the
 * cursor, or a few calls further) instead of a lookup by text. Any other name
 * goes to the program's qualifier.
 */
class CallQualifier {
  private cursor = 0;
  /** The computation the cursor belongs to: another one starts from the first call. */
  private epoch = -1;
  private readonly quals: Array<string | undefined>;

  constructor(private readonly calls: readonly CallFact[]) {
    this.quals = new Array<string | undefined>(calls.length);
  }

  qualify(dotted: string, epoch: number, byName: (dotted: string) => string): string {
    if (this.epoch !== epoch) {
      this.epoch = epoch;
      this.cursor = 0;
    }
    const calls = this.calls;
    const end = Math.min(calls.length, this.cursor + 8);
    for (let k = this.cursor; k < end; k++) {
      if (calls[k].callee === dotted) {
        this.cursor = k + 1;
        return (this.quals[k] ??= byName(dotted));
      }
    }
    return byName(dotted);
  }
}

/**
 * The program's `qualify` as qualified memos get it: one function for every
 * unit, which answers through the positional qualifier of the unit being
 * computed (`p.cur`, set around each computation; made on its first question,
 * so a computation that qualifies nothing costs nothing). Whatever `p.cur`
 * says, every answer is `program.qualify(dotted)`: a stale position (a
 * function kept after its computation, a nested one) only costs a lookup.
 */
function unitQualifierOf(program: PythonProgram, p: ProgramSlots): (dotted: string) => string {
  if (!p.unitQualify) {
    const byName = qualifierOf(program, p);
    const units = program.units;
    const list = (p.callQualifiers = new Array<CallQualifier | undefined>(units.length));
    p.unitQualify = (dotted) => {
      const i = p.cur;
      if (i < 0) return byName(dotted);
      let q = list[i];
      if (q === undefined) {
        const calls = units[i].facts.calls;
        // No calls: no callee to qualify (anything else is asked of the program's qualifier anyway).
        if (calls.length === 0) return byName(dotted);
        list[i] = q = new CallQualifier(calls);
      }
      return q.qualify(dotted, p.epoch, byName);
    };
  }
  return p.unitQualify;
}

const programSlots = new WeakMap<PythonProgram, ProgramSlots>();

/** The facts read last and their slots: rules ask several memos about one unit in a row. */
let lastFacts: PythonFacts | undefined;
let lastFactsSlots: unknown[] | undefined;

/**
 * A new array of `n` undefined entries, packed (no holes): a copy of a template
 * of that length, so that reads and writes at any index below `n` never grow or
 * reshape it (memos write their slots in no particular order).
 */
function filledArray(template: { a: unknown[] }, n: number): unknown[] {
  if (template.a.length !== n) {
    const a: unknown[] = [];
    for (let i = 0; i < n; i++) a.push(undefined);
    template.a = a;
  }
  return template.a.slice();
}

const slotsTemplate = { a: [] as unknown[] };

function slotsOf(unit: PythonUnit): unknown[] {
  const facts = unit.facts;
  if (facts === lastFacts) return lastFactsSlots!;
  let slots = factsSlots.get(facts);
  // Memos are made at module load: by the first lint, `slotCount` is final (a later one grows the array on write).
  if (!slots) factsSlots.set(facts, (slots = filledArray(slotsTemplate, slotCount)));
  lastFacts = facts;
  lastFactsSlots = slots;
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
  let prev: (typeof recentSlots)[number] | undefined;
  for (const r of recentSlots) {
    if (r.facts.length === n && (n === 0 || r.facts[0] === facts[0] || r.facts[n - 1] === facts[n - 1])) {
      prev = r;
      break;
    }
  }
  const slots = new Array<unknown[]>(n);
  // Every field present from the start: one object shape for all programs.
  p = { slots, all: [], key: undefined, qualify: undefined, imports: undefined, qualifiedValues: undefined, callQualifiers: undefined, unitQualify: undefined, cur: -1, epoch: 0, prev: undefined };
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
  const allId = allCount++;
  const read = (s: unknown[], unit: PythonUnit): T => {
    let v = s[id];
    if (v === undefined) {
      const value = compute(unit);
      v = s[id] = value === undefined ? NONE : value;
    }
    return (v === NONE ? undefined : v) as T;
  };
  const memo = ((unit: PythonUnit): T => read(slotsOf(unit), unit)) as UnitMemo<T>;
  memo.all = (program) => {
    const p = programSlotsOf(program);
    const cached = p.all[allId] as T[] | undefined;
    if (cached) return cached;
    const slots = p.slots;
    const units = program.units;
    const n = slots.length;
    const old = p.prev?.all[allId] as T[] | undefined;
    let out: T[];
    if (old && old.length === n) {
      // The units at the other positions are the same: so are their summaries.
      out = old.slice();
      for (const i of p.prev!.changed) out[i] = read(slots[i], units[i]);
    } else {
      out = new Array<T>(n);
      for (let i = 0; i < n; i++) {
        const v = slots[i][id];
        out[i] = v === undefined || v === NONE ? read(slots[i], units[i]) : (v as T);
      }
    }
    p.all[allId] = out;
    return out;
  };
  memo.at = (program, i) => read(programSlotsOf(program).slots[i], program.units[i]);
  return memo;
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

/**
 * The qualified memos' values of a unit under one alias key: a value per
 * qualified memo (`undefined` until computed, NONE for a computed
 * `undefined`). States under keys that qualify the unit's callee heads the
 * same share one values array: a value computed under either key is valid
 * under both.
 */
interface QualifiedState {
  key: AliasKey;
  values: unknown[];
}

const valuesTemplate = { a: [] as unknown[] };

/** Slots of a unit's qualified state under the last alias key read, and under the one before. */
const QSTATE = slotCount++;
const QSTATE_BEFORE = slotCount++;

/** True when every callee head of the unit qualifies the same under both keys (a head has no dot: its alias or itself). */
function sameHeads(unit: PythonUnit, a: AliasKey, b: AliasKey): boolean {
  if (a === b) return true;
  const heads = calleeHeads(unit);
  if (heads.length === 0) return true;
  const ma = aliasMapOf(a);
  const mb = aliasMapOf(b);
  for (const h of heads) if ((ma.get(h) || h) !== (mb.get(h) || h)) return false;
  return true;
}

/**
 * The unit's qualified state under `key` (the caller found it is not the last
 * one): the one before when it has that key, else a new state that keeps the
 * values of a previous state whose key qualifies the unit's heads the same.
 * Made once per unit and alias key, for all qualified memos.
 */
function qualifiedState(s: unknown[], unit: PythonUnit, key: AliasKey): QualifiedState {
  const last = s[QSTATE] as QualifiedState | undefined;
  const before = s[QSTATE_BEFORE] as QualifiedState | undefined;
  if (before && before.key === key) {
    s[QSTATE] = before;
    s[QSTATE_BEFORE] = last;
    return before;
  }
  const values = last && sameHeads(unit, last.key, key) ? last.values : before && sameHeads(unit, before.key, key) ? before.values : filledArray(valuesTemplate, qualifiedCount);
  const state: QualifiedState = { key, values };
  s[QSTATE_BEFORE] = last;
  s[QSTATE] = state;
  return state;
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
 * to then (the unit's qualified state, shared by all qualified memos): when the
 * program's imports change (another cell imports something), the values are
 * reused as long as the unit's own names qualify as before, so an import edit
 * recomputes only the cells whose names it rebinds. The states of the last two
 * keys are kept (a notebook's cells are also units of its `%%writefile`-aware
 * program, whose imports may differ).
 */
export function qualifiedMemo<T>(compute: (unit: PythonUnit, qualify: (dotted: string) => string) => T): QualifiedMemo<T> {
  const qid = qualifiedCount++;
  const allId = allCount++;
  /** The value for the unit at position `i` of the program (-1: not known). */
  const get = (s: unknown[], key: AliasKey, unit: PythonUnit, program: PythonProgram, p: ProgramSlots, i: number): T => {
    let state = s[QSTATE] as QualifiedState | undefined;
    if (state === undefined || state.key !== key) state = qualifiedState(s, unit, key);
    const values = state.values;
    let v = values[qid];
    if (v === undefined) {
      const cur = p.cur;
      p.cur = i;
      p.epoch++;
      const value = compute(unit, unitQualifierOf(program, p));
      p.cur = cur;
      v = values[qid] = value === undefined ? NONE : value;
    }
    return (v === NONE ? undefined : v) as T;
  };
  const memo = ((unit: PythonUnit, program: PythonProgram): T => {
    const p = programSlotsOf(program);
    return get(slotsOf(unit), (p.key ??= aliasKey(program)), unit, program, p, -1);
  }) as QualifiedMemo<T>;
  memo.all = (program) => {
    const p = programSlotsOf(program);
    const cached = p.all[allId] as T[] | undefined;
    if (cached) return cached;
    const key = (p.key ??= aliasKey(program));
    const slots = p.slots;
    const units = program.units;
    const n = slots.length;
    const old = p.prev && p.prev.key === key ? (p.prev.all[allId] as T[] | undefined) : undefined;
    let out: T[];
    if (old && old.length === n) {
      // Same imports, and the units at the other positions are the same: so are their summaries.
      out = old.slice();
      for (const i of p.prev!.changed) out[i] = get(slots[i], key, units[i], program, p, i);
    } else {
      // The values array of every unit under this key, found once for all qualified memos.
      let values = p.qualifiedValues;
      if (!values) {
        values = p.qualifiedValues = new Array<unknown[]>(n);
        for (let i = 0; i < n; i++) {
          const s = slots[i];
          let state = s[QSTATE] as QualifiedState | undefined;
          if (state === undefined || state.key !== key) state = qualifiedState(s, units[i], key);
          values[i] = state.values;
        }
      }
      out = new Array<T>(n);
      const qualify = unitQualifierOf(program, p);
      for (let i = 0; i < n; i++) {
        const vs = values[i];
        let v = vs[qid];
        if (v === undefined) {
          const cur = p.cur;
          p.cur = i;
          p.epoch++;
          const value = compute(units[i], qualify);
          p.cur = cur;
          v = vs[qid] = value === undefined ? NONE : value;
        }
        out[i] = (v === NONE ? undefined : v) as T;
      }
    }
    p.all[allId] = out;
    return out;
  };
  memo.at = (program, i) => {
    const p = programSlotsOf(program);
    return get(p.slots[i], (p.key ??= aliasKey(program)), program.units[i], program, p, i);
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

/** True when `dotted` is `prefix` or under it (`prefix` followed by a dot). */
function atOrUnder(dotted: string, prefix: string): boolean {
  return dotted === prefix || (dotted.length > prefix.length && dotted.charCodeAt(prefix.length) === 46 && dotted.startsWith(prefix));
}

/** True when `${module}.${name}` is `prefix` or under it, without building it. */
function nameAtOrUnder(module: string, name: string, prefix: string): boolean {
  const m = module.length;
  // The prefix ends within the module (or right after it): the module decides.
  if (prefix.length <= m) return atOrUnder(module, prefix);
  if (prefix.charCodeAt(m) !== 46 || !prefix.startsWith(module)) return false;
  return atOrUnder(name, prefix.slice(m + 1));
}

/** The imports of every unit of the program, in order (made once per program and run). */
function programImports(program: PythonProgram): readonly ImportFact[] {
  const p = programSlotsOf(program);
  if (!p.imports) {
    const out: ImportFact[] = [];
    for (const u of program.units) for (const imp of u.facts.imports) out.push(imp);
    p.imports = out;
  }
  return p.imports;
}

/**
 * True when an import of the program answers for one of the prefixes: its
 * module is at or under it, or (kind 'names') `module.name` of a `from`
 * import is (`import a.b.c` answers for a, a.b, a.b.c; `from a import b` also
 * for a.b). A scan of the program's imports: cheaper than remembering answers
 * (and than building sets of what they answer for: programs ask a few questions).
 */
function importsQuery(program: PythonProgram, prefixes: readonly string[], kind: 'names' | 'modules'): boolean {
  const imports = programImports(program);
  const names = kind === 'names';
  for (let j = 0; j < imports.length; j++) {
    const imp = imports[j];
    for (let k = 0; k < prefixes.length; k++) {
      if (atOrUnder(imp.module, prefixes[k])) return true;
      if (names && imp.name && imp.name !== '*' && nameAtOrUnder(imp.module, imp.name, prefixes[k])) return true;
    }
  }
  return false;
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
  /** Searches left before every position is indexed at once (asking about many units would search the list each time). */
  private searches = 4;

  constructor(private readonly units: readonly PythonUnit[]) {}

  /** The unit's position, undefined when it is not a unit of the program. */
  get(unit: PythonUnit): number | undefined {
    let i = this.known.get(unit);
    if (i === undefined) {
      if (this.searches > 0) {
        this.searches--;
        this.known.set(unit, (i = this.units.indexOf(unit)));
      } else {
        if (this.searches === 0) {
          // Every unit, the first position of each (as indexOf finds it).
          this.searches = -1;
          const units = this.units;
          for (let k = units.length - 1; k >= 0; k--) this.known.set(units[k], k);
          i = this.known.get(unit);
        }
        // Not a unit of the program.
        if (i === undefined) this.known.set(unit, (i = -1));
      }
    }
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

/**
 * Stands for a program's import aliases: the `alias=target` lines of its
 * imports, in order (later lines win, as in PythonProgram), and the map they
 * make, read only to compare what names qualify to under two keys.
 */
interface AliasKey {
  readonly text: string;
  map?: Map<string, string>;
}

function aliasMapOf(key: AliasKey): Map<string, string> {
  if (!key.map) {
    const map = new Map<string, string>();
    const text = key.text;
    for (let i = 0; i < text.length; ) {
      const nl = text.indexOf('\n', i);
      const eq = text.indexOf('=', i);
      map.set(text.slice(i, eq), text.slice(eq + 1, nl));
      i = nl + 1;
    }
    key.map = map;
  }
  return key.map;
}

/** Interned alias maps: the same text gives the same key object from run to run. */
const internedAliases = new Map<string, AliasKey>();

/**
 * An object that stands for the program's import aliases: the same object in
 * every lint run whose imports (in order) are the same, so summaries computed
 * with `qualify` stay valid until an import changes. A re-lint whose imports
 * did not change takes the previous program's key without reading them.
 */
export function aliasKey(program: PythonProgram): AliasKey {
  const p = programSlotsOf(program);
  if (p.key) return p.key;
  // No import changed since the previous program at these positions: the same aliases.
  const prev = p.prev;
  if (prev?.key && !prev.importsChanged) return (p.key = prev.key);
  let text = '';
  const units = program.units;
  for (let i = 0; i < units.length; i++) if (units[i].facts.imports.length) text += importLines.at(program, i);
  return (p.key = internAliases(text));
}

function internAliases(text: string): AliasKey {
  let key = internedAliases.get(text);
  if (!key) {
    key = { text, map: undefined };
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

/** A token; every token has every field (one object shape): `f` (an f-string) is false but for strings. */
interface Tok {
  t: 'str' | 'name' | 'num' | 'op';
  v: string;
  f: boolean;
  start: number;
}

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
      out.push({ t: 'str', v: body, f: prefix.includes('f'), start: i });
      i = j + (triple ? 3 : 1);
      continue;
    }
    if (isAsciiNameStart(c)) {
      let k = i + 1;
      while (k < n && k - i < 200 && isAsciiNameChar(src.charCodeAt(k))) k++;
      out.push({ t: 'name', v: src.slice(i, k), f: false, start: i });
      i = k;
      continue;
    }
    if (c >= 48 && c <= 57) {
      let k = i + 1;
      while (k < n && k - i < 50 && isNumberChar(src.charCodeAt(k))) k++;
      out.push({ t: 'num', v: src.slice(i, k), f: false, start: i });
      i = k;
      continue;
    }
    if (i + 1 < n && isTwoCharOp(c, src.charCodeAt(i + 1))) {
      out.push({ t: 'op', v: src.slice(i, i + 2), f: false, start: i });
      i += 2;
      continue;
    }
    out.push({ t: 'op', v: src[i], f: false, start: i });
    i++;
  }
  return out;
}

/** A value with every field present (one object shape for all values). */
const valueOf = (text: string, complete: boolean, approx: boolean | undefined, origin: ResolvedValue['origin']): ResolvedValue => ({ text, complete, approx, origin });
/** `v` with another text (the rest kept, `complete` included). */
const withText = (v: ResolvedValue, text: string): ResolvedValue => valueOf(text, v.complete, v.approx, v.origin);
/** An ASCII name the tokenizer reads as one name token (at most 200 characters). */
function isBareName(src: string): boolean {
  const n = src.length;
  if (n === 0 || n > 200 || !isAsciiNameStart(src.charCodeAt(0))) return false;
  for (let i = 1; i < n; i++) if (!isAsciiNameChar(src.charCodeAt(i))) return false;
  return true;
}

const known = (text: string): ResolvedValue => valueOf(text, !text.includes(UNKNOWN), undefined, undefined);
const unknownValue = (): ResolvedValue => valueOf(UNKNOWN, false, undefined, undefined);

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
  let origin: ResolvedValue['origin'];
  for (const p of parts) {
    if (p.origin) {
      origin = p.origin;
      break;
    }
  }
  return valueOf(text, !text.includes(UNKNOWN), approx || undefined, origin);
}

function parentOf(v: ResolvedValue): ResolvedValue {
  const t = v.text.replace(/[/\\]+$/, '');
  if (t === '__file__' || t === '.' || t === '') return withText(v, t === '.' ? '..' : '.');
  if (t.endsWith('..')) return withText(v, t + '/..');
  const i = Math.max(t.lastIndexOf('/'), t.lastIndexOf('\\'));
  if (i < 0) return withText(v, '.');
  return withText(v, t.slice(0, i) || '/');
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

const NO_POSITIONS: readonly number[] = [];

/** One bit of 32 for a name, from its first character and its length. */
function nameBucket(name: string): number {
  return 1 << ((name.charCodeAt(0) * 31 + name.length) & 31);
}

/** The buckets of a unit's single-target assignment targets (cached across runs): most units are skipped for a name by one test. */
const unitTargetBuckets = unitMemo((unit): number => {
  let mask = 0;
  for (const a of unit.facts.assignments) if (a.targets.length === 1) mask |= nameBucket(a.targets[0]);
  return mask;
});

/** Adds `i` to the positions listed under `name` (positions come in order: a repeat is the last one). */
function addPosition(index: Map<string, number[]>, name: string, i: number): void {
  const list = index.get(name);
  if (!list) index.set(name, [i]);
  else if (list[list.length - 1] !== i) list.push(i);
}

/**
 * Resolves expressions to the strings they build, through the program's simple
 * assignments (`DATA = "data/train.csv"`). Cached per program: rules share it.
 * A name is looked up in the assignments of the units that may assign it (a
 * per-unit mask of their targets' first characters and lengths, cached across
 * runs, skips the others), or once many names were asked, in an index of the
 * positions of the units that assign it; call sites of a function in an index
 * of the units that call it, made on the first question.
 */
export class ValueResolver {
  private readonly named = new Map<string, Assignment[]>();
  /** Positions of the units with a single-target assignment, by target. */
  private assignedIn?: Map<string, number[]>;
  /** Positions of the units with a call, by the callee's last segment. */
  private calledIn?: Map<string, number[]>;
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
      // Most programs are asked a few names: comparing them with every target
      // costs less than indexing the targets, until many names are asked.
      if (!this.assignedIn && this.named.size >= 32) {
        const index = (this.assignedIn = new Map());
        for (let i = 0; i < units.length; i++) {
          for (const a of units[i].facts.assignments) if (a.targets.length === 1) addPosition(index, a.targets[0], i);
        }
      }
      const positions = this.assignedIn ? (this.assignedIn.get(name) ?? NO_POSITIONS) : undefined;
      // Without the index: only the units whose targets have a name of the same bucket.
      const masks = positions ? undefined : unitTargetBuckets.all(this.program);
      const bit = nameBucket(name);
      const n = positions ? positions.length : units.length;
      for (let k = 0; k < n; k++) {
        if (masks && (masks[k] & bit) === 0) continue;
        const unitIndex = positions ? positions[k] : k;
        const unit = units[unitIndex];
        for (const a of unit.facts.assignments) {
          if (a.targets.length === 1 && a.targets[0] === name) list.push({ unitIndex, start: a.span.start, end: a.span.end, unit, valueSpan: a.valueSpan });
        }
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
      scopes = this.indexOf(unit) === undefined ? [] : unitScopes(unit).map((s) => ({ name: s.name, span: s.span, params: s.params, method: s.method, unit }));
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
    const units = this.program.units;
    if (!this.calledIn) {
      const index = (this.calledIn = new Map());
      for (let i = 0; i < units.length; i++) for (const c of units[i].facts.calls) addPosition(index, c.name, i);
    }
    for (const ui of this.calledIn.get(scope.name) ?? NO_POSITIONS) {
      const unit = units[ui];
      for (const call of unit.facts.calls) {
        if (call.name !== scope.name) continue;
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
    if (this.assignmentsOf(name).length > 0) return true;
    if (!this.paramNames) {
      this.paramNames = new Set();
      for (const u of this.program.units) {
        if (u.facts.functions.length === 0) continue;
        for (const s of unitScopes(u)) for (const p of s.params) this.paramNames.add(p.name);
      }
    }
    return this.paramNames.has(name);
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
    const out = v.origin ? v : valueOf(v.text, v.complete, v.approx, { unit: a.unit, span: a.valueSpan, name });
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
    // A bare name (the most common argument): its value, as the parser would read its one token.
    if (isBareName(src)) {
      if (src === 'lambda' || src === 'await' || src === 'not') return unknownValue();
      if (src === '__file__') return known('__file__');
      return this.isAssigned(src) ? this.resolveName(src, unit, offset, depth, seen) : unknownValue();
    }
    const toks = tokenize(src);
    if (!toks || !toks.length) return unknownValue();
    const p = new ExprParser(toks, this, unit, offset, depth, seen);
    const v = p.parseExpr();
    if (!p.atEnd()) return valueOf(v.text, false, v.approx, v.origin);
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
      if (!t || t.t !== 'op' || (t.v !== '+' && t.v !== '/' && t.v !== '%')) return left;
      this.i++;
      const right = this.parsePostfix();
      if (t.v === '+') {
        const text = left.text + right.text;
        left = valueOf(text, !text.includes(UNKNOWN), left.approx || right.approx, left.origin ?? right.origin);
      }
      else if (t.v === '/') left = joinPaths([left, right]);
      else left = valueOf(left.text.replace(/%[-\d.]*[sdrifx]/g, UNKNOWN), false, left.approx, left.origin);
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
      return dflt ? valueOf(dflt.text, dflt.complete, true, dflt.origin) : unknownValue();
    }
    // A download helper returns where it put the file: not a file of the repository.
    if (DOWNLOAD_CALL.test(qualified)) return unknownValue();
    // A helper of the program itself (`script_path("movies.csv")`), given one data file name: take the name.
    const files = args.filter((a) => a.literal && DATA_EXTENSIONS.test(a.value.text));
    if (files.length === 1 && !qualified.includes('.') && this.r.definesFunction(qualified)) {
      const f = files[0].value;
      return valueOf(f.text, f.complete, true, f.origin);
    }
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
        const s = this.toks[this.i];
        this.i++;
        if (s.f) {
          const v = this.fString(s.v, s.start);
          text += v.text;
          complete &&= v.complete;
          origin ??= v.origin;
        } else text += s.v;
      }
      value = valueOf(text, complete && !text.includes(UNKNOWN), undefined, origin);
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
    if (attr === 'with_suffix' && args[0]) return withText(v, v.text.replace(/\.[^./]*$/, '') + args[0].value.text);
    if (attr === 'replace' && args.length >= 2 && args[0].value.complete && args[1].value.complete) return withText(v, v.text.split(args[0].value.text).join(args[1].value.text));
    if (attr === 'format') return valueOf(v.text.replace(/\{[^{}]*\}/g, UNKNOWN), false, v.approx, v.origin);
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
    return valueOf(text, complete, undefined, origin);
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
