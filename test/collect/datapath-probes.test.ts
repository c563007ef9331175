/**
 * The controller's debug container and the connect probes, collected from the simulator: what
 * `healthy-l2` must show (a debug container added to the controller pod, its webhook on 9443, API
 * and endpoint probe results in every node directory), and a controller that cannot be attached
 * leaves the speakers' collection whole.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { nodeFilePath } from '../../src/bundle/paths.js';
import { connectProbeFile } from '../../src/catalogue/index.js';
import { loadBundle } from '../../src/parse/index.js';
import { assertBundleIntact, runCollect, speakerNodes } from './support.js';

// Two collections at once: each mostly waits on the simulator's sockets.
describe('controller attach and connect probes', { concurrency: 2 }, () => {
test('healthy-l2: controller debug container, webhook on 9443, API and endpoint probes from every node', { timeout: 60_000 }, async () => {
  const ran = await runCollect('healthy-l2');
  try {
    const { result, world } = ran;
    const manifest = await assertBundleIntact(result.dir);
    const controllerPod = world.objects.find((o) => o.kind === 'Pod' && (o.spec?.containers ?? []).some((c: { name: string }) => c.name === 'controller'))!.metadata.name;
    const added = manifest.addedContainers.find((a) => a.pod === controllerPod);
    assert.ok(added, `a debug container added to ${controllerPod}: ${JSON.stringify(manifest.addedContainers)}`);
    assert.equal(added.kind, 'ephemeral');
    assert.equal(added.finalState, 'terminated', 'ended like the speakers’');
    assert.ok(manifest.clusterSteps.some((s) => s.step === 'controller.attach.ephemeral' && s.status === 'ok'));
    const ss = readFileSync(join(result.dir, 'controller/net/ss.txt'), 'utf8');
    assert.match(ss, /LISTEN .*:9443 .*"controller"/);
    assert.match(readFileSync(join(result.dir, 'controller/dns/nslookup-kubernetes.txt'), 'utf8'), /Name:\tkubernetes\.default\.svc\.cluster\.local\nAddress: 10\.96\.0\.1/);
    assert.match(readFileSync(join(result.dir, 'controller/dns/resolv.conf'), 'utf8'), /^search metallb-system\.svc\.cluster\.local /);
    const api = readFileSync(join(result.dir, 'controller', connectProbeFile), 'utf8');
    assert.match(api, /^api\/healthz https:\/\/10\.96\.0\.1:443\/healthz 0 200 /m);
    assert.match(api, /^api\/readyz https:\/\/10\.96\.0\.1:443\/readyz 0 200 /m);
    for (const node of speakerNodes(world)) {
      const file = join(result.dir, nodeFilePath(node, connectProbeFile));
      assert.ok(existsSync(file), `${node}: ${connectProbeFile}`);
      const text = readFileSync(file, 'utf8');
      assert.match(text, /^api\/healthz \S+ 0 200 /m, `${node}: API probe`);
      assert.match(text, /^endpoint\/shop\/web\/0 telnet:\/\/10\.244\.\d+\.\d+:8080 28 000 0\.000\d+ \S+ Time-out$/m, `${node}: endpoint probe`);
      assert.match(text, /^lb\/shop\/web\/80 telnet:\/\/198\.51\.100\.100:80 /m, `${node}: LB IP probe`);
      assert.equal(text.match(/^memberlist\//gm)?.length, 2, `${node}: the two other speakers (ring of 3)`);
      const rec = manifest.nodes.find((n) => n.node === node)!;
      const st = rec.steps.find((s) => s.step === 'probe.connect');
      assert.equal(st?.status, 'ok', JSON.stringify(st));
      assert.match(st!.reason!, /API \/healthz; TCP 7946 to 2 speaker\(s\); [23] endpoint\(s\) and 2 LoadBalancer IP\(s\) of 2 Service\(s\)/);
    }
    // The webhook Service's EndpointSlice is collected beside the Services'.
    const slices = JSON.parse(readFileSync(join(result.dir, 'cluster/endpointslices.json'), 'utf8')).items as { metadata: { labels: Record<string, string> }; endpoints: { conditions: { ready: boolean } }[] }[];
    assert.ok(slices.some((s) => /webhook/.test(s.metadata.labels['kubernetes.io/service-name'] ?? '') && s.endpoints[0]!.conditions.ready));
    const model = await loadBundle(result.dir);
    assert.ok(model.controller?.sockets.some((s) => s.localPort === 9443));
    assert.deepEqual(model.controller?.dns?.addresses, ['10.96.0.1']);
    assert.equal(model.nodes['worker-1']!.probes!.find((p) => p.id === 'api/healthz')!.outcome, 'ok');
    assert.equal(model.nodes['worker-1']!.probes!.find((p) => p.kind === 'endpoint')!.outcome, 'connected');
    assert.deepEqual(model.notes.filter((n) => n.path.startsWith('controller/') || n.path.endsWith(connectProbeFile)), []);
  } finally {
    await ran.cleanup();
  }
});

test('an attach denied on the controller does not stop the speakers', { timeout: 60_000 }, async () => {
  let controllerPod = '';
  const ran = await runCollect('healthy-l2', {}, (w) => {
    controllerPod = w.objects.find((o) => o.kind === 'Pod' && (o.spec?.containers ?? []).some((c: { name: string }) => c.name === 'controller'))!.metadata.name;
    // Denied for this one pod only, as an RBAC rule with resourceNames would: the preflight (per namespace) cannot see it.
    return [{ type: 'rbac-deny', verb: 'patch', resource: 'pods', subresource: 'ephemeralcontainers', namespace: 'metallb-system', name: controllerPod }];
  });
  try {
    const manifest = await assertBundleIntact(ran.result.dir);
    const attach = manifest.clusterSteps.find((s) => s.step === 'controller.attach.ephemeral');
    assert.equal(attach?.status, 'failed', JSON.stringify(attach));
    assert.match(attach!.reason!, /forbidden to add ephemeral containers/);
    assert.ok(!manifest.addedContainers.some((a) => a.pod === controllerPod));
    assert.ok(manifest.clusterSteps.some((s) => s.step === 'controller.logs.controller' && s.status === 'ok'), 'the controller log is still collected');
    for (const node of speakerNodes(ran.world)) {
      const rec = manifest.nodes.find((n) => n.node === node)!;
      assert.equal(rec.status, 'ok', `${node}: ${rec.reason}`);
      assert.equal(rec.access, 'ephemeral');
      assert.ok(existsSync(join(ran.result.dir, nodeFilePath(node, connectProbeFile))));
    }
  } finally {
    await ran.cleanup();
  }
});
});
