/**
 * The example that ends each command's `--help` (commander's addHelpText('after')): one table, so
 * a command without one shows up in test/cli/help.test.ts instead of in a user's terminal.
 * Keyed by the words after `mlb-report` ('' is the program itself).
 */
import type { Command } from 'commander';

export const examples: Record<string, string[]> = {
  '': ['mlb-report demo                              # the whole job on a simulated cluster', 'mlb-report collect --context prod --fail-on error'],
  collect: ['mlb-report collect --context prod -n metallb-system --nodes worker-1,worker-2 --capture-seconds 20'],
  cleanup: ['mlb-report cleanup --context prod --dry-run              # list what runs left behind', 'mlb-report cleanup --context prod -n metallb-system'],
  analyze: ['mlb-report analyze mlb-report-20261204T101500Z.tar.gz --format html,pdf --out ./reanalysed'],
  checks: ['mlb-report checks --markdown > checks.md'],
  demo: ['mlb-report demo --scenario bgp-wrong-asn --format json,html,pdf --out /tmp/demo'],
  diff: ['mlb-report diff before.tar.gz after.tar.gz'],
  sim: ['mlb-report sim --scenario bgp-wrong-asn --kubeconfig-out /tmp/sim.kubeconfig &', 'KUBECONFIG=/tmp/sim.kubeconfig kubectl get pods -n metallb-system'],
  'sim record': ['sudo mlb-report sim record healthy-l2 bgp-wrong-asn'],
  serve: ['mlb-report serve mlb-report-20261204T101500Z.tar.gz --kubeconfig-out /tmp/bundle.kubeconfig &', 'KUBECONFIG=/tmp/bundle.kubeconfig kubectl get pods -A'],
  completion: ['source <(mlb-report completion bash)            # or: mlb-report completion zsh|fish'],
};

/** Adds its example to `cmd` and to every command below it that has one. */
export function addExamples(cmd: Command, path: string[] = []): void {
  const lines = examples[path.join(' ')];
  if (lines) cmd.addHelpText('after', `\nExample${lines.length > 1 ? 's' : ''}:\n${lines.map((l) => `  $ ${l}`).join('\n')}`);
  for (const sub of cmd.commands) addExamples(sub, [...path, sub.name()]);
}
