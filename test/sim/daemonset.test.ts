import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { api, miniSim, type RunningSim } from '../helpers/sim.js';
import { kubectlPath, runKubectl } from '../helpers/kubectl.js';
import { problemsOf } from '../helpers/kube-schema.js';
import { waitFor } from '../helpers/wait.js';

const ns = 'default';

function daemonSet(name: string, podSpec: Record<string, unknown>, labels: Record<string, string> = { app: name }): object {
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name, labels },
    spec: {
      selector: { matchLabels: labels },
      template: { metadata: { labels }, spec: { hostNetwork: true, hostPID: true, containers: [{ name: 'debug', image: 'busybox', command: ['sleep', '3600'] }], ...podSpec } },
    },
  };
}

const podsOf = async (sim: RunningSim, name: string): Promise<any[]> => (await api(sim, 'GET', `/api/v1/namespaces/${ns}/pods?labelSelector=app%3D${name}`)).json.items;
const running = (pods: any[]): boolean => pods.every((p) => p.status?.phase === 'Running');

describe('sim server: the DaemonSet controller', () => {
  let sim: RunningSim;
  before(async () => {
    sim = await miniSim({
      mutateWorld: (w) =>
        w.objects.push({
          apiVersion: 'v1',
          kind: 'Node',
          metadata: { name: 'node-3', labels: { 'kubernetes.io/hostname': 'node-3', 'node-role.kubernetes.io/control-plane': '' } },
          spec: { taints: [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' }] },
          status: { addresses: [{ type: 'InternalIP', address: '192.0.2.13' }], conditions: [{ type: 'Ready', status: 'True' }] },
        }),
    });
  });
  after(() => sim.stop());

  it('creates one running pod per eligible node, owned by the DaemonSet, and reports it in the status', async () => {
    const created = await api(sim, 'POST', `/apis/apps/v1/namespaces/${ns}/daemonsets`, { body: daemonSet('everywhere', { tolerations: [{ operator: 'Exists' }] }) });
    assert.equal(created.status, 201, JSON.stringify(created.json));
    assert.equal(created.json.kind, 'DaemonSet');
    assert.equal(created.json.spec.updateStrategy.type, 'RollingUpdate');
    assert.equal(created.json.spec.revisionHistoryLimit, 10);
    const pods = await waitFor(async () => {
      const p = await podsOf(sim, 'everywhere');
      return p.length === 3 && running(p) ? p : undefined;
    });
    assert.deepEqual(pods.map((p) => p.spec.nodeName).sort(), ['node-1', 'node-2', 'node-3']);
    for (const p of pods) {
      assert.match(p.metadata.name, /^everywhere-[a-z0-9]{5}$/);
      assert.deepEqual(p.metadata.ownerReferences, [{ apiVersion: 'apps/v1', kind: 'DaemonSet', name: 'everywhere', uid: created.json.metadata.uid, controller: true, blockOwnerDeletion: true }]);
      assert.deepEqual(p.spec.affinity.nodeAffinity.requiredDuringSchedulingIgnoredDuringExecution.nodeSelectorTerms, [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: [p.spec.nodeName] }] }]);
      assert.equal(p.status.podIP, p.status.hostIP, 'a hostNetwork pod has its node IP');
    }
    const ds = await waitFor(async () => {
      const d = (await api(sim, 'GET', `/apis/apps/v1/namespaces/${ns}/daemonsets/everywhere`)).json;
      return d.status.numberReady === 3 ? d : undefined;
    });
    assert.equal(ds.status.desiredNumberScheduled, 3);
    assert.equal(ds.status.currentNumberScheduled, 3);
    // What the controller serves is what a real API server could return.
    const served = [ds, ...(await podsOf(sim, 'everywhere'))];
    const problems = (await Promise.all(served.map((o) => problemsOf(o)))).flat();
    assert.deepEqual(problems, []);
  });

  it('honours required node affinity (matchFields metadata.name) and skips taints it does not tolerate', async () => {
    const affinity = { nodeAffinity: { requiredDuringSchedulingIgnoredDuringExecution: { nodeSelectorTerms: [{ matchFields: [{ key: 'metadata.name', operator: 'In', values: ['node-1', 'node-3'] }] }] } } };
    const created = await api(sim, 'POST', `/apis/apps/v1/namespaces/${ns}/daemonsets`, { body: daemonSet('picked', { affinity }) });
    assert.equal(created.status, 201);
    const pods = await waitFor(async () => {
      const p = await podsOf(sim, 'picked');
      return p.length === 1 && running(p) ? p : undefined;
    });
    assert.equal(pods[0].spec.nodeName, 'node-1', 'node-2 is not listed, node-3 is tainted');
    const ds = await waitFor(async () => {
      const d = (await api(sim, 'GET', `/apis/apps/v1/namespaces/${ns}/daemonsets/picked`)).json;
      return d.status.numberReady === 1 ? d : undefined;
    });
    assert.equal(ds.status.desiredNumberScheduled, 1);
  });

  it('refuses a DaemonSet whose selector does not match its template, with the real 422 text', async () => {
    const bad = daemonSet('mismatch', {}) as any;
    bad.spec.selector = { matchLabels: { app: 'other' } };
    const r = await api(sim, 'POST', `/apis/apps/v1/namespaces/${ns}/daemonsets`, { body: bad });
    assert.equal(r.status, 422);
    assert.equal(r.json.reason, 'Invalid');
    assert.match(r.json.message, /^DaemonSet\.apps "mismatch" is invalid: spec\.template\.metadata\.labels: Invalid value: .*`selector` does not match template `labels`$/);
    const noSelector = daemonSet('noselector', {}) as any;
    delete noSelector.spec.selector;
    const r2 = await api(sim, 'POST', `/apis/apps/v1/namespaces/${ns}/daemonsets`, { body: noSelector });
    assert.equal(r2.status, 422);
    assert.match(r2.json.message, /spec\.selector: Required value/);
    assert.equal((await podsOf(sim, 'mismatch')).length, 0);
  });

  it('Background deletion (the default) removes the DaemonSet at once and its pods after', async () => {
    await api(sim, 'POST', `/apis/apps/v1/namespaces/${ns}/daemonsets`, { body: daemonSet('bg', { tolerations: [{ operator: 'Exists' }], terminationGracePeriodSeconds: 0 }) });
    await waitFor(async () => ((await podsOf(sim, 'bg')).length === 3 ? true : undefined));
    const del = await api(sim, 'DELETE', `/apis/apps/v1/namespaces/${ns}/daemonsets/bg`);
    assert.equal(del.status, 200);
    assert.equal((await api(sim, 'GET', `/apis/apps/v1/namespaces/${ns}/daemonsets/bg`)).status, 404);
    await waitFor(async () => ((await podsOf(sim, 'bg')).length === 0 ? true : undefined));
  });

  it('Foreground deletion answers 202 with the foregroundDeletion finalizer and keeps the DaemonSet until its pods are gone', async () => {
    await api(sim, 'POST', `/apis/apps/v1/namespaces/${ns}/daemonsets`, { body: daemonSet('fg', { tolerations: [{ operator: 'Exists' }], terminationGracePeriodSeconds: 0 }) });
    await waitFor(async () => ((await podsOf(sim, 'fg')).length === 3 ? true : undefined));
    const del = await api(sim, 'DELETE', `/apis/apps/v1/namespaces/${ns}/daemonsets/fg`, { body: { kind: 'DeleteOptions', apiVersion: 'v1', propagationPolicy: 'Foreground' } });
    assert.equal(del.status, 202);
    assert.ok(del.json.metadata.deletionTimestamp);
    assert.deepEqual(del.json.metadata.finalizers, ['foregroundDeletion']);
    await waitFor(async () => ((await api(sim, 'GET', `/apis/apps/v1/namespaces/${ns}/daemonsets/fg`)).status === 404 ? true : undefined));
    assert.equal((await podsOf(sim, 'fg')).length, 0);
  });
});

