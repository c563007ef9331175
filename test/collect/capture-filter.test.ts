import { test } from 'node:test';
import assert from 'node:assert/strict';
import { captureCommand, captureFilter, captureFilterWithLbIps, captureMaxHostTerms } from '../../src/catalogue/index.js';

test('capture filter: each LoadBalancer IP as a host term, up to the limit', () => {
  assert.equal(captureFilterWithLbIps([]), captureFilter);
  assert.equal(captureFilterWithLbIps(['198.51.100.100', '2001:db8::7']), `${captureFilter} or host 198.51.100.100 or host 2001:db8::7`);
  const script = captureCommand(10, captureFilterWithLbIps(['198.51.100.100']))[2]!;
  assert.match(script, /tcpdump -i any .* 'arp or tcp port 179 or port 7946 or udp port 3784 or udp port 3785 or host 198\.51\.100\.100'/);
});

test('capture filter: beyond the host-term limit, the /24 and /64 prefixes; nothing that is not an address gets in', () => {
  const many = Array.from({ length: captureMaxHostTerms + 1 }, (_, i) => `198.51.${100 + (i % 2)}.${i}`);
  assert.equal(captureFilterWithLbIps([...many, '2001:db8:1:2::9']), `${captureFilter} or net 198.51.100.0/24 or net 198.51.101.0/24 or net 2001:db8:1:2::/64`);
  assert.equal(captureFilterWithLbIps(["1.2.3.4' or 'x", '$(reboot)']), captureFilter);
});
