/**
 * One clock for the simulated world: a scenario without `time:` is placed just before the moment
 * the simulator starts; a scenario that pins `time:` (a recording) starts at that instant, and the
 * server's time filters and stamps (logs sinceSeconds/sinceTime, table ages, created objects)
 * use the same clock.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse, stringify } from 'yaml';
import { SimClock } from '../../src/sim/clock.js';
import { loadScenario } from '../../src/sim/scenario/index.js';
import { api, startSim } from '../helpers/sim.js';

test('SimClock: the machine clock unless pinned; a pinned clock advances from its anchor', () => {
  const free = new SimClock();
  assert.ok(Math.abs(free.nowMs() - Date.now()) < 50);
  const pinned = new SimClock('2020-02-02T10:00:00Z');
  assert.ok(Math.abs(pinned.nowMs() - Date.parse('2020-02-02T10:00:00Z')) < 50);
  assert.match(pinned.rfc3339(), /^2020-02-02T10:00:0\dZ$/);
  assert.match(pinned.rfc3339Nano(), /^2020-02-02T10:00:0\d\.\d{9}Z$/);
  assert.throws(() => new SimClock('yesterday'), /invalid scenario time/);
});

for (const pinned of [undefined, '2019-05-01T08:00:00Z']) {
  test(`speaker logs answer sinceSeconds against the world's clock (${pinned ? `time: ${pinned}` : 'no time:'})`, async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mlb-clock-'));
    try {
      const scenario = parse(readFileSync(join('fixtures', 'scenarios', 'healthy-l2.yaml'), 'utf8'));
      if (pinned) scenario.time = pinned;
      const file = join(dir, 'clock.yaml');
      writeFileSync(file, stringify(scenario));
      const { world, backend } = await loadScenario(file);
      const anchor = pinned ? Date.parse(pinned) : Date.now();
      const sim = await startSim({ world, backend });
      try {
        const pods = (await api(sim, 'GET', '/api/v1/namespaces/metallb-system/pods')).json.items as any[];
        const speaker = pods.find((p) => p.metadata.name.startsWith('speaker-'));
        const path = `/api/v1/namespaces/metallb-system/pods/${speaker.metadata.name}/log?container=speaker&timestamps=true`;
        const all = (await api(sim, 'GET', path)).text.split('\n').filter(Boolean);
        const lastDay = (await api(sim, 'GET', `${path}&sinceSeconds=${7 * 86400}`)).text.split('\n').filter(Boolean);
        assert.ok(all.length > 0);
        assert.ok(lastDay.length > 0, 'the last week of logs is not empty');
        for (const line of lastDay) {
          const ts = Date.parse(line.split(' ')[0]!);
          assert.ok(ts <= anchor + 60_000 && ts >= anchor - 7 * 86_400_000 - 60_000, `${line.slice(0, 40)} lies in the week before the world's now`);
        }
        // sinceTime far before the anchor returns everything; after it, nothing.
        const before = new Date(anchor - 30 * 86_400_000).toISOString();
        assert.equal((await api(sim, 'GET', `${path}&sinceTime=${before}`)).text.split('\n').filter(Boolean).length, all.length);
        const after = new Date(anchor + 3600_000).toISOString();
        assert.equal((await api(sim, 'GET', `${path}&sinceTime=${after}`)).text, '');
        // Objects created through the API are stamped with the world's clock.
        const created = await api(sim, 'POST', '/api/v1/namespaces/default/configmaps', { body: { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'stamp' } } });
        const stamp = Date.parse(created.json.metadata.creationTimestamp);
        assert.ok(Math.abs(stamp - anchor) < 60_000, `creationTimestamp ${created.json.metadata.creationTimestamp} is the world's now`);
      } finally {
        await sim.stop();
      }
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
}
