/**
 * Start a simulated API server inside a test:
 *
 *   const sim = await startSim('healthy-frr');            // a scenario name or path (loadScenario)
 *   const sim = await startSim({ world, backend });       // or a hand-built World
 *   ... KUBECONFIG=sim.kubeconfigPath ...
 *   await sim.stop();                                     // server, streams, backend, temp files
 *
 * Also exports a small hand-built MetalLB world and backend (`miniWorld`, `MiniBackend`) for the
 * simulator's own tests.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import https from 'node:https';
import type { IncomingHttpHeaders } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { KubeObject } from '../../src/model/cluster.js';
import { SimClock } from '../../src/sim/clock.js';
import { startSimulator, type Simulator } from '../../src/sim/server/index.js';
import type { ExecBackend, ExecIO, ExecResult, ExecTarget, World } from '../../src/sim/world.js';

export interface StartSimOptions {
  port?: number;
  /** Default namespace of the kubeconfig context. */
  namespace?: string;
  maxGraceMs?: number;
  /** Changes applied to the World before the server starts (faults, latency, objects). */
  mutateWorld?: (world: World) => void;
}

export interface RunningSim {
  url: string;
  kubeconfigPath: string;
  /** Directory for this simulator's temp files (kubeconfig, kubectl cache); removed by stop(). */
  dir: string;
  token: string;
  caPem: string;
  sim: Simulator;
  stop(): Promise<void>;
}

