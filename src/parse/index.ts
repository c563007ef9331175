/**
 * Entry points of src/parse: `parseById` (one raw output), `modelFromFiles` (a bundle held in
 * memory, keyed by bundle-relative path) and `loadBundle` (a bundle directory on disk). The bundle
 * layout is documented in src/model/bundle.ts; per-node file names come from the collection
 * catalogue. A missing file is never an error (the manifest records why it is missing); a file
 * that cannot be read or parsed becomes a ParseNote in `model.notes`.
 */
import { lstat, readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { nodeItems, captureFiles, connectProbeFile, controllerItems, dataPathRulesFile, type NodeItem, type ParserId } from '../catalogue/index.js';
import { safePathSegment } from '../bundle/paths.js';
import { UserError, ExitCode, errorMessage } from '../util/errors.js';
import { emptyModel } from '../model/cluster.js';
import type { CaptureSummary, ClusterModel, ConnectProbeResult, ControllerNetState, DnsLookup, FrrState, KubeObject, LogStream, NodeState, ParseNote, MetricsScrape } from '../model/cluster.js';
import type { Discovery, Manifest, RbacCheck } from '../model/bundle.js';
import { NoteSink, type Parsed } from './result.js';
import { isRecord, parseJsonTolerant, getOwn, setOwn } from './json.js';
import * as ipLink from './ip-link.js';
import * as ipAddr from './ip-addr.js';
import * as ipRoute from './ip-route.js';
import * as ipNeigh from './ip-neigh.js';
import * as ss from './ss.js';
import * as sysctl from './sysctl.js';
import * as frrConfig from './frr-config.js';
import * as frrReloadStatus from './frr-reload-status.js';
import * as bgpNeighbors from './vtysh-bgp-neighbors.js';
import * as bgpRoutes from './vtysh-bgp-routes.js';
import * as bgpSummary from './vtysh-bgp-summary.js';
import * as bfdPeers from './vtysh-bfd-peers.js';
import * as daemons from './vtysh-daemons.js';
import * as frrLog from './frr-log.js';
import * as tcpdumpText from './tcpdump-text.js';
import * as arping from './arping.js';
import * as pcap from './pcap.js';
import * as prometheus from './prometheus.js';
import * as metallbLog from './metallb-log.js';
import * as kubeList from './kube-list.js';
import * as connectProbes from './connect-probes.js';
import * as nslookup from './nslookup.js';
import * as kubeProxyRules from './kube-proxy-rules.js';

export type { Parsed } from './result.js';

/** Text parsers by catalogue parser id (pcap takes bytes and is handled separately). */
const textParsers = {
  'ip-link': ipLink.parse,
  'ip-addr': ipAddr.parse,
  'ip-route': ipRoute.parse,
  'ip-neigh': ipNeigh.parse,
  ss: ss.parse,
  sysctl: sysctl.parse,
  'frr-config': frrConfig.parse,
  'frr-reload-status': frrReloadStatus.parse,
  'vtysh-bgp-neighbors': bgpNeighbors.parse,
  'vtysh-bgp-routes': bgpRoutes.parse,
  'vtysh-bgp-summary': bgpSummary.parse,
  'vtysh-bfd-peers': bfdPeers.parse,
  'vtysh-daemons': daemons.parse,
  'frr-log': frrLog.parse,
  'tcpdump-text': tcpdumpText.parse,
  arping: arping.parse,
  prometheus: prometheus.parse,
  nslookup: nslookup.parse,
  'connect-probes': connectProbes.parse,
} as const satisfies Record<Exclude<ParserId, 'pcap'>, (text: string, path: string) => Parsed<unknown>>;

type ParserResults = { [K in keyof typeof textParsers]: ReturnType<(typeof textParsers)[K]> } & { pcap: ReturnType<typeof pcap.parse> };

/** Runs the parser a catalogue item names. Text parsers get UTF-8 text, pcap gets bytes. */
export function parseById<I extends ParserId>(id: I, content: string | Buffer, path: string): ParserResults[I] {
  if (id === 'pcap') return pcap.parse(toBuffer(content), path) as ParserResults[I];
  const parser = (textParsers as Record<string, (text: string, path: string) => Parsed<unknown>>)[id];
  if (!parser) return { value: undefined, notes: [{ path, message: `no parser named ${String(id)}` }] } as unknown as ParserResults[I];
  return parser(toText(content), path) as ParserResults[I];
}

function toText(content: string | Buffer): string {
  return typeof content === 'string' ? content : Buffer.isBuffer(content) ? content.toString('utf8') : '';
}
function toBuffer(content: string | Buffer): Buffer {
  // A string for a binary file can only have come through a byte-preserving (latin1) decode.
  return Buffer.isBuffer(content) ? content : Buffer.from(typeof content === 'string' ? content : '', 'latin1');
}

// ---------------------------------------------------------------- bundle → model

/** `cluster/<file>` → where the objects go. */
export const kubeFiles: Record<string, (m: ClusterModel, objects: KubeObject[]) => void> = {
  'cluster/nodes.json': (m, o) => (m.kube.nodes = o as never),
  'cluster/pods.json': (m, o) => (m.kube.pods = o as never),
  'cluster/services.json': (m, o) => (m.kube.services = o as never),
  'cluster/endpointslices.json': (m, o) => (m.kube.endpointSlices = o as never),
  'cluster/events.json': (m, o) => (m.kube.events = o as never),
  'cluster/daemonsets.json': (m, o) => (m.kube.daemonSets = o as never),
  'cluster/deployments.json': (m, o) => (m.kube.deployments = o as never),
  'cluster/configmaps.json': (m, o) => (m.kube.configMaps = o as never),
  'cluster/validatingwebhookconfigurations.json': (m, o) => (m.kube.webhooks = o as never),
  'cluster/secrets.json': (m, o) => (m.kube.secrets = o),
  'cluster/metallb.io/ipaddresspools.json': (m, o) => (m.metallb.ipAddressPools = o),
  'cluster/metallb.io/l2advertisements.json': (m, o) => (m.metallb.l2Advertisements = o),
  'cluster/metallb.io/bgpadvertisements.json': (m, o) => (m.metallb.bgpAdvertisements = o),
  'cluster/metallb.io/bgppeers.json': (m, o) => (m.metallb.bgpPeers = o),
  'cluster/metallb.io/bfdprofiles.json': (m, o) => (m.metallb.bfdProfiles = o),
  'cluster/metallb.io/communities.json': (m, o) => (m.metallb.communities = o),
  'cluster/metallb.io/servicel2statuses.json': (m, o) => (m.metallb.serviceL2Statuses = o),
  'cluster/metallb.io/servicebgpstatuses.json': (m, o) => (m.metallb.serviceBGPStatuses = o),
  'cluster/metallb.io/configurationstates.json': (m, o) => (m.metallb.configurationStates = o),
  'cluster/frrk8s.metallb.io/frrconfigurations.json': (m, o) => (m.frrk8s.frrConfigurations = o),
  'cluster/frrk8s.metallb.io/frrnodestates.json': (m, o) => (m.frrk8s.frrNodeStates = o),
  'cluster/frrk8s.metallb.io/bgpsessionstates.json': (m, o) => (m.frrk8s.bgpSessionStates = o),
};
const kubeProxyFile = 'cluster/kube-proxy-configmap.json';
const versionFile = 'cluster/version.json';

/** Short key of a catalogue item (`net.ip-addr` → `ip-addr`), used in NodeState.paths / FrrState.paths. */
export function itemKey(item: NodeItem): string {
  return item.id.replace(/^[a-z]+\./, '');
}

/** Normalises a bundle-relative key; undefined for anything that could point outside the bundle. */
function normalizeKey(key: string): string | undefined {
  const k = key.replace(/\\/g, '/').replace(/^(\.\/)+/, '');
  if (k === '' || k.startsWith('/') || /^[A-Za-z]:/.test(k)) return undefined;
  const parts = k.split('/');
  if (parts.some((p) => p === '..' || p === '.' || p === '' || p.includes('\0'))) return undefined;
  return k;
}

/**
 * Builds the model from bundle files held in memory (bundle-relative path → content). Files may be
 * given as text or bytes; pcap files should be bytes.
 */
export function modelFromFiles(input: Record<string, string | Buffer>): ClusterModel {
  const model = emptyModel();
  const notes: ParseNote[] = model.notes;
  const files = new Map<string, string | Buffer>();
  for (const [key, value] of Object.entries(input ?? {})) {
    const k = normalizeKey(key);
    if (!k) {
      notes.push({ path: key.slice(0, 200), message: 'ignored a file path outside the bundle' });
      continue;
    }
    if (typeof value !== 'string' && !Buffer.isBuffer(value)) {
      notes.push({ path: k, message: 'file content is not readable' });
      continue;
    }
    files.set(k, value);
  }
  const text = (k: string): string | undefined => {
    const v = files.get(k);
    return v === undefined ? undefined : toText(v);
  };
  const collect = <T>(r: Parsed<T>): T => {
    notes.push(...r.notes);
    return r.value;
  };

  // Raw text for evidence quotes (pcaps excluded); strings are shared, not copied.
  const raw: Record<string, string> = {};
  for (const [k, v] of files) if (!k.endsWith('.pcap')) setOwn(raw, k, toText(v));
  model.raw = raw;

  // manifest + discovery
  const manifestText = text('manifest.json');
  if (manifestText !== undefined) {
    const sink = new NoteSink('manifest.json');
    const m = parseJsonTolerant(manifestText, sink, 'manifest JSON');
    if (isRecord(m) && Array.isArray(m.nodes)) model.manifest = m as unknown as Manifest;
    else if (m !== undefined) sink.add('manifest.json does not look like an mlb-report manifest');
    // loadBundle turns it into 'restored' when it reads the folder through the run's IP map.
    if (model.manifest?.redaction?.ips === true) model.addresses = 'redacted';
    notes.push(...sink.notes);
  }
  const discoveryText = text('discovery.json');
  if (discoveryText !== undefined) {
    const sink = new NoteSink('discovery.json');
    const d = parseJsonTolerant(discoveryText, sink, 'discovery JSON');
    if (isRecord(d) && typeof d.namespace === 'string') model.discovery = d as unknown as Discovery;
    else if (d !== undefined) sink.add('discovery.json does not look like a discovery record');
    notes.push(...sink.notes);
  }

  const rbacText = text('rbac.json');
  if (rbacText !== undefined) {
    const sink = new NoteSink('rbac.json');
    const r = parseJsonTolerant(rbacText, sink, 'RBAC JSON');
    if (Array.isArray(r)) model.rbac = r.filter((x) => isRecord(x) && typeof x.verb === 'string' && typeof x.resource === 'string') as unknown as RbacCheck[];
    else if (r !== undefined) sink.add('rbac.json is not a list of permission checks');
    notes.push(...sink.notes);
  }

  // cluster objects
  const versionText = text(versionFile);
  if (versionText !== undefined) {
    const sink = new NoteSink(versionFile);
    const v = parseJsonTolerant(versionText, sink, 'version JSON');
    if (isRecord(v) && typeof v.gitVersion === 'string') model.kube.version = v.gitVersion;
    else if (v !== undefined) sink.add('no gitVersion in version.json');
    notes.push(...sink.notes);
  }
  for (const [file, assign] of Object.entries(kubeFiles)) {
    const t = text(file);
    if (t !== undefined) assign(model, collect(kubeList.parse(t, file)));
  }
  readKubeProxy(model, text(kubeProxyFile));

  // logs
  const podIndex = indexPods(model);
  for (const k of [...files.keys()].sort()) {
    const m = /^logs\/([^/]+)\/([^/]+?)(\.previous)?\.log$/.exec(k);
    if (!m) continue;
    const pod = podIndex.get(m[1]);
    const stream: LogStream = {
      pod: pod?.name ?? m[1],
      namespace: pod?.namespace ?? model.discovery?.namespace ?? '',
      container: m[2],
      previous: m[3] !== undefined,
      path: k,
      records: collect(metallbLog.parse(text(k)!, k)),
    };
    if (pod?.node) stream.node = pod.node;
    model.logs.push(stream);
  }

  // nodes
  const nodeDirs = new Map<string, string>(); // dir segment → node name
  for (const name of [...(model.manifest?.nodes?.map((n) => n?.node) ?? []), ...(model.discovery?.nodes ?? [])]) {
    if (typeof name === 'string' && name !== '') nodeDirs.set(safePathSegment(name), name);
  }
  for (const k of files.keys()) {
    const m = /^nodes\/([^/]+)\//.exec(k);
    if (m && !nodeDirs.has(m[1])) nodeDirs.set(m[1], m[1]);
  }
  // Index node files once: scanning every file per node is quadratic on large clusters.
  const probesByDir = new Map<string, string[]>();
  for (const k of files.keys()) {
    const m = /^nodes\/([^/]+)\/probe\/arping-[^/]*\.txt$/.exec(k);
    if (m) (probesByDir.get(m[1]) ?? probesByDir.set(m[1], []).get(m[1])!).push(k);
  }
  const frrLogsByNode = new Map<string, LogStream[]>();
  for (const l of model.logs) {
    if (l.node && l.container === 'frr' && !l.previous) (frrLogsByNode.get(l.node) ?? frrLogsByNode.set(l.node, []).get(l.node)!).push(l);
  }
  for (const [dir, name] of nodeDirs) {
    setOwn(model.nodes, name, readNode(name, dir, files, notes, (probesByDir.get(dir) ?? []).sort(), frrLogsByNode.get(name) ?? []));
  }

  // metrics: controller/**, nodes/<node>/metrics/**, any `metrics/` folder
  const metrics: MetricsScrape[] = [];
  for (const k of [...files.keys()].sort()) {
    if (!/\.(txt|prom)$/.test(k)) continue;
    if (!(k.startsWith('controller/') || /(^|\/)metrics\//.test(k))) continue;
    if (controllerItems.some((i) => i.file === k)) continue;
    const scrape: MetricsScrape = { path: k, samples: collect(prometheus.parse(text(k)!, k)) };
    const node = /^nodes\/([^/]+)\//.exec(k)?.[1];
    if (node) scrape.node = nodeDirs.get(node) ?? node;
    metrics.push(scrape);
  }
  if (metrics.length > 0) model.metrics = metrics;
  readController(model, files, notes);
  frrK8sRunningConfigs(model, notes);
  return model;
}

/** `controller/net`, `controller/dns`, `controller/probe`: what the controller pod's debug container saw. */
function readController(model: ClusterModel, files: Map<string, string | Buffer>, notes: ParseNote[]): void {
  let state: ControllerNetState | undefined;
  for (const item of controllerItems) {
    const content = files.get(item.file);
    if (content === undefined) continue;
    state ??= { sockets: [], addresses: [], routes: [], probes: [], paths: {} };
    state.paths[item.id.replace(/^controller\./, '')] = item.file;
    if (!item.parser) continue;
    const r = parseById(item.parser, content, item.file) as Parsed<unknown>;
    notes.push(...r.notes);
    if (item.parser === 'ss') state.sockets = r.value as ControllerNetState['sockets'];
    else if (item.parser === 'ip-addr') state.addresses = r.value as ControllerNetState['addresses'];
    else if (item.parser === 'ip-route') state.routes = r.value as ControllerNetState['routes'];
    else if (item.parser === 'nslookup' && r.value) state.dns = r.value as DnsLookup;
    else if (item.parser === 'connect-probes') state.probes.push(...(r.value as ConnectProbeResult[]));
  }
  if (state) model.controller = state;
}

/**
 * frr-k8s publishes each node's FRR running config in FRRNodeState.status.runningConfig. When the
 * node's own `show running-config` was not collected (no exec into the frr-k8s pod), use that copy.
 */
function frrK8sRunningConfigs(model: ClusterModel, notes: ParseNote[]): void {
  const path = 'cluster/frrk8s.metallb.io/frrnodestates.json';
  for (const state of model.frrk8s.frrNodeStates) {
    const text = state.status?.runningConfig;
    const nodeName = state.metadata.name;
    if (typeof text !== 'string' || text.trim() === '') continue;
    const node = getOwn(model.nodes, nodeName) ?? setOwn(model.nodes, nodeName, emptyNode(nodeName));
    const frr = (node.frr ??= emptyFrr());
    if (frr.runningConfig) continue;
    const parsed = frrConfig.parse(text, path);
    notes.push(...parsed.notes);
    frr.runningConfig = parsed.value;
    frr.paths['running-config'] = path;
  }
}

interface PodRef {
  name: string;
  namespace?: string;
  node?: string;
}

/** Log folder name (sanitised pod name) → pod, from the pod list and discovery. */
function indexPods(model: ClusterModel): Map<string, PodRef> {
  const index = new Map<string, PodRef>();
  const d = model.discovery;
  for (const p of [...(d?.speakers ?? []), ...(d?.frrK8s ?? []), ...(d?.controller ? [d.controller] : [])]) {
    if (p && typeof p.name === 'string') index.set(safePathSegment(p.name), { name: p.name, namespace: p.namespace, node: p.node });
  }
  for (const p of model.kube.pods) {
    const name = p.metadata?.name;
    if (typeof name !== 'string') continue;
    const ref: PodRef = { name, namespace: p.metadata?.namespace, node: p.spec?.nodeName };
    const prev = index.get(safePathSegment(name));
    index.set(safePathSegment(name), { ...prev, ...Object.fromEntries(Object.entries(ref).filter(([, v]) => v !== undefined)) } as PodRef);
  }
  return index;
}

function readKubeProxy(model: ClusterModel, t: string | undefined): void {
  if (t !== undefined) {
    const sink = new NoteSink(kubeProxyFile);
    const objects = kubeList.objectsFrom(parseJsonTolerant(t, sink, 'ConfigMap JSON'), sink);
    const kubeProxy = kubeList.kubeProxyFromConfigMap(objects[0], kubeProxyFile, sink);
    if (kubeProxy) model.kube.kubeProxy = kubeProxy;
    model.notes.push(...sink.notes);
  }
  if (!model.kube.kubeProxy && model.discovery?.kubeProxyMode) {
    model.kube.kubeProxy = { mode: model.discovery.kubeProxyMode, path: 'discovery.json' };
    if (model.discovery.strictARP !== undefined) model.kube.kubeProxy.strictARP = model.discovery.strictARP;
  }
}

function emptyNode(name: string): NodeState {
  return { name, collected: false, links: [], addresses: [], routes: [], neighbors: [], sockets: [], sysctls: {}, arping: [], paths: {} };
}
function emptyFrr(): FrrState {
  return { neighbors: [], routes: [], bfdPeers: [], paths: {} };
}

function readNode(
  name: string,
  dir: string,
  files: Map<string, string | Buffer>,
  notes: ParseNote[],
  probeFiles: string[],
  frrLogs: LogStream[],
): NodeState {
  const node = emptyNode(name);
  const base = `nodes/${dir}/`;
  let frr: FrrState | undefined;
  const getFrr = (): FrrState => (frr ??= emptyFrr());
  const keep = <T>(r: Parsed<T>): T => {
    notes.push(...r.notes);
    return r.value;
  };
  for (const item of nodeItems) {
    const path = base + item.file;
    const content = files.get(path);
    if (content === undefined) continue;
    const key = itemKey(item);
    node.paths[key] = path;
    if (item.runIn === 'debug') node.collected = true;
    else getFrr().paths[key] = path;
    const value = keep(parseById(item.parser, content, path) as Parsed<unknown>);
    assignNodeItem(node, getFrr, item, value);
  }
  // capture: tcpdump's own decode is preferred — findings can quote it (the pcap is binary), and it
  // is the only form kept when IPs are redacted; the pcap stands in when the text is missing or
  // shorter (cut at the output cap).
  const pcapPath = base + captureFiles.pcap;
  const textPath = base + captureFiles.text;
  const pcapContent = files.get(pcapPath);
  const textContent = files.get(textPath);
  if (pcapContent !== undefined) node.paths['capture-pcap'] = pcapPath;
  if (textContent !== undefined) node.paths['capture-text'] = textPath;
  const fromPcap = pcapContent !== undefined ? keep(pcap.parse(toBuffer(pcapContent), pcapPath)) : undefined;
  const fromText = textContent !== undefined ? keep(tcpdumpText.parse(toText(textContent), textPath)) : undefined;
  if (fromText && (!fromPcap || fromText.packets >= fromPcap.packets)) node.capture = fromPcap ? enrichFromPcap(fromText, fromPcap) : fromText;
  else if (fromPcap) node.capture = fromPcap;
  // kube-proxy rules for the LoadBalancer IPs
  const rulesPath = base + dataPathRulesFile;
  const rules = files.get(rulesPath);
  if (rules !== undefined) {
    node.paths['kube-proxy-rules'] = rulesPath;
    node.kubeProxyRules = keep(kubeProxyRules.parse(toText(rules), rulesPath));
  }
  // TCP / HTTPS probes
  const connectPath = base + connectProbeFile;
  const connect = files.get(connectPath);
  if (connect !== undefined) {
    node.paths['probe-connect'] = connectPath;
    node.probes = keep(connectProbes.parse(toText(connect), connectPath));
  }
  // arping probes
  for (const k of probeFiles) node.arping.push(keep(arping.parse(toText(files.get(k)!), k)));
  // FRR log lines: the frr container log of the MetalLB pod on this node.
  if (frrLogs.length > 0) {
    const f = getFrr();
    f.logLines = frrLogs.flatMap((l) => keep(frrLog.parse(toText(files.get(l.path) ?? ''), l.path)));
    f.paths['frr-log'] = frrLogs[0].path;
  }
  if (frr) node.frr = frr;
  return node;
}

/**
 * The text decode and the pcap describe the same packets. Where tcpdump could not decode a field
 * (BFD from port 49152 shows as "BCM-LI-SHIM"; ARP requests print no sender MAC with -i any), take
 * it from the pcap — entry by entry, and only when both list the same packets in the same order.
 */
export function enrichFromPcap(text: CaptureSummary, pcapSummary: CaptureSummary): CaptureSummary {
  const fill = <T extends object>(a: T[], b: T[], same: (x: T, y: T) => boolean): void => {
    if (a.length !== b.length || !a.every((x, i) => same(x, b[i]))) return;
    a.forEach((x, i) => {
      for (const [k, v] of Object.entries(b[i])) if ((x as Record<string, unknown>)[k] === undefined && k !== 'time') (x as Record<string, unknown>)[k] = v;
    });
  };
  fill(text.arp, pcapSummary.arp, (x, y) => x.op === y.op && x.ip === y.ip);
  fill(text.bgp, pcapSummary.bgp, (x, y) => x.type === y.type && x.src === y.src && x.dst === y.dst);
  fill(text.bfd, pcapSummary.bfd, (x, y) => x.src === y.src && x.dst === y.dst);
  return text;
}

function assignNodeItem(node: NodeState, getFrr: () => FrrState, item: NodeItem, value: unknown): void {
  switch (item.id) {
    case 'frr.running-config':
      getFrr().runningConfig = value as FrrState['runningConfig'];
      return;
    case 'frr.desired-config':
      getFrr().desiredConfig = value as FrrState['desiredConfig'];
      return;
  }
  switch (item.parser) {
    case 'ip-link':
      node.links.push(...(value as NodeState['links']));
      return;
    case 'ip-addr':
      node.addresses.push(...(value as NodeState['addresses']));
      return;
    case 'ip-route':
      node.routes.push(...(value as NodeState['routes']));
      return;
    case 'ip-neigh':
      node.neighbors.push(...(value as NodeState['neighbors']));
      return;
    case 'ss':
      node.sockets.push(...(value as NodeState['sockets']));
      return;
    case 'sysctl':
      Object.assign(node.sysctls, value as NodeState['sysctls']);
      return;
    case 'frr-config':
      // A config file the catalogue added later: keep the running one if none yet.
      getFrr().runningConfig ??= value as FrrState['runningConfig'];
      return;
    case 'frr-reload-status':
      getFrr().reloadStatus = value as FrrState['reloadStatus'];
      return;
    case 'vtysh-bgp-neighbors':
      getFrr().neighbors.push(...(value as FrrState['neighbors']));
      return;
    case 'vtysh-bgp-routes':
      getFrr().routes.push(...(value as FrrState['routes']));
      return;
    case 'vtysh-bgp-summary':
      (getFrr().summary ??= []).push(...(value as NonNullable<FrrState['summary']>));
      return;
    case 'vtysh-bfd-peers':
      getFrr().bfdPeers.push(...(value as FrrState['bfdPeers']));
      return;
    case 'vtysh-daemons':
      getFrr().daemons = value as string[];
      return;
    case 'frr-log':
      (getFrr().logLines ??= []).push(...(value as string[]));
      return;
    case 'tcpdump-text':
    case 'pcap':
      node.capture ??= value as NodeState['capture'];
      return;
    case 'arping':
      node.arping.push(value as NodeState['arping'][number]);
      return;
    case 'prometheus':
      return; // metrics are collected bundle-wide in modelFromFiles
  }
}

// ---------------------------------------------------------------- reading a directory

/** Files larger than this are skipped with a note: no collected output is anywhere near it. */
const maxFileBytes = 64 * 1024 * 1024;
const maxFiles = 20_000;
const maxDepth = 16;

export interface LoadOptions {
  /**
   * Gives text (file contents and paths) its real IP addresses back: the inverse of the map of a
   * bundle collected with --redact-ips. Pcaps are left out of such bundles, so bytes stay as read.
   */
  restore?: (text: string) => string;
}

/** Reads a bundle directory (as written by `mlb-report collect`, or an extracted tarball). */
export async function loadBundle(dir: string, opts: LoadOptions = {}): Promise<ClusterModel> {
  const restore = opts.restore;
  let st;
  try {
    st = await lstat(dir);
  } catch {
    throw new UserError(`bundle not found: ${dir}`, 'Pass the bundle directory written by `mlb-report collect` (extract a .tar.gz first).', ExitCode.usage);
  }
  if (!st.isDirectory()) {
    throw new UserError(`not a bundle directory: ${dir}`, 'Pass the bundle directory written by `mlb-report collect` (extract a .tar.gz first).', ExitCode.usage);
  }
  const files: Record<string, string | Buffer> = {};
  const notes: ParseNote[] = [];
  let count = 0;
  const walk = async (abs: string, rel: string, depth = 0): Promise<void> => {
    // The layout is at most a few levels deep; a deeper tree is not a bundle worth recursing into.
    if (depth > maxDepth) {
      notes.push({ path: rel, message: `folder nesting deeper than ${maxDepth}; not read` });
      return;
    }
    let entries;
    try {
      entries = await readdir(abs, { withFileTypes: true });
    } catch (e) {
      notes.push({ path: rel || '.', message: `cannot list folder: ${errorMessage(e)}` });
      return;
    }
    entries.sort((a, b) => a.name.localeCompare(b.name));
    for (const entry of entries) {
      const relPath = rel ? `${rel}/${entry.name}` : entry.name;
      const absPath = join(abs, entry.name);
      // Never follow links: a hostile bundle could point at files outside it.
      if (entry.isSymbolicLink()) {
        notes.push({ path: relPath, message: 'symbolic link ignored' });
        continue;
      }
      if (entry.isDirectory()) {
        await walk(absPath, relPath, depth + 1);
        continue;
      }
      if (!entry.isFile()) continue;
      if (++count > maxFiles) {
        if (count === maxFiles + 1) notes.push({ path: relPath, message: `more than ${maxFiles} files; the rest were not read` });
        continue;
      }
      try {
        const s = await lstat(absPath);
        if (s.size > maxFileBytes) {
          notes.push({ path: relPath, message: `file is ${s.size} bytes, larger than ${maxFileBytes}; not read` });
          continue;
        }
        const bytes = await readFile(absPath);
        if (relPath.endsWith('.pcap')) setOwn(files, restore ? restore(relPath) : relPath, bytes);
        else setOwn(files, restore ? restore(relPath) : relPath, restore ? restore(bytes.toString('utf8')) : bytes.toString('utf8'));
      } catch (e) {
        notes.push({ path: relPath, message: `unreadable: ${errorMessage(e)}` });
      }
    }
  };
  await walk(dir, '');
  if (!('manifest.json' in files) && !Object.keys(files).some((k) => k.startsWith('cluster/') || k.startsWith('nodes/'))) {
    throw new UserError(`not an mlb-report bundle (no manifest.json, cluster/ or nodes/): ${dir}`, 'Pass the folder that contains manifest.json.', ExitCode.usage);
  }
  const model = modelFromFiles(files);
  model.bundleRoot = dir;
  if (restore && model.addresses) model.addresses = 'restored';
  model.notes.unshift(...notes);
  return model;
}
