/**
 * The BGP/BFD session state of every (node, BGPPeer) pair, derived from the scenario's BGPPeers
 * and the declared data plane (routers, passwords, stopped daemons, downed links). Logs, metrics,
 * vtysh outputs and frr-k8s status objects all read this one answer, so they agree.
 */
 
import type { KubeObject } from '../../model/cluster.js';
import type { DataplaneRouter } from './dataplane.js';
import { maskedPrefix } from './metallb-frr-config.js';
import { advertisementSelectsPool, anySelectorMatches } from './election.js';
import type { SimModel, SimNode } from './model.js';
import type { BgpSessionSpec } from './types.js';
import { cidrContains, sha256Hex } from './util.js';

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
  /** FRR `connectionsEstablished`: every Up, including the current one. */
  connectionsEstablished: number;
  /** Seconds since the last reset (FRR `lastResetTimerMsecs` / 1000), when the history knows it. */
  lastResetAgo?: number;
  /** Down and Up times (seconds before now) of the session's history, oldest first (`bgpSessions[].flaps`). */
  flaps: { downAgo: number; upAgo?: number }[];
  /** eBGP single-hop peer off every connected subnet: FRR's connected check keeps it in Active without dialling. */
  connectedCheckFailed?: boolean;
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

/** One service IP as a BGPAdvertisement announces it to a peer: prefix after aggregationLength, localPref, communities (as written). */
export interface PeerAdvertisement {
  prefix: string;
  localPref?: number;
  communities: string[];
}

/**
 * What a node advertises to a peer, per (service, BGPAdvertisement): the IP masked to the
 * advertisement's aggregationLength (default 32), with its localPref and communities, for the
 * advertisements that select the service's pool, this node (nodeSelectors) and this peer (peers).
 */
export function peerAdvertisements(model: SimModel, node: string, peerName: string): PeerAdvertisement[] {
  const labels = model.nodeByName.get(node)?.labels ?? {};
  const out: PeerAdvertisement[] = [];
  for (const s of model.services) {
    if (!s.ip || s.ip.includes(':') || !s.bgpAnnouncers.includes(node) || !s.bgpPeers.includes(peerName)) continue;
    const pool = model.pools.find((p) => p.metadata.name === s.pool);
    const ads = model.bgpAdvertisements.filter((ad) => (!pool || advertisementSelectsPool(ad, pool)) && anySelectorMatches(ad.spec?.nodeSelectors, labels) && (!ad.spec?.peers?.length || ad.spec.peers.includes(peerName)));
    for (const ad of ads.length ? ads : [undefined]) {
      const prefix = maskedPrefix(s.ip, ad?.spec?.aggregationLength ?? 32) ?? `${s.ip}/32`;
      out.push({ prefix, localPref: ad?.spec?.localPref || undefined, communities: (ad?.spec?.communities ?? []) as string[] });
    }
  }
  return out;
}

