/**
 * --redact-ips must not change the diagnosis: analysis reads the bundle through the inverse of the
 * run's IP map (MetalLB's layer-2 leader is elected by sha256(node#ip), so a replaced address elects
 * another node), and only what is written is redacted, once, with that one map.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { isIP } from 'node:net';
import { infrastructureScenarios } from '../helpers/scenarios.js';
import { runAnalyze } from '../../src/run/analyze.js';
import { runDiff } from '../../src/diff/index.js';
import { assertBundleIntact, runCollect, type Ran } from './support.js';
import { startSim } from '../helpers/sim.js';

const bin = join(import.meta.dirname, '../../bin/mlb-report.js');

function filesUnder(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    return statSync(p).isDirectory() ? filesUnder(p) : [p];
  });
}

const ids = (ran: Ran): string[] => [...new Set((ran.result.analysis?.findings ?? []).map((f) => f.id))].sort();

function ipMapOf(ran: Ran): Record<string, string> {
  return JSON.parse(readFileSync(`${ran.result.dir}.ip-map.json`, 'utf8')) as Record<string, string>;
}

/** A pattern that finds any of these addresses as a whole address (not inside a longer one). */
function addressPattern(addresses: string[]): RegExp {
  const escape = (a: string): string => a.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  const v4 = addresses.filter((a) => isIP(a) === 4).map(escape);
  const v6 = addresses.filter((a) => isIP(a) === 6).map(escape);
  const parts = [...(v4.length ? [`(?<![0-9.])(?:${v4.join('|')})(?![0-9])`] : []), ...(v6.length ? [`(?<![0-9A-Fa-f:])(?:${v6.join('|')})(?![0-9A-Fa-f:])`] : [])];
  return new RegExp(parts.length ? parts.join('|') : '(?!)');
}

/** Runs `fn` over `items`, `limit` at a time. */
async function inPool<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: limit }, async () => {
    while (next < items.length) await fn(items[next++]!);
  }));
}

test('--redact-ips gives the same finding ids as without it on every built-in scenario with a shape of its own (helpers/scenarios.ts); bundles intact, every address mapped once', { timeout: 300_000 }, async () => {
  const scenarios = infrastructureScenarios();
  assert.ok(scenarios.length >= 10, 'the built-in scenarios are found');
  const problems: string[] = [];
  let mappedSomewhere = 0;
  await inPool(scenarios, 6, async (scenario) => {
    const [plain, redacted] = await Promise.all([
      runCollect(scenario, { report: true, formats: ['json'] }),
      runCollect(scenario, { report: true, formats: ['json'], redactIps: true }),
    ]);
    try {
      assert.ok(plain.result.analysis && redacted.result.analysis, `${scenario}: both runs were analysed`);
      if (ids(plain).join(',') !== ids(redacted).join(',')) problems.push(`${scenario}: ${ids(plain).join(',')} != redacted ${ids(redacted).join(',')}`);
      // Every manifest entry exists with its checksum, and every file on disk is listed.
      await assertBundleIntact(redacted.result.dir);
      const map = ipMapOf(redacted);
      const values = new Set(Object.values(map));
      if (values.size !== Object.keys(map).length) problems.push(`${scenario}: two addresses share a replacement`);
      for (const [original, replacement] of Object.entries(map)) {
        assert.ok(isIP(original) && isIP(replacement), `${scenario}: ${original} → ${replacement} are addresses`);
        // A replacement fed back into the redaction would show up as a key of its own.
        if (original in map && values.has(original)) problems.push(`${scenario}: ${original} is both an original and a replacement (mapped twice)`);
      }
      if (Object.keys(map).length > 0) {
        mappedSomewhere++;
        // findings.json is written through the same map: no original address, and its paths are the files on disk.
        const findings = readFileSync(join(redacted.result.dir, 'findings.json'), 'utf8');
        const leak = addressPattern(Object.keys(map)).exec(findings);
        if (leak) problems.push(`${scenario}: findings.json holds the original address ${leak[0]}`);
        for (const m of findings.matchAll(/"path":\s*"([^"]+)"/g)) {
          const path = m[1]!;
          if (/^(nodes|cluster|logs)\//.test(path) && /\d+\.\d+\.\d+\.\d+/.test(path) && !existsSync(join(redacted.result.dir, path))) problems.push(`${scenario}: findings.json cites ${path}, not in the bundle`);
        }
      }
    } finally {
      await Promise.all([plain.cleanup(), redacted.cleanup()]);
    }
  });
  assert.deepEqual(problems, []);
  assert.ok(mappedSomewhere >= scenarios.length - 1, 'addresses were replaced in the scenarios');
});

