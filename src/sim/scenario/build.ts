/**
 * Builds a World from a validated scenario: Nodes, kube-system pieces (kube-proxy ConfigMap),
 * the MetalLB installation (install.ts), the author's objects, the `services` shorthand expanded
 * into Services, EndpointSlices, Events and status CRs consistent with MetalLB's election rules,
 * frr-k8s status objects, default logs and metrics, and the final data plane.
 */
 
import type { KubeObject } from '../../model/cluster.js';
import { UserError } from '../../util/errors.js';
import { SimClock } from '../clock.js';
import type { ContainerLog, Fault, World } from '../world.js';
import { defaultSegment, defaultInterface, labMac, type Dataplane } from './dataplane.js';
import { validateDataPath, webhookEndpointSlices } from './datapath.js';
import { defaultService } from './defaults.js';
import { advertisementSelectsPool, anySelectorMatches, eligibleNodes, excludeLabel, l2Order, poolForIp, type CandidateNode } from './election.js';
import { deriveInstall, type NodeInfo } from './install.js';
import { buildLogs, controllerRunning } from './logs.js';
import { nodeSessions } from './bgp.js';
import { runningConfig } from './frr.js';
import { buildMetrics } from './metrics.js';
import type { SimModel, SimNode, SimService } from './model.js';
import type { Scenario } from './types.js';
import { atLeast, cidrHost, goKitJson, isoBefore, nameSuffix, sha256Hex, stableUid } from './util.js';

export const defaultKubernetesVersion = 'v1.32.4';
/** How long the cluster (and MetalLB) has been up at the scenario's "now". */
const clusterAgeSeconds = 12 * 86400;
const installAgeSeconds = 3 * 86400;

export interface BuildResult {
  world: World;
  model: SimModel;
}

const metallbKinds = new Set(['IPAddressPool', 'L2Advertisement', 'BGPAdvertisement', 'BGPPeer', 'BFDProfile', 'Community', 'ServiceL2Status', 'ServiceBGPStatus', 'ConfigurationState']);

