import assert from 'node:assert/strict';
import { bgpLab, caseTable, fixture, peer } from './helpers.js';

// lc-n2 peers with the same router as lc-n1 (same AS this time) and is refused: the lab's real
// neighbors JSON with the state and NOTIFICATION a router that keeps one session sends (RFC 4486 Cease/5).
const refused = (reason: string, code: string) =>
  fixture('frr-lc-n2-bgp-neighbors.json')
    .replace('"bgpState":"Idle"', '"bgpState":"Active"')
    .replace('"lastErrorCodeSubcode":"0202"', `"lastErrorCodeSubcode":"${code}"`)
    .replace('"lastNotificationReason":"OPEN Message Error\\/Bad Peer AS"', `"lastNotificationReason":"${reason.replace('/', '\\/')}"`)
    .replace('"lastResetDueTo":"BGP Notification send"', '"lastResetDueTo":"BGP Notification received"');
const sameAs = { bgppeers: [peer('router', { myASN: 64512, peerASN: 64513, peerAddress: '10.99.0.1' })] };
const lab = (n2Neighbors: string, over = {}) => {
  const b = bgpLab(over, { 'frr/bgp-neighbors.json': n2Neighbors });
  return { ...b, metallb: { ...b.metallb, ...sameAs } };
};

caseTable('bgp-router-single-session', [
  {
    name: 'lc-n1 Established, lc-n2 refused with Cease/Connection Rejected',
    spec: lab(refused('Cease/Connection Rejected', '0605')),
    fires: true,
    check: (f) => {
      assert.equal(f.length, 1);
      assert.equal(f[0].severity, 'error');
      assert.match(f[0].summary, /^Router 10\.99\.0\.1 keeps one BGP session: lc-n1 Established, lc-n2 refused with Cease\/Connection Rejected \(Active\)$/);
      assert.ok(f[0].evidence.some((e) => e.path === 'nodes/lc-n2/frr/bgp-neighbors.json' && /Connection Rejected/.test(e.excerpt)), 'cites the refused neighbor');
    },
  },
  { name: 'collision resolution (a router seeing every node as one address) counts too', spec: lab(refused('Cease/Connection Collision Resolution', '0607')), fires: true },
  { name: 'the real lab: lc-n2 fails on a bad peer AS, not a refusal', spec: bgpLab(), fires: false },
  {
    name: 'every session refused: nothing kept, not this pattern',
    spec: lab(refused('Cease/Connection Rejected', '0605'), { nodeFiles: { 'lc-n1': { 'frr/bgp-neighbors.json': refused('Cease/Connection Rejected', '0605').replaceAll('10.99.0.12', '10.99.0.11') }, 'lc-n2': { 'frr/bgp-neighbors.json': refused('Cease/Connection Rejected', '0605') } } }),
    fires: false,
  },
]);
