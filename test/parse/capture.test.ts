import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parse as parseText } from '../../src/parse/tcpdump-text.js';
import { parse as parsePcap } from '../../src/parse/pcap.js';
import { parse as parseArping } from '../../src/parse/arping.js';
import { fixture, fixtureBytes, hostileInputs } from './helpers.js';

const replyMacs = (arp: { op: string; mac?: string }[]): (string | undefined)[] => arp.filter((a) => a.op === 'reply').map((a) => a.mac);

test('tcpdump text (-nn -e): the ARP conflict yields two replies from 02:..:03 and 02:..:02', () => {
  for (const file of ['tcpdump/arp-conflict.txt', 'generated/arp-conflict-ev.txt', 'generated/arp-conflict-sll2.txt', 'generated/vlan-arp.txt']) {
    const r = parseText(fixture(file), file);
    assert.deepEqual(r.notes, [], file);
    assert.equal(r.value.packets, 3, file);
    assert.deepEqual(replyMacs(r.value.arp), ['02:00:00:00:00:03', '02:00:00:00:00:02'], file);
    const request = r.value.arp[0];
    assert.equal(request.op, 'request');
    assert.equal(request.ip, '10.99.0.100');
    assert.equal(request.senderIp, '10.99.0.1');
    assert.equal(request.srcMac, '02:00:00:00:00:04');
    assert.equal(request.gratuitous, false);
    assert.ok(r.value.arp.every((a) => a.ip === '10.99.0.100'));
  }
  // -i any (Linux cooked v2) names the interface instead of the destination MAC
  const sll2 = parseText(fixture('generated/arp-conflict-sll2.txt'), 'x').value.arp[1];
  assert.equal(typeof sll2.iface, 'string');
  assert.equal(sll2.srcMac, '02:00:00:00:00:03');
  assert.equal(sll2.dstMac, undefined);
});

test('tcpdump text: gratuitous ARP in request and reply form', () => {
  for (const file of ['tcpdump/garp.txt', 'generated/garp-sll2.txt']) {
    const arp = parseText(fixture(file), file).value.arp;
    assert.deepEqual(
      arp.map((a) => [a.op, a.gratuitous, a.srcMac]),
      [
        ['request', true, '02:00:00:00:00:03'],
        ['reply', true, '02:00:00:00:00:02'],
      ],
      file,
    );
  }
});

test('tcpdump text (-v): BGP OPEN details and NOTIFICATION Bad Peer AS / Collision Resolution', () => {
  for (const file of ['tcpdump/bgp-179-steady-decoded.txt', 'generated/bgp-179-steady-sll2.txt']) {
    const r = parseText(fixture(file), file);
    assert.equal(r.value.packets, 27, file);
    const notifications = r.value.bgp.filter((b) => b.type === 'NOTIFICATION');
    assert.deepEqual(
      notifications.map((n) => `${n.src}>${n.dst} ${n.detail} ${n.errorCode}/${n.errorSubcode}`),
      [
        '10.99.0.1>10.99.0.12 Cease/Connection Collision Resolution 6/7',
        '10.99.0.12>10.99.0.1 OPEN Message Error/Bad Peer AS 2/2',
        '10.99.0.1>10.99.0.12 Cease/Connection Collision Resolution 6/7',
        '10.99.0.12>10.99.0.1 OPEN Message Error/Bad Peer AS 2/2',
      ],
      file,
    );
    const open = r.value.bgp.find((b) => b.type === 'OPEN' && b.src === '10.99.0.12')!;
    assert.equal(open.asn, 64512);
    assert.equal(open.holdTime, 90);
    assert.equal(open.routerId, '10.99.0.12');
    assert.ok(open.srcPort === 179 || open.dstPort === 179);
    assert.ok(r.value.bgp.some((b) => b.type === 'TCP-SYN'));
  }
  const full = parseText(fixture('tcpdump/bgp-179-decoded.txt'), 'x').value;
  assert.equal(full.packets, 96);
  // tcpdump says "Finite State Machine Error, subcode In OpenSent State"; the model uses FRR's words.
  assert.ok(full.bgp.some((b) => b.type === 'NOTIFICATION' && b.detail === 'Neighbor Events Error/Receive Unexpected Message in OpenSent State'));
  assert.ok(full.bgp.some((b) => b.type === 'TCP-RST'));
  assert.ok(full.bgp.some((b) => b.type === 'UPDATE' && b.src === '10.99.0.11'));
});

