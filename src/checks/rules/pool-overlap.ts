import { defineCheck, type Draft } from '../define.js';
import { objectEvidence } from '../lib/evidence.js';
import { rangesOverlap } from '../lib/ip.js';
import { clusterPath, poolRanges } from '../lib/model.js';

export default defineCheck({
  id: 'pool-overlap',
  title: 'IPAddressPools overlap each other',
  severity: 'error',
  category: 'allocation',
  rank: 80,
  docs: {
    cause: 'MetalLB rejects a configuration whose pools overlap ("CIDR ... overlaps with already defined CIDR"); the whole configuration is then stale and the last valid one keeps running, so new changes silently do not apply.',
    confirm: 'kubectl get ipaddresspools -n metallb-system -o yaml\nkubectl logs -n metallb-system deploy/controller | grep -i overlaps',
    fix: 'Make the address ranges of the pools disjoint.',
    references: ['metallb/metallb#1473'],
  },
  run(model) {
    const out: Draft[] = [];
    const pools = model.metallb.ipAddressPools;
    for (let i = 0; i < pools.length; i++) {
      for (let j = i + 1; j < pools.length; j++) {
        const pairs = poolRanges(pools[i]).flatMap((a) => poolRanges(pools[j]).filter((b) => rangesOverlap(a, b)).map((b) => `${a.source} ∩ ${b.source}`));
        if (!pairs.length) continue;
        out.push({
          summary: `Pools ${pools[i].metadata.name} and ${pools[j].metadata.name} overlap (${pairs.join('; ')})`,
          subjects: [pools[i], pools[j]].map((p) => ({ kind: 'IPAddressPool', namespace: p.metadata.namespace, name: p.metadata.name })),
          evidence: [pools[i], pools[j]].map((p) => objectEvidence(clusterPath.metallb('ipaddresspools'), { metadata: { name: p.metadata.name }, spec: { addresses: p.spec?.addresses } })),
          remediation: { summary: `Change the addresses of ${pools[j].metadata.name} so they do not intersect ${pools[i].metadata.name}.` },
        });
      }
    }
    return out;
  },
});
