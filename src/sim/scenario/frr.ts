/**
 * FRR on a node, as MetalLB runs it: the desired config MetalLB renders from BGPPeers,
 * BGPAdvertisements, BFDProfiles and announced IPs (layout of internal/bgp/frr/templates, golden
 * files in fixtures/upstream/metallb/frr-rendered/), the running config FRR prints after loading
 * it (FRR's normalised `show running-config`), and vtysh JSON in FRR's own formatting (json-c
 * pretty printer, `\/` escapes), modelled on the FRR 8.4 samples. The lab renders the same desired
 * config from the same objects, so replayed and recorded outputs line up.
 */
 
import { bfdTornDown, frrUptime, lastResetCode, nodeSessions, type BgpSession } from './bgp.js';
import type { SimModel, SimNode } from './model.js';
import { atLeast, ipToInt, sha256Hex } from './util.js';

const frrLogLevel: Record<string, string> = { all: 'debugging', debug: 'debugging', info: 'informational', warn: 'warnings', error: 'error', none: 'emergencies' };

function profilesUsed(model: SimModel, sessions: BgpSession[]): any[] {
  const names = new Set(sessions.map((s) => s.bfdProfile).filter(Boolean));
  return model.bfdProfiles.filter((p) => names.has(p.metadata.name)).sort((a, b) => a.metadata.name.localeCompare(b.metadata.name));
}

function allowedPrefixLines(id: string, prefixes: string[]): string {
  if (prefixes.length === 0) return `ip prefix-list ${id}-allowed-ipv4 seq 1 deny any\n`;
  return prefixes.map((p, i) => `ip prefix-list ${id}-allowed-ipv4 seq ${i + 1} permit ${p}\n`).join('');
}

/** The config MetalLB writes to /etc/frr_reloader/frr.conf (FRR mode) for this node. */
export function desiredConfig(model: SimModel, node: SimNode): string {
  const sessions = nodeSessions(model, node);
  const level = frrLogLevel[model.logLevel] ?? 'informational';
  let out = atLeast(model.version, 'v0.16.0') ? `log stdout ${level}\n` : `log file /etc/frr/frr.log ${level}\n`;
  out += 'log timestamp precision 3\n';
  out += `hostname ${node.name}\n`;
  out += 'ip nht resolve-via-default\nipv6 nht resolve-via-default\n';
  for (const s of sessions) {
    const id = s.address;
    out += `route-map ${id}-in deny 20\n`;
    out += '\n\n';
    out += allowedPrefixLines(id, s.prefixes);
    out += '\n\n';
    out += `ipv6 prefix-list ${id}-allowed-ipv6 seq 1 deny any\n\n`;
    out += `route-map ${id}-out permit 1\n  match ip address prefix-list ${id}-allowed-ipv4\n\n`;
    out += `route-map ${id}-out permit 2\n  match ipv6 address prefix-list ${id}-allowed-ipv6\n`;
  }
  if (sessions.length > 0) {
    const first = sessions[0]!;
    out += `\nrouter bgp ${first.myAsn}\n`;
    out += '  no bgp ebgp-requires-policy\n  no bgp network import-check\n  no bgp default ipv4-unicast\n  bgp graceful-restart preserve-fw-state\n\n';
    if (first.routerIdExplicit) out += `  bgp router-id ${first.routerId}\n`;
    for (const s of sessions) {
      const n = `  neighbor ${s.address}`;
      out += `${n} remote-as ${s.peerAsn}\n`;
      if (s.ebgpMultiHop) out += `${n} ebgp-multihop\n`;
      out += `${n} port ${s.port}\n`;
      out += `${n} timers ${s.keepalive} ${s.holdTime}\n`;
      if (s.connectTime !== undefined) out += `${n} timers connect ${s.connectTime}\n`;
      if (s.password) out += `${n} password ${s.password}\n`;
      if (s.bfdProfile) out += `${n} bfd\n${n} bfd profile ${s.bfdProfile}\n`;
    }
    out += '\n';
    for (const s of sessions) {
      out += `  address-family ipv4 unicast\n    neighbor ${s.address} activate\n    neighbor ${s.address} route-map ${s.address}-in in\n    neighbor ${s.address} route-map ${s.address}-out out\n  exit-address-family\n`;
    }
    const networks = [...new Set(sessions.flatMap((s) => s.prefixes))].sort();
    if (networks.length) out += `  address-family ipv4 unicast\n${networks.map((p) => `    network ${p}\n`).join('')}  exit-address-family\n`;
    out += '\n\n';
  }
  const profiles = profilesUsed(model, sessions);
  if (profiles.length) {
    out += 'bfd\n';
    for (const p of profiles) {
      out += `  profile ${p.metadata.name}\n`;
      out += `    receive-interval ${p.spec?.receiveInterval ?? 300}\n`;
      out += `    transmit-interval ${p.spec?.transmitInterval ?? 300}\n`;
      out += `    detect-multiplier ${p.spec?.detectMultiplier ?? 3}\n`;
      if (p.spec?.echoMode) out += '    echo-mode\n';
      if (p.spec?.echoInterval) out += `    echo receive-interval ${p.spec.echoInterval}\n    echo transmit-interval ${p.spec.echoInterval}\n`;
      if (p.spec?.passiveMode) out += '    passive-mode\n';
      if (p.spec?.minimumTtl) out += `    minimum-ttl ${p.spec.minimumTtl}\n`;
      out += '    \n';
    }
  }
  return out;
}

