/**
 * Turns a ClusterModel + ranked findings into the plain data the Handlebars templates print. All
 * decisions (what is healthy, what to highlight, what to cap) are made here in TypeScript so the
 * templates stay dumb and every value they print is escaped by `{{ }}`.
 */
import { createHash } from 'node:crypto';
import type { BgpNeighbor, ClusterModel, NodeState } from '../model/cluster.js';
import type { Finding, Severity } from '../model/finding.js';
import type { AddedContainer, StepRecord } from '../model/bundle.js';
import { toolVersion } from '../version.js';
import { analyzeServices, announceChain, speakerReadiness, type ServiceAnalysis } from '../checks/lib/services.js';
import { servicePath, type PathHop } from '../checks/lib/paths.js';
import { causeKey } from '../checks/group.js';
import { leaderUnknownNote } from '../checks/rules/l2-leader-mismatch.js';
import { buildTopology, printLimits, screenLimits, type Topology } from './topology.js';
import { collectRawOutputs, rawAnchor, type RawOptions, type RawOutput } from './raw.js';
import { capLines, readableExcerpt } from './excerpt.js';
import { compactNames, groupAlike } from './alike.js';

export const socketPortsOfInterest: Record<number, string> = {
  179: 'BGP',
  7946: 'memberlist',
  7472: 'metrics (≤ v0.15)',
  7473: 'FRR metrics (≤ v0.15)',
  9120: 'metrics (v0.16)',
  9121: 'FRR metrics (v0.16)',
  9443: 'webhook',
};

/** Occurrences of one card printed with their evidence in the PDF. */
const printedOccurrences = 3;

/** Lines of one evidence excerpt on paper; the rest is counted, and the HTML and bundle have it all. */
const printedExcerptLines = 20;

/**
 * Node names listed in one cell of the services table; longer lists end in "… (+N more)". On a
 * 500-node cluster a full list made cells of thousands of characters, and Chromium squeezed the
 * other columns to one letter a line: a 1,238-page PDF. The node sections and the bundle keep
 * the details.
 */
const listedNodes = 8;

/** Nodes printed in full in the PDF; the others get one line in a digest table. */
const printedNodeLimit = 40;

const severityOrder: Severity[] = ['error', 'warning', 'info'];
const severityLabel: Record<Severity, string> = { error: 'Error', warning: 'Warning', info: 'Info' };

export interface LinkRef {
  path: string;
  anchor?: string;
}

/**
 * Text split into words for printing: `nw` words (names with hyphens, IPs, MACs, versions) are kept
 * on one line, since Chromium would otherwise break "worker-1" after its hyphen; lines still break
 * at the spaces (`sp`) between words.
 */
export interface Word {
  t: string;
  nw: boolean;
  /** A line may break after this part (it ends in a slash or comma inside a longer token). */
  wb: boolean;
  sp: string;
}

/** Words up to this length that hold a hyphen, dot or colon are never split across lines. */
const unbreakableWord = 40;

export function words(text: string): Word[] {
  const out: Word[] = [];
  for (const match of text.matchAll(/(\S+)(\s*)/g)) {
    // "monitoring/metrics-gateway" may break after its slash, never inside "metrics-gateway".
    const parts = match[1].match(/[^/,]+[/,]*|[/,]+/g) ?? [match[1]];
    parts.forEach((part, i) => {
      const last = i === parts.length - 1;
      out.push({ t: part, nw: part.length <= unbreakableWord && /[-.:]/.test(part), wb: !last, sp: last && match[2] ? ' ' : '' });
    });
  }
  return out;
}

export interface EvidenceView {
  path: string;
  label?: string;
  excerpt: string;
  anchor?: string;
  /** Paper: lines left out of a long excerpt. */
  omitted?: number;
  /** Paper: the same lines were printed for an earlier occurrence of this card. */
  repeated?: boolean;
}

export interface FindingView {
  number: number;
  anchor: string;
  id: string;
  severity: Severity;
  severityLabel: string;
  category: string;
  title: string;
  summary: string;
  subjects: string[];
  /** Bare subject names, to recognise fixes that differ only by the node or IP they name. */
  subjectNames: string[];
  evidence: EvidenceView[];
  remediation: { summary: string; snippet?: string; language?: string };
  /** Findings this one explains / is explained by, as links to their numbers. */
  explains: { number: number; anchor: string; id: string }[];
  explainedBy: { number: number; anchor: string; id: string }[];
}

/**
 * What the findings list shows: findings of one check with the same remedy (typically one per node)
 * are one card, so the first screen shows different problems instead of one problem five times.
 */
export interface FindingGroupView {
  number: number;
  anchor: string;
  id: string;
  severity: Severity;
  severityLabel: string;
  category: string;
  title: string;
  count: number;
  /** The first (highest-ranked) occurrence's summary. */
  summary: string;
  /** "also on worker-1, worker-2 (+3 more)" for the other occurrences. */
  alsoText?: string;
  /** summary, fix and alsoText as words that are not split across lines (paper). */
  summaryWords: Word[];
  fixWords: Word[];
  alsoWords: Word[];
  subjects: string[];
  /** `fix` is set when this occurrence's fix names other subjects than the card's. */
  members: { summary: string; subjects: string[]; evidence: FindingView['evidence']; fix?: string }[];
  evidenceCount: number;
  /** The occurrences printed with their evidence in the PDF, and how many are left to the HTML. */
  printMembers: FindingGroupView['members'];
  hiddenMembers: number;
  remediation: FindingView['remediation'];
  explains: { number: number; anchor: string; id: string }[];
  explainedBy: { number: number; anchor: string; id: string }[];
}

export interface ServiceView extends ServiceAnalysis {
  anchor: string;
  verdictClass: string;
  ipText: string;
  modeText: string;
  expectedText: string;
  /** The announcement model's steps in words, one line per protocol (announceChain). */
  chain: string[];
  /** The L2 candidate order, shortened for big clusters. */
  candidateText: string;
  observedLines: string[];
  endpointText: string;
  findingRefs: { number: number; anchor: string; severity: Severity }[];
  /** The same texts as words that are not split across lines (see `words`). */
  w: { name: Word[]; ips: Word[]; expected: Word[]; chain: Word[][]; observed: Word[][]; endpoints: Word[]; verdict: Word[] };
  /** Router → announcing node → kube-proxy rule → endpoints, each hop with what was seen and its file (checks/lib/paths.ts). */
  path: (PathHop & { anchor?: string; last: boolean })[];
}

