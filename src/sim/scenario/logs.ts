/**
 * Container logs for every MetalLB container: derived defaults (start-up, memberlist, ARP
 * responders, reconcile + serviceAnnounced / ipAllocated, BGP session events, FRR daemon and
 * reloader lines) in the formats of docs/metallb.md §4, previous-instance logs for restarted
 * containers, then the scenario's own `logs` entries appended or replacing.
 */
 
import { UserError } from '../../util/errors.js';
import type { ContainerLog } from '../world.js';
import { bfdTornDown, nodeSessions, type BgpSession } from './bgp.js';
import type { DerivedPod } from './install.js';
import type { SimModel, SimNode } from './model.js';
import type { LogLine, LogSpec } from './types.js';
import { atLeast, cidrHost, goKitJson } from './util.js';
import { heldIps, routerMac } from './netout.js';

const installAge = 3 * 86400;

const timeCache = new Map<string, { nano: string; iso: string; date: Date }>();

class LogBuilder {
  lines: { ts: string; text: string }[] = [];
  constructor(private readonly now: Date) {}
  /** Time `secondsAgo` before now, as RFC3339Nano and as the millisecond ts MetalLB's logger writes. */
  at(secondsAgo: number): { nano: string; iso: string; date: Date } {
    // Every speaker logs at the same offsets: cache the formatted times (big clusters log ~10^5 lines).
    const key = `${this.now.getTime()}/${secondsAgo}`;
    let t = timeCache.get(key);
    if (!t) {
      const date = new Date(this.now.getTime() - secondsAgo * 1000);
      const iso = date.toISOString();
      t = { nano: iso.replace(/\.(\d{3})Z$/, (_m, ms: string) => `.${ms}${String(Math.round(secondsAgo * 1e6) % 1e6).padStart(6, '0')}Z`), iso, date };
      if (timeCache.size > 20000) timeCache.clear();
      timeCache.set(key, t);
    }
    return t;
  }
  json(secondsAgo: number, record: Record<string, unknown>): void {
    const t = this.at(secondsAgo);
    this.lines.push({ ts: t.nano, text: goKitJson({ level: 'info', ...record, ts: t.iso }) });
  }
  text(secondsAgo: number, text: string): void {
    this.lines.push({ ts: this.at(secondsAgo).nano, text });
  }
  /** FRR's own log line format (`2026/11/27 12:47:07.123 BGP: [XXXXX-XXXXX] msg`). */
  frr(secondsAgo: number, daemon: string, id: string, msg: string): void {
    const t = this.at(secondsAgo);
    const d = t.date.toISOString();
    const stamp = `${d.slice(0, 4)}/${d.slice(5, 7)}/${d.slice(8, 10)} ${d.slice(11, 23)}`;
    this.lines.push({ ts: t.nano, text: `${stamp} ${daemon}: [${id}] ${msg}` });
  }
  sorted(): { ts: string; text: string }[] {
    return [...this.lines].sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0));
  }
}

/**
 * A log whose lines are generated when read, not kept: the generated logs were the biggest part of a
 * big world (31 MB of 2,000 logs at 500 nodes, and 10x that at 5,000), while a collection reads each
 * once. The text is the same on every read (the model is fixed once built, the clock is the model's).
 * Assigning `lines` (scenario logs, injected fault lines) pins that array instead.
 */
export function lazyLog(base: Omit<ContainerLog, 'lines'>, generate: () => ContainerLog['lines']): ContainerLog {
  let pinned: ContainerLog['lines'] | undefined;
  const log = { ...base } as ContainerLog;
  Object.defineProperty(log, 'lines', {
    enumerable: true,
    configurable: true,
    get: () => pinned ?? generate(),
    set: (lines: ContainerLog['lines']) => {
      pinned = lines;
    },
  });
  return log;
}

