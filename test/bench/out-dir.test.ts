import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// `--render` rewrites the markdown of an earlier run without starting a simulator: the cheap way
// through the benchmark's option handling, which prepares --out before any run starts.
function bench(args: string[]): { status: number | null; stderr: string } {
  const r = spawnSync(process.execPath, ['--import', 'tsx', 'bench/run.ts', ...args], { encoding: 'utf8', timeout: 60_000 });
  return { status: r.status, stderr: r.stderr };
}

test('bench --out: a folder that does not exist yet is created, nested', () => {
  const root = mkdtempSync(join(tmpdir(), 'mlb-bench-out-'));
  try {
    const out = join(root, 'a', 'b', 'c');
    const r = bench(['--render', 'bench/results.json', '--out', out]);
    assert.equal(r.status, 0, r.stderr);
    const md = readFileSync(join(out, 'results.md'), 'utf8');
    assert.match(md, /^# mlb-report benchmark\n/);
    assert.match(md, /\| 50 \| 0 \| mlb-report \|/, 'the rows of the stored run are rendered');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});

test('bench --out: a path that cannot be a folder stops at once with one line naming it', () => {
  const root = mkdtempSync(join(tmpdir(), 'mlb-bench-out-'));
  try {
    const file = join(root, 'taken');
    writeFileSync(file, 'a file, not a folder\n');
    const r = bench(['--render', 'bench/results.json', '--out', join(file, 'sub')]);
    assert.equal(r.status, 2);
    assert.match(r.stderr, new RegExp(`^bench: cannot use --out ${join(file, 'sub')}: `));
    assert.doesNotMatch(r.stderr, /\n\s+at /, 'no stack trace');
  } finally {
    rmSync(root, { recursive: true, force: true });
  }
});
