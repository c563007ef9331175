import type { LogRecord, LogStream } from '../../model/cluster.js';
import type { Evidence } from '../../model/finding.js';
import { defineCheck, type Draft } from '../define.js';
import { logEvidence, objectEvidence, rawExcerpt } from '../lib/evidence.js';
import { clusterPath, logRecords } from '../lib/model.js';

const failureLine = /Syntax error spotted|Failed to fully apply|Traceback|"op":"reload-validate".*error|reload failure|frr reload failed|Command incomplete/;

export default defineCheck({
  id: 'frr-reload-failed',
  title: 'FRR configuration reload failed',
  severity: 'error',
  category: 'frr',
  rank: 83,
  docs: {
    cause:
      'The reloader could not apply the configuration MetalLB rendered (frr-reload.py syntax error or partial apply; frr-k8s conversion or reload error). FRR keeps running the old configuration, so new peers, passwords or prefixes never take effect and the speaker retries every 30 s.',
    confirm: 'kubectl exec -n metallb-system <speaker> -c reloader -- cat /etc/frr_reloader/.status\nkubectl logs -n metallb-system <speaker> -c reloader\nkubectl get frrnodestates -o yaml   # frr-k8s: lastReloadResult, lastConversionResult',
    fix: 'Read the reloader error: fix the offending object (often extra config in ConfigMap bgpextras or unsupported values), or upgrade MetalLB/FRR when frr-reload.py itself crashes.',
    references: ['metallb/metallb#2029', 'metallb/metallb#1241', 'metallb/metallb#1046', 'metallb/metallb#2945'],
    threads: ['https://github.com/metallb/metallb/issues/1241'],
  },
  run(model) {
    const out: Draft[] = [];
    const logHits = new Map<string, { stream: LogStream; records: LogRecord[] }>();
    for (const { stream, record, text } of logRecords(model, ['reloader', 'speaker', 'frr-k8s', 'controller'])) {
      if (!failureLine.test(text)) continue;
      if (stream.container === 'controller' && stream.pod && !/frr/.test(stream.pod)) continue;
      const e = logHits.get(stream.path) ?? { stream, records: [] };
      e.records.push(record);
      logHits.set(stream.path, e);
    }
    const nodes = new Set<string>([...Object.keys(model.nodes), ...[...logHits.values()].map((h) => h.stream.node).filter((n): n is string => !!n)]);
    for (const node of nodes) {
      const st = model.nodes[node];
      const evidence: Evidence[] = [];
      const status = st?.frr?.reloadStatus;
      if (status?.status === 'failure') evidence.push({ path: status.path, excerpt: rawExcerpt(model, status.path, ['failure'], status.raw.trim()), label: '/etc/frr_reloader/.status' });
      for (const h of logHits.values()) if (h.stream.node === node) evidence.push(logEvidence(model, h.stream, h.records));
      const ns = model.frrk8s.frrNodeStates.find((s) => s.metadata.name === node);
      const bad = ns && [ns.status?.lastReloadResult, ns.status?.lastConversionResult].filter((r) => r && !/^success$/i.test(String(r)));
      if (bad && bad.length) evidence.push(objectEvidence(clusterPath.frrk8s('frrnodestates'), { metadata: { name: node }, status: { lastConversionResult: ns!.status?.lastConversionResult, lastReloadResult: ns!.status?.lastReloadResult } }));
      if (!evidence.length) continue;
      const firstLog = [...logHits.values()].find((h) => h.stream.node === node)?.records[0];
      const detail = bad && bad.length ? String(bad[0]).split('\n')[0] : firstLog ? firstLog.msg ?? firstLog.raw ?? '' : (status?.raw.trim() ?? '');
      out.push({
        summary: `FRR reload failed on ${node}: ${detail.slice(0, 200)}`,
        subjects: [{ kind: 'Node', name: node }],
        evidence: evidence.slice(0, 4),
        remediation: remediationFor(detail, `kubectl logs -n metallb-system <speaker on ${node}> -c reloader --tail=50`),
      });
    }
    // A log whose pod is not in the bundle (no pod list) still shows the failure; its node is unknown.
    for (const h of logHits.values()) {
      if (h.stream.node) continue;
      const first = h.records[0];
      const detail = first ? first.msg ?? first.raw ?? '' : '';
      out.push({
        summary: `FRR reload failed (${h.stream.container} log of ${h.stream.pod}, node not known): ${detail.slice(0, 200)}`,
        subjects: [{ kind: 'Pod', namespace: h.stream.namespace || undefined, name: h.stream.pod }],
        evidence: [logEvidence(model, h.stream, h.records)],
        remediation: remediationFor(detail, `kubectl logs -n metallb-system ${h.stream.pod} -c reloader --tail=50`),
      });
    }
    return out;
  },
});

/** The reloader's error in words, with the fix for the failures threads have pinned down. */
function remediationFor(detail: string, snippet: string) {
  // FRR prints `domainname` with no value when the host has no DNS domain, and vtysh rejects its own line.
  if (/Command incomplete: domainname/.test(detail))
    return { summary: 'FRR printed an empty `domainname` line (the node has no DNS domain) that its own reload script rejects: give the node a DNS domain or run an FRR release that omits the empty line.', snippet, snippetLanguage: 'shell' as const };
  return { summary: 'Fix the configuration the reloader rejects (see the error), then check that .status reports success.', snippet, snippetLanguage: 'shell' as const };
}
