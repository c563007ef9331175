import assert from 'node:assert/strict';
import { caseTable, l2Base } from './helpers.js';

const link = (ifname: string, flags: string[]) => JSON.stringify([{ ifindex: 3, ifname, flags, mtu: 1500, operstate: 'UP', link_type: 'ether', address: '02:00:00:00:00:aa' }]);

caseTable('wireless-interface', [
  { name: 'wired eth0', spec: l2Base({ nodeFiles: { n1: { 'net/ip-link.json': link('eth0', ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP']) } } }), fires: false },
  { name: 'wlan0 promiscuous', spec: l2Base({ nodeFiles: { n1: { 'net/ip-link.json': link('wlan0', ['BROADCAST', 'MULTICAST', 'PROMISC', 'UP', 'LOWER_UP']) } } }), fires: false },
  { name: 'wlan0 without PROMISC', spec: l2Base({ nodeFiles: { n1: { 'net/ip-link.json': link('wlan0', ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP']) } } }), fires: true, check: (f) => assert.match(f[0].remediation.snippet ?? '', /ip link set wlan0 promisc on/) },
]);
