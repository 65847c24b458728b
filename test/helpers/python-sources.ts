import * as fs from 'node:fs';
import * as path from 'node:path';
import { maskMagics } from '../../src/core/parse/magics';
import { parseNotebook } from '../../src/core/parse/notebook';
import { pythonParser } from '../../src/core/parse/python';

/** True when tree-sitter-python parses the text without an error (`initPython()` first). */
export function parsesCleanly(src: string): boolean {
  const tree = pythonParser().parse(src);
  if (!tree) return false;
  try {
    return !tree.rootNode.hasError;
  } finally {
    tree.delete();
  }
}

/** The Python under a folder, as the engine reads it: each `.py` file, and each notebook code cell with its magics masked. */
export function pythonSources(dir: string, out: string[] = []): string[] {
  for (const e of fs.readdirSync(dir, { withFileTypes: true })) {
    const p = path.join(dir, e.name);
    if (e.isDirectory()) pythonSources(p, out);
    else if (e.name.endsWith('.py')) out.push(fs.readFileSync(p, 'utf8'));
    else if (e.name.endsWith('.ipynb')) {
      const nb = parseNotebook(fs.readFileSync(p, 'utf8'));
      if (nb.ok) for (const c of nb.notebook.cells) if (c.kind === 'code') out.push(maskMagics(c.source).masked);
    }
  }
  return out;
}
