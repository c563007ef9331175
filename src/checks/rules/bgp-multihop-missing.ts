import { defineCheck, type Draft } from '../define.js';
import { objectEvidence } from '../lib/evidence.js';
import { inSubnet } from '../lib/ip.js';
import { clusterPath, mode, peersForNode } from '../lib/model.js';

export default defineCheck({
  id: 'bgp-multihop-missing',
  title: 'eBGP peer not on a connected subnet and ebgpMultiHop not set',
  severity: 'warning',
  category: 'bgp',
  rank: 45,
  docs: {
    cause: 'FRR only opens an eBGP session to a directly connected address unless ebgp-multihop is configured (connected check). A BGPPeer whose peerAddress is routed (not in any subnet of the node’s interfaces) without ebgpMultiHop: true never leaves Active/Connect.',
    confirm: "ip route get <peer>   # on the node: via a gateway means not connected\nkubectl get bgppeer -n metallb-system <peer> -o jsonpath='{.spec.ebgpMultiHop}'",
    fix: 'Set ebgpMultiHop: true on the BGPPeer (FRR modes), or peer with a directly connected router address.',
    references: ['metallb/metallb#1980', 'metallb/metallb#1127', 'metallb/metallb#1367'],
  },
  run(model) {
    if (mode(model) === 'native') return [];
    const out: Draft[] = [];
    for (const [node, st] of Object.entries(model.nodes)) {
      if (!st.addresses.length) continue;
      for (const p of peersForNode(model, node)) {
        const addr = p.spec?.peerAddress;
        if (!addr || p.spec?.ebgpMultiHop || (p.spec?.peerASN !== undefined && p.spec.peerASN === p.spec?.myASN)) continue;
        const connected = st.addresses.some((ifa) => ifa.ifname !== 'lo' && ifa.addrs.some((a) => inSubnet(addr, a.local, a.prefixlen)));
        if (connected) continue;
        const n = st.frr?.neighbors.find((x) => x.address === addr);
        const down = !!n && n.state !== 'Established';
        if (n && !down) continue; // it works (maybe via a route the config accounts for)
        out.push({
          severity: down ? 'error' : 'warning',
          rank: down ? 93 : 45,
          summary: `BGPPeer ${p.metadata.name} (${addr}) is not on a subnet of ${node} and ebgpMultiHop is not set${down ? `: the session is ${n!.state}` : ''}`,
          subjects: [{ kind: 'Node', name: node }, { kind: 'BGPPeer', namespace: p.metadata.namespace, name: p.metadata.name }, { kind: 'Neighbor', name: addr }],
          evidence: [
            objectEvidence(clusterPath.metallb('bgppeers'), { metadata: { name: p.metadata.name }, spec: { peerAddress: addr, myASN: p.spec?.myASN, peerASN: p.spec?.peerASN, ebgpMultiHop: p.spec?.ebgpMultiHop ?? false } }),
            { path: st.paths['ip-addr'] ?? `nodes/${node}/net/ip-addr.json`, excerpt: `subnets of ${node}: ${st.addresses.flatMap((i) => i.addrs.map((a) => `${i.ifname} ${a.local}/${a.prefixlen}`)).join(', ')}` },
          ],
          remediation: { summary: `Set ebgpMultiHop: true on BGPPeer ${p.metadata.name}.`, snippet: `kubectl patch bgppeer -n ${p.metadata.namespace ?? 'metallb-system'} ${p.metadata.name} --type merge -p '{"spec":{"ebgpMultiHop":true}}'`, snippetLanguage: 'shell' },
        });
      }
    }
    return out;
  },
});
