// Calls by kind: one pass over each cell's calls for every library that picks calls
// by their names (training, deployment, randomness, saves, registrations), cached
// per cell like the other qualified summaries.
import * as assert from 'node:assert/strict';
import { PythonProgram, UnitCache } from '../src/core/parse/program';
import { initPython } from '../src/core/parse/python';
import { callKind, hasKind, kindedCalls, mayBeTrainWord, TRAIN_WORD } from '../src/core/rules/lib/training';

describe('callKind / kindedCalls', () => {
  before(initPython);

  const cache = new UnitCache();
  const program = (...cells: string[]): PythonProgram => PythonProgram.fromUnits(cache, cells.map((text, cell) => ({ cell, text })));
  // Kinds registered here stay registered for the rest of the run: they only record while a test looks.
  let tested: string[] | undefined;
  const SPLITS = callKind((call, qualified) => {
    tested?.push(call.callee);
    return qualified === 'sklearn.model_selection.train_test_split';
  });
  const PRINTS = callKind((call, _qualified, dotted) => !dotted && call.name === 'print');

  it('keeps the calls of some kind, qualified, with the kinds they are of', () => {
    const p = program('from sklearn.model_selection import train_test_split as tts', 'a, b = tts(x)\nprint(a)\nlen(b)');
    const calls = kindedCalls(p)[1];
    const of = (kind: number): string[] => calls.filter((c) => c.kinds & kind).map((c) => `${c.call.callee} -> ${c.qualified}`);
    assert.deepEqual(of(SPLITS), ['tts -> sklearn.model_selection.train_test_split']);
    assert.deepEqual(of(PRINTS), ['print -> print']);
    assert.ok(!calls.some((c) => c.call.callee === 'len'));
    assert.ok(hasKind(p, SPLITS) && hasKind(p, PRINTS));
    assert.ok(!hasKind(program('len(x)'), SPLITS));
  });

  it('tests each cell once while the imports do not change; an import change re-tests the cells it rebinds', () => {
    const cells = ['import numpy as np', 'x = np.zeros(3)', 'train_test_split(x)'];
    kindedCalls(program(...cells));
    tested = [];
    assert.ok(!hasKind(program(...cells), SPLITS));
    assert.deepEqual(tested, []);
    // `train_test_split` is now imported: its cell is tested again, the `np` cell is not.
    const p = program('import numpy as np\nfrom sklearn.model_selection import train_test_split', cells[1], cells[2]);
    assert.ok(hasKind(p, SPLITS));
    assert.deepEqual(tested, ['train_test_split']);
    tested = undefined;
  });

  it('drops the summaries made before a kind is registered', () => {
    const cells = ['fit(x)', 'y = 1'];
    kindedCalls(program(...cells));
    const LATE = callKind((call) => call.name === 'fit');
    assert.ok(hasKind(program(...cells), LATE));
  });
});

describe('mayBeTrainWord', () => {
  it('is true wherever TRAIN_WORD matches', () => {
    const words = ['train', 'Train', 'TRAIN', 'retrain', 'trainer', 'training', 'fine_tune', 'finetune', 'FineTune', 'finetuning', 'fit_model', 'Fit_Model'];
    for (const w of words) {
      for (const s of [w, `x_${w}`, `${w}_step`, `my${w}`, `${w}2`, `a.${w}`]) {
        if (TRAIN_WORD.test(s)) assert.ok(mayBeTrainWord(s), s);
      }
    }
    for (const s of ['fit', 'predict', 'transform', 'tra_in', 'fin', 'fit_mode', 'f']) assert.ok(!mayBeTrainWord(s), s);
  });
});
