import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { api, miniSim, startSim, type RunningSim } from '../helpers/sim.js';
import { kubectlPath, runKubectl, type KubectlRun } from '../helpers/kubectl.js';

const ns = 'metallb-system';

describe('real kubectl against the simulator', { skip: !existsSync(kubectlPath) && 'kubectl is not installed' }, () => {
  let sim: RunningSim;
  let cacheDir: string;
  before(async () => {
    sim = await miniSim({ mutateWorld: (w) => w.faults.push({ type: 'rbac-deny', verb: 'list', resource: 'secrets', namespace: ns }) });
    cacheDir = join(sim.dir, 'kube-cache');
  });
  after(() => sim.stop());

  const kubectl = (args: string[], timeoutMs = 20_000): Promise<KubectlRun> => runKubectl(sim.kubeconfigPath, sim.dir, args, timeoutMs);

  it('get pods -o wide prints the server Table', async () => {
    const r = await kubectl(['get', 'pods', '-n', ns, '-o', 'wide']);
    assert.equal(r.code, 0, r.stderr);
    const lines = r.stdout.trim().split('\n');
    assert.match(lines[0]!, /^NAME\s+READY\s+STATUS\s+RESTARTS\s+AGE\s+IP\s+NODE\s+NOMINATED NODE\s+READINESS GATES$/);
    assert.match(r.stdout, /speaker-4vzxk\s+4\/4\s+Running\s+1 \(\S+ ago\)\s+\S+\s+192\.0\.2\.11\s+node-1\s+<none>\s+<none>/);
    assert.match(r.stdout, /controller-7d9b8c5f4-x2lzp\s+1\/1\s+Running\s+0\s+\S+\s+10\.244\.1\.5\s+node-2/);
  });

  it('get ipaddresspools,l2advertisements -A prints both CRs with their printer columns', async () => {
    const r = await kubectl(['get', 'ipaddresspools,l2advertisements', '-A']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /NAMESPACE\s+NAME\s+AUTO ASSIGN\s+AVOID BUGGY IPS\s+ADDRESSES/);
    assert.match(r.stdout, /metallb-system\s+ipaddresspool\.metallb\.io\/default-pool\s+true\s+\["192\.0\.2\.200-192\.0\.2\.210"\]/);
    assert.match(r.stdout, /metallb-system\s+l2advertisement\.metallb\.io\/l2\s+\["default-pool"\]/);
  });

  it('describe pod shows the node, containers and events', async () => {
    const r = await kubectl(['describe', 'pod', '-n', ns, 'speaker-4vzxk']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^Name:\s+speaker-4vzxk$/m);
    assert.match(r.stdout, /^Node:\s+node-1\/192\.0\.2\.11$/m);
    assert.match(r.stdout, /^\s+frr:$/m);
    assert.match(r.stdout, /Warning\s+BackOff\s+\S+\s+kubelet\s+Back-off restarting failed container speaker/);
  });

  it('logs honours --tail, -c and --previous, and reports errors like a real server', async () => {
    const tail = await kubectl(['logs', '-n', ns, 'speaker-4vzxk', '-c', 'speaker', '--tail', '2']);
    assert.equal(tail.code, 0, tail.stderr);
    assert.deepEqual(tail.stdout.trim().split('\n').map((l) => JSON.parse(l).msg), ['line 9', 'line 10']);
    const frr = await kubectl(['logs', '-n', ns, 'speaker-4vzxk', '-c', 'frr']);
    assert.equal(frr.stdout, 'frr started\n');
    const prev = await kubectl(['logs', '-n', ns, 'speaker-4vzxk', '-c', 'speaker', '--previous']);
    assert.equal(prev.stdout, 'previous instance crashed\n');
    const noPrev = await kubectl(['logs', '-n', ns, 'speaker-9q2mt', '-c', 'speaker', '--previous']);
    assert.equal(noPrev.code, 1);
    assert.match(noPrev.stderr, /Error from server \(BadRequest\): previous terminated container "speaker" in pod "speaker-9q2mt" not found/);
  });

  it('exec -c frr -- vtysh -c "show bgp summary json" returns the JSON; exit codes pass through', async () => {
    const r = await kubectl(['exec', '-n', ns, 'speaker-4vzxk', '-c', 'frr', '--', 'vtysh', '-c', 'show bgp summary json']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(JSON.parse(r.stdout).ipv4Unicast.peers['192.0.2.1'].state, 'Established');
    const fail = await kubectl(['exec', '-n', ns, 'speaker-4vzxk', '-c', 'frr', '--', 'exit', '3']);
    assert.equal(fail.code, 3);
    assert.match(fail.stderr, /command terminated with exit code 3/);
    const distroless = await kubectl(['exec', '-n', ns, 'speaker-4vzxk', '-c', 'speaker', '--', 'ls']);
    assert.equal(distroless.code, 1);
    assert.match(distroless.stderr, /executable file not found in \$PATH/);
    const wrong = await kubectl(['exec', '-n', ns, 'speaker-4vzxk', '-c', 'nope', '--', 'ls']);
    assert.equal(wrong.code, 1);
    assert.match(wrong.stderr, /Error from server \(BadRequest\): container nope is not valid for pod speaker-4vzxk/);
  });

  it('debug -i --target --profile=netadmin runs the command in an ephemeral container that ends terminated', async () => {
    const r = await kubectl(['debug', '-n', ns, '-i', 'speaker-4vzxk', '--image=nicolaka/netshoot', '--target=speaker', '--profile=netadmin', '--', 'ip', '-j', 'addr']);
    assert.equal(r.code, 0, r.stderr);
    const jsonLine = r.stdout.split('\n').find((l) => l.startsWith('['));
    const addrs = JSON.parse(jsonLine!);
    assert.equal(addrs.find((a: any) => a.ifname === 'eth0').addr_info[0].local, '192.0.2.11');
    const name = /Defaulting debug container name to (debugger-[a-z0-9]{5})\./.exec(r.stdout)?.[1];
    assert.ok(name, r.stdout);
    const pod = (await api(sim, 'GET', `/api/v1/namespaces/${ns}/pods/speaker-4vzxk`)).json;
    const spec = pod.spec.ephemeralContainers.find((c: any) => c.name === name);
    assert.deepEqual(spec.securityContext, { capabilities: { add: ['NET_ADMIN', 'NET_RAW'] } });
    assert.equal(spec.targetContainerName, 'speaker');
    const status = pod.status.ephemeralContainerStatuses.find((s: any) => s.name === name);
    assert.equal(status.state.terminated.reason, 'Completed');
    assert.equal(status.state.terminated.exitCode, 0);
  });

  it('debug node/NAME creates a node debug pod (protobuf POST) that runs and completes', async () => {
    const r = await kubectl(['debug', '-n', 'default', 'node/node-2', '-i', '--image=busybox', '--profile=general', '--', 'ip', '-j', 'addr']);
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /Creating debugging pod node-debugger-node-2-[a-z0-9]{5} with container debugger on node node-2\./);
    assert.match(r.stdout, /192\.0\.2\.12/);
  });

  it('wait --for=condition=Ready returns once the pod is ready', async () => {
    const r = await kubectl(['wait', '-n', ns, '--for=condition=Ready', 'pod/speaker-9q2mt', '--timeout=10s']);
    assert.equal(r.code, 0, r.stderr);
    assert.equal(r.stdout.trim(), 'pod/speaker-9q2mt condition met');
  });

  it('get pods -w prints a row when the pod changes through the API', async () => {
    const child = spawn(kubectlPath, ['--cache-dir', cacheDir, 'get', 'pods', '-n', ns, '-w'], { env: { ...process.env, KUBECONFIG: sim.kubeconfigPath, HOME: sim.dir } });
    let stdout = '';
    const seen = (pattern: RegExp, ms: number): Promise<boolean> =>
      new Promise((resolve) => {
        const check = (): void => {
          if (pattern.test(stdout)) {
            clearTimeout(timer);
            child.stdout.off('data', check);
            resolve(true);
          }
        };
        const timer = setTimeout(() => {
          child.stdout.off('data', check);
          resolve(false);
        }, ms);
        child.stdout.on('data', check);
        check();
      });
    child.stdout.on('data', (c) => (stdout += c));
    try {
      assert.ok(await seen(/speaker-9q2mt/, 10_000), 'initial list printed');
      const before = stdout.split('\n').filter((l) => l.startsWith('speaker-9q2mt')).length;
      await api(sim, 'PATCH', `/api/v1/namespaces/${ns}/pods/speaker-9q2mt/ephemeralcontainers`, {
        contentType: 'application/strategic-merge-patch+json',
        body: { spec: { ephemeralContainers: [{ name: 'watched', image: 'busybox', command: ['sleep', '60'] }] } },
      });
      const more = new RegExp(`(^speaker-9q2mt.*\\n[^]*){${before + 1}}`, 'm');
      assert.ok(await seen(more, 10_000), `a new speaker-9q2mt row after the change:\n${stdout}`);
    } finally {
      child.kill('SIGTERM');
    }
  });

  it('auth can-i answers through SelfSubjectAccessReview, and a denied list prints Forbidden', async () => {
    const no = await kubectl(['auth', 'can-i', 'list', 'secrets', '-n', ns]);
    assert.equal(no.code, 1);
    assert.equal(no.stdout.trim(), 'no');
    const yes = await kubectl(['auth', 'can-i', 'create', 'pods', '--subresource=exec', '-n', ns]);
    assert.equal(yes.code, 0);
    assert.equal(yes.stdout.trim(), 'yes');
    const denied = await kubectl(['get', 'secrets', '-n', ns]);
    assert.equal(denied.code, 1);
    assert.match(denied.stderr, /Error from server \(Forbidden\): secrets is forbidden: User "[^"]+" cannot list resource "secrets" in API group "" in the namespace "metallb-system"/);
  });

  it('debug --copy-to --replace creates a running copy (protobuf POST) and deletes the original (protobuf DeleteOptions)', async () => {
    const r = await kubectl(['debug', '-n', ns, 'controller-7d9b8c5f4-x2lzp', '--copy-to=controller-copy', '--replace', '--image=busybox', '--container=dbg', '--profile=general', '--', 'sleep', '30']);
    assert.equal(r.code, 0, r.stderr);
    let copy: any;
    for (let i = 0; i < 100; i++) {
      copy = (await api(sim, 'GET', `/api/v1/namespaces/${ns}/pods/controller-copy`)).json;
      if (copy.status?.containerStatuses?.length === 2 && copy.status.containerStatuses.every((c: any) => c.state.running)) break;
      await new Promise((res) => setTimeout(res, 30));
    }
    assert.deepEqual(copy.spec.containers.map((c: any) => c.name), ['controller', 'dbg']);
    assert.ok(copy.status.containerStatuses.every((c: any) => c.state.running), JSON.stringify(copy.status));
    assert.equal((await api(sim, 'GET', `/api/v1/namespaces/${ns}/pods/controller-7d9b8c5f4-x2lzp`)).status, 404);
  });

  it('get on a missing pod prints the NotFound Status and exits 1', async () => {
    const r = await kubectl(['get', 'pod', '-n', ns, 'nosuch']);
    assert.equal(r.code, 1);
    assert.equal(r.stderr.trim(), 'Error from server (NotFound): pods "nosuch" not found');
  });
});

