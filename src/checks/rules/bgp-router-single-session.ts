import type { BgpNeighbor } from '../../model/cluster.js';
import { defineCheck, type Draft } from '../define.js';
import { rawExcerpt } from '../lib/evidence.js';

/** Cease subcodes a router answers an extra connection with (RFC 4486: 5 Connection Rejected, 7 Connection Collision Resolution). */
const refusal = (n: BgpNeighbor): boolean => n.state !== 'Established' && (/^060[57]$/i.test(n.lastErrorCodeSubcode ?? '') || /Cease\/Connection (Rejected|Collision Resolution)/i.test(n.lastNotificationReason ?? ''));

export default defineCheck({
  id: 'bgp-router-single-session',
  title: 'Router keeps one BGP session for several nodes',
  severity: 'error',
  category: 'bgp',
  // Above bgp-session-down (92): the refused sessions are down, and this names why.
  rank: 94,
  docs: {
    cause:
      'One node’s session to a router is Established while the other nodes’ sessions to the same address are refused with a Cease NOTIFICATION (Connection Rejected, or Connection Collision Resolution): the router accepts one session per neighbour. Either its configuration names only one node (or a neighbor range/limit of one), or the nodes reach it from one source address (SNAT on a shared egress, a firewall or cloud NAT), so it sees every node as the same neighbour and keeps the first connection. Only the accepted node announces, so ECMP and failover across nodes are gone.',
    confirm:
      "kubectl exec -n metallb-system <speaker> -c frr -- vtysh -c 'show bgp neighbors <router> json' | grep -E 'bgpState|lastNotificationReason|hostLocal'\n# on the router: the neighbor list and the source address each node's connection arrives from\n# e.g. FRR: show bgp summary; tcpdump -n tcp port 179",
    fix: 'Configure the router with one neighbor per node address (or a dynamic neighbor range covering the node subnet), and let every node reach it from its own address: no SNAT/masquerade for TCP 179 from the nodes, or peer over a directly connected segment.',
    references: ['RFC 4486 §4 (Cease subcodes 5 Connection Rejected, 7 Connection Collision Resolution)', 'RFC 4271 §6.8 (connection collision detection)'],
  },
  run(model) {
    const byAddress = new Map<string, { node: string; n: BgpNeighbor }[]>();
    for (const [node, st] of Object.entries(model.nodes)) {
      for (const n of st.frr?.neighbors ?? []) {
        const key = `${n.vrf}|${n.address}`;
        byAddress.set(key, [...(byAddress.get(key) ?? []), { node, n }]);
      }
    }
    const out: Draft[] = [];
    for (const sessions of byAddress.values()) {
      const up = sessions.filter((s) => s.n.state === 'Established');
      const refused = sessions.filter((s) => refusal(s.n));
      if (!up.length || !refused.length) continue;
      const address = refused[0]!.n.address;
      const reason = refused[0]!.n.lastNotificationReason ?? `Cease (${refused[0]!.n.lastErrorCodeSubcode})`;
      out.push({
        summary: `Router ${address} keeps one BGP session: ${up.map((s) => s.node).join(', ')} Established, ${refused.map((s) => s.node).join(', ')} refused with ${reason} (${refused[0]!.n.state})`,
        subjects: [{ kind: 'Neighbor', name: address }, ...sessions.map((s) => ({ kind: 'Node', name: s.node }))],
        evidence: [
          ...refused.slice(0, 2).map((s) => ({ path: s.n.path, label: `show bgp neighbors on ${s.node}`, excerpt: rawExcerpt(model, s.n.path, ['"bgpState"', '"lastNotificationReason"', '"lastErrorCodeSubcode"', '"lastResetDueTo"'], `bgpState ${s.n.state}, lastNotificationReason ${s.n.lastNotificationReason ?? ''}`, { within: `"${address}":{` }) })),
          { path: up[0]!.n.path, label: `show bgp neighbors on ${up[0]!.node}`, excerpt: rawExcerpt(model, up[0]!.n.path, ['"bgpState"', '"hostLocal"'], `bgpState ${up[0]!.n.state}`, { within: `"${address}":{` }) },
        ],
        remediation: {
          summary: `Make router ${address} accept a session from every node: one neighbor per node address (or a dynamic range over the node subnet), and no SNAT between the nodes and the router for TCP 179.`,
          snippet: `# FRR on the router, for example:\nrouter bgp <router AS>\n bgp listen range <node subnet> peer-group metallb\n neighbor metallb peer-group\n neighbor metallb remote-as <node AS>`,
          snippetLanguage: 'frr',
        },
      });
    }
    return out;
  },
});
