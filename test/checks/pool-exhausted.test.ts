import assert from 'node:assert/strict';
import { test } from 'node:test';
import { caseTable, l2Base, l2ad, model, pool, service } from './helpers.js';
import { rankFindings } from '../../src/checks/rank.js';
import { runChecks } from '../../src/checks/index.js';

const svcs = (n: number, base = 100) => Array.from({ length: n }, (_, i) => service(`default/s${i}`, { ip: `192.0.2.${base + i}` }));

caseTable('pool-exhausted', [
  { name: 'plenty of room', spec: l2Base(), fires: false },
  {
    name: 'every address used and a service pending',
    spec: l2Base({ services: [...svcs(4), service('default/late')], metallb: { ipaddresspools: [pool('small', ['192.0.2.100/30'])], l2advertisements: [l2ad('a')] } }),
    fires: true,
    check: (f) => {
      assert.equal(f[0].severity, 'error');
      assert.match(f[0].summary, /Pool small is exhausted: 4\/4 addresses in use, 1 service\(s\) pending/);
      // The pending service is a subject, so the pool explains its service-pending finding.
      assert.ok(f[0].subjects.some((s) => s.kind === 'Service' && s.name === 'late'));
    },
  },
  { name: 'full but nobody waiting', spec: l2Base({ services: svcs(4), metallb: { ipaddresspools: [pool('small', ['192.0.2.100/30'])], l2advertisements: [l2ad('a')] } }), fires: true, check: (f) => assert.equal(f[0].severity, 'warning') },
  { name: '9 of 10 used is nearly exhausted', spec: l2Base({ services: svcs(9), metallb: { ipaddresspools: [pool('ten', ['192.0.2.100-192.0.2.109'])], l2advertisements: [l2ad('a')] } }), fires: true, check: (f) => assert.match(f[0].summary, /nearly exhausted: 9\/10/) },
  { name: 'avoidBuggyIPs shrinks a /24 to 254 addresses', spec: l2Base({ services: svcs(3, 1), metallb: { ipaddresspools: [pool('big', ['192.0.2.0/24'], { avoidBuggyIPs: true })], l2advertisements: [l2ad('a')] } }), fires: false },
  { name: 'status.assignedIPv4 counts too (v0.15+)', spec: l2Base({ services: [], metallb: { ipaddresspools: [{ ...pool('small', ['192.0.2.100/30']), status: { assignedIPv4: 4, availableIPv4: 0 } }], l2advertisements: [l2ad('a')] } }), fires: true },
]);

test('a full pool is ranked above the service-pending finding it explains', () => {
  const spec = l2Base({ services: [...svcs(4), service('default/late')], metallb: { ipaddresspools: [pool('small', ['192.0.2.100/30'])], l2advertisements: [l2ad('a')] } });
  const ranked = rankFindings(runChecks(model(spec)));
  const poolAt = ranked.findIndex((f) => f.id === 'pool-exhausted');
  const pendingAt = ranked.findIndex((f) => f.id === 'service-pending');
  assert.ok(poolAt >= 0 && pendingAt > poolAt, ranked.map((f) => f.id).join(', '));
  assert.ok(ranked[poolAt]!.explains?.includes('service-pending'));
});
