import { test } from 'node:test';
import assert from 'node:assert/strict';
import { bundlePath, logFilePath, nodeFilePath, safePathSegment } from '../../src/bundle/paths.js';

test('hostile names become one harmless path segment', () => {
  for (const [input, expected] of [
    ['node-1', 'node-1'],
    ['..', '__'],
    ['../../etc/passwd', '___.._etc_passwd'],
    ['a/b\\c', 'a_b_c'],
    ['x\u0000y\ny', 'x_y_y'],
    ['.hidden', '_hidden'],
    ['', '_'],
  ] as const) {
    const out: string = safePathSegment(input);
    assert.ok(!out.includes('/') && out !== '..' && out !== '.');
    assert.equal(out, expected, input);
  }
  const long = 'n'.repeat(300);
  const cut = safePathSegment(long);
  assert.ok(Buffer.byteLength(cut) <= 120);
  assert.notEqual(cut, safePathSegment('n'.repeat(301)), 'distinct long names stay distinct');
});

test('bundle paths never escape the root', () => {
  assert.equal(nodeFilePath('../x', 'net/ip-addr.json'), 'nodes/___x/net/ip-addr.json');
  assert.equal(logFilePath('speaker-abc', 'frr', true), 'logs/speaker-abc/frr.previous.log');
  assert.throws(() => bundlePath('nodes', '..', '..', 'x'));
  assert.throws(() => bundlePath('/etc/passwd'));
});
