/**
 * Benchmark: the simulator at scale. Loads `synthetic:nodes=1000` (or --scenario), then measures
 *   - scenario load + server start,
 *   - a full pod list (JSON and Table) over HTTPS, cold and warm,
 *   - 200 (--streams) concurrent exec WebSocket streams, each run to completion (status on
 *     channel 3): `vtysh -c 'show bgp summary json'` in FRR containers when the scenario has them,
 *     else `ip -j -d addr show` in ephemeral debug containers first patched into the speakers.
 * Targets: full pod list < 1 s, 200 concurrent exec streams handled. Prints figures only.
 *
 * With --collect it measures the simulator's own cost instead (the issue of 5000-node clusters:
 * simulator and collector share a 2-core machine): its RSS and CPU while idle (--idle seconds),
 * then while serving one `mlb-report collect --format none --no-capture` run in a child process.
 *
 * Usage: node --import tsx bench/sim-scale.ts [--scenario synthetic:nodes=1000[,mode=frr]] [--streams 200]
 *        node --import tsx bench/sim-scale.ts --scenario synthetic:nodes=5000,mode=frr --collect [--idle 10]
 */
import https from 'node:https';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import WebSocket from 'ws';
import { loadScenario } from '../src/sim/scenario/index.js';
import { startSimulator } from '../src/sim/server/index.js';
import { renderKubeconfig } from '../src/sim/server/kubeconfig.js';

function arg(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1]! : fallback;
}

const scenario = arg('scenario', 'synthetic:nodes=1000');
const streams = Number(arg('streams', '200'));

const t0 = performance.now();
const { world, backend } = await loadScenario(scenario);
const tLoaded = performance.now();
const sim = await startSimulator({ world, backend });
const tStarted = performance.now();
const agent = new https.Agent({ ca: sim.caPem, keepAlive: true, maxSockets: 256 });

function get(path: string, accept = 'application/json'): Promise<{ ms: number; bytes: number; status: number }> {
  const start = performance.now();
  return new Promise((resolve, reject) => {
    https
      .get(new URL(path, sim.url), { agent, headers: { Authorization: `Bearer ${sim.token}`, Accept: accept } }, (res) => {
        let bytes = 0;
        res.on('data', (c: Buffer) => (bytes += c.length));
        res.on('end', () => resolve({ ms: performance.now() - start, bytes, status: res.statusCode ?? 0 }));
      })
      .on('error', reject);
  });
}

const fmt = (ms: number): string => `${ms.toFixed(1)} ms`;
console.log(`scenario ${scenario}: ${world.objects.length} objects, load ${fmt(tLoaded - t0)}, server start ${fmt(tStarted - tLoaded)}`);

const mb = (bytes: number): string => `${(bytes / 1e6).toFixed(0)} MB`;
console.log(`after load and start: rss ${mb(process.memoryUsage().rss)}, heap ${mb(process.memoryUsage().heapUsed)}`);

/** The simulator's CPU (user + system) and peak RSS while `during` runs, sampled every 100 ms. */
async function measure<T>(during: () => Promise<T>): Promise<{ result: T; wallMs: number; cpuMs: number; peakRss: number }> {
  const cpu0 = process.cpuUsage();
  const start = performance.now();
  let peakRss = process.memoryUsage().rss;
  const sampler = setInterval(() => (peakRss = Math.max(peakRss, process.memoryUsage().rss)), 100);
  try {
    const result = await during();
    const cpu = process.cpuUsage(cpu0);
    return { result, wallMs: performance.now() - start, cpuMs: (cpu.user + cpu.system) / 1000, peakRss: Math.max(peakRss, process.memoryUsage().rss) };
  } finally {
    clearInterval(sampler);
  }
}

