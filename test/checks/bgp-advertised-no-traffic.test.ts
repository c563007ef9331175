import assert from 'node:assert/strict';
import { bgpHealthy, caseTable, fixture, type BundleSpec } from './helpers.js';
import { lines, probe } from './probe-lines.js';

// lc-n1 (real FRR output): Established with 10.99.0.1, sentPrefixCounter 1 for 10.99.0.200/32 (default/web-bgp).
const hdr = (t: string, dir: 'In' | 'Out', mac: string, proto: string) => `12:00:0${t} eth0  ${dir}  ifindex 2 ${mac} ethertype IPv4 (0x0800), length 80: (tos 0x0, ttl 64, id 4242, offset 0, flags [DF], proto ${proto}, length 60)`;
const memberlist = `${hdr('0.200000', 'Out', '02:00:00:00:00:02', 'UDP (17)')}\n    10.99.0.11.7946 > 10.99.0.12.7946: UDP, length 30`;
const clientSyn = `${hdr('0.500000', 'In', '02:00:00:00:00:05', 'TCP (6)')}\n    203.0.113.50.40001 > 10.99.0.200.80: Flags [S], cksum 0x1c2b (correct), seq 1220, win 64240, options [mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 10], length 0`;
const synAck = `${hdr('0.500120', 'Out', '02:00:00:00:00:02', 'TCP (6)')}\n    10.99.0.200.80 > 203.0.113.50.40001: Flags [S.], cksum 0x9a1b (correct), seq 77, ack 1221, win 64240, options [mss 1460,sackOK,TS val 5 ecr 1,nop,wscale 10], length 0`;
const lb = 'telnet://10.99.0.200:80';
const lbAnswers = lines(probe.connected('lb/default/web-bgp/80', lb));

/** The manifest of a collection whose captures listened with `filter` (none: an older bundle). */
const manifest = (filter?: string) => ({ schemaVersion: 1, tool: { name: 'mlb-report', version: '0.1.0' }, createdAt: '2026-11-27T12:00:00Z', command: [], cluster: {}, options: filter ? { captureFilter: filter } : {}, timings: { totalMs: 1 }, redaction: { ips: false, rules: [], count: 0 }, nodes: [], clusterSteps: [], addedContainers: [], files: [] });
const listening = 'arp or tcp port 179 or port 7946 or udp port 3784 or udp port 3785 or host 10.99.0.200';

function spec(files: { capture?: string[]; connect?: string; neighbors?: string; filter?: string | null }): BundleSpec {
  const base = bgpHealthy();
  const n1 = { ...base.nodeFiles!['lc-n1'] };
  if (files.capture) n1['capture/capture.txt'] = files.capture.join('\n') + '\n';
  if (files.connect) n1['probe/connect.txt'] = files.connect;
  if (files.neighbors) n1['frr/bgp-neighbors.json'] = files.neighbors;
  return { ...base, nodeFiles: { 'lc-n1': n1 }, manifest: manifest(files.filter === null ? undefined : (files.filter ?? listening)) };
}

caseTable('bgp-advertised-no-traffic', [
  {
    name: 'prefix sent, the node answers on the IP, the capture has nothing for it',
    spec: spec({ capture: [memberlist], connect: lbAnswers }),
    fires: true,
    check: (f) => {
      assert.equal(f.length, 1);
      assert.equal(f[0]!.severity, 'warning');
      assert.match(f[0]!.summary, /^10\.99\.0\.200 \(default\/web-bgp\) is advertised to 10\.99\.0\.1 over Established sessions from lc-n1 and lc-n1 answers on it, yet no packet for it reached any announcing node during the capture: the router may not have installed the route .*or no client connected meanwhile$/);
      assert.ok(f[0]!.subjects.some((s) => s.kind === 'IP' && s.name === '10.99.0.200'));
      assert.ok(f[0]!.evidence.some((e) => /"sentPrefixCounter":1/.test(e.excerpt)), 'cites the sent prefix counter');
      assert.ok(f[0]!.evidence.some((e) => e.path === 'nodes/lc-n1/capture/capture.txt'), 'cites the capture');
      assert.ok(f[0]!.evidence.some((e) => /lb\/default\/web-bgp\/80 /.test(e.excerpt)), 'cites the connect to the IP');
    },
  },
  { name: 'the pools\' prefixes in the filter (many Services) hold the IP', spec: spec({ capture: [memberlist], connect: lbAnswers, filter: 'arp or tcp port 179 or net 10.99.0.0/24' }), fires: true },
  { name: 'the capture did not listen for the IP (Services listed too late)', spec: spec({ capture: [memberlist], connect: lbAnswers, filter: 'arp or tcp port 179 or port 7946 or udp port 3784 or udp port 3785' }), fires: false },
  { name: 'a bundle that does not record its capture filter', spec: spec({ capture: [memberlist], connect: lbAnswers, filter: null }), fires: false },
  { name: 'a client SYN for the IP arrives and is answered', spec: spec({ capture: [memberlist, clientSyn, synAck], connect: lbAnswers }), fires: false },
  { name: 'no capture collected', spec: spec({ connect: lbAnswers }), fires: false },
  { name: 'the capture holds no packet at all (it did not run)', spec: spec({ capture: [], connect: lbAnswers }), fires: false },
  { name: 'a connect to the IP fails on the node (the data-path checks speak)', spec: spec({ capture: [memberlist], connect: lines(probe.timeout('lb/default/web-bgp/80', lb)) }), fires: false },
  { name: 'no connect probe of the IP (collected without probes)', spec: spec({ capture: [memberlist] }), fires: false },
  {
    name: 'Established but nothing sent (bgp-prefix-not-advertised speaks)',
    spec: spec({ capture: [memberlist], connect: lbAnswers, neighbors: fixture('frr-lc-n1-bgp-neighbors.json').replace('"sentPrefixCounter":1', '"sentPrefixCounter":0') }),
    fires: false,
  },
]);
