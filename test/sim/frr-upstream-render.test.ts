/**
 * The simulator's FRR config for BGPAdvertisement aggregationLength / localPref / communities and
 * BGPPeer vrf, checked against MetalLB's own golden renderings (fixtures/lab/frr-rendered, copied
 * unchanged from metallb internal/bgp/frr/testdata). Each case is the upstream unit test's input
 * written as a scenario; the running config must carry the same route-map entries (in FRR's order:
 * `on-match next` before `set`, as the lab's FRR 8.4 prints them).
 *
 * MetalLB's unit tests hand the renderer an unmasked prefix (172.16.1.10/24); the speaker masks the
 * service IP with aggregationLength first (bgp_controller: ip.Mask), so the scenario announces
 * 172.16.1.0/24 and the golden text is compared with that one prefix masked.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadScenario } from '../../src/sim/scenario/index.js';
import type { ReplayBackend } from '../../src/sim/scenario/replay.js';
import { desiredConfig, runningConfig } from '../../src/sim/scenario/frr.js';
import { significantLines } from '../../src/sim/scenario/metallb-frr-config.js';

const golden = (name: string): string => readFileSync(new URL(`../../fixtures/lab/frr-rendered/${name}.conf`, import.meta.url), 'utf8').replaceAll('172.16.1.10/24', '172.16.1.0/24');

/** The upstream tests' session (AS 100 → 200 at 10.2.2.254, router-id and source 10.1.1.254, timers 1 1, password) with one advertisement. */
function scenario(ad: Record<string, unknown>, peer: Record<string, unknown> = {}, extra = ''): string {
  const obj = (o: Record<string, unknown>): string => JSON.stringify(o);
  return `name: upstream-case
install: { version: v0.16.1, mode: frr }
nodes: [{ name: dummyhostname }]
services: [{ name: web, ip: 172.16.1.10, ports: [{ port: 80 }] }]
objects:
  - ${obj({ apiVersion: 'metallb.io/v1beta1', kind: 'IPAddressPool', metadata: { name: 'pool' }, spec: { addresses: ['172.16.1.0/24'] } })}
  - ${obj({ apiVersion: 'metallb.io/v1beta2', kind: 'BGPPeer', metadata: { name: 'peer' }, spec: { myASN: 100, peerASN: 200, peerAddress: '10.2.2.254', routerID: '10.1.1.254', sourceAddress: '10.1.1.254', password: 'password', holdTime: '1s', keepaliveTime: '1s', ...peer } })}
  - ${obj({ apiVersion: 'metallb.io/v1beta1', kind: 'BGPAdvertisement', metadata: { name: 'ad' }, spec: { ipAddressPools: ['pool'], aggregationLength: 24, ...ad } })}
${extra}`;
}

const cases: { golden: string; yaml: string; running: RegExp[] }[] = [
  {
    // localPref 300, communities 1111:2222 and 3333:4444, ebgp-multihop, connect timer 1.
    golden: 'TestSingleAdvertisement',
    yaml: scenario({ localPref: 300, communities: ['1111:2222', '3333:4444'] }, { ebgpMultiHop: true, connectTime: '1s' }),
    running: [/^route-map 10\.2\.2\.254-out permit 1\n match ip address prefix-list 10\.2\.2\.254-300-ip-localpref-prefixes\n on-match next\n set local-preference 300$/m, /^route-map 10\.2\.2\.254-out permit 2\n match ip address prefix-list 10\.2\.2\.254-1111:2222-ip-community-prefixes\n on-match next\n set community 1111:2222 additive$/m],
  },
  {
    // Standard and large communities, one of them through a Community alias.
    golden: 'TestLargeCommunities',
    yaml: scenario({ localPref: 300, communities: ['3333:4444', 'large:1111:2222:3333', 'big'] }, { ebgpMultiHop: true }, `  - ${JSON.stringify({ apiVersion: 'metallb.io/v1beta1', kind: 'Community', metadata: { name: 'aliases' }, spec: { communities: [{ name: 'big', value: 'large:2222:3333:4444' }] } })}\n`),
    running: [/^ set large-community 2222:3333:4444 additive$/m, /^ip prefix-list 10\.2\.2\.254-large:1111:2222:3333-ip-community-prefixes seq 1 permit 172\.16\.1\.0\/24$/m],
  },
  {
    // BGPPeer vrf red: the router and every list and route-map name carry the VRF.
    golden: 'TestSingleAdvertisementVRF',
    yaml: scenario({ localPref: 300, communities: ['1111:2222', '3333:4444'] }, { vrf: 'red' }),
    running: [/^router bgp 100 vrf red$/m, /^ {2}neighbor 10\.2\.2\.254 route-map 10\.2\.2\.254-red-out out$/m, /^route-map 10\.2\.2\.254-red-out permit 3\n match ip address prefix-list 10\.2\.2\.254-red-3333:4444-ip-community-prefixes\n on-match next\n set community 3333:4444 additive$/m],
  },
];