export interface NodeView {
  name: string;
  anchor: string;
  statusClass: string;
  statusText: string;
  collected: boolean;
  access?: string;
  reason?: string;
  speaker?: { pod: string; ready: boolean; restarts: number };
  frr?: {
    reload?: string;
    reloadClass: string;
    daemons?: string;
    neighbors: (BgpNeighbor & { stateClass: string; uptime: string; reason: string; sent: string })[];
    bfd: { peer: string; local?: string; status: string; statusClass: string; diagnostic?: string }[];
    /** Running and desired (reloader) config files, for a side-by-side read in the raw outputs. */
    configPaths: LinkRef[];
  };
  interfaces: { ifname: string; mac?: string; state?: string; addrs: string; holdsLbIp: boolean }[];
  lbNeighbors: { ip: string; dev?: string; mac?: string; state: string }[];
  sockets: { proto: string; state?: string; local: string; peer?: string; process?: string; role: string; foreign: boolean }[];
  capture?: { packets: number; arp: { text: string; cls: string }[]; bgp: string[]; bfd: string[]; anchor?: string; path: string };
  arping: { ip: string; iface?: string; macs: string; replies: number; cls: string; anchor?: string }[];
  findingRefs: { number: number; anchor: string; severity: Severity; title: string }[];
  raw: LinkRef[];
}

/** Nodes that raise no finding and share every trait: one paragraph instead of a section each. */
export interface AlikeNodesView {
  count: number;
  /** "487 nodes alike" */
  heading: string;
  /** "collection ok via ephemeral, speaker ready, 2 BGP sessions, all Established, FRR reload success". */
  traitsText: string;
  /** Their names with numbered runs as ranges (compactNames). */
  namesText: string;
  /** Each node's folder in the bundle, relative to the report when the bundle is beside it. */
  nodes: { name: string; href?: string; path: string }[];
}

export interface CollectionView {
  available: boolean;
  /** Nodes whose collection went fine and that raise no finding: one row per set of alike step outcomes. */
  alike: { count: number; namesText: string; stepsText: string }[];
  /** Nodes in the manifest: `nodes` (shown one by one) and those `alike` counts. */
  nodeCount: number;
  nodes: { name: string; status: string; statusClass: string; reason?: string; access?: string; speakerPod?: string; steps: StepView[]; durationText: string }[];
  clusterSteps: StepView[];
  /** `alikeText`: this row stands for more containers added alike ("and 499 more pods alike: …"). */
  addedContainers: { namespace: string; pod: string; alikeText?: string; container: string; image: string; kind: string; finalState: string; stateClass: string; endText: string }[];
  timings: { phase: string; text: string }[];
  /** Requests tried again (a throttled or failing control plane): the total by cause, then per node and step. */
  retries?: { text: string; rows: { where: string; step: string; count: number; causes: string }[] };
  command: string;
  redaction?: string;
  interrupted: boolean;
  /** Files in the bundle and their size, for the summary. */
  fileCount: number;
  sizeText: string;
}

export interface StepView {
  step: string;
  status: string;
  statusClass: string;
  duration: string;
  reason?: string;
  files: LinkRef[];
}

export interface ReportView {
  title: string;
  print: boolean;
  generatedAt: string;
  toolVersion: string;
  cluster: { name: string; server?: string; version?: string };
  metallb: { version: string; mode: string; install: string; namespace: string; kubeProxy: string };
  collectedAt?: string;
  /** The collection's own time (manifest createdAt → finishedAt). */
  collectionDuration?: string;
  /** The whole run (collection, analysis, report, sealing): the manifest's totalMs once the bundle is sealed. */
  runDuration?: string;
  coverage: { text: string; cls: string; collected: number; partial: number; total: number };
  counts: { severity: Severity; label: string; count: number }[];
  findings: FindingGroupView[];
  /** Individual findings (before grouping). */
  findingCount: number;
  topology: Topology;
  services: ServiceView[];
  nodes: NodeView[];
  /** Nodes that need attention but are past the paper's limit: one line each. */
  nodeDigest: { name: string; statusText: string; statusClass: string; speaker: string; bgp: string; lbIps: string }[];
  /** Nodes whose outputs raise no finding, summarised by what they have in common (not shown in full). */
  alike: AlikeNodesView[];
  /** How many nodes `alike` summarises. */
  alikeCount: number;
  collection: CollectionView;
  /** The PDF's summary pages: problems first, capped so a big cluster's summary stays a summary. */
  glance: { services: ServiceView[]; servicesMore: number; nodes: CollectionView['nodes']; nodesMore: number };
  raw: RawOutput[];
  rawNote: string;
  notes: { path: string; message: string }[];
}

function abbreviate(items: string[], keep: number, separator: string): string {
  return items.length <= keep ? items.join(separator) : `${items.slice(0, keep).join(separator)} … (+${items.length - keep} more)`;
}

/** "arping from node-01, capture on node-02" — or "arping from 48 nodes, capture on node-02" on big clusters. */
function summarizeSources(sources: string[]): string {
  const groups = new Map<string, string[]>();
  for (const source of sources) {
    const match = /^(.*) (from|on) (.+)$/.exec(source);
    const key = match ? `${match[1]} ${match[2]}` : source;
    groups.set(key, [...(groups.get(key) ?? []), match ? match[3] : '']);
  }
  return [...groups.entries()].map(([key, nodes]) => (nodes.length > 3 ? `${key} ${nodes.length} nodes` : `${key} ${nodes.join(', ')}`.trim())).join(', ');
}

/**
 * `explains` names check ids; several findings can share one id (one per node). A cause links to
 * the findings of that id that share a subject with it, or to all of them when none does.
 */
function linkExplanations(findings: Finding[], views: FindingView[]): void {
  const subjectKeys = findings.map((f) => new Set(f.subjects.map((s) => `${s.kind}|${s.namespace ?? ''}|${s.name}`)));
  findings.forEach((cause, causeIndex) => {
    for (const id of new Set(cause.explains ?? [])) {
      const sameId = findings.map((f, i) => ({ f, i })).filter(({ f, i }) => f.id === id && i !== causeIndex);
      const related = sameId.filter(({ i }) => [...subjectKeys[i]].some((k) => subjectKeys[causeIndex].has(k)));
      for (const { i } of related.length > 0 ? related : sameId) {
        views[causeIndex].explains.push({ number: views[i].number, anchor: views[i].anchor, id });
        views[i].explainedBy.push({ number: views[causeIndex].number, anchor: views[causeIndex].anchor, id: cause.id });
      }
    }
  });
}

