/**
 * `mlb-report serve`: a bundle collected from the simulator, served read-only, must answer the real
 * kubectl with what the live simulator answered (objects, tables, logs, recorded FRR outputs),
 * refuse writes with a 405 Status, answer an uncollected command at once with what was collected,
 * and refuse a hostile tarball before serving anything.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { request as httpsRequest } from 'node:https';
import { runCollect, worldIndex, type Ran } from '../collect/support.js';
import { serveBundle, type ServedBundle } from '../../src/serve/index.js';
import { kubectlPath, runKubectl, type KubectlRun } from '../helpers/kubectl.js';
import { isUserError } from '../../src/util/errors.js';
import { infrastructureScenarios } from '../helpers/scenarios.js';
import { parse as parseYaml } from 'yaml';

const ns = 'metallb-system';
const repoRoot = join(import.meta.dirname, '..', '..');

type Run = KubectlRun;
const kubectl = runKubectl;

/** A kubectl table without its AGE column, and with restart times ("1 (5m ago)") cut to the count: those read the clock. */
function withoutAge(table: string): string[][] {
  const lines = table.trimEnd().split('\n');
  const header = lines[0]!.split(/\s{2,}/);
  const age = header.indexOf('AGE');
  return lines.map((l) => l.split(/\s{2,}/).filter((_c, i) => i !== age).map((c) => c.replace(/ \(\S+ ago\)$/, '')));
}

/** FRR's JSON without the fields that count time since the session came up (they differ by the seconds between the two reads). */
function withoutUptimes(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(withoutUptimes);
  if (v && typeof v === 'object') return Object.fromEntries(Object.entries(v).filter(([k]) => !/uptime/i.test(k)).map(([k, x]) => [k, withoutUptimes(x)]));
  return v;
}

/** Pods of the MetalLB namespace that run a speaker, by node. */
function speakerPod(ran: Ran): string {
  const { nodes, speakers } = worldIndex(ran.world);
  const pod = speakers.get(nodes[0]!);
  assert.ok(pod, 'the scenario has a speaker on its first node');
  return pod;
}

const scenarios: { name: string; frr: boolean; tarball: boolean }[] = [
  { name: 'healthy-l2', frr: false, tarball: false },
  { name: 'healthy-frr', frr: true, tarball: true },
  { name: 'healthy-frr-k8s', frr: true, tarball: false },
];