export function buildLogs(model: SimModel): ContainerLog[] {
  const logs: ContainerLog[] = [];
  for (const p of model.install.pods) {
    for (const c of p.pod.spec.containers as any[]) {
      const restarted = p.pod.status.containerStatuses.find((s: any) => s.name === c.name)?.restartCount > 0;
      logs.push(lazyLog({ namespace: model.namespace, pod: p.pod.metadata.name, container: c.name }, () => containerLog(model, p, c.name, restarted ? 120 : installAge, false)));
      if (restarted) {
        logs.push(lazyLog({ namespace: model.namespace, pod: p.pod.metadata.name, container: c.name, previous: true }, () => containerLog(model, p, c.name, 900, true)));
      }
    }
  }
  applyUserLogs(model, logs, model.scenario.logs ?? []);
  return logs;
}

function caller(file: string, line: number): string {
  return `${file}:${line}`;
}

function containerLog(model: SimModel, p: DerivedPod, container: string, startedAgo: number, previous: boolean): { ts: string; text: string }[] {
  const b = new LogBuilder(model.now);
  const node = model.nodeByName.get(p.node)!;
  if (p.component === 'speaker' && container === 'speaker') speakerLog(model, node, b, startedAgo, previous);
  else if (p.component === 'controller') controllerLog(model, b, startedAgo, previous);
  else if (container === 'frr') frrLog(model, node, b, startedAgo);
  else if (container === 'reloader') reloaderLog(b, startedAgo);
  else if (container === 'frr-metrics') b.text(startedAgo - 2, `Starting FRR metrics server on 0.0.0.0:${model.install.ports.frrMetrics ?? 7473}`);
  else if (container === 'frr-status') {
    b.json(startedAgo - 2, { level: 'info', caller: 'main.go:94', msg: 'starting frr-status', node: node.name });
    for (const s of nodeSessions(model, node)) b.json(startedAgo - 30, { level: 'info', caller: 'bgpsessionstate_controller.go:97', msg: 'updated BGPSessionState', peer: s.address, bgpStatus: s.state });
  } else if (p.component === 'frr-k8s' && container === 'controller') {
    b.json(startedAgo - 1, { level: 'info', caller: 'main.go:129', msg: 'starting frr-k8s', version: 'v0.0.25', node: node.name });
    b.json(startedAgo - 20, { level: 'info', caller: 'frrconfiguration_controller.go:118', controller: 'FRRConfigurationReconciler', 'start reconcile': `${node.name}` });
    b.json(startedAgo - 20.5, { level: 'info', caller: 'frrconfiguration_controller.go:190', controller: 'FRRConfigurationReconciler', 'end reconcile': `${node.name}` });
  } else if (p.component === 'frr-k8s-statuscleaner') {
    b.json(startedAgo - 1, { level: 'info', caller: 'main.go:88', msg: 'starting frr-k8s status cleaner' });
  } else {
    b.text(startedAgo - 1, `${container} started`);
  }
  // A crash-looping controller's previous instance ends with its start-up crash, not a shutdown.
  if (previous && !(p.component === 'controller' && !controllerRunning(model))) {
    b.json(startedAgo - 700, { level: 'error', caller: caller('main.go', 212), msg: 'exiting', error: 'context canceled', op: 'shutdown' });
  }
  return b.sorted();
}

