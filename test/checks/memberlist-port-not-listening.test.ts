import assert from 'node:assert/strict';
import { caseTable, fixture, l2Base } from './helpers.js';

// ss -tuanpH lines as the collector runs it (Netid column first).
const ssWithMemberlist = [
  'tcp   LISTEN 0      4096   192.0.2.11:7946  0.0.0.0:*     users:(("speaker",pid=4242,fd=9))',
  'udp   UNCONN 0      0      192.0.2.11:7946  0.0.0.0:*     users:(("speaker",pid=4242,fd=8))',
  'tcp   LISTEN 0      4096      0.0.0.0:22    0.0.0.0:*     users:(("sshd",pid=1,fd=3))',
].join('\n');

caseTable('memberlist-port-not-listening', [
  { name: 'ss without the speaker process proves nothing', spec: l2Base({ nodeFiles: { n1: { 'net/ss.txt': 'tcp   LISTEN 0      4096      0.0.0.0:22    0.0.0.0:*     users:(("sshd",pid=1,fd=3))\n' } } }), fires: false },
  { name: 'speaker listens on TCP and UDP 7946', spec: l2Base({ nodeFiles: { n1: { 'net/ss.txt': ssWithMemberlist } } }), fires: false },
  { name: 'real lab listeners (no speaker process at all)', spec: l2Base({ nodeFiles: { n1: { 'net/ss.txt': fixture('ss-tlnpH-O-lc-n1.txt') } } }), fires: false },
  {
    name: 'speaker has its metrics socket but nothing on 7946 (real lab lines + the speaker’s 7472)',
    spec: l2Base({ nodeFiles: { n1: { 'net/ss.txt': `${fixture('ss-tlnpH-O-lc-n1.txt')}LISTEN 0      4096    192.0.2.11:7472  0.0.0.0:* users:(("speaker",pid=4242,fd=7))\n` } } }),
    fires: true,
    check: (f) => {
      assert.match(f[0].summary, /Nothing listens on TCP and UDP 7946 on n1/);
      assert.equal(f[0].evidence[0].path, 'nodes/n1/net/ss.txt');
    },
  },
  { name: 'only TCP', spec: l2Base({ nodeFiles: { n1: { 'net/ss.txt': ssWithMemberlist.split('\n').filter((l) => !l.startsWith('udp')).join('\n') } } }), fires: true, check: (f) => assert.match(f[0].summary, /UDP 7946/) },
]);

// metallb/metallb#581: another process (Docker Swarm) holds 7946, as the speaker logs it at start-up.
const bindError = JSON.stringify({ caller: 'main.go:118', error: 'Could not set up network transport: failed to obtain an address: Failed to start TCP listener on "10.110.57.13" port 7946: listen tcp 10.110.57.13:7946: bind: address already in use', msg: 'failed to create memberlist', op: 'startup', ts: '2020-04-14T01:08:29.480975464Z' });
caseTable('memberlist-port-not-listening', [
  {
    name: 'speaker log: memberlist bind failed, address already in use',
    spec: l2Base({ logs: { 'speaker-n1/speaker': `${bindError}\n` } }),
    fires: true,
    check: (f) => {
      assert.equal(f.length, 1);
      assert.match(f[0].summary, /Speaker speaker-n1 on n1 could not start memberlist: 10\.110\.57\.13:7946 is already in use by another process/);
      assert.equal(f[0].evidence[0].path, 'logs/speaker-n1/speaker.log');
    },
  },
  { name: 'a bind error of the metrics port is not memberlist', spec: l2Base({ logs: { 'speaker-n1/speaker': `${JSON.stringify({ msg: 'failed to start metrics server', error: 'listen tcp :7472: bind: address already in use' })}\n` } }), fires: false },
]);
