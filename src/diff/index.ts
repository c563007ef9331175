/**
 * `mlb-report diff A B`: what changed between two incidents or two runs of the same incident. A and B
 * are bundle directories, bundle tarballs (analysed with analyzeBundle) or findings.json files.
 * Findings are matched per instance by check id + subjects (findings.json v1 and v2 alike); services and nodes are compared on the state that
 * matters for MetalLB (IPs, announcers, BGP/BFD session states, speaker readiness).
 */
import { readFile, stat } from 'node:fs/promises';
import type { ClusterModel } from '../model/cluster.js';
import type { Finding, Remediation, Severity } from '../model/finding.js';
import { entryFindings, groupByCause, type FindingEntry } from '../checks/group.js';
import { ExitCode, UserError, errorMessage } from '../util/errors.js';
import { analyzeServices, speakerReadiness } from '../checks/lib/services.js';

export interface DiffSide {
  path: string;
  kind: 'bundle' | 'tarball' | 'findings';
  findings: Finding[];
  model?: ClusterModel;
  collectedAt?: string;
  cluster?: string;
  /** Per node collection status, from a findings.json (bundles have the model instead). */
  collection?: Map<string, string>;
  /** Releases a temporary extraction of a tarball. */
  dispose?: () => Promise<void>;
}

export interface FindingRef {
  key: string;
  id: string;
  severity: Severity;
  title: string;
  summary: string;
  subjects: string[];
}

export interface FieldChange {
  field: string;
  before: string;
  after: string;
}

export interface EntityChange {
  name: string;
  status: 'added' | 'removed' | 'changed';
  changes: FieldChange[];
}

/** `findings` counts checks and causes (findings.json v2 entries, report cards), `instances` their occurrences. */
export interface SideHeader {
  path: string;
  kind: DiffSide['kind'];
  collectedAt?: string;
  cluster?: string;
  findings: number;
  instances: number;
}

export interface DiffResult {
  a: SideHeader;
  b: SideHeader;
  fixed: FindingRef[];
  new: FindingRef[];
  changed: { before: FindingRef; after: FindingRef; changes: FieldChange[] }[];
  unchanged: FindingRef[];
  /** Null when one side is a findings.json (no model to compare). */
  services: EntityChange[] | null;
  nodes: EntityChange[] | null;
}

// ---------------------------------------------------------------- loading

const listOf = <T>(value: unknown): T[] => (Array.isArray(value) ? (value as T[]) : []);
const isObject = (value: unknown): value is Record<string, unknown> => typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * One element of a findings file's "findings" array, as per-instance findings: a schema v2 entry
 * (with `instances`) is flattened back, a v1 finding is one already. Both versions compare alike.
 */
function findingsOfEntry(element: unknown): Finding[] {
  if (!isObject(element) || typeof element.id !== 'string') return [];
  if (Array.isArray(element.instances)) {
    const entry = { ...(element as unknown as FindingEntry), remediation: isObject(element.remediation) ? (element.remediation as unknown as Remediation) : { summary: '' } };
    entry.evidence = listOf(element.evidence);
    entry.explains = listOf(element.explains);
    entry.instances = entry.instances.filter(isObject).map((instance) => ({ ...instance, subjects: listOf(instance.subjects), evidence: listOf(instance.evidence) }));
    return entryFindings(entry);
  }
  const finding = element as unknown as Finding;
  return [{ ...finding, subjects: listOf(finding.subjects), evidence: listOf(finding.evidence) }];
}

function findingsFromJson(data: unknown, path: string): Pick<DiffSide, 'findings' | 'collectedAt' | 'cluster' | 'collection'> {
  const list = Array.isArray(data) ? data : (data as { findings?: unknown })?.findings;
  if (!Array.isArray(list)) {
    throw new UserError(`${path} is not a findings file (no "findings" array)`, 'pass the findings.json written by `mlb-report analyze`, a bundle directory or a bundle .tar.gz', ExitCode.usage);
  }
  const findings = list.flatMap(findingsOfEntry);
  // findings.json as `mlb-report analyze` writes it (docs/findings.md); a bare array is accepted too.
  const object = (Array.isArray(data) ? {} : data) as {
    bundle?: { createdAt?: string };
    cluster?: { context?: string; server?: string };
    collection?: { nodes?: { node: string; status: string; reason?: string }[] };
  };
  const collection = Array.isArray(object.collection?.nodes)
    ? new Map(object.collection.nodes.filter((n) => typeof n?.node === 'string').map((n) => [n.node, `${n.status}${n.reason ? ` (${n.reason})` : ''}`]))
    : undefined;
  return {
    findings,
    collectedAt: object.bundle?.createdAt,
    cluster: object.cluster?.context ?? object.cluster?.server,
    collection,
  };
}