function speakerLog(model: SimModel, node: SimNode, b: LogBuilder, t0: number, previous: boolean): void {
  const v = model.version.replace(/^v/, '');
  const dp = model.dataplane;
  b.json(t0, { branch: 'HEAD', caller: caller('main.go', 110), commit: `${v}`, goversion: 'gc / go1.23.4 / amd64', msg: `MetalLB speaker starting version ${v} (commit ${v}, branch HEAD)`, version: v });
  if (model.mode === 'frr' && atLeast(model.version, 'v0.16.0')) {
    b.json(t0 - 0.1, { level: 'warn', caller: caller('main.go', 139), msg: 'The FRR mode is deprecated and will be removed in a future release, please consider using the frr-k8s mode instead' });
  }
  b.json(t0 - 0.5, { caller: caller('announcer.go', 126), event: 'createARPResponder', interface: dp.interface, msg: 'created ARP responder for interface' });
  b.json(t0 - 0.6, { caller: caller('announcer.go', 135), event: 'createNDPResponder', interface: dp.interface, msg: 'created NDP responder for interface' });
  const others = model.nodes.filter((n) => n.name !== node.name && n.speaker !== 'absent');
  b.json(t0 - 1.2, { caller: caller('speakerlist.go', 271), msg: 'triggering discovery', op: 'memberDiscovery' });
  b.json(t0 - 1.4, { caller: caller('speakerlist.go', 294), expected: others.length + 1, joined: others.length + 1, msg: 'memberlist join successfully', op: 'Member detection' });
  for (const o of others.slice(0, 10)) {
    b.json(t0 - 1.5, { caller: caller('speakerlist.go', 327), msg: 'node event - forcing sync', 'node addr': o.ip, 'node event': 'NodeJoin', 'node name': o.name });
  }
  if (model.pools.length === 0) {
    b.json(t0 - 2, { caller: caller('bgp_controller.go', 99), error: 'no MetalLB configuration in cluster', level: 'error', msg: 'configuration is missing, MetalLB will not function', op: 'setConfig' });
  } else {
    b.json(t0 - 2, { caller: caller('config_controller.go', 157), controller: 'ConfigReconciler', event: 'config reloaded' });
  }
  if (node.networkUnavailable) {
    b.json(t0 - 2.5, { caller: caller('layer2_controller.go', 71), event: 'skipping should announce l2', level: 'warn', reason: "speaker's node has NodeNetworkUnavailable condition" });
  }
  // BGP sessions.
  for (const s of nodeSessions(model, node)) {
    if (model.mode === 'native') {
      b.json(t0 - 3, { caller: caller('bgp_controller.go', 409), event: 'peerAdded', msg: 'peer configured, starting BGP session', peer: s.address });
      // A session with a flap history was up at start-up, whatever its state now.
      if (s.state === 'Established' || s.flaps.length) {
        b.json(t0 - 4, { caller: caller('native.go', 186), event: 'sessionUp', localASN: s.myAsn, msg: 'BGP session established', peer: `${s.address}:${s.port}`, peerASN: s.peerAsn });
      }
      if (s.state !== 'Established') {
        const err = s.notification === 'Hold Timer Expired' ? 'got BGP notification code 0x0400 (Hold Timer Expired (unspecific))' : s.errorCodeSubcode === '0202' ? 'got BGP notification code 0x0202 (Bad peer AS)' : s.errorCodeSubcode === '0605' ? 'got BGP notification code 0x0605 (Connection rejected)' : undefined;
        for (const ago of [600, 300, 60]) {
          if (err) b.json(ago, { caller: caller('native.go', 245), error: err, event: 'peerNotification', level: 'error', localASN: s.myAsn, msg: 'peer sent notification, closing session', peer: `${s.address}:${s.port}`, peerASN: s.peerAsn });
          else b.json(ago, { caller: caller('native.go', 154), error: `dial "${s.address}:${s.port}": i/o timeout`, level: 'error', localASN: s.myAsn, msg: 'failed to connect to peer', op: 'connect', peer: `${s.address}:${s.port}`, peerASN: s.peerAsn });
        }
      }
      // bgpSessions history: each drop and re-establishment since the container started (metallb.md §4 native BGP events).
      for (const f of s.flaps) {
        if (f.downAgo >= t0 - 4) continue;
        b.json(f.downAgo, { caller: caller('native.go', 201), event: 'sessionDown', level: 'warn', localASN: s.myAsn, msg: 'BGP session down', peer: `${s.address}:${s.port}`, peerASN: s.peerAsn });
        if (f.upAgo !== undefined) b.json(f.upAgo, { caller: caller('native.go', 186), event: 'sessionUp', localASN: s.myAsn, msg: 'BGP session established', peer: `${s.address}:${s.port}`, peerASN: s.peerAsn });
      }
    } else if (model.mode === 'frr') {
      b.json(t0 - 3, { caller: caller('frr.go', 441), event: 'peerAdded', msg: 'peer configured, starting BGP session', peer: s.address });
    }
  }
  if (model.mode === 'frr') {
    b.json(t0 - 8, { caller: caller('frr.go', 414), op: 'reload-validate', success: 'reloaded config' });
  }
  if (model.mode === 'frr-k8s') {
    b.json(t0 - 8, { caller: caller('frrk8s.go', 229), component: 'frrk8s', event: 'sent new config to the controller', level: 'info' });
  }
  // Services.
  let t = t0 - 10;
  // Every speaker reconciles every service; in big clusters keep the ones this node announces plus a
  // bounded sample of the rest, so a 1000-node scenario stays small.
  let sampled = 0;
  const reconciled: string[] = [];
  for (const s of model.services) {
    if (!s.ip) continue;
    const withdrew = s.withdrawn && (s.withdrawn.l2.includes(node.name) || s.withdrawn.bgp.includes(node.name));
    if (!s.announcers.includes(node.name) && !withdrew && ++sampled > 5) continue;
    const key = `${s.namespace}/${s.name}`;
    reconciled.push(key);
    b.json(t, { caller: caller('service_controller.go', 64), controller: 'ServiceReconciler', 'start reconcile': key });
    if (s.withdrawn) noEndpointLog(model, s, node, b, t, previous);
    if (s.l2Announcers.includes(node.name)) {
      b.json(t - 0.01, { caller: caller('main.go', 374), event: 'serviceAnnounced', ips: [s.ip], msg: 'service has IP, announcing', pool: s.pool, protocol: 'layer2' });
    }
    if (s.bgpAnnouncers.includes(node.name)) {
      b.json(t - 0.01, { caller: caller('main.go', 374), event: 'serviceAnnounced', ips: [s.ip], msg: 'service has IP, announcing', pool: s.pool, protocol: 'bgp' });
      b.json(t - 0.02, { caller: caller('bgp_controller.go', 293), event: 'updatedAdvertisements', ips: [s.ip], msg: 'making advertisements using BGP', numAds: 1, pool: s.pool, protocol: 'bgp' });
    }
    if (s.protocols.length === 0 && s.pool) {
      // IP assigned but no advertisement selects the pool: the speaker silently does nothing at info level.
      if (model.logLevel === 'debug' || model.logLevel === 'all') {
        b.json(t - 0.01, { caller: caller('layer2_controller.go', 77), event: 'skipping should announce l2', level: 'debug', reason: 'no advertisement matching service on my node' });
      }
    }
    b.json(t - 0.03, { caller: caller('service_controller.go', 116), controller: 'ServiceReconciler', 'end reconcile': key });
    t -= 0.2;
  }
  resyncLog(b, t0, reconciled);
  // Debug level: the ARP responder logs each request it answers for an IP this node holds
  // (internal/layer2/arp.go), asked by the segment's router (else its .1) every few minutes. It logs
  // the same when the reply is then dropped on the way (arpRepliesDropped).
  if ((model.logLevel === 'debug' || model.logLevel === 'all') && !model.scenario.nodes[node.index]?.arpRequestsDropped) {
    const dp = model.dataplane;
    const ri = dp.routers.findIndex((r) => r.address.split('.').slice(0, 3).join('.') === node.ip.split('.').slice(0, 3).join('.'));
    const sender = ri >= 0 ? { ip: dp.routers[ri]!.address, mac: routerMac(model, ri) } : { ip: cidrHost(dp.segment, 1), mac: routerMac(model, 0) };
    for (const ip of heldIps(model, node.name).l2.slice(0, 5)) {
      for (const ago of [900, 600, 300, 60]) {
        if (ago >= t0) continue;
        b.json(ago, { caller: caller('arp.go', 102), interface: dp.interface, ip, level: 'debug', msg: 'got ARP request for service IP, sending response', responseMAC: node.mac, senderIP: sender.ip, senderMAC: sender.mac });
      }
    }
  }
  if (previous) {
    b.json(t0 - 650, { caller: caller('speakerlist.go', 349), component: 'Memberlist', level: 'warn', msg: 'memberlist: Was able to connect to a peer over TCP but UDP probes failed, network may be misconfigured' });
  }
}

