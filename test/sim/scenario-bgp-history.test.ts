/**
 * The BGP blind spots as scenario fields: a session's history (`bgpSessions`: flaps, uptime, last
 * reset), a router that keeps one session, FRR's connected check for single-hop eBGP peers. Each
 * must show the same story in FRR JSON and text, FRR and speaker logs, metrics and the capture.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { loadScenario, type LoadedScenario } from '../../src/sim/scenario/index.js';
import { ReplayBackend } from '../../src/sim/scenario/replay.js';
import type { ExecTarget } from '../../src/sim/world.js';

async function load(nameOrPath: string): Promise<LoadedScenario & { replay: ReplayBackend }> {
  const loaded = await loadScenario(nameOrPath);
  const replay = new ReplayBackend((loaded.backend as ReplayBackend).model);
  replay.timeScale = 0;
  return { ...loaded, replay };
}

function frrTarget(l: LoadedScenario, node: string): ExecTarget {
  const pod = l.world.objects.find((o) => o.kind === 'Pod' && o.spec.nodeName === node && o.spec.containers.some((c: { name: string }) => c.name === 'frr'))!;
  return { namespace: pod.metadata.namespace!, pod: pod.metadata.name, container: 'frr', node, image: 'quay.io/frrouting/frr:9.1.0', kind: 'container', distroless: false, hostNetwork: true };
}

async function vtysh(l: LoadedScenario & { replay: ReplayBackend }, node: string, cmd: string): Promise<string> {
  let stdout = '';
  const r = await l.replay.run(frrTarget(l, node), ['vtysh', '-c', cmd], { stdin: null, stdout: (c) => (stdout += c), stderr: () => {}, signal: new AbortController().signal });
  assert.equal(r.exitCode, 0, cmd);
  return stdout;
}

function logLines(l: LoadedScenario, node: string, container: string): string[] {
  const pods = new Set(l.world.objects.filter((o) => o.kind === 'Pod' && o.spec.nodeName === node).map((o) => o.metadata.name));
  return l.world.logs.filter((x) => pods.has(x.pod) && x.container === container && !x.previous).flatMap((x) => x.lines.map((y) => y.text));
}

function metric(l: LoadedScenario, node: string, name: string): string[] {
  const pods = new Set(l.world.objects.filter((o) => o.kind === 'Pod' && o.spec.nodeName === node).map((o) => o.metadata.name));
  return l.world.metrics.filter((m) => pods.has(m.pod)).flatMap((m) => m.body.split('\n')).filter((x) => x.startsWith(name + '{'));
}

test('bgpSessions: flaps over a window agree in FRR JSON, text summary, FRR log and metrics', async () => {
  const l = await load('bgp-session-flapping');
  const n = JSON.parse(await vtysh(l, 'worker-1', 'show bgp neighbors json'))['192.0.2.1'];
  assert.equal(n.bgpState, 'Established');
  assert.equal(n.connectionsDropped, 8);
  assert.equal(n.connectionsEstablished, 9);
  assert.equal(n.bgpTimerUpMsec, 17 * 60 * 1000, 'uptime: 17m');
  assert.equal(n.bgpTimerUpString, '00:17:00');
  assert.equal(n.lastResetDueTo, 'BGP Notification send');
  assert.equal(n.lastResetCode, 14);
  assert.equal(n.lastNotificationReason, 'Hold Timer Expired');
  assert.ok(n.lastResetTimerMsecs > n.bgpTimerUpMsec, 'the last reset came before the current session');
  const summary = JSON.parse(await vtysh(l, 'worker-1', 'show bgp summary json')).ipv4Unicast.peers['192.0.2.1'];
  assert.deepEqual([summary.connectionsEstablished, summary.connectionsDropped, summary.peerUptime], [9, 8, '00:17:00']);
  assert.match(await vtysh(l, 'worker-1', 'show bgp summary'), /^192\.0\.2\.1 +4 +64513 .* 00:17:00 +0 +1 N\/A$/m);
  // worker-2 is stable.
  const stable = JSON.parse(await vtysh(l, 'worker-2', 'show bgp neighbors json'))['192.0.2.1'];
  assert.deepEqual([stable.connectionsEstablished, stable.connectionsDropped], [1, 0]);

  const frr = logLines(l, 'worker-1', 'frr');
  const downs = frr.filter((x) => x.includes('%ADJCHANGE: neighbor 192.0.2.1(Unknown) in vrf default Down BGP Notification send'));
  const ups = frr.filter((x) => x.includes('%ADJCHANGE: neighbor 192.0.2.1(Unknown) in vrf default Up'));
  assert.equal(downs.length, 8);
  assert.equal(ups.length, 8);
  assert.equal(frr.filter((x) => x.includes('%NOTIFICATION: sent to neighbor 192.0.2.1 4/0 (Hold Timer Expired)')).length, 8);
  // Spread over the 6 h window, newest drop just before the current 17 min session.
  const stamp = (line: string): number => Date.parse(line.slice(0, 23).replace(/\//g, '-').replace(' ', 'T') + 'Z');
  const now = Date.now();
  const ages = downs.map((d) => (now - stamp(d)) / 1000).sort((a, b) => a - b);
  assert.ok(ages[0]! > 17 * 60 && ages[0]! < 17 * 60 + 120, `newest drop ${ages[0]} s ago`);
  assert.ok(ages[7]! > 4 * 3600 && ages[7]! <= 6 * 3600 + 60, `oldest drop ${ages[7]} s ago`);
  assert.equal(logLines(l, 'worker-2', 'frr').filter((x) => x.includes('%ADJCHANGE')).length, 0);
  // metrics: up now, and opens counted per establishment.
  assert.deepEqual(metric(l, 'worker-1', 'metallb_bgp_session_up'), ['metallb_bgp_session_up{peer="192.0.2.1:179",vrf="default"} 1']);
  assert.deepEqual(metric(l, 'worker-1', 'metallb_bgp_opens_sent'), ['metallb_bgp_opens_sent{peer="192.0.2.1:179",vrf="default"} 9']);
});

test('bgpSessions: a native-mode session down after flaps logs sessionDown/sessionUp and metallb_bgp_session_up 0', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'mlb-bgp-history-'));
  try {
    const yaml = readFileSync('fixtures/scenarios/bgp-session-flapping.yaml', 'utf8')
      .replace('name: bgp-session-flapping', 'name: native-flaps')
      .replace('  mode: frr', '  mode: native')
      .replace('    established: true', '    established: false')
      .replace(/ {4}lastReset: .*\n {4}notification: .*\n {4}uptime: 17m\n/, '    lastReset: Peer closed the session\n');
    const file = join(dir, 'native-flaps.yaml');
    writeFileSync(file, yaml);
    const l = await load(file);
    const speaker = logLines(l, 'worker-1', 'speaker');
    assert.equal(speaker.filter((x) => x.includes('"event":"sessionDown"')).length, 8);
    // The first sessionUp is the start-up one; 7 re-establishments follow (the last drop stays down).
    assert.equal(speaker.filter((x) => x.includes('"event":"sessionUp"')).length, 1 + 7);
    assert.deepEqual(metric(l, 'worker-1', 'metallb_bgp_session_up'), ['metallb_bgp_session_up{peer="192.0.2.1"} 0']);
    assert.deepEqual(metric(l, 'worker-2', 'metallb_bgp_session_up'), ['metallb_bgp_session_up{peer="192.0.2.1"} 1']);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('singleSession router: the kept node is Established, the others are refused with Cease/Connection Rejected', async () => {
  const l = await load('bgp-router-one-session');
  const kept = JSON.parse(await vtysh(l, 'worker-1', 'show bgp neighbors json'))['192.0.2.1'];
  assert.equal(kept.bgpState, 'Established');
  for (const node of ['worker-2', 'worker-3']) {
    const n = JSON.parse(await vtysh(l, node, 'show bgp neighbors json'))['192.0.2.1'];
    assert.equal(n.bgpState, 'Active', node);
    assert.equal(n.lastErrorCodeSubcode, '0605');
    assert.equal(n.lastNotificationReason, 'Cease/Connection Rejected');
    assert.equal(n.lastResetDueTo, 'BGP Notification received');
    assert.equal(n.lastResetCode, 13);
    assert.equal(n.messageStats.notificationsRecv > 0, true);
    assert.ok(logLines(l, node, 'frr').some((x) => x.endsWith('%NOTIFICATION: received from neighbor 192.0.2.1 6/5 (Cease/Connection Rejected) 0 bytes')), `${node} FRR log`);
    assert.deepEqual(metric(l, node, 'metallb_bgp_session_up'), ['metallb_bgp_session_up{peer="192.0.2.1:179",vrf="default"} 0']);
  }
  assert.ok(!logLines(l, 'worker-1', 'frr').some((x) => x.includes('Connection Rejected')));
});

test("FRR's connected check: a single-hop eBGP peer off the segment stays Active, never dialled", async () => {
  const l = await load('bgp-peer-not-connected');
  const n = JSON.parse(await vtysh(l, 'worker-1', 'show bgp neighbors json'))['203.0.113.1'];
  assert.equal(n.bgpState, 'Active');
  assert.equal(n.lastResetDueTo, 'Waiting for NHT');
  assert.equal(n.lastResetCode, 27);
  assert.equal(n.externalBgpNbrMaxHopsAway, 1, 'single hop: no ebgp-multihop');
  assert.equal(n.messageStats.opensSent, 0);
  assert.deepEqual([n.hostLocal, n.portLocal, n.bgpTimerConfiguredHoldTimeMsecs], ['Unknown', -1, 180000], 'no socket; FRR default timers (no timers line)');
  assert.ok(!logLines(l, 'worker-1', 'frr').some((x) => x.includes('203.0.113.1')), 'FRR does not dial, so it logs no connect failure');
  // The rendered config names the peer without ebgp-multihop.
  assert.match(await vtysh(l, 'worker-1', 'show running-config'), /neighbor 203\.0\.113\.1 remote-as 64513\n(?! neighbor 203\.0\.113\.1 ebgp-multihop)/);
  // With ebgpMultiHop the same peer is dialled and comes up.
  const dir = mkdtempSync(join(tmpdir(), 'mlb-connected-'));
  try {
    const file = join(dir, 'multihop.yaml');
    writeFileSync(file, readFileSync('fixtures/scenarios/bgp-peer-not-connected.yaml', 'utf8').replace('name: bgp-peer-not-connected', 'name: multihop').replace('      peerAddress: 203.0.113.1\n', '      peerAddress: 203.0.113.1\n      ebgpMultiHop: true\n'));
    const m = await load(file);
    const up = JSON.parse(await vtysh(m, 'worker-1', 'show bgp neighbors json'))['203.0.113.1'];
    assert.equal(up.bgpState, 'Established');
    assert.equal(up.externalBgpNbrMaxHopsAway, 255);
    // A second NIC on the peer's subnet makes it connected: no multihop needed.
    const nic = join(dir, 'nic.yaml');
    writeFileSync(nic, readFileSync('fixtures/scenarios/bgp-peer-not-connected.yaml', 'utf8').replace('name: bgp-peer-not-connected', 'name: nic').replace('  - name: worker-1\n', '  - name: worker-1\n    interfaces: [{ name: eth1, address: 203.0.113.21/24 }]\n'));
    const c = await load(nic);
    assert.equal(JSON.parse(await vtysh(c, 'worker-1', 'show bgp neighbors json'))['203.0.113.1'].bgpState, 'Established');
    assert.equal(JSON.parse(await vtysh(c, 'worker-2', 'show bgp neighbors json'))['203.0.113.1'].bgpState, 'Active');
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('derived drops keep connectionsEstablished consistent: bfd-down re-established after 2 drops', async () => {
  const l = await load('bfd-down');
  const n = JSON.parse(await vtysh(l, 'worker-1', 'show bgp neighbors json'))['192.0.2.1'];
  assert.equal(n.bgpState, 'Established');
  assert.equal(n.connectionsEstablished, n.connectionsDropped + 1);
});