export function buildWorld(scenario: Scenario): BuildResult {
  // One clock for the whole world: times below are placed before the moment it is built, and the
  // server reads the same clock for every time-based answer (see ../clock.ts).
  const clock = new SimClock(scenario.time);
  // Exactly the pinned instant when there is one, so one scenario and time always build one world.
  const now = clock.startedAt;
  const ns = scenario.install.namespace ?? 'metallb-system';
  const version = scenario.install.version;
  const mode = scenario.install.mode;
  const method = scenario.install.method ?? 'manifest';
  const logLevel = scenario.install.logLevel ?? 'info';
  const segment = scenario.dataplane?.segment ?? defaultSegment;
  const iface = scenario.dataplane?.interface ?? defaultInterface;
  let rv = 1000;
  const nextResourceVersion = (): string => String(++rv);
  const created = (age: number): string => isoBefore(now, age);
  const meta = (kind: string, name: string, namespace?: string, age = installAgeSeconds): any => ({
    name,
    ...(namespace ? { namespace } : {}),
    uid: stableUid(`${scenario.name}/${kind}/${namespace ?? ''}/${name}`),
    resourceVersion: nextResourceVersion(),
    creationTimestamp: created(age),
  });

  // ------------------------------------------------------------ nodes
  const seen = new Set<string>();
  const nodes: SimNode[] = scenario.nodes.map((n, i) => {
    if (seen.has(n.name)) throw new UserError(`nodes[${i}].name: duplicate node name ${JSON.stringify(n.name)}`, 'give every node a unique name');
    seen.add(n.name);
    const controlPlane = !!n.controlPlane;
    const labels: Record<string, string> = {
      'beta.kubernetes.io/arch': 'amd64',
      'beta.kubernetes.io/os': 'linux',
      'kubernetes.io/arch': 'amd64',
      'kubernetes.io/hostname': n.name,
      'kubernetes.io/os': 'linux',
      ...(controlPlane ? { 'node-role.kubernetes.io/control-plane': '', [excludeLabel]: '' } : {}),
      ...(n.labels ?? {}),
    };
    const taints = [...(controlPlane ? [{ key: 'node-role.kubernetes.io/control-plane', effect: 'NoSchedule' as const }] : []), ...(n.taints ?? [])];
    return {
      name: n.name,
      ip: n.ip ?? cidrHost(segment, 11 + i),
      index: i,
      labels,
      taints,
      podCIDR: `10.244.${i % 256}.0/24`,
      speaker: n.speaker ?? {},
      frrk8s: n.frrk8s,
      ready: (n.conditions?.Ready ?? 'True') === 'True',
      mac: (n.mac ?? labMac(i + 1)).toLowerCase(),
      controlPlane,
      networkUnavailable: n.conditions?.NetworkUnavailable === 'True',
    };
  });
  const nodeByName = new Map(nodes.map((n) => [n.name, n]));
  const requireNode = (name: string, path: string): SimNode => {
    const n = nodeByName.get(name);
    if (!n) throw new UserError(`${path}: unknown node ${JSON.stringify(name)}`, `use one of the scenario's nodes: ${[...nodeByName.keys()].slice(0, 10).join(', ')}`);
    return n;
  };
  validateDataPath(scenario, requireNode);
  const controllerNode = scenario.install.controllerNode
    ? requireNode(scenario.install.controllerNode, 'install.controllerNode').name
    : (nodes.find((n) => !n.controlPlane) ?? nodes[0]!).name;

  const objects: KubeObject[] = [];
  for (const n of nodes) objects.push(nodeObject(scenario, n, now, meta));
  // Namespaces and kube-proxy's configuration (mode + strictARP are what MetalLB cares about).
  for (const name of ['default', 'kube-system', 'kube-public', 'kube-node-lease']) {
    objects.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { ...meta('Namespace', name, undefined, clusterAgeSeconds), labels: { 'kubernetes.io/metadata.name': name } }, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } });
  }
  const kubeProxy = { mode: scenario.kubeProxy?.mode ?? 'iptables', strictARP: scenario.kubeProxy?.strictARP ?? false };
  objects.push({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { ...meta('ConfigMap', 'kube-proxy', 'kube-system', clusterAgeSeconds), labels: { app: 'kube-proxy' } },
    data: { 'config.conf': kubeProxyConfig(kubeProxy), kubeconfig: kubeProxyKubeconfig },
  });

  // ------------------------------------------------------------ install
  const install = deriveInstall({
    scenario: scenario.name,
    version,
    mode,
    method,
    namespace: ns,
    release: scenario.install.helmRelease ?? 'metallb',
    logLevel,
    nodes: nodes as NodeInfo[],
    controllerNode,
    controller: scenario.install.controller,
    now,
    ageSeconds: installAgeSeconds,
    nextResourceVersion,
  });
  for (const o of install.objects) objects.push(o);

  // ------------------------------------------------------------ author objects
  const userObjects: KubeObject[] = (scenario.objects ?? []).map((o, i) => {
    const copy: any = structuredClone(o);
    if (metallbKinds.has(copy.kind) || copy.kind === 'Secret') copy.metadata.namespace ??= ns;
    else if (copy.kind === 'FRRConfiguration' || copy.kind === 'BGPSessionState') copy.metadata.namespace ??= ns;
    else if (!['Node', 'Namespace', 'FRRNodeState', 'ValidatingWebhookConfiguration', 'ClusterRole', 'ClusterRoleBinding'].includes(copy.kind)) copy.metadata.namespace ??= 'default';
    const base = meta(copy.kind, copy.metadata.name, copy.metadata.namespace, installAgeSeconds - 3600 - i);
    copy.metadata = { ...base, ...copy.metadata };
    if (copy.metadata.generation === undefined && copy.kind !== 'Event' && copy.kind !== 'ConfigMap' && copy.kind !== 'Secret') copy.metadata.generation = 1;
    if (copy.kind === 'Service') defaultService(copy, clusterIpFor(`${copy.metadata.namespace}/${copy.metadata.name}`));
    if (copy.kind === 'Secret') {
      // The API server stores stringData as base64 data and never returns stringData.
      if (copy.stringData) {
        copy.data = { ...(copy.data ?? {}) };
        for (const [k, v] of Object.entries(copy.stringData as Record<string, string>)) copy.data[k] = Buffer.from(String(v)).toString('base64');
        delete copy.stringData;
      }
      copy.type ??= 'Opaque';
    }
    return copy;
  });
  // An author object replaces a derived one with the same identity (e.g. a custom kube-proxy ConfigMap).
  const key = (o: KubeObject): string => `${o.apiVersion}/${o.kind}/${o.metadata.namespace ?? ''}/${o.metadata.name}`;
  const userKeys = new Set(userObjects.map(key));
  for (let i = objects.length - 1; i >= 0; i--) if (userKeys.has(key(objects[i]!))) objects.splice(i, 1);
  for (const o of userObjects) objects.push(o);
  const kubeProxyOverride = userObjects.find((o: any) => o.kind === 'ConfigMap' && o.metadata.name === 'kube-proxy' && o.metadata.namespace === 'kube-system') as any;
  if (kubeProxyOverride?.data?.['config.conf']) {
    const conf: string = kubeProxyOverride.data['config.conf'];
    const m = /^mode:\s*"?(\w*)"?/m.exec(conf);
    kubeProxy.mode = (m?.[1] || 'iptables') as typeof kubeProxy.mode;
    kubeProxy.strictARP = /strictARP:\s*true/.test(conf);
  }

  const inNs = (kind: string): KubeObject[] => userObjects.filter((o) => o.kind === kind && o.metadata.namespace === ns);
  const pools = inNs('IPAddressPool');
  const l2Advertisements = inNs('L2Advertisement');
  const bgpAdvertisements = inNs('BGPAdvertisement');
  const bgpPeers = inNs('BGPPeer');
  const secrets = new Map(inNs('Secret').map((s) => [s.metadata.name, s]));

  const model: SimModel = {
    scenario,
    name: scenario.name,
    now,
    clock,
    namespace: ns,
    version,
    mode,
    method,
    logLevel,
    install,
    nodes,
    nodeByName,
    pools,
    l2Advertisements,
    bgpAdvertisements,
    bgpPeers,
    bfdProfiles: inNs('BFDProfile'),
    communities: inNs('Community'),
    secrets,
    services: [],
    dataplane: { segment, interface: iface, routers: scenario.dataplane?.routers ?? [], announce: {}, nodes: {} },
    kubeProxy,
  };

  // ------------------------------------------------------------ services
  const speakerNodes = new Set(install.pods.filter((p) => p.component === 'speaker').map((p) => p.node));
  const speakerReady = (n: SimNode): boolean => n.speaker !== 'absent' && (n.speaker.ready ?? true) && n.ready && speakerNodes.has(n.name);
  const ignoreExclude = false;
  (scenario.services ?? []).forEach((s, i) => {
    const path = `services[${i}]`;
    const svcNs = s.namespace ?? 'default';
    for (const e of s.endpoints ?? []) requireNode(e, `${path}.endpoints`);
    for (const e of s.announcedBy ?? []) requireNode(e, `${path}.announcedBy`);
    for (const e of s.unreadyEndpoints ?? []) requireNode(e, `${path}.unreadyEndpoints`);
    const workers = nodes.filter((n) => !n.controlPlane).map((n) => n.name);
    const unreadyEndpoints = [...(s.unreadyEndpoints ?? [])];
    const endpoints = s.endpoints ?? (s.unreadyEndpoints ? workers.filter((n) => !unreadyEndpoints.includes(n)) : workers);
    const etp = s.externalTrafficPolicy ?? 'Cluster';
    let pool: KubeObject | undefined;
    if (s.ip) {
      pool = s.pool ? pools.find((p) => p.metadata.name === s.pool) : poolForIp(pools, s.ip);
      if (s.pool && !pool) throw new UserError(`${path}.pool: no IPAddressPool ${JSON.stringify(s.pool)} in namespace ${ns}`, 'add the pool to objects or fix the name');
    }
    const protocols: SimService['protocols'] = [];
    let l2Announcers: string[] = [];
    let bgpAnnouncers: string[] = [];
    const bgpPeersFor: string[] = [];
    let withdrawn: SimService['withdrawn'];
    if (s.ip && pool) {
      const ip = s.ip;
      const l2ads = l2Advertisements.filter((ad) => advertisementSelectsPool(ad, pool!));
      const bgpads = bgpAdvertisements.filter((ad) => advertisementSelectsPool(ad, pool!));
      const elect = (ready: string[]): { l2: string[]; bgp: string[] } => {
        const candidates: CandidateNode[] = nodes.map((n) => ({
          name: n.name,
          labels: n.labels,
          speakerReady: speakerReady(n),
          networkUnavailable: n.networkUnavailable,
          hasEndpoint: ready.includes(n.name),
        }));
        const leader = l2ads.length ? l2Order(eligibleNodes(candidates, l2ads, etp === 'Local', ignoreExclude), ip)[0] : undefined;
        return { l2: leader ? [leader] : [], bgp: bgpads.length ? eligibleNodes(candidates, bgpads, etp === 'Local', ignoreExclude) : [] };
      };
      if (l2ads.length) protocols.push('layer2');
      if (bgpads.length) {
        protocols.push('bgp');
        for (const peer of bgpPeers) {
          const adPeers = bgpads.flatMap((ad) => (ad.spec?.peers ?? []) as string[]);
          if (adPeers.length === 0 || adPeers.includes(peer.metadata.name)) bgpPeersFor.push(peer.metadata.name);
        }
      }
      if (endpoints.length > 0) {
        ({ l2: l2Announcers, bgp: bgpAnnouncers } = elect(endpoints));
      } else {
        // No ready endpoint anywhere: MetalLB's ShouldAnnounce returns before any election, whatever
        // the traffic policy (speaker/layer2_controller.go: "failed no active endpoints" → notOwner;
        // speaker/bgp_controller.go: noLocalEndpoints / noEndpoints), so no node announces. The
        // nodes that announced while the endpoints were ready have withdrawn.
        const before = elect(unreadyEndpoints.length ? unreadyEndpoints : workers);
        withdrawn = { l2: before.l2, bgp: before.bgp, bgpReason: etp === 'Local' ? 'noLocalEndpoints' : 'noEndpoints' };
      }
    }
    if (s.announcedBy) {
      if (protocols.includes('layer2')) l2Announcers = [...s.announcedBy];
      if (protocols.includes('bgp')) bgpAnnouncers = [...s.announcedBy];
    }
    const announcers = [...new Set([...l2Announcers, ...bgpAnnouncers])];
    const svc = serviceObject(scenario, s, svcNs, pool?.metadata.name, etp, meta);
    model.services.push({
      namespace: svcNs,
      name: s.name,
      uid: svc.metadata.uid,
      ip: s.ip,
      pool: pool?.metadata.name,
      protocols,
      announcers,
      l2Announcers,
      bgpAnnouncers,
      bgpPeers: bgpPeersFor,
      ports: svc.spec.ports.map((p: any) => ({ name: p.name, port: p.port, targetPort: p.targetPort, protocol: p.protocol })),
      endpoints,
      unreadyEndpoints,
      ...(withdrawn ? { withdrawn } : {}),
      allocationError: s.ip ? undefined : (s.allocationError ?? 'no available IPs'),
      externalTrafficPolicy: etp,
    });
    objects.push(svc, endpointSlice(scenario, svc, endpoints, nodes, meta, unreadyEndpoints));
  });

  // Services given verbatim in objects also count when they carry an IP (e.g. exotic specs).
  for (const o of userObjects as any[]) {
    if (o.kind !== 'Service' || o.spec?.type !== 'LoadBalancer') continue;
    if (model.services.some((s) => s.namespace === o.metadata.namespace && s.name === o.metadata.name)) continue;
    const ip: string | undefined = o.status?.loadBalancer?.ingress?.[0]?.ip;
    model.services.push({
      namespace: o.metadata.namespace,
      name: o.metadata.name,
      uid: o.metadata.uid,
      ip,
      pool: o.metadata.annotations?.['metallb.io/ip-allocated-from-pool'],
      protocols: [],
      announcers: [],
      l2Announcers: [],
      bgpAnnouncers: [],
      bgpPeers: [],
      ports: (o.spec.ports ?? []).map((p: any) => ({ name: p.name, port: p.port, targetPort: typeof p.targetPort === 'number' ? p.targetPort : p.port, protocol: p.protocol ?? 'TCP' })),
      endpoints: [],
      unreadyEndpoints: [],
      externalTrafficPolicy: o.spec.externalTrafficPolicy ?? 'Cluster',
    });
  }

  // Namespaces of the services that have none yet.
  const haveNs = new Set(objects.filter((o) => o.kind === 'Namespace').map((o) => o.metadata.name));
  for (const s of model.services) {
    if (haveNs.has(s.namespace)) continue;
    haveNs.add(s.namespace);
    objects.push({ apiVersion: 'v1', kind: 'Namespace', metadata: { ...meta('Namespace', s.namespace, undefined, 5 * 86400), labels: { 'kubernetes.io/metadata.name': s.namespace } }, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } });
  }

  // ------------------------------------------------------------ data plane
  const dp: Dataplane = model.dataplane;
  for (const s of model.services) if (s.ip && s.announcers.length) dp.announce[s.ip] = [...s.announcers];
  for (const [ip, holders] of Object.entries(scenario.dataplane?.announce ?? {})) {
    holders.forEach((h) => requireNode(h, `dataplane.announce[${JSON.stringify(ip)}]`));
    dp.announce[ip] = [...holders];
  }
  for (const [name, o] of Object.entries(scenario.dataplane?.nodes ?? {})) {
    requireNode(name, `dataplane.nodes.${name}`);
    dp.nodes[name] = structuredClone(o);
  }
  if (kubeProxy.mode === 'ipvs') {
    // kube-proxy IPVS binds every LoadBalancer IP to kube-ipvs0 on every node.
    const lbIps = model.services.filter((s) => s.ip).map((s) => s.ip!);
    for (const n of nodes) {
      dp.nodes[n.name] ??= {};
      dp.nodes[n.name]!.ipvsAddresses ??= lbIps;
    }
  }

  // ------------------------------------------------------------ status objects and events
  for (const o of statusObjects(model, meta)) objects.push(o);
  if (mode === 'frr-k8s') for (const o of frrk8sObjects(model, meta, userObjects)) objects.push(o);
  for (const o of webhookEndpointSlices(model, controllerRunning(model))) objects.push(o);
  for (const o of serviceEvents(model, nextResourceVersion)) objects.push(o);

  const faults = resolveFaults(scenario.faults ?? [], objects, model);
  const logs = buildLogs(model);
  conversionFailureLogs(model, faults, logs);
  // A crash-looping controller listens on nothing: the pod proxy answers connection refused.
  const controllerPod = model.install.pods.find((p) => p.component === 'controller')?.pod.metadata.name;
  const metrics = buildMetrics(model).filter((m) => controllerRunning(model) || m.pod !== controllerPod);

  const world: World = {
    name: scenario.name,
    description: scenario.description,
    kubernetesVersion: scenario.kubernetesVersion ?? defaultKubernetesVersion,
    objects,
    logs,
    metrics,
    faults,
    dataplane: dp,
    clock,
  };
  return { world, model };
}