type Analyze = (path: string, opts?: Record<string, unknown>) => Promise<{ model: ClusterModel; findings: Finding[]; dispose?: () => Promise<void> }>;

async function loadAnalyzer(): Promise<Analyze> {
  try {
    // The analyzer is a separate module that may be absent from a trimmed build.
    const module = (await import('../analyze/index.js')) as unknown as { analyzeBundle?: Analyze };
    if (typeof module.analyzeBundle === 'function') return module.analyzeBundle;
  } catch (e) {
    if ((e as { code?: string }).code !== 'ERR_MODULE_NOT_FOUND') throw e;
  }
  throw new UserError('this build of mlb-report cannot analyse bundles (src/analyze is missing)', 'compare findings.json files instead: mlb-report diff A/findings.json B/findings.json', ExitCode.usage);
}

export async function loadSide(path: string, analyze?: Analyze): Promise<DiffSide> {
  let info;
  try {
    info = await stat(path);
  } catch {
    throw new UserError(`${path}: no such file or directory`, 'pass a bundle directory, a bundle .tar.gz or a findings.json', ExitCode.usage);
  }
  if (info.isFile() && /\.json$/i.test(path)) {
    let data: unknown;
    try {
      data = JSON.parse(await readFile(path, 'utf8'));
    } catch (e) {
      throw new UserError(`${path} is not valid JSON: ${errorMessage(e)}`, 'pass the findings.json written by `mlb-report analyze`', ExitCode.usage);
    }
    return { path, kind: 'findings', ...findingsFromJson(data, path) };
  }
  const kind: DiffSide['kind'] = info.isDirectory() ? 'bundle' : 'tarball';
  if (kind === 'tarball' && !/\.(tar\.gz|tgz|tar)$/i.test(path)) {
    throw new UserError(`${path}: not a bundle directory, tarball or .json file`, 'pass a bundle directory, a bundle .tar.gz or a findings.json', ExitCode.usage);
  }
  const run = analyze ?? (await loadAnalyzer());
  const { model, findings, dispose } = await run(path, {});
  return {
    path,
    kind,
    findings,
    model,
    dispose,
    collectedAt: model.manifest?.createdAt,
    cluster: model.manifest?.cluster.context ?? model.manifest?.cluster.server,
  };
}

// ---------------------------------------------------------------- comparing

function subjectText(s: { kind: string; name: string; namespace?: string }): string {
  return `${s.kind} ${s.namespace ? `${s.namespace}/` : ''}${s.name}`;
}

function refOf(finding: Finding): FindingRef {
  const subjects = finding.subjects.map(subjectText).sort();
  return { key: `${finding.id}|${subjects.join(',')}`, id: finding.id, severity: finding.severity, title: finding.title, summary: finding.summary, subjects };
}

/**
 * Whether two summaries say the same thing, whatever the order of the lists in them ("a, b", "a and b"):
 * MACs answering ARP, nodes and peers are listed in the order they were seen, which differs from one
 * run to the next without anything having changed. Both sides' items are compared sorted.
 */
export function sameUpToListOrder(a: string, b: string): boolean {
  if (a === b) return true;
  // Also cut at ": ", "; " and " — ", so the text before a list is not glued to its first item.
  const items = (text: string) => text.split(/,\s+|\s+and\s+|[:;]\s+|\s+—\s+/).sort();
  const [x, y] = [items(a), items(b)];
  return x.length === y.length && x.every((item, i) => item === y[i]);
}

/** Pairs findings by key; duplicates of one key pair up in order. */
function compareFindings(a: Finding[], b: Finding[]): Pick<DiffResult, 'fixed' | 'new' | 'changed' | 'unchanged'> {
  const remaining = new Map<string, FindingRef[]>();
  for (const ref of b.map(refOf)) remaining.set(ref.key, [...(remaining.get(ref.key) ?? []), ref]);
  const result: Pick<DiffResult, 'fixed' | 'new' | 'changed' | 'unchanged'> = { fixed: [], new: [], changed: [], unchanged: [] };
  for (const before of a.map(refOf)) {
    const candidates = remaining.get(before.key);
    const after = candidates?.shift();
    if (!after) {
      result.fixed.push(before);
      continue;
    }
    const changes: FieldChange[] = [];
    if (before.severity !== after.severity) changes.push({ field: 'severity', before: before.severity, after: after.severity });
    if (!sameUpToListOrder(before.summary, after.summary)) changes.push({ field: 'summary', before: before.summary, after: after.summary });
    if (changes.length > 0) result.changed.push({ before, after, changes });
    else result.unchanged.push(after);
  }
  for (const refs of remaining.values()) result.new.push(...refs);
  return result;
}

