import assert from 'node:assert/strict';
import { caseTable, l2Base, node } from './helpers.js';

caseTable('cloud-antispoofing', [
  { name: 'bare metal', spec: l2Base(), fires: false },
  { name: 'OpenStack nodes', spec: l2Base({ nodes: [node('n1', { providerID: 'openstack:///7f3c' }), node('n2', { providerID: 'openstack:///8a1d' })] }), fires: true, check: (f) => assert.match(f[0].summary, /n1, n2 run on OpenStack.*allowed-address-pairs/) },
  { name: 'cloud but BGP only', spec: l2Base({ nodes: [node('n1', { providerID: 'aws:///eu-west-1a/i-0abc' })], metallb: {} }), fires: false },
]);
