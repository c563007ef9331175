/**
 * Grouping findings by check and cause (src/checks/group.ts): the entries of findings.json v2, and
 * the same groups as the report's cards.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Finding } from '../../src/model/finding.js';
import { entryFindings, findingEntries, groupByCause, groupSummary, severityCounts } from '../../src/checks/group.js';
import { buildView } from '../../src/render/view.js';
import { loadFixture } from '../render/fixture.js';

const peerConfig = { path: 'cluster/metallb.io/bgppeers.json', excerpt: 'metadata:\n  name: tor-b\nspec:\n  peerASN: 64515' };

function sessionDown(node: string): Finding {
  return {
    id: 'bgp-session-down',
    severity: 'error',
    category: 'bgp',
    title: 'BGP session not Established',
    summary: `BGP session ${node} → 192.0.2.2 is Idle: bad peer AS`,
    subjects: [{ kind: 'Node', name: node }, { kind: 'Neighbor', name: '192.0.2.2' }, { kind: 'BGPPeer', name: 'tor-b', namespace: 'metallb-system' }],
    evidence: [{ path: `nodes/${node}/frr/bgp-neighbors.json`, label: `show bgp neighbors on ${node}`, excerpt: '"bgpState":"Idle"' }, peerConfig],
    remediation: { summary: 'Set peerASN of BGPPeer tor-b to the router\'s AS.', snippet: "kubectl patch bgppeer -n metallb-system tor-b --type merge -p '{\"spec\":{\"peerASN\":<router AS>}}'", snippetLanguage: 'shell' },
    rank: 92,
    explains: ['bgp-prefix-not-advertised'],
  };
}

function notAdvertised(node: string, ip: string, why: string): Finding {
  return {
    id: 'bgp-prefix-not-advertised',
    severity: 'error',
    category: 'bgp',
    title: 'LoadBalancer IP not advertised to a BGP peer',
    summary: `shop/storefront ${ip} is not advertised from ${node} to 192.0.2.2: ${why}`,
    subjects: [{ kind: 'Node', name: node }, { kind: 'Neighbor', name: '192.0.2.2' }, { kind: 'Service', name: 'storefront', namespace: 'shop' }],
    evidence: [{ path: `nodes/${node}/frr/bgp-neighbors.json`, excerpt: '"bgpState":"Idle"' }],
    remediation: { summary: `Resolve why ${node} does not send ${ip}: ${why}.` },
    rank: 42,
  };
}

const nodes = ['cp-1', 'worker-1', 'worker-2', 'worker-3', 'worker-4'];

test('five per-node findings of one cause are one entry with five instances', () => {
  const findings = nodes.map(sessionDown);
  const entries = findingEntries(findings, (id) => (id === 'bgp-session-down' ? { cause: 'wrong ASN', confirm: 'vtysh', fix: 'patch' } : undefined));
  assert.equal(entries.length, 1);
  const [entry] = entries;
  assert.deepEqual([entry.id, entry.severity, entry.category, entry.title, entry.rank, entry.explains], ['bgp-session-down', 'error', 'bgp', 'BGP session not Established', 92, ['bgp-prefix-not-advertised']]);
  assert.equal(entry.summary, 'BGP session cp-1 → 192.0.2.2 is Idle: bad peer AS (also on worker-1, worker-2, worker-3, worker-4)');
  assert.equal(entry.docs?.cause, 'wrong ASN');
  assert.deepEqual(entry.remediation, findings[0].remediation);
  // The configuration object every instance quotes is said once, on the entry.
  assert.deepEqual(entry.evidence, [peerConfig]);
  assert.equal(entry.instances.length, 5);
  entry.instances.forEach((instance, i) => {
    assert.equal(instance.summary, findings[i].summary);
    assert.deepEqual(instance.subjects, findings[i].subjects);
    assert.deepEqual(instance.evidence.map((e) => e.path), [`nodes/${nodes[i]}/frr/bgp-neighbors.json`]);
    assert.deepEqual(Object.keys(instance).sort(), ['evidence', 'subjects', 'summary'], 'no fix, rank or explains repeated per instance');
  });
  assert.deepEqual(entryFindings(entry), findings, 'flattening gives back the findings as the check wrote them');
});

test('two causes of one check are two entries; fixes that only name other nodes and IPs stay in one', () => {
  const findings = [
    notAdvertised('worker-1', '198.51.100.200', 'the session is Idle'),
    notAdvertised('worker-3', '198.51.100.200', "FRR's running config has no network statement for it"),
    notAdvertised('worker-4', '198.51.100.201', 'the session is Idle'),
  ];
  const entries = findingEntries(findings);
  assert.deepEqual(entries.map((e) => e.instances.map((i) => i.subjects[0].name)), [['worker-1', 'worker-4'], ['worker-3']]);
  const [idle, noNetwork] = entries;
  assert.equal(idle.remediation.summary, 'Resolve why worker-1 does not send 198.51.100.200: the session is Idle.');
  assert.equal(idle.instances[0].remediation, undefined);
  assert.equal(idle.instances[1].remediation?.summary, 'Resolve why worker-4 does not send 198.51.100.201: the session is Idle.', 'an instance whose fix names its own node keeps it');
  assert.equal(idle.evidence, undefined, 'nothing is shared: each instance cites its own node');
  assert.equal(noNetwork.summary, findings[1].summary, 'one instance: its summary is the entry summary');
  assert.deepEqual(entries.flatMap(entryFindings).map((f) => f.summary).sort(), findings.map((f) => f.summary).sort());
});

test('severity, rank and explains: one entry per severity, the highest rank, instances keep what differs', () => {
  const warning = { ...sessionDown('worker-4'), severity: 'warning' as const };
  const { explains: _unused, ...withoutExplains } = sessionDown('worker-2');
  const lower: Finding = { ...withoutExplains, rank: 45 };
  const findings = [sessionDown('worker-1'), lower, warning];
  const entries = findingEntries(findings);
  assert.deepEqual(entries.map((e) => [e.severity, e.instances.length]), [['error', 2], ['warning', 1]]);
  assert.equal(entries[0].rank, 92);
  assert.deepEqual(entries[0].instances[1].rank, 45);
  assert.deepEqual(entries[0].instances[1].explains, [], 'this instance explains nothing, unlike its entry');
  assert.deepEqual(entryFindings(entries[0])[1], lower);
  assert.deepEqual(severityCounts(groupByCause(findings)), { error: 1, warning: 1, info: 0 });
});

test('group summaries name the nodes the other instances add, or count them', () => {
  assert.equal(groupSummary(nodes.map(sessionDown), 2), 'BGP session cp-1 → 192.0.2.2 is Idle: bad peer AS (also on worker-1, worker-2 +2 more)');
  const twice = [sessionDown('worker-1'), { ...sessionDown('worker-1'), summary: 'again' }];
  assert.equal(groupSummary(twice), 'BGP session worker-1 → 192.0.2.2 is Idle: bad peer AS (1 more like it)');
});

test('the report has one card per findings.json entry, with the same members', async () => {
  const { model, findings } = loadFixture();
  const all = [...findings, ...nodes.map(sessionDown)];
  const view = await buildView(model, all);
  const entries = findingEntries(all);
  assert.deepEqual(
    view.findings.map((card) => [card.id, card.count, card.members.map((m) => m.summary)]),
    entries.map((entry) => [entry.id, entry.instances.length, entry.instances.map((i) => i.summary)]),
  );
});
