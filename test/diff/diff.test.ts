import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile, mkdir } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { diffSides, formatDiff, runDiff, sameUpToListOrder, type DiffSide } from '../../src/diff/index.js';
import type { ClusterModel } from '../../src/model/cluster.js';
import type { Finding } from '../../src/model/finding.js';
import { packageRoot } from '../../src/version.js';
import { isUserError } from '../../src/util/errors.js';
import { loadFixture } from '../render/fixture.js';
import { findingEntries } from '../../src/checks/group.js';

const run = promisify(execFile);

/** The fixture incident after someone fixed the peer ASN and removed the duplicate IP from worker-3. */
function repaired(): { model: ClusterModel; findings: Finding[] } {
  const { model, findings } = loadFixture();
  const neighbor = model.nodes['worker-2'].frr!.neighbors[0];
  Object.assign(neighbor, { state: 'Established', remoteAs: 64513, lastNotificationReason: undefined, uptimeMs: 5000 });
  model.nodes['worker-2'].frr!.bfdPeers[0].status = 'up';
  model.nodes['worker-3'].addresses[0].addrs = model.nodes['worker-3'].addresses[0].addrs.filter((a) => a.local !== '198.51.100.101');
  model.nodes['worker-1'].arping[0].macs = ['02:00:00:00:00:02'];
  model.nodes['worker-1'].capture!.arp = model.nodes['worker-1'].capture!.arp.filter((p) => p.mac !== '02:00:00:00:00:03');
  const kept = findings.filter((f) => f.id === 'allocation-failed' || f.id === 'collection-gap');
  kept[0] = { ...kept[0], severity: 'error', summary: 'default/api is pending: no available IPs (pool l2-pool exhausted for 2 hours)' };
  kept.push({ id: 'speaker-restarting', severity: 'warning', category: 'install', title: 'Speaker restarting', summary: 'speaker-m2vzc on worker-3 restarted 9 times', subjects: [{ kind: 'Pod', name: 'speaker-m2vzc', namespace: 'metallb-system' }], evidence: [], remediation: { summary: 'Read the previous log.' } });
  return { model, findings: kept };
}

test('findings: fixed, new, changed and still present are told apart by id + subjects', () => {
  const before = loadFixture();
  const after = repaired();
  const a: DiffSide = { path: 'A', kind: 'bundle', ...before };
  const b: DiffSide = { path: 'B', kind: 'bundle', ...after };
  const result = diffSides(a, b);
  assert.deepEqual(result.fixed.map((f) => f.id).sort(), ['bfd-down', 'bgp-session-down', 'l2-duplicate-mac']);
  assert.deepEqual(result.new.map((f) => f.id), ['speaker-restarting']);
  assert.equal(result.changed.length, 1);
  assert.deepEqual(result.changed[0].changes.map((c) => c.field), ['severity', 'summary']);
  assert.deepEqual(result.unchanged.map((f) => f.id), ['collection-gap']);

  const web = result.services!.find((s) => s.name === 'default/web')!;
  assert.equal(web.status, 'changed');
  assert.deepEqual(web.changes.find((c) => c.field === 'ARP answered by'), { field: 'ARP answered by', before: 'worker-2 (02:00:00:00:00:02), worker-3 (02:00:00:00:00:03)', after: 'worker-2 (02:00:00:00:00:02)' });
  assert.deepEqual(web.changes.find((c) => c.field === 'status'), { field: 'status', before: 'conflict', after: 'ok' });
  const checkout = result.services!.find((s) => s.name === 'shop/checkout')!;
  assert.match(checkout.changes.find((c) => c.field === 'BGP advertised by')!.after, /worker-2 \(1\/1 Established\)/);

  const worker2 = result.nodes!.find((n) => n.name === 'worker-2')!;
  assert.deepEqual(worker2.changes.find((c) => c.field === 'BGP 192.0.2.1'), { field: 'BGP 192.0.2.1', before: 'Idle (OPEN Message Error/Bad Peer AS)', after: 'Established' });
  assert.deepEqual(worker2.changes.find((c) => c.field === 'BFD 192.0.2.1'), { field: 'BFD 192.0.2.1', before: 'down', after: 'up' });
  const worker3 = result.nodes!.find((n) => n.name === 'worker-3')!;
  assert.deepEqual(worker3.changes.find((c) => c.field === 'LoadBalancer IPs held'), { field: 'LoadBalancer IPs held', before: '198.51.100.101 on eth0', after: '-' });
  assert.equal(result.nodes!.some((n) => n.name === 'worker-1' && n.changes.some((c) => c.field.startsWith('BGP'))), false, 'unchanged sessions are not reported');

  const text = formatDiff(result);
  assert.match(text, /^Fixed \(3\):$/m);
  assert.match(text, /^ {2}- \[error\] bgp-session-down: BGP session worker-2/m);
  assert.match(text, /^ {2}\+ \[warning\] speaker-restarting:/m);
  assert.match(text, /^ {6}BGP 192\.0\.2\.1: Idle \(OPEN Message Error\/Bad Peer AS\) → Established$/m);
  assert.match(text, /^ {6}severity: warning → error$/m);
});