type Ref = { number: number; anchor: string };


function groupFindings(views: FindingView[]): { groups: FindingGroupView[]; groupOf: (ref: { number: number }) => FindingGroupView } {
  const groups: FindingGroupView[] = [];
  const byKey = new Map<string, FindingGroupView>();
  const groupByNumber = new Map<number, FindingGroupView>();
  const memberViews = new Map<FindingGroupView, FindingView[]>();
  for (const view of views) {
    const key = causeKey({ ...view, subjects: view.subjectNames.map((name) => ({ name })) });
    let group = byKey.get(key);
    if (!group) {
      const number = groups.length + 1;
      group = {
        number,
        anchor: `finding-${number}`,
        id: view.id,
        severity: view.severity,
        severityLabel: view.severityLabel,
        category: view.category,
        title: view.title,
        count: 0,
        summary: view.summary,
        summaryWords: words(view.summary),
        fixWords: words(view.remediation.summary),
        alsoWords: [],
        subjects: [],
        members: [],
        evidenceCount: 0,
        printMembers: [],
        hiddenMembers: 0,
        remediation: view.remediation,
        explains: [],
        explainedBy: [],
      };
      byKey.set(key, group);
      groups.push(group);
      memberViews.set(group, []);
    }
    group.count += 1;
    group.members.push({ summary: view.summary, subjects: view.subjects, evidence: view.evidence, fix: view.remediation.summary === group.remediation.summary ? undefined : view.remediation.summary });
    group.evidenceCount += view.evidence.length;
    memberViews.get(group)!.push(view);
    groupByNumber.set(view.number, group);
  }
  const groupOf = (ref: { number: number }): FindingGroupView => groupByNumber.get(ref.number)!;
  const maxSubjects = 12;
  for (const group of groups) {
    const members = memberViews.get(group)!;
    group.printMembers = printedMembers(group.members.slice(0, printedOccurrences));
    group.hiddenMembers = group.members.length - group.printMembers.length;
    const subjects = [...new Set(members.flatMap((m) => m.subjects))];
    group.subjects = subjects.length > maxSubjects ? [...subjects.slice(0, maxSubjects), `+${subjects.length - maxSubjects} more`] : subjects;
    if (members.length > 1) {
      const first = new Set(members[0].subjects);
      const others = [...new Set(members.slice(1).flatMap((m) => m.subjects.filter((x) => !first.has(x)).map((x) => x.split(' ').slice(1).join(' '))))];
      group.alsoText = others.length > 0 ? `also on ${abbreviate(others, 6, ', ')}` : `${members.length - 1} more like it`;
      group.alsoWords = words(group.alsoText);
    }
    const link = (refs: (Ref & { id: string })[]): (Ref & { id: string })[] => {
      const seen = new Map<number, Ref & { id: string }>();
      for (const ref of refs) {
        const target = groupOf(ref);
        if (target !== group && !seen.has(target.number)) seen.set(target.number, { number: target.number, anchor: target.anchor, id: target.id });
      }
      return [...seen.values()].sort((a, b) => a.number - b.number);
    };
    group.explains = link(members.flatMap((m) => m.explains));
    group.explainedBy = link(members.flatMap((m) => m.explainedBy));
  }
  return { groups, groupOf };
}

/**
 * Paper: each excerpt cut to whole lines, and an excerpt an earlier occurrence of the card already
 * printed (the same log lines cited for five nodes) said once.
 */
function printedMembers(members: FindingGroupView['members']): FindingGroupView['members'] {
  const printed = new Set<string>();
  return members.map((member) => ({
    ...member,
    evidence: member.evidence.map((e) => {
      if (printed.has(e.excerpt)) return { ...e, excerpt: '', repeated: true };
      printed.add(e.excerpt);
      const { text, omitted } = capLines(e.excerpt, printedExcerptLines);
      return { ...e, excerpt: text, omitted: omitted || undefined };
    }),
  }));
}

function anchorFor(prefix: string, text: string): string {
  return `${prefix}-${createHash('sha256').update(text).digest('hex').slice(0, 12)}`;
}

export function formatDuration(ms: number | undefined): string {
  if (ms === undefined || !Number.isFinite(ms)) return '';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  if (ms < 60_000) return `${(ms / 1000).toFixed(1)} s`;
  const minutes = Math.floor(ms / 60_000);
  return `${minutes} min ${Math.round((ms % 60_000) / 1000)} s`;
}

