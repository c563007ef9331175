import { defineCheck, type Draft } from '../define.js';
import { controllerSubject, probeEvidence, probeFailed, probeWhy } from '../lib/probes.js';

export default defineCheck({
  id: 'api-unreachable-from-node',
  title: 'API server unreachable from a node or the controller',
  severity: 'error',
  category: 'install',
  rank: 86,
  docs: {
    cause:
      'Speakers and the controller watch the API server through the `kubernetes` Service ClusterIP (the KUBERNETES_SERVICE_HOST variable). When a node cannot reach it (kube-proxy not running or without the ClusterIP rule, a firewall between the node and the control plane, a broken route), the speaker on that node keeps the state it last saw: it announces Services that moved or were deleted and never announces new ones. A controller that cannot reach it assigns no IPs.',
    confirm:
      'kubectl debug -n metallb-system <speaker-pod> -it --image=nicolaka/netshoot --target=speaker -- curl -k -m 2 https://$KUBERNETES_SERVICE_HOST:$KUBERNETES_SERVICE_PORT/healthz\nkubectl logs -n metallb-system <speaker-pod> -c speaker | grep -iE "dial tcp .*:443|connection refused|i/o timeout"\nkubectl get endpointslices -n default -l kubernetes.io/service-name=kubernetes',
    fix: 'Make the ClusterIP reachable from the node: check kube-proxy (or its replacement) runs there and programs the `kubernetes` Service, that the control-plane endpoints answer on 6443 from the node, and that no host firewall or NetworkPolicy for hostNetwork pods drops the traffic.',
    references: ['metallb/metallb#1154', 'metallb/metallb#2164', 'https://kubernetes.io/docs/tasks/run-application/access-api-from-pod/'],
  },
  run(model) {
    const out: Draft[] = [];
    for (const [node, st] of Object.entries(model.nodes)) {
      const bad = (st.probes ?? []).filter((p) => p.kind === 'api' && probeFailed(p));
      if (!bad.length) continue;
      out.push({
        summary: `${node} cannot reach the API server through the kubernetes Service (${bad[0]!.url}: ${probeWhy(bad[0]!)}): its speaker cannot watch Services and announces what it saw last`,
        subjects: [{ kind: 'Node', name: node }],
        evidence: [probeEvidence(model, bad, `curl from the debug container on ${node}`)],
        remediation: { summary: `Restore ${node}'s path to the kubernetes Service ClusterIP (kube-proxy rules, routes, firewall towards the control plane).` },
      });
    }
    const ctrl = model.controller;
    const bad = (ctrl?.probes ?? []).filter((p) => p.kind === 'api' && probeFailed(p));
    if (bad.length) {
      out.push({
        summary: `The controller pod cannot reach the API server through the kubernetes Service (${bad.map((p) => `${p.subject}: ${probeWhy(p)}`).join('; ')}): it assigns no IPs and serves a webhook that cannot read MetalLB objects`,
        subjects: [controllerSubject(model)],
        evidence: [probeEvidence(model, bad, 'curl from the debug container in the controller pod')],
        remediation: { summary: 'Restore the controller pod’s path to the kubernetes Service ClusterIP (kube-proxy, CNI routes, NetworkPolicy on the MetalLB namespace).' },
      });
    }
    return out;
  },
});