describe('serve: a collected bundle answers kubectl as the live simulator did', { skip: !existsSync(kubectlPath) && 'kubectl is not installed' }, () => {
  for (const sc of scenarios) {
    describe(sc.name, () => {
      let ran: Ran;
      let served: ServedBundle;
      let home: string;
      let served_kc: string;
      before(async () => {
        // Every log line of the scenario, however old: the live answer and the bundle hold the same lines.
        ran = await runCollect(sc.name, { sinceSeconds: 3650 * 86400 });
        const source = sc.tarball ? ran.result.tarball : ran.result.dir;
        assert.ok(source && existsSync(source), `collect wrote ${sc.tarball ? 'a tarball' : 'a folder'}`);
        served = await serveBundle(source);
        home = await mkdtemp(join(tmpdir(), 'mlb-serve-test-'));
        served_kc = join(home, 'served.kubeconfig');
        writeFileSync(served_kc, served.sim.kubeconfig(), { mode: 0o600 });
      });
      after(async () => {
        await served?.close();
        await ran?.cleanup();
        if (home) await rm(home, { recursive: true, force: true });
      });

      const both = async (args: string[]): Promise<{ live: Run; bundle: Run }> => {
        const [live, bundle] = await Promise.all([kubectl(ran.sim.kubeconfigPath, home, args), kubectl(served_kc, home, args)]);
        assert.equal(live.code, 0, live.stderr);
        assert.equal(bundle.code, 0, bundle.stderr);
        return { live, bundle };
      };

      it('get pods -o wide: the same rows (AGE aside)', async () => {
        const { live, bundle } = await both(['get', 'pods', '-n', ns, '-o', 'wide']);
        assert.match(bundle.stdout, /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE/);
        assert.ok(bundle.stdout.includes(speakerPod(ran)));
        assert.deepEqual(withoutAge(bundle.stdout), withoutAge(live.stdout));
      });

      it('get ipaddresspools -A: the same table', async () => {
        const { live, bundle } = await both(['get', 'ipaddresspools', '-A']);
        assert.match(bundle.stdout, /ADDRESSES/);
        assert.deepEqual(withoutAge(bundle.stdout), withoutAge(live.stdout));
      });

      it('logs <speaker> -c speaker: the same lines; --tail applies', async () => {
        const pod = speakerPod(ran);
        const { live, bundle } = await both(['logs', '-n', ns, pod, '-c', 'speaker']);
        assert.ok(live.stdout.length > 0, 'the speaker logged something');
        assert.equal(bundle.stdout, live.stdout);
        const tail = await kubectl(served_kc, home, ['logs', '-n', ns, pod, '-c', 'speaker', '--tail', '2']);
        assert.equal(tail.stdout, live.stdout.trimEnd().split('\n').slice(-2).join('\n') + '\n');
      });

      if (sc.frr) {
        it("exec -c frr -- vtysh -c 'show bgp summary json': the same answer (uptimes aside)", async () => {
          const pod = speakerPod(ran);
          const frrPod = sc.name === 'healthy-frr-k8s' ? frrK8sPod(ran) : pod;
          const frrNs = sc.name === 'healthy-frr-k8s' ? frrK8sNamespace(ran) : ns;
          const { live, bundle } = await both(['exec', '-n', frrNs, frrPod, '-c', 'frr', '--', 'vtysh', '-c', 'show bgp summary json']);
          const parsed = JSON.parse(bundle.stdout);
          assert.ok(parsed.ipv4Unicast?.peers, 'the default VRF summary with its peers');
          assert.deepEqual(withoutUptimes(parsed), withoutUptimes(JSON.parse(live.stdout)));
          // The recorded spelling answers byte for byte.
          const recorded = await kubectl(served_kc, home, ['exec', '-n', frrNs, frrPod, '-c', 'frr', '--', 'vtysh', '-c', 'show bgp vrf all summary json']);
          const node = ran.world.objects.find((o) => o.kind === 'Pod' && o.metadata.name === frrPod)?.spec?.nodeName as string;
          assert.equal(recorded.stdout, readFileSync(join(ran.result.dir, 'nodes', node, 'frr', 'bgp-summary.json'), 'utf8'));
        });
      }

      it('a command the bundle did not record answers at once with what it holds, exit 127', async () => {
        const pod = speakerPod(ran);
        const container = sc.frr && sc.name !== 'healthy-frr-k8s' ? 'frr' : undefined;
        if (container) {
          const r = await kubectl(served_kc, home, ['exec', '-n', ns, pod, '-c', container, '--', 'vtysh', '-c', 'show version']);
          assert.equal(r.code, 127);
          assert.match(r.stderr, /vtysh -c 'show version': not collected in this bundle; collected: .*vtysh -c 'show bgp vrf all summary json'/);
          assert.ok(r.ms < 10_000, `answered in ${r.ms} ms`);
        }
        // kubectl debug: the debug container's command is answered from the node's files too.
        const dbg = await kubectl(served_kc, home, ['debug', '-n', ns, pod, '--image=nicolaka/netshoot:v0.13', '--target=speaker', '--profile=general', '-i', '--quiet', '--', 'ip', '-j', '-d', 'addr', 'show']);
        const node = ran.world.objects.find((o) => o.kind === 'Pod' && o.metadata.name === pod)?.spec?.nodeName as string;
        assert.equal(dbg.stdout, readFileSync(join(ran.result.dir, 'nodes', node, 'net', 'ip-addr.json'), 'utf8'));
        const other = await kubectl(served_kc, home, ['debug', '-n', ns, pod, '--image=nicolaka/netshoot:v0.13', '--target=speaker', '--profile=general', '-i', '--quiet', '--', 'ip', 'addr']);
        assert.match(other.stderr, /ip addr: not collected in this bundle; collected: ip -j -d link show; ip -j -d addr show/);
        assert.ok(other.ms < 10_000, `answered in ${other.ms} ms`);
      });

      it('writes answer 405 MethodNotAllowed with a read-only Status; nothing changes', async () => {
        const pod = speakerPod(ran);
        const del = await kubectl(served_kc, home, ['delete', 'pod', '-n', ns, pod, '--wait=false']);
        assert.equal(del.code, 1);
        assert.match(del.stderr, /Error from server \(MethodNotAllowed\): delete is not supported on resources of kind "pods": .*read-only/);
        const label = await kubectl(served_kc, home, ['label', 'ipaddresspools', '-n', ns, '--all', 'x=y']);
        assert.equal(label.code, 1);
        assert.match(label.stderr, /MethodNotAllowed/);
        // The Status itself, as the real server shapes it (key order included).
        const status = await post(served, `/api/v1/namespaces/${ns}/configmaps`, { apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'x' } });
        assert.equal(status.code, 405);
        assert.deepEqual(Object.keys(status.body), ['kind', 'apiVersion', 'metadata', 'status', 'message', 'reason', 'details', 'code']);
        assert.deepEqual({ ...status.body, message: undefined }, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: undefined, reason: 'MethodNotAllowed', details: { kind: 'configmaps' }, code: 405 });
        assert.match(status.body.message, /^create is not supported on resources of kind "configmaps": .*read-only$/);
        const create = await kubectl(served_kc, home, ['create', 'configmap', '-n', ns, 'x', '-o', 'json']);
        assert.equal(create.code, 1);
        assert.match(create.stderr, /create is not supported on resources of kind "configmaps": .*read-only/);
        const still = await kubectl(served_kc, home, ['get', 'pod', '-n', ns, pod, '-o', 'name']);
        assert.equal(still.stdout.trim(), `pod/${pod}`);
      });
    });
  }
});