/** Is the controller Deployment's pod running (`install.controller.ready` not false)? */
export function controllerRunning(model: SimModel): boolean {
  return model.scenario.install.controller?.ready !== false;
}

/** When the endpoints stopped being ready, before the world's "now" (seconds). */
const endpointsLostAgo = 1800;

/**
 * A service whose endpoints are all unready: the speaker that announced it while they were ready
 * withdraws when they go away (speaker/main.go `serviceWithdrawn`, fields as v0.14 logs them: `ip`
 * list, `pool`, `protocol`, `reason`), and every later reconcile ends in ShouldAnnounce's refusal,
 * which only the debug level shows ("failed no active endpoints" for L2).
 */
function noEndpointLog(model: SimModel, s: SimModel['services'][number], node: SimNode, b: LogBuilder, t: number, previous: boolean): void {
  const w = s.withdrawn!;
  const startedBefore = t > endpointsLostAgo && !previous;
  const protocols: ('layer2' | 'bgp')[] = [...(w.l2.includes(node.name) ? ['layer2' as const] : []), ...(w.bgp.includes(node.name) ? ['bgp' as const] : [])];
  const key = `${s.namespace}/${s.name}`;
  if (startedBefore) {
    for (const protocol of protocols) b.json(t - 0.01, { caller: caller('main.go', 374), event: 'serviceAnnounced', ips: [s.ip], msg: 'service has IP, announcing', pool: s.pool, protocol });
    b.json(endpointsLostAgo, { caller: caller('service_controller.go', 64), controller: 'ServiceReconciler', 'start reconcile': key });
    for (const protocol of protocols) {
      const reason = protocol === 'layer2' ? 'notOwner' : w.bgpReason;
      b.json(endpointsLostAgo - 0.01, { caller: caller('main.go', 525), event: 'serviceWithdrawn', ip: [s.ip], msg: 'withdrawing service announcement', pool: s.pool, protocol, reason });
    }
    b.json(endpointsLostAgo - 0.03, { caller: caller('service_controller.go', 116), controller: 'ServiceReconciler', 'end reconcile': key });
  }
  if ((model.logLevel === 'debug' || model.logLevel === 'all') && s.protocols.includes('layer2')) {
    const at = startedBefore ? endpointsLostAgo - 0.005 : t - 0.01;
    b.json(at, { caller: caller('layer2_controller.go', 95), event: 'shouldannounce', level: 'debug', message: 'failed no active endpoints', protocol: 'l2', service: key });
  }
}

