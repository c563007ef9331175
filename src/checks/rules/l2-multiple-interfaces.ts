import { defineCheck, type Draft } from '../define.js';
import { rawExcerpt } from '../lib/evidence.js';
import { inSubnet } from '../lib/ip.js';
import { announceDecision } from '../lib/announce.js';
import { metallbServices, observedL2Announcers, svcKey, svcSubject } from '../lib/model.js';

export default defineCheck({
  id: 'l2-multiple-interfaces',
  title: 'Several interfaces of the announcing node answer ARP on one segment',
  severity: 'warning',
  category: 'announcement-l2',
  rank: 76,
  docs: {
    cause:
      'MetalLB creates an ARP/NDP responder on every interface that is up, broadcast-capable, not enslaved to a bond/bridge and not NOARP, and answers with the MAC of the interface that received the request; there is no subnet check. Two such interfaces on the same segment (two NICs, a VLAN and its parent, a bond member left standalone) each answer, so clients see two MACs from one node.',
    confirm: "ip -br addr   # on the announcing node: two interfaces in the LB IP's subnet\nkubectl logs -n metallb-system <speaker> -c speaker | grep createARPResponder",
    fix: 'Set spec.interfaces on the L2Advertisement to the one interface that should answer, or enslave/disable the extra interface.',
    references: ['metallb/metallb#316', 'metallb/metallb#277', 'metallb/metallb#2026', 'metallb/metallb#2635'],
  },
  run(model) {
    const out: Draft[] = [];
    for (const svc of metallbServices(model)) {
      const { l2, ip } = announceDecision(model, svc);
      if (!l2 || !ip) continue;
      const ads = l2.advertisements;
      if (ads.some((a) => (a.spec?.interfaces ?? []).length > 0)) continue; // restricted on purpose
      const observed = observedL2Announcers(model, svc);
      const node = observed.nodes.length === 1 ? observed.nodes[0] : observed.nodes.length === 0 ? l2.leader : undefined;
      const st = node ? model.nodes[node] : undefined;
      if (!node || !st?.links.length || !st.addresses.length) continue;
      const responders = st.links.filter((l) => l.flags.includes('UP') && l.flags.includes('BROADCAST') && !l.flags.includes('NOARP') && !l.master && !['lo', 'kube-ipvs0'].includes(l.ifname));
      // Interfaces with an address whose subnet holds the LB IP sit on the segment that asks for it.
      const onSegment = responders.filter((l) => st.addresses.some((a) => a.ifname === l.ifname && a.addrs.some((x) => x.prefixlen < (x.family === 'inet' ? 32 : 128) && inSubnet(ip, x.local, x.prefixlen))));
      if (onSegment.length < 2) continue;
      const path = st.paths['ip-addr'] ?? `nodes/${node}/net/ip-addr.json`;
      out.push({
        summary: `${svcKey(svc)} ${ip}: on ${node}, ${onSegment.map((l) => `${l.ifname} (${l.mac ?? '?'})`).join(' and ')} are all on the LB IP's subnet and would each answer ARP`,
        subjects: [svcSubject(svc), { kind: 'Node', name: node }],
        evidence: [{ path, excerpt: rawExcerpt(model, path, onSegment.map((l) => `"ifname":"${l.ifname}"`), onSegment.map((l) => l.ifname).join(', ')), label: `interfaces of ${node}` }],
        remediation: {
          summary: `Pin the L2Advertisement to one interface (e.g. ${onSegment[0].ifname}).`,
          snippet: `spec:\n  interfaces:\n  - ${onSegment[0].ifname}\n`,
          snippetLanguage: 'yaml',
        },
      });
    }
    return out;
  },
});
