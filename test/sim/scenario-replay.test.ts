/**
 * The replay ExecBackend: container roles, the tiny shell, every catalogue command, outputs that
 * agree with the scenario's data plane, recorded outputs taking precedence, abort handling.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { arpingCommand, captureCommand, nodeItems } from '../../src/catalogue/index.js';
import { builtinScenarioNames, loadScenario, replayDir, type LoadedScenario } from '../../src/sim/scenario/index.js';
import { ReplayBackend, loadRecording, shellWords, splitSequence } from '../../src/sim/scenario/replay.js';
import type { ExecTarget } from '../../src/sim/world.js';
import { UserError } from '../../src/util/errors.js';

interface Run {
  stdout: string;
  stderr: string;
  exitCode: number;
  startError?: string;
}

/**
 * A scenario with a synthesis-only backend: built-in scenarios may have lab recordings in
 * fixtures/replay that take precedence, and these tests check what the backend synthesises.
 */
async function load(name: string): Promise<LoadedScenario & { replay: ReplayBackend }> {
  const loaded = await loadScenario(name);
  const replay = new ReplayBackend((loaded.backend as ReplayBackend).model);
  replay.timeScale = 0;
  return { ...loaded, replay };
}

function target(l: LoadedScenario, node: string, container: string, kind: ExecTarget['kind'] = 'container'): ExecTarget {
  const pods = l.world.objects.filter((o) => o.kind === 'Pod' && o.spec.nodeName === node);
  const pod = pods.find((p) => p.spec.containers.some((c: { name: string }) => c.name === container)) ?? pods[0]!;
  const c = pod.spec.containers.find((x: { name: string }) => x.name === container);
  const image: string = c?.image ?? 'nicolaka/netshoot:v0.13';
  return { namespace: pod.metadata.namespace!, pod: pod.metadata.name, container, node, image, kind, distroless: kind === 'container' && /quay\.io\/metallb\/(speaker|controller):v0\.(1[5-9]|14\.([6-9]|\d\d))/.test(image), hostNetwork: !!pod.spec.hostNetwork };
}

async function run(backend: ReplayBackend, t: ExecTarget, argv: string[], signal = new AbortController().signal): Promise<Run> {
  let stdout = '';
  let stderr = '';
  const r = await backend.run(t, argv, { stdin: null, stdout: (c) => (stdout += c), stderr: (c) => (stderr += c), signal });
  return { stdout, stderr, exitCode: r.exitCode, startError: r.startError };
}

const debug = (l: LoadedScenario, node: string): ExecTarget => target(l, node, 'debugger', 'ephemeral');

test('distroless MetalLB containers cannot start a process; FRR and debug containers can', async () => {
  const l = await load('healthy-frr');
  const r = await run(l.replay, target(l, 'worker-1', 'speaker'), ['ip', '-j', 'addr']);
  assert.equal(r.exitCode, 128);
  assert.match(r.startError!, /exec: "ip": executable file not found in \$PATH/);
  assert.equal((await run(l.replay, target(l, 'worker-1', 'frr'), ['ip', '-j', 'addr'])).exitCode, 0);
  assert.equal((await run(l.replay, debug(l, 'worker-1'), ['ip', '-j', 'addr'])).exitCode, 0);
  // Alpine-based speakers before v0.14.6 have busybox: ip works, `ip -j` and ss do not.
  const old = await load('synthetic:nodes=2,version=v0.13.12');
  const t = target(old, 'node-01', 'speaker');
  assert.equal(t.distroless, false);
  assert.equal((await run(old.replay, t, ['ip', 'addr'])).exitCode, 0);
  assert.notEqual((await run(old.replay, t, ['ip', '-j', 'addr'])).exitCode, 0);
  assert.equal((await run(old.replay, t, ['ss', '-tlnp'])).exitCode, 127);
});