// ---------------------------------------------------------------- helpers

/**
 * Fills what a conversion-webhook-failure fault needs from the world: the CRD's kind, served
 * versions and webhook URL (its conversion clientConfig, renamed when the fault names another
 * Service, as a chart whose webhook Service has another name leaves it: bitnami/charts#24846), and
 * why the call fails.
 */
function resolveFaults(faults: Fault[], objects: KubeObject[], model: SimModel): Fault[] {
  return faults.map((f, i) => {
    if (f.type !== 'conversion-webhook-failure') return f;
    const path = `faults[${i}]`;
    const group = f.group ?? 'metallb.io';
    const at = objects.findIndex((o) => o.kind === 'CustomResourceDefinition' && o.metadata.name === `${f.resource}.${group}`);
    if (at < 0) throw new UserError(`${path}.resource: no CustomResourceDefinition ${f.resource}.${group} in this installation`, 'name a multi-version MetalLB CRD, e.g. bgppeers');
    // The manifest objects are shared between loads: change a copy.
    const crd: any = structuredClone(objects[at]!);
    objects[at] = crd;
    const versions: string[] = (crd.spec.versions ?? []).filter((v: any) => v.served).map((v: any) => v.name);
    const clientConfig = crd.spec.conversion?.strategy === 'Webhook' ? crd.spec.conversion.webhook?.clientConfig : undefined;
    if (!clientConfig?.service || versions.length < 2) throw new UserError(`${path}.resource: ${f.resource}.${group} converts no versions through a webhook`, 'bgppeers.metallb.io converts v1beta1 ↔ v1beta2');
    if (f.service) clientConfig.service.name = f.service;
    const svc = clientConfig.service;
    const exists = objects.some((o) => o.kind === 'Service' && o.metadata.namespace === svc.namespace && o.metadata.name === svc.name);
    const error = f.error ?? (!exists ? `service "${svc.name}" not found` : !controllerRunning(model) ? `no endpoints available for service "${svc.name}"` : undefined);
    if (!error) throw new UserError(`${path}.error: the webhook Service exists and the controller runs, so the call has no derived reason to fail`, 'give error, e.g. "tls: failed to verify certificate: x509: certificate signed by unknown authority"');
    return { ...f, kind: crd.spec.names.kind, versions, error, url: `https://${svc.name}.${svc.namespace}.svc:${svc.port ?? 443}${svc.path ?? ''}?timeout=30s` };
  });
}

