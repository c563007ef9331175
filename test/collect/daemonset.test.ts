/**
 * --strategy daemonset: one debug DaemonSet per run, its pods used like node debug pods, and
 * nothing left behind after success, Ctrl-C, --timeout, or a killed process and `mlb-report cleanup`.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { api, startSim, type RunningSim } from '../helpers/sim.js';
import { runProcess } from '../helpers/kubectl.js';
import { runCollect } from './support.js';
import type { NodeRecord } from '../../src/model/bundle.js';
import { plannedPermissions } from '../../src/discover/rbac.js';
import { waitFor } from '../helpers/wait.js';

const bin = join(import.meta.dirname, '../../bin/mlb-report.js');
const ns = 'metallb-system';

const daemonSets = async (sim: Pick<RunningSim, 'url' | 'caPem' | 'token'>): Promise<string[]> => (await api(sim, 'GET', '/apis/apps/v1/daemonsets?labelSelector=app.kubernetes.io%2Fmanaged-by%3Dmlb-report')).json.items.map((d: any) => d.metadata.name);
const managedPods = async (sim: Pick<RunningSim, 'url' | 'caPem' | 'token'>): Promise<any[]> => (await api(sim, 'GET', '/api/v1/pods?labelSelector=app.kubernetes.io%2Fmanaged-by%3Dmlb-report')).json.items;
const nothingLeft = (sim: Pick<RunningSim, 'url' | 'caPem' | 'token'>): Promise<true> =>
  waitFor(async () => ((await daemonSets(sim)).length === 0 && (await managedPods(sim)).length === 0 ? true : undefined), 10_000);

/** Node files by node, without the strategy-specific attach step. */
function nodeFiles(nodes: NodeRecord[]): Record<string, string[]> {
  return Object.fromEntries(nodes.map((n) => [n.node, n.steps.filter((s) => !s.step.startsWith('attach.')).flatMap((s) => s.files).sort()]));
}

