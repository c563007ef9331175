import type { Evidence } from '../../model/finding.js';
import { defineCheck, type Draft } from '../define.js';
import type { LogRecord, LogStream } from '../../model/cluster.js';
import { logEvidence, rawExcerpt } from '../lib/evidence.js';
import { announceDecisions } from '../lib/announce.js';
import { logRecords, macOwners, metallbServices, serviceIPs, svcKey } from '../lib/model.js';
import { memberlistPatterns } from './memberlist-join-failures.js';

/** Memberlist failures logged by the speakers of the given nodes (the split-brain diagnosis). */
function memberlistTrouble(model: Parameters<typeof macOwners>[0], nodes: string[]): { stream: LogStream; records: LogRecord[]; labels: Set<string> }[] {
  const byStream = new Map<string, { stream: LogStream; records: LogRecord[]; labels: Set<string> }>();
  for (const { stream, record, text } of logRecords(model, 'speaker')) {
    if (!stream.node || !nodes.includes(stream.node)) continue;
    const hit = memberlistPatterns.find(([re]) => re.test(text));
    if (!hit) continue;
    const e = byStream.get(stream.path) ?? { stream, records: [], labels: new Set<string>() };
    e.records.push(record);
    e.labels.add(hit[1]);
    byStream.set(stream.path, e);
  }
  return [...byStream.values()];
}

interface Sighting {
  mac: string;
  evidence: Evidence;
}

