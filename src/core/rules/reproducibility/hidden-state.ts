import { unitLocation } from '../../parse/program';
import { defineRule } from '../../rule';
import { cellNamesOf, type CellNames } from '../lib/dataflow';

/** Python 3 builtins, the Python 2 ones old notebooks still use, and module dunders. */
const BUILTINS = new Set(
  (
    'ArithmeticError AssertionError AttributeError BaseException BaseExceptionGroup BlockingIOError BrokenPipeError BufferError BytesWarning ' +
    'ChildProcessError ConnectionAbortedError ConnectionError ConnectionRefusedError ConnectionResetError DeprecationWarning EOFError Ellipsis ' +
    'EncodingWarning EnvironmentError Exception ExceptionGroup False FileExistsError FileNotFoundError FloatingPointError FutureWarning GeneratorExit ' +
    'IOError ImportError ImportWarning IndentationError IndexError InterruptedError IsADirectoryError KeyError KeyboardInterrupt LookupError ' +
    'MemoryError ModuleNotFoundError NameError None NotADirectoryError NotImplemented NotImplementedError OSError OverflowError ' +
    'PendingDeprecationWarning PermissionError ProcessLookupError PythonFinalizationError RecursionError ReferenceError ResourceWarning RuntimeError ' +
    'RuntimeWarning StopAsyncIteration StopIteration SyntaxError SyntaxWarning SystemError SystemExit TabError TimeoutError True TypeError ' +
    'UnboundLocalError UnicodeDecodeError UnicodeEncodeError UnicodeError UnicodeTranslateError UnicodeWarning UserWarning ValueError Warning ' +
    'ZeroDivisionError abs aiter all anext any ascii bin bool breakpoint bytearray bytes callable chr classmethod compile complex copyright ' +
    'credits delattr dict dir divmod enumerate eval exec exit filter float format frozenset getattr globals hasattr hash help hex id input int ' +
    'isinstance issubclass iter len license list locals map max memoryview min next object oct open ord pow print property quit range repr ' +
    'reversed round set setattr slice sorted staticmethod str sum super tuple type vars zip ' +
    'unicode xrange raw_input basestring long reduce file unichr cmp execfile reload apply buffer intern coerce ' +
    '__name__ __doc__ __builtins__ __spec__ __loader__ __package__ __debug__ __file__ __annotations__ __dict__'
  ).split(' '),
);

/** Names IPython (and VS Code / Databricks kernels) put into the namespace. */
const INJECTED = /^(display|get_ipython|In|Out|_+|_i{1,3}|_i\d+|_\d+|_ih|_oh|_dh|_exit_code|__vsc_ipynb_file__|__session__|displayHTML|dbutils)$/;

function firstLineOf(text: string, start: number, end: number): string {
  const line = text.slice(start, end).split('\n', 1)[0].trim().replace(/:$/, '');
  return line.length > 48 ? line.slice(0, 47) + '…' : line;
}

interface LaterDefinition {
  name: string;
  /** The cell that reads the name first, and the first cell that binds it. */
  i: number;
  j: number;
}

/**
 * The names read in a cell but bound only in a later one, in report order: combines
 * the per-cell summaries (the first cell that binds each name, the first that may).
 */
function findLaterDefinitions(names: readonly CellNames[]): LaterDefinition[] {
  const firstDef = new Map<string, number>();
  const firstMaybe = new Map<string, number>();
  for (let i = 0; i < names.length; i++) {
    const n = names[i];
    for (const name of n.defs.keys()) if (!firstDef.has(name)) firstDef.set(name, i);
    for (const name of n.maybe) if (!firstMaybe.has(name)) firstMaybe.set(name, i);
  }
  const out: LaterDefinition[] = [];
  const reported = new Set<string>();
  for (let i = 0; i < names.length; i++) {
    const n = names[i];
    if (n.opaque) break; // anything may be defined from here on
    for (const name of n.uses.keys()) {
      // Reported when a later cell binds the name and no cell up to this one binds or may bind it.
      const j = firstDef.get(name);
      if (j === undefined || j <= i) continue;
      const m = firstMaybe.get(name);
      if ((m !== undefined && m <= i) || reported.has(name) || BUILTINS.has(name) || INJECTED.test(name)) continue;
      reported.add(name);
      out.push({ name, i, j });
    }
  }
  return out;
}

/** The same names, in the same order, bound, maybe bound and read (positions aside). */
function sameNames(a: CellNames, b: CellNames): boolean {
  if (a.opaque !== b.opaque || a.defs.size !== b.defs.size || a.maybe.size !== b.maybe.size || a.uses.size !== b.uses.size) return false;
  const same = (x: Iterable<string>, y: Iterable<string>): boolean => {
    const it = y[Symbol.iterator]();
    for (const k of x) if (it.next().value !== k) return false;
    return true;
  };
  return same(a.defs.keys(), b.defs.keys()) && same(a.maybe, b.maybe) && same(a.uses.keys(), b.uses.keys());
}

/**
 * The result depends on the names of the cells only (not on positions): the last
 * results are kept, and reused when the cells hold the same names. Re-linting after an
 * edit that keeps the edited cell's names (most keystrokes) compares that cell only.
 */