/** frr-k8s mode: the frr-k8s pod on the first node (FRR lives there, not in the speaker). */
function frrK8sPod(ran: Ran): string {
  const node = worldIndex(ran.world).nodes[0];
  const pod = ran.world.objects.find((o) => o.kind === 'Pod' && o.spec?.nodeName === node && /frr-k8s/.test(o.metadata.name) && ((o.spec?.containers ?? []) as { name: string }[]).some((c) => c.name === 'frr'));
  assert.ok(pod, 'an frr-k8s pod with an frr container on the first node');
  return pod.metadata.name;
}

function frrK8sNamespace(ran: Ran): string {
  return ran.world.objects.find((o) => o.kind === 'Pod' && o.metadata.name === frrK8sPod(ran))!.metadata.namespace ?? ns;
}

describe('serve: a --redact-ips bundle stays redacted, with one address for one address', { skip: !existsSync(kubectlPath) && 'kubectl is not installed' }, () => {
  let ran: Ran;
  let served: ServedBundle;
  let home: string;
  let kc: string;
  before(async () => {
    ran = await runCollect('healthy-l2', { redactIps: true, sinceSeconds: 3650 * 86400 });
    served = await serveBundle(ran.result.dir);
    home = await mkdtemp(join(tmpdir(), 'mlb-serve-redact-'));
    kc = join(home, 'served.kubeconfig');
    writeFileSync(kc, served.sim.kubeconfig(), { mode: 0o600 });
  });
  after(async () => {
    await served?.close();
    await ran?.cleanup();
    if (home) await rm(home, { recursive: true, force: true });
  });

  it('no original address is served; nodes, host-network pods, services and logs agree on the redacted ones', async () => {
    const original = new Set<string>();
    for (const o of ran.world.objects) {
      if (o.kind === 'Node') for (const a of (o.status?.addresses ?? []) as { type: string; address: string }[]) if (a.type === 'InternalIP') original.add(a.address);
      if (o.kind === 'Service') for (const i of (o.status?.loadBalancer?.ingress ?? []) as { ip?: string }[]) if (i.ip) original.add(i.ip);
    }
    assert.ok(original.size >= 4, 'the scenario has node and service addresses');
    const pod = speakerPod(ran);
    const outputs = await Promise.all([
      kubectl(kc, home, ['get', 'nodes', '-o', 'wide']),
      kubectl(kc, home, ['get', 'pods', '-n', ns, '-o', 'wide']),
      kubectl(kc, home, ['get', 'svc', '-A', '-o', 'wide']),
      kubectl(kc, home, ['get', 'ipaddresspools', '-A', '-o', 'yaml']),
      kubectl(kc, home, ['logs', '-n', ns, pod, '-c', 'speaker']),
      kubectl(kc, home, ['debug', '-n', ns, pod, '--image=nicolaka/netshoot:v0.13', '--target=speaker', '--profile=general', '-i', '--quiet', '--', 'ip', '-j', '-d', 'addr', 'show']),
    ]);
    for (const r of outputs) {
      assert.equal(r.code, 0, r.stderr);
      for (const ip of original) assert.ok(!new RegExp(`(^|[^\\d.])${ip.replace(/\./g, '\\.')}([^\\d]|$)`, 'm').test(r.stdout), `original address ${ip} served:\n${r.stdout}`);
    }
    const [nodes, pods, svcs, , logs] = outputs;
    // Node InternalIP = the IP of the host-network speaker pod on that node, both redacted the same way.
    const nodeRows = withoutAge(nodes!.stdout);
    const podRows = withoutAge(pods!.stdout);
    const nodeIp = new Map(nodeRows.slice(1).map((r) => [r[0]!, r[nodeRows[0]!.indexOf('INTERNAL-IP')]!]));
    const podIpCol = podRows[0]!.indexOf('IP');
    const podNodeCol = podRows[0]!.indexOf('NODE');
    const speakerRows = podRows.filter((r) => r[0]!.startsWith('speaker-'));
    assert.ok(speakerRows.length >= 2);
    for (const r of speakerRows) assert.equal(r[podIpCol], nodeIp.get(r[podNodeCol]!), `speaker ${r[0]} on ${r[podNodeCol]}`);
    // The served EXTERNAL-IPs are the bundle's redacted ones, and the speaker's log names them the same way.
    const bundleSvcs = JSON.parse(readFileSync(join(ran.result.dir, 'cluster', 'services.json'), 'utf8')).items as any[];
    const redactedIps = bundleSvcs.flatMap((s) => (s.status?.loadBalancer?.ingress ?? []).map((i: { ip: string }) => i.ip));
    assert.ok(redactedIps.length > 0);
    for (const ip of redactedIps) {
      assert.ok(svcs!.stdout.includes(ip), `service address ${ip} served`);
      assert.ok(!original.has(ip));
    }
    // The controller logs each assignment: the address it names is the redacted one the service shows.
    const controller = podRows.find((r) => r[0]!.startsWith('controller-'))![0]!;
    const controllerLog = await kubectl(kc, home, ['logs', '-n', ns, controller]);
    assert.equal(controllerLog.code, 0, controllerLog.stderr);
    assert.ok(redactedIps.some((ip) => controllerLog.stdout.includes(ip)), `the controller log names a redacted service address:\n${controllerLog.stdout}`);
    for (const ip of original) assert.ok(!controllerLog.stdout.includes(`"${ip}"`), `original address ${ip} in the controller log`);
    assert.ok(logs!.stdout.length > 0);
  });
});

