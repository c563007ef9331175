import type { V1Service } from '@kubernetes/client-node';
import type { KubeObject } from '../../model/cluster.js';
import { defineCheck, type Draft } from '../define.js';
import { objectEvidence } from '../lib/evidence.js';
import { announceDecision } from '../lib/announce.js';
import { bgpAdsForPool, clusterPath, l2AdsForPool, metallbNamespace, metallbServices, svcKey, svcSubject } from '../lib/model.js';

export default defineCheck({
  id: 'ip-not-advertised',
  title: 'IP assigned but no advertisement selects its pool',
  severity: 'error',
  category: 'announcement-l2',
  rank: 88,
  docs: {
    cause:
      'Since v0.13 MetalLB announces an IP only when an L2Advertisement or BGPAdvertisement selects its IPAddressPool (by name in ipAddressPools, by label in ipAddressPoolSelectors, or by selecting all pools when both lists are empty). Without one the controller still assigns the IP, so EXTERNAL-IP looks fine, but no node answers ARP and no prefix reaches the router.',
    confirm:
      'kubectl get ipaddresspools,l2advertisements,bgpadvertisements -n metallb-system -o yaml\nkubectl describe svc <service>   # no nodeAssigned event\nkubectl logs -n metallb-system -l component=speaker | grep -E "noMatchingAdvertisement|no advertisement matching"',
    fix: 'Create an L2Advertisement (layer 2) or BGPAdvertisement (BGP) that lists the pool, or fix its ipAddressPoolSelectors / serviceSelectors so they match the pool and service labels.',
    references: ['metallb/metallb#1154', 'metallb/metallb#1561', 'metallb/metallb#1473'],
  },
  run(model) {
    const byPool = new Map<string, { pool: KubeObject; services: V1Service[]; ips: string[] }>();
    for (const svc of metallbServices(model)) {
      // The announcement model stops at its advertisement step: the pool is known, nothing selects it.
      const { stop, pool, ips } = announceDecision(model, svc);
      if (stop?.kind !== 'advertisement' || !pool) continue;
      const entry = byPool.get(pool.metadata.name) ?? { pool, services: [], ips: [] };
      if (!entry.services.includes(svc)) entry.services.push(svc);
      entry.ips.push(...ips);
      byPool.set(pool.metadata.name, entry);
    }
    const ns = metallbNamespace(model);
    const useBgp = model.metallb.bgpPeers.length > 0 && model.metallb.l2Advertisements.length === 0;
    const out: Draft[] = [];
    for (const { pool, services, ips } of byPool.values()) {
      const name = pool.metadata.name;
      const nearMisses = [...model.metallb.l2Advertisements, ...model.metallb.bgpAdvertisements].filter(
        (a) => !l2AdsForPool(model, pool).includes(a) && !bgpAdsForPool(model, pool).includes(a),
      );
      const selectedButServiceExcluded = [...l2AdsForPool(model, pool), ...bgpAdsForPool(model, pool)];
      const why = selectedButServiceExcluded.length
        ? `advertisement(s) ${selectedButServiceExcluded.map((a) => a.metadata.name).join(', ')} select the pool but their serviceSelectors exclude the service`
        : nearMisses.length
          ? `advertisement(s) ${nearMisses.map((a) => a.metadata.name).join(', ')} exist but select other pools`
          : 'there is no L2Advertisement or BGPAdvertisement at all';
      const kind = useBgp ? 'BGPAdvertisement' : 'L2Advertisement';
      out.push({
        summary: `${services.map(svcKey).join(', ')} got ${ips.join(', ')} from pool ${name}, but it is never announced: ${why}`,
        subjects: [{ kind: 'IPAddressPool', namespace: pool.metadata.namespace, name }, ...services.map(svcSubject)],
        evidence: [
          objectEvidence(clusterPath.metallb('ipaddresspools'), { metadata: { name, namespace: pool.metadata.namespace, labels: pool.metadata.labels }, spec: pool.spec }),
          ...[...nearMisses, ...selectedButServiceExcluded].slice(0, 4).map((a) =>
            objectEvidence(clusterPath.metallb(a.kind === 'BGPAdvertisement' || model.metallb.bgpAdvertisements.includes(a) ? 'bgpadvertisements' : 'l2advertisements'), { metadata: { name: a.metadata.name }, spec: a.spec }),
          ),
          ...services.slice(0, 3).map((s) => objectEvidence(clusterPath.services, { metadata: { name: s.metadata?.name, namespace: s.metadata?.namespace }, status: s.status?.loadBalancer })),
        ],
        remediation: {
          summary: `Create a ${kind} that selects pool ${name}.`,
          snippet: `apiVersion: metallb.io/v1beta1\nkind: ${kind}\nmetadata:\n  name: ${name}\n  namespace: ${ns}\nspec:\n  ipAddressPools:\n  - ${name}\n`,
          snippetLanguage: 'yaml',
        },
      });
    }
    return out;
  },
});