test('--redact-ips report: no original address in the bundle, arping files listed as they are on disk and shown in the report', { timeout: 60_000 }, async () => {
  const ran = await runCollect('healthy-l2', { report: true, formats: ['json', 'html'], redactIps: true });
  try {
    const map = ipMapOf(ran);
    assert.ok(Object.keys(map).length >= 3);
    const manifest = await assertBundleIntact(ran.result.dir);
    const arping = manifest.files.map((f) => f.path).filter((p) => /probe\/arping-/.test(p));
    assert.ok(arping.length > 0, 'arping probes were written');
    const replacements = new Set(Object.values(map));
    for (const path of arping) {
      const address = /arping-(.+)\.txt$/.exec(path)![1]!;
      // Named by the replacement of a probed address, not by a replacement of a replacement.
      assert.ok(replacements.has(address), `${path} names a replacement address`);
      assert.ok(!(address in map), `${path}: ${address} was not redacted a second time`);
    }
    // Step ids name the same replacement as the file they wrote.
    for (const n of manifest.nodes) for (const s of n.steps) if (s.step.startsWith('probe.arping.')) for (const f of s.files) assert.ok(f.endsWith(`arping-${s.step.slice('probe.arping.'.length)}.txt`), `${s.step} wrote ${f}`);
    const leak = addressPattern(Object.keys(map));
    for (const f of filesUnder(ran.result.dir)) assert.doesNotMatch(readFileSync(f, 'latin1'), leak, `original address in ${relative(ran.result.dir, f)}`);
    const html = readFileSync(join(ran.result.dir, 'report.html'), 'utf8');
    assert.ok(arping.some((p) => html.includes(p)), 'the report names the arping files by their bundle paths');
    assert.doesNotMatch(html, /not in the bundle/, 'every raw output the report lists was found');
    assert.ok(!ids(ran).includes('l2-leader-mismatch'), 'the healthy leader is recomputed from the real address');
  } finally {
    await ran.cleanup();
  }
});

test('analyze of a redacted bundle: without the map the leader check is skipped and said so; with --ip-map the findings match the run and stay redacted', { timeout: 60_000 }, async () => {
  const [ran, plain] = await Promise.all([runCollect('healthy-l2', { report: true, formats: ['json'], redactIps: true }), runCollect('healthy-l2', { report: true, formats: ['json'] })]);
  const out = mkdtempSync(join(tmpdir(), 'mlb-analyze-redacted-'));
  try {
    // diff reads the redacted bundle without its map: it must not report another elected or announcing node.
    const diff = await runDiff(plain.result.dir, ran.result.dir);
    const serviceChanges = (diff.services ?? []).flatMap((c) => c.changes);
    assert.ok(diff.services && diff.services.length > 0, 'the services were compared (their addresses differ)');
    assert.ok(!serviceChanges.some((c) => c.field === 'announcer'), 'the observed announcer is the same');
    const expected = serviceChanges.filter((x) => x.field === 'expected L2 announcer');
    assert.ok(expected.length > 0, 'the election of the redacted side is reported as unknown');
    for (const c of expected) assert.equal(c.after, 'unknown (addresses redacted)');

    const lines: string[] = [];
    await runAnalyze({ bundle: ran.result.dir, out: join(out, 'plain'), formats: ['json'], failOn: 'never', write: (l) => lines.push(l) });
    const text = lines.join('\n');
    assert.match(text, /IP addresses in this bundle are replacements .*cannot be recomputed/);
    const unmapped = JSON.parse(readFileSync(join(out, 'plain', 'findings.json'), 'utf8')) as { findings: { id: string }[] };
    assert.ok(!unmapped.findings.some((f) => f.id === 'l2-leader-mismatch'), 'no leader mismatch invented from replaced addresses');

    const mapped: string[] = [];
    await runAnalyze({ bundle: ran.result.dir, out: join(out, 'mapped'), formats: ['json'], failOn: 'never', ipMap: `${ran.result.dir}.ip-map.json`, write: (l) => mapped.push(l) });
    assert.doesNotMatch(mapped.join('\n'), /cannot be recomputed/);
    const written = readFileSync(join(out, 'mapped', 'findings.json'), 'utf8');
    const doc = JSON.parse(written) as { findings: { id: string }[] };
    assert.deepEqual([...new Set(doc.findings.map((f) => f.id))].sort(), ids(ran));
    assert.doesNotMatch(written, addressPattern(Object.keys(ipMapOf(ran))), 'outputs written with the map are redacted with it');
  } finally {
    rmSync(out, { recursive: true, force: true });
    await Promise.all([ran.cleanup(), plain.cleanup()]);
  }
});

test('collect --redact-ips prints where the map is', { timeout: 90_000 }, async () => {
  const sim = await startSim('healthy-l2');
  const root = mkdtempSync(join(tmpdir(), 'mlb-redact-cli-'));
  try {
    const dir = join(root, 'bundle');
    const r = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = spawn(process.execPath, [bin, 'collect', '--kubeconfig', sim.kubeconfigPath, '--out', dir, '--redact-ips', '--format', 'json', '--capture-seconds', '1'], {
        env: { ...process.env, NO_COLOR: '1', CI: '1', MLB_REPORT_FROM_SOURCE: '1' },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let stdout = '';
      let stderr = '';
      child.stdout.on('data', (d) => (stdout += d));
      child.stderr.on('data', (d) => (stderr += d));
      child.on('close', (code) => resolve({ code, stdout, stderr }));
    });
    assert.equal(r.code, 0, r.stderr);
    const m = /^ip map:\s+(\S+) \(keep it private: it undoes the redaction\)$/m.exec(r.stdout);
    assert.ok(m, `the map's path is printed:\n${r.stdout}`);
    assert.equal(m[1], `${dir}.ip-map.json`);
    assert.ok(existsSync(m[1]!), 'the printed map exists');
    assert.ok(Object.keys(JSON.parse(readFileSync(m[1]!, 'utf8'))).length > 0);
  } finally {
    await sim.stop();
    rmSync(root, { recursive: true, force: true });
  }
});
