/**
 * `npm run reliability`: mlb-report against a control plane under stress, and what it leaves behind.
 *
 * Every fault of a stressed control plane (docs/scenarios.md) × strategy (ephemeral, node-pod) ×
 * size (healthy-frr: 3 nodes; synthetic:nodes=200), then SIGINT/SIGTERM at several moments of a run
 * and a full disk under --out. Each run is the real CLI (`bin/mlb-report.js collect`, a child process
 * in its own process group) against a simulator in this process. After each run it records the exit
 * code, nodes collected, retries by cause, and the leftovers: debug pods still there, debug
 * containers still running, processes of the run still alive, and files a reader could mistake for
 * a bundle (a bundle whose checksums fail, files the manifest does not list, a tarball without its
 * end).
 *
 * Writes docs/reliability.md. Usage: npm run reliability [-- --quick] (--quick: 3 nodes only)
 * [--parallel N] (default 2) [--only <text>] (runs whose "size strategy label" contains it; prints
 * the tables instead of writing the file)
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join, relative, resolve } from 'node:path';
import { gunzipSync } from 'node:zlib';
import type { Manifest } from '../src/model/bundle.js';
import type { Fault } from '../src/sim/world.js';
import { loadScenario } from '../src/sim/scenario/index.js';
import { startSimulator, type Simulator } from '../src/sim/server/index.js';
import { verifyBundle } from '../src/bundle/index.js';

const root = resolve(import.meta.dirname, '..');
const quick = process.argv.includes('--quick');
const work = mkdtempSync(join(tmpdir(), 'mlb-reliability-'));

// ------------------------------------------------------------------ the cases

interface Case {
  group: 'fault' | 'signal' | 'disk';
  label: string;
  scenario: string;
  size: number;
  strategy: 'ephemeral' | 'node-pod';
  faults: (nodes: string[]) => Fault[];
  args?: string[];
  /** Signal the run when `when` says so (polled every 20 ms with the run's output so far and the simulator). */
  signal?: { name: 'SIGINT' | 'SIGTERM'; moment: string; when: (output: string, sim: Simulator) => boolean };
  /** Bundle folder on a small tmpfs (full disk). */
  outOn?: string;
}

const stress: Fault[] = [
  { type: 'api-throttle', fraction: 0.3, retryAfterSeconds: 1 },
  { type: 'api-unavailable', fraction: 0.05, status: 503 },
  { type: 'connection-reset', fraction: 0.05 },
  { type: 'watch-expired', afterMs: 1500 },
];

const faultKinds: { label: string; faults: (nodes: string[]) => Fault[]; args?: (strategy: string) => string[] }[] = [
  { label: 'none', faults: () => [] },
  { label: 'api-throttle 30 %, Retry-After 1 s', faults: () => [stress[0]!] },
  { label: 'api-unavailable 5 % (503)', faults: () => [stress[1]!] },
  { label: 'api-unavailable 5 % (500 etcd timeout)', faults: () => [{ type: 'api-unavailable', fraction: 0.05, status: 500 }] },
  { label: 'connection-reset 5 %', faults: () => [stress[2]!] },
  { label: 'watch-expired after 1.5 s', faults: () => [stress[3]!] },
  { label: 'all four above', faults: () => stress },
  { label: 'kubelet-unreachable (1 node, 2 s dial timeout)', faults: (nodes) => [{ type: 'kubelet-unreachable', nodes: [nodes[1]!], dialTimeoutMs: 2000 }] },
  { label: 'pod-security baseline on metallb-system', faults: () => [{ type: 'pod-security', level: 'baseline', namespaces: ['metallb-system'] }] },
  {
    label: 'pod-security baseline, debug pods in default',
    faults: () => [{ type: 'pod-security', level: 'baseline', namespaces: ['metallb-system'] }],
    args: (strategy) => (strategy === 'node-pod' ? ['--debug-namespace', 'default'] : []),
  },
];