/**
 * MetalLB's own informers cannot list a CRD whose conversion fails either: client-go's reflector
 * logs it through klog, which MetalLB re-emits as JSON (metallb.md §4.1), every few minutes while
 * it retries. The speakers and the controller watch their types in the newest version.
 */
function conversionFailureLogs(model: SimModel, faults: Fault[], logs: ContainerLog[]): void {
  for (const f of faults) {
    if (f.type !== 'conversion-webhook-failure' || !f.url) continue;
    const version = f.versions![f.versions!.length - 1]!;
    const from = f.versions!.find((v) => v !== version)!;
    const type = `*${version}.${f.kind}`;
    const text = `pkg/mod/k8s.io/client-go@v0.31.3/tools/cache/reflector.go:243: Failed to watch ${type}: failed to list ${type}: conversion webhook for ${f.group ?? 'metallb.io'}/${from}, Kind=${f.kind} failed: Post "${f.url}": ${f.error}`;
    const pods = new Set(model.install.pods.filter((p) => p.component === 'speaker' || (p.component === 'controller' && controllerRunning(model))).map((p) => p.pod.metadata.name));
    for (const log of logs) {
      if (!pods.has(log.pod) || !['speaker', 'controller'].includes(log.container) || log.previous) continue;
      // Generated logs are produced on each read (lazyLog): read once, then assign the result.
      const lines = [...log.lines];
      if (!lines.length) continue;
      const start = lines[0]!.ts;
      for (const ago of [1500, 900, 300, 60]) {
        const ts = new Date(model.now.getTime() - ago * 1000).toISOString();
        if (ts <= start) continue;
        lines.push({ ts, text: goKitJson({ caller: 'reflector.go:158', level: 'error', msg: text, ts }) });
      }
      log.lines = lines.sort((a, b) => (a.ts < b.ts ? -1 : a.ts > b.ts ? 1 : 0));
    }
  }
}

