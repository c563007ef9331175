import assert from 'node:assert/strict';
import { caseTable, event, l2Base, service } from './helpers.js';

const shared = (key: string) => ({ 'metallb.io/allow-shared-ip': key, 'metallb.io/loadBalancerIPs': '192.0.2.100' });

caseTable('ip-sharing-error', [
  {
    name: 'same key, different ports',
    spec: l2Base({ services: [service('default/a', { ip: '192.0.2.100', annotations: shared('k'), ports: [80] }), service('default/b', { ip: '192.0.2.100', annotations: shared('k'), ports: [443] })] }),
    fires: false,
  },
  {
    name: 'different sharing keys, second one pending with the controller message',
    spec: l2Base({
      services: [service('default/a', { ip: '192.0.2.100', annotations: shared('k1') }), service('default/b', { annotations: shared('k2'), ports: [443] })],
      events: [event('default/b', 'AllocationFailed', 'Failed to allocate IP for "default/b": sharing key "k2" does not match existing sharing key "k1"')],
    }),
    fires: true,
    check: (f) => {
      assert.match(f[0].summary, /default\/b cannot share 192\.0\.2\.100 with default\/a: sharing keys differ \("k2" vs "k1"\)/);
      assert.ok(f[0].evidence.some((e) => e.excerpt.includes('does not match existing sharing key')));
    },
  },
  {
    name: 'same port on both',
    spec: l2Base({ services: [service('default/a', { ip: '192.0.2.100', annotations: shared('k') }), service('default/b', { annotations: shared('k') })] }),
    fires: true,
    check: (f) => assert.match(f[0].summary, /port TCP\/80 used by both/),
  },
]);
