import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import {
  renderFrrConfig,
  significantLines,
  frrModelForNode,
  durationSeconds,
  maskedPrefix,
  poolEntryContains,
  selectorMatches,
  splitIntegratedConfig,
  type FrrConfigModel,
  type FrrNeighbor,
  type FrrRouter,
} from '../../src/sim/scenario/metallb-frr-config.js';
import type { KubeObject } from '../../src/model/cluster.js';

const golden = (name: string): string => readFileSync(new URL(`../../fixtures/lab/frr-rendered/${name}.conf`, import.meta.url), 'utf8');

function neighbor(addr: string, over: Partial<FrrNeighbor> = {}): FrrNeighbor {
  return {
    addr,
    asn: '200',
    family: addr.includes(':') ? 'ipv6' : 'ipv4',
    port: 179,
    keepaliveTime: 1,
    holdTime: 1,
    password: 'password',
    srcAddr: '10.1.1.254',
    prefixesV4: [],
    prefixesV6: [],
    localPrefLists: [],
    communityLists: [],
    ...over,
  };
}

function router(neighbors: FrrNeighbor[], over: Partial<FrrRouter> = {}): FrrRouter {
  return { myAsn: 100, routerId: '10.1.1.254', neighbors, ipv4Prefixes: [], ipv6Prefixes: [], ...over };
}

function model(routers: FrrRouter[], over: Partial<FrrConfigModel> = {}): FrrConfigModel {
  return { logLevel: 'informational', hostname: 'dummyhostname', routers, bfdProfiles: [], ...over };
}

const bfdFoo = { receiveInterval: 60, transmitInterval: 70, detectMultiplier: 5, echoInterval: 90, minimumTtl: 60 };

const advertised = (id: string): Partial<FrrNeighbor> => ({
  prefixesV4: ['172.16.1.10/24'],
  localPrefLists: [{ name: `${id}-300-ip-localpref-prefixes`, family: 'ip', prefixes: ['172.16.1.10/24'], setStatement: 'set local-preference 300' }],
  communityLists: [
    { name: `${id}-1111:2222-ip-community-prefixes`, family: 'ip', prefixes: ['172.16.1.10/24'], setStatement: 'set community 1111:2222 additive' },
    { name: `${id}-3333:4444-ip-community-prefixes`, family: 'ip', prefixes: ['172.16.1.10/24'], setStatement: 'set community 3333:4444 additive' },
  ],
});

const cases: Record<string, FrrConfigModel> = {
  TestSingleEBGPSessionOneHop: model([router([neighbor('127.0.0.2')])]),
  TestSingleEBGPSessionMultiHop: model([router([neighbor('10.2.2.254', { ebgpMultiHop: true })])]),
  TestSingleIBGPSession: model([router([neighbor('10.2.2.254', { asn: '100' })])]),
  TestSingleSessionExtras: model([router([neighbor('127.0.0.2', { connectTime: 1 })])], { extraConfig: '# hello' }),
  TestSingleSessionWithLocalASN: model([router([neighbor('10.2.2.254', { localAsn: 65410 })])]),
  TestSingleSessionWithNoTimers: model([
    router([neighbor('10.2.2.254', { asn: '100', keepaliveTime: undefined, holdTime: undefined, password: undefined, srcAddr: undefined })], { myAsn: 102, routerId: undefined }),
  ]),
  TestSingleIPv6EBGPSessionOneHop: model([router([neighbor('127:0:0::2', { srcAddr: '10:1:1::254' })])]),
  TestUnnumberedSession: model([
    router([neighbor('', { iface: 'net0', asn: 'external', keepaliveTime: undefined, holdTime: undefined, password: undefined, gracefulRestart: true })], { myAsn: 102 }),
  ]),
  TestTwoSessions: model([
    router([neighbor('10.2.2.254', { ebgpMultiHop: true, connectTime: 1 })]),
    router([neighbor('10.4.4.255', { asn: '400', ebgpMultiHop: true, connectTime: 1, srcAddr: '10.3.3.254' })], { myAsn: 300, routerId: '10.3.3.254' }),
  ]),
  TestIPv4AndIPv6SessionsDualStackFamily: model([
    router([neighbor('10:2:2::254', { dualStack: true, srcAddr: '10:1:1::254' })]),
    router([neighbor('10.4.4.255', { asn: '400', dualStack: true, ebgpMultiHop: true, srcAddr: '10.3.3.254' })], { myAsn: 300, routerId: '10.3.3.254' }),
  ]),
  TestBFDWithSession: model([router([neighbor('10.2.2.254', { ebgpMultiHop: true, keepaliveTime: 2, bfdProfile: 'foo' })])], {
    bfdProfiles: [
      { name: 'bar', ...bfdFoo },
      { name: 'foo', ...bfdFoo },
    ],
  }),
  TestBFDProfileCornerCases: model([], { bfdProfiles: [{ name: 'foo', ...bfdFoo, echoMode: true, passiveMode: true }] }),
  TestLoggingConfigurationDebug: model([], { logLevel: 'debugging' }),
  TestSingleAdvertisement: model([router([neighbor('10.2.2.254', { ebgpMultiHop: true, connectTime: 1, ...advertised('10.2.2.254') })], { ipv4Prefixes: ['172.16.1.10/24'] })]),
  TestSingleAdvertisementVRF: model([router([neighbor('10.2.2.254', advertised('10.2.2.254-red'))], { vrf: 'red', ipv4Prefixes: ['172.16.1.10/24'] })]),
  TestLargeCommunities: model([
    router(
      [
        neighbor('10.2.2.254', {
          ebgpMultiHop: true,
          prefixesV4: ['172.16.1.10/24'],
          localPrefLists: [{ name: '10.2.2.254-300-ip-localpref-prefixes', family: 'ip', prefixes: ['172.16.1.10/24'], setStatement: 'set local-preference 300' }],
          communityLists: [
            { name: '10.2.2.254-3333:4444-ip-community-prefixes', family: 'ip', prefixes: ['172.16.1.10/24'], setStatement: 'set community 3333:4444 additive' },
            { name: '10.2.2.254-large:1111:2222:3333-ip-community-prefixes', family: 'ip', prefixes: ['172.16.1.10/24'], setStatement: 'set large-community 1111:2222:3333 additive' },
            { name: '10.2.2.254-large:2222:3333:4444-ip-community-prefixes', family: 'ip', prefixes: ['172.16.1.10/24'], setStatement: 'set large-community 2222:3333:4444 additive' },
          ],
        }),
      ],
      { ipv4Prefixes: ['172.16.1.10/24'] },
    ),
  ]),
};

