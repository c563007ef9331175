import assert from 'node:assert/strict';
import { bgpad, caseTable, controller, endpoints, l2Base, node, peer, pool, service, speaker } from './helpers.js';

caseTable('speaker-missing', [
  { name: 'speaker ready everywhere', spec: l2Base(), fires: false },
  {
    name: 'tainted node without speaker hosts the only eTP Local endpoint',
    spec: l2Base({
      nodes: [node('n1'), node('n2', { taints: [{ key: 'dedicated', value: 'edge', effect: 'NoSchedule' }] }), node('n3')],
      pods: [speaker('n1'), speaker('n3'), controller()],
      services: [service('default/web', { ip: '192.0.2.100', etp: 'Local' })],
      endpointSlices: [endpoints('default/web', [{ node: 'n2' }])],
    }),
    fires: true,
    check: (f) => {
      assert.equal(f[0].severity, 'error');
      assert.match(f[0].summary, /Speaker missing on n2: no speaker pod; node taints dedicated=edge:NoSchedule/);
      assert.match(f[0].remediation.snippet ?? '', /key: dedicated\n\s+operator: Exists\n\s+effect: NoSchedule/);
    },
  },
  {
    name: 'speaker crash-looping on a BGP node',
    spec: {
      nodes: [node('n1')],
      pods: [speaker('n1', { ready: false, waiting: 'CrashLoopBackOff', restarts: 7 }), controller()],
      services: [service('default/web', { ip: '198.51.100.10' })],
      endpointSlices: [endpoints('default/web', [{ node: 'n1' }])],
      metallb: { ipaddresspools: [pool('bgp', ['198.51.100.0/28'])], bgpadvertisements: [bgpad('b')], bgppeers: [peer('r', { myASN: 64512, peerASN: 64513, peerAddress: '192.0.2.1' })] },
    },
    fires: true,
    check: (f) => assert.match(f[0].summary, /speaker speaker-n1 not ready \(Running, CrashLoopBackOff\)/),
  },
  { name: 'node not selected by the L2Advertisement need not run a speaker', spec: l2Base({ pods: [speaker('n1'), speaker('n2'), controller()], metallb: { ipaddresspools: [pool('lan', ['192.0.2.100-192.0.2.110'])], l2advertisements: [{ metadata: { name: 'a', namespace: 'metallb-system' }, spec: { nodeSelectors: [{ matchExpressions: [{ key: 'kubernetes.io/hostname', operator: 'In', values: ['n1', 'n2'] }] }] } }] } }), fires: false },
]);
