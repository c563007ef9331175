import assert from 'node:assert/strict';
import { caseTable, endpoints, l2Base } from './helpers.js';

caseTable('service-no-endpoints', [
  { name: 'ready endpoint', spec: l2Base(), fires: false },
  { name: 'no EndpointSlice', spec: l2Base({ endpointSlices: [] }), fires: true, check: (f) => assert.match(f[0].summary, /has no endpoints: MetalLB does not announce it/) },
  { name: 'endpoints not ready', spec: l2Base({ endpointSlices: [endpoints('default/web', [{ node: 'n1', ready: false }, { node: 'n2', ready: false }])] }), fires: true, check: (f) => assert.match(f[0].summary, /2 endpoint\(s\), none ready/) },
]);
