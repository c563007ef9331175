/**
 * Before/after: two builds of the CLI (this checkout's and another's) collect alternately from one
 * simulated cluster with the benchmark's latency model; prints wall times and medians.
 * Usage: node --import tsx bench/ab.ts --other DIR [--nodes 50] [--runs 5] [--capture SECONDS] [--work DIR]
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, writeFileSync, renameSync, mkdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { loadScenario } from '../src/sim/scenario/index.js';
import { startSimulator } from '../src/sim/server/index.js';

const arg = (name: string): string | undefined => {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
};
const other = resolve(arg('other') ?? '');
const nodes = Number(arg('nodes') ?? 50);
const runs = Number(arg('runs') ?? 5);
const work = mkdtempSync(join(arg('work') ?? tmpdir(), 'mlb-ab-'));
const { world, backend } = await loadScenario(`synthetic:nodes=${nodes},mode=frr`);
world.latency = { requestMs: 15, containerStartMs: 1500, imagePullMs: 8000, execMs: 120, presentImages: ['nicolaka/netshoot:v0.13'] };
const sim = await startSimulator({ world, backend });
const kubeconfig = join(work, 'kubeconfig');
writeFileSync(kubeconfig, sim.kubeconfig(), { mode: 0o600 });
const aside = join(work, 'aside');
mkdirSync(aside);
const contenders = { this: resolve('bin/mlb-report.js'), other: join(other, 'bin/mlb-report.js') };
const walls: Record<string, number[]> = { this: [], other: [] };
const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
try {
  for (let r = 0; r < runs; r++) {
    for (const [name, bin] of r % 2 ? Object.entries(contenders).reverse() : Object.entries(contenders)) {
      const out = join(work, `${name}-${r}`);
      const t0 = performance.now();
      const code = await new Promise<number | null>((res) => {
        const child = spawn(process.execPath, [bin, 'collect', '--kubeconfig', kubeconfig, '--out', out, '--format', name === 'this' ? 'none' : arg('other-format') ?? 'json', '--fail-on', 'never', ...(Number(arg('capture') ?? 0) > 0 ? ['--capture-seconds', arg('capture')!] : ['--no-capture'])], { stdio: 'ignore', env: { ...process.env, CI: '1', NO_COLOR: '1' } });
        child.on('close', res);
      });
      const wall = (performance.now() - t0) / 1000;
      walls[name]!.push(wall);
      console.log(`run ${r + 1} ${name}: ${wall.toFixed(2)} s (exit ${code})`);
      // Deleting thousands of files slows the next run's file creation: move aside, delete at the end.
      renameSync(out, join(aside, `${name}-${r}`));
    }
  }
  console.log(`median: this ${median(walls.this!).toFixed(2)} s, other ${median(walls.other!).toFixed(2)} s`);
} finally {
  await sim.close();
  rmSync(work, { recursive: true, force: true });
}
