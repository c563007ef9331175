/**
 * The BGP/BFD session state of every (node, BGPPeer) pair, derived from the scenario's BGPPeers
 * and the declared data plane (routers, passwords, stopped daemons, downed links). Logs, metrics,
 * vtysh outputs and frr-k8s status objects all read this one answer, so they agree.
 */
 
import type { KubeObject } from '../../model/cluster.js';
import type { DataplaneRouter } from './dataplane.js';
import { anySelectorMatches } from './election.js';
import type { SimModel, SimNode } from './model.js';

export type BgpState = 'Established' | 'Idle' | 'Active' | 'Connect' | 'OpenSent';

/** BFD tore the session down once (the session is up again, BFD is not). */
export const bfdTornDown = (s: BgpSession): boolean => s.errorCodeSubcode === '060A';

export interface BgpSession {
  node: string;
  peer: KubeObject;
  peerName: string;
  address: string;
  port: number;
  myAsn: number;
  peerAsn: number;
  /** The router actually at `address`, if the data plane has one. */
  router?: DataplaneRouter;
  state: BgpState;
  /** FRR `lastNotificationReason`, e.g. `OPEN Message Error/Bad Peer AS`. */
  notification?: string;
  /** FRR `lastErrorCodeSubcode`, e.g. `0202`. */
  errorCodeSubcode?: string;
  /** Who sent the last NOTIFICATION. */
  notificationDirection?: 'sent' | 'received';
  /** FRR `lastResetDueTo`. */
  lastReset?: string;
  /** Session uptime in seconds when Established. */
  uptimeSeconds: number;
  connectionsDropped: number;
  /** Human-readable reason (used in logs and docs). */
  reason: string;
  holdTime: number;
  keepalive: number;
  connectTime?: number;
  password?: string;
  bfdProfile?: string;
  bfdStatus?: 'up' | 'down';
  bfdDiagnostic?: string;
  /** Prefixes the node advertises to this peer. */
  prefixes: string[];
  routerId: string;
  /** The router ID is configured (BGPPeer.routerID / override), so FRR configs carry `bgp router-id`. */
  routerIdExplicit: boolean;
  remoteRouterId?: string;
  ebgpMultiHop: boolean;
  vrf: string;
}

function parseDuration(d: string | undefined, fallback: number): number {
  if (!d) return fallback;
  const m = /^(\d+(?:\.\d+)?)(ms|s|m|h)$/.exec(d);
  if (!m) return fallback;
  const v = Number(m[1]);
  return m[2] === 'ms' ? v / 1000 : m[2] === 's' ? v : m[2] === 'm' ? v * 60 : v * 3600;
}

export function peerPassword(model: SimModel, peer: KubeObject): string | undefined {
  if (peer.spec?.password) return String(peer.spec.password);
  const ref = peer.spec?.passwordSecret;
  if (ref?.name) {
    const secret: any = model.secrets.get(ref.name);
    const raw = secret?.stringData?.password ?? (secret?.data?.password ? Buffer.from(secret.data.password, 'base64').toString('utf8') : undefined);
    return raw;
  }
  return undefined;
}

/** Does the BGPPeer select this node? */
export function peerSelectsNode(peer: KubeObject, node: SimNode): boolean {
  return anySelectorMatches(peer.spec?.nodeSelectors, node.labels);
}

/** Prefixes a node advertises to a peer (BGP-announced service IPs aggregated at /32). */
export function advertisedPrefixes(model: SimModel, node: string, peerName: string): string[] {
  return model.services
    .filter((s) => s.ip && s.bgpAnnouncers.includes(node) && s.bgpPeers.includes(peerName))
    .map((s) => `${s.ip}/32`)
    .sort();
}

export function nodeRouterId(model: SimModel, node: SimNode): string {
  const override = model.dataplane.nodes[node.name]?.routerIdOverride;
  if (override) return override;
  const fromPeer = model.bgpPeers.find((p) => peerSelectsNode(p, node) && p.spec?.routerID)?.spec?.routerID;
  return fromPeer ?? node.ip;
}

function speakerRunning(model: SimModel, node: SimNode): boolean {
  if (node.speaker === 'absent') return false;
  return model.install.pods.some((p) => p.component === 'speaker' && p.node === node.name);
}

