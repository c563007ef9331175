import { test } from 'node:test';
import assert from 'node:assert/strict';
import { imageTag, installMethodFrom, isControllerWorkload, isFrrK8sWorkload, isSpeakerWorkload, kubeProxyFrom, modeFrom, nodeForCollection, podForCollection } from '../../src/discover/index.js';
import { loadScenario } from '../../src/sim/scenario/index.js';
import { grantingRule, RbacResult } from '../../src/discover/rbac.js';

test('workloads are recognised by image or by container name plus MetalLB labels', () => {
  assert.ok(isSpeakerWorkload([{ name: 'x', image: 'quay.io/metallb/speaker:v0.14.9' }]));
  assert.ok(isSpeakerWorkload([{ name: 'speaker', image: 'registry.local/mirror/speaker:1' }], { 'app.kubernetes.io/name': 'metallb' }));
  assert.ok(!isSpeakerWorkload([{ name: 'speaker', image: 'other/speaker:1' }], {}));
  assert.ok(isControllerWorkload([{ name: 'controller', image: 'quay.io/metallb/controller@sha256:abc' }]));
  assert.ok(!isControllerWorkload([{ name: 'controller', image: 'quay.io/metallb/frr-k8s:v0.0.25' }]), 'frr-k8s has a controller container too');
  assert.ok(isFrrK8sWorkload([{ name: 'controller', image: 'quay.io/metallb/frr-k8s:v0.0.25' }, { name: 'frr', image: 'quay.io/frrouting/frr:10.4.3' }]));
  assert.ok(!isFrrK8sWorkload([{ name: 'frr-k8s-statuscleaner', image: 'quay.io/metallb/frr-k8s:v0.0.25' }]));
});

test('version, mode, install method, kube-proxy', () => {
  assert.equal(imageTag('quay.io/metallb/speaker:v0.15.3'), 'v0.15.3');
  assert.equal(imageTag('localhost:5000/metallb/speaker'), undefined);
  assert.equal(imageTag('quay.io/metallb/speaker:v0.13.12@sha256:ff'), 'v0.13.12');
  const pod = (containers: { name: string; env?: { name: string; value: string }[] }[]): any => ({ spec: { containers } });
  assert.equal(modeFrom([pod([{ name: 'speaker' }])], []), 'native');
  assert.equal(modeFrom([pod([{ name: 'speaker' }, { name: 'frr' }])], []), 'frr');
  assert.equal(modeFrom([pod([{ name: 'speaker', env: [{ name: 'METALLB_BGP_TYPE', value: 'frr-k8s' }] }])], []), 'frr-k8s');
  assert.equal(installMethodFrom([{ metadata: { labels: { 'app.kubernetes.io/managed-by': 'Helm' } } }]), 'helm');
  assert.equal(installMethodFrom([{ metadata: { labels: { app: 'metallb', component: 'speaker' }, ownerReferences: [{ kind: 'MetalLB', apiVersion: 'metallb.io/v1beta1' }] } }]), 'operator');
  assert.equal(installMethodFrom([{ metadata: { labels: { app: 'metallb', component: 'speaker' } } }]), 'manifest');
  assert.deepEqual(kubeProxyFrom({ 'config.conf': 'mode: ipvs\nipvs:\n  strictARP: false\n' }), { mode: 'ipvs', strictARP: false });
  assert.deepEqual(kubeProxyFrom({ 'config.conf': 'mode: ""\n' }), { mode: 'iptables', strictARP: undefined });
  assert.deepEqual(kubeProxyFrom(undefined), { mode: 'unknown' });
});

test('RBAC rules and lookups', () => {
  const yaml = grantingRule({ verb: 'patch', group: '', resource: 'pods', subresource: 'ephemeralcontainers', namespace: 'metallb-system', neededFor: 'attach' });
  assert.match(yaml, /Role in namespace metallb-system/);
  assert.match(yaml, /resources: \["pods\/ephemeralcontainers"\]/);
  assert.match(yaml, /verbs: \["patch"\]/);
  const r = new RbacResult([
    { verb: 'patch', group: '', resource: 'pods', subresource: 'ephemeralcontainers', namespace: 'ns', allowed: false },
    { verb: 'list', group: 'metallb.io', resource: '*', allowed: true },
  ]);
  assert.equal(r.allowed('patch', '', 'pods', 'ephemeralcontainers', 'ns'), false);
  assert.equal(r.allowed('list', 'metallb.io', 'bgppeers'), true);
  assert.equal(r.allowed('get', '', 'pods', 'log', 'ns'), true, 'unchecked permissions count as allowed');
  assert.equal(r.denied().length, 1);
});

test('podForCollection / nodeForCollection keep what collection reads and drop the rest', async () => {
  const { world } = await loadScenario('healthy-frr');
  const full = world.objects.find((o) => o.kind === 'Pod' && (o.spec?.containers as { name: string }[]).some((c) => c.name === 'speaker')) as any;
  const slim = podForCollection(full) as any;
  assert.equal(slim.metadata.name, full.metadata.name);
  assert.equal(slim.metadata.namespace, full.metadata.namespace);
  assert.equal(slim.spec.nodeName, full.spec.nodeName);
  assert.equal(slim.status.phase, full.status.phase);
  // Logs (names, restarts), metrics (ports), the FRR lane (image, mounts).
  assert.deepEqual(slim.spec.containers.map((c: any) => [c.name, c.image, c.ports, c.volumeMounts]), full.spec.containers.map((c: any) => [c.name, c.image, c.ports, c.volumeMounts]));
  assert.deepEqual(slim.status.containerStatuses.map((c: any) => [c.name, c.restartCount, c.state]), full.status.containerStatuses.map((c: any) => [c.name, c.restartCount, c.state]));
  assert.equal(slim.spec.initContainers, undefined);
  assert.ok(JSON.stringify(slim).length * 2 < JSON.stringify(full).length, 'less than half the size');
  const node = world.objects.find((o) => o.kind === 'Node') as any;
  assert.deepEqual(nodeForCollection(node), { metadata: { name: node.metadata.name, labels: node.metadata.labels }, status: { addresses: node.status.addresses } });
});
