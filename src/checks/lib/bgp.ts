/** Shared BGP helpers: matching FRR neighbors to BGPPeers and decoding why a session is down. */
import type { BgpNeighbor, ClusterModel, FrrNeighborConfig, KubeObject, NodeState } from '../../model/cluster.js';
import { parseRange, rangeContains } from './ip.js';
import { peersForNode } from './model.js';

/** The BGPPeer for a neighbor address, preferring peers whose nodeSelectors select `node`. */
export function peerForAddress(model: ClusterModel, address: string, node?: string): KubeObject | undefined {
  const matches = (p: KubeObject) => p.spec?.peerAddress === address || p.spec?.interface === address;
  return (node ? peersForNode(model, node).find(matches) : undefined) ?? model.metallb.bgpPeers.find(matches);
}

export function neighborConfig(st: NodeState, address: string): FrrNeighborConfig | undefined {
  for (const cfg of [st.frr?.runningConfig, st.frr?.desiredConfig]) {
    for (const r of cfg?.routers ?? []) {
      const n = r.neighbors.find((x) => x.address === address);
      if (n) return n;
    }
  }
  return undefined;
}

export type FailureKind = 'bad-peer-as' | 'hold-timer' | 'hold-time-unacceptable' | 'bad-router-id' | 'auth' | 'refused' | 'no-route' | 'unreachable' | 'admin' | 'other';

export interface DecodedFailure {
  kind: FailureKind;
  /** Short phrase, e.g. "bad peer AS: BGPPeer says 64514, the router is AS 64513". */
  reason: string;
  /** Lines to search for in raw outputs as evidence. */
  needles: string[];
  /** The router's real AS when the capture shows its OPEN. */
  routerAs?: number;
}

/** FRR log lines (container logs + FrrState.logLines) that mention the peer. */
export function frrLogLines(model: ClusterModel, node: string, address: string): { path: string; lines: string[] }[] {
  const out: { path: string; lines: string[] }[] = [];
  for (const s of model.logs) {
    if (s.node !== node || !['frr', 'bgpd'].includes(s.container)) continue;
    const lines = s.records.map((r) => r.raw ?? r.msg ?? '').filter((l) => l.includes(address));
    if (lines.length) out.push({ path: s.path, lines });
  }
  const st = model.nodes[node];
  const own = (st?.frr?.logLines ?? []).filter((l) => l.includes(address));
  if (own.length) out.push({ path: st?.frr?.paths.log ?? st?.frr?.paths['frr-log'] ?? `nodes/${node}/frr/frr.log`, lines: own });
  return out;
}

