import assert from 'node:assert/strict';
import { caseTable, l2Base, pool } from './helpers.js';

caseTable('pool-overlap', [
  { name: 'disjoint pools', spec: l2Base({ metallb: { ipaddresspools: [pool('a', ['192.0.2.0/28']), pool('b', ['192.0.2.16-192.0.2.20'])] } }), fires: false },
  { name: 'range inside a CIDR', spec: l2Base({ metallb: { ipaddresspools: [pool('a', ['192.0.2.0/28']), pool('b', ['192.0.2.10-192.0.2.20'])] } }), fires: true, check: (f) => assert.match(f[0].summary, /Pools a and b overlap \(192\.0\.2\.0\/28 ∩ 192\.0\.2\.10-192\.0\.2\.20\)/) },
  { name: 'IPv6 pools overlap', spec: l2Base({ metallb: { ipaddresspools: [pool('a', ['2001:db8::/64']), pool('b', ['2001:db8::10-2001:db8::20'])] } }), fires: true },
  { name: 'IPv4 and IPv6 never overlap', spec: l2Base({ metallb: { ipaddresspools: [pool('a', ['192.0.2.0/24']), pool('b', ['2001:db8::/64'])] } }), fires: false },
]);
