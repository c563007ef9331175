import type { ConnectProbeResult } from '../../model/cluster.js';
import { defineCheck, type Draft } from '../define.js';
import { probeEvidence, probeWhy } from '../lib/probes.js';

const memberlistPort = 7946;

export default defineCheck({
  id: 'memberlist-port-blocked',
  title: 'Memberlist port 7946 blocked between two speakers',
  severity: 'error',
  category: 'memberlist',
  // Above the split brain it causes (l2-duplicate-mac, 90): the blocked pair is the thing to fix.
  rank: 93,
  docs: {
    cause:
      'Speakers agree on which node answers for a layer 2 IP through memberlist on TCP and UDP 7946 between the nodes. When a firewall (host firewall, security group, NetworkPolicy for hostNetwork) drops 7946 between two speakers, each believes the other is dead: both elect themselves for the IPs they would share, and two MACs answer ARP for one IP (split brain), or announcements flap as the member list changes.',
    confirm:
      'kubectl debug -n metallb-system <speaker-on-A> -it --image=nicolaka/netshoot --target=speaker -- nc -zv -w 2 <node-B-IP> 7946\nkubectl logs -n metallb-system <speaker-on-A> -c speaker | grep -iE "memberlist.*(failed|suspect|dead)"\nsudo iptables -S | grep 7946   # on both nodes',
    fix: 'Allow TCP and UDP 7946 between every pair of nodes that run a speaker (security groups, firewalld/ufw zones, NetworkPolicies covering hostNetwork pods), or bind memberlist to an interface the nodes share (--ml-bindaddr).',
    references: ['metallb/metallb#1539', 'metallb/metallb#782', 'https://metallb.universe.tf/installation/#requirements'],
  },
  run(model) {
    const out: Draft[] = [];
    const listening = (node: string): boolean => (model.nodes[node]?.sockets ?? []).some((s) => s.localPort === memberlistPort && s.proto === 'tcp' && /LISTEN/i.test(s.state ?? ''));
    const seen = new Map<string, { from: string; to: string; probes: ConnectProbeResult[] }>();
    for (const [from, st] of Object.entries(model.nodes)) {
      for (const p of st.probes ?? []) {
        if (p.kind !== 'memberlist' || !p.subject) continue;
        // A drop is a timeout; a refusal is a firewall REJECT only when the peer's speaker does listen.
        const blocked = p.outcome === 'timeout' || (p.outcome === 'refused' && listening(p.subject));
        if (!blocked) continue;
        const key = [from, p.subject].sort().join('|');
        const entry = seen.get(key) ?? { from, to: p.subject, probes: [] };
        entry.probes.push(p);
        seen.set(key, entry);
      }
    }
    for (const { from, to, probes } of seen.values()) {
      out.push({
        summary: `TCP ${memberlistPort} from ${from} to ${to} (${probes[0]!.host}) gets ${probeWhy(probes[0]!)}: the two speakers cannot see each other in memberlist and each may announce the same layer 2 IPs (split brain)`,
        subjects: [
          { kind: 'Node', name: from },
          { kind: 'Node', name: to },
        ],
        evidence: probes.map((p) => probeEvidence(model, [p], `TCP connect to ${p.subject}:${memberlistPort}`)),
        remediation: { summary: `Allow TCP and UDP ${memberlistPort} between ${from} and ${to} (both directions).` },
      });
    }
    return out;
  },
});
