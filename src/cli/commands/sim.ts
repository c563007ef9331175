import type { Command } from 'commander';

/** `mlb-report sim`: a simulated Kubernetes API server with MetalLB, for demos, tests and development. */
export function register(program: Command): void {
  program
    .command('sim')
    .description('Serve a simulated Kubernetes cluster running MetalLB (kubectl and mlb-report can use it)')
    .requiredOption('--scenario <name-or-path>', 'built-in scenario name, synthetic:nodes=N, or a scenario YAML file')
    .option('--port <n>', 'port on 127.0.0.1 (0 = any free port)', '0')
    .option('--kubeconfig-out <file>', 'where to write the kubeconfig (default: a temporary file)')
    .option('--backend <kind>', 'how commands in containers are answered: replay (recorded outputs) or lab (network namespaces and FRR)', 'replay')
    .action(async (opts: { scenario: string; port: string; kubeconfigOut?: string; backend: string }) => {
      const { runSim } = await import('../../sim/server/cli.js');
      await runSim(opts);
    });
}
