import assert from 'node:assert/strict';
import { caseTable, event, l2Base, l2ad, l2status, pool } from './helpers.js';

const withStatuses = (...nodes: string[]) => l2Base({ metallb: { ipaddresspools: [pool('lan', ['192.0.2.100-192.0.2.110'])], l2advertisements: [l2ad('lan')], servicel2statuses: nodes.map((n, i) => l2status('default/web', n, i)) } });

caseTable('l2-multiple-announcers', [
  { name: 'one ServiceL2Status', spec: withStatuses('n3'), fires: false },
  { name: 'two ServiceL2Status objects', spec: withStatuses('n2', 'n3'), fires: true, check: (f) => { assert.equal(f[0].severity, 'error'); assert.match(f[0].summary, /announced in layer 2 by 2 nodes: n2, n3/); } },
  {
    name: 'nodeAssigned events from two nodes (maybe a failover)',
    spec: l2Base({ events: ['n1', 'n2'].map((n) => event('default/web', 'nodeAssigned', `announcing from node "${n}" with protocol "layer2"`, 'Normal')) }),
    fires: true,
    check: (f) => assert.equal(f[0].severity, 'warning'),
  },
  { name: 'BGP nodeAssigned events from several nodes are normal', spec: l2Base({ events: ['n1', 'n2'].map((n) => event('default/web', 'nodeAssigned', `announcing from node "${n}" with protocol "bgp"`, 'Normal')) }), fires: false },
]);