if (process.argv.includes('--collect')) {
  const work = mkdtempSync(join(tmpdir(), 'mlb-sim-scale-'));
  try {
    const kubeconfig = join(work, 'kubeconfig');
    writeFileSync(kubeconfig, renderKubeconfig({ server: sim.url, caPem: sim.caPem, token: sim.token, name: world.name }), { mode: 0o600 });
    // The pod JSON is serialised in the background after start; idle means after that.
    await new Promise((r) => setTimeout(r, 2000));
    const idleSeconds = Number(arg('idle', '10'));
    const idle = await measure(() => new Promise((r) => setTimeout(r, idleSeconds * 1000)));
    console.log(`simulator idle ${idleSeconds} s: rss ${mb(idle.peakRss)}, cpu ${(idle.cpuMs / 1000).toFixed(2)} s (${((100 * idle.cpuMs) / idle.wallMs).toFixed(1)}% of a core)`);
    const bin = join(import.meta.dirname, '..', 'bin', 'mlb-report.js');
    const collect = await measure(
      () =>
        new Promise<number>((resolve) => {
          const child = spawn(process.execPath, [bin, 'collect', '--kubeconfig', kubeconfig, '--out', join(work, 'bundle'), '--format', 'none', '--no-capture'], { stdio: ['ignore', 'ignore', 'inherit'], env: { ...process.env, CI: '1', NO_COLOR: '1' } });
          child.on('exit', (code) => resolve(code ?? -1));
        }),
    );
    const perNode = (collect.peakRss - idle.peakRss) / world.objects.filter((o) => o.kind === 'Node').length;
    console.log(
      `simulator under one collect (exit ${collect.result}, ${(collect.wallMs / 1000).toFixed(1)} s): peak rss ${mb(collect.peakRss)} (+${(perNode / 1e3).toFixed(0)} kB a node over idle), ` +
        `cpu ${(collect.cpuMs / 1000).toFixed(1)} s (${((100 * collect.cpuMs) / collect.wallMs).toFixed(0)}% of a core on average)`,
    );
    // With node --expose-gc: how much of that is still live once the collection is over.
    const gc = (globalThis as { gc?: () => void }).gc;
    if (gc) {
      gc();
      const m = process.memoryUsage();
      console.log(`after the collect, live: heap ${mb(m.heapUsed)}, rss ${mb(m.rss)}`);
    }
  } finally {
    rmSync(work, { recursive: true, force: true });
    agent.destroy();
    await sim.close();
  }
  process.exit(0);
}

