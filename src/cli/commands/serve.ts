import { Command } from 'commander';

/** `mlb-report serve <bundle>`: a support bundle as a read-only cluster that kubectl can read. */
export function register(program: Command): void {
  program
    .command('serve')
    .description("Serve a support bundle (folder or .tar.gz) as a read-only Kubernetes API for kubectl: objects, logs, and the recorded exec/debug outputs")
    .argument('<bundle>', 'bundle directory or the .tar.gz written by `mlb-report collect`')
    .option('--port <n>', 'port on 127.0.0.1 (0 = any free port)', '0')
    .option('--kubeconfig-out <file>', 'where to write the kubeconfig (default: a temporary file)')
    .action(async (bundle: string, opts: { port: string; kubeconfigOut?: string }) => {
      const { runServe } = await import('../../serve/index.js');
      await runServe(bundle, opts);
    });
}