test('tcpdump text without -v still counts packets and sees TCP control segments', () => {
  const r = parseText(fixture('generated/bgp-179-steady-plain.txt'), 'x').value;
  assert.equal(r.packets, 27);
  assert.ok(r.bgp.filter((b) => b.type === 'TCP-SYN').length >= 2);
});

test('tcpdump text: BFD control packets with state and diagnostic', () => {
  const r = parseText(fixture('generated/bfd.txt'), 'x').value;
  assert.deepEqual(
    r.bfd.map((b) => [b.src, b.dst, b.state, b.diagnostic]),
    [
      ['10.99.0.11', '10.99.0.1', 'Up', 'No Diagnostic'],
      ['10.99.0.1', '10.99.0.11', 'Down', 'Control Detection Time Expired'],
    ],
  );
});

test('tcpdump text stops at the collector pcap marker and notes stray lines', () => {
  const text = `${fixture('tcpdump/arp-conflict.txt')}--- mlb-report pcap base64 ---\n1MOyoQIABAAAAAAAAAAAAAAABAABAAAA\n`;
  const r = parseText(text, 'x');
  assert.equal(r.value.packets, 3);
  assert.deepEqual(r.notes, []);
  const stray = parseText('hello world\n', 'x');
  assert.equal(stray.value.packets, 0);
  assert.equal(stray.notes.length, 1);
});

test('pcap: the ARP conflict capture yields two replies with different MACs (Ethernet and cooked v2)', () => {
  for (const file of ['tcpdump/arp-conflict.pcap', 'generated/arp-conflict-sll2.pcap', 'generated/vlan-arp.pcap']) {
    const r = parsePcap(fixtureBytes(file), file);
    assert.deepEqual(r.notes, [], file);
    assert.equal(r.value.packets, 3);
    assert.equal(r.value.source, 'pcap');
    assert.deepEqual(replyMacs(r.value.arp), ['02:00:00:00:00:03', '02:00:00:00:00:02'], file);
    assert.equal(r.value.arp[0].time, '2026-11-27T12:47:33.769269Z');
  }
  assert.equal(parsePcap(fixtureBytes('tcpdump/arp-conflict.pcap'), 'x').value.linkType, 1);
  assert.equal(parsePcap(fixtureBytes('generated/arp-conflict-sll2.pcap'), 'x').value.linkType, 276);
});

test('pcap: gratuitous ARP, BGP notifications and BFD decode like the text', () => {
  const garp = parsePcap(fixtureBytes('tcpdump/garp.pcap'), 'x').value.arp;
  assert.deepEqual(garp.map((a) => [a.op, a.gratuitous, a.mac]), [
    ['request', true, '02:00:00:00:00:03'],
    ['reply', true, '02:00:00:00:00:02'],
  ]);
  for (const file of ['tcpdump/bgp-179-steady.pcap', 'generated/bgp-179-steady-sll2.pcap']) {
    const fromPcap = parsePcap(fixtureBytes(file), file).value;
    const fromText = parseText(fixture('tcpdump/bgp-179-steady-decoded.txt'), 'x').value;
    assert.equal(fromPcap.packets, 27);
    const messages = (bgp: typeof fromPcap.bgp): string[] => bgp.map((b) => `${b.type} ${b.src}>${b.dst} ${b.detail ?? ''}`);
    assert.deepEqual(messages(fromPcap.bgp), messages(fromText.bgp), file);
  }
  const full = parsePcap(fixtureBytes('tcpdump/bgp-179.pcap'), 'x').value;
  assert.equal(full.packets, 96);
  assert.equal(full.bgp.filter((b) => b.detail === 'OPEN Message Error/Bad Peer AS').length, parseText(fixture('tcpdump/bgp-179-decoded.txt'), 'x').value.bgp.filter((b) => b.detail === 'OPEN Message Error/Bad Peer AS').length);
  const bfd = parsePcap(fixtureBytes('generated/bfd.pcap'), 'x').value.bfd;
  assert.deepEqual(bfd.map((b) => `${b.state}/${b.diagnostic}`), ['Up/No Diagnostic', 'Down/Control Detection Time Expired']);
});

