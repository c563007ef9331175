/**
 * FRR on a node, as MetalLB runs it: the desired config MetalLB renders from BGPPeers,
 * BGPAdvertisements, BFDProfiles and announced IPs (layout of internal/bgp/frr/templates, golden
 * files in fixtures/upstream/metallb/frr-rendered/), the running config FRR prints after loading
 * it (FRR's normalised `show running-config`), and vtysh JSON in FRR's own formatting (json-c
 * pretty printer, `\/` escapes), modelled on the FRR 8.4 samples. The lab renders the same desired
 * config from the same objects, so replayed and recorded outputs line up.
 */
 
import { communityValue, neighborId, renderFrrConfig, type FrrBfdProfile, type FrrConfigModel, type FrrNeighbor, type FrrRouter } from './metallb-frr-config.js';
import { bfdTornDown, frrUptime, lastResetCode, nodeSessions, peerAdvertisements, type BgpSession } from './bgp.js';
import type { SimModel, SimNode } from './model.js';
import { atLeast, ipToInt, sha256Hex } from './util.js';

const frrLogLevel: Record<string, string> = { all: 'debugging', debug: 'debugging', info: 'informational', warn: 'warnings', error: 'error', none: 'emergencies' };

function profilesUsed(model: SimModel, sessions: BgpSession[]): any[] {
  const names = new Set(sessions.map((s) => s.bfdProfile).filter(Boolean));
  return model.bfdProfiles.filter((p) => names.has(p.metadata.name)).sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
}

/** The peer's timers, when the BGPPeer sets them (no holdTime/keepaliveTime: no `timers` line, FRR's defaults). */
function configuredTimers(s: BgpSession): boolean {
  return !!(s.peer.spec?.holdTime || s.peer.spec?.keepaliveTime);
}

/**
 * MetalLB's FRR config model for this node (the shape of internal/bgp/frr's config, as the lab's
 * renderer takes it), from the node's sessions: one router per (myASN, vrf), each neighbor with its
 * allowed prefixes and the localPref / community prefix lists of the BGPAdvertisements that reach it.
 */
export function frrConfigModel(model: SimModel, node: SimNode): FrrConfigModel {
  const routers = new Map<string, FrrRouter>();
  for (const s of nodeSessions(model, node)) {
    const vrf = s.vrf && s.vrf !== 'default' ? s.vrf : undefined;
    const key = `${s.myAsn}|${vrf ?? ''}`;
    let r = routers.get(key);
    if (!r) routers.set(key, (r = { myAsn: s.myAsn, vrf, routerId: s.routerIdExplicit ? s.routerId : undefined, neighbors: [], ipv4Prefixes: [], ipv6Prefixes: [] }));
    const spec = s.peer.spec ?? {};
    const n: FrrNeighbor = {
      addr: s.address,
      asn: String(s.peerAsn),
      family: 'ipv4',
      port: s.port,
      ...(configuredTimers(s) ? { keepaliveTime: s.keepalive, holdTime: s.holdTime } : {}),
      connectTime: s.connectTime,
      password: s.password,
      srcAddr: spec.sourceAddress || undefined,
      ebgpMultiHop: s.ebgpMultiHop,
      gracefulRestart: !!spec.enableGracefulRestart,
      bfdProfile: s.bfdProfile,
      prefixesV4: s.prefixes,
      prefixesV6: [],
      localPrefLists: [],
      communityLists: [],
    };
    const id = neighborId(n, vrf);
    const localPrefs = new Map<number, Set<string>>();
    const communities = new Map<string, Set<string>>();
    for (const a of peerAdvertisements(model, node.name, s.peerName)) {
      if (a.localPref) localPrefs.set(a.localPref, (localPrefs.get(a.localPref) ?? new Set()).add(a.prefix));
      for (const c of a.communities) {
        const value = communityValue(model.communities, c, undefined);
        communities.set(value, (communities.get(value) ?? new Set()).add(a.prefix));
      }
    }
    for (const [pref, prefixes] of [...localPrefs].sort((x, y) => x[0] - y[0])) n.localPrefLists.push({ name: `${id}-${pref}-ip-localpref-prefixes`, family: 'ip', prefixes: [...prefixes].sort(), setStatement: `set local-preference ${pref}` });
    for (const [value, prefixes] of [...communities].sort((x, y) => x[0].localeCompare(y[0]))) {
      const set = value.startsWith('large:') ? `set large-community ${value.slice('large:'.length)} additive` : `set community ${value} additive`;
      n.communityLists.push({ name: `${id}-${value}-ip-community-prefixes`, family: 'ip', prefixes: [...prefixes].sort(), setStatement: set });
    }
    r.neighbors.push(n);
    r.ipv4Prefixes = [...new Set([...r.ipv4Prefixes, ...s.prefixes])].sort();
  }
  const bfdProfiles: FrrBfdProfile[] = [...model.bfdProfiles]
    .sort((a, b) => a.metadata.name.localeCompare(b.metadata.name))
    .map((p) => ({ name: p.metadata.name, receiveInterval: p.spec?.receiveInterval, transmitInterval: p.spec?.transmitInterval, detectMultiplier: p.spec?.detectMultiplier, echoMode: p.spec?.echoMode, echoInterval: p.spec?.echoInterval, passiveMode: p.spec?.passiveMode, minimumTtl: p.spec?.minimumTtl }));
  return { logLevel: (frrLogLevel[model.logLevel] ?? 'informational') as FrrConfigModel['logLevel'], hostname: node.name, routers: [...routers.values()], bfdProfiles };
}

