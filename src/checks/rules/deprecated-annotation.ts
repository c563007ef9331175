import { defineCheck, type Draft } from '../define.js';
import { objectEvidence, shq } from '../lib/evidence.js';
import { clusterPath, svcKey, svcSubject } from '../lib/model.js';

export default defineCheck({
  id: 'deprecated-annotation',
  title: 'Service uses deprecated metallb.universe.tf annotations',
  severity: 'info',
  category: 'install',
  rank: 8,
  docs: {
    cause: 'v0.14.9 renamed the annotations from metallb.universe.tf/* to metallb.io/*; the old ones still work but emit deprecatedAnnotation events and will be removed. When both are set, the metallb.io one wins, which can surprise.',
    confirm: "kubectl get svc -A -o yaml | grep metallb.universe.tf",
    fix: 'Rename the annotations to the metallb.io/ prefix.',
    references: ['metallb/metallb#1473'],
  },
  run(model) {
    const out: Draft[] = [];
    for (const svc of model.kube.services) {
      const old = Object.keys(svc.metadata?.annotations ?? {}).filter((k) => k.startsWith('metallb.universe.tf/'));
      if (!old.length) continue;
      out.push({
        summary: `${svcKey(svc)} uses ${old.join(', ')}`,
        subjects: [svcSubject(svc)],
        evidence: [objectEvidence(clusterPath.services, { metadata: { name: svc.metadata?.name, namespace: svc.metadata?.namespace, annotations: svc.metadata?.annotations } })],
        remediation: {
          summary: 'Switch to the metallb.io/ annotations.',
          snippet: old
            .map((k) => `kubectl annotate svc -n ${shq(svc.metadata?.namespace ?? 'default')} ${shq(svc.metadata?.name ?? '')} ${shq(`${k.replace('metallb.universe.tf/', 'metallb.io/')}=${svc.metadata?.annotations?.[k] ?? ''}`)} ${shq(`${k}-`)}`)
            .join('\n'),
          snippetLanguage: 'shell',
        },
      });
    }
    return out;
  },
});
