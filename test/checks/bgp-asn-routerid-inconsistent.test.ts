import assert from 'node:assert/strict';
import { bgpHealthy, caseTable, peer } from './helpers.js';

const peers = (...p: ReturnType<typeof peer>[]) => bgpHealthy({ metallb: { ...bgpHealthy().metallb, bgppeers: p } });

caseTable('bgp-asn-routerid-inconsistent', [
  { name: 'two peers, same myASN', spec: peers(peer('a', { myASN: 64512, peerASN: 64513, peerAddress: '10.99.0.1' }), peer('b', { myASN: 64512, peerASN: 64513, peerAddress: '10.99.0.2' })), fires: false },
  { name: 'different myASN on one node', spec: peers(peer('a', { myASN: 64512, peerASN: 64513, peerAddress: '10.99.0.1' }), peer('b', { myASN: 64600, peerASN: 64513, peerAddress: '10.99.0.2' })), fires: true, check: (f) => assert.match(f[0].summary, /BGPPeers a, b all select lc-n1 but disagree: myASN 64512 vs 64600/) },
  { name: 'different VRFs may differ', spec: peers(peer('a', { myASN: 64512, peerASN: 64513, peerAddress: '10.99.0.1' }), peer('b', { myASN: 64600, peerASN: 64513, peerAddress: '10.99.0.2', vrf: 'red' })), fires: false },
  { name: 'different routerID', spec: peers(peer('a', { myASN: 64512, peerASN: 64513, peerAddress: '10.99.0.1', routerID: '10.0.0.1' }), peer('b', { myASN: 64512, peerASN: 64513, peerAddress: '10.99.0.2', routerID: '10.0.0.2' })), fires: true, check: (f) => assert.match(f[0].summary, /routerID 10\.0\.0\.1 vs 10\.0\.0\.2/) },
]);