const sizes: { scenario: string; size: number }[] = quick ? [{ scenario: 'healthy-frr', size: 3 }] : [{ scenario: 'healthy-frr', size: 3 }, { scenario: 'synthetic:nodes=200', size: 200 }];
const cases: Case[] = [];
for (const { scenario, size } of sizes)
  for (const kind of faultKinds)
    for (const strategy of ['ephemeral', 'node-pod'] as const) {
      const args = kind.args?.(strategy) ?? [];
      if (kind.label.includes('debug pods in default') && strategy === 'ephemeral') continue;
      // At 200 nodes the variants of a fault already measured at 3 nodes would only add minutes.
      if (size > 3 && (kind.label.includes('debug pods in default') || kind.label.includes('500 etcd'))) continue;
      cases.push({ group: 'fault', label: kind.label, scenario, size, strategy, faults: kind.faults, args });
    }

const requests = (sim: Simulator): number => sim.state.requestStats().total;
const moments: { moment: string; when: (output: string, sim: Simulator) => boolean }[] = [
  { moment: 'discovery (first API request)', when: (_o, sim) => requests(sim) > 0 },
  { moment: 'attaching (first attach line)', when: (o) => /attaching/.test(o) },
  { moment: 'capture running', when: (o) => /capturing/.test(o) },
  { moment: 'node commands done (first probe line)', when: (o) => /probes:|arping/.test(o) },
];
for (const name of ['SIGINT', 'SIGTERM'] as const)
  for (const m of name === 'SIGINT' ? moments : [moments[1]!, moments[2]!])
    for (const strategy of ['ephemeral', 'node-pod'] as const)
      cases.push({ group: 'signal', label: `${name} at ${m.moment}`, scenario: 'healthy-frr', size: 3, strategy, faults: () => [], args: ['--capture-seconds', '4'], signal: { name, moment: m.moment, when: m.when } });
for (const strategy of ['ephemeral', 'node-pod'] as const) cases.push({ group: 'disk', label: '--out on a 256 KiB tmpfs', scenario: 'healthy-frr', size: 3, strategy, faults: () => [], outOn: 'tmpfs' });

// ------------------------------------------------------------------ one run

interface Row {
  c: Case;
  exit: number | string;
  seconds: number;
  nodes: string;
  retries: string;
  debugPods: number;
  runningDebugContainers: number;
  processes: number;
  files: string;
  note: string;
}

function walk(dir: string): string[] {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? walk(p) : [p];
  });
}

/** What a reader finds under the bundle's parent: an intact bundle and tarball, or what is wrong. */
async function inspectFiles(parent: string, dir: string): Promise<{ text: string; manifest?: Manifest }> {
  const problems: string[] = [];
  let manifest: Manifest | undefined;
  if (!existsSync(join(dir, 'manifest.json'))) problems.push(existsSync(dir) ? `no manifest (${walk(dir).length} files)` : 'no bundle folder');
  else {
    try {
      const v = await verifyBundle(dir);
      manifest = v.manifest;
      if (v.problems.length) problems.push(`${v.problems.length} checksum problem(s)`);
      const listed = new Set(v.manifest.files.map((f) => f.path));
      const extra = walk(dir).map((f) => relative(dir, f)).filter((f) => f !== 'manifest.json' && !listed.has(f));
      if (extra.length) problems.push(`${extra.length} file(s) not in the manifest`);
    } catch (e) {
      problems.push(`manifest unreadable: ${(e as Error).message.slice(0, 60)}`);
    }
  }
  const tarball = `${dir}.tar.gz`;
  if (existsSync(tarball)) {
    try {
      gunzipSync(readFileSync(tarball));
    } catch {
      problems.push('tarball truncated');
    }
  } else if (manifest) problems.push('no tarball');
  const strays = readdirSync(parent).filter((n) => !['bundle', 'bundle.tar.gz', 'kubeconfig'].includes(n));
  if (strays.length) problems.push(`stray: ${strays.join(', ')}`);
  return { text: problems.length ? problems.join('; ') : 'bundle + tarball intact', manifest };
}

