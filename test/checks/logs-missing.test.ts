import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { caseTable, event, l2Base } from './helpers.js';
import { longerSince, sinceFlag } from '../../src/checks/rules/logs-missing.js';
import { startSim } from '../helpers/sim.js';
import { collectAndReport } from '../../src/run/index.js';

const manifest = (createdAt: string, sinceSeconds?: number) => ({
  schemaVersion: 1,
  tool: { name: 'mlb-report', version: '0.1.0' },
  createdAt,
  command: [],
  cluster: {},
  options: sinceSeconds === undefined ? {} : { sinceSeconds },
  timings: { totalMs: 1 },
  redaction: { ips: false, rules: [], count: 0 },
  nodes: [],
  clusterSteps: [],
  addedContainers: [],
  files: [],
});

// Speaker lines as MetalLB v0.13 writes them, verbatim from metallb/metallb#1765.
const speakerLines = [
  '{"caller":"node_controller.go:42","controller":"NodeReconciler","level":"info","start reconcile":"/k8s-worker1","ts":"2023-01-06T16:41:01Z"}',
  '{"caller":"speakerlist.go:271","level":"info","msg":"triggering discovery","op":"memberDiscovery","ts":"2023-01-06T16:41:01Z"}',
  '{"caller":"node_controller.go:64","controller":"NodeReconciler","end reconcile":"/k8s-worker1","level":"info","ts":"2023-01-06T16:41:01Z"}',
].join('\n');
// The reloader's lines carry no time (docs/metallb.md §3.2).
const reloaderLines = ['Caught SIGHUP and acquired lock! Reloading FRR..', 'Checking the configuration file syntax', 'Applying the configuration file', 'FRR reloaded successfully! 3 seconds'].join('\n');
const empty = { 'speaker-n1/speaker': '', 'speaker-n2/speaker': '', 'controller-5f7/controller': '' };

caseTable('logs-missing', [
  { name: 'lines inside the 24h window', spec: l2Base({ manifest: manifest('2023-01-06T18:00:00Z', 86400), logs: { ...empty, 'speaker-n1/speaker': speakerLines } }), fires: false },
  { name: 'no log collected at all (collection-gap says why)', spec: l2Base({ manifest: manifest('2023-01-06T18:00:00Z', 86400) }), fires: false },
  {
    name: 'every log empty for --since 24h',
    spec: l2Base({ manifest: manifest('2023-01-06T18:00:00Z', 86400), logs: empty }),
    fires: true,
    check: (f) => {
      assert.equal(f.length, 1);
      assert.equal(f[0].severity, 'info');
      assert.equal(f[0].summary, 'No log line within --since 24h from any of 3 containers: log-based checks could not judge; collect again with --since 72h');
      assert.match(f[0].evidence[1].excerpt, /logs\/speaker-n1\/speaker\.log \(speaker-n1\/speaker\): 0 lines/);
      assert.equal(f[0].remediation.snippet, 'mlb-report collect --since 72h');
    },
  },
  {
    name: 'every log empty although the speaker announced inside the window',
    spec: l2Base({
      manifest: manifest('2023-01-06T18:00:00Z', 86400),
      logs: empty,
      events: [{ ...event('default/web', 'nodeAssigned', 'announcing from node "n2" with protocol "layer2"', 'Normal'), source: { component: 'metallb-speaker', host: 'n2' }, lastTimestamp: '2023-01-06T17:10:00Z' }, { ...event('default/web', 'IPAllocated', 'Assigned IP ["192.0.2.100"]', 'Normal'), source: { component: 'metallb-controller' }, lastTimestamp: '2023-01-01T10:00:00Z' }],
    }),
    fires: true,
    check: (f) => {
      const ev = f[0].evidence.find((e) => e.path === 'cluster/events.json');
      assert.ok(ev, 'the events are cited');
      assert.equal(ev.label, '1 MetalLB event(s) inside the window: the components were active');
      assert.match(ev.excerpt, /^2023-01-06T17:10:00\.000Z nodeAssigned Service\/web from metallb-speaker: announcing from node "n2"/);
    },
  },
  {
    name: 'every log empty, no manifest: the collector default window is named',
    spec: l2Base({ logs: empty }),
    fires: true,
    check: (f) => assert.match(f[0].summary, /--since 24h from any of 3 containers/),
  },
  {
    name: 'newest line three days before the window',
    spec: l2Base({ manifest: manifest('2023-01-10T18:00:00Z', 86400), logs: { ...empty, 'speaker-n1/speaker': speakerLines } }),
    fires: true,
    check: (f) => {
      assert.match(f[0].summary, /newest of 3 timestamped log lines \(speaker-n1\/speaker, 2023-01-06T16:41:01\.000Z\) is older than the --since 24h window \(2023-01-09T18:00:00\.000Z → 2023-01-10T18:00:00\.000Z\)/);
      assert.match(f[0].evidence[1].excerpt, /NodeReconciler","end reconcile"/);
    },
  },
  { name: 'newest line two minutes before the window start (clock skew)', spec: l2Base({ manifest: manifest('2023-01-07T16:43:01Z', 86400), logs: { 'speaker-n1/speaker': speakerLines } }), fires: false },
  { name: 'only lines without a time (reloader): no judgement', spec: l2Base({ manifest: manifest('2030-01-01T00:00:00Z', 3600), logs: { ...empty, 'speaker-n1/reloader': reloaderLines } }), fires: false },
]);

test('logs-missing: --since values as the flag takes them, and the next window to try', () => {
  assert.equal(sinceFlag(86400), '24h');
  assert.equal(sinceFlag(5400), '90m');
  assert.equal(sinceFlag(1), '1s');
  assert.equal(sinceFlag(longerSince(86400)), '72h');
  assert.equal(sinceFlag(longerSince(1)), '24h');
});

test('logs-missing end to end: a collection with --since 1s after the last log line says so, in the findings and on the terminal', { timeout: 120_000 }, async () => {
  const sim = await startSim('healthy-frr');
  const root = await mkdtemp(join(tmpdir(), 'mlb-logs-missing-'));
  try {
    const ran = await collectAndReport({ kubeconfigPath: sim.kubeconfigPath, out: join(root, 'bundle'), sinceSeconds: 1, captureSeconds: 1, formats: ['json'], timeoutMs: 120_000, renderer: 'silent', tar: false });
    const findings = ran.analysis?.findings ?? [];
    const found = findings.filter((f) => f.id === 'logs-missing');
    assert.equal(found.length, 1, findings.map((f) => `${f.id}: ${f.summary}`).join('\n'));
    assert.match(found[0].summary, /^No log line within --since 1s from any of \d+ containers: log-based checks could not judge; collect again with --since 24h$/);
    assert.ok(ran.notes.includes('every log came back empty for --since 1s; pass a longer --since (e.g. --since 24h)'), ran.notes.join('\n'));
    // The scenario's own finding (its control-plane node is excluded from announcing) still comes first.
    assert.notEqual(findings[0].id, 'logs-missing', findings.map((f) => f.id).join(', '));
    assert.ok(!findings.some((f) => f.id === 'capture-empty'), 'the 1 s capture saw BFD packets');
  } finally {
    await sim.stop();
    await rm(root, { recursive: true, force: true });
  }
});
