import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { writeTarGz } from '../../src/bundle/tar.js';

test('tarball extracts with system tar, long names included', async () => {
  const root = await mkdtemp(join(tmpdir(), 'mlb-tar-'));
  try {
    const src = join(root, 'bundle');
    const longDir = 'nodes/' + 'a'.repeat(110) + '/' + 'b'.repeat(90);
    await mkdir(join(src, longDir), { recursive: true });
    await writeFile(join(src, 'manifest.json'), '{"x":1}\n');
    await writeFile(join(src, longDir, 'f.txt'), Buffer.alloc(1500, 7));
    await writeFile(join(src, 'empty.txt'), '');
    const out = join(root, 'bundle.tar.gz');
    await writeTarGz(src, out, 'bundle');
    const dest = join(root, 'x');
    await mkdir(dest);
    execFileSync('tar', ['-xzf', out, '-C', dest]);
    assert.equal(await readFile(join(dest, 'bundle/manifest.json'), 'utf8'), '{"x":1}\n');
    assert.deepEqual(await readFile(join(dest, 'bundle', longDir, 'f.txt')), Buffer.alloc(1500, 7));
    assert.equal((await readFile(join(dest, 'bundle/empty.txt'))).length, 0);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
