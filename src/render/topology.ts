/**
 * The topology picture as layout data (coordinates, classes, labels); templates/partials/topology.hbs
 * draws it as inline SVG with escaped text, so nothing from the cluster is ever concatenated into markup.
 * Three columns: BGP peers | nodes | LoadBalancer IPs.
 */
import type { ClusterModel } from '../model/cluster.js';
import { speakerReadiness, type ServiceAnalysis } from '../checks/lib/services.js';

export interface TopologyBox {
  x: number;
  y: number;
  w: number;
  h: number;
  cls: string;
  title: string;
  subtitle: string;
  /** Full text for the hover tooltip (titles are shortened to fit). */
  tooltip: string;
  tx: number;
  ty: number;
  sy: number;
  badge?: string;
  /** Badge position: inside the right edge, on the title's line. */
  bx: number;
  by: number;
}

export interface TopologyLine {
  x1: number;
  y1: number;
  x2: number;
  y2: number;
  cls: string;
  tooltip: string;
  label?: string;
  lx?: number;
  ly?: number;
}

export interface Topology {
  width: number;
  height: number;
  boxes: TopologyBox[];
  lines: TopologyLine[];
  headers: { x: number; text: string }[];
  hidden: string[];
  empty: boolean;
}

const boxWidth = { peer: 190, node: 200, ip: 210 };
const rowHeight = 58;
const boxHeight = 44;
const top = 40;

