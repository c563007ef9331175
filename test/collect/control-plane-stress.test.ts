/**
 * A collection against a control plane under stress (issue: throttling, outages, dead kubelets,
 * Pod Security): nothing lost, every fault told with its cause and fix. The cases run side by side.
 */
import { test } from 'node:test';
import { readFileSync } from 'node:fs';
import assert from 'node:assert/strict';
import { failOnExitCode } from '../../src/run/index.js';
import type { Fault } from '../../src/sim/world.js';
import { assertBundleIntact, runCollect } from './support.js';

const stress: Fault[] = [
  { type: 'api-throttle', fraction: 0.3, retryAfterSeconds: 1 },
  { type: 'api-unavailable', fraction: 0.05, status: 503 },
  { type: 'connection-reset', fraction: 0.05 },
  { type: 'watch-expired', afterMs: 1500 },
];

test('control plane under stress', { timeout: 120_000 }, async (t) => {
  await Promise.all([
    t.test('30 % throttled (Retry-After 1 s), 5 % 503, 5 % resets, expiring watches: every node collected, exit code as without faults', async () => {
      const [calm, stressed] = await Promise.all([runCollect('healthy-frr', { report: true }), runCollect('healthy-frr', { report: true, formats: ['json', 'html'] }, stress)]);
      try {
        const counts = stressed.sim.sim.state.apiFaults.counts;
        assert.ok(counts['api-throttle'] >= 10 && counts['api-unavailable'] >= 1 && counts['connection-reset'] >= 1 && counts['watch-expired'] >= 1, `faults struck: ${JSON.stringify(counts)}`);
        const m = await assertBundleIntact(stressed.result.dir);
        assert.deepEqual(
          m.nodes.map((n) => `${n.node}:${n.status}`),
          calm.result.manifest.nodes.map((n) => `${n.node}:ok`),
          m.nodes.map((n) => `${n.node} ${n.status} ${n.reason ?? ''}`).join('\n'),
        );
        assert.equal(m.clusterSteps.filter((s) => s.status === 'failed').length, 0, JSON.stringify(m.clusterSteps.filter((s) => s.status === 'failed')));
        const collected = (files: { path: string }[]) => files.map((f) => f.path).filter((p) => !/\.html$/.test(p)).sort();
        assert.deepEqual(collected(m.files), collected(calm.result.manifest.files), 'the same files as a calm run');
        // Every retry is in the manifest, with its cause.
        assert.ok(m.retries && m.retries.total >= counts['api-throttle'], JSON.stringify(m.retries));
        assert.ok((m.retries.causes['429 Too Many Requests'] ?? 0) >= 10);
        assert.ok(Object.keys(m.retries.causes).some((c) => /watch expired/.test(c)), 'the pod watch re-listed after 410');
        const perNodeAndCluster = [...m.nodes.flatMap((n) => n.retries ?? []), ...m.retries.cluster].reduce((sum, r) => sum + r.count, 0);
        assert.equal(perNodeAndCluster, m.retries.total, 'per node and step, the retries add up to the total');
        const findings = (r: typeof calm) => r.result.analysis?.findings ?? [];
        assert.equal(failOnExitCode(findings(stressed), 'warning'), failOnExitCode(findings(calm), 'warning'));
        assert.deepEqual(findings(stressed).map((f) => f.id).sort(), findings(calm).map((f) => f.id).sort(), `the same findings; under stress: ${findings(stressed).map((f) => `${f.id}: ${f.summary}`).join(' | ')}`);
        // The report's collection section shows them.
        const html = readFileSync(stressed.result.reportFiles.find((f) => f.endsWith('.html'))!, 'utf8');
        assert.match(html, new RegExp(`Retries: ${m.retries.total} request\\(s\\) tried again: \\d+× 429 Too Many Requests`));
        assert.match(html, /<td class="mono">cluster-wide<\/td><td class="mono">attach\.watch<\/td>/);
        // Nothing left behind: every debug container told to end.
        assert.ok(m.addedContainers.every((a) => a.endRequested), JSON.stringify(m.addedContainers));
      } finally {
        await Promise.all([calm.cleanup(), stressed.cleanup()]);
      }
    }),

    t.test('one kubelet unreachable: that node failed with a reason naming the kubelet, the others ok, the first finding names it', async () => {
      const ran = await runCollect('healthy-frr', { report: true }, [{ type: 'kubelet-unreachable', nodes: ['{{node:1}}'], dialTimeoutMs: 300 }]);
      try {
        const m = await assertBundleIntact(ran.result.dir);
        const dead = m.nodes[1]!;
        assert.ok(['failed', 'partial'].includes(dead.status), dead.status);
        assert.match(dead.reason ?? '', new RegExp(`^kubelet on ${dead.node} unreachable from the API server \\(error dialing backend: dial tcp [\\d.]+:10250: i/o timeout\\)`));
        for (const n of m.nodes.filter((x) => x !== dead)) assert.equal(n.status, 'ok', `${n.node}: ${n.reason}`);
        const first = ran.result.analysis!.findings[0]!;
        assert.equal(first.id, 'kubelet-unreachable');
        assert.match(first.summary, new RegExp(`^Kubelet on ${dead.node} unreachable .* of node ${dead.node} could not be collected`));
        assert.match(first.summary, /logs/);
      } finally {
        await ran.cleanup();
      }
    }),

    t.test('Pod Security baseline on the MetalLB namespace: the reason names the label and both fixes at once; node debug pods in an allowed namespace work', async () => {
      const psa: Fault[] = [{ type: 'pod-security', level: 'baseline', namespaces: ['metallb-system'] }];
      const started = Date.now();
      const [blocked, nodePods] = await Promise.all([runCollect('healthy-frr', { report: true }, psa), runCollect('healthy-frr', { report: true, strategy: 'node-pod', debugNamespace: 'default' }, psa)]);
      try {
        const m = blocked.result.manifest;
        assert.ok(Date.now() - started < 30_000, 'ends well within the start timeout');
        for (const n of m.nodes) {
          const attach = n.steps.find((s) => s.step === 'attach.ephemeral')!;
          assert.match(attach.reason ?? '', /^Pod Security "baseline:latest" \(namespace metallb-system, label pod-security\.kubernetes\.io\/enforce=baseline\) rejects the debug container/);
          assert.match(attach.reason ?? '', /violates|non-default capabilities \(.*"NET_ADMIN", "NET_RAW"/);
          assert.match(attach.reason ?? '', /fix: kubectl label namespace metallb-system pod-security\.kubernetes\.io\/enforce=privileged --overwrite, or rerun with --strategy node-pod --debug-namespace/);
          assert.equal(n.access, 'frr-exec', 'commands still ran in the frr container');
        }
        assert.equal(m.addedContainers.filter((a) => a.kind === 'ephemeral' && a.pod.startsWith('speaker')).length, 0, 'nothing was added to a speaker');
        const finding = blocked.result.analysis!.findings.find((f) => f.id === 'debug-container-pod-security');
        assert.ok(finding, 'a finding says it');
        assert.match(finding.summary, /namespace metallb-system .*label the namespace privileged or use --strategy node-pod --debug-namespace/);

        const ok = nodePods.result.manifest;
        for (const n of ok.nodes) assert.equal(`${n.node}:${n.status}:${n.access}`, `${n.node}:ok:node-pod`, n.reason);
        assert.ok(ok.addedContainers.every((a) => a.namespace === 'default' && a.finalState === 'deleted'), JSON.stringify(ok.addedContainers));
        assert.equal(nodePods.sim.sim.state.apiFaults.counts['pod-security'], 0);
      } finally {
        await Promise.all([blocked.cleanup(), nodePods.cleanup()]);
      }
    }),
  ]);
});
