import assert from 'node:assert/strict';
import { caseTable, fixture, l2Base, l2ad, node, pool } from './helpers.js';

caseTable('pool-overlaps-node-ip', [
  { name: 'pool clear of node addresses', spec: l2Base(), fires: false },
  {
    name: 'pool contains a node InternalIP',
    spec: l2Base({ metallb: { ipaddresspools: [pool('lan', ['192.0.2.0/28'])], l2advertisements: [l2ad('a')] } }),
    fires: true,
    check: (f) => {
      assert.match(f[0].summary, /192\.0\.2\.11 \(InternalIP of node n1\)/);
      assert.ok(f[0].subjects.some((s) => s.kind === 'IP' && s.name === '192.0.2.11'), 'the clashing address is a subject');
    },
  },
  {
    name: 'pool contains the default gateway from ip route (real lab output)',
    // The lab node has no default route; add one in `ip -j route` form in front of the real routes.
    spec: { nodes: [node('lc-n1')], nodeFiles: { 'lc-n1': { 'net/ip-route.json': fixture('ip-route-lc-n1.json').replace('[', '[{"dst":"default","gateway":"10.99.0.1","dev":"eth0","flags":[]},'), 'net/ip-addr.json': fixture('ip-addr-lc-n1.json') } }, metallb: { ipaddresspools: [pool('lan', ['10.99.0.1-10.99.0.5'])] } },
    fires: true,
    check: (f) => assert.match(f[0].summary, /10\.99\.0\.1 \(default gateway of lc-n1\)/),
  },
  {
    name: 'LB IPs as /32 on a NIC do not count as node addresses (real lab output, 10.99.0.100/32 on eth0)',
    spec: { nodes: [node('lc-n2')], nodeFiles: { 'lc-n2': { 'net/ip-addr.json': fixture('ip-addr-lc-n2.json') } }, metallb: { ipaddresspools: [pool('lan', ['10.99.0.100-10.99.0.110'])] } },
    fires: false,
  },
  {
    name: 'interface address of the node inside the pool (real lab output)',
    spec: { nodes: [node('lc-n2')], nodeFiles: { 'lc-n2': { 'net/ip-addr.json': fixture('ip-addr-lc-n2.json') } }, metallb: { ipaddresspools: [pool('lan', ['10.99.0.10-10.99.0.20'])] } },
    fires: true,
    check: (f) => {
      assert.match(f[0].summary, /10\.99\.0\.12 \(address of lc-n2 on eth0\)/);
      assert.ok(f[0].evidence.some((e) => e.path === 'nodes/lc-n2/net/ip-addr.json' && e.excerpt.includes('10.99.0.12')));
    },
  },
]);
