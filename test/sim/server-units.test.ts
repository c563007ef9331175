import { createSecureContext } from 'node:tls';
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { X509Certificate } from 'node:crypto';
import { ObjectStore } from '../../src/sim/server/store.js';
import { builtinResources } from '../../src/sim/server/resources.js';
import { parseFieldSelector, parseLabelSelector } from '../../src/sim/server/selectors.js';
import { jsonMergePatch, jsonPatch, PatchError, strategicMerge } from '../../src/sim/server/patch.js';
import { humanDuration } from '../../src/sim/server/tables.js';
import { decodeProtobufPod, encodeProtobufPod } from '../../src/sim/server/protobuf.js';
import { generateSimulatorTls } from '../../src/sim/server/tls.js';
import { defaultPullPolicy } from '../../src/sim/server/ephemeral.js';
import { normalizeImage } from '../../src/sim/server/kubelet.js';
import { isDistrolessImage } from '../../src/sim/server/state.js';
import { ApiError } from '../../src/sim/server/status.js';
import { api, miniSim } from '../helpers/sim.js';

const pods = builtinResources.find((r) => r.resource === 'pods')!;
const pod = (name: string, labels: Record<string, string> = {}): any => ({ apiVersion: 'v1', kind: 'Pod', metadata: { name, namespace: 'ns', labels }, spec: { nodeName: 'n1' }, status: { phase: 'Running' } });