export function decodeSessionFailure(model: ClusterModel, node: string, n: BgpNeighbor): DecodedFailure {
  const st = model.nodes[node];
  const code = (n.lastErrorCodeSubcode ?? '').toLowerCase();
  const why = n.lastNotificationReason ?? '';
  const peer = peerForAddress(model, n.address, node);
  const cfg = st ? neighborConfig(st, n.address) : undefined;
  const capture = st?.capture?.bgp.filter((b) => b.src === n.address || b.dst === n.address) ?? [];
  const routerOpen = capture.find((b) => b.src === n.address && b.type === 'OPEN' && (b.asn !== undefined || /my AS (\d+)/.test(b.detail ?? '')));
  const routerAs = routerOpen ? (routerOpen.asn ?? Number(/my AS (\d+)/.exec(routerOpen.detail ?? '')?.[1])) : undefined;
  const logs = frrLogLines(model, node, n.address).flatMap((l) => l.lines).join('\n');
  const configured = n.remoteAs ?? (typeof cfg?.remoteAs === 'number' ? cfg.remoteAs : undefined) ?? peer?.spec?.peerASN;
  if (/bad peer as/i.test(why) || code === '0202') {
    return {
      kind: 'bad-peer-as',
      reason: `bad peer AS: configured peer AS ${configured ?? '?'}${routerAs ? `, the router's OPEN says AS ${routerAs}` : ', the router announces a different AS'}`,
      needles: ['Bad Peer AS', '"remoteAs"', '"lastErrorCodeSubcode"'],
      routerAs,
    };
  }
  if (/hold timer expired/i.test(why) || code.startsWith('04')) return { kind: 'hold-timer', reason: 'hold timer expired: keepalives from the peer stopped arriving (packet loss, MTU, overloaded router)', needles: ['Hold Timer', '"lastNotificationReason"'] };
  if (/unacceptable hold time/i.test(why) || code === '0206') return { kind: 'hold-time-unacceptable', reason: 'unacceptable hold time: holdTime / keepaliveTime rejected by the peer', needles: ['Hold Time', '"lastNotificationReason"'] };
  if (/bad bgp identifier/i.test(why) || code === '0203') return { kind: 'bad-router-id', reason: 'bad BGP identifier: the router-id is invalid or equals the peer’s', needles: ['Identifier', '"lastNotificationReason"'] };
  if (/authenticat|md5|setsockopt/i.test(`${why} ${logs} ${n.lastResetDueTo ?? ''}`))
    return { kind: 'auth', reason: 'TCP-MD5 authentication failed (password mismatch or kernel without TCP-MD5)', needles: ['MD5', 'password', 'setsockopt'] };
  if (/administrative(ly)? (shutdown|reset)/i.test(why) || code === '0602' || code === '0604') return { kind: 'admin', reason: `the peer shut the session down administratively (${why})`, needles: ['Administrative', '"lastNotificationReason"'] };
  const rst = capture.some((b) => b.src === n.address && (b.type === 'TCP-RST' || /RST|\[R/.test(b.detail ?? '')));
  if (rst || /connection refused/i.test(`${logs} ${n.lastResetDueTo ?? ''}`))
    return { kind: 'refused', reason: 'connection refused: the router sends TCP RST on port 179 (BGP not configured for this node there, or wrong peerPort)', needles: ['refused', '"connectRetryTimer"'] };
  if (/no route to host|network is unreachable/i.test(`${logs} ${n.lastResetDueTo ?? ''}`) || (st && st.routes.length > 0 && !hasRoute(st, n.address)))
    return { kind: 'no-route', reason: `no route to the peer ${n.address} from ${node}`, needles: ['No route', 'unreachable'] };
  const passwordSet = cfg?.hasPassword || !!peer?.spec?.password || !!peer?.spec?.passwordSecret;
  if (/^(active|connect)$/i.test(n.state)) {
    const synOnly = capture.length > 0 && capture.every((b) => b.src !== n.address);
    if (passwordSet) return { kind: 'auth', reason: `TCP connection never completes with a password configured: likely a TCP-MD5 password mismatch (or missing on the router)`, needles: ['"bgpState"', '"connectRetryTimer"'] };
    return {
      kind: 'unreachable',
      reason: `the TCP connection to ${n.address}:179 never completes${synOnly ? ' (SYNs without answer in the capture: filtered)' : ''}: router not configured for this node, firewall, or wrong address`,
      needles: ['"bgpState"', '"connectRetryTimer"'],
    };
  }
  return { kind: 'other', reason: [why && `last notification: ${why}${code ? ` (${code})` : ''}`, n.lastResetDueTo && `last reset: ${n.lastResetDueTo}`].filter(Boolean).join('; ') || `state ${n.state}`, needles: ['"bgpState"', '"lastResetDueTo"'] };
}

function hasRoute(st: NodeState, ip: string): boolean {
  return st.routes.some((r) => r.dst === 'default' || r.dst === '0.0.0.0/0' || r.dst === '::/0' || routeCovers(r.dst, ip));
}

function routeCovers(dst: string, ip: string): boolean {
  const r = parseRange(dst);
  return !!r && rangeContains(r, ip);
}