describe('serve: previous logs and --since-time (mixed-incident: a crash-looping speaker)', { skip: !existsSync(kubectlPath) && 'kubectl is not installed' }, () => {
  it('logs --previous, --tail and --since-time answer as the live simulator did', async () => {
    const ran = await runCollect('mixed-incident', { sinceSeconds: 3650 * 86400 });
    const served = await serveBundle(ran.result.dir);
    const home = await mkdtemp(join(tmpdir(), 'mlb-serve-prev-'));
    try {
      const kc = join(home, 'served.kubeconfig');
      writeFileSync(kc, served.sim.kubeconfig(), { mode: 0o600 });
      const prev = ran.world.logs.find((l) => l.previous && l.lines.length >= 4);
      assert.ok(prev, 'the scenario has a previous log');
      const base = ['logs', '-n', prev.namespace, prev.pod, '-c', prev.container];
      const since = prev.lines[Math.floor(prev.lines.length / 2)]!.ts;
      for (const args of [[...base, '--previous'], [...base, '--previous', '--tail', '3'], [...base, '--previous', `--since-time=${since}`], [...base, '--previous', '--timestamps', '--tail', '2'], base]) {
        const [live, bundle] = await Promise.all([kubectl(ran.sim.kubeconfigPath, home, args), kubectl(kc, home, args)]);
        assert.equal(live.code, 0, live.stderr);
        assert.equal(bundle.code, 0, bundle.stderr);
        assert.ok(live.stdout.length > 0, `${args.join(' ')} prints something`);
        // --timestamps: the same instants (the served ones carry the kubelet's nine digits).
        const instants = (out: string): string => out.replace(/^(\S+Z) /gm, (_m, ts: string) => `${new Date(ts).toISOString()} `);
        assert.equal(instants(bundle.stdout), instants(live.stdout), args.join(' '));
      }
    } finally {
      await served.close();
      await ran.cleanup();
      await rm(home, { recursive: true, force: true });
    }
  });
});