/** controller-runtime's default SyncPeriod: every watched object is reconciled again this often. */
const resyncSeconds = 10 * 3600;

/**
 * The periodic resync: speaker and controller run on controller-runtime, whose cache re-delivers
 * every object each SyncPeriod, so even a quiet MetalLB logs a start/end reconcile of its services
 * a few times a day (what `--since 24h` finds on a healthy cluster). Unchanged services log nothing else.
 */
function resyncLog(b: LogBuilder, t0: number, keys: string[]): void {
  for (let ago = t0 - resyncSeconds; ago > 0; ago -= resyncSeconds) {
    keys.forEach((key, i) => {
      b.json(ago - i * 0.002, { caller: caller('service_controller.go', 64), controller: 'ServiceReconciler', 'start reconcile': key });
      b.json(ago - i * 0.002 - 0.001, { caller: caller('service_controller.go', 116), controller: 'ServiceReconciler', 'end reconcile': key });
    });
  }
}

function controllerLog(model: SimModel, b: LogBuilder, t0: number, previous: boolean): void {
  const v = model.version.replace(/^v/, '');
  b.json(t0, { branch: 'HEAD', caller: caller('main.go', 158), commit: v, goversion: 'gc / go1.23.4 / amd64', msg: `MetalLB controller starting version ${v} (commit ${v}, branch HEAD)`, version: v });
  b.json(t0 - 0.5, { caller: caller('webhook.go', 52), msg: 'webhooks enabled', op: 'startup' });
  if (!controllerRunning(model)) {
    // A crash-looping controller dies during start-up, before its reconcilers run: no config
    // reload, no ipAllocated, no "IP allocation failed" for the services waiting for an address.
    // The crash is the cert-rotation failure of metallb/metallb#1731 (zap line, epoch ts).
    const at = b.at(t0 - 1.5).date.getTime() / 1000;
    b.text(t0 - 1.5, `{"level":"error","ts":${at.toFixed(7)},"logger":"cert-rotation","msg":"secret is not well-formed, cannot update webhook configurations","error":"Cert secret is not well-formed, missing ca.crt","errorVerbose":"Cert secret is not well-formed, missing ca.crt"}`);
    return;
  }
  if (model.pools.length === 0) {
    b.json(t0 - 1, { caller: caller('service_controller.go', 101), controller: 'ServiceReconciler', error: 'no MetalLB configuration in cluster', level: 'error', msg: 'configuration is missing, MetalLB will not function', op: 'setConfig' });
  } else {
    b.json(t0 - 1, { caller: caller('config_controller.go', 157), controller: 'ConfigReconciler', event: 'config reloaded' });
  }
  let t = t0 - 5;
  for (const s of model.services) {
    const key = `${s.namespace}/${s.name}`;
    b.json(t, { caller: caller('service_controller.go', 64), controller: 'ServiceReconciler', 'start reconcile': key });
    if (s.ip) {
      b.json(t - 0.01, { caller: caller('service.go', 168), event: 'ipAllocated', ip: [s.ip], msg: 'IP address assigned by controller' });
      b.json(t - 0.02, { caller: caller('main.go', 117), event: 'serviceUpdated', msg: 'updated service object' });
    } else {
      b.json(t - 0.01, { caller: caller('service.go', 150), error: s.allocationError, level: 'error', msg: 'IP allocation failed', op: 'allocateIPs' });
    }
    b.json(t - 0.03, { caller: caller('service_controller.go', 116), controller: 'ServiceReconciler', 'end reconcile': key });
    t -= 0.2;
  }
  resyncLog(b, t0, model.services.filter((s) => s.ip).map((s) => `${s.namespace}/${s.name}`));
  for (const s of model.services.filter((x) => !x.ip)) {
    // The controller retries pending services periodically.
    for (const ago of [1800, 900, 45]) {
      b.json(ago, { caller: caller('service_controller.go', 64), controller: 'ServiceReconciler', 'start reconcile': `${s.namespace}/${s.name}` });
      b.json(ago - 0.01, { caller: caller('service.go', 150), error: s.allocationError, level: 'error', msg: 'IP allocation failed', op: 'allocateIPs' });
      b.json(ago - 0.02, { caller: caller('service_controller.go', 116), controller: 'ServiceReconciler', 'end reconcile': `${s.namespace}/${s.name}` });
    }
  }
  if (previous) b.json(t0 - 600, { caller: caller('main.go', 230), error: 'leader election lost', level: 'error', msg: 'exiting' });
}