export async function startSim(scenario: string | { world: World; backend: ExecBackend }, opts: StartSimOptions = {}): Promise<RunningSim> {
  let loaded: { world: World; backend: ExecBackend };
  if (typeof scenario === 'string') {
    const { loadScenario } = await import('../../src/sim/scenario/index.js');
    loaded = await loadScenario(scenario);
  } else loaded = scenario;
  opts.mutateWorld?.(loaded.world);
  const sim = await startSimulator({ world: loaded.world, backend: loaded.backend, port: opts.port ?? 0, maxGraceMs: opts.maxGraceMs });
  const dir = mkdtempSync(join(tmpdir(), 'mlb-sim-test-'));
  const kubeconfigPath = join(dir, 'kubeconfig');
  writeFileSync(kubeconfigPath, sim.kubeconfig({ namespace: opts.namespace }), { mode: 0o600 });
  return {
    url: sim.url,
    kubeconfigPath,
    dir,
    token: sim.token,
    caPem: sim.caPem,
    sim,
    async stop() {
      await sim.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

// ---------------------------------------------------------------- a small hand-built world

const created = '2026-11-27T10:00:00Z';

function node(name: string, ip: string): KubeObject {
  return {
    apiVersion: 'v1',
    kind: 'Node',
    metadata: { name, creationTimestamp: created, labels: { 'kubernetes.io/hostname': name, ...(name.endsWith('1') ? { 'node-role.kubernetes.io/control-plane': '' } : {}) } },
    spec: {},
    status: {
      addresses: [
        { type: 'InternalIP', address: ip },
        { type: 'Hostname', address: name },
      ],
      conditions: [{ type: 'Ready', status: 'True', reason: 'KubeletReady', message: 'kubelet is posting ready status', lastHeartbeatTime: created, lastTransitionTime: created }],
      nodeInfo: { kubeletVersion: 'v1.32.4', osImage: 'Debian GNU/Linux 12 (bookworm)', kernelVersion: '6.1.0-28-amd64', containerRuntimeVersion: 'containerd://1.7.24' },
    },
  };
}

function running(name: string, image: string, extra: Record<string, unknown> = {}): any {
  return { name, image, imageID: `${image}@sha256:${'a'.repeat(64)}`, containerID: `containerd://${name.padEnd(64, '0').slice(0, 64)}`, ready: true, restartCount: 0, started: true, state: { running: { startedAt: created } }, lastState: {}, ...extra };
}

function speakerPod(name: string, nodeName: string, ip: string, restarted: boolean): KubeObject {
  const containers = [
    { name: 'speaker', image: 'quay.io/metallb/speaker:v0.14.9', ports: [{ name: 'monitoring', containerPort: 7472 }] },
    { name: 'frr', image: 'quay.io/frrouting/frr:9.1.0' },
    { name: 'reloader', image: 'quay.io/frrouting/frr:9.1.0' },
    { name: 'frr-metrics', image: 'quay.io/frrouting/frr:9.1.0' },
  ];
  return {
    apiVersion: 'v1',
    kind: 'Pod',
    metadata: { name, namespace: 'metallb-system', uid: `uid-${name}`, creationTimestamp: created, labels: { app: 'metallb', component: 'speaker' } },
    spec: { nodeName, hostNetwork: true, containers, serviceAccountName: 'speaker' },
    status: {
      phase: 'Running',
      hostIP: ip,
      podIP: ip,
      podIPs: [{ ip }],
      startTime: created,
      conditions: [
        { type: 'Ready', status: 'True', lastProbeTime: null, lastTransitionTime: created },
        { type: 'ContainersReady', status: 'True', lastProbeTime: null, lastTransitionTime: created },
        { type: 'PodScheduled', status: 'True', lastProbeTime: null, lastTransitionTime: created },
      ],
      containerStatuses: containers.map((c) =>
        running(
          c.name,
          c.image,
          restarted && c.name === 'speaker'
            ? { restartCount: 1, lastState: { terminated: { exitCode: 1, reason: 'Error', startedAt: created, finishedAt: '2026-11-27T10:05:00Z', containerID: 'containerd://old' } } }
            : {},
        ),
      ),
    },
  };
}

/** Two nodes, two speakers (FRR mode), a controller, a pool, an L2 advertisement and a LoadBalancer service. */
export function miniWorld(): World {
  const objects: KubeObject[] = [
    node('node-1', '192.0.2.11'),
    node('node-2', '192.0.2.12'),
    speakerPod('speaker-4vzxk', 'node-1', '192.0.2.11', true),
    speakerPod('speaker-9q2mt', 'node-2', '192.0.2.12', false),
    {
      apiVersion: 'v1',
      kind: 'Pod',
      metadata: { name: 'controller-7d9b8c5f4-x2lzp', namespace: 'metallb-system', creationTimestamp: created, labels: { app: 'metallb', component: 'controller' } },
      spec: { nodeName: 'node-2', containers: [{ name: 'controller', image: 'quay.io/metallb/controller:v0.14.9' }] },
      status: { phase: 'Running', podIP: '10.244.1.5', hostIP: '192.0.2.12', conditions: [{ type: 'Ready', status: 'True' }], containerStatuses: [running('controller', 'quay.io/metallb/controller:v0.14.9')] },
    },
    { apiVersion: 'metallb.io/v1beta1', kind: 'IPAddressPool', metadata: { name: 'default-pool', namespace: 'metallb-system', creationTimestamp: created }, spec: { addresses: ['192.0.2.200-192.0.2.210'], autoAssign: true } },
    { apiVersion: 'metallb.io/v1beta1', kind: 'L2Advertisement', metadata: { name: 'l2', namespace: 'metallb-system', creationTimestamp: created }, spec: { ipAddressPools: ['default-pool'] } },
    { apiVersion: 'metallb.io/v1beta2', kind: 'BGPPeer', metadata: { name: 'tor', namespace: 'metallb-system', creationTimestamp: created }, spec: { myASN: 64512, peerASN: 64513, peerAddress: '192.0.2.1' } },
    {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'web', namespace: 'default', creationTimestamp: created },
      spec: { type: 'LoadBalancer', clusterIP: '10.96.0.20', ports: [{ port: 80, nodePort: 30080, protocol: 'TCP' }], selector: { app: 'web' } },
      status: { loadBalancer: { ingress: [{ ip: '192.0.2.200' }] } },
    },
    {
      apiVersion: 'v1',
      kind: 'Event',
      metadata: { name: 'speaker-4vzxk.1', namespace: 'metallb-system', creationTimestamp: created },
      involvedObject: { kind: 'Pod', name: 'speaker-4vzxk', namespace: 'metallb-system', uid: 'uid-speaker-4vzxk' },
      reason: 'BackOff',
      message: 'Back-off restarting failed container speaker',
      type: 'Warning',
      firstTimestamp: created,
      lastTimestamp: created,
      count: 1,
      source: { component: 'kubelet', host: 'node-1' },
    },
  ];
  const speakerLines = Array.from({ length: 10 }, (_, i) => ({
    ts: `2026-11-27T10:0${i}:00.000000000Z`,
    text: JSON.stringify({ caller: 'service_controller.go:64', level: 'info', msg: `line ${i + 1}` }),
  }));
  return {
    name: 'mini',
    kubernetesVersion: 'v1.32.4',
    objects,
    logs: [
      { namespace: 'metallb-system', pod: 'speaker-4vzxk', container: 'speaker', lines: speakerLines },
      { namespace: 'metallb-system', pod: 'speaker-4vzxk', container: 'speaker', previous: true, lines: [{ ts: '2026-11-27T09:59:00.000000000Z', text: 'previous instance crashed' }] },
      { namespace: 'metallb-system', pod: 'speaker-4vzxk', container: 'frr', lines: [{ ts: '2026-11-27T10:00:00.000000000Z', text: 'frr started' }] },
    ],
    metrics: [
      { namespace: 'metallb-system', pod: 'speaker-4vzxk', port: 7472, scheme: 'http', path: '/metrics', body: 'metallb_bgp_session_up{peer="192.0.2.1:179"} 1\n' },
      { namespace: 'metallb-system', pod: 'speaker-9q2mt', port: 9120, scheme: 'https', path: '/metrics', body: 'x 1\n', requiresToken: true },
    ],
    faults: [],
    // Its objects and logs were stamped in the morning of 27 November: the world's clock stands
    // three hours later, whatever day the test runs.
    clock: new SimClock('2026-11-27T13:00:00Z'),
  };
}

export const bgpSummaryJson = JSON.stringify({ ipv4Unicast: { routerId: '192.0.2.11', as: 64512, peerCount: 1, peers: { '192.0.2.1': { remoteAs: 64513, state: 'Established', pfxRcd: 0, pfxSnt: 1 } } } });

/**
 * A backend answering a few commands: `vtysh -c 'show bgp summary json'`, `ip -j addr`, `echo`,
 * `cat` (echoes stdin), `exit N`, `bytes N` (N bytes of output), `stderr TEXT`; anything else → 127.
 */
export class MiniBackend implements ExecBackend {
  readonly kind = 'replay' as const;
  readonly calls: { target: ExecTarget; argv: string[] }[] = [];
  closed = false;

  async run(target: ExecTarget, argv: string[], io: ExecIO): Promise<ExecResult> {
    this.calls.push({ target, argv });
    if (target.distroless) return { exitCode: 128, startError: `exec: "${argv[0]}": executable file not found in $PATH` };
    const [cmd, ...args] = argv;
    switch (cmd) {
      case 'vtysh':
        if (args.join(' ') === '-c show bgp summary json') {
          io.stdout(`${bgpSummaryJson}\n`);
          return { exitCode: 0 };
        }
        io.stderr('% Unknown command\n');
        return { exitCode: 1 };
      case 'ip':
        io.stdout(`${JSON.stringify([{ ifindex: 1, ifname: 'lo', addr_info: [{ family: 'inet', local: '127.0.0.1', prefixlen: 8 }] }, { ifindex: 2, ifname: 'eth0', addr_info: [{ family: 'inet', local: target.node === 'node-1' ? '192.0.2.11' : '192.0.2.12', prefixlen: 24 }] }])}\n`);
        return { exitCode: 0 };
      case 'echo':
        io.stdout(`${args.join(' ')}\n`);
        return { exitCode: 0 };
      case 'stderr':
        io.stderr(`${args.join(' ')}\n`);
        return { exitCode: 0 };
      case 'exit':
        return { exitCode: Number(args[0] ?? 0) };
      case 'bytes':
        io.stdout(Buffer.alloc(Number(args[0] ?? 0), 0x61));
        return { exitCode: 0 };
      case 'cat':
        if (io.stdin) for await (const chunk of io.stdin) io.stdout(chunk);
        return { exitCode: 0 };
      case 'wait-abort':
        await new Promise<void>((resolve) => (io.signal.aborted ? resolve() : io.signal.addEventListener('abort', () => resolve(), { once: true })));
        return { exitCode: 137 };
      default:
        io.stderr(`sh: ${cmd}: not found\n`);
        return { exitCode: 127 };
    }
  }

  async close(): Promise<void> {
    this.closed = true;
  }
}

export function miniSim(opts: StartSimOptions = {}): Promise<RunningSim & { backend: MiniBackend }> {
  const backend = new MiniBackend();
  return startSim({ world: miniWorld(), backend }, opts).then((s) => Object.assign(s, { backend }));
}

// ---------------------------------------------------------------- raw HTTPS calls against a simulator


export interface ApiResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
  json: any;
}

export interface ApiRequestOptions {
  body?: unknown;
  contentType?: string;
  accept?: string;
  headers?: Record<string, string>;
  /** Send no Authorization header. */
  anonymous?: boolean;
}

/** One request to the simulator with its CA and token; JSON bodies are encoded unless a Buffer/string is given. */
export function api(sim: Pick<RunningSim, 'url' | 'caPem' | 'token'>, method: string, path: string, opts: ApiRequestOptions = {}): Promise<ApiResponse> {
  const url = new URL(path, sim.url);
  const body = opts.body === undefined ? undefined : Buffer.isBuffer(opts.body) ? opts.body : Buffer.from(typeof opts.body === 'string' ? opts.body : JSON.stringify(opts.body));
  return new Promise((resolve, reject) => {
    const req = https.request(
      url,
      {
        method,
        ca: sim.caPem,
        headers: {
          ...(opts.anonymous ? {} : { Authorization: `Bearer ${sim.token}` }),
          ...(opts.accept ? { Accept: opts.accept } : {}),
          ...(body ? { 'Content-Type': opts.contentType ?? 'application/json', 'Content-Length': String(body.length) } : {}),
          ...opts.headers,
        },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let json: any;
          try {
            json = JSON.parse(text);
          } catch {
            json = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, json });
        });
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    if (body) req.write(body);
    req.end();
  });
}

