import { defineCheck, type Draft } from '../define.js';
import { missingToolFiles } from './probe-tool-missing.js';

export default defineCheck({
  id: 'parse-notes',
  title: 'Outputs the parsers could not fully read',
  severity: 'info',
  category: 'collection',
  rank: 2,
  docs: {
    cause: 'A collected output was truncated, empty, or in a format the parser does not know (a different FRR or iproute2 version). Checks relying on it may miss problems.',
    confirm: 'Open the named file in the bundle and compare it with the command output on the node.',
    fix: 'Collect again (raise the output cap if it was truncated); report the file if the format is not understood.',
    references: [],
  },
  run(model) {
    if (!model.notes.length) return [];
    // An output that is empty because its tool is not installed is probe-tool-missing's finding.
    const toolMissing = missingToolFiles(model);
    const notes = model.notes.filter((n) => !toolMissing.has(n.path));
    if (!notes.length) return [];
    const byPath = new Map<string, string[]>();
    for (const n of notes) byPath.set(n.path, [...(byPath.get(n.path) ?? []), n.message]);
    const out: Draft[] = [
      {
        summary: `${notes.length} parse note(s) in ${byPath.size} file(s): ${[...byPath.keys()].slice(0, 4).join(', ')}${byPath.size > 4 ? ', …' : ''}`,
        subjects: [{ kind: 'Cluster', name: 'bundle' }],
        evidence: [...byPath].slice(0, 5).map(([path, msgs]) => ({ path, excerpt: msgs.slice(0, 3).join('\n') })),
        remediation: { summary: 'Check the named files; collect again if they are truncated or empty.' },
      },
    ];
    return out;
  },
});
