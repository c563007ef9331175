import assert from 'node:assert/strict';
import { bgpHealthy, bgpLab, bgpad, caseTable, l2Base, peer, pool } from './helpers.js';

const hostSel = (n: string) => [{ matchLabels: { 'kubernetes.io/hostname': n } }];
const router = (nodeSelectors?: object[]) => peer('router', { myASN: 64512, peerASN: 64513, peerAddress: '10.99.0.1', ...(nodeSelectors ? { nodeSelectors } : {}) });
const bgpPool = pool('bgp', ['10.99.0.200/32']);

caseTable('bgp-advertisement-without-peer', [
  { name: 'peer selects the announcing node, session Established (real FRR output)', spec: bgpHealthy(), fires: false },
  { name: 'layer-2 pool', spec: l2Base(), fires: false },
  { name: 'peer selected, but no session state in the bundle: no judgement on sessions', spec: bgpHealthy({ nodeFiles: {} }), fires: false },
  { name: 'the BGPPeer list could not be read (no file): no claim about peers', spec: bgpHealthy({ metallb: { ipaddresspools: [bgpPool], bgpadvertisements: [bgpad('bgp')] } }), fires: false },
  {
    name: 'no BGPPeer at all',
    spec: bgpHealthy({ metallb: { ipaddresspools: [bgpPool], bgpadvertisements: [bgpad('bgp')], bgppeers: [] } }),
    fires: true,
    check: (f) => {
      assert.equal(f.length, 1);
      assert.equal(f[0].severity, 'error');
      assert.equal(f[0].summary, 'Pool bgp is advertised over BGP (BGPAdvertisement bgp) but there is no BGPPeer; 1 service(s) with an IP from it (default/web-bgp) are announced to nobody');
      assert.deepEqual(f[0].subjects.map((s) => `${s.kind}/${s.name}`), ['IPAddressPool/bgp', 'BGPAdvertisement/bgp']);
      assert.match(f[0].evidence[1].excerpt, /no BGPPeer in the cluster/);
    },
  },
  {
    name: 'no BGPPeer, and no service uses the pool yet',
    spec: bgpHealthy({ services: [], metallb: { ipaddresspools: [bgpPool], bgpadvertisements: [bgpad('bgp')], bgppeers: [] } }),
    fires: true,
    check: (f) => assert.equal(f[0].severity, 'warning'),
  },
  {
    name: "the peer's nodeSelectors select no node that may announce",
    spec: bgpHealthy({ metallb: { ipaddresspools: [bgpPool], bgpadvertisements: [bgpad('bgp')], bgppeers: [router(hostSel('lc-n9'))] } }),
    fires: true,
    check: (f) => assert.match(f[0].summary, /^Pool bgp is advertised over BGP but no BGPPeer \(router\) selects a node that may announce it \(lc-n1\); 1 service/),
  },
  {
    name: "the advertisement's nodeSelectors match no node",
    spec: bgpHealthy({ metallb: { ipaddresspools: [bgpPool], bgpadvertisements: [bgpad('bgp', { nodeSelectors: [{ matchLabels: { rack: 'r9' } }] })], bgppeers: [router()] } }),
    fires: true,
    check: (f) => assert.match(f[0].summary, /\(none: the advertisement's nodeSelectors match no eligible node\)/),
  },
  {
    name: "the advertisement's peers name a BGPPeer that does not exist",
    spec: bgpHealthy({ metallb: { ipaddresspools: [bgpPool], bgpadvertisements: [bgpad('bgp', { peers: ['spine'] })], bgppeers: [router()] } }),
    fires: true,
    check: (f) => assert.match(f[0].summary, /no BGPPeer \(router\) named in the advertisement's peers \(spine\) selects a node/),
  },
  {
    name: 'the only announcing node sits Idle with a bad peer AS (real FRR output)',
    spec: bgpLab({ metallb: { ...bgpLab().metallb, bgpadvertisements: [bgpad('bgp', { nodeSelectors: hostSel('lc-n2') })] } }),
    fires: true,
    check: (f) => {
      assert.equal(f[0].severity, 'warning');
      assert.equal(f[0].rank, 40, 'ranked below bgp-session-down, which names the cause');
      assert.match(f[0].summary, /none of its 1 session\(s\) is Established \(lc-n2 → 10\.99\.0\.1\)/);
    },
  },
  {
    name: 'native mode: the speaker gauge says the session is down',
    spec: bgpHealthy({ nodeFiles: { 'lc-n1': { 'metrics/metrics-7472.txt': '# HELP metallb_bgp_session_up BGP session state (1 is up, 0 is down)\n# TYPE metallb_bgp_session_up gauge\nmetallb_bgp_session_up{peer="10.99.0.1:179"} 0\n' } } }),
    fires: true,
    check: (f) => assert.match(f[0].summary, /none of its 1 session\(s\) is Established \(lc-n1 → 10\.99\.0\.1\)/),
  },
  {
    name: 'native mode: the speaker gauge says the session is up',
    spec: bgpHealthy({ nodeFiles: { 'lc-n1': { 'metrics/metrics-7472.txt': '# TYPE metallb_bgp_session_up gauge\nmetallb_bgp_session_up{peer="10.99.0.1:179"} 1\n' } } }),
    fires: false,
  },
]);
