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

// A partial bundle (metallb-operator#490): nodes and the service only, no pools or advertisements.
caseTable('node-excluded-from-lb', [
  {
    name: 'every node carries the label, pools not collected',
    spec: { nodes: [node('cp1', { labels: excl }), node('cp2', { labels: excl })], services: [service('myns/nginx', { ip: '192.168.99.220' })] },
    fires: true,
    check: (f) => {
      assert.equal(f[0].severity, 'error');
      assert.match(f[0].summary, /No node may announce myns\/nginx \(192\.168\.99\.220\): every node \(cp1, cp2\) carries/);
      assert.match(f[0].remediation.snippet ?? '', /kubectl label node cp1 node\.kubernetes\.io\/exclude-from-external-load-balancers-/);
    },
  },
  { name: 'one node without the label, pools not collected', spec: { nodes: [node('cp1', { labels: excl }), node('w1')], services: [service('myns/nginx', { ip: '192.168.99.220' })] }, fires: false },
  { name: 'every node labelled but no service holds an IP', spec: { nodes: [node('cp1', { labels: excl })], services: [service('myns/nginx', {})] }, fires: false },
]);