/** Prefixes a node advertises to a peer (BGP-announced service IPs, aggregated per BGPAdvertisement). */
export function advertisedPrefixes(model: SimModel, node: string, peerName: string): string[] {
  return [...new Set(peerAdvertisements(model, node, peerName).map((a) => a.prefix))].sort();
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
    // Without holdTime the FRR config has no timers line and FRR runs its `traditional` defaults, 180/60
    // (lab recording of bgp-peer-not-connected); the native speaker defaults to 90.
    const holdTime = parseDuration(spec.holdTime, model.mode === 'native' ? 90 : 180);
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
      connectionsEstablished: 1,
      flaps: [],
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
    } else if (s.vrf !== 'default' && !(dp.nodes[node.name]?.vrfs ?? []).includes(s.vrf)) {
      // BGPPeer vrf without that VRF device on the node: bgpd keeps `router bgp … vrf X` inactive
      // (vrfId -1) and its neighbours Idle with "No AFI/SAFI activated for peer", as the lab's FRR
      // 8.4 shows for the bgp-vrf-missing scenario.
      Object.assign(s, { state: 'Idle', reason: `VRF ${s.vrf} does not exist on ${node.name}: its BGP instance never starts`, lastReset: 'No AFI/SAFI activated for peer', uptimeSeconds: 0 });
    } else if (model.mode !== 'native' && myAsn !== peerAsn && !s.ebgpMultiHop && address && !connectedSubnets(model, node).some((c) => cidrContains(c, address))) {
      // FRR's connected check (bgp_fsm.c bgp_start → bgp_peer_reg_with_nht): a single-hop eBGP peer
      // must be on a connected subnet; until zebra reports one FRR never opens the TCP connection.
      // (The native speaker has no such check: it dials through its routes.)
      Object.assign(s, { state: 'Active', reason: `${address} is not on a connected subnet and ebgp-multihop is not set: FRR waits for a connected nexthop`, lastReset: 'Waiting for NHT', uptimeSeconds: 0, connectedCheckFailed: true });
    } else if (!router) {
      Object.assign(s, { state: 'Active', reason: `no BGP speaker answers at ${address}: connection timed out`, lastReset: 'Waiting for NHT', uptimeSeconds: 0 });
    } else if (router.singleSession && singleSessionNode(model, router, peer) !== node.name) {
      // The router keeps one session (its config names one node, or every node reaches it from one
      // source address) and refuses the others with Cease/Connection Rejected (RFC 4486 subcode 5).
      const kept = singleSessionNode(model, router, peer);
      Object.assign(s, { state: 'Active', notification: 'Cease/Connection Rejected', errorCodeSubcode: '0605', notificationDirection: 'received', lastReset: 'BGP Notification received', reason: `the router at ${address} keeps one session${kept ? ` (with ${kept})` : ''} and rejects this one`, uptimeSeconds: 0 });
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
    // Every drop ended an established session; the current one counts too while it is up.
    s.connectionsEstablished = s.state === 'Established' ? s.connectionsDropped + 1 : s.connectionsDropped;
    const history = sessionSpec(model, node.name, s);
    if (history) applyHistory(s, history);
    if (s.bfdProfile) {
      const bfdUp = !segmentDown && !!router?.bfd && !router.bfdStopped;
      s.bfdStatus = bfdUp ? 'up' : 'down';
      s.bfdDiagnostic = bfdUp ? 'ok' : router?.bfdStopped ? 'control detection time expired' : 'ok';
    }
    sessions.push(s);
  }
  return sessions;
}

/** The node's connected IPv4 subnets: the segment and every extra interface that is up, addressed and not a bond member (`nodes[].interfaces`). */
function connectedSubnets(model: SimModel, node: SimNode): string[] {
  const ifaces = model.scenario.nodes.find((n) => n.name === node.name)?.interfaces ?? [];
  const enslaved = new Set(ifaces.flatMap((i) => i.members ?? []));
  return [model.dataplane.segment, ...ifaces.filter((i) => i.address && i.up !== false && !enslaved.has(i.name)).map((i) => i.address!)];
}

/** The node whose session a `singleSession` router keeps. */
function singleSessionNode(model: SimModel, router: DataplaneRouter, peer: KubeObject): string | undefined {
  if (router.singleSessionNode) return router.singleSessionNode;
  return model.nodes.find((n) => speakerRunning(model, n) && peerSelectsNode(peer, n))?.name;
}

function sessionSpec(model: SimModel, node: string, s: BgpSession): BgpSessionSpec | undefined {
  return model.scenario.bgpSessions?.find((h) => (h.peer === s.peerName || h.peer === s.address) && (!h.node || h.node === node));
}

/** FRR's NOTIFICATION names (bgpd/bgp_debug.c) → `lastErrorCodeSubcode`. */
const notificationCodes: Record<string, string> = {
  'Hold Timer Expired': '0400',
  'OPEN Message Error/Bad Peer AS': '0202',
  'OPEN Message Error/Bad BGP Identifier': '0203',
  'OPEN Message Error/Unacceptable Hold Time': '0206',
  'Cease/Maximum Number of Prefixes Reached': '0601',
  'Cease/Administrative Shutdown': '0602',
  'Cease/Peer De-configured': '0603',
  'Cease/Administrative Reset': '0604',
  'Cease/Connection Rejected': '0605',
  'Cease/Other Configuration Change': '0606',
  'Cease/Connection Collision Resolution': '0607',
  'Cease/Out of Resources': '0608',
  'Cease/BFD Down': '060A',
};

/**
 * FRR 8.4's `peer_down_str` (bgpd/bgpd.c) index → `lastResetCode`. The indexes 14, 30 and 32 are
 * confirmed by the FRR 8.4 samples (`BGP Notification send`, `No AFI/SAFI activated for peer`,
 * `Waiting for peer OPEN`); the table is FRR 7's list plus `AS Set config change` and the later entries.
 */
