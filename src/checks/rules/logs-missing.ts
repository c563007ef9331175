import type { CoreV1Event } from '@kubernetes/client-node';
import type { ClusterModel, LogRecord, LogStream } from '../../model/cluster.js';
import type { Finding } from '../../model/finding.js';
import { defineCheck, type Draft } from '../define.js';
import { logEvidence } from '../lib/evidence.js';

/** The collector's default window (src/catalogue defaultLogSinceSeconds), for bundles whose manifest lacks it. */
const defaultSinceSeconds = 24 * 3600;
/**
 * The kubelet filters `--since` by the node's clock, the manifest's createdAt is the collecting
 * machine's: a line a few minutes before the window start is clock skew, not a missing window.
 */
const skewToleranceMs = 5 * 60_000;

/** Seconds as the `--since` flag takes them (`24h`, `90m`, `45s`). */
export function sinceFlag(seconds: number): string {
  if (seconds >= 3600 && seconds % 3600 === 0) return `${seconds / 3600}h`;
  if (seconds >= 60 && seconds % 60 === 0) return `${seconds / 60}m`;
  return `${seconds}s`;
}

/** A window worth trying next: three times the last one, at least a day, in whole hours. */
export function longerSince(seconds: number): number {
  return Math.max(24, Math.ceil((seconds * 3) / 3600)) * 3600;
}

/** The collection window from the manifest: `sinceSeconds` before `createdAt`. */
export function logWindow(model: ClusterModel): { sinceSeconds: number; start?: number; end?: number } {
  const m = model.manifest;
  const raw = m?.options?.sinceSeconds;
  const sinceSeconds = typeof raw === 'number' && Number.isFinite(raw) && raw > 0 ? raw : defaultSinceSeconds;
  const end = m?.createdAt ? Date.parse(m.createdAt) : NaN;
  if (Number.isNaN(end)) return { sinceSeconds };
  return { sinceSeconds, start: end - sinceSeconds * 1000, end };
}

const frrStampRe = /^(\d{4})\/(\d{2})\/(\d{2}) (\d{2}:\d{2}:\d{2}(?:\.\d+)?)\s/;

/**
 * When a line was written: the kubelet's `--timestamps` prefix, else the JSON `ts` MetalLB writes,
 * else FRR's own `YYYY/MM/DD hh:mm:ss` stamp (FRR containers log in UTC). Undefined for lines that
 * carry no time (the reloader's plain echo lines).
 */
export function recordTime(record: LogRecord): number | undefined {
  for (const t of [record.streamTs, record.ts]) {
    if (!t) continue;
    const ms = Date.parse(t);
    if (!Number.isNaN(ms)) return ms;
  }
  const m = record.raw ? frrStampRe.exec(record.raw) : null;
  if (m) {
    const ms = Date.parse(`${m[1]}-${m[2]}-${m[3]}T${m[4]}Z`);
    if (!Number.isNaN(ms)) return ms;
  }
  return undefined;
}

/** When an event last happened (series, lastTimestamp, eventTime, firstTimestamp), in ms; -Infinity when unknown. */
function eventTime(e: CoreV1Event): number {
  for (const t of [e.series?.lastObservedTime, e.lastTimestamp, e.eventTime, e.firstTimestamp]) {
    const ms = t === undefined || t === null ? NaN : Date.parse(String(t instanceof Date ? t.toISOString() : t));
    if (!Number.isNaN(ms)) return ms;
  }
  return -Infinity;
}

const label = (s: LogStream) => `${s.pod}/${s.container}${s.previous ? ' (previous)' : ''}`;

