import type { LogRecord, LogStream } from '../../model/cluster.js';
import type { Evidence } from '../../model/finding.js';
import { defineCheck, type Draft } from '../define.js';
import { eventExcerpt, logEvidence, objectEvidence } from '../lib/evidence.js';
import { clusterPath, logRecords } from '../lib/model.js';

const webhookError = /failed calling webhook|admission webhook .* denied|x509: certificate|webhook.*connection refused/i;

export default defineCheck({
  id: 'webhook-failure',
  title: 'MetalLB validating webhook failing',
  severity: 'error',
  category: 'install',
  rank: 63,
  docs: {
    cause: 'Creating or changing MetalLB CRs goes through the controller’s validating webhook (failurePolicy: Fail). It fails when the controller is not ready, the metallb-webhook-service has no endpoints, the caBundle does not match the serving certificate, or the API server cannot reach the pod network. In frr-k8s mode a denied FRRConfiguration stops BGP configuration for the node.',
    confirm: "kubectl get validatingwebhookconfiguration metallb-webhook-configuration -o yaml | grep -c caBundle\nkubectl get endpointslices -n metallb-system -l kubernetes.io/service-name=metallb-webhook-service\nkubectl logs -n metallb-system -l component=speaker -c speaker | grep 'denied the request'",
    fix: 'Make the controller ready (it serves the webhook), fix the caBundle / certificate (restart the controller to re-inject it), or let the API server reach the pod network; for denied FRRConfigurations fix the conflicting config the message names.',
    references: ['metallb/metallb#1597', 'metallb/metallb#1540', 'metallb/metallb#1612', 'metallb/metallb#2486', 'metallb/metallb#2945'],
    threads: ['https://github.com/metallb/metallb/issues/2944'],
  },
  run(model) {
    const out: Draft[] = [];
    const hits = new Map<string, { stream: LogStream; records: LogRecord[] }>();
    for (const { stream, record, text } of logRecords(model)) {
      if (!webhookError.test(text)) continue;
      const e = hits.get(stream.path) ?? { stream, records: [] };
      e.records.push(record);
      hits.set(stream.path, e);
    }
    const events = model.kube.events.filter((e) => webhookError.test(e.message ?? ''));
    const evidence: Evidence[] = [...[...hits.values()].slice(0, 3).map((h) => logEvidence(model, h.stream, h.records)), ...events.slice(0, 2).map((e) => ({ path: clusterPath.events, excerpt: eventExcerpt(e) }))];
    const emptyCa: string[] = [];
    for (const w of model.kube.webhooks) {
      if (!/metallb/.test(w.metadata?.name ?? '')) continue;
      const bad = (w.webhooks ?? []).filter((h) => !h.clientConfig?.caBundle);
      if (bad.length) {
        emptyCa.push(w.metadata?.name ?? '?');
        evidence.push(objectEvidence(clusterPath.webhooks, { metadata: { name: w.metadata?.name }, webhooks: bad.slice(0, 3).map((h) => ({ name: h.name, clientConfig: { service: h.clientConfig?.service, caBundle: '' } })) }));
      }
    }
    if (!evidence.length) return out;
    const first = [...hits.values()][0]?.records[0];
    const msg = first ? String(first.fields.error ?? first.msg ?? first.raw ?? '') : events[0]?.message ?? '';
    out.push({
      summary: `MetalLB webhook failures${msg ? `: ${msg.slice(0, 200)}` : ''}${emptyCa.length ? `${msg ? '; ' : ': '}empty caBundle in ${emptyCa.join(', ')}` : ''}`,
      subjects: [{ kind: 'Webhook', name: emptyCa[0] ?? 'metallb-webhook-configuration' }],
      evidence: evidence.slice(0, 5),
      remediation: { summary: 'Check the controller readiness and the webhook service endpoints, then restart the controller to re-inject the caBundle.', snippet: 'kubectl get endpointslices -n metallb-system -l kubernetes.io/service-name=metallb-webhook-service\nkubectl rollout restart deploy -n metallb-system controller', snippetLanguage: 'shell' },
    });
    return out;
  },
});
