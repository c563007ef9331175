import assert from 'node:assert/strict';
import { bgpHealthy, bgpLab, caseTable, fixture } from './helpers.js';

caseTable('bgp-prefix-not-advertised', [
  { name: 'lc-n1 sends 10.99.0.200/32 (real output)', spec: bgpHealthy(), fires: false },
  {
    name: 'lc-n2 session Idle (real output)',
    spec: bgpLab(),
    fires: true,
    check: (f) => {
      assert.equal(f.length, 1);
      assert.match(f[0].summary, /default\/web-bgp 10\.99\.0\.200 is not advertised from lc-n2 to 10\.99\.0\.1: the session is Idle/);
    },
  },
  {
    name: 'network statement missing from the running config',
    spec: bgpHealthy({ nodeFiles: { 'lc-n1': { 'frr/bgp-neighbors.json': fixture('frr-lc-n1-bgp-neighbors.json'), 'frr/running-config.txt': fixture('frr-lc-n1-running-config.txt').replace(/ *network 10\.99\.0\.200\/32\n/, '') } } }),
    fires: true,
    check: (f) => assert.match(f[0].summary, /default\/web-bgp 10\.99\.0\.200 is not advertised from lc-n1 to 10\.99\.0\.1: FRR's running config has no network statement for it/),
  },
  {
    name: 'Established but sentPrefixCounter 0',
    spec: bgpHealthy({ nodeFiles: { 'lc-n1': { 'frr/bgp-neighbors.json': fixture('frr-lc-n1-bgp-neighbors.json').replace('"sentPrefixCounter":1', '"sentPrefixCounter":0'), 'frr/running-config.txt': fixture('frr-lc-n1-running-config.txt') } } }),
    fires: true,
    check: (f) => assert.match(f[0].summary, /sentPrefixCounter is 0/),
  },
]);
