/**
 * Every object a built-in scenario serves must be one a real API server could return
 * (the validator, shared with the deploy/ manifests' test, is test/helpers/kube-schema.ts):
 * - Kubernetes core/apps/discovery/rbac/admission/apiextensions objects validate against the
 *   Kubernetes OpenAPI schemas shipped by `kubernetes-models` (types, required fields, formats) and
 *   carry no field the OpenAPI model does not know (checked with the attribute maps of
 *   @kubernetes/client-node's generated models, generated from the same OpenAPI document);
 * - MetalLB and frr-k8s custom resources validate against the `openAPIV3Schema` of the CRDs in
 *   fixtures/upstream (copied from the upstream repositories), with unknown fields reported.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { builtinScenarioNames, loadScenario } from '../../src/sim/scenario/index.js';
import { problemsOf } from '../helpers/kube-schema.js';

test('every object of every built-in scenario validates against the Kubernetes and CRD schemas', async () => {
  const names = builtinScenarioNames();
  assert.ok(names.length >= 18, `expected all built-in scenarios, got ${names.join(', ')}`);
  const problems: string[] = [];
  const kinds = new Set<string>();
  for (const name of names) {
    const { world, backend } = await loadScenario(name);
    for (const o of world.objects) {
      kinds.add(o.kind!);
      for (const p of await problemsOf(o)) problems.push(`${name}: ${p}`);
    }
    await backend.close();
  }
  assert.deepEqual(problems.slice(0, 40), [], `${problems.length} schema problems`);
  // The check above is only meaningful if these kinds were actually served.
  for (const k of ['Pod', 'Node', 'Service', 'EndpointSlice', 'Event', 'DaemonSet', 'Deployment', 'ReplicaSet', 'ConfigMap', 'Secret', 'ValidatingWebhookConfiguration', 'IPAddressPool', 'L2Advertisement', 'BGPAdvertisement', 'BGPPeer', 'BFDProfile', 'ServiceL2Status', 'ServiceBGPStatus', 'ConfigurationState', 'FRRConfiguration', 'FRRNodeState', 'BGPSessionState']) {
    assert.ok(kinds.has(k), `no built-in scenario serves a ${k}`);
  }
});

test('synthetic, Helm and operator installs of every release validate too', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mlb-validate-'));
  try {
    const files: string[] = [];
    for (const [version, mode, method] of [
      ['v0.13.12', 'frr', 'helm'],
      ['v0.15.3', 'native', 'operator'],
      ['v0.16.1', 'frr-k8s', 'helm'],
      ['v0.14.3', 'native', 'manifest'],
    ]) {
      const file = join(dir, `${version}-${mode}-${method}.yaml`);
      writeFileSync(file, `name: v-${method}\ninstall: { version: ${version}, mode: ${mode}, method: ${method}, namespace: lb }\nnodes: [{ name: n1 }, { name: n2 }]\nservices: [{ name: web, ip: 198.51.100.1 }]\nobjects:\n  - { apiVersion: metallb.io/v1beta1, kind: IPAddressPool, metadata: { name: p }, spec: { addresses: [198.51.100.0/24] } }\n  - { apiVersion: metallb.io/v1beta1, kind: L2Advertisement, metadata: { name: a } }\n`);
      files.push(file);
    }
    const problems: string[] = [];
    for (const name of ['synthetic:nodes=4,mode=frr-k8s', 'synthetic:nodes=3,mode=frr,version=v0.13.12', ...files]) {
      const { world } = await loadScenario(name);
      assert.ok(world.objects.some((o) => o.kind === 'Pod'), `${name} serves pods`);
      for (const o of world.objects) for (const p of await problemsOf(o)) problems.push(`${name}: ${p}`);
    }
    assert.deepEqual(problems.slice(0, 20), []);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('the validators reject what a real API server would reject', async () => {
  const { world } = await loadScenario('healthy-frr');
  const pod = structuredClone(world.objects.find((o) => o.kind === 'Pod')!);
  pod.spec.containers[0].ports = [{ containerPort: 'seventy' }];
  pod.spec.containers[0].livenessProbe.bogus = true;
  const podProblems = await problemsOf(pod);
  assert.ok(podProblems.some((p) => /containerPort/.test(p)), podProblems.join('\n'));
  assert.ok(podProblems.some((p) => /livenessProbe\.bogus: unknown field/.test(p)), podProblems.join('\n'));
  const peer = structuredClone(world.objects.find((o) => o.kind === 'BGPPeer')!);
  peer.spec.peerASN = 'sixty-four';
  peer.spec.nonsense = 1;
  const peerProblems = await problemsOf(peer);
  assert.ok(peerProblems.some((p) => /spec\.peerASN: must be integer/.test(p)), peerProblems.join('\n'));
  assert.ok(peerProblems.some((p) => /spec\.nonsense: is not a known field/.test(p)), peerProblems.join('\n'));
});
