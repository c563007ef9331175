/**
 * Simulator faults of a control plane under stress: the exact answers a kube-apiserver gives when
 * throttling (429 + Retry-After, plain-text body), failing (500/503/504 Status), resetting
 * connections, expiring watches and continue tokens, failing to dial a kubelet (502), and rejecting
 * pods under Pod Security Admission (403).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import { api, miniSim, watchEvents, type RunningSim } from '../helpers/sim.js';
import { ApiFaults, podSecurityViolations } from '../../src/sim/server/api-faults.js';
import { parseFaultOptions } from '../../src/cli/sim.js';
import type { Fault } from '../../src/sim/world.js';

async function withSim(faults: Fault[], fn: (sim: RunningSim) => Promise<void>): Promise<void> {
  const sim = await miniSim({ mutateWorld: (w) => void w.faults.push(...faults) });
  try {
    await fn(sim);
  } finally {
    await sim.stop();
  }
}

test('api-throttle: 429 with Retry-After and the text body of the max-in-flight filter; only the listed verbs', async () => {
  await withSim([{ type: 'api-throttle', fraction: 1, retryAfterSeconds: 3, verbs: ['list'] }], async (sim) => {
    const r = await api(sim, 'GET', '/api/v1/namespaces/metallb-system/pods');
    assert.equal(r.status, 429);
    assert.equal(r.headers['retry-after'], '3');
    assert.match(String(r.headers['content-type']), /^text\/plain/);
    assert.equal(r.text, 'Too many requests, please try again later.\n');
    const get = await api(sim, 'GET', '/api/v1/namespaces/metallb-system/pods/speaker-4vzxk');
    assert.equal(get.status, 200, 'a get is not a listed verb');
    // Long-running requests (logs) are not throttled by the API server.
    const log = await api(sim, 'GET', '/api/v1/namespaces/metallb-system/pods/speaker-4vzxk/log?container=speaker');
    assert.equal(log.status, 200);
  });
});

test('api-unavailable: the Status of an etcd timeout (500), an unavailable server (503) and a request timeout (504)', async () => {
  for (const [status, reason, message] of [
    [500, undefined, 'etcdserver: request timed out'],
    [503, 'ServiceUnavailable', 'the server is currently unable to handle the request'],
    [504, 'Timeout', 'Timeout: request did not complete within requested timeout - context deadline exceeded'],
  ] as const) {
    await withSim([{ type: 'api-unavailable', fraction: 1, status }], async (sim) => {
      const r = await api(sim, 'GET', '/api/v1/nodes');
      assert.equal(r.status, status);
      assert.equal(r.json.kind, 'Status');
      assert.equal(r.json.code, status);
      assert.equal(r.json.reason, reason);
      assert.equal(r.json.message, message);
    });
  }
});

test('connection-reset: the connection breaks before any answer', async () => {
  await withSim([{ type: 'connection-reset', fraction: 1 }], async (sim) => {
    await assert.rejects(api(sim, 'GET', '/api/v1/nodes'), (e: NodeJS.ErrnoException) => e.code === 'ECONNRESET' || /socket hang up/.test(e.message));
  });
});

test('fault draws are seeded: the same requests are hit in every run, about the given fraction', () => {
  const draws = (): string[] => {
    const f = new ApiFaults([{ type: 'api-throttle', fraction: 0.3 }]);
    return Array.from({ length: 1000 }, () => (f.disrupt('get') ? 'x' : '.'));
  };
  const a = draws();
  assert.deepEqual(a, draws());
  const hits = a.filter((x) => x === 'x').length;
  assert.ok(hits > 250 && hits < 350, `${hits} of 1000 throttled`);
});

test('watch-expired: a watch ends with an ERROR event carrying 410 Expired; an old continue token answers 410 with a fresh one', async () => {
  await withSim([{ type: 'watch-expired', afterMs: 300 }], async (sim) => {
    const events = await watchEvents(sim, '/api/v1/namespaces/metallb-system/pods?watch=true', (ev) => ev.some((e) => e.type === 'ERROR'), 5000);
    const error = events.find((e) => e.type === 'ERROR');
    assert.ok(error, 'an ERROR event arrived');
    assert.equal(error.object.code, 410);
    assert.equal(error.object.reason, 'Expired');
    assert.match(error.object.message, /^too old resource version: \d+ \(\d+\)$/);

    const first = await api(sim, 'GET', '/api/v1/namespaces/metallb-system/pods?limit=1');
    const token = first.json.metadata.continue;
    assert.ok(token);
    const soon = await api(sim, 'GET', `/api/v1/namespaces/metallb-system/pods?limit=1&continue=${encodeURIComponent(token)}`);
    assert.equal(soon.status, 200, 'a fresh token still works');
    await new Promise((r) => setTimeout(r, 400));
    const late = await api(sim, 'GET', `/api/v1/namespaces/metallb-system/pods?limit=1&continue=${encodeURIComponent(token)}`);
    assert.equal(late.status, 410);
    assert.equal(late.json.reason, 'Expired');
    assert.match(late.json.message, /^The provided continue parameter is too old to display a consistent list result\./);
    const fresh = late.json.metadata.continue;
    assert.ok(fresh && fresh !== token, 'the Status carries a new token');
    const rest = await api(sim, 'GET', `/api/v1/namespaces/metallb-system/pods?limit=1&continue=${encodeURIComponent(fresh)}`);
    assert.equal(rest.status, 200);
    assert.deepEqual(rest.json.items.map((p: any) => p.metadata.name), soon.json.items.map((p: any) => p.metadata.name));
  });
});

test('kubelet-unreachable: logs, pod proxy and exec of pods on the node answer 502 after the dial timeout; the pod still looks Running', async () => {
  await withSim([{ type: 'kubelet-unreachable', nodes: ['node-1'], dialTimeoutMs: 200 }], async (sim) => {
    const started = Date.now();
    const log = await api(sim, 'GET', '/api/v1/namespaces/metallb-system/pods/speaker-4vzxk/log?container=speaker');
    assert.ok(Date.now() - started >= 190, 'answered after the dial timeout');
    assert.equal(log.status, 502);
    assert.equal(log.json.message, 'error dialing backend: dial tcp 192.0.2.11:10250: i/o timeout');
    assert.equal(log.json.reason, undefined);
    const proxy = await api(sim, 'GET', '/api/v1/namespaces/metallb-system/pods/speaker-4vzxk:7472/proxy/metrics');
    assert.equal(proxy.status, 502);
    const other = await api(sim, 'GET', '/api/v1/namespaces/metallb-system/pods/speaker-9q2mt/log?container=speaker');
    assert.equal(other.status, 200, 'pods on other nodes answer');
    const pod = await api(sim, 'GET', '/api/v1/namespaces/metallb-system/pods/speaker-4vzxk');
    assert.equal(pod.json.status.phase, 'Running');
    // exec: the upgrade is refused with the same Status.
    const exec = await new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = https.request(new URL('/api/v1/namespaces/metallb-system/pods/speaker-4vzxk/exec?command=true&container=speaker&stdout=true', sim.url), {
        ca: sim.caPem,
        headers: { Authorization: `Bearer ${sim.token}`, Connection: 'Upgrade', Upgrade: 'websocket', 'Sec-WebSocket-Version': '13', 'Sec-WebSocket-Key': 'dGhlIHNhbXBsZSBub25jZQ==', 'Sec-WebSocket-Protocol': 'v5.channel.k8s.io' },
      });
      req.on('response', (res) => {
        let body = '';
        res.on('data', (c) => (body += c));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
      });
      req.on('upgrade', () => reject(new Error('upgraded')));
      req.on('error', reject);
      req.end();
    });
    assert.equal(exec.status, 502);
    assert.match(exec.body, /error dialing backend: dial tcp 192\.0\.2\.11:10250: i\/o timeout/);
  });
});

test('pod-security baseline: the namespace is labelled; an ephemeral container with NET_ADMIN and a privileged pod are rejected with the admission message', async () => {
  await withSim([{ type: 'pod-security', level: 'baseline', namespaces: ['metallb-system'] }], async (sim) => {
    const ns = await api(sim, 'GET', '/api/v1/namespaces/metallb-system');
    assert.equal(ns.json.metadata.labels['pod-security.kubernetes.io/enforce'], 'baseline');
    const patch = await api(sim, 'PATCH', '/api/v1/namespaces/metallb-system/pods/speaker-4vzxk/ephemeralcontainers', {
      contentType: 'application/strategic-merge-patch+json',
      body: { spec: { ephemeralContainers: [{ name: 'dbg', image: 'nicolaka/netshoot:v0.13', targetContainerName: 'speaker', securityContext: { capabilities: { add: ['NET_ADMIN', 'NET_RAW'] } } }] } },
    });
    assert.equal(patch.status, 403);
    assert.equal(patch.json.reason, 'Forbidden');
    assert.equal(
      patch.json.message,
      'pods "speaker-4vzxk" is forbidden: violates PodSecurity "baseline:latest": non-default capabilities (container "dbg" must not include "NET_ADMIN", "NET_RAW" in securityContext.capabilities.add), host namespaces (hostNetwork=true)',
    );
    const pod = await api(sim, 'GET', '/api/v1/namespaces/metallb-system/pods/speaker-4vzxk');
    assert.equal((pod.json.spec.ephemeralContainers ?? []).length, 0, 'nothing was added');
    const create = await api(sim, 'POST', '/api/v1/namespaces/metallb-system/pods', {
      body: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'dbg-node-1' }, spec: { nodeName: 'node-1', hostNetwork: true, hostPID: true, containers: [{ name: 'debugger', image: 'busybox', securityContext: { privileged: true } }] } },
    });
    assert.equal(create.status, 403);
    assert.match(create.json.message, /^pods "dbg-node-1" is forbidden: violates PodSecurity "baseline:latest": host namespaces \(hostNetwork=true, hostPID=true\), privileged \(container "debugger" must not set securityContext\.privileged=true\)$/);
    // Another namespace is not enforced.
    const elsewhere = await api(sim, 'POST', '/api/v1/namespaces/default/pods', { body: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'dbg-node-1' }, spec: { nodeName: 'node-1', hostNetwork: true, containers: [{ name: 'debugger', image: 'busybox', securityContext: { privileged: true } }] } } });
    assert.equal(elsewhere.status, 201);
  });
});

test('restricted level: the four restricted violations of a plain container, in the admission order', () => {
  assert.deepEqual(podSecurityViolations({ containers: [{ name: 'nginx' }] }, 'restricted'), [
    'allowPrivilegeEscalation != false (container "nginx" must set securityContext.allowPrivilegeEscalation=false)',
    'unrestricted capabilities (container "nginx" must set securityContext.capabilities.drop=["ALL"])',
    'runAsNonRoot != true (pod or container "nginx" must set securityContext.runAsNonRoot=true)',
    'seccompProfile (pod or container "nginx" must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost")',
  ]);
  assert.deepEqual(podSecurityViolations({ containers: [{ name: 'ok', securityContext: { capabilities: { add: ['NET_BIND_SERVICE'] } } }] }, 'baseline'), []);
});

test('sim --fault: faults given on the command line are validated against the scenario schema', async () => {
  const faults = await parseFaultOptions(['{type: api-throttle, fraction: 0.3, retryAfterSeconds: 1}', '{"type": "kubelet-unreachable", "nodes": ["node-01"]}']);
  assert.deepEqual(faults, [
    { type: 'api-throttle', fraction: 0.3, retryAfterSeconds: 1 },
    { type: 'kubelet-unreachable', nodes: ['node-01'] },
  ]);
  await assert.rejects(parseFaultOptions(['{type: api-throttle, fraction: 2}']), /--fault .*fraction: must be <= 1/);
  await assert.rejects(parseFaultOptions(['{type: no-such-fault}']), /--fault/);
});
