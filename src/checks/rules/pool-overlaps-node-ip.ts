import { defineCheck, type Draft } from '../define.js';
import { objectEvidence, rawExcerpt } from '../lib/evidence.js';
import { rangeContains } from '../lib/ip.js';
import { clusterPath, nodeAddresses, poolRanges } from '../lib/model.js';

/** Interfaces where MetalLB / kube-proxy place the LB IPs themselves; their addresses are not "node IPs". */
const vipInterfaces = new Set(['lo', 'kube-ipvs0', 'nodelocaldns']);

export default defineCheck({
  id: 'pool-overlaps-node-ip',
  title: 'IPAddressPool contains a node IP or the gateway',
  severity: 'error',
  category: 'allocation',
  rank: 82,
  docs: {
    cause:
      'A pool range includes an address already used by a node or the default gateway. MetalLB will hand it out and then answer ARP for it, poisoning neighbours: nodes or the gateway randomly become unreachable.',
    confirm: 'kubectl get nodes -o wide\nkubectl get ipaddresspools -n metallb-system -o yaml\nip route show default   # on a node',
    fix: 'Shrink the pool range so it excludes every node address and the gateway (use start-end ranges of free addresses).',
    references: ['metallb/metallb#364', 'metallb/metallb#2700', 'metallb/metallb#772', 'metallb/metallb#519', 'metallb/metallb#2479'],
  },
  run(model) {
    const taken: { ip: string; what: string; path: string; needle: string }[] = [];
    for (const n of model.kube.nodes) {
      for (const a of nodeAddresses(n)) if (a.type === 'InternalIP' || a.type === 'ExternalIP') taken.push({ ip: a.address, what: `${a.type} of node ${n.metadata?.name}`, path: clusterPath.nodes, needle: a.address });
    }
    for (const [node, st] of Object.entries(model.nodes)) {
      for (const ifa of st.addresses) {
        if (vipInterfaces.has(ifa.ifname)) continue;
        for (const a of ifa.addrs) {
          // Host routes (/32, /128) on a NIC are usually LB IPs placed there by a speaker or proxy.
          if (a.scope === 'host' || (a.family === 'inet' && a.prefixlen === 32) || (a.family === 'inet6' && a.prefixlen === 128)) continue;
          taken.push({ ip: a.local, what: `address of ${node} on ${ifa.ifname}`, path: st.paths['ip-addr'] ?? `nodes/${node}/net/ip-addr.json`, needle: `"${a.local}"` });
        }
      }
      for (const r of st.routes) if (r.dst === 'default' && r.gateway) taken.push({ ip: r.gateway, what: `default gateway of ${node}`, path: st.paths['ip-route'] ?? `nodes/${node}/net/ip-route.json`, needle: `"${r.gateway}"` });
    }
    const out: Draft[] = [];
    for (const pool of model.metallb.ipAddressPools) {
      const hits = new Map<string, (typeof taken)[number]>();
      for (const r of poolRanges(pool)) for (const t of taken) if (rangeContains(r, t.ip) && !hits.has(t.ip)) hits.set(t.ip, t);
      if (!hits.size) continue;
      const list = [...hits.values()];
      out.push({
        summary: `Pool ${pool.metadata.name} (${(pool.spec?.addresses ?? []).join(', ')}) contains ${list.map((t) => `${t.ip} (${t.what})`).join(', ')}`,
        // The clashing addresses are subjects too: what breaks on one of them (a connect to the LB IP) is this finding's doing.
        subjects: [{ kind: 'IPAddressPool', namespace: pool.metadata.namespace, name: pool.metadata.name }, ...list.map((t) => ({ kind: 'IP', name: t.ip }))],
        evidence: [
          objectEvidence(clusterPath.metallb('ipaddresspools'), { metadata: { name: pool.metadata.name }, spec: { addresses: pool.spec?.addresses } }),
          ...list.slice(0, 4).map((t) => ({ path: t.path, excerpt: rawExcerpt(model, t.path, [t.needle], `${t.what}: ${t.ip}`), label: t.what })),
        ],
        remediation: {
          summary: `Remove ${list.map((t) => t.ip).join(', ')} from pool ${pool.metadata.name}.`,
          snippet: `spec:\n  addresses:\n  - <first free IP>-<last free IP>   # must exclude ${list.map((t) => t.ip).join(', ')}\n`,
          snippetLanguage: 'yaml',
        },
      });
    }
    return out;
  },
});