test('unknown commands exit 127 like sh; echo, true, sh -c sequences work', async () => {
  const l = await load('healthy-l2');
  const t = debug(l, 'worker-1');
  const r = await run(l.replay, t, ['frobnicate', '--now']);
  assert.equal(r.exitCode, 127);
  assert.equal(r.stderr, 'sh: frobnicate: not found\n');
  assert.deepEqual(await run(l.replay, t, ['echo', 'hello', 'world']), { stdout: 'hello world\n', stderr: '', exitCode: 0, startError: undefined });
  assert.equal((await run(l.replay, t, ['true'])).exitCode, 0);
  const seq = await run(l.replay, t, ['sh', '-c', "echo 'a b'; false && echo never; echo done"]);
  assert.equal(seq.stdout, 'a b\ndone\n');
  assert.equal((await run(l.replay, t, ['sh', '-c', 'ss -tlnp'])).exitCode, 0);
  assert.equal((await run(l.replay, t, ['vtysh', '-c', 'show bgp summary json'])).exitCode, 127, 'no vtysh outside the FRR image');
  assert.deepEqual(shellWords(`grep -H "a b" 'c d' e\\ f`), ['grep', '-H', 'a b', 'c d', 'e f']);
  assert.deepEqual(splitSequence("a; b && 'c;d'").map((p) => [p.op, p.cmd.trim()]), [[';', 'a'], [';', 'b'], ['&&', "'c;d'"]]);
});

test('sleep honours the abort signal', async () => {
  const l = await loadScenario('healthy-l2');
  const replay = new ReplayBackend((l.backend as ReplayBackend).model);
  const ac = new AbortController();
  const started = Date.now();
  setTimeout(() => ac.abort(), 50);
  const r = await run(replay, debug(l, 'worker-1'), ['sleep', '30'], ac.signal);
  assert.ok(Date.now() - started < 5000, 'returned long before 30 s');
  assert.notEqual(r.exitCode, 0);
});

test('every catalogue command is answered in its container, with parseable JSON', async () => {
  for (const name of ['healthy-l2', 'healthy-frr', 'healthy-frr-k8s', 'bgp-wrong-asn']) {
    const l = await load(name);
    const mode = l.scenario.install.mode;
    for (const item of nodeItems) {
      if (item.modes && !item.modes.includes(mode)) continue;
      const container = item.runIn === 'debug' ? 'debugger' : (item.container ?? 'frr');
      const t = item.runIn === 'debug' ? debug(l, 'worker-1') : target(l, 'worker-1', container);
      const r = await run(l.replay, t, item.command);
      assert.equal(r.exitCode, 0, `${name} ${item.id}: ${r.stderr}`);
      assert.ok(r.stdout.length > 0, `${name} ${item.id} printed something`);
      if (item.file.endsWith('.json')) assert.doesNotThrow(() => JSON.parse(r.stdout), `${name} ${item.id} is JSON`);
    }
  }
});

async function vtyshJson(l: LoadedScenario & { replay: ReplayBackend }, node: string, cmd: string): Promise<Record<string, any>> {
  const r = await run(l.replay, target(l, node, 'frr'), ['vtysh', '-c', cmd]);
  assert.equal(r.exitCode, 0, r.stderr);
  return JSON.parse(r.stdout);
}

