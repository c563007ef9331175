import assert from 'node:assert/strict';
import { bgpHealthy, caseTable, fixture, logLine } from './helpers.js';

const dropped = (n: number) => fixture('frr-lc-n1-bgp-neighbors.json').replace('"connectionsDropped":0', `"connectionsDropped":${n}`);

caseTable('bgp-session-flapping', [
  { name: 'no drops (real output)', spec: bgpHealthy(), fires: false },
  { name: 'seven drops', spec: bgpHealthy({ nodeFiles: { 'lc-n1': { 'frr/bgp-neighbors.json': dropped(7) } } }), fires: true, check: (f) => assert.match(f[0].summary, /lc-n1 → 10\.99\.0\.1 dropped 7 times/) },
  {
    name: 'native speaker logs three session-downs',
    spec: bgpHealthy({ nodeFiles: {}, logs: { 'speaker-lc-n1/speaker': Array.from({ length: 3 }, () => logLine({ level: 'warn', event: 'sessionDown', peer: '10.99.0.1:179', msg: 'BGP session down' })).join('\n') } }),
    fires: true,
    check: (f) => assert.match(f[0].summary, /logged 3 BGP session-down events for 10\.99\.0\.1:179/),
  },
]);
