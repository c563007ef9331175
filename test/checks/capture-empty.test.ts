import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { caseTable, fixture, l2Base, node } from './helpers.js';

// tcpdump 4.99.3's own file header (fixtures/parse/tcpdump/arp-conflict.pcap, first 24 bytes): what
// `tcpdump -w` leaves when the window ends before any packet matched. Bundle files are passed as
// latin1 strings, the byte-preserving form modelFromFiles reads pcaps from.
const realPcap = readFileSync(join(import.meta.dirname, '../../fixtures/parse/tcpdump/arp-conflict.pcap'));
const headerOnly = realPcap.subarray(0, 24).toString('latin1');
const withPackets = realPcap.toString('latin1');

const manifest = (nodes: object[], captureSeconds = 10) => ({ schemaVersion: 1, tool: { name: 'mlb-report', version: '0.1.0' }, createdAt: '2026-11-27T12:00:00Z', command: [], cluster: {}, options: { captureSeconds }, timings: { totalMs: 1 }, redaction: { ips: false, rules: [], count: 0 }, nodes, clusterSteps: [], addedContainers: [], files: [] });
const captured = (node: string, status = 'ok', reason?: string) => ({ node, status: 'ok', access: 'ephemeral', steps: [{ step: 'capture', status, durationMs: 10_400, files: [], ...(reason ? { reason } : {}) }] });
const files = (pcap: string | undefined, text = '') => ({ 'capture/capture.txt': text, ...(pcap !== undefined ? { 'capture/capture.pcap': pcap } : {}) });

caseTable('capture-empty', [
  {
    name: 'every node captured ARP (real capture)',
    spec: l2Base({ manifest: manifest([captured('n1'), captured('n2'), captured('n3')]), nodeFiles: { n1: files(withPackets, fixture('arp-conflict.txt')), n2: files(withPackets, fixture('arp-conflict.txt')), n3: files(withPackets, fixture('arp-conflict.txt')) } }),
    fires: false,
  },
  {
    name: 'one node saw nothing in 10 s',
    spec: l2Base({ manifest: manifest([captured('n1'), captured('n2'), captured('n3')]), nodeFiles: { n1: files(withPackets, fixture('arp-conflict.txt')), n2: files(headerOnly), n3: files(withPackets, fixture('arp-conflict.txt')) } }),
    fires: true,
    check: (f) => {
      assert.equal(f.length, 1);
      assert.deepEqual(f[0].subjects, [{ kind: 'Node', name: 'n2' }]);
      assert.equal(f[0].summary, 'Packet capture on n2 ran 10 s (--capture-seconds 10, step took 10.4 s) and saw no packet of ARP, BGP, memberlist or BFD: capture-based checks could not judge that node; collect again with --capture-seconds 45');
      assert.equal(f[0].evidence[0].path, 'nodes/n2/capture/capture.pcap');
    },
  },
  {
    name: 'no node saw anything in 2 s',
    spec: l2Base({ manifest: manifest([captured('n1'), captured('n2'), captured('n3')], 2), nodeFiles: { n1: files(headerOnly), n2: files(headerOnly), n3: files(headerOnly) } }),
    fires: true,
    check: (f) => {
      assert.match(f[0].summary, /^Packet capture on every node \(n1, n2, n3\) ran 2 s \(--capture-seconds 2/);
      assert.match(f[0].summary, /those nodes; collect again with --capture-seconds 45$/);
      assert.equal(f[0].subjects.length, 3);
    },
  },
  {
    name: 'pcap left out for --redact-ips and an empty decode',
    spec: l2Base({ manifest: manifest([captured('n1', 'ok', 'pcap left out because --redact-ips cannot rewrite packet bytes')]), nodeFiles: { n1: files(undefined) } }),
    fires: true,
    check: (f) => assert.match(f[0].evidence[0].excerpt, /pcap left out for --redact-ips/),
  },
  // Empty text and no pcap: tcpdump may be missing from the image; that is not a quiet wire.
  { name: 'no pcap and an empty decode (tcpdump may not have run)', spec: l2Base({ manifest: manifest([captured('n1')]), nodeFiles: { n1: files(undefined) } }), fires: false },
  { name: 'a capture that failed is collection-gap\'s', spec: l2Base({ manifest: manifest([captured('n1', 'failed', 'exit code 1')]), nodeFiles: { n1: files(headerOnly) } }), fires: false },
  {
    // lc-n1's real `ip -j addr` with eth0 taken down: the capture is silent because the link is.
    name: "the node IP's interface is down",
    spec: l2Base({
      nodes: [node('n1', { ip: '10.99.0.11' })],
      manifest: manifest([captured('n1')]),
      nodeFiles: { n1: { ...files(headerOnly), 'net/ip-addr.json': fixture('ip-addr-lc-n1.json').replace(/"ifname":"eth0","flags":\[[^\]]*\]/, '"ifname":"eth0","flags":["BROADCAST","MULTICAST"]').replace(/("ifname":"eth0".*?"operstate":)"UP"/, '$1"DOWN"') } },
    }),
    fires: false,
  },
  { name: 'a pcap the parser could not read', spec: l2Base({ manifest: manifest([captured('n1')]), nodeFiles: { n1: files('not a pcap at all, 24+ bytes long') } }), fires: false },
]);
