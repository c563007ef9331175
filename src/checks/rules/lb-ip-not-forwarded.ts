import { defineCheck, type Draft } from '../define.js';
import { announcedPairs } from '../lib/announce.js';
import { probeEvidence, probeFailed, probeWhy } from '../lib/probes.js';

export default defineCheck({
  id: 'lb-ip-not-forwarded',
  title: 'LoadBalancer IP not forwarded on the announcing node',
  severity: 'error',
  category: 'kube-proxy',
  rank: 82,
  docs: {
    cause:
      'MetalLB only attracts the traffic; kube-proxy (or its replacement) on the receiving node translates the LoadBalancer IP and port to an endpoint. When the announcing node reaches the endpoints directly but a connect to the LoadBalancer IP and port fails there, nothing on that node forwards the IP: kube-proxy is not running or lags, its rules lack the IP (loadBalancerIP status not synced, kube-proxy replacement without LoadBalancer support), or the port differs from the Service’s.',
    confirm:
      'kubectl debug -n metallb-system <speaker-on-node> -it --image=nicolaka/netshoot --target=speaker -- curl -v -m 2 telnet://<LB-IP>:<port>\niptables-save -t nat | grep <LB-IP>   # or: nft list table ip kube-proxy | grep <LB-IP>; ipvsadm -Ln -t <LB-IP>:<port>\nkubectl logs -n kube-system -l k8s-app=kube-proxy --tail=50',
    fix: 'Make kube-proxy (or the CNI’s replacement) program the LoadBalancer IP on that node: check it runs and is healthy there, that the Service’s status.loadBalancer.ingress holds the IP, and that the replacement handles LoadBalancer Services.',
    references: ['metallb/metallb#1154', 'https://kubernetes.io/docs/reference/networking/virtual-ips/'],
  },
  run(model) {
    const out: Draft[] = [];
    for (const { d, node, namespace: ns, name } of announcedPairs(model)) {
      const probes = model.nodes[node]?.probes ?? [];
      const lb = probes.filter((p) => p.kind === 'lb' && p.subject.startsWith(`${d.key}/`));
      const eps = probes.filter((p) => p.kind === 'endpoint' && p.subject.startsWith(`${d.key}/`));
      const badLb = lb.filter(probeFailed);
      // Only when the endpoints answer from the same node: otherwise the pods are the problem.
      if (!badLb.length || !eps.length || eps.some(probeFailed)) continue;
      out.push({
        summary: `${node} announces ${badLb[0]!.host}:${badLb[0]!.port} (${d.key}) and reaches its endpoints, but a connect to the LoadBalancer IP itself gets ${probeWhy(badLb[0]!)}: nothing on ${node} forwards the IP to the Service`,
        subjects: [
          { kind: 'Service', namespace: ns, name },
          { kind: 'Node', name: node },
          { kind: 'IP', name: badLb[0]!.host ?? '' },
        ],
        evidence: [probeEvidence(model, [...badLb, ...eps], `TCP connects from ${node}`)],
        remediation: { summary: `Make kube-proxy (or its replacement) on ${node} forward ${badLb[0]!.host}:${badLb[0]!.port} to ${d.key}.` },
      });
    }
    return out;
  },
});
