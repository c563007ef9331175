/**
 * Generated container logs are produced when read, not held by the world (they were the biggest
 * part of a big one), and every read gives the same text.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { loadScenario } from '../../src/sim/scenario/index.js';
import { lazyLog } from '../../src/sim/scenario/logs.js';
import { api } from '../helpers/sim.js';

test('lazyLog: generated on each read, the same every time; an assigned array is kept', () => {
  let calls = 0;
  const log = lazyLog({ namespace: 'metallb-system', pod: 'speaker-a', container: 'speaker' }, () => {
    calls += 1;
    return [{ ts: '2026-11-27T12:00:00.000000000Z', text: 'hello' }];
  });
  const first = log.lines;
  const second = log.lines;
  assert.deepEqual(first, second);
  assert.notEqual(first, second, 'not held between reads');
  assert.equal(calls, 2);
  assert.deepEqual(JSON.parse(JSON.stringify(log)).lines, first, 'serialises like a plain log');
  const pinned = [{ ts: '2026-11-27T12:00:01.000000000Z', text: 'replaced' }];
  log.lines = pinned;
  assert.equal(log.lines, pinned);
  assert.equal(calls, 3, 'the pinned array is read without generating');
});

test('a synthetic world: speaker logs read the same twice, and the simulator serves them', async () => {
  const { world } = await loadScenario('synthetic:nodes=3,mode=frr');
  const speakerLogs = world.logs.filter((l) => l.container === 'speaker');
  assert.equal(speakerLogs.length, 3);
  for (const l of speakerLogs) {
    assert.ok(l.lines.length > 0, `${l.pod} has a log`);
    assert.deepEqual(l.lines, l.lines);
  }
  const { startSimulator } = await import('../../src/sim/server/index.js');
  const { backend } = await loadScenario('synthetic:nodes=3,mode=frr');
  const sim = await startSimulator({ world, backend });
  try {
    const log = speakerLogs[1]!;
    const res = await api(sim, 'GET', `/api/v1/namespaces/${log.namespace}/pods/${log.pod}/log?container=speaker`);
    assert.equal(res.status, 200);
    assert.equal(res.text, log.lines.map((l) => `${l.text}\n`).join(''));
  } finally {
    await sim.close();
  }
});
