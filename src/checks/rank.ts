/**
 * Ranking: most likely root cause first. A root cause outranks the symptoms it explains (and gets
 * their ids in `explains`), then severity, then the check's rank, then a stable order.
 *
 * "Explains" is domain knowledge: a cause check explains a symptom check when both findings are
 * about the same thing (a shared subject), or when the cause is cluster-wide.
 */
import type { Finding, Severity, Subject } from '../model/finding.js';

/** cause id → symptom ids it can explain. */
export const explanations: Record<string, string[]> = {
  'controller-not-ready': ['service-pending', 'webhook-failure', 'pool-exhausted', 'controller-webhook-not-listening'],
  // A MetalLB pod blind to the API server explains what it then fails to do.
  'api-requests-failing': ['controller-not-ready', 'service-pending', 'webhook-failure', 'config-invalid', 'memberlist-join-failures', 'speaker-restarting', 'crd-conversion-failure'],
  'webhook-cert-injection-failed': ['controller-not-ready', 'webhook-failure', 'crd-conversion-failure', 'service-pending'],
  'config-invalid': ['announcer-eligibility', 'ip-not-advertised', 'service-pending', 'bgp-prefix-not-advertised', 'frr-config-drift'],
  'metallb-objects-wrong-namespace': ['service-pending', 'ip-not-advertised'],
  'pool-overlap': ['config-invalid', 'service-pending'],
  'pool-exhausted': ['service-pending'],
  'ip-sharing-error': ['service-pending'],
  'kube-proxy-ipvs-strictarp': ['l2-duplicate-mac', 'l2-announcer-mismatch', 'l2-multiple-announcers'],
  'pool-overlaps-node-ip': ['l2-duplicate-mac', 'l2-announcer-mismatch', 'lb-ip-not-forwarded'],
  'speaker-missing': ['announcer-eligibility', 'l2-leader-mismatch', 'etp-local-no-endpoint', 'bgp-prefix-not-advertised', 'memberlist-join-failures', 'l2-announcer-mismatch'],
  'speaker-restarting': ['speaker-missing', 'announcer-eligibility', 'bgp-session-flapping', 'memberlist-join-failures', 'l2-leader-mismatch'],
  'node-excluded-from-lb': ['announcer-eligibility', 'l2-leader-mismatch', 'etp-local-no-endpoint', 'bgp-prefix-not-advertised'],
  'node-network-unavailable': ['announcer-eligibility', 'l2-leader-mismatch', 'etp-local-no-endpoint', 'bgp-prefix-not-advertised'],
  'memberlist-port-not-listening': ['memberlist-join-failures', 'l2-multiple-announcers', 'l2-duplicate-mac', 'l2-leader-mismatch'],
  'memberlist-port-blocked': ['memberlist-join-failures', 'l2-multiple-announcers', 'l2-duplicate-mac', 'l2-leader-mismatch', 'l2-announcer-mismatch'],
  'api-unreachable-from-node': ['l2-leader-mismatch', 'l2-announcer-mismatch', 'ip-not-advertised', 'bgp-prefix-not-advertised', 'controller-webhook-not-listening'],
  'endpoints-unreachable-from-node': ['lb-ip-not-forwarded', 'lb-ip-syn-unanswered'],
  'lb-ip-not-forwarded': ['lb-ip-syn-unanswered'],
  'kube-proxy-rule-missing': ['lb-ip-not-forwarded', 'lb-ip-syn-unanswered'],
  'rp-filter-asymmetric-route': ['lb-ip-syn-unanswered'],
  'controller-dns-failure': ['controller-webhook-not-listening'],
  'memberlist-join-failures': ['l2-multiple-announcers', 'l2-duplicate-mac', 'l2-leader-mismatch', 'l2-announcer-mismatch'],
  'l2-multiple-announcers': ['l2-duplicate-mac', 'l2-announcer-mismatch'],
  // With the split-brain diagnosis (rank 90) the duplicate-MAC finding carries the memberlist cause.
  'l2-duplicate-mac': ['memberlist-join-failures', 'l2-multiple-announcers', 'l2-announcer-mismatch', 'l2-leader-mismatch'],
  'l2-interface-missing': ['announcer-eligibility', 'l2-leader-mismatch'],
  'l2-multiple-interfaces': ['l2-duplicate-mac', 'l2-announcer-mismatch'],
  'l2-announcer-interface-down': ['announcer-eligibility', 'l2-leader-mismatch', 'l2-announcer-mismatch'],
  'ip-not-advertised': ['l2-leader-mismatch'],
  'service-no-endpoints': ['announcer-eligibility', 'etp-local-no-endpoint'],
  'bgp-asn-routerid-inconsistent': ['config-invalid', 'frr-config-drift', 'frr-reload-failed', 'bgp-session-down', 'bgp-prefix-not-advertised'],
  'bgp-advertisement-without-peer': ['announcer-eligibility'],
  'etp-local-no-endpoint': ['announcer-eligibility'],
  'bgp-multihop-missing': ['bgp-session-down', 'bgp-prefix-not-advertised'],
  'bgp-session-down': ['bgp-prefix-not-advertised', 'bgp-session-flapping', 'bfd-down'],
  'bfd-down': ['bgp-session-flapping', 'bgp-prefix-not-advertised'],
  'frr-reload-failed': ['frr-config-drift', 'bgp-prefix-not-advertised', 'bfd-down'],
  'frr-config-drift': ['bgp-prefix-not-advertised'],
  'foreign-bgp-listener': ['bgp-session-flapping'],
  'conflicting-lb-implementation': ['announcer-eligibility', 'l2-duplicate-mac', 'l2-announcer-mismatch'],
  'webhook-failure': ['frr-reload-failed'],
  'controller-webhook-not-listening': ['webhook-failure', 'frr-reload-failed', 'config-invalid'],
  // The lost replies name the cloud when the node's providerID shows one.
  'arp-replies-lost': ['cloud-antispoofing', 'wireless-interface', 'l2-leader-mismatch', 'l2-announcer-mismatch'],
  // Objects the collection could not read make checks that need them conclude from their absence.
  'crd-conversion-failure': ['collection-gap', 'announcer-eligibility', 'bgp-advertisement-without-peer', 'bgp-session-down', 'config-invalid'],
  // Nothing of the node's own came back: what checks miss about it is explained by the dial failure.
  'kubelet-unreachable': ['collection-gap', 'logs-missing', 'probe-tool-missing', 'capture-empty'],
  'debug-container-pod-security': ['collection-gap', 'probe-tool-missing', 'capture-empty'],
};

