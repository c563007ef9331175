/** bgp-password: the BGP password appears nowhere in the bundle directory or the tarball. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { runCollect } from './support.js';

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

function passwordsOf(objects: { kind?: string; spec?: any; data?: any; stringData?: any }[]): string[] {
  const found = new Set<string>();
  for (const o of objects) {
    if (o.kind === 'BGPPeer' && typeof o.spec?.password === 'string') found.add(o.spec.password);
    if (o.kind === 'Secret') {
      for (const v of Object.values(o.stringData ?? {})) if (typeof v === 'string') found.add(v);
      for (const v of Object.values(o.data ?? {})) if (typeof v === 'string') found.add(Buffer.from(v, 'base64').toString('utf8'));
    }
    if (o.kind === 'FRRConfiguration') {
      for (const r of o.spec?.bgp?.routers ?? []) for (const n of r.neighbors ?? []) if (n.password) found.add(n.password);
    }
  }
  return [...found].filter((p) => p.length >= 4);
}

test('bgp-password: the password is in no file of DIR and not in DIR.tar.gz', { timeout: 120_000 }, async () => {
  const ran = await runCollect('bgp-password', { formats: ['json'] });
  try {
    const passwords = passwordsOf(ran.world.objects as any);
    assert.ok(passwords.length > 0, 'the scenario has a BGP password to hide');
    const files = filesUnder(ran.result.dir);
    assert.ok(files.length > 10);
    // The FRR running config was collected, so the redaction had something to do.
    assert.ok(files.some((f) => f.endsWith('frr/running-config.txt')));
    assert.ok(ran.result.manifest.redaction.count > 0, 'redactions happened');
    const tarGz = readFileSync(ran.result.tarball!);
    const tar = gunzipSync(tarGz);
    for (const pw of passwords) {
      const needle = Buffer.from(pw);
      for (const f of files) assert.equal(readFileSync(f).includes(needle), false, `password found in ${f}`);
      assert.equal(tarGz.includes(needle), false, 'password in compressed tarball');
      assert.equal(tar.includes(needle), false, 'password in tar');
    }
    const running = files.find((f) => f.endsWith('frr/running-config.txt'))!;
    assert.match(readFileSync(running, 'utf8'), /password <redacted>/);
  } finally {
    await ran.cleanup();
  }
});

test('--redact-ips: no node or LoadBalancer IP of the cluster is left in the bundle; the mapping sits beside it', { timeout: 120_000 }, async () => {
  const ran = await runCollect('healthy-l2', { redactIps: true });
  try {
    const ips = new Set<string>();
    for (const o of ran.world.objects as any[]) {
      if (o.kind === 'Node') for (const a of o.status?.addresses ?? []) if (a.type === 'InternalIP') ips.add(a.address);
      if (o.kind === 'Service') for (const i of o.status?.loadBalancer?.ingress ?? []) if (i.ip) ips.add(i.ip);
    }
    assert.ok(ips.size >= 2);
    const files = filesUnder(ran.result.dir);
    const pattern = new RegExp(`(?<![0-9.])(${[...ips].map((ip) => ip.replace(/\./g, '\\.')).join('|')})(?![0-9])`);
    for (const f of files) assert.doesNotMatch(readFileSync(f, 'latin1'), pattern, `IP left in ${f}`);
    assert.ok(!files.some((f) => f.endsWith('.pcap')), 'pcaps are left out with --redact-ips');
    assert.ok(files.some((f) => /probe\/arping-100\.\d+\.\d+\.\d+\.txt$/.test(f)), 'probe file names use the replacement IPs');
    const mapping = JSON.parse(readFileSync(`${ran.result.dir}.ip-map.json`, 'utf8')) as Record<string, string>;
    for (const ip of ips) assert.match(mapping[ip] ?? '', /^100\./, `${ip} mapped`);
    assert.equal(ran.result.manifest.redaction.ips, true);
  } finally {
    await ran.cleanup();
  }
});
