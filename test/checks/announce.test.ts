/**
 * The announcement model step by step: each removal reason fires on a small hand-built cluster,
 * names the nodes it took out, and the first step that emptied the candidates is reported.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { announceDecision, announcementDuties, electionOrder, nodesBlockedOnlyBy, type AnnounceDecision, type NodeStepKind } from '../../src/checks/lib/announce.js';
import { bgpLab, controller, endpoints, fixture, l2Base, l2ad, model, node, pool, service, speaker, type BundleSpec } from './helpers.js';

function decide(spec: BundleSpec, key = 'default/web'): AnnounceDecision {
  const m = model(spec);
  const svc = m.kube.services.find((s) => `${s.metadata?.namespace}/${s.metadata?.name}` === key)!;
  return announceDecision(m, svc);
}

/** The nodes a step of the layer-2 chain removed. */
function removedBy(d: AnnounceDecision, kind: NodeStepKind, protocol: 'l2' | 'bgp' = 'l2'): string[] {
  return (d[protocol]?.steps.find((s) => s.kind === kind)?.removed ?? []).map((r) => r.node);
}

const excluded = { 'node.kubernetes.io/exclude-from-external-load-balancers': '' };

test('healthy layer 2: every node is a candidate and the sha256 order elects the leader', () => {
  const d = decide(l2Base());
  assert.equal(d.stop, undefined);
  assert.deepEqual(d.protocols, ['layer2']);
  assert.equal(d.pool?.metadata.name, 'lan');
  // Order computed independently: sha256("n3#192.0.2.100") < sha256("n2#…") < sha256("n1#…").
  assert.deepEqual(d.l2?.candidates, ['n3', 'n2', 'n1']);
  assert.equal(d.l2?.leader, 'n3');
  assert.deepEqual(d.announcers, ['n3']);
  assert.deepEqual(removedBy(d, 'leader'), ['n2', 'n1']);
  assert.equal(d.l2?.steps.at(-1)?.label, 'leader n3');
});

test('advertisement nodeSelectors remove the nodes they do not select', () => {
  const d = decide(l2Base({ metallb: { ipaddresspools: [pool('lan', ['192.0.2.100-192.0.2.110'])], l2advertisements: [l2ad('lan', { nodeSelectors: [{ matchLabels: { 'kubernetes.io/hostname': 'n1' } }] })] } }));
  assert.deepEqual(removedBy(d, 'node-selector'), ['n2', 'n3']);
  assert.equal(d.l2?.blockers.get('n2')?.[0].why, 'no L2Advertisement selects this node');
  assert.deepEqual(d.announcers, ['n1']);
});

test('speaker step: a missing pod and a pod that is not ready', () => {
  const d = decide(l2Base({ pods: [speaker('n1'), speaker('n3', { ready: false }), controller()] }));
  const step = d.l2!.steps.find((s) => s.kind === 'speaker')!;
  assert.deepEqual(step.removed, [{ node: 'n2', why: 'no speaker pod' }, { node: 'n3', why: 'speaker not ready' }]);
  assert.equal(step.remaining, 1);
  assert.deepEqual(d.announcers, ['n1']);
});

test('the exclusion label removes a node unless the speaker ignores it', () => {
  const labelled = l2Base({ nodes: [node('n1'), node('n2'), node('n3', { labels: excluded })] });
  const d = decide(labelled);
  assert.deepEqual(removedBy(d, 'exclude-label'), ['n3']);
  assert.equal(d.l2?.leader, 'n2');
  const ignoring = decide({ ...labelled, daemonSets: [{ apiVersion: 'apps/v1', kind: 'DaemonSet', metadata: { name: 'speaker', namespace: 'metallb-system' }, spec: { template: { spec: { containers: [{ name: 'speaker', args: ['--ignore-exclude-lb'] }] } } } }] });
  assert.equal(ignoring.l2?.steps.some((s) => s.kind === 'exclude-label'), false);
  assert.equal(ignoring.l2?.leader, 'n3');
});

test('NetworkUnavailable removes the node', () => {
  const d = decide(l2Base({ nodes: [node('n1'), node('n2', { networkUnavailable: true }), node('n3', { networkUnavailable: false })] }));
  assert.deepEqual(removedBy(d, 'network-unavailable'), ['n2']);
  assert.deepEqual(d.l2?.candidates, ['n3', 'n1']);
});

test('endpoints: Local keeps only nodes with a ready endpoint; Cluster without any endpoint keeps none', () => {
  const local = decide(l2Base({ services: [service('default/web', { ip: '192.0.2.100', etp: 'Local' })], endpointSlices: [endpoints('default/web', [{ node: 'n1' }, { node: 'n2', ready: false }])] }));
  assert.deepEqual(removedBy(local, 'endpoints'), ['n2', 'n3']);
  assert.equal(local.l2?.blockers.get('n2')?.[0].why, 'externalTrafficPolicy Local and no ready endpoint here');
  assert.deepEqual(local.announcers, ['n1']);

  const none = decide(l2Base({ endpointSlices: [endpoints('default/web', [{ node: 'n2', ready: false }])] }));
  assert.deepEqual(removedBy(none, 'endpoints'), ['n1', 'n2', 'n3']);
  assert.deepEqual(none.announcers, []);
  assert.equal(none.l2?.emptiedBy?.kind, 'endpoints');
});

