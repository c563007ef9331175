/** Bad input through the real CLI: one-line error, a fix, the documented exit code, no stack. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startSim, miniWorld, MiniBackend } from '../helpers/sim.js';

const bin = join(import.meta.dirname, '../../bin/mlb-report.js');

function run(args: string[], env: Record<string, string> = {}): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [bin, 'collect', ...args], { env: { ...process.env, NO_COLOR: '1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function assertOneLineError(r: { stderr: string }, pattern: RegExp): void {
  const lines = r.stderr.trim().split('\n');
  assert.match(lines[0]!, /^error: /);
  assert.match(lines[0]!, pattern);
  assert.match(lines[1] ?? '', /^fix: /);
  assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
}

const tmp = mkdtempSync(join(tmpdir(), 'mlb-cli-'));
test.after(() => rmSync(tmp, { recursive: true, force: true }));

const kubeconfig = (server: string, extra = ''): string =>
  `apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster: {server: "${server}", insecure-skip-tls-verify: true}\nusers:\n- name: u\n  user: {token: abc}\ncontexts:\n- name: x\n  context: {cluster: c, user: u}\ncurrent-context: x\n${extra}`;

test('missing kubeconfig file → exit 2', async () => {
  const r = await run(['--kubeconfig', join(tmp, 'nope.yaml')]);
  assert.equal(r.code, 2);
  assertOneLineError(r, /kubeconfig not found/);
});

test('invalid kubeconfig → exit 2', async () => {
  const f = join(tmp, 'bad.yaml');
  writeFileSync(f, 'clusters: [\n');
  const r = await run(['--kubeconfig', f]);
  assert.equal(r.code, 2);
  assertOneLineError(r, /invalid kubeconfig/);
});

test('KUBECONFIG env is honoured (missing file named) → exit 2', async () => {
  const r = await run([], { KUBECONFIG: join(tmp, 'env-missing.yaml') });
  assert.equal(r.code, 2);
  assertOneLineError(r, /env-missing\.yaml/);
});

test('unknown context → exit 3', async () => {
  const f = join(tmp, 'ctx.yaml');
  writeFileSync(f, kubeconfig('https://127.0.0.1:1'));
  const r = await run(['--kubeconfig', f, '--context', 'prod']);
  assert.equal(r.code, 3);
  assertOneLineError(r, /unknown context "prod"/);
});

test('unreachable API server → exit 3', async () => {
  const f = join(tmp, 'unreach.yaml');
  writeFileSync(f, kubeconfig('https://127.0.0.1:9'));
  const r = await run(['--kubeconfig', f, '--out', join(tmp, 'never')]);
  assert.equal(r.code, 3);
  assertOneLineError(r, /cannot reach the API server/);
});

test('bad flag value → exit 2 (other flag parsers are unit-tested in helpers.test.ts)', async () => {
  const f = join(tmp, 'flags.yaml');
  writeFileSync(f, kubeconfig('https://127.0.0.1:9'));
  const r = await run(['--kubeconfig', f, '--timeout', 'soon']);
  assert.equal(r.code, 2, r.stderr);
  assertOneLineError(r, /invalid duration for --timeout/);
});

test('no MetalLB in the cluster → exit 3, and an existing --out is refused → exit 2', { timeout: 60_000 }, async () => {
  const world = miniWorld();
  world.objects = world.objects.filter((o) => !(o.kind === 'Pod' && /speaker|controller/.test(o.metadata.name)));
  const sim = await startSim({ world, backend: new MiniBackend() });
  try {
    const r = await run(['--kubeconfig', sim.kubeconfigPath, '--out', join(tmp, 'none')]);
    assert.equal(r.code, 3, r.stderr);
    assertOneLineError(r, /no MetalLB found/);
    const used = join(tmp, 'used');
    rmSync(used, { recursive: true, force: true });
    writeFileSync(join(tmp, 'used-file'), 'x');
    const r2 = await run(['--kubeconfig', sim.kubeconfigPath, '--out', join(tmp, 'used-file')]);
    assert.equal(r2.code, 2, r2.stderr);
    assertOneLineError(r2, /exists and is not a directory/);
  } finally {
    await sim.stop();
  }
});

test('no kubeconfig anywhere → exit 2, naming where it looked (not localhost:8080)', async () => {
  const home = join(tmp, 'empty-home');
  const env: Record<string, string> = { HOME: home, KUBECONFIG: '' };
  const r = await run([], env);
  assert.equal(r.code, 2, r.stderr);
  assertOneLineError(r, /no kubeconfig found \(KUBECONFIG is not set and ~\/\.kube\/config does not exist\)/);
  assert.doesNotMatch(r.stderr, /localhost:8080/);
});

test('an --out that cannot be written → exit 2, one line naming the path, before the cluster is asked', async () => {
  const f = join(tmp, 'kc-out.yaml');
  // An unreachable server: the out check must come first, so no network error may show.
  writeFileSync(f, kubeconfig('https://127.0.0.1:9'));
  const file = join(tmp, 'a-file');
  writeFileSync(file, 'x');
  const underFile = await run(['--kubeconfig', f, '--out', join(file, 'sub')]);
  assert.equal(underFile.code, 2, underFile.stderr);
  assertOneLineError(underFile, /a-file is a file, not a folder/);
});

test('`checks | head -1` closes the pipe early: exit 0, no EPIPE trace', async () => {
  const r = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
    const child = spawn('sh', ['-c', `"${process.execPath}" "${bin}" checks | head -1`], { env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.on('close', (code) => resolve({ code, stderr }));
  });
  assert.equal(r.code, 0);
  assert.doesNotMatch(r.stderr, /EPIPE|\n\s+at /);
});
