import assert from 'node:assert/strict';
import { captureCommand, arpingCommand } from '../../src/catalogue/index.js';
import { createLabBackend } from '../../src/lab/index.js';
import { testWorld } from './worlds.js';
import { labTest, exec, target, assertNoLeftovers } from './helpers.js';
import { sleep } from '../../src/lab/proc.js';

const marker = '--- mlb-report pcap base64 ---';

labTest('l2-duplicate-ip: the capture holds two ARP replies with different MACs for one IP', async () => {
  const world = testWorld('dup', { l2: true, dataplane: { announce: { '198.51.100.100': ['n1', 'n2'] } } });
  const lab = await createLabBackend(world);
  const snapshot = lab.describe();
  try {
    await lab.ready;
    const capture = exec(lab, target('n3', 'debug'), captureCommand(3));
    await sleep(1000);
    const arping = await exec(lab, target('n3', 'debug'), arpingCommand('198.51.100.100', 'eth0'));
    const cap = await capture;
    assert.equal(cap.exitCode, 0, cap.stderr);
    const [text, b64] = cap.stdout.split(marker);
    assert.ok(Buffer.from(b64.trim(), 'base64').length > 24, 'pcap has packets beyond its header');
    const replies = [...text.matchAll(/Reply 198\.51\.100\.100 is-at ([0-9a-f:]{17})/g)].map((m) => m[1]);
    assert.ok(replies.length >= 2, text);
    assert.deepEqual(new Set(replies), new Set(['02:00:00:00:00:01', '02:00:00:00:00:02']));
    // arping (-c 2) sees both owners too, and exits 1 as iputils does with two owners.
    const macs = new Set([...arping.stdout.matchAll(/\[([0-9A-F:]{17})\]/gi)].map((m) => m[1].toLowerCase()));
    assert.deepEqual(macs, new Set(['02:00:00:00:00:01', '02:00:00:00:00:02']));
  } finally {
    await lab.close();
    assertNoLeftovers(snapshot);
  }
});

labTest('bgp-wrong-asn: tcpdump -v shows the OPEN and the NOTIFICATION "Bad Peer AS"', async () => {
  const lab = await createLabBackend(testWorld('asn', { peerAsn: 64514 }));
  const snapshot = lab.describe();
  try {
    await lab.ready;
    assert.ok(snapshot.sessions.every((s) => s.expect === 'bad-peer-as'));
    const neighbors = await exec(lab, target('n1', 'frr'), ['vtysh', '-c', 'show bgp neighbors 192.0.2.1 json']);
    const nb = JSON.parse(neighbors.stdout)['192.0.2.1'];
    assert.equal(nb.lastNotificationReason, 'OPEN Message Error/Bad Peer AS');
    assert.notEqual(nb.bgpState, 'Established');
    // The speaker backs off between attempts; resetting the session makes the exchange happen now.
    // A wide window: after the reset bgpd waits its idle-hold time before it reconnects.
    const capture = exec(lab, target('n1', 'debug'), captureCommand(6));
    await sleep(800);
    const clear = await exec(lab, target('n1', 'frr'), ['vtysh', '-c', 'clear bgp 192.0.2.1']);
    assert.equal(clear.exitCode, 0, clear.stderr);
    const cap = await capture;
    const text = cap.stdout.split(marker)[0];
    assert.match(text, /Open Message \(1\), length: \d+\s+Version 4, my AS 64512/);
    assert.match(text, /my AS 64513/);
    assert.match(text, /Notification Message \(3\), length: \d+, OPEN Message Error \(2\), subcode Bad Peer AS \(2\)/);
  } finally {
    await lab.close();
    assertNoLeftovers(snapshot);
  }
});
