import assert from 'node:assert/strict';
import { caseTable, l2Base, logLine, service } from './helpers.js';

caseTable('conflicting-lb-implementation', [
  { name: 'IP from a MetalLB pool', spec: l2Base(), fires: false },
  { name: 'kube-vip annotation on the service', spec: l2Base({ services: [service('default/web', { ip: '192.0.2.100', annotations: { 'kube-vip.io/vipHost': 'n1' } })] }), fires: true, check: (f) => assert.match(f[0].summary, /also managed by kube-vip/) },
  { name: 'IP outside every pool', spec: l2Base({ services: [service('default/web', { ip: '172.18.0.240', annotations: { 'metallb.io/ip-allocated-from-pool': 'lan' } })] }), fires: true, check: (f) => assert.match(f[0].summary, /172\.18\.0\.240 is in no MetalLB pool although MetalLB allocated from lan/) },
  {
    name: 'controller hot loop on one service',
    spec: l2Base({ logs: { 'controller-5f7/controller': Array.from({ length: 25 }, () => [logLine({ controller: 'ServiceReconciler', 'start reconcile': 'default/web' }), logLine({ event: 'serviceUpdated', msg: 'updated service object' })].join('\n')).join('\n') } }),
    fires: true,
    check: (f) => {
      assert.equal(f[0].severity, 'warning');
      assert.match(f[0].summary, /updated default\/web 25 times/);
    },
  },
]);
