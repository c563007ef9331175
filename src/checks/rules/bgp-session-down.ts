import type { BgpNeighbor, KubeObject, LogRecord, LogStream } from '../../model/cluster.js';
import type { Evidence } from '../../model/finding.js';
import { defineCheck, type Draft } from '../define.js';
import { decodeSessionFailure, frrLogLines, peerForAddress } from '../lib/bgp.js';
import { logEvidence, objectEvidence, rawExcerpt } from '../lib/evidence.js';
import { clusterPath, logRecords, metallbNamespace } from '../lib/model.js';

function neighborExcerpt(n: BgpNeighbor): string {
  const pick = { bgpState: n.state, remoteAs: n.remoteAs, localAs: n.localAs, lastErrorCodeSubcode: n.lastErrorCodeSubcode, lastNotificationReason: n.lastNotificationReason, lastResetDueTo: n.lastResetDueTo, connectionsEstablished: n.connectionsEstablished, connectionsDropped: n.connectionsDropped };
  return Object.entries(pick).filter(([, v]) => v !== undefined).map(([k, v]) => `"${k}":${JSON.stringify(v)},`).join('\n');
}

export default defineCheck({
  id: 'bgp-session-down',
  title: 'BGP session not Established',
  severity: 'error',
  category: 'bgp',
  rank: 92,
  docs: {
    cause:
      'A BGP session from a speaker (FRR, frr-k8s or native) to a router is not Established, so none of the node’s prefixes reach that router. The decoded reason comes from FRR’s lastNotificationReason / lastErrorCodeSubcode / lastResetDueTo, the FRR and speaker logs and the packet capture: bad peer AS (0202), hold timer expired (04xx), TCP-MD5 password mismatch, connection refused (RST), no route, or no answer at all (filtered / router not configured).',
    confirm: "kubectl exec -n metallb-system <speaker> -c frr -- vtysh -c 'show bgp neighbor <peer> json'\nkubectl get bgpsessionstates -A   # frr-k8s\ntcpdump -n -i any tcp port 179   # on the node",
    fix: 'Make both sides agree: peerASN = the router’s AS and myASN = the AS the router expects for this node, identical passwords, reachable peer address (ebgpMultiHop for routed peers), and the router configured to accept this node.',
    references: ['metallb/metallb#1114', 'metallb/metallb#1125', 'metallb/metallb#1980', 'metallb/metallb#1537', 'metallb/metallb#678'],
    threads: ['https://github.com/metallb/metallb/issues/1114', 'https://github.com/metallb/metallb/issues/391'],
  },
  run(model) {
    const out: Draft[] = [];
    const ns = metallbNamespace(model);
    const covered = new Set<string>();
    for (const [node, st] of Object.entries(model.nodes)) {
      for (const n of st.frr?.neighbors ?? []) {
        if (n.state === 'Established') continue;
        covered.add(`${node}|${n.address}`);
        const d = decodeSessionFailure(model, node, n);
        const peer = peerForAddress(model, n.address, node);
        const evidence: Evidence[] = [{ path: n.path, excerpt: rawExcerpt(model, n.path, d.needles.concat(['"bgpState"']), neighborExcerpt(n), { maxBlocks: 6, within: `"${n.address}":{` }), label: `show bgp neighbors on ${node}` }];
        for (const l of frrLogLines(model, node, n.address).slice(0, 1)) evidence.push({ path: l.path, excerpt: l.lines.slice(-4).join('\n'), label: 'FRR log' });
        const capLines = st.capture?.bgp.filter((b) => (b.src === n.address || b.dst === n.address) && (b.type !== 'KEEPALIVE')).slice(0, 4) ?? [];
        if (capLines.length && st.capture) evidence.push({ path: st.capture.path, excerpt: rawExcerpt(model, st.capture.path, d.routerAs ? [`my AS ${d.routerAs}`, 'Notification'] : ['Notification', 'Flags [R'], capLines.map((b) => `${b.time ?? ''} ${b.src} > ${b.dst} ${b.type} ${b.detail ?? ''}`).join('\n')), label: 'packet capture' });
        if (peer) evidence.push(objectEvidence(clusterPath.metallb('bgppeers'), { metadata: { name: peer.metadata.name }, spec: { myASN: peer.spec?.myASN, peerASN: peer.spec?.peerASN, peerAddress: peer.spec?.peerAddress, ebgpMultiHop: peer.spec?.ebgpMultiHop, password: peer.spec?.password ? '<redacted>' : undefined, passwordSecret: peer.spec?.passwordSecret } }));
        out.push({
          summary: `BGP session ${node} → ${n.address}${n.vrf && n.vrf !== 'default' ? ` (vrf ${n.vrf})` : ''} is ${n.state}: ${d.reason}`,
          subjects: [{ kind: 'Node', name: node }, { kind: 'Neighbor', name: n.address }, ...(peer ? [{ kind: 'BGPPeer', namespace: peer.metadata.namespace, name: peer.metadata.name }] : [])],
          evidence,
          remediation: remediationFor(d.kind, peer, d.routerAs, ns, n.address),
        });
      }
    }
    // frr-k8s: BGPSessionState objects, for nodes whose FRR state was not collected.
    for (const s of model.frrk8s.bgpSessionStates) {
      const node = s.status?.node ?? s.metadata.labels?.['frrk8s.metallb.io/node'];
      const addr = s.status?.peer ?? s.metadata.labels?.['frrk8s.metallb.io/peer'];
      if (!node || !addr || s.status?.bgpStatus === 'Established' || !s.status?.bgpStatus || covered.has(`${node}|${addr}`)) continue;
      covered.add(`${node}|${addr}`);
      const peer = peerForAddress(model, addr, node);
      out.push({
        summary: `BGP session ${node} → ${addr} is ${s.status.bgpStatus} (BGPSessionState; FRR state of the node not collected)`,
        subjects: [{ kind: 'Node', name: node }, { kind: 'Neighbor', name: addr }, ...(peer ? [{ kind: 'BGPPeer', namespace: peer.metadata.namespace, name: peer.metadata.name }] : [])],
        evidence: [objectEvidence(clusterPath.frrk8s('bgpsessionstates'), { metadata: { name: s.metadata.name }, status: s.status })],
        remediation: remediationFor('other', peer, undefined, ns, addr),
      });
    }
    // native mode: the speaker logs session events per peer; the last one tells the state.
    const last = new Map<string, { stream: LogStream; records: LogRecord[]; down: boolean }>();
    for (const { stream, record, text } of logRecords(model, 'speaker')) {
      const peerField = String(record.fields.peer ?? '');
      if (!peerField) continue;
      const isDown = /sessionDown|peerNotification|failed to connect to peer/.test(text);
      const isUp = /sessionUp/.test(text);
      if (!isDown && !isUp) continue;
      const key = `${stream.node ?? stream.pod}|${peerField.replace(/:\d+$/, '')}`;
      const e = last.get(key) ?? { stream, records: [], down: false };
      e.down = isDown;
      if (isDown) e.records.push(record);
      last.set(key, e);
    }
    for (const [key, e] of last) {
      if (!e.down || covered.has(key)) continue;
      const [node, addr] = key.split('|');
      // The sessionDown line that follows a NOTIFICATION carries no error: quote the last one that does.
      const lastRec = [...e.records].reverse().find((r) => r.fields.error !== undefined) ?? e.records[e.records.length - 1];
      const err = String(lastRec.fields.error ?? lastRec.msg ?? '');
      const badAs = /0x0202|Bad peer AS/i.test(err);
      const badId = /0x0203|Bad BGP identifier/i.test(err);
      const open = routerOpen(e.stream);
      const peer = peerForAddress(model, addr, node);
      const localAs = Number(lastRec.fields.localASN);
      const peerAs = Number(lastRec.fields.peerASN);
      // The router names its own AS in its OPEN: when that is the AS configured for it, our AS is the one it refuses.
      const ownAsRefused = badAs && open?.asn !== undefined && open.asn === peerAs && Number.isFinite(localAs);
      const why = ownAsRefused
        ? `: the router (AS ${open!.asn}, as configured) refuses this speaker's AS ${localAs}`
        : badAs
          ? `: bad peer AS${open?.asn !== undefined ? ` (the router's OPEN says AS ${open.asn}, configured peerASN ${peerAs})` : ''}`
          : badId
            ? `: bad BGP identifier: the router rejects this speaker's router ID${open?.routerId ? ` (the router's own is ${open.routerId}; in iBGP the two must differ)` : ''}`
            : '';
      out.push({
        summary: `BGP session ${node} → ${addr} is down${why} (${err})`,
        subjects: [{ kind: 'Node', name: node }, { kind: 'Neighbor', name: addr }, ...(peer ? [{ kind: 'BGPPeer', namespace: peer.metadata.namespace, name: peer.metadata.name }] : [])],
        evidence: [logEvidence(model, e.stream, [...(open ? [open.record] : []), ...e.records.slice(-3)])],
        remediation: ownAsRefused
          ? { summary: `The router expects another AS from this node than ${localAs}: set myASN of BGPPeer ${peer?.metadata.name ?? '<bgppeer>'} to the remote-as of the router's neighbor statement for this node, or change that statement to ${localAs}.` }
          : badId
            ? { summary: `Give this speaker a router ID that differs from the router's${open?.routerId ? ` (${open.routerId})` : ''}: set routerID on BGPPeer ${peer?.metadata.name ?? '<bgppeer>'}, or move the router off the address the speaker uses as its ID.` }
            : remediationFor(badAs ? 'bad-peer-as' : 'other', peer, badAs ? open?.asn : undefined, ns, addr),
      });
    }
    return out;
  },
});

function remediationFor(kind: string, peer: KubeObject | undefined, routerAs: number | undefined, ns: string, addr: string) {
  const name = peer?.metadata.name ?? '<bgppeer>';
  switch (kind) {
    case 'bad-peer-as':
      return {
        summary: routerAs ? `Set peerASN of BGPPeer ${name} to ${routerAs}, the AS the router announces.` : `Set peerASN of BGPPeer ${name} to the router's AS (and check myASN against the router's neighbor config).`,
        snippet: `kubectl patch bgppeer -n ${ns} ${name} --type merge -p '{"spec":{"peerASN":${routerAs ?? '<router AS>'}}}'`,
        snippetLanguage: 'shell' as const,
      };
    case 'auth':
      return { summary: `Use the same password on BGPPeer ${name} (passwordSecret) and on the router's neighbor statement for this node.`, snippet: `kubectl create secret generic -n ${ns} ${name}-password --type kubernetes.io/basic-auth --from-literal=password='<router password>'\nkubectl patch bgppeer -n ${ns} ${name} --type merge -p '{"spec":{"passwordSecret":{"name":"${name}-password","namespace":"${ns}"}}}'`, snippetLanguage: 'shell' as const };
    case 'hold-timer':
    case 'hold-time-unacceptable':
      return { summary: `Check packet loss/MTU towards ${addr} and align holdTime/keepaliveTime of BGPPeer ${name} with the router.` };
    case 'refused':
    case 'unreachable':
      return { summary: `Configure the router to accept a session from this node on port ${peer?.spec?.peerPort ?? 179} (MetalLB always dials out) and allow TCP/179 through firewalls.`, snippet: `ip route get ${addr}   # on the node\nnc -vz ${addr} ${peer?.spec?.peerPort ?? 179}`, snippetLanguage: 'shell' as const };
    case 'no-route':
      return { summary: `Give the node a route to ${addr}, or set ebgpMultiHop: true on BGPPeer ${name} for a routed peer.` };
    default:
      return { summary: `Compare BGPPeer ${name} with the router's neighbor configuration and read the FRR log for ${addr}.`, snippet: `kubectl exec -n ${ns} <speaker> -c frr -- vtysh -c 'show bgp neighbor ${addr} json'`, snippetLanguage: 'shell' as const };
  }
}

/**
 * The native speaker prints the router's OPEN it received (`struct { Version uint8; ASN16 uint16; …
 * }{Version:0x4, ASN16:0xff32, HoldTime:0xb4, RouterID:0xa71d4fa, …}`): the router's AS and ID.
 */
function routerOpen(stream: LogStream): { asn?: number; routerId?: string; record: LogRecord } | undefined {
  for (let i = stream.records.length - 1; i >= 0; i--) {
    const r = stream.records[i];
    const text = r.raw ?? r.msg ?? '';
    const asn = /ASN16:0x([0-9a-f]+)/i.exec(text);
    const id = /RouterID:0x([0-9a-f]+)/i.exec(text);
    if (!asn && !id) continue;
    const n = id ? parseInt(id[1], 16) : undefined;
    return { ...(asn ? { asn: parseInt(asn[1], 16) } : {}), ...(n !== undefined ? { routerId: [n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.') } : {}), record: r };
  }
  return undefined;
}
