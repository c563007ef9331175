/**
 * Safe extraction: hostile tarballs are built byte by byte here (ustar headers, pax and GNU long-name
 * records), so every trick is exercised exactly; nothing may land outside the target folder.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { extractBundle, safeEntryName } from '../../src/bundle/extract.js';
import { writeTarGz } from '../../src/bundle/tar.js';
import { UserError } from '../../src/util/errors.js';

interface Entry {
  name: string;
  type?: string;
  data?: string | Buffer;
  linkname?: string;
  prefix?: string;
  size?: number;
}

function header(e: Entry): Buffer {
  const h = Buffer.alloc(512);
  const data = typeof e.data === 'string' ? Buffer.from(e.data) : (e.data ?? Buffer.alloc(0));
  h.write(e.name.slice(0, 100), 0, 'utf8');
  h.write('0000644\0', 100);
  h.write('0000000\0', 108);
  h.write('0000000\0', 116);
  h.write(`${(e.size ?? data.length).toString(8).padStart(11, '0')}\0`, 124);
  h.write('00000000000\0', 136);
  h.write('        ', 148);
  h.write(e.type ?? '0', 156);
  if (e.linkname) h.write(e.linkname.slice(0, 100), 157);
  h.write('ustar\0', 257);
  h.write('00', 263);
  if (e.prefix) h.write(e.prefix, 345);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  return h;
}

function tar(entries: Entry[], { end = true } = {}): Buffer {
  const parts: Buffer[] = [];
  for (const e of entries) {
    const data = typeof e.data === 'string' ? Buffer.from(e.data) : (e.data ?? Buffer.alloc(0));
    parts.push(header(e), data, Buffer.alloc((512 - (data.length % 512)) % 512));
  }
  if (end) parts.push(Buffer.alloc(1024));
  return Buffer.concat(parts);
}

const pax = (fields: Record<string, string>): Entry => {
  const body = Object.entries(fields)
    .map(([k, v]) => {
      const rec = ` ${k}=${v}\n`;
      let len = rec.length + 1;
      while (`${len}${rec}`.length !== len) len = `${len}${rec}`.length;
      return `${len}${rec}`;
    })
    .join('');
  return { name: 'PaxHeader', type: 'x', data: body };
};

async function withDirs(fn: (d: { root: string; target: string; file: (name: string, content: Buffer) => Promise<string> }) => Promise<void>) {
  const root = await mkdtemp(join(tmpdir(), 'mlb-extract-'));
  try {
    const target = join(root, 'a', 'b', 'target');
    await mkdir(join(root, 'a', 'b'), { recursive: true });
    await fn({ root, target, file: async (name, content) => { const p = join(root, name); await writeFile(p, content); return p; } });
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

/** Everything under root except the archive files themselves. */
function tree(dir: string, prefix = ''): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? [`${prefix}${e.name}/`, ...tree(join(dir, e.name), `${prefix}${e.name}/`)] : [`${prefix}${e.name}`]));
}