describe('serve: the command', { skip: !existsSync(kubectlPath) && 'kubectl is not installed' }, () => {
  it('prints ready <url> kubeconfig=<path>, kubectl reads through it, SIGTERM ends it cleanly and removes the kubeconfig', async () => {
    const ran = await runCollect('healthy-l2');
    const home = await mkdtemp(join(tmpdir(), 'mlb-serve-cli-'));
    const child = spawn(process.execPath, [join(repoRoot, 'bin', 'mlb-report.js'), 'serve', ran.result.dir, '--port', '0'], { cwd: repoRoot });
    try {
      let stdout = '';
      let stderr = '';
      child.stderr.on('data', (c) => (stderr += c));
      const ready = await new Promise<RegExpExecArray>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`no ready line: ${stdout} ${stderr}`)), 30_000);
        child.stdout.on('data', (c) => {
          stdout += c;
          const m = /^ready (https:\/\/127\.0\.0\.1:\d+) kubeconfig=(\S+)\n/.exec(stdout);
          if (m) {
            clearTimeout(timer);
            resolve(m);
          }
        });
        child.on('exit', () => reject(new Error(`serve exited: ${stderr}`)));
      });
      const kubeconfig = ready[2]!;
      assert.ok(readFileSync(kubeconfig, 'utf8').includes(ready[1]!));
      const r = await kubectl(kubeconfig, home, ['get', 'nodes', '-o', 'name']);
      assert.equal(r.code, 0, r.stderr);
      assert.equal(r.stdout.trim().split('\n').length, worldIndex(ran.world).nodes.length);
      const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
      child.kill('SIGTERM');
      assert.equal(await exited, 0, stderr);
      assert.equal(existsSync(kubeconfig), false, 'the temporary kubeconfig is removed');
    } finally {
      if (child.exitCode === null) child.kill('SIGKILL');
      await ran.cleanup();
      await rm(home, { recursive: true, force: true });
    }
  });
});

// ---------------------------------------------------------------- hostile bundles

