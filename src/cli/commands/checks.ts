import type { Command } from 'commander';
import { UserError } from '../../util/errors.js';

export function register(program: Command): void {
  program
    .command('checks')
    .description('List every heuristic check with its documentation (cause, how to confirm by hand, fix, references)')
    .option('--json', 'print the catalogue as JSON')
    .option('--markdown', 'print the catalogue as Markdown (this is docs/checks.md)')
    .action(async (opts: { json?: boolean; markdown?: boolean }) => {
      if (opts.json && opts.markdown) throw new UserError('--json and --markdown cannot be combined', 'Pick one output format.');
      const docs = await import('../../checks/docs.js');
      if (opts.markdown) {
        process.stdout.write(await docs.checksMarkdown());
        return;
      }
      const info = await docs.checksInfo();
      if (opts.json) {
        process.stdout.write(`${JSON.stringify(info, null, 2)}\n`);
        return;
      }
      const width = Math.max(...info.map((c) => c.id.length));
      for (const c of info) process.stdout.write(`${c.id.padEnd(width)}  ${c.severity.padEnd(7)}  ${c.category.padEnd(15)}  ${c.title}\n`);
      process.stdout.write(`\n${info.length} checks; details: mlb-report checks --markdown\n`);
    });
}
