import assert from 'node:assert/strict';
import { test } from 'node:test';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { existsSync, readFileSync } from 'node:fs';
import { mkdtemp, mkdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { analyzeBundle, exitCodeFor, findingsDocument } from '../../src/analyze/index.js';
import { writeTarGz } from '../../src/bundle/tar.js';
import { packageRoot } from '../../src/version.js';
import { runAnalyze } from '../../src/run/analyze.js';
import { entryFindings } from '../../src/checks/group.js';
import type { Finding } from '../../src/model/finding.js';
import { findingsDocumentV1, schemaProblems } from '../helpers/findings-v1.js';
import { bgpHealthy, bgpLab, bundleFiles } from '../checks/helpers.js';

const run = promisify(execFile);
const cli = join(packageRoot, 'bin', 'mlb-report.js');

async function writeBundle(dir: string, files: Record<string, string>): Promise<void> {
  for (const [p, c] of Object.entries(files)) {
    await mkdir(dirname(join(dir, p)), { recursive: true });
    await writeFile(join(dir, p), c);
  }
}

const manifest = { schemaVersion: 1, tool: { name: 'mlb-report', version: '0.1.0' }, createdAt: '2026-11-27T12:00:00Z', command: ['mlb-report', 'collect'], cluster: { server: 'https://192.0.2.1:6443', context: 'lab' }, options: {}, timings: { totalMs: 1000 }, redaction: { ips: false, rules: [], count: 0 }, nodes: [{ node: 'lc-n1', status: 'ok', access: 'ephemeral', steps: [{ step: 'frr.bgp-neighbors', status: 'ok', durationMs: 12, files: ['nodes/lc-n1/frr/bgp-neighbors.json'] }] }, { node: 'lc-n2', status: 'partial', reason: 'capture timed out', steps: [{ step: 'capture', status: 'failed', reason: 'timeout', durationMs: 5000, files: [] }] }], clusterSteps: [], addedContainers: [], files: [] };

async function tmp(): Promise<string> {
  return mkdtemp(join(tmpdir(), 'mlb-analyze-'));
}

test('analyzeBundle on a directory: ranked findings and the findings.json document', async () => {
  const dir = await tmp();
  try {
    await writeBundle(dir, { ...bundleFiles(bgpLab()), 'manifest.json': JSON.stringify(manifest) });
    const result = await analyzeBundle(dir);
    assert.equal(result.bundleDir, dir);
    assert.equal(result.findings[0].id, 'bgp-session-down');
    assert.match(result.findings[0].summary, /lc-n2 → 10\.99\.0\.1 is Idle: bad peer AS/);
    const doc = findingsDocument(result, dir, { now: new Date('2026-11-27T13:00:00Z') });
    assert.equal(doc.schemaVersion, 2);
    assert.equal(doc.generatedAt, '2026-11-27T13:00:00.000Z');
    assert.equal(doc.cluster.context, 'lab');
    assert.equal(doc.cluster.mode, 'frr');
    assert.deepEqual(doc.cluster.nodes, ['lc-n1', 'lc-n2']);
    assert.equal(doc.summary.error, doc.findings.filter((f) => f.severity === 'error').length);
    assert.equal(doc.summary.instances, result.findings.length);
    assert.ok(doc.findings[0].docs?.cause, 'each finding carries its check docs');
    assert.ok(doc.findings[0].instances[0].evidence[0].path.startsWith('nodes/lc-n2/'));
    assert.deepEqual(doc.collection.nodes.map((n) => [n.node, n.status]), [['lc-n1', 'ok'], ['lc-n2', 'partial']]);
    assert.equal(doc.collection.nodes[1].steps[0].reason, 'timeout');
    assert.ok(result.findings.some((f) => f.id === 'collection-gap' && /lc-n2/.test(f.summary)), 'the gap is a finding too');
    await result.dispose();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('analyzeBundle on a tarball extracts to a temporary folder and disposes of it', async () => {
  const dir = await tmp();
  try {
    const src = join(dir, 'bundle');
    await writeBundle(src, bundleFiles(bgpHealthy()));
    const tarball = join(dir, 'bundle.tar.gz');
    await writeTarGz(src, tarball, 'mlb-report-lab');
    const result = await analyzeBundle(tarball);
    assert.ok(result.bundleDir.endsWith('mlb-report-lab'));
    assert.ok(existsSync(join(result.bundleDir, 'cluster/services.json')));
    assert.deepEqual(result.extraction?.refused, []);
    assert.ok(!result.findings.some((f) => f.severity === 'error'), result.findings.map((f) => f.summary).join('\n'));
    await result.dispose();
    assert.equal(existsSync(result.bundleDir), false);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('analyze on a bundle folder holding a v1 findings.json recomputes from the raw data and writes v2', async () => {
  const dir = await tmp();
  try {
    await writeBundle(dir, { ...bundleFiles(bgpLab()), 'manifest.json': JSON.stringify(manifest) });
    const before = await analyzeBundle(dir);
    // What an earlier mlb-report left in the folder: one finding per occurrence, schema 1.
    const old = findingsDocumentV1(before, dir, new Date('2026-11-27T13:00:00Z'));
    assert.deepEqual(schemaProblems(1, old), []);
    await writeFile(join(dir, 'findings.json'), JSON.stringify(old));

    const lines: string[] = [];
    const code = await runAnalyze({ bundle: dir, formats: ['json'], failOn: 'error', write: (l) => lines.push(l) });
    assert.equal(code, 1, 'the bgp-session-down error is still found');
    const doc = JSON.parse(readFileSync(join(dir, 'findings.json'), 'utf8'));
    assert.equal(doc.schemaVersion, 2);
    assert.deepEqual(schemaProblems(2, doc), []);
    assert.notEqual(doc.generatedAt, old.generatedAt, 'rewritten, not copied');
    assert.deepEqual(doc.findings.flatMap(entryFindings).map((f: Finding) => `${f.id}|${f.summary}`).sort(), before.findings.map((f) => `${f.id}|${f.summary}`).sort());

    // The summary counts entries: its first line, the lines listed and "… N more" agree with the file.
    assert.match(lines[0], new RegExp(`^${doc.findings.length} finding\\(s\\)( in ${before.findings.length} instances)?: ${doc.summary.error} error, ${doc.summary.warning} warning, ${doc.summary.info} info$`));
    const listed = lines.filter((l) => /^ {2}\d+\. \[(error|warning|info)\] /.test(l)).length;
    const more = Number(/^ {2}… and (\d+) more in findings\.json$/m.exec(lines.join('\n'))?.[1] ?? 0);
    assert.equal(listed + more, doc.findings.length);
    assert.match(lines.join('\n'), /^findings: .*findings\.json$/m);
    assert.ok(lines.includes(`bundle:   ${dir}`), 'the bundle it read, under its own label');
    await before.dispose();
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('exitCodeFor follows --fail-on', () => {
  const f = [{ severity: 'warning' as const }];
  assert.equal(exitCodeFor(f, 'error'), 0);
  assert.equal(exitCodeFor(f, 'warning'), 1);
  assert.equal(exitCodeFor(f, 'info'), 1);
  assert.equal(exitCodeFor(f, 'never'), 0);
  assert.equal(exitCodeFor([], 'info'), 0);
});

test('mlb-report analyze CLI: findings.json, exit codes 0/1/2, errors as one line with a fix', async () => {
  const dir = await tmp();
  try {
    const bundle = join(dir, 'b');
    await writeBundle(bundle, bundleFiles(bgpLab()));
    const out = join(dir, 'out');
    await assert.rejects(run(process.execPath, [cli, 'analyze', bundle, '--out', out, '--format', 'json', '--fail-on', 'error']), (e: { code?: number; stdout?: string }) => {
      assert.equal(e.code, 1);
      assert.match(e.stdout ?? '', /^ {2}1\. \[error\] BGP session not Established \(bgp-session-down\): BGP session lc-n2 → 10\.99\.0\.1 is Idle: bad peer AS/m);
      return true;
    });
    const doc = JSON.parse(readFileSync(join(out, 'findings.json'), 'utf8'));
    assert.equal(doc.findings[0].id, 'bgp-session-down');
    const ok = await run(process.execPath, [cli, 'analyze', bundle, '--out', out, '--format', 'json', '--only', 'pool-overlap']);
    assert.match(ok.stdout, /^0 finding\(s\)/);
    for (const [args, message] of [
      [[join(dir, 'missing')], /^error: bundle not found: .*missing\nfix: /],
      [[bundle, '--format', 'json,docx'], /^error: unknown format: docx\nfix: /],
      [[bundle, '--fail-on', 'sometimes'], /^error: --fail-on must be one of/],
      [[bundle, '--only', 'no-such-check'], /^error: unknown check: no-such-check\nfix: List the check ids/],
    ] as [string[], RegExp][]) {
      await assert.rejects(run(process.execPath, [cli, 'analyze', ...args, '--out', out]), (e: { code?: number; stderr?: string }) => {
        assert.equal(e.code, 2, String(args));
        assert.match(e.stderr ?? '', message);
        assert.doesNotMatch(e.stderr ?? '', /at .*\.ts:\d+/, 'no stack trace');
        return true;
      });
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});

test('mlb-report checks lists every check; --json parses', async () => {
  const text = (await run(process.execPath, [cli, 'checks'])).stdout;
  assert.match(text, /^bgp-session-down +error +bgp +BGP session not Established$/m);
  const json = JSON.parse((await run(process.execPath, [cli, 'checks', '--json'])).stdout) as { id: string; docs: { cause: string } }[];
  assert.ok(json.length >= 30 && json.every((c) => c.docs.cause.length > 0));
});