const recent: Array<{ names: readonly CellNames[]; found: LaterDefinition[] }> = [];

function laterDefinitions(names: readonly CellNames[]): LaterDefinition[] {
  for (const r of recent) {
    if (r.names.length !== names.length) continue;
    let same = true;
    for (let k = 0; k < names.length && same; k++) same = names[k] === r.names[k] || sameNames(names[k], r.names[k]);
    if (same) {
      r.names = names;
      return r.found;
    }
  }
  const found = findLaterDefinitions(names);
  recent.unshift({ names, found });
  if (recent.length > 2) recent.pop();
  return found;
}

const EXAMPLE_NOTEBOOK = `{
 "nbformat": 4, "nbformat_minor": 5, "metadata": {},
 "cells": [
  {"cell_type": "code", "execution_count": 2, "metadata": {}, "outputs": [],
   "source": ["import pandas as pd\\n", "df = clean(pd.read_csv(\\"train.csv\\"))"]},
  {"cell_type": "code", "execution_count": 1, "metadata": {}, "outputs": [],
   "source": ["def clean(frame):\\n", "    return frame.dropna()"]}
 ]
}
`;

const GOOD_NOTEBOOK = `{
 "nbformat": 4, "nbformat_minor": 5, "metadata": {},
 "cells": [
  {"cell_type": "code", "execution_count": 1, "metadata": {}, "outputs": [],
   "source": ["def clean(frame):\\n", "    return frame.dropna()"]},
  {"cell_type": "code", "execution_count": 2, "metadata": {}, "outputs": [],
   "source": ["import pandas as pd\\n", "df = clean(pd.read_csv(\\"train.csv\\"))"]}
 ]
}
`;

export default defineRule({
  meta: {
    id: 'hidden-state',
    area: 'reproducibility',
    defaultSeverity: 'warning',
    recommended: true,
    targets: ['notebook'],
    messages: {
      laterDefinition:
        '`{{name}}` is read here but defined only in a later cell (`{{definition}}`): this cell works only in a kernel where that cell already ran. Move the definition above this cell, then Restart & Run All.',
    },
    docs: {
      summary: 'A name is used in a cell but defined only in a later cell.',
      whatItDoes:
        'Walks the code cells from top to bottom and collects, per cell, the names it binds at module level (assignments, `for` / `with` targets, imports, `def` and `class`, walrus targets, `%%capture` / `%store -r`) and the names it reads (outside function bodies, which run later; comprehension and lambda variables, attribute and keyword names are not reads). A name read in a cell that no cell up to and including it binds, but that a later cell binds, is reported at its first read, with the later definition as related information. Builtins and names IPython injects (`display`, `get_ipython`, `In`, `Out`, `_`, `__`, `_1`, ...) are never hidden state; a cell that runs other code into the namespace (`%run`, `%store -r`, `from m import *`, `exec(...)`) ends the check for the cells below it.',
      whyIsThisBad:
        'The notebook only works in the kernel it was written in, where the later cell happened to run first. A restart followed by Run All, a colleague, papermill or CI fails with a NameError, or worse, a name is re-bound later and earlier results silently depended on the later value. Results that depend on hidden kernel state cannot be reproduced (ML Test Score, Infra 1).',
      example: { language: 'python', file: 'example.ipynb', code: EXAMPLE_NOTEBOOK },
      useInstead: { language: 'python', file: 'example.ipynb', code: GOOD_NOTEBOOK },
      fixSafety:
        'No automatic fix: moving cells changes what every cell in between sees. Move the defining cell (or the definition) above its first use, then Restart & Run All to check that the notebook runs top to bottom (`jupyter nbconvert --to notebook --execute` in CI).',
      notebookBehavior:
        'Cells are read in their order in the file (not by execution count, which `out-of-order-execution` checks). Each name is reported once, at its first read; the definition is linked as related information.',
      references: [
        'Breck et al. 2017, The ML Test Score (Infra 1, training is reproducible): https://research.google/pubs/the-ml-test-score-a-rubric-for-ml-production-readiness-and-technical-debt-reduction/',
        'Pimentel et al. 2019, A Large-scale Study about Quality and Reproducibility of Jupyter Notebooks (MSR 2019): out-of-order cells and hidden state',
        'nbQA / papermill: run notebooks top to bottom in CI: https://papermill.readthedocs.io/',
      ],
    },
  },
  check(ctx) {
    const units = ctx.python?.units;
    if (!ctx.notebook || !units || units.length < 2) return;
    const names = cellNamesOf(ctx.python!);
    for (const { name, i, j } of laterDefinitions(names)) {
      const use = names[i].uses.get(name)!;
      const def = names[j].defs.get(name)!;
      const defUnit = units[j];
      const stmtText = defUnit.text;
      const lineStart = stmtText.lastIndexOf('\n', def.start - 1) + 1;
      const lineEnd = stmtText.indexOf('\n', def.start);
      ctx.report({
        messageId: 'laterDefinition',
        data: { name, definition: firstLineOf(stmtText, lineStart, lineEnd < 0 ? stmtText.length : lineEnd) },
        location: unitLocation(units[i], use),
        related: [{ location: unitLocation(defUnit, def), message: `\`${name}\` is defined here, below its first use` }],
      });
    }
  },
});