const severityWeight: Record<Severity, number> = { error: 3, warning: 2, info: 1 };

const subjectKey = (s: Subject) => `${s.kind}|${s.namespace ?? ''}|${s.name}`;
/** Cluster-wide subjects explain everything of the kinds listed for the cause. */
const isClusterWide = (f: Finding) => f.subjects.length === 0 || f.subjects.some((s) => s.kind === 'Cluster' || s.kind === 'ConfigMap' || s.kind === 'Deployment' || s.kind === 'ConfigurationState');

function related(cause: Finding, causeKeys: Set<string>, symptom: Finding): boolean {
  if (isClusterWide(cause)) return true;
  return symptom.subjects.some((s) => causeKeys.has(subjectKey(s)));
}

/** A stable identity for a finding inside one result (id + first subject + summary). */
export function findingKey(f: Finding): string {
  return `${f.id}:${f.subjects.map(subjectKey).join(',')}:${f.summary}`;
}

export function rankFindings(findings: Finding[]): Finding[] {
  const list = findings.map((f, i) => ({ f: { ...f, explains: [] as string[] }, i, explainedBy: [] as number[] }));
  const byId = new Map<string, typeof list>();
  for (const e of list) {
    const same = byId.get(e.f.id);
    if (same) same.push(e);
    else byId.set(e.f.id, [e]);
  }
  for (const cause of list) {
    const symptomIds = explanations[cause.f.id];
    if (!symptomIds) continue;
    const causeKeys = new Set(cause.f.subjects.filter((s) => s.kind !== 'Cluster').map(subjectKey));
    for (const symptom of symptomIds.flatMap((id) => byId.get(id) ?? [])) {
      if (symptom === cause || !related(cause.f, causeKeys, symptom.f)) continue;
      // Never let two findings explain each other; the higher rank wins.
      if (explanations[symptom.f.id]?.includes(cause.f.id) && (symptom.f.rank ?? 0) > (cause.f.rank ?? 0)) continue;
      if (!cause.f.explains.includes(symptom.f.id)) cause.f.explains.push(symptom.f.id);
      symptom.explainedBy.push(cause.i);
    }
  }
  const explainedOf = new Map<number, typeof list>();
  for (const e of list)
    for (const c of e.explainedBy) {
      const symptoms = explainedOf.get(c);
      if (symptoms) symptoms.push(e);
      else explainedOf.set(c, [e]);
    }
  // A cause inherits the weight of what it explains, so it sorts right before its worst symptom.
  const effective = new Map<number, { sev: number; rank: number }>();
  const weight = (e: (typeof list)[number], seen: Set<number>): { sev: number; rank: number } => {
    const known = effective.get(e.i);
    if (known) return known;
    let sev = severityWeight[e.f.severity];
    let rank = e.f.rank ?? 0;
    seen.add(e.i);
    for (const other of explainedOf.get(e.i) ?? []) {
      if (seen.has(other.i)) continue;
      const w = weight(other, seen);
      if (w.sev > sev || (w.sev === sev && w.rank > rank)) { sev = w.sev; rank = w.rank; }
    }
    seen.delete(e.i);
    const result = { sev, rank };
    effective.set(e.i, result);
    return result;
  };
  const sorted = [...list].sort((a, b) => {
    const wa = weight(a, new Set());
    const wb = weight(b, new Set());
    if (wa.sev !== wb.sev) return wb.sev - wa.sev;
    if (wa.rank !== wb.rank) return wb.rank - wa.rank;
    // Same effective weight: causes before the symptoms they explain.
    const aExplained = a.explainedBy.length > 0 ? 1 : 0;
    const bExplained = b.explainedBy.length > 0 ? 1 : 0;
    if (aExplained !== bExplained) return aExplained - bExplained;
    const sa = severityWeight[a.f.severity];
    const sb = severityWeight[b.f.severity];
    if (sa !== sb) return sb - sa;
    if ((a.f.rank ?? 0) !== (b.f.rank ?? 0)) return (b.f.rank ?? 0) - (a.f.rank ?? 0);
    if (a.f.id !== b.f.id) return a.f.id < b.f.id ? -1 : 1;
    const ka = findingKey(a.f);
    const kb = findingKey(b.f);
    return ka < kb ? -1 : ka > kb ? 1 : a.i - b.i;
  });
  return sorted.map((e) => (e.f.explains.length ? e.f : (({ explains: _x, ...rest }) => rest)(e.f)));
}
