/**
 * The one summary collect, analyze and demo print: findings grouped as findings.json groups them,
 * each with its fix, "… and N more" that adds up to the count, notes, then the files by kind.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Finding } from '../../src/model/finding.js';
import { formatSummary, reportFilesByKind, shellWord } from '../../src/run/summary.js';

function finding(id: string, node: string, fix: string, severity: Finding['severity'] = 'error'): Finding {
  return { id, severity, category: 'bgp', title: `${id} title`, summary: `${id} on ${node}`, subjects: [{ kind: 'Node', name: node }], evidence: [], remediation: { summary: fix.replace('NODE', node) } };
}

const findings = [
  ...['cp-1', 'worker-1', 'worker-2'].map((n) => finding('bgp-session-down', n, 'Set peerASN of BGPPeer tor-b.')),
  finding('speaker-missing', 'worker-3', 'Find out why the speaker on NODE is not running.'),
  finding('bgp-prefix-not-advertised', 'worker-1', 'Resolve why NODE does not send it: the session is Idle.'),
  finding('bgp-prefix-not-advertised', 'worker-3', 'Resolve why NODE does not send it: FRR has no network statement.'),
  finding('node-excluded-from-lb', 'cp-1', 'Remove the label.', 'info'),
];

test('grouped findings with their fix; the listed ones and "… and N more" add up to the count', () => {
  const text = formatSummary({ findings, files: { bundle: '/b', findings: '/b/findings.json' }, top: 2 });
  const lines = text.trimEnd().split('\n');
  assert.equal(lines[0], '5 finding(s) in 7 instances: 4 error, 0 warning, 1 info');
  assert.equal(lines[1], '  1. [error] bgp-session-down title (bgp-session-down, ×3): bgp-session-down on cp-1 (also on worker-1, worker-2)');
  assert.equal(lines[2], '     fix: Set peerASN of BGPPeer tor-b.');
  assert.equal(lines[3], '  2. [error] speaker-missing title (speaker-missing): speaker-missing on worker-3');
  assert.equal(lines[4], '     fix: Find out why the speaker on worker-3 is not running.');
  const listed = lines.filter((l) => /^ {2}\d+\. \[/.test(l)).length;
  const more = Number(/^ {2}… and (\d+) more in findings\.json$/m.exec(text)?.[1]);
  assert.equal(listed + more, 5);
});

test('notes, then every file under its own label, paths aligned; absent files are not printed', () => {
  const text = formatSummary({
    findings: [],
    notes: ['no Chrome found'],
    files: { bundle: '/b', tarball: '/b.tar.gz', findings: '/b/findings.json', report: '/b/report.html', pdf: '/b/report.pdf', ipMap: '/b.ip-map.json' },
  });
  assert.equal(
    text,
    [
      '0 finding(s): 0 error, 0 warning, 0 info',
      'note: no Chrome found',
      'bundle:   /b',
      'tarball:  /b.tar.gz',
      'findings: /b/findings.json',
      'report:   /b/report.html',
      'pdf:      /b/report.pdf',
      'ip map:   /b.ip-map.json (keep it private: it undoes the redaction)',
      '',
    ].join('\n'),
  );
  assert.doesNotMatch(formatSummary({ findings: [], files: { bundle: '/b' } }), /tarball|report|pdf|ip map/);
});

test('with a report the rest is "in the report"; without findings (interrupted) no count, a footer last', () => {
  assert.match(formatSummary({ findings, files: { report: '/b/report.html' }, top: 1 }), /^ {2}… and 4 more in the report$/m);
  const text = formatSummary({ header: ['nodes: 3'], files: { bundle: '/b' }, footer: ['run:', '  mlb-report analyze /b'] });
  assert.equal(text, 'nodes: 3\nbundle:   /b\nrun:\n  mlb-report analyze /b\n');
});

test('report files are told apart by kind; paths are quoted only when the shell needs it', () => {
  assert.deepEqual(reportFilesByKind(['/x/findings.json', '/x/report.html', '/x/report.pdf']), { findings: '/x/findings.json', report: '/x/report.html', pdf: '/x/report.pdf' });
  assert.deepEqual(reportFilesByKind(['/x/report.html']), { findings: undefined, report: '/x/report.html', pdf: undefined });
  assert.equal(shellWord('/tmp/mlb-report-20261204-060000'), '/tmp/mlb-report-20261204-060000');
  assert.equal(shellWord("/tmp/my bundle's"), `'/tmp/my bundle'\\''s'`);
});
