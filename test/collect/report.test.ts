/** collect → analyze → report in one run: the report and findings.json become part of the bundle. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { gunzipSync } from 'node:zlib';
import { assertBundleIntact, runCollect } from './support.js';

test('formats json,html: findings.json and report.html are written into the bundle and listed in the manifest', { timeout: 180_000 }, async () => {
  const ran = await runCollect('bgp-wrong-asn', { formats: ['json', 'html'], report: true });
  try {
    const { result } = ran;
    assert.deepEqual(result.notes.filter((n) => /skipped|failed/.test(n)), [], 'analysis and report ran');
    for (const f of ['findings.json', 'report.html']) {
      assert.ok(existsSync(join(result.dir, f)), f);
      assert.ok(result.manifest.files.some((x) => x.path === f), `${f} in manifest`);
    }
    await assertBundleIntact(result.dir);
    const findings = JSON.parse(readFileSync(join(result.dir, 'findings.json'), 'utf8')) as { summary: { instances: number }; findings: { id: string; severity: string }[] };
    assert.ok(findings.findings.length > 0, 'the wrong ASN is found');
    // findings.json groups a check's findings by cause; every finding of the run is one instance.
    assert.ok(result.analysis && result.analysis.findings.length === findings.summary.instances);
    assert.ok(gunzipSync(readFileSync(result.tarball!)).includes(Buffer.from('report.html')), 'report inside the tarball');
  } finally {
    await ran.cleanup();
  }
});

test('formats json alone: the run still analyses, and findings.json is in the bundle and its tarball', { timeout: 180_000 }, async () => {
  const ran = await runCollect('bgp-wrong-asn', { formats: ['json'], report: true });
  try {
    const { result } = ran;
    assert.deepEqual(result.reportFiles, [join(result.dir, 'findings.json')]);
    assert.ok(!existsSync(join(result.dir, 'report.html')), 'no HTML was asked for');
    const doc = JSON.parse(readFileSync(join(result.dir, 'findings.json'), 'utf8')) as { findings: { id: string }[] };
    assert.ok(doc.findings.some((f) => f.id === 'bgp-session-down'), 'the wrong ASN is found');
    assert.ok(result.manifest.files.some((x) => x.path === 'findings.json'), 'listed in the manifest');
    assert.ok(gunzipSync(readFileSync(result.tarball!)).includes(Buffer.from('findings.json')), 'inside the tarball');
    await assertBundleIntact(result.dir);
  } finally {
    await ran.cleanup();
  }
});
