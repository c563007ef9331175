import assert from 'node:assert/strict';
import { test } from 'node:test';
import { decodeAllocationFailure } from '../../src/checks/rules/service-pending.js';
import { caseTable, controller, event, l2Base, pool, service } from './helpers.js';

const pending = (o: Parameters<typeof service>[1] = {}) => [service('default/web', o)];

caseTable('service-pending', [
  { name: 'service has an IP', spec: l2Base(), fires: false },
  {
    name: 'AllocationFailed: pool exhausted',
    spec: l2Base({ services: pending(), events: [event('default/web', 'AllocationFailed', 'Failed to allocate IP for "default/web": no available IPs')] }),
    fires: true,
    check: (f) => assert.match(f[0].summary, /default\/web is pending: every eligible pool is exhausted/),
  },
  {
    name: 'no pool at all (no event)',
    spec: l2Base({ services: pending(), metallb: {} }),
    fires: true,
    check: (f) => {
      assert.match(f[0].summary, /there is no IPAddressPool/);
      assert.match(f[0].remediation.snippet ?? '', /kind: IPAddressPool/);
    },
  },
  { name: 'pools only in another namespace', spec: l2Base({ services: pending(), metallb: { ipaddresspools: [pool('lan', ['192.0.2.100-192.0.2.110'], {}, undefined, 'default')] } }), fires: true, check: (f) => assert.match(f[0].summary, /not in the MetalLB namespace/) },
  { name: 'autoAssign false', spec: l2Base({ services: pending(), metallb: { ipaddresspools: [pool('lan', ['192.0.2.100-192.0.2.110'], { autoAssign: false })] } }), fires: true, check: (f) => assert.match(f[0].summary, /autoAssign: false/) },
  {
    name: 'serviceAllocation namespaces exclude the service',
    spec: l2Base({ services: pending(), metallb: { ipaddresspools: [pool('lan', ['192.0.2.100-192.0.2.110'], { serviceAllocation: { namespaces: ['prod'] } })] } }),
    fires: true,
    check: (f) => assert.match(f[0].summary, /serviceAllocation/),
  },
  { name: 'controller not ready', spec: l2Base({ services: pending(), pods: [controller({ ready: false })] }), fires: true, check: (f) => assert.match(f[0].summary, /controller is not ready/) },
  { name: 'requested IP outside every pool', spec: l2Base({ services: pending({ annotations: { 'metallb.io/loadBalancerIPs': '203.0.113.5' } }) }), fires: true, check: (f) => assert.match(f[0].summary, /203\.0\.113\.5 is not in any pool/) },
  { name: 'service with another loadBalancerClass is not MetalLB’s', spec: l2Base({ services: pending({ lbClass: 'other.io/lb' }) }), fires: false },
]);

test('decodeAllocationFailure names the cause of each controller message', () => {
  assert.equal(decodeAllocationFailure('no available IPs in pool "lan"'), 'pool lan is exhausted');
  assert.match(decodeAllocationFailure('no suitable pool for IPv6 IPFamily'), /IPv6/);
  assert.match(decodeAllocationFailure('"192.0.2.1" is not allowed in config'), /not in any IPAddressPool/);
  assert.match(decodeAllocationFailure('pool lan not compatible for ip assignment'), /serviceAllocation/);
  assert.match(decodeAllocationFailure('sharing key "a" does not match existing sharing key "b"'), /sharing/);
});
