import { test } from 'node:test';
import assert from 'node:assert/strict';
import { buildPlan, labUnsupportedReason } from '../../src/lab/plan.js';
import { UserError } from '../../src/util/errors.js';
import { testWorld } from './worlds.js';

const expects = (w: ReturnType<typeof testWorld>): string[] => buildPlan(w).sessions.map((s) => `${s.node}:${s.expect}`);

test('plan: hosts, MACs, FRR nodes and where LB IPs go (BGP on lo, L2 on eth0)', () => {
  const bgp = buildPlan(testWorld('p'));
  assert.equal(bgp.mode, 'frr');
  assert.deepEqual(bgp.nodes.map((n) => [n.suffix, n.ip, n.mac, n.frr]), [
    ['n1', '192.0.2.11', '02:00:00:00:00:01', true],
    ['n2', '192.0.2.12', '02:00:00:00:00:02', true],
    ['n3', '192.0.2.13', '02:00:00:00:00:03', true],
  ]);
  assert.deepEqual(bgp.routers.map((r) => [r.suffix, r.mac, r.neighbors]), [['r1', '02:00:00:00:00:04', ['192.0.2.11', '192.0.2.12', '192.0.2.13']]]);
  assert.deepEqual(bgp.nodes[0].bgpIps, ['198.51.100.200']);
  assert.deepEqual(bgp.nodes[0].l2Ips, []);
  assert.match(bgp.routers[0].bgpdConfig, /neighbor NODES remote-as 64512/);
  assert.deepEqual(bgp.onLinkRanges, ['198.51.100.0/24']);
  const l2 = buildPlan(testWorld('p', { l2: true, dataplane: { announce: { '198.51.100.100': ['n1', 'n2'] } } }));
  assert.deepEqual(l2.nodes.map((n) => n.l2Ips), [['198.51.100.100'], ['198.51.100.100'], []]);
  assert.deepEqual(l2.sessions, []);
});

test('plan: session expectations follow both sides of the configuration', () => {
  assert.deepEqual(expects(testWorld('p')), ['n1:established', 'n2:established', 'n3:established']);
  assert.deepEqual(expects(testWorld('p', { peerAsn: 64514 })), ['n1:bad-peer-as', 'n2:bad-peer-as', 'n3:bad-peer-as']);
  assert.deepEqual(expects(testWorld('p', { password: 'a' })), ['n1:md5-mismatch', 'n2:md5-mismatch', 'n3:md5-mismatch']);
  const rid = testWorld('p', { dataplane: { nodes: { n2: { routerIdOverride: '192.0.2.1' } } } });
  assert.deepEqual(expects(rid), ['n1:established', 'n2:bad-bgp-id', 'n3:established']);
  const bfd = buildPlan(testWorld('p', { bfd: true }));
  assert.ok(bfd.sessions.every((s) => s.bfd));
  assert.match(bfd.nodes[0].frrConfig!, /neighbor 192\.0\.2\.1 bfd profile fast/);
});

test('plan: hostile or impossible data planes are refused before anything is built', () => {
  const routerInjection = testWorld('p');
  (routerInjection.dataplane as { routers: { address: string }[] }).routers[0].address = '192.0.2.1/24 dev eth0\nlink del eth0';
  assert.throws(() => buildPlan(routerInjection), (e: unknown) => e instanceof UserError && /router tor address/.test(e.message));
  assert.throws(() => buildPlan(testWorld('p', { password: 'two words' })), (e: unknown) => e instanceof UserError && /whitespace/.test(e.message));
  assert.throws(() => buildPlan(testWorld('p', { dataplane: { announce: { '198.51.100.9': ['ghost'] } } })), /unknown node/);
  assert.throws(() => buildPlan(testWorld('p', { l2: true, dataplane: { segment: '203.0.113.0/24' } })), /InternalIP inside the lab segment/);
  const native = testWorld('p', { frr: false });
  assert.match(labUnsupportedReason(native) ?? '', /native-mode BGP/);
});

test('plan: a BGPPeer in a VRF is expected to stay down (the lab creates no VRF devices)', async () => {
  const { loadScenario } = await import('../../src/sim/scenario/index.js');
  const { world } = await loadScenario('bgp-vrf-missing');
  const plan = buildPlan(world);
  assert.deepEqual(plan.sessions.filter((s) => s.node === 'worker-1').map((s) => `${s.router}:${s.expect}`), ['tor:established', 'tenant:vrf-missing']);
  assert.match(plan.nodes.find((n) => n.name === 'worker-1')!.frrConfig!, /^router bgp 64512 vrf red$/m);
});

test('plan: a routed eBGP peer without ebgp-multihop is expected to fail FRR’s connected check', async () => {
  const { loadScenario } = await import('../../src/sim/scenario/index.js');
  const { world } = await loadScenario('bgp-peer-not-connected');
  const plan = buildPlan(world);
  assert.deepEqual(plan.sessions.filter((s) => s.node === 'worker-1').map((s) => `${s.router}:${s.expect}`), ['edge:not-connected']);
  assert.ok(plan.onLinkRanges.includes('203.0.113.0/24'), 'the nodes reach the routed peer on-link, never through a connected subnet');
  (world.dataplane as { routers: { address: string }[] }).routers[1].address = '100.64.0.1';
  assert.throws(() => buildPlan(world), (e: unknown) => e instanceof UserError && /router edge address "100\.64\.0\.1"/.test(e.message));
});
