import assert from 'node:assert/strict';
import { bgpHealthy, caseTable, l2Base, logLine } from './helpers.js';

// The API server's text for a failed conversion (apiextensions-apiserver webhook converter), as
// kubectl shows it for bitnami/charts#24846 and as the collection records it for a failed list.
const notFound = 'conversion webhook for metallb.io/v1beta1, Kind=BGPPeer failed: Post "https://webhook-service.metallb-system.svc:443/convert?timeout=30s": service "webhook-service" not found';
const x509 = 'conversion webhook for metallb.io/v1beta2, Kind=BGPPeer failed: Post "https://metallb-webhook-service.metallb-system.svc:443/convert?timeout=30s": tls: failed to verify certificate: x509: certificate signed by unknown authority';
const manifest = (clusterSteps: object[]) => ({ schemaVersion: 1, tool: { name: 'mlb-report', version: '0.1.0' }, createdAt: '2026-11-27T12:00:00Z', command: [], cluster: {}, options: {}, timings: { totalMs: 1 }, redaction: { ips: false, rules: [], count: 0 }, nodes: [], clusterSteps, addedContainers: [], files: [] });
const step = (reason: string, status = 'failed') => ({ step: 'metallb.bgppeers', status, durationMs: 40, files: [], reason });
// client-go's reflector line as MetalLB re-emits klog output.
const reflector = (cause: string) => logLine({ caller: 'reflector.go:158', level: 'error', msg: `pkg/mod/k8s.io/client-go@v0.31.3/tools/cache/reflector.go:243: Failed to watch *v1beta2.BGPPeer: failed to list *v1beta2.BGPPeer: ${cause}` });

caseTable('crd-conversion-failure', [
  {
    name: 'the bgppeers list failed in the conversion webhook: Service missing',
    spec: bgpHealthy({ manifest: manifest([step(notFound)]) }),
    fires: true,
    check: (f) => {
      assert.equal(f.length, 1);
      assert.match(f[0].summary, /^BGPPeer objects cannot be read: the API server's conversion webhook call fails \(Service metallb-system\/webhook-service: service "webhook-service" not found\); seen by this collection$/);
      assert.deepEqual(f[0].subjects, [{ kind: 'CustomResourceDefinition', name: 'bgppeers.metallb.io' }]);
      assert.match(f[0].remediation.summary, /names Service metallb-system\/webhook-service, which does not exist/);
      assert.equal(f[0].evidence[0].path, 'manifest.json');
    },
  },
  {
    name: 'only the speaker informers report it (x509), the collection read v1beta1 fine',
    spec: bgpHealthy({ logs: { 'speaker-lc-n1/speaker': [logLine({ msg: 'config reloaded' }), reflector(x509)].join('\n') } }),
    fires: true,
    check: (f) => {
      assert.match(f[0].summary, /tls: failed to verify certificate: x509: certificate signed by unknown authority\); seen by 1 MetalLB container log\(s\)$/);
      assert.match(f[0].remediation.summary, /ready controller behind the webhook Service and a caBundle/);
      assert.equal(f[0].evidence[0].label, 'speaker-lc-n1/speaker');
    },
  },
  { name: 'a list that failed for another reason (RBAC)', spec: l2Base({ manifest: manifest([step('bgppeers.metallb.io is forbidden: User "x" cannot list resource "bgppeers"')]) }), fires: false },
  { name: 'the step succeeded', spec: bgpHealthy({ manifest: manifest([{ step: 'metallb.bgppeers', status: 'ok', durationMs: 5, files: ['cluster/metallb.io/bgppeers.json'] }]) }), fires: false },
  { name: 'admission webhook errors are webhook-failure, not conversion', spec: l2Base({ logs: { 'speaker-n1/speaker': logLine({ level: 'error', msg: 'failed calling webhook "ipaddresspoolvalidationwebhook.metallb.io": x509: certificate signed by unknown authority' }) } }), fires: false },
]);
