// Per-rule cost of re-linting one notebook after a one-cell edit (the editor case).
// Usage: MLOPS_HYGIENE_TIMING=1 npx tsx scripts/profile-relint.ts [notebook in ../shared/corpus/ageron__handson-ml2]
import * as fs from 'node:fs';
import * as path from 'node:path';
import { notebookFromCells, parseNotebook } from '../src/core/parse/notebook';
import { Project } from '../src/core/project';
import { NodeFileSystem } from '../src/core/workspace/fs';
(async () => {
  const repo = path.resolve(process.cwd(), '../shared/corpus/ageron__handson-ml2');
  const file = process.argv[2] ?? '12_custom_models_and_training_with_tensorflow.ipynb';
  const parsed = parseNotebook(fs.readFileSync(path.join(repo, file), 'utf8'));
  if (!parsed.ok) throw new Error();
  const project = await Project.open(new NodeFileSystem(repo));
  const cells = parsed.notebook.cells.map((c) => ({ kind: c.kind, source: c.source, executionCount: c.executionCount, outputs: c.outputs, metadata: c.metadata }));
  await project.linter.lintNotebook(file, notebookFromCells(cells, parsed.notebook.metadata));
  project.linter.timing?.clear();
  const target = 100;
  const t = performance.now();
  for (let i = 0; i < 40; i++) {
    cells[target] = { ...cells[target], source: cells[target].source + (i % 2 ? ' ' : '#') };
    await project.linter.lintNotebook(file, notebookFromCells(cells, parsed.notebook.metadata));
  }
  console.log('avg ms', ((performance.now() - t) / 40).toFixed(2));
  for (const [id, ms] of [...(project.linter.timing ?? [])].sort((a, b) => b[1] - a[1]).slice(0, 12)) console.log(id, (ms / 40).toFixed(3));
})();
