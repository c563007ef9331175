import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { PassThrough } from 'node:stream';
import * as k8s from '@kubernetes/client-node';
import { miniSim, bgpSummaryJson, type RunningSim } from '../helpers/sim.js';

const ns = 'metallb-system';

function collect(stream: PassThrough): () => string {
  let text = '';
  stream.on('data', (c) => (text += c));
  return () => text;
}

describe('@kubernetes/client-node against the simulator', () => {
  let sim: RunningSim;
  let kc: k8s.KubeConfig;
  let core: k8s.CoreV1Api;
  before(async () => {
    sim = await miniSim();
    kc = new k8s.KubeConfig();
    kc.loadFromFile(sim.kubeconfigPath);
    core = kc.makeApiClient(k8s.CoreV1Api);
  });
  after(() => sim.stop());

  it('lists pods with a label selector and reads one', async () => {
    const list = await core.listNamespacedPod({ namespace: ns, labelSelector: 'component=speaker' });
    assert.deepEqual(list.items.map((p) => p.metadata?.name), ['speaker-4vzxk', 'speaker-9q2mt']);
    const pod = await core.readNamespacedPod({ name: 'speaker-4vzxk', namespace: ns });
    assert.equal(pod.spec?.nodeName, 'node-1');
    assert.ok(pod.metadata?.creationTimestamp instanceof Date);
    const custom = kc.makeApiClient(k8s.CustomObjectsApi);
    const pools: any = await custom.listNamespacedCustomObject({ group: 'metallb.io', version: 'v1beta1', namespace: ns, plural: 'ipaddresspools' });
    assert.equal(pools.items[0].metadata.name, 'default-pool');
  });

  it('surfaces API errors as ApiException with the Status body', async () => {
    await assert.rejects(core.readNamespacedPod({ name: 'nosuch', namespace: ns }), (e: any) => {
      assert.equal(e.code, 404);
      assert.equal(JSON.parse(e.body).message, 'pods "nosuch" not found');
      return true;
    });
  });

  it('patches ephemeral containers with the strategic-merge content type and reads logs', async () => {
    const pod = await core.patchNamespacedPodEphemeralcontainers(
      { name: 'speaker-9q2mt', namespace: ns, body: { spec: { ephemeralContainers: [{ name: 'cn-debug', image: 'nicolaka/netshoot', command: ['ip', '-j', 'addr'], targetContainerName: 'speaker' }] } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.StrategicMergePatch),
    );
    assert.equal(pod.spec?.ephemeralContainers?.[0]?.name, 'cn-debug');
    let state: k8s.V1ContainerState | undefined;
    for (let i = 0; i < 200 && !state?.terminated; i++) {
      const p = await core.readNamespacedPod({ name: 'speaker-9q2mt', namespace: ns });
      state = p.status?.ephemeralContainerStatuses?.find((s) => s.name === 'cn-debug')?.state;
      if (!state?.terminated) await new Promise((r) => setTimeout(r, 20));
    }
    assert.equal(state?.terminated?.exitCode, 0);
    const log = await core.readNamespacedPodLog({ name: 'speaker-9q2mt', namespace: ns, container: 'cn-debug' });
    assert.equal(typeof log, 'string');
    assert.match(log, /192\.0\.2\.12/);
    const tail = await core.readNamespacedPodLog({ name: 'speaker-4vzxk', namespace: ns, container: 'speaker', tailLines: 1 });
    assert.equal(JSON.parse(tail).msg, 'line 10');
  });

  it('rejects the default json-patch content type for an object body (400), as a real server does', async () => {
    await assert.rejects(
      core.patchNamespacedPodEphemeralcontainers({ name: 'speaker-9q2mt', namespace: ns, body: { spec: { ephemeralContainers: [] } } }),
      (e: any) => e.code === 400 && JSON.parse(e.body).message === 'json: cannot unmarshal object into Go value of type jsonpatch.Patch',
    );
  });

  it('Exec returns output and the exit status through the status callback', async () => {
    const run = (argv: string[]): Promise<{ status: k8s.V1Status; stdout: string; stderr: string }> =>
      new Promise((resolve, reject) => {
        const out = new PassThrough();
        const err = new PassThrough();
        const stdout = collect(out);
        const stderr = collect(err);
        new k8s.Exec(kc)
          .exec(ns, 'speaker-4vzxk', 'frr', argv, out, err, null, false, (status) => setImmediate(() => resolve({ status, stdout: stdout(), stderr: stderr() })))
          .catch(reject);
      });
    const ok = await run(['vtysh', '-c', 'show bgp summary json']);
    assert.equal(ok.status.status, 'Success');
    assert.equal(ok.stdout, `${bgpSummaryJson}\n`);
    const failed = await run(['vtysh', '-c', 'show nonsense']);
    assert.equal(failed.status.reason, 'NonZeroExitCode');
    assert.equal(Number(failed.status.details?.causes?.find((c) => c.reason === 'ExitCode')?.message), 1);
    assert.equal(failed.stderr, '% Unknown command\n');
  });

  it('Log streams a container log', async () => {
    const out = new PassThrough();
    const text = collect(out);
    const ended = new Promise<void>((resolve) => out.on('end', resolve));
    await new k8s.Log(kc).log(ns, 'speaker-4vzxk', 'frr', out, { follow: false, timestamps: true });
    await ended;
    assert.equal(text(), '2026-11-27T10:00:00.000000000Z frr started\n');
  });

  it('Watch delivers changes after the list resourceVersion', async () => {
    const list = await core.listNamespacedPod({ namespace: ns, fieldSelector: 'metadata.name=controller-7d9b8c5f4-x2lzp' });
    const seen: { type: string; obj: any }[] = [];
    let resolveSeen: () => void = () => {};
    const gotModified = new Promise<void>((r) => (resolveSeen = r));
    const controller = await new k8s.Watch(kc).watch(
      `/api/v1/namespaces/${ns}/pods`,
      { fieldSelector: 'metadata.name=controller-7d9b8c5f4-x2lzp', resourceVersion: list.metadata?.resourceVersion, allowWatchBookmarks: true },
      (type, obj) => {
        seen.push({ type, obj });
        if (type === 'MODIFIED') resolveSeen();
      },
      () => {},
    );
    try {
      await core.patchNamespacedPod(
        { name: 'controller-7d9b8c5f4-x2lzp', namespace: ns, body: { metadata: { annotations: { 'watched-by': 'client-node' } } } },
        k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch),
      );
      await gotModified;
    } finally {
      controller.abort();
    }
    const modified = seen.find((e) => e.type === 'MODIFIED')!;
    assert.equal(modified.obj.metadata.annotations['watched-by'], 'client-node');
    assert.ok(seen.some((e) => e.type === 'BOOKMARK'));
  });
});
