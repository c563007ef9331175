/**
 * `mlb-report sim record`: runs a scenario in the lab and stores the real output of every node
 * command the collector runs (src/catalogue/index.ts) plus a few hand-run ones, per node and
 * role, in fixtures/replay/<scenario>.json — the file the replay backend answers from. The key of a
 * command is its argv joined by single spaces, exactly as the replay backend looks it up.
 */
import type { SimModel } from '../sim/scenario/model.js';
import { mkdirSync, writeFileSync, readFileSync, existsSync, readdirSync } from 'node:fs';
import { dirname, join, basename } from 'node:path';
import type { Command } from 'commander';
import type { ExecBackend, ExecTarget, World } from '../sim/world.js';
import type { KubeObject } from '../model/cluster.js';
import { nodeItems, captureCommand, arpingCommand, frrModes } from '../catalogue/index.js';
import { createLabBackend, type LabBackend, type LabDescription } from './index.js';
import { runCommand, sleep } from './proc.js';
import { UserError, ExitCode } from '../util/errors.js';
import { labUnsupportedReason, type LabPlan } from './plan.js';
import { packageRoot } from '../version.js';

export type Role = 'debug' | 'frr';

export interface RecordedOutput {
  stdout: string;
  stderr: string;
  exitCode: number;
}

export interface Recording {
  recordedWith: { frr: string; iproute2: string; kernel: string; date: string };
  nodes: Record<string, Partial<Record<Role, Record<string, RecordedOutput>>>>;
}

/** Seconds of the recorded capture (the collector's default window is longer; 3 s keeps recording quick). */
export const recordCaptureSeconds = 3;

/** Commands that are not in the catalogue but that people run by hand and checks like to compare. */
export const handRunCommands: Record<Role, string[][]> = {
  debug: [['ip', '-j', 'addr']],
  frr: [['vtysh', '-c', 'show bgp summary json']],
};

export const commandKey = (argv: string[]): string => argv.join(' ');

/** LoadBalancer IPs of the World's Services (what the collector arpings). */
export function serviceLbIps(objects: KubeObject[]): string[] {
  const ips = new Set<string>();
  for (const o of objects) {
    if (o.kind !== 'Service') continue;
    for (const ing of o.status?.loadBalancer?.ingress ?? []) if (typeof ing.ip === 'string') ips.add(ing.ip);
  }
  return [...ips].sort();
}

/** Every command recorded for a node in one role, in a stable order. */
export function commandsFor(role: Role, mode: LabPlan['mode'], lbIps: string[], iface: string): string[][] {
  const items = nodeItems.filter((i) => i.runIn === role && (!i.modes || i.modes.includes(mode)));
  const out = items.map((i) => i.command);
  if (role === 'debug') {
    out.push(captureCommand(recordCaptureSeconds));
    for (const ip of lbIps) out.push(arpingCommand(ip, iface));
  }
  out.push(...handRunCommands[role]);
  return out;
}

function targetFor(node: string, role: Role): ExecTarget {
  return role === 'frr'
    ? { namespace: 'metallb-system', pod: `speaker-${node}`, container: 'frr', node, image: 'quay.io/frrouting/frr', kind: 'container', distroless: false, hostNetwork: true }
    : { namespace: 'metallb-system', pod: `speaker-${node}`, container: 'mlb-report-debug', node, image: 'nicolaka/netshoot', kind: 'ephemeral', distroless: false, hostNetwork: true };
}

export async function runCollected(backend: ExecBackend, node: string, role: Role, argv: string[]): Promise<RecordedOutput> {
  let stdout = '';
  let stderr = '';
  const r = await backend.run(targetFor(node, role), argv, {
    stdin: null,
    stdout: (c) => (stdout += String(c)),
    stderr: (c) => (stderr += String(c)),
    signal: AbortSignal.timeout(30_000),
  });
  if (r.startError) return { stdout, stderr: stderr + r.startError, exitCode: r.exitCode };
  return { stdout, stderr, exitCode: r.exitCode };
}

/**
 * Runs every command on every node. Captures on all nodes run at the same time, and the arpings
 * happen inside that window, so each capture holds the ARP exchange (and whatever BGP/BFD traffic
 * the scenario produces).
 */
