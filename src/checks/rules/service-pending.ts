import type { V1Service } from '@kubernetes/client-node';
import type { ClusterModel } from '../../model/cluster.js';
import { defineCheck, type Draft } from '../define.js';
import { eventExcerpt, objectEvidence } from '../lib/evidence.js';
import { annotation, clusterPath, eventsFor, isControllerPod, metallbNamespace, metallbServices, podReady, poolContains, requestedIPs, serviceIPs, svcKey, svcSubject } from '../lib/model.js';
import { anySelectorMatches } from '../../util/label-selectors.js';
import { allocationCauseText, allocationDecision, statedCauseRank } from '../lib/allocate.js';

/** Turns the controller's AllocationFailed message into a named cause. */
export function decodeAllocationFailure(message: string): string {
  if (/no available IPs in pool "?([^"\s]+)"?/.test(message)) return `pool ${/no available IPs in pool "?([^"\s]+)"?/.exec(message)![1]} is exhausted`;
  if (/no available IPs/.test(message)) return 'every eligible pool is exhausted';
  if (/no suitable pool for (\S+) IPFamily/.test(message)) return `no pool has addresses of the service's IP family (${/no suitable pool for (\S+) IPFamily/.exec(message)![1]})`;
  if (/is not allowed in config/.test(message)) {
    const ips = [...(/\[(.*)\] is not allowed in config/.exec(message)?.[1] ?? '').matchAll(/"([^"]+)"/g)].map((m) => m[1]);
    return `the requested IP ${ips.length ? `${ips.join(', ')} ` : ''}is not in any IPAddressPool`;
  }
  if (/not compatible for ip assignment/.test(message)) return "the requested pool's serviceAllocation (namespaces / selectors) excludes this service";
  if (/sharing key|does not allow sharing|already in use|backend key/.test(message)) return 'IP sharing rules are violated';
  if (/unknown pool/.test(message)) return 'the requested pool does not exist';
  return message;
}

function inferCause(model: ClusterModel, svc: V1Service): string | undefined {
  const ns = metallbNamespace(model);
  const pools = model.metallb.ipAddressPools;
  const controllers = model.kube.pods.filter(isControllerPod);
  if (controllers.length > 0 && !controllers.some(podReady)) return 'the MetalLB controller is not ready, nothing allocates IPs';
  if (pools.length === 0) return 'there is no IPAddressPool';
  const local = pools.filter((p) => (p.metadata.namespace ?? ns) === ns);
  if (local.length === 0) return `the IPAddressPools are not in the MetalLB namespace ${ns}`;
  const wantedPool = annotation(svc, 'address-pool');
  if (wantedPool && !local.some((p) => p.metadata.name === wantedPool)) return `the requested pool ${wantedPool} does not exist`;
  const requested = requestedIPs(svc);
  if (requested.length && !requested.every((ip) => local.some((p) => poolContains(p, ip)))) return `the requested IP ${requested.join(', ')} is not in any pool`;
  const eligible = local.filter((p) => {
    const alloc = p.spec?.serviceAllocation;
    if (!alloc) return true;
    if (alloc.namespaces?.length && !alloc.namespaces.includes(svc.metadata?.namespace)) return false;
    return anySelectorMatches(alloc.serviceSelectors, svc.metadata?.labels);
  });
  if (eligible.length === 0) return "every pool's serviceAllocation (namespaces / serviceSelectors) excludes this service";
  if (!wantedPool && !requested.length && eligible.every((p) => p.spec?.autoAssign === false)) return 'every eligible pool has autoAssign: false and the service names no pool or IP';
  return undefined;
}

export default defineCheck({
  id: 'service-pending',
  title: 'LoadBalancer service has no IP (pending)',
  severity: 'error',
  category: 'allocation',
  rank: 66,
  docs: {
    cause:
      'The controller could not allocate an address: no pool, pools exhausted, autoAssign: false without a pool/IP request, serviceAllocation selectors that exclude the service, an IP family no pool has, IP sharing rules, or the controller is not running. The controller records the reason in a Warning AllocationFailed event.',
    confirm: 'kubectl describe svc <service>   # Events: AllocationFailed\nkubectl get ipaddresspools -n metallb-system -o yaml\nkubectl logs -n metallb-system deploy/controller | grep -i "allocation failed"',
    fix: 'Fix what the event names: add or widen a pool, request a pool with metallb.io/address-pool, set autoAssign: true, or adjust serviceAllocation.',
    references: ['metallb/metallb#1526', 'metallb/metallb#2553', 'metallb/metallb#2656', 'metallb/metallb#2328', 'metallb/metallb#1586'],
  },
  run(model) {
    const out: Draft[] = [];
    const ns = metallbNamespace(model);
    for (const svc of metallbServices(model)) {
      if (serviceIPs(svc).length) continue;
      const failures = eventsFor(model, 'Service', svc.metadata?.namespace, svc.metadata?.name ?? '').filter((e) => e.reason === 'AllocationFailed' || e.reason === 'LoadBalancerFailed');
      const latest = failures[failures.length - 1];
      // The controller says "no available IPs" both for exhausted pools and for no pool at all, so a
      // cause read from the configuration (no pool, wrong namespace, autoAssign...) wins over that.
      const allocation = allocationDecision(model, svc);
      const stated = allocation.stated;
      const decoded = stated ? decodeAllocationFailure(stated.text) : latest ? decodeAllocationFailure(latest.message ?? '') : undefined;
      const inferred = inferCause(model, svc);
      // The pool selection replayed on the collected configuration names the rule that left no pool.
      const replayed = allocation.pool ? undefined : allocationCauseText(allocation);
      const installCause = inferred && /controller is not ready|no IPAddressPool|not in the MetalLB namespace/.test(inferred) ? inferred : undefined;
      const specific = decoded && !/exhausted/.test(decoded) ? decoded : undefined;
      const cause = installCause ?? specific ?? replayed ?? inferred ?? decoded ?? 'no AllocationFailed event was recorded (is the controller running?)';
      const noPool = /no IPAddressPool|not in the MetalLB namespace/.test(cause);
      out.push({
        ...(stated?.check === 'service-pending' && !installCause ? { rank: statedCauseRank } : {}),
        summary: `${svcKey(svc)} is pending: ${cause}`,
        subjects: [svcSubject(svc)],
        evidence: [
          ...failures.slice(-3).map((e) => ({ path: clusterPath.events, excerpt: eventExcerpt(e), label: 'Service event' })),
          objectEvidence(clusterPath.services, { metadata: { name: svc.metadata?.name, namespace: svc.metadata?.namespace, annotations: svc.metadata?.annotations }, spec: { type: svc.spec?.type, loadBalancerIP: svc.spec?.loadBalancerIP, ipFamilies: svc.spec?.ipFamilies }, status: svc.status?.loadBalancer ?? {} }),
        ],
        remediation: noPool
          ? {
              summary: `Create an IPAddressPool in ${ns} (and an advertisement for it).`,
              snippet: `apiVersion: metallb.io/v1beta1\nkind: IPAddressPool\nmetadata:\n  name: default\n  namespace: ${ns}\nspec:\n  addresses:\n  - 192.0.2.240-192.0.2.250   # a free range on the node network\n`,
              snippetLanguage: 'yaml',
            }
          : { summary: `Fix the allocation cause: ${cause}.`, snippet: `kubectl describe svc -n ${svc.metadata?.namespace} ${svc.metadata?.name}\nkubectl get ipaddresspools -n ${ns} -o wide`, snippetLanguage: 'shell' },
      });
    }
    return out;
  },
});