describe('real kubectl against a built-in scenario', { skip: !existsSync(kubectlPath) && 'kubectl is not installed' }, () => {
  let sim: RunningSim;
  before(async () => {
    sim = await startSim('healthy-l2');
  });
  after(() => sim?.stop());

  it('lists the MetalLB pods and debugs a speaker through an ephemeral container', async () => {
    const env = { ...process.env, KUBECONFIG: sim.kubeconfigPath, HOME: sim.dir };
    const run = (args: string[]): Promise<Omit<KubectlRun, 'ms'>> =>
      new Promise((resolve) => {
        const child = spawn(kubectlPath, ['--cache-dir', join(sim.dir, 'cache'), ...args], { env });
        let stdout = '';
        let stderr = '';
        child.stdout.on('data', (c) => (stdout += c));
        child.stderr.on('data', (c) => (stderr += c));
        child.on('close', (code) => resolve({ code, stdout, stderr }));
      });
    const list = await run(['get', 'pods', '-n', ns, '-l', 'component=speaker', '-o', 'wide']);
    assert.equal(list.code, 0, list.stderr);
    const speakers = list.stdout.trim().split('\n').slice(1);
    assert.ok(speakers.length > 0);
    assert.ok(speakers.every((l) => /\s(\d+)\/\1\s+Running\s/.test(l)), list.stdout);
    const speaker = speakers[0]!.split(/\s+/)[0]!;
    const debug = await run(['debug', '-n', ns, '-i', speaker, '--image=nicolaka/netshoot', '--target=speaker', '--profile=netadmin', '--', 'ip', '-j', 'addr']);
    assert.equal(debug.code, 0, debug.stderr);
    const json = debug.stdout.split('\n').find((l) => l.startsWith('['));
    assert.ok(Array.isArray(JSON.parse(json!)), debug.stdout);
  });
});
