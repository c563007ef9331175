import assert from 'node:assert/strict';
import { caseTable, l2Base } from './helpers.js';
import { announcerOf } from './probe-lines.js';

const leader = announcerOf(l2Base(), 'default/web');
const ip = { n1: '192.0.2.11', n2: '192.0.2.12', n3: '192.0.2.13' }[leader]!;
const addr = JSON.stringify([
  { ifindex: 2, ifname: 'eth0', flags: ['BROADCAST', 'UP'], operstate: 'UP', addr_info: [{ family: 'inet', local: ip, prefixlen: 24 }] },
  { ifindex: 3, ifname: 'eth1', flags: ['BROADCAST', 'UP'], operstate: 'UP', addr_info: [{ family: 'inet', local: '203.0.113.7', prefixlen: 24 }] },
]);
const routes = (dev: string) => JSON.stringify([{ dst: 'default', gateway: dev === 'eth1' ? '203.0.113.1' : '192.0.2.1', dev, protocol: 'static', flags: [] }, { dst: '192.0.2.0/24', dev: 'eth0', protocol: 'kernel', scope: 'link', prefsrc: ip, flags: [] }]);
const sysctl = (all: number, eth0: number) => `/proc/sys/net/ipv4/conf/all/rp_filter:${all}\n/proc/sys/net/ipv4/conf/eth0/rp_filter:${eth0}\n/proc/sys/net/ipv4/conf/eth1/rp_filter:0\n/proc/sys/net/ipv4/ip_forward:1\n`;
const files = (all: number, eth0: number, dev: string) => ({ nodeFiles: { [leader]: { 'net/ip-addr.json': addr, 'net/ip-route.json': routes(dev), 'net/sysctl.txt': sysctl(all, eth0) } } });

caseTable('rp-filter-asymmetric-route', [
  { name: 'strict, but the default route leaves by the receiving interface', spec: l2Base(files(1, 1, 'eth0')), fires: false },
  { name: 'loose mode with the default route elsewhere', spec: l2Base(files(2, 0, 'eth1')), fires: false },
  { name: 'strict on another node than the announcer', spec: l2Base({ nodeFiles: { [leader === 'n1' ? 'n2' : 'n1']: files(1, 1, 'eth1').nodeFiles[leader]! } }), fires: false },
  {
    name: 'strict on eth0 only (conf.all 0), default route via eth1',
    spec: l2Base(files(0, 1, 'eth1')),
    fires: true,
    check: (f) => {
      assert.match(f[0]!.summary, new RegExp(`^${leader} answers ARP for default/web \\(192\\.0\\.2\\.100\\) on eth0 with strict rp_filter, but its default route leaves by eth1 \\(via 203\\.0\\.113\\.1\\)`));
      assert.deepEqual(f[0]!.subjects.slice(0, 2), [{ kind: 'Node', name: leader }, { kind: 'Service', namespace: 'default', name: 'web' }]);
      assert.match(f[0]!.evidence[0]!.excerpt, /conf\/eth0\/rp_filter:1/);
    },
  },
  { name: 'conf.all strict wins over eth0 0 (the kernel takes the larger)', spec: l2Base(files(1, 0, 'eth1')), fires: true },
]);
