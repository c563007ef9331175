import type { ClusterModel } from '../../model/cluster.js';
import type { Finding } from '../../model/finding.js';
import { defineCheck, type Draft } from '../define.js';

/** The collector's default capture length (src/collect), for bundles whose manifest lacks it. */
const defaultCaptureSeconds = 10;

export function captureSeconds(model: ClusterModel): number {
  const raw = model.manifest?.options?.captureSeconds;
  return typeof raw === 'number' && Number.isFinite(raw) && raw > 0 ? raw : defaultCaptureSeconds;
}

/** A window worth trying next: three times the last one, at least 30 s (two BGP keepalives at the default 30 s interval need more than 30 s). */
export function longerCapture(seconds: number): number {
  return Math.min(600, Math.max(45, seconds * 3));
}

/**
 * Nodes whose capture ran (tcpdump wrote its file) and holds no packet. "Ran" needs proof: a pcap
 * with a readable header (the parser left no note on it), or the collector's record that it left
 * the pcap out for --redact-ips. Empty text alone proves nothing: with tcpdump missing from the
 * image the text is empty too, and that is a missing tool, not a quiet wire.
 */
export function silentCaptures(model: ClusterModel): { node: string; path: string; durationMs?: number }[] {
  const noted = new Set(model.notes.map((n) => n.path));
  const out: { node: string; path: string; durationMs?: number }[] = [];
  for (const [name, st] of Object.entries(model.nodes)) {
    if (!st.capture || st.capture.packets > 0) continue;
    const record = model.manifest?.nodes?.find((n) => n.node === name);
    const step = record?.steps?.find((s) => s.step === 'capture');
    // A failed or cut capture is collection-gap's to report; only a finished one can be "silent".
    if (step && step.status !== 'ok') continue;
    const pcap = st.paths['capture-pcap'];
    const ranWithPcap = pcap !== undefined && !noted.has(pcap);
    const ranRedacted = !!step && /pcap left out/.test(step.reason ?? '');
    if (!ranWithPcap && !ranRedacted) continue;
    // A silent wire behind a link that is down is what the link's own finding explains, not
    // missing evidence.
    if (nodeLinkDown(model, name)) continue;
    out.push({ node: name, path: pcap ?? st.paths['capture-text'] ?? st.capture.path, durationMs: step?.durationMs });
  }
  return out.sort((a, b) => a.node.localeCompare(b.node));
}

/** The interface holding the node's InternalIP is down (operstate DOWN, or no UP flag). */
function nodeLinkDown(model: ClusterModel, name: string): boolean {
  const node = model.kube.nodes.find((n) => n.metadata?.name === name);
  const ip = node?.status?.addresses?.find((a) => a.type === 'InternalIP')?.address;
  if (!ip) return false;
  const iface = model.nodes[name]?.addresses.find((a) => a.addrs.some((x) => x.local === ip));
  if (!iface) return false;
  return iface.operstate === 'DOWN' || (iface.flags.length > 0 && !iface.flags.includes('UP'));
}

export default defineCheck({
  id: 'capture-empty',
  title: 'Packet capture saw no packet',
  severity: 'info',
  category: 'collection',
  rank: 3,
  docs: {
    cause:
      'tcpdump ran on the node for --capture-seconds and recorded nothing matching ARP, BGP (TCP/179), memberlist (7946) or BFD. Memberlist gossips several times a second between speakers and BFD sends every 300 ms by default, so on a working node an empty window usually means the capture did not see the node\'s traffic: it ran in a network namespace other than the host\'s (a debug pod without hostNetwork), BGP uses a custom port outside the filter, or the window was shorter than the BGP keepalive interval (30 s by default) on a node with neither memberlist nor BFD. Checks that read the capture (NOTIFICATION reasons, ARP responders, BFD state on the wire) had nothing to judge there. Severity info: it describes the bundle, not the cluster.',
    confirm:
      "jq '.options.captureSeconds, (.nodes[] | {node, access, steps: [.steps[] | select(.step == \"capture\")]})' manifest.json\ntcpdump -nn -r nodes/<node>/capture/capture.pcap | wc -l\nkubectl debug node/<node> -it --image=nicolaka/netshoot -- timeout 30 tcpdump -i any -nn 'arp or tcp port 179 or port 7946 or udp port 3784'",
    fix: 'Collect again with a longer capture (mlb-report collect --capture-seconds 45, longer than the BGP keepalive interval); if it stays empty, check that the debug container shares the host network namespace (ephemeral container on the hostNetwork speaker pod) and that BGPPeer.spec.peerPort is 179.',
    references: ['metallb/metallb#1958'],
  },
  run(model) {
    const silent = silentCaptures(model);
    if (silent.length === 0) return [];
    const seconds = captureSeconds(model);
    const next = longerCapture(seconds);
    const captured = Object.values(model.nodes).filter((n) => n.capture).length;
    const where = silent.length === captured && captured > 1 ? `every node (${silent.map((s) => s.node).join(', ')})` : silent.map((s) => s.node).join(', ');
    const ran = silent.find((s) => s.durationMs !== undefined)?.durationMs;
    return [
      {
        summary: `Packet capture on ${where} ran ${seconds} s (--capture-seconds ${seconds}${ran !== undefined ? `, step took ${(ran / 1000).toFixed(1)} s` : ''}) and saw no packet of ARP, BGP, memberlist or BFD: capture-based checks could not judge ${silent.length === 1 ? 'that node' : 'those nodes'}; collect again with --capture-seconds ${next}`,
        subjects: silent.map((s) => ({ kind: 'Node', name: s.node })),
        evidence: silent.slice(0, 6).map((s) => ({ path: s.path, excerpt: `0 packets in ${seconds} s (${s.path.endsWith('.pcap') ? 'pcap header only' : 'empty decode; pcap left out for --redact-ips'})`, label: `capture on ${s.node}` })),
        remediation: {
          summary: `Collect again with --capture-seconds ${next}; if the capture stays empty, make sure it runs in the node's network namespace (ephemeral container on the speaker pod) and the BGP port is 179.`,
          snippet: `mlb-report collect --capture-seconds ${next}`,
          snippetLanguage: 'shell',
        },
      } satisfies Draft,
    ];
  },
});

/** The one-line terminal note for a run whose capture saw nothing (src/run). */
export function captureEmptyNote(findings: Pick<Finding, 'id' | 'subjects'>[], seconds: number): string | undefined {
  const f = findings.find((x) => x.id === 'capture-empty');
  if (!f) return undefined;
  const nodes = f.subjects.map((s) => s.name);
  return `the packet capture saw no packet on ${nodes.length > 3 ? `${nodes.length} nodes` : nodes.join(', ')} in ${seconds} s; pass a longer --capture-seconds (e.g. ${longerCapture(seconds)})`;
}
