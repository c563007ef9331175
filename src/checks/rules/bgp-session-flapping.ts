import type { ClusterModel, LogRecord, LogStream } from '../../model/cluster.js';
import type { Evidence } from '../../model/finding.js';
import { defineCheck, type Draft } from '../define.js';
import { logEvidence, rawExcerpt } from '../lib/evidence.js';
import { logRecords } from '../lib/model.js';
import { adjacencyChange } from '../../parse/frr-log.js';

const dropThreshold = 3;

/** The reloader's reload lines (frr-tools/reloader/frr-reloader.sh, docs/metallb.md §3.2). */
const reloadStartRe = /Caught SIGHUP and acquired lock! Reloading FRR/;

interface Downs {
  stream: LogStream;
  neighbor: string;
  records: LogRecord[];
  reasons: Map<string, number>;
}

/** `%ADJCHANGE ... Down` lines per frr container log and neighbour. */
function adjacencyDowns(model: ClusterModel): Downs[] {
  const byKey = new Map<string, Downs>();
  for (const { stream, record } of logRecords(model, 'frr')) {
    const change = record.raw ? adjacencyChange(record.raw) : undefined;
    if (!change || change.up) continue;
    const key = `${stream.path}|${change.neighbor}`;
    const e = byKey.get(key) ?? { stream, neighbor: change.neighbor, records: [], reasons: new Map<string, number>() };
    e.records.push(record);
    const reason = change.reason ?? 'no reason logged';
    e.reasons.set(reason, (e.reasons.get(reason) ?? 0) + 1);
    byKey.set(key, e);
  }
  return [...byKey.values()];
}

/** Reloads in the reloader log of one pod: each may have reset the sessions (metallb/metallb#1537, #2454). */
function reloadsOf(model: ClusterModel, pod: string): { stream: LogStream; records: LogRecord[] } | undefined {
  for (const stream of model.logs) {
    if (stream.pod !== pod || stream.container !== 'reloader' || stream.previous) continue;
    const records = stream.records.filter((r) => reloadStartRe.test(r.raw ?? r.msg ?? ''));
    if (records.length > 0) return { stream, records };
  }
  return undefined;
}

const reasonText = (reasons: Map<string, number>) =>
  [...reasons]
    .sort((a, b) => b[1] - a[1])
    .map(([r, n]) => `${r}${n > 1 ? ` ×${n}` : ''}`)
    .join(', ');

