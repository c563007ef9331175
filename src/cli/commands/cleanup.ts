/**
 * `mlb-report cleanup`: removes the node debug pods and debug DaemonSets a collection left behind
 * (a killed process cannot clean up). The implementation is imported lazily.
 *
 * Exit codes: 0 nothing of ours is left to delete (or --dry-run); 1 a delete failed; 2 bad input;
 * 3 the cluster cannot be listed.
 */
import type { Command } from 'commander';
import { ExitCode, UserError } from '../../util/errors.js';

interface Flags {
  kubeconfig?: string;
  context?: string;
  namespace?: string[];
  dryRun?: boolean;
  all?: boolean;
}

export function register(program: Command): void {
  program
    .command('cleanup')
    .description(
      'delete what collections left behind: node debug pods and debug DaemonSets labelled app.kubernetes.io/managed-by=mlb-report ' +
        '(by default only those past their expiry annotation, so a collection still running keeps its pods). ' +
        'Ephemeral debug containers cannot be deleted in Kubernetes; they stay in the speaker pod spec, and their process ends with its lifetime',
    )
    .option('--kubeconfig <file>', 'kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)')
    .option('--context <name>', 'kubeconfig context to use')
    .option('-n, --namespace <ns>', 'look only in this namespace (repeatable; default: all namespaces)', (v: string, prev: string[] = []) => [...prev, v])
    .option('--dry-run', 'list what would be deleted, delete nothing')
    .option('--all', 'also delete objects whose expiry has not passed (a collection still running loses its debug pods)')
    .action(async (flags: Flags) => {
      const { loadKubeConfig } = await import('../../collect/index.js');
      const { makeKube } = await import('../../kube/client.js');
      const { deleteLeftover, findLeftovers } = await import('../../collect/leftovers.js');
      const namespaces = [...new Set(flags.namespace ?? [])];
      for (const ns of namespaces) {
        if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(ns) || ns.length > 63) {
          throw new UserError(`invalid --namespace ${JSON.stringify(ns)}`, 'give a namespace name (lower-case letters, digits and -)', ExitCode.usage);
        }
      }
      const kc = loadKubeConfig({ kubeconfigPath: flags.kubeconfig, context: flags.context });
      const kube = makeKube(kc, { qps: 0, requestTimeoutMs: 15_000, signal: AbortSignal.timeout(120_000), deadline: Date.now() + 120_000 });
      const found = await findLeftovers(kube, namespaces);
      const chosen = found.filter((l) => flags.all || l.expired);
      const kept = found.filter((l) => !chosen.includes(l));
      const label = (l: (typeof found)[number]): string => `${l.kind === 'DaemonSet' ? 'daemonset' : 'pod'} ${l.namespace}/${l.name}${l.runId ? ` (run ${l.runId})` : ''}`;
      const out = (line: string): boolean => process.stdout.write(`${line}\n`);
      for (const l of kept) out(`kept ${label(l)}: expires ${l.expiresAt ?? 'later'} (--all deletes it now)`);
      if (chosen.length === 0) {
        out(found.length === 0 ? 'nothing left behind by mlb-report' : 'nothing expired to delete');
        return;
      }
      if (flags.dryRun) {
        for (const l of chosen) out(`would delete ${label(l)}`);
        return;
      }
      let failed = 0;
      await Promise.all(
        chosen.map(async (l) => {
          const why = await deleteLeftover(kube, l);
          if (why) {
            failed++;
            process.stderr.write(`could not delete ${label(l)}: ${why}\n`);
          } else out(`deleted ${label(l)}`);
        }),
      );
      if (failed > 0) process.exitCode = ExitCode.findings;
    });
}
