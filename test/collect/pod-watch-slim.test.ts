/**
 * The run's pod watch keeps a slim copy of each pod (attach/wait.ts slimPod): what waits, final
 * states and the DaemonSet's lookup read, without the containers' specs and mounts.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { V1Pod } from '@kubernetes/client-node';
import { slimPod } from '../../src/attach/wait.js';
import { loadScenario } from '../../src/sim/scenario/index.js';

test('slimPod keeps identity, labels, node, phase and every container state; drops specs and mounts', async () => {
  const { world } = await loadScenario('healthy-frr');
  const speaker = world.objects.find((o) => o.kind === 'Pod' && (o.spec?.containers as { name: string }[]).some((c) => c.name === 'speaker')) as unknown as V1Pod;
  const slim = slimPod(speaker);
  assert.equal(slim.metadata?.name, speaker.metadata?.name);
  assert.equal(slim.metadata?.resourceVersion, speaker.metadata?.resourceVersion);
  assert.deepEqual(slim.metadata?.labels, speaker.metadata?.labels);
  assert.equal(slim.spec?.nodeName, speaker.spec?.nodeName);
  assert.equal(slim.status?.phase, speaker.status?.phase);
  assert.deepEqual(slim.status?.containerStatuses?.map((c) => [c.name, c.state, c.ready, c.restartCount]), speaker.status?.containerStatuses?.map((c) => [c.name, c.state, c.ready, c.restartCount]));
  assert.equal(slim.status?.initContainerStatuses?.length, speaker.status?.initContainerStatuses?.length);
  assert.deepEqual(slim.spec?.containers, []);
  const size = (p: unknown): number => JSON.stringify(p).length;
  assert.ok(size(slim) * 3 < size(speaker), `slim ${size(slim)} B of ${size(speaker)} B`);
});
