/**
 * Every built-in scenario (but the thread-derived ones that only vary configuration, see
 * test/helpers/scenarios.ts): a bundle with raw outputs for every speaker node, controller logs and
 * FRR outputs where the mode has FRR; manifest complete and checksums verified.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Discovery } from '../../src/model/bundle.js';
import { nodeFilePath } from '../../src/bundle/paths.js';
import { infrastructureScenarios } from '../helpers/scenarios.js';
import { assertBundleIntact, runCollect, speakerNodes } from './support.js';

const scenarios = infrastructureScenarios();

test('the built-in scenarios are there to test against', () => {
  for (const required of ['healthy-l2', 'healthy-frr', 'healthy-frr-k8s', 'bgp-password']) assert.ok(scenarios.includes(required), required);
});

// Runs are mostly waiting on the simulator's sockets: a few at a time keeps the suite short.
describe('every built-in scenario with a shape of its own', { concurrency: 3 }, () => {
for (const scenario of scenarios) {
  test(`scenario ${scenario}: complete bundle`, { timeout: 120_000 }, async () => {
    const ran = await runCollect(scenario);
    try {
      const { result, world } = ran;
      const manifest = await assertBundleIntact(result.dir);
      const discovery = JSON.parse(readFileSync(join(result.dir, 'discovery.json'), 'utf8')) as Discovery;
      assert.ok(discovery.speakers.length > 0, 'speakers discovered');
      assert.ok(existsSync(join(result.dir, 'rbac.json')));
      for (const file of ['cluster/nodes.json', 'cluster/pods.json', 'cluster/services.json', 'cluster/metallb.io/ipaddresspools.json']) {
        assert.ok(manifest.files.some((f) => f.path === file), `${file} in bundle`);
      }
      const frr = discovery.mode !== 'native';
      for (const node of speakerNodes(world)) {
        const rec = manifest.nodes.find((n) => n.node === node);
        assert.ok(rec, `${node} recorded`);
        assert.equal(rec.status, 'ok', `${node}: ${rec.status} ${rec.reason ?? ''} ${JSON.stringify(rec.steps.filter((s) => s.status !== 'ok').map((s) => [s.step, s.reason]))}`);
        for (const f of ['net/ip-addr.json', 'net/ip-route.json', 'net/ip-neigh.json', 'net/ss.txt']) assert.ok(existsSync(join(result.dir, nodeFilePath(node, f))), `${node}: ${f}`);
        if (frr) {
          for (const f of ['frr/running-config.txt', 'frr/bgp-summary.json', 'frr/bgp-neighbors.json']) assert.ok(existsSync(join(result.dir, nodeFilePath(node, f))), `${node}: ${f}`);
        }
        assert.ok(rec.steps.some((s) => s.step === 'logs.speaker' && s.status === 'ok'), `${node}: speaker log`);
      }
      if (discovery.controller) {
        assert.ok(manifest.files.some((f) => f.path.startsWith(`logs/${discovery.controller!.name}/controller`)), 'controller log');
      }
      assert.equal(manifest.interrupted, undefined);
      assert.ok(manifest.addedContainers.length >= speakerNodes(world).length, 'one debug container per speaker');
      assert.ok(result.apiRequests > 0);
    } finally {
      await ran.cleanup();
    }
  });
}
});
