import assert from 'node:assert/strict';
import { caseTable, l2Base, logLine } from './helpers.js';

// The controller's cert-rotation lines (open-policy-agent/cert-controller), as in metallb/metallb#2813.
const injected = logLine({ logger: 'cert-rotation', msg: 'CA certs are injected to webhooks' });
const noConversion = JSON.stringify({
  level: 'error',
  ts: '2025-08-04T15:52:15Z',
  logger: 'cert-rotation',
  msg: 'Unable to inject cert to webhook.',
  name: 'bgppeers.metallb.io',
  gvk: 'apiextensions.k8s.io/v1, Kind=CustomResourceDefinition',
  error: '`conversion.webhook.clientConfig` field not found in CustomResourceDefinition',
});
// The same line cut where a quote of it ends: no longer JSON, still readable.
const cut = `${noConversion.slice(0, noConversion.indexOf('"error":"`') + 60)}`;
const forbidden = logLine({ logger: 'cert-rotation', msg: 'Unable to inject cert to webhook.', name: 'metallb-webhook-configuration', error: 'validatingwebhookconfigurations.admissionregistration.k8s.io "metallb-webhook-configuration" is forbidden: User "system:serviceaccount:metallb-system:controller" cannot update resource' });

caseTable('webhook-cert-injection-failed', [
  { name: 'the rotator injected its CA', spec: l2Base({ logs: { 'controller-5f7/controller': `${injected}\n` } }), fires: false },
  { name: 'the same words in a speaker log are not the controller’s', spec: l2Base({ logs: { 'speaker-n1/speaker': `${noConversion}\n` } }), fires: false },
  {
    name: 'the BGPPeer CRD has no conversion webhook (CRDs from another chart)',
    spec: l2Base({ logs: { 'controller-5f7/controller': `${injected}\n${noConversion}\n` } }),
    fires: true,
    check: (f) => {
      assert.equal(f.length, 1);
      assert.match(f[0].summary, /cannot inject its CA into bgppeers\.metallb\.io: `conversion\.webhook\.clientConfig` field not found .* no conversion webhook/);
      assert.match(f[0].remediation.summary, /Replace the bgppeers\.metallb\.io CRD/);
      assert.equal(f[0].evidence[0].path, 'logs/controller-5f7/controller.log');
    },
  },
  {
    name: 'a quoted line cut before its end is still read',
    spec: { logs: { 'controller/controller': `${cut}\n` } },
    fires: true,
    check: (f) => assert.match(f[0].summary, /bgppeers\.metallb\.io: `conversion\.webhook\.clientConfig` field not found/),
  },
  {
    name: 'RBAC forbids updating the webhook configuration',
    spec: l2Base({ logs: { 'controller-5f7/controller': `${forbidden}\n` } }),
    fires: true,
    check: (f) => assert.match(f[0].remediation.summary, /Grant the controller's service account permission to update metallb-webhook-configuration/),
  },
]);
