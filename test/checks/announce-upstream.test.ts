/**
 * The announcement model against rows of MetalLB's own speaker tests (speaker/layer2_controller_test.go
 * TestUsableNodesEPSlices and TestShouldAnnounceEPSlices: nodes iris1 and iris2, pool 10.20.30.0/24,
 * externalTrafficPolicy Local). Where upstream expects one controller to announce and the other to
 * answer notOwner, the model must elect that node: this pins the endpoint rule (epslices
 * EndpointCanServe) and the sha256(node#ip) election order to MetalLB's.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { announceDecision } from '../../src/checks/lib/announce.js';
import { l2ad, model, node, pool, service, speaker } from './helpers.js';

type Conditions = { ready?: boolean; serving?: boolean };

function slice(name: string, eps: { node: string; conditions: Conditions }[]) {
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { name: `${name}-x`, namespace: 'default', labels: { 'kubernetes.io/service-name': name } },
    addressType: 'IPv4',
    endpoints: eps.map((e, i) => ({ addresses: [`2.3.4.${5 + 10 * i}`], nodeName: e.node, conditions: e.conditions })),
  };
}

/** The L2 decision for one eTP=Local service at `ip` with these endpoints, on iris1 and iris2. */
function decide(ip: string, eps: { node: string; conditions: Conditions }[]) {
  const m = model({
    nodes: [node('iris1'), node('iris2')],
    pods: [speaker('iris1'), speaker('iris2')],
    services: [service('default/test1', { ip, etp: 'Local' })],
    endpointSlices: [slice('test1', eps)],
    metallb: { ipaddresspools: [pool('default', ['10.20.30.0/24'])], l2advertisements: [l2ad('default')] },
  });
  return announceDecision(m, m.kube.services[0]).l2!;
}

const ready = { ready: true };
const notReady = { ready: false };

test('usableNodes: two endpoints on one host, one not ready → only that host', () => {
  assert.deepEqual(decide('10.20.30.1', [{ node: 'iris1', conditions: ready }, { node: 'iris1', conditions: notReady }]).candidates, ['iris1']);
});

test('usableNodes: not ready but serving counts (a draining pod), as does ready but not serving', () => {
  assert.deepEqual(decide('10.20.30.1', [{ node: 'iris1', conditions: { ready: false, serving: true } }, { node: 'iris2', conditions: { ready: false, serving: true } }]).candidates.sort(), ['iris1', 'iris2']);
  assert.deepEqual(decide('10.20.30.1', [{ node: 'iris1', conditions: { ready: true, serving: false } }, { node: 'iris2', conditions: { ready: true, serving: false } }]).candidates.sort(), ['iris1', 'iris2']);
});

test('ShouldAnnounce: one host with both endpoints announces, the other is notOwner', () => {
  const d = decide('10.20.30.1', [{ node: 'iris1', conditions: ready }, { node: 'iris1', conditions: ready }]);
  assert.deepEqual(d.announcers, ['iris1']);
  assert.equal(d.blockers.get('iris2')?.[0].kind, 'endpoints');
});

test('ShouldAnnounce: no endpoint ready on any host → nobody announces', () => {
  const d = decide('10.20.30.1', [{ node: 'iris1', conditions: notReady }, { node: 'iris2', conditions: notReady }]);
  assert.deepEqual(d.announcers, []);
  assert.equal(d.emptiedBy?.kind, 'endpoints');
});

test('ShouldAnnounce: endpoints on both hosts → the election picks iris2 for 10.20.30.1 and iris1 for 10.20.30.2', () => {
  const both = [{ node: 'iris1', conditions: ready }, { node: 'iris2', conditions: { ready: false, serving: true } }];
  assert.deepEqual(decide('10.20.30.1', both).announcers, ['iris2']);
  const bothReady = [{ node: 'iris1', conditions: ready }, { node: 'iris2', conditions: ready }];
  assert.deepEqual(decide('10.20.30.1', bothReady).announcers, ['iris2']);
  assert.deepEqual(decide('10.20.30.2', bothReady).announcers, ['iris1']);
});

test('ShouldAnnounce: the endpoint on iris2 not ready → iris1 announces 10.20.30.1', () => {
  assert.deepEqual(decide('10.20.30.1', [{ node: 'iris1', conditions: ready }, { node: 'iris2', conditions: notReady }]).announcers, ['iris1']);
});

test("BGP: an advertisement's peers field sends the route only to those peers; a node whose peers are all others does not announce", async () => {
  const { bgpad, peer } = await import('./helpers.js');
  const host = (n: string) => [{ matchLabels: { 'kubernetes.io/hostname': n } }];
  const m = model({
    nodes: [node('iris1'), node('iris2')],
    pods: [speaker('iris1'), speaker('iris2')],
    services: [service('default/test1', { ip: '10.20.30.1' })],
    endpointSlices: [slice('test1', [{ node: 'iris1', conditions: ready }])],
    metallb: {
      ipaddresspools: [pool('default', ['10.20.30.0/24'])],
      bgpadvertisements: [bgpad('default', { peers: ['tor-a'] })],
      bgppeers: [peer('tor-a', { myASN: 64512, peerASN: 64513, peerAddress: '192.0.2.1', nodeSelectors: host('iris1') }), peer('tor-b', { myASN: 64512, peerASN: 64513, peerAddress: '192.0.2.2', nodeSelectors: host('iris2') })],
    },
  });
  const d = announceDecision(m, m.kube.services[0]).bgp!;
  assert.deepEqual(d.announcers, ['iris1']);
  assert.match(d.blockers.get('iris2')![0].why, /its BGPPeers \(tor-b\) are not in the advertisement's peers \(tor-a\)/);
});
