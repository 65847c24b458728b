// The bundled CLI's entry (dist/cli.js). `check` runs in a worker thread with a
// bounded V8 heap: checking a tree allocates far more than it keeps (each notebook's
// JSON, syntax trees, per-file analyses), and an unbounded heap lets that garbage
// pile up to several times the live data before V8 collects it. A limit makes V8
// collect earlier: the same run, a smaller peak. A run that truly needs more memory
// (huge files) is retried with a larger limit, then in this thread without one, so
// the limit never turns into a failure. The engine is only loaded where it runs:
// `import('./main')` is evaluated lazily in the bundle.
import { isMainThread, parentPort, Worker, workerData } from 'node:worker_threads';

const TAG = 'mlops-hygiene-check';

/**
 * Old-generation heap limits tried in order (MB); after the last, the check runs
 * unbounded. 64 MB keeps the whole corpus check under 150 MB of RSS and fits a
 * repository of 2,000 notebooks; `MLOPS_HYGIENE_HEAP_STEPS` (comma-separated MB)
 * overrides it, for tests and unusual machines.
 */
function heapSteps(env: NodeJS.ProcessEnv): number[] {
  const custom = env.MLOPS_HYGIENE_HEAP_STEPS?.split(',').map(Number);
  return custom && custom.every((n) => Number.isFinite(n) && n > 0) ? custom : [64, 512];
}

interface Request {
  tag: typeof TAG;
  argv: string[];
  isTTY: boolean;
}

interface Reply {
  code: number;
  out: string[];
  err: string[];
}

function ioFor(isTTY: boolean, write?: { out(s: string): void; err(s: string): void }) {
  return {
    out: write?.out ?? ((s: string) => void process.stdout.write(s)),
    err: write?.err ?? ((s: string) => void process.stderr.write(s)),
    isTTY,
    cwd: process.cwd(),
    env: process.env,
  };
}

/** In a worker: run the command, collect its output, post it back in one message. */
async function serve(req: Request): Promise<void> {
  const { main } = await import('./main');
  const reply: Reply = { code: 2, out: [], err: [] };
  reply.code = await main(req.argv, ioFor(req.isTTY, { out: (s) => reply.out.push(s), err: (s) => reply.err.push(s) }));
  parentPort?.postMessage(reply);
}

function inWorker(req: Request, oldMb: number): Promise<Reply | 'out-of-memory'> {
  return new Promise((resolve, reject) => {
    const w = new Worker(__filename, { workerData: req, resourceLimits: { maxOldGenerationSizeMb: oldMb, maxYoungGenerationSizeMb: 4 } });
    let reply: Reply | undefined;
    w.once('message', (m: Reply) => (reply = m));
    w.once('error', (e: Error & { code?: string }) => (e.code === 'ERR_WORKER_OUT_OF_MEMORY' ? resolve('out-of-memory') : reject(e)));
    w.once('exit', (code) => (reply ? resolve(reply) : reject(new Error(`the check worker stopped without a result (exit code ${code})`))));
  });
}

async function run(argv: string[]): Promise<number> {
  const isTTY = process.stdout.isTTY === true;
  if (argv[0] === 'check' && process.env.MLOPS_HYGIENE_NO_WORKER === undefined) {
    for (const oldMb of heapSteps(process.env)) {
      const r = await inWorker({ tag: TAG, argv, isTTY }, oldMb);
      if (r === 'out-of-memory') continue;
      for (const s of r.out) process.stdout.write(s);
      for (const s of r.err) process.stderr.write(s);
      return r.code;
    }
  }
  const { main } = await import('./main');
  return main(argv, ioFor(isTTY));
}

const request = workerData as Request | undefined;
if (!isMainThread && request?.tag === TAG) {
  void serve(request);
} else {
  // `mlops-hygiene rules | head` closes the pipe early: that is not an error.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
  void run(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (e: unknown) => {
      // Errors from the worker arrive structured-cloned: maybe no stack, maybe not an Error.
      const m = e as { stack?: unknown; message?: unknown } | undefined;
      const text = typeof m?.stack === 'string' ? m.stack : typeof m?.message === 'string' ? m.message : JSON.stringify(e) ?? String(e);
      process.stderr.write(`mlops-hygiene: internal error: ${text}\n`);
      process.exitCode = 2;
    },
  );
}
