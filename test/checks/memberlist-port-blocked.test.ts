import assert from 'node:assert/strict';
import { caseTable, l2Base } from './helpers.js';
import { lines, probe } from './probe-lines.js';

const ml = (ip: string) => `telnet://${ip}:7946`;
const ssListening = 'tcp   LISTEN 0      4096   192.0.2.13:7946  0.0.0.0:*     users:(("speaker",pid=4242,fd=9))\n';

caseTable('memberlist-port-blocked', [
  {
    name: 'every pair connects',
    spec: l2Base({ nodeFiles: { n1: { 'probe/connect.txt': lines(probe.connected('memberlist/n2', ml('192.0.2.12')), probe.connected('memberlist/n3', ml('192.0.2.13'))) }, n2: { 'probe/connect.txt': lines(probe.connected('memberlist/n3', ml('192.0.2.13'))) } } }),
    fires: false,
  },
  { name: 'refused while the peer does not listen (memberlist-port-not-listening’s case)', spec: l2Base({ nodeFiles: { n1: { 'probe/connect.txt': lines(probe.refused('memberlist/n3', ml('192.0.2.13'))) } } }), fires: false },
  {
    name: 'n1 → n3 dropped, and n3 → n1 too: one finding for the pair',
    spec: l2Base({ nodeFiles: { n1: { 'probe/connect.txt': lines(probe.connected('memberlist/n2', ml('192.0.2.12')), probe.timeout('memberlist/n3', ml('192.0.2.13'))) }, n3: { 'probe/connect.txt': lines(probe.timeout('memberlist/n1', ml('192.0.2.11'))) } } }),
    fires: true,
    check: (f) => {
      assert.equal(f.length, 1);
      assert.match(f[0]!.summary, /^TCP 7946 from n1 to n3 \(192\.0\.2\.13\) gets no answer within 2 s .*split brain/);
      assert.deepEqual(f[0]!.subjects.map((s) => s.name), ['n1', 'n3']);
      assert.deepEqual(f[0]!.evidence.map((e) => e.path), ['nodes/n1/probe/connect.txt', 'nodes/n3/probe/connect.txt']);
    },
  },
  {
    name: 'refused although n3’s speaker listens: a firewall REJECT',
    spec: l2Base({ nodeFiles: { n1: { 'probe/connect.txt': lines(probe.refused('memberlist/n3', ml('192.0.2.13'))) }, n3: { 'net/ss.txt': ssListening } } }),
    fires: true,
    check: (f) => assert.match(f[0]!.summary, /Failed to connect to 192\.0\.2\.13 port 7946/),
  },
]);
