import { defineCheck, type Draft } from '../define.js';
import { objectEvidence } from '../lib/evidence.js';
import { rangeSize } from '../lib/ip.js';
import { clusterPath, metallbServices, poolContains, poolRanges, serviceIPs, svcKey, svcSubject } from '../lib/model.js';
import { allocationDecision, exhaustedPools, statedCauseRank } from '../lib/allocate.js';

export default defineCheck({
  id: 'pool-exhausted',
  title: 'IPAddressPool exhausted or nearly exhausted',
  severity: 'warning',
  category: 'allocation',
  rank: 76,
  docs: {
    cause: 'Every address of the pool is in use (or more than 90%), so new LoadBalancer services stay pending with "no available IPs".',
    confirm: 'kubectl get ipaddresspools -n metallb-system -o yaml   # status.assignedIPv4 / availableIPv4 (v0.15+)\nkubectl get svc -A | grep LoadBalancer',
    fix: 'Add addresses to the pool (another range in spec.addresses), add a pool, delete unused LoadBalancer services, or share IPs with metallb.io/allow-shared-ip.',
    references: ['metallb/metallb#1526'],
  },
  run(model) {
    const out: Draft[] = [];
    const services = model.kube.services;
    const pending = metallbServices(model).filter((s) => serviceIPs(s).length === 0);
    for (const pool of model.metallb.ipAddressPools) {
      const ranges = poolRanges(pool);
      if (!ranges.length) continue;
      const capacity = ranges.reduce((n, r) => n + rangeSize(r, pool.spec?.avoidBuggyIPs === true), 0n);
      const used = new Set<string>();
      const users: string[] = [];
      for (const s of services) for (const ip of serviceIPs(s)) if (poolContains(pool, ip)) { used.add(ip); users.push(svcKey(s)); }
      const st = pool.status ?? {};
      const reported = Number(st.assignedIPv4 ?? 0) + Number(st.assignedIPv6 ?? 0);
      const inUse = BigInt(Math.max(used.size, reported));
      if (capacity === 0n) continue;
      const full = inUse >= capacity;
      const near = !full && capacity >= 10n && inUse * 10n >= capacity * 9n;
      if (!full && !near) continue;
      const name = pool.metadata.name;
      // A full pool is the outage only for the pending services the allocation replay sends to it;
      // a service pending for another reason (sharing, serviceAllocation, family) is not its victim.
      const victims = pending.filter((s) => exhaustedPools(allocationDecision(model, s)).includes(name));
      const stated = victims.some((s) => allocationDecision(model, s).stated?.check === 'pool-exhausted');
      out.push({
        severity: full && victims.length ? 'error' : 'warning',
        ...(stated ? { rank: statedCauseRank } : {}),
        summary: full
          ? `Pool ${name} is exhausted: ${inUse}/${capacity} addresses in use${victims.length ? `, ${victims.length} service(s) pending for want of an address (${victims.slice(0, 4).map(svcKey).join(', ')})` : ''}`
          : `Pool ${name} is nearly exhausted: ${inUse}/${capacity} addresses in use`,
        // The pending services too: the pool explains their service-pending findings (ranking).
        subjects: [{ kind: 'IPAddressPool', namespace: pool.metadata.namespace, name }, ...victims.slice(0, 20).map(svcSubject)],
        evidence: [
          objectEvidence(clusterPath.metallb('ipaddresspools'), { metadata: { name }, spec: { addresses: pool.spec?.addresses, avoidBuggyIPs: pool.spec?.avoidBuggyIPs }, status: pool.status }),
          { path: clusterPath.services, excerpt: `services holding addresses of ${name}: ${[...new Set(users)].slice(0, 12).join(', ')}` },
        ],
        remediation: {
          summary: `Add addresses to pool ${name} or free some.`,
          snippet: `kubectl patch ipaddresspool -n ${pool.metadata.namespace ?? 'metallb-system'} ${name} --type json -p '[{"op":"add","path":"/spec/addresses/-","value":"<another free range>"}]'`,
          snippetLanguage: 'shell',
        },
      });
    }
    return out;
  },
});
