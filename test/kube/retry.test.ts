/**
 * The client on a stressed control plane: rate-limited requests retry 429 (after Retry-After) and
 * 5xx, reads retry a reset connection, non-idempotent writes do not, a list restarts after an
 * expired continue token, a stream read is tried once more, and every retry is recorded with its
 * cause under the scope that made it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import * as k8s from '@kubernetes/client-node';
import { makeKube, type Kube } from '../../src/kube/client.js';
import { getJson, getText, listJson, sendJson } from '../../src/kube/http-text.js';
import { backoffMs, connectionFailure, parseRetryAfter, RetryLedger, retryableStatus, withRetries } from '../../src/kube/retry.js';
import type { Fault } from '../../src/sim/world.js';
import type { KubeObject } from '../../src/model/cluster.js';
import { api, miniSim, type RunningSim } from '../helpers/sim.js';
import { deleteNodePod } from '../../src/attach/index.js';
import type { AddedContainer } from '../../src/model/bundle.js';

async function withKube(faults: Fault[], fn: (kube: Kube, sim: RunningSim) => Promise<void>, extra: (objects: KubeObject[]) => void = () => {}, deadlineMs = 60_000): Promise<void> {
  const sim = await miniSim({
    mutateWorld: (w) => {
      w.faults.push(...faults);
      extra(w.objects);
    },
  });
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(sim.kubeconfigPath);
  const kube = makeKube(kc, { qps: 1000, requestTimeoutMs: 10_000, signal: new AbortController().signal, deadline: Date.now() + deadlineMs });
  try {
    await fn(kube, sim);
  } finally {
    await sim.stop();
  }
}

test('retry rules: 429 and 502/503/504 retried, 500 a few times, 4xx never; Retry-After in seconds or as a date', () => {
  assert.equal(retryableStatus(429, '2')?.retryAfterSeconds, 2);
  assert.equal(retryableStatus(503)?.cause, '503 Service Unavailable');
  assert.equal(retryableStatus(500)?.maxAttempts, 3);
  assert.equal(retryableStatus(404), undefined);
  assert.equal(retryableStatus(403), undefined);
  assert.equal(parseRetryAfter(new Date(Date.now() + 5000).toUTCString())! >= 4, true);
  assert.equal(parseRetryAfter('soon'), undefined);
  assert.equal(connectionFailure(Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' })), 'connection reset');
  assert.equal(connectionFailure(new Error('socket hang up')), 'connection reset');
  assert.equal(connectionFailure(new Error('certificate has expired')), undefined);
  // Backoff: exponential, capped, with jitter in the upper half of the step; Retry-After wins.
  for (let n = 1; n <= 10; n++) {
    const ms = backoffMs(n, { cause: 'x', maxAttempts: 10 }, 100, 1600);
    const ceiling = Math.min(1600, 100 * 2 ** (n - 1));
    assert.ok(ms >= ceiling / 2 && ms <= ceiling, `retry ${n}: ${ms} ms within [${ceiling / 2}, ${ceiling}]`);
  }
  assert.ok(backoffMs(1, { cause: '429', retryAfterSeconds: 1, maxAttempts: 5 }) >= 1000);
});

test('withRetries stops at the deadline and records each retry under the scope that made it', async () => {
  const ledger = new RetryLedger();
  let calls = 0;
  const fail = (): Promise<never> => {
    calls++;
    return Promise.reject(Object.assign(new Error('HTTP 503'), { status: 503 }));
  };
  const started = Date.now();
  await assert.rejects(
    ledger.scope({ node: 'n1', step: 'logs.speaker' }, () => withRetries({ signal: new AbortController().signal, deadline: Date.now() + 400, ledger, baseMs: 50, capMs: 100 }, () => ({ cause: '503 Service Unavailable', maxAttempts: 100 }), fail)),
    /HTTP 503/,
  );
  assert.ok(Date.now() - started < 1000, 'gave up at the deadline');
  assert.ok(calls >= 3, `${calls} attempts`);
  assert.deepEqual(ledger.of('n1'), [{ node: 'n1', step: 'logs.speaker', count: calls - 1, causes: { '503 Service Unavailable': calls - 1 } }]);
  assert.deepEqual(ledger.of(undefined), []);
});

test('getJson and client-node calls retry 429 after Retry-After and 503; the answer arrives and each retry is counted', async () => {
  await withKube([{ type: 'api-throttle', fraction: 0.5, retryAfterSeconds: 0, seed: 3 }, { type: 'api-unavailable', fraction: 0.2, status: 503, seed: 4 }], async (kube, sim) => {
    for (let i = 0; i < 6; i++) {
      const nodes = await getJson<{ items: unknown[] }>(kube, '/api/v1/nodes', {}, 5000, 'list nodes');
      assert.equal(nodes.items.length, 2);
      const pod = await kube.core.readNamespacedPod({ name: 'speaker-4vzxk', namespace: 'metallb-system' });
      assert.equal(pod.metadata?.name, 'speaker-4vzxk');
    }
    const counts = sim.sim.state.apiFaults.counts;
    assert.ok(counts['api-throttle'] > 0 && counts['api-unavailable'] > 0, JSON.stringify(counts));
    const causes = kube.retries.causes();
    assert.equal(causes['429 Too Many Requests'], counts['api-throttle']);
    assert.equal(causes['503 Service Unavailable'], counts['api-unavailable']);
    assert.equal(kube.stats.requests, 12 + kube.retries.total, 'every retry is a request of its own');
  });
});

test('a reset connection: reads and the idempotent patch are retried, a plain create is not', async () => {
  await withKube([{ type: 'connection-reset', fraction: 1, verbs: ['get'] }], async (kube) => {
    // Every get is reset: the read gives up after its attempts, with the reset as the error.
    await assert.rejects(getJson(kube, '/api/v1/namespaces/metallb-system/pods/speaker-4vzxk', {}, 5000, 'get pod'), (e) => connectionFailure(e) === 'connection reset');
    assert.ok((kube.retries.causes()['connection reset'] ?? 0) >= 2, JSON.stringify(kube.retries.causes()));
  }, undefined, 2000);
  await withKube([{ type: 'connection-reset', fraction: 0.5, verbs: ['patch', 'create'], seed: 2 }], async (kube, sim) => {
    const body = { spec: { ephemeralContainers: [{ name: 'dbg', image: 'busybox', command: ['sleep', '5'], targetContainerName: 'speaker' }] } };
    for (let i = 0; i < 4; i++) {
      const pod = await sendJson<{ spec: { ephemeralContainers: { name: string }[] } }>(kube, 'PATCH', '/api/v1/namespaces/metallb-system/pods/speaker-9q2mt/ephemeralcontainers', 'application/strategic-merge-patch+json', body, 5000, 'patch', { idempotent: true });
      assert.deepEqual(pod.spec.ephemeralContainers.map((c) => c.name), ['dbg'], 'a repeated patch adds nothing');
    }
    assert.ok(sim.sim.state.apiFaults.counts['connection-reset'] > 0);
    let refused = 0;
    for (let i = 0; i < 6; i++) {
      try {
        await sendJson(kube, 'POST', '/api/v1/namespaces/default/configmaps', 'application/json', { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `c${i}` } }, 5000, 'create');
      } catch (e) {
        assert.equal(connectionFailure(e), 'connection reset');
        refused++;
      }
    }
    assert.ok(refused > 0, 'some creates failed on a reset and were not repeated');
  });
});

test('a list whose continue token expired starts again, then finishes with the token of the 410', async () => {
  const many = (objects: KubeObject[]): void => {
    for (let i = 0; i < 1100; i++) objects.push({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: `cm-${String(i).padStart(4, '0')}`, namespace: 'default' }, data: {} });
  };
  // Every token is older than 0 ms: each page after the first answers 410.
  await withKube([{ type: 'watch-expired', afterMs: 0 }], async (kube) => {
    const items = await kube.retries.scope({ step: 'cluster.configmaps' }, () => listJson<KubeObject>(kube, '/api/v1/namespaces/default/configmaps', {}, 5000, 'configmaps'));
    assert.equal(items.length, 1100);
    assert.equal(new Set(items.map((i) => i.metadata.name)).size, 1100, 'no item twice');
    const [tally] = kube.retries.of(undefined);
    assert.equal(tally?.step, 'cluster.configmaps');
    assert.ok((tally?.causes['410 continue expired'] ?? 0) >= 3, JSON.stringify(tally));
  }, many);
});

test('a stream read that fails before its first byte is tried once more', async () => {
  await withKube([{ type: 'kubelet-unreachable', nodes: ['node-1'], dialTimeoutMs: 50 }], async (kube, sim) => {
    await assert.rejects(getText(kube, { path: '/api/v1/namespaces/metallb-system/pods/speaker-4vzxk/log', query: { container: 'speaker' }, timeoutMs: 5000, what: 'log read', maxBytes: 1 << 20 }), /HTTP 502/);
    assert.equal(sim.sim.state.apiFaults.counts['kubelet-unreachable'], 2, 'one retry');
    assert.deepEqual(kube.retries.causes(), { '502 Bad Gateway': 1 });
  });
});

test('cleanup deletes a debug pod on a throttled control plane (it retries 429 outside the run limiter)', async () => {
  await withKube([{ type: 'api-throttle', fraction: 0.7, retryAfterSeconds: 0, verbs: ['delete'], seed: 2 }], async (kube, sim) => {
    const created = await api(sim, 'POST', '/api/v1/namespaces/default/pods', { body: { apiVersion: 'v1', kind: 'Pod', metadata: { name: 'mlb-report-node-1-abc' }, spec: { nodeName: 'node-1', containers: [{ name: 'debugger', image: 'busybox' }] } } });
    assert.equal(created.status, 201);
    const added: AddedContainer = { namespace: 'default', pod: 'mlb-report-node-1-abc', container: 'debugger', image: 'busybox', kind: 'pod', finalState: 'running' };
    await deleteNodePod(kube, added, true);
    assert.equal(added.finalState, 'deleted');
    assert.ok(sim.sim.state.apiFaults.counts['api-throttle'] >= 1, 'the delete was throttled at least once');
    assert.equal(kube.retries.causes()['429 Too Many Requests'], sim.sim.state.apiFaults.counts['api-throttle']);
  });
});
