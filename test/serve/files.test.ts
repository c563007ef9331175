/**
 * The bundle reader of `serve` and the log times it derives: a folder handed to `serve` may hold
 * links or odd names, and nothing read may come from outside it.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { mkdirSync, symlinkSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BundleFiles } from '../../src/serve/files.js';
import { bundleObjects, lineTime, logLines } from '../../src/serve/world.js';

test('BundleFiles reads inside the bundle only: no links, no .., no absolute paths', async () => {
  const root = await mkdtemp(join(tmpdir(), 'mlb-serve-files-'));
  try {
    const bundle = join(root, 'bundle');
    mkdirSync(join(bundle, 'logs', 'pod'), { recursive: true });
    writeFileSync(join(root, 'secret.txt'), 'outside');
    writeFileSync(join(bundle, 'logs', 'pod', 'speaker.log'), 'inside\n');
    symlinkSync(join(root, 'secret.txt'), join(bundle, 'logs', 'pod', 'frr.log'));
    symlinkSync(root, join(bundle, 'up'));
    const files = new BundleFiles(bundle);
    assert.equal(files.text('logs/pod/speaker.log'), 'inside\n');
    assert.equal(files.text('logs/pod/frr.log'), undefined, 'a link to a file outside');
    assert.equal(files.text('up/secret.txt'), undefined, 'a linked folder on the way');
    assert.equal(files.text('../secret.txt'), undefined);
    assert.equal(files.text(join(root, 'secret.txt')), undefined);
    assert.equal(files.text('logs/pod'), undefined, 'a folder is not a file');
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('list items without apiVersion/kind (as a real API server lists them) get them from the list; Secrets keep keys, never values', async () => {
  const root = await mkdtemp(join(tmpdir(), 'mlb-serve-objects-'));
  try {
    mkdirSync(join(root, 'cluster', 'metallb.io'), { recursive: true });
    writeFileSync(join(root, 'cluster', 'metallb.io', 'ipaddresspools.json'), JSON.stringify({ apiVersion: 'metallb.io/v1beta1', kind: 'IPAddressPoolList', items: [{ metadata: { name: 'p', namespace: 'metallb-system' }, spec: { addresses: ['192.0.2.0/28'] } }, { junk: true }] }));
    writeFileSync(join(root, 'cluster', 'secrets.json'), JSON.stringify({ apiVersion: 'v1', kind: 'SecretList', items: [{ metadata: { name: 's', namespace: 'metallb-system' }, type: 'Opaque', keys: ['password'] }] }));
    const objects = bundleObjects(new BundleFiles(root));
    assert.deepEqual(objects.map((o) => `${o.apiVersion} ${o.kind} ${o.metadata.name}`), ['v1 Secret s', 'metallb.io/v1beta1 IPAddressPool p']);
    assert.deepEqual(objects[0]!.data, { password: '' });
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

test('log lines take their time from the line (MetalLB JSON ts, FRR prefix), else the line before', () => {
  assert.equal(lineTime('{"level":"info","ts":"2026-12-01T06:06:24.965Z","msg":"x"}'), '2026-12-01T06:06:24.965Z');
  assert.equal(lineTime('2026/12/01 06:06:25.100 BGP: [X] up'), '2026-12-01T06:06:25.100Z');
  assert.equal(lineTime('no time here'), undefined);
  const lines = logLines('early\n2026/12/01 06:00:00.000 ZEBRA: a\ncontinued\n2026/12/01 07:00:00.000 ZEBRA: b\n', '2026-12-02T00:00:00.000Z');
  // Nine fractional digits, as the kubelet stamps lines.
  assert.deepEqual(lines.map((l) => l.ts), ['2026-12-01T06:00:00.000000000Z', '2026-12-01T06:00:00.000000000Z', '2026-12-01T06:00:00.000000000Z', '2026-12-01T07:00:00.000000000Z']);
  assert.deepEqual(logLines('plain\n', '2026-12-02T00:00:00.000Z'), [{ ts: '2026-12-02T00:00:00.000000000Z', text: 'plain' }]);
  assert.deepEqual(logLines('', 'x'), []);
});
