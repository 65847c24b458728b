import { ruleDocsUrl } from '../core/docs-link';
import { RULES, ruleById } from '../core/rules';
import { SEVERITY_SETTINGS, type SeveritySetting } from '../core/types';
import { failsOn, runCheck } from './check';
import { formatGithub } from './formats/github';
import { formatJson } from './formats/json';
import { formatSarif } from './formats/sarif';
import { colors, formatText, summaryLine } from './formats/text';

declare const PACKAGE_VERSION: string | undefined;
const VERSION = typeof PACKAGE_VERSION === 'string' ? PACKAGE_VERSION : '0.1.0';

const HELP = `mlops-hygiene ${VERSION}: finds MLOps technical debt in notebooks, Python and pipeline YAML.

Usage:
  mlops-hygiene check [paths...] [options]   lint files or folders (default: .)
  mlops-hygiene rules                        list the rules
  mlops-hygiene explain <rule-id>            show a rule's documentation

Options for check:
  --fix                 apply safe fixes, then report what is left
  --unsafe-fixes        with --fix, apply unsafe fixes too
  --format <f>          text (default), json, sarif or github
  --config <file>       config file (default: .mlops-hygiene.yaml or [tool.mlops-hygiene] in pyproject.toml)
  --fail-on <severity>  exit 1 when a finding is at or above: hint, info, warning (default), error, or off
  --no-color            plain text output (colours are only used on a terminal anyway)
  -h, --help            this help
  -v, --version         the version

Exit codes: 0 nothing at or above --fail-on, 1 findings, 2 usage or config error.
`;

interface Io {
  out(s: string): void;
  err(s: string): void;
  isTTY: boolean;
  cwd: string;
  env: NodeJS.ProcessEnv;
}

class UsageError extends Error {}

function parseCheckArgs(args: string[]): { paths: string[]; fix: boolean; unsafeFixes: boolean; format: string; config?: string; failOn: SeveritySetting; color: boolean } {
  const o = { paths: [] as string[], fix: false, unsafeFixes: false, format: 'text', config: undefined as string | undefined, failOn: 'warning' as SeveritySetting, color: true };
  for (let i = 0; i < args.length; i++) {
    const a = args[i];
    const [flag, inline] = a.startsWith('--') && a.includes('=') ? [a.slice(0, a.indexOf('=')), a.slice(a.indexOf('=') + 1)] : [a, undefined];
    const value = (): string => {
      const v = inline ?? args[++i];
      if (v === undefined || (inline === undefined && v.startsWith('--'))) throw new UsageError(`${flag} needs a value`);
      return v;
    };
    switch (flag) {
      case '--fix':
        o.fix = true;
        break;
      case '--unsafe-fixes':
        o.unsafeFixes = true;
        break;
      case '--format': {
        const v = value();
        if (!['text', 'json', 'sarif', 'github'].includes(v)) throw new UsageError(`--format must be text, json, sarif or github, not "${v}"`);
        o.format = v;
        break;
      }
      case '--config':
        o.config = value();
        break;
      case '--fail-on': {
        let v = value();
        if (v === 'none') v = 'off';
        if (!SEVERITY_SETTINGS.includes(v as SeveritySetting)) throw new UsageError(`--fail-on must be one of ${SEVERITY_SETTINGS.join(', ')}, not "${v}"`);
        o.failOn = v as SeveritySetting;
        break;
      }
      case '--no-color':
        o.color = false;
        break;
      default:
        if (a.startsWith('-') && a !== '-') throw new UsageError(`unknown option ${a}`);
        o.paths.push(a);
    }
  }
  if (o.unsafeFixes && !o.fix) throw new UsageError('--unsafe-fixes only works with --fix');
  return o;
}

function explain(id: string, io: Io): number {
  const rule = ruleById(id);
  if (!rule) {
    const near = RULES.map((r) => r.meta.id).filter((r) => r.includes(id) || id.includes(r.split('-')[0]));
    io.err(`Unknown rule "${id}".${near.length ? ` Did you mean: ${near.join(', ')}?` : ''} Run \`mlops-hygiene rules\` for the list.\n`);
    return 2;
  }
  const d = rule.meta.docs;
  const section = (title: string, body: string | undefined): string => (body ? `${title}\n${body.replace(/^/gm, '  ')}\n\n` : '');
  io.out(
    `${rule.meta.id} (${rule.meta.area}, default ${rule.meta.defaultSeverity}${rule.meta.recommended ? ', recommended' : ''})\n` +
      `${d.summary}\n\n` +
      section('What it does', d.whatItDoes) +
      section('Why is this bad?', d.whyIsThisBad) +
      section('Example', d.example.code.trimEnd()) +
      section('Use instead', d.useInstead.code.trimEnd()) +
      section('Fix safety', d.fixSafety) +
      section('Notebook behavior', d.notebookBehavior) +
      section('References', d.references.join('\n')) +
      `Suppress it: # mlops-hygiene: ignore[${rule.meta.id}]\nDocs: ${ruleDocsUrl(rule.meta.id)}\n`,
  );
  return 0;
}