function frrLog(model: SimModel, node: SimNode, b: LogBuilder, t0: number): void {
  const version = model.install.frrVersion ?? '9.1.0';
  b.frr(t0, 'ZEBRA', 'NNACN-54BDA', '[EC 4043309110] Disabling MPLS support (no kernel support)');
  b.frr(t0 - 0.01, 'ZEBRA', 'T83RR-8SM5G', `zebra ${version} starting: vty@2601`);
  b.frr(t0 - 0.2, 'BGP', 'T83RR-8SM5G', `bgpd ${version} starting: vty@2605, bgp@127.0.0.1:0`);
  b.frr(t0 - 0.3, 'BFD', 'T83RR-8SM5G', `bfdd ${version} starting: vty@2617`);
  for (const s of nodeSessions(model, node)) {
    if (s.flaps.length) frrFlapLog(b, s, t0);
    if (bfdTornDown(s)) {
      b.frr(3850, 'BFD', 'S5KN7-MW2XV', `state-change: [mhop:no peer:${s.address} local:${node.ip} vrf:default ifname:${model.dataplane.interface}] up -> down reason:control-expired`);
      b.frr(3849.9, 'BGP', 'ZWCSR-M7FG9', `%NOTIFICATION: sent to neighbor ${s.address} 6/10 (Cease/BFD Down) 0 bytes`);
      b.frr(3840, 'BGP', 'M59KS-A3ZXZ', `bgp_update_receive: rcvd End-of-RIB for IPv4 Unicast from ${s.address} in vrf default`);
    } else if (s.state === 'Established') {
      b.frr(t0 - 5, 'BGP', 'M59KS-A3ZXZ', `bgp_update_receive: rcvd End-of-RIB for IPv4 Unicast from ${s.address} in vrf default`);
    } else if (s.errorCodeSubcode === '0202' && s.notificationDirection === 'sent') {
      for (const ago of [600, 300, 120, 60]) b.frr(ago, 'BGP', 'HTQD2-0R1WR', `[EC 33554451] bgp_process_packet: BGP OPEN receipt failed for peer: ${s.address}`);
      b.frr(59, 'BGP', 'YZN21-6KS42', `[EC 33554465] ${s.address} [FSM] Ignoring event BGP_Start in state Connect, prior events BGP_Start, BGP_Start, fd 25`);
    } else if (s.errorCodeSubcode === '0203') {
      for (const ago of [600, 300, 60]) {
        b.frr(ago, 'BGP', 'ZWCSR-M7FG9', `%NOTIFICATION: sent to neighbor ${s.address} 2/3 (OPEN Message Error/Bad BGP Identifier) 4 bytes c0000201`);
        b.frr(ago - 0.001, 'BGP', 'HTQD2-0R1WR', `[EC 33554451] bgp_process_packet: BGP OPEN receipt failed for peer: ${s.address}`);
      }
    } else if (s.notificationDirection === 'received') {
      const code = s.errorCodeSubcode!;
      for (const ago of [600, 300, 60]) b.frr(ago, 'BGP', 'HEH1B-HVSG6', `%NOTIFICATION: received from neighbor ${s.address} ${parseInt(code.slice(0, 2), 16)}/${parseInt(code.slice(2), 16)} (${s.notification}) 0 bytes`);
    } else if (s.notification === 'Hold Timer Expired') {
      b.frr(600, 'BGP', 'ZWCSR-M7FG9', `%NOTIFICATION: sent to neighbor ${s.address} 4/0 (Hold Timer Expired) 0 bytes`);
      b.frr(590, 'BGP', 'ZWCSR-M7FG9', `%NOTIFICATION: sent to neighbor ${s.address} 4/0 (Hold Timer Expired) 0 bytes`);
    } else if (s.connectedCheckFailed) {
      // FRR's connected check: bgpd waits for a connected nexthop and never dials. It says so only
      // with `debug bgp neighbor-events` ("[FSM] Waiting for NHT, no path to neighbor present",
      // bgp_fsm.c), which MetalLB's config does not enable: the log stays silent.
    } else {
      for (const ago of [600, 300, 60]) b.frr(ago, 'BGP', 'Z1QXX-3R8G1', `[EC 33554449] ${s.address} [Event] Connect failed 110(Connection timed out)`);
    }
  }
}

