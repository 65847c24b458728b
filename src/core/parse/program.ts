import { LineIndex } from '../text';
import type { Location, Range } from '../types';
import { maskMagics, type Magic } from './magics';
import { extractFacts, type CallFact, type ImportFact, type PythonFacts, type Span } from './python';

/** One piece of Python: a notebook code cell or a whole `.py` file. */
export interface PythonUnit {
  /** Cell index for notebooks; undefined for `.py` files. */
  cell?: number;
  text: string;
  magics: Magic[];
  facts: PythonFacts;
  lines: LineIndex;
}

interface CachedUnit {
  magics: Magic[];
  facts: PythonFacts;
  lines: LineIndex;
  /** The cache's clock when this entry last moved to the recent end. */
  seen: number;
}

/**
 * Parsed cells keyed by their text: re-linting a notebook after a one-cell edit
 * parses only that cell. Bounded so a long session does not grow without end.
 */
export class UnitCache {
  private readonly map = new Map<string, CachedUnit>();
  parses = 0;

  constructor(private readonly max = 5000) {}

  private clock = 0;

  get(text: string): CachedUnit {
    let u = this.map.get(text);
    if (u) {
      // Refresh recency (the Map's order), but only for entries in the older half:
      // re-linting a notebook hits every cell, and moving each one costs more than
      // the exact order is worth.
      if (this.clock - u.seen > this.max >> 1) {
        this.map.delete(text);
        this.map.set(text, u);
        u.seen = ++this.clock;
      }
      return u;
    }
    const { masked, magics } = maskMagics(text);
    this.parses++;
    u = { magics, facts: extractFacts(masked), lines: new LineIndex(text), seen: ++this.clock };
    this.map.set(text, u);
    if (this.map.size > this.max) {
      const oldest = this.map.keys().next().value;
      if (oldest !== undefined) this.map.delete(oldest);
    }
    return u;
  }

  clear(): void {
    this.map.clear();
  }
}

export interface ResolvedCall {
  unit: PythonUnit;
  call: CallFact;
  /** Callee with its first segment resolved through imports: `pd.read_csv` -> `pandas.read_csv`. */
  qualified: string;
}

/** The Python of one file, in execution order, with imports resolved across cells. */
export class PythonProgram {
  private readonly aliases = new Map<string, string>();
  private resolvedCalls?: ResolvedCall[];

  constructor(readonly units: PythonUnit[]) {
    for (const u of units) {
      for (const imp of u.facts.imports) {
        if (imp.alias === '*') continue;
        this.aliases.set(imp.alias, imp.name ? `${imp.module}.${imp.name}` : imp.alias === imp.module.split('.')[0] && !imp.name ? imp.alias : imp.module);
      }
    }
  }

  static fromUnits(cache: UnitCache, pieces: Array<{ cell?: number; text: string }>): PythonProgram {
    return new PythonProgram(
      pieces.map((p) => {
        const c = cache.get(p.text);
        return { cell: p.cell, text: p.text, magics: c.magics, facts: c.facts, lines: c.lines };
      }),
    );
  }

  /** Resolves a dotted name's first segment through the imports. */
  qualify(dotted: string): string {
    const dot = dotted.indexOf('.');
    const head = dot < 0 ? dotted : dotted.slice(0, dot);
    const full = this.aliases.get(head);
    if (!full) return dotted;
    return dot < 0 ? full : full + dotted.slice(dot);
  }

  imports(): Array<{ unit: PythonUnit; imp: ImportFact }> {
    return this.units.flatMap((unit) => unit.facts.imports.map((imp) => ({ unit, imp })));
  }

  /** True when any unit imports a module at or under one of `prefixes`. */
  importsAny(prefixes: readonly string[]): boolean {
    return this.units.some((u) =>
      u.facts.imports.some((i) => prefixes.some((p) => i.module === p || i.module.startsWith(p + '.'))),
    );
  }

  calls(): ResolvedCall[] {
    this.resolvedCalls ??= this.units.flatMap((unit) =>
      unit.facts.calls.map((call) => ({ unit, call, qualified: this.qualify(call.callee) })),
    );
    return this.resolvedCalls;
  }

  magics(): Array<{ unit: PythonUnit; magic: Magic }> {
    return this.units.flatMap((unit) => unit.magics.map((magic) => ({ unit, magic })));
  }
}

export function spanRange(unit: PythonUnit, span: Span): Range {
  return unit.lines.rangeOf(span.start, span.end);
}

/** A finding location for a span of a unit (cell-relative for notebooks). */
export function unitLocation(unit: PythonUnit, span: Span): Location {
  return { cell: unit.cell, range: spanRange(unit, span) };
}
