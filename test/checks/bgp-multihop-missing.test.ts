import assert from 'node:assert/strict';
import { bgpHealthy, caseTable, fixture, peer } from './helpers.js';

const withPeer = (p: ReturnType<typeof peer>, neighbors?: string) =>
  bgpHealthy({ metallb: { ...bgpHealthy().metallb, bgppeers: [p] }, nodeFiles: { 'lc-n1': { 'net/ip-addr.json': fixture('ip-addr-lc-n1.json'), ...(neighbors ? { 'frr/bgp-neighbors.json': neighbors } : {}) } } });
const routedDown = fixture('frr-lc-n1-bgp-neighbors.json').replaceAll('10.99.0.1"', '203.0.113.1"').replace('"bgpState":"Established"', '"bgpState":"Active"');

caseTable('bgp-multihop-missing', [
  { name: 'peer on the connected /24 (real ip addr)', spec: withPeer(peer('r', { myASN: 64512, peerASN: 64513, peerAddress: '10.99.0.1' })), fires: false },
  { name: 'routed peer with ebgpMultiHop', spec: withPeer(peer('r', { myASN: 64512, peerASN: 64513, peerAddress: '203.0.113.1', ebgpMultiHop: true })), fires: false },
  { name: 'routed iBGP peer needs no multihop', spec: withPeer(peer('r', { myASN: 64512, peerASN: 64512, peerAddress: '203.0.113.1' })), fires: false },
  {
    name: 'routed eBGP peer without multihop, session Active',
    spec: withPeer(peer('r', { myASN: 64512, peerASN: 64513, peerAddress: '203.0.113.1' }), routedDown),
    fires: true,
    check: (f) => {
      assert.equal(f[0].severity, 'error');
      assert.equal(f[0].rank, 93);
      assert.match(f[0].summary, /BGPPeer r \(203\.0\.113\.1\) is not on a subnet of lc-n1 and ebgpMultiHop is not set: the session is Active/);
    },
  },
]);
