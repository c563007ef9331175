/** Ctrl-C before the API server has answered: exit 130 and "interrupted", not "cannot reach the API server" (exit 3). */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createServer, type Socket } from 'node:net';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const bin = join(import.meta.dirname, '../../bin/mlb-report.js');

test('SIGINT while the API server has not answered → exit 130, said as an interruption', { timeout: 60_000 }, async () => {
  // A server that accepts connections and never answers: the first request hangs until the signal.
  const sockets: Socket[] = [];
  let connected!: () => void;
  const firstConnection = new Promise<void>((resolve) => (connected = resolve));
  const server = createServer((socket) => {
    sockets.push(socket);
    connected();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  const tmp = mkdtempSync(join(tmpdir(), 'mlb-int-connect-'));
  try {
    const kubeconfig = join(tmp, 'kubeconfig');
    writeFileSync(
      kubeconfig,
      `apiVersion: v1\nkind: Config\nclusters:\n- name: c\n  cluster: {server: "https://127.0.0.1:${port}", insecure-skip-tls-verify: true}\nusers:\n- name: u\n  user: {token: abc}\ncontexts:\n- name: x\n  context: {cluster: c, user: u}\ncurrent-context: x\n`,
    );
    const child = spawn(process.execPath, [bin, 'collect', '--kubeconfig', kubeconfig, '--out', join(tmp, 'bundle')], { env: { ...process.env, NO_COLOR: '1' }, stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
    await firstConnection;
    child.kill('SIGINT');
    assert.equal(await exited, 130, output);
    assert.match(output, /^error: interrupted while connecting to the API server; nothing collected$/m);
    assert.doesNotMatch(output, /cannot reach the API server/);
  } finally {
    for (const s of sockets) s.destroy();
    server.close();
    rmSync(tmp, { recursive: true, force: true });
  }
});
