import type { LogRecord, LogStream } from '../../model/cluster.js';
import type { Evidence } from '../../model/finding.js';
import { defineCheck, type Draft } from '../define.js';
import { logEvidence, objectEvidence, rawExcerpt } from '../lib/evidence.js';
import { announceDecision } from '../lib/announce.js';
import { clusterPath, findNode, logRecords, metallbServices, observedL2Announcers, svcKey, svcSubject } from '../lib/model.js';

/** providerID prefixes of networks known to drop ARP replies for addresses they did not assign. */
const clouds: [RegExp, string][] = [
  [/^aws:/, 'AWS'],
  [/^gce:/, 'Google Cloud'],
  [/^azure:/, 'Azure'],
  [/^openstack:/, 'OpenStack (port security)'],
  [/^vsphere:/, 'vSphere (Forged Transmits rejected)'],
];

export default defineCheck({
  id: 'arp-replies-lost',
  title: 'ARP for a LoadBalancer IP goes unanswered although its announcer is up',
  severity: 'error',
  category: 'announcement-l2',
  rank: 85,
  docs: {
    cause:
      'The elected node holds the IP with its interface up and its speaker answers the ARP requests (at debug level it logs "got ARP request for service IP, sending response"), yet the other nodes’ arping gets no reply: the reply is lost between the node and the segment. Clouds and hypervisors with anti-spoofing (AWS/GCP/Azure VPCs, OpenStack port security, vSphere without Forged Transmits) drop frames for addresses they did not assign to the port; some Wi-Fi chips and drivers drop ARP not addressed to the station’s own IP.',
    confirm:
      "kubectl get nodes -o jsonpath='{range .items[*]}{.metadata.name} {.spec.providerID}{\"\\n\"}{end}'\narping -I <iface> -c 3 <LB IP>   # from another node: Received 0 response(s)\ntcpdump -nn -e -i <iface> arp and host <LB IP>   # on the announcer: the reply leaves",
    fix: 'On a cloud, layer 2 cannot work: use BGP or the cloud’s load balancer, or allow the LB IPs on the node ports (allowed-address-pairs, secondary private IPs, Forged Transmits). On Wi-Fi, enable promiscuous mode or use a wired interface.',
    references: ['metallb/metallb#536', 'metallb/metallb#1901', 'metallb/metallb#284', 'metallb/metallb#571'],
  },
  run(model) {
    const out: Draft[] = [];
    for (const svc of metallbServices(model)) {
      const { l2, ip } = announceDecision(model, svc);
      if (!l2 || !ip) continue;
      const observed = observedL2Announcers(model, svc);
      if (observed.nodes.length !== 1) continue; // none: other checks; several: split brain
      const node = observed.nodes[0]!;
      const st = model.nodes[node];
      // The announcer must hold the IP on an interface that is up (l2-announcer-interface-down otherwise).
      const holder = st?.addresses.find((l) => l.addrs.some((a) => a.local === ip));
      if (!holder || !holder.flags.includes('UP') || !holder.flags.includes('LOWER_UP')) continue;
      const probes = Object.entries(model.nodes)
        .filter(([n]) => n !== node)
        .flatMap(([n, s]) => s.arping.filter((a) => a.ip === ip && !a.missingTool).map((a) => ({ node: n, a })));
      if (!probes.length || probes.some((p) => p.a.replies > 0)) continue;
      const answered: { stream: LogStream; records: LogRecord[] }[] = [];
      for (const { stream, record } of logRecords(model, 'speaker')) {
        if (stream.node !== node || record.msg !== 'got ARP request for service IP, sending response' || record.fields.ip !== ip) continue;
        const e = answered.find((x) => x.stream === stream) ?? answered[answered.push({ stream, records: [] }) - 1]!;
        e.records.push(record);
      }
      const providerID = findNode(model, node)?.spec?.providerID ?? '';
      const cloud = clouds.find(([re]) => re.test(providerID))?.[1];
      const evidence: Evidence[] = probes.slice(0, 2).map((p) => ({ path: p.a.path, excerpt: rawExcerpt(model, p.a.path, ['ARPING', 'Received'], `arping ${ip}: no reply`), label: `arping from ${p.node}` }));
      if (answered.length) evidence.push(logEvidence(model, answered[0]!.stream, answered[0]!.records));
      if (cloud) evidence.push(objectEvidence(clusterPath.nodes, { metadata: { name: node }, spec: { providerID } }));
      const cause = cloud ? `${node} runs on ${cloud} (providerID ${providerID}), whose network drops ARP replies for addresses it did not assign` : /^wl/.test(holder.ifname) ? `${holder.ifname} is a wireless interface${holder.flags.includes('PROMISC') ? '' : ' without promiscuous mode'}, whose driver drops ARP requests for addresses other than its own` : 'something between the node and the segment drops them';
      out.push({
        summary: `${svcKey(svc)} ${ip}: ${node} announces it on ${holder.ifname} (up)${answered.length ? ' and its speaker logs answering ARP' : ''}, but arping from ${probes.map((p) => p.node).join(', ')} gets no reply: ${cause}`,
        subjects: [svcSubject(svc), { kind: 'Node', name: node }],
        evidence,
        remediation: cloud
          ? { summary: `Layer 2 cannot work on ${cloud}: announce ${ip} over BGP, use the cloud load balancer, or allow the IP on the node ports.` }
          : /^wl/.test(holder.ifname)
            ? { summary: `Put ${holder.ifname} on ${node} in promiscuous mode (persistently), or announce from a wired interface.`, snippet: `ip link set ${holder.ifname} promisc on`, snippetLanguage: 'shell' }
            : { summary: `Find what drops ARP between ${node} (${holder.ifname}) and the segment: port security, a hypervisor switch.`, snippet: `tcpdump -nn -e -i ${holder.ifname} arp and host ${ip}`, snippetLanguage: 'shell' },
      });
    }
    return out;
  },
});
