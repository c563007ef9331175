/**
 * Fault scenarios (test/collect/fixtures/*.yaml: a built-in scenario plus faults): each run still
 * ends with an intact bundle, the affected node carries the reason, every other node is complete.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { RbacCheck } from '../../src/model/bundle.js';
import { assertBundleIntact, loadFaultFixture, resolvePlaceholders, runCollect, speakerNodes } from './support.js';

const fixtures = ['rbac-ephemeral-denied.yaml', 'ephemeral-unsupported.yaml', 'image-pull-failure.yaml', 'exec-cut.yaml', 'pod-deleted.yaml', 'node-unresponsive.yaml'];

for (const name of fixtures) {
  test(`fault ${name}: bundle written, affected node marked, others complete`, { timeout: 120_000 }, async () => {
    const fixture = loadFaultFixture(name);
    const ran = await runCollect(fixture.base, { timeoutMs: name === 'node-unresponsive.yaml' ? 30_000 : 90_000 }, fixture.faults);
    try {
      const { result, world } = ran;
      const expect = resolvePlaceholders(fixture.expect, world);
      assert.ok(result.tarball && existsSync(result.tarball), 'tarball written');
      const manifest = await assertBundleIntact(result.dir);
      const affected = expect.node === 'all' ? manifest.nodes.map((n) => n.node) : [expect.node];
      const reason = new RegExp(expect.reason, 'i');
      for (const node of affected) {
        const rec = manifest.nodes.find((n) => n.node === node);
        assert.ok(rec, `node ${node} recorded`);
        assert.ok(expect.status.includes(rec.status), `${node}: status ${rec.status}, want ${expect.status.join('|')}`);
        const text = [rec.reason ?? '', ...rec.steps.map((s) => `${s.step} ${s.reason ?? ''}`)].join('\n');
        assert.match(text, reason, `${node}: reason should match ${reason}; got ${rec.reason}`);
      }
      for (const rec of manifest.nodes.filter((n) => !affected.includes(n.node))) {
        assert.equal(rec.status, 'ok', `unaffected node ${rec.node}: ${rec.status} (${rec.reason})`);
        assert.ok(rec.steps.some((s) => s.step === 'net.ip-addr' && s.status === 'ok'), `${rec.node} has ip addr`);
      }
      // Every speaker node still has its logs, whatever happened to the data plane.
      for (const node of speakerNodes(world)) {
        const rec = manifest.nodes.find((n) => n.node === node)!;
        if (name === 'pod-deleted.yaml' && node === expect.node) continue;
        if (name === 'node-unresponsive.yaml' && node === expect.node) continue;
        assert.ok(rec.steps.some((s) => s.step === 'logs.speaker' && s.status === 'ok'), `${node}: speaker log collected`);
      }
      if (name === 'rbac-ephemeral-denied.yaml') {
        const rbac = JSON.parse(readFileSync(join(result.dir, 'rbac.json'), 'utf8')) as RbacCheck[];
        const denied = rbac.find((c) => c.subresource === 'ephemeralcontainers');
        assert.equal(denied?.allowed, false);
        assert.match(denied?.grantingRule ?? '', /pods\/ephemeralcontainers[\s\S]*patch/);
        for (const rec of manifest.nodes.filter((n) => n.speakerPod)) assert.equal(rec.access, 'frr-exec', `${rec.node} falls back to the frr container`);
        assert.equal(manifest.addedContainers.length, 0, 'nothing was added');
      }
      if (name === 'exec-cut.yaml') {
        const rec = manifest.nodes.find((n) => n.node === expect.node)!;
        const cut = rec.steps.find((s) => s.step === 'frr.running-config')!;
        assert.notEqual(cut.status, 'ok');
      }
    } finally {
      await ran.cleanup();
    }
  });
}
