import assert from 'node:assert/strict';
import { test } from 'node:test';
import { bgpHealthy, bgpLab, caseTable, findingsOf, fixture, logLine, model, ns } from './helpers.js';

caseTable('bgp-session-down', [
  { name: 'lc-n1 Established (real FRR 8.4 output)', spec: bgpHealthy(), fires: false },
  {
    name: 'lc-n2 Idle with Bad Peer AS (real FRR 8.4 output)',
    spec: bgpLab(),
    fires: true,
    check: (f) => {
      assert.equal(f.length, 1);
      assert.match(f[0].summary, /BGP session lc-n2 → 10\.99\.0\.1 is Idle: bad peer AS: configured peer AS 64514/);
      assert.ok(f[0].subjects.some((s) => s.kind === 'BGPPeer' && s.name === 'router-n2'));
      assert.ok(f[0].evidence[0].excerpt.includes('"lastNotificationReason":"OPEN Message Error\\/Bad Peer AS"'), f[0].evidence[0].excerpt);
      assert.match(f[0].remediation.snippet ?? '', /kubectl patch bgppeer -n metallb-system router-n2/);
    },
  },
  {
    name: 'the capture names the router’s real AS (lab capture replayed for lc-n2)',
    spec: bgpLab({}, { 'capture/capture.txt': fixture('bgp-179-decoded.txt').replaceAll('10.99.0.11', '10.99.0.12') }),
    fires: true,
    check: (f) => {
      assert.match(f[0].summary, /the router's OPEN says AS 64513/);
      assert.match(f[0].remediation.snippet ?? '', /"peerASN":64513/);
      assert.ok(f[0].evidence.some((e) => e.label === 'packet capture' && e.excerpt.includes('my AS 64513')));
    },
  },
  {
    name: 'hold timer expired',
    spec: bgpLab({}, { 'frr/bgp-neighbors.json': fixture('frr-lc-n2-bgp-neighbors.json').replace('"0202"', '"0400"').replace('OPEN Message Error\\/Bad Peer AS', 'Hold Timer Expired') }),
    fires: true,
    check: (f) => assert.match(f[0].summary, /hold timer expired/),
  },
  {
    name: 'Active with a password configured → TCP-MD5 mismatch',
    spec: bgpLab({}, {
      'frr/bgp-neighbors.json': fixture('frr-lc-n2-bgp-neighbors.json').replace('"bgpState":"Idle"', '"bgpState":"Active"').replace(/"lastErrorCodeSubcode":"0202",\n\s*"lastNotificationReason":"OPEN Message Error\\\/Bad Peer AS",/, ''),
      'frr/running-config.txt': fixture('frr-lc-n2-running-config.txt').replace(' neighbor 10.99.0.1 bfd\n', ' neighbor 10.99.0.1 password <redacted>\n neighbor 10.99.0.1 bfd\n'),
    }),
    fires: true,
    check: (f) => assert.match(f[0].summary, /is Active: .*TCP-MD5 password mismatch/),
  },
  {
    name: 'frr-k8s BGPSessionState not Established, node not collected',
    spec: { ...bgpHealthy({ nodeFiles: {} }), frrk8s: { bgpsessionstates: [{ metadata: { name: 'lc-n1-x', namespace: 'frr-k8s-system' }, status: { node: 'lc-n1', peer: '10.99.0.1', bgpStatus: 'Active', bfdStatus: 'N/A' } }] } },
    fires: true,
    check: (f) => assert.match(f[0].summary, /lc-n1 → 10\.99\.0\.1 is Active \(BGPSessionState/),
  },
  {
    name: 'native mode: last speaker event for the peer is a notification',
    spec: bgpHealthy({ nodeFiles: {}, logs: { 'speaker-lc-n1/speaker': [logLine({ event: 'sessionUp', peer: '10.99.0.1:179', msg: 'BGP session established' }), logLine({ level: 'error', event: 'peerNotification', peer: '10.99.0.1:179', error: 'got BGP notification code 0x0202 (Bad peer AS)', msg: 'peer sent notification, closing session' })].join('\n') } }),
    fires: true,
    check: (f) => {
      assert.match(f[0].summary, /lc-n1 → 10\.99\.0\.1 is down: bad peer AS/);
      assert.equal(f[0].evidence[0].path, `logs/speaker-lc-n1/speaker.log`);
      void ns;
    },
  },
  { name: 'native mode: session came back up', spec: bgpHealthy({ nodeFiles: {}, logs: { 'speaker-lc-n1/speaker': [logLine({ event: 'sessionDown', peer: '10.99.0.1:179', msg: 'BGP session down' }), logLine({ event: 'sessionUp', peer: '10.99.0.1:179', msg: 'BGP session established' })].join('\n') } }), fires: false },
]);


test('bgp-session-down quotes only the failing neighbor of a file with several', () => {
  // The router's real view (samples lc-r): 10.99.0.11 Established, 10.99.0.12 Idle. Serve it as one node's file.
  const twoNeighbors = fixture('frr-lc-n1-bgp-neighbors.json').replace(/\n}\s*$/, `,\n${fixture('frr-lc-n2-bgp-neighbors.json').replace(/^{\n/, '').replace('"10.99.0.1":{', '"10.99.0.9":{')}`);
  const f = findingsOf('bgp-session-down', model(bgpHealthy({ nodeFiles: { 'lc-n1': { 'frr/bgp-neighbors.json': twoNeighbors } } })));
  assert.equal(f.length, 1);
  assert.match(f[0].summary, /lc-n1 → 10\.99\.0\.9 is Idle/);
  assert.ok(f[0].evidence[0].excerpt.includes('"bgpState":"Idle"'));
  assert.ok(!f[0].evidence[0].excerpt.includes('"bgpState":"Established"'), f[0].evidence[0].excerpt);
});

// Native BGP speakers print the router's OPEN before the session event (metallb/metallb#1114, #391).
const open = (asn16: string, routerId: string) => `struct { Version uint8; ASN16 uint16; HoldTime uint16; RouterID uint32; OptsLen uint8 }{Version:0x4, ASN16:${asn16}, HoldTime:0xb4, RouterID:${routerId}, OptsLen:0xe}`;
const nativeLog = (localASN: number, peerASN: number, peer: string, error: string) =>
  [
    JSON.stringify({ caller: 'level.go:63', event: 'sessionUp', level: 'info', localASN, msg: 'BGP session established', peer, peerASN, ts: '2021-12-09T11:22:58.507Z' }),
    JSON.stringify({ caller: 'level.go:63', error, event: 'peerNotification', level: 'error', localASN, msg: 'peer sent notification, closing session', peer, peerASN, ts: '2021-12-09T11:22:58.508Z' }),
    JSON.stringify({ caller: 'level.go:63', event: 'sessionDown', level: 'warn', localASN, msg: 'BGP session down', peer, peerASN, ts: '2021-12-09T11:22:58.509Z' }),
  ].join('\n');
caseTable('bgp-session-down', [
  {
    name: 'native: Bad Peer AS while the router announces the configured peer AS: our AS is refused',
    spec: { logs: { 'speaker/speaker': `${open('0xff32', '0xa71d4fa')}\n${nativeLog(65358, 65330, '10.10.10.250:179', 'got BGP notification code 0x0202 (Bad peer AS)')}\n` } },
    fires: true,
    check: (f) => {
      assert.match(f[0].summary, /speaker → 10\.10\.10\.250 is down: the router \(AS 65330, as configured\) refuses this speaker's AS 65358 \(got BGP notification code 0x0202/);
      assert.match(f[0].remediation.summary, /expects another AS from this node than 65358/);
      assert.match(f[0].evidence[0].excerpt, /ASN16:0xff32/);
    },
  },
  {
    name: 'native: Bad Peer AS and the router announces another AS than configured',
    spec: { logs: { 'speaker/speaker': `${open('0xfc02', '0xa000001')}\n${nativeLog(64512, 64513, '10.0.0.1:179', 'got BGP notification code 0x0202 (Bad peer AS)')}\n` } },
    fires: true,
    check: (f) => {
      assert.match(f[0].summary, /bad peer AS \(the router's OPEN says AS 64514, configured peerASN 64513\)/);
      assert.match(f[0].remediation.summary, /Set peerASN of BGPPeer <bgppeer> to 64514/);
    },
  },
  {
    name: 'native: Bad BGP identifier, the router ID decoded from its OPEN',
    spec: { logs: { 'metallb-speaker-hj9fw/speaker': `${open('0xfc00', '0xa600064')}\n${nativeLog(64512, 64512, '10.96.0.100:179', 'got BGP notification code 0x0203 (Bad BGP identifier)')}\n` } },
    fires: true,
    check: (f) => {
      assert.match(f[0].summary, /is down: bad BGP identifier: the router rejects this speaker's router ID \(the router's own is 10\.96\.0\.100; in iBGP the two must differ\)/);
      assert.match(f[0].remediation.summary, /router ID that differs from the router's \(10\.96\.0\.100\)/);
    },
  },
  { name: 'native: the session came back up after the notification', spec: { logs: { 'speaker/speaker': `${nativeLog(64512, 64512, '10.0.0.1:179', 'got BGP notification code 0x0203 (Bad BGP identifier)')}\n${JSON.stringify({ event: 'sessionUp', msg: 'BGP session established', peer: '10.0.0.1:179', localASN: 64512, peerASN: 64512 })}\n` } }, fires: false },
]);
