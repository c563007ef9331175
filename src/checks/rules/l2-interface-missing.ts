import { defineCheck, type Draft } from '../define.js';
import { eventExcerpt, objectEvidence } from '../lib/evidence.js';
import { announceDecision } from '../lib/announce.js';
import { adSelectsService, clusterPath, eventsFor, l2AdsForPool, metallbServices, observedL2Announcers, poolOf, serviceIPs, svcKey, svcSubject } from '../lib/model.js';

export default defineCheck({
  id: 'l2-interface-missing',
  title: 'L2Advertisement interfaces missing on the elected node',
  severity: 'error',
  category: 'announcement-l2',
  rank: 77,
  docs: {
    cause:
      'spec.interfaces of an L2Advertisement does not influence the leader election. If the elected node has none of the listed interfaces, the IP is not announced at all and the speaker emits a Warning announceFailed event.',
    confirm: 'kubectl describe svc <svc>   # announceFailed\nkubectl get l2advertisements -n metallb-system -o yaml\nip -br link   # on the elected node',
    fix: 'List interface names that exist on every candidate node, or restrict the L2Advertisement with nodeSelectors to the nodes that have them.',
    references: ['metallb/metallb#2026', 'metallb/metallb#2635'],
  },
  run(model) {
    const out: Draft[] = [];
    for (const svc of metallbServices(model)) {
      const failed = eventsFor(model, 'Service', svc.metadata?.namespace, svc.metadata?.name ?? '').filter((e) => e.reason === 'announceFailed');
      const ip = serviceIPs(svc)[0];
      const pool = ip ? poolOf(model, svc, ip) : undefined;
      const ads = pool ? l2AdsForPool(model, pool).filter((a) => adSelectsService(a, svc)) : [];
      const wanted = [...new Set(ads.flatMap((a) => (a.spec?.interfaces ?? []) as string[]))];
      // An advertisement without interfaces allows every interface; then nothing can be missing.
      const restricted = ads.length > 0 && ads.every((a) => (a.spec?.interfaces ?? []).length > 0);
      let node: string | undefined;
      let lacks = false;
      if (restricted && pool && ip) {
        const observed = observedL2Announcers(model, svc);
        node = observed.nodes[0] ?? announceDecision(model, svc).l2?.leader;
        const st = node ? model.nodes[node] : undefined;
        if (st?.links.length) lacks = !st.links.some((l) => wanted.includes(l.ifname));
      }
      if (!failed.length && !lacks) continue;
      const m = failed.length ? /assigned node "([^"]+)"/.exec(failed[failed.length - 1].message ?? '') : null;
      node = m?.[1] ?? node;
      out.push({
        summary: `${svcKey(svc)} is not announced: elected node ${node ?? '?'} has none of the interfaces ${wanted.join(', ') || '(from the event)'}`,
        subjects: [svcSubject(svc), ...(node ? [{ kind: 'Node', name: node }] : []), ...ads.map((a) => ({ kind: 'L2Advertisement', namespace: a.metadata.namespace, name: a.metadata.name }))],
        evidence: [
          ...failed.slice(-2).map((e) => ({ path: clusterPath.events, excerpt: eventExcerpt(e), label: 'Service event' })),
          ...ads.slice(0, 2).map((a) => objectEvidence(clusterPath.metallb('l2advertisements'), { metadata: { name: a.metadata.name }, spec: { interfaces: a.spec?.interfaces, nodeSelectors: a.spec?.nodeSelectors } })),
          ...(node && model.nodes[node]?.links.length ? [{ path: model.nodes[node].paths['ip-link'] ?? `nodes/${node}/net/ip-link.json`, excerpt: `interfaces on ${node}: ${model.nodes[node].links.map((l) => l.ifname).join(', ')}` }] : []),
        ],
        remediation: {
          summary: `Restrict the L2Advertisement to nodes that have ${wanted.join('/') || 'the interface'}, or add ${node ?? 'the node'}'s interface name.`,
          snippet: `spec:\n  interfaces:\n${[...wanted, ...(node && model.nodes[node]?.links.length ? [model.nodes[node].links.find((l) => l.ifname !== 'lo')?.ifname ?? 'eth0'] : [])].map((i) => `  - ${i}`).join('\n')}\n`,
          snippetLanguage: 'yaml',
        },
      });
    }
    return out;
  },
});
