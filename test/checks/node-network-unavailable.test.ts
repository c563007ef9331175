import assert from 'node:assert/strict';
import { caseTable, l2Base, node } from './helpers.js';

caseTable('node-network-unavailable', [
  { name: 'condition False', spec: l2Base({ nodes: [node('n1', { networkUnavailable: false }), node('n2'), node('n3')] }), fires: false },
  {
    name: 'condition True on a candidate',
    spec: l2Base({ nodes: [node('n1', { networkUnavailable: true }), node('n2'), node('n3')] }),
    fires: true,
    check: (f) => {
      assert.match(f[0].summary, /Node n1 has NetworkUnavailable=True \(NoRouteCreated\)/);
      assert.equal(f[0].severity, 'warning', 'n2 and n3 can still announce');
    },
  },
  {
    name: 'condition True on every node (metallb/metallb#1710)',
    spec: l2Base({ nodes: [node('n1', { networkUnavailable: true }), node('n2', { networkUnavailable: true }), node('n3', { networkUnavailable: true })] }),
    fires: true,
    check: (f) => assert.deepEqual(f.map((x) => x.severity), ['error', 'error', 'error']),
  },
]);
