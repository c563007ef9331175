import assert from 'node:assert/strict';
import { bgpad, caseTable, fixture, l2ad, node, pool, service, speaker, endpoints, controller, type BundleSpec } from './helpers.js';

/** The lab: lc-n2 and lc-n3 both hold 10.99.0.100 (real ip addr / arping / tcpdump outputs). */
function lab(probe: Record<string, string>): BundleSpec {
  return {
    nodes: [node('lc-n1', { ip: '10.99.0.11' }), node('lc-n2', { ip: '10.99.0.12' }), node('lc-n3', { ip: '10.99.0.13' })],
    pods: [speaker('lc-n1'), speaker('lc-n2'), speaker('lc-n3'), controller()],
    services: [service('default/web', { ip: '10.99.0.100' })],
    endpointSlices: [endpoints('default/web', [{ node: 'lc-n2' }])],
    metallb: { ipaddresspools: [pool('lan', ['10.99.0.100-10.99.0.110'])], l2advertisements: [l2ad('lan')] },
    nodeFiles: {
      'lc-n1': { 'net/ip-addr.json': fixture('ip-addr-lc-n1.json'), ...probe },
      'lc-n2': { 'net/ip-addr.json': fixture('ip-addr-lc-n2.json') },
      'lc-n3': { 'net/ip-addr.json': fixture('ip-addr-lc-n3.json') },
    },
  };
}

caseTable('l2-duplicate-mac', [
  { name: 'arping gets one MAC (real single-responder output)', spec: lab({ 'probe/arping-10.99.0.100.txt': fixture('arping-single.txt') }), fires: false },
  {
    name: 'arping gets two MACs (real duplicate output)',
    spec: lab({ 'probe/arping-10.99.0.100.txt': fixture('arping-duplicate.txt') }),
    fires: true,
    check: (f) => {
      assert.match(f[0].summary, /2 MACs answer for 10\.99\.0\.100 \(default\/web\): 02:00:00:00:00:0[23] \(lc-n[23] eth0\), 02:00:00:00:00:0[23] \(lc-n[23] eth0\)/);
      assert.ok(f[0].evidence[0].excerpt.includes('Unicast reply from 10.99.0.100 [02:00:00:00:00:03]'));
      assert.ok(f[0].subjects.some((s) => s.kind === 'Node' && s.name === 'lc-n3'));
    },
  },
  {
    name: 'two ARP replies in the capture (real tcpdump output)',
    spec: lab({ 'capture/capture.txt': fixture('arp-conflict.txt') }),
    fires: true,
    check: (f) => assert.ok(f[0].evidence.some((e) => e.path === 'nodes/lc-n1/capture/capture.txt' && e.excerpt.includes('Reply 10.99.0.100 is-at'))),
  },
  {
    name: 'a BGP-only IP answered by several nodes is not a layer-2 problem',
    spec: { ...lab({ 'probe/arping-10.99.0.100.txt': fixture('arping-duplicate.txt') }), metallb: { ipaddresspools: [pool('lan', ['10.99.0.100-10.99.0.110'])], bgpadvertisements: [bgpad('lan')] } },
    fires: false,
  },
  {
    name: 'a MAC that belongs to no node is called out',
    spec: lab({ 'probe/arping-10.99.0.100.txt': fixture('arping-duplicate.txt').replace('02:00:00:00:00:03', '0a:bb:cc:dd:ee:ff') }),
    fires: true,
    check: (f) => {
      assert.match(f[0].summary, /0a:bb:cc:dd:ee:ff \(not a cluster node\)/);
      assert.match(f[0].remediation.summary, /Find the device with MAC 0a:bb:cc:dd:ee:ff/);
    },
  },
]);
