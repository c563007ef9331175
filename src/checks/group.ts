/**
 * How findings of one check are grouped by cause: the report's cards, the entries of findings.json
 * (schema v2) and the lines of the terminal summaries all come from here, so they count the same.
 * Dependency-free (types only): the CLI imports it eagerly.
 */
import type { Category, CheckDocs, Evidence, Finding, Remediation, Severity, Subject } from '../model/finding.js';

/**
 * A fix with the names of its own subjects and any IP address blanked out: "Resolve why worker-2
 * does not send 198.51.100.201" and "... worker-4 ... 198.51.100.200" are the same fix for a card.
 */
export function fixShape(fix: string, subjectNames: string[]): string {
  let shape = fix;
  for (const name of [...subjectNames].filter((n) => n.length >= 3).sort((a, b) => b.length - a.length)) shape = shape.split(name).join('\u0000');
  return shape.replace(/\b\d{1,3}(?:\.\d{1,3}){3}(?:\/\d+)?\b/g, '\u0001').replace(/\b[0-9a-f]{0,4}(?::[0-9a-f]{0,4}){2,7}(?:\/\d+)?/gi, '\u0001');
}

/** What grouping reads of a finding. */
export interface Groupable {
  id: string;
  severity: Severity;
  remediation: { summary: string };
  subjects: Pick<Subject, 'name'>[];
}

/** Findings with the same key share one group: same check, same severity, same fix once its subjects are blanked out. */
export function causeKey(finding: Groupable): string {
  return `${finding.id}|${finding.severity}|${fixShape(finding.remediation.summary, finding.subjects.map((s) => s.name))}`;
}

/**
 * Groups in the order of their first member, members in input order: with ranked input the first
 * group holds the most likely root cause and each group's first member is its highest-ranked one.
 */
export function groupByCause<T extends Groupable>(findings: readonly T[]): T[][] {
  const groups = new Map<string, T[]>();
  for (const finding of findings) {
    const key = causeKey(finding);
    const members = groups.get(key);
    if (members) members.push(finding);
    else groups.set(key, [finding]);
  }
  return [...groups.values()];
}

/** Names of the subjects the other members add to the first one, in order of appearance. */
function addedSubjectNames(members: readonly Pick<Finding, 'subjects'>[]): string[] {
  const first = new Set(members[0].subjects.map((s) => `${s.kind}|${s.namespace ?? ''}|${s.name}`));
  const added = new Map<string, Subject>();
  for (const member of members.slice(1)) {
    for (const subject of member.subjects) {
      const key = `${subject.kind}|${subject.namespace ?? ''}|${subject.name}`;
      if (!first.has(key) && !added.has(key)) added.set(key, subject);
    }
  }
  const subjects = [...added.values()];
  // "also on worker-1, worker-2" reads better than a mix of pods and nodes; the nodes say where.
  const nodes = subjects.filter((s) => s.kind === 'Node');
  return [...new Set((nodes.length > 0 ? nodes : subjects).map((s) => s.name))];
}

/**
 * One line for a group: the first member's summary, and for several members where else it holds,
 * e.g. "BGP session cp-1 → 192.0.2.2 is Idle: bad peer AS (also on worker-1, worker-2 +2 more)".
 */
export function groupSummary(members: readonly Pick<Finding, 'summary' | 'subjects'>[], listed = 6): string {
  const [first] = members;
  if (members.length === 1) return first.summary;
  const names = addedSubjectNames(members);
  if (names.length === 0) return `${first.summary} (${members.length - 1} more like it)`;
  const shown = names.slice(0, listed).join(', ');
  return `${first.summary} (also on ${shown}${names.length > listed ? ` +${names.length - listed} more` : ''})`;
}

/** Per-severity counts of groups: what "N findings" means in every summary. */
export function severityCounts(groups: readonly (readonly Pick<Finding, 'severity'>[])[]): Record<Severity, number> {
  const counts: Record<Severity, number> = { error: 0, warning: 0, info: 0 };
  for (const [first] of groups) counts[first.severity] += 1;
  return counts;
}

// ---------------------------------------------------------------- findings.json entries (schema v2)