export function formatTime(iso: string | undefined): string | undefined {
  if (!iso) return undefined;
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${date.toISOString().slice(0, 19).replace('T', ' ')} UTC`;
}

function statusClass(status: string): string {
  switch (status) {
    case 'ok':
    case 'Established':
    case 'up':
    case 'success':
    case 'terminated':
    case 'deleted':
      return 'good';
    case 'partial':
    case 'skipped':
    case 'unknown':
    case 'running':
      return 'warn';
    default:
      return 'bad';
  }
}

function subjectText(subject: { kind: string; name: string; namespace?: string }): string {
  return `${subject.kind} ${subject.namespace ? `${subject.namespace}/` : ''}${subject.name}`;
}

function stepView(step: StepRecord, rawAnchors: Set<string>): StepView {
  return {
    step: step.step,
    status: step.status,
    statusClass: statusClass(step.status),
    duration: formatDuration(step.durationMs),
    reason: step.reason,
    files: step.files.map((path) => ({ path, anchor: rawAnchors.has(rawAnchor(path)) ? rawAnchor(path) : undefined })),
  };
}

function lbIpSet(services: ServiceAnalysis[]): Set<string> {
  return new Set(services.flatMap((s) => s.ips));
}

type LinkTo = (path: string | undefined) => string | undefined;

function frrView(frr: NonNullable<NodeState['frr']>, link: LinkTo): NodeView['frr'] {
  return {
    reload: frr.reloadStatus ? frr.reloadStatus.status : undefined,
    reloadClass: statusClass(frr.reloadStatus?.status ?? 'unknown'),
    daemons: frr.daemons?.join(', '),
    neighbors: frr.neighbors.map((n) => ({
      ...n,
      stateClass: statusClass(n.state),
      uptime: n.state === 'Established' ? formatDuration(n.uptimeMs) : '',
      reason: [n.lastNotificationReason, n.lastResetDueTo, n.lastErrorCodeSubcode ? `code ${n.lastErrorCodeSubcode}` : undefined].filter(Boolean).join(' · '),
      sent: Object.entries(n.sentPrefixes ?? {}).map(([afi, count]) => `${afi}: ${count}`).join(', '),
    })),
    bfd: frr.bfdPeers.map((p) => ({ peer: p.peer, local: p.local, status: p.status, statusClass: statusClass(p.status), diagnostic: p.diagnostic })),
    configPaths: [frr.runningConfig?.path, frr.desiredConfig?.path].filter((p): p is string => Boolean(p)).map((path) => ({ path, anchor: link(path) })),
  };
}

/** BGP (and half as many BFD) messages of a capture listed per node: paper gets the first few, the HTML more. */
const captureLines = { screen: 30, print: 8 };

function captureView(capture: NonNullable<NodeState['capture']>, link: LinkTo, print: boolean): NodeView['capture'] {
  const repliesPerIp = new Map<string, Set<string>>();
  for (const p of capture.arp) if (p.op === 'reply') repliesPerIp.set(p.ip, new Set([...(repliesPerIp.get(p.ip) ?? []), p.mac ?? p.srcMac ?? '?']));
  const arp = [...repliesPerIp.entries()].map(([ip, macs]) => ({ text: `${ip} is-at ${[...macs].join(', ')}`, cls: macs.size > 1 ? 'bad' : '' }));
  const requests = capture.arp.filter((p) => p.op === 'request').length;
  if (requests > 0) arp.push({ text: `${requests} ARP request(s)${capture.arp.some((p) => p.gratuitous) ? ', gratuitous ARP seen' : ''}`, cls: '' });
  return {
    packets: capture.packets,
    arp,
    bgp: capture.bgp.slice(0, print ? captureLines.print : captureLines.screen).map((m) => `${m.time ?? ''} ${m.src} → ${m.dst} ${m.type}${m.detail ? `: ${m.detail}` : ''}`.trim()),
    bfd: capture.bfd.slice(0, print ? captureLines.print / 2 : 10).map((m) => `${m.time ?? ''} ${m.src} → ${m.dst}${m.state ? ` state ${m.state}` : ''}${m.diagnostic ? ` diag ${m.diagnostic}` : ''}`.trim()),
    anchor: link(capture.path),
    path: capture.path,
  };
}

function nodeView(
  name: string,
  model: ClusterModel,
  state: NodeState | undefined,
  lbIps: Set<string>,
  findings: FindingView[],
  rawAnchors: Set<string>,
  print: boolean,
): NodeView {
  const record = model.manifest?.nodes.find((n) => n.node === name);
  const speaker = speakerReadiness(model).get(name);
  const link: LinkTo = (path) => (path && rawAnchors.has(rawAnchor(path)) ? rawAnchor(path) : undefined);
  const findingRefs = findings
    .filter((f) => f.subjects.some((s) => s === `Node ${name}`) || f.summary.includes(name))
    .map((f) => ({ number: f.number, anchor: f.anchor, severity: f.severity, title: f.title }));
  const status = record?.status ?? (state?.collected ? 'ok' : 'failed');
  const view: NodeView = {
    name,
    anchor: anchorFor('node', name),
    statusClass: statusClass(status),
    statusText: record ? record.status : state?.collected ? 'collected' : 'not collected',
    collected: state?.collected ?? false,
    access: record?.access,
    reason: record?.reason,
    speaker,
    interfaces: [],
    lbNeighbors: [],
    sockets: [],
    arping: [],
    findingRefs,
    raw: [],
  };
  if (!state) return view;

  const macByIf = new Map(state.links.map((l) => [l.ifname, l]));
  view.interfaces = state.addresses.map((iface) => ({
    ifname: iface.ifname,
    mac: iface.mac ?? macByIf.get(iface.ifname)?.mac,
    state: iface.operstate ?? macByIf.get(iface.ifname)?.operstate,
    addrs: iface.addrs.map((a) => `${a.local}/${a.prefixlen}`).join(', '),
    holdsLbIp: iface.addrs.some((a) => lbIps.has(a.local)),
  }));
  // Links without addresses (bond members, downed NICs) matter for ARP responders too.
  for (const l of state.links) {
    if (!view.interfaces.some((i) => i.ifname === l.ifname)) view.interfaces.push({ ifname: l.ifname, mac: l.mac, state: l.operstate, addrs: '', holdsLbIp: false });
  }
  view.lbNeighbors = state.neighbors.filter((n) => lbIps.has(n.ip)).map((n) => ({ ip: n.ip, dev: n.dev, mac: n.mac, state: n.state.join(' ') }));
  view.sockets = state.sockets
    .filter((s) => socketPortsOfInterest[s.localPort] !== undefined || (s.peerPort !== undefined && s.peerPort === 179))
    .map((s) => {
      const port = socketPortsOfInterest[s.localPort] !== undefined ? s.localPort : (s.peerPort ?? 0);
      // MetalLB's bgpd runs with -p 0: anything listening on 179 is another BGP speaker.
      const foreign = s.localPort === 179 && (s.state ?? '').toUpperCase().startsWith('LISTEN');
      return {
        proto: s.proto,
        state: s.state,
        local: `${s.localAddress}:${s.localPort}`,
        peer: s.peerAddress ? `${s.peerAddress}:${s.peerPort ?? ''}` : undefined,
        process: s.process ? `${s.process}${s.pid ? ` (${s.pid})` : ''}` : undefined,
        role: socketPortsOfInterest[port] ?? '',
        foreign,
      };
    });
  if (state.frr) view.frr = frrView(state.frr, link);
  if (state.capture) view.capture = captureView(state.capture, link, print);
  view.arping = state.arping.map((a) => ({ ip: a.ip, iface: a.iface, macs: a.macs.join(', ') || '(no reply)', replies: a.replies, cls: a.macs.length > 1 ? 'bad' : a.macs.length === 0 ? 'warn' : 'good', anchor: link(a.path) }));
  const paths = new Set([...Object.values(state.paths), ...Object.values(state.frr?.paths ?? {})]);
  view.raw = [...paths].sort().map((path) => ({ path, anchor: link(path) }));
  return view;
}

export interface ViewOptions {
  print?: boolean;
  now?: Date;
  /**
   * Where the bundle folder is, relative to the report ('' when the report is inside it): the
   * summarised nodes link their folders there. Absent (a tarball, a bundle removed after the run):
   * their paths are shown without links.
   */
  bundleLink?: string;
}

/** Bundle files for the raw-output section, and the anchors findings and nodes may link to. */
async function rawSection(model: ClusterModel, findings: Finding[], print: boolean, detailedNodes: Set<string>): Promise<{ raw: RawOutput[]; allRaw: RawOutput[]; rawAnchors: Set<string>; alikeFiles: number }> {
  const citations = new Map<string, string[]>();
  for (const finding of findings) {
    for (const evidence of finding.evidence) citations.set(evidence.path, [...new Set([...(citations.get(evidence.path) ?? []), finding.id])]);
  }
  const manifest = model.manifest;
  const listed: { path: string; size?: number }[] = manifest
    ? manifest.files.filter((f) => f.path !== 'manifest.json')
    : [...new Set([...Object.values(model.nodes).flatMap((n) => [...Object.values(n.paths), ...Object.values(n.frr?.paths ?? {})]), ...model.logs.map((l) => l.path)])].map((path) => ({ path }));
  // Outputs of nodes that raise nothing stay in the bundle (the Nodes section links their folders);
  // a file a finding cites is embedded whoever owns it.
  const podNodes = podNodesOf(model);
  const isAlike = (path: string): boolean => {
    const owner = fileOwner(path, podNodes);
    return owner !== undefined && !detailedNodes.has(owner) && !citations.has(path);
  };
  const kept = listed.filter((f) => !isAlike(f.path));
  const rawOptions: RawOptions = print ? { perFileBytes: 1536, totalBytes: 40 * 1024, citedOnly: true } : { perFileBytes: 48 * 1024, totalBytes: 6 * 1024 * 1024 };
  const allRaw = await collectRawOutputs(model.bundleRoot, kept, citations, model.addresses === 'restored' ? { ...rawOptions, texts: model.raw } : rawOptions);
  // Paper gets only what findings cite; listing thousands of file names would bury the report.
  const raw = print ? allRaw.filter((r) => r.citedBy.length > 0) : allRaw;
  return { raw, allRaw, rawAnchors: new Set(raw.filter((r) => !r.unavailable).map((r) => r.anchor)), alikeFiles: listed.length - kept.length };
}

function findingView(finding: Finding, index: number, rawAnchors: Set<string>): FindingView {
  return {
    number: index + 1,
    anchor: `finding-${index + 1}`,
    id: finding.id,
    severity: finding.severity,
    severityLabel: severityLabel[finding.severity] ?? finding.severity,
    category: finding.category,
    title: finding.title,
    summary: finding.summary,
    subjects: finding.subjects.map(subjectText),
    subjectNames: finding.subjects.map((x) => x.name),
    evidence: finding.evidence.map((e) => ({ path: e.path, label: e.label, excerpt: readableExcerpt(e.excerpt, e.path), anchor: rawAnchors.has(rawAnchor(e.path)) ? rawAnchor(e.path) : undefined })),
    remediation: { summary: finding.remediation.summary, snippet: finding.remediation.snippet, language: finding.remediation.snippetLanguage },
    explains: [],
    explainedBy: [],
  };
}

/** Per-finding references (services, nodes) become references to the cards, once each. */
type GroupRefs = <T extends Ref & { severity: Severity }>(refs: T[]) => T[];

function groupRefsWith(groupOf: (ref: { number: number }) => FindingGroupView): GroupRefs {
  return <T extends Ref & { severity: Severity }>(refs: T[]): T[] => {
    const seen = new Map<number, T>();
    for (const ref of refs) {
      const group = groupOf(ref);
      if (!seen.has(group.number)) seen.set(group.number, { ...ref, number: group.number, anchor: group.anchor });
    }
    return [...seen.values()];
  };
}

/** What was seen announcing the service, capped for big clusters. */
function observedLinesOf(s: ServiceAnalysis): string[] {
  const observedLines: string[] = [];
  if (s.observed.events.length > listedNodes) {
    // BGP services are assigned to every node: one line per protocol, not one per node.
    const byProtocol = new Map<string, string[]>();
    for (const e of s.observed.events) byProtocol.set(e.protocol, [...(byProtocol.get(e.protocol) ?? []), e.node]);
    for (const [protocol, assigned] of byProtocol) observedLines.push(`event nodeAssigned on ${assigned.length} nodes (${protocol}): ${abbreviate(assigned, listedNodes, ', ')}`);
  } else {
    for (const e of s.observed.events) observedLines.push(`event nodeAssigned: ${e.node} (${e.protocol})`);
  }
  for (const n of s.observed.l2Status) observedLines.push(`ServiceL2Status: ${n}`);
  if (s.observed.macs.length > 2) {
    // Many responders (IPVS without strictARP, split brain): who answers matters more than how we saw it.
    const sources = summarizeSources([...new Set(s.observed.macs.flatMap((m) => m.sources))]);
    observedLines.push(`ARP replies from ${s.observed.macs.length} MACs: ${abbreviate(s.observed.macs.map((m) => m.node ?? m.mac), listedNodes, ', ')} (${sources})`);
  } else {
    for (const m of s.observed.macs) observedLines.push(`ARP reply ${m.mac}${m.node ? ` (${m.node})` : ''} via ${summarizeSources(m.sources)}`);
  }
  const carrying = s.observed.bgp.filter((b) => b.peers > 0 && b.established === b.peers);
  if (carrying.length > 4) observedLines.push(`BGP route on ${carrying.length} nodes with every session Established`);
  const others = s.observed.bgp.filter((b) => !(carrying.length > 4 && carrying.includes(b)));
  for (const b of others.slice(0, listedNodes)) observedLines.push(`BGP route on ${b.node}: ${b.established}/${b.peers} sessions Established`);
  if (others.length > listedNodes) observedLines.push(`… and ${others.length - listedNodes} more nodes without every session Established`);
  return observedLines;
}

/** The service's path, each hop linked to the raw output that shows it when the report holds that file. */
function pathView(model: ClusterModel, s: ServiceAnalysis, rawAnchors: Set<string>): ServiceView['path'] {
  const hops = servicePath(model, s);
  return hops.map((h, i) => ({ ...h, anchor: h.evidence && rawAnchors.has(rawAnchor(h.evidence)) ? rawAnchor(h.evidence) : undefined, last: i === hops.length - 1 }));
}

function serviceView(s: ServiceAnalysis, findingViews: FindingView[], toGroupRefs: GroupRefs): Omit<ServiceView, 'path'> {
  const key = `Service ${s.namespace}/${s.name}`;
  const expected: string[] = [];
  if (s.l2) expected.push(s.l2.expected ? `L2: ${s.l2.expected}` : 'L2: no candidate');
  if (s.modes.includes('bgp')) expected.push(`BGP: ${s.expectedBgpNodes.length ? abbreviate(s.expectedBgpNodes, listedNodes, ', ') : 'no node'}`);
  const view: Omit<ServiceView, 'w' | 'path'> = {
    ...s,
    anchor: anchorFor('svc', `${s.namespace}/${s.name}`),
    verdictClass: s.verdict === 'ok' ? 'good' : s.verdict === 'unknown' ? 'muted' : s.verdict === 'conflict' || s.verdict === 'pending' ? 'bad' : 'warn',
    ipText: s.ips.length ? s.ips.join(', ') : 'pending',
    modeText: s.modes.length ? s.modes.join(' + ') : 'none',
    expectedText: expected.join('; ') || '–',
    candidateText: s.l2 && s.l2.candidates.length > 0 ? `order: ${abbreviate(s.l2.candidates, 4, ' › ')}` : '',
    chain: announceChain(s.decision),
    observedLines: observedLinesOf(s),
    endpointText: abbreviate(s.endpoints.map((e) => `${e.node}: ${e.ready}/${e.total}`), listedNodes, ', ') || 'none',
    findingRefs: toGroupRefs(findingViews.filter((f) => f.subjects.includes(key)).map((f) => ({ number: f.number, anchor: f.anchor, severity: f.severity }))),
  };
  return {
    ...view,
    w: {
      name: words(`${s.namespace}/${s.name}`),
      ips: words(view.ipText),
      expected: words(view.expectedText),
      chain: view.chain.map(words),
      observed: view.observedLines.map(words),
      endpoints: words(view.endpointText),
      verdict: words(s.verdictText),
    },
  };
}

interface NodesSection {
  nodeNames: string[];
  nodes: NodeView[];
  nodeDigest: ReportView['nodeDigest'];
  alike: AlikeNodesView[];
  nodesWithFindings: Set<string>;
}

function allNodeNames(model: ClusterModel): string[] {
  return [...new Set([...(model.discovery?.nodes ?? []), ...(model.manifest?.nodes.map((n) => n.node) ?? []), ...Object.keys(model.nodes), ...model.kube.nodes.map((n) => n.metadata?.name ?? '')])].filter((n) => n !== '').sort();
}

function nodesSection(
  model: ClusterModel,
  nodeNames: string[],
  detailedNodes: Set<string>,
  analyses: ServiceAnalysis[],
  findingViews: FindingView[],
  rawAnchors: Set<string>,
  print: boolean,
  toGroupRefs: GroupRefs,
  bundleLink: string | undefined,
): NodesSection {
  const lbIps = lbIpSet(analyses);
  const allNodes = nodeNames.map((name) => nodeView(name, model, model.nodes[name], lbIps, findingViews, rawAnchors, print));
  for (const node of allNodes) node.findingRefs = toGroupRefs(node.findingRefs);
  // The nodes worth reading in full (paper: up to a limit, the rest one line each); the healthy
  // rest is summarised by what they have in common.
  const attention = allNodes.filter((n) => detailedNodes.has(n.name));
  const nodes = attention.slice(0, print ? printedNodeLimit : undefined);
  const detailed = new Set(nodes.map((n) => n.name));
  const alike = groupAlike(
    allNodes.filter((n) => !detailedNodes.has(n.name)),
    nodeTraits,
  ).map((g) => ({
    count: g.members.length,
    heading: `${g.members.length} node${g.members.length === 1 ? '' : 's'} alike`,
    traitsText: g.traits.join(', '),
    namesText: compactNames(g.members.map((n) => n.name)),
    nodes: g.members.map((n) => ({ name: n.name, path: `nodes/${n.name}/`, href: bundleLink === undefined ? undefined : `${bundleLink}nodes/${encodeURIComponent(n.name)}/` })),
  }));
  const nodeDigest = attention
    .filter((n) => !detailed.has(n.name))
    .map((n) => ({
      name: n.name,
      statusText: n.statusText,
      statusClass: n.statusClass,
      speaker: n.speaker ? (n.speaker.ready ? 'ready' : 'not ready') : 'none',
      bgp: n.frr ? `${n.frr.neighbors.filter((x) => x.state === 'Established').length}/${n.frr.neighbors.length} Established` : '–',
      lbIps: n.interfaces.filter((i) => i.holdsLbIp).map((i) => i.ifname).join(', ') || '–',
    }));
  return { nodeNames, nodes, nodeDigest, alike, nodesWithFindings: new Set(nodes.filter((n) => n.findingRefs.length > 0).map((n) => n.name)) };
}

/** What a healthy node is, in words its alike nodes share. */
function nodeTraits(n: NodeView): string[] {
  const traits = [`collection ${n.statusText}${n.access ? ` via ${n.access}` : ''}`, n.speaker?.restarts ? 'speaker ready after restarts' : 'speaker ready'];
  if (n.frr) {
    const sessions = n.frr.neighbors.length;
    const established = n.frr.neighbors.filter((x) => x.state === 'Established').length;
    traits.push(sessions === 0 ? 'no BGP session' : established === sessions ? `${sessions} BGP session${sessions === 1 ? '' : 's'}, all Established` : `${established}/${sessions} BGP sessions Established`);
    if (n.frr.bfd.length) traits.push(`${n.frr.bfd.filter((b) => b.statusClass === 'good').length}/${n.frr.bfd.length} BFD peers up`);
    traits.push(`FRR reload ${n.frr.reload ?? 'unknown'}`);
  }
  traits.push(n.interfaces.some((i) => i.holdsLbIp) ? 'holding a LoadBalancer IP' : 'holding no LoadBalancer IP');
  return traits;
}

/**
 * Nodes shown in full: those a finding names, whose collection did not fully succeed, or whose
 * speaker is missing or not ready. The rest raise nothing and are summarised (AlikeNodesView).
 */
function nodesNeedingDetail(model: ClusterModel, nodeNames: string[], findings: Finding[]): Set<string> {
  const readiness = speakerReadiness(model);
  const records = new Map((model.manifest?.nodes ?? []).map((n) => [n.node, n]));
  const named = new Set(findings.flatMap((f) => f.subjects.filter((s) => s.kind === 'Node' && !s.namespace).map((s) => s.name)));
  return new Set(
    nodeNames.filter((name) => {
      if (named.has(name) || findings.some((f) => f.summary.includes(name))) return true;
      const status = records.get(name)?.status ?? (model.nodes[name]?.collected ? 'ok' : 'failed');
      return statusClass(status) !== 'good' || !readiness.get(name)?.ready;
    }),
  );
}

/** The node a bundle file belongs to: nodes/<node>/…, or logs/<pod>/… of a pod on that node. */
function fileOwner(path: string, podNodes: Map<string, string>): string | undefined {
  const [top, second] = path.split('/');
  if (top === 'nodes') return second;
  if (top === 'logs' && second) return podNodes.get(second);
  return undefined;
}

function podNodesOf(model: ClusterModel): Map<string, string> {
  const podNodes = new Map<string, string>();
  for (const n of model.manifest?.nodes ?? []) {
    if (n.speakerPod) podNodes.set(n.speakerPod, n.node);
    if (n.frrPod) podNodes.set(n.frrPod, n.node);
  }
  for (const log of model.logs) if (log.node) podNodes.set(log.pod, log.node);
  return podNodes;
}

function coverageOf(model: ClusterModel, total: number): ReportView['coverage'] {
  const manifest = model.manifest;
  const collected = manifest ? manifest.nodes.filter((n) => n.status === 'ok').length : Object.values(model.nodes).filter((n) => n.collected).length;
  const partial = manifest ? manifest.nodes.filter((n) => n.status === 'partial').length : 0;
  const text = `${collected} of ${total} node${total === 1 ? '' : 's'} fully collected${partial ? `, ${partial} partially` : ''}`;
  return { text, cls: collected === total ? 'good' : collected + partial === total ? 'warn' : 'bad', collected, partial, total };
}

function collectionView(model: ClusterModel, rawAnchors: Set<string>, print: boolean, detailedNodes: Set<string>): { collection: CollectionView; allNodes: CollectionView['nodes'] } {
  const manifest = model.manifest;
  const records = manifest?.nodes ?? [];
  // A node that raises nothing and whose every step ended ok or skipped is one of many alike rows.
  const routine = (n: (typeof records)[number]): boolean => !detailedNodes.has(n.node) && n.status === 'ok' && n.steps.every((s) => s.status === 'ok' || s.status === 'skipped');
  const skippedText = (n: (typeof records)[number]): string => {
    const skipped = n.steps.filter((s) => s.status === 'skipped').map((s) => `${s.step} skipped${s.reason ? ` (${s.reason})` : ''}`);
    return `every step ok${skipped.length ? ` except: ${skipped.join('; ')}` : ''}${n.access ? ` · access: ${n.access}` : ''}`;
  };
  const alike = groupAlike(records.filter(routine), (n) => [skippedText(n)]).map((g) => ({ count: g.members.length, namesText: compactNames(g.members.map((n) => n.node)), stepsText: g.traits[0]! }));
  const allNodes = records.map((n) => ({
      name: n.node,
      status: n.status,
      statusClass: statusClass(n.status),
      reason: n.reason,
      access: n.access,
      speakerPod: n.speakerPod,
      // On paper only the steps that need attention; the HTML has them all.
      steps: n.steps.filter((s) => !print || s.status !== 'ok').map((s) => stepView(s, rawAnchors)),
      durationText: formatDuration(n.steps.reduce((sum, s) => sum + s.durationMs, 0)),
    }));
  const shown = new Set(records.filter((n) => !routine(n)).map((n) => n.node));
  const collection: CollectionView = {
    available: Boolean(manifest),
    alike,
    nodes: allNodes.filter((n) => shown.has(n.name)),
    nodeCount: records.length,
    clusterSteps: (manifest?.clusterSteps ?? []).map((s) => stepView(s, rawAnchors)),
    addedContainers: addedContainersView(manifest?.addedContainers ?? []),
    timings: Object.entries(manifest?.timings ?? {}).map(([phase, ms]) => ({ phase, text: formatDuration(ms) })),
    retries: retriesView(manifest),
    command: (manifest?.command ?? []).join(' '),
    redaction: manifest ? `${manifest.redaction.count} value(s) redacted${manifest.redaction.ips ? `, IP addresses replaced${model.addresses === 'redacted' ? `; ${leaderUnknownNote}` : ''}` : ''}${manifest.redaction.rules.length ? ` (rules: ${manifest.redaction.rules.join(', ')})` : ''}` : undefined,
    interrupted: manifest?.interrupted ?? false,
    fileCount: manifest?.files.length ?? 0,
    sizeText: formatBytes((manifest?.files ?? []).reduce((sum, f) => sum + (f.size ?? 0), 0)),
  };
  return { collection, allNodes };
}

/** Containers added alike (one ephemeral container per speaker, all ended): one row per kind, image and end. */
function addedContainersView(containers: AddedContainer[]): CollectionView['addedContainers'] {
  const rows = containers.map((c) => ({ ...c, stateClass: statusClass(c.finalState), endText: containerEndText(c) }));
  const groups = groupAlike(rows, (c) => [c.namespace, c.kind, c.image, c.finalState, c.endRequested ? 'asked' : '']);
  return groups.flatMap((g) => {
    if (g.members.length <= 3) return g.members;
    const first = g.members[0]!;
    const pods = g.members.map((c) => c.pod);
    const containerNames = [...new Set(g.members.map((c) => c.container))];
    return [{ ...first, alikeText: `and ${pods.length - 1} more pods alike: ${abbreviate(pods.slice(1), 3, ', ')}`, container: abbreviate(containerNames, 2, ', '), endText: first.finalState === 'terminated' ? 'ended' : first.endText }];
  });
}

const causeText = (causes: Record<string, number>): string =>
  Object.entries(causes)
    .sort((a, b) => b[1] - a[1])
    .map(([cause, n]) => `${n}× ${cause}`)
    .join(', ');

/** The manifest's retries: one line of totals by cause, and a row per node (or cluster-wide) and step. */
function retriesView(manifest: ClusterModel['manifest']): CollectionView['retries'] {
  if (!manifest?.retries?.total) return undefined;
  const rows = [
    ...manifest.nodes.flatMap((n) => (n.retries ?? []).map((r) => ({ where: n.node, step: r.step, count: r.count, causes: causeText(r.causes) }))),
    ...manifest.retries.cluster.map((r) => ({ where: 'cluster-wide', step: r.step, count: r.count, causes: causeText(r.causes) })),
  ];
  return { text: `${manifest.retries.total} request(s) tried again: ${causeText(manifest.retries.causes)}`, rows };
}

/** Rows of each summary table on paper; the detail sections list everything. */
const glanceRows = 20;

function glanceOf(services: ServiceView[], allNodes: CollectionView['nodes']): ReportView['glance'] {
  const rank: Record<string, number> = { bad: 0, warn: 1, muted: 2, good: 3 };
  const ordered = [...services].sort((a, b) => (rank[a.verdictClass] ?? 2) - (rank[b.verdictClass] ?? 2));
  // Every node when few; otherwise the ones whose collection needs attention.
  const nodes = allNodes.length <= glanceRows ? allNodes : allNodes.filter((n) => n.status !== 'ok' || n.steps.length > 0).slice(0, glanceRows);
  return { services: ordered.slice(0, glanceRows), servicesMore: Math.max(0, ordered.length - glanceRows), nodes, nodesMore: allNodes.length - nodes.length };
}

function formatBytes(bytes: number): string {
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${(bytes / 1024).toFixed(0)} KB`;
  return `${(bytes / 1024 / 1024).toFixed(1)} MB`;
}

