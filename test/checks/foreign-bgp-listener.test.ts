import assert from 'node:assert/strict';
import { bgpHealthy, caseTable, fixture } from './helpers.js';

caseTable('foreign-bgp-listener', [
  { name: 'no listener on 179', spec: bgpHealthy({ nodeFiles: { 'lc-n1': { 'net/ss.txt': 'tcp   LISTEN 0      4096   10.99.0.11:7946  0.0.0.0:*     users:(("speaker",pid=4242,fd=9))\n' } } }), fires: false },
  {
    name: 'bgpd listening on 0.0.0.0:179 (real lab ss output)',
    spec: bgpHealthy({ nodeFiles: { 'lc-n1': { 'net/ss.txt': fixture('ss-tlnpH-O-lc-n1.txt') } } }),
    fires: true,
    check: (f) => {
      assert.match(f[0].summary, /bgpd listens on TCP\/179 on lc-n1/);
      assert.ok(f[0].evidence[0].excerpt.includes('0.0.0.0:179'));
    },
  },
]);
