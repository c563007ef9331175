import type { V1Service } from '@kubernetes/client-node';
import { defineCheck, type Draft } from '../define.js';
import { objectEvidence } from '../lib/evidence.js';
import { announceDecision, protocolDecisions, type AnnounceStep, type ProtocolDecision } from '../lib/announce.js';
import { announceChain, nodeList } from '../lib/services.js';
import { clusterPath, findNode, metallbServices, nodeAssignedEvents, nodeSubject, observedL2Announcers, svcKey, svcSubject } from '../lib/model.js';
import type { ClusterModel } from '../../model/cluster.js';
import { listCollected } from '../lib/collected.js';

/** The step in words, naming the rule MetalLB applies there. */
const ruleOf: Record<AnnounceStep['kind'], string> = {
  'node-selector': 'the advertisement nodeSelectors',
  speaker: 'speaker readiness',
  'exclude-label': 'the node.kubernetes.io/exclude-from-external-load-balancers label',
  'network-unavailable': 'the NetworkUnavailable condition',
  endpoints: 'the endpoint rule',
  'bgp-peer': "the BGPPeers' nodeSelectors",
  leader: 'the leader election',
  interfaces: 'the L2Advertisement interfaces',
};

/** Nodes seen announcing the service's IP with this protocol: events/ServiceL2Status, or FRR originating the prefix. */
function observedNodes(model: ClusterModel, svc: V1Service, p: ProtocolDecision, ips: string[]): string[] {
  if (p.protocol === 'layer2') return observedL2Announcers(model, svc).nodes;
  const seen = new Set(nodeAssignedEvents(model, svc).filter((e) => e.protocol === 'bgp').map((e) => e.node));
  for (const [node, state] of Object.entries(model.nodes)) {
    if ((state.frr?.routes ?? []).some((r) => r.local && ips.some((ip) => r.prefix === ip || r.prefix === `${ip}/32` || r.prefix === `${ip}/128`))) seen.add(node);
  }
  return [...seen].sort();
}

