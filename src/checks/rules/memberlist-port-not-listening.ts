import type { LogRecord, LogStream } from '../../model/cluster.js';
import { defineCheck, type Draft } from '../define.js';
import { logEvidence, rawExcerpt } from '../lib/evidence.js';
import { logRecords, podReady, speakerByNode } from '../lib/model.js';

const memberlistPort = 7946;
/** memberlist's own words when another process holds its port: `listen tcp <addr>:<port>: bind: address already in use`. */
const bindInUse = /listen (tcp|udp) (\S+):(\d+): bind: address already in use/;

export default defineCheck({
  id: 'memberlist-port-not-listening',
  title: 'Memberlist port 7946 not listening on a speaker node',
  severity: 'error',
  category: 'memberlist',
  rank: 74,
  docs: {
    cause:
      'Speakers find each other with memberlist on TCP and UDP 7946 (hostNetwork). If nothing listens there, the speaker could not bind (port taken by another process, wrong --ml-bindport) or memberlist is disabled; the other speakers then consider this node dead, or this node believes it is alone and announces everything (split brain).',
    confirm: "ss -tulpn | grep 7946   # on the node (kubectl debug node/<node>)\nkubectl logs -n metallb-system <speaker> -c speaker | grep -i memberlist",
    fix: 'Free port 7946 or set a port every speaker agrees on (--ml-bindport / Helm speaker.memberlist.mlBindPort), and allow TCP+UDP 7946 between nodes.',
    references: ['metallb/metallb#1539', 'metallb/metallb#782', 'metallb/metallb#581'],
    threads: ['https://github.com/metallb/metallb/issues/581'],
  },
  run(model) {
    const out: Draft[] = bindFailures(model);
    const reported = new Set(out.flatMap((f) => f.subjects.filter((x) => x.kind === 'Node').map((x) => x.name)));
    const speakers = speakerByNode(model);
    for (const [node, st] of Object.entries(model.nodes)) {
      const pod = speakers.get(node);
      if (reported.has(node)) continue;
      if (!pod || !podReady(pod) || !st.paths.ss) continue;
      // Only judge when ss shows the speaker process itself (owner info present, speaker has sockets):
      // without -p output, or when the speaker runs elsewhere, a missing 7946 proves nothing.
      const speakerSockets = st.sockets.filter((s) => s.process === 'speaker' || s.processes?.some((p) => p.name === 'speaker'));
      if (!speakerSockets.length) continue;
      const on = st.sockets.filter((s) => s.localPort === memberlistPort);
      const tcp = on.some((s) => s.proto === 'tcp' && /LISTEN/i.test(s.state ?? ''));
      const udp = on.some((s) => s.proto === 'udp');
      if (tcp && udp) continue;
      const owners = on.map((s) => s.process).filter(Boolean);
      const missing = [!tcp && 'TCP', !udp && 'UDP'].filter(Boolean).join(' and ');
      out.push({
        summary: `Nothing listens on ${missing} ${memberlistPort} on ${node}${owners.length ? ` (port used by ${owners.join(', ')})` : ''}: its speaker is cut off from memberlist`,
        subjects: [{ kind: 'Node', name: node }],
        evidence: [{ path: st.paths.ss, excerpt: rawExcerpt(model, st.paths.ss, [`:${memberlistPort} `, ':179 '], on.length ? on.map((s) => `${s.proto} ${s.state ?? ''} ${s.localAddress}:${s.localPort} ${s.process ?? ''}`).join('\n') : `no socket on port ${memberlistPort} among ${st.sockets.length} sockets`), label: 'ss -tuanp on the node' }],
        remediation: { summary: `Make the speaker on ${node} bind 7946 (free the port or align --ml-bindport) and open TCP+UDP 7946 between nodes.` },
      });
    }
    return out;
  },
});

/** Speakers whose log shows memberlist failing to bind its port because another process holds it. */
function bindFailures(model: Parameters<typeof logRecords>[0]): Draft[] {
  const byStream = new Map<string, { stream: LogStream; records: LogRecord[]; address: string }>();
  for (const { stream, record, text } of logRecords(model, 'speaker')) {
    const m = bindInUse.exec(text);
    if (!m || !/memberlist|network transport/i.test(text)) continue;
    const e = byStream.get(stream.path) ?? { stream, records: [], address: `${m[2]}:${m[3]}` };
    e.records.push(record);
    byStream.set(stream.path, e);
  }
  return [...byStream.values()].map(({ stream, records, address }) => ({
    summary: `Speaker ${stream.pod}${stream.node ? ` on ${stream.node}` : ''} could not start memberlist: ${address} is already in use by another process`,
    subjects: [{ kind: 'Pod', namespace: stream.namespace, name: stream.pod }, ...(stream.node ? [{ kind: 'Node', name: stream.node }] : [])],
    evidence: [logEvidence(model, stream, records)],
    remediation: {
      summary: `Find the process that holds ${address} on the node (Docker Swarm uses 7946 too) and stop it, or run memberlist on another port every speaker agrees on.`,
      snippet: `ss -tulpn | grep ':${address.split(':').pop()} '   # on the node`,
      snippetLanguage: 'shell' as const,
    },
  }));
}
