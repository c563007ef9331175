import type { LogRecord, LogStream } from '../../model/cluster.js';
import { defineCheck, type Draft } from '../define.js';
import { logEvidence } from '../lib/evidence.js';
import { logRecords, metallbNamespace } from '../lib/model.js';

/** The controller's cert rotator (open-policy-agent/cert-controller) when it cannot write its CA into a target. */
const injectFailed = /Unable to inject cert to webhook/;

export default defineCheck({
  id: 'webhook-cert-injection-failed',
  title: 'Controller cannot inject its CA into a webhook or CRD',
  severity: 'error',
  category: 'install',
  rank: 94,
  docs: {
    cause:
      'The controller generates the webhook serving certificate and writes its CA into the ValidatingWebhookConfiguration and into the BGPPeer CRD’s conversion webhook (spec.conversion.webhook.clientConfig.caBundle). When a target cannot take it the controller never becomes ready: the CRD has no conversion webhook at all (CRDs installed from another chart or an older release: "`conversion.webhook.clientConfig` field not found"), the object has another name than the controller expects, or RBAC forbids the update. Validation and BGPPeer conversion then fail and MetalLB does not come up.',
    confirm:
      'kubectl logs -n metallb-system deploy/controller | grep "Unable to inject cert"\nkubectl get crd bgppeers.metallb.io -o jsonpath="{.spec.conversion}"\nkubectl get validatingwebhookconfiguration -o name | grep metallb',
    fix: 'Install the CRDs that match the MetalLB release (the chart’s own crds, with the conversion webhook pointing at the MetalLB webhook Service), keep the webhook object names the release expects, and give the controller RBAC to patch them; then restart the controller.',
    references: ['metallb/metallb#2813', 'metallb/metallb#2679', 'metallb/metallb#1597'],
    threads: ['https://github.com/metallb/metallb/issues/2813'],
  },
  run(model) {
    const ns = metallbNamespace(model);
    const byTarget = new Map<string, { stream: LogStream; records: LogRecord[]; error: string }>();
    for (const { stream, record, text } of logRecords(model, 'controller')) {
      if (!injectFailed.test(text)) continue;
      // The record's fields when the line parsed as JSON, else the text (a quoted line may be cut).
      const target = String(record.fields.name ?? /"name":"([^"]+)"/.exec(text)?.[1] ?? 'a webhook');
      const error = String(record.fields.error ?? /"error":"((?:[^"\\]|\\.)*)"?/.exec(text)?.[1] ?? '');
      const e = byTarget.get(target) ?? { stream, records: [], error };
      e.records.push(record);
      byTarget.set(target, e);
    }
    const out: Draft[] = [];
    for (const [target, { stream, records, error }] of byTarget) {
      const noConversion = /conversion\.webhook\.clientConfig` field not found/.test(error);
      const forbidden = /forbidden/i.test(error);
      out.push({
        summary: `The controller cannot inject its CA into ${target}${error ? `: ${error}` : ''}${noConversion ? ' — the installed CRD has no conversion webhook (CRDs from another chart or release)' : ''}`,
        subjects: [{ kind: 'Cluster', name: 'metallb webhooks' }, { kind: target.endsWith('.metallb.io') ? 'CustomResourceDefinition' : 'Webhook', name: target }],
        evidence: [logEvidence(model, stream, records)],
        remediation: noConversion
          ? {
              summary: `Replace the ${target} CRD with the one shipped with this MetalLB release (its spec.conversion names the webhook Service in ${ns}), then restart the controller.`,
              snippet: `kubectl get crd ${target} -o jsonpath='{.spec.conversion}'\nkubectl apply --server-side --force-conflicts -f <the CRDs of your MetalLB release>\nkubectl rollout restart -n ${ns} deploy/controller`,
              snippetLanguage: 'shell',
            }
          : forbidden
            ? { summary: `Grant the controller's service account permission to update ${target} (the release's ClusterRole), then restart the controller.` }
            : { summary: `Make ${target} what the release expects (name and webhook Service), then restart the controller so it injects its CA again.` },
      });
    }
    return out;
  },
});