test('pcap: empty, header-only, truncated, pcapng and junk inputs', () => {
  const bytes = fixtureBytes('tcpdump/arp-conflict.pcap');
  const headerOnly = parsePcap(bytes.subarray(0, 24), 'x');
  assert.deepEqual(headerOnly, { value: { path: 'x', packets: 0, arp: [], bgp: [], bfd: [], source: 'pcap', linkType: 1 }, notes: [] });
  const truncated = parsePcap(bytes.subarray(0, bytes.length - 10), 'x');
  assert.equal(truncated.value.packets, 2);
  assert.match(truncated.notes[0].message, /truncated/);
  assert.match(parsePcap(Buffer.alloc(0), 'x').notes[0].message, /empty/);
  assert.match(parsePcap(Buffer.from([0x0a, 0x0d, 0x0d, 0x0a, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]), 'x').notes[0].message, /pcapng/);
  assert.match(parsePcap(Buffer.from('this is not a capture at all, honestly'), 'x').notes[0].message, /not a pcap/);
  // Corrupt every byte after the global header: never throws, never loops forever.
  const junk = Buffer.from(bytes);
  for (let i = 24; i < junk.length; i++) junk[i] = (i * 37) & 0xff;
  const r = parsePcap(junk, 'x');
  assert.ok(r.value.packets >= 0);
  // Frames cut short inside their headers are skipped, not fatal.
  const cut = Buffer.from(bytes);
  cut.writeUInt32LE(20, 24 + 8);
  assert.doesNotThrow(() => parsePcap(cut, 'x'));
});

test('arping: duplicate owners, a single owner, and nobody', () => {
  const dup = parseArping(fixture('arping/arping-duplicate.txt'), 'nodes/n1/probe/arping-10.99.0.100.txt');
  assert.deepEqual(dup.notes, []);
  assert.deepEqual(dup.value, {
    ip: '10.99.0.100',
    sourceIp: '10.99.0.1',
    iface: 'eth0',
    macs: ['02:00:00:00:00:03', '02:00:00:00:00:02'],
    replies: 2,
    sent: 1,
    received: 2,
    repliesByMac: { '02:00:00:00:00:03': 1, '02:00:00:00:00:02': 1 },
    path: 'nodes/n1/probe/arping-10.99.0.100.txt',
  });
  const single = parseArping(fixture('arping/arping-single.txt'), 'x').value;
  assert.deepEqual(single.macs, ['02:00:00:00:00:02']);
  assert.equal(single.replies, 3);
  const none = parseArping('ARPING 198.51.100.7 from 192.0.2.11 eth0\nSent 2 probes (2 broadcast(s))\nReceived 0 response(s)\n', 'x').value;
  assert.deepEqual([none.ip, none.macs, none.replies, none.received], ['198.51.100.7', [], 0, 0]);
  assert.deepEqual(parseArping('Unicast reply from 10.0.0.1 [AA:BB:CC:DD:EE:FF]  0.5ms\n', 'x').value.macs, ['aa:bb:cc:dd:ee:ff']);
});

test('capture text and arping parsers never throw on hostile input', () => {
  for (const [name, input] of Object.entries(hostileInputs)) {
    const t = parseText(input, name);
    assert.equal(t.value.packets, 0, name);
    const a = parseArping(input, name);
    assert.deepEqual(a.value.macs, [], name);
    assert.ok(a.notes.length > 0, name);
    const p = parsePcap(Buffer.from(input, 'latin1'), name);
    assert.equal(p.value.packets, 0, name);
    assert.ok(p.notes.length > 0, name);
  }
});