/**
 * The config MetalLB writes to /etc/frr_reloader/frr.conf (FRR mode) for this node, rendered by the
 * same renderer the lab uses (metallb-frr-config.ts, checked line for line against MetalLB's golden
 * files); releases before v0.16 log to /etc/frr/frr.log.
 */
export function desiredConfig(model: SimModel, node: SimNode): string {
  const text = renderFrrConfig(frrConfigModel(model, node));
  return atLeast(model.version, 'v0.16.0') ? text : text.replace(/^log stdout /, 'log file /etc/frr/frr.log ');
}

/** FRR prints RFC 1997 well-known communities by name (lib community_str): `set community no-export additive`. */
function wellKnownCommunities(set: string): string {
  const names: Record<string, string> = { '65535:0': 'graceful-shutdown', '65535:65281': 'no-export', '65535:65282': 'no-advertise', '65535:65283': 'local-AS', '65535:65284': 'no-peer', '65535:7': 'blackhole' };
  return set.startsWith('set community ') ? set.replace(/(\d+:\d+)/g, (c) => names[c] ?? c) : set;
}

/** `show running-config` after FRR loaded the desired config (FRR's normalised order and indentation). */
export function runningConfig(model: SimModel, node: SimNode): string {
  const sessions = nodeSessions(model, node);
  const level = frrLogLevel[model.logLevel] ?? 'informational';
  const lines: string[] = ['Building configuration...', '', 'Current configuration:', '!'];
  lines.push(`frr version ${model.install.frrVersion ?? '9.1.0'}`, 'frr defaults traditional', `hostname ${node.name}`);
  lines.push(atLeast(model.version, 'v0.16.0') ? `log stdout ${level}` : `log file /etc/frr/frr.log ${level}`);
  lines.push('log timestamp precision 3', 'service integrated-vtysh-config', '!');
  // FRR 8.4+ prints router bgp first, then prefix lists, route maps and nht (see the lab recordings);
  // one `router bgp` per (ASN, VRF) and every localPref / community route-map entry of the desired config.
  const cfg = frrConfigModel(model, node);
  // VRF instances first, then the default one, and their prefix lists and route maps in that order (lab recording of bgp-vrf-missing).
  cfg.routers.sort((a, b) => (a.vrf ? 0 : 1) - (b.vrf ? 0 : 1));
  const byAddr = new Map(sessions.map((x) => [`${x.vrf}|${x.address}`, x]));
  for (const r of cfg.routers) {
    lines.push(`router bgp ${r.myAsn}${r.vrf ? ` vrf ${r.vrf}` : ''}`, ...(r.routerId ? [` bgp router-id ${r.routerId}`] : []), ' no bgp ebgp-requires-policy', ' no bgp default ipv4-unicast', ' bgp graceful-restart preserve-fw-state', ' no bgp network import-check');
    for (const nb of r.neighbors) {
      const s = byAddr.get(`${r.vrf ?? 'default'}|${nb.addr}`)!;
      const n = ` neighbor ${nb.addr}`;
      lines.push(`${n} remote-as ${nb.asn}`);
      if (nb.bfdProfile) lines.push(`${n} bfd`, `${n} bfd profile ${nb.bfdProfile}`);
      if (nb.ebgpMultiHop) lines.push(`${n} ebgp-multihop 255`);
      if (nb.password) lines.push(`${n} password ${nb.password}`);
      if (nb.srcAddr) lines.push(`${n} update-source ${nb.srcAddr}`);
      if (nb.holdTime !== undefined) lines.push(`${n} timers ${s.keepalive} ${s.holdTime}`);
      if (nb.connectTime !== undefined) lines.push(`${n} timers connect ${nb.connectTime}`);
    }
    lines.push(' !', ' address-family ipv4 unicast');
    for (const p of r.ipv4Prefixes) lines.push(`  network ${p}`);
    for (const nb of r.neighbors) {
      const id = neighborId(nb, r.vrf);
      lines.push(`  neighbor ${nb.addr} activate`, `  neighbor ${nb.addr} route-map ${id}-in in`, `  neighbor ${nb.addr} route-map ${id}-out out`);
    }
    lines.push(' exit-address-family', 'exit', '!');
  }
  const neighbors = cfg.routers.flatMap((r) => r.neighbors.map((nb) => ({ nb, id: neighborId(nb, r.vrf) })));
  for (const { nb, id } of neighbors) {
    for (const l of [...nb.localPrefLists, ...nb.communityLists]) l.prefixes.forEach((p, i) => lines.push(`ip prefix-list ${l.name} seq ${i + 1} permit ${p}`));
    if (nb.prefixesV4.length === 0) lines.push(`ip prefix-list ${id}-allowed-ipv4 seq 1 deny any`);
    else nb.prefixesV4.forEach((p, i) => lines.push(`ip prefix-list ${id}-allowed-ipv4 seq ${i + 1} permit ${p}`));
  }
  if (neighbors.length) lines.push('!');
  for (const { id } of neighbors) lines.push(`ipv6 prefix-list ${id}-allowed-ipv6 seq 1 deny any`);
  if (neighbors.length) lines.push('!');
  for (const { nb, id } of neighbors) {
    lines.push(`route-map ${id}-in deny 20`, 'exit', '!');
    let seq = 0;
    for (const l of [...nb.localPrefLists, ...nb.communityLists]) lines.push(`route-map ${id}-out permit ${++seq}`, ` match ip address prefix-list ${l.name}`, ' on-match next', ` ${wellKnownCommunities(l.setStatement)}`, 'exit', '!');
    lines.push(`route-map ${id}-out permit ${++seq}`, ` match ip address prefix-list ${id}-allowed-ipv4`, 'exit', '!');
    lines.push(`route-map ${id}-out permit ${++seq}`, ` match ipv6 address prefix-list ${id}-allowed-ipv6`, 'exit', '!');
  }
  lines.push('ip nht resolve-via-default', '!', 'ipv6 nht resolve-via-default', '!');
  const profiles = profilesUsed(model, sessions);
  if (profiles.length) {
    lines.push('bfd');
    for (const p of profiles) {
      lines.push(` profile ${p.metadata.name}`);
      // FRR omits values equal to its defaults (300/300/3).
      if ((p.spec?.detectMultiplier ?? 3) !== 3) lines.push(`  detect-multiplier ${p.spec.detectMultiplier}`);
      if ((p.spec?.receiveInterval ?? 300) !== 300) lines.push(`  receive-interval ${p.spec.receiveInterval}`);
      if ((p.spec?.transmitInterval ?? 300) !== 300) lines.push(`  transmit-interval ${p.spec.transmitInterval}`);
      if (p.spec?.passiveMode) lines.push('  passive-mode');
      lines.push(' exit', ' !');
    }
    lines.push('exit', '!');
  }
  lines.push('end');
  return lines.join('\n') + '\n';
}

