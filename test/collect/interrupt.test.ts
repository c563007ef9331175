/** Ctrl-C: the CLI stops, deletes its node pods, writes what it has with interrupted: true, exits 130 and prints the command that analyses it. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import type { Manifest } from '../../src/model/bundle.js';
import { startSim } from '../helpers/sim.js';

const bin = join(import.meta.dirname, '../../bin/mlb-report.js');

test('SIGINT during collection → exit 130, node pods deleted, partial bundle with interrupted: true', { timeout: 120_000 }, async () => {
  // The capture hangs, so the run is certainly still busy when the signal arrives.
  const sim = await startSim('healthy-l2', { mutateWorld: (w) => w.faults.push({ type: 'exec-hang', commandContains: 'tcpdump' }) });
  const tmp = mkdtempSync(join(tmpdir(), 'mlb-int-'));
  try {
    const out = join(tmp, 'bundle');
    const child = spawn(process.execPath, [bin, 'collect', '--kubeconfig', sim.kubeconfigPath, '--out', out, '--strategy', 'node-pod', '--capture-seconds', '60', '--format', 'json', '--redact-ips'], {
      env: { ...process.env, NO_COLOR: '1' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    // Wait until every node has its debug pod (the capture is then hanging), then interrupt.
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(sim.kubeconfigPath);
    const core = kc.makeApiClient(k8s.CoreV1Api);
    const debugPods = async (): Promise<string[]> =>
      (await core.listNamespacedPod({ namespace: 'metallb-system' })).items.map((p) => p.metadata?.name ?? '').filter((n) => n.startsWith('mlb-report-'));
    const deadline = Date.now() + 60_000;
    while ((await debugPods()).length < 3 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    assert.equal((await debugPods()).length, 3, `debug pods created; output so far:\n${output}`);
    await new Promise((r) => setTimeout(r, 1000));
    child.kill('SIGINT');
    const code = await exited;
    assert.equal(code, 130, output);
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8')) as Manifest;
    assert.equal(manifest.interrupted, true);
    assert.ok(existsSync(`${out}.tar.gz`), 'tarball written');
    assert.ok(manifest.files.some((f) => f.path === 'discovery.json'));
    // No report is written after Ctrl-C: the exact command that analyses what was collected is printed, and it works.
    // With --redact-ips the command names the IP map, so the checks see the real addresses.
    const escaped = out.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    assert.match(output, new RegExp(`^ {2}mlb-report analyze ${escaped} --ip-map ${escaped}\\.ip-map\\.json$`, 'm'), output);
    assert.equal(existsSync(join(out, 'findings.json')), false, 'nothing analysed after the interrupt');
    const analysed = spawnSync(process.execPath, [bin, 'analyze', out, '--ip-map', `${out}.ip-map.json`, '--format', 'json'], { encoding: 'utf8' });
    assert.equal(analysed.status, 0, analysed.stderr);
    assert.match(analysed.stdout, /The collection was interrupted; the bundle is partial/);
    assert.ok(existsSync(join(out, 'findings.json')));
    assert.equal(manifest.addedContainers.length, 3);
    for (const a of manifest.addedContainers) assert.equal(a.finalState, 'deleted', `${a.pod}`);
    // Deletion is asynchronous on a real server (grace period); wait until the pods are gone.
    const gone = Date.now() + 15_000;
    while ((await debugPods()).length > 0 && Date.now() < gone) await new Promise((r) => setTimeout(r, 200));
    assert.deepEqual(await debugPods(), []);
  } finally {
    await sim.stop();
    rmSync(tmp, { recursive: true, force: true });
  }
});
