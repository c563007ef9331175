import type { LogRecord, LogStream } from '../../model/cluster.js';
import { defineCheck, type Draft } from '../define.js';
import { logEvidence, rawExcerpt } from '../lib/evidence.js';
import { logRecords } from '../lib/model.js';

const dropThreshold = 3;

export default defineCheck({
  id: 'bgp-session-flapping',
  title: 'BGP session flapping',
  severity: 'warning',
  category: 'bgp',
  rank: 58,
  docs: {
    cause: 'The session keeps going down and up: BFD or hold-timer expiry from packet loss, reloads that recreate the neighbor (MetalLB < v0.14.6 with BFD, first service added), or two speakers fighting for one session. Each drop withdraws the routes.',
    confirm: "kubectl exec -n metallb-system <speaker> -c frr -- vtysh -c 'show bgp neighbor json' | grep -E 'connectionsDropped|lastResetDueTo'\nkubectl logs -n metallb-system <speaker> -c reloader | grep 'reloaded successfully'",
    fix: 'Correlate the drops with reloads (upgrade MetalLB ≥ v0.14.6 if BFD neighbors are re-created) or with BFD/hold-timer expiry (fix the link); tune BFD intervals if they are too aggressive.',
    references: ['metallb/metallb#2454', 'metallb/metallb#1715', 'metallb/metallb#1537', 'metallb/frr-k8s#169'],
  },
  run(model) {
    const out: Draft[] = [];
    for (const [node, st] of Object.entries(model.nodes)) {
      for (const n of st.frr?.neighbors ?? []) {
        if ((n.connectionsDropped ?? 0) < dropThreshold) continue;
        out.push({
          summary: `BGP session ${node} → ${n.address} dropped ${n.connectionsDropped} times (established ${n.connectionsEstablished ?? '?'} times; last reset: ${n.lastResetDueTo ?? 'unknown'})`,
          subjects: [{ kind: 'Node', name: node }, { kind: 'Neighbor', name: n.address }],
          evidence: [{ path: n.path, excerpt: rawExcerpt(model, n.path, ['"connectionsDropped"', '"connectionsEstablished"', '"lastResetDueTo"'], `connectionsEstablished ${n.connectionsEstablished}, connectionsDropped ${n.connectionsDropped}, lastResetDueTo ${n.lastResetDueTo ?? ''}`, { within: `"${n.address}":{` }) }],
          remediation: { summary: `Find what resets the session to ${n.address}: compare reset times with reloader "FRR reloaded successfully" lines and BFD state changes.` },
        });
      }
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