export default defineCheck({
  id: 'l2-duplicate-mac',
  title: 'Several MAC addresses answer ARP for one IP',
  severity: 'error',
  category: 'announcement-l2',
  rank: 79,
  docs: {
    cause:
      'More than one device replies to ARP for the same address: several speakers announce it (memberlist split brain), kube-proxy IPVS without strictARP makes every node answer, the CNI answers, or another host on the segment has the IP configured. Clients then flip between MACs and connections reset.',
    confirm: 'arping -I <iface> -c 3 <IP>   # from a host on the same segment: more than one MAC\ntcpdump -n -e -i <iface> arp and host <IP>\nkubectl get servicel2statuses -n metallb-system',
    fix: 'Make only one device own the IP: remove it from the foreign host, enable strictARP for IPVS, or repair memberlist connectivity so speakers agree on one leader.',
    references: ['metallb/metallb#589', 'metallb/metallb#740', 'metallb/metallb#598', 'metallb/metallb#153'],
  },
  run(model) {
    const byIp = new Map<string, Sighting[]>();
    const add = (ip: string, s: Sighting) => byIp.set(ip, [...(byIp.get(ip) ?? []), s]);
    for (const [node, st] of Object.entries(model.nodes)) {
      for (const a of st.arping) {
        for (const mac of a.macs) add(a.ip, { mac: mac.toLowerCase(), evidence: { path: a.path, excerpt: rawExcerpt(model, a.path, ['reply from', 'Received'], `arping ${a.ip}: ${a.macs.join(', ')}`), label: `arping from ${node}` } });
      }
      const cap = st.capture;
      if (cap) {
        for (const r of cap.arp) {
          if (r.op !== 'reply' || r.gratuitous || !r.mac) continue;
          add(r.ip, { mac: r.mac.toLowerCase(), evidence: { path: cap.path, excerpt: rawExcerpt(model, cap.path, [`Reply ${r.ip} is-at`], `Reply ${r.ip} is-at ${r.mac}`), label: `capture on ${node}` } });
        }
      }
    }
    // Neighbour tables only count for LoadBalancer IPs and only in a confirmed state.
    const lbIps = new Set(metallbServices(model).flatMap(serviceIPs));
    const svcOf = new Map(metallbServices(model).flatMap((s) => serviceIPs(s).map((ip) => [ip, svcKey(s)] as const)));
    for (const [node, st] of Object.entries(model.nodes)) {
      for (const n of st.neighbors) {
        if (!n.mac || !lbIps.has(n.ip) || !n.state.some((s) => s === 'REACHABLE' || s === 'PERMANENT')) continue;
        const path = st.paths['ip-neigh'] ?? `nodes/${node}/net/ip-neigh.json`;
        add(n.ip, { mac: n.mac.toLowerCase(), evidence: { path, excerpt: rawExcerpt(model, path, [`"dst":"${n.ip}"`], `${n.ip} lladdr ${n.mac} ${n.state.join(',')}`), label: `neighbour table of ${node}` } });
      }
    }
    const owners = macOwners(model);
    // IPs MetalLB announces only over BGP: ARP replies for them (e.g. the IP on every node's lo with
    // arp_ignore=0) do not steer traffic, so duplicates there are not a MetalLB problem.
    const decisions = announceDecisions(model);
    const bgpOnly = new Set(
      metallbServices(model).flatMap((s) => {
        const d = decisions.get(s);
        return d?.bgp && !d.l2 ? serviceIPs(s) : [];
      }),
    );
    const out: Draft[] = [];
    for (const [ip, sightings] of byIp) {
      if (bgpOnly.has(ip)) continue;
      const macs = [...new Set(sightings.map((s) => s.mac))];
      if (macs.length < 2) continue;
      const who = macs.map((m) => (owners.has(m) ? `${m} (${owners.get(m)!.node} ${owners.get(m)!.ifname})` : `${m} (not a cluster node)`));
      const foreign = macs.filter((m) => !owners.has(m));
      const evidence: Evidence[] = [];
      for (const s of sightings) if (!evidence.some((e) => e.path === s.evidence.path)) evidence.push(s.evidence);
      // All responders are cluster nodes and their speakers lose each other: a memberlist split brain.
      const answeringNodes = [...new Set(macs.filter((m) => owners.has(m)).map((m) => owners.get(m)!.node))];
      const trouble = !foreign.length && answeringNodes.length > 1 ? memberlistTrouble(model, answeringNodes) : [];
      const splitBrain = trouble.length > 0;
      const troubleLabels = [...new Set(trouble.flatMap((t) => [...t.labels]))];
      evidence.splice(3);
      for (const t of trouble.slice(0, 2)) evidence.push(logEvidence(model, t.stream, t.records, `memberlist on ${t.stream.node}`));
      out.push({
        ...(splitBrain ? { rank: 90 } : {}),
        summary: `${macs.length} MACs answer for ${ip}${svcOf.has(ip) ? ` (${svcOf.get(ip)})` : ''}: ${who.join(', ')}${splitBrain ? ` — memberlist split brain: the speakers on ${trouble.map((t) => t.stream.node).join(', ')} log ${troubleLabels.join(', ')}` : ''}`,
        subjects: [{ kind: 'IP', name: ip }, ...(svcOf.has(ip) ? [{ kind: 'Service', namespace: svcOf.get(ip)!.split('/')[0], name: svcOf.get(ip)!.split('/')[1] }] : []), ...[...new Set(macs.filter((m) => owners.has(m)).map((m) => owners.get(m)!.node))].map((n) => ({ kind: 'Node', name: n }))],
        evidence: evidence.slice(0, 5),
        remediation: splitBrain
          ? { summary: `Open TCP and UDP 7946 between ${answeringNodes.join(', ')} so the speakers agree on one leader.`, snippet: `# on each node (or the equivalent security group / NetworkPolicy rule)\niptables -I INPUT -p udp --dport 7946 -j ACCEPT\niptables -I INPUT -p tcp --dport 7946 -j ACCEPT`, snippetLanguage: 'shell' }
          : foreign.length
          ? { summary: `Find the device with MAC ${foreign.join(', ')} and remove ${ip} from it (or take ${ip} out of the pool).`, snippet: `arping -I <iface> -c 3 ${ip}\nip neigh show ${ip}`, snippetLanguage: 'shell' }
          : { summary: 'Several nodes answer: check kube-proxy strictARP (IPVS) and memberlist connectivity between the answering nodes.', snippet: "kubectl get cm -n kube-system kube-proxy -o yaml | grep -E 'mode|strictARP'\nkubectl get servicel2statuses -n metallb-system", snippetLanguage: 'shell' },
      });
    }
    return out;
  },
});
