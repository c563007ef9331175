import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { createLabBackend } from '../../src/lab/index.js';
import { testWorld } from './worlds.js';
import { labTest, exec, target, netnsList, assertNoLeftovers } from './helpers.js';

labTest('lab lifecycle: up, ready, exec per role, abort, teardown without leftovers', async () => {
  const lab = await createLabBackend(testWorld('lifecycle'));
  const before = lab.describe();
  try {
    assert.equal(before.namespaces.length, 6, 'bridge, pod network, three nodes, one router');
    assert.deepEqual(
      netnsList().filter((n) => n.startsWith(before.prefix)).sort(),
      [...before.namespaces].sort(),
    );
    await lab.ready;
    assert.ok(lab.describe().timings.readyMs! > 0);

    // FRR container: vtysh reaches the node's own daemons; the session to the router is up.
    const summary = await exec(lab, target('n1', 'frr'), ['vtysh', '-c', 'show bgp summary json']);
    assert.equal(summary.exitCode, 0, summary.stderr);
    const peers = JSON.parse(summary.stdout).ipv4Unicast.peers;
    assert.equal(peers['192.0.2.1'].state, 'Established');
    assert.equal(peers['192.0.2.1'].pfxSnt, 1);
    const config = await exec(lab, target('n2', 'frr'), ['cat', '/etc/frr_reloader/frr.conf']);
    assert.match(config.stdout, /^hostname n2$/m);
    assert.match(config.stdout, /neighbor 192\.0\.2\.1 remote-as 64513/);
    const status = await exec(lab, target('n2', 'frr'), ['cat', '/etc/frr_reloader/.status']);
    assert.match(status.stdout, /^\d+ success$/m);
    const running = await exec(lab, target('n3', 'frr'), ['vtysh', '-c', 'show running-config']);
    assert.match(running.stdout, /^hostname n3$/m);
    assert.match(running.stdout, /ip prefix-list 192\.0\.2\.1-allowed-ipv4 seq 1 permit 198\.51\.100\.200\/32/);
    // The FRR image has no tcpdump; a distroless container has nothing at all.
    const noTool = await exec(lab, target('n1', 'frr'), ['tcpdump', '-D']);
    assert.match(noTool.startError ?? '', /executable file not found/);
    const distroless = await exec(lab, target('n1', 'speaker', { distroless: true }), ['sh', '-c', 'true']);
    assert.equal(distroless.exitCode, 128);
    assert.equal(distroless.startError, 'exec: "sh": executable file not found in $PATH');

    // Debug container: the node's real network namespace.
    const addr = await exec(lab, target('n1', 'debug'), ['ip', '-j', 'addr', 'show']);
    const ifaces = JSON.parse(addr.stdout) as { ifname: string; address: string; addr_info: { local: string }[] }[];
    assert.ok(ifaces.find((i) => i.ifname === 'lo')!.addr_info.some((a) => a.local === '198.51.100.200'));
    const eth0 = ifaces.find((i) => i.ifname === 'eth0')!;
    assert.equal(eth0.address, '02:00:00:00:00:01');
    assert.ok(eth0.addr_info.some((a) => a.local === '192.0.2.11'));
    const ss = await exec(lab, target('n1', 'debug'), ['ss', '-tanpH']);
    assert.match(ss.stdout, /ESTAB.*192\.0\.2\.11:\d+\s+192\.0\.2\.1:179.*bgpd/);
    assert.doesNotMatch(ss.stdout, /LISTEN.*:179\b/, 'MetalLB bgpd runs with -p 0');
    const route = await exec(lab, target('n1', 'debug'), ['ip', '-j', 'route', 'show']);
    assert.ok(JSON.parse(route.stdout).some((r: { dst: string }) => r.dst === '192.0.2.0/24'));
    const exit3 = await exec(lab, target('n1', 'debug'), ['sh', '-c', 'echo out; echo err >&2; exit 3']);
    assert.deepEqual([exit3.stdout, exit3.stderr, exit3.exitCode], ['out\n', 'err\n', 3]);
    const unknown = await exec(lab, target('n1', 'debug'), ['no-such-tool']);
    assert.match(unknown.startError ?? '', /"no-such-tool": executable file not found/);

    // Abort kills the whole process group quickly.
    const ac = new AbortController();
    const t0 = Date.now();
    const pending = exec(lab, target('n2', 'debug'), ['sh', '-c', 'sleep 30 & sleep 30; wait'], ac.signal);
    setTimeout(() => ac.abort(), 200);
    const aborted = await pending;
    assert.ok(Date.now() - t0 < 3000, `abort took ${Date.now() - t0} ms`);
    assert.notEqual(aborted.exitCode, 0);
  } finally {
    const snapshot = lab.describe();
    await lab.close();
    assertNoLeftovers(snapshot);
    assert.equal(existsSync(snapshot.workDir), false, 'work dir removed');
    assert.ok(lab.describe().timings.teardownMs! >= 0);
    const late = await exec(lab, target('n1', 'debug'), ['true']);
    assert.match(late.startError ?? '', /lab closed/);
  }
});

labTest('a failed start removes everything it had made', async () => {
  const world = testWorld('broken', { dataplane: { nodes: { n2: { sysctls: { 'net.ipv4.no_such_sysctl': '1' } } } } });
  const before = new Set(netnsList());
  await assert.rejects(createLabBackend(world, { prefix: 'mlbfail-' }), /sysctl/);
  assert.deepEqual(netnsList().filter((n) => !before.has(n) && n.startsWith('mlbfail-')), []);
});

labTest('L2: the LB IP sits on the elected node only; arping from another node gets one MAC', async () => {
  const lab = await createLabBackend(testWorld('l2', { l2: true }));
  const snapshot = lab.describe();
  try {
    await lab.ready;
    assert.deepEqual(snapshot.nodes.map((n) => [n.name, n.l2Ips]), [['n1', ['198.51.100.100']], ['n2', []], ['n3', []]]);
    const arping = await exec(lab, target('n3', 'debug'), ['arping', '-c', '2', '-w', '2', '-I', 'eth0', '198.51.100.100']);
    const macs = new Set([...arping.stdout.matchAll(/reply from 198\.51\.100\.100 \[([0-9A-F:]+)\]/gi)].map((m) => m[1].toLowerCase()));
    assert.deepEqual([...macs], ['02:00:00:00:00:01']);
  } finally {
    await lab.close();
    assertNoLeftovers(snapshot);
  }
});

labTest('a lab closed before it is ready stops waiting: ready settles at once, nothing is left', async () => {
  const lab = await createLabBackend(testWorld('early-close'));
  const snapshot = lab.describe();
  const t0 = Date.now();
  await lab.close();
  // Settled either way (the sessions may have come up already); without the stop it polled the
  // deleted namespaces until its 90 s deadline and kept the process alive that long.
  const outcome = await Promise.race([
    lab.ready.then(() => 'ready', (e: Error) => e.message),
    new Promise<string>((resolve) => setTimeout(() => resolve('still waiting'), 5000).unref()),
  ]);
  assert.match(outcome, /^ready$|closed before it was ready/);
  assert.ok(Date.now() - t0 < 10_000);
  assertNoLeftovers(snapshot);
});