export default defineCheck({
  id: 'bgp-session-flapping',
  title: 'BGP session flapping',
  severity: 'warning',
  category: 'bgp',
  rank: 58,
  docs: {
    cause: 'The session keeps going down and up: BFD or hold-timer expiry from packet loss, reloads that recreate the neighbor (MetalLB < v0.14.6 with BFD, first service added), or two speakers fighting for one session. Each drop withdraws the routes. Seen in FRR\'s connectionsDropped counter, in its %ADJCHANGE Down lines (with the reason) in the frr container log, or in the native speaker\'s session-down events; the reloader log shows whether reloads line up with the drops.',
    confirm: "kubectl exec -n metallb-system <speaker> -c frr -- vtysh -c 'show bgp neighbor json' | grep -E 'connectionsDropped|lastResetDueTo'\nkubectl logs -n metallb-system <speaker> -c frr | grep '%ADJCHANGE'\nkubectl logs -n metallb-system <speaker> -c reloader | grep -E 'Caught SIGHUP|reloaded successfully'",
    fix: 'Correlate the drops with reloads (upgrade MetalLB ≥ v0.14.6 if BFD neighbors are re-created) or with BFD/hold-timer expiry (fix the link); tune BFD intervals if they are too aggressive.',
    references: ['metallb/metallb#2454', 'metallb/metallb#1715', 'metallb/metallb#1537', 'metallb/frr-k8s#169', 'FRRouting/frr#12737'],
  },
  run(model) {
    const out: Draft[] = [];
    const byNeighbor = new Map<string, Draft>();
    for (const [node, st] of Object.entries(model.nodes)) {
      for (const n of st.frr?.neighbors ?? []) {
        if ((n.connectionsDropped ?? 0) < dropThreshold) continue;
        const draft: Draft = {
          summary: `BGP session ${node} → ${n.address} dropped ${n.connectionsDropped} times (established ${n.connectionsEstablished ?? '?'} times; last reset: ${n.lastResetDueTo ?? 'unknown'})`,
          subjects: [{ kind: 'Node', name: node }, { kind: 'Neighbor', name: n.address }],
          evidence: [{ path: n.path, excerpt: rawExcerpt(model, n.path, ['"connectionsDropped"', '"connectionsEstablished"', '"lastResetDueTo"'], `connectionsEstablished ${n.connectionsEstablished}, connectionsDropped ${n.connectionsDropped}, lastResetDueTo ${n.lastResetDueTo ?? ''}`, { within: `"${n.address}":{` }) }],
          remediation: { summary: `Find what resets the session to ${n.address}: compare reset times with reloader "FRR reloaded successfully" lines and BFD state changes.` },
        };
        out.push(draft);
        byNeighbor.set(`${node}|${n.address}`, draft);
      }
    }
    // FRR's own account of each drop: `%ADJCHANGE ... Down <reason>` in the frr container log. It
    // names why the session went down, which the counter does not; with the reloader's log beside
    // it, a drop per reload points at the reload (MetalLB < v0.14.6 recreating BFD neighbours).
    for (const d of adjacencyDowns(model)) {
      const existing = d.stream.node ? byNeighbor.get(`${d.stream.node}|${d.neighbor}`) : undefined;
      if (d.records.length < dropThreshold && !existing) continue;
      const reloads = reloadsOf(model, d.stream.pod);
      const evidence: Evidence[] = [logEvidence(model, d.stream, d.records, `${d.stream.pod}/frr: %ADJCHANGE Down`)];
      if (reloads) evidence.push(logEvidence(model, reloads.stream, reloads.records, `${reloads.stream.pod}/reloader: FRR reloads`));
      // As many reloads as drops: each reload may have reset the session. Fewer: reloads cannot be the cause of most.
      const reloadsExplain = !!reloads && reloads.records.length >= d.records.length;
      const reloadText = !reloads
        ? ''
        : reloadsExplain
          ? `; the reloader log of ${d.stream.pod} shows ${reloads.records.length} FRR reload(s) for ${d.records.length} drops — a drop per reload points at the reload`
          : `; the reloader log of ${d.stream.pod} shows only ${reloads.records.length} FRR reload(s) for ${d.records.length} drops — reloads do not explain most of them`;
      if (existing) {
        existing.summary += `; FRR logged ${d.records.length} %ADJCHANGE Down (${reasonText(d.reasons)})${reloadText}`;
        existing.evidence.push(...evidence);
        continue;
      }
      const where = d.stream.node ? `${d.stream.node} → ${d.neighbor}` : `${d.stream.pod} → ${d.neighbor}`;
      out.push({
        summary: `BGP session ${where} went down ${d.records.length} times in the frr log (${reasonText(d.reasons)})${reloadText}`,
        subjects: [...(d.stream.node ? [{ kind: 'Node', name: d.stream.node }] : [{ kind: 'Pod', name: d.stream.pod, namespace: d.stream.namespace }]), { kind: 'Neighbor', name: d.neighbor }],
        evidence,
        remediation: {
          summary: reloadsExplain
            ? `Compare the %ADJCHANGE Down times with the reloader's reloads: a drop at each reload means the reload recreates the neighbour (upgrade MetalLB to v0.14.6 or later when BFD is used); otherwise fix what the Down reason names (hold timer: lost keepalives on the link; notification: the peer's complaint).`
            : `Fix what the Down reason names: hold timer expiry means keepalives are lost on the link, a NOTIFICATION is the peer's complaint, "Peer closed the session" points at the router's side.`,
        },
      });
    }
    const downs = new Map<string, { stream: LogStream; records: LogRecord[] }>();
    for (const { stream, record, text } of logRecords(model, 'speaker')) {
      if (!/"?sessionDown"?|BGP session down/.test(text)) continue;
      const key = `${stream.path}|${String(record.fields.peer ?? '')}`;
      const e = downs.get(key) ?? { stream, records: [] };
      e.records.push(record);
      downs.set(key, e);
    }
    for (const [key, { stream, records }] of downs) {
      if (records.length < dropThreshold) continue;
      const peer = key.split('|')[1] || 'a peer';
      out.push({
        summary: `Speaker ${stream.pod}${stream.node ? ` on ${stream.node}` : ''} logged ${records.length} BGP session-down events for ${peer}`,
        subjects: [...(stream.node ? [{ kind: 'Node', name: stream.node }] : []), { kind: 'Neighbor', name: peer.replace(/:\d+$/, '') }],
        evidence: [logEvidence(model, stream, records)],
        remediation: { summary: 'Correlate the session-down times with reloads, BFD and link events.' },
      });
    }
    return out;
  },
});