function listRules(io: Io): number {
  const rows = RULES.map((r) => [r.meta.id, r.meta.area, r.meta.defaultSeverity, r.meta.recommended ? 'yes' : 'no', r.meta.docs.summary]);
  const w = [0, 1, 2, 3].map((i) => Math.max(...rows.map((r) => r[i].length), ['rule', 'area', 'severity', 'recommended'][i].length));
  const line = (r: string[]) => r.slice(0, 4).map((c, i) => c.padEnd(w[i])).join('  ') + '  ' + r[4] + '\n';
  io.out(line(['rule', 'area', 'severity', 'recommended', 'what it flags']));
  for (const r of rows) io.out(line(r));
  return 0;
}

export async function main(argv: string[], io: Io): Promise<number> {
  const [command, ...rest] = argv;
  try {
    if (command === undefined || command === '-h' || command === '--help' || command === 'help') {
      io.out(HELP);
      return command === undefined ? 2 : 0;
    }
    if (command === '-v' || command === '--version') {
      io.out(`${VERSION}\n`);
      return 0;
    }
    if (command === 'rules') return listRules(io);
    if (command === 'explain') {
      if (!rest[0]) throw new UsageError('explain needs a rule id');
      return explain(rest[0], io);
    }
    if (command !== 'check') throw new UsageError(`unknown command "${command}"`);
    if (rest.includes('-h') || rest.includes('--help')) {
      io.out(HELP);
      return 0;
    }
    const o = parseCheckArgs(rest);
    const r = await runCheck({ paths: o.paths, fix: o.fix, unsafeFixes: o.unsafeFixes, configPath: o.config, cwd: io.cwd });
    for (const m of r.messages) io.err(`mlops-hygiene: ${m}\n`);
    if (r.configError || r.usageError) return 2;
    const findings = r.findings.map((f) => f.finding);
    switch (o.format) {
      case 'json':
        io.out(formatJson(r.findings));
        break;
      case 'sarif':
        io.out(formatSarif(r.findings, RULES, VERSION));
        break;
      case 'github':
        io.out(formatGithub(r.findings));
        break;
      default: {
        const c = colors(o.color && io.isTTY && !io.env.NO_COLOR);
        io.out(formatText(r.findings, c));
        if (r.fixedCount) io.out(`Fixed ${r.fixedCount} problem${r.fixedCount === 1 ? '' : 's'}.\n`);
        io.out(summaryLine(r.findings, r.filesLinted, c));
      }
    }
    return failsOn(findings, o.failOn) ? 1 : 0;
  } catch (e) {
    if (e instanceof UsageError) {
      io.err(`mlops-hygiene: ${e.message}\nRun \`mlops-hygiene --help\` for usage.\n`);
      return 2;
    }
    io.err(`mlops-hygiene: internal error: ${(e as Error).stack ?? String(e)}\n`);
    return 2;
  }
}

declare const MLOPS_HYGIENE_BUNDLED_CLI: boolean | undefined;

// Run from sources (`npx tsx src/cli/main.ts check ...`): in this thread. The bundled
// CLI starts from entry.ts instead, which runs `check` in a bounded worker.
if (require.main === module && typeof MLOPS_HYGIENE_BUNDLED_CLI === 'undefined') {
  // `mlops-hygiene rules | head` closes the pipe early: that is not an error.
  process.stdout.on('error', (e: NodeJS.ErrnoException) => {
    if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
    throw e;
  });
  void main(process.argv.slice(2), {
    out: (s) => process.stdout.write(s),
    err: (s) => process.stderr.write(s),
    isTTY: process.stdout.isTTY === true,
    cwd: process.cwd(),
    env: process.env,
  }).then((code) => {
    process.exitCode = code;
  });
}
