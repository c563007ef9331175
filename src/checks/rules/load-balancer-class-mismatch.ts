import { defineCheck, type Draft } from '../define.js';
import { objectEvidence } from '../lib/evidence.js';
import { clusterPath, controllerLbClass, isLoadBalancer, serviceIPs, svcKey, svcSubject } from '../lib/model.js';

export default defineCheck({
  id: 'load-balancer-class-mismatch',
  title: "Pending service whose loadBalancerClass is not MetalLB's",
  severity: 'info',
  category: 'allocation',
  rank: 30,
  docs: {
    cause: 'With --lb-class set, MetalLB handles only services of that class; without it, it ignores every service that sets spec.loadBalancerClass. Such services stay pending unless another implementation serves the class.',
    confirm: "kubectl get svc -A -o custom-columns=NAME:.metadata.name,CLASS:.spec.loadBalancerClass\nkubectl get deploy -n metallb-system controller -o jsonpath='{.spec.template.spec.containers[0].args}'",
    fix: "Remove spec.loadBalancerClass (it is immutable: recreate the service) or start MetalLB with --lb-class=<class>.",
    references: ['metallb/metallb#2328'],
  },
  run(model) {
    const lbClass = controllerLbClass(model);
    const out: Draft[] = [];
    for (const svc of model.kube.services) {
      if (!isLoadBalancer(svc) || serviceIPs(svc).length) continue;
      const cls = svc.spec?.loadBalancerClass ?? undefined;
      if (cls === lbClass) continue;
      out.push({
        summary: `${svcKey(svc)} is pending and has loadBalancerClass ${cls ?? '(none)'}, MetalLB serves ${lbClass ?? 'only services without a class'}`,
        subjects: [svcSubject(svc)],
        evidence: [objectEvidence(clusterPath.services, { metadata: { name: svc.metadata?.name, namespace: svc.metadata?.namespace }, spec: { loadBalancerClass: cls } })],
        remediation: { summary: lbClass ? `Set spec.loadBalancerClass: ${lbClass} (recreate the service).` : 'Recreate the service without spec.loadBalancerClass.' },
      });
    }
    return out;
  },
});