describe('real kubectl against a simulated DaemonSet', { skip: !existsSync(kubectlPath) && 'kubectl is not installed' }, () => {
  let sim: RunningSim;
  before(async () => {
    sim = await miniSim();
  });
  after(() => sim.stop());

  it('get ds,pods lists the DaemonSet and its pods; exec runs in a host-network pod; delete ds removes both', async () => {
    const kubectl = (args: string[]) => runKubectl(sim.kubeconfigPath, sim.dir, args, 20_000);
    const created = await api(sim, 'POST', `/apis/apps/v1/namespaces/${ns}/daemonsets`, { body: daemonSet('probe', { terminationGracePeriodSeconds: 0 }) });
    assert.equal(created.status, 201);
    const pods = await waitFor(async () => {
      const p = await podsOf(sim, 'probe');
      return p.length === 2 && running(p) ? p : undefined;
    });
    const get = await kubectl(['get', 'ds,pods', '-n', ns]);
    assert.equal(get.code, 0, get.stderr);
    assert.match(get.stdout, /NAME\s+DESIRED\s+CURRENT\s+READY\s+UP-TO-DATE\s+AVAILABLE\s+NODE SELECTOR\s+AGE/);
    assert.match(get.stdout, /daemonset\.apps\/probe\s+2\s+2\s+\d\s+2\s+\d\s+<none>/);
    for (const p of pods) assert.match(get.stdout, new RegExp(`pod/${p.metadata.name}\\s+1/1\\s+Running`));
    const onNode2 = pods.find((p) => p.spec.nodeName === 'node-2');
    const exec = await kubectl(['exec', '-n', ns, onNode2.metadata.name, '--', 'ip', '-j', 'addr']);
    assert.equal(exec.code, 0, exec.stderr);
    assert.match(exec.stdout, /192\.0\.2\.12/);
    const del = await kubectl(['delete', 'ds', 'probe', '-n', ns, '--wait=false']);
    assert.equal(del.code, 0, del.stderr);
    assert.match(del.stdout, /daemonset\.apps "probe" deleted/);
    await waitFor(async () => ((await podsOf(sim, 'probe')).length === 0 ? true : undefined));
  });
});
