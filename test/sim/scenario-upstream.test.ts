/**
 * The fast JSON twin of the upstream manifests must stay identical to the YAML copied from
 * upstream (the YAML is the source; the twin only saves ~0.5 s of YAML parsing per release).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { buildManifestTwin, installModes, manifestFile, manifestTagFor, twinFile, upstreamManifest } from '../../src/sim/scenario/install.js';

const tags = ['v0.13.12', 'v0.14.9', 'v0.15.3', 'v0.16.1'];

test('manifests.json equals the upstream YAML of every release', () => {
  for (const tag of tags) {
    assert.ok(existsSync(twinFile(tag)), `${tag}: run node --import tsx src/sim/scenario/install.ts --write-json`);
    const twin = JSON.parse(readFileSync(twinFile(tag), 'utf8'));
    assert.deepEqual(twin, JSON.parse(JSON.stringify(buildManifestTwin(tag))), `${tag}: manifests.json is stale; regenerate it`);
    for (const mode of installModes) {
      if (!existsSync(manifestFile(tag, mode))) continue;
      const objs = upstreamManifest(tag, mode);
      assert.ok(objs.some((o) => o.kind === 'DaemonSet' && o.metadata.name === 'speaker'), `${tag}/${mode} has the speaker`);
      assert.ok(objs.some((o) => o.kind === 'CustomResourceDefinition' && o.metadata.name === 'ipaddresspools.metallb.io'), `${tag}/${mode} has the CRDs`);
    }
  }
});

test('each version uses the manifest of its minor release', () => {
  assert.equal(manifestTagFor('v0.14.3', 'native'), 'v0.14.9');
  assert.equal(manifestTagFor('v0.16.0', 'frr-k8s'), 'v0.16.1');
  assert.equal(manifestTagFor('v0.13.7', 'frr'), 'v0.13.12');
  assert.throws(() => manifestTagFor('v0.12.1', 'native'), /unsupported MetalLB version/);
});
