import assert from 'node:assert/strict';
import { caseTable, bgpad, controller, endpoints, event, l2Base, l2ad, l2status, node, peer, pool, service, speaker } from './helpers.js';

const hostSelector = (host: string) => [{ matchLabels: { 'kubernetes.io/hostname': host } }];

caseTable('announcer-eligibility', [
  { name: 'healthy: the elected node announces', spec: l2Base({ metallb: { ipaddresspools: [pool('lan', ['192.0.2.100-192.0.2.110'])], l2advertisements: [l2ad('lan')], servicel2statuses: [] } }), fires: false },
  {
    name: 'L2Advertisement nodeSelectors match no node (metallb/metallb#1663)',
    spec: l2Base({ metallb: { ipaddresspools: [pool('lan', ['192.0.2.100-192.0.2.110'])], l2advertisements: [l2ad('lan', { nodeSelectors: [{ matchLabels: { advertiser: 'true' } }] })] } }),
    fires: true,
    check: (f) => {
      assert.equal(f[0].severity, 'error');
      assert.match(f[0].summary, /default\/web 192\.0\.2\.100: no node may announce it over layer 2; the advertisement nodeSelectors removed the last 3 nodes \(n3: no L2Advertisement selects this node\)/);
      assert.ok(f[0].evidence.some((e) => e.excerpt.includes('advertiser')), 'the advertisement is quoted');
      assert.deepEqual(f[0].subjects.map((s) => s.name), ['web', 'n1', 'n2', 'n3']);
    },
  },
  {
    name: 'every speaker not ready',
    spec: l2Base({ pods: [speaker('n1', { ready: false }), speaker('n2', { ready: false }), speaker('n3', { ready: false }), controller()] }),
    fires: true,
    check: (f) => assert.match(f[0].summary, /speaker readiness removed the last 3 nodes \(n3: speaker not ready\)/),
  },
  {
    name: 'BGP: the only BGPPeer selects a node no advertisement allows',
    spec: l2Base({
      metallb: {
        ipaddresspools: [pool('lan', ['192.0.2.100-192.0.2.110'])],
        bgpadvertisements: [bgpad('lan', { nodeSelectors: hostSelector('n2') })],
        bgppeers: [peer('tor', { myASN: 64512, peerASN: 64513, peerAddress: '192.0.2.1', nodeSelectors: hostSelector('n1') })],
      },
    }),
    fires: true,
    check: (f) => {
      assert.match(f[0].summary, /over BGP; the BGPPeers' nodeSelectors removed the last node \(n2: no BGPPeer selects this node\)/);
      assert.ok(f[0].evidence.some((e) => e.excerpt.includes('192.0.2.1')), 'the peer is quoted');
    },
  },
  {
    name: 'an announcing node the rules exclude (NetworkUnavailable) is reported as a warning',
    spec: l2Base({
      nodes: [node('n1', { ip: '192.0.2.11' }), node('n2', { ip: '192.0.2.12', networkUnavailable: true }), node('n3', { ip: '192.0.2.13' })],
      endpointSlices: [endpoints('default/web', [{ node: 'n1' }, { node: 'n2' }, { node: 'n3' }])],
      events: [event('default/web', 'nodeAssigned', 'announcing from node "n2" with protocol "layer2"', 'Normal')],
      metallb: { ipaddresspools: [pool('lan', ['192.0.2.100-192.0.2.110'])], l2advertisements: [l2ad('lan')], servicel2statuses: [l2status('default/web', 'n2')] },
    }),
    fires: true,
    check: (f) => {
      assert.equal(f[0].severity, 'warning');
      assert.match(f[0].summary, /announced over layer 2 by n2, which MetalLB's rules exclude: n2: NetworkUnavailable condition/);
    },
  },
  {
    name: 'an IP no pool contains any more',
    spec: l2Base({ services: [service('default/web', { ip: '203.0.113.7' })] }),
    fires: true,
    check: (f) => assert.match(f[0].summary, /holds 203\.0\.113\.7, which no IPAddressPool contains/),
  },
  { name: 'pending services are service-pending’s', spec: l2Base({ services: [service('default/web')] }), fires: false },
  { name: 'no advertisement is ip-not-advertised’s', spec: l2Base({ metallb: { ipaddresspools: [pool('lan', ['192.0.2.100-192.0.2.110'])] } }), fires: false },
]);
