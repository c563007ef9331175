/**
 * Every real sample output goes through the parser the collector would use for it, and must parse
 * cleanly (no notes) into something non-empty — a guard against format drift in any parser.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseById } from '../../src/parse/index.js';
import type { ParserId } from '../../src/catalogue/index.js';
import { fixture, fixtureBytes, fixtureNames } from './helpers.js';

function parserFor(dir: string, name: string): ParserId | undefined {
  if (dir === 'iproute2') {
    if (name.startsWith('ip-addr')) return 'ip-addr';
    if (name.startsWith('ip-neigh')) return 'ip-neigh';
    if (name.startsWith('ip-route')) return 'ip-route';
    if (name === 'bridge-ports.json') return 'ip-link';
    if (name.startsWith('ss-')) return 'ss';
    return undefined; // bridge-fdb.json: `bridge fdb`, not collected
  }
  if (dir === 'frr-8.4/conf') return 'frr-config';
  if (dir === 'frr-8.4/logs') return 'frr-log';
  if (dir === 'frr-8.4/vtysh') {
    if (name.endsWith('running-config.txt')) return 'frr-config';
    if (name.endsWith('bgp-neighbors.json')) return 'vtysh-bgp-neighbors';
    if (name.endsWith('bgp-summary.json')) return 'vtysh-bgp-summary';
    if (name.endsWith('bgp-ipv4-unicast.json')) return 'vtysh-bgp-routes';
    if (name.endsWith('bfd-peers.json')) return 'vtysh-bfd-peers';
    return undefined; // *-text.txt: human-readable vtysh output, not collected
  }
  if (dir === 'tcpdump') return name.endsWith('.pcap') ? 'pcap' : 'tcpdump-text';
  if (dir === 'arping') return 'arping';
  if (dir === 'generated') return name.endsWith('.pcap') ? 'pcap' : name.endsWith('.txt') ? 'tcpdump-text' : undefined;
  return undefined;
}

/** Files that are legitimately empty of data. */
const emptyOnPurpose = new Set(['iproute2/ip-neigh-lc-n3.json', 'iproute2/ss-tlnpH-O-lc-n3.txt', 'tcpdump/tcpdump-arp-capture.log', 'tcpdump/tcpdump-bgp-capture.log', 'tcpdump/tcpdump-bgp-steady.log']);

function hasData(value: unknown): boolean {
  if (Array.isArray(value)) return value.length > 0;
  if (value && typeof value === 'object') {
    const v = value as Record<string, unknown>;
    if ('packets' in v) return (v.packets as number) > 0;
    if ('routers' in v) return (v.routers as unknown[]).length > 0 || Object.keys(v.bfdProfiles as object).length > 0 || typeof v.hostname === 'string';
    if ('macs' in v) return (v.macs as unknown[]).length > 0;
    return Object.keys(v).length > 0;
  }
  return false;
}

test('every lab sample parses cleanly with the parser the collector would use', () => {
  let count = 0;
  for (const dir of ['iproute2', 'frr-8.4/conf', 'frr-8.4/logs', 'frr-8.4/vtysh', 'tcpdump', 'arping', 'generated']) {
    for (const name of fixtureNames(dir)) {
      const id = parserFor(dir, name);
      if (!id) continue;
      const path = `${dir}/${name}`;
      const r = parseById(id, id === 'pcap' ? fixtureBytes(path) : fixture(path), path);
      assert.deepEqual(r.notes, [], path);
      if (!emptyOnPurpose.has(path)) assert.ok(hasData(r.value), `${path} parsed to nothing`);
      count++;
    }
  }
  assert.ok(count >= 60, `only ${count} samples checked`);
});