/** Opens a watch and collects its newline-delimited events until `until` says stop (or timeoutMs). */
export function watchEvents(sim: Pick<RunningSim, 'url' | 'caPem' | 'token'>, path: string, until: (events: any[]) => boolean, timeoutMs = 5000, accept?: string): Promise<any[]> {
  const url = new URL(path, sim.url);
  return new Promise((resolve, reject) => {
    const events: any[] = [];
    let buffered = '';
    let done = false;
    const finish = (): void => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      req.destroy();
      resolve(events);
    };
    const timer = setTimeout(finish, timeoutMs);
    const req = https.request(url, { ca: sim.caPem, headers: { Authorization: `Bearer ${sim.token}`, ...(accept ? { Accept: accept } : {}) } }, (res) => {
      res.on('data', (c: Buffer) => {
        buffered += c.toString('utf8');
        let nl: number;
        while ((nl = buffered.indexOf('\n')) >= 0) {
          const line = buffered.slice(0, nl);
          buffered = buffered.slice(nl + 1);
          if (line.trim()) events.push(JSON.parse(line));
        }
        if (until(events)) finish();
      });
      res.on('end', finish);
      res.on('error', () => finish());
    });
    req.on('error', (e) => (done ? undefined : reject(e)));
    req.end();
  });
}