/**
 * A `bgpSessions` history in FRR's log: `%ADJCHANGE` Down with the reset reason and Up at each flap
 * (bgpd/bgp_fsm.c, message IDs HVRWP-5R9NQ / N9HHH-F8H1M as FRR 8.x logs them), preceded by the
 * NOTIFICATION when the last reset was one.
 */
function frrFlapLog(b: LogBuilder, s: BgpSession, t0: number): void {
  const vrf = s.vrf || 'default';
  // Every drop of the history has the one cause the scenario gives (`lastReset`, `notification`).
  const reason = s.lastReset ?? 'Peer closed the session';
  for (const f of s.flaps) {
    if (f.downAgo >= t0 - 5) continue;
    if (s.notification && s.errorCodeSubcode && /Notification/.test(reason)) {
      const c = s.errorCodeSubcode;
      const dir = s.notificationDirection === 'sent' ? 'sent to' : 'received from';
      b.frr(f.downAgo + 0.001, 'BGP', s.notificationDirection === 'sent' ? 'ZWCSR-M7FG9' : 'HEH1B-HVSG6', `%NOTIFICATION: ${dir} neighbor ${s.address} ${parseInt(c.slice(0, 2), 16)}/${parseInt(c.slice(2), 16)} (${s.notification}) 0 bytes`);
    }
    b.frr(f.downAgo, 'BGP', 'HVRWP-5R9NQ', `%ADJCHANGE: neighbor ${s.address}(Unknown) in vrf ${vrf} Down ${reason}`);
    if (f.upAgo !== undefined) b.frr(f.upAgo, 'BGP', 'N9HHH-F8H1M', `%ADJCHANGE: neighbor ${s.address}(Unknown) in vrf ${vrf} Up`);
  }
}