// ---------------------------------------------------------------- json-c formatting

/** JSON as FRR's json-c pretty printer writes it: two-space indent, no space after `:`, `\/`. */
export function jsonC(v: unknown, indent = ''): string {
  const inner = indent + '  ';
  if (Array.isArray(v)) {
    if (v.length === 0) return '[\n' + indent + ']';
    return '[\n' + v.map((x) => inner + jsonC(x, inner)).join(',\n') + '\n' + indent + ']';
  }
  if (v && typeof v === 'object') {
    const entries = Object.entries(v as Record<string, unknown>).filter(([, x]) => x !== undefined);
    if (entries.length === 0) return '{\n' + indent + '}';
    return '{\n' + entries.map(([k, x]) => `${inner}${str(k)}:${jsonC(x, inner)}`).join(',\n') + '\n' + indent + '}';
  }
  if (typeof v === 'string') return str(v);
  return JSON.stringify(v);
}

function str(s: string): string {
  return JSON.stringify(s).replace(/\//g, '\\/');
}

// ---------------------------------------------------------------- vtysh JSON

function epoch(model: SimModel, agoSeconds: number): number {
  return Math.floor(model.now.getTime() / 1000 - agoSeconds);
}

function counters(s: BgpSession): { opensSent: number; opensRecv: number; notificationsSent: number; notificationsRecv: number; updatesSent: number; updatesRecv: number; keepalivesSent: number; keepalivesRecv: number } {
  if (s.state === 'Established') {
    const ka = Math.floor(s.uptimeSeconds / s.keepalive) + 1;
    return { opensSent: 1 + s.connectionsDropped, opensRecv: 1 + s.connectionsDropped, notificationsSent: 0, notificationsRecv: s.connectionsDropped ? 1 : 0, updatesSent: s.prefixes.length + 1, updatesRecv: 1, keepalivesSent: ka, keepalivesRecv: ka };
  }
  if (s.notification) {
    const sent = s.notificationDirection === 'sent';
    return { opensSent: 41, opensRecv: 41, notificationsSent: sent ? 41 : 0, notificationsRecv: sent ? 0 : 41, updatesSent: 0, updatesRecv: 0, keepalivesSent: s.notification === 'Hold Timer Expired' ? 1200 : 0, keepalivesRecv: s.notification === 'Hold Timer Expired' ? 1197 : 0 };
  }
  // Down now after earlier sessions (bgpSessions history): the earlier OPENs and one UPDATE each stay counted.
  const n = s.connectionsEstablished;
  return { opensSent: n, opensRecv: n, notificationsSent: 0, notificationsRecv: 0, updatesSent: n * (s.prefixes.length + 1), updatesRecv: n, keepalivesSent: n * 30, keepalivesRecv: n * 30 };
}

/** FRR shows the time since the last state change in Up/Down: the uptime, or how long a session that was up has been down. */
function upDownSeconds(s: BgpSession): number {
  return s.state === 'Established' ? s.uptimeSeconds : s.connectionsEstablished > 0 ? (s.lastResetAgo ?? 0) : 0;
}

function localPort(s: BgpSession): number {
  return 32768 + (parseInt(sha256Hex(`${s.node}/${s.address}`).slice(0, 4), 16) % 28000);
}

export { localPort as bgpLocalPort };

function summaryPeer(model: SimModel, node: SimNode, s: BgpSession): any {
  const c = counters(s);
  const est = s.state === 'Established';
  return {
    ...(est && s.router ? { hostname: s.router.name } : {}),
    remoteAs: s.peerAsn,
    localAs: s.myAsn,
    version: 4,
    msgRcvd: c.opensRecv + c.updatesRecv + c.keepalivesRecv + c.notificationsRecv,
    msgSent: c.opensSent + c.updatesSent + c.keepalivesSent + c.notificationsSent,
    tableVersion: 0,
    outq: 0,
    inq: 0,
    peerUptime: frrUptime(upDownSeconds(s)),
    peerUptimeMsec: upDownSeconds(s) * 1000,
    ...(est ? { peerUptimeEstablishedEpoch: epoch(model, s.uptimeSeconds) } : {}),
    pfxRcd: 0,
    pfxSnt: est ? s.prefixes.length : 0,
    state: s.state,
    peerState: 'OK',
    connectionsEstablished: s.connectionsEstablished,
    connectionsDropped: s.connectionsDropped,
    idType: 'ipv4',
  };
  void node;
}

/** Sessions per VRF, the VRF instances before the default one (as FRR 8.4 lists them in the lab recording of bgp-vrf-missing). */
function byVrf(sessions: BgpSession[]): [string, BgpSession[]][] {
  const m = new Map<string, BgpSession[]>();
  for (const s of sessions) m.set(s.vrf || 'default', [...(m.get(s.vrf || 'default') ?? []), s]);
  if (!m.has('default')) m.set('default', []);
  return [...m].filter(([vrf, ss]) => vrf === 'default' || ss.length > 0).sort((a, b) => (a[0] === 'default' ? 1 : 0) - (b[0] === 'default' ? 1 : 0));
}

/** FRR's vrfId in JSON: 0 for default, -1 (VRF_UNKNOWN) for a VRF without its device, else the device's table order. */
function vrfId(model: SimModel, node: SimNode, vrf: string): number {
  if (vrf === 'default') return 0;
  const i = (model.dataplane.nodes[node.name]?.vrfs ?? []).indexOf(vrf);
  return i < 0 ? -1 : 100 + i;
}

function summaryAfi(model: SimModel, node: SimNode, vrf: string, sessions: BgpSession[]): string {
  const first = sessions[0]!;
  const peers: Record<string, unknown> = {};
  for (const s of sessions) peers[s.address] = summaryPeer(model, node, s);
  const afi = {
    // A VRF instance that never started has no router ID (lab recording of bgp-vrf-missing).
    routerId: vrfId(model, node, vrf) === -1 ? '0.0.0.0' : first.routerId,
    as: first.myAsn,
    vrfId: vrfId(model, node, vrf),
    vrfName: vrf,
    tableVersion: 1 + first.prefixes.length,
    ribCount: first.prefixes.length,
    ribMemory: 192 * first.prefixes.length,
    peerCount: sessions.length,
    peerMemory: 741464 * sessions.length,
    peers,
    failedPeers: sessions.filter((s) => s.state !== 'Established').length,
    displayedPeers: sessions.length,
    totalPeers: sessions.length,
    dynamicPeers: 0,
    bestPath: { multiPathRelax: 'false' },
  };
  return `"ipv4Unicast":${jsonC(afi)}\n`;
}

/** `show bgp [vrf all] summary json`: without `vrf all` the default instance only. */
export function bgpSummary(model: SimModel, node: SimNode, vrfAll: boolean): string {
  const groups = byVrf(nodeSessions(model, node)).filter(([, ss]) => ss.length > 0);
  if (!vrfAll) {
    const def = groups.find(([vrf]) => vrf === 'default');
    return def ? `{\n${summaryAfi(model, node, 'default', def[1])}}\n` : '{\n}\n';
  }
  if (groups.length === 0) return '{\n}\n';
  return `{\n${groups.map(([vrf, ss]) => `"${vrf}":{\n${summaryAfi(model, node, vrf, ss)}}`).join(',\n')}\n}\n`;
}

function neighborJson(model: SimModel, node: SimNode, s: BgpSession): any {
  const c = counters(s);
  const est = s.state === 'Established';
  const ebgp = s.myAsn !== s.peerAsn;
  const n: any = {
    remoteAs: s.peerAsn,
    localAs: s.myAsn,
    nbrExternalLink: ebgp ? true : undefined,
    nbrInternalLink: ebgp ? undefined : true,
    localRole: 'undefined',
    remoteRole: 'undefined',
    ...(est && s.router ? { hostname: s.router.name } : {}),
    bgpVersion: 4,
    remoteRouterId: est ? (s.remoteRouterId ?? '0.0.0.0') : '0.0.0.0',
    localRouterId: s.routerId,
    bgpState: s.state,
  };
  if (est) {
    n.bgpTimerUpMsec = s.uptimeSeconds * 1000;
    n.bgpTimerUpString = frrUptime(s.uptimeSeconds);
    n.bgpTimerUpEstablishedEpoch = epoch(model, s.uptimeSeconds);
  }
  Object.assign(n, {
    bgpTimerLastRead: est ? 11000 : 24000,
    bgpTimerLastWrite: est ? 11000 : 11000,
    bgpInUpdateElapsedTimeMsecs: est ? s.uptimeSeconds * 1000 - 1000 : 845000,
    bgpTimerConfiguredHoldTimeMsecs: s.holdTime * 1000,
    bgpTimerConfiguredKeepAliveIntervalMsecs: s.keepalive * 1000,
    bgpTimerHoldTimeMsecs: s.holdTime * 1000,
    bgpTimerKeepAliveIntervalMsecs: s.keepalive * 1000,
    extendedOptionalParametersLength: false,
    bgpTimerConfiguredConditionalAdvertisementsSec: 60,
  });
  if (est) {
    n.neighborCapabilities = {
      '4byteAs': 'advertisedAndReceived',
      extendedMessage: 'advertisedAndReceived',
      addPath: { ipv4Unicast: { rxAdvertisedAndReceived: true } },
      longLivedGracefulRestart: 'advertisedAndReceived',
      longLivedGracefulRestartByPeer: {},
      routeRefresh: 'advertisedAndReceivedOldNew',
      enhancedRouteRefresh: 'advertisedAndReceived',
      multiprotocolExtensions: { ipv4Unicast: { advertisedAndReceived: true } },
      hostName: { advHostName: node.name, advDomainName: 'n/a', rcvHostName: s.router?.name ?? 'n/a', rcvDomainName: 'n/a' },
      gracefulRestart: 'advertisedAndReceived',
      gracefulRestartRemoteTimerMsecs: 120000,
      addressFamiliesByPeer: 'none',
    };
  }
  n.gracefulRestartInfo = est
    ? {
        endOfRibSend: { ipv4Unicast: true },
        endOfRibRecv: { ipv4Unicast: true },
        localGrMode: 'Helper*',
        remoteGrMode: 'Helper',
        rBit: true,
        nBit: true,
        timers: { configuredRestartTimer: 120, receivedRestartTimer: 120 },
        ipv4Unicast: { fBit: false, endOfRibStatus: { endOfRibSend: true, endOfRibSentAfterUpdate: true, endOfRibRecv: true }, timers: { stalePathTimer: 360 } },
      }
    : { endOfRibSend: {}, endOfRibRecv: {}, localGrMode: 'Helper*', remoteGrMode: 'NotApplicable', rBit: false, nBit: false, timers: { configuredRestartTimer: 120, receivedRestartTimer: 0 } };
  n.messageStats = {
    depthInq: 0,
    depthOutq: 0,
    opensSent: c.opensSent,
    opensRecv: c.opensRecv,
    notificationsSent: c.notificationsSent,
    notificationsRecv: c.notificationsRecv,
    updatesSent: c.updatesSent,
    updatesRecv: c.updatesRecv,
    keepalivesSent: c.keepalivesSent,
    keepalivesRecv: c.keepalivesRecv,
    routeRefreshSent: 0,
    routeRefreshRecv: 0,
    capabilitySent: 0,
    capabilityRecv: 0,
    totalSent: c.opensSent + c.updatesSent + c.keepalivesSent + c.notificationsSent,
    totalRecv: c.opensRecv + c.updatesRecv + c.keepalivesRecv + c.notificationsRecv,
  };
  n.minBtwnAdvertisementRunsTimerMsecs = 0;
  n.addressFamilyInfo = {
    ipv4Unicast: est
      ? { updateGroupId: 1, subGroupId: 1, packetQueueLength: 0, inboundPathPolicyConfig: true, outboundPathPolicyConfig: true, routeMapForIncomingAdvertisements: `${s.address}-in`, routeMapForOutgoingAdvertisements: `${s.address}-out`, commAttriSentToNbr: 'extendedAndStandard', acceptedPrefixCounter: 0, sentPrefixCounter: s.prefixes.length }
      : { inboundPathPolicyConfig: true, outboundPathPolicyConfig: true, routeMapForIncomingAdvertisements: `${s.address}-in`, routeMapForOutgoingAdvertisements: `${s.address}-out`, commAttriSentToNbr: 'extendedAndStandard', acceptedPrefixCounter: 0 },
  };
  n.connectionsEstablished = s.connectionsEstablished;
  n.connectionsDropped = s.connectionsDropped;
  n.lastResetTimerMsecs = s.lastResetAgo !== undefined ? Math.round(s.lastResetAgo) * 1000 : est ? (s.uptimeSeconds + 1) * 1000 : 24000;
  if (s.errorCodeSubcode) {
    n.lastErrorCodeSubcode = s.errorCodeSubcode;
    n.lastNotificationReason = s.notification;
    n.lastNotificationHardReset = false;
  }
  n.lastResetDueTo = s.lastReset ?? 'Waiting for peer OPEN';
  n.lastResetCode = s.errorCodeSubcode ? (s.notificationDirection === 'sent' ? 14 : 13) : bfdTornDown(s) ? 33 : lastResetCode(s.lastReset);
  if (ebgp) n.externalBgpNbrMaxHopsAway = s.ebgpMultiHop ? 255 : 1;
  if (s.connectedCheckFailed) {
    // Never dialled: no socket (lab recording of bgp-peer-not-connected).
    Object.assign(n, { hostLocal: 'Unknown', portLocal: -1, hostForeign: 'Unknown', portForeign: -1 });
  } else if (est || s.notification) {
    Object.assign(n, { hostLocal: node.ip, portLocal: localPort(s), hostForeign: s.address, portForeign: s.port, nexthop: node.ip, nexthopGlobal: '::', nexthopLocal: '::', bgpConnection: 'sharedNetwork' });
  }
  n.connectRetryTimer = s.connectTime ?? 120;
  if (s.connectedCheckFailed) n.nextConnectTimerDueInMsecs = 116000;
  else if (!est) n.nextStartTimerDueInMsecs = 4000;
  n.readThread = est ? 'on' : 'off';
  n.writeThread = est ? 'on' : 'off';
  if (s.bfdProfile) {
    const p = model.bfdProfiles.find((x) => x.metadata.name === s.bfdProfile)?.spec ?? {};
    n.peerBfdInfo = {
      type: s.ebgpMultiHop ? 'multi hop' : 'single hop',
      detectMultiplier: p.detectMultiplier ?? 3,
      rxMinInterval: p.receiveInterval ?? 300,
      txMinInterval: p.transmitInterval ?? 300,
      status: s.bfdStatus === 'up' ? 'Up' : 'Down',
      lastUpdate: s.bfdStatus === 'up' ? '2:03:17:40' : '0:01:04:12',
    };
  }
  return n;
}

/** `show bgp [vrf all] neighbors json`: without `vrf all` the default instance only. */
export function bgpNeighbors(model: SimModel, node: SimNode, vrfAll: boolean): string {
  const groups = byVrf(nodeSessions(model, node));
  if (!vrfAll) {
    const obj: Record<string, unknown> = {};
    for (const s of groups.find(([vrf]) => vrf === 'default')?.[1] ?? []) obj[s.address] = neighborJson(model, node, s);
    return jsonC(obj) + '\n';
  }
  const all: Record<string, unknown> = {};
  for (const [vrf, ss] of groups) {
    if (ss.length === 0) continue;
    const obj: Record<string, unknown> = { vrfId: vrfId(model, node, vrf), vrfName: vrf };
    for (const s of ss) obj[s.address] = neighborJson(model, node, s);
    all[vrf] = obj;
  }
  return jsonC(all) + '\n';
}

/** `show bgp [vrf all] ipv4|ipv6 [unicast] json`. */
export function bgpRoutes(model: SimModel, node: SimNode, vrfAll: boolean, family: 'ipv4' | 'ipv6'): string {
  const sessions = nodeSessions(model, node);
  const routerId = sessions[0]?.routerId ?? node.ip;
  const asn = sessions[0]?.myAsn ?? 0;
  const prefixes = family === 'ipv4' ? [...new Set(sessions.flatMap((s) => s.prefixes))].sort((a, b) => ipToInt(a.split('/')[0]!) - ipToInt(b.split('/')[0]!)) : [];
  const routes = prefixes
    .map((p, i) => {
      const [ip, len] = p.split('/');
      const path = { valid: true, bestpath: true, selectionReason: 'First path received', pathFrom: 'external', prefix: ip, prefixLen: Number(len), network: p, version: i + 1, metric: 0, weight: 32768, peerId: '(unspec)', path: '', origin: 'IGP', nexthops: [{ ip: '0.0.0.0', hostname: node.name, afi: 'ipv4', used: true }] };
      return `"${p}": [${JSON.stringify(path)}]`;
    })
    .join(',\n ');
  const head = `{\n "vrfId": 0,\n "vrfName": "default",\n "tableVersion": ${prefixes.length},\n "routerId": "${routerId}",\n "defaultLocPrf": 100,\n "localAS": ${asn},\n "routes": { ${routes}\n }  } `;
  if (sessions.length === 0) return vrfAll ? '{\n}\n' : '{\n}\n';
  return vrfAll ? `{\n"default":${head}\n}\n` : `${head}\n`;
}

/** `show bfd peers json`. */
export function bfdPeers(model: SimModel, node: SimNode): string {
  const peers = nodeSessions(model, node)
    .filter((s) => s.bfdProfile)
    .map((s) => {
      const p = model.bfdProfiles.find((x) => x.metadata.name === s.bfdProfile)?.spec ?? {};
      const up = s.bfdStatus === 'up';
      const id = parseInt(sha256Hex(`bfd/${node.name}/${s.address}`).slice(0, 8), 16);
      return {
        multihop: s.ebgpMultiHop,
        peer: s.address,
        local: node.ip,
        vrf: 'default',
        interface: model.dataplane.interface,
        id,
        'remote-id': up ? parseInt(sha256Hex(`bfd/${s.address}/${node.name}`).slice(0, 8), 16) : 0,
        'passive-mode': !!p.passiveMode,
        status: s.bfdStatus,
        ...(up ? { uptime: s.uptimeSeconds } : { downtime: bfdTornDown(s) ? 3851 : 182340 }),
        diagnostic: s.bfdDiagnostic ?? 'ok',
        'remote-diagnostic': 'ok',
        'receive-interval': p.receiveInterval ?? 300,
        'transmit-interval': p.transmitInterval ?? 300,
        'echo-receive-interval': 50,
        'echo-transmit-interval': 0,
        'detect-multiplier': p.detectMultiplier ?? 3,
        'remote-receive-interval': up ? (p.receiveInterval ?? 300) : 1000,
        'remote-transmit-interval': up ? (p.transmitInterval ?? 300) : 1000,
        'remote-echo-receive-interval': up ? 50 : 0,
        'remote-detect-multiplier': 3,
        'rtt-min': 0,
        'rtt-avg': 0,
        'rtt-max': 0,
      };
    });
  return jsonC(peers) + '\n';
}

export function showDaemons(): string {
  return ' zebra bgpd watchfrr staticd bfdd\n';
}

/** `/etc/frr_reloader/.status`: `<epoch> success`. */
export function reloadStatus(model: SimModel): string {
  return `${epoch(model, 3600)} success\n`;
}

/** `show bgp summary` (text), FRR 8.4 layout. */
export function bgpSummaryText(model: SimModel, node: SimNode): string {
  const sessions = nodeSessions(model, node).filter((s) => s.vrf === 'default');
  if (sessions.length === 0) return '% No BGP neighbors found in VRF default\n';
  const first = sessions[0]!;
  const prefixes = new Set(sessions.flatMap((s) => s.prefixes)).size;
  let out = '\nIPv4 Unicast Summary (VRF default):\n';
  out += `BGP router identifier ${first.routerId}, local AS number ${first.myAsn} vrf-id 0\n`;
  out += `BGP table version ${prefixes}\nRIB entries ${prefixes}, using ${192 * prefixes} bytes of memory\nPeers ${sessions.length}, using ${724 * sessions.length} KiB of memory\n\n`;
  out += 'Neighbor        V         AS   MsgRcvd   MsgSent   TblVer  InQ OutQ  Up/Down State/PfxRcd   PfxSnt Desc\n';
  for (const s of sessions) {
    const c = counters(s);
    const est = s.state === 'Established';
    const rcvd = c.opensRecv + c.updatesRecv + c.keepalivesRecv + c.notificationsRecv;
    const sent = c.opensSent + c.updatesSent + c.keepalivesSent + c.notificationsSent;
    out += `${s.address.padEnd(15)} 4 ${String(s.peerAsn).padStart(10)} ${String(rcvd).padStart(9)} ${String(sent).padStart(9)} ${'0'.padStart(8)} ${'0'.padStart(4)} ${'0'.padStart(4)} ${frrUptime(upDownSeconds(s)).padStart(8)} ${(est ? '0' : s.state).padStart(12)} ${String(est ? s.prefixes.length : 0).padStart(8)} N/A\n`;
  }
  out += `\nTotal number of neighbors ${sessions.length}\n`;
  return out;
}
