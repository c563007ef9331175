import assert from 'node:assert/strict';
import { caseTable, l2Base } from './helpers.js';

const manifest = (nodes: object[], extra: object = {}) => ({ schemaVersion: 1, tool: { name: 'mlb-report', version: '0.1.0' }, createdAt: '2026-11-27T12:00:00Z', command: [], cluster: {}, options: {}, timings: { totalMs: 1 }, redaction: { ips: false, rules: [], count: 0 }, nodes, clusterSteps: [], addedContainers: [], files: [], ...extra });
const ok = (node: string) => ({ node, status: 'ok', steps: [{ step: 'net.ip-addr', status: 'ok', durationMs: 3, files: [] }] });

caseTable('collection-gap', [
  { name: 'all nodes ok', spec: l2Base({ manifest: manifest([ok('n1'), ok('n2'), ok('n3')]) }), fires: false },
  {
    name: 'a node not collected, with its reason',
    spec: l2Base({ manifest: manifest([ok('n1'), ok('n2'), { node: 'n3', status: 'failed', reason: 'ephemeral containers forbidden (RBAC) and node debug pod disabled', access: 'none', steps: [] }]) }),
    fires: true,
    check: (f) => {
      assert.equal(f[0].severity, 'warning');
      assert.match(f[0].summary, /Node n3 was not collected \(failed\): ephemeral containers forbidden/);
    },
  },
  { name: 'a timed-out step', spec: l2Base({ manifest: manifest([ok('n1'), ok('n2'), { node: 'n3', status: 'partial', steps: [{ step: 'frr.bgp-neighbors', status: 'failed', reason: 'timeout after 15s', durationMs: 15000, files: [] }] }]) }), fires: true, check: (f) => assert.match(f[0].summary, /frr\.bgp-neighbors failed \(timeout after 15s\)/) },
  { name: 'a cluster node missing from the manifest', spec: l2Base({ manifest: manifest([ok('n1'), ok('n2')]) }), fires: true, check: (f) => assert.match(f[0].summary, /n3 exist in the cluster but have no collection record/) },
  {
    name: 'nodes left out with --nodes are excluded, not missing',
    spec: l2Base({ manifest: manifest([ok('n1'), ok('n2')], { options: { nodes: ['n1', 'n2'] } }) }),
    fires: true,
    check: (f) => {
      assert.equal(f.length, 1);
      assert.equal(f[0].severity, 'info');
      assert.equal(f[0].summary, 'Node(s) n3 excluded by --nodes: not collected, so no check judged them');
      assert.doesNotMatch(f[0].summary, /no collection record/);
    },
  },
  {
    name: 'a node named in --nodes but absent from the manifest is still missing',
    spec: l2Base({ manifest: manifest([ok('n1')], { options: { nodes: ['n1', 'n2'] } }) }),
    fires: true,
    check: (f) => {
      assert.match(f.map((x) => x.summary).join('\n'), /^Node\(s\) n3 excluded by --nodes/m);
      assert.match(f.map((x) => x.summary).join('\n'), /^Node\(s\) n2 exist in the cluster but have no collection record$/m);
    },
  },
  { name: 'nodes outside --node-selector', spec: l2Base({ manifest: manifest([ok('n1'), ok('n2')], { options: { nodeSelector: 'pool=a' } }) }), fires: true, check: (f) => assert.match(f[0].summary, /^Node\(s\) n3 excluded by --node-selector pool=a/) },
  { name: 'interrupted run', spec: l2Base({ manifest: manifest([ok('n1'), ok('n2'), ok('n3')], { interrupted: true }) }), fires: true },
]);
