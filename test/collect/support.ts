/**
 * Helpers for collect tests: run `collect()` in-process against a simulator, load fault fixtures
 * (a built-in scenario plus `faults:`), and verify a bundle (manifest completeness, checksums).
 */
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { parse as parseYaml } from 'yaml';
import type { Fault, World } from '../../src/sim/world.js';
import type { KubeObject } from '../../src/model/cluster.js';
import type { Manifest } from '../../src/model/bundle.js';
import { collect, type CollectOptions } from '../../src/collect/index.js';
import { collectAndReport, type RunResult } from '../../src/run/index.js';
import { verifyBundle } from '../../src/bundle/index.js';
import { startSim, type RunningSim } from '../helpers/sim.js';

export const fixturesDir = join(import.meta.dirname, 'fixtures');

export interface FaultFixture {
  base: string;
  description?: string;
  faults: Fault[];
  /** Node (by placeholder or name) whose record must show the fault, and a pattern for its reason. */
  expect: { node: string; status: string[]; reason: string };
}

/** Sorted node names and speaker pods of a world, for placeholders. */
export function worldIndex(world: World): { nodes: string[]; speakers: Map<string, string> } {
  const nodes = world.objects.filter((o) => o.kind === 'Node').map((o) => o.metadata.name).sort();
  const speakers = new Map<string, string>();
  for (const o of world.objects) {
    if (o.kind !== 'Pod') continue;
    const containers = ((o.spec?.containers ?? []) as { name: string; image?: string }[]);
    if (containers.some((c) => c.name === 'speaker' || /metallb\/speaker/.test(c.image ?? ''))) speakers.set(o.spec?.nodeName, o.metadata.name);
  }
  return { nodes, speakers };
}

/** Replaces `{{node:N}}` and `{{speaker:N}}` (speaker pod on the N-th node) in a fixture. */
export function resolvePlaceholders<T>(value: T, world: World): T {
  const { nodes, speakers } = worldIndex(world);
  const text = JSON.stringify(value).replace(/\{\{(node|speaker):(\d+)\}\}/g, (_m, kind: string, i: string) => {
    const node = nodes[Number(i)];
    if (!node) throw new Error(`fixture placeholder ${kind}:${i}: world has ${nodes.length} nodes`);
    return kind === 'node' ? node : speakers.get(node) ?? `no-speaker-on-${node}`;
  });
  return JSON.parse(text) as T;
}

export function loadFaultFixture(name: string): FaultFixture {
  return parseYaml(readFileSync(join(fixturesDir, name), 'utf8')) as FaultFixture;
}

export interface Ran {
  /** From collect() alone (reportFiles empty), or from the run module when `report` is set. */
  result: RunResult;
  world: World;
  sim: RunningSim;
  root: string;
  cleanup(): Promise<void>;
}

/**
 * Starts a simulator (optionally with extra faults), runs collect into a temp dir; with
 * `report: true` the whole run (collect → analyze → render → seal) as the CLI does.
 */
export async function runCollect(scenario: string, opts: Partial<CollectOptions> & { report?: boolean } = {}, faults: Fault[] | ((w: World) => Fault[]) = []): Promise<Ran> {
  let world!: World;
  const sim = await startSim(scenario, {
    mutateWorld: (w) => {
      world = w;
      const extra = typeof faults === 'function' ? faults(w) : faults;
      w.faults.push(...resolvePlaceholders(extra, w));
    },
  });
  const root = await mkdtemp(join(tmpdir(), 'mlb-collect-test-'));
  const cleanup = async (): Promise<void> => {
    await sim.stop();
    await rm(root, { recursive: true, force: true });
  };
  try {
    const { report, ...rest } = opts;
    const options: CollectOptions = { kubeconfigPath: sim.kubeconfigPath, out: join(root, 'bundle'), captureSeconds: 1, formats: ['json'], timeoutMs: 120_000, renderer: 'silent', ...rest };
    const result: RunResult = report ? await collectAndReport(options) : { ...(await collect(options)), reportFiles: [] };
    return { result, world, sim, root, cleanup };
  } catch (e) {
    await cleanup();
    throw e;
  }
}

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const p = join(dir, name);
    if (statSync(p).isDirectory()) out.push(...walk(p));
    else out.push(p);
  }
  return out;
}

/** Every file on disk is in the manifest (and vice versa) and every checksum matches. */
export async function assertBundleIntact(dir: string): Promise<Manifest> {
  const { manifest, problems } = await verifyBundle(dir);
  if (problems.length) throw new Error(`bundle checksum problems: ${JSON.stringify(problems.slice(0, 5))}`);
  const onDisk = walk(dir).map((f) => relative(dir, f)).filter((f) => f !== 'manifest.json').sort();
  const listed = manifest.files.map((f) => f.path).sort();
  const missing = onDisk.filter((f) => !listed.includes(f));
  if (missing.length) throw new Error(`files not in the manifest: ${missing.slice(0, 5).join(', ')}`);
  return manifest;
}

export function speakerNodes(world: World): string[] {
  return [...worldIndex(world).speakers.keys()].sort();
}

export function objectsOfKind(world: World, kind: string): KubeObject[] {
  return world.objects.filter((o) => o.kind === kind);
}
