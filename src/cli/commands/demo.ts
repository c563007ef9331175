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
import { resolve } from 'node:path';
// Cheap to import (the grouping it reads is types only), unlike the pipeline the action loads lazily.
import { formatSummary, reportFilesByKind } from '../../run/summary.js';

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
  const { KubeConfig } = await import('@kubernetes/client-node');
  const { loadScenario } = await import('../../sim/scenario/index.js');
  const { startSimulator } = await import('../../sim/server/index.js');
  const { collectAndReport } = await import('../../run/index.js');

  let out: string;
  if (options.out) {
    out = resolve(options.out);
    if (existsSync(out)) {
      throw new UserError(`${out} already exists`, 'pass a new directory with --out, or remove the old demo output', ExitCode.usage);
    }
  } else {
    // A second demo without --out must not stop at the first one's folder: it gets a fresh one.
    out = freshDemoDir(options.scenario, existsSync);
    log(`writing to ${out} (pass --out to choose)`);
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
    // The manifest's two times, labelled as the report's header labels them (the report names the collection only).
    const collectionMs = Date.parse(collected.manifest.finishedAt ?? '') - Date.parse(collected.manifest.createdAt);
    const collectionText = Number.isFinite(collectionMs) ? `in ${(collectionMs / 1000).toFixed(1)} s, ` : '';
    log(`collected ${collected.manifest.nodes.length} node(s) ${collectionText}whole run ${(collected.manifest.timings.totalMs / 1000).toFixed(1)} s → ${collected.dir}`);
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
 * The demo's default folder: ./mlb-report-demo-<scenario>, or with the UTC time appended (and a
 * counter, should two demos start in the same second) when that folder or its tarball exists.
 */
export function freshDemoDir(scenario: string, exists: (path: string) => boolean, now = new Date()): string {
  const base = resolve(`mlb-report-demo-${scenario.replace(/[^A-Za-z0-9._-]+/g, '_')}`);
  const taken = (dir: string) => exists(dir) || exists(`${dir}.tar.gz`);
  if (!taken(base)) return base;
  const stamped = `${base}-${now.toISOString().replace(/[-:]/g, '').replace(/\.\d+Z$/, 'Z')}`;
  let dir = stamped;
  for (let n = 2; taken(dir); n++) dir = `${stamped}-${n}`;
  return dir;
}

/** The summary collect and analyze print too (src/run/summary.ts), for this scenario. */
export function formatDemoSummary(result: DemoResult, top = 5): string {
  return formatSummary({
    findings: result.findings,
    context: `for scenario ${result.scenario}`,
    notes: result.notes,
    files: { bundle: result.bundleDir, tarball: result.tarball, ...reportFilesByKind(result.reportFiles) },
    top,
  });
}

export function register(program: Command): void {
  program
    .command('demo')
    .description('run the whole pipeline against a simulated cluster (no cluster, no root): simulate → collect → analyse → report')
    .option('--scenario <name>', 'built-in scenario name, synthetic:nodes=N, or a scenario YAML file', 'mixed-incident')
    .option('--out <dir>', 'bundle and report directory (default ./mlb-report-demo-<scenario>, with the UTC time appended when that exists)')
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
