import assert from 'node:assert/strict';
import { caseTable, event, l2Base, logLine } from './helpers.js';

const webhookConfig = (caBundle: string) => ({ metadata: { name: 'metallb-webhook-configuration' }, webhooks: [{ name: 'ipaddresspoolvalidationwebhook.metallb.io', clientConfig: { service: { name: 'metallb-webhook-service', namespace: 'metallb-system' }, ...(caBundle ? { caBundle } : {}) } }] });

caseTable('webhook-failure', [
  { name: 'caBundle present, no errors', spec: l2Base({ webhooks: [webhookConfig('LS0tLS1CRUdJTi')] }), fires: false },
  { name: 'empty caBundle', spec: l2Base({ webhooks: [webhookConfig('')] }), fires: true, check: (f) => assert.match(f[0].summary, /empty caBundle in metallb-webhook-configuration/) },
  {
    name: 'frr-k8s webhook denies the speaker’s FRRConfiguration',
    spec: l2Base({ logs: { 'speaker-n1/speaker': logLine({ level: 'error', msg: 'Reconciler error', error: 'admission webhook "frrconfigurationsvalidationwebhook.metallb.io" denied the request: different asns' }) } }),
    fires: true,
    check: (f) => assert.match(f[0].summary, /frrconfigurationsvalidationwebhook\.metallb\.io" denied the request/),
  },
  { name: 'event with a failed webhook call', spec: l2Base({ events: [event('lan', 'FailedCreate', 'Internal error occurred: failed calling webhook "ipaddresspoolvalidationwebhook.metallb.io": connect: connection refused', 'Warning', 'IPAddressPool')] }), fires: true },
]);
