/**
 * The terminal summary that `collect`, `analyze` and `demo` all print, so a user reads one format
 * whichever command they ran: the top findings (one per check and cause, as findings.json and the
 * report's cards group them) with their fix, "… and N more" so the lines add up to the count, the
 * notes, then the files by kind. Dependency-free apart from the grouping (types only), so a
 * command may import it cheaply.
 */
import { basename } from 'node:path';
import type { Finding } from '../model/finding.js';
import { groupByCause, groupSummary, severityCounts } from '../checks/group.js';

/** The files a run wrote, each under its own label; absent ones are not printed. */
export interface SummaryFiles {
  bundle?: string;
  tarball?: string;
  findings?: string;
  report?: string;
  pdf?: string;
  ipMap?: string;
}

export interface SummaryInput {
  /** Ranked findings; undefined when nothing was analysed (an interrupted collection). */
  findings?: readonly Pick<Finding, 'id' | 'severity' | 'title' | 'summary' | 'subjects' | 'remediation'>[];
  /** Said after the count, e.g. "for scenario mixed-incident". */
  context?: string;
  /** Lines before the findings, e.g. how the collection went. */
  header?: string[];
  notes?: readonly string[];
  files: SummaryFiles;
  /** Lines after the files: what to run next. */
  footer?: string[];
  /** How many findings are listed with their fix (default 5). */
  top?: number;
}

/** Label and its key, in the order printed; labels are padded so the paths line up. */
const fileLabels: [keyof SummaryFiles, string][] = [
  ['bundle', 'bundle:'],
  ['tarball', 'tarball:'],
  ['findings', 'findings:'],
  ['report', 'report:'],
  ['pdf', 'pdf:'],
  ['ipMap', 'ip map:'],
];
const labelWidth = Math.max(...fileLabels.map(([, l]) => l.length)) + 1;

/** findings.json, report.html and report.pdf out of the list of files a run wrote. */
export function reportFilesByKind(files: readonly string[]): Pick<SummaryFiles, 'findings' | 'report' | 'pdf'> {
  const kind = (test: (name: string) => boolean) => files.find((f) => test(basename(f)));
  return {
    findings: kind((n) => n.endsWith('.json')),
    report: kind((n) => n.endsWith('.html')),
    pdf: kind((n) => n.endsWith('.pdf')),
  };
}

export function formatSummary(input: SummaryInput): string {
  const top = input.top ?? 5;
  const lines: string[] = [...(input.header ?? [])];
  if (input.findings) {
    const groups = groupByCause(input.findings);
    const counts = severityCounts(groups);
    const instances = groups.length === input.findings.length ? '' : ` in ${input.findings.length} instances`;
    lines.push(`${groups.length} finding(s)${instances}${input.context ? ` ${input.context}` : ''}: ${counts.error} error, ${counts.warning} warning, ${counts.info} info`);
    groups.slice(0, top).forEach((members, index) => {
      const [first] = members;
      // The check id is what `mlb-report checks` documents and `analyze --only` takes.
      lines.push(`  ${index + 1}. [${first.severity}] ${first.title} (${first.id}${members.length > 1 ? `, ×${members.length}` : ''}): ${groupSummary(members)}`);
      lines.push(`     fix: ${first.remediation.summary}`);
    });
    // Where the rest can be read: the report if one was written, findings.json otherwise.
    const where = input.files.report ? 'the report' : input.files.findings ? 'findings.json' : undefined;
    if (groups.length > top) lines.push(`  … and ${groups.length - top} more${where ? ` in ${where}` : ''}`);
  }
  for (const note of input.notes ?? []) lines.push(`note: ${note}`);
  for (const [key, label] of fileLabels) {
    const path = input.files[key];
    // The map turns every replaced address back into the real one: it must not travel with the bundle.
    if (path) lines.push(`${label.padEnd(labelWidth)}${path}${key === 'ipMap' ? ' (keep it private: it undoes the redaction)' : ''}`);
  }
  lines.push(...(input.footer ?? []));
  return `${lines.join('\n')}\n`;
}

/** A path as a shell word: quoted only when it needs to be, so the hint can be pasted as it is. */
export function shellWord(path: string): string {
  return /^[A-Za-z0-9_./:@%+=,-]+$/.test(path) ? path : `'${path.replace(/'/g, `'\\''`)}'`;
}
