/**
 * One collect against the benchmark's simulated cluster, with where its time went: wall, the
 * manifest's phase timings and the per-step durations (median / max over nodes).
 * Usage: node --import tsx bench/collect-probe.ts [--nodes 50] [--runs 1] [--keep DIR] [-- extra collect args]
 * Environment: CHILD_NODE_ARGS (node flags for the collector, e.g. --cpu-prof), CHILD_STDOUT=1 (show
 * its output, e.g. with --trace-gc). Each run also prints the simulator's own CPU time.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadScenario } from '../src/sim/scenario/index.js';
import { startSimulator } from '../src/sim/server/index.js';

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const nodes = Number(arg('nodes') ?? 50);
const runs = Number(arg('runs') ?? 1);
const dash = process.argv.indexOf('--');
const extra = dash > 0 ? process.argv.slice(dash + 1) : [];
const { world, backend } = await loadScenario(`synthetic:nodes=${nodes},mode=frr`);
world.latency = { requestMs: 15, containerStartMs: 1500, imagePullMs: 8000, execMs: 120, presentImages: ['nicolaka/netshoot:v0.13'] };
const sim = await startSimulator({ world, backend });
const work = mkdtempSync(join(tmpdir(), 'mlb-probe-'));
const kubeconfig = join(work, 'kubeconfig');
writeFileSync(kubeconfig, sim.kubeconfig(), { mode: 0o600 });
const q = (xs: number[], p: number): number => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(p * xs.length))] ?? NaN;
try {
  for (let r = 0; r < runs; r++) {
    const out = join(work, `b${r}`);
    const before = sim.state.requestStats();
    const simCpu = process.cpuUsage();
    const t0 = performance.now();
    const code = await new Promise<number | null>((res) => {
      const child = spawn('/usr/bin/time', ['-f', '%e s wall %U user %S sys %M KB', process.execPath, ...(process.env.CHILD_NODE_ARGS ?? '').split(' ').filter(Boolean), resolve(arg('bin') ?? 'bin/mlb-report.js'), 'collect', '--kubeconfig', kubeconfig, '--out', out, '--format', arg('format') ?? 'none', '--fail-on', 'never', '--no-capture', ...extra], { stdio: ['ignore', process.env.CHILD_STDOUT ? 'inherit' : 'ignore', 'pipe'], env: { ...process.env, CI: '1', NO_COLOR: '1' } });
      let err = '';
      child.stderr.on('data', (d) => (err += d));
      child.on('close', (c) => {
        process.stdout.write(err.split('\n').filter((l) => /wall/.test(l)).join('\n') + '\n');
        res(c);
      });
    });
    const wall = (performance.now() - t0) / 1000;
    const after = sim.state.requestStats(t0);
    const m = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as { timings: Record<string, number>; nodes: { status: string; steps: { step: string; durationMs: number }[] }[] };
    const cpu = process.cpuUsage(simCpu);
    console.log(`run ${r + 1}: exit ${code}, ${wall.toFixed(2)} s, ${((after.total - before.total) / nodes).toFixed(1)} req/node, ${m.nodes.filter((n) => n.status === 'ok').length}/${nodes} ok, simulator CPU ${((cpu.user + cpu.system) / 1e6).toFixed(1)} s`);
    console.log(`  timings: ${Object.entries(m.timings).map(([k, v]) => `${k} ${Math.round(v)}`).join(', ')}`);
    const byStep = new Map<string, number[]>();
    for (const n of m.nodes) for (const s of n.steps) byStep.set(s.step, [...(byStep.get(s.step) ?? []), s.durationMs]);
    for (const [id, ds] of byStep) if (ds.length >= nodes / 2) console.log(`  ${id.padEnd(28)} median ${Math.round(q(ds, 0.5))} p90 ${Math.round(q(ds, 0.9))} max ${Math.round(Math.max(...ds))}`);
    if (arg('keep')) console.log(`  bundle: ${out}`);
    else rmSync(out, { recursive: true, force: true });
  }
} finally {
  await sim.close();
  if (!arg('keep')) rmSync(work, { recursive: true, force: true });
}