test('BGP state in vtysh follows the data plane of each scenario', async () => {
  const cases: [string, string, Record<string, unknown>][] = [
    ['healthy-frr', 'Established', {}],
    ['bgp-password', 'Established', {}],
    ['bgp-prefix-filtered', 'Established', {}],
    ['bgp-wrong-asn', 'Idle', { lastErrorCodeSubcode: '0202', lastNotificationReason: 'OPEN Message Error/Bad Peer AS', lastResetDueTo: 'BGP Notification send' }],
    ['bgp-router-id-clash', 'Idle', { lastErrorCodeSubcode: '0203', lastNotificationReason: 'OPEN Message Error/Bad BGP Identifier' }],
    ['bgp-hold-timer-expired', 'OpenSent', { lastErrorCodeSubcode: '0400', lastNotificationReason: 'Hold Timer Expired' }],
    ['bgp-wrong-password', 'Connect', {}],
  ];
  for (const [name, state, fields] of cases) {
    const l = await load(name);
    const neighbors = await vtyshJson(l, 'worker-1', 'show bgp vrf all neighbors json');
    const n = neighbors.default['192.0.2.1'];
    assert.equal(n.bgpState, state, name);
    for (const [k, v] of Object.entries(fields)) assert.equal(n[k], v, `${name} ${k}`);
    const summary = await vtyshJson(l, 'worker-1', 'show bgp vrf all summary json');
    const peer = summary.default.ipv4Unicast.peers['192.0.2.1'];
    assert.equal(peer.state, state);
    assert.equal(peer.pfxSnt, state === 'Established' ? 1 : 0, `${name} pfxSnt`);
  }
  const wrong = await load('bgp-wrong-asn');
  const text = await run(wrong.replay, target(wrong, 'worker-1', 'frr'), ['vtysh', '-c', 'show bgp summary']);
  assert.match(text.stdout, /^192\.0\.2\.1 +4 +64514 +\d+ +\d+ +0 +0 +0 +never +Idle +0 N\/A$/m, 'FRR text summary layout');
  const bfd = await load('bfd-down');
  const peers = (await vtyshJson(bfd, 'worker-1', 'show bfd peers json')) as unknown as { status: string; diagnostic: string }[];
  assert.equal(peers[0]!.status, 'down');
  assert.equal(peers[0]!.diagnostic, 'control detection time expired');
  const n = (await vtyshJson(bfd, 'worker-1', 'show bgp neighbors json'))['192.0.2.1'];
  assert.equal(n.bgpState, 'Established', 'BGP came back without BFD');
  assert.equal(n.lastNotificationReason, 'Cease/BFD Down');
  assert.equal(n.lastErrorCodeSubcode, '060A');
  assert.equal(n.peerBfdInfo.status, 'Down');
});

