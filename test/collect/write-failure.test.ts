/**
 * A bundle that cannot be written (the disk under --out fills up): the run stops, ends its debug
 * containers, keeps what it wrote, and fails with one line naming the folder, the cause and the fix.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { BundleWriter } from '../../src/bundle/writer.js';
import { collect } from '../../src/collect/index.js';
import { ExitCode, isUserError } from '../../src/util/errors.js';
import { startSim } from '../helpers/sim.js';

test('ENOSPC while writing node outputs: exit 2 with cause and fix, debug containers ended, the folder kept', { timeout: 60_000 }, async () => {
  const sim = await startSim('healthy-frr');
  const root = await mkdtemp(join(tmpdir(), 'mlb-enospc-'));
  const original = BundleWriter.prototype.bytes;
  let writes = 0;
  // The disk fills after a few node outputs.
  BundleWriter.prototype.bytes = function (this: BundleWriter, ...args: Parameters<typeof original>) {
    if (++writes > 3) return Promise.reject(Object.assign(new Error('ENOSPC: no space left on device, write'), { code: 'ENOSPC', errno: -28, syscall: 'write' }));
    return original.apply(this, args);
  };
  try {
    const out = join(root, 'bundle');
    const err = await collect({ kubeconfigPath: sim.kubeconfigPath, out, captureSeconds: 1, formats: ['json'], timeoutMs: 60_000, renderer: 'silent' }).then(
      () => undefined,
      (e: unknown) => e,
    );
    assert.ok(isUserError(err), `a UserError, got ${String(err)}`);
    assert.equal(err.exitCode, ExitCode.usage);
    assert.match(err.message, new RegExp(`^cannot write the bundle under ${out}: no space left on the device; the run stopped and cleaned up`));
    assert.match(err.hint ?? '', /free space there, or pass --out on another file system/);
    assert.ok(existsSync(join(out, 'discovery.json')), 'what was written stays');
    assert.ok(!existsSync(`${out}.tar.gz`) && !existsSync(`${out}.tar.gz.partial`), 'no half tarball');
    const state = sim.sim.state;
    const running = state.store
      .list(state.podType)
      .flatMap((p) => (p.status?.ephemeralContainerStatuses ?? []) as { name: string; state?: { running?: unknown } }[])
      .filter((s) => s.name.startsWith('mlb-report-') && s.state?.running);
    // Told to end during cleanup; the simulated kubelet reports the exit a moment later.
    await new Promise((r) => setTimeout(r, 1500));
    const still = state.store
      .list(state.podType)
      .flatMap((p) => (p.status?.ephemeralContainerStatuses ?? []) as { name: string; state?: { running?: unknown } }[])
      .filter((s) => s.name.startsWith('mlb-report-') && s.state?.running);
    assert.equal(still.length, 0, `debug containers still running: ${running.length} right after, ${still.length} later`);
  } finally {
    BundleWriter.prototype.bytes = original;
    await sim.stop();
    await rm(root, { recursive: true, force: true });
  }
});