test('aggregationLength, localPref, communities and vrf render as MetalLB renders them (upstream golden files)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mlb-frr-upstream-'));
  try {
    for (const c of cases) {
      const file = join(dir, `${c.golden}.yaml`);
      writeFileSync(file, c.yaml);
      const { backend } = await loadScenario(file);
      const model = (backend as ReplayBackend).model;
      const node = model.nodeByName.get('dummyhostname')!;
      const desired = desiredConfig(model, node);
      // Line for line; MetalLB's templates emit runs of blank lines FRR ignores.
      assert.deepEqual(significantLines(desired), significantLines(golden(c.golden)), c.golden);
      const running = runningConfig(model, node);
      for (const re of c.running) assert.match(running, re, `${c.golden} running config`);
    }
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('bgp-vrf-missing: aggregate, localPref, communities and a VRF peer agree across config, JSON and text', async () => {
  const { backend } = await loadScenario('bgp-vrf-missing');
  const model = (backend as ReplayBackend).model;
  const node = model.nodeByName.get('worker-1')!;
  const desired = desiredConfig(model, node);
  assert.match(desired, /^router bgp 64512 vrf red$/m);
  assert.match(desired, /^ip prefix-list 192\.0\.2\.1-150-ip-localpref-prefixes seq 1 permit 198\.51\.100\.0\/24$/m, 'aggregationLength 24 masks the service IP');
  assert.match(desired, /^ {2}set community 65535:65281 additive$/m, 'the Community alias resolves');
  assert.match(desired, /^ {4}neighbor 192\.0\.2\.254 route-map 192\.0\.2\.254-red-out out$/m);
  const running = runningConfig(model, node);
  assert.match(running, /^ set community no-export additive$/m, 'FRR names well-known communities');
  assert.match(running, /^ {2}network 198\.51\.100\.0\/24$/m);
  assert.match(running, /^router bgp 64512 vrf red\n[^]*^router bgp 64512\n/m, 'the VRF instance first, as FRR prints it');
  assert.match(running, /^ match ip address prefix-list 192\.0\.2\.1-150-ip-localpref-prefixes\n on-match next\n set local-preference 150$/m, 'FRR prints on-match before set');
  const { bgpNeighbors, bgpSummary, bgpSummaryText, bgpRoutes } = await import('../../src/sim/scenario/frr.js');
  const all = JSON.parse(bgpNeighbors(model, node, true));
  assert.equal(all.red.vrfId, -1, 'VRF_UNKNOWN: no VRF device');
  assert.equal(all.red['192.0.2.254'].bgpState, 'Idle');
  // As FRR 8.4 reports it in the lab (bgp-vrf-missing recording): the VRF instance lists first.
  assert.deepEqual(Object.keys(all), ['red', 'default']);
  assert.equal(all.red['192.0.2.254'].lastResetDueTo, 'No AFI/SAFI activated for peer');
  assert.equal(all.red['192.0.2.254'].lastResetCode, 30);
  assert.equal(all.default['192.0.2.1'].bgpState, 'Established');
  assert.equal(all.default['192.0.2.1'].addressFamilyInfo.ipv4Unicast.sentPrefixCounter, 1);
  assert.deepEqual(Object.keys(JSON.parse(bgpNeighbors(model, node, false))), ['192.0.2.1'], 'without vrf all: the default instance');
  const red = JSON.parse(bgpSummary(model, node, true)).red.ipv4Unicast;
  assert.equal(red.peers['192.0.2.254'].state, 'Idle');
  assert.equal(red.routerId, '0.0.0.0');
  assert.doesNotMatch(bgpSummaryText(model, node), /192\.0\.2\.254/);
  assert.ok(bgpRoutes(model, node, false, 'ipv4').includes('"198.51.100.0/24"'));
});
