import { test } from 'node:test';
import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { emptyModel } from '../../src/model/cluster.js';
import { analyzeServices, announceChain } from '../../src/checks/lib/services.js';
import { electionOrder } from '../../src/checks/lib/announce.js';
import { poolContains } from '../../src/checks/lib/model.js';
import { selectorMatches } from '../../src/util/label-selectors.js';
import { loadFixture } from './fixture.js';

test('electionOrder sorts nodes by sha256(node#ip) like the speakers do', () => {
  const nodes = ['worker-1', 'worker-2', 'worker-3'];
  const hex = (n: string) => createHash('sha256').update(`${n}#198.51.100.100`).digest('hex');
  const expected = [...nodes].sort((a, b) => (hex(a) < hex(b) ? -1 : 1));
  assert.deepEqual(electionOrder(nodes, '198.51.100.100'), expected);
  // Values checked once by hand with `printf 'worker-1#198.51.100.100' | sha256sum`.
  assert.deepEqual(electionOrder(nodes, '198.51.100.100'), ['worker-1', 'worker-3', 'worker-2']);
  assert.deepEqual(electionOrder(nodes, '198.51.100.101'), ['worker-2', 'worker-3', 'worker-1']);
});

test('pool membership: CIDR and ranges, IPv4 and IPv6', () => {
  const cases: [string, string, boolean][] = [
    ['198.51.100.0/24', '198.51.100.77', true],
    ['198.51.100.0/24', '198.51.101.1', false],
    ['198.51.100.10-198.51.100.20', '198.51.100.20', true],
    ['198.51.100.10 - 198.51.100.20', '198.51.100.21', false],
    ['203.0.113.10/32', '203.0.113.10', true],
    ['2001:db8::/64', '2001:db8::5', true],
    ['2001:db8::/64', '2001:db8:0:1::5', false],
    ['2001:db8::10-2001:db8::20', '2001:db8::1f', true],
    ['198.51.100.0/24', '2001:db8::1', false],
    ['garbage', '198.51.100.1', false],
  ];
  for (const [entry, ip, want] of cases) assert.equal(poolContains({ metadata: { name: 'p' }, spec: { addresses: [entry] } }, ip), want, `${entry} ∋ ${ip}`);
});

test('label selectors: matchLabels and every matchExpressions operator', () => {
  const labels = { zone: 'a', role: 'edge' };
  assert.equal(selectorMatches({ matchLabels: { zone: 'a' } }, labels), true);
  assert.equal(selectorMatches({ matchLabels: { zone: 'b' } }, labels), false);
  assert.equal(selectorMatches({ matchExpressions: [{ key: 'role', operator: 'In', values: ['edge'] }] }, labels), true);
  assert.equal(selectorMatches({ matchExpressions: [{ key: 'role', operator: 'NotIn', values: ['edge'] }] }, labels), false);
  assert.equal(selectorMatches({ matchExpressions: [{ key: 'gpu', operator: 'Exists' }] }, labels), false);
  assert.equal(selectorMatches({ matchExpressions: [{ key: 'gpu', operator: 'DoesNotExist' }] }, labels), true);
  assert.equal(selectorMatches({ matchExpressions: [{ key: 'gpu', operator: 'Bogus' }] }, labels), false);
});

test('fixture services: conflict, BGP mismatch and pending are recognised', () => {
  const { model } = loadFixture();
  const byName = new Map(analyzeServices(model).map((s) => [`${s.namespace}/${s.name}`, s]));
  const web = byName.get('default/web')!;
  assert.equal(web.pool, 'l2-pool');
  assert.deepEqual(web.modes, ['layer2']);
  // worker-3's speaker is not ready, so it is no candidate; worker-2 wins the hash order.
  assert.equal(web.l2?.expected, 'worker-2');
  assert.deepEqual(web.l2?.excluded, [{ node: 'worker-3', why: 'speaker not ready' }]);
  assert.deepEqual(web.observed.macs.map((m) => m.node).sort(), ['worker-2', 'worker-3']);
  assert.equal(web.verdict, 'conflict');

  const checkout = byName.get('shop/checkout')!;
  assert.deepEqual(checkout.expectedBgpNodes, ['worker-1', 'worker-2']);
  assert.equal(checkout.verdict, 'mismatch');
  assert.match(checkout.verdictText, /worker-2/);

  assert.equal(byName.get('default/api')!.verdict, 'pending');
});