/** One ustar entry, built by hand so the hostile name is exactly what the archive says. */
function tarEntry(name: string, data: string): Buffer {
  const h = Buffer.alloc(512);
  const body = Buffer.from(data);
  h.write(name.slice(0, 100), 0, 'utf8');
  h.write('0000644\0', 100);
  h.write('0000000\0', 108);
  h.write('0000000\0', 116);
  h.write(`${body.length.toString(8).padStart(11, '0')}\0`, 124);
  h.write('00000000000\0', 136);
  h.write('        ', 148);
  h.write('0', 156);
  h.write('ustar\0', 257);
  h.write('00', 263);
  let sum = 0;
  for (const b of h) sum += b;
  h.write(`${sum.toString(8).padStart(6, '0')}\0 `, 148);
  return Buffer.concat([h, body, Buffer.alloc((512 - (body.length % 512)) % 512)]);
}

describe('serve: hostile input', () => {
  let dir: string;
  before(async () => {
    dir = await mkdtemp(join(tmpdir(), 'mlb-serve-hostile-'));
  });
  after(() => rm(dir, { recursive: true, force: true }));

  it('a tarball with a tar-slip entry is refused before anything is served, and nothing lands outside', async () => {
    const archive = join(dir, 'a', 'bundle.tar.gz');
    const { mkdirSync } = await import('node:fs');
    mkdirSync(join(dir, 'a'));
    writeFileSync(archive, gzipSync(Buffer.concat([tarEntry('b/manifest.json', '{}'), tarEntry('b/cluster/nodes.json', '{"items":[]}'), tarEntry('../escape.txt', 'pwned'), Buffer.alloc(1024)])));
    await assert.rejects(serveBundle(archive), (e: unknown) => {
      assert.ok(isUserError(e));
      assert.match((e as Error).message, /refusing to serve .*"\.\.\/escape\.txt" \(.*escapes/);
      return true;
    });
    assert.equal(existsSync(join(dir, 'escape.txt')), false);
    assert.equal(existsSync(join(tmpdir(), 'escape.txt')), false);
  });

  it('the command prints the refusal, exits 2 and never prints a ready line', async () => {
    const archive = join(dir, 'slip.tar.gz');
    writeFileSync(archive, gzipSync(Buffer.concat([tarEntry('b/manifest.json', '{}'), tarEntry('b/../../escape2.txt', 'pwned'), Buffer.alloc(1024)])));
    const r = await cli(['serve', archive, '--port', '0']);
    assert.equal(r.code, 2, r.stderr);
    assert.equal(r.stdout, '');
    assert.match(r.stderr, /^error: refusing to serve .*slip\.tar\.gz/m);
  });

  it('sim --scenario <bundle folder> points to serve in one line (exit 2)', async () => {
    const r = await cli(['sim', '--scenario', dir]);
    assert.equal(r.code, 2);
    const lines = r.stderr.trim().split('\n');
    assert.match(lines[0]!, /^error: --scenario ".*" is a folder, not a scenario YAML file; to serve a support bundle to kubectl use `mlb-report serve .*`$/);
    assert.doesNotMatch(r.stderr, /bug/);
  });
});

function cli(args: string[]): Promise<Run> {
  const started = Date.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [join(repoRoot, 'bin', 'mlb-report.js'), ...args], { cwd: repoRoot });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    const timer = setTimeout(() => child.kill('SIGKILL'), 30_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: Date.now() - started });
    });
  });
}

/** A raw POST to the served API (trusting its own CA), for the Status body kubectl does not print whole. */
function post(served: ServedBundle, path: string, body: unknown): Promise<{ code: number; body: any }> {
  return new Promise((resolve, reject) => {
    const url = new URL(path, served.sim.url);
    const req = httpsRequest(url, { method: 'POST', ca: served.sim.caPem, headers: { authorization: `Bearer ${served.sim.token}`, 'content-type': 'application/json' } }, (res) => {
      let text = '';
      res.on('data', (c) => (text += c));
      res.on('end', () => resolve({ code: res.statusCode ?? 0, body: JSON.parse(text) }));
    });
    req.on('error', reject);
    req.end(JSON.stringify(body));
  });
}

