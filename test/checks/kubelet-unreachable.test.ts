import assert from 'node:assert/strict';
import { caseTable, l2Base } from './helpers.js';

const manifest = (nodes: object[], extra: object = {}) => ({ schemaVersion: 1, tool: { name: 'mlb-report', version: '0.1.0' }, createdAt: '2026-11-27T12:00:00Z', command: [], cluster: {}, options: {}, timings: { totalMs: 1 }, redaction: { ips: false, rules: [], count: 0 }, nodes, clusterSteps: [], addedContainers: [], files: [], ...extra });
const ok = (node: string) => ({ node, status: 'ok', steps: [{ step: 'net.ip-addr', status: 'ok', durationMs: 3, files: [] }] });
const dial = 'error dialing backend: dial tcp 192.0.2.13:10250: i/o timeout';
const unreachable = {
  node: 'n3',
  status: 'failed',
  reason: `kubelet on n3 unreachable from the API server (${dial}): exec, logs and metrics of its pods could not be collected; check that the control plane reaches TCP 10250 on the node and that the kubelet runs`,
  access: 'ephemeral',
  steps: [
    { step: 'attach.ephemeral', status: 'ok', durationMs: 900, files: [] },
    { step: 'logs.speaker', status: 'failed', reason: dial, durationMs: 30000, files: [] },
    { step: 'metrics.speaker.7472', status: 'skipped', reason: `metrics not reachable through the pod proxy: ${dial}`, durationMs: 30000, files: [] },
    { step: 'net.ip-addr', status: 'skipped', reason: `not run: ${dial}`, durationMs: 0, files: [] },
  ],
};

caseTable('kubelet-unreachable', [
  { name: 'every node collected', spec: l2Base({ manifest: manifest([ok('n1'), ok('n2'), ok('n3')]) }), fires: false },
  {
    name: 'a node whose kubelet the API server cannot dial',
    spec: l2Base({ manifest: manifest([ok('n1'), ok('n2'), unreachable]) }),
    fires: true,
    check: (f) => {
      assert.equal(f.length, 1);
      assert.equal(f[0].severity, 'error');
      assert.deepEqual(f[0].subjects, [{ kind: 'Node', name: 'n3' }]);
      assert.equal(f[0].summary, `Kubelet on n3 unreachable from the API server (${dial}): logs, metrics, node commands of node n3 could not be collected (3 step(s))`);
      assert.match(f[0].remediation.snippet ?? '', /kubectl get --raw \/api\/v1\/nodes\/n3\/proxy\/healthz/);
    },
  },
  {
    name: 'a step that timed out for another reason is not a dial failure',
    spec: l2Base({ manifest: manifest([ok('n1'), ok('n2'), { node: 'n3', status: 'partial', reason: 'frr.bgp-neighbors: timed out after 15 s', steps: [{ step: 'frr.bgp-neighbors', status: 'failed', reason: 'timed out after 15 s', durationMs: 15000, files: [] }] }]) }),
    fires: false,
  },
  { name: 'no manifest (a bundle from elsewhere)', spec: l2Base({}), fires: false },
]);