type Facts = Map<string, Record<string, string>>;

function serviceFacts(model: ClusterModel): Facts {
  const facts: Facts = new Map();
  for (const s of analyzeServices(model)) {
    const announcers = [...new Set([
      ...s.observed.events.map((e) => `${e.node} (${e.protocol})`),
      ...s.observed.l2Status.map((n) => `${n} (layer2)`),
    ])].sort();
    facts.set(`${s.namespace}/${s.name}`, {
      IPs: s.ips.join(', ') || 'pending',
      pool: s.pool ?? '-',
      mode: s.modes.join('+') || 'none',
      // Replaced addresses (--redact-ips, no map) elect other nodes: the election cannot be compared.
      'expected L2 announcer': model.addresses === 'redacted' ? 'unknown (addresses redacted)' : s.l2?.expected ?? '-',
      announcer: announcers.join(', ') || '-',
      'ARP answered by': s.observed.macs.map((m) => (m.node ? `${m.node} (${m.mac})` : m.mac)).sort().join(', ') || '-',
      'BGP advertised by': s.observed.bgp.map((b) => `${b.node} (${b.established}/${b.peers} Established)`).sort().join(', ') || '-',
      'ready endpoints': s.endpoints.map((e) => `${e.node}: ${e.ready}/${e.total}`).sort().join(', ') || '-',
      status: s.verdict,
    });
  }
  return facts;
}

function nodeFacts(model: ClusterModel): Facts {
  const facts: Facts = new Map();
  const speakers = speakerReadiness(model);
  const lbIps = new Set(analyzeServices(model).flatMap((s) => s.ips));
  const names = new Set([...Object.keys(model.nodes), ...speakers.keys(), ...(model.manifest?.nodes.map((n) => n.node) ?? [])]);
  for (const name of [...names].sort()) {
    const state = model.nodes[name];
    const speaker = speakers.get(name);
    const record = model.manifest?.nodes.find((n) => n.node === name);
    const entry: Record<string, string> = {
      speaker: speaker ? `${speaker.ready ? 'ready' : 'not ready'}, ${speaker.restarts} restarts` : 'none',
      collection: record ? `${record.status}${record.reason ? ` (${record.reason})` : ''}` : state?.collected ? 'ok' : 'not collected',
    };
    for (const neighbor of state?.frr?.neighbors ?? []) {
      entry[`BGP ${neighbor.address}${neighbor.vrf && neighbor.vrf !== 'default' ? ` vrf ${neighbor.vrf}` : ''}`] = `${neighbor.state}${neighbor.state !== 'Established' && neighbor.lastNotificationReason ? ` (${neighbor.lastNotificationReason})` : ''}`;
    }
    for (const peer of state?.frr?.bfdPeers ?? []) entry[`BFD ${peer.peer}`] = peer.status;
    const held = (state?.addresses ?? []).flatMap((i) => i.addrs.filter((a) => lbIps.has(a.local)).map((a) => `${a.local} on ${i.ifname}`));
    entry['LoadBalancer IPs held'] = held.sort().join(', ') || '-';
    facts.set(name, entry);
  }
  return facts;
}

export function compareFacts(a: Facts, b: Facts): EntityChange[] {
  const result: EntityChange[] = [];
  for (const name of [...new Set([...a.keys(), ...b.keys()])].sort()) {
    const before = a.get(name);
    const after = b.get(name);
    if (!before) {
      result.push({ name, status: 'added', changes: Object.entries(after!).map(([field, value]) => ({ field, before: '', after: value })) });
      continue;
    }
    if (!after) {
      result.push({ name, status: 'removed', changes: [] });
      continue;
    }
    const changes: FieldChange[] = [];
    for (const field of [...new Set([...Object.keys(before), ...Object.keys(after)])]) {
      const was = before[field] ?? '(absent)';
      const now = after[field] ?? '(absent)';
      if (was !== now) changes.push({ field, before: was, after: now });
    }
    if (changes.length > 0) result.push({ name, status: 'changed', changes });
  }
  return result;
}