function reloaderLog(b: LogBuilder, t0: number): void {
  b.text(t0, 'PID is: 12, writing to /etc/frr_reloader/reloader.pid');
  for (const ago of [t0 - 5, 3600]) {
    b.text(ago, 'Caught SIGHUP and acquired lock! Reloading FRR..');
    b.text(ago - 0.1, 'Checking the configuration file syntax');
    b.text(ago - 1.2, 'Applying the configuration file');
    b.text(ago - 2.9, 'FRR reloaded successfully! 3 seconds');
  }
}

// ---------------------------------------------------------------- the author's log entries

function podFor(model: SimModel, spec: LogSpec, path: string): DerivedPod | undefined {
  if (spec.pod) return model.install.pods.find((p) => p.pod.metadata.name === spec.pod);
  if (!spec.component) throw new UserError(`${path}: give either pod or component (+ node)`, 'e.g. component: speaker, node: node-1');
  const component = spec.component;
  const candidates = model.install.pods.filter((p) => p.component === component && (!spec.node || p.node === spec.node));
  if (candidates.length === 0) {
    throw new UserError(`${path}: no ${component} pod${spec.node ? ` on node ${JSON.stringify(spec.node)}` : ''}`, 'check the node name and whether the speaker is absent there');
  }
  return candidates[0];
}

function renderLine(model: SimModel, line: string | LogLine | Record<string, unknown>, i: number, n: number): { ts: string; text: string } {
  // Lines without a time are spread over the last minutes before the scenario's "now", in order.
  const fallback = new Date(model.now.getTime() - (n - i) * 1500).toISOString();
  if (typeof line === 'string') return { ts: fallback, text: line };
  if ('text' in line && typeof line.text === 'string' && Object.keys(line).every((k) => k === 'text' || k === 'ts')) {
    return { ts: (line.ts as string | undefined) ?? fallback, text: line.text };
  }
  const rec = line as Record<string, unknown>;
  const ts = typeof rec.ts === 'string' ? rec.ts : fallback;
  return { ts, text: goKitJson({ level: 'info', ...rec, ts }) };
}

export function applyUserLogs(model: SimModel, logs: ContainerLog[], specs: LogSpec[]): void {
  specs.forEach((spec, i) => {
    const path = `logs[${i}]`;
    const derived = podFor(model, spec, path);
    const pod = spec.pod ?? derived!.pod.metadata.name;
    const namespace = spec.namespace ?? model.namespace;
    if (derived && !derived.pod.spec.containers.some((c: any) => c.name === spec.container)) {
      throw new UserError(`${path}.container: pod ${pod} has no container ${JSON.stringify(spec.container)}`, `use one of: ${derived.pod.spec.containers.map((c: any) => c.name).join(', ')}`);
    }
    const lines = spec.lines.map((l, j) => renderLine(model, l, j, spec.lines.length));
    let log = logs.find((l) => l.namespace === namespace && l.pod === pod && l.container === spec.container && !!l.previous === !!spec.previous);
    if (!log) {
      log = { namespace, pod, container: spec.container, ...(spec.previous ? { previous: true } : {}), lines: [] };
      logs.push(log);
    }
    log.lines = spec.mode === 'replace' ? lines : [...log.lines, ...lines].sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0));
  });
}