export default defineCheck({
  id: 'announcer-eligibility',
  title: 'No node may announce a LoadBalancer IP, or nodes MetalLB excludes announce it',
  severity: 'error',
  category: 'announcement-l2',
  rank: 58,
  docs: {
    cause:
      "MetalLB's speakers decide, for every LoadBalancer IP, which nodes may announce it: the advertisements selecting the IP's pool (and the service), their nodeSelectors, a ready speaker, no node.kubernetes.io/exclude-from-external-load-balancers label, no NetworkUnavailable condition, a ready endpoint (on the node itself under externalTrafficPolicy Local), a BGPPeer selecting the node (BGP), then the layer 2 election and the L2Advertisement interfaces on the winner. When these rules leave no node, the IP has an EXTERNAL-IP but nothing answers ARP or reaches the router, and no log says why. When a node announces that the rules exclude, the speakers disagree on the cluster state (stale labels, a speaker that missed an update).",
    confirm:
      'kubectl get l2advertisements,bgpadvertisements,bgppeers -n metallb-system -o yaml   # nodeSelectors, interfaces\nkubectl get nodes --show-labels\nkubectl get pods -n metallb-system -o wide -l component=speaker\nkubectl get endpointslices -n <namespace> -l kubernetes.io/service-name=<service> -o wide',
    fix: 'Change the rule named in the finding: widen the advertisement or BGPPeer nodeSelectors (or label the nodes), run a ready speaker on the nodes, remove the exclusion label, or schedule endpoints where the speakers run.',
    references: ['metallb/metallb#1663', 'metallb/metallb#2909', 'metallb/metallb#322', 'metallb/metallb#2586'],
  },
  run(model) {
    const out: Draft[] = [];
    for (const svc of metallbServices(model)) {
      const d = announceDecision(model, svc);
      if (!d.ip) continue;
      if (d.stop?.kind === 'pool') {
        // Pools that were never read cannot show that none contains the IP.
        if (!listCollected(model, clusterPath.metallb('ipaddresspools'))) continue;
        out.push({
          summary: `${svcKey(svc)} holds ${d.ip}, which no IPAddressPool contains: no speaker announces it (the pool changed after the allocation, or another load-balancer implementation wrote the address)`,
          subjects: [svcSubject(svc)],
          evidence: [objectEvidence(clusterPath.services, { metadata: { name: svc.metadata?.name, namespace: svc.metadata?.namespace, annotations: svc.metadata?.annotations }, status: svc.status?.loadBalancer })],
          remediation: { summary: `Add ${d.ip} back to a pool, or let the controller reassign the service (remove the stale address).` },
        });
        continue;
      }
      if (d.stop) continue;
      for (const p of protocolDecisions(d)) {
        const chain = announceChain(d).find((line) => line.includes(p.protocol === 'layer2' ? 'L2Advertisement' : 'BGPAdvertisement')) ?? announceChain(d)[0];
        const proto = p.protocol === 'layer2' ? 'layer 2' : 'BGP';
        if (p.announcers.length === 0 && p.emptiedBy) {
          const step = p.emptiedBy;
          const last = step.removed[step.removed.length - 1];
          const removed = step.removed.map((r) => r.node);
          out.push({
            summary: `${svcKey(svc)} ${d.ip}: no node may announce it over ${proto}; ${ruleOf[step.kind]} removed the last ${step.removed.length > 1 ? `${step.removed.length} nodes` : 'node'} (${last.node}: ${last.why})`,
            subjects: [svcSubject(svc), ...removed.slice(0, 8).map(nodeSubject)],
            evidence: [
              { path: clusterPath.services, excerpt: `announcement decision: ${chain}`, label: "MetalLB's rules replayed" },
              ...(step.kind === 'node-selector' || step.kind === 'interfaces' ? p.advertisements.slice(0, 3).map((a) => objectEvidence(clusterPath.metallb(p.protocol === 'layer2' ? 'l2advertisements' : 'bgpadvertisements'), { metadata: { name: a.metadata.name }, spec: a.spec })) : []),
              ...(step.kind === 'bgp-peer' ? model.metallb.bgpPeers.slice(0, 3).map((peer) => objectEvidence(clusterPath.metallb('bgppeers'), { metadata: { name: peer.metadata.name }, spec: { peerAddress: peer.spec?.peerAddress, nodeSelectors: peer.spec?.nodeSelectors } })) : []),
              ...removed.slice(0, 3).map((n) => objectEvidence(clusterPath.nodes, { metadata: { name: n, labels: findNode(model, n)?.metadata?.labels } })),
            ],
            remediation: { summary: `Make ${ruleOf[step.kind]} admit at least one node for ${d.ip} (${nodeList(removed, 4)} ${removed.length > 1 ? 'are' : 'is'} out: ${last.why}).` },
          });
          continue;
        }
        // Observed announcers the rules exclude (not merely a different election winner: l2-leader-mismatch says that).
        const eligible = new Set(p.protocol === 'layer2' ? p.candidates : p.announcers);
        const excluded = observedNodes(model, svc, p, d.ips).filter((n) => !eligible.has(n) && p.blockers.has(n));
        if (excluded.length === 0) continue;
        out.push({
          severity: 'warning',
          summary: `${svcKey(svc)} ${d.ip} is announced over ${proto} by ${nodeList(excluded, 4)}, which MetalLB's rules exclude: ${excluded
            .slice(0, 3)
            .map((n) => `${n}: ${p.blockers.get(n)![0].why}`)
            .join('; ')}`,
          subjects: [svcSubject(svc), ...excluded.slice(0, 8).map(nodeSubject)],
          evidence: [{ path: clusterPath.services, excerpt: `announcement decision: ${chain}\nobserved announcing: ${excluded.join(', ')}`, label: "MetalLB's rules replayed" }],
          remediation: { summary: `Find why the speaker on ${excluded[0]} still announces (stale memberlist view, labels changed while it was partitioned) and restart it if it does not withdraw.` },
        });
      }
    }
    return out;
  },
});
