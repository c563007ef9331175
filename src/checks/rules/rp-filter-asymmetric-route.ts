import type { V1Node } from '@kubernetes/client-node';
import { defineCheck, type Draft } from '../define.js';
import { announceDecisions } from '../lib/announce.js';
import { rawExcerpt } from '../lib/evidence.js';

const nodeIp = (n: V1Node | undefined): string | undefined => n?.status?.addresses?.find((a) => a.type === 'InternalIP')?.address;

export default defineCheck({
  id: 'rp-filter-asymmetric-route',
  title: 'Strict rp_filter on the receiving interface, return route through another',
  severity: 'error',
  category: 'announcement-l2',
  rank: 80,
  docs: {
    cause:
      'In layer 2 mode clients reach the LoadBalancer IP through the interface MetalLB answers ARP on. With strict reverse-path filtering (rp_filter 1, the effective value being the larger of conf.all and conf.<interface>) the kernel drops every packet whose source it would not route back out of that same interface: when the node’s default route (the way back to clients outside the segment) goes through another interface, every connection from those clients is dropped before kube-proxy sees it, silently.',
    confirm:
      'sysctl net.ipv4.conf.all.rp_filter net.ipv4.conf.<iface>.rp_filter   # on the announcing node\nip route get <client-IP>                                              # leaves by another interface?\nnstat -az TcpExtIPReversePathFilter                                   # grows while clients try',
    fix: 'Set loose mode (2) or 0 on the receiving interface and in conf.all (`sysctl -w net.ipv4.conf.all.rp_filter=2 net.ipv4.conf.<iface>.rp_filter=2`, persist it in /etc/sysctl.d), or route replies back through the receiving interface (policy routing by source address), or announce only on the interface that holds the default route (L2Advertisement interfaces).',
    references: ['metallb/metallb#1154', 'https://docs.kernel.org/networking/ip-sysctl.html', 'https://metallb.universe.tf/troubleshooting/'],
  },
  run(model) {
    const out: Draft[] = [];
    const announcing = new Map<string, Set<string>>();
    for (const d of announceDecisions(model).values()) {
      for (const n of d.l2?.announcers ?? []) (announcing.get(n) ?? announcing.set(n, new Set()).get(n)!).add(`${d.key} (${d.ip})`);
    }
    for (const [node, services] of announcing) {
      const st = model.nodes[node];
      if (!st?.paths.sysctl || !st.paths['ip-route']) continue;
      const ip = nodeIp(model.kube.nodes.find((n) => n.metadata?.name === node));
      const iface = st.addresses.find((a) => a.addrs.some((x) => x.local === ip))?.ifname;
      if (!iface) continue;
      const value = (key: string): number => Number(st.sysctls[key] ?? 0);
      const effective = Math.max(value('net.ipv4.conf.all.rp_filter'), value(`net.ipv4.conf.${iface}.rp_filter`));
      if (effective !== 1) continue;
      const def = st.routes.find((r) => r.dst === 'default' && (!r.table || r.table === 'main'));
      const devs = def ? (def.dev ? [def.dev] : (def.nexthops ?? []).map((h) => h.dev).filter((d): d is string => !!d)) : [];
      if (!devs.length || devs.includes(iface)) continue;
      out.push({
        summary: `${node} answers ARP for ${[...services].join(', ')} on ${iface} with strict rp_filter, but its default route leaves by ${devs.join(', ')}${def?.gateway ? ` (via ${def.gateway})` : ''}: the kernel drops clients' packets from outside the segment before kube-proxy sees them`,
        subjects: [{ kind: 'Node', name: node }, ...[...services].map((s) => ({ kind: 'Service', namespace: s.split('/')[0], name: s.split('/')[1]!.split(' ')[0]! }))],
        evidence: [
          { path: st.paths.sysctl, excerpt: rawExcerpt(model, st.paths.sysctl, ['conf/all/rp_filter', `conf/${iface}/rp_filter`], `net.ipv4.conf.all.rp_filter = ${value('net.ipv4.conf.all.rp_filter')}\nnet.ipv4.conf.${iface}.rp_filter = ${value(`net.ipv4.conf.${iface}.rp_filter`)}`), label: 'rp_filter on the node' },
          { path: st.paths['ip-route'], excerpt: JSON.stringify(def), label: 'default route' },
        ],
        remediation: { summary: `Set rp_filter to 2 (loose) for ${iface} and conf.all on ${node}, or make replies leave by ${iface}.` },
      });
    }
    return out;
  },
});