const pods = sim.state.store.list(sim.state.podType);
console.log(`pods: ${pods.length}`);
// Let the background serialisation of the pod list finish, as it does while a client connects.
await new Promise((r) => setTimeout(r, 1000));
for (const [label, accept] of [
  ['JSON', 'application/json'],
  ['Table', 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json'],
] as const) {
  const cold = await get('/api/v1/pods', accept);
  const warm: number[] = [];
  for (let i = 0; i < 5; i++) warm.push((await get('/api/v1/pods', accept)).ms);
  warm.sort((a, b) => a - b);
  console.log(`full pod list (${label}): ${(cold.bytes / 1e6).toFixed(1)} MB, cold ${fmt(cold.ms)}, warm median ${fmt(warm[2]!)}, max ${fmt(warm[4]!)} (target < 1000 ms)`);
}
const paged = performance.now();
let cont = '';
let pages = 0;
do {
  const res = await new Promise<any>((resolve, reject) => {
    https
      .get(new URL(`/api/v1/pods?limit=500${cont ? `&continue=${encodeURIComponent(cont)}` : ''}`, sim.url), { agent, headers: { Authorization: `Bearer ${sim.token}` } }, (r) => {
        let t = '';
        r.on('data', (c) => (t += c));
        r.on('end', () => resolve(JSON.parse(t)));
      })
      .on('error', reject);
  });
  cont = res.metadata.continue ?? '';
  pages++;
} while (cont);
console.log(`paged pod list (limit=500): ${pages} pages in ${fmt(performance.now() - paged)}`);

// ------------------------------------------------------------ concurrent exec streams
// FRR containers when the scenario has them (vtysh), else ephemeral debug containers added to the
// speakers the way mlb-report does (distroless speakers have nothing to exec into).
interface ExecTargetRef {
  ns: string;
  pod: string;
  container: string;
  argv: string[];
}
let targets: ExecTargetRef[] = pods
  .filter((p) => (p.spec?.containers ?? []).some((c: any) => c.name === 'frr'))
  .slice(0, streams)
  .map((p) => ({ ns: p.metadata.namespace!, pod: p.metadata.name, container: 'frr', argv: ['vtysh', '-c', 'show bgp summary json'] }));
if (targets.length < streams) {
  const speakers = pods.filter((p) => p.metadata.labels?.component === 'speaker' && p.status?.phase === 'Running').slice(0, streams);
  const patchStart = performance.now();
  await Promise.all(
    speakers.map(
      (p) =>
        new Promise<void>((resolve, reject) => {
          const body = JSON.stringify({ spec: { ephemeralContainers: [{ name: 'bench-debug', image: 'nicolaka/netshoot:v0.13', command: ['sleep', '3600'], targetContainerName: 'speaker' }] } });
          const req = https.request(new URL(`/api/v1/namespaces/${p.metadata.namespace}/pods/${p.metadata.name}/ephemeralcontainers`, sim.url), {
            method: 'PATCH',
            agent,
            headers: { Authorization: `Bearer ${sim.token}`, 'Content-Type': 'application/strategic-merge-patch+json', 'Content-Length': Buffer.byteLength(body) },
          });
          req.on('response', (res) => {
            res.resume();
            res.on('end', () => (res.statusCode === 200 ? resolve() : reject(new Error(`PATCH ${res.statusCode}`))));
          });
          req.on('error', reject);
          req.end(body);
        }),
    ),
  );
  const isRunning = (p: any): boolean => Boolean(p?.status?.ephemeralContainerStatuses?.find((s: any) => s.name === 'bench-debug')?.state?.running);
  while (!speakers.every((p) => isRunning(sim.state.store.get(sim.state.podType, p.metadata.namespace, p.metadata.name)))) await new Promise((r) => setTimeout(r, 20));
  console.log(`${speakers.length} ephemeral debug containers patched and running in ${fmt(performance.now() - patchStart)}`);
  targets = speakers.map((p) => ({ ns: p.metadata.namespace!, pod: p.metadata.name, container: 'bench-debug', argv: ['ip', '-j', '-d', 'addr', 'show'] }));
}

function exec(t: ExecTargetRef): Promise<{ ms: number; status: string; bytes: number }> {
  const start = performance.now();
  const argv = t.argv.map((a) => `command=${encodeURIComponent(a)}`).join('&');
  const url = `${sim.url.replace('https', 'wss')}/api/v1/namespaces/${t.ns}/pods/${t.pod}/exec?${argv}&container=${t.container}&stdout=true&stderr=true`;
  return new Promise((resolve) => {
    const ws = new WebSocket(url, ['v5.channel.k8s.io'], { ca: sim.caPem, headers: { Authorization: `Bearer ${sim.token}` } });
    let status = 'no-status';
    let bytes = 0;
    ws.on('message', (d: Buffer) => {
      if (d[0] === 3) status = JSON.parse(d.subarray(1).toString()).status;
      else bytes += d.length - 1;
    });
    ws.on('close', () => resolve({ ms: performance.now() - start, status, bytes }));
    ws.on('error', () => resolve({ ms: performance.now() - start, status: 'error', bytes }));
  });
}

const execStart = performance.now();
const results = await Promise.all(targets.map(exec));
const execWall = performance.now() - execStart;
const latencies = results.map((r) => r.ms).sort((a, b) => a - b);
const byStatus = new Map<string, number>();
for (const r of results) byStatus.set(r.status, (byStatus.get(r.status) ?? 0) + 1);
const pct = (p: number): number => latencies[Math.min(latencies.length - 1, Math.floor((p / 100) * latencies.length))]!;
console.log(
  `${targets.length} concurrent exec streams: wall ${fmt(execWall)}, p50 ${fmt(pct(50))}, p95 ${fmt(pct(95))}, max ${fmt(latencies[latencies.length - 1]!)}, ` +
    `statuses ${JSON.stringify(Object.fromEntries(byStatus))}, output ${(results.reduce((s, r) => s + r.bytes, 0) / 1e3).toFixed(1)} kB`,
);
console.log(`rss ${(process.memoryUsage().rss / 1e6).toFixed(0)} MB`);
agent.destroy();
await sim.close();