function clusterIpFor(seed: string): string {
  const h = sha256Hex(seed);
  return `10.96.${(parseInt(h.slice(0, 2), 16) % 254) + 1}.${(parseInt(h.slice(2, 4), 16) % 253) + 2}`;
}

function kubeProxyConfig(kp: { mode: string; strictARP: boolean }): string {
  return [
    'apiVersion: kubeproxy.config.k8s.io/v1alpha1',
    'bindAddress: 0.0.0.0',
    'clientConnection:',
    '  kubeconfig: /var/lib/kube-proxy/kubeconfig.conf',
    'clusterCIDR: 10.244.0.0/16',
    'ipvs:',
    '  scheduler: ""',
    `  strictARP: ${kp.strictARP}`,
    '  syncPeriod: 0s',
    `mode: ${kp.mode === 'iptables' ? '""' : kp.mode}`,
    'nodePortAddresses: null',
    '',
  ].join('\n');
}

const kubeProxyKubeconfig = [
  'apiVersion: v1',
  'kind: Config',
  'clusters:',
  '- cluster:',
  '    certificate-authority: /var/run/secrets/kubernetes.io/serviceaccount/ca.crt',
  '    server: https://control-plane.cluster.invalid:6443',
  '  name: default',
  '',
].join('\n');

function nodeObject(scenario: Scenario, n: SimNode, now: Date, meta: (k: string, name: string, ns?: string, age?: number) => any): KubeObject {
  const t = isoBefore(now, clusterAgeSeconds);
  const heartbeat = isoBefore(now, 42);
  const spec = scenario.nodes[n.index]!;
  const ready = spec.conditions?.Ready ?? 'True';
  const conditions: any[] = [];
  if (spec.conditions?.NetworkUnavailable !== undefined) {
    const unavailable = spec.conditions.NetworkUnavailable === 'True';
    conditions.push({
      type: 'NetworkUnavailable',
      status: spec.conditions.NetworkUnavailable,
      lastHeartbeatTime: isoBefore(now, 3600),
      lastTransitionTime: isoBefore(now, 3600),
      reason: unavailable ? 'NoRouteCreated' : 'RouteCreated',
      message: unavailable ? 'Node created without a route' : 'RouteController created a route',
    });
  }
  conditions.push(
    { type: 'MemoryPressure', status: 'False', lastHeartbeatTime: heartbeat, lastTransitionTime: t, reason: 'KubeletHasSufficientMemory', message: 'kubelet has sufficient memory available' },
    { type: 'DiskPressure', status: 'False', lastHeartbeatTime: heartbeat, lastTransitionTime: t, reason: 'KubeletHasNoDiskPressure', message: 'kubelet has no disk pressure' },
    { type: 'PIDPressure', status: 'False', lastHeartbeatTime: heartbeat, lastTransitionTime: t, reason: 'KubeletHasSufficientPID', message: 'kubelet has sufficient PID available' },
    ready === 'True'
      ? { type: 'Ready', status: 'True', lastHeartbeatTime: heartbeat, lastTransitionTime: t, reason: 'KubeletReady', message: 'kubelet is posting ready status' }
      : ready === 'False'
        ? { type: 'Ready', status: 'False', lastHeartbeatTime: heartbeat, lastTransitionTime: isoBefore(now, 600), reason: 'KubeletNotReady', message: 'container runtime network not ready: NetworkReady=false reason:NetworkPluginNotReady message:Network plugin returns error: cni plugin not initialized' }
        : { type: 'Ready', status: 'Unknown', lastHeartbeatTime: isoBefore(now, 600), lastTransitionTime: isoBefore(now, 560), reason: 'NodeStatusUnknown', message: 'Kubelet stopped posting node status.' },
  );
  const taints: any[] = n.taints.map((x) => ({ ...x }));
  if (ready !== 'True') taints.push({ key: ready === 'False' ? 'node.kubernetes.io/not-ready' : 'node.kubernetes.io/unreachable', effect: 'NoSchedule' });
  const k8sVersion = scenario.kubernetesVersion ?? defaultKubernetesVersion;
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: {
      ...meta('Node', n.name, undefined, clusterAgeSeconds),
      labels: n.labels,
      annotations: {
        'kubeadm.alpha.kubernetes.io/cri-socket': 'unix:///run/containerd/containerd.sock',
        'node.alpha.kubernetes.io/ttl': '0',
        'volumes.kubernetes.io/controller-managed-attach-detach': 'true',
      },
    },
    spec: { podCIDR: n.podCIDR, podCIDRs: [n.podCIDR], ...(spec.providerID ? { providerID: spec.providerID } : {}), ...(taints.length ? { taints } : {}) },
    status: {
      addresses: [
        { type: 'InternalIP', address: n.ip },
        { type: 'Hostname', address: n.name },
      ],
      allocatable: { cpu: '4', 'ephemeral-storage': '95491281146', 'hugepages-2Mi': '0', memory: '16283252Ki', pods: '110' },
      capacity: { cpu: '4', 'ephemeral-storage': '103609720Ki', 'hugepages-2Mi': '0', memory: '16385652Ki', pods: '110' },
      conditions,
      daemonEndpoints: { kubeletEndpoint: { Port: 10250 } },
      nodeInfo: {
        architecture: 'amd64',
        bootID: stableUid(`${scenario.name}/boot/${n.name}`),
        containerRuntimeVersion: 'containerd://1.7.24',
        kernelVersion: '6.1.0-28-amd64',
        kubeProxyVersion: k8sVersion,
        kubeletVersion: k8sVersion,
        machineID: sha256Hex(`machine/${n.name}`).slice(0, 32),
        operatingSystem: 'linux',
        osImage: 'Debian GNU/Linux 12 (bookworm)',
        systemUUID: stableUid(`${scenario.name}/system/${n.name}`),
      },
    },
  };
}

