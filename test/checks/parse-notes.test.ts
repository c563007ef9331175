import assert from 'node:assert/strict';
import { caseTable, l2Base } from './helpers.js';

caseTable('parse-notes', [
  { name: 'clean bundle', spec: l2Base(), fires: false },
  { name: 'truncated JSON', spec: l2Base({ nodeFiles: { n1: { 'frr/bgp-neighbors.json': '{"10.99.0.1":{"bgpState":"Estab' } } }), fires: true, check: (f) => assert.ok(f[0].evidence.some((e) => e.path === 'nodes/n1/frr/bgp-neighbors.json')) },
]);
