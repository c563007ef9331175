import assert from 'node:assert/strict';
import { test } from 'node:test';
import { runChecks } from '../../src/checks/index.js';
import { rankFindings } from '../../src/checks/rank.js';
import { caseTable, controller, l2Base, logLine, model, ns, pool, service } from './helpers.js';

// Lines as MetalLB pods wrote them in metallb/metallb#673 (klog, v0.9) and #888 (go-kit JSON, v0.11).
const klogTimeout =
  'E0727 08:00:07.476354       1 reflector.go:125] pkg/mod/k8s.io/client-go@v0.0.0-20190620085101-78d2af792bab/tools/cache/reflector.go:98: Failed to list *v1.ConfigMap: Get https://10.96.0.1:443/api/v1/namespaces/metallb-system/configmaps?fieldSelector=metadata.name%3Dconfig&limit=500&resourceVersion=0: dial tcp 10.96.0.1:443: i/o timeout';
const noRoute = logLine({ caller: 'main.go:173', error: 'Get "https://10.96.0.1:443/api/v1/namespaces/metallb-system/secrets?fieldSelector=metadata.name%3Dmemberlist": dial tcp 10.96.0.1:443: connect: no route to host', msg: 'failed to create memberlist secret', op: 'startup' });

caseTable('api-requests-failing', [
  { name: 'a healthy controller log', spec: l2Base({ logs: { 'controller-5f7/controller': logLine({ msg: 'MetalLB controller starting version 0.14.9' }) } }), fires: false },
  {
    name: 'a peer connection refused is BGP, not the API server',
    spec: l2Base({ logs: { 'speaker-n1/speaker': logLine({ caller: 'bgp.go:55', error: 'dial "198.19.66.10:179": getsockopt: connection refused', msg: 'failed to connect to peer' }) } }),
    fires: false,
  },
  {
    name: 'an API error the server answered (forbidden) is RBAC, not reachability',
    spec: l2Base({ logs: { 'controller-5f7/controller': logLine({ error: 'services is forbidden: User "system:serviceaccount:metallb-system:controller" cannot list resource "services"', msg: 'Failed to list https://10.96.0.1:443/api/v1/services' }) } }),
    fires: false,
  },
  {
    name: 'client-go klog line: i/o timeout to the kubernetes Service',
    spec: l2Base({ logs: { 'controller-5f7/controller': `${klogTimeout}\n` } }),
    fires: true,
    check: (f) => {
      assert.match(f[0].summary, /controller controller-5f7 on n1 gets no answer from the Kubernetes API at 10\.96\.0\.1:443 \(i\/o timeout, 1 request/);
      assert.equal(f[0].evidence[0].path, 'logs/controller-5f7/controller.log');
      assert.match(f[0].remediation.summary, /go unanswered/);
      assert.ok(f[0].subjects.some((s) => s.kind === 'Pod' && s.name === 'controller-5f7' && s.namespace === ns));
    },
  },
  {
    name: 'go-kit JSON: no route to host (a node firewall rejecting pod traffic), without a pod list',
    spec: { logs: { 'controller/controller': `${noRoute}\n` } },
    fires: true,
    check: (f) => {
      assert.match(f[0].summary, /connect: no route to host/);
      assert.match(f[0].remediation.summary, /firewall/);
    },
  },
]);

// The ranking: a blind controller explains the pending service it leaves behind.
test('api-requests-failing ranks before the pending service it causes', () => {
  const m = model({ pods: [controller()], services: [service('default/web', {})], metallb: { ipaddresspools: [pool('lan', ['192.0.2.100-192.0.2.110'])] }, logs: { 'controller-5f7/controller': `${klogTimeout}\n` } });
  const ranked = rankFindings(runChecks(m));
  assert.equal(ranked[0].id, 'api-requests-failing');
  assert.ok(ranked[0].explains?.includes('service-pending'), JSON.stringify(ranked.map((f) => [f.id, f.summary])));
});
