import assert from 'node:assert/strict';
import { bgpHealthy, caseTable, fixture, peer } from './helpers.js';

caseTable('bfd-down', [
  { name: 'BFD up (real output)', spec: bgpHealthy(), fires: false },
  {
    name: 'BFD down with a diagnostic',
    spec: bgpHealthy({ nodeFiles: { 'lc-n1': { 'frr/bfd-peers.json': fixture('frr-lc-n1-bfd-peers.json').replace('"status":"up"', '"status":"down"').replace('"diagnostic":"ok"', '"diagnostic":"control detection time expired"') } } }),
    fires: true,
    check: (f) => assert.match(f[0].summary, /BFD lc-n1 → 10\.99\.0\.1 is down \(diagnostic: control detection time expired\)/),
  },
  {
    name: 'BGPPeer asks for BFD but FRR has no session',
    spec: bgpHealthy({
      metallb: { ...bgpHealthy().metallb, bgppeers: [peer('router', { myASN: 64512, peerASN: 64513, peerAddress: '10.99.0.1', bfdProfile: 'fast' })] },
      nodeFiles: { 'lc-n1': { 'frr/bgp-neighbors.json': fixture('frr-lc-n1-bgp-neighbors.json'), 'frr/bfd-peers.json': '[]' } },
    }),
    fires: true,
    check: (f) => assert.equal(f[0].severity, 'warning'),
  },
]);
