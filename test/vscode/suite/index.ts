// The entry VS Code's test runner calls in the extension host (extensionTestsPath):
// runs every bundled `*.e2e.js` next to this file with mocha, in name order.
import * as fs from 'node:fs';
import * as path from 'node:path';
import Mocha from 'mocha';
import { metrics, signalsDir } from './helpers';

export function run(): Promise<void> {
  const mocha = new Mocha({ ui: 'bdd', timeout: 90000, color: false, reporter: 'spec' });
  // MLOPS_HYGIENE_VSCODE_TEST_GREP runs matching tests only (the launchers pass it through).
  const grep = process.env.MLOPS_HYGIENE_VSCODE_TEST_GREP;
  if (grep) mocha.grep(grep);
  for (const f of fs.readdirSync(__dirname).filter((x) => x.endsWith('.e2e.js')).sort()) mocha.addFile(path.join(__dirname, f));
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const failures: Array<{ title: string; error: string }> = [];
    const runner = mocha.run((failed) => {
      const summary = {
        passes: runner.stats?.passes ?? 0,
        failures: failed,
        pending: runner.stats?.pending ?? 0,
        durationMs: Date.now() - started,
        failed: failures,
        metrics,
      };
      const dir = signalsDir();
      if (dir) fs.writeFileSync(path.join(dir, 'results.json'), JSON.stringify(summary, null, 2));
      if (failed > 0) reject(new Error(`${failed} integration test(s) failed`));
      else resolve();
    });
    runner.on('fail', (test, err: Error) => failures.push({ title: test.fullTitle(), error: err.message }));
  });
}
