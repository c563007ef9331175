/**
 * `mlb-report collect`: attach to every speaker, the controller and FRR at once and write a
 * support bundle (DIR + DIR.tar.gz), then the report. The implementation is imported lazily.
 *
 * Exit codes: 0 ok; 1 findings at/above --fail-on; 2 bad input (flags, kubeconfig, --out);
 * 3 cluster unusable (unreachable, unauthorised, unknown context, no MetalLB); 130 interrupted.
 */
import type { Command } from 'commander';
import { ExitCode, UserError } from '../../util/errors.js';

interface Flags {
  kubeconfig?: string;
  context?: string;
  namespace?: string;
  out?: string;
  nodes?: string;
  nodeSelector?: string;
  image?: string;
  captureSeconds?: string;
  capture: boolean;
  probe: boolean;
  concurrency?: string;
  qps?: string;
  burst?: string;
  maxStreams?: string;
  timeout?: string;
  strategy?: string;
  debugNamespace?: string;
  since?: string;
  redactIps?: boolean;
  format?: string;
  failOn?: string;
}

export function register(program: Command): void {
  program
    .command('collect')
    .description('collect a MetalLB support bundle from the current cluster (all speakers, FRR, the controller) and write the report')
    .option('--kubeconfig <file>', 'kubeconfig file (default: $KUBECONFIG, then ~/.kube/config)')
    .option('--context <name>', 'kubeconfig context to use')
    .option('-n, --namespace <ns>', 'MetalLB namespace (default: found by images in every namespace)')
    .option('--out <dir>', 'bundle directory; DIR.tar.gz is written next to it (default ./mlb-report-<UTC time>)')
    .option('--nodes <a,b>', 'only these nodes (comma-separated)')
    .option('--node-selector <selector>', 'only nodes matching this label selector')
    .option('--image <image>', 'debug image for ephemeral containers / node pods', 'nicolaka/netshoot:v0.13')
    .option('--capture-seconds <n>', 'packet capture length per node', '10')
    .option('--no-capture', 'skip the packet capture')
    .option('--no-probe', 'skip the ARP probes of LoadBalancer IPs')
    .option('--concurrency <n>', 'nodes collected at once (the real limits are --qps and --max-streams; captures of all nodes in flight overlap)', '1000')
    .option('--qps <n>', 'client-side limit of API requests per second (get, list, patch, watch...)', '50')
    .option('--burst <n>', 'requests allowed at once above --qps after a quiet spell (default 2 × qps)')
    .option('--max-streams <n>', 'exec, log and pod-proxy streams open at once (the API server does not rate-limit these; this bounds them)', '128')
    .option('--timeout <duration>', 'time limit for the whole run (e.g. 90s, 10m)', '10m')
    .option('--strategy <ephemeral|node-pod|daemonset>', 'ephemeral containers in speaker pods (one patch per node), a privileged debug pod per node (one create per node), or one privileged debug DaemonSet (one create and one delete in all; needs create daemonsets)', 'ephemeral')
    .option('--debug-namespace <ns>', 'namespace of the node debug pods (--strategy node-pod or daemonset), e.g. one whose Pod Security level is privileged (default: the MetalLB namespace)')
    .option('--since <duration>', 'only logs newer than this (e.g. 1h)', '24h')
    .option('--redact-ips', 'replace IP addresses consistently (mapping written beside the bundle, never inside)')
    .option('--format <list>', 'report formats: json,html,pdf (pdf where a Chrome/Chromium is found), or none for the raw bundle alone', 'json,html,pdf')
    .option('--fail-on <severity>', 'exit 1 when a finding has at least this severity: error | warning | info | never (never, the default: exit 0 whatever is found)')
    .action(async (flags: Flags) => {
      const { collectAndReport, failOnExitCode } = await import('../../run/index.js');
      const { parseDuration, parseFormats, parsePositiveInt, scrubArgv } = await import('../../collect/options.js');
      if (flags.strategy !== 'ephemeral' && flags.strategy !== 'node-pod' && flags.strategy !== 'daemonset') {
        throw new UserError(`invalid --strategy: ${JSON.stringify(flags.strategy)}`, 'use --strategy ephemeral, node-pod or daemonset', ExitCode.usage);
      }
      if (flags.debugNamespace && flags.strategy === 'ephemeral') {
        throw new UserError('--debug-namespace names where node debug pods run', 'add --strategy node-pod or --strategy daemonset, or leave --debug-namespace out', ExitCode.usage);
      }
      if (flags.nodes && flags.nodeSelector) {
        throw new UserError('--nodes and --node-selector cannot be combined', 'pass one of them', ExitCode.usage);
      }
      if (flags.failOn && !['error', 'warning', 'info', 'never'].includes(flags.failOn)) {
        throw new UserError(`invalid --fail-on: ${JSON.stringify(flags.failOn)}`, 'use error, warning, info or never', ExitCode.usage);
      }
      const controller = new AbortController();
      let sigints = 0;
      const onSignal = (sig: NodeJS.Signals): void => {
        sigints++;
        if (sigints > 1) {
          process.stderr.write('second interrupt: exiting without cleanup\n');
          process.exit(ExitCode.interrupted);
        }
        const cleanup = flags.strategy === 'node-pod' ? 'deleting the debug pods' : flags.strategy === 'daemonset' ? 'deleting the debug DaemonSet' : 'ending the debug containers';
        process.stderr.write(`\n${sig}: stopping, ${cleanup} and writing what was collected (press again to quit at once)\n`);
        controller.abort();
      };
      process.on('SIGINT', onSignal);
      process.on('SIGTERM', onSignal);
      const interactive = process.stdout.isTTY && !process.env.CI && !process.env.NO_COLOR;
      try {
        const result = await collectAndReport({
          kubeconfigPath: flags.kubeconfig,
          context: flags.context,
          namespace: flags.namespace,
          out: flags.out,
          nodes: flags.nodes ? flags.nodes.split(',').map((s) => s.trim()).filter(Boolean) : undefined,
          nodeSelector: flags.nodeSelector,
          image: flags.image,
          captureSeconds: parsePositiveInt(flags.captureSeconds ?? '10', '--capture-seconds', 1, 600),
          capture: flags.capture,
          probe: flags.probe,
          concurrency: parsePositiveInt(flags.concurrency ?? '1000', '--concurrency', 1, 100_000),
          qps: parsePositiveInt(flags.qps ?? '50', '--qps', 1, 10_000),
          burst: flags.burst ? parsePositiveInt(flags.burst, '--burst', 1, 100_000) : undefined,
          maxStreams: parsePositiveInt(flags.maxStreams ?? '128', '--max-streams', 1, 10_000),
          timeoutMs: parseDuration(flags.timeout ?? '10m', '--timeout'),
          strategy: flags.strategy,
          debugNamespace: flags.debugNamespace,
          sinceSeconds: parseDuration(flags.since ?? '24h', '--since') / 1000,
          redactIps: !!flags.redactIps,
          formats: parseFormats(flags.format ?? 'json,html,pdf'),
          command: scrubArgv(['mlb-report', ...process.argv.slice(2)]),
          renderer: interactive ? 'default' : 'simple',
          signal: controller.signal,
          log: (line) => process.stderr.write(`${line}\n`),
        });
        const { formatSummary, reportFilesByKind, shellWord } = await import('../../run/summary.js');
        const { existsSync } = await import('node:fs');
        const m = result.manifest;
        const count = (s: string): number => m.nodes.filter((n) => n.status === s).length;
        const ipMap = result.ipMap ?? `${result.dir}.ip-map.json`;
        const hasIpMap = !!flags.redactIps && existsSync(ipMap);
        process.stdout.write(
          formatSummary({
            header: [
              `nodes: ${m.nodes.length} (ok ${count('ok')}, partial ${count('partial')}, failed ${count('failed')}, skipped ${count('skipped')}); ` +
                `API requests: ${result.apiRequests}${m.retries?.total ? ` (${m.retries.total} retried: ${Object.entries(m.retries.causes).sort((a, b) => b[1] - a[1]).map(([cause, n]) => `${n} × ${cause}`).join(', ')})` : ''}; ${(result.durationMs / 1000).toFixed(1)} s`,
            ],
            findings: result.analysis?.findings,
            notes: result.notes,
            files: { bundle: result.dir, tarball: result.tarball, ...reportFilesByKind(result.reportFiles), ipMap: hasIpMap ? ipMap : undefined },
            // After Ctrl-C the bundle is sealed unanalysed, and the exact command that analyses it is
            // printed rather than run: the user asked to stop, and analysis plus the PDF (a Chromium
            // start) takes seconds on a small cluster but minutes on a big one, time a second
            // Ctrl-C would cut short anyway. The command reads the bundle offline, whenever they like.
            // With --redact-ips the map goes along, so the checks see the real addresses as a whole run's do.
            footer: result.interrupted
              ? ['interrupted: nothing was analysed; for the findings from what was collected run:', `  mlb-report analyze ${shellWord(result.dir)}${hasIpMap ? ` --ip-map ${shellWord(ipMap)}` : ''}`]
              : undefined,
          }),
        );
        if (result.interrupted) {
          process.exitCode = ExitCode.interrupted;
          return;
        }
        process.exitCode = failOnExitCode(result.analysis?.findings, flags.failOn);
      } finally {
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      }
    });
}
