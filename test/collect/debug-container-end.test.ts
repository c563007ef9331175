/**
 * Debug containers do not outlive the run: each ephemeral container's main process ends once its
 * node's work is done (or, after Ctrl-C or --timeout, during cleanup), the simulator shows it
 * terminated with exit 0, and the manifest records that end.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Manifest } from '../../src/model/bundle.js';
import type { KubeObject } from '../../src/model/cluster.js';
import { startSim, type RunningSim } from '../helpers/sim.js';
import { runCollect } from './support.js';

const bin = join(import.meta.dirname, '../../bin/mlb-report.js');

/** The state of every container a run added, as the simulator holds it now. */
function addedStates(sim: RunningSim, manifest: Manifest): { name: string; state: Record<string, any> }[] {
  return manifest.addedContainers.map((a) => {
    const pod = sim.sim.state.store.get(sim.sim.state.podType, a.namespace, a.pod) as KubeObject | undefined;
    const status = (pod?.status?.ephemeralContainerStatuses ?? []).find((s: any) => s.name === a.container);
    return { name: `${a.pod}/${a.container}`, state: status?.state ?? {} };
  });
}

test('a finished collection ends every ephemeral container it added, and the manifest says when', { timeout: 120_000 }, async () => {
  const ran = await runCollect('healthy-l2', { report: true, formats: ['html'] });
  try {
    const manifest = ran.result.manifest;
    assert.equal(manifest.addedContainers.length, 4, 'one per speaker and one in the controller pod');
    // The report shows each one's end, not a bare "running".
    const html = readFileSync(join(ran.result.dir, 'report.html'), 'utf8');
    // Containers added alike share a row: every row shows an end, none a bare "running".
    assert.ok((html.match(/>terminated<\/span> <span class="small">ended\b/g)?.length ?? 0) >= 1, 'containers shown ended');
    assert.doesNotMatch(html, />running<\/span>/, 'no container shown running');
    for (const a of manifest.addedContainers) {
      assert.equal(a.kind, 'ephemeral');
      assert.equal(a.endRequested, true, `${a.pod} was told to end`);
      assert.equal(a.finalState, 'terminated', `${a.pod}: ${a.finalState}`);
      assert.ok(a.endedAt && Date.parse(a.endedAt) >= Date.parse(manifest.createdAt) - 1000, `${a.pod} ended at ${a.endedAt}`);
    }
    for (const s of addedStates(ran.sim, manifest)) {
      assert.ok(s.state.terminated, `${s.name} is not running any more: ${JSON.stringify(s.state)}`);
      assert.equal(s.state.terminated.exitCode, 0);
      assert.equal(s.state.terminated.reason, 'Completed');
    }
  } finally {
    await ran.cleanup();
  }
});

test('without a capture the end marker rides the last batch: no exec of its own, every container ended', { timeout: 120_000 }, async () => {
  const ran = await runCollect('healthy-l2', { capture: false });
  try {
    const manifest = ran.result.manifest;
    assert.equal(manifest.addedContainers.length, 4, 'one per speaker and one in the controller pod');
    // The speakers' probes and the controller's items end with `touch <marker>` inside their batch.
    assert.equal(ran.sim.sim.state.execsByProgram.get('touch') ?? 0, 0, 'no lone touch exec');
    assert.ok((ran.sim.sim.state.execsByProgram.get('sh') ?? 0) >= 4, 'batches ran');
    for (const a of manifest.addedContainers) assert.equal(a.endRequested, true, `${a.pod} was told to end`);
    // The simulated kubelet notices the marker at its next one-second tick.
    await new Promise((r) => setTimeout(r, 1500));
    for (const s of addedStates(ran.sim, manifest)) assert.equal(s.state.terminated?.reason, 'Completed', `${s.name}: ${JSON.stringify(s.state)}`);
    // Every node still has its probes and its files.
    for (const n of manifest.nodes) {
      assert.equal(n.status, 'ok', `${n.node}: ${n.reason}`);
      assert.ok(n.steps.some((s) => s.step === 'probe.connect' && s.status === 'ok'), `${n.node} probed`);
    }
  } finally {
    await ran.cleanup();
  }
});

test('after --timeout the cleanup ends the containers the nodes could not', { timeout: 120_000 }, async () => {
  // The capture hangs, so the run times out with every node's container still busy.
  const ran = await runCollect('healthy-l2', { timeoutMs: 6000, captureSeconds: 30 }, [{ type: 'exec-hang', commandContains: 'tcpdump' }]);
  try {
    const manifest = ran.result.manifest;
    assert.ok(ran.result.timedOut, 'the run timed out');
    assert.equal(manifest.addedContainers.length, 4, 'one per speaker and one in the controller pod');
    for (const a of manifest.addedContainers) assert.equal(a.finalState, 'terminated', `${a.pod}: ${a.finalState}`);
    for (const s of addedStates(ran.sim, manifest)) assert.equal(s.state.terminated?.exitCode, 0, `${s.name}: ${JSON.stringify(s.state)}`);
  } finally {
    await ran.cleanup();
  }
});

test('SIGINT with the ephemeral strategy: the containers end, none is left running, and the CLI does not promise to remove pods', { timeout: 120_000 }, async () => {
  const sim = await startSim('healthy-l2', { mutateWorld: (w) => w.faults.push({ type: 'exec-hang', commandContains: 'tcpdump' }) });
  const tmp = mkdtempSync(join(tmpdir(), 'mlb-end-'));
  try {
    const out = join(tmp, 'bundle');
    const child = spawn(process.execPath, [bin, 'collect', '--kubeconfig', sim.kubeconfigPath, '--out', out, '--capture-seconds', '60', '--format', 'json'], {
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    const running = (): number =>
      sim.sim.state.store
        .list(sim.sim.state.podType, 'metallb-system')
        .flatMap((p: KubeObject) => p.status?.ephemeralContainerStatuses ?? [])
        .filter((s: any) => s.state?.running).length;
    const deadline = Date.now() + 60_000;
    // Three speakers' containers (the controller's may have ended already: its work is short).
    while (running() < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    assert.ok(running() >= 3, `debug containers running; output so far:\n${output}`);
    child.kill('SIGINT');
    assert.equal(await exited, 130, output);
    assert.doesNotMatch(output, /removing debug pods/);
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as Manifest;
    for (const a of manifest.addedContainers) assert.equal(a.finalState, 'terminated', `${a.pod}: ${a.finalState}`);
    assert.equal(running(), 0, 'no added container is still running after the run');
  } finally {
    await sim.stop();
    rmSync(tmp, { recursive: true, force: true });
  }
});
