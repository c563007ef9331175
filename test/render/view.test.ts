import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Finding } from '../../src/model/finding.js';
import { buildView } from '../../src/render/view.js';
import { loadFixture } from './fixture.js';

function sessionDown(node: string): Finding {
  return {
    id: 'bgp-session-down',
    severity: 'error',
    category: 'bgp',
    title: 'BGP session not established',
    summary: `BGP session ${node} → 192.0.2.1 is Idle`,
    subjects: [{ kind: 'Node', name: node }, { kind: 'Neighbor', name: '192.0.2.1' }],
    evidence: [{ path: `nodes/${node}/frr/bgp-neighbors.json`, excerpt: '"bgpState":"Idle"' }],
    remediation: { summary: 'Set peerASN to 64513.' },
    explains: ['bgp-prefix-not-advertised'],
  };
}

test('findings of one check with the same fix share a card; links point at cards', async () => {
  const { model } = loadFixture();
  const notAdvertised: Finding = {
    id: 'bgp-prefix-not-advertised',
    severity: 'error',
    category: 'bgp',
    title: 'Prefix not advertised',
    summary: '203.0.113.10 is not advertised from worker-2',
    subjects: [{ kind: 'Service', name: 'checkout', namespace: 'shop' }, { kind: 'Node', name: 'worker-2' }, { kind: 'Neighbor', name: '192.0.2.1' }],
    evidence: [],
    remediation: { summary: 'Fix the session.' },
  };
  const findings = [sessionDown('worker-1'), sessionDown('worker-2'), sessionDown('worker-3'), notAdvertised];
  const view = await buildView(model, findings, { now: new Date('2026-11-27T13:00:00Z') });
  assert.equal(view.findingCount, 4);
  assert.deepEqual(view.findings.map((g) => [g.number, g.id, g.count]), [[1, 'bgp-session-down', 3], [2, 'bgp-prefix-not-advertised', 1]]);
  // The severity pills count cards, as findings.json and the terminal summaries do: 2 errors, not 4.
  assert.deepEqual(view.counts.map((c) => [c.severity, c.count]), [['error', 2], ['warning', 0], ['info', 0]]);
  const [sessions, prefix] = view.findings;
  assert.equal(sessions.summary, 'BGP session worker-1 → 192.0.2.1 is Idle');
  assert.equal(sessions.alsoText, 'also on worker-2, worker-3');
  assert.equal(sessions.evidenceCount, 3);
  assert.deepEqual(sessions.subjects, ['Node worker-1', 'Neighbor 192.0.2.1', 'Node worker-2', 'Node worker-3']);
  assert.deepEqual(sessions.explains, [{ number: 2, anchor: 'finding-2', id: 'bgp-prefix-not-advertised' }]);
  assert.deepEqual(prefix.explainedBy, [{ number: 1, anchor: 'finding-1', id: 'bgp-session-down' }]);
  assert.equal(prefix.alsoText, undefined);
  // A node section refers to each card once, even when several findings name the node.
  const worker2 = view.nodes.find((n) => n.name === 'worker-2')!;
  assert.deepEqual(worker2.findingRefs.map((r) => r.number), [1, 2]);
  const checkout = view.services.find((s) => s.name === 'checkout')!;
  assert.deepEqual(checkout.findingRefs.map((r) => r.anchor), ['finding-2']);
});

test('coverage and header facts come from the manifest and discovery', async () => {
  const { model, findings } = loadFixture();
  const view = await buildView(model, findings);
  assert.deepEqual(view.coverage, { text: '2 of 3 nodes fully collected, 1 partially', cls: 'warn', collected: 2, partial: 1, total: 3 });
  assert.deepEqual(view.metallb, { version: 'v0.14.9', mode: 'frr', install: 'helm', namespace: 'metallb-system', kubeProxy: 'ipvs, strictARP on' });
  assert.equal(view.collectedAt, '2026-11-27 12:47:30 UTC');
  assert.equal(view.collectionDuration, '14.8 s');
  // Sockets of interest only; a listener on 179 would be flagged, the established session is not.
  // (worker-1 raises nothing in the fixture: a finding naming it brings its section back.)
  const named = await buildView(model, [...findings, sessionDown('worker-1')]);
  const worker1 = named.nodes.find((n) => n.name === 'worker-1')!;
  assert.deepEqual(worker1.sockets.map((s) => s.local), ['192.0.2.11:7946', '192.0.2.11:7946', '192.0.2.11:7472', '192.0.2.11:7473', '192.0.2.11:41032', '0.0.0.0:9443']);
  assert.equal(worker1.sockets.some((s) => s.foreign), false);
});

