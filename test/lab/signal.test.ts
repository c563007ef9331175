import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
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
