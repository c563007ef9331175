import { defineCheck, type Draft } from '../define.js';
import { eventExcerpt, objectEvidence } from '../lib/evidence.js';
import { clusterPath, l2StatusesFor, metallbNamespace, metallbServices, nodeAssignedEvents, statusNode, svcKey, svcSubject } from '../lib/model.js';

export default defineCheck({
  id: 'l2-multiple-announcers',
  title: 'Several speakers announce one layer-2 service (split brain)',
  severity: 'error',
  category: 'announcement-l2',
  rank: 71,
  docs: {
    cause: 'In layer 2 exactly one speaker should announce an IP. Several ServiceL2Status objects (or nodeAssigned layer2 events from several nodes) mean the speakers disagree about who is alive: memberlist is partitioned or some speakers cannot reach the API server.',
    confirm: 'kubectl get servicel2statuses -n metallb-system -l metallb.io/service-name=<svc>\nkubectl describe svc <svc>   # nodeAssigned events\nkubectl logs -n metallb-system -l component=speaker -c speaker | grep -i memberlist',
    fix: 'Restore memberlist connectivity (TCP+UDP 7946) and API access for all speakers; the extra announcers withdraw once they agree.',
    references: ['metallb/metallb#589', 'metallb/metallb#740', 'metallb/metallb#598'],
  },
  run(model) {
    const out: Draft[] = [];
    for (const svc of metallbServices(model)) {
      const statuses = l2StatusesFor(model, svc);
      const stNodes = [...new Set(statuses.map(statusNode).filter((n): n is string => !!n))];
      const events = nodeAssignedEvents(model, svc).filter((e) => e.protocol === 'layer2');
      const evNodes = [...new Set(events.map((e) => e.node))];
      const fromStatus = stNodes.length > 1;
      // Events keep history (a failover leaves two), so they alone only warrant a warning.
      if (!fromStatus && evNodes.length < 2) continue;
      const nodes = fromStatus ? stNodes : evNodes;
      out.push({
        severity: fromStatus ? 'error' : 'warning',
        summary: `${svcKey(svc)} is announced in layer 2 by ${nodes.length} nodes: ${nodes.join(', ')}${fromStatus ? '' : ' (nodeAssigned events; may include a past failover)'}`,
        subjects: [svcSubject(svc), ...nodes.map((n) => ({ kind: 'Node', name: n }))],
        evidence: fromStatus
          ? statuses.slice(0, 4).map((s) => objectEvidence(clusterPath.metallb('servicel2statuses'), { metadata: { name: s.metadata.name }, status: s.status }))
          : events.slice(0, 4).map((e) => ({ path: clusterPath.events, excerpt: eventExcerpt(e.event), label: 'Service event' })),
        remediation: { summary: 'Repair memberlist between the announcing nodes so a single leader is elected.', snippet: `kubectl logs -n ${metallbNamespace(model)} -l component=speaker -c speaker | grep -E "memberlist|partial join"`, snippetLanguage: 'shell' },
      });
    }
    return out;
  },
});
