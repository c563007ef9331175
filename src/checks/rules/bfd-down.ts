import { defineCheck, type Draft } from '../define.js';
import { objectEvidence, rawExcerpt } from '../lib/evidence.js';
import { peerForAddress } from '../lib/bgp.js';
import { clusterPath, peersForNode } from '../lib/model.js';

export default defineCheck({
  id: 'bfd-down',
  title: 'BFD session down',
  severity: 'error',
  category: 'bfd',
  rank: 74,
  docs: {
    cause: 'The BFD session for a BGP peer with a bfdProfile is not up: the router has no matching BFD configuration, UDP 3784/3785 is filtered, intervals are incompatible, or echo mode is used with multihop. A down BFD session tears the BGP session down with it.',
    confirm: "kubectl exec -n metallb-system <speaker> -c frr -- vtysh -c 'show bfd peers json'\ntcpdump -n -i any udp port 3784",
    fix: 'Configure BFD for this node on the router with compatible intervals, open UDP 3784/3785, or remove bfdProfile from the BGPPeer.',
    references: ['metallb/metallb#2454', 'metallb/frr-k8s#169'],
  },
  run(model) {
    const out: Draft[] = [];
    for (const [node, st] of Object.entries(model.nodes)) {
      const frr = st.frr;
      if (!frr) continue;
      const seen = new Set<string>();
      for (const b of frr.bfdPeers) {
        if (/^up$/i.test(b.status)) continue;
        seen.add(b.peer);
        const peer = peerForAddress(model, b.peer, node);
        out.push({
          summary: `BFD ${node} → ${b.peer} is ${b.status}${b.diagnostic && b.diagnostic !== 'ok' ? ` (diagnostic: ${b.diagnostic})` : ''}${b.remoteDiagnostic && b.remoteDiagnostic !== 'ok' ? ` (remote: ${b.remoteDiagnostic})` : ''}`,
          subjects: [{ kind: 'Node', name: node }, { kind: 'Neighbor', name: b.peer }, ...(peer ? [{ kind: 'BGPPeer', namespace: peer.metadata.namespace, name: peer.metadata.name }] : [])],
          evidence: [{ path: b.path, excerpt: rawExcerpt(model, b.path, [`"peer":"${b.peer}"`, '"status"', '"diagnostic"'], `peer ${b.peer} status ${b.status} diagnostic ${b.diagnostic ?? ''}`) }],
          remediation: { summary: `Configure BFD for ${node} on the router ${b.peer} (profile ${peer?.spec?.bfdProfile ?? '?'}) and allow UDP 3784/3785.` },
        });
      }
      // A BGPPeer asks for BFD, FRR has the neighbor, but no BFD session exists at all.
      for (const p of peersForNode(model, node)) {
        const addr = p.spec?.peerAddress;
        if (!p.spec?.bfdProfile || !addr || seen.has(addr) || !frr.neighbors.some((n) => n.address === addr)) continue;
        if (frr.bfdPeers.some((b) => b.peer === addr) || !frr.paths['bfd-peers']) continue;
        out.push({
          severity: 'warning',
          summary: `BGPPeer ${p.metadata.name} sets bfdProfile ${p.spec.bfdProfile} but FRR on ${node} has no BFD session to ${addr}`,
          subjects: [{ kind: 'Node', name: node }, { kind: 'BGPPeer', namespace: p.metadata.namespace, name: p.metadata.name }],
          evidence: [objectEvidence(clusterPath.metallb('bgppeers'), { metadata: { name: p.metadata.name }, spec: { peerAddress: addr, bfdProfile: p.spec.bfdProfile } }), { path: frr.paths['bfd-peers'], excerpt: rawExcerpt(model, frr.paths['bfd-peers'], ['"peer"'], '[]') }],
          remediation: { summary: 'Check that the BFDProfile exists and the FRR config has "neighbor X bfd profile ..." (see frr-config-drift / frr-reload-failed).' },
        });
      }
    }
    return out;
  },
});