export default defineCheck({
  id: 'logs-missing',
  title: 'No container log line inside the collection window',
  severity: 'info',
  category: 'collection',
  rank: 4,
  docs: {
    cause:
      'Every collected MetalLB container log came back empty for the --since window, or its newest line is older than the window. Either the window was shorter than the time since the last line (a quiet speaker logs little at info level), the node clocks are off (the kubelet filters --since by its own clock), or the log read itself failed silently. Every log-based check (session-down events, memberlist churn, reload failures, BGP flaps) then had nothing to read, so their silence says nothing about the cluster. Severity info: the finding describes the bundle, not the cluster, and must never outrank a cluster problem; the terminal summary repeats it as a note so it is not missed.',
    confirm:
      "jq '.createdAt, .options.sinceSeconds' manifest.json   # in the bundle: the window\nwc -l logs/*/*.log\nkubectl logs -n metallb-system <speaker> -c speaker --since=72h --timestamps | tail -3\ndate -u; kubectl debug node/<node> -it --image=busybox -- date -u   # compare clocks",
    fix: 'Collect again with a longer window (mlb-report collect --since 72h) or raise the speaker log level (speaker --log-level=debug, Helm speaker.logLevel) before reproducing; if the lines are older than the window although they were just written, fix the node clocks (NTP).',
    references: ['metallb/metallb#1958', 'metallb/metallb#655'],
  },
  run(model) {
    const streams = model.logs;
    if (streams.length === 0) return [];
    const { sinceSeconds, start, end } = logWindow(model);
    const window = sinceFlag(sinceSeconds);
    const longer = sinceFlag(longerSince(sinceSeconds));
    const windowText = start !== undefined && end !== undefined ? ` (${new Date(start).toISOString()} → ${new Date(end).toISOString()})` : '';
    const manifestEvidence = { path: 'manifest.json', excerpt: `"createdAt": ${JSON.stringify(model.manifest?.createdAt ?? '(no manifest)')}\n"sinceSeconds": ${model.manifest?.options?.sinceSeconds ?? '(not recorded: default 86400)'}`, label: 'collection window' };
    const remediation = {
      summary: `Collect again with --since ${longer} (log-based checks need lines from the time of the problem); if lines are missing although the containers were busy, compare the node clocks with yours.`,
      snippet: `mlb-report collect --since ${longer}`,
      snippetLanguage: 'shell' as const,
    };
    const total = streams.reduce((n, s) => n + s.records.length, 0);
    if (total === 0) {
      // MetalLB's own Kubernetes events inside the window: the components were busy while their
      // logs say nothing (the speaker logs `serviceAnnounced` as it emits `nodeAssigned`).
      const busy = start === undefined ? [] : model.kube.events.filter((e) => /metallb/.test(e.source?.component ?? e.reportingComponent ?? '') && eventTime(e) >= start);
      return [
        {
          summary: `No log line within --since ${window} from any of ${streams.length} containers: log-based checks could not judge; collect again with --since ${longer}`,
          subjects: [{ kind: 'Cluster', name: 'logs' }],
          evidence: [
            manifestEvidence,
            // The bundle holds the empty files themselves: name a few so the reader can see them.
            { path: streams[0].path, excerpt: `${streams.length} log file(s), all empty:\n${streams.slice(0, 8).map((s) => `${s.path} (${label(s)}): 0 lines`).join('\n')}${streams.length > 8 ? `\n… ${streams.length - 8} more` : ''}`, label: 'empty logs' },
            ...(busy.length
              ? [{ path: 'cluster/events.json', excerpt: busy.slice(0, 5).map((e) => `${new Date(eventTime(e)).toISOString()} ${e.reason ?? ''} ${e.involvedObject?.kind ?? ''}/${e.involvedObject?.name ?? ''} from ${e.source?.component ?? e.reportingComponent ?? '?'}: ${e.message ?? ''}`).join('\n'), label: `${busy.length} MetalLB event(s) inside the window: the components were active` }]
              : []),
          ],
          remediation,
        } satisfies Draft,
      ];
    }
    if (start === undefined) return [];
    let newest: { stream: LogStream; record: LogRecord; at: number } | undefined;
    let timed = 0;
    for (const stream of streams) {
      for (const record of stream.records) {
        const at = recordTime(record);
        if (at === undefined) continue;
        timed++;
        if (!newest || at >= newest.at) newest = { stream, record, at };
      }
    }
    // Lines without any time (the reloader's) cannot say where the window is: no judgement then.
    if (!newest || newest.at >= start - skewToleranceMs) return [];
    return [
      {
        summary: `The newest of ${timed} timestamped log lines (${label(newest.stream)}, ${new Date(newest.at).toISOString()}) is older than the --since ${window} window${windowText}: the logs do not cover the collection window and log-based checks could only judge older events; check the node clocks and collect again with --since ${longer}`,
        subjects: [{ kind: 'Cluster', name: 'logs' }],
        evidence: [manifestEvidence, logEvidence(model, newest.stream, [newest.record], `newest line: ${label(newest.stream)}`)],
        remediation,
      },
    ];
  },
});

/** The one-line terminal note for a run whose logs did not cover the window (src/run). */
export function logsMissingNote(findings: Pick<Finding, 'id' | 'summary'>[], sinceSeconds: number): string | undefined {
  const f = findings.find((x) => x.id === 'logs-missing');
  if (!f) return undefined;
  const window = sinceFlag(sinceSeconds);
  return f.summary.startsWith('No log line')
    ? `every log came back empty for --since ${window}; pass a longer --since (e.g. --since ${sinceFlag(longerSince(sinceSeconds))})`
    : `no log line falls inside the --since ${window} window; check the node clocks and pass a longer --since`;
}