/** Speaker pod names and FRR containers of a collected world, by install mode. */
function frrTarget(ran: Ran, mode: string): { namespace: string; pod: string } | undefined {
  const pods = ran.world.objects.filter((o) => o.kind === 'Pod' && ((o.spec?.containers ?? []) as { name: string }[]).some((c) => c.name === 'frr'));
  const pod = mode === 'frr-k8s' ? pods.find((p) => /frr-k8s/.test(p.metadata.name)) : mode === 'frr' ? pods.find((p) => /speaker/.test(p.metadata.name)) : undefined;
  return pod && { namespace: pod.metadata.namespace ?? ns, pod: pod.metadata.name };
}

const detailed = new Set(scenarios.map((s) => s.name));
const others = infrastructureScenarios().filter((n) => !detailed.has(n));

describe('serve: every other built-in scenario with a shape of its own answers kubectl as the live simulator did', { concurrency: 4, skip: !existsSync(kubectlPath) && 'kubectl is not installed' }, () => {
  for (const name of others) {
    it(`${name}: get pods -o wide, get ipaddresspools -A, speaker logs, vtysh summary (FRR modes)`, { timeout: 120_000 }, async () => {
      const mode = String((parseYaml(readFileSync(join(repoRoot, 'fixtures', 'scenarios', `${name}.yaml`), 'utf8')) as { install: { mode: string } }).install.mode);
      const ran = await runCollect(name, { sinceSeconds: 3650 * 86400 });
      const home = await mkdtemp(join(tmpdir(), 'mlb-serve-all-'));
      const served = await serveBundle(ran.result.dir);
      try {
        const kc = join(home, 'served.kubeconfig');
        writeFileSync(kc, served.sim.kubeconfig(), { mode: 0o600 });
        const both = async (args: string[]): Promise<{ live: Run; bundle: Run }> => {
          const [live, bundle] = await Promise.all([kubectl(ran.sim.kubeconfigPath, home, args), kubectl(kc, home, args)]);
          assert.equal(bundle.code, live.code, `${args.join(' ')}: exit ${bundle.code} vs live ${live.code}\n${bundle.stderr}`);
          return { live, bundle };
        };
        const pods = await both(['get', 'pods', '-n', ns, '-o', 'wide']);
        assert.deepEqual(withoutAge(pods.bundle.stdout), withoutAge(pods.live.stdout));
        const pools = await both(['get', 'ipaddresspools', '-A']);
        assert.deepEqual(pools.bundle.stdout ? withoutAge(pools.bundle.stdout) : [], pools.live.stdout ? withoutAge(pools.live.stdout) : []);
        for (const pod of worldIndex(ran.world).speakers.values()) {
          const logs = await both(['logs', '-n', ns, pod, '-c', 'speaker']);
          assert.equal(logs.bundle.stdout, logs.live.stdout, `logs of ${pod}`);
          break;
        }
        const frr = frrTarget(ran, mode);
        if (frr) {
          const summary = await both(['exec', '-n', frr.namespace, frr.pod, '-c', 'frr', '--', 'vtysh', '-c', 'show bgp summary json']);
          // Message counters of a session that keeps trying (hold timer, connect retries) grow between the two reads, as uptimes do.
          const still = (v: unknown): unknown => JSON.parse(JSON.stringify(withoutUptimes(v)), (k, x) => (/^msg(Sent|Rcvd)$/.test(k) ? undefined : x));
          if (summary.live.code === 0) assert.deepEqual(still(JSON.parse(summary.bundle.stdout)), still(JSON.parse(summary.live.stdout)));
        }
      } finally {
        await served.close();
        await ran.cleanup();
        await rm(home, { recursive: true, force: true });
      }
    });
  }
});
