import type { KubeObject } from '../../model/cluster.js';
import { defineCheck, type Draft } from '../define.js';
import { objectEvidence } from '../lib/evidence.js';
import { clusterPath, mode, nodeNames, peersForNode } from '../lib/model.js';

export default defineCheck({
  id: 'bgp-asn-routerid-inconsistent',
  title: 'BGPPeers selecting one node disagree on myASN or routerID',
  severity: 'error',
  category: 'bgp',
  rank: 85,
  docs: {
    cause: 'In FRR modes a node runs one "router bgp <myASN>" per VRF with one router-id, so every BGPPeer selecting that node must use the same myASN (per VRF) and routerID. MetalLB rejects the conflicting configuration, and the speaker keeps the old one.',
    confirm: "kubectl get bgppeers -n metallb-system -o custom-columns=NAME:.metadata.name,MYASN:.spec.myASN,ROUTERID:.spec.routerID,VRF:.spec.vrf,NODES:.spec.nodeSelectors",
    fix: 'Use the same myASN and routerID on all peers that select the same node in the same VRF, or split them with nodeSelectors.',
    references: ['metallb/metallb#1114'],
  },
  run(model) {
    if (mode(model) === 'native') return [];
    const out: Draft[] = [];
    const reported = new Set<string>();
    for (const node of nodeNames(model)) {
      const byVrf = new Map<string, KubeObject[]>();
      for (const p of peersForNode(model, node)) byVrf.set(p.spec?.vrf ?? '', [...(byVrf.get(p.spec?.vrf ?? '') ?? []), p]);
      for (const [vrf, peers] of byVrf) {
        const asns = [...new Set(peers.map((p) => p.spec?.myASN))];
        const ids = [...new Set(peers.map((p) => p.spec?.routerID).filter(Boolean))];
        const emptyAndSet = ids.length === 1 && peers.some((p) => !p.spec?.routerID);
        if (asns.length < 2 && ids.length < 2 && !emptyAndSet) continue;
        const key = `${peers.map((p) => p.metadata.name).sort().join(',')}|${vrf}`;
        if (reported.has(key)) continue;
        reported.add(key);
        const problems = [asns.length > 1 && `myASN ${asns.join(' vs ')}`, ids.length > 1 && `routerID ${ids.join(' vs ')}`, emptyAndSet && `routerID set on some peers only`].filter(Boolean);
        out.push({
          summary: `BGPPeers ${peers.map((p) => p.metadata.name).join(', ')} all select ${node}${vrf ? ` (vrf ${vrf})` : ''} but disagree: ${problems.join('; ')}`,
          subjects: [{ kind: 'Node', name: node }, ...peers.map((p) => ({ kind: 'BGPPeer', namespace: p.metadata.namespace, name: p.metadata.name }))],
          evidence: peers.slice(0, 4).map((p) => objectEvidence(clusterPath.metallb('bgppeers'), { metadata: { name: p.metadata.name }, spec: { myASN: p.spec?.myASN, routerID: p.spec?.routerID, vrf: p.spec?.vrf, nodeSelectors: p.spec?.nodeSelectors } })),
          remediation: { summary: 'Give all these peers the same myASN and routerID (or disjoint nodeSelectors).', snippet: `spec:\n  myASN: ${asns[0]}\n${ids[0] ? `  routerID: ${ids[0]}\n` : ''}`, snippetLanguage: 'yaml' },
        });
      }
    }
    return out;
  },
});
