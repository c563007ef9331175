import { Command } from 'commander';
import { addExamples } from '../examples.js';

/** `mlb-report sim`: a simulated Kubernetes API server with MetalLB, for demos, tests and development. */
export function register(program: Command): void {
  const sim = program
    .command('sim')
    .description('Serve a simulated Kubernetes cluster running MetalLB (kubectl and mlb-report can use it)')
    // Not a commander requiredOption: that would also be demanded by the `record` subcommand.
    .option('--scenario <name-or-path>', 'built-in scenario name, synthetic:nodes=N, or a scenario YAML file (required)')
    .option('--port <n>', 'port on 127.0.0.1 (0 = any free port)', '0')
    .option('--kubeconfig-out <file>', 'where to write the kubeconfig (default: a temporary file)')
    .option('--backend <kind>', 'how commands in containers are answered: replay (recorded outputs) or lab (network namespaces and FRR)', 'replay')
    .option(
      '--fault <yaml>',
      'add a fault to the scenario (repeatable), as in its faults: list, e.g. \'{type: api-throttle, fraction: 0.3, retryAfterSeconds: 1}\' (docs/scenarios.md)',
      (value: string, previous: string[] = []) => [...previous, value],
    )
    .action(async (opts: { scenario?: string; port: string; kubeconfigOut?: string; backend: string; fault?: string[] }) => {
      const { runSim } = await import('../sim.js');
      await runSim(opts);
    });
  // `sim record` lives in src/lab/record.ts; it is loaded only when used, so `mlb-report --help`
  // stays cheap. Its own parser (registerRecord) handles the options and help.
  sim
    .command('record')
    .description('Run scenarios in the network lab and store every node command output as replay data (see `mlb-report sim record --help`)')
    .helpOption(false)
    .allowUnknownOption()
    .argument('[args...]')
    .action(async (_args: string[], _opts: unknown, cmd: Command) => {
      const { registerRecord } = await import('../../lab/record.js');
      // The inner parser is named as the real chain is, so its help says `Usage: mlb-report sim record`.
      const inner = new Command('mlb-report').exitOverride();
      registerRecord(inner.command('sim'));
      addExamples(inner);
      await inner.parseAsync(['sim', 'record', ...cmd.args], { from: 'user' });
    });
}
