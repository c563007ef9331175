import { defineCheck, type Draft } from '../define.js';
import { objectEvidence } from '../lib/evidence.js';
import { announceDecision, nodesBlockedOnlyBy, protocolDecisions } from '../lib/announce.js';
import { clusterPath, endpointsOf, metallbServices, observedL2Announcers, readySpeakerNodes, svcKey, svcSubject } from '../lib/model.js';

export default defineCheck({
  id: 'etp-local-no-endpoint',
  title: 'externalTrafficPolicy: Local without a ready endpoint on an announcing node',
  severity: 'error',
  category: 'announcement-l2',
  rank: 73,
  docs: {
    cause:
      'With externalTrafficPolicy: Local a node may only announce when it hosts a ready endpoint. If no node has both a ready endpoint and a ready speaker selected by an advertisement, the IP is announced nowhere (layer 2: notOwner; BGP: withdrawn). Endpoints without nodeName (manual EndpointSlices) are ignored.',
    confirm: 'kubectl get endpointslices -n <ns> -l kubernetes.io/service-name=<svc> -o wide\nkubectl get pods -n metallb-system -o wide -l component=speaker',
    fix: 'Run endpoints on nodes that have a speaker and are selected by the advertisement, or switch the service to externalTrafficPolicy: Cluster.',
    references: ['metallb/metallb#102', 'metallb/metallb#1613', 'metallb/metallb#1777', 'metallb/metallb#1640', 'metallb/metallb#646'],
  },
  run(model) {
    const out: Draft[] = [];
    const ready = readySpeakerNodes(model);
    for (const svc of metallbServices(model)) {
      if (svc.spec?.externalTrafficPolicy !== 'Local') continue;
      const decision = announceDecision(model, svc);
      const ip = decision.ip;
      if (decision.stop) continue; // no IP, pool or advertisement: service-pending and ip-not-advertised cover it
      const eps = endpointsOf(model, svc);
      const epNodes = [...new Set(eps.filter((e) => e.ready && e.node).map((e) => e.node!))];
      const nodeless = eps.filter((e) => e.ready && !e.node).length;
      // Nodes the model keeps past the nodeSelector, speaker and endpoint steps. The exclusion label,
      // NetworkUnavailable and BGP peers have checks of their own that name those nodes.
      const usable = [...new Set(protocolDecisions(decision).flatMap((p) => nodesBlockedOnlyBy(p, ['exclude-label', 'network-unavailable', 'bgp-peer'])))];
      const announcer = observedL2Announcers(model, svc).nodes.find((n) => !epNodes.includes(n));
      if (usable.length && !announcer) continue;
      const summary = !usable.length
        ? `${svcKey(svc)} (${ip}, externalTrafficPolicy Local) is announced nowhere: ready endpoints on ${epNodes.join(', ') || 'no node'}${nodeless ? ` (+${nodeless} without nodeName)` : ''}, ready speakers on ${[...ready].join(', ') || 'no node'}`
        : `${svcKey(svc)} (${ip}, externalTrafficPolicy Local) is announced by ${announcer}, which has no ready endpoint (endpoints on ${epNodes.join(', ')})`;
      // The endpoint nodes that may not announce are subjects too: a finding on one of them (a missing
      // speaker, the exclusion label, NetworkUnavailable) shares the subject and so is ranked as the
      // cause of this one (checks/rank.ts), e.g. speaker-missing on the only endpoint node.
      const blocked = usable.length ? [] : epNodes.filter((n) => protocolDecisions(decision).some((p) => p.blockers.has(n)));
      out.push({
        summary,
        subjects: [svcSubject(svc), ...(announcer ? [{ kind: 'Node', name: announcer }] : []), ...blocked.map((name) => ({ kind: 'Node', name }))],
        evidence: [objectEvidence(clusterPath.endpointSlices, { service: svcKey(svc), endpoints: eps.slice(0, 8) }), objectEvidence(clusterPath.services, { metadata: { name: svc.metadata?.name, namespace: svc.metadata?.namespace }, spec: { externalTrafficPolicy: 'Local' } })],
        remediation: { summary: 'Schedule endpoints on speaker nodes selected by the advertisement, or use externalTrafficPolicy: Cluster.', snippet: `kubectl patch svc -n ${svc.metadata?.namespace} ${svc.metadata?.name} -p '{"spec":{"externalTrafficPolicy":"Cluster"}}'`, snippetLanguage: 'shell' },
      });
    }
    return out;
  },
});
