import * as assert from 'node:assert/strict';
import { applyEdits, applyTextEdits, selectEdits, sourceLines } from '../../src/core/fix/apply';
import type { Finding } from '../../src/core/types';
import { notebook } from '../helpers/rule-tester';

const r = (sl: number, sc: number, el: number, ec: number) => ({ start: { line: sl, character: sc }, end: { line: el, character: ec } });

describe('applyTextEdits', () => {
  it('applies edits from the end and drops overlapping ones', () => {
    const text = 'abc\ndef\n';
    assert.equal(
      applyTextEdits(text, [
        { range: r(0, 1, 0, 2), newText: 'X' },
        { range: r(1, 0, 1, 0), newText: '>' },
        { range: r(0, 1, 0, 3), newText: 'overlap' },
      ]),
      'aXc\n>def\n',
    );
  });
});

describe('sourceLines', () => {
  it('splits like nbformat', () => {
    assert.deepEqual(sourceLines('a\nb\n'), ['a\n', 'b\n']);
    assert.deepEqual(sourceLines('a\nb'), ['a\n', 'b']);
    assert.deepEqual(sourceLines(''), []);
  });
});

describe('applyEdits on notebooks', () => {
  const text = notebook(['import pandas as pd', 'df = pd.read_csv("x.csv")\nmodel.fit(X, y)', { markdown: '# notes' }]);

  it('changes only the edited cell; other bytes stay identical', () => {
    const out = applyEdits('a.ipynb', text, [{ cell: 1, range: r(1, 14, 1, 14), newText: ', sample_weight=w' }]);
    assert.ok(out);
    const before = JSON.parse(text);
    const after = JSON.parse(out);
    assert.deepEqual(after.cells[1].source, ['df = pd.read_csv("x.csv")\n', 'model.fit(X, y, sample_weight=w)']);
    assert.deepEqual(after.cells[0], before.cells[0]);
    assert.deepEqual(after.cells[2], before.cells[2]);
    // Outside the edited source value, the text is byte-identical.
    const start = text.indexOf('"df = pd.read_csv');
    assert.equal(out.slice(0, start), text.slice(0, start));
    const tail = text.slice(text.indexOf('\n  },', start));
    assert.ok(out.endsWith(tail), 'everything after the edited source is unchanged');
  });

  it('inserts a cell with the notebook indent and keeps JSON valid', () => {
    const out = applyEdits('a.ipynb', text, [{ insertCell: { index: 1, kind: 'code', source: 'import random\nrandom.seed(0)\n' } }]);
    assert.ok(out);
    const after = JSON.parse(out);
    assert.equal(after.cells.length, 4);
    assert.deepEqual(after.cells[1].source, ['import random\n', 'random.seed(0)\n']);
    assert.equal(after.cells[1].execution_count, null);
    assert.deepEqual(after.cells[1].outputs, []);
    assert.equal(typeof after.cells[1].id, 'string');
    assert.deepEqual(after.cells[2], JSON.parse(text).cells[1]);
    // Same one-space indent as the rest of the file.
    assert.ok(out.includes('\n  {\n   "cell_type": "code",\n   "execution_count": null,'));
  });

  it('appends a cell at the end and into an empty notebook', () => {
    const end = applyEdits('a.ipynb', text, [{ insertCell: { index: 99, kind: 'markdown', source: 'done' } }]);
    assert.ok(end);
    assert.deepEqual(JSON.parse(end).cells.at(-1).source, ['done']);
    const empty = '{\n "cells": [],\n "metadata": {},\n "nbformat": 4,\n "nbformat_minor": 5\n}\n';
    const out = applyEdits('a.ipynb', empty, [{ insertCell: { index: 0, kind: 'code', source: 'x = 1' } }]);
    assert.ok(out);
    assert.deepEqual(JSON.parse(out).cells[0].source, ['x = 1']);
  });

  it('keeps a string-valued source a string', () => {
    const t = JSON.stringify({ nbformat: 4, nbformat_minor: 4, metadata: {}, cells: [{ cell_type: 'code', execution_count: 1, metadata: {}, outputs: [], source: 'a = 1\nb = 2' }] }, null, 2);
    const out = applyEdits('a.ipynb', t, [{ cell: 0, range: r(1, 4, 1, 5), newText: '3' }]);
    assert.ok(out);
    assert.equal(JSON.parse(out).cells[0].source, 'a = 1\nb = 3');
  });

  it('refuses to touch an invalid notebook', () => {
    assert.equal(applyEdits('a.ipynb', '{"cells": [', [{ cell: 0, range: r(0, 0, 0, 0), newText: 'x' }]), undefined);
  });
});

describe('selectEdits', () => {
  const finding = (rule: string, safety: 'safe' | 'unsafe', newText: string, at = 0): Finding => ({
    rule,
    area: 'data',
    severity: 'warning',
    message: '',
    file: 'a.py',
    location: { range: r(0, 0, 0, 1) },
    fileRange: r(0, 0, 0, 1),
    fixes: [{ title: 't', safety, edits: [{ range: r(at, 0, at, 1), newText }] }],
    related: [],
  });

  it('takes safe fixes only unless unsafe is asked for', () => {
    const fs = [finding('a', 'safe', 'S'), finding('b', 'unsafe', 'U', 1)];
    assert.deepEqual(selectEdits(fs).fixed.map((f) => f.rule), ['a']);
    assert.deepEqual(selectEdits(fs, { unsafe: true }).fixed.map((f) => f.rule), ['a', 'b']);
  });

  it('skips a fix that overlaps one already taken', () => {
    const fs = [finding('a', 'safe', 'S'), finding('b', 'safe', 'T')];
    assert.deepEqual(selectEdits(fs).fixed.map((f) => f.rule), ['a']);
  });
});