test('real -i any lab captures: BFD from port 49152 (undecoded by tcpdump) gets its state from the pcap', async () => {
  const { enrichFromPcap } = await import('../../src/parse/index.js');
  const text = parseText(fixture('lab-capture/bgp-wrong-asn-cp-1.txt'), 'nodes/cp-1/capture/capture.txt');
  const pcap = parsePcap(fixtureBytes('lab-capture/bgp-wrong-asn-cp-1.pcap'), 'nodes/cp-1/capture/capture.pcap');
  assert.deepEqual(text.notes, []);
  assert.deepEqual(pcap.notes, []);
  assert.equal(text.value.packets, pcap.value.packets);
  assert.equal(text.value.bfd.length, 14);
  assert.ok(text.value.bfd.every((b) => b.state === undefined));
  assert.ok(pcap.value.bfd.every((b) => b.state === 'Up'));
  const merged = enrichFromPcap(text.value, pcap.value);
  assert.equal(merged.path, 'nodes/cp-1/capture/capture.txt');
  assert.ok(merged.bfd.every((b) => b.state === 'Up' && b.diagnostic === 'No Diagnostic'));
  assert.ok(merged.bgp.some((b) => b.type === 'TCP-RST' && b.src === '192.0.2.11'));
  // mismatched lists are left alone
  const other = parseText(fixture('tcpdump/arp-conflict.txt'), 'x').value;
  assert.deepEqual(enrichFromPcap(other, pcap.value).arp.map((a) => a.mac), [undefined, '02:00:00:00:00:03', '02:00:00:00:00:02']);
});

test('real -i any lab capture: Bad BGP Identifier NOTIFICATION, interface and direction', () => {
  const r = parseText(fixture('lab-capture/bgp-router-id-clash-worker-1.txt'), 'x');
  assert.deepEqual(r.notes, []);
  const n = r.value.bgp.filter((b) => b.type === 'NOTIFICATION');
  assert.ok(n.length >= 1);
  assert.ok(n.every((b) => b.detail === 'OPEN Message Error/Bad BGP Identifier' && b.errorCode === 2 && b.errorSubcode === 3));
  assert.ok(r.value.arp.every((a) => a.iface === 'eth0'));
  const fromPcap = parsePcap(fixtureBytes('lab-capture/bgp-router-id-clash-worker-1.pcap'), 'x').value;
  const summary = (bgp: typeof fromPcap.bgp): string[] => bgp.map((b) => `${b.type} ${b.src}>${b.dst} ${b.detail ?? ''}`.replace(/ Flags \[.*\]$/, ''));
  assert.deepEqual(summary(fromPcap.bgp), summary(r.value.bgp));
});

test('IPv6 BGP (dual stack): text and pcap agree on OPEN and NOTIFICATION', () => {
  const fromText = parseText(fixture('generated/bgp6.txt'), 'x').value.bgp;
  const fromPcap = parsePcap(fixtureBytes('generated/bgp6.pcap'), 'x').value.bgp;
  const view = (b: typeof fromText): string[] => b.map((m) => `${m.type} ${m.src}.${m.srcPort}>${m.dst}.${m.dstPort} ${m.detail}`);
  assert.deepEqual(view(fromText), ['OPEN 2001:db8::11.45000>2001:db8::1.179 my AS 64512, Holdtime 90s, ID 10.99.0.11', 'NOTIFICATION 2001:db8::1.179>2001:db8::11.45000 OPEN Message Error/Bad Peer AS']);
  assert.deepEqual(view(fromPcap), view(fromText));
});

test('arping: a shell that cannot find arping is a missing tool, not unreadable output', () => {
  const r = parseArping('sh: arping: not found\n', 'nodes/n1/probe/arping-192.0.2.100.txt');
  assert.deepEqual(r.notes, []);
  assert.equal(r.value.missingTool, 'sh: arping: not found');
  assert.equal(r.value.replies, 0);
  // Real arping output never trips it.
  assert.equal(parseArping(fixture('arping/arping-duplicate.txt'), 'x').value.missingTool, undefined);
});