export function shorten(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max - 1)}…`;
}

function sessionClass(state: string): string {
  if (state === 'Established') return 'up';
  if (state === 'Idle' || state === 'Active' || state === 'Connect') return 'down';
  return 'pending';
}

/** How much of a big cluster the picture draws (paper gets less: it cannot scroll). */
export interface TopologyLimits {
  nodes: number;
  ips: number;
  peers: number;
}

export const screenLimits: TopologyLimits = { nodes: 40, ips: 40, peers: 12 };
export const printLimits: TopologyLimits = { nodes: 16, ips: 16, peers: 8 };

interface Peer {
  address: string;
  name?: string;
  asn?: number;
}

interface Session {
  node: string;
  peer: string;
  state: string;
  reason?: string;
}

interface IpRow {
  ip: string;
  service: ServiceAnalysis;
}

interface AnnounceLink {
  ip: string;
  node: string;
  cls: string;
  tooltip: string;
}

/** Peers: configured BGPPeers plus any neighbour FRR reports (a stray one is worth seeing). */
function peersAndSessions(model: ClusterModel): { peers: Map<string, Peer>; sessions: Session[] } {
  const peers = new Map<string, Peer>();
  for (const peer of model.metallb.bgpPeers) {
    const address = String(peer.spec?.peerAddress ?? '');
    if (address) peers.set(address, { address, name: peer.metadata.name, asn: Number(peer.spec?.peerASN) || undefined });
  }
  const sessions: Session[] = [];
  for (const [node, state] of Object.entries(model.nodes)) {
    for (const neighbor of state.frr?.neighbors ?? []) {
      if (!peers.has(neighbor.address)) peers.set(neighbor.address, { address: neighbor.address, asn: neighbor.remoteAs });
      sessions.push({ node, peer: neighbor.address, state: neighbor.state, reason: neighbor.lastNotificationReason ?? neighbor.lastResetDueTo });
    }
  }
  return { peers, sessions };
}

/**
 * Which node announces which IP: the announcers the model expects and the nodes seen claiming the
 * IP (nodeAssigned events, ServiceL2Status, BGP routes their FRR originates). ARP replies draw no
 * line: with kube-proxy IPVS every node answers for every IP, and a line from each of them hid the
 * announcements; several MACs on one IP are marked on the IP's box instead.
 */
function announceLinks(ipRows: IpRow[]): AnnounceLink[] {
  const links: AnnounceLink[] = [];
  for (const { ip, service } of ipRows) {
    const expected = new Map<string, 'l2' | 'bgp'>();
    if (service.l2?.expected) expected.set(service.l2.expected, 'l2');
    for (const node of service.expectedBgpNodes) if (!expected.has(node)) expected.set(node, 'bgp');
    const seen = new Map<string, { why: string[]; protocol: 'l2' | 'bgp'; stuck: boolean }>();
    const add = (node: string | undefined, protocol: 'l2' | 'bgp', why: string, stuck = false): void => {
      if (!node) return;
      const entry = seen.get(node) ?? { why: [], protocol, stuck: false };
      entry.why.push(why);
      entry.stuck ||= stuck;
      seen.set(node, entry);
    };
    for (const event of service.observed.events) add(event.node, event.protocol === 'bgp' ? 'bgp' : 'l2', `nodeAssigned (${event.protocol})`);
    for (const node of service.observed.l2Status) add(node, 'l2', 'ServiceL2Status');
    for (const bgp of service.observed.bgp) add(bgp.node, 'bgp', bgp.established > 0 ? 'BGP route, session Established' : 'BGP route, no Established session', bgp.established === 0);
    for (const node of new Set([...expected.keys(), ...seen.keys()])) {
      const observed = seen.get(node);
      const protocol = expected.get(node) ?? observed!.protocol;
      const expectedText = expected.has(node) ? `expected (${protocol === 'l2' ? 'L2 leader' : 'BGP'})` : 'not expected';
      // Expected and seen: solid; expected only: dashed; seen without being expected: a distinct colour.
      const state = !observed ? 'expected' : observed.stuck ? 'down' : expected.has(node) ? 'ok' : 'unexpected';
      links.push({ ip, node, cls: `${protocol} ${state}`, tooltip: `${node} → ${ip}: ${expectedText}; ${observed ? `seen: ${observed.why.join('; ')}` : 'not seen announcing'}` });
    }
  }
  return links;
}

interface Shown {
  nodes: string[];
  ips: IpRow[];
  peers: Peer[];
  hidden: string[];
}

/** Keep the picture readable on big clusters: nodes that matter first. */
function chooseShown(nodeNames: string[], ipRows: IpRow[], peers: Map<string, Peer>, involved: Set<string>, limits: TopologyLimits): Shown {
  const sortedNodes = [...nodeNames].sort((a, b) => Number(involved.has(b)) - Number(involved.has(a)) || a.localeCompare(b));
  const shown: Shown = { nodes: sortedNodes.slice(0, limits.nodes).sort((a, b) => a.localeCompare(b)), ips: ipRows.slice(0, limits.ips), peers: [...peers.values()].slice(0, limits.peers), hidden: [] };
  if (sortedNodes.length > shown.nodes.length) shown.hidden.push(`${sortedNodes.length - shown.nodes.length} more nodes (healthy, announcing nothing) are not drawn`);
  if (ipRows.length > shown.ips.length) shown.hidden.push(`${ipRows.length - shown.ips.length} more LoadBalancer IPs are listed in the services table only`);
  if (peers.size > shown.peers.length) shown.hidden.push(`${peers.size - shown.peers.length} more BGP peers are not drawn`);
  return shown;
}

interface Layout {
  columns: { peer: number; node: number; ip: number };
  height: number;
  boxes: TopologyBox[];
  /** Vertical centre of each drawn box, to attach lines to. */
  nodeY: Map<string, number>;
  peerY: Map<string, number>;
  ipY: Map<string, number>;
}

/** Badges sit inside the box, right of the title: above it they ran into the box of the row before. */
function box(x: number, y: number, w: number, cls: string, title: string, subtitle: string, tooltip: string, badge?: string): TopologyBox {
  const node = cls.startsWith('node');
  return {
    x, y, w, h: boxHeight, cls, title: shorten(title, badge ? 17 : node ? 23 : 26), subtitle: shorten(subtitle, 34), tooltip, tx: x + 10, ty: y + 18, sy: y + 35, badge,
    bx: x + w - 8, by: y + 19,
  };
}

function layoutBoxes(model: ClusterModel, shown: Shown, nodesWithFindings: Set<string>): Layout {
  const speakers = speakerReadiness(model);
  // Without BGP peers (L2 only) the peer column would be an empty third of the picture.
  const columns = shown.peers.length > 0 ? { peer: 20, node: 330, ip: 650 } : { peer: 20, node: 20, ip: 340 };
  const rows = Math.max(shown.nodes.length, shown.ips.length, shown.peers.length, 1);
  const spread = (count: number, index: number): number => top + ((rows - count) * rowHeight) / 2 + index * rowHeight;
  const layout: Layout = { columns, height: top + rows * rowHeight + 10, boxes: [], nodeY: new Map(), peerY: new Map(), ipY: new Map() };

  shown.peers.forEach((peer, i) => {
    const y = spread(shown.peers.length, i);
    layout.peerY.set(peer.address, y + boxHeight / 2);
    layout.boxes.push(box(columns.peer, y, boxWidth.peer, 'peer', peer.name ?? peer.address, `${peer.address}${peer.asn ? ` · AS ${peer.asn}` : ''}`, `BGP peer ${peer.name ?? ''} ${peer.address}`));
  });
  shown.nodes.forEach((node, i) => {
    const y = spread(shown.nodes.length, i);
    layout.nodeY.set(node, y + boxHeight / 2);
    const speaker = speakers.get(node);
    const collected = model.nodes[node]?.collected ?? false;
    const status = !speaker ? 'no speaker' : speaker.ready ? 'speaker ready' : 'speaker NOT ready';
    const cls = !speaker || !speaker.ready ? 'node bad' : collected ? 'node' : 'node partial';
    layout.boxes.push(box(columns.node, y, boxWidth.node, cls, node, `${status}${collected ? '' : ' · partial data'}`, `node ${node}: ${status}`, nodesWithFindings.has(node) ? 'finding' : undefined));
  });
  shown.ips.forEach(({ ip, service }, i) => {
    const y = spread(shown.ips.length, i);
    layout.ipY.set(ip, y + boxHeight / 2);
    const cls = service.verdict === 'ok' ? 'ip' : service.verdict === 'conflict' ? 'ip bad' : service.verdict === 'unknown' ? 'ip' : 'ip warn';
    const macs = service.observed.macs;
    // The conflict marker: the IP's own box, not lines from every node that answers.
    const badge = macs.length > 1 ? `${macs.length} MACs` : undefined;
    const answering = macs.length > 1 ? `; ARP answered by ${macs.map((m) => m.node ?? m.mac).join(', ')}` : '';
    layout.boxes.push(box(columns.ip, y, boxWidth.ip, `${cls}${macs.length > 1 ? ' conflict' : ''}`, ip, `${service.namespace}/${service.name}`, `${ip} (${service.namespace}/${service.name}): ${service.verdictText}${answering}`, badge));
  });
  return layout;
}

function drawLines(layout: Layout, sessions: Session[], links: AnnounceLink[]): TopologyLine[] {
  const { columns, nodeY, peerY, ipY } = layout;
  const lines: TopologyLine[] = [];
  for (const session of sessions) {
    const y1 = peerY.get(session.peer);
    const y2 = nodeY.get(session.node);
    if (y1 === undefined || y2 === undefined) continue;
    const cls = sessionClass(session.state);
    const x1 = columns.peer + boxWidth.peer;
    const x2 = columns.node;
    lines.push({
      x1, y1, x2, y2, cls,
      tooltip: `${session.node} → ${session.peer}: ${session.state}${session.reason ? ` (${session.reason})` : ''}`,
      label: cls === 'up' ? undefined : shorten(session.state, 14),
      // Near the node end, where lines from one peer have fanned out and labels do not pile up.
      lx: x1 + (x2 - x1) * 0.72, ly: y1 + (y2 - y1) * 0.72 - 4,
    });
  }
  for (const link of links) {
    const y1 = nodeY.get(link.node);
    const y2 = ipY.get(link.ip);
    if (y1 === undefined || y2 === undefined) continue;
    lines.push({ x1: columns.node + boxWidth.node, y1, x2: columns.ip, y2, cls: `announce ${link.cls}`, tooltip: link.tooltip });
  }
  return lines;
}

export function buildTopology(model: ClusterModel, services: ServiceAnalysis[], nodesWithFindings: Set<string>, limits: TopologyLimits = screenLimits): Topology {
  const speakers = speakerReadiness(model);
  const nodeNames = [...new Set([...model.kube.nodes.map((n) => n.metadata?.name ?? ''), ...Object.keys(model.nodes), ...speakers.keys()])].filter((n) => n !== '');
  const { peers, sessions } = peersAndSessions(model);
  const ipRows: IpRow[] = services.flatMap((service) => service.ips.map((ip) => ({ ip, service })));
  const links = announceLinks(ipRows);
  const involved = new Set([...links.map((l) => l.node), ...sessions.filter((s) => s.state !== 'Established').map((s) => s.node), ...nodesWithFindings]);
  const shown = chooseShown(nodeNames, ipRows, peers, involved, limits);
  const layout = layoutBoxes(model, shown, nodesWithFindings);
  return {
    width: layout.columns.ip + boxWidth.ip + 20,
    height: layout.height,
    boxes: layout.boxes,
    lines: drawLines(layout, sessions, links),
    headers: [
      ...(shown.peers.length > 0 ? [{ x: layout.columns.peer, text: 'BGP peers' }] : []),
      { x: layout.columns.node, text: 'Nodes (speakers)' },
      { x: layout.columns.ip, text: 'LoadBalancer IPs' },
    ],
    hidden: shown.hidden,
    empty: layout.boxes.length === 0,
  };
}