/** One occurrence of a cause: what it is about and what proves it, without what its entry already says. */
export interface FindingInstance {
  subjects: Subject[];
  summary: string;
  /** This instance's own evidence; evidence every instance shares is on the entry. */
  evidence: Evidence[];
  /** Only when this instance's fix differs from the entry's (e.g. it names its own node). */
  remediation?: Remediation;
  /** Only when it differs from the entry's. */
  rank?: number;
  /** Only when it differs from the entry's; `[]` when this instance explains nothing the others do. */
  explains?: string[];
}

/** One check and cause with all its instances: an entry of findings.json v2. */
export interface FindingEntry {
  id: string;
  severity: Severity;
  category: Category;
  title: string;
  /** The group summary: the first instance's, plus where else it holds. */
  summary: string;
  remediation: Remediation;
  /** The highest rank of the instances. */
  rank?: number;
  /** Every check id an instance explains. */
  explains?: string[];
  /** Evidence identical in every instance (a shared configuration object); only with two instances or more. */
  evidence?: Evidence[];
  docs?: CheckDocs;
  instances: FindingInstance[];
}

const evidenceKey = (e: Evidence) => JSON.stringify([e.path, e.label ?? '', e.excerpt]);
const sameRemediation = (a: Remediation, b: Remediation) => a.summary === b.summary && a.snippet === b.snippet && a.snippetLanguage === b.snippetLanguage;
const sameIds = (a: readonly string[], b: readonly string[]) => a.length === b.length && [...a].sort().join('\n') === [...b].sort().join('\n');

/** Ranked findings → one entry per check and cause, in rank order (see groupByCause). */
export function findingEntries(findings: readonly Finding[], docsOf: (id: string) => CheckDocs | undefined = () => undefined): FindingEntry[] {
  return groupByCause(findings).map((members) => {
    const [first] = members;
    const ranks = members.map((m) => m.rank).filter((r): r is number => typeof r === 'number');
    const rank = ranks.length > 0 ? Math.max(...ranks) : undefined;
    const explains = [...new Set(members.flatMap((m) => m.explains ?? []))];
    // Keys computed once per member: a 1000-node entry has thousands of excerpts to compare.
    const memberKeys = members.map((m) => new Set(m.evidence.map(evidenceKey)));
    const shared = members.length > 1 ? first.evidence.filter((e) => memberKeys.every((keys) => keys.has(evidenceKey(e)))) : [];
    const sharedKeys = new Set(shared.map(evidenceKey));
    const docs = docsOf(first.id);
    const instances = members.map((m): FindingInstance => {
      const own = m.explains ?? [];
      return {
        subjects: m.subjects,
        summary: m.summary,
        evidence: m.evidence.filter((e) => !sharedKeys.has(evidenceKey(e))),
        ...(sameRemediation(m.remediation, first.remediation) ? {} : { remediation: m.remediation }),
        ...(m.rank === rank || m.rank === undefined ? {} : { rank: m.rank }),
        ...(sameIds(own, explains) ? {} : { explains: own }),
      };
    });
    return {
      id: first.id,
      severity: first.severity,
      category: first.category,
      title: first.title,
      summary: groupSummary(members),
      remediation: first.remediation,
      ...(rank === undefined ? {} : { rank }),
      ...(explains.length > 0 ? { explains } : {}),
      ...(shared.length > 0 ? { evidence: shared } : {}),
      ...(docs ? { docs } : {}),
      instances,
    };
  });
}

/**
 * An entry back to one finding per instance, as the checks produced them (shared evidence after the
 * instance's own): what `diff` compares, whatever the schema version of the file.
 */
export function entryFindings(entry: FindingEntry): Finding[] {
  return entry.instances.map((instance) => {
    const explains = instance.explains ?? entry.explains ?? [];
    const rank = instance.rank ?? entry.rank;
    return {
      id: entry.id,
      severity: entry.severity,
      category: entry.category,
      title: entry.title,
      summary: instance.summary,
      subjects: instance.subjects,
      evidence: [...instance.evidence, ...(entry.evidence ?? [])],
      remediation: instance.remediation ?? entry.remediation,
      ...(rank === undefined ? {} : { rank }),
      ...(explains.length > 0 ? { explains } : {}),
    };
  });
}