test('hostile entries are refused, named, and nothing is written outside the target', async () => {
  await withDirs(async ({ root, target, file }) => {
    const archive = tar([
      { name: 'bundle/', type: '5' },
      { name: 'bundle/manifest.json', data: '{"ok":true}' },
      { name: '../escape.txt', data: 'pwned' },
      { name: 'bundle/../../../escape2.txt', data: 'pwned' },
      { name: '/tmp/absolute.txt', data: 'pwned' },
      { name: 'bundle/link', type: '2', linkname: '/etc/passwd' },
      { name: 'bundle/inner-link', type: '2', linkname: 'manifest.json' },
      { name: 'bundle/hard', type: '1', linkname: '../../outside' },
      { name: 'bundle/dev', type: '3' },
      { name: 'bundle/fifo', type: '6' },
      pax({ path: '../../pax-escape.txt' }),
      { name: 'innocent-looking.txt', data: 'pwned' },
      { name: '././@LongLink', type: 'L', data: `${'../'.repeat(3)}gnu-escape.txt\0` },
      { name: 'placeholder', data: 'pwned' },
      { name: 'bundle\\..\\win.txt', data: 'pwned' },
      { name: 'bundle/manifest.json', data: '{"ok":false}' },
      { name: 'nodes/n1/net/ip-addr.json', prefix: 'bundle', data: '[]' },
    ]);
    const result = await extractBundle(await file('hostile.tar.gz', gzipSync(archive)), target);
    assert.deepEqual(result.files.sort(), ['bundle/manifest.json', 'bundle/nodes/n1/net/ip-addr.json']);
    assert.equal(readFileSync(join(target, 'bundle/manifest.json'), 'utf8'), '{"ok":true}', 'a duplicate never overwrites');
    const reasons = Object.fromEntries(result.refused.map((r) => [r.name, r.reason]));
    assert.match(reasons['../escape.txt'], /escapes/);
    assert.match(reasons['bundle/../../../escape2.txt'], /escapes/);
    assert.match(reasons['/tmp/absolute.txt'], /absolute/);
    assert.match(reasons['bundle/link'], /symbolic link to \/etc\/passwd \(points outside the bundle\) not extracted/);
    assert.match(reasons['bundle/inner-link'], /symbolic link to manifest\.json not extracted/);
    assert.match(reasons['bundle/hard'], /hard link .* not extracted/);
    assert.match(reasons['bundle/dev'], /character device/);
    assert.match(reasons['bundle/fifo'], /FIFO/);
    assert.match(reasons['../../pax-escape.txt'], /escapes/);
    assert.match(reasons['../../../gnu-escape.txt'], /escapes/);
    assert.match(reasons['bundle\\..\\win.txt'], /backslash/);
    assert.match(reasons['bundle/manifest.json'], /duplicate/);
    // Only the target folder gained files; nothing next to it or above it.
    assert.deepEqual(tree(root).filter((p) => !p.startsWith('a/b/target/') && p !== 'hostile.tar.gz').sort(), ['a/', 'a/b/']);
    assert.equal(existsSync(join(root, 'escape.txt')), false);
    assert.equal(result.truncated, false);
  });
});

test('size and entry caps stop extraction (also against a decompression bomb)', async () => {
  await withDirs(async ({ target, file }) => {
    const bomb = gzipSync(tar([{ name: 'big.log', data: Buffer.alloc(4 * 1024 * 1024) }, { name: 'after.txt', data: 'x' }]));
    assert.ok(bomb.length < 64 * 1024, 'the archive itself is small');
    const r = await extractBundle(await file('bomb.tar.gz', bomb), join(target, 'bomb'), { maxTotalBytes: 1024 * 1024 });
    assert.equal(r.truncated, true);
    assert.deepEqual(r.files, []);
    assert.match(r.refused[0].reason, /cap/);
    const many = tar(Array.from({ length: 20 }, (_, i) => ({ name: `f${i}.txt`, data: 'x' })));
    const r2 = await extractBundle(await file('many.tar', many), join(target, 'many'), { maxEntries: 5 });
    assert.equal(r2.files.length, 5);
    assert.equal(r2.truncated, true);
    assert.match(r2.refused[0].reason, /more than 5 entries/);
  });
});

test('not a tarball, or missing: UserError with exit code 2', async () => {
  await withDirs(async ({ target, file }) => {
    await assert.rejects(extractBundle(await file('junk.tar.gz', gzipSync(Buffer.from('hello, this is not a tar archive'.repeat(40)))), target), (e: unknown) => e instanceof UserError && e.exitCode === 2 && /not a tar archive/.test(e.message));
    await assert.rejects(extractBundle(join(target, 'nope.tar.gz'), target), (e: unknown) => e instanceof UserError && e.exitCode === 2);
  });
});

test('a tarball written by the bundle writer extracts completely', async () => {
  await withDirs(async ({ root, target }) => {
    const src = join(root, 'src');
    await mkdir(join(src, 'nodes', 'n1', 'frr'), { recursive: true });
    await writeFile(join(src, 'manifest.json'), '{}');
    await writeFile(join(src, 'nodes', 'n1', 'frr', 'running-config.txt'), `${'x'.repeat(700)}\n`);
    const out = join(root, 'b.tar.gz');
    await writeTarGz(src, out, `mlb-report-${'very-long-name-'.repeat(8)}`);
    const r = await extractBundle(out, target);
    assert.deepEqual(r.refused, []);
    assert.equal(r.files.length, 2);
    assert.ok(r.files.every((f) => f.startsWith('mlb-report-very-long-name-')));
  });
});

test('safeEntryName normalises harmless forms and refuses the rest', () => {
  assert.deepEqual(safeEntryName('./a//b/./c.txt'), { name: 'a/b/c.txt' });
  assert.ok('reason' in safeEntryName('a/../../b'));
  assert.ok('reason' in safeEntryName('C:/windows'));
  assert.ok('reason' in safeEntryName('a\0b'));
  assert.ok('reason' in safeEntryName('./'));
});