/** `show running-config` after FRR loaded the desired config (FRR's normalised order and indentation). */
export function runningConfig(model: SimModel, node: SimNode): string {
  const sessions = nodeSessions(model, node);
  const level = frrLogLevel[model.logLevel] ?? 'informational';
  const lines: string[] = ['Building configuration...', '', 'Current configuration:', '!'];
  lines.push(`frr version ${model.install.frrVersion ?? '9.1.0'}`, 'frr defaults traditional', `hostname ${node.name}`);
  lines.push(atLeast(model.version, 'v0.16.0') ? `log stdout ${level}` : `log file /etc/frr/frr.log ${level}`);
  lines.push('log timestamp precision 3', 'service integrated-vtysh-config', '!');
  // FRR 8.4+ prints router bgp first, then prefix lists, route maps and nht (see the lab recordings).
  if (sessions.length) {
    const first = sessions[0]!;
    lines.push(`router bgp ${first.myAsn}`, ...(first.routerIdExplicit ? [` bgp router-id ${first.routerId}`] : []), ' no bgp ebgp-requires-policy', ' no bgp default ipv4-unicast', ' bgp graceful-restart preserve-fw-state', ' no bgp network import-check');
    for (const s of sessions) {
      const n = ` neighbor ${s.address}`;
      lines.push(`${n} remote-as ${s.peerAsn}`);
      if (s.bfdProfile) lines.push(`${n} bfd`, `${n} bfd profile ${s.bfdProfile}`);
      if (s.ebgpMultiHop) lines.push(`${n} ebgp-multihop 255`);
      if (s.password) lines.push(`${n} password ${s.password}`);
      lines.push(`${n} timers ${s.keepalive} ${s.holdTime}`);
      if (s.connectTime !== undefined) lines.push(`${n} timers connect ${s.connectTime}`);
    }
    lines.push(' !', ' address-family ipv4 unicast');
    for (const p of [...new Set(sessions.flatMap((s) => s.prefixes))].sort()) lines.push(`  network ${p}`);
    for (const s of sessions) lines.push(`  neighbor ${s.address} activate`, `  neighbor ${s.address} route-map ${s.address}-in in`, `  neighbor ${s.address} route-map ${s.address}-out out`);
    lines.push(' exit-address-family', 'exit', '!');
  }
  for (const s of sessions) {
    if (s.prefixes.length === 0) lines.push(`ip prefix-list ${s.address}-allowed-ipv4 seq 1 deny any`);
    else s.prefixes.forEach((p, i) => lines.push(`ip prefix-list ${s.address}-allowed-ipv4 seq ${i + 1} permit ${p}`));
  }
  if (sessions.length) lines.push('!');
  for (const s of sessions) lines.push(`ipv6 prefix-list ${s.address}-allowed-ipv6 seq 1 deny any`);
  if (sessions.length) lines.push('!');
  for (const s of sessions) {
    lines.push(`route-map ${s.address}-in deny 20`, 'exit', '!');
    lines.push(`route-map ${s.address}-out permit 1`, ` match ip address prefix-list ${s.address}-allowed-ipv4`, 'exit', '!');
    lines.push(`route-map ${s.address}-out permit 2`, ` match ipv6 address prefix-list ${s.address}-allowed-ipv6`, 'exit', '!');
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

/** `show bgp [vrf all] summary json`. */
export function bgpSummary(model: SimModel, node: SimNode, vrfAll: boolean): string {
  const sessions = nodeSessions(model, node);
  if (sessions.length === 0) return vrfAll ? '{\n}\n' : '{\n}\n';
  const first = sessions[0]!;
  const peers: Record<string, unknown> = {};
  for (const s of sessions) peers[s.address] = summaryPeer(model, node, s);
  const afi = {
    routerId: first.routerId,
    as: first.myAsn,
    vrfId: 0,
    vrfName: 'default',
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
  const body = `"ipv4Unicast":${jsonC(afi)}\n`;
  return vrfAll ? `{\n"default":{\n${body}}\n}\n` : `{\n${body}}\n`;
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
  if (est || s.notification) {
    Object.assign(n, { hostLocal: node.ip, portLocal: localPort(s), hostForeign: s.address, portForeign: s.port, nexthop: node.ip, nexthopGlobal: '::', nexthopLocal: '::', bgpConnection: 'sharedNetwork' });
  }
  n.connectRetryTimer = s.connectTime ?? 120;
  if (!est) n.nextStartTimerDueInMsecs = 4000;
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

/** `show bgp [vrf all] neighbors json`. */
export function bgpNeighbors(model: SimModel, node: SimNode, vrfAll: boolean): string {
  const sessions = nodeSessions(model, node);
  const obj: Record<string, unknown> = {};
  if (vrfAll && sessions.length) Object.assign(obj, { vrfId: 0, vrfName: 'default' });
  for (const s of sessions) obj[s.address] = neighborJson(model, node, s);
  return (vrfAll ? jsonC(sessions.length ? { default: obj } : {}) : jsonC(obj)) + '\n';
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
  const sessions = nodeSessions(model, node);
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
