import assert from 'node:assert/strict';
import { caseTable, l2Base, l2ad, l2status, pool } from './helpers.js';

const links = (state: 'UP' | 'DOWN') =>
  JSON.stringify([
    { ifindex: 1, ifname: 'lo', flags: ['LOOPBACK', 'UP', 'LOWER_UP'], operstate: 'UNKNOWN', link_type: 'loopback', address: '00:00:00:00:00:00' },
    { ifindex: 2, ifname: 'eth0', flags: state === 'UP' ? ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP'] : ['BROADCAST', 'MULTICAST'], operstate: state, link_type: 'ether', address: '02:00:00:00:00:02' },
  ]);
const announcedBy = (node: string) => ({ ipaddresspools: [pool('lan', ['192.0.2.100-192.0.2.110'])], l2advertisements: [l2ad('lan')], servicel2statuses: [l2status('default/web', node)] });
const noReply = 'arping: Interface "eth0" is down\nARPING 192.0.2.100 from 192.0.2.13 eth0\nSent 3 probes (3 broadcast(s))\nReceived 0 response(s)\n';

caseTable('l2-announcer-interface-down', [
  { name: 'announcer eth0 up', spec: l2Base({ metallb: announcedBy('n2'), nodeFiles: { n2: { 'net/ip-link.json': links('UP') } } }), fires: false },
  {
    name: 'announcer eth0 down, arping from another node gets nothing',
    spec: l2Base({ metallb: announcedBy('n2'), nodeFiles: { n2: { 'net/ip-link.json': links('DOWN') }, n3: { 'probe/arping-192.0.2.100.txt': noReply } } }),
    fires: true,
    check: (f) => {
      assert.match(f[0].summary, /192\.0\.2\.100 is announced by n2 \(servicel2status\), but its interface eth0 is DOWN/);
      assert.ok(f[0].evidence.some((e) => e.path === 'nodes/n3/probe/arping-192.0.2.100.txt' && e.excerpt.includes('Received 0 response(s)')));
    },
  },
  { name: 'a down interface on a node that does not announce', spec: l2Base({ metallb: announcedBy('n3'), nodeFiles: { n2: { 'net/ip-link.json': links('DOWN') } } }), fires: false },
  { name: 'no announcer observed: the recomputed leader n3 has eth0 down', spec: l2Base({ nodeFiles: { n3: { 'net/ip-link.json': links('DOWN') } } }), fires: true, check: (f) => assert.match(f[0].summary, /recomputed leader/) },
]);
