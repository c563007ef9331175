/**
 * Scenario loading speed: how long `loadScenario` takes for built-in and synthetic clusters, cold
 * (first load in the process, includes reading the upstream manifests) and warm.
 * Target: synthetic:nodes=1000 well under 1 s.
 * Usage: node --import tsx bench/scenario-load.ts [--runs 5]
 */
import { loadScenario } from '../src/sim/scenario/index.js';

const runsArg = process.argv.indexOf('--runs');
const runs = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 5;
const specs = ['healthy-frr', 'mixed-incident', 'synthetic:nodes=100', 'synthetic:nodes=1000', 'synthetic:nodes=1000,mode=frr', 'synthetic:nodes=1000,mode=frr-k8s'];

const rows: string[] = ['| scenario | objects | log lines | first load ms | median warm ms | median CPU ms |', '|---|---|---|---|---|---|'];
for (const spec of specs) {
  const wall: number[] = [];
  const cpu: number[] = [];
  let objects = 0;
  let lines = 0;
  for (let i = 0; i <= runs; i++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    const { world } = await loadScenario(spec);
    const c = process.cpuUsage(c0);
    wall.push(performance.now() - t0);
    cpu.push((c.user + c.system) / 1000);
    objects = world.objects.length;
    lines = world.logs.reduce((a, l) => a + l.lines.length, 0);
  }
  const median = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
  rows.push(`| ${spec} | ${objects} | ${lines} | ${wall[0]!.toFixed(0)} | ${median(wall.slice(1)).toFixed(0)} | ${median(cpu.slice(1)).toFixed(0)} |`);
}
console.log(rows.join('\n'));
