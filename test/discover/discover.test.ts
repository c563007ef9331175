import { test } from 'node:test';
import assert from 'node:assert/strict';
import { imageTag, installMethodFrom, isControllerWorkload, isFrrK8sWorkload, isSpeakerWorkload, kubeProxyFrom, modeFrom } from '../../src/discover/index.js';
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
