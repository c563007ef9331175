import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtemp, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFileSync } from 'node:child_process';
import { TarGzStream, writeTarGz } from '../../src/bundle/tar.js';
import { extractBundle } from '../../src/bundle/extract.js';
import { BundleWriter, finishBundle, Redactor } from '../../src/bundle/index.js';
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { constants, gunzipSync } from 'node:zlib';

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

test('a tarball streamed while files are written: several gzip members, read by system tar and by extractBundle', async () => {
  const root = await mkdtemp(join(tmpdir(), 'mlb-tar-'));
  try {
    const out = join(root, 'bundle.tar.gz');
    const tar = new TarGzStream(out, 'bundle');
    // Incompressible-looking data past the 4 MB member size, so the stream has several members.
    const files: Record<string, Buffer> = {};
    for (let i = 0; i < 3; i++) files[`nodes/n${i}/capture.pcap`] = randomBytes(3 * 1024 * 1024);
    // Past the member size itself: compressed as a member of its own, not copied into the staging.
    files['cluster/big.json'] = randomBytes(5 * 1024 * 1024);
    files['manifest.json'] = Buffer.from('{"x":1}\n');
    files['cluster/pods.json'] = Buffer.from('[]\n');
    for (const [path, data] of Object.entries(files)) tar.add(path, data);
    tar.add('cluster/pods.json', Buffer.from('again'));
    assert.match(tar.unusable ?? '', /written twice: cluster\/pods.json/, 'a path written twice makes the stream unusable');
    await assert.rejects(tar.finish(), /written twice/);
    await tar.abandon();
    assert.equal(existsSync(`${out}.partial`), false, 'abandon removes the partial file');

    const good = new TarGzStream(out, 'bundle');
    for (const [path, data] of Object.entries(files)) good.add(path, data);
    await good.finish();
    assert.equal(existsSync(`${out}.partial`), false);
    const gz = await readFile(out);
    let members = 0;
    for (let i = 0; i + 2 < gz.length; i++) if (gz[i] === 0x1f && gz[i + 1] === 0x8b && gz[i + 2] === 8 && gunzipMemberAt(gz, i)) members++;
    assert.ok(members >= 2, `several gzip members (${members})`);

    const bySystemTar = join(root, 'sys');
    await mkdir(bySystemTar);
    execFileSync('tar', ['-xzf', out, '-C', bySystemTar]);
    const byUs = join(root, 'ours');
    await extractBundle(out, byUs);
    for (const [path, data] of Object.entries(files)) {
      assert.deepEqual(await readFile(join(bySystemTar, 'bundle', path)), data, `system tar: ${path}`);
      assert.ok(await findFile(byUs, path, data), `extractBundle: ${path}`);
    }
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});

/** True when a gzip member starts at `offset` (its header decodes). */
function gunzipMemberAt(buf: Buffer, offset: number): boolean {
  try {
    gunzipSync(buf.subarray(offset), { finishFlush: constants.Z_SYNC_FLUSH });
    return true;
  } catch {
    return false;
  }
}

/** extractBundle may put the bundle's top folder under the target or strip it: accept either. */
async function findFile(dir: string, path: string, data: Buffer): Promise<boolean> {
  for (const candidate of [join(dir, path), join(dir, 'bundle', path)]) {
    if (existsSync(candidate) && (await readFile(candidate)).equals(data)) return true;
  }
  return false;
}

test('finishBundle: a file written twice falls back to archiving the folder, with the last content and no partial file', async () => {
  const root = await mkdtemp(join(tmpdir(), 'mlb-tar-'));
  try {
    const dir = join(root, 'bundle');
    const writer = new BundleWriter(dir, new Redactor({ ips: false }));
    await writer.init();
    writer.streamTarball();
    await writer.text('nodes/a/ip-addr.txt', 'first\n');
    await writer.text('nodes/a/ip-addr.txt', 'second\n');
    await writer.text('cluster/version.json', '{}\n');
    const { tarball } = await finishBundle(writer, { schemaVersion: 1 } as never, { tar: true });
    assert.equal(tarball, `${dir}.tar.gz`);
    assert.equal(existsSync(`${dir}.tar.gz.partial`), false);
    const dest = join(root, 'x');
    await mkdir(dest);
    execFileSync('tar', ['-xzf', tarball!, '-C', dest]);
    assert.equal(await readFile(join(dest, 'bundle/nodes/a/ip-addr.txt'), 'utf8'), 'second\n');
    assert.ok(existsSync(join(dest, 'bundle/manifest.json')));
  } finally {
    await rm(root, { recursive: true, force: true });
  }
});
