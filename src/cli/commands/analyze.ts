import type { Command } from 'commander';
import { ExitCode, UserError } from '../../util/errors.js';

const formats = ['json', 'html', 'pdf'] as const;
type Format = (typeof formats)[number];
const failOnValues = ['error', 'warning', 'info', 'never'] as const;

export function register(program: Command): void {
  program
    .command('analyze')
    .description('Re-run the parsers and every check on a bundle (directory or .tar.gz) and write findings.json (+ the HTML/PDF report)')
    .argument('<bundle>', 'bundle directory or bundle .tar.gz written by `mlb-report collect`')
    .option('--out <dir>', 'output folder (default: the bundle directory; for a tarball ./<name>-analysis)')
    .option('--format <list>', 'comma-separated: json,html,pdf (pdf where a Chrome/Chromium is found)', 'json,html,pdf')
    .option('--fail-on <severity>', 'exit 1 when a finding is at or above: error | warning | info | never', 'never')
    .option('--only <ids>', 'run only these comma-separated check ids')
    .option('--ip-map <file>', 'for a bundle collected with --redact-ips: its <dir>.ip-map.json, so the checks see the real addresses (outputs stay redacted)')
    .addHelpText('after', '\nExit codes: 0 no finding at/above --fail-on; 1 findings at/above --fail-on; 2 bad input (bundle, option).')
    .action(async (bundle: string, opts: { out?: string; format: string; failOn: string; only?: string; ipMap?: string }) => {
      const wanted = opts.format.split(',').map((s) => s.trim()).filter(Boolean);
      const bad = wanted.filter((f) => !(formats as readonly string[]).includes(f));
      if (bad.length || !wanted.length) throw new UserError(`unknown format: ${bad.join(', ') || '(none)'}`, `Use a comma-separated list of ${formats.join(', ')}.`, ExitCode.usage);
      if (!(failOnValues as readonly string[]).includes(opts.failOn)) throw new UserError(`--fail-on must be one of ${failOnValues.join(', ')}`, 'For CI use --fail-on error.', ExitCode.usage);
      const { runAnalyze } = await import('../../run/analyze.js');
      process.exitCode = await runAnalyze({ bundle, out: opts.out, formats: wanted as Format[], failOn: opts.failOn as (typeof failOnValues)[number], only: opts.only?.split(',').map((s) => s.trim()).filter(Boolean), ipMap: opts.ipMap });
    });
}
