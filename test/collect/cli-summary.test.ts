/**
 * `mlb-report collect` as a user without a terminal sees it: progress lines that name their node, a
 * failed node shown as failed, the summary analyze and demo print too (findings with their fix,
 * files by kind), and nodes left out with --nodes reported as excluded, not as missing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSim } from '../helpers/sim.js';

const bin = join(import.meta.dirname, '../../bin/mlb-report.js');

test('collect --nodes on speaker-missing: named progress, ✖ for the failed node, one summary, excluded nodes', { timeout: 60_000 }, async () => {
  // worker-3 has no speaker (its collection fails); worker-2 is left out with --nodes.
  const sim = await startSim('speaker-missing');
  const tmp = mkdtempSync(join(tmpdir(), 'mlb-cli-summary-'));
  try {
    const out = join(tmp, 'bundle');
    const args = [bin, 'collect', '--kubeconfig', sim.kubeconfigPath, '--out', out, '--nodes', 'cp-1,worker-1,worker-3', '--capture-seconds', '1', '--format', 'json'];
    const child = spawn(process.execPath, args, { env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    const all = `${stdout}\n${stderr}`;
    assert.equal(code, 0, all);

    // Progress: every output line says which node it is about.
    for (const node of ['cp-1', 'worker-1', 'worker-3']) assert.match(all, new RegExp(`^› ${node}: attaching$`, 'm'), all);
    assert.doesNotMatch(all, /^› attaching$/m);
    // The failed node is shown failed, never with a tick.
    assert.match(all, /^✖ worker-3 .*worker-3: failed \(no speaker pod on this node\)/m, all);
    assert.doesNotMatch(all, /^✔ worker-3/m);
    assert.match(all, /^✔ cp-1: ok$/m);

    // The summary: findings with their fix, lines that add up, then the files by kind.
    const doc = JSON.parse(readFileSync(join(out, 'findings.json'), 'utf8')) as { findings: { id: string; summary: string }[] };
    const count = Number(/^(\d+) finding\(s\)/m.exec(stdout)?.[1]);
    assert.equal(count, doc.findings.length, stdout);
    const listed = stdout.match(/^ {2}\d+\. \[(error|warning|info)\] /gm)?.length ?? 0;
    const fixes = stdout.match(/^ {5}fix: /gm)?.length ?? 0;
    const more = Number(/^ {2}… and (\d+) more in findings\.json$/m.exec(stdout)?.[1] ?? 0);
    assert.equal(listed + more, count, stdout);
    assert.equal(fixes, listed);
    assert.match(stdout, /^ {2}1\. \[error\] .*\(speaker-missing\): Speaker missing on worker-3/m);
    assert.ok(stdout.includes(`bundle:   ${out}\n`), stdout);
    assert.ok(stdout.includes(`tarball:  ${out}.tar.gz\n`), stdout);
    assert.ok(stdout.includes(`findings: ${join(out, 'findings.json')}\n`), stdout);
    assert.doesNotMatch(stdout, /^report: .*findings\.json$/m, 'findings.json is not called a report');

    // worker-2 was left out on purpose.
    const summaries = doc.findings.map((f) => f.summary).join('\n');
    assert.match(summaries, /^Node\(s\) worker-2 excluded by --nodes/m);
    assert.doesNotMatch(summaries, /no collection record/);
  } finally {
    await sim.stop();
    rmSync(tmp, { recursive: true, force: true });
  }
});
