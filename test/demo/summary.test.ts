/**
 * The demo's terminal summary counts findings as the report and findings.json v2 do: one per check
 * and cause, so "N findings" = the lines shown + "and M more".
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { Finding } from '../../src/model/finding.js';
import { emptyModel } from '../../src/model/cluster.js';
import { formatDemoSummary, type DemoResult } from '../../src/cli/commands/demo.js';

function finding(id: string, node: string, fix: string, severity: Finding['severity'] = 'error'): Finding {
  return {
    id,
    severity,
    category: 'bgp',
    title: `${id} title`,
    summary: `${id} on ${node}`,
    subjects: [{ kind: 'Node', name: node }],
    evidence: [],
    remediation: { summary: fix.replace('NODE', node) },
  };
}

function demoResult(findings: Finding[]): DemoResult {
  return { scenario: 'mixed-incident', bundleDir: '/tmp/demo', reportFiles: ['/tmp/demo/report.html'], findings, model: emptyModel(), notes: [], durationMs: 1 };
}

test('per-node findings count once: header, listed lines and "and M more" add up', () => {
  const findings = [
    ...['cp-1', 'worker-1', 'worker-2', 'worker-3', 'worker-4'].map((n) => finding('bgp-session-down', n, 'Set peerASN of BGPPeer tor-b.')),
    finding('speaker-missing', 'worker-3', 'Find out why the speaker on NODE is not running.'),
    finding('bgp-prefix-not-advertised', 'worker-1', 'Resolve why NODE does not send it: the session is Idle.'),
    finding('bgp-prefix-not-advertised', 'worker-3', 'Resolve why NODE does not send it: FRR has no network statement.'),
    finding('node-excluded-from-lb', 'cp-1', 'Remove the label.', 'info'),
  ];
  const text = formatDemoSummary(demoResult(findings), 2);
  const lines = text.split('\n');
  assert.equal(lines[0], '5 finding(s) in 9 instances for scenario mixed-incident: 4 error, 0 warning, 1 info');
  assert.equal(lines[1], '  1. [error] bgp-session-down title (bgp-session-down, ×5): bgp-session-down on cp-1 (also on worker-1, worker-2, worker-3, worker-4)');
  assert.equal(lines[3], '  2. [error] speaker-missing title (speaker-missing): speaker-missing on worker-3');
  assert.equal(lines[5], '  … and 3 more in the report');
  const shown = lines.filter((l) => /^ {2}\d+\. /.test(l)).length;
  assert.equal(shown + 3, 5);
});

test('one instance per finding: no instance count in the header', () => {
  const text = formatDemoSummary(demoResult([finding('speaker-missing', 'worker-3', 'Fix NODE.')]));
  assert.match(text, /^1 finding\(s\) for scenario mixed-incident: 1 error, 0 warning, 0 info$/m);
  assert.match(text, /^report: {3}\/tmp\/demo\/report\.html$/m);
  assert.match(text, /^bundle: {3}\/tmp\/demo$/m);
  assert.doesNotMatch(text, /more in the report/);
});
