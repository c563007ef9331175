/** Partial bundles: a list the manifest records as not collected proves nothing by being empty. */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { listCollected } from '../../src/checks/lib/collected.js';
import { endpoints, findingsOf, l2Base, model } from './helpers.js';

const manifestWith = (steps: { step: string; status: string; files?: string[] }[]) => ({
  schemaVersion: 1,
  tool: { name: 'mlb-report', version: '0.1.0' },
  createdAt: '2026-12-04T08:00:00Z',
  command: ['mlb-report', 'collect'],
  cluster: {},
  options: {},
  timings: { totalMs: 0 },
  redaction: { ips: false, rules: [], count: 0 },
  nodes: [],
  clusterSteps: steps.map((s) => ({ durationMs: 0, files: [], ...s })),
  addedContainers: [],
  files: [],
});

test('listCollected: skipped or failed steps without their file are not collected; anything else is', () => {
  const skipped = model({ ...l2Base({ endpointSlices: undefined }), manifest: manifestWith([{ step: 'cluster.endpointslices', status: 'skipped' }]) });
  assert.equal(listCollected(skipped, 'cluster/endpointslices.json'), false);
  const failed = model({ ...l2Base(), metallb: undefined, manifest: manifestWith([{ step: 'metallb.ipaddresspools', status: 'failed' }]) });
  assert.equal(listCollected(failed, 'cluster/metallb.io/ipaddresspools.json'), false);
  assert.equal(listCollected(failed, 'cluster/endpointslices.json'), true, 'a step the manifest does not list');
  const ok = model({ ...l2Base({ endpointSlices: [] }), manifest: manifestWith([{ step: 'cluster.endpointslices', status: 'ok', files: ['cluster/endpointslices.json'] }]) });
  assert.equal(listCollected(ok, 'cluster/endpointslices.json'), true);
  assert.equal(listCollected(model(l2Base({ endpointSlices: undefined })), 'cluster/endpointslices.json'), true, 'no manifest: built in memory');
});

test('service-no-endpoints says nothing when EndpointSlices were not collected, and still fires when they were', () => {
  const notCollected = { ...l2Base({ endpointSlices: undefined }), manifest: manifestWith([{ step: 'cluster.endpointslices', status: 'skipped' }]) };
  assert.deepEqual(findingsOf('service-no-endpoints', model(notCollected)), []);
  const empty = { ...l2Base({ endpointSlices: [endpoints('default/other', [{ node: 'n1' }])] }), manifest: manifestWith([{ step: 'cluster.endpointslices', status: 'ok', files: ['cluster/endpointslices.json'] }]) };
  assert.equal(findingsOf('service-no-endpoints', model(empty)).length, 1);
});

test('announcer-eligibility does not claim that no pool holds the IP when the pools were not collected', () => {
  const base = l2Base();
  const noPools = { ...base, metallb: { l2advertisements: base.metallb!.l2advertisements }, manifest: manifestWith([{ step: 'metallb.ipaddresspools', status: 'skipped' }]) };
  assert.ok(!findingsOf('announcer-eligibility', model(noPools)).some((f) => /no IPAddressPool contains/.test(f.summary)));
  const emptyPools = { ...base, metallb: { ipaddresspools: [], l2advertisements: base.metallb!.l2advertisements }, manifest: manifestWith([{ step: 'metallb.ipaddresspools', status: 'ok', files: ['cluster/metallb.io/ipaddresspools.json'] }]) };
  assert.ok(findingsOf('announcer-eligibility', model(emptyPools)).some((f) => /no IPAddressPool contains/.test(f.summary)));
});
