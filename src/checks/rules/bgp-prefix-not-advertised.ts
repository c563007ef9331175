import type { V1Service } from '@kubernetes/client-node';
import type { Evidence } from '../../model/finding.js';
import { defineCheck, type Draft } from '../define.js';
import { objectEvidence, rawExcerpt } from '../lib/evidence.js';
import { parseRange, rangeContains } from '../lib/ip.js';
import { announcementDuties } from '../lib/announce.js';
import { adSelectsNode, adSelectsService, bgpAdsForPool, clusterPath, findNode, peersForNode, poolOf, svcKey, svcSubject } from '../lib/model.js';

export default defineCheck({
  id: 'bgp-prefix-not-advertised',
  title: 'Service prefix not advertised to a BGP peer that should get it',
  severity: 'error',
  category: 'bgp',
  rank: 42,
  docs: {
    cause:
      'A service IP selected by a BGPAdvertisement for this node and peer is missing from what FRR sends: the prefix is not in the FRR configuration (config not rendered or not applied), the session is down, or an outbound prefix-list filters it (sentPrefixCounter 0).',
    confirm: "kubectl exec -n metallb-system <speaker> -c frr -- vtysh -c 'show running-config' | grep network\nkubectl exec -n metallb-system <speaker> -c frr -- vtysh -c 'show bgp neighbor <peer> advertised-routes'",
    fix: 'Fix the cause named in the finding: the session (see bgp-session-down), the reload (frr-reload-failed), or the BGPAdvertisement peers / nodeSelectors.',
    references: ['metallb/metallb#1537', 'metallb/metallb#1154'],
  },
  run(model) {
    // One finding per (node, peer, reason), listing the services: a down session on 1000 nodes must
    // not become 1000 × services findings.
    const groups = new Map<string, { node: string; addr: string; why: string; items: { svc: V1Service; ip: string }[]; seen: Set<string>; evidence: Evidence[] }>();
    for (const [node, duties] of announcementDuties(model)) {
      const st = model.nodes[node];
      const frr = st?.frr;
      if (!frr || (!frr.neighbors.length && !frr.runningConfig)) continue;
      // Per node: the peers, and the network statements parsed once.
      const peers = peersForNode(model, node);
      const networks = (frr.runningConfig?.routers ?? []).flatMap((r) => r.networks);
      const networkRanges = networks.map((nw) => parseRange(nw.prefix)).filter((r): r is NonNullable<typeof r> => !!r);
      const nodeObj = findNode(model, node);
      for (const d of duties.filter((x) => x.protocol === 'bgp')) {
        const pool = poolOf(model, d.svc, d.ip);
        if (!pool) continue;
        const ads = bgpAdsForPool(model, pool).filter((a) => adSelectsService(a, d.svc) && adSelectsNode(a, nodeObj));
        const wantedPeers = new Set<string>();
        for (const a of ads) for (const p of peers) if (!(a.spec?.peers ?? []).length || (a.spec.peers as string[]).includes(p.metadata.name)) wantedPeers.add(p.spec?.peerAddress ?? '');
        const fam = d.ip.includes(':') ? 'ipv6' : 'ipv4';
        const inConfig = !frr.runningConfig || networkRanges.some((r) => rangeContains(r, d.ip));
        for (const addr of wantedPeers) {
          const n = frr.neighbors.find((x) => x.address === addr);
          if (!n) continue;
          const sent = Object.entries(n.sentPrefixes ?? {}).filter(([k]) => k.toLowerCase().includes(fam)).reduce((s, [, v]) => s + v, 0);
          let why: string | undefined;
          if (!inConfig) why = "FRR's running config has no network statement for it";
          else if (n.state !== 'Established') why = `the session is ${n.state}`;
          else if (n.sentPrefixes && sent === 0) why = 'sentPrefixCounter is 0 (filtered by the outbound route-map / prefix-list?)';
          if (!why) continue;
          const key = `${node}|${addr}|${why}`;
          let g = groups.get(key);
          if (!g) {
            const cfgPath = frr.runningConfig?.path ?? frr.paths['running-config'] ?? `nodes/${node}/frr/running-config.txt`;
            g = {
              node,
              addr,
              why,
              items: [],
              seen: new Set(),
              evidence: [
                !inConfig
                  ? { path: cfgPath, excerpt: rawExcerpt(model, cfgPath, [' network ', 'router bgp'], `network statements: ${networks.map((x) => x.prefix).join(', ') || '(none)'}`), label: 'FRR running config' }
                  : { path: n.path, excerpt: rawExcerpt(model, n.path, ['"bgpState"', '"sentPrefixCounter"'], `bgpState ${n.state}; sentPrefixes ${JSON.stringify(n.sentPrefixes ?? {})}`, { within: `"${addr}":{` }), label: `neighbor ${addr} on ${node}` },
                ...ads.slice(0, 1).map((a) => objectEvidence(clusterPath.metallb('bgpadvertisements'), { metadata: { name: a.metadata.name }, spec: a.spec })),
              ],
            };
            groups.set(key, g);
          }
          const itemKey = `${svcKey(d.svc)}|${d.ip}`;
          if (!g.seen.has(itemKey)) {
            g.seen.add(itemKey);
            g.items.push({ svc: d.svc, ip: d.ip });
          }
        }
      }
    }
    const out: Draft[] = [];
    for (const g of groups.values()) {
      const list = g.items.slice(0, 5).map((x) => `${svcKey(x.svc)} ${x.ip}`).join(', ') + (g.items.length > 5 ? ` and ${g.items.length - 5} more` : '');
      out.push({
        summary: `${list} ${g.items.length === 1 ? 'is' : 'are'} not advertised from ${g.node} to ${g.addr}: ${g.why}`,
        subjects: [{ kind: 'Node', name: g.node }, { kind: 'Neighbor', name: g.addr }, ...g.items.slice(0, 20).map((x) => svcSubject(x.svc))],
        evidence: g.evidence,
        remediation: { summary: `Resolve why ${g.node} does not send these prefixes: ${g.why}.`, snippet: `kubectl exec -n metallb-system <speaker on ${g.node}> -c frr -- vtysh -c 'show bgp ipv4 neighbors ${g.addr} advertised-routes'`, snippetLanguage: 'shell' },
      });
    }
    return out;
  },
});
