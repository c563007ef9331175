import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import diagnostics from 'node:diagnostics_channel';
import type { ClientRequest } from 'node:http';
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { PassThrough } from 'node:stream';
import type { TLSSocket } from 'node:tls';
import * as k8s from '@kubernetes/client-node';
import { makeKube } from '../../src/kube/client.js';
import { miniSim, type RunningSim } from '../helpers/sim.js';

// The sharing rides on client-node handing out a plain https.Agent through its public apply*
// methods; a client-node that stops doing so would silently cost every request a full handshake.
const clientNode = JSON.parse(readFileSync(createRequire(import.meta.url).resolve('@kubernetes/client-node/package.json'), 'utf8')) as { version: string };
const ns = 'metallb-system';

/** Every TLS connection this process opens while `fn` runs: request path and whether it resumed a session. */
async function connections(fn: () => Promise<void>): Promise<{ path: string; resumed: boolean }[]> {
  const seen: { path: string; resumed: boolean }[] = [];
  const onStart = (message: unknown): void => {
    const request = (message as { request: ClientRequest }).request;
    const watch = (socket: TLSSocket): void => {
      socket.once('secureConnect', () => seen.push({ path: request.path, resumed: socket.isSessionReused() }));
    };
    // An agent's new socket is usually assigned before the request is announced, still connecting.
    if (request.socket) watch(request.socket as TLSSocket);
    else request.once('socket', (socket) => watch(socket as TLSSocket));
  };
  diagnostics.subscribe('http.client.request.start', onStart);
  try {
    await fn();
  } finally {
    diagnostics.unsubscribe('http.client.request.start', onStart);
  }
  return seen;
}

function exec(kc: k8s.KubeConfig): Promise<k8s.V1Status> {
  return new Promise((resolve, reject) => {
    new k8s.Exec(kc).exec(ns, 'speaker-4vzxk', 'frr', ['vtysh', '-c', 'show bgp summary json'], new PassThrough(), new PassThrough(), null, false, (status) => setImmediate(() => resolve(status))).catch(reject);
  });
}

describe('one TLS session for the run (src/kube/tls-reuse.ts)', () => {
  let sim: RunningSim;
  let kc: k8s.KubeConfig;
  before(async () => {
    sim = await miniSim();
    kc = new k8s.KubeConfig();
    kc.loadFromFile(sim.kubeconfigPath);
  });
  after(() => sim.stop());

  it('without it every request makes a full handshake (the probe sees the difference)', async () => {
    const version = kc.makeApiClient(k8s.VersionApi);
    const seen = await connections(async () => {
      await version.getCode();
      await version.getCode();
    });
    assert.equal(seen.length, 2);
    assert.deepEqual(seen.map((c) => c.resumed), [false, false]);
  });

  it('generated clients, watches and exec WebSockets resume the first connection\'s session', async () => {
    const controller = new AbortController();
    const kube = makeKube(kc, { qps: 0, requestTimeoutMs: 10_000, signal: controller.signal });
    try {
      const seen = await connections(async () => {
        await kube.version.getCode();
        await kube.core.readNamespace({ name: ns });
        const watch = await new k8s.Watch(kube.kc).watch(`/api/v1/namespaces/${ns}/pods`, {}, () => {}, () => {});
        watch.abort();
        assert.equal((await exec(kube.kc)).status, 'Success');
      });
      const paths = seen.map((c) => c.path.split('?')[0]);
      assert.deepEqual(paths, ['/version', `/api/v1/namespaces/${ns}`, `/api/v1/namespaces/${ns}/pods`, `/api/v1/namespaces/${ns}/pods/speaker-4vzxk/exec`]);
      const fresh = seen.slice(1).filter((c) => !c.resumed).map((c) => c.path.split('?')[0]);
      assert.deepEqual(fresh, [], `@kubernetes/client-node ${clientNode.version}: connections opened by ${fresh.join(', ')} did not resume the shared TLS session: withSharedTls no longer gets client-node's agent through applySecurityAuthentication / applyToFetchOptions / applyToHTTPSOptions`);
    } finally {
      controller.abort();
    }
  });
});