/** Without models, findings.json files still carry each node's collection status. */
function collectionFacts(a: DiffSide, b: DiffSide): EntityChange[] | null {
  const facts = (side: DiffSide): Facts | undefined => {
    if (side.collection) return new Map([...side.collection].map(([node, status]) => [node, { collection: status }]));
    if (side.model?.manifest) return new Map(side.model.manifest.nodes.map((n) => [n.node, { collection: `${n.status}${n.reason ? ` (${n.reason})` : ''}` }]));
    return undefined;
  };
  const before = facts(a);
  const after = facts(b);
  return before && after ? compareFacts(before, after) : null;
}

export function diffSides(a: DiffSide, b: DiffSide): DiffResult {
  const header = (side: DiffSide): SideHeader => ({ path: side.path, kind: side.kind, collectedAt: side.collectedAt, cluster: side.cluster, findings: groupByCause(side.findings).length, instances: side.findings.length });
  const bothModels = a.model && b.model;
  return {
    a: header(a),
    b: header(b),
    ...compareFindings(a.findings, b.findings),
    services: bothModels ? compareFacts(serviceFacts(a.model!), serviceFacts(b.model!)) : null,
    nodes: bothModels ? compareFacts(nodeFacts(a.model!), nodeFacts(b.model!)) : collectionFacts(a, b),
  };
}

// ---------------------------------------------------------------- text output

const severityRank: Record<string, number> = { error: 0, warning: 1, info: 2 };
const bySeverity = (x: FindingRef, y: FindingRef) => (severityRank[x.severity] ?? 3) - (severityRank[y.severity] ?? 3);

/** One line per fact, no colours (the output is meant to be pasted into tickets). */
export function formatDiff(result: DiffResult): string {
  const lines: string[] = [];
  const count = (s: SideHeader) => `${s.findings} findings${s.instances === s.findings ? '' : ` in ${s.instances} instances`}`;
  const side = (s: SideHeader) => `${s.path} (${s.kind}${s.cluster ? `, ${s.cluster}` : ''}${s.collectedAt ? `, collected ${s.collectedAt}` : ''}, ${count(s)})`;
  lines.push(`A: ${side(result.a)}`, `B: ${side(result.b)}`, '');
  const finding = (mark: string, f: FindingRef) => `  ${mark} [${f.severity}] ${f.id}: ${f.summary}`;
  lines.push(`Fixed (${result.fixed.length})${result.fixed.length ? ':' : ''}`);
  for (const f of [...result.fixed].sort(bySeverity)) lines.push(finding('-', f));
  lines.push(`New (${result.new.length})${result.new.length ? ':' : ''}`);
  for (const f of [...result.new].sort(bySeverity)) lines.push(finding('+', f));
  lines.push(`Changed (${result.changed.length})${result.changed.length ? ':' : ''}`);
  for (const c of result.changed) {
    lines.push(`  ~ ${c.after.id} (${c.after.subjects.join(', ') || 'no subject'})`);
    for (const change of c.changes) lines.push(`      ${change.field}: ${change.before} → ${change.after}`);
  }
  lines.push(`Still present (${result.unchanged.length})${result.unchanged.length ? ':' : ''}`);
  for (const f of [...result.unchanged].sort(bySeverity)) lines.push(finding('=', f));
  const entities = (title: string, list: EntityChange[] | null) => {
    lines.push('');
    if (list === null) {
      lines.push(`${title}: not compared (one side is a findings.json without this state; pass bundles to compare it)`);
      return;
    }
    lines.push(`${title} (${list.length} changed)${list.length ? ':' : ''}`);
    for (const entity of list) {
      if (entity.status === 'removed') {
        lines.push(`  - ${entity.name}: only in A`);
        continue;
      }
      lines.push(`  ${entity.status === 'added' ? '+' : '~'} ${entity.name}${entity.status === 'added' ? ': only in B' : ''}`);
      for (const change of entity.changes) lines.push(entity.status === 'added' ? `      ${change.field}: ${change.after}` : `      ${change.field}: ${change.before} → ${change.after}`);
    }
  };
  entities('Services', result.services);
  entities('Nodes', result.nodes);
  return `${lines.join('\n')}\n`;
}

export async function runDiff(pathA: string, pathB: string, analyze?: Analyze): Promise<DiffResult> {
  // One after the other: two big bundles parsed at once would double the peak memory.
  const a = await loadSide(pathA, analyze);
  try {
    const b = await loadSide(pathB, analyze);
    try {
      return diffSides(a, b);
    } finally {
      await b.dispose?.();
    }
  } finally {
    await a.dispose?.();
  }
}
