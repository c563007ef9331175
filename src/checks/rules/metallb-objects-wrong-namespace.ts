import type { KubeObject } from '../../model/cluster.js';
import { defineCheck, type Draft } from '../define.js';
import { objectEvidence } from '../lib/evidence.js';
import { clusterPath, metallbNamespace } from '../lib/model.js';

export default defineCheck({
  id: 'metallb-objects-wrong-namespace',
  title: 'MetalLB objects outside the MetalLB namespace',
  severity: 'warning',
  category: 'install',
  rank: 78,
  docs: {
    cause: 'MetalLB reads its CRs only from its own namespace. Pools, advertisements or peers created elsewhere are ignored, which looks like "no pool" or "not advertised".',
    confirm: 'kubectl get ipaddresspools,l2advertisements,bgpadvertisements,bgppeers -A',
    fix: 'Recreate the objects in the MetalLB namespace (metallb-system unless installed elsewhere) and delete the stray copies.',
    references: ['metallb/metallb#1526'],
  },
  run(model) {
    const ns = metallbNamespace(model);
    const kinds: [string, KubeObject[]][] = [
      ['ipaddresspools', model.metallb.ipAddressPools],
      ['l2advertisements', model.metallb.l2Advertisements],
      ['bgpadvertisements', model.metallb.bgpAdvertisements],
      ['bgppeers', model.metallb.bgpPeers],
      ['bfdprofiles', model.metallb.bfdProfiles],
      ['communities', model.metallb.communities],
    ];
    const out: Draft[] = [];
    for (const [plural, list] of kinds) {
      const stray = list.filter((o) => o.metadata.namespace && o.metadata.namespace !== ns);
      if (!stray.length) continue;
      out.push({
        summary: `${stray.length} ${plural} outside ${ns} are ignored: ${stray.map((o) => `${o.metadata.namespace}/${o.metadata.name}`).join(', ')}`,
        subjects: stray.map((o) => ({ kind: o.kind ?? plural, namespace: o.metadata.namespace, name: o.metadata.name })),
        evidence: stray.slice(0, 3).map((o) => objectEvidence(clusterPath.metallb(plural), { metadata: { name: o.metadata.name, namespace: o.metadata.namespace } })),
        remediation: {
          summary: `Move them to ${ns}.`,
          snippet: stray.map((o) => `kubectl get ${plural} -n ${o.metadata.namespace} ${o.metadata.name} -o yaml | sed 's/namespace: ${o.metadata.namespace}$/namespace: ${ns}/' | kubectl apply -f -`).join('\n'),
          snippetLanguage: 'shell',
        },
      });
    }
    return out;
  },
});
