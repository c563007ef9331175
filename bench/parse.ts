/**
 * Benchmark: parsing at scale. Builds an in-memory bundle of N nodes (default 200) from the lab
 * samples — per node R kernel routes (default 100), P BGP prefixes (default 100), a 2 000-packet
 * capture (the collector's cap) — plus 50 000 speaker log lines, then times `modelFromFiles`.
 * Single-parser figures cover the large cases: 10 000 routes, 5 000 prefixes, salvage of a
 * 15 MiB truncated JSON. Target: the default 200-node bundle loads in under 30 s on one core.
 * Prints figures only.
 * Usage: node --import tsx bench/parse.ts [--nodes 200] [--routes 100] [--prefixes 100]
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { modelFromFiles, parseById } from '../src/parse/index.js';
import { parse as parseLog } from '../src/parse/metallb-log.js';

function arg(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}
const nodeCount = arg('nodes', 200);
const routesPerNode = arg('routes', 100);
const prefixesPerNode = arg('prefixes', 100);
const fx = (p: string): string => readFileSync(join('fixtures/parse', p), 'utf8');
const fxBytes = (p: string): Buffer => readFileSync(join('fixtures/parse', p));

function routes(n: number): string {
  const out = [];
  for (let i = 0; i < n; i++) out.push({ dst: `10.${(i >> 8) & 255}.${i & 255}.0/24`, gateway: '10.99.0.1', dev: 'eth0', protocol: 'bgp', metric: 20, flags: [] });
  return JSON.stringify(out);
}
function bgpRoutes(n: number): string {
  const r: Record<string, unknown[]> = {};
  for (let i = 0; i < n; i++) {
    r[`198.${(i >> 8) & 255}.${i & 255}.0/24`] = [{ valid: true, bestpath: true, pathFrom: 'external', weight: 0, peerId: '10.99.0.1', path: '64513', origin: 'IGP', nexthops: [{ ip: '10.99.0.1', afi: 'ipv4', used: true }] }];
  }
  return JSON.stringify({ vrfId: 0, vrfName: 'default', routerId: '10.99.0.11', localAS: 64512, routes: r });
}
/** A pcap with `count` packets: the ARP-conflict frames repeated. */
function bigPcap(count: number): Buffer {
  const sample = fxBytes('tcpdump/arp-conflict.pcap');
  const frames: Buffer[] = [];
  let off = 24;
  while (off + 16 <= sample.length) {
    const len = sample.readUInt32LE(off + 8);
    frames.push(sample.subarray(off, off + 16 + len));
    off += 16 + len;
  }
  const parts = [sample.subarray(0, 24)];
  for (let i = 0; i < count; i++) parts.push(frames[i % frames.length]);
  return Buffer.concat(parts);
}
function speakerLog(lines: number): string {
  const out: string[] = [];
  for (let i = 0; i < lines; i++) {
    out.push(`2026-11-27T12:47:${String(i % 60).padStart(2, '0')}.000000000Z {"caller":"main.go:420","event":"serviceAnnounced","ips":["198.51.100.${i % 250}"],"level":"info","msg":"service has IP, announcing","pool":"default","protocol":"layer2","ts":"2026-11-27T12:47:20Z"}`);
  }
  return out.join('\n');
}

const kernelRoutes = routes(routesPerNode);
const prefixes = bgpRoutes(prefixesPerNode);
const pcap = bigPcap(2_000);
const files: Record<string, string | Buffer> = {};
for (let i = 0; i < nodeCount; i++) {
  const n = `nodes/node-${i}/`;
  files[`${n}net/ip-addr.json`] = fx('iproute2/ip-addr-lc-n2.json');
  files[`${n}net/ip-link.json`] = fx('host/ip-d-link.json');
  files[`${n}net/ip-route.json`] = kernelRoutes;
  files[`${n}net/ip-neigh.json`] = fx('iproute2/ip-neigh-lc-r.json');
  files[`${n}net/ss.txt`] = fx('handmade/ss-tuanpH.txt');
  files[`${n}frr/running-config.txt`] = fx('frr-rendered/TestManyAdvertisementsSameCommunity.conf');
  files[`${n}frr/desired-frr.conf`] = fx('frr-rendered/TestManyAdvertisementsSameCommunity.conf');
  files[`${n}frr/bgp-neighbors.json`] = fx('frr-8.4/vtysh/frr-lc-r-bgp-neighbors.json');
  files[`${n}frr/bgp-summary.json`] = fx('frr-8.4/vtysh/frr-lc-r-bgp-summary.json');
  files[`${n}frr/bgp-ipv4.json`] = prefixes;
  files[`${n}frr/bfd-peers.json`] = fx('frr-8.4/vtysh/frr-lc-r-bfd-peers.json');
  files[`${n}capture/capture.pcap`] = pcap;
  files[`${n}probe/arping-10.99.0.100.txt`] = fx('arping/arping-duplicate.txt');
}
const log = speakerLog(50_000);
files['logs/speaker-0/speaker.log'] = log;
const inputBytes = Object.values(files).reduce((s, v) => s + (typeof v === 'string' ? Buffer.byteLength(v) : v.length), 0);

function time<T>(label: string, fn: () => T): T {
  const t0 = performance.now();
  const r = fn();
  console.log(`${label.padEnd(52)} ${(performance.now() - t0).toFixed(0).padStart(7)} ms`);
  return r;
}

console.log(`input: ${nodeCount} nodes (${routesPerNode} routes, ${prefixesPerNode} prefixes each), ${Object.keys(files).length} files, ${(inputBytes / 1024 / 1024).toFixed(1)} MiB`);
time('ip-route, 10 000 routes', () => parseById('ip-route', routes(10_000), 'x'));
time('vtysh-bgp-routes, 5 000 prefixes', () => parseById('vtysh-bgp-routes', bgpRoutes(5_000), 'x'));
time('pcap, 2 000 packets', () => parseById('pcap', pcap, 'x'));
time('metallb-log, 50 000 lines', () => parseLog(log, 'x'));
const big = routes(160_000);
time(`ip-route salvage of a ${(big.length / 1024 / 1024).toFixed(0)} MiB truncated output`, () => parseById('ip-route', big.slice(0, big.length - 100), 'x'));
const model = time(`modelFromFiles, ${nodeCount} nodes`, () => modelFromFiles(files));
console.log(`nodes in model: ${Object.keys(model.nodes).length}; notes: ${model.notes.length}; rss ${(process.memoryUsage().rss / 1024 / 1024).toFixed(0)} MiB`);
