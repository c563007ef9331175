/**
 * `collect` inside a pod (deploy/job.yaml): no kubeconfig, KUBERNETES_SERVICE_HOST/PORT and a
 * ServiceAccount token + CA, as the kubelet provides them. The simulator stands for the API server;
 * MLB_REPORT_SERVICEACCOUNT_DIR points at a folder holding its token and CA (a test has no
 * /var/run/secrets mount). The exit code is what the Job's status reports (`--fail-on`), and the
 * summary is what its log shows.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSim, type RunningSim } from '../helpers/sim.js';

const bin = join(import.meta.dirname, '../../bin/mlb-report.js');

interface Pod {
  home: string;
  saDir: string;
  env: Record<string, string>;
}

/** A pod's view of the simulator: no kubeconfig anywhere, the service env and a token folder. */
function podFor(sim: RunningSim, root: string, token = sim.token): Pod {
  const home = join(root, 'home');
  const saDir = join(root, 'serviceaccount');
  mkdirSync(home, { recursive: true });
  mkdirSync(saDir, { recursive: true });
  writeFileSync(join(saDir, 'token'), token);
  writeFileSync(join(saDir, 'ca.crt'), sim.caPem);
  writeFileSync(join(saDir, 'namespace'), 'mlb-report');
  const url = new URL(sim.url);
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '',
    HOME: home,
    NO_COLOR: '1',
    KUBERNETES_SERVICE_HOST: url.hostname,
    KUBERNETES_SERVICE_PORT: url.port,
    MLB_REPORT_SERVICEACCOUNT_DIR: saDir,
  };
  return { home, saDir, env };
}

function run(args: string[], env: Record<string, string>, cwd: string): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, 'collect', ...args], { env, cwd, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

test('in a pod: collect uses the ServiceAccount token, writes the bundle and exits with --fail-on', { timeout: 180_000 }, async () => {
  const sim = await startSim('bgp-wrong-asn');
  const root = mkdtempSync(join(tmpdir(), 'mlb-in-cluster-'));
  try {
    const pod = podFor(sim, root);
    const reports = join(root, 'reports');
    mkdirSync(reports);
    // The Job's command: the default --out (a dated folder in the working directory, the volume).
    const r = await run(['--format', 'json,html', '--fail-on', 'error', '--capture-seconds', '1'], pod.env, reports);
    assert.equal(r.code, 1, `an error finding fails the Job (exit ${r.code}): ${r.stderr.slice(-1500)}`);
    const bundles = readdirSync(reports).filter((f) => !f.endsWith('.tar.gz'));
    assert.equal(bundles.length, 1, `one bundle folder on the volume: ${bundles.join(', ')}`);
    const dir = join(reports, bundles[0]!);
    assert.ok(existsSync(`${dir}.tar.gz`), 'the tarball is written beside it');
    const findings = JSON.parse(readFileSync(join(dir, 'findings.json'), 'utf8')) as { findings: { id: string; severity: string }[] };
    assert.ok(findings.findings.some((f) => f.severity === 'error'), 'the scenario has an error finding');
    assert.ok(existsSync(join(dir, 'report.html')));
    // The log of the Job: what was collected and where the report is.
    assert.match(r.stdout + r.stderr, /report\.html/, 'the summary names the report');
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { nodes: unknown[] };
    assert.ok(manifest.nodes.length > 0, 'nodes were collected through the in-cluster credentials');
    assert.doesNotMatch(readFileSync(`${dir}/manifest.json`, 'utf8'), new RegExp(sim.token), 'the token never lands in the bundle');
  } finally {
    await sim.stop();
    rmSync(root, { recursive: true, force: true });
  }
});

test('in a pod: a rejected token exits 3; a missing token file exits 2, naming the file', { timeout: 60_000 }, async () => {
  const sim = await startSim('healthy-l2');
  const root = mkdtempSync(join(tmpdir(), 'mlb-in-cluster-'));
  try {
    const pod = podFor(sim, root, 'not-the-token');
    const rejected = await run(['--out', join(root, 'a'), '--no-capture'], pod.env, root);
    assert.equal(rejected.code, 3, rejected.stderr);
    assert.match(rejected.stderr, /401/);
    rmSync(join(pod.saDir, 'token'));
    const missing = await run(['--out', join(root, 'b'), '--no-capture'], pod.env, root);
    assert.equal(missing.code, 2, missing.stderr);
    assert.match(missing.stderr, new RegExp(`error: .*${join(pod.saDir, 'token')} does not exist`));
    assert.match(missing.stderr, /\nfix: /);
  } finally {
    await sim.stop();
    rmSync(root, { recursive: true, force: true });
  }
});
