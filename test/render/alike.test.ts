/**
 * Nodes that raise no finding are summarised together: no section each and no embedded outputs,
 * while the nodes findings name keep theirs.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compactNames, groupAlike } from '../../src/render/alike.js';
import { buildView } from '../../src/render/view.js';
import { renderViewHtml } from '../../src/render/html.js';
import { loadFixture } from './fixture.js';

test('compactNames: numbered runs become ranges, other names stay as they are', () => {
  const names = [...Array.from({ length: 250 }, (_, i) => `node-${String(i + 1).padStart(3, '0')}`), 'node-252', 'node-253', 'edge-a', 'w9', 'w10'];
  assert.equal(compactNames(names), 'node-001…node-250, node-252, node-253, edge-a, w9, w10');
  assert.equal(compactNames(['a-1', 'a-2', 'a-3', 'b-4']), 'a-1…a-3, b-4');
  assert.equal(compactNames([]), '');
});

test('groupAlike: the biggest group first, members in input order', () => {
  const groups = groupAlike(['a1', 'b1', 'a2', 'a3'], (x) => [x[0]!]);
  assert.deepEqual(groups.map((g) => [g.traits, g.members]), [[['a'], ['a1', 'a2', 'a3']], [['b'], ['b1']]]);
});

test('a node without findings is summarised with links to its bundle folder; nodes with findings keep their raw outputs', async () => {
  const { model, findings } = loadFixture();
  const view = await buildView(model, findings, { bundleLink: '../bundle dir' });
  // worker-1: fully collected, speaker ready, named by no finding.
  assert.deepEqual(view.nodes.map((n) => n.name), ['worker-2', 'worker-3']);
  assert.equal(view.alikeCount, 1);
  const [group] = view.alike;
  assert.equal(group!.heading, '1 node alike');
  assert.match(group!.traitsText, /^collection ok( via \w+)?, speaker ready, /);
  assert.deepEqual(group!.nodes, [{ name: 'worker-1', path: 'nodes/worker-1/', href: '../bundle%20dir/nodes/worker-1/' }]);
  // Its outputs are linked, not embedded (unless a finding quotes one as evidence); worker-2's
  // (named by findings) are embedded.
  const cited = new Set(findings.flatMap((f) => f.evidence.map((e) => e.path)));
  const worker1Files = model.manifest!.files.filter((f) => f.path.startsWith('nodes/worker-1/') && !cited.has(f.path));
  assert.ok(worker1Files.length > 0, 'the fixture has outputs of worker-1 no finding cites');
  assert.deepEqual(view.raw.filter((r) => r.path.startsWith('nodes/worker-1/') && !cited.has(r.path)), []);
  assert.ok(view.raw.filter((r) => r.path.startsWith('nodes/worker-1/')).every((r) => r.citedBy.length > 0));
  const worker2 = view.raw.filter((r) => r.path.startsWith('nodes/worker-2/'));
  assert.ok(worker2.length > 0 && worker2.some((r) => r.text.length > 0), 'worker-2 keeps its raw outputs');
  // Every evidence quoting a file of the bundle still links to that file, embedded.
  const anchors = new Set(view.raw.filter((r) => !r.unavailable).map((r) => r.anchor));
  const inBundle = new Set(model.manifest!.files.map((f) => f.path));
  const evidence = view.findings.flatMap((g) => g.members.flatMap((m) => m.evidence)).filter((e) => inBundle.has(e.path));
  assert.ok(evidence.length >= 3, 'the fixture cites bundle files');
  for (const e of evidence) assert.ok(e.anchor !== undefined && anchors.has(e.anchor), `${e.path} is linked and embedded`);
  // Its collection steps are one alike row too.
  assert.deepEqual(view.collection.alike.map((g) => [g.count, g.namesText]), [[1, 'worker-1']]);
  assert.ok(!view.collection.nodes.some((n) => n.name === 'worker-1'));

  const html = renderViewHtml(view);
  assert.match(html, /<strong>1 node alike:<\/strong>/);
  assert.match(html, /<a class="mono" href="\.\.\/bundle%20dir\/nodes\/worker-1\/">nodes\/worker-1\/<\/a>/);
  assert.doesNotMatch(html, /id="node-[0-9a-f]+"[^>]*>\s*<summary>\s*<span class="dot good"><\/span><strong class="mono">worker-1</);
});

test('without a reachable bundle (a tarball) the folders are named, not linked; hostile names stay text', async () => {
  const { model, findings } = loadFixture();
  const hostile = '<img src=x onerror=alert(1)>';
  model.nodes[hostile] = { ...model.nodes['worker-1']!, name: hostile } as (typeof model.nodes)[string];
  model.manifest!.nodes.push({ ...model.manifest!.nodes.find((n) => n.node === 'worker-1')!, node: hostile });
  const view = await buildView(model, findings);
  const html = renderViewHtml(view);
  assert.ok(!html.includes(hostile), 'the node name is escaped');
  assert.ok(view.alike.flatMap((g) => g.nodes).every((n) => n.href === undefined));
});

test('findings.json: ok and skipped steps are counted once for all nodes, a failed step stays with its node', async () => {
  const { findingsDocument } = await import('../../src/analyze/index.js');
  const { schemaProblems } = await import('../helpers/findings-v1.js');
  const { model, findings } = loadFixture();
  const doc = findingsDocument({ model, findings }, 'bundle', { now: new Date('2026-11-27T13:00:00Z') });
  assert.deepEqual(schemaProblems(2, doc), []);
  const records = model.manifest!.nodes;
  assert.equal(doc.collection.nodes.length, records.length, 'every node keeps its line (diff reads status and reason)');
  for (const n of doc.collection.nodes) {
    const record = records.find((r) => r.node === n.node)!;
    assert.deepEqual(
      n.steps.map((s) => s.step),
      record.steps.filter((s) => s.status !== 'ok' && s.status !== 'skipped').map((s) => s.step),
      `${n.node}: only failed or partial steps`,
    );
  }
  assert.ok(doc.collection.nodes.some((n) => n.steps.length > 0), 'the fixture has a node with a failed step');
  // Each ok step once, counting the nodes it ran on.
  for (const outcome of doc.collection.nodeSteps) {
    const matching = records.filter((r) => r.steps.some((s) => s.step === outcome.step && s.status === outcome.status && (outcome.status === 'ok' || (s.reason ?? undefined) === outcome.reason)));
    assert.equal(outcome.nodes, matching.length, `${outcome.step} ${outcome.status}`);
  }
  const okSteps = records.reduce((sum, r) => sum + r.steps.filter((s) => s.status === 'ok').length, 0);
  assert.equal(doc.collection.nodeSteps.filter((o) => o.status === 'ok').reduce((sum, o) => sum + o.nodes, 0), okSteps);
});
