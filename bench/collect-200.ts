/**
 * Benchmark: `collect` against the simulator with 200 nodes (synthetic:nodes=200).
 * The simulator runs in its own process (`mlb-report sim`), so the figures are the collector's:
 * wall time, peak RSS, API requests, nodes ok. Usage:
 *   node --import tsx bench/collect-200.ts [--nodes 200] [--concurrency 50] [--qps 200] [--capture-seconds 1 | 0 = no capture]
 */
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { collect } from '../src/collect/index.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}

const nodes = arg('nodes', 200);
const concurrency = arg('concurrency', 50);
const qps = arg('qps', 200);
const captureSeconds = arg('capture-seconds', 1);

const bin = join(import.meta.dirname, '../bin/mlb-report.js');
const sim = spawn(process.execPath, [bin, 'sim', '--scenario', `synthetic:nodes=${nodes}`], { stdio: ['ignore', 'pipe', 'inherit'] });
const ready = await new Promise<{ url: string; kubeconfig: string }>((resolve, reject) => {
  let buf = '';
  sim.stdout.on('data', (d: Buffer) => {
    buf += d.toString();
    const m = /ready (\S+) kubeconfig=(\S+)/.exec(buf);
    if (m) resolve({ url: m[1]!, kubeconfig: m[2]! });
  });
  sim.on('exit', (code) => reject(new Error(`simulator exited (${code}) before ready: ${buf}`)));
  setTimeout(() => reject(new Error('simulator not ready after 120 s')), 120_000);
});

const root = await mkdtemp(join(tmpdir(), 'mlb-bench-'));
try {
  const rssBefore = process.memoryUsage().rss;
  const t0 = performance.now();
  const result = await collect({ kubeconfigPath: ready.kubeconfig, out: join(root, 'bundle'), concurrency, qps, captureSeconds: Math.max(1, captureSeconds), capture: captureSeconds > 0, formats: ['json'], renderer: 'silent', timeoutMs: 15 * 60_000 });
  const wallMs = performance.now() - t0;
  const peakRssMiB = process.resourceUsage().maxRSS / 1024;
  const count = (s: string): number => result.manifest.nodes.filter((n) => n.status === s).length;
  const bytes = result.manifest.files.reduce((n, f) => n + f.size, 0);
  console.log(`collect synthetic:nodes=${nodes} concurrency=${concurrency} qps=${qps} capture=${captureSeconds > 0 ? `${captureSeconds}s` : 'off'}`);
  console.log(`  wall time        ${(wallMs / 1000).toFixed(1)} s`);
  console.log(`  peak RSS         ${peakRssMiB.toFixed(0)} MiB (start ${(rssBefore / 1048576).toFixed(0)} MiB)`);
  console.log(`  API requests     ${result.apiRequests} (${(result.apiRequests / (wallMs / 1000)).toFixed(0)}/s, ${(result.apiRequests / nodes).toFixed(1)} per node)`);
  console.log(`  nodes            ${result.manifest.nodes.length}: ok ${count('ok')}, partial ${count('partial')}, failed ${count('failed')}, skipped ${count('skipped')}`);
  console.log(`  bundle           ${result.manifest.files.length} files, ${(bytes / 1048576).toFixed(1)} MiB`);
  for (const [k, v] of Object.entries(result.manifest.timings)) console.log(`  timing ${k.padEnd(12)} ${(v / 1000).toFixed(1)} s`);
  const bad = result.manifest.nodes.filter((n) => n.status !== 'ok').slice(0, 5);
  for (const n of bad) console.log(`  not ok: ${n.node} ${n.status} ${n.reason ?? ''}`);
} finally {
  sim.kill('SIGTERM');
  await rm(root, { recursive: true, force: true });
}