/** Processes still in the run's process group (the child was its leader: `detached`), by name. */
function groupAlive(pgid: number): string[] {
  const r = spawnSync('ps', ['-e', '-o', 'pgid=,comm='], { encoding: 'utf8' });
  return r.stdout
    .split('\n')
    .map((l) => l.trim().split(/\s+/))
    .filter(([g]) => Number(g) === pgid)
    .map(([, name]) => name ?? '?');
}

/** The group's processes once they had 2 s to exit (a helper such as the esbuild service of a source run ends a moment after its parent). */
async function leftoverProcesses(pgid: number): Promise<string[]> {
  for (let i = 0; i < 20; i++) {
    const alive = groupAlive(pgid);
    if (alive.length === 0) return [];
    await new Promise((r) => setTimeout(r, 100));
  }
  return groupAlive(pgid);
}

function mountTmpfs(at: string): string | undefined {
  mkdirSync(at, { recursive: true });
  const r = spawnSync('mount', ['-t', 'tmpfs', '-o', 'size=256k', 'tmpfs', at], { encoding: 'utf8' });
  return r.status === 0 ? undefined : (r.stderr || r.error?.message || 'mount failed').trim();
}

async function runCase(c: Case, index: number): Promise<Row> {
  const loaded = await loadScenario(c.scenario);
  const nodes = loaded.world.objects.filter((o) => o.kind === 'Node').map((o) => o.metadata.name).sort();
  loaded.world.faults.push(...c.faults(nodes));
  const sim = await startSimulator({ world: loaded.world, backend: loaded.backend, port: 0 });
  const parent = join(work, `run-${index}`);
  mkdirSync(parent, { recursive: true });
  writeFileSync(join(parent, 'kubeconfig'), sim.kubeconfig(), { mode: 0o600 });
  let outParent = parent;
  let note = '';
  if (c.outOn) {
    outParent = join(parent, 'disk');
    const failed = mountTmpfs(outParent);
    if (failed) {
      await sim.close();
      return { c, exit: '–', seconds: 0, nodes: '–', retries: '–', debugPods: 0, runningDebugContainers: 0, processes: 0, files: '–', note: `not measured: cannot mount a tmpfs (${failed})` };
    }
  }
  const dir = join(outParent, 'bundle');
  const started = Date.now();
  const child = spawn(
    process.execPath,
    [join(root, 'bin', 'mlb-report.js'), 'collect', '--kubeconfig', join(parent, 'kubeconfig'), '--out', dir, '--format', 'json', '--capture-seconds', '1', '--fail-on', 'error', '--timeout', '5m', '--strategy', c.strategy, ...(c.args ?? [])],
    { stdio: ['ignore', 'pipe', 'pipe'], detached: true, env: { ...process.env, NO_COLOR: '1' } },
  );
  let output = '';
  child.stdout.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr.on('data', (d: Buffer) => (output += d.toString()));
  let signalled = false;
  const poll = c.signal
    ? setInterval(() => {
        if (!signalled && c.signal!.when(output, sim)) {
          signalled = true;
          process.kill(child.pid!, c.signal!.name);
        }
      }, 20)
    : undefined;
  const exit = await new Promise<number | string>((r) => child.on('exit', (code, sig) => r(code ?? sig ?? '?')));
  if (poll) clearInterval(poll);
  const seconds = (Date.now() - started) / 1000;
  // Give the simulator's kubelet a moment to report containers told to end, as the run's cleanup does.
  await new Promise((r) => setTimeout(r, 300));
  const processList = await leftoverProcesses(child.pid!);
  const processes = processList.length;
  const notes: string[] = [];
  if (processes) notes.push(`left running: ${processList.join(', ')}`);
  const pods = sim.state.store.list(sim.state.podType);
  const debugPods = pods.filter((p) => p.metadata.labels?.['app.kubernetes.io/managed-by'] === 'mlb-report').length;
  const runningDebugContainers = pods.flatMap((p) => (p.status?.ephemeralContainerStatuses ?? []) as { name: string; state?: { running?: unknown } }[]).filter((s) => s.name.startsWith('mlb-report-') && s.state?.running).length;
  const inspected = await inspectFiles(outParent, dir);
  const m = inspected.manifest;
  const count = (s: string): number => m?.nodes.filter((n) => n.status === s).length ?? 0;
  const nodesText = m ? `${count('ok')} ok${count('partial') ? `, ${count('partial')} partial` : ''}${count('failed') ? `, ${count('failed')} failed` : ''}${count('skipped') ? `, ${count('skipped')} skipped` : ''} / ${m.nodes.length}` : '–';
  const retries = m?.retries ? `${m.retries.total}: ${Object.entries(m.retries.causes).sort((a, b) => b[1] - a[1]).map(([k, v]) => `${v} × ${k}`).join(', ')}` : m ? '0' : '–';
  if (c.signal && !signalled) notes.push('the moment never came (the run ended first)');
  if (c.outOn) {
    const line = output.split('\n').find((l) => /^error: /.test(l));
    notes.push(line ? line.trim().slice(0, 200) : output.trim().split('\n').slice(-2).join(' ').slice(0, 200));
    spawnSync('umount', [outParent]);
  }
  if (!c.outOn && !c.signal) {
    const failed = m?.nodes.filter((n) => n.status !== 'ok').slice(0, 1)[0];
    if (failed) notes.push(`${failed.node}: ${(failed.reason ?? '').slice(0, 140)}`);
  }
  if (c.signal && m?.interrupted) notes.push('manifest says interrupted');
  // Temporary folders of this machine stay out of the table.
  note = notes.join('; ').split(outParent).join('<--out parent>').split(parent).join('<run folder>');
  await sim.close();
  if (processes > 0 && child.pid && child.pid > 1) {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  rmSync(parent, { recursive: true, force: true });
  return { c, exit, seconds, nodes: nodesText, retries, debugPods, runningDebugContainers, processes, files: inspected.text, note };
}

// ------------------------------------------------------------------ run them (two at a time: the machine has few cores)

const only = process.argv.indexOf('--only') > 0 ? process.argv[process.argv.indexOf('--only') + 1]! : undefined;
if (only) cases.splice(0, cases.length, ...cases.filter((c) => `${c.size} ${c.strategy} ${c.label}`.includes(only)));
const parallel = Math.max(1, Math.min(Number(process.argv[process.argv.indexOf('--parallel') + 1] ?? 2) || 2, cpus().length));
const rows: Row[] = new Array(cases.length);
let next = 0;
const t0 = Date.now();
await Promise.all(
  Array.from({ length: parallel }, async () => {
    while (next < cases.length) {
      const i = next++;
      const c = cases[i]!;
      rows[i] = await runCase(c, i);
      console.error(`[${Math.round((Date.now() - t0) / 1000)} s] ${i + 1}/${cases.length} ${c.group} ${c.size} ${c.strategy} ${c.label}: exit ${rows[i]!.exit}, ${rows[i]!.nodes}, ${rows[i]!.seconds.toFixed(1)} s`);
    }
  }),
);
rmSync(work, { recursive: true, force: true });

// ------------------------------------------------------------------ docs/reliability.md

const esc = (s: string): string => s.replace(/\|/g, '\\|').replace(/\n/g, ' ');
const leftovers = (r: Row): string => {
  const parts = [r.debugPods ? `${r.debugPods} debug pod(s)` : '', r.runningDebugContainers ? `${r.runningDebugContainers} debug container(s) running` : '', r.processes ? `${r.processes} process(es)` : ''].filter(Boolean);
  return parts.length ? parts.join(', ') : 'none';
};
const table = (list: Row[], first: string): string[] => [
  `| ${first} | strategy | nodes collected | retries (by cause) | exit | time | leftovers | files | note |`,
  '|---|---|---|---|---|---|---|---|---|',
  ...list.map((r) => `| ${esc(first === 'nodes' ? `${r.c.size}: ${r.c.label}` : r.c.label)} | ${r.c.strategy}${r.c.args?.includes('--debug-namespace') ? ' (--debug-namespace default)' : ''} | ${r.nodes} | ${esc(r.retries)} | ${r.exit} | ${r.seconds.toFixed(1)} s | ${leftovers(r)} | ${esc(r.files)} | ${esc(r.note)} |`),
];
const doc = [
  '# Reliability: a control plane under stress',
  '',
  '<!-- Generated by `npm run reliability` (bench/reliability.ts); do not edit by hand. -->',
  '',
  `What \`mlb-report collect\` does when the API server throttles, fails, resets connections, expires`,
  'watches, cannot reach a kubelet or enforces Pod Security; when it is interrupted; and when the disk',
  'under `--out` fills. Each row is one run of the CLI (`--format json --capture-seconds 1 --fail-on',
  'error --timeout 5m`) against the simulator with the faults of docs/scenarios.md. Exit codes: 0 ok,',
  '1 a finding of severity error (`--fail-on error`), 2 bad input, 3 cluster unusable, 130 interrupted.',
  '',
  'Leftovers are counted right after the process exits: debug pods of the run still in the cluster,',
  'debug containers of the run still running (an ephemeral container cannot be removed; it is told to',
  'end, and otherwise ends by itself when its lifetime, the run\'s timeout plus a minute, runs out),',
  'processes of the run\'s process group still alive. Files: whether the bundle\'s checksums hold, every',
  'file on disk is in the manifest, and the tarball is complete.',
  '',
  `Measured ${new Date().toISOString().slice(0, 10)} on ${cpus().length} CPU(s) (${cpus()[0]?.model ?? 'unknown CPU'}), ${Math.round((Date.now() - t0) / 1000)} s for ${cases.length} runs, two at a time.${quick ? ' Quick run: 3 nodes only.' : ''}`,
  '',
  '## Faults × strategy × size',
  '',
  ...table(rows.filter((r) => r.c.group === 'fault'), 'nodes'),
  '',
  'The kubelet dial timeout is scaled down to 2 s (a real API server waits 30 s). The ephemeral',
  'containers on the unreachable node (its speaker\'s, and the controller\'s when the controller runs',
  'there, as in both worlds here) cannot be told to end: the exec that would tell them fails the same',
  'way. They run until their lifetime ends; those are the debug containers the table counts as left',
  'running. Node debug pods are deleted through the API server alone, so none is left.',
  '',
  '## Interrupted: SIGINT and SIGTERM (healthy-frr, 3 nodes, 4 s capture)',
  '',
  ...table(rows.filter((r) => r.c.group === 'signal'), 'signal, moment'),
  '',
  '## Full disk under --out',
  '',
  ...table(rows.filter((r) => r.c.group === 'disk'), 'case'),
  '',
  rows.some((r) => r.c.group === 'disk' && r.note.startsWith('not measured'))
    ? 'The tmpfs could not be mounted here (mounting needs root): the full-disk rows were not measured.'
    : 'The folder for --out is a 256 KiB tmpfs mounted for the run (as root) and unmounted after it.',
  '',
];
if (!only) writeFileSync(join(root, 'docs', 'reliability.md'), doc.join('\n'));
else console.log(doc.join('\n'));
console.error(`wrote docs/reliability.md (${cases.length} runs, ${Math.round((Date.now() - t0) / 1000)} s)`);
