import assert from 'node:assert/strict';
import { caseTable, event, fixture, l2Base, l2ad, l2status, pool } from './helpers.js';

const withIfaces = (ifaces: string[]) => l2Base({
  metallb: { ipaddresspools: [pool('lan', ['192.0.2.100-192.0.2.110'])], l2advertisements: [l2ad('lan', { interfaces: ifaces })], servicel2statuses: [l2status('default/web', 'n3')] },
  nodeFiles: { n3: { 'net/ip-addr.json': fixture('ip-addr-lc-n3.json'), 'net/ip-link.json': fixture('ip-addr-lc-n3.json') } },
});

caseTable('l2-interface-missing', [
  { name: 'elected node has eth0 (real ip output)', spec: withIfaces(['eth0']), fires: false },
  { name: 'elected node lacks bond0', spec: withIfaces(['bond0']), fires: true, check: (f) => assert.match(f[0].summary, /elected node n3 has none of the interfaces bond0/) },
  {
    name: 'announceFailed event from the speaker',
    spec: l2Base({ events: [event('default/web', 'announceFailed', 'the interfaces specified by LB IP "192.0.2.100" doesn\'t exist in assigned node "n2" with protocol "layer2"')] }),
    fires: true,
    check: (f) => assert.match(f[0].summary, /elected node n2/),
  },
]);
