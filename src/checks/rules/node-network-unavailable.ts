import { defineCheck, type Draft } from '../define.js';
import { objectEvidence } from '../lib/evidence.js';
import { announceDecision, announcementDuties, protocolDecisions } from '../lib/announce.js';
import { clusterPath, findNode, networkUnavailable, svcKey } from '../lib/model.js';

export default defineCheck({
  id: 'node-network-unavailable',
  title: 'Node with NetworkUnavailable condition cannot announce',
  severity: 'warning',
  category: 'announcement-l2',
  rank: 80,
  docs: {
    cause: 'Speakers skip nodes whose NetworkUnavailable condition is True (the CNI has not set up the node network). Usually the CNI pod on that node is failing.',
    confirm: "kubectl get node <node> -o jsonpath='{.status.conditions[?(@.type==\"NetworkUnavailable\")]}'\nkubectl get pods -A -o wide --field-selector spec.nodeName=<node>",
    fix: 'Repair the CNI on the node (its daemon clears the condition); MetalLB resumes announcing by itself.',
    references: ['metallb/metallb#1710'],
  },
  run(model) {
    const out: Draft[] = [];
    for (const [node, duties] of announcementDuties(model, { includeIneligible: true })) {
      const n = findNode(model, node);
      if (!networkUnavailable(n)) continue;
      const cond = n?.status?.conditions?.find((c) => c.type === 'NetworkUnavailable');
      const essential = duties.some((d) => d.essential);
      // No other node left to take over: the condition is the outage, not a lost spare.
      const stranded = duties.some((d) => protocolDecisions(announceDecision(model, d.svc)).some((p) => p.protocol === d.protocol && p.announcers.length === 0));
      out.push({
        severity: essential || stranded ? 'error' : 'warning',
        summary: `Node ${node} has NetworkUnavailable=True (${cond?.reason ?? 'no reason'}) and will not announce ${[...new Set(duties.map((d) => svcKey(d.svc)))].join(', ')}`,
        subjects: [{ kind: 'Node', name: node }],
        evidence: [objectEvidence(clusterPath.nodes, { metadata: { name: node }, status: { conditions: [cond] } })],
        remediation: { summary: `Fix the CNI on ${node}.`, snippet: `kubectl get pods -A -o wide --field-selector spec.nodeName=${node}`, snippetLanguage: 'shell' },
      });
    }
    return out;
  },
});
