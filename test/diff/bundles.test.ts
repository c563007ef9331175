/**
 * diff on real bundles: two scenarios collected from the simulator, one compared as a directory
 * and the other as its tarball (extracted by the analyzer and removed afterwards).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { KubeConfig } from '@kubernetes/client-node';
import { collect } from '../../src/collect/index.js';
import { analyzeBundle } from '../../src/analyze/index.js';
import { formatDiff, runDiff } from '../../src/diff/index.js';
import { startSim } from '../helpers/sim.js';

async function bundleOf(scenario: string, out: string, tar: boolean): Promise<{ dir: string; tarball?: string }> {
  const sim = await startSim(scenario);
  try {
    const kubeConfig = new KubeConfig();
    kubeConfig.loadFromFile(sim.kubeconfigPath);
    const result = await collect({ kubeConfig, out, captureSeconds: 1, formats: ['json'], renderer: 'silent', tar });
    return { dir: result.dir, tarball: result.tarball };
  } finally {
    await sim.stop();
  }
}

test('healthy-frr → bgp-wrong-asn: the session findings are new and every node shows Established → Idle', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'mlb-report-diff-bundles-'));
  try {
    const healthy = await bundleOf('healthy-frr', join(dir, 'healthy'), false);
    const broken = await bundleOf('bgp-wrong-asn', join(dir, 'broken'), true);
    assert.ok(broken.tarball && existsSync(broken.tarball));
    // The real analyzer, watched: which folder each side was read from.
    const readFrom: string[] = [];
    const result = await runDiff(healthy.dir, broken.tarball!, async (path, opts) => {
      const analyzed = await analyzeBundle(path, opts);
      readFrom.push(analyzed.bundleDir);
      return analyzed;
    });
    assert.equal(result.a.kind, 'bundle');
    assert.equal(result.b.kind, 'tarball');
    assert.ok(result.new.some((f) => f.id === 'bgp-session-down'), 'the broken sessions are new findings');
    assert.equal(result.fixed.some((f) => f.severity === 'error'), false, 'the healthy cluster had no errors to fix');
    const sessionChanges = result.nodes!.flatMap((n) => n.changes.filter((c) => c.field.startsWith('BGP ')).map((c) => ({ node: n.name, ...c })));
    assert.ok(sessionChanges.length >= 2, 'sessions changed on the nodes');
    for (const change of sessionChanges) {
      assert.equal(change.before, 'Established');
      assert.match(change.after, /^Idle/);
    }
    const text = formatDiff(result);
    assert.match(text, /^New \(\d+\):$/m);
    assert.match(text, /BGP 192\.0\.2\.1: Established → Idle/);
    // The tarball's temporary extraction is gone once the diff is done; the directory is untouched.
    assert.equal(readFrom.length, 2);
    assert.equal(readFrom[0], healthy.dir);
    assert.notEqual(readFrom[1], broken.dir);
    assert.equal(existsSync(readFrom[1]), false);
    assert.ok(existsSync(join(healthy.dir, 'manifest.json')));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
