import assert from 'node:assert/strict';
import { test } from 'node:test';
import { rankFindings } from '../../src/checks/rank.js';
import { runChecks } from '../../src/checks/index.js';
import type { Finding } from '../../src/model/finding.js';
import { bgpLab, fixture, l2Base, model } from './helpers.js';

const f = (id: string, severity: Finding['severity'], rank: number, subjects: Finding['subjects'], summary = id): Finding => ({ id, severity, rank, subjects, summary, category: 'bgp', title: id, evidence: [], remediation: { summary: 'x' } });
const nodeA = { kind: 'Node', name: 'a' };

test('a root cause outranks the symptoms it explains and lists them', () => {
  const ranked = rankFindings([f('bgp-prefix-not-advertised', 'error', 42, [nodeA]), f('bgp-session-down', 'error', 92, [nodeA])]);
  assert.deepEqual(ranked.map((x) => x.id), ['bgp-session-down', 'bgp-prefix-not-advertised']);
  assert.deepEqual(ranked[0].explains, ['bgp-prefix-not-advertised']);
  assert.equal(ranked[1].explains, undefined);
});

test('a warning cause goes before the error symptom it explains', () => {
  const ranked = rankFindings([f('etp-local-no-endpoint', 'error', 73, [{ kind: 'Service', namespace: 'd', name: 's' }]), f('node-excluded-from-lb', 'warning', 84, [{ kind: 'Service', namespace: 'd', name: 's' }]), f('pool-overlap', 'error', 80, [])]);
  assert.deepEqual(ranked.map((x) => x.id), ['pool-overlap', 'node-excluded-from-lb', 'etp-local-no-endpoint']);
});

test('no shared subject, no explanation: severity then rank decide', () => {
  const ranked = rankFindings([f('bgp-prefix-not-advertised', 'error', 42, [{ kind: 'Node', name: 'b' }]), f('bfd-down', 'error', 74, [nodeA]), f('bgp-session-down', 'warning', 92, [nodeA])]);
  assert.deepEqual(ranked.map((x) => x.id), ['bgp-session-down', 'bfd-down', 'bgp-prefix-not-advertised']);
  assert.deepEqual(ranked[0].explains, ['bfd-down']);
});

test('order is stable for equal findings', () => {
  const input = [f('collection-gap', 'info', 5, [{ kind: 'Node', name: 'z' }], 'z'), f('collection-gap', 'info', 5, [{ kind: 'Node', name: 'y' }], 'y')];
  assert.deepEqual(rankFindings(input).map((x) => x.summary), rankFindings([...input].reverse()).map((x) => x.summary));
});

test('real lab bundle: the bad-peer-AS session comes first and explains the missing prefix', () => {
  const ranked = rankFindings(runChecks(model(bgpLab())));
  assert.equal(ranked[0].id, 'bgp-session-down');
  assert.match(ranked[0].summary, /bad peer AS/);
  assert.ok(ranked[0].explains?.includes('bgp-prefix-not-advertised'));
  assert.ok(ranked.findIndex((x) => x.id === 'bgp-prefix-not-advertised') > 0);
});

test('IPVS without strictARP is ranked above the duplicate MACs it causes', () => {
  const spec = l2Base({ kubeProxy: 'mode: ipvs\n', nodeFiles: { n1: { 'probe/arping-192.0.2.100.txt': fixture('arping-duplicate.txt').replaceAll('10.99.0.100', '192.0.2.100') } } });
  const ranked = rankFindings(runChecks(model(spec)));
  assert.equal(ranked[0].id, 'kube-proxy-ipvs-strictarp');
  assert.ok(ranked.some((x) => x.id === 'l2-duplicate-mac'));
  assert.ok(ranked[0].explains?.includes('l2-duplicate-mac'));
});
