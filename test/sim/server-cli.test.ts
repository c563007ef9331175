import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'yaml';
import { api } from '../helpers/sim.js';
import { runProcess, type ProcessRun } from '../helpers/kubectl.js';
import { runSim } from '../../src/cli/sim.js';
import { isUserError } from '../../src/util/errors.js';

const bin = join(process.cwd(), 'bin', 'mlb-report.js');

type Finished = ProcessRun;

function runCli(args: string[], timeoutMs = 60_000): Promise<Finished> {
  return runProcess(process.execPath, [bin, ...args], { env: { ...process.env, MLB_REPORT_DEBUG: '' }, timeoutMs, label: `mlb-report ${args.join(' ')}` });
}

/** One line of error and one of fix, no stack trace. */
function assertOneLineError(r: Finished, pattern: RegExp): void {
  assert.equal(r.code, 2, `exit code 2 expected, stderr: ${r.stderr}`);
  const lines = r.stderr.trim().split('\n');
  assert.ok(lines.length <= 2, `at most error + fix lines:\n${r.stderr}`);
  assert.match(lines[0]!, /^error: /);
  assert.match(lines[0]!, pattern);
  if (lines[1]) assert.match(lines[1], /^fix: /);
  assert.doesNotMatch(r.stderr, /^\s+at /m, 'no stack trace');
}

describe('mlb-report sim (command line)', () => {
  let dir: string;
  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'mlb-sim-cli-'));
  });
  after(() => rmSync(dir, { recursive: true, force: true }));

  it('prints one ready line, serves the kubeconfig it wrote, and stops cleanly on SIGTERM', async () => {
    const kubeconfigPath = join(dir, 'kc.yaml');
    const child: ChildProcess = spawn(process.execPath, [bin, 'sim', '--scenario', 'synthetic:nodes=2', '--port', '0', '--kubeconfig-out', kubeconfigPath]);
    let stdout = '';
    let stderr = '';
    child.stderr!.on('data', (c) => (stderr += c));
    const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
    try {
      const line = await new Promise<string>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ready line; stderr: ${stderr}`)), 60_000);
        child.stdout!.on('data', (c) => {
          stdout += c;
          if (stdout.includes('\n')) {
            clearTimeout(timer);
            resolve(stdout.split('\n')[0]!);
          }
        });
        child.on('close', () => reject(new Error(`exited early; stderr: ${stderr}`)));
      });
      const m = /^ready (https:\/\/127\.0\.0\.1:\d+) kubeconfig=(.+)$/.exec(line);
      assert.ok(m, line);
      assert.equal(m[2], kubeconfigPath);
      const kc = parse(readFileSync(kubeconfigPath, 'utf8'));
      assert.equal(kc.clusters[0].cluster.server, m[1]);
      const caPem = Buffer.from(kc.clusters[0].cluster['certificate-authority-data'], 'base64').toString();
      const nodes = await api({ url: m[1]!, caPem, token: kc.users[0].user.token }, 'GET', '/api/v1/nodes');
      assert.equal(nodes.status, 200);
      assert.equal(nodes.json.items.length, 2);
    } finally {
      child.kill('SIGTERM');
    }
    assert.equal(await exited, 0);
    assert.equal(stdout.trim().split('\n').length, 1, 'exactly one line on stdout');
  });

  it('refuses a port in use with one line', async () => {
    const blocker: Server = createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const port = (blocker.address() as { port: number }).port;
    try {
      const r = await runCli(['sim', '--scenario', 'synthetic:nodes=1', '--port', String(port)]);
      assertOneLineError(r, new RegExp(`port ${port} on 127\\.0\\.0\\.1 is already in use`));
    } finally {
      blocker.close();
    }
  });

  it('names the valid scenarios for an unknown name', async () => {
    const r = await runCli(['sim', '--scenario', 'no-such-scenario']);
    assertOneLineError(r, /unknown scenario "no-such-scenario"; built-in scenarios: \S+/);
  });

  it('names the file, the place and the reason for a malformed scenario file', async () => {
    const file = join(dir, 'broken.yaml');
    writeFileSync(file, 'name: broken\nnodes: [\n');
    const r = await runCli(['sim', '--scenario', file]);
    assertOneLineError(r, new RegExp(`${file.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')}.*(line|:\\d+)`));
    // The same validation in-process (cheaper than another CLI start): file, YAML path, line, reason.
    const wrongShape = join(dir, 'wrong.yaml');
    writeFileSync(wrongShape, 'name: wrong\nnodes: "three"\n');
    await assert.rejects(runSim({ scenario: wrongShape, port: '0', backend: 'replay' }), (e: unknown) => isUserError(e) && /wrong\.yaml: [\w.[\]]+ \(line \d+\): \S/.test(e.message) && e.exitCode === 2);
  });

  it('rejects a missing --scenario, a bad --port and a bad --backend as user errors', async () => {
    const rejectsWith = (opts: Parameters<typeof runSim>[0], pattern: RegExp): Promise<void> =>
      assert.rejects(runSim(opts), (e: unknown) => isUserError(e) && pattern.test(e.message) && e.exitCode === 2 && Boolean(e.hint));
    await rejectsWith({ port: '0', backend: 'replay' }, /^--scenario is required$/);
    await rejectsWith({ scenario: 'synthetic:nodes=1', port: 'eighty', backend: 'replay' }, /^invalid --port "eighty"$/);
    await rejectsWith({ scenario: 'synthetic:nodes=1', port: '70000', backend: 'replay' }, /^invalid --port "70000"$/);
    await rejectsWith({ scenario: 'synthetic:nodes=1', port: '0', backend: 'magic' }, /^unknown --backend "magic"$/);
  });
});
