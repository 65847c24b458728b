import type { Warmer } from '../rule';
import { TEST_FILE } from './data/undeclared-artifact-write';
import { dataReads, producedPaths, warmReadCandidates, warmWrites } from './lib/data-io';
import { cellNames } from './lib/dataflow';
import { scriptFacts } from './lib/dvc';
import { analyseTraining, warmKindedCalls } from './lib/training';

// The shared analyses that cost most on the first lint of a large notebook (measured
// cold on a 356-cell notebook: names per cell 44 ms, DVC script facts 23 ms, training
// 14 ms, produced paths 12 ms, data reads 8 ms). Warming them one by one lets the
// engine yield between them, and between cells for their per-cell parts: the names,
// the read and write candidates, the kinded calls the training analysis starts from.


export const WARMERS: readonly Warmer[] = [
  { name: 'names per cell (data flow)', rules: ['hidden-state'], unit: (u) => void cellNames(u) },
  {
    name: 'data reads',
    rules: ['absolute-data-path', 'unpinned-remote-data', 'untracked-data-read', 'unvalidated-data-load'],
    unit: (_u, p, i) => warmReadCandidates(p, i),
    program: (p) => void dataReads(p),
  },
  { name: 'produced paths', rules: ['untracked-data-read'], unit: (_u, p, i) => warmWrites(p, i), program: (p) => void producedPaths(p) },
  {
    name: 'training analysis',
    rules: ['missing-holdout-split', 'untracked-experiment', 'unregistered-model', 'undocumented-model', 'unvalidated-data-load'],
    unit: (_u, p, i) => warmKindedCalls(p, i),
    program: (p) => void analyseTraining(p),
  },
  {
    name: 'script facts (DVC)',
    rules: ['undeclared-artifact-write'],
    program: (p, ws, file) => {
      if (ws.usesDvc() && !TEST_FILE.test(file)) scriptFacts(p);
    },
  },
];
