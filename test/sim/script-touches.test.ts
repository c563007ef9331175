/**
 * A `touch` inside a shell script (the end marker at the end of a batch) lands in the simulated
 * kubelet's model of the container, never on the backend's host: the script runs `true` instead.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { scriptTouches } from '../../src/sim/server/exec.js';

test('touch commands in a sh -c script are taken out and named', () => {
  const script = "echo '@@m begin net.ss'; timeout 10 ss -tuanpH; echo \"@@m end net.ss $?\"\necho '@@m begin end'; timeout 5 touch /tmp/mlb-report.end; echo \"@@m end end $?\"";
  const got = scriptTouches(['sh', '-c', script]);
  assert.deepEqual(got?.paths, ['/tmp/mlb-report.end']);
  assert.equal(got?.argv[2], script.replace('timeout 5 touch /tmp/mlb-report.end', 'timeout 5 true'));
  assert.deepEqual(scriptTouches(['sh', '-c', 'touch /a /b && echo ok'])?.paths, ['/a', '/b']);
  assert.equal(scriptTouches(['sh', '-c', 'touch /a'])?.argv[2], 'true');
});

test('anything else is left alone', () => {
  for (const argv of [['touch', '/tmp/x'], ['sh', '-c', 'echo touch /tmp/x'], ['sh', '-c', 'touch relative'], ['sh', '-c', "grep 'touch /x' file"], ['ip', '-j', 'addr']]) {
    assert.equal(scriptTouches(argv), undefined, JSON.stringify(argv));
  }
});