describe('sim server units', () => {
  it('store: bumps resourceVersion per change, replays from an RV, 410 once compacted', () => {
    const store = new ObjectStore({ eventLogSize: 10 });
    store.seed(pods, pod('a'));
    const start = Number(store.resourceVersion);
    for (let i = 0; i < 30; i++) store.update(pods, 'ns', 'a', (d) => (d.metadata.labels = { i: String(i) }));
    assert.equal(Number(store.resourceVersion), start + 30);
    assert.throws(
      () => store.watch(pods, { predicate: () => true, send: () => {} }, start),
      (e: unknown) => e instanceof ApiError && e.status.code === 410 && e.status.reason === 'Expired',
    );
    const seen: string[] = [];
    const stop = store.watch(pods, { predicate: () => true, send: (t, o) => seen.push(`${t}:${o.metadata.labels?.i}`) }, start + 28);
    assert.deepEqual(seen, ['MODIFIED:28', 'MODIFIED:29']);
    store.delete(pods, 'ns', 'a');
    assert.equal(seen.at(-1), 'DELETED:29');
    stop();
  });

  it('store: objects leaving a watched selection arrive as DELETED, entering as ADDED', () => {
    const store = new ObjectStore();
    store.seed(pods, pod('a', { x: '1' }));
    const seen: string[] = [];
    store.watch(pods, { predicate: parseLabelSelector('x=1'), send: (t) => seen.push(t) }, Number(store.resourceVersion));
    store.update(pods, 'ns', 'a', (d) => (d.metadata.labels = { x: '2' }));
    store.update(pods, 'ns', 'a', (d) => (d.metadata.labels = { x: '1' }));
    assert.deepEqual(seen, ['DELETED', 'ADDED']);
  });

  it('selectors: set-based labels and supported field labels', () => {
    const o = pod('a', { app: 'metallb', tier: 'speaker' });
    assert.equal(parseLabelSelector('app in (metallb, other),!missing,tier')(o), true);
    assert.equal(parseLabelSelector('app notin (metallb)')(o), false);
    assert.equal(parseLabelSelector('tier!=speaker')(o), false);
    assert.equal(parseFieldSelector('spec.nodeName==n1,status.phase!=Failed', 'pods')(o), true);
    assert.throws(() => parseFieldSelector('spec.nodeName=n1', 'services'), /field label not supported: spec.nodeName/);
    assert.throws(() => parseLabelSelector('a b c'), /unable to parse requirement/);
  });

  it('patch: strategic merge keys, directives; merge patch; JSON patch errors', () => {
    const base = { spec: { ephemeralContainers: [{ name: 'a', image: 'x', env: [{ name: 'A', value: '1' }] }], keep: 1 } };
    const merged = strategicMerge(base, {
      spec: {
        '$setElementOrder/ephemeralContainers': [{ name: 'b' }, { name: 'a' }],
        ephemeralContainers: [
          { name: 'b', image: 'y' },
          { name: 'a', env: [{ name: 'B', value: '2' }] },
        ],
      },
    });
    assert.deepEqual(merged.spec.ephemeralContainers.map((c: any) => c.name), ['b', 'a']);
    assert.deepEqual(merged.spec.ephemeralContainers[1].env, [{ name: 'A', value: '1' }, { name: 'B', value: '2' }]);
    assert.equal(merged.spec.keep, 1);
    assert.deepEqual(strategicMerge(base, { spec: { ephemeralContainers: [{ name: 'a', $patch: 'delete' }] } }).spec.ephemeralContainers, []);
    assert.deepEqual(strategicMerge({ a: { b: 1, c: 2 } }, { a: { $patch: 'replace', d: 3 } }), { a: { d: 3 } });
    assert.deepEqual(jsonMergePatch({ a: [1, 2], b: 1 }, { a: [3], b: null }), { a: [3] });
    assert.deepEqual(jsonPatch({ a: [1] }, [{ op: 'add', path: '/a/-', value: 2 }, { op: 'test', path: '/a/0', value: 1 }]), { a: [1, 2] });
    assert.throws(() => jsonPatch({ spec: {} }, [{ op: 'add', path: '/spec/ephemeralContainers/-', value: {} }]), PatchError);
  });

  it('tables: kubectl age formatting', () => {
    assert.equal(humanDuration(59_000), '59s');
    assert.equal(humanDuration(125_000), '2m5s');
    assert.equal(humanDuration(3 * 3600_000 + 5 * 60_000), '3h5m');
    assert.equal(humanDuration(30 * 3600_000), '30h');
    assert.equal(humanDuration(3 * 86400_000 + 3600_000), '3d1h');
    assert.equal(humanDuration(400 * 86400_000), '400d');
    assert.equal(humanDuration(3 * 365 * 86400_000 + 10 * 86400_000), '3y10d');
  });

  it('protobuf: decodes what it encodes, dropping zero-value strings and false bools', () => {
    const body = encodeProtobufPod({
      metadata: { name: 'p', namespace: '', labels: { a: 'b' } },
      spec: {
        nodeName: 'n',
        hostPID: true,
        hostNetwork: false,
        containers: [{ name: 'debugger', image: 'busybox', command: ['sh'], securityContext: { privileged: true, capabilities: { add: ['NET_ADMIN'] } }, stdin: true, tty: false }],
      },
    });
    const p = decodeProtobufPod(body);
    assert.deepEqual(p.metadata, { name: 'p', labels: { a: 'b' } });
    assert.equal(p.spec.hostPID, true);
    assert.equal(p.spec.hostNetwork, undefined);
    assert.deepEqual(p.spec.containers[0], { name: 'debugger', image: 'busybox', command: ['sh'], securityContext: { privileged: true, capabilities: { add: ['NET_ADMIN'] } }, stdin: true });
    assert.throws(() => decodeProtobufPod(Buffer.from('{"json":true}')), /expected prefix/);
  });

  it('tls: the server certificate is signed by the CA and names 127.0.0.1', () => {
    const tls = generateSimulatorTls();
    const ca = new X509Certificate(tls.caPem);
    const cert = new X509Certificate(tls.certPem);
    assert.equal(cert.verify(ca.publicKey), true);
    assert.equal(ca.ca, true);
    assert.equal(cert.checkIP('127.0.0.1'), '127.0.0.1');
    assert.equal(cert.checkHost('localhost'), 'localhost');
    assert.ok(new Date(cert.validTo).getTime() > Date.now());
  });

  it('tls: every generated certificate is strict DER that OpenSSL loads (serial never padded)', () => {
    // A serial with a needless leading zero byte made OpenSSL reject about 1 start in 128.
    const names = new Set<string>();
    for (let i = 0; i < 400; i++) {
      const tls = generateSimulatorTls();
      assert.doesNotThrow(() => createSecureContext({ cert: tls.certPem, key: tls.keyPem, ca: tls.caPem }), `iteration ${i}`);
      const serial = new X509Certificate(tls.certPem).serialNumber;
      assert.equal(serial.length, 32, `serial ${serial} is 16 bytes`);
      names.add(new X509Certificate(tls.caPem).subject);
    }
    assert.equal(names.size, 400, 'every simulator CA has its own name');
  });

  it('images: pull policy defaults, runtime names, distroless MetalLB images', () => {
    assert.equal(defaultPullPolicy('busybox'), 'Always');
    assert.equal(defaultPullPolicy('busybox:latest'), 'Always');
    assert.equal(defaultPullPolicy('localhost:5000/busybox'), 'Always');
    assert.equal(defaultPullPolicy('busybox:1.36'), 'IfNotPresent');
    assert.equal(defaultPullPolicy('busybox@sha256:abc'), 'IfNotPresent');
    assert.equal(normalizeImage('busybox'), 'docker.io/library/busybox:latest');
    assert.equal(normalizeImage('nicolaka/netshoot'), 'docker.io/nicolaka/netshoot:latest');
    assert.equal(normalizeImage('quay.io/frrouting/frr:9.1.0'), 'quay.io/frrouting/frr:9.1.0');
    assert.equal(isDistrolessImage('quay.io/metallb/speaker:v0.14.9'), true);
    assert.equal(isDistrolessImage('quay.io/metallb/speaker:v0.14.5'), false);
    assert.equal(isDistrolessImage('quay.io/metallb/controller:v0.15.0'), true);
    assert.equal(isDistrolessImage('quay.io/frrouting/frr:9.1.0'), false);
  });
});

describe('sim server request statistics', () => {
  it('counts requests and the busiest second', async () => {
    const sim = await miniSim();
    try {
      const before = sim.sim.state.requestStats();
      const t0 = performance.now();
      await Promise.all([1, 2, 3].map(() => api(sim, 'GET', '/api/v1/nodes')));
      const after = sim.sim.state.requestStats(t0);
      assert.equal(after.total - before.total, 3);
      assert.ok(after.maxPerSecond >= 1 && after.maxPerSecond <= 3);
      assert.equal(after.streams - before.streams, 0);
      // A log read is a stream (long-running at a real API server), not a rate-limited request.
      const pods = (await api(sim, 'GET', '/api/v1/pods')).json as { items: { metadata: { name: string; namespace: string } }[] };
      const p = pods.items[0]!.metadata;
      await api(sim, 'GET', `/api/v1/namespaces/${p.namespace}/pods/${p.name}/log`);
      const logged = sim.sim.state.requestStats(t0);
      assert.equal(logged.streams - before.streams, 1);
      assert.equal(logged.total - before.total, 5);
      assert.ok(pods.items.length > 0);
      assert.ok(logged.maxLimitedPerSecond <= logged.maxPerSecond);
    } finally {
      await sim.stop();
    }
  });
});
