import assert from 'node:assert/strict';
import { caseTable, l2Base, ns } from './helpers.js';

const listening = [
  'tcp   LISTEN 0      4096   *:7472 *:* users:(("controller",pid=7,fd=7))',
  'tcp   LISTEN 0      4096   *:9443 *:* users:(("controller",pid=7,fd=8))',
].join('\n');
const webhooks = [{ apiVersion: 'admissionregistration.k8s.io/v1', kind: 'ValidatingWebhookConfiguration', metadata: { name: 'metallb-webhook-configuration' }, webhooks: [{ name: 'ipaddresspoolvalidationwebhook.metallb.io', clientConfig: { service: { name: 'metallb-webhook-service', namespace: ns, path: '/validate-metallb-io-v1beta1-ipaddresspool' }, caBundle: 'Zm9v' } }] }];
const slice = (ready: boolean | null) => ({
  apiVersion: 'discovery.k8s.io/v1',
  kind: 'EndpointSlice',
  metadata: { name: 'metallb-webhook-service-x1', namespace: ns, labels: { 'kubernetes.io/service-name': 'metallb-webhook-service' } },
  addressType: 'IPv4',
  endpoints: ready === null ? [] : [{ addresses: ['10.244.1.5'], conditions: { ready } }],
});

caseTable('controller-webhook-not-listening', [
  { name: 'webhook listening, Service endpoint ready', spec: l2Base({ webhooks, endpointSlices: [slice(true)], files: { 'controller/net/ss.txt': listening } }), fires: false },
  { name: 'empty ss output proves nothing', spec: l2Base({ files: { 'controller/net/ss.txt': '' } }), fires: false },
  { name: 'webhook Service slices not collected (older bundle)', spec: l2Base({ webhooks }), fires: false },
  {
    name: 'only the metrics port listens',
    spec: l2Base({ webhooks, endpointSlices: [slice(true)], files: { 'controller/net/ss.txt': listening.split('\n')[0]! } }),
    fires: true,
    check: (f) => {
      assert.equal(f.length, 1);
      assert.match(f[0]!.summary, /Nothing listens on 9443 in the controller pod \(its sockets: 7472\)/);
      assert.equal(f[0]!.evidence[0]!.path, 'controller/net/ss.txt');
    },
  },
  {
    name: 'the webhook Service has no ready endpoint',
    spec: l2Base({ webhooks, endpointSlices: [slice(false)] }),
    fires: true,
    check: (f) => {
      assert.match(f[0]!.summary, /webhook Service metallb-system\/metallb-webhook-service has no ready endpoint/);
      assert.deepEqual(f[0]!.subjects[0], { kind: 'Service', namespace: ns, name: 'metallb-webhook-service' });
    },
  },
  { name: 'the webhook Service slice lists nobody', spec: l2Base({ webhooks, endpointSlices: [slice(null)] }), fires: true },
]);
