/**
 * `mlb-report diff <A> <B>`: what was fixed, what is new, and what changed per service and node
 * between two bundles (directories or .tar.gz) or two findings.json files.
 * Exit codes: 0 compared; 2 bad input (missing path, not a bundle/findings file).
 */
import type { Command } from 'commander';

export function register(program: Command): void {
  program
    .command('diff')
    .description('compare two bundles (dir or .tar.gz) or findings.json files: fixed, new and changed findings; per service (IP, announcer, BGP) and per node')
    .argument('<A>', 'the earlier bundle directory, bundle .tar.gz or findings.json')
    .argument('<B>', 'the later one')
    .option('--json', 'print the comparison as JSON')
    .action(async (a: string, b: string, flags: { json?: boolean }) => {
      const { runDiff, formatDiff } = await import('../../diff/index.js');
      const result = await runDiff(a, b);
      process.stdout.write(flags.json ? `${JSON.stringify(result, null, 2)}\n` : formatDiff(result));
    });
}
