import type { LogRecord, LogStream } from '../../model/cluster.js';
import { defineCheck, type Draft } from '../define.js';
import { logEvidence } from '../lib/evidence.js';
import { logRecords } from '../lib/model.js';

/** Speaker log lines that show memberlist trouble, with a short label each. */
export const memberlistPatterns: [RegExp, string][] = [
  [/partial join/, 'partial join'],
  [/Failed to join/, 'failed to join'],
  [/TCP but UDP probes failed/, 'UDP probes failed'],
  [/Marking .* as failed/, 'members marked failed'],
  [/Suspect .* has failed/, 'members suspected'],
  [/failed to create memberlist|failed to read memberlist secret key file/, 'memberlist not started'],
];

export default defineCheck({
  id: 'memberlist-join-failures',
  title: 'Memberlist join failures or member churn in speaker logs',
  severity: 'warning',
  category: 'memberlist',
  rank: 68,
  docs: {
    cause:
      'Speakers could not (fully) join each other over TCP/UDP 7946: a firewall or security group blocks it, UDP is filtered while TCP passes, or the memberlist secret is missing. Each speaker then computes its own layer-2 leader: several nodes (split brain) or none announce, and leaders flap.',
    confirm: 'kubectl logs -n metallb-system -l component=speaker -c speaker | grep -E "partial join|Failed to join|UDP probes failed|as failed"\nnc -zv <other node IP> 7946; nc -zuv <other node IP> 7946',
    fix: 'Allow TCP and UDP 7946 between all nodes (host firewall, cloud security groups), and make sure Secret memberlist exists in the MetalLB namespace.',
    references: ['metallb/metallb#1539', 'metallb/metallb#782', 'metallb/metallb#2009', 'metallb/metallb#767', 'metallb/metallb#1533'],
    threads: ['https://github.com/metallb/metallb/issues/782'],
  },
  run(model) {
    const byStream = new Map<string, { stream: LogStream; records: LogRecord[]; kinds: Set<string> }>();
    for (const { stream, record, text } of logRecords(model, 'speaker')) {
      const hit = memberlistPatterns.find(([re]) => re.test(text));
      if (!hit) continue;
      const e = byStream.get(stream.path) ?? { stream, records: [], kinds: new Set<string>() };
      e.records.push(record);
      e.kinds.add(hit[1]);
      byStream.set(stream.path, e);
    }
    const out: Draft[] = [];
    for (const { stream, records, kinds } of byStream.values()) {
      const serious = kinds.has('partial join') || kinds.has('failed to join') || kinds.has('UDP probes failed') || kinds.has('memberlist not started');
      out.push({
        severity: serious ? 'error' : 'warning',
        summary: `Speaker ${stream.pod}${stream.node ? ` on ${stream.node}` : ''}: memberlist ${[...kinds].join(', ')} (${records.length} line(s))`,
        subjects: [{ kind: 'Pod', namespace: stream.namespace, name: stream.pod }, ...(stream.node ? [{ kind: 'Node', name: stream.node }] : [])],
        evidence: [logEvidence(model, stream, records)],
        remediation: { summary: 'Open TCP and UDP 7946 between all nodes.', snippet: 'iptables -I INPUT -p tcp --dport 7946 -j ACCEPT\niptables -I INPUT -p udp --dport 7946 -j ACCEPT', snippetLanguage: 'shell' },
      });
    }
    return out;
  },
});
