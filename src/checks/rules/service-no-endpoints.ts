import { defineCheck, type Draft } from '../define.js';
import { objectEvidence } from '../lib/evidence.js';
import { clusterPath, endpointsOf, metallbServices, serviceIPs, svcKey, svcSubject } from '../lib/model.js';
import { listCollected } from '../lib/collected.js';

export default defineCheck({
  id: 'service-no-endpoints',
  title: 'Service has an IP but no ready endpoint',
  severity: 'warning',
  category: 'announcement-l2',
  rank: 56,
  docs: {
    cause: 'MetalLB announces a service only while it has at least one ready endpoint (activeEndpointExists). With none, the IP is withdrawn: no ARP replies, no BGP route, even though EXTERNAL-IP is set.',
    confirm: 'kubectl get endpointslices -n <ns> -l kubernetes.io/service-name=<svc>\nkubectl get pods -n <ns> -l <selector>',
    fix: 'Fix the backing pods (readiness) or the service selector; services without a selector need a manually managed EndpointSlice with ready endpoints.',
    references: ['metallb/metallb#302', 'metallb/metallb#1613'],
  },
  run(model) {
    const out: Draft[] = [];
    // EndpointSlices that were never read cannot show that a service has none.
    if (!listCollected(model, clusterPath.endpointSlices)) return out;
    for (const svc of metallbServices(model)) {
      if (!serviceIPs(svc).length) continue;
      const eps = endpointsOf(model, svc);
      if (eps.some((e) => e.ready)) continue;
      out.push({
        summary: `${svcKey(svc)} (${serviceIPs(svc).join(', ')}) has ${eps.length ? `${eps.length} endpoint(s), none ready` : 'no endpoints'}${svc.spec?.selector ? '' : ' and no selector'}: MetalLB does not announce it`,
        subjects: [svcSubject(svc)],
        evidence: [objectEvidence(clusterPath.endpointSlices, { service: svcKey(svc), selector: svc.spec?.selector ?? null, endpoints: eps.slice(0, 6) })],
        remediation: { summary: 'Make at least one backing pod ready.', snippet: `kubectl get pods -n ${svc.metadata?.namespace} -o wide${svc.spec?.selector ? ` -l ${Object.entries(svc.spec.selector).map(([k, v]) => `${k}=${v}`).join(',')}` : ''}`, snippetLanguage: 'shell' },
      });
    }
    return out;
  },
});