/**
 * The run's times as the manifest has them. The report is written before the bundle is sealed, so
 * during a run the manifest knows the collection only (totalMs is the collection then); once sealed,
 * totalMs covers collection, analysis, report and tarball (bundleMs is that tail) while createdAt →
 * finishedAt stays the collection. Both are labelled, so neither is mistaken for the other.
 */
function durations(manifest: ClusterModel['manifest']): Pick<ReportView, 'collectionDuration' | 'runDuration'> {
  if (!manifest) return {};
  const started = Date.parse(manifest.createdAt);
  const finished = manifest.finishedAt ? Date.parse(manifest.finishedAt) : Number.NaN;
  const sealed = typeof manifest.timings.bundleMs === 'number';
  const collectionMs = Number.isFinite(finished - started) ? finished - started : sealed ? undefined : manifest.timings.totalMs;
  return { collectionDuration: formatDuration(collectionMs) || undefined, runDuration: sealed ? formatDuration(manifest.timings.totalMs) : undefined };
}

function metallbSummary(model: ClusterModel): ReportView['metallb'] {
  const discovery = model.discovery;
  const kubeProxy = model.kube.kubeProxy ?? (discovery?.kubeProxyMode ? { mode: discovery.kubeProxyMode, strictARP: discovery.strictARP } : undefined);
  return {
    version: discovery?.version ?? 'unknown',
    mode: discovery?.mode ?? 'unknown',
    install: discovery?.installMethod ?? 'unknown',
    namespace: discovery?.namespace ?? 'unknown',
    kubeProxy: kubeProxy ? `${kubeProxy.mode}${kubeProxy.mode === 'ipvs' ? (kubeProxy.strictARP ? ', strictARP on' : ', strictARP off') : ''}` : 'unknown',
  };
}

