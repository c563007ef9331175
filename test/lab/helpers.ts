/**
 * Shared pieces of the lab tests: the root gate (the lab needs root; under CI=true a missing root
 * is a failure, locally the tests skip), an exec helper that collects output, and leftover checks.
 */
import { test, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import type { ExecBackend, ExecTarget } from '../../src/sim/world.js';
import { pidAlive } from '../../src/lab/proc.js';
import type { LabDescription } from '../../src/lab/index.js';

export const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;

/** A lab test: runs as root; without root it fails under CI and is skipped locally. */
export function labTest(name: string, fn: (t: TestContext) => Promise<void>, timeoutMs = 60_000): void {
  test(name, { timeout: timeoutMs }, async (t) => {
    if (!isRoot) {
      if (process.env.CI === 'true') assert.fail('lab tests need root (network namespaces, FRR); CI must run them as root');
      t.skip('lab tests need root');
      return;
    }
    await fn(t);
  });
}

export function target(node: string, role: 'frr' | 'debug' | 'speaker', over: Partial<ExecTarget> = {}): ExecTarget {
  const base: ExecTarget = { namespace: 'metallb-system', pod: `speaker-${node}`, container: role === 'debug' ? 'mlb-report-debug' : role, node, image: 'img', kind: role === 'debug' ? 'ephemeral' : 'container', distroless: false, hostNetwork: true };
  return { ...base, ...over };
}

export interface Collected {
  stdout: string;
  stderr: string;
  exitCode: number;
  startError?: string;
}

export async function exec(backend: ExecBackend, t: ExecTarget, argv: string[], signal: AbortSignal = new AbortController().signal): Promise<Collected> {
  let stdout = '';
  let stderr = '';
  const r = await backend.run(t, argv, { stdin: null, stdout: (c) => (stdout += String(c)), stderr: (c) => (stderr += String(c)), signal });
  return { stdout, stderr, exitCode: r.exitCode, startError: r.startError };
}

export function netnsList(): string[] {
  return execFileSync('ip', ['netns', 'list'], { encoding: 'utf8' })
    .split('\n')
    .map((l) => l.split(' ')[0])
    .filter(Boolean);
}

/** Nothing of this lab is left: no namespace with its prefix, no live process it started. */
export function assertNoLeftovers(d: LabDescription): void {
  assert.deepEqual(netnsList().filter((n) => n.startsWith(d.prefix)), [], 'namespaces left behind');
  assert.deepEqual(d.pids.filter(pidAlive), [], 'processes left behind');
  assert.deepEqual(d.zlogDirs.filter((dir) => existsSync(dir)), [], 'FRR zlog directories left in /var/tmp/frr');
}
