import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatIp, formatIpv6 } from '../../src/util/ip-text.js';

const cases: [groups: number[], text: string, rule: string][] = [
  [[0, 0, 0, 0, 0, 0, 0, 0], '::', 'all zero'],
  [[0, 0, 0, 0, 0, 0, 0, 1], '::1', 'loopback'],
  [[1, 0, 0, 0, 0, 0, 0, 0], '1::', 'run at the end'],
  [[0x2001, 0x0db8, 0, 0, 0, 0, 0, 1], '2001:db8::1', 'leading zeros of a group dropped'],
  [[0x2001, 0xdb8, 0xabcd, 0xef, 0xa, 0xb, 0xc, 0xd], '2001:db8:abcd:ef:a:b:c:d', 'lower case, nothing to compress'],
  [[0x2001, 0xdb8, 0, 1, 1, 1, 1, 1], '2001:db8:0:1:1:1:1:1', 'a single zero group is not compressed'],
  [[0x2001, 0xdb8, 1, 1, 1, 1, 1, 0], '2001:db8:1:1:1:1:1:0', 'a single zero group at the end'],
  [[0x2001, 0, 0, 1, 0, 0, 0, 1], '2001:0:0:1::1', 'the longest run, though later'],
  [[0x2001, 0xdb8, 0, 0, 1, 0, 0, 1], '2001:db8::1:0:0:1', 'the first run on a tie'],
  [[0, 0, 1, 0, 0, 1, 0, 0], '::1:0:0:1:0:0', 'the first of three equal runs'],
  [[0x2001, 0xdb8, 1, 1, 1, 1, 0, 0], '2001:db8:1:1:1:1::', 'a run of two at the end'],
  [[0xfe80, 0, 0, 0, 0, 0xff, 0xfe00, 2], 'fe80::ff:fe00:2', 'link-local'],
  [[0, 0, 0, 0, 0, 0xffff, 0xc000, 0x0201], '::ffff:192.0.2.1', 'IPv4-mapped keeps a dotted tail'],
  [[0, 0, 0, 0, 0, 0xffff, 0, 0], '::ffff:0.0.0.0', 'IPv4-mapped, zero tail'],
  [[0, 0, 0, 0, 0, 0, 0xc000, 0x0201], '::c000:201', 'IPv4-compatible (deprecated) is plain hex'],
  [[0x64, 0xff9b, 0, 0, 0, 0, 0xc000, 0x0201], '64:ff9b::c000:201', 'NAT64 prefix is plain hex'],
  [[0, 0, 0, 0, 0xffff, 0, 0xc000, 0x0201], '::ffff:0:c000:201', 'ffff in the wrong group is not IPv4-mapped'],
];

for (const [groups, text, rule] of cases) {
  test(`formatIpv6: ${rule} → ${text}`, () => {
    assert.equal(formatIpv6(groups), text);
    const value = groups.reduce((acc, g) => (acc << 16n) | BigInt(g), 0n);
    assert.equal(formatIp(6, value), text, 'the same text from the 128-bit value');
  });
}

test('formatIpv6 agrees with the WHATWG URL serializer (the same compression rules) on many addresses', () => {
  // Deterministic pseudo-random groups, mostly zeros so runs of every length and position occur.
  let seed = 12345;
  const next = (): number => (seed = (seed * 1103515245 + 12345) % 2 ** 31);
  let compared = 0;
  for (let n = 0; n < 5000; n++) {
    const groups = Array.from({ length: 8 }, () => (next() % 3 === 0 ? next() & 0xffff : 0));
    const mapped = groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff;
    if (mapped) continue;
    const text = formatIpv6(groups);
    assert.equal(text, new URL(`http://[${text}]/`).hostname.slice(1, -1), `groups ${groups.map((g) => g.toString(16)).join(' ')}`);
    compared++;
  }
  assert.ok(compared > 4900);
});

test('formatIp: IPv4 dotted, and a group count other than 8 is refused', () => {
  assert.equal(formatIp(4, 0xc0000201n), '192.0.2.1');
  assert.equal(formatIp(4, 0n), '0.0.0.0');
  assert.throws(() => formatIpv6([0, 0, 0, 1]), RangeError);
});