test('print view: nodes without problems are summarised as alike, ok steps are left out, raw only when cited', async () => {
  const { model, findings } = loadFixture();
  const view = await buildView(model, findings, { print: true });
  // worker-1 has no finding naming it and is fully collected: summarised, not in full.
  assert.deepEqual(view.alike.map((g) => g.nodes.map((n) => n.name)), [['worker-1']]);
  assert.deepEqual(view.nodeDigest, []);
  assert.deepEqual(view.nodes.map((n) => n.name), ['worker-2', 'worker-3']);
  assert.ok(view.collection.nodes.every((n) => n.steps.every((s) => s.status !== 'ok')));
  assert.ok(view.raw.length > 0 && view.raw.every((r) => r.citedBy.length > 0));
  assert.ok(view.raw.every((r) => r.text.length <= 1536));
});

test('fixes that differ only by the subjects and IPs they name are one card', async () => {
  const { fixShape } = await import('../../src/checks/group.js');
  assert.equal(
    fixShape('Resolve why worker-2 does not send 198.51.100.201: the session is Idle.', ['checkout', 'worker-2', '192.0.2.2']),
    fixShape('Resolve why worker-4 does not send 198.51.100.200: the session is Idle.', ['storefront', 'worker-4', '192.0.2.2']),
  );
  assert.notEqual(
    fixShape('Resolve why worker-3 does not send 198.51.100.200: FRR has no network statement.', ['worker-3']),
    fixShape('Resolve why worker-4 does not send 198.51.100.200: the session is Idle.', ['worker-4']),
  );
  const { model } = loadFixture();
  const findings = ['worker-1', 'worker-2'].map((node) => ({ ...sessionDown(node), remediation: { summary: `Set peerASN for ${node}.` } }));
  const view = await buildView(model, findings);
  assert.equal(view.findings.length, 1);
  assert.equal(view.findings[0].remediation.summary, 'Set peerASN for worker-1.');
  assert.deepEqual(view.findings[0].members.map((m) => m.fix), [undefined, 'Set peerASN for worker-2.']);
});

test('an empty model (no manifest, no discovery, no bundle) still renders every section', async () => {
  const { emptyModel } = await import('../../src/model/cluster.js');
  const { renderViewHtml } = await import('../../src/render/html.js');
  const view = await buildView(emptyModel(), []);
  assert.equal(view.cluster.name, 'cluster');
  assert.equal(view.metallb.version, 'unknown');
  assert.equal(view.collection.available, false);
  assert.equal(view.topology.empty, true);
  const html = renderViewHtml(view);
  for (const id of ['findings', 'topology', 'services', 'nodes', 'collection', 'raw']) assert.match(html, new RegExp(`<section id="${id}"`));
  assert.match(html, /No problems found by the checks/);
  assert.match(html, /The bundle has no manifest/);
});

test("print summary: at most 20 services, problems first, and the rest counted; few nodes are all listed", async () => {
  const { model, findings } = loadFixture();
  const before = await buildView(model, findings, { print: true });
  const healthy = before.services.find((s) => s.verdictClass !== 'bad')!;
  const template = model.kube.services.find((s) => s.metadata?.name === healthy.name && s.metadata?.namespace === healthy.namespace)!;
  // 30 copies of a service with a lesser problem (a mismatch), named to come first alphabetically.
  for (let i = 0; i < 30; i++) model.kube.services.push({ ...template, metadata: { ...template.metadata, namespace: `aa`, name: `aa-copy-${i}` } });
  const view = await buildView(model, findings, { print: true });
  assert.equal(view.glance.services.length, 20);
  assert.equal(view.glance.servicesMore, view.services.length - 20);
  const rank = { bad: 0, warn: 1, muted: 2, good: 3 } as Record<string, number>;
  const ranks = view.glance.services.map((s) => rank[s.verdictClass] ?? 2);
  assert.deepEqual(ranks, [...ranks].sort((a, b) => a - b), 'problems come first');
  assert.ok(view.services.filter((s) => s.verdictClass === 'bad').every((s) => view.glance.services.includes(s)), 'every conflict or pending service is in the summary');
  assert.equal(view.glance.nodes.length, view.collection.nodeCount);
  assert.equal(view.glance.nodesMore, 0);
});