export async function recordLab(lab: LabBackend, world: World): Promise<Recording['nodes']> {
  const d = lab.describe();
  const lbIps = serviceLbIps(world.objects);
  const iface = 'eth0';
  const captureKey = commandKey(captureCommand(recordCaptureSeconds));
  const arpingKeys = new Set(lbIps.map((ip) => commandKey(arpingCommand(ip, iface))));
  const done = new Map<string, RecordedOutput>();
  const at = (node: string, key: string): string => `${node}\u0000${key}`;
  // Window 1: captures on every node at once, the arpings of every node inside that window.
  const captures = d.nodes.map(async (n) => done.set(at(n.name, captureKey), await runCollected(lab, n.name, 'debug', captureCommand(recordCaptureSeconds))));
  await sleep(700); // tcpdump needs a moment before it sees packets
  await Promise.all(
    d.nodes.map(async (n) => {
      for (const ip of lbIps) done.set(at(n.name, commandKey(arpingCommand(ip, iface))), await runCollected(lab, n.name, 'debug', arpingCommand(ip, iface)));
    }),
  );
  await Promise.all(captures);
  // Then everything else, one command at a time (as cheap as the collector's own pacing).
  const nodes: Recording['nodes'] = {};
  for (const n of d.nodes) {
    const debug: Record<string, RecordedOutput> = {};
    for (const argv of commandsFor('debug', d.mode, lbIps, iface)) {
      const key = commandKey(argv);
      debug[key] = key === captureKey || arpingKeys.has(key) ? done.get(at(n.name, key))! : await runCollected(lab, n.name, 'debug', argv);
    }
    nodes[n.name] = { debug };
    if (n.frr && frrModes.includes(d.mode as (typeof frrModes)[number])) {
      const frr: Record<string, RecordedOutput> = {};
      for (const argv of commandsFor('frr', d.mode, lbIps, iface)) frr[commandKey(argv)] = await runCollected(lab, n.name, 'frr', argv);
      nodes[n.name].frr = frr;
    }
  }
  return nodes;
}

export async function toolVersions(): Promise<Recording['recordedWith']> {
  const first = (s: string): string => s.split('\n').find((l) => l.trim() !== '')?.trim() ?? '';
  const frr = first((await runCommand(['/usr/lib/frr/bgpd', '--version'])).stdout).replace(/^bgpd version\s*/i, '');
  const ip = first((await runCommand(['ip', '-V'])).stdout).match(/iproute2-([\w.]+)/)?.[1] ?? 'unknown';
  const kernel = first((await runCommand(['uname', '-r'])).stdout);
  return { frr, iproute2: ip, kernel, date: new Date().toISOString() };
}

/** Runs per scenario when healthy sessions reset while coming up (see disturbedSessions). */
const recordAttempts = 2;

export interface RecordResult {
  file: string;
  commands: number;
  readyMs?: number;
  totalMs: number;
}

const repoRoot = packageRoot;
const builtinDir = join(repoRoot, 'fixtures', 'scenarios');
const labScenarioDir = join(repoRoot, 'fixtures', 'lab', 'scenarios');

/**
 * Default output: fixtures/replay/<scenario>.json for built-in scenarios (the replay backend reads
 * them), fixtures/lab/replay/<scenario>.json for the lab-only ones in fixtures/lab/scenarios.
 */
export function defaultRecordingPath(scenarioName: string, resolved: string = scenarioName): string {
  const name = basename(scenarioName).replace(/\.ya?ml$/i, '');
  const labOnly = resolved.startsWith(labScenarioDir);
  return join(repoRoot, 'fixtures', labOnly ? join('lab', 'replay') : 'replay', `${name}.json`);
}

/** Built-in and lab-only scenario names (built-in wins when both exist). */
export function recordableScenarioNames(): string[] {
  const names = (dir: string): string[] => (existsSync(dir) ? readdirSync(dir).filter((f) => f.endsWith('.yaml')).map((f) => f.slice(0, -5)) : []);
  return [...new Set([...names(builtinDir), ...names(labScenarioDir)])].sort();
}

export async function recordScenario(nameOrPath: string, outFile?: string, opts: { log?: (line: string) => void } = {}): Promise<RecordResult> {
  const t0 = Date.now();
  const { loadScenario } = await import('../sim/scenario/index.js');
  const resolved = resolveLabScenario(nameOrPath);
  const { world, backend } = await loadScenario(resolved);
  await backend.close();
  const file = outFile ?? defaultRecordingPath(world.name || nameOrPath, resolved);
  let nodes: Recording['nodes'] | undefined;
  let readyMs: number | undefined;
  // A busy machine can delay bfdd past the detection time once, leaving a BFD reset in the history
  // of a session that should be clean; such a run is not what the scenario describes, so run again.
  for (let attempt = 1; attempt <= recordAttempts && !nodes; attempt++) {
    const lab = await createLabBackend(world, { log: opts.log, model: (backend as { model?: SimModel }).model });
    let run: Recording['nodes'];
    try {
      await lab.ready;
      run = await recordLab(lab, world);
    } finally {
      await lab.close();
    }
    readyMs = lab.describe().timings.readyMs;
    const disturbed = disturbedSessions(run, lab.describe());
    if (disturbed.length === 0 || attempt === recordAttempts) nodes = run;
    if (disturbed.length) opts.log?.(`${nameOrPath}: attempt ${attempt}: sessions reset while coming up (${disturbed.join(', ')})${attempt < recordAttempts ? ', recording again' : ', keeping this run'}`);
  }
  const recording: Recording = { recordedWith: await toolVersions(), nodes: nodes! };
  mkdirSync(dirname(file), { recursive: true });
  writeFileSync(file, JSON.stringify(recording, null, 1) + '\n');
  const commands = Object.values(nodes!).reduce((a, roles) => a + Object.values(roles).reduce((b, cmds) => b + Object.keys(cmds ?? {}).length, 0), 0);
  return { file, commands, readyMs, totalMs: Date.now() - t0 };
}

