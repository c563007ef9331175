import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import type { LabDescription } from '../../src/lab/index.js';
import { labTest, assertNoLeftovers, netnsList } from './helpers.js';

labTest('a process that exits without close() still removes its lab (exit hook)', async () => {
  const prefix = `mlbx${randomBytes(2).toString('hex').slice(0, 3)}-`;
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/lab/lab-child.ts', prefix, 'exit'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let out = '';
  let stderr = '';
  child.stdout.on('data', (b: Buffer) => (out += b.toString()));
  child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
  const code = await new Promise<number | null>((resolve) => child.once('exit', (c) => resolve(c)));
  assert.equal(code, 3, stderr);
  const description = JSON.parse(out.split('\n')[0]) as LabDescription;
  assert.ok(description.namespaces.length > 0);
  await new Promise((r) => setTimeout(r, 300)); // SIGKILLed daemons need a moment to be gone
  assert.ok(description.zlogDirs.length > 0, 'the lab knows its daemons\' zlog directories');
  assertNoLeftovers(description);
});

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  labTest(`${signal} tears the lab down and exits ${signal === 'SIGINT' ? 130 : 143}`, async () => {
    const prefix = `mlbs${randomBytes(2).toString('hex').slice(0, 3)}-`;
    const child = spawn(process.execPath, ['--import', 'tsx', 'test/lab/lab-child.ts', prefix], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    try {
      const description = await new Promise<LabDescription>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (b: Buffer) => {
          out += b.toString();
          if (out.includes('\n')) resolve(JSON.parse(out.split('\n')[0]) as LabDescription);
        });
        child.once('exit', (code) => reject(new Error(`child exited early (${code}): ${stderr}`)));
      });
      assert.ok(netnsList().some((n) => n.startsWith(prefix)), 'the lab is up');
      const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
      child.kill(signal);
      assert.equal(await exited, signal === 'SIGINT' ? 130 : 143, stderr);
      assertNoLeftovers(description);
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
    }
  });
}

// `mlb-report sim --backend lab` owns its signals: it closes the simulator, and with it the lab,
// and ends cleanly, as with the replay backend (test/sim/server-cli.test.ts).
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  labTest(`mlb-report sim --backend lab: ${signal} tears the lab down and exits 0`, async () => {
    const child = spawn(process.execPath, ['bin/mlb-report.js', 'sim', '--scenario', 'healthy-frr', '--backend', 'lab', '--port', '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (b: Buffer) => (stderr += b.toString()));
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    let prefix: string | undefined;
    try {
      const ready = await new Promise<string>((resolve, reject) => {
        let out = '';
        child.stdout.on('data', (b: Buffer) => {
          out += b.toString();
          if (out.includes('\n')) resolve(out.split('\n')[0]!);
        });
        void exited.then((code) => reject(new Error(`sim exited early (${code}): ${stderr}`)));
      });
      const kubeconfig = /^ready https:\/\/\S+ kubeconfig=(.+)$/.exec(ready)?.[1];
      assert.ok(kubeconfig, ready);
      prefix = /^lab: lab (mlb[0-9a-f]+-): /m.exec(stderr)?.[1];
      assert.ok(prefix, `the lab names its prefix on stderr: ${stderr}`);
      assert.ok(netnsList().some((n) => n.startsWith(prefix!)), 'the lab is up');
      child.kill(signal);
      const stillRunning = new Promise<string>((resolve) => setTimeout(() => resolve('still running 30 s after the signal'), 30_000).unref());
      assert.equal(await Promise.race([exited, stillRunning]), 0, stderr);
      assert.match(stderr, new RegExp(`^lab: lab ${prefix}: torn down in \\d+ ms$`, 'm'));
      assert.deepEqual(netnsList().filter((n) => n.startsWith(prefix!)), [], 'namespaces left behind');
      assert.equal(existsSync(kubeconfig), false, 'the kubeconfig it wrote is removed');
    } finally {
      if (child.exitCode === null && child.signalCode === null) {
        // A failed assertion above: stop the sim the way that tears its lab down, then for good.
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
        await exited;
        clearTimeout(timer);
      }
      if (prefix) for (const ns of netnsList().filter((n) => n.startsWith(prefix!))) execFileSync('ip', ['netns', 'del', ns]);
    }
  });
}
