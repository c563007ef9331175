/**
 * The simulated world keeps one clock: scenario times are relative to the moment the simulator
 * starts, and every time-based API answer reads the same clock. A demo run today and one with the
 * machine's clock a year ahead collect the same log lines and events and reach the same findings.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync, readdirSync, statSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { packageRoot } from '../../src/version.js';

const run = promisify(execFile);
const cli = join(packageRoot, 'bin', 'mlb-report.js');
const shiftClock = join(packageRoot, 'test', 'helpers', 'shift-clock.mjs');

function logLines(dir: string): number {
  let n = 0;
  for (const e of readdirSync(dir)) {
    const p = join(dir, e);
    if (statSync(p).isDirectory()) n += logLines(p);
    else if (e.endsWith('.log')) n += readFileSync(p, 'utf8').split('\n').filter(Boolean).length;
  }
  return n;
}

interface DemoFacts {
  createdAt: string;
  logLines: number;
  events: string[];
  findings: string[];
}

async function demo(out: string, offsetDays: number): Promise<DemoFacts> {
  const env = { ...process.env, MLB_TEST_CLOCK_OFFSET_DAYS: String(offsetDays), NODE_OPTIONS: `--import=${shiftClock}` };
  await run(process.execPath, [cli, 'demo', '--scenario', 'mixed-incident', '--format', 'json', '--out', out], { env, timeout: 120_000 });
  const manifest = JSON.parse(readFileSync(join(out, 'manifest.json'), 'utf8'));
  const events = JSON.parse(readFileSync(join(out, 'cluster', 'events.json'), 'utf8')).items as { reason: string; involvedObject: { name: string } }[];
  const findings = JSON.parse(readFileSync(join(out, 'findings.json'), 'utf8')).findings as { id: string; instances: { subjects: { kind: string; name: string }[] }[] }[];
  return {
    createdAt: manifest.createdAt,
    logLines: logLines(join(out, 'logs')),
    events: events.map((e) => `${e.reason} ${e.involvedObject.name}`).sort(),
    findings: findings.flatMap((f) => f.instances.map((i) => `${f.id} ${i.subjects.map((s) => `${s.kind}/${s.name}`).join(',')}`)).sort(),
  };
}

test('demo today and with the clock a year ahead: same log lines, events and findings', async () => {
  const dir = await mkdtemp(join(tmpdir(), 'mlb-report-clock-'));
  try {
    const today = await demo(join(dir, 'today'), 0);
    const nextYear = await demo(join(dir, 'next-year'), 365);
    const yearMs = Date.parse(nextYear.createdAt) - Date.parse(today.createdAt);
    assert.ok(Math.abs(yearMs - 365 * 86_400_000) < 600_000, `the second run ran a year later (${today.createdAt} → ${nextYear.createdAt})`);
    assert.ok(today.logLines > 50, `the default --since window holds the scenario's log lines (got ${today.logLines})`);
    assert.equal(nextYear.logLines, today.logLines);
    assert.ok(today.events.length > 0);
    assert.deepEqual(nextYear.events, today.events);
    assert.ok(today.findings.some((f) => f.startsWith('memberlist-join-failures ')), 'the log-based finding is there');
    assert.deepEqual(nextYear.findings, today.findings);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