for (const [name, m] of Object.entries(cases)) {
  test(`renderer matches MetalLB golden ${name}`, () => {
    assert.deepEqual(significantLines(renderFrrConfig(m)), significantLines(golden(name)));
  });
}

test('a changed field shows up as a difference against the golden file', () => {
  const wrong = model([router([neighbor('127.0.0.2', { asn: '201' })])]);
  assert.notDeepEqual(significantLines(renderFrrConfig(wrong)), significantLines(golden('TestSingleEBGPSessionOneHop')));
});

// ---------------------------------------------------------------- from Kubernetes objects

const ns = 'metallb-system';
const obj = (kind: string, name: string, spec: unknown, extra: Partial<KubeObject> = {}): KubeObject => ({
  apiVersion: kind === 'Service' || kind === 'Secret' ? 'v1' : 'metallb.io/v1beta1',
  kind,
  metadata: { name, namespace: ns, ...(extra.metadata ?? {}) },
  spec,
  ...extra,
});

function objectsFor(): KubeObject[] {
  return [
    obj('BGPPeer', 'router', {
      myASN: 100,
      peerASN: 200,
      peerAddress: '10.2.2.254',
      routerID: '10.1.1.254',
      holdTime: '1s',
      keepaliveTime: '1s',
      connectTime: '1s',
      ebgpMultiHop: true,
      sourceAddress: '10.1.1.254',
      passwordSecret: { name: 'bgp-secret', namespace: ns },
    }),
    { apiVersion: 'v1', kind: 'Secret', metadata: { name: 'bgp-secret', namespace: ns }, data: { password: Buffer.from('password').toString('base64') } } as KubeObject,
    obj('BGPPeer', 'other-rack', { myASN: 100, peerASN: 300, peerAddress: '10.9.9.9', nodeSelectors: [{ matchLabels: { rack: 'b' } }] }),
    obj('IPAddressPool', 'pool', { addresses: ['172.16.1.0/24'] }),
    obj('BGPAdvertisement', 'adv', { aggregationLength: 24, localPref: 300, communities: ['1111:2222', 'alias'] }),
    obj('Community', 'communities', { communities: [{ name: 'alias', value: '3333:4444' }] }),
    obj('Service', 'web', { type: 'LoadBalancer' }, { metadata: { name: 'web', namespace: 'default' }, status: { loadBalancer: { ingress: [{ ip: '172.16.1.10' }] } } }),
    obj('Service', 'not-lb', { type: 'ClusterIP' }, { metadata: { name: 'not-lb', namespace: 'default' } }),
  ];
}

