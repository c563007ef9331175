import { defineCheck, type Draft } from '../define.js';
import { objectEvidence } from '../lib/evidence.js';
import { announcementDuties } from '../lib/announce.js';
import type { ClusterModel } from '../../model/cluster.js';
import { clusterPath, excludeLabel, findNode, isExcluded, metallbServices, serviceIPs, speakerIgnoresExcludeLabel, svcKey, svcSubject } from '../lib/model.js';

export default defineCheck({
  id: 'node-excluded-from-lb',
  title: 'Node excluded from announcing by node.kubernetes.io/exclude-from-external-load-balancers',
  severity: 'error',
  category: 'announcement-l2',
  rank: 84,
  docs: {
    cause:
      'Since v0.14.0 speakers on nodes carrying the label node.kubernetes.io/exclude-from-external-load-balancers (any value) never announce. kubeadm and Talos put it on control-plane nodes, so single-node or control-plane-only clusters stop answering ARP after an upgrade, with nothing logged at info level.',
    confirm: "kubectl get nodes -l node.kubernetes.io/exclude-from-external-load-balancers\nkubectl get ds -n metallb-system speaker -o jsonpath='{.spec.template.spec.containers[0].args}'",
    fix: 'Remove the label from nodes that should announce, or start the speaker with --ignore-exclude-lb (Helm speaker.ignoreExcludeLB: true, v0.14.4+).',
    references: ['metallb/metallb#2274', 'metallb/metallb-operator#490', 'metallb/metallb#2353'],
    threads: ['https://github.com/metallb/metallb-operator/issues/490'],
  },
  run(model) {
    if (speakerIgnoresExcludeLabel(model)) return [];
    const duties = announcementDuties(model, { includeIneligible: true });
    const excluded = [...duties.keys()].filter((n) => isExcluded(findNode(model, n)));
    if (!excluded.length) return everyNodeExcluded(model);
    const out: Draft[] = [];
    // Services whose every candidate node is excluded cannot be announced at all.
    const byService = new Map<string, { nodes: Set<string>; excluded: Set<string> }>();
    for (const [node, list] of duties)
      for (const d of list) {
        const e = byService.get(svcKey(d.svc)) ?? { nodes: new Set(), excluded: new Set() };
        e.nodes.add(node);
        if (excluded.includes(node)) e.excluded.add(node);
        byService.set(svcKey(d.svc), e);
      }
    const dead = [...byService].filter(([, e]) => e.nodes.size === e.excluded.size).map(([k]) => k);
    out.push({
      // Other nodes can still announce: kubeadm labels control planes by design, so this is context, not a fault.
      severity: dead.length ? 'error' : 'info',
      summary: dead.length
        ? `No node may announce ${dead.join(', ')}: every candidate (${excluded.join(', ')}) carries ${excludeLabel}`
        : `Node(s) ${excluded.join(', ')} carry ${excludeLabel} and will never announce`,
      subjects: excluded.map((name) => ({ kind: 'Node', name })),
      evidence: excluded.slice(0, 4).map((n) => objectEvidence(clusterPath.nodes, { metadata: { name: n, labels: { [excludeLabel]: findNode(model, n)?.metadata?.labels?.[excludeLabel] ?? '' } } })),
      remediation: {
        summary: 'Remove the label from the nodes that should announce (or run the speaker with --ignore-exclude-lb).',
        snippet: excluded.map((n) => `kubectl label node ${n} ${excludeLabel}-`).join('\n'),
        snippetLanguage: 'shell',
      },
    });
    return out;
  },
});

/**
 * Without the pools and advertisements (a partial bundle) the announcement model has no candidates,
 * but when every node carries the label no speaker may announce anything, whatever they say.
 */
function everyNodeExcluded(model: ClusterModel): Draft[] {
  const nodes = model.kube.nodes;
  if (!nodes.length || !nodes.every(isExcluded)) return [];
  const services = metallbServices(model).filter((s) => serviceIPs(s).length > 0);
  if (!services.length) return [];
  const names = nodes.map((n) => n.metadata?.name ?? '');
  return [
    {
      severity: 'error',
      summary: `No node may announce ${services.map((s) => `${svcKey(s)} (${serviceIPs(s).join(', ')})`).join(', ')}: every node (${names.join(', ')}) carries ${excludeLabel}`,
      subjects: [...names.map((name) => ({ kind: 'Node', name })), ...services.map(svcSubject)],
      evidence: names.slice(0, 4).map((n) => objectEvidence(clusterPath.nodes, { metadata: { name: n, labels: { [excludeLabel]: findNode(model, n)?.metadata?.labels?.[excludeLabel] ?? '' } } })),
      remediation: {
        summary: 'Remove the label from the nodes that should announce (or run the speaker with --ignore-exclude-lb).',
        snippet: names.map((n) => `kubectl label node ${n} ${excludeLabel}-`).join('\n'),
        snippetLanguage: 'shell',
      },
    },
  ];
}