function serviceObject(scenario: Scenario, s: NonNullable<Scenario['services']>[number], ns: string, pool: string | undefined, etp: string, meta: (k: string, name: string, ns?: string, age?: number) => any): any {
  const annotations: Record<string, string> = { ...(s.annotations ?? {}) };
  if (s.requestedIP) annotations['metallb.io/loadBalancerIPs'] = s.requestedIP;
  if (s.ip && pool) annotations['metallb.io/ip-allocated-from-pool'] = pool;
  const ports = (s.ports ?? [{ name: 'http', port: 80, targetPort: 8080 }]).map((p, i) => ({
    name: p.name ?? (i === 0 ? 'http' : `port-${p.port}`),
    protocol: p.protocol ?? 'TCP',
    port: p.port,
    targetPort: p.targetPort ?? p.port,
    nodePort: 30000 + (parseInt(sha256Hex(`${ns}/${s.name}/${p.port}`).slice(0, 4), 16) % 2767),
  }));
  const svc: any = {
    apiVersion: 'v1',
    kind: 'Service',
    metadata: { ...meta('Service', s.name, ns, 86400), labels: { app: s.name }, ...(Object.keys(annotations).length ? { annotations } : {}) },
    spec: { type: 'LoadBalancer', selector: { app: s.name }, ports, externalTrafficPolicy: etp },
    status: { loadBalancer: s.ip ? { ingress: [{ ip: s.ip, ipMode: 'VIP' }] } : {} },
  };
  defaultService(svc, clusterIpFor(`${ns}/${s.name}`));
  if (etp === 'Local') svc.spec.healthCheckNodePort = 32000 + (parseInt(sha256Hex(`${ns}/${s.name}/hc`).slice(0, 4), 16) % 767);
  void scenario;
  return svc;
}

function endpointSlice(scenario: Scenario, svc: any, endpointNodes: string[], nodes: SimNode[], meta: (k: string, name: string, ns?: string, age?: number) => any, unreadyNodes: string[] = []): KubeObject {
  const name = `${svc.metadata.name}-${nameSuffix(`${scenario.name}/eps/${svc.metadata.namespace}/${svc.metadata.name}`)}`;
  return {
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: {
      ...meta('EndpointSlice', name, svc.metadata.namespace, 86400),
      generateName: `${svc.metadata.name}-`,
      generation: 1,
      labels: { 'endpointslice.kubernetes.io/managed-by': 'endpointslice-controller.k8s.io', 'kubernetes.io/service-name': svc.metadata.name, app: svc.metadata.name },
      annotations: { 'endpoints.kubernetes.io/last-change-trigger-time': svc.metadata.creationTimestamp },
      ownerReferences: [{ apiVersion: 'v1', kind: 'Service', name: svc.metadata.name, uid: svc.metadata.uid, controller: true, blockOwnerDeletion: true }],
    },
    addressType: 'IPv4',
    endpoints: [...endpointNodes, ...unreadyNodes].map((nodeName, i) => {
      const node = nodes.find((n) => n.name === nodeName)!;
      // The EndpointSlice controller lists a pod that fails its readiness probe with ready and
      // serving false (terminating false); MetalLB counts only endpoints that can serve.
      const ready = i < endpointNodes.length;
      const podName = `${svc.metadata.name}-${nameSuffix(`${svc.metadata.name}/rs`, 10)}-${nameSuffix(`${svc.metadata.name}/${nodeName}/${i}`)}`;
      return {
        addresses: [`${node.podCIDR.split('.').slice(0, 3).join('.')}.${(parseInt(sha256Hex(podName).slice(0, 2), 16) % 240) + 10}`],
        conditions: { ready, serving: ready, terminating: false },
        nodeName,
        targetRef: { kind: 'Pod', namespace: svc.metadata.namespace, name: podName, uid: stableUid(`${scenario.name}/Pod/${podName}`) },
      };
    }),
    ports: svc.spec.ports.map((p: any) => ({ name: p.name, port: p.targetPort, protocol: p.protocol })),
  };
}

