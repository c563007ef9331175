/** File-system errors on paths the user chose are bad input (exit 2, one line, a fix), not bugs. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { fileSystemProblem } from '../../src/cli/index.js';

test('ENOTDIR, EEXIST, EACCES, EROFS, ENOSPC on a path → a one-line problem and a fix', () => {
  const err = (code: string, path: string): NodeJS.ErrnoException => Object.assign(new Error(`${code}: x, open '${path}'`), { code, path });
  assert.deepEqual(fileSystemProblem(err('ENOTDIR', '/tmp/f/sub')), { message: 'cannot write /tmp/f/sub: a part of the path is a file, not a folder (ENOTDIR)', hint: 'pass --out with a folder you can write to (it is created if missing)' });
  assert.match(fileSystemProblem(err('EEXIST', '/tmp/out'))!.message, /already exists \(EEXIST\)/);
  assert.match(fileSystemProblem(err('EACCES', '/root/x'))!.message, /permission denied/);
  assert.match(fileSystemProblem(err('EROFS', '/ro/x'))!.message, /read-only/);
  assert.match(fileSystemProblem(err('ENOSPC', '/full/x'))!.hint, /free some space/);
  // Not a path problem: stays a bug report.
  assert.equal(fileSystemProblem(Object.assign(new Error('boom'), { code: 'ECONNRESET' })), undefined);
  assert.equal(fileSystemProblem(new TypeError('x is undefined')), undefined);
});

test('analyze --out <a file> → exit 2, one line naming the path and a fix (was a "bug" report)', async () => {
  const { spawnSync } = await import('node:child_process');
  const { mkdtempSync, rmSync, writeFileSync } = await import('node:fs');
  const { join } = await import('node:path');
  const { tmpdir } = await import('node:os');
  const dir = mkdtempSync(join(tmpdir(), 'mlb-errors-'));
  try {
    const file = join(dir, 'a-file');
    writeFileSync(file, 'x');
    const r = spawnSync(process.execPath, [join(import.meta.dirname, '../../bin/mlb-report.js'), 'analyze', join(import.meta.dirname, '../../fixtures/render/bundle'), '--out', file, '--format', 'json'], { encoding: 'utf8' });
    assert.equal(r.status, 2, r.stderr);
    const lines = r.stderr.trim().split('\n');
    assert.equal(lines[0], `error: cannot write ${file}: it already exists (EEXIST)`);
    assert.match(lines[1] ?? '', /^fix: pass --out with a folder/);
    assert.doesNotMatch(r.stderr, /bug in mlb-report|\n\s+at /);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});