const peerDownStr = ['', 'Router ID changed', 'Remote AS changed', 'Local AS change', 'Cluster ID changed', 'Confederation identifier changed', 'Confederation peer changed', 'RR client config change', 'RS client config change', 'Update source change', 'Address family activated', 'Admin. shutdown', 'User reset', 'BGP Notification received', 'BGP Notification send', 'Peer closed the session', 'Neighbor deleted', 'Peer-group add member', 'Peer-group delete member', 'Capability changed', 'Passive config change', 'Multihop config change', 'NSF peer closed the session', 'Intf peering v6only config change', 'BFD down received', 'Interface down', 'Neighbor address lost', 'Waiting for NHT', 'Waiting for Peer IPv6 LLA', 'Waiting for VRF to be initialized', 'No AFI/SAFI activated for peer', 'AS Set config change', 'Waiting for peer OPEN', 'Reached received prefix count', 'Socket Error'];

/** FRR `lastResetCode` of a `lastResetDueTo` text (32, `Waiting for peer OPEN`, when unknown). */
export function lastResetCode(reason: string | undefined): number {
  const i = reason ? peerDownStr.indexOf(reason) : -1;
  return i > 0 ? i : 32;
}

function durationSeconds(d: string): number {
  const m = /^(\d+(?:\.\d+)?)(s|m|h|d)$/.exec(d);
  if (!m) return 0;
  return Number(m[1]) * { s: 1, m: 60, h: 3600, d: 86400 }[m[2] as 's' | 'm' | 'h' | 'd'];
}

/**
 * Applies a `bgpSessions` entry: `count` drops spread over the window (a deterministic jitter per
 * session so the nodes do not flap in lockstep), each followed by a reconnect a few seconds later,
 * except the last when the session is down at collection time.
 */
function applyHistory(s: BgpSession, h: BgpSessionSpec): void {
  const est = h.established ?? s.state === 'Established';
  const count = h.flaps?.count ?? 0;
  const window = (h.flaps?.hours ?? 24) * 3600;
  const uptime = h.uptime ? durationSeconds(h.uptime) : undefined;
  const jitter = (i: number): number => parseInt(sha256Hex(`flap/${s.node}/${s.address}/${i}`).slice(0, 6), 16) / 0xffffff;
  const flaps: { downAgo: number; upAgo?: number }[] = [];
  // The newest drop sits just before the current uptime (or within the last slot of the window).
  const newest = uptime !== undefined ? uptime + 5 + Math.round(jitter(-1) * 25) : undefined;
  for (let i = 0; i < count; i++) {
    const last = i === count - 1;
    const slot = window / count;
    let downAgo = last && newest !== undefined ? newest : Math.round(window - slot * (i + 0.15 + 0.7 * jitter(i)));
    if (newest !== undefined && !last) downAgo = Math.max(downAgo, newest + (count - 1 - i) * 60);
    const reconnect = 5 + Math.round(jitter(i + 1000) * 35);
    flaps.push({ downAgo, upAgo: last && !est ? undefined : Math.max(0, downAgo - reconnect) });
  }
  s.flaps = flaps;
  const dropped = h.connectionsDropped ?? count;
  s.connectionsDropped = dropped;
  s.connectionsEstablished = est ? dropped + 1 : dropped;
  const lastFlap = flaps[flaps.length - 1];
  if (lastFlap) s.lastResetAgo = lastFlap.downAgo;
  if (est) {
    s.state = 'Established';
    s.uptimeSeconds = uptime ?? lastFlap?.upAgo ?? s.uptimeSeconds;
    for (const k of ['notification', 'errorCodeSubcode', 'notificationDirection'] as const) if (!h.notification) delete s[k];
    s.reason = count ? `session established; dropped ${dropped} times in the last ${window / 3600} h` : 'session established';
  } else {
    if (s.state === 'Established') {
      s.state = 'Active';
      s.reason = `session down since ${lastFlap ? Math.round(lastFlap.downAgo) : 0}s ago: ${h.lastReset ?? 'Peer closed the session'}`;
    }
    s.uptimeSeconds = 0;
  }
  if (h.lastReset) s.lastReset = h.lastReset;
  else if (count) s.lastReset = h.notification ? 'BGP Notification received' : 'Peer closed the session';
  if (h.notification) {
    s.notification = h.notification;
    s.errorCodeSubcode = notificationCodes[h.notification] ?? '0600';
    s.notificationDirection = s.lastReset === 'BGP Notification send' ? 'sent' : 'received';
  }
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
