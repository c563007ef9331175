import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse as parseSs, parseSocketAddress } from '../../src/parse/ss.js';
import { parse as parseSysctl, procPathToKey } from '../../src/parse/sysctl.js';
import { fixture, hostileInputs } from './helpers.js';

test('ss -tlnpH -O (no Netid column, trailing spaces): bgpd listeners, HTTP and metrics ports on lc-n1', () => {
  const r = parseSs(fixture('iproute2/ss-tlnpH-O-lc-n1.txt'), 'n1');
  assert.deepEqual(r.notes, []);
  assert.equal(r.value.length, 4);
  assert.deepEqual(r.value[0], {
    proto: 'tcp',
    state: 'LISTEN',
    localAddress: '0.0.0.0',
    localPort: 179,
    process: 'bgpd',
    pid: 28715,
    processes: [{ name: 'bgpd', pid: 28715, fd: 20 }],
  });
  assert.equal(r.value[3].localAddress, '::');
  assert.equal(r.value[3].localPort, 179);
  assert.deepEqual(
    r.value.map((s) => `${s.localAddress}:${s.localPort}/${s.process}`),
    ['0.0.0.0:179/bgpd', '10.99.0.200:80/python3', '10.99.0.11:7472/python3', ':::179/bgpd'],
  );
});

test('ss with a state filter (no State column): the established BGP session', () => {
  const r = parseSs(fixture('iproute2/ss-lc-r-established.txt'), 'r');
  assert.deepEqual(r.value, [
    { proto: 'tcp', localAddress: '10.99.0.1', localPort: 179, peerAddress: '10.99.0.11', peerPort: 47702, process: 'bgpd', pid: 28699, processes: [{ name: 'bgpd', pid: 28699, fd: 19 }] },
  ]);
});

test('ss -tuanpH (Netid column): UDP, interface scopes, several owners, states', () => {
  const r = parseSs(fixture('handmade/ss-tuanpH.txt'), 'x');
  assert.deepEqual(r.notes, []);
  assert.equal(r.value.length, 8);
  const udpMemberlist = r.value.find((s) => s.proto === 'udp' && s.localPort === 7946)!;
  assert.equal(udpMemberlist.state, 'UNCONN');
  assert.equal(udpMemberlist.process, 'speaker');
  const bfd = r.value.find((s) => s.localPort === 3784)!;
  assert.equal(bfd.processes?.length, 2);
  const dhcp = r.value.find((s) => s.localPort === 68)!;
  assert.equal(dhcp.localInterface, 'eth0');
  assert.equal(dhcp.localAddress, '0.0.0.0');
  assert.equal(dhcp.process, undefined);
  const established = r.value.find((s) => s.state === 'ESTAB')!;
  assert.equal(established.peerAddress, '10.99.0.1');
  assert.equal(established.peerPort, 179);
  assert.equal(r.value.find((s) => s.state === 'SYN-SENT')?.peerAddress, '10.99.0.9');
  assert.deepEqual(parseSs(fixture('iproute2/ss-tlnpH-O-lc-n3.txt'), 'n3'), { value: [], notes: [] });
});

test('socket addresses: brackets, scopes and wildcards', () => {
  assert.deepEqual(parseSocketAddress('[fe80::1]%eth0:123'), { address: 'fe80::1', port: 123, iface: 'eth0' });
  assert.deepEqual(parseSocketAddress('[::ffff:10.0.0.1]:179'), { address: '::ffff:10.0.0.1', port: 179 });
  assert.deepEqual(parseSocketAddress('*:*'), { address: '*' });
  assert.equal(parseSocketAddress('nonsense'), undefined);
});

test('process names with quotes or HTML stay data, never markup-parsed', () => {
  const r = parseSs('tcp LISTEN 0 5 0.0.0.0:80 0.0.0.0:* users:(("<b>x\\"y</b>",pid=1,fd=3))\n', 'x');
  assert.equal(r.value[0].process, '<b>x"y</b>');
});

test('sysctl: grep -H lines become dotted keys; dots in interface names become slashes', () => {
  const text = [
    '/proc/sys/net/ipv4/conf/all/arp_ignore:0',
    '/proc/sys/net/ipv4/conf/eth0/arp_ignore:1',
    '/proc/sys/net/ipv4/conf/eth0.100/rp_filter:2',
    '/proc/sys/net/ipv4/conf/eth0/arp_announce:2',
    '/proc/sys/net/ipv4/ip_forward:1',
    'net.ipv4.conf.lo.rp_filter = 0',
    'grep: /proc/sys/net/ipv4/conf/x/arp_ignore: No such file or directory',
  ].join('\n');
  const r = parseSysctl(text, 'nodes/n1/net/sysctl.txt');
  assert.deepEqual(r.value, {
    'net.ipv4.conf.all.arp_ignore': '0',
    'net.ipv4.conf.eth0.arp_ignore': '1',
    'net.ipv4.conf.eth0/100.rp_filter': '2',
    'net.ipv4.conf.eth0.arp_announce': '2',
    'net.ipv4.ip_forward': '1',
    'net.ipv4.conf.lo.rp_filter': '0',
  });
  assert.equal(r.notes.length, 1);
  assert.match(r.notes[0].message, /line 7/);
  assert.equal(procPathToKey('/proc/sys/net/ipv4/conf/bond0.5/arp_ignore'), 'net.ipv4.conf.bond0/5.arp_ignore');
});

test('ss and sysctl never throw on hostile input', () => {
  for (const [name, input] of Object.entries(hostileInputs)) {
    const a = parseSs(input, name);
    const b = parseSysctl(input, name);
    assert.ok(Array.isArray(a.value));
    assert.equal(typeof b.value, 'object');
    if (name !== 'empty' && name !== 'whitespace') {
      assert.ok(a.notes.length > 0, `ss ${name}`);
      assert.ok(b.notes.length > 0, `sysctl ${name}`);
    }
  }
});
