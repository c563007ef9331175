import type { V1Service } from '@kubernetes/client-node';
import { defineCheck, type Draft } from '../define.js';
import { eventExcerpt, objectEvidence } from '../lib/evidence.js';
import { annotation, clusterPath, eventsFor, metallbServices, requestedIPs, serviceIPs, svcKey, svcSubject } from '../lib/model.js';
import { allocationDecision, statedCauseRank } from '../lib/allocate.js';

const sharingMessage = /sharing key|does not allow sharing|is already in use on|backend key|can't change sharing key/;

function ports(svc: V1Service): string[] {
  return (svc.spec?.ports ?? []).map((p) => `${p.protocol ?? 'TCP'}/${p.port}`);
}

export default defineCheck({
  id: 'ip-sharing-error',
  title: 'IP sharing rules violated',
  severity: 'error',
  category: 'allocation',
  rank: 72,
  docs: {
    cause:
      'Services may share one IP only with the same metallb.io/allow-shared-ip key, disjoint port/protocol pairs, and either both externalTrafficPolicy: Cluster or identical pod selectors. Otherwise the controller refuses the second service (AllocationFailed with a sharing message) and it stays pending.',
    confirm: 'kubectl get svc -A -o custom-columns=NS:.metadata.namespace,NAME:.metadata.name,IP:.spec.loadBalancerIP,KEY:.metadata.annotations.metallb\\.io/allow-shared-ip\nkubectl describe svc <service>',
    fix: 'Give both services the same metallb.io/allow-shared-ip value, use different ports, and align externalTrafficPolicy (Cluster) or selectors.',
    references: ['metallb/metallb#2553', 'metallb/metallb#788', 'metallb/metallb#1682', 'metallb/metallb#2403'],
  },
  run(model) {
    const out: Draft[] = [];
    const services = metallbServices(model);
    for (const svc of services) {
      const events = eventsFor(model, 'Service', svc.metadata?.namespace, svc.metadata?.name ?? '').filter((e) => e.reason === 'AllocationFailed' && sharingMessage.test(e.message ?? ''));
      const wanted = requestedIPs(svc);
      const partners = services.filter((o) => o !== svc && wanted.some((ip) => serviceIPs(o).includes(ip)));
      const problems: string[] = [];
      for (const o of partners) {
        const k1 = annotation(svc, 'allow-shared-ip');
        const k2 = annotation(o, 'allow-shared-ip');
        if (!k1 || !k2) problems.push(`${!k1 ? svcKey(svc) : svcKey(o)} has no metallb.io/allow-shared-ip`);
        else if (k1 !== k2) problems.push(`sharing keys differ ("${k1}" vs "${k2}")`);
        const clash = ports(svc).filter((p) => ports(o).includes(p));
        if (clash.length) problems.push(`port ${clash.join(', ')} used by both`);
        if ((svc.spec?.externalTrafficPolicy === 'Local' || o.spec?.externalTrafficPolicy === 'Local') && JSON.stringify(svc.spec?.selector) !== JSON.stringify(o.spec?.selector))
          problems.push('externalTrafficPolicy Local with different selectors');
      }
      // The allocation replay finds the conflict too when the partner holds the address without a request.
      const allocation = allocationDecision(model, svc);
      const replayed = !serviceIPs(svc).length && allocation.rule === 'sharing' ? allocation.error : undefined;
      if (replayed && !problems.length) problems.push(replayed);
      if (!events.length && (!problems.length || serviceIPs(svc).length)) continue;
      const detail = problems.length ? problems.join('; ') : (events[events.length - 1].message ?? '');
      out.push({
        ...(allocation.stated?.check === 'ip-sharing-error' ? { rank: statedCauseRank } : {}),
        summary: `${svcKey(svc)} cannot share ${wanted.join(', ') || 'its IP'}${partners.length ? ` with ${partners.map(svcKey).join(', ')}` : ''}: ${detail}`,
        subjects: [svcSubject(svc), ...partners.map(svcSubject)],
        evidence: [
          ...events.slice(-2).map((e) => ({ path: clusterPath.events, excerpt: eventExcerpt(e), label: 'Service event' })),
          ...[svc, ...partners].map((s) =>
            objectEvidence(clusterPath.services, { metadata: { name: s.metadata?.name, namespace: s.metadata?.namespace, annotations: s.metadata?.annotations }, spec: { ports: ports(s), externalTrafficPolicy: s.spec?.externalTrafficPolicy, selector: s.spec?.selector } }),
          ),
        ],
        remediation: {
          summary: 'Use one sharing key on every service of the IP and disjoint ports.',
          snippet: `metadata:\n  annotations:\n    metallb.io/allow-shared-ip: ${JSON.stringify(annotation(partners[0] ?? svc, 'allow-shared-ip') ?? 'shared-key')}\n`,
          snippetLanguage: 'yaml',
        },
      });
    }
    return out;
  },
});