test('the first step that removed the last node is reported, and every blocker is kept', () => {
  // n1 has no speaker and is excluded; n2 and n3 have speakers that are not ready.
  const d = decide(l2Base({ nodes: [node('n1', { labels: excluded }), node('n2'), node('n3')], pods: [speaker('n2', { ready: false }), speaker('n3', { ready: false }), controller()] }));
  assert.equal(d.l2?.emptiedBy?.kind, 'speaker');
  assert.deepEqual(d.l2?.blockers.get('n1')?.map((b) => b.kind), ['speaker', 'exclude-label']);
  // What-if on the same model: with ready speakers, n2 and n3 could announce; n1 stays excluded.
  assert.deepEqual(nodesBlockedOnlyBy(d.l2!, ['speaker']).sort(), ['n2', 'n3']);
});

test('interfaces: a leader with none of the advertised interfaces fails instead of handing over', () => {
  const spec = l2Base({
    metallb: { ipaddresspools: [pool('lan', ['192.0.2.100-192.0.2.110'])], l2advertisements: [l2ad('lan', { interfaces: ['eth9'] })] },
    nodeFiles: { n3: { 'net/ip-addr.json': fixture('ip-addr-lc-n3.json'), 'net/ip-link.json': fixture('ip-addr-lc-n3.json') } },
  });
  const d = decide(spec);
  assert.equal(d.l2?.leader, 'n3');
  assert.deepEqual(d.announcers, []);
  assert.equal(d.l2?.emptiedBy?.kind, 'interfaces');
  assert.match(d.l2!.emptiedBy!.removed[0].why, /none of the interfaces eth9 \(announceFailed\)/);
});

test('BGP: every remaining node a BGPPeer selects announces', () => {
  const lab = bgpLab();
  const onlyN1 = { ...lab, metallb: { ...lab.metallb, bgppeers: [lab.metallb!.bgppeers![0]] } };
  const d = decide(onlyN1, 'default/web-bgp');
  assert.deepEqual(d.protocols, ['bgp']);
  assert.deepEqual(removedBy(d, 'bgp-peer', 'bgp'), ['lc-n2']);
  assert.equal(d.bgp?.blockers.get('lc-n2')?.[0].why, 'no BGPPeer selects this node');
  assert.deepEqual(d.announcers, ['lc-n1']);
  assert.deepEqual(decide(lab, 'default/web-bgp').announcers, ['lc-n1', 'lc-n2']);
});

test('service-level stops: foreign class, no IP, no pool, no advertisement', () => {
  assert.equal(decide(l2Base({ services: [service('default/web', { ip: '192.0.2.100', lbClass: 'other' })] })).stop?.kind, 'load-balancer-class');
  assert.equal(decide(l2Base({ services: [service('default/web')] })).stop?.kind, 'ip');
  assert.equal(decide(l2Base({ services: [service('default/web', { ip: '198.51.100.7' })] })).stop?.kind, 'pool');
  const noAd = decide(l2Base({ metallb: { ipaddresspools: [pool('lan', ['192.0.2.100-192.0.2.110'])], l2advertisements: [l2ad('other', { ipAddressPools: ['elsewhere'] })] } }));
  assert.equal(noAd.stop?.kind, 'advertisement');
  assert.equal(noAd.pool?.metadata.name, 'lan');
  assert.deepEqual(noAd.announcers, []);
});

test('advertisements select pools by label and services by serviceSelectors', () => {
  const labelled = { ipaddresspools: [pool('lan', ['192.0.2.100-192.0.2.110'], {}, { zone: 'a' })] };
  assert.deepEqual(decide(l2Base({ metallb: { ...labelled, l2advertisements: [l2ad('by-label', { ipAddressPoolSelectors: [{ matchLabels: { zone: 'a' } }] })] } })).protocols, ['layer2']);
  assert.equal(decide(l2Base({ metallb: { ...labelled, l2advertisements: [l2ad('by-label', { ipAddressPoolSelectors: [{ matchLabels: { zone: 'b' } }] })] } })).stop?.kind, 'advertisement');
  assert.equal(decide(l2Base({ metallb: { ...labelled, l2advertisements: [l2ad('svc', { serviceSelectors: [{ matchLabels: { tier: 'edge' } }] })] } })).stop?.kind, 'advertisement');
});

test('duties: nodes that would announce with a ready speaker, from the same decision', () => {
  const m = model(l2Base({ pods: [speaker('n1'), controller()], nodes: [node('n1'), node('n2'), node('n3', { labels: excluded })] }));
  const duties = announcementDuties(m);
  assert.deepEqual([...duties.keys()].sort(), ['n1', 'n2']);
  assert.deepEqual([...announcementDuties(m, { includeIneligible: true }).keys()].sort(), ['n1', 'n2', 'n3']);
});

test('electionOrder is the sha256(node#ip) order', () => {
  assert.deepEqual(electionOrder(['n1', 'n2', 'n3'], '192.0.2.100'), ['n3', 'n2', 'n1']);
});
