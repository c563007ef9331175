import assert from 'node:assert/strict';
import { caseTable, l2Base, l2status, logLine, node } from './helpers.js';

// `ip -j addr` of the announcer n1: the LB IP as /32 on eth0 (up), as iproute2 6.1 prints it.
const addr = (flags = ['BROADCAST', 'MULTICAST', 'UP', 'LOWER_UP']) =>
  JSON.stringify([{ ifindex: 2, ifname: 'eth0', flags, mtu: 1500, operstate: flags.includes('UP') ? 'UP' : 'DOWN', link_type: 'ether', address: '0a:3f:1c:00:00:11', addr_info: [{ family: 'inet', local: '192.0.2.11', prefixlen: 24 }, { family: 'inet', local: '192.0.2.100', prefixlen: 32 }] }]);
// iputils-arping 20221126, `arping -c 2 -w 2`, nobody answering / one answer.
const noReply = (from: string) => `ARPING 192.0.2.100 from ${from} eth0\nSent 2 probes (2 broadcast(s))\nReceived 0 response(s)\n`;
const reply = (from: string) => `ARPING 192.0.2.100 from ${from} eth0\nUnicast reply from 192.0.2.100 [0A:3F:1C:00:00:11]  0.560ms\nUnicast reply from 192.0.2.100 [0A:3F:1C:00:00:11]  0.571ms\nSent 2 probes (1 broadcast(s))\nReceived 2 response(s)\n`;
const probe = 'probe/arping-192.0.2.100.txt';
const answered = logLine({ caller: 'arp.go:102', level: 'debug', msg: 'got ARP request for service IP, sending response', interface: 'eth0', ip: '192.0.2.100', senderIP: '192.0.2.1', senderMAC: '02:00:00:00:00:04', responseMAC: '0a:3f:1c:00:00:11' });
const aws = [node('n1', { ip: '192.0.2.11', providerID: 'aws:///eu-west-1a/i-0c1f5e2a7b9d30011' }), node('n2', { ip: '192.0.2.12', providerID: 'aws:///eu-west-1a/i-02' }), node('n3', { ip: '192.0.2.13', providerID: 'aws:///eu-west-1b/i-03' })];
const spec = (over: { n2?: string; n3?: string; flags?: string[]; logs?: boolean; nodes?: object[] } = {}) =>
  l2Base({
    ...(over.nodes ? { nodes: over.nodes as never } : {}),
    metallb: { ...l2Base().metallb, servicel2statuses: [l2status('default/web', 'n1')] },
    nodeFiles: { n1: { 'net/ip-addr.json': addr(over.flags) }, n2: { [probe]: over.n2 ?? noReply('192.0.2.12') }, n3: { [probe]: over.n3 ?? noReply('192.0.2.13') } },
    ...(over.logs ? { logs: { 'speaker-n1/speaker': answered } } : {}),
  });

caseTable('arp-replies-lost', [
  {
    name: 'on AWS: the speaker answers, nobody hears it',
    spec: spec({ nodes: aws, logs: true }),
    fires: true,
    check: (f) => {
      assert.match(f[0].summary, /^default\/web 192\.0\.2\.100: n1 announces it on eth0 \(up\) and its speaker logs answering ARP, but arping from n2, n3 gets no reply: n1 runs on AWS \(providerID aws:\/\/\/eu-west-1a\/i-0c1f5e2a7b9d30011\)/);
      assert.deepEqual(f[0].evidence.map((e) => e.path), [`nodes/n2/${probe}`, `nodes/n3/${probe}`, 'logs/speaker-n1/speaker.log', 'cluster/nodes.json']);
      assert.match(f[0].remediation.summary, /Layer 2 cannot work on AWS/);
    },
  },
  { name: 'no cloud, no log: still lost, cause unnamed', spec: spec(), fires: true, check: (f) => assert.match(f[0].summary, /something between the node and the segment drops them$/) },
  {
    name: 'the announcer holds the IP on wlan0 without PROMISC',
    spec: { ...spec(), nodeFiles: { ...spec().nodeFiles, n1: { 'net/ip-addr.json': addr().replace(/eth0/g, 'wlan0') } } },
    fires: true,
    check: (f) => {
      assert.match(f[0].summary, /n1 announces it on wlan0 \(up\), but arping from n2, n3 gets no reply: wlan0 is a wireless interface without promiscuous mode, whose driver drops ARP requests/);
      assert.equal(f[0].remediation.snippet, 'ip link set wlan0 promisc on');
    },
  },
  { name: 'one node gets the reply', spec: spec({ n3: reply('192.0.2.13') }), fires: false },
  { name: 'the announcer interface is down (l2-announcer-interface-down)', spec: spec({ flags: ['BROADCAST', 'MULTICAST'] }), fires: false },
  { name: 'no arping was collected', spec: l2Base({ metallb: { ...l2Base().metallb, servicel2statuses: [l2status('default/web', 'n1')] }, nodeFiles: { n1: { 'net/ip-addr.json': addr() } } }), fires: false },
]);
