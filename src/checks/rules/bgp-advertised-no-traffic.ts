import { defineCheck, type Draft } from '../define.js';
import { rawExcerpt } from '../lib/evidence.js';
import { parseRange, rangeContains } from '../lib/ip.js';
import { announceDecisions } from '../lib/announce.js';
import { lbTraffic } from '../lib/lb-traffic.js';
import { probeFailed } from '../lib/probes.js';
import type { Evidence } from '../../model/finding.js';

/**
 * Everything MetalLB controls is done (Established, the prefix sent, a node that answers on the
 * LoadBalancer IP) and still no packet for the IP reaches any announcing node: what the nodes see
 * when the router took the session but not the route. The router is not collected, so the finding
 * says what the nodes saw and stays a warning; an idle service gives the same silence.
 */
export default defineCheck({
  id: 'bgp-advertised-no-traffic',
  title: 'Prefix advertised over an Established session, yet no packet for it reaches the cluster',
  severity: 'warning',
  category: 'bgp',
  // Below every check about MetalLB's own side: it only speaks when those have nothing to say.
  rank: 40,
  docs: {
    cause:
      "The speakers' sessions are Established and FRR sends the LoadBalancer prefix (PfxSnt > 0, a network statement for it), a connect to the IP from an announcing node succeeds, yet the capture on every announcing node shows no packet to or from the IP. The usual cause is the router: it receives the UPDATE and does not install the route: an inbound prefix-list or route-map that does not admit the pool's prefixes (often /32s under a permit for shorter prefixes only), FRR's `bgp ebgp-requires-policy` (eBGP routes without an inbound policy are dropped, shown as `(Policy)`), a maximum-prefix limit, or a community / AS-path filter. The nodes cannot see the router's decision, so an idle service (no client during the capture) gives the same silence.",
    confirm:
      "# on the router (FRR / Cisco-like syntax)\nshow ip bgp neighbors <node-IP> received-routes   # needs soft-reconfiguration inbound: what the node sent\nshow ip bgp neighbors <node-IP> routes            # what the router kept from it\nshow ip bgp <LB-IP>/32\nshow ip prefix-list; show route-map\n# from a client, while capturing on the announcing nodes\ncurl -m 2 http://<LB-IP>:<port>/\nkubectl exec -n metallb-system <speaker> -c frr -- vtysh -c 'show bgp ipv4 neighbors <peer> advertised-routes'",
    fix: "Let the router accept the pool's prefixes from the nodes: add them (with `le 32` when the pool is announced as /32s) to the router's inbound prefix-list or route-map, give the eBGP neighbors an inbound policy when FRR requires one, raise a maximum-prefix limit; or announce what the router admits (BGPAdvertisement aggregationLength, communities the router matches).",
    references: ['metallb/metallb#1980', 'metallb/metallb#497', 'FRRouting/frr#11962', 'https://docs.frrouting.org/en/latest/bgp.html', 'https://metallb.universe.tf/troubleshooting/'],
  },
  run(model) {
    const reached = new Set(lbTraffic(model).map((t) => t.ip));
    const out: Draft[] = [];
    for (const d of announceDecisions(model).values()) {
      const nodes = d.bgp?.announcers ?? [];
      if (d.stop || !nodes.length) continue;
      const [ns, name] = d.key.split('/') as [string, string];
      // Every announcing node captured, and the capture ran (it holds packets, e.g. BGP keepalives).
      if (!nodes.every((n) => (model.nodes[n]?.capture?.packets ?? 0) > 0)) continue;
      // A node answers on the Service: clients that reached it would have been served.
      const answering = nodes.filter((n) => {
        const lb = (model.nodes[n]?.probes ?? []).filter((p) => p.kind === 'lb' && p.subject.startsWith(`${d.key}/`));
        return lb.length > 0 && !lb.some(probeFailed);
      });
      if (!answering.length) continue;
      for (const ip of d.ips) {
        if (reached.has(ip) || !listenedFor(model, ip)) continue;
        const fam = ip.includes(':') ? 'ipv6' : 'ipv4';
        const sent: { node: string; addr: string; count: number; path: string }[] = [];
        for (const node of nodes) {
          const frr = model.nodes[node]?.frr;
          if (!frr) continue;
          const networks = (frr.runningConfig?.routers ?? []).flatMap((r) => r.networks).map((nw) => parseRange(nw.prefix));
          if (frr.runningConfig && !networks.some((r) => r && rangeContains(r, ip))) continue;
          for (const n of frr.neighbors) {
            if (n.state !== 'Established') continue;
            const count = Object.entries(n.sentPrefixes ?? {}).filter(([k]) => k.toLowerCase().includes(fam)).reduce((s, [, v]) => s + v, 0);
            if (count > 0) sent.push({ node, addr: n.address, count, path: n.path });
          }
        }
        if (!sent.length) continue;
        const peers = [...new Set(sent.map((s) => s.addr))];
        const senders = [...new Set(sent.map((s) => s.node))];
        const evidence: Evidence[] = sent.slice(0, 2).map((s) => ({
          path: s.path,
          excerpt: rawExcerpt(model, s.path, ['"bgpState"', '"sentPrefixCounter"'], `bgpState Established; ${fam} prefixes sent: ${s.count}`, { within: `"${s.addr}":{` }),
          label: `neighbor ${s.addr} on ${s.node}`,
        }));
        for (const node of nodes.slice(0, 2)) {
          const cap = model.nodes[node]!.capture!;
          const path = model.nodes[node]!.paths['capture-text'] ?? cap.path;
          evidence.push({ path, excerpt: rawExcerpt(model, path, ['KEEPALIVE', 'BGP'], `${cap.packets} packet(s) captured, none to or from ${ip}`), label: `capture on ${node}: ${cap.packets} packet(s), none for ${ip}` });
        }
        const lbProbe = (model.nodes[answering[0]!]?.probes ?? []).find((p) => p.kind === 'lb' && p.subject.startsWith(`${d.key}/`));
        if (lbProbe) evidence.push({ path: lbProbe.path, excerpt: rawExcerpt(model, lbProbe.path, [`${lbProbe.id} `], lbProbe.line), label: `connect to ${ip} from ${answering[0]}` });
        out.push({
          summary: `${ip} (${d.key}) is advertised to ${peers.join(', ')} over Established sessions from ${senders.join(', ')} and ${answering.join(', ')} answer${answering.length === 1 ? 's' : ''} on it, yet no packet for it reached any announcing node during the capture: the router may not have installed the route (an inbound prefix-list, route-map or policy on the router), or no client connected meanwhile`,
          subjects: [{ kind: 'Service', namespace: ns, name }, { kind: 'IP', name: ip }, ...peers.map((p) => ({ kind: 'Neighbor', name: p }))],
          evidence,
          remediation: {
            summary: `On the router ${peers.join(', ')}, compare what the nodes send with what it keeps for ${ip}; admit the pool's prefixes in its inbound policy.`,
            snippet: `show ip bgp neighbors <IP of ${senders[0]}> received-routes\nshow ip bgp neighbors <IP of ${senders[0]}> routes\nshow ip bgp ${ip}/${fam === 'ipv4' ? 32 : 128}\nshow ip prefix-list`,
            snippetLanguage: 'shell',
          },
        });
      }
    }
    return out;
  },
});

/**
 * Whether the captures listened for `ip`: the manifest's capture filter names it (`host`) or holds
 * it (`net`). A capture that did not name the IP (Services listed too late, or a bundle older than
 * the filter's record) says nothing about its traffic.
 */
function listenedFor(model: Parameters<typeof lbTraffic>[0], ip: string): boolean {
  const filter = model.manifest?.options?.['captureFilter'];
  if (typeof filter !== 'string') return false;
  for (const [, kind, term] of filter.matchAll(/\b(host|net) (\S+)/g)) {
    if (kind === 'host' && term === ip) return true;
    const range = kind === 'net' ? parseRange(term!) : undefined;
    if (range && rangeContains(range, ip)) return true;
  }
  return false;
}
