import { test } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync, spawnSync } from 'node:child_process';
import { chmodSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { splitCapture } from '../../src/collect/node.js';
import { arpingNoInterfaceExit, arpingProbeCommand, parseArpingProbe } from '../../src/catalogue/index.js';
import { parseDuration, parseFormats, scrubArgv } from '../../src/collect/options.js';
import { TokenBucket } from '../../src/kube/client.js';
import { ephemeralContainerSpec, nodePodName, nodePodSpec } from '../../src/attach/index.js';

test('capture output splits into text and pcap', () => {
  const pcap = Buffer.from([0xd4, 0xc3, 0xb2, 0xa1, 1, 2, 3, 4, 5]);
  const out = Buffer.from(`12:00:00 ARP, Request who-has 10.0.0.1\n--- mlb-report pcap base64 ---\n${pcap.toString('base64').replace(/(.{4})/g, '$1\n')}\n`);
  const s = splitCapture(out);
  assert.equal(s.complete, true);
  assert.equal(s.text, '12:00:00 ARP, Request who-has 10.0.0.1\n');
  assert.deepEqual(s.pcap, pcap);
  assert.equal(splitCapture(Buffer.from('cut before marker')).complete, false);
});

test('the arping probe finds the node IP\'s interface in its own shell, and refuses anything but IPv4 addresses', () => {
  const dir = mkdtempSync(join(tmpdir(), 'mlb-arping-'));
  try {
    // `ip -o -4 addr show` as iproute2 prints it, and an arping that prints its arguments.
    writeFileSync(join(dir, 'ip'), "#!/bin/sh\nprintf '1: lo    inet 127.0.0.1/8 scope host lo\\\\       valid_lft forever preferred_lft forever\\n3: bond0.20    inet 192.0.2.11/24 brd 192.0.2.255 scope global bond0.20\\\\       valid_lft forever preferred_lft forever\\n'\n");
    writeFileSync(join(dir, 'arping'), '#!/bin/sh\necho "arping $*"\n');
    chmodSync(join(dir, 'ip'), 0o755);
    chmodSync(join(dir, 'arping'), 0o755);
    const env = { ...process.env, PATH: `${dir}:${process.env.PATH}` };
    const found = arpingProbeCommand('198.51.100.7', '192.0.2.11')!;
    assert.equal(execFileSync(found[0]!, found.slice(1), { env, encoding: 'utf8' }), 'arping -c 2 -w 2 -I bond0.20 198.51.100.7\n');
    const missing = arpingProbeCommand('198.51.100.7', '192.0.2.99')!;
    const r = spawnSync(missing[0]!, missing.slice(1), { env, encoding: 'utf8' });
    assert.equal(r.status, arpingNoInterfaceExit);
    assert.equal(r.stderr, 'no interface holds the node IP 192.0.2.99\n');
    assert.deepEqual(parseArpingProbe(found[2]!), { ip: '198.51.100.7', nodeIp: '192.0.2.11' });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  // The addresses come from the cluster's objects and go into a shell script.
  for (const [ip, nodeIp] of [['198.51.100.7; reboot', '192.0.2.11'], ['198.51.100.7', '$(id)'], ['2001:db8::1', '192.0.2.11'], ['198.51.100.256', '192.0.2.11']]) {
    assert.equal(arpingProbeCommand(ip!, nodeIp!), undefined, `${ip} from ${nodeIp}`);
  }
});

test('durations, formats, argv scrubbing', () => {
  assert.equal(parseDuration('90s', '--timeout'), 90_000);
  assert.equal(parseDuration('1h30m', '--since'), 5_400_000);
  assert.equal(parseDuration('15', '--timeout'), 15_000);
  assert.throws(() => parseDuration('soon', '--timeout'), /invalid duration/);
  assert.deepEqual(parseFormats('json,html,json'), ['json', 'html']);
  assert.throws(() => parseFormats('docx'), /invalid --format/);
  // none: the raw bundle alone; it does not mix with a format.
  assert.deepEqual(parseFormats('none'), []);
  assert.throws(() => parseFormats('none,html'), /invalid --format/);
  assert.deepEqual(scrubArgv(['collect', '--token', 'abc', '--password=x', '-n', 'ns']), ['collect', '--token', '<redacted>', '--password=<redacted>', '-n', 'ns']);
});

test('token bucket spaces requests at the configured rate', async () => {
  const bucket = new TokenBucket(20, 1);
  const t0 = Date.now();
  for (let i = 0; i < 5; i++) await bucket.take();
  const elapsed = Date.now() - t0;
  // 1 immediate + 4 waits of 50 ms; allow scheduling slack.
  assert.ok(elapsed >= 180, `elapsed ${elapsed} ms`);
  const aborted = new AbortController();
  const p = bucket.take(aborted.signal);
  aborted.abort(new Error('stop'));
  await assert.rejects(p, /stop/);
});

test('debug container and node pod follow the netadmin profile and stay bounded', () => {
  const ec = ephemeralContainerSpec({ name: 'mlb-report-abcde', image: 'nicolaka/netshoot:v0.13', lifetimeSeconds: 120.4 });
  // Idles until the run touches the end marker, at most the lifetime (rounded up).
  assert.deepEqual(ec.command, ['sh', '-c', 'i=0; while [ $i -lt 121 ] && [ ! -e /tmp/mlb-report.end ]; do sleep 1; i=$((i+1)); done']);
  assert.equal(ec.targetContainerName, 'speaker');
  assert.deepEqual(ec.securityContext?.capabilities?.add, ['NET_ADMIN', 'NET_RAW']);
  const name = nodePodName('Very.Long_Node-Name-'.repeat(5), 'abcde');
  assert.ok(name.length <= 63 && /^[a-z0-9]([a-z0-9-]*[a-z0-9])?$/.test(name), name);
  const pod = nodePodSpec({ namespace: 'metallb-system', node: 'n1', runId: 'abcde', image: 'img:1', lifetimeSeconds: 60, startTimeoutMs: 1000 });
  assert.equal(pod.spec?.hostNetwork, true);
  assert.equal(pod.spec?.restartPolicy, 'Never');
  assert.equal(pod.spec?.containers[0]?.securityContext?.privileged, true);
});

test('probe plan: full matrix in small clusters, each IP from 3 nodes in large ones', async () => {
  const { probePlan } = await import('../../src/collect/node.js');
  const small = probePlan(['10.0.0.1', '10.0.0.2'], ['a', 'b', 'c']);
  assert.deepEqual(small.get('b'), ['10.0.0.1', '10.0.0.2']);
  const nodes = Array.from({ length: 200 }, (_, i) => `n${i}`);
  const ips = Array.from({ length: 200 }, (_, i) => `10.1.${i >> 8}.${i & 255}`);
  const big = probePlan(ips, nodes);
  const perIp = new Map<string, number>();
  for (const list of big.values()) for (const ip of list) perIp.set(ip, (perIp.get(ip) ?? 0) + 1);
  assert.equal(perIp.size, 200, 'every IP probed');
  assert.ok([...perIp.values()].every((c) => c === 3));
  assert.ok(Math.max(...[...big.values()].map((l) => l.length)) <= 3, 'load spread evenly');
});
