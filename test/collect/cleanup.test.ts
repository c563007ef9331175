import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { api, miniSim, type RunningSim } from '../helpers/sim.js';
import { runProcess, type ProcessRun } from '../helpers/kubectl.js';
import { expiresAnnotation, ownerMetadata } from '../../src/attach/owner.js';
import { nodePodSpec } from '../../src/attach/index.js';
import { waitFor } from '../helpers/wait.js';

const bin = join(process.cwd(), 'bin', 'mlb-report.js');
const ns = 'metallb-system';

/** A debug DaemonSet as a killed run leaves it: owner label, run label, an expiry in the past. */
function leftoverDaemonSet(name: string, runId: string, expiresAt: string): object {
  const owner = ownerMetadata(runId, 60);
  owner.annotations[expiresAnnotation] = expiresAt;
  const labels = { ...owner.labels, app: name };
  return {
    apiVersion: 'apps/v1',
    kind: 'DaemonSet',
    metadata: { name, ...owner, labels },
    spec: {
      selector: { matchLabels: labels },
      template: {
        metadata: { labels },
        spec: { hostNetwork: true, hostPID: true, terminationGracePeriodSeconds: 0, tolerations: [{ operator: 'Exists' }], containers: [{ name: 'debugger', image: 'busybox', command: ['sleep', '600'] }] },
      },
    },
  };
}

describe('mlb-report cleanup', () => {
  let sim: RunningSim;
  const cli = (args: string[]): Promise<ProcessRun> =>
    runProcess(process.execPath, [bin, 'cleanup', '--kubeconfig', sim.kubeconfigPath, ...args], { env: { ...process.env, MLB_REPORT_DEBUG: '' }, timeoutMs: 60_000, label: `mlb-report cleanup ${args.join(' ')}` });
  const managedPods = async (): Promise<string[]> => (await api(sim, 'GET', `/api/v1/pods?labelSelector=app.kubernetes.io%2Fmanaged-by%3Dmlb-report`)).json.items.map((p: any) => p.metadata.name).sort();
  const daemonSets = async (): Promise<string[]> => (await api(sim, 'GET', `/apis/apps/v1/daemonsets`)).json.items.map((d: any) => d.metadata.name);

  before(async () => {
    sim = await miniSim();
  });
  after(() => sim.stop());

  it('lists with --dry-run, deletes only expired leftovers (a DaemonSet with its pods), keeps a running collection’s pod until --all', async () => {
    const ds = await api(sim, 'POST', `/apis/apps/v1/namespaces/${ns}/daemonsets`, { body: leftoverDaemonSet('mlb-report-killed1', 'killed1', '2020-01-01T00:00:00.000Z') });
    assert.equal(ds.status, 201, JSON.stringify(ds.json));
    // A node debug pod of a collection still running: its expiry is in the future.
    const live = nodePodSpec({ namespace: ns, node: 'node-1', runId: 'live1', image: 'busybox', lifetimeSeconds: 600, startTimeoutMs: 1000 });
    assert.equal((await api(sim, 'POST', `/api/v1/namespaces/${ns}/pods`, { body: live })).status, 201);
    // Not ours: no owner label.
    assert.equal((await api(sim, 'POST', `/api/v1/namespaces/default/pods`, { body: { metadata: { name: 'someone-else' }, spec: { nodeName: 'node-2', containers: [{ name: 'c', image: 'busybox' }] } } })).status, 201);
    await waitFor(async () => ((await managedPods()).length === 3 ? true : undefined));

    const dry = await cli(['--dry-run']);
    assert.equal(dry.code, 0, dry.stderr);
    assert.match(dry.stdout, new RegExp(`^would delete daemonset ${ns}/mlb-report-killed1 \\(run killed1\\)$`, 'm'));
    assert.match(dry.stdout, new RegExp(`^kept pod ${ns}/${live.metadata!.name} \\(run live1\\): expires \\S+ \\(--all deletes it now\\)$`, 'm'));
    assert.doesNotMatch(dry.stdout, /mlb-report-killed1-/, 'the DaemonSet’s own pods go with it and are not listed');
    assert.deepEqual(await daemonSets(), ['mlb-report-killed1'], '--dry-run deletes nothing');

    const run = await cli([]);
    assert.equal(run.code, 0, run.stderr);
    assert.match(run.stdout, new RegExp(`^deleted daemonset ${ns}/mlb-report-killed1 \\(run killed1\\)$`, 'm'));
    assert.deepEqual(await daemonSets(), []);
    await waitFor(async () => {
      const pods = await managedPods();
      return pods.length === 1 && pods[0] === live.metadata!.name ? true : undefined;
    });

    const all = await cli(['--all', '-n', ns]);
    assert.equal(all.code, 0, all.stderr);
    assert.match(all.stdout, new RegExp(`^deleted pod ${ns}/${live.metadata!.name} \\(run live1\\)$`, 'm'));
    await waitFor(async () => ((await managedPods()).length === 0 ? true : undefined));
    assert.equal((await api(sim, 'GET', '/api/v1/namespaces/default/pods/someone-else')).status, 200, 'objects without the owner label stay');

    const none = await cli([]);
    assert.equal(none.code, 0, none.stderr);
    assert.equal(none.stdout.trim(), 'nothing left behind by mlb-report');
  });

  it('refuses a malformed --namespace with the fix', async () => {
    const r = await cli(['-n', 'Bad_NS']);
    assert.equal(r.code, 2);
    assert.match(r.stderr, /invalid --namespace "Bad_NS"/);
  });
});
