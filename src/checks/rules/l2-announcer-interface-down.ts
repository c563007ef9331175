import type { Evidence } from '../../model/finding.js';
import { defineCheck, type Draft } from '../define.js';
import { rawExcerpt } from '../lib/evidence.js';
import { announceDecision } from '../lib/announce.js';
import { l2StatusesFor, metallbServices, observedL2Announcers, svcKey, svcSubject } from '../lib/model.js';

export default defineCheck({
  id: 'l2-announcer-interface-down',
  title: 'Interface of the layer-2 announcer is down',
  severity: 'error',
  category: 'announcement-l2',
  rank: 86,
  docs: {
    cause:
      'The node elected to announce the IP has its announcing interface down (cable, switch port, bond member, VM NIC detached). The speaker keeps the leadership — the election only looks at speaker health, not links — so nobody on the segment gets an ARP reply until that node or its speaker goes away.',
    confirm: 'kubectl get servicel2statuses -n metallb-system -o wide   # the announcing node\nip -br link show   # on that node: DOWN / NO-CARRIER\narping -I <iface> -c 3 <LB IP>   # from another node: no reply',
    fix: 'Bring the interface back (or fix the switch port); to fail over right away, cordon the node and delete its speaker pod, or restrict the L2Advertisement with nodeSelectors / interfaces to healthy links.',
    references: ['metallb/metallb#2026', 'metallb/metallb#316', 'metallb/metallb#2635'],
  },
  run(model) {
    const out: Draft[] = [];
    for (const svc of metallbServices(model)) {
      const { l2, ip } = announceDecision(model, svc);
      if (!l2 || !ip) continue;
      const observed = observedL2Announcers(model, svc);
      const node = observed.nodes.length === 1 ? observed.nodes[0] : observed.nodes.length === 0 ? l2.leader : undefined;
      const st = node ? model.nodes[node] : undefined;
      if (!node || !st?.links.length) continue;
      const fromStatus = l2StatusesFor(model, svc).flatMap((s) => ((s.status?.interfaces ?? []) as { name?: string }[]).map((i) => i.name ?? ''));
      const fromAds = l2.advertisements.flatMap((a) => (a.spec?.interfaces ?? []) as string[]);
      const named = [...new Set([...fromStatus, ...fromAds].filter(Boolean))];
      // Without a name, MetalLB answers on every broadcast, non-enslaved interface.
      const candidates = named.length ? st.links.filter((l) => named.includes(l.ifname)) : st.links.filter((l) => l.flags.includes('BROADCAST') && !l.master && !l.flags.includes('NOARP') && l.ifname !== 'kube-ipvs0');
      if (!candidates.length) continue; // l2-interface-missing covers named interfaces that do not exist
      const up = (l: (typeof candidates)[number]) => l.flags.includes('UP') && l.flags.includes('LOWER_UP') && l.operstate !== 'DOWN';
      if (candidates.some(up)) continue;
      const path = st.paths['ip-link'] ?? `nodes/${node}/net/ip-link.json`;
      const evidence: Evidence[] = [{ path, excerpt: rawExcerpt(model, path, candidates.map((l) => `"ifname":"${l.ifname}"`), candidates.map((l) => `${l.ifname}: ${l.operstate ?? '?'} <${l.flags.join(',')}>`).join('\n')), label: `links of ${node}` }];
      for (const [other, ost] of Object.entries(model.nodes)) {
        for (const a of ost.arping) if (a.ip === ip && a.macs.length === 0 && evidence.length < 3) evidence.push({ path: a.path, excerpt: rawExcerpt(model, a.path, ['Received', 'down'], `arping ${ip}: no reply`), label: `arping from ${other}` });
      }
      out.push({
        summary: `${svcKey(svc)} ${ip} is announced by ${node} (${observed.source === 'none' ? 'recomputed leader' : observed.source}), but its interface ${candidates.map((l) => `${l.ifname} is ${l.operstate ?? 'not up'}`).join(', ')}: nobody gets an ARP reply`,
        subjects: [svcSubject(svc), { kind: 'Node', name: node }],
        evidence,
        remediation: { summary: `Bring ${candidates.map((l) => l.ifname).join('/')} on ${node} back up, or move the announcement away from ${node}.`, snippet: `kubectl cordon ${node}\nkubectl delete pod -n metallb-system -l component=speaker --field-selector spec.nodeName=${node}`, snippetLanguage: 'shell' },
      });
    }
    return out;
  },
});
