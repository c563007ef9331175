import assert from 'node:assert/strict';
import { caseTable, fixture, l2Base, l2ad, l2status, pool } from './helpers.js';

// Real lab ip addr of lc-n2 (eth0 10.99.0.12/24), with a second NIC on the same /24 added in ip -j form.
const twoNics = fixture('ip-addr-lc-n2.json').replace(/\]\s*$/, ',{"ifindex":5,"ifname":"eth1","flags":["BROADCAST","MULTICAST","UP","LOWER_UP"],"mtu":1500,"operstate":"UP","link_type":"ether","address":"02:00:00:00:00:22","addr_info":[{"family":"inet","local":"10.99.0.22","prefixlen":24,"scope":"global","label":"eth1"}]}]');
const spec = (addr: string, ads = [l2ad('lan')]) =>
  l2Base({
    services: [{ ...l2Base().services![0], status: { loadBalancer: { ingress: [{ ip: '10.99.0.100' }] } } }],
    metallb: { ipaddresspools: [pool('lan', ['10.99.0.100-10.99.0.110'])], l2advertisements: ads, servicel2statuses: [l2status('default/web', 'n2')] },
    nodeFiles: { n2: { 'net/ip-addr.json': addr, 'net/ip-link.json': addr } },
  });

caseTable('l2-multiple-interfaces', [
  { name: 'one NIC on the segment (real lab output)', spec: spec(fixture('ip-addr-lc-n2.json')), fires: false },
  {
    name: 'two NICs on the LB subnet',
    spec: spec(twoNics),
    fires: true,
    check: (f) => {
      assert.match(f[0].summary, /on n2, eth0 \(02:00:00:00:00:02\) and eth1 \(02:00:00:00:00:22\) are all on the LB IP's subnet/);
      assert.match(f[0].remediation.snippet ?? '', /interfaces:\n {2}- eth0/);
    },
  },
  { name: 'the L2Advertisement already names an interface', spec: spec(twoNics, [l2ad('lan', { interfaces: ['eth0'] })]), fires: false },
]);
