/**
 * Parsers never throw: every sample cut at many points and with bytes scrambled (fixed seed, so a
 * failure reproduces) must still return a value and notes.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseById } from '../../src/parse/index.js';
import type { ParserId } from '../../src/catalogue/index.js';
import { fixture, fixtureBytes } from './helpers.js';

const samples: [ParserId, string][] = [
  ['ip-addr', 'iproute2/ip-addr-lc-n2.json'],
  ['ip-link', 'host/ip-d-link.json'],
  ['ip-route', 'host/ip-d-route-table-all.json'],
  ['ip-neigh', 'iproute2/ip-neigh-lc-r.json'],
  ['ss', 'handmade/ss-tuanpH.txt'],
  ['frr-config', 'frr-rendered/TestSingleAdvertisementVRF.conf'],
  ['frr-config', 'frr-8.4/vtysh/frr-lc-r-running-config.txt'],
  ['vtysh-bgp-neighbors', 'frr-8.4/vtysh/frr-lc-r-bgp-neighbors.json'],
  ['vtysh-bgp-summary', 'frr-8.4/vtysh/frr-lc-r-bgp-summary.json'],
  ['vtysh-bgp-routes', 'frr-8.4/vtysh/frr-lc-r-bgp-ipv4-unicast.json'],
  ['vtysh-bfd-peers', 'frr-8.4/vtysh/frr-lc-r-bfd-peers.json'],
  ['frr-log', 'frr-8.4/logs/lc-n2-bgpd.log'],
  ['tcpdump-text', 'tcpdump/bgp-179-steady-decoded.txt'],
  ['tcpdump-text', 'generated/arp-conflict-sll2.txt'],
  ['arping', 'arping/arping-duplicate.txt'],
  ['pcap', 'tcpdump/bgp-179-steady.pcap'],
  ['pcap', 'generated/bgp-179-steady-sll2.pcap'],
];

/** Small deterministic PRNG (mulberry32). */
function rng(seed: number): () => number {
  let a = seed;
  return () => {
    a = (a + 0x6d2b79f5) | 0;
    let t = Math.imul(a ^ (a >>> 15), 1 | a);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

test('cut and scrambled samples never make a parser throw', () => {
  const random = rng(20261127);
  let runs = 0;
  for (const [id, file] of samples) {
    const original = id === 'pcap' ? fixtureBytes(file) : Buffer.from(fixture(file), 'utf8');
    for (let i = 0; i < 40; i++) {
      const variant = Buffer.from(original.subarray(0, Math.floor(random() * original.length)));
      if (i % 2 === 1) for (let j = 0; j < 1 + variant.length / 50; j++) variant[Math.floor(random() * variant.length)] = Math.floor(random() * 256);
      const content = id === 'pcap' ? variant : variant.toString('utf8');
      let result;
      try {
        result = parseById(id, content, file);
      } catch (e) {
        assert.fail(`${id} threw on variant ${i} of ${file}: ${(e as Error).stack}`);
      }
      assert.ok(result.value !== undefined, `${id} ${file} ${i}`);
      assert.ok(Array.isArray(result.notes));
      runs++;
    }
  }
  assert.equal(runs, samples.length * 40);
});
