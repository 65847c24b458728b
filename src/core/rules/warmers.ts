import type { Warmer } from '../rule';
import { TEST_FILE } from './data/undeclared-artifact-write';
import { dataReads, producedPaths } from './lib/data-io';
import { cellNames } from './lib/dataflow';
import { scriptFacts } from './lib/dvc';
import { analyseTraining } from './lib/training';

// The shared analyses that cost most on the first lint of a large notebook (measured
// cold on a 356-cell notebook: names per cell 44 ms, DVC script facts 23 ms, training
// 14 ms, produced paths 12 ms, data reads 8 ms). Warming them one by one lets the
// engine yield between them, and between cells for the per-cell ones.


export const WARMERS: readonly Warmer[] = [
  { name: 'names per cell (data flow)', rules: ['hidden-state'], unit: (u) => void cellNames(u) },
  { name: 'data reads', rules: ['absolute-data-path', 'unpinned-remote-data', 'untracked-data-read', 'unvalidated-data-load'], program: (p) => void dataReads(p) },
  { name: 'produced paths', rules: ['untracked-data-read'], program: (p) => void producedPaths(p) },
  { name: 'training analysis', rules: ['missing-holdout-split', 'untracked-experiment', 'unregistered-model', 'undocumented-model', 'unvalidated-data-load'], program: (p) => void analyseTraining(p) },
  {
    name: 'script facts (DVC)',
    rules: ['undeclared-artifact-write'],
    program: (p, ws, file) => {
      if (ws.usesDvc() && !TEST_FILE.test(file)) scriptFacts(p);
    },
  },
];
