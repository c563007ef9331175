import assert from 'node:assert/strict';
import { test } from 'node:test';
import { electionOrder } from '../../src/checks/lib/announce.js';
import { caseTable, controller, endpoints, event, l2Base, l2ad, l2status, node, pool, service, speaker } from './helpers.js';

// Orders computed independently (python hashlib.sha256(node + "#" + ip)).
test('electionOrder sorts by sha256(node#ip) like MetalLB', () => {
  assert.deepEqual(electionOrder(['n1', 'n2', 'n3'], '192.0.2.100'), ['n3', 'n2', 'n1']);
  assert.deepEqual(electionOrder(['lc-n1', 'lc-n2', 'lc-n3'], '10.99.0.100'), ['lc-n3', 'lc-n2', 'lc-n1']);
});

const observed = (n: string) => ({ ipaddresspools: [pool('lan', ['192.0.2.100-192.0.2.110'])], l2advertisements: [l2ad('lan')], servicel2statuses: [l2status('default/web', n)] });

caseTable('l2-leader-mismatch', [
  { name: 'n3 wins the election and announces', spec: l2Base({ metallb: observed('n3') }), fires: false },
  { name: 'n1 announces although n3 wins', spec: l2Base({ metallb: observed('n1') }), fires: true, check: (f) => assert.match(f[0].summary, /announced by n1 but the election over n3, n2, n1 picks n3/) },
  { name: 'n3 speaker not ready: n2 is the rightful leader', spec: l2Base({ pods: [speaker('n1'), speaker('n2'), speaker('n3', { ready: false }), controller()], metallb: observed('n2') }), fires: false },
  {
    name: 'eTP Local restricts candidates to endpoint nodes (events as the observation)',
    spec: l2Base({ services: [service('default/web', { ip: '192.0.2.100', etp: 'Local' })], endpointSlices: [endpoints('default/web', [{ node: 'n1' }])], events: [event('default/web', 'nodeAssigned', 'announcing from node "n3" with protocol "layer2"', 'Normal')] }),
    fires: true,
    check: (f) => assert.match(f[0].summary, /announced by n3 but the election over n1 picks n1 \(n3: externalTrafficPolicy Local and no ready endpoint here\)/),
  },
  { name: 'excluded node is skipped by the election', spec: l2Base({ nodes: [node('n1'), node('n2'), node('n3', { labels: { 'node.kubernetes.io/exclude-from-external-load-balancers': 'true' } })], metallb: observed('n2') }), fires: false },
]);
