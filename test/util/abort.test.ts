import { test } from 'node:test';
import assert from 'node:assert/strict';
import { getEventListeners } from 'node:events';
import { whenAborted } from '../../src/util/abort.js';

test('whenAborted: one listener on the signal for any number of callers; stopped callers are not called', () => {
  const controller = new AbortController();
  const called: number[] = [];
  const stops = Array.from({ length: 1000 }, (_, i) => whenAborted(controller.signal, () => called.push(i)));
  assert.equal(getEventListeners(controller.signal, 'abort').length, 1);
  for (let i = 0; i < 1000; i += 2) stops[i]!();
  controller.abort();
  assert.equal(called.length, 500);
  assert.ok(called.every((i) => i % 2 === 1));
  controller.abort();
  assert.equal(called.length, 500, 'each callback runs once');
});

test('whenAborted: separate signals keep separate callers', () => {
  const a = new AbortController();
  const b = new AbortController();
  let fromA = 0;
  let fromB = 0;
  whenAborted(a.signal, () => fromA++);
  whenAborted(b.signal, () => fromB++);
  a.abort();
  assert.deepEqual([fromA, fromB], [1, 0]);
});