test('externalTrafficPolicy Local restricts L2 candidates to nodes with a ready endpoint', () => {
  const model = emptyModel();
  for (const name of ['a', 'b', 'c']) {
    model.kube.nodes.push({ metadata: { name, labels: {} } });
    model.kube.pods.push({ metadata: { name: `speaker-${name}`, labels: { component: 'speaker' } }, spec: { nodeName: name, containers: [{ name: 'speaker' }] }, status: { conditions: [{ type: 'Ready', status: 'True' }] } });
  }
  model.metallb.ipAddressPools.push({ metadata: { name: 'p' }, spec: { addresses: ['198.51.100.0/24'] } });
  model.metallb.l2Advertisements.push({ metadata: { name: 'l2' }, spec: {} });
  model.kube.services.push({ metadata: { name: 's', namespace: 'x' }, spec: { type: 'LoadBalancer', externalTrafficPolicy: 'Local' }, status: { loadBalancer: { ingress: [{ ip: '198.51.100.9' }] } } });
  model.kube.endpointSlices.push({ metadata: { name: 's-1', namespace: 'x', labels: { 'kubernetes.io/service-name': 's' } }, addressType: 'IPv4', endpoints: [{ addresses: ['10.0.0.1'], nodeName: 'c', conditions: { ready: true } }, { addresses: ['10.0.0.2'], nodeName: 'a', conditions: { ready: false } }] });
  const [service] = analyzeServices(model);
  assert.deepEqual(service.l2?.candidates, ['c']);
  assert.equal(service.l2?.expected, 'c');
  assert.equal(service.endpoints.find((e) => e.node === 'a')?.ready, 0);
});

test('a pool no advertisement selects means not announced', () => {
  const model = emptyModel();
  model.metallb.ipAddressPools.push({ metadata: { name: 'lonely' }, spec: { addresses: ['198.51.100.0/24'] } });
  model.metallb.l2Advertisements.push({ metadata: { name: 'other' }, spec: { ipAddressPools: ['someone-else'] } });
  model.kube.services.push({ metadata: { name: 's', namespace: 'x' }, spec: { type: 'LoadBalancer' }, status: { loadBalancer: { ingress: [{ ip: '198.51.100.9' }] } } });
  const [service] = analyzeServices(model);
  assert.equal(service.pool, 'lonely');
  assert.equal(service.verdict, 'not-announced');
});

test('the services table prints the announcement model as a chain of steps', () => {
  const { model } = loadFixture();
  const byName = new Map(analyzeServices(model).map((s) => [`${s.namespace}/${s.name}`, s]));
  assert.deepEqual(announceChain(byName.get('default/web')!.decision), ['pool l2-pool → L2Advertisement l2 (nodes: 3) → speaker ready (2; out: worker-3) → leader worker-2']);
  assert.deepEqual(announceChain(byName.get('shop/checkout')!.decision), ['pool bgp-pool → BGPAdvertisement bgp (nodes: 3) → speaker ready (2; out: worker-3) → announce from worker-1, worker-2']);
  assert.deepEqual(announceChain(byName.get('default/api')!.decision), ['no IP assigned: the controller reports "no available IPs"']);
});

test('a chain names at most 8 removed nodes, and the step that removed the last one is the verdict', () => {
  const model = emptyModel();
  for (let i = 1; i <= 12; i++) model.kube.nodes.push({ metadata: { name: `n${String(i).padStart(2, '0')}`, labels: {} } });
  model.metallb.ipAddressPools.push({ metadata: { name: 'p' }, spec: { addresses: ['198.51.100.0/24'] } });
  model.metallb.l2Advertisements.push({ metadata: { name: 'l2' }, spec: {} });
  model.kube.services.push({ metadata: { name: 's', namespace: 'x' }, spec: { type: 'LoadBalancer' }, status: { loadBalancer: { ingress: [{ ip: '198.51.100.9' }] } } });
  const [service] = analyzeServices(model);
  assert.deepEqual(announceChain(service.decision), ['pool p → L2Advertisement l2 (nodes: 12) → speaker ready (0; out: n01, n02, n03, n04, n05, n06, n07, n08 +4 more) → no node announces']);
  assert.equal(service.verdict, 'not-announced');
  assert.equal(service.verdictText, 'no node can announce: the speaker ready step removed the last (n12: no speaker pod)');
});