/** Starts a CLI collect with a hanging capture; resolves once the DaemonSet's pods all run. */
async function hangingCollect(sim: RunningSim, out: string, extra: string[] = []): Promise<{ child: ReturnType<typeof spawn>; exited: Promise<number | null>; output: () => string }> {
  const child = spawn(process.execPath, [bin, 'collect', '--kubeconfig', sim.kubeconfigPath, '--out', out, '--strategy', 'daemonset', '--capture-seconds', '60', '--format', 'json', ...extra], {
    env: { ...process.env, NO_COLOR: '1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout!.on('data', (d) => (output += d));
  child.stderr!.on('data', (d) => (output += d));
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  await waitFor(async () => {
    const pods = await managedPods(sim);
    return pods.length === 3 && pods.every((p) => p.status?.phase === 'Running') ? true : undefined;
  }, 60_000).catch((e) => {
    child.kill('SIGKILL');
    throw new Error(`${(e as Error).message}; output so far:\n${output}`);
  });
  return { child, exited, output: () => output };
}

describe('collect --strategy daemonset', { concurrency: true, timeout: 120_000 }, () => {
  it('collects every node with the node-pod outputs and leaves nothing', async () => {
    const [ds, pod] = await Promise.all([runCollect('healthy-l2', { strategy: 'daemonset' }), runCollect('healthy-l2', { strategy: 'node-pod' })]);
    try {
      const m = ds.result.manifest;
      assert.equal(m.nodes.length, 3);
      for (const n of m.nodes) {
        assert.equal(n.status, 'ok', JSON.stringify(n));
        assert.equal(n.access, 'node-pod');
        assert.match(n.steps.find((s) => s.step === 'attach.daemonset')?.reason ?? '', /^mlb-report-[a-z0-9]+-[a-z0-9]{5}\/debugger$/);
      }
      assert.deepEqual(nodeFiles(m.nodes), nodeFiles(pod.result.manifest.nodes));
      assert.ok(ds.result.notes.some((n) => /^debug DaemonSet metallb-system\/mlb-report-\S+ \(its pods on 3 nodes\) was created and deleted$/.test(n)), ds.result.notes.join('\n'));
      await nothingLeft(ds.sim);
    } finally {
      await Promise.all([ds.cleanup(), pod.cleanup()]);
    }
  });

  it('a 403 on the create fails the nodes with one line naming the permission and the alternatives', async () => {
    const ran = await runCollect('healthy-l2', { strategy: 'daemonset' }, [{ type: 'rbac-deny', verb: 'create', group: 'apps', resource: 'daemonsets' }]);
    try {
      for (const n of ran.result.manifest.nodes) {
        const attach = n.steps.find((s) => s.step === 'attach.daemonset');
        assert.equal(attach?.status, 'failed');
        assert.match(attach?.reason ?? '', /^forbidden to create daemonsets \(apps\) in metallb-system: .*; grant create and delete on daemonsets in metallb-system, or rerun with --strategy node-pod or --strategy ephemeral$/);
      }
      assert.deepEqual(await daemonSets(ran.sim), []);
      assert.ok(!ran.result.notes.some((n) => /was created and deleted/.test(n)), 'a refused DaemonSet is not reported as created');
    } finally {
      await ran.cleanup();
    }
  });

  it('a node whose debug pod cannot start is failed with the reason; the others are collected', async () => {
    const ran = await runCollect('healthy-l2', { strategy: 'daemonset' }, (w) => {
      const nodes = w.objects.filter((o) => o.kind === 'Node').map((o) => o.metadata.name as string).sort();
      return [{ type: 'image-pull-failure', nodes: [nodes[0]!] }];
    });
    try {
      const [first, ...rest] = [...ran.result.manifest.nodes].sort((a, b) => a.node.localeCompare(b.node));
      const attach = first!.steps.find((s) => s.step === 'attach.daemonset');
      assert.equal(attach?.status, 'failed');
      assert.match(attach?.reason ?? '', /ErrImagePull|ImagePullBackOff/);
      for (const n of rest) assert.equal(n.status, 'ok', JSON.stringify(n));
      await nothingLeft(ran.sim);
    } finally {
      await ran.cleanup();
    }
  });

  it('pods the Pod Security level refuses: each node fails with the controller’s FailedCreate reason and the fix; --debug-namespace elsewhere works', async () => {
    const psa = [{ type: 'pod-security' as const, level: 'baseline' as const, namespaces: ['metallb-system'] }];
    const [refused, elsewhere] = await Promise.all([
      runCollect('healthy-l2', { strategy: 'daemonset', timeoutMs: 20_000 }, psa),
      runCollect('healthy-l2', { strategy: 'daemonset', debugNamespace: 'default' }, psa),
    ]);
    try {
      for (const n of refused.result.manifest.nodes) {
        const attach = n.steps.find((s) => s.step === 'attach.daemonset');
        assert.equal(attach?.status, 'failed');
        assert.match(attach?.reason ?? '', /^the debug DaemonSet metallb-system\/mlb-report-\S+ had no pod on this node after \d+ s: Error creating: .*violates PodSecurity "baseline:latest": .*privileged.*; label the namespace privileged, or rerun with --debug-namespace/);
      }
      for (const n of elsewhere.result.manifest.nodes) assert.equal(n.status, 'ok', JSON.stringify(n));
      await Promise.all([nothingLeft(refused.sim), nothingLeft(elsewhere.sim)]);
    } finally {
      await Promise.all([refused.cleanup(), elsewhere.cleanup()]);
    }
  });

  it('plans create and delete on daemonsets (apps) in the debug namespace instead of pods', () => {
    const planned = plannedPermissions({ namespace: ns, frrK8sNamespaces: [], strategy: 'daemonset', metrics: false, debugNamespace: 'debug' });
    const has = (verb: string, group: string, resource: string, namespace: string): boolean => planned.some((p) => p.verb === verb && p.group === group && p.resource === resource && !p.subresource && p.namespace === namespace);
    assert.ok(has('create', 'apps', 'daemonsets', 'debug') && has('delete', 'apps', 'daemonsets', 'debug'));
    assert.ok(has('list', '', 'pods', 'debug') && has('watch', '', 'pods', 'debug'));
    assert.ok(!has('create', '', 'pods', 'debug'), 'no pod is created directly');
  });

  it('--timeout reached: the DaemonSet and its pods are deleted', async () => {
    const ran = await runCollect('healthy-l2', { strategy: 'daemonset', captureSeconds: 60, timeoutMs: 4000 }, [{ type: 'exec-hang', commandContains: 'tcpdump' }]);
    try {
      assert.ok(ran.result.manifest.nodes.some((n) => n.status !== 'ok'), 'the run was cut short');
      await nothingLeft(ran.sim);
    } finally {
      await ran.cleanup();
    }
  });

  it('SIGINT → exit 130 and nothing left', async () => {
    const sim = await startSim('healthy-l2', { mutateWorld: (w) => w.faults.push({ type: 'exec-hang', commandContains: 'tcpdump' }) });
    const tmp = mkdtempSync(join(tmpdir(), 'mlb-ds-int-'));
    try {
      const run = await hangingCollect(sim, join(tmp, 'bundle'));
      assert.deepEqual((await daemonSets(sim)).length, 1, 'one DaemonSet for the run');
      run.child.kill('SIGINT');
      assert.equal(await run.exited, 130, run.output());
      await nothingLeft(sim);
    } finally {
      await sim.stop();
      rmSync(tmp, { recursive: true, force: true });
    }
  });

  it('a killed process leaves the DaemonSet; cleanup --dry-run lists it, cleanup --all removes it and its pods', async () => {
    const sim = await startSim('healthy-l2', { mutateWorld: (w) => w.faults.push({ type: 'exec-hang', commandContains: 'tcpdump' }) });
    const tmp = mkdtempSync(join(tmpdir(), 'mlb-ds-kill-'));
    try {
      const run = await hangingCollect(sim, join(tmp, 'bundle'));
      run.child.kill('SIGKILL');
      await run.exited;
      const [name] = await daemonSets(sim);
      assert.match(name ?? '', /^mlb-report-/, 'the killed run could not delete its DaemonSet');
      const cleanup = (args: string[]) => runProcess(process.execPath, [bin, 'cleanup', '--kubeconfig', sim.kubeconfigPath, ...args], { timeoutMs: 60_000 });
      const dry = await cleanup(['--dry-run', '--all']);
      assert.equal(dry.code, 0, dry.stderr);
      assert.match(dry.stdout, new RegExp(`^would delete daemonset ${ns}/${name} \\(run \\S+\\)$`, 'm'));
      assert.deepEqual(await daemonSets(sim), [name]);
      // Not expired yet (the run's lifetime): the default keeps it, --all deletes it.
      const kept = await cleanup([]);
      assert.match(kept.stdout, new RegExp(`^kept daemonset ${ns}/${name} `, 'm'));
      const all = await cleanup(['--all']);
      assert.equal(all.code, 0, all.stderr);
      assert.match(all.stdout, new RegExp(`^deleted daemonset ${ns}/${name} `, 'm'));
      await nothingLeft(sim);
    } finally {
      await sim.stop();
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});
