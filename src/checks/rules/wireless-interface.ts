import { defineCheck, type Draft } from '../define.js';
import { rawExcerpt } from '../lib/evidence.js';

export default defineCheck({
  id: 'wireless-interface',
  title: 'Layer-2 on a wireless interface without promiscuous mode',
  severity: 'info',
  category: 'announcement-l2',
  rank: 20,
  docs: {
    cause: 'Many WiFi drivers (Raspberry Pi among them) drop ARP requests not addressed to the interface’s own IP unless the interface is promiscuous, so MetalLB never sees the requests for the LB IP.',
    confirm: 'ip link show wlan0   # no PROMISC flag\narping -I <iface> <LB IP>   # from another host: no reply',
    fix: 'Enable promiscuous mode on the wireless interface (ip link set wlan0 promisc on, made persistent), or use a wired interface.',
    references: ['metallb/metallb#284', 'metallb/metallb#454', 'metallb/metallb#253'],
  },
  run(model) {
    if (!model.metallb.l2Advertisements.length) return [];
    const out: Draft[] = [];
    for (const [node, st] of Object.entries(model.nodes)) {
      for (const l of st.links) {
        if (!/^wl/.test(l.ifname) || l.flags.includes('PROMISC') || !l.flags.includes('UP')) continue;
        const path = st.paths['ip-link'] ?? `nodes/${node}/net/ip-link.json`;
        out.push({
          summary: `${node} has wireless interface ${l.ifname} up without PROMISC: ARP requests for LB IPs may never reach the speaker`,
          subjects: [{ kind: 'Node', name: node }],
          evidence: [{ path, excerpt: rawExcerpt(model, path, [`"ifname":"${l.ifname}"`], `${l.ifname}: <${l.flags.join(',')}>`) }],
          remediation: { summary: `Enable promiscuous mode on ${l.ifname}.`, snippet: `ip link set ${l.ifname} promisc on`, snippetLanguage: 'shell' },
        });
      }
    }
    return out;
  },
});
