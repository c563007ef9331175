/**
 * Real incidents (fixtures/real/incidents, listed in fixtures/real/sources.json): bundles holding
 * only what a public thread posted. The cause the thread found must be the first finding, from the
 * library and from the CLI, and no check may crash on these partial bundles.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { execFile } from 'node:child_process';
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { analyzeBundle } from '../../src/analyze/index.js';
import { allChecks, runChecks } from '../../src/checks/index.js';
import { rankFindings } from '../../src/checks/rank.js';
import { modelFromFiles } from '../../src/parse/index.js';
import { packageRoot } from '../../src/version.js';
import type { Manifest } from '../../src/model/bundle.js';

interface Incident {
  bundle: string;
  source: string;
  rootCause: string[];
  summary: string;
}
interface SourceFile {
  path: string;
  kind: string;
  source: string;
  note: string;
}

const sources = JSON.parse(readFileSync(join(packageRoot, 'fixtures/real/sources.json'), 'utf8')) as { files: SourceFile[]; incidents: Incident[] };
const incidents = sources.incidents;
const run = promisify(execFile);
const cli = join(packageRoot, 'bin', 'mlb-report.js');

function filesOf(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const p = join(dir, name);
    return statSync(p).isDirectory() ? filesOf(p) : [p];
  });
}

test('sources.json lists real incidents, each with its thread and a known root-cause check', () => {
  assert.ok(incidents.length >= 13, `${incidents.length} incidents`);
  const ids = new Set(allChecks.map((c) => c.id));
  for (const i of incidents) {
    assert.match(i.bundle, /^fixtures\/real\/incidents\/[a-z0-9-]+$/);
    assert.match(i.source, /^https:\/\/github\.com\/[\w.-]+\/[\w.-]+\/(issues|pull|discussions)\/\d+$/, i.bundle);
    assert.ok(i.rootCause.length > 0 && i.rootCause.every((id) => ids.has(id)), `${i.bundle}: ${i.rootCause.join(', ')}`);
    assert.ok(i.summary.length > 40, `${i.bundle}: the summary says what the thread found`);
  }
  assert.equal(new Set(incidents.map((i) => i.bundle)).size, incidents.length);
  assert.ok(new Set(incidents.flatMap((i) => i.rootCause)).size >= 8, 'the incidents cover many different causes');
});

for (const incident of incidents) {
  const dir = join(packageRoot, incident.bundle);

  test(`${incident.bundle}: every file is listed with its source, and the manifest describes the bundle honestly`, () => {
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as Manifest;
    assert.ok(manifest.command.includes(incident.source), 'the manifest names the thread');
    const listed = new Map(sources.files.map((f) => [f.path, f]));
    const onDisk = filesOf(dir).map((p) => relative(dir, p));
    for (const rel of onDisk) {
      const entry = listed.get(`${incident.bundle}/${rel}`);
      assert.ok(entry, `${rel} is in sources.json`);
      assert.ok(entry.note.length > 20 && /^https:\/\//.test(entry.source), `${rel}: source and note`);
    }
    const artifacts = onDisk.filter((p) => p !== 'manifest.json' && p !== 'discovery.json').sort();
    assert.deepEqual(manifest.files.map((f) => f.path).sort(), artifacts, 'manifest.files lists exactly the posted artifacts');
    for (const f of manifest.files) {
      const data = readFileSync(join(dir, f.path));
      assert.equal(f.size, data.length, f.path);
      assert.equal(f.sha256, createHash('sha256').update(data).digest('hex'), f.path);
    }
    // What the thread did not post is recorded as not collected, never as collected and empty.
    const stepFiles = new Set([...manifest.clusterSteps, ...manifest.nodes.flatMap((n) => n.steps)].filter((s) => s.status === 'ok').flatMap((s) => s.files));
    assert.deepEqual([...stepFiles].sort(), artifacts, 'each ok step wrote a posted file');
    assert.ok(manifest.clusterSteps.some((s) => s.status === 'skipped' && /not collected/.test(s.reason ?? '')), 'missing lists are marked skipped');
    for (const n of manifest.nodes) assert.equal(n.status, 'skipped', `node ${n.node} was not collected`);
  });

  test(`${incident.bundle}: the thread's cause (${incident.rootCause.join(' or ')}) is the first finding`, async () => {
    const result = await analyzeBundle(dir);
    try {
      assert.ok(result.findings.length > 0, 'no finding');
      const summary = result.findings.map((f) => `${f.id}: ${f.summary}`).join('\n');
      assert.ok(incident.rootCause.includes(result.findings[0].id), `first finding is not ${incident.rootCause.join('/')}:\n${summary}`);
      assert.ok(!result.findings.some((f) => f.id === 'check-crashed'), summary);
      assert.ok(result.findings[0].evidence.length > 0, 'the root cause quotes its evidence');
    } finally {
      await result.dispose();
    }
  });

  test(`${incident.bundle}: no check crashes on any part of the bundle`, () => {
    const all: Record<string, string> = {};
    for (const p of filesOf(dir)) all[relative(dir, p)] = readFileSync(p, 'utf8');
    // Each artifact alone, then with the manifest: thinner bundles than the thread posted.
    const parts = Object.keys(all).filter((k) => k !== 'manifest.json');
    const variants: Record<string, string>[] = [{}, { 'manifest.json': all['manifest.json']! }];
    for (const p of parts) variants.push({ [p]: all[p]! }, { [p]: all[p]!, 'manifest.json': all['manifest.json']! });
    for (const files of variants) {
      const findings = rankFindings(runChecks(modelFromFiles(files)));
      assert.ok(!findings.some((f) => f.id === 'check-crashed'), `${Object.keys(files).join(', ')}: ${findings.map((f) => f.summary).join('; ')}`);
    }
  });
}

test('mlb-report analyze ranks the thread’s cause first on every incident folder', async () => {
  const out = await mkdtemp(join(tmpdir(), 'mlb-real-incidents-'));
  try {
    // Four at a time: each run is a process of its own.
    const queue = [...incidents];
    const worker = async () => {
      for (let i = queue.shift(); i; i = queue.shift()) {
        const target = join(out, i.bundle.split('/').pop()!);
        const { stdout } = await run(process.execPath, [cli, 'analyze', join(packageRoot, i.bundle), '--format', 'json', '--out', target]);
        assert.match(stdout, /finding\(s\)/, i.bundle);
        const doc = JSON.parse(await readFile(join(target, 'findings.json'), 'utf8')) as { findings: { id: string }[] };
        assert.ok(i.rootCause.includes(doc.findings[0]!.id), `${i.bundle}: findings.json starts with ${doc.findings[0]?.id}`);
      }
    };
    await Promise.all([worker(), worker(), worker(), worker()]);
  } finally {
    await rm(out, { recursive: true, force: true });
  }
});

test('each root-cause check lists the threads it was verified on, and only those', () => {
  const expected = new Map<string, Set<string>>();
  for (const i of incidents) for (const id of i.rootCause) (expected.get(id) ?? expected.set(id, new Set()).get(id)!).add(i.source);
  for (const c of allChecks) {
    const listed = new Set(c.docs.threads ?? []);
    const want = expected.get(c.id) ?? new Set<string>();
    for (const url of want) assert.ok(listed.has(url), `${c.id} docs.threads lacks ${url}`);
    for (const url of listed) assert.ok(want.has(url), `${c.id} docs.threads names ${url}, which no incident of that cause has`);
  }
});