test('the BGP password reaches the desired and running config; desired config only in the reloader', async () => {
  const l = await load('bgp-password');
  const running = await run(l.replay, target(l, 'worker-1', 'frr'), ['vtysh', '-c', 'show running-config']);
  assert.match(running.stdout, /^ neighbor 192\.0\.2\.1 password s3cr3t-BGP-md5-Pa55$/m);
  const inFrr = await run(l.replay, target(l, 'worker-1', 'frr'), ['cat', '/etc/frr_reloader/frr.conf']);
  assert.equal(inFrr.exitCode, 1, 'the frr container does not mount /etc/frr_reloader');
  assert.match(inFrr.stderr, /can't open '\/etc\/frr_reloader\/frr\.conf'/);
  const desired = await run(l.replay, target(l, 'worker-1', 'reloader'), ['cat', '/etc/frr_reloader/frr.conf']);
  assert.equal(desired.exitCode, 0);
  assert.match(desired.stdout, /^ {2}neighbor 192\.0\.2\.1 password s3cr3t-BGP-md5-Pa55$/m);
  assert.match(desired.stdout, /^ip prefix-list 192\.0\.2\.1-allowed-ipv4 seq 1 permit 198\.51\.100\.200\/32$/m);
  const status = await run(l.replay, target(l, 'worker-1', 'reloader'), ['cat', '/etc/frr_reloader/.status']);
  assert.match(status.stdout, /^\d{10} success\n$/);
});

function arpingMacs(out: string): string[] {
  return [...out.matchAll(/Unicast reply from \S+ \[([0-9a-f:]+)\]/g)].map((m) => m[1]!);
}

test('arping sees exactly the MACs that answer ARP in each scenario', async () => {
  const mac = (l: LoadedScenario, node: string): string => {
    const idx = l.world.objects.filter((o) => o.kind === 'Node').findIndex((n) => n.metadata.name === node);
    return `02:00:00:00:00:${String(idx + 1).padStart(2, '0')}`;
  };
  const healthy = await load('healthy-l2');
  const leader = (healthy.world.dataplane as { announce: Record<string, string[]> }).announce['198.51.100.100']![0]!;
  const r = await run(healthy.replay, debug(healthy, 'cp-1'), arpingCommand('198.51.100.100', 'eth0'));
  assert.equal(r.exitCode, 0);
  assert.deepEqual([...new Set(arpingMacs(r.stdout))], [mac(healthy, leader)]);
  assert.match(r.stdout, /^Received 2 response\(s\)$/m);

  const dup = await load('l2-duplicate-ip');
  const d = await run(dup.replay, debug(dup, 'cp-1'), arpingCommand('198.51.100.100', 'eth0'));
  assert.deepEqual(arpingMacs(d.stdout).sort(), [mac(dup, 'worker-1'), mac(dup, 'worker-2')]);
  assert.match(d.stdout, /^Sent 1 probes \(1 broadcast\(s\)\)$/m);

  const ipvs = await load('ipvs-strictarp-off');
  const i = await run(ipvs.replay, debug(ipvs, 'cp-1'), arpingCommand('198.51.100.100', 'eth0'));
  assert.equal(new Set(arpingMacs(i.stdout)).size, 2, 'both other nodes answer (cp-1 asked)');

  for (const name of ['no-advertisement', 'l2-interface-down']) {
    const l = await load(name);
    const n = await run(l.replay, debug(l, 'cp-1'), arpingCommand('198.51.100.100', 'eth0'));
    assert.equal(n.exitCode, 1, name);
    assert.match(n.stdout, /Received 0 response\(s\)/);
  }
});

test('addresses, links, sockets and sysctls reflect the data plane', async () => {
  const frr = await load('healthy-frr');
  const addrs = JSON.parse((await run(frr.replay, debug(frr, 'worker-1'), ['ip', '-j', '-d', 'addr', 'show'])).stdout) as { ifname: string; addr_info: { local: string }[] }[];
  assert.ok(addrs.find((a) => a.ifname === 'lo')!.addr_info.some((a) => a.local === '198.51.100.200'), 'BGP IP on lo');
  const ss = (await run(frr.replay, debug(frr, 'worker-1'), ['ss', '-tuanpH'])).stdout;
  assert.doesNotMatch(ss, /LISTEN .*:179 /, "MetalLB's bgpd runs with -p 0");
  assert.match(ss, /^tcp ESTAB {2}.* 192\.0\.2\.1:179 +users:\(\("bgpd"/m);
  assert.match(ss, /^udp UNCONN .*192\.0\.2\.12:7946 /m);

  const foreign = await load('foreign-bgp-listener');
  assert.match((await run(foreign.replay, debug(foreign, 'worker-1'), ['ss', '-tlnp'])).stdout, /0\.0\.0\.0:179 .*users:\(\("bird"/);
  assert.doesNotMatch((await run(foreign.replay, debug(foreign, 'worker-2'), ['ss', '-tlnp'])).stdout, /:179 /);

  const down = await load('l2-interface-down');
  const links = JSON.parse((await run(down.replay, debug(down, 'worker-1'), ['ip', '-j', '-d', 'link', 'show'])).stdout) as { ifname: string; operstate: string; flags: string[] }[];
  const eth0 = links.find((x) => x.ifname === 'eth0')!;
  assert.equal(eth0.operstate, 'DOWN');
  assert.ok(!eth0.flags.includes('UP'));

  const ipvs = await load('ipvs-strictarp-off');
  const grep = nodeItems.find((i) => i.id === 'net.sysctl')!.command;
  const sys = (await run(ipvs.replay, debug(ipvs, 'worker-1'), grep)).stdout;
  assert.match(sys, /^\/proc\/sys\/net\/ipv4\/conf\/all\/arp_ignore:0$/m);
  assert.match(sys, /^\/proc\/sys\/net\/ipv4\/conf\/kube-ipvs0\/arp_announce:0$/m);
  assert.match(sys, /^\/proc\/sys\/net\/ipv4\/ip_forward:1$/m);
  const ipvsAddrs = JSON.parse((await run(ipvs.replay, debug(ipvs, 'worker-2'), ['ip', '-j', 'addr'])).stdout) as { ifname: string; addr_info: { local: string }[] }[];
  assert.ok(ipvsAddrs.find((a) => a.ifname === 'kube-ipvs0')!.addr_info.some((a) => a.local === '198.51.100.100'));
});

test('a debug container on the controller sees the pod network namespace, not the node', async () => {
  const l = await load('healthy-l2');
  const controller = l.world.objects.find((o) => o.kind === 'Pod' && o.metadata.labels?.component === 'controller')!;
  const t: ExecTarget = { namespace: 'metallb-system', pod: controller.metadata.name, container: 'debugger', node: controller.spec.nodeName, image: 'nicolaka/netshoot:v0.13', kind: 'ephemeral', distroless: false, hostNetwork: false };
  const addrs = JSON.parse((await run(l.replay, t, ['ip', '-j', 'addr'])).stdout) as { ifname: string; addr_info: { local: string }[] }[];
  assert.deepEqual(addrs.find((a) => a.ifname === 'eth0')!.addr_info.map((a) => a.local), [controller.status.podIP]);
  assert.notEqual(controller.status.podIP, controller.status.hostIP);
  const podSs = (await run(l.replay, t, ['ss', '-tlnp'])).stdout;
  assert.match(podSs, /\*:9443 /, 'the webhook listens in the pod');
  const nodeSs = (await run(l.replay, debug(l, controller.spec.nodeName), ['ss', '-tlnp'])).stdout;
  assert.doesNotMatch(nodeSs, /:9443 /, 'and not in the node namespace');
});

/** Records of a classic pcap file: [linktype, packets]. */
function readPcap(buf: Buffer): { linktype: number; packets: Buffer[] } {
  assert.equal(buf.readUInt32LE(0), 0xa1b2c3d4);
  const packets: Buffer[] = [];
  let off = 24;
  while (off < buf.length) {
    const incl = buf.readUInt32LE(off + 8);
    packets.push(buf.subarray(off + 16, off + 16 + incl));
    off += 16 + incl;
  }
  return { linktype: buf.readUInt32LE(20), packets };
}

test('the capture prints a tcpdump decode and the same packets as a pcap', async () => {
  const l = await load('bgp-wrong-asn');
  const r = await run(l.replay, debug(l, 'worker-1'), captureCommand(5));
  assert.equal(r.exitCode, 0);
  const [text, b64] = r.stdout.split('--- mlb-report pcap base64 ---\n');
  const pcap = readPcap(Buffer.from(b64!.replace(/\n/g, ''), 'base64'));
  assert.equal(pcap.linktype, 276, 'LINUX_SLL2, as tcpdump -i any writes');
  const headerLines = text!.split('\n').filter((x) => /^\d\d:\d\d:\d\d\.\d{6} /.test(x));
  assert.equal(headerLines.length, pcap.packets.length);
  assert.match(text!, /Notification Message \(3\), length: 21, OPEN Message Error \(2\), subcode Bad Peer AS \(2\)/);
  assert.ok(b64!.split('\n').every((line) => line.length <= 76));

  const frr = await load('healthy-frr');
  assert.match((await run(frr.replay, debug(frr, 'worker-1'), captureCommand(2))).stdout, /192\.0\.2\.1\.\d+ > 192\.0\.2\.12\.3784: BFDv1, length: 24\n\tControl, State Up, Flags: \[none\], Diagnostic: No Diagnostic \(0x00\)/);
  const bfd = await load('bfd-down');
  const down = (await run(bfd.replay, debug(bfd, 'worker-1'), captureCommand(2))).stdout;
  assert.match(down, /State Down, Flags: \[none\], Diagnostic: Control Detection Time Expired \(0x01\)/);
  assert.doesNotMatch(down, /> 192\.0\.2\.12\.3784: BFDv1/, 'the stopped bfdd on the router sends nothing');

  const dup = await load('l2-duplicate-ip');
  const d = await run(dup.replay, debug(dup, 'worker-2'), captureCommand(5));
  assert.match(d.stdout, /B {3}ifindex 2 \S+ ethertype ARP \(0x0806\), length 48: Ethernet \(len 6\), IPv4 \(len 4\), Request who-has 198\.51\.100\.100 tell 192\.0\.2\.1, length 28/);
  assert.match(d.stdout, /Out ifindex 2 02:00:00:00:00:03 ethertype ARP \(0x0806\), length 48: .*Reply 198\.51\.100\.100 is-at 02:00:00:00:00:03/);
});

test('the capture waits for its window and stops when aborted', async () => {
  const l = await loadScenario('healthy-l2');
  const replay = new ReplayBackend((l.backend as ReplayBackend).model);
  replay.timeScale = 0.01;
  const started = Date.now();
  const r = await run(replay, debug(l, 'worker-1'), captureCommand(20));
  assert.equal(r.exitCode, 0);
  assert.ok(Date.now() - started >= 150, 'waited (scaled) 20 s');
  replay.timeScale = 1;
  const ac = new AbortController();
  setTimeout(() => ac.abort(), 30);
  const aborted = await run(replay, debug(l, 'worker-1'), captureCommand(20), ac.signal);
  assert.notEqual(aborted.exitCode, 0);
});

test('built-in scenarios answer from their lab recordings in fixtures/replay when present', async () => {
  let checked = 0;
  for (const name of builtinScenarioNames()) {
    const file = join(replayDir, `${name}.json`);
    if (!existsSync(file)) continue;
    const rec = loadRecording(file)!;
    const l = await loadScenario(name);
    const [node, roles] = Object.entries(rec.nodes)[0]!;
    const [role, cmds] = Object.entries(roles!)[0]! as [string, Record<string, { stdout: string; exitCode: number }>];
    const [cmd, out] = Object.entries(cmds).find(([c]) => !c.includes('tcpdump'))!;
    const t = role === 'debug' ? target(l, node, 'debugger', 'ephemeral') : target(l, node, 'frr');
    // The recording is keyed by the argv joined with spaces; these commands have no spaces inside arguments except vtysh/sh ones.
    const argv = cmd.startsWith('vtysh -c ') ? ['vtysh', '-c', cmd.slice('vtysh -c '.length)] : cmd.startsWith('sh -c ') ? ['sh', '-c', cmd.slice('sh -c '.length)] : cmd.split(' ');
    const r = await run(l.backend as ReplayBackend, t, argv);
    assert.equal(r.stdout, out.stdout, `${name}: ${node}/${role} ${cmd}`);
    assert.equal(r.exitCode, out.exitCode);
    checked++;
  }
  assert.ok(checked > 0, 'at least one built-in scenario has a recording');
});

test('recorded outputs take precedence over synthesised ones', async () => {
  const l = await load('healthy-frr');
  const dir = mkdtempSync(join(tmpdir(), 'mlb-replay-'));
  try {
    const file = join(dir, 'rec.json');
    writeFileSync(
      file,
      JSON.stringify({
        recordedWith: { lab: 'test' },
        nodes: { 'worker-1': { frr: { 'vtysh -c show daemons': { stdout: ' zebra bgpd\n', stderr: 'recorded\n', exitCode: 3 } } } },
      }),
    );
    const rec = loadRecording(file)!;
    const backend = new ReplayBackend(l.replay.model, rec);
    const r = await run(backend, target(l, 'worker-1', 'frr'), ['vtysh', '-c', 'show daemons']);
    assert.deepEqual([r.stdout, r.stderr, r.exitCode], [' zebra bgpd\n', 'recorded\n', 3]);
    const other = await run(backend, target(l, 'worker-2', 'frr'), ['vtysh', '-c', 'show daemons']);
    assert.match(other.stdout, /bfdd/, 'nodes without a recording fall back to synthesis');
    writeFileSync(file, '{ not json');
    assert.throws(() => loadRecording(file), (e: unknown) => e instanceof UserError && /invalid replay recording/.test(e.message));
    assert.equal(loadRecording(join(dir, 'absent.json')), undefined);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
});

test('a hand-typed live tcpdump under timeout waits out its window and prints the decode', async () => {
  const l = await load('bgp-wrong-asn');
  l.replay.timeScale = 1;
  const t0 = Date.now();
  const r = await run(l.replay, debug(l, 'worker-1'), ['sh', '-c', 'ip -j addr; timeout 1 tcpdump -i any -nn -c 2000 arp or port 179']);
  assert.ok(Date.now() - t0 >= 900, 'the capture window is waited for, as kubectl users wait for it');
  assert.equal(r.exitCode, 124, 'timeout ends tcpdump');
  assert.match(r.stdout, /^\[\{/, 'the ip addr JSON comes first');
  assert.match(r.stdout, /ifindex 2 \S+ ethertype /, 'decoded packets of the window follow');
  assert.doesNotMatch(r.stdout, /pcap base64/);
});