test('model from BGPPeer/Secret/IPAddressPool/BGPAdvertisement/Community objects renders like MetalLB', () => {
  const m = frrModelForNode(objectsFor(), { name: 'dummyhostname', labels: { rack: 'a' } });
  // MetalLB masks the LB IP to the aggregation length; otherwise the config equals the golden one.
  const expected = significantLines(golden('TestSingleAdvertisement')).map((l) => l.replace('172.16.1.10/24', '172.16.1.0/24'));
  assert.deepEqual(significantLines(renderFrrConfig(m)), expected);
});

test('peers whose nodeSelectors do not match the node are left out; others join', () => {
  const onA = frrModelForNode(objectsFor(), { name: 'n1', labels: { rack: 'a' } });
  assert.deepEqual(onA.routers.flatMap((r) => r.neighbors.map((n) => n.addr)), ['10.2.2.254']);
  const onB = frrModelForNode(objectsFor(), { name: 'n2', labels: { rack: 'b' } });
  assert.deepEqual(onB.routers.flatMap((r) => r.neighbors.map((n) => n.addr)), ['10.9.9.9', '10.2.2.254']);
});

test('advertisedIps and routerIdOverride restrict and override what a node renders', () => {
  const m = frrModelForNode(objectsFor(), { name: 'n1' }, { advertisedIps: () => false, routerIdOverride: '192.0.2.99' });
  assert.equal(m.routers[0].routerId, '192.0.2.99');
  assert.deepEqual(m.routers[0].ipv4Prefixes, []);
  const text = renderFrrConfig(m);
  assert.match(text, /ip prefix-list 10\.2\.2\.254-allowed-ipv4 seq 1 deny any/);
  assert.doesNotMatch(text, /^\s*network /m);
});

test('default timers: no holdTime means no timers line; holdTime alone gives keepalive = hold/3', () => {
  const objs = [obj('BGPPeer', 'p', { myASN: 64512, peerASN: 64513, peerAddress: '192.0.2.1' })];
  assert.doesNotMatch(renderFrrConfig(frrModelForNode(objs, { name: 'n1' })), /timers/);
  objs[0].spec.holdTime = '90s';
  assert.match(renderFrrConfig(frrModelForNode(objs, { name: 'n1' })), /neighbor 192\.0\.2\.1 timers 30 90/);
});

test('helpers: durations, prefixes, pools, selectors', () => {
  assert.equal(durationSeconds('1m30s'), 90);
  assert.equal(durationSeconds('3s'), 3);
  assert.equal(durationSeconds('bogus'), undefined);
  assert.equal(maskedPrefix('198.51.100.200', 32), '198.51.100.200/32');
  assert.equal(maskedPrefix('198.51.100.200', 24), '198.51.100.0/24');
  assert.equal(maskedPrefix('2001:db8::1', 64), '2001:db8::/64');
  assert.equal(poolEntryContains('198.51.100.0/24', '198.51.100.7'), true);
  assert.equal(poolEntryContains('198.51.100.0/24', '203.0.113.7'), false);
  assert.equal(poolEntryContains('198.51.100.10-198.51.100.20', '198.51.100.15'), true);
  assert.equal(poolEntryContains('198.51.100.10-198.51.100.20', '198.51.100.21'), false);
  assert.equal(selectorMatches({ matchExpressions: [{ key: 'a', operator: 'In', values: ['x'] }] }, { a: 'x' }), true);
  assert.equal(selectorMatches({ matchExpressions: [{ key: 'a', operator: 'DoesNotExist' }] }, { a: 'x' }), false);
});

test('integrated config split per daemon: bfd block to bfdd, nht to zebra, the rest to bgpd', () => {
  const parts = splitIntegratedConfig(golden('TestBFDWithSession'));
  assert.match(parts.bfdd, /^bfd\n {2}profile bar\n/m);
  assert.doesNotMatch(parts.bgpd, /profile bar|receive-interval/);
  assert.match(parts.bgpd, /^router bgp 100$/m);
  assert.match(parts.bgpd, /^ {4}neighbor 10\.2\.2\.254 route-map 10\.2\.2\.254-out out$/m);
  assert.match(parts.bgpd, /^ {2}match ip address prefix-list 10\.2\.2\.254-allowed-ipv4$/m);
  assert.match(parts.zebra, /^ip nht resolve-via-default$/m);
  assert.doesNotMatch(parts.zebra, /router bgp/);
  for (const d of ['zebra', 'bgpd', 'bfdd', 'staticd'] as const) assert.match(parts[d], /^hostname dummyhostname$/m);
  // Nothing is lost: every significant line lands in at least one daemon.
  const union = new Set(Object.values(parts).flatMap((p) => significantLines(p)));
  for (const l of significantLines(golden('TestBFDWithSession'))) assert.ok(union.has(l), l);
});