function statusObjects(model: SimModel, meta: (k: string, name: string, ns?: string, age?: number) => any): KubeObject[] {
  const out: KubeObject[] = [];
  const { namespace: ns, version } = model;
  const labelsFor = (s: SimService, node: string): Record<string, string> => ({
    'metallb.io/node': node,
    'metallb.io/service-name': s.name,
    'metallb.io/service-namespace': s.namespace,
  });
  for (const s of model.services) {
    if (!s.ip) continue;
    for (const node of s.l2Announcers) {
      if (atLeast(version, 'v0.14.6')) {
        const name = `l2-${nameSuffix(`${model.name}/l2/${s.namespace}/${s.name}/${node}`)}`;
        out.push({
          apiVersion: 'metallb.io/v1beta1',
          kind: 'ServiceL2Status',
          metadata: {
            ...meta('ServiceL2Status', name, ns, 86000),
            generateName: 'l2-',
            generation: 1,
            labels: labelsFor(s, node),
            ownerReferences: [{ apiVersion: 'v1', kind: 'Pod', name: speakerPodName(model, node) ?? 'speaker', uid: speakerPodUid(model, node) ?? stableUid(node) }],
          },
          spec: {},
          status: { node, serviceName: s.name, serviceNamespace: s.namespace, interfaces: [{ name: model.dataplane.interface }] },
        });
      }
    }
    for (const node of s.bgpAnnouncers) {
      if (atLeast(version, 'v0.15.0')) {
        const name = `bgp-${nameSuffix(`${model.name}/bgp/${s.namespace}/${s.name}/${node}`)}`;
        out.push({
          apiVersion: 'metallb.io/v1beta1',
          kind: 'ServiceBGPStatus',
          metadata: {
            ...meta('ServiceBGPStatus', name, ns, 86000),
            generateName: 'bgp-',
            generation: 1,
            labels: labelsFor(s, node),
            ownerReferences: [{ apiVersion: 'v1', kind: 'Pod', name: speakerPodName(model, node) ?? 'speaker', uid: speakerPodUid(model, node) ?? stableUid(node) }],
          },
          spec: {},
          status: { node, serviceName: s.name, serviceNamespace: s.namespace, peers: s.bgpPeers },
        });
      }
    }
  }
  // ConfigurationState (v0.15.3+): one for the controller, one per speaker.
  if (atLeast(version, 'v0.15.3')) {
    const valid = { result: 'Valid', conditions: ['configReconcilerValid', 'poolReconcilerValid'].map((type) => ({ type, status: 'True', reason: 'Reconciled', message: '', lastTransitionTime: isoBefore(model.now, installAgeSeconds - 60), observedGeneration: 1 })) };
    out.push({ apiVersion: 'metallb.io/v1beta1', kind: 'ConfigurationState', metadata: { ...meta('ConfigurationState', 'controller', ns), generation: 1, labels: { 'metallb.io/component-type': 'controller' } }, status: valid });
    for (const p of model.install.pods.filter((x) => x.component === 'speaker')) {
      out.push({
        apiVersion: 'metallb.io/v1beta1',
        kind: 'ConfigurationState',
        metadata: { ...meta('ConfigurationState', `speaker-${p.node}`, ns), generation: 1, labels: { 'metallb.io/component-type': 'speaker', 'metallb.io/node-name': p.node } },
        status: valid,
      });
    }
  }
  return out;
}

/**
 * frr-k8s mode: the FRRConfiguration MetalLB writes per node (`metallb-<node>`), and the status
 * objects frr-k8s publishes (FRRNodeState per node, BGPSessionState per session), unless the
 * scenario provides its own.
 */