export function nodeSessions(model: SimModel, node: SimNode): BgpSession[] {
  if (!speakerRunning(model, node)) return [];
  const dp = model.dataplane;
  const linksDown = dp.nodes[node.name]?.linksDown ?? [];
  const segmentDown = linksDown.includes(dp.interface);
  const routerId = nodeRouterId(model, node);
  const sessions: BgpSession[] = [];
  for (const peer of model.bgpPeers) {
    if (!peerSelectsNode(peer, node)) continue;
    const spec = peer.spec ?? {};
    const address: string = spec.peerAddress ?? spec.interface ?? '';
    const router = dp.routers.find((r) => r.address === address);
    const myAsn = Number(spec.myASN);
    const peerAsn = Number(spec.peerASN ?? (spec.dynamicASN === 'internal' ? myAsn : router?.asn ?? 0));
    const password = peerPassword(model, peer);
    const holdTime = parseDuration(spec.holdTime, 90);
    const keepalive = parseDuration(spec.keepaliveTime, holdTime / 3);
    const s: BgpSession = {
      node: node.name,
      peer,
      peerName: peer.metadata.name,
      address,
      port: Number(spec.peerPort ?? 179),
      myAsn,
      peerAsn,
      router,
      state: 'Established',
      uptimeSeconds: 2 * 86400 + 3 * 3600 + 17 * 60 + 42,
      connectionsDropped: 0,
      reason: 'session established',
      holdTime,
      keepalive,
      connectTime: spec.connectTime ? parseDuration(spec.connectTime, 120) : undefined,
      password,
      bfdProfile: spec.bfdProfile,
      prefixes: advertisedPrefixes(model, node.name, peer.metadata.name),
      routerId,
      routerIdExplicit: !!(dp.nodes[node.name]?.routerIdOverride || spec.routerID),
      remoteRouterId: router?.routerId ?? router?.address,
      ebgpMultiHop: !!spec.ebgpMultiHop,
      vrf: spec.vrf || 'default',
    };
    const routerRid = router?.routerId ?? router?.address;
    if (segmentDown) {
      Object.assign(s, { state: 'Active', reason: `interface ${dp.interface} is down: Network is unreachable`, lastReset: 'Waiting for NHT', uptimeSeconds: 0, connectionsDropped: 1 });
    } else if (!router) {
      Object.assign(s, { state: 'Active', reason: `no BGP speaker answers at ${address}: connection timed out`, lastReset: 'Waiting for NHT', uptimeSeconds: 0 });
    } else if ((router.password ?? '') !== (password ?? '')) {
      // TCP MD5: segments with a wrong or missing signature are dropped silently; the session never leaves Connect/Active.
      Object.assign(s, { state: 'Connect', reason: password ? 'TCP MD5 signature mismatch: the router drops the SYNs' : 'the router expects a TCP MD5 password', lastReset: 'Waiting for peer OPEN', uptimeSeconds: 0 });
    } else if (router.asn !== peerAsn) {
      Object.assign(s, { state: 'Idle', notification: 'OPEN Message Error/Bad Peer AS', errorCodeSubcode: '0202', notificationDirection: 'sent', lastReset: 'BGP Notification send', reason: `peer ASN mismatch: configured ${peerAsn}, router has ${router.asn}`, uptimeSeconds: 0 });
    } else if (router.expectPeerAsn !== undefined && router.expectPeerAsn !== myAsn) {
      Object.assign(s, { state: 'Idle', notification: 'OPEN Message Error/Bad Peer AS', errorCodeSubcode: '0202', notificationDirection: 'received', lastReset: 'Notification received (OPEN Message Error/Bad Peer AS)', reason: `router expects AS ${router.expectPeerAsn}, node uses ${myAsn}`, uptimeSeconds: 0 });
    } else if (router.asn === myAsn && routerRid === routerId) {
      // The speaker sees its own router ID in the router's OPEN and refuses it (lab-verified).
      Object.assign(s, { state: 'Idle', notification: 'OPEN Message Error/Bad BGP Identifier', errorCodeSubcode: '0203', notificationDirection: 'sent', lastReset: 'BGP Notification send', reason: `router ID ${routerId} clashes with the router's own ID`, uptimeSeconds: 0 });
    } else if (router.bgpdStopped) {
      // The router's kernel still accepts the TCP connection, so FRR sends OPEN and waits in OpenSent.
      Object.assign(s, { state: 'OpenSent', notification: 'Hold Timer Expired', errorCodeSubcode: '0400', notificationDirection: 'sent', lastReset: 'BGP Notification send', reason: `hold timer expired: no KEEPALIVE from ${address} for ${holdTime}s`, uptimeSeconds: 0, connectionsDropped: 1 });
    } else if (router.bfdStopped && s.bfdProfile) {
      // As the lab shows with FRR: BFD down tears the session down with a Cease/BFD Down NOTIFICATION,
      // BGP then re-establishes while BFD stays down.
      Object.assign(s, { uptimeSeconds: 1 * 3600 + 4 * 60 + 9, connectionsDropped: 2, notification: 'Cease/BFD Down', errorCodeSubcode: '060A', notificationDirection: 'sent', lastReset: 'BGP Notification send', reason: 'BFD session down; BGP re-established without BFD' });
    }
    if (s.bfdProfile) {
      const bfdUp = !segmentDown && !!router?.bfd && !router.bfdStopped;
      s.bfdStatus = bfdUp ? 'up' : 'down';
      s.bfdDiagnostic = bfdUp ? 'ok' : router?.bfdStopped ? 'control detection time expired' : 'ok';
    }
    sessions.push(s);
  }
  return sessions;
}

export function allSessions(model: SimModel): BgpSession[] {
  return model.nodes.flatMap((n) => nodeSessions(model, n));
}

/** `00:03:12` / `2d03h17m` as FRR prints uptimes. */
export function frrUptime(seconds: number): string {
  if (seconds <= 0) return 'never';
  const d = Math.floor(seconds / 86400);
  const h = Math.floor((seconds % 86400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = Math.floor(seconds % 60);
  const p = (n: number): string => String(n).padStart(2, '0');
  if (d >= 7) return `${Math.floor(d / 7)}w${d % 7}d${p(h)}h`;
  if (d >= 1) return `${d}d${p(h)}h${p(m)}m`;
  return `${p(h)}:${p(m)}:${p(s)}`;
}
