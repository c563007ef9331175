import assert from 'node:assert/strict';
import { caseTable, l2Base, pool } from './helpers.js';

caseTable('metallb-objects-wrong-namespace', [
  { name: 'everything in metallb-system', spec: l2Base(), fires: false },
  { name: 'a pool in default', spec: l2Base({ metallb: { ipaddresspools: [pool('lan', ['192.0.2.100/30']), pool('stray', ['198.51.100.0/30'], {}, undefined, 'default')] } }), fires: true, check: (f) => assert.match(f[0].summary, /default\/stray/) },
]);