/**
 * Sessions the scenario wants simply Established (no frozen router daemon) whose recorded neighbor
 * state shows a dropped connection: start-up noise, not the scenario.
 */
export function disturbedSessions(nodes: Recording['nodes'], lab: LabDescription): string[] {
  const out: string[] = [];
  for (const s of lab.sessions) {
    if (s.expect !== 'established') continue;
    const router = lab.routers.find((r) => r.name === s.router);
    if (!router || router.frozen) continue;
    const raw = nodes[s.node]?.frr?.[commandKey(['vtysh', '-c', 'show bgp vrf all neighbors json'])]?.stdout;
    try {
      const nb = JSON.parse(raw ?? '{}')?.default?.[router.address];
      if (nb && (nb.connectionsDropped ?? 0) > 0) out.push(`${s.node} → ${s.router}: ${nb.lastNotificationReason ?? nb.lastResetDueTo ?? 'reset'}`);
    } catch {
      /* not JSON: nothing to judge */
    }
  }
  return out;
}

/** Lab-only scenarios (fixtures/lab/scenarios) by bare name, when no built-in scenario has that name. */
export function resolveLabScenario(nameOrPath: string): string {
  if (/[/\\]/.test(nameOrPath) || /\.ya?ml$/i.test(nameOrPath)) return nameOrPath;
  const builtin = join(builtinDir, `${nameOrPath}.yaml`);
  const labOnly = join(labScenarioDir, `${nameOrPath}.yaml`);
  return !existsSync(builtin) && existsSync(labOnly) ? labOnly : nameOrPath;
}

export function readRecording(file: string): Recording {
  return JSON.parse(readFileSync(file, 'utf8')) as Recording;
}

/**
 * Adds `record` to the `sim` command: `mlb-report sim record <scenario...> [-o file]`.
 * Called by src/cli/commands/sim.ts.
 */
export function registerRecord(simCommand: Command): Command {
  return simCommand
    .command('record')
    .description('Run scenarios in the network lab (root, FRR) and store every node command output as replay data (fixtures/replay/<scenario>.json)')
    .argument('[scenarios...]', 'built-in scenario names, lab-only scenario names (fixtures/lab/scenarios) or scenario YAML files')
    .option('-o, --out <file>', 'output file (only with a single scenario)')
    .option('--all', 'every built-in and lab-only scenario the lab can run')
    .option('-q, --quiet', 'no progress lines')
    .action(async (scenarios: string[], o: { out?: string; quiet?: boolean; all?: boolean }) => {
      if (o.out && (scenarios.length > 1 || o.all)) throw new UserError('--out works with a single scenario only', 'record one scenario per --out, or drop --out to write fixtures/replay/<scenario>.json', ExitCode.usage);
      const names = o.all ? recordableScenarioNames() : scenarios;
      if (names.length === 0) throw new UserError('no scenario to record', 'name one or more scenarios, or use --all', ExitCode.usage);
      const log = o.quiet ? undefined : (line: string): void => void process.stderr.write(`${line}\n`);
      for (const s of names) {
        if (o.all) {
          const reason = await unsupportedReason(s);
          if (reason) {
            process.stdout.write(`${s}: skipped, ${reason}\n`);
            continue;
          }
        }
        const r = await recordScenario(s, o.out, { log });
        process.stdout.write(`${s}: ${r.commands} command outputs → ${r.file} (ready ${r.readyMs ?? '?'} ms, total ${r.totalMs} ms)\n`);
      }
    });
}

async function unsupportedReason(name: string): Promise<string | undefined> {
  const { loadScenario } = await import('../sim/scenario/index.js');
  const { world, backend } = await loadScenario(resolveLabScenario(name));
  await backend.close();
  return labUnsupportedReason(world);
}