test('identical inputs: nothing fixed, nothing new, no service or node changes', () => {
  const result = diffSides({ path: 'A', kind: 'bundle', ...loadFixture() }, { path: 'B', kind: 'bundle', ...loadFixture() });
  assert.equal(result.fixed.length + result.new.length + result.changed.length, 0);
  assert.equal(result.unchanged.length, 5);
  assert.deepEqual(result.services, []);
  assert.deepEqual(result.nodes, []);
});

test('findings.json files (object or bare array) compare findings and say state was not compared', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'mlb-report-diff-'));
  try {
    const before = loadFixture();
    const after = repaired();
    // The analyzer's findings.json shape (docs/findings.md): bundle, cluster, findings, collection.
    await writeFile(
      join(dir, 'a.json'),
      JSON.stringify({
        schemaVersion: 1,
        tool: { name: 'mlb-report' },
        bundle: { path: 'incident-4711', createdAt: '2026-11-27T12:47:30.120Z' },
        cluster: { context: 'prod-eu-1' },
        findings: before.findings,
        collection: { available: true, nodes: [{ node: 'worker-3', status: 'partial', reason: 'ErrImagePull' }, { node: 'worker-1', status: 'ok' }] },
      }),
    );
    await writeFile(join(dir, 'b.json'), JSON.stringify(after.findings));
    const result = await runDiff(join(dir, 'a.json'), join(dir, 'b.json'));
    assert.equal(result.a.cluster, 'prod-eu-1');
    assert.equal(result.a.collectedAt, '2026-11-27T12:47:30.120Z');
    assert.equal(result.fixed.length, 3);
    assert.equal(result.services, null);
    assert.equal(result.nodes, null, 'the bare array has no collection status to compare');
    assert.match(formatDiff(result), /Services: not compared/);

    await writeFile(join(dir, 'c.json'), JSON.stringify({ findings: after.findings, collection: { nodes: [{ node: 'worker-3', status: 'ok' }, { node: 'worker-1', status: 'ok' }] } }));
    const collected = await runDiff(join(dir, 'a.json'), join(dir, 'c.json'));
    assert.deepEqual(collected.nodes, [{ name: 'worker-3', status: 'changed', changes: [{ field: 'collection', before: 'partial (ErrImagePull)', after: 'ok' }] }]);

    // Bundles go through the analyzer; an injected one stands in for src/analyze here.
    await mkdir(join(dir, 'bundle-a'));
    await mkdir(join(dir, 'bundle-b'));
    const analyzed = await runDiff(join(dir, 'bundle-a'), join(dir, 'bundle-b'), async (path) => (path.endsWith('bundle-a') ? before : after));
    assert.equal(analyzed.a.kind, 'bundle');
    assert.equal(analyzed.a.collectedAt, '2026-11-27T12:47:30.120Z');
    assert.ok(analyzed.nodes!.some((n) => n.name === 'worker-2'));

    // The CLI: --json output parses; bad input is one line plus a fix, exit 2.
    const cli = join(packageRoot, 'bin', 'mlb-report.js');
    const json = await run(process.execPath, [cli, 'diff', '--json', join(dir, 'a.json'), join(dir, 'b.json')]);
    assert.deepEqual(JSON.parse(json.stdout).new.map((f: { id: string }) => f.id), ['speaker-restarting']);
    await writeFile(join(dir, 'not-findings.json'), '{"hello": 1}');
    await writeFile(join(dir, 'broken.json'), '{"findings": [');
    for (const [path, message] of [
      [join(dir, 'not-findings.json'), /is not a findings file/],
      [join(dir, 'broken.json'), /is not valid JSON/],
      [join(dir, 'a.txt'), /no such file or directory/],
    ] as const) {
      const error = await runDiff(path, join(dir, 'b.json')).then(
        () => assert.fail('diff should fail'),
        (e: unknown) => e,
      );
      assert.ok(isUserError(error), String(error));
      assert.equal(error.exitCode, 2);
      assert.match(error.message, message);
    }
    // The binary prints a UserError as one line and a fix, exit 2.
    const failed = await run(process.execPath, [cli, 'diff', join(dir, 'missing.json'), join(dir, 'b.json')]).then(
      () => assert.fail('diff should fail'),
      (e: { code: number; stderr: string }) => e,
    );
    assert.equal(failed.code, 2);
    const lines = failed.stderr.trim().split('\n');
    assert.equal(lines.length, 2, failed.stderr);
    assert.match(lines[0], /^error: .*missing\.json: no such file or directory$/);
    assert.match(lines[1], /^fix: /);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

/** The fixture incident with the peer-AS problem on three nodes: one cause, three instances. */
function threeSessionsDown(): Finding[] {
  const { findings } = loadFixture();
  const [session] = findings;
  const onNode = (node: string): Finding => ({
    ...session,
    summary: session.summary.replace('worker-2', node),
    subjects: session.subjects.map((s) => (s.name === 'worker-2' ? { ...s, name: node } : s)),
    remediation: { ...session.remediation, summary: session.remediation.summary.replace('worker-2', node) },
  });
  return [session, onNode('worker-1'), onNode('worker-3'), ...findings.slice(1)];
}

test('a v1 and a v2 findings.json of one incident: same findings, nothing fixed, new or changed', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'mlb-report-diff-versions-'));
  try {
    const findings = threeSessionsDown();
    const entries = findingEntries(findings);
    assert.equal(entries.length, 5, 'the three sessions are one entry');
    const collection = { available: true, nodes: [{ node: 'worker-3', status: 'partial', reason: 'ErrImagePull' }] };
    await writeFile(join(dir, 'v1.json'), JSON.stringify({ schemaVersion: 1, findings, collection }));
    await writeFile(join(dir, 'v2.json'), JSON.stringify({ schemaVersion: 2, findings: entries, collection }));
    for (const [a, b] of [['v1.json', 'v2.json'], ['v2.json', 'v1.json']]) {
      const result = await runDiff(join(dir, a), join(dir, b));
      assert.deepEqual({ fixed: result.fixed, new: result.new, changed: result.changed }, { fixed: [], new: [], changed: [] });
      assert.equal(result.unchanged.length, 7);
      assert.deepEqual(result.nodes, []);
      assert.deepEqual([result.a.findings, result.a.instances, result.b.findings, result.b.instances], [5, 7, 5, 7]);
      assert.match(formatDiff(result), /^A: .*, 5 findings in 7 instances\)$/m);
    }

    // One node repaired: its instance is fixed, the entry's other instances are still present.
    const repairedEntries = findingEntries(findings.filter((f) => !(f.id === 'bgp-session-down' && f.subjects.some((s) => s.name === 'worker-1'))));
    await writeFile(join(dir, 'v2-repaired.json'), JSON.stringify({ schemaVersion: 2, findings: repairedEntries }));
    const repairedOne = await runDiff(join(dir, 'v1.json'), join(dir, 'v2-repaired.json'));
    assert.deepEqual(repairedOne.fixed.map((f) => f.summary), [findings[1].summary]);
    assert.equal(repairedOne.unchanged.filter((f) => f.id === 'bgp-session-down').length, 2);
    assert.equal(repairedOne.new.length + repairedOne.changed.length, 0);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('a v2 entry with missing or malformed parts still reads, instance by instance', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'mlb-report-diff-malformed-'));
  try {
    const entry = { id: 'speaker-missing', severity: 'error', title: 'Speaker missing', summary: 'Speaker missing on worker-3', instances: [null, { summary: 'Speaker missing on worker-3' }, { summary: 'Speaker missing on worker-4', subjects: [{ kind: 'Node', name: 'worker-4' }] }] };
    await writeFile(join(dir, 'a.json'), JSON.stringify({ schemaVersion: 2, findings: [entry, 'not an entry'] }));
    await writeFile(join(dir, 'b.json'), JSON.stringify({ schemaVersion: 2, findings: [{ ...entry, instances: entry.instances.slice(0, 2) }] }));
    const result = await runDiff(join(dir, 'a.json'), join(dir, 'b.json'));
    assert.deepEqual(result.fixed.map((f) => f.subjects), [['Node worker-4']]);
    assert.deepEqual(result.unchanged.map((f) => f.summary), ['Speaker missing on worker-3']);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('findings whose summaries differ only in the order of listed MACs are still present, not changed', () => {
  const before = loadFixture();
  const dup = before.findings.find((f) => f.id === 'l2-duplicate-mac')!;
  // Each MAC with the node that owns it, as the check lists them.
  const macs = /(02:[0-9a-f:]+ \([^)]*\))(, | and )(02:[0-9a-f:]+ \([^)]*\))/.exec(dup.summary);
  assert.ok(macs, `the fixture lists two MACs: ${dup.summary}`);
  const swapped = dup.summary.replace(macs[0], `${macs[3]}${macs[2]}${macs[1]}`);
  assert.notEqual(swapped, dup.summary);
  const after = { model: before.model, findings: before.findings.map((f) => (f === dup ? { ...f, summary: swapped } : f)) };
  const result = diffSides({ path: 'A', kind: 'bundle', ...before }, { path: 'B', kind: 'bundle', ...after });
  assert.deepEqual(result.changed, []);
  assert.ok(result.unchanged.some((f) => f.id === 'l2-duplicate-mac'));
  // A MAC that really changed is still a change.
  const other = { model: before.model, findings: before.findings.map((f) => (f === dup ? { ...f, summary: dup.summary.replace(macs[1], macs[1].replace(/:0(\d) /, ':9$1 ')) } : f)) };
  assert.deepEqual(diffSides({ path: 'A', kind: 'bundle', ...before }, { path: 'B', kind: 'bundle', ...other }).changed.map((c) => c.before.id), ['l2-duplicate-mac']);
});

test('summaries compared up to list order: the same items in another order are the same; other items are not', () => {
  const summary = (macs: string[]) => `3 MACs answer for 203.0.113.10 (infra/office-vpn): ${macs.join(', ')} — memberlist split brain`;
  const macs = ['02:00:00:00:00:05 (worker-4 eth0)', '02:00:00:00:00:04 (worker-3 eth0)', '02:00:00:00:00:01 (cp-1 eth0)'];
  assert.equal(sameUpToListOrder(summary(macs), summary([...macs].reverse())), true);
  assert.equal(sameUpToListOrder(summary(macs), summary(['02:00:00:00:00:05 (worker-3 eth0)', '02:00:00:00:00:04 (worker-4 eth0)', macs[2]])), false, 'a MAC on another node');
  assert.equal(sameUpToListOrder(summary(macs), summary(macs.slice(0, 2))), false, 'one MAC fewer');
});
