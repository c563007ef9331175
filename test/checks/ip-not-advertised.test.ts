import assert from 'node:assert/strict';
import { caseTable, l2Base, l2ad, bgpad, pool, service } from './helpers.js';

caseTable('ip-not-advertised', [
  { name: 'L2Advertisement with no pool list selects every pool', spec: l2Base(), fires: false },
  {
    name: 'no advertisement at all',
    spec: l2Base({ metallb: { ipaddresspools: [pool('lan', ['192.0.2.100-192.0.2.110'])] } }),
    fires: true,
    check: (f) => {
      assert.match(f[0].summary, /default\/web got 192\.0\.2\.100 from pool lan.*no L2Advertisement or BGPAdvertisement at all/);
      assert.match(f[0].remediation.snippet ?? '', /kind: L2Advertisement[\s\S]*- lan/);
    },
  },
  {
    name: 'advertisement names another pool',
    spec: l2Base({ metallb: { ipaddresspools: [pool('lan', ['192.0.2.100-192.0.2.110']), pool('other', ['198.51.100.0/28'])], l2advertisements: [l2ad('x', { ipAddressPools: ['other'] })] } }),
    fires: true,
    check: (f) => assert.match(f[0].summary, /advertisement\(s\) x exist but select other pools/),
  },
  {
    name: 'ipAddressPoolSelectors match the pool labels',
    spec: l2Base({ metallb: { ipaddresspools: [pool('lan', ['192.0.2.100-192.0.2.110'], {}, { zone: 'a' })], l2advertisements: [l2ad('x', { ipAddressPoolSelectors: [{ matchLabels: { zone: 'a' } }] })] } }),
    fires: false,
  },
  {
    name: 'ipAddressPoolSelectors with matchExpressions that exclude the pool',
    spec: l2Base({ metallb: { ipaddresspools: [pool('lan', ['192.0.2.100-192.0.2.110'], {}, { zone: 'a' })], l2advertisements: [l2ad('x', { ipAddressPoolSelectors: [{ matchExpressions: [{ key: 'zone', operator: 'NotIn', values: ['a'] }] }] })] } }),
    fires: true,
  },
  {
    name: 'BGPAdvertisement selects the pool',
    spec: l2Base({ metallb: { ipaddresspools: [pool('lan', ['192.0.2.100-192.0.2.110'])], bgpadvertisements: [bgpad('b', { ipAddressPools: ['lan'] })] } }),
    fires: false,
  },
  {
    name: 'serviceSelectors exclude the service',
    spec: l2Base({ services: [service('default/web', { ip: '192.0.2.100', labels: { tier: 'db' } })], metallb: { ipaddresspools: [pool('lan', ['192.0.2.100-192.0.2.110'])], l2advertisements: [l2ad('x', { serviceSelectors: [{ matchLabels: { tier: 'web' } }] })] } }),
    fires: true,
    check: (f) => assert.match(f[0].summary, /serviceSelectors exclude the service/),
  },
  { name: 'pending service has nothing to advertise', spec: l2Base({ services: [service('default/web')], metallb: { ipaddresspools: [pool('lan', ['192.0.2.100-192.0.2.110'])] } }), fires: false },
]);
