import type { Evidence } from '../../model/finding.js';
import { defineCheck, type Draft } from '../define.js';
import { objectEvidence, rawExcerpt } from '../lib/evidence.js';
import { announceDecision } from '../lib/announce.js';
import { clusterPath, macOwners, metallbServices, observedL2Announcers, serviceIPs, svcKey, svcSubject } from '../lib/model.js';

export default defineCheck({
  id: 'l2-announcer-mismatch',
  title: 'Node answering ARP differs from the announcing node',
  severity: 'error',
  category: 'announcement-l2',
  rank: 62,
  docs: {
    cause:
      'MetalLB says one node announces the IP (nodeAssigned event, ServiceL2Status) but ARP replies come from another MAC: a stale speaker still answering, a node where kube-proxy IPVS binds the IP, or a foreign device. Traffic lands on the wrong host.',
    confirm: 'kubectl get servicel2statuses -n metallb-system -o wide\narping -I <iface> -c 3 <IP>   # which MAC answers\nip -br link   # on each node: which node owns that MAC',
    fix: 'Stop the wrong responder (see the duplicate-MAC and strictARP findings); the reply must come from the announcing node.',
    references: ['metallb/metallb#589', 'metallb/metallb#598'],
  },
  run(model) {
    const owners = macOwners(model);
    const out: Draft[] = [];
    for (const svc of metallbServices(model)) {
      if (!announceDecision(model, svc).l2) continue;
      for (const ip of serviceIPs(svc)) {
        const observed = observedL2Announcers(model, svc);
        if (observed.nodes.length !== 1) continue;
        const announcer = observed.nodes[0];
        const answers = new Map<string, Evidence>();
        for (const [node, st] of Object.entries(model.nodes)) {
          for (const a of st.arping.filter((x) => x.ip === ip)) for (const m of a.macs) answers.set(m.toLowerCase(), { path: a.path, excerpt: rawExcerpt(model, a.path, ['reply from'], `arping ${ip}: ${a.macs.join(', ')}`), label: `arping from ${node}` });
          for (const r of st.capture?.arp ?? []) if (r.op === 'reply' && r.ip === ip && r.mac && !r.gratuitous) answers.set(r.mac.toLowerCase(), { path: st.capture!.path, excerpt: rawExcerpt(model, st.capture!.path, [`Reply ${ip} is-at`], `Reply ${ip} is-at ${r.mac}`), label: `capture on ${node}` });
        }
        if (!answers.size) continue;
        const answeringNodes = [...answers.keys()].map((m) => owners.get(m)?.node ?? `unknown device ${m}`);
        if (answeringNodes.includes(announcer)) continue;
        out.push({
          summary: `${svcKey(svc)} ${ip} is announced by ${announcer} (${observed.source}) but ARP is answered by ${[...new Set(answeringNodes)].join(', ')}`,
          subjects: [svcSubject(svc), { kind: 'Node', name: announcer }],
          evidence: [
            ...[...answers.values()].slice(0, 3),
            observed.source === 'servicel2status'
              ? objectEvidence(clusterPath.metallb('servicel2statuses'), { status: { node: announcer, serviceName: svc.metadata?.name, serviceNamespace: svc.metadata?.namespace } })
              : { path: clusterPath.events, excerpt: `nodeAssigned: announcing from node "${announcer}" with protocol "layer2"` },
          ],
          remediation: { summary: `Find what answers for ${ip} on ${[...new Set(answeringNodes)].join(', ')} and stop it (strictARP, stale speaker, foreign host).` },
        });
      }
    }
    return out;
  },
});
