/**
 * `mlb-report demo [--scenario NAME] [--out DIR]`: the whole pipeline with no cluster and no root.
 * Starts the Kubernetes API simulator in-process on a built-in scenario, collects from it through
 * the real HTTPS/WebSocket path (a kubeconfig pointing at the simulator), analyses the bundle,
 * writes the report and prints the top findings and where the report is.
 *
 * Exit codes: 0 done; 2 bad input (unknown scenario, bad flags, unusable --out).
 */
import type { Command } from 'commander';
import type { Finding } from '../../model/finding.js';
import type { ClusterModel } from '../../model/cluster.js';
import { ExitCode, UserError } from '../../util/errors.js';
import { groupByCause, groupSummary, severityCounts } from '../../checks/group.js';

export interface DemoOptions {
  scenario: string;
  out?: string;
  formats: ('html' | 'pdf' | 'json')[];
  captureSeconds: number;
  /** Progress lines (CLI: stderr). */
  log?: (line: string) => void;
}

export interface DemoResult {
  scenario: string;
  bundleDir: string;
  tarball?: string;
  reportFiles: string[];
  findings: Finding[];
  model: ClusterModel;
  notes: string[];
  durationMs: number;
}

export async function runDemo(options: DemoOptions): Promise<DemoResult> {
  const started = Date.now();
  const log = options.log ?? (() => {});
  const { existsSync } = await import('node:fs');
  const { resolve } = await import('node:path');
  const { KubeConfig } = await import('@kubernetes/client-node');
  const { loadScenario } = await import('../../sim/scenario/index.js');
  const { startSimulator } = await import('../../sim/server/index.js');
  const { collectAndReport } = await import('../../run/index.js');

  const out = resolve(options.out ?? `mlb-report-demo-${options.scenario.replace(/[^A-Za-z0-9._-]+/g, '_')}`);
  if (existsSync(out)) {
    throw new UserError(`${out} already exists`, 'pass a new directory with --out, or remove the old demo output', ExitCode.usage);
  }
  const loaded = await loadScenario(options.scenario);
  log(`scenario ${loaded.world.name}: ${loaded.world.description ?? ''}`.trim());
  const sim = await startSimulator({ world: loaded.world, backend: loaded.backend, port: 0 });
  const notes: string[] = [];
  try {
    log(`simulated API server at ${sim.url}`);
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromString(sim.kubeconfig({ contextName: `demo-${loaded.world.name}` }));
    // The same run as `mlb-report collect`: findings and reports go into the bundle and its tarball.
    const collected = await collectAndReport({
      kubeConfig,
      out,
      captureSeconds: options.captureSeconds,
      formats: options.formats,
      renderer: 'silent',
      command: ['mlb-report', 'demo', '--scenario', options.scenario],
      log,
    });
    notes.push(...collected.notes);
    log(`collected ${collected.manifest.nodes.length} node(s) in ${(collected.durationMs / 1000).toFixed(1)} s → ${collected.dir}`);
    if (!collected.analysis) throw new Error(`the demo's analysis did not run: ${collected.notes.join('; ')}`);
    const { model, findings } = collected.analysis;
    const reportFiles = collected.reportFiles;
    return {
      scenario: loaded.world.name,
      bundleDir: collected.dir,
      tarball: collected.tarball,
      reportFiles,
      findings,
      model,
      notes,
      durationMs: Date.now() - started,
    };
  } finally {
    await sim.close();
  }
}

/**
 * The terminal summary: top findings, one line each, then where to look. A finding is one check and
 * cause with its instances (one per node, typically), as in the report's cards and findings.json, so
 * "N findings" = the lines shown + "and M more".
 */
export function formatDemoSummary(result: DemoResult, top = 5): string {
  const lines: string[] = [];
  const groups = groupByCause(result.findings);
  const counts = severityCounts(groups);
  const instances = groups.length === result.findings.length ? '' : ` in ${result.findings.length} instances`;
  lines.push(`${groups.length} finding(s)${instances} for scenario ${result.scenario} (${counts.error} error, ${counts.warning} warning, ${counts.info} info)`);
  groups.slice(0, top).forEach((members, index) => {
    const [first] = members;
    lines.push(`  ${index + 1}. [${first.severity}] ${first.title}${members.length > 1 ? ` (×${members.length})` : ''}: ${groupSummary(members)}`);
    lines.push(`     fix: ${first.remediation.summary}`);
  });
  if (groups.length > top) lines.push(`  … and ${groups.length - top} more in the report`);
  for (const note of result.notes) lines.push(`note: ${note}`);
  const html = result.reportFiles.find((f) => f.endsWith('.html'));
  const pdf = result.reportFiles.find((f) => f.endsWith('.pdf'));
  const json = result.reportFiles.find((f) => f.endsWith('.json'));
  if (html) lines.push(`report: ${html}`);
  if (pdf) lines.push(`pdf:    ${pdf}`);
  if (json) lines.push(`json:   ${json}`);
  lines.push(`bundle: ${result.bundleDir}${result.tarball ? ` (${result.tarball})` : ''}`);
  return `${lines.join('\n')}\n`;
}

export function register(program: Command): void {
  program
    .command('demo')
    .description('run the whole pipeline against a simulated cluster (no cluster, no root): simulate → collect → analyse → report')
    .option('--scenario <name>', 'built-in scenario name, synthetic:nodes=N, or a scenario YAML file', 'mixed-incident')
    .option('--out <dir>', 'bundle and report directory (default ./mlb-report-demo-<scenario>)')
    .option('--format <list>', 'report formats: json,html,pdf (pdf where a Chrome/Chromium is found)', 'json,html,pdf')
    .option('--capture-seconds <n>', 'simulated packet capture length per node', '2')
    .action(async (flags: { scenario: string; out?: string; format: string; captureSeconds: string }) => {
      const formats = flags.format.split(',').map((f) => f.trim()).filter(Boolean);
      const unknown = formats.filter((f) => !['html', 'pdf', 'json'].includes(f));
      if (unknown.length > 0 || formats.length === 0) {
        throw new UserError(`invalid --format: ${JSON.stringify(flags.format)}`, 'use a comma-separated list of html, pdf, json', ExitCode.usage);
      }
      const captureSeconds = Number(flags.captureSeconds);
      if (!Number.isInteger(captureSeconds) || captureSeconds < 1 || captureSeconds > 60) {
        throw new UserError(`invalid --capture-seconds: ${JSON.stringify(flags.captureSeconds)}`, 'use a whole number of seconds from 1 to 60', ExitCode.usage);
      }
      const result = await runDemo({
        scenario: flags.scenario,
        out: flags.out,
        formats: formats as DemoOptions['formats'],
        captureSeconds,
        log: (line) => process.stderr.write(`${line}\n`),
      });
      process.stdout.write(formatDemoSummary(result));
    });
}
