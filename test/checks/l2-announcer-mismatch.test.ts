import assert from 'node:assert/strict';
import { caseTable, fixture, l2ad, l2status, node, pool, service, speaker, endpoints, controller, type BundleSpec } from './helpers.js';

function lab(announcer: string, arping: string): BundleSpec {
  return {
    nodes: [node('lc-n1'), node('lc-n2'), node('lc-n3')],
    pods: [speaker('lc-n1'), speaker('lc-n2'), speaker('lc-n3'), controller()],
    services: [service('default/web', { ip: '10.99.0.100' })],
    endpointSlices: [endpoints('default/web', [{ node: 'lc-n2' }])],
    metallb: { ipaddresspools: [pool('lan', ['10.99.0.100-10.99.0.110'])], l2advertisements: [l2ad('lan')], servicel2statuses: [l2status('default/web', announcer)] },
    nodeFiles: {
      'lc-n1': { 'net/ip-addr.json': fixture('ip-addr-lc-n1.json'), 'probe/arping-10.99.0.100.txt': arping },
      'lc-n2': { 'net/ip-addr.json': fixture('ip-addr-lc-n2.json') },
      'lc-n3': { 'net/ip-addr.json': fixture('ip-addr-lc-n3.json') },
    },
  };
}

caseTable('l2-announcer-mismatch', [
  { name: 'lc-n2 announces and its MAC answers (real arping)', spec: lab('lc-n2', fixture('arping-single.txt')), fires: false },
  {
    name: 'lc-n3 announces but only lc-n2 answers',
    spec: lab('lc-n3', fixture('arping-single.txt')),
    fires: true,
    check: (f) => assert.match(f[0].summary, /10\.99\.0\.100 is announced by lc-n3 \(servicel2status\) but ARP is answered by lc-n2/),
  },
  { name: 'both answer, one is the announcer (left to l2-duplicate-mac)', spec: lab('lc-n3', fixture('arping-duplicate.txt')), fires: false },
]);