function frrk8sObjects(model: SimModel, meta: (k: string, name: string, ns?: string, age?: number) => any, userObjects: KubeObject[]): KubeObject[] {
  const out: KubeObject[] = [];
  const given = new Set(userObjects.map((o) => `${o.kind}/${o.metadata.name}`));
  const frrNodes = new Set(model.install.pods.filter((p) => p.component === 'frr-k8s').map((p) => p.node));
  for (const node of model.nodes) {
    const sessions = nodeSessions(model, node);
    const cfgName = `metallb-${node.name}`;
    if (!given.has(`FRRConfiguration/${cfgName}`) && node.speaker !== 'absent') {
      const prefixes = [...new Set(sessions.flatMap((s) => s.prefixes))].sort();
      const byAsn = new Map<number, typeof sessions>();
      for (const s of sessions) byAsn.set(s.myAsn, [...(byAsn.get(s.myAsn) ?? []), s]);
      const profiles = [...new Set(sessions.map((s) => s.bfdProfile).filter(Boolean))];
      out.push({
        apiVersion: 'frrk8s.metallb.io/v1beta1',
        kind: 'FRRConfiguration',
        metadata: { ...meta('FRRConfiguration', cfgName, model.namespace), generation: 1 },
        spec: {
          bgp: {
            routers: [...byAsn].map(([asn, ss]) => ({
              asn,
              neighbors: ss.map((s) => ({
                address: s.address,
                asn: s.peerAsn,
                port: s.port,
                holdTime: `${s.holdTime}s`,
                keepaliveTime: `${s.keepalive}s`,
                ...(s.connectTime !== undefined ? { connectTime: `${s.connectTime}s` } : {}),
                ...(s.bfdProfile ? { bfdProfile: s.bfdProfile } : {}),
                ...(s.peer.spec?.passwordSecret ? { passwordSecret: { name: s.peer.spec.passwordSecret.name, namespace: model.namespace } } : s.password ? { password: s.password } : {}),
                ...(s.ebgpMultiHop ? { ebgpMultiHop: true } : {}),
                toAdvertise: { allowed: { prefixes: s.prefixes } },
                toReceive: { allowed: { mode: 'filtered' } },
              })),
              prefixes,
            })),
            ...(profiles.length
              ? {
                  bfdProfiles: model.bfdProfiles
                    .filter((p) => profiles.includes(p.metadata.name))
                    .map((p) => ({ name: p.metadata.name, ...(p.spec ?? {}) })),
                }
              : {}),
          },
          nodeSelector: { matchLabels: { 'kubernetes.io/hostname': node.name } },
        },
      });
    }
    if (!frrNodes.has(node.name)) continue;
    if (!given.has(`FRRNodeState/${node.name}`)) {
      out.push({
        apiVersion: 'frrk8s.metallb.io/v1beta1',
        kind: 'FRRNodeState',
        metadata: { ...meta('FRRNodeState', node.name), generation: 1 },
        spec: {},
        status: { lastConversionResult: 'success', lastReloadResult: 'success', runningConfig: runningConfig(model, node) },
      });
    }
    for (const s of sessions) {
      const name = `${node.name}-${nameSuffix(`${model.name}/bss/${node.name}/${s.address}`)}`;
      out.push({
        apiVersion: 'frrk8s.metallb.io/v1beta1',
        kind: 'BGPSessionState',
        metadata: {
          ...meta('BGPSessionState', name, model.namespace),
          generation: 1,
          labels: { 'frrk8s.metallb.io/node': node.name, 'frrk8s.metallb.io/peer': s.address, 'frrk8s.metallb.io/vrf': '' },
        },
        spec: {},
        status: { bgpStatus: s.state, bfdStatus: s.bfdProfile ? s.bfdStatus : 'N/A', node: node.name, peer: s.address, vrf: '' },
      });
    }
  }
  return out;
}

export function speakerPodName(model: SimModel, node: string): string | undefined {
  return model.install.pods.find((p) => p.component === 'speaker' && p.node === node)?.pod.metadata.name;
}

function speakerPodUid(model: SimModel, node: string): string | undefined {
  return model.install.pods.find((p) => p.component === 'speaker' && p.node === node)?.pod.metadata.uid;
}

function serviceEvents(model: SimModel, nextResourceVersion: () => string): KubeObject[] {
  const out: KubeObject[] = [];
  const controllerPod = model.install.pods.find((p) => p.component === 'controller')?.pod.metadata.name ?? 'controller';
  const event = (s: SimService, type: 'Normal' | 'Warning', reason: string, message: string, component: string, host: string | undefined, ageSeconds: number, count = 1): KubeObject => {
    const first = isoBefore(model.now, ageSeconds + (count - 1) * 300);
    const last = isoBefore(model.now, ageSeconds);
    const name = `${s.name}.${sha256Hex(`${model.name}/${s.namespace}/${s.name}/${reason}/${host ?? ''}`).slice(0, 16)}`;
    return {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name, namespace: s.namespace, uid: stableUid(`${model.name}/Event/${name}`), resourceVersion: nextResourceVersion(), creationTimestamp: first },
      involvedObject: { apiVersion: 'v1', kind: 'Service', namespace: s.namespace, name: s.name, uid: s.uid },
      reason,
      message,
      source: { component, ...(host ? { host } : {}) },
      firstTimestamp: first,
      lastTimestamp: last,
      count,
      type,
      eventTime: null,
      reportingComponent: component,
      reportingInstance: host ?? controllerPod,
    };
  };
  for (const s of model.services) {
    if (!s.ip) {
      // Only a running controller reconciles the service and records why it has no address.
      if (!controllerRunning(model)) continue;
      out.push(event(s, 'Warning', 'AllocationFailed', `Failed to allocate IP for "${s.namespace}/${s.name}": ${s.allocationError}`, 'metallb-controller', undefined, 45, 7));
      continue;
    }
    out.push(event(s, 'Normal', 'IPAllocated', `Assigned IP ["${s.ip}"]`, 'metallb-controller', undefined, 3000));
    for (const node of s.l2Announcers) out.push(event(s, 'Normal', 'nodeAssigned', `announcing from node "${node}" with protocol "layer2"`, 'metallb-speaker', node, 2990));
    for (const node of s.bgpAnnouncers) out.push(event(s, 'Normal', 'nodeAssigned', `announcing from node "${node}" with protocol "bgp"`, 'metallb-speaker', node, 2990));
  }
  return out;
}

export { anySelectorMatches };
