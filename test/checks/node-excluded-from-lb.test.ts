import assert from 'node:assert/strict';
import { caseTable, endpoints, l2Base, node, service } from './helpers.js';

const excl = { 'node.kubernetes.io/exclude-from-external-load-balancers': '' };

caseTable('node-excluded-from-lb', [
  { name: 'no node labelled', spec: l2Base(), fires: false },
  {
    name: 'one of three candidates labelled',
    spec: l2Base({ nodes: [node('n1', { labels: excl }), node('n2'), node('n3')] }),
    fires: true,
    check: (f) => {
      assert.equal(f[0].severity, 'info');
      assert.match(f[0].remediation.snippet ?? '', /kubectl label node n1 node\.kubernetes\.io\/exclude-from-external-load-balancers-/);
    },
  },
  {
    name: 'eTP Local service whose only endpoint node is excluded',
    spec: l2Base({ nodes: [node('n1'), node('n2', { labels: excl }), node('n3')], services: [service('default/web', { ip: '192.0.2.100', etp: 'Local' })], endpointSlices: [endpoints('default/web', [{ node: 'n2' }])] }),
    fires: true,
    check: (f) => {
      assert.equal(f[0].severity, 'error');
      assert.match(f[0].summary, /No node may announce default\/web/);
    },
  },
  {
    name: 'speaker runs with --ignore-exclude-lb',
    spec: l2Base({ nodes: [node('n1', { labels: excl }), node('n2'), node('n3')], daemonSets: [{ metadata: { name: 'speaker', namespace: 'metallb-system' }, spec: { template: { spec: { containers: [{ name: 'speaker', args: ['--ignore-exclude-lb'] }] } } } }] }),
    fires: false,
  },
]);
