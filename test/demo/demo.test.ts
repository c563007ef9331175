/**
 * `mlb-report demo`: simulator → collect (real HTTPS + WebSocket) → analyse → report, in-process,
 * and its bad-input answers from the real CLI.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, mkdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { formatDemoSummary, runDemo } from '../../src/cli/commands/demo.js';
import { builtinScenarioNames } from '../../src/sim/scenario/index.js';
import { packageRoot } from '../../src/version.js';
import { buildProgram } from '../../src/cli/index.js';
import { isUserError } from '../../src/util/errors.js';

const run = promisify(execFile);
const cli = join(packageRoot, 'bin', 'mlb-report.js');
const demoScenario = builtinScenarioNames().includes('mixed-incident') ? 'mixed-incident' : 'synthetic:nodes=3';

test(`demo on ${demoScenario}: bundle, report and a summary naming the report`, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'mlb-report-demo-'));
  try {
    const out = join(dir, 'demo');
    const lines: string[] = [];
    const result = await runDemo({ scenario: demoScenario, out, formats: ['html'], captureSeconds: 1, log: (l) => lines.push(l) });
    assert.equal(result.bundleDir, out);
    const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
    assert.ok(manifest.nodes.length >= 3, 'every node of the scenario is in the manifest');
    assert.ok(manifest.nodes.every((n: { status: string }) => n.status !== 'failed'), 'the simulator answered every node');
    assert.ok(lines.some((l) => l.startsWith('simulated API server at https://127.0.0.1:')), 'the collector went through the HTTPS simulator');

    const html = join(out, 'report.html');
    assert.deepEqual(result.reportFiles, [html]);
    const text = readFileSync(html, 'utf8');
    assert.match(text, new RegExp(`demo-${result.scenario.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`), 'the report names the simulated cluster context');
    for (const node of manifest.nodes) assert.ok(text.includes(node.node), `the report has node ${node.node}`);
    // The services table is filled from the collected objects.
    assert.equal(result.model.kube.services.length > 0, true);
    for (const service of result.model.kube.services) assert.ok(text.includes(`${service.metadata?.namespace}/${service.metadata?.name}`));

    const summary = formatDemoSummary(result);
    assert.match(summary, new RegExp(`^report: +${html.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}$`, 'm'));
    assert.match(summary, /^\d+ finding\(s\)( in \d+ instances)? for scenario [^:]+: \d+ error, \d+ warning, \d+ info$/m);
    if (result.findings.length > 0) assert.ok(summary.includes(`1. [${result.findings[0].severity}] ${result.findings[0].title}`));
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('demo bad input: unknown scenario, existing --out, bad flags → UserError, exit 2; the CLI prints one line and a fix', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'mlb-report-demo-bad-'));
  try {
    await mkdir(join(dir, 'taken'));
    // In-process through the real commander program (cheap), then once through the binary for the output format.
    const cases: [string[], RegExp][] = [
      [['--scenario', 'no-such-scenario', '--out', join(dir, 'x')], /unknown scenario "no-such-scenario"; built-in scenarios: .*mixed-incident/],
      [['--out', join(dir, 'taken')], /already exists/],
      [['--format', 'html,docx', '--out', join(dir, 'y')], /invalid --format/],
      [['--capture-seconds', '0', '--out', join(dir, 'z')], /invalid --capture-seconds/],
    ];
    for (const [args, message] of cases) {
      const program = await buildProgram();
      const error = await program.parseAsync(['node', 'mlb-report', 'demo', ...args]).then(
        () => assert.fail(`demo ${args.join(' ')} should fail`),
        (e: unknown) => e,
      );
      assert.ok(isUserError(error), `demo ${args.join(' ')}: ${String(error)}`);
      assert.equal(error.exitCode, 2);
      assert.match(error.message, message);
      assert.ok(error.hint && !error.hint.includes('\n'));
    }
    for (const name of ['x', 'y', 'z']) assert.equal(existsSync(join(dir, name)), false, 'nothing written for a failed start');

    const failed = await run(process.execPath, [cli, 'demo', '--scenario', 'no-such-scenario', '--out', join(dir, 'x')]).then(
      () => assert.fail('demo should fail'),
      (e: { code: number; stderr: string }) => e,
    );
    assert.equal(failed.code, 2, failed.stderr);
    const lines = failed.stderr.trim().split('\n');
    assert.equal(lines.length, 2, failed.stderr);
    assert.match(lines[0], /^error: unknown scenario "no-such-scenario"/);
    assert.match(lines[1], /^fix: /);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('demo without --out where the default folder exists: a fresh folder, named; the tarball holds findings.json and the report', { timeout: 60_000 }, async () => {
  const cwd = await mkdtemp(join(tmpdir(), 'mlb-report-demo-again-'));
  try {
    // What the first `mlb-report demo` left behind.
    await mkdir(join(cwd, 'mlb-report-demo-healthy-l2'));
    const { stdout, stderr } = await run(process.execPath, [cli, 'demo', '--scenario', 'healthy-l2', '--format', 'json,html', '--capture-seconds', '1'], { cwd });
    const bundle = /^bundle: +(.+)$/m.exec(stdout)?.[1];
    assert.ok(bundle, stdout);
    assert.match(bundle, /mlb-report-demo-healthy-l2-\d{8}T\d{6}Z$/);
    assert.ok(stderr.includes(`writing to ${bundle}`), `says which folder it chose: ${stderr}`);
    const tarball = /^tarball: +(.+)$/m.exec(stdout)?.[1];
    assert.equal(tarball, `${bundle}.tar.gz`);
    assert.match(stdout, /^findings: +.*findings\.json$/m);
    assert.match(stdout, /^report: +.*report\.html$/m);
    const { stdout: listing } = await run('tar', ['tzf', tarball!]);
    const entries = listing.split('\n');
    const top = bundle!.split('/').pop();
    for (const file of ['findings.json', 'report.html', 'manifest.json']) assert.ok(entries.includes(`${top}/${file}`), `${file} in the tarball`);
  } finally {
    await rm(cwd, { recursive: true, force: true });
  }
});
