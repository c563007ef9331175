import { defineCheck, type Draft } from '../define.js';
import { objectEvidence } from '../lib/evidence.js';
import { announceDecision, firstBlocker } from '../lib/announce.js';
import { clusterPath, metallbServices, observedL2Announcers, svcKey, svcSubject } from '../lib/model.js';

/** Said wherever a bundle read without its IP map is described (report, `analyze`): the election cannot be replayed. */
export const leaderUnknownNote = 'the layer-2 leader (sha256 of node#ip) cannot be recomputed from replaced addresses, so l2-leader-mismatch was skipped (analyze --ip-map <dir>.ip-map.json restores them)';

export default defineCheck({
  id: 'l2-leader-mismatch',
  title: 'Observed layer-2 announcer differs from the recomputed leader',
  severity: 'warning',
  category: 'announcement-l2',
  rank: 50,
  docs: {
    cause:
      "MetalLB's layer-2 election is stateless: every speaker takes the usable speaker nodes the L2Advertisements select (minus excluded / NetworkUnavailable nodes; for externalTrafficPolicy: Local only nodes with a ready endpoint) and picks the first by sha256(node + \"#\" + ip). If the announcing node is not that node, speakers see a different world than the API shows: stale memberlist view, a speaker that is not ready, or endpoints that changed.",
    confirm: 'kubectl get servicel2statuses -n metallb-system -o wide\nkubectl get pods -n metallb-system -o wide -l component=speaker\nkubectl get endpointslices -n <ns> -l kubernetes.io/service-name=<svc> -o wide',
    fix: 'Look for the speaker whose view differs (memberlist errors, readiness, node labels); once all speakers agree the leader moves by itself.',
    references: ['metallb/metallb#589', 'metallb/metallb#1147'],
  },
  run(model) {
    const out: Draft[] = [];
    // Replaced addresses (--redact-ips, read without the map) elect other nodes than the real ones
    // do: any mismatch would be invented. The report and `analyze` say that this check was skipped.
    if (model.addresses === 'redacted') return out;
    for (const svc of metallbServices(model)) {
      const { l2, ip } = announceDecision(model, svc);
      if (!l2 || !ip) continue;
      const observed = observedL2Announcers(model, svc);
      if (observed.nodes.length !== 1) continue;
      // The elected node, even when it then fails on its interfaces (l2-interface-missing says so).
      if (l2.leader === observed.nodes[0]) continue;
      const droppedWhy = firstBlocker(l2, observed.nodes[0])?.why;
      out.push({
        summary: l2.leader
          ? `${svcKey(svc)} ${ip} is announced by ${observed.nodes[0]} but the election over ${l2.candidates.join(', ')} picks ${l2.leader}${droppedWhy ? ` (${observed.nodes[0]}: ${droppedWhy})` : ''}`
          : `${svcKey(svc)} ${ip} is announced by ${observed.nodes[0]} although no node qualifies (${[...l2.blockers].map(([n, [first]]) => `${n}: ${first.why}`).join('; ')})`,
        subjects: [svcSubject(svc), { kind: 'Node', name: observed.nodes[0] }, ...(l2.leader ? [{ kind: 'Node', name: l2.leader }] : [])],
        evidence: [
          { path: observed.source === 'servicel2status' ? clusterPath.metallb('servicel2statuses') : clusterPath.events, excerpt: `observed announcer: ${observed.nodes[0]} (from ${observed.source})` },
          // Only what matters for this pair of nodes: the head of the order and why the observed node is out.
          objectEvidence(clusterPath.pods, { election: { ip, candidates: l2.candidates.length, order: l2.candidates.slice(0, 5), ...(droppedWhy ? { [observed.nodes[0]]: droppedWhy } : {}) } }, 'recomputed election (sha256(node#ip) order)'),
        ],
        remediation: { summary: 'Compare the speakers’ views: readiness, memberlist membership and node labels of both nodes.', snippet: `kubectl get pods -n metallb-system -o wide -l component=speaker\nkubectl get node ${observed.nodes[0]} ${l2.leader ?? ''} --show-labels`, snippetLanguage: 'shell' },
      });
    }
    return out;
  },
});
