import { defineCheck, type Draft } from '../define.js';
import { announcedPairs } from '../lib/announce.js';
import { probeEvidence, probeFailed, probeWhy } from '../lib/probes.js';

export default defineCheck({
  id: 'endpoints-unreachable-from-node',
  title: 'Service endpoints unreachable from the announcing node',
  severity: 'error',
  category: 'kube-proxy',
  rank: 84,
  docs: {
    cause:
      'The node that announces a LoadBalancer IP receives the clients’ packets and kube-proxy forwards them to the Service’s pods. When that node cannot reach the pods (CNI down or misrouted on the node, missing routes to other nodes’ pod CIDRs, a NetworkPolicy or host firewall, MTU), ARP and BGP look perfect and the Service still times out for every client that lands there.',
    confirm:
      'kubectl debug -n metallb-system <speaker-on-node> -it --image=nicolaka/netshoot --target=speaker -- curl -v -m 2 http://<pod-IP>:<targetPort>/\nkubectl get endpointslices -n <ns> -l kubernetes.io/service-name=<svc> -o wide\nip route get <pod-IP>   # on the node',
    fix: 'Repair the pod network on the announcing node (CNI agent logs and status, routes to the other pod CIDRs, NetworkPolicies allowing traffic from nodes), or move the announcement with an L2Advertisement/BGPAdvertisement nodeSelector until it works.',
    references: ['metallb/metallb#1641', 'https://kubernetes.io/docs/tasks/debug/debug-application/debug-service/'],
  },
  run(model) {
    const out: Draft[] = [];
    for (const { d, node, namespace: ns, name } of announcedPairs(model)) {
      const probes = (model.nodes[node]?.probes ?? []).filter((p) => p.kind === 'endpoint' && p.subject.startsWith(`${d.key}/`));
      const bad = probes.filter(probeFailed);
      if (!bad.length) continue;
      const all = bad.length === probes.length;
      out.push({
        summary: `${node} announces ${d.ip ?? d.key} but cannot reach ${all ? 'any' : `${bad.length} of ${probes.length}`} probed endpoint(s) of ${d.key} (${bad.map((p) => `${p.host}:${p.port}`).join(', ')}: ${probeWhy(bad[0]!)})${all ? ': clients that land on it time out' : ': some connections through it fail'}`,
        severity: all ? 'error' : 'warning',
        subjects: [
          { kind: 'Service', namespace: ns, name },
          { kind: 'Node', name: node },
        ],
        evidence: [probeEvidence(model, probes, `TCP connects from ${node} to the endpoints`)],
        remediation: { summary: `Restore pod networking from ${node} to ${d.key}'s pods (CNI, routes, NetworkPolicy).` },
      });
    }
    return out;
  },
});
