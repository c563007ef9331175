import { defineCheck, type Draft } from '../define.js';
import { rawExcerpt } from '../lib/evidence.js';
import { controllerSubject } from '../lib/probes.js';

export default defineCheck({
  id: 'controller-dns-failure',
  title: 'DNS fails in the controller pod',
  severity: 'warning',
  category: 'install',
  rank: 58,
  docs: {
    cause:
      'The controller pod resolves names through the cluster DNS its resolv.conf names (ClusterFirst). When kubernetes.default.svc does not resolve there, CoreDNS is down or unreachable from the pod network, or a NetworkPolicy on the MetalLB namespace drops DNS: the same pod network problems keep the API server from reaching the webhook and break every in-cluster name the controller or its webhook certificate rotation uses.',
    confirm:
      'kubectl debug -n metallb-system <controller-pod> -it --image=nicolaka/netshoot --target=controller -- nslookup kubernetes.default.svc\nkubectl get pods -n kube-system -l k8s-app=kube-dns -o wide\nkubectl get networkpolicy -n metallb-system',
    fix: 'Make cluster DNS answer from the MetalLB namespace: CoreDNS pods ready, the kube-dns Service ClusterIP reachable from the pod network, NetworkPolicies allowing UDP/TCP 53 egress.',
    references: ['https://kubernetes.io/docs/tasks/administer-cluster/dns-debugging-resolution/', 'metallb/metallb#1597'],
  },
  run(model) {
    const dns = model.controller?.dns;
    if (!dns?.error) return [];
    const resolv = model.controller?.paths['dns.resolv-conf'];
    const out: Draft = {
      summary: `The controller pod cannot resolve ${dns.name || 'kubernetes.default.svc'}${dns.server ? ` (DNS server ${dns.server})` : ''}: ${dns.error}`,
      subjects: [controllerSubject(model)],
      evidence: [{ path: dns.path, excerpt: rawExcerpt(model, dns.path, [';;', '**', 'Server:'], dns.error), label: 'nslookup kubernetes.default.svc in the controller pod' }],
      remediation: { summary: 'Restore cluster DNS for the MetalLB namespace (CoreDNS ready and reachable, NetworkPolicy allowing port 53).' },
    };
    if (resolv) out.evidence.push({ path: resolv, excerpt: rawExcerpt(model, resolv, ['nameserver', 'search'], 'resolv.conf'), label: 'the pod’s resolv.conf' });
    return [out];
  },
});
