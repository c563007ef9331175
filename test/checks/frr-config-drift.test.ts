import assert from 'node:assert/strict';
import { bgpHealthy, caseTable, fixture } from './helpers.js';

const running = fixture('frr-lc-n1-running-config.txt');
const spec = (desired: string) => bgpHealthy({ nodeFiles: { 'lc-n1': { 'frr/running-config.txt': running, 'frr/desired-frr.conf': desired } } });

caseTable('frr-config-drift', [
  { name: 'desired equals running', spec: spec(running), fires: false },
  {
    name: 'desired wants another network and peer AS',
    spec: spec(running.replace('network 10.99.0.200/32', 'network 10.99.0.201/32').replace('remote-as 64513', 'remote-as 64515')),
    fires: true,
    check: (f) => {
      assert.match(f[0].summary, /missing router bgp 64512: neighbor 10\.99\.0\.1 remote-as 64515/);
      assert.match(f[0].summary, /network 10\.99\.0\.201\/32/);
      assert.ok(f[0].evidence.some((e) => e.path === 'nodes/lc-n1/frr/desired-frr.conf'));
    },
  },
]);
