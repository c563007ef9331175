import assert from 'node:assert/strict';
import { caseTable, l2Base } from './helpers.js';
import { parse } from '../../src/parse/tcpdump-text.js';
import { test } from 'node:test';

// `tcpdump -i any -nn -e -v` (LINUX_SLL2) lines as the collector's capture prints them.
const hdr = (t: string, dir: 'In' | 'Out', mac: string) => `12:00:0${t} eth0  ${dir}  ifindex 2 ${mac} ethertype IPv4 (0x0800), length 80: (tos 0x0, ttl 61, id 4242, offset 0, flags [DF], proto TCP (6), length 60)`;
const syn = (t: string) => `${hdr(t, 'In', '02:00:00:00:00:05')}\n    203.0.113.50.40001 > 192.0.2.100.80: Flags [S], cksum 0x1c2b (correct), seq 1220, win 64240, options [mss 1460,sackOK,TS val 1 ecr 0,nop,wscale 10], length 0`;
const synAck = (t: string) => `${hdr(t, 'Out', '02:00:00:00:00:02')}\n    192.0.2.100.80 > 203.0.113.50.40001: Flags [S.], cksum 0x9a1b (correct), seq 77, ack 1221, win 64240, options [mss 1460,sackOK,TS val 5 ecr 1,nop,wscale 10], length 0`;
const rst = (t: string) => `${hdr(t, 'Out', '02:00:00:00:00:02')}\n    192.0.2.100.80 > 203.0.113.50.40001: Flags [R.], cksum 0x0b0c (correct), seq 0, ack 1221, win 0, length 0`;
const capture = (...pkts: string[]) => ({ nodeFiles: { n1: { 'capture/capture.txt': pkts.join('\n') + '\n' } } });

caseTable('lb-ip-syn-unanswered', [
  { name: 'SYN answered by SYN-ACK', spec: l2Base(capture(syn('0.500000'), synAck('0.500120'))), fires: false },
  { name: 'no client traffic in the capture', spec: l2Base(capture(`${hdr('0.100000', 'In', '02:00:00:00:00:05')}\n    192.0.2.12.7946 > 192.0.2.11.7946: UDP, length 30`)), fires: false },
  {
    name: 'three SYNs, nothing back',
    spec: l2Base(capture(syn('0.500000'), syn('1.500000'), syn('3.500000'))),
    fires: true,
    check: (f) => {
      assert.equal(f[0]!.severity, 'error');
      assert.equal(f[0]!.summary, 'n1 receives 3 SYN(s) for 192.0.2.100:80 (default/web) from 203.0.113.50 on eth0 and nothing answers: the packets die on the node');
      assert.match(f[0]!.evidence[0]!.excerpt, /203\.0\.113\.50\.40001 > 192\.0\.2\.100\.80: Flags \[S\]/);
    },
  },
  {
    name: 'SYNs refused with RST',
    spec: l2Base(capture(syn('0.500000'), rst('0.500040'))),
    fires: true,
    check: (f) => {
      assert.equal(f[0]!.severity, 'warning');
      assert.match(f[0]!.summary, /only RSTs go back \(1\): the node refuses the connection/);
    },
  },
]);

test('tcpdump text: TCP control segments of other ports and ICMP unreachables are read with interface and direction', () => {
  const icmp = `12:00:01.000000 eth0  Out ifindex 2 02:00:00:00:00:02 ethertype IPv4 (0x0800), length 96: (tos 0xc0, ttl 64, id 1, offset 0, flags [none], proto ICMP (1), length 88)\n    192.0.2.11 > 203.0.113.50: ICMP 192.0.2.100 tcp port 80 unreachable, length 68`;
  const r = parse([syn('0.500000'), rst('0.500040'), icmp].join('\n') + '\n', 'c');
  assert.deepEqual(r.notes, []);
  assert.deepEqual(r.value.tcp!.map((t) => [t.src, t.dstPort, t.flags, t.iface, t.dir]), [
    ['203.0.113.50', 80, 'S', 'eth0', 'In'],
    ['192.0.2.100', 40001, 'R.', 'eth0', 'Out'],
  ]);
  assert.deepEqual(r.value.icmp, [{ src: '192.0.2.11', dst: '203.0.113.50', about: '192.0.2.100', proto: 'tcp', port: 80, reason: 'port unreachable', iface: 'eth0', dir: 'Out', time: '12:00:01.000000' }]);
});