export async function buildView(model: ClusterModel, findings: Finding[], options: ViewOptions = {}): Promise<ReportView> {
  const print = options.print ?? false;
  const manifest = model.manifest;
  const nodeNames = allNodeNames(model);
  const detailedNodes = nodesNeedingDetail(model, nodeNames, findings);
  const { raw, allRaw, rawAnchors, alikeFiles } = await rawSection(model, findings, print, detailedNodes);
  const findingViews = findings.map((finding, index) => findingView(finding, index, rawAnchors));
  linkExplanations(findings, findingViews);
  const { groups, groupOf } = groupFindings(findingViews);
  const toGroupRefs = groupRefsWith(groupOf);
  const analyses = analyzeServices(model);
  const services = analyses.map((s) => ({ ...serviceView(s, findingViews, toGroupRefs), path: pathView(model, s, rawAnchors) }));
  const bundleLink = options.bundleLink === undefined ? undefined : options.bundleLink.split(/[\\/]/).filter(Boolean).map(encodeURIComponent).map((part) => `${part}/`).join('');
  const { nodes, nodeDigest, alike, nodesWithFindings } = nodesSection(model, nodeNames, detailedNodes, analyses, findingViews, rawAnchors, print, toGroupRefs, bundleLink);
  const clusterName = manifest?.cluster.context ?? manifest?.cluster.server ?? 'cluster';
  const { collection, allNodes: collectionNodes } = collectionView(model, rawAnchors, print, detailedNodes);
  const alikeCount = alike.reduce((sum, g) => sum + g.count, 0);
  return {
    title: `MetalLB report: ${clusterName}`,
    print,
    generatedAt: formatTime((options.now ?? new Date()).toISOString())!,
    toolVersion,
    cluster: { name: clusterName, server: manifest?.cluster.server, version: manifest?.cluster.version ?? model.kube.version },
    metallb: metallbSummary(model),
    collectedAt: formatTime(manifest?.createdAt),
    ...durations(manifest),
    coverage: coverageOf(model, nodeNames.length),
    // One per card, as findings.json and the terminal summaries count them (a check's findings of one cause are one card).
    counts: severityOrder.map((severity) => ({ severity, label: severityLabel[severity], count: groups.filter((g) => g.severity === severity).length })),
    findings: groups,
    findingCount: findings.length,
    topology: buildTopology(model, analyses, nodesWithFindings, print ? printLimits : screenLimits),
    services,
    nodes,
    nodeDigest,
    alike,
    alikeCount,
    collection,
    glance: glanceOf(services, collectionNodes),
    raw,
    rawNote: print
      ? `The outputs findings cite: their relevant lines are printed under Evidence and remedies, report.html shows each of them (up to 48 KB), and the bundle holds them complete with ${allRaw.length - raw.length + alikeFiles} more file(s).`
      : `Each output is cut to 48 KB here; the complete file is in the bundle at the path shown.${alikeFiles ? ` The ${alikeFiles} output(s) of the ${alikeCount} node(s) summarised as alike under Nodes are not embedded: they are in the bundle under nodes/<node>/ and logs/<pod>/.` : ''}`,
    notes: model.notes,
  };
}

/** How a container the run added ended, in words: the report must not leave "running" unexplained. */
function containerEndText(c: AddedContainer): string {
  if (c.finalState === 'terminated') return c.endedAt ? `ended ${formatTime(c.endedAt)}` : 'ended';
  if (c.finalState === 'deleted') return c.kind === 'pod' ? 'debug pod deleted' : 'gone with its pod';
  if (c.finalState === 'running') return c.endRequested ? 'told to end; still running when the run finished (its main process exits within seconds)' : 'still running: it ends when its lifetime runs out';
  return 'end state not known';
}
