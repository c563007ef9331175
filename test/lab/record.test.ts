import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { Command } from 'commander';
import { commandsFor, commandKey, registerRecord, readRecording, recordLab, defaultRecordingPath, recordableScenarioNames } from '../../src/lab/record.js';
import { jsonShape, shapeDiff, outputDiff, recordingDiff } from '../../src/lab/shape.js';
import { nodeItems, captureCommand, arpingCommand } from '../../src/catalogue/index.js';
import { createLabBackend } from '../../src/lab/index.js';
import { loadScenario } from '../../src/sim/scenario/index.js';
import { UserError } from '../../src/util/errors.js';
import { labTest, assertNoLeftovers } from './helpers.js';

test('recorded commands: the catalogue per role and mode, the capture, one arping per LB IP, the hand-run ones', () => {
  const debug = commandsFor('debug', 'frr', ['198.51.100.100', '198.51.100.200'], 'eth0').map(commandKey);
  for (const item of nodeItems.filter((i) => i.runIn === 'debug')) assert.ok(debug.includes(commandKey(item.command)), item.id);
  assert.ok(debug.includes(commandKey(captureCommand(3))));
  assert.ok(debug.includes('arping -c 2 -w 2 -I eth0 198.51.100.100'));
  assert.ok(debug.includes(commandKey(arpingCommand('198.51.100.200', 'eth0'))));
  assert.ok(debug.includes('ip -j addr'));
  const frr = commandsFor('frr', 'frr', [], 'eth0').map(commandKey);
  assert.ok(frr.includes('vtysh -c show running-config'));
  assert.ok(frr.includes("vtysh -c show bgp summary json"));
  assert.ok(frr.includes('cat /etc/frr_reloader/.status'));
  // Native mode has no FRR: only the hand-run vtysh command would remain, and it is never run there.
  assert.deepEqual(commandsFor('frr', 'native', [], 'eth0').map(commandKey), ['vtysh -c show bgp summary json']);
});

test('record CLI: --out with several scenarios is a usage error; default paths', async () => {
  const program = new Command('mlb-report').exitOverride();
  const sim = program.command('sim');
  registerRecord(sim);
  await assert.rejects(program.parseAsync(['node', 'mlb-report', 'sim', 'record', 'a', 'b', '--out', 'x.json']), (e: unknown) => e instanceof UserError && /single scenario/.test(e.message));
  await assert.rejects(program.parseAsync(['node', 'mlb-report', 'sim', 'record']), (e: unknown) => e instanceof UserError && /no scenario/.test(e.message));
  assert.match(defaultRecordingPath('healthy-frr'), /fixtures\/replay\/healthy-frr\.json$/);
  assert.ok(recordableScenarioNames().includes('healthy-frr'));
});

test('shape comparison ignores values but not keys, types or exit codes', () => {
  const a = { peers: { '192.0.2.1': { state: 'Established', uptime: 12 } }, list: [{ a: 1 }, { a: 2, b: 'x' }] };
  const b = { peers: { '192.0.2.1': { state: 'Idle', uptime: 99 } }, list: [{ a: 7, b: 'y' }] };
  assert.deepEqual(shapeDiff(jsonShape(a), jsonShape(b)), []);
  assert.deepEqual(shapeDiff(jsonShape({ x: 1 }), jsonShape({ x: '1' })), ['$.x: "number" vs "string"']);
  assert.deepEqual(shapeDiff(jsonShape({ x: 1 }), jsonShape({ y: 1 })), ['$.x: only in first', '$.y: only in second']);
  assert.deepEqual(shapeDiff(jsonShape({ x: [] }), jsonShape({ x: [{ deep: 1 }] })), []);
  assert.deepEqual(outputDiff({ stdout: 'a', stderr: '', exitCode: 0 }, { stdout: 'b', stderr: '', exitCode: 1 }, 'n/debug/x'), ['n/debug/x: exit code 0 vs 1']);
  assert.deepEqual(outputDiff({ stdout: '', stderr: '', exitCode: 0 }, { stdout: 'text', stderr: '', exitCode: 0 }, 'w'), ['w: output empty in one run only']);
});

/** Neighbour tables gain and lose rows with ARP timing; only "it is a JSON array" is compared. */
const valueArrays = (where: string): boolean => where.endsWith('ip -j neigh show');

/**
 * On a loaded machine a fresh run may see one BFD-induced reset while coming up (the recorder runs
 * such a scenario again; a test cannot). Reset-history keys are then present in one run only.
 */
const resetHistory = /\.(lastErrorCodeSubcode|lastNotificationReason|lastNotificationHardReset|lastResetDueTo|lastResetCode|lastResetTimerMsecs): only in (first|second)$/;
/** bgpd prints `estimatedRttInMsecs` only once it has measured a round trip: present or not by timing. */
const timingKeys = /\.estimatedRttInMsecs: only in (first|second)$/;

for (const scenario of ['healthy-frr', 'healthy-l2']) {
  labTest(`recorded ${scenario} and a fresh lab run agree in structure`, async () => {
    const file = defaultRecordingPath(scenario);
    assert.ok(existsSync(file), `${file} is missing: run mlb-report sim record ${scenario}`);
    const recorded = readRecording(file);
    assert.match(recorded.recordedWith.frr, /^\d+\.\d+/);
    assert.match(recorded.recordedWith.iproute2, /^\d+\.\d+/);
    const { world, backend } = await loadScenario(scenario);
    await backend.close();
    const lab = await createLabBackend(world);
    const snapshot = lab.describe();
    try {
      await lab.ready;
      const fresh = { recordedWith: recorded.recordedWith, nodes: await recordLab(lab, world) };
      assert.deepEqual(recordingDiff(recorded, fresh, { valueArrays }).filter((d) => !resetHistory.test(d) && !timingKeys.test(d)), []);
    } finally {
      await lab.close();
      assertNoLeftovers(snapshot);
    }
  }, 120_000);
}
