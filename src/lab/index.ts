/**
 * The lab ExecBackend: a scenario's data plane built for real. One network namespace per node and
 * per router, all on one bridge that lives in its own namespace (nothing touches the root
 * namespace), FRR (zebra, bfdd, bgpd) per FRR node with the config MetalLB would render, FRR on
 * every router, LoadBalancer IPs bound where the scenario says, and `run()` answering exec by
 * running the command inside the node's namespace. `close()` removes every namespace and process
 * the lab made, also after a failed start and on SIGINT/SIGTERM. Recipe: shared/docs/lab.md.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, writeFileSync, chmodSync, chownSync, readFileSync, rmSync, symlinkSync, realpathSync, existsSync, readdirSync, readlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, basename } from 'node:path';
import { randomBytes } from 'node:crypto';
import type { ExecBackend, ExecIO, ExecResult, ExecTarget, World } from '../sim/world.js';
import { UserError, ExitCode, errorMessage } from '../util/errors.js';
import { poolEntryContains, splitIntegratedConfig } from '../sim/scenario/metallb-frr-config.js';
import { answerProbes, answerRules } from '../sim/scenario/datapath.js';
import type { SimModel } from '../sim/scenario/model.js';
import { buildPlan, type LabPlan, type PlannedNode, type PlannedRouter, type PlannedSession } from './plan.js';
import { mustRun, runCommand, pidIsOurs, pidAlive, signalPid, signalGroup, waitExited, findExecutable, pollUntil } from './proc.js';

export interface LabTimings {
  /** Namespaces, bridge, veths, addresses, sysctls. */
  topologyMs: number;
  /** FRR daemons started and configs applied on routers and nodes. */
  frrMs: number;
  /** Start of createLabBackend → every session in its expected state (set when `ready` resolves). */
  readyMs?: number;
  teardownMs?: number;
}

export interface LabDescription {
  prefix: string;
  workDir: string;
  mode: LabPlan['mode'];
  /** Every namespace this lab created (bridge, nodes, routers, pod network). */
  namespaces: string[];
  nodes: { name: string; namespace: string; ip: string; mac: string; frr: boolean; l2Ips: string[]; bgpIps: string[] }[];
  /** `frozen`: a daemon of this router is stopped on purpose (bgpdStopped / bfdStopped). */
  routers: { name: string; namespace: string; address: string; asn: number; mac: string; frozen: boolean }[];
  sessions: PlannedSession[];
  /** Every PID the lab started that may still be alive (daemons, listeners, running execs). */
  pids: number[];
  /** FRR's zlog directories under /var/tmp/frr that belong to this lab's daemons. */
  zlogDirs: string[];
  timings: LabTimings;
  closed: boolean;
}

export interface LabOptions {
  /** Namespace prefix (≤ 10 characters of [a-z0-9-]); default `mlb<6 hex>-`. */
  prefix?: string;
  /** Work directory for FRR configs, sockets, logs; default a fresh temp dir (removed on close). */
  workDir?: string;
  log?: (line: string) => void;
  /** Upper bound for `ready`; default 30 s plus the longest hold time the scenario waits for. */
  readyTimeoutMs?: number;
  /**
   * The scenario's model: the connect probes and the kube-proxy rules script are answered from it
   * (the lab builds no API server ClusterIP, no pods and no netfilter rules; docs/lab-backend.md).
   * Without it they run for real in the namespaces.
   */
  model?: SimModel;
}

export type LabBackend = ExecBackend & { ready: Promise<void>; describe(): LabDescription };

const frrBin = '/usr/lib/frr';
const connectProbeMarker = '# mlb-report connect probes';
const rulesMarker = '# mlb-report data-path rules';
/** Executables the FRR image ships (Alpine + bash, busybox, iproute2, python3, vtysh); no tcpdump, no arping. */
const frrImageTools = new Set(['vtysh', 'cat', 'ls', 'ip', 'ss', 'sh', 'bash', 'grep', 'head', 'tail', 'echo', 'test', 'ps', 'python3', 'env', 'true', 'false', 'sleep', 'date', 'wc', 'sed', 'awk', 'find', 'stat', 'base64', 'timeout']);
const frrContainers = new Set(['frr', 'reloader', 'frr-metrics', 'frr-status']);

/** Labs that are up in this process, so a signal or exit can still tear them down. */
const openLabs = new Set<Lab>();
let handlersInstalled = false;

function installSignalHandlers(): void {
  if (handlersInstalled) return;
  handlersInstalled = true;
  const onSignal = (sig: NodeJS.Signals): void => {
    // Only take over the exit when nobody else handles the signal (`mlb-report sim` does, and
    // exits 0 once it has closed the lab). Counted now: a handler that has done its part may be
    // gone by the time the teardown ends.
    const othersHandle = process.listenerCount(sig) > 1;
    const closing = [...openLabs].map((l) => l.close().catch(() => undefined));
    void Promise.all(closing).then(() => {
      if (!othersHandle) process.exit(sig === 'SIGINT' ? ExitCode.interrupted : 143);
    });
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);
  // Last resort when the process exits without close(): synchronous kill + namespace removal.
  process.on('exit', () => {
    for (const l of openLabs) l.closeSync();
  });
}

function requireRoot(): void {
  if (typeof process.getuid !== 'function' || process.getuid() !== 0) {
    throw new UserError('the lab backend needs root (it creates network namespaces and runs FRR)', 'run as root, or use the replay backend (--backend replay)', ExitCode.usage);
  }
  for (const tool of [`${frrBin}/zebra`, `${frrBin}/bgpd`, `${frrBin}/bfdd`]) {
    if (!existsSync(tool)) throw new UserError(`${tool} is missing`, 'install FRR: apt-get install -y frr', ExitCode.usage);
  }
  for (const tool of ['ip', 'vtysh', 'tcpdump', 'arping']) {
    if (!findExecutable(tool)) throw new UserError(`${tool} is not installed`, 'install the lab tools: apt-get install -y iproute2 frr tcpdump iputils-arping', ExitCode.usage);
  }
}

function frrUid(): { uid: number; gid: number } {
  const passwd = readFileSync('/etc/passwd', 'utf8').split('\n').find((l) => l.startsWith('frr:'));
  if (!passwd) throw new UserError('user frr does not exist', 'install FRR: apt-get install -y frr');
  const [, , uid, gid] = passwd.split(':');
  return { uid: Number(uid), gid: Number(gid) };
}

function chownTree(path: string, uid: number, gid: number): void {
  chownSync(path, uid, gid);
}

class Lab implements LabBackend {
  readonly kind = 'lab' as const;
  ready: Promise<void> = Promise.resolve();
  private readonly started = Date.now();
  private readonly timings: LabTimings = { topologyMs: 0, frrMs: 0 };
  private readonly namespaces: string[] = [];
  /** PID → marker its /proc cmdline must contain before we signal it. */
  private readonly daemons = new Map<number, string>();
  private readonly zlogDirs = new Map<number, string>();
  private readonly listeners = new Set<number>();
  private readonly running = new Set<number>();
  private readonly stopped = new Set<number>();
  private closing: Promise<void> | undefined;
  private closed = false;
  private readonly ownWorkDir: boolean;
  readonly workDir: string;
  private readonly log: (line: string) => void;
  private readonly frrUser = frrUid();
  readonly plan: LabPlan;
  /** See LabOptions.model. */
  synthesized?: SimModel;

  constructor(
    world: World,
    readonly prefix: string,
    workDir: string | undefined,
    log: ((line: string) => void) | undefined,
  ) {
    this.plan = buildPlan(world);
    this.log = log ?? (() => undefined);
    this.ownWorkDir = !workDir;
    this.workDir = workDir ?? mkdtempSync(join(tmpdir(), 'mlb-lab-'));
    mkdirSync(this.workDir, { recursive: true });
    // FRR drops to user frr and must reach its directories below the work dir.
    chmodSync(this.workDir, 0o755);
  }

  ns(suffix: string): string {
    return `${this.prefix}${suffix}`;
  }
  private get bridgeNs(): string {
    return this.ns('br');
  }
  private get podNs(): string {
    return this.ns('pod');
  }
  frrDir(suffix: string): string {
    return join(this.workDir, 'frr', suffix);
  }
  private nodeTmp(suffix: string): string {
    return join(this.workDir, 'tmp', suffix);
  }

  // ------------------------------------------------------------ set-up

  async start(readyTimeoutMs?: number): Promise<void> {
    if (process.env.MLB_LAB_KEEP) this.log(`lab ${this.prefix}: work dir ${this.workDir}`);
    const t0 = Date.now();
    await this.buildTopology();
    this.timings.topologyMs = Date.now() - t0;
    const t1 = Date.now();
    await this.startFrr();
    await this.startListeners();
    this.timings.frrMs = Date.now() - t1;
    this.log(`lab ${this.prefix}: topology ${this.timings.topologyMs} ms, FRR ${this.timings.frrMs} ms`);
    const maxHold = Math.max(0, ...this.plan.nodes.flatMap((n) => n.frrModel?.routers.flatMap((r) => r.neighbors.map((nb) => nb.holdTime ?? 180)) ?? []));
    // Generous: BFD start-up alone takes ~8 s on a quiet machine and several times that on a busy
    // 2-core CI runner; the budget only bounds a lab that will never be ready.
    const timeout = readyTimeoutMs ?? 90_000 + (this.plan.routers.some((r) => r.bgpdStopped) ? maxHold * 1000 : 0);
    this.ready = this.waitReady(timeout).then(() => {
      this.timings.readyMs = Date.now() - this.started;
      this.log(`lab ${this.prefix}: ready after ${this.timings.readyMs} ms`);
    });
    // The caller may never await `ready`; a failure then must not become an unhandled rejection.
    this.ready.catch(() => undefined);
  }

  private async ipn(ns: string, args: string[]): Promise<void> {
    await mustRun(['ip', '-n', ns, ...args]);
  }

  /** `ip -batch` per namespace keeps the number of processes (and the set-up time) low. */
  private async batch(ns: string | undefined, lines: string[]): Promise<void> {
    if (lines.length === 0) return;
    await mustRun(ns ? ['ip', '-n', ns, '-batch', '-'] : ['ip', '-batch', '-'], { input: lines.join('\n') + '\n' });
  }

  private async addNamespace(name: string): Promise<void> {
    await mustRun(['ip', 'netns', 'add', name]);
    this.namespaces.push(name);
  }

  private async buildTopology(): Promise<void> {
    const p = this.plan;
    await this.addNamespace(this.bridgeNs);
    await this.batch(this.bridgeNs, ['link set lo up', 'link add br0 type bridge', 'link set br0 up']);
    await this.addNamespace(this.podNs);
    await this.batch(this.podNs, ['link set lo up']);
    const hosts: { suffix: string; ip: string; mac: string }[] = [...p.nodes.map((n) => ({ suffix: n.suffix, ip: n.ip, mac: n.mac })), ...p.routers.map((r) => ({ suffix: r.suffix, ip: r.address, mac: r.mac }))];
    for (const h of hosts) await this.addNamespace(this.ns(h.suffix));
    // veth pairs are created with both ends already inside their namespaces.
    await this.batch(
      undefined,
      hosts.map((h) => `link add ${p.iface} netns ${this.ns(h.suffix)} type veth peer name p-${h.suffix} netns ${this.bridgeNs}`),
    );
    await this.batch(
      this.bridgeNs,
      hosts.flatMap((h) => [`link set p-${h.suffix} master br0`, `link set p-${h.suffix} up`]),
    );
    await Promise.all(
      hosts.map((h) => {
        const lines = ['link set lo up', `link set ${p.iface} address ${h.mac}`, `link set ${p.iface} up`];
        if (poolEntryContains(p.segment, h.ip)) {
          lines.push(`addr add ${h.ip}/${p.prefixLen} dev ${p.iface}`);
          for (const range of p.onLinkRanges) lines.push(`route add ${range} dev ${p.iface}`);
        } else {
          // A routed peer (203.0.113.0/24): its own /24 on the shared wire, the node segment on-link.
          lines.push(`addr add ${h.ip}/24 dev ${p.iface}`, `route add ${p.segment} dev ${p.iface}`);
        }
        const node = p.nodes.find((n) => n.suffix === h.suffix);
        if (node) {
          for (const ip of node.l2Ips) lines.push(`addr add ${ip}/32 dev ${p.iface}`);
          for (const ip of node.bgpIps) lines.push(`addr add ${ip}/32 dev lo`);
          if (node.ipvsIps.length) {
            // No dummy interfaces in this kernel: an empty bridge stands in for kube-proxy's kube-ipvs0 (DOWN, like the real one).
            lines.push('link add kube-ipvs0 type bridge');
            for (const ip of node.ipvsIps) lines.push(`addr add ${ip}/32 dev kube-ipvs0`);
          }
        }
        return this.batch(this.ns(h.suffix), lines);
      }),
    );
    for (const node of p.nodes) {
      const sysctls = Object.entries(node.override.sysctls ?? {});
      if (sysctls.length) {
        for (const [k, v] of sysctls) {
          if (!/^[a-z0-9_.*-]+$/i.test(k) || !/^[\w.-]+$/.test(v)) throw new UserError(`invalid sysctl ${k}=${v} for node ${node.name}`, 'use names like net.ipv4.conf.all.arp_ignore and plain values');
        }
        await mustRun(['ip', 'netns', 'exec', this.ns(node.suffix), 'sysctl', '-q', '-w', ...sysctls.map(([k, v]) => `${k}=${v}`)]);
      }
    }
    mkdirSync(join(this.workDir, 'tmp'), { recursive: true });
    for (const n of [...p.nodes.map((x) => x.suffix), 'pod']) {
      mkdirSync(this.nodeTmp(n), { recursive: true });
      // tcpdump drops to its own user before it writes the capture file.
      chmodSync(this.nodeTmp(n), 0o1777);
    }
  }

  /** Links the scenario takes down, applied after FRR started so daemons see a real link loss. */
  private async applyLinksDown(): Promise<void> {
    for (const node of this.plan.nodes) {
      for (const link of node.override.linksDown ?? []) {
        if (!/^[\w.@-]{1,15}$/.test(link)) throw new UserError(`invalid interface name ${link} for node ${node.name}`, 'use a Linux interface name such as eth0');
        await this.ipn(this.ns(node.suffix), ['link', 'set', link, 'down']);
      }
    }
  }

  private writeFrrFiles(suffix: string, hostname: string, daemonConfigs: Record<string, string>, integrated?: string): string {
    const d = this.frrDir(suffix);
    const etc = join(d, 'etc');
    const run = join(d, 'run');
    const reloader = join(d, 'reloader');
    for (const dir of [d, etc, run, reloader]) mkdirSync(dir, { recursive: true });
    mkdirSync(join(this.workDir, 'frr'), { recursive: true });
    for (const [daemon, conf] of Object.entries(daemonConfigs)) writeFileSync(join(d, `${daemon}.conf`), conf);
    writeFileSync(join(etc, 'vtysh.conf'), `service integrated-vtysh-config\nhostname ${hostname}\n`);
    writeFileSync(join(etc, 'daemons'), 'zebra=yes\nbgpd=yes\nbfdd=yes\nstaticd=yes\n');
    if (integrated !== undefined) {
      writeFileSync(join(etc, 'frr.conf'), integrated, { mode: 0o600 });
      writeFileSync(join(reloader, 'frr.conf'), integrated, { mode: 0o600 });
    }
    const { uid, gid } = this.frrUser;
    chownTree(join(this.workDir, 'frr'), uid, gid);
    for (const dir of [d, etc, run, reloader]) chownTree(dir, uid, gid);
    for (const f of [...Object.keys(daemonConfigs).map((x) => `${x}.conf`)]) chownTree(join(d, f), uid, gid);
    return d;
  }

  private async startDaemons(suffix: string, opts: { bgpListen: boolean; staticd?: boolean }): Promise<void> {
    const ns = this.ns(suffix);
    const d = this.frrDir(suffix);
    const run = join(d, 'run');
    const common = ['-d', '-u', 'frr', '-g', 'frr', '--vty_socket', run, '-P', '0'];
    const exec = (daemon: string, extra: string[]): Promise<string> =>
      mustRun(['ip', 'netns', 'exec', ns, `${frrBin}/${daemon}`, ...common, '-f', join(d, `${daemon}.conf`), '-i', join(run, `${daemon}.pid`), '-z', join(run, 'zserv.api'), '--log', `file:${join(d, `${daemon}.log`)}`, ...extra]);
    const t0 = Date.now();
    await exec('zebra', []);
    const t1 = Date.now();
    await this.recordPid(join(run, 'zebra.pid'), run);
    await pollUntil(async () => (existsSync(join(run, 'zserv.api')) ? true : undefined), 5000, 10, `zebra in ${ns}`);
    const t2 = Date.now();
    // MetalLB's bgpd never listens (-p 0): the speaker is always the active side of a session.
    const daemons = opts.staticd ? ['bfdd', 'bgpd', 'staticd'] : ['bfdd', 'bgpd'];
    await Promise.all(daemons.map((dm) => exec(dm, dm === 'bfdd' ? ['--bfdctl', join(run, 'bfdd.sock')] : dm === 'bgpd' && !opts.bgpListen ? ['-p', '0'] : [])));
    const t3 = Date.now();
    for (const dm of daemons) await this.recordPid(join(run, `${dm}.pid`), run);
    if (process.env.MLB_LAB_TRACE) this.log(`${ns}: zebra exec ${t1 - t0} ms, zserv ${t2 - t1} ms, others exec ${t3 - t2} ms, pids ${Date.now() - t3} ms`);
  }

  private async recordPid(pidFile: string, marker: string): Promise<void> {
    const pid = await pollUntil(async () => {
      try {
        const v = Number(readFileSync(pidFile, 'utf8').trim());
        return v > 0 ? v : undefined;
      } catch {
        return undefined;
      }
    }, 5000, 10, pidFile);
    this.daemons.set(pid, marker);
    // FRR keeps its zlog directory (/var/tmp/frr/<daemon>.<pid before daemonising>) open; its name
    // is only knowable from the open descriptor. Remembered so a killed daemon's directory goes too.
    try {
      for (const fd of readdirSync(`/proc/${pid}/fd`)) {
        try {
          const target = readlinkSync(`/proc/${pid}/fd/${fd}`);
          if (/^\/var\/tmp\/frr\/[a-z]+\.\d+$/.test(target)) this.zlogDirs.set(pid, target);
        } catch {
          /* fd closed meanwhile */
        }
      }
    } catch {
      /* daemon already gone */
    }
  }

  vtyshArgs(suffix: string): string[] {
    const d = this.frrDir(suffix);
    return ['ip', 'netns', 'exec', this.ns(suffix), 'vtysh', '--vty_socket', join(d, 'run'), '--config_dir', join(d, 'etc')];
  }

  async vtyshJson(suffix: string, command: string): Promise<any> {
    const r = await runCommand([...this.vtyshArgs(suffix), '-c', command], { timeoutMs: 5000 });
    try {
      return JSON.parse(r.stdout);
    } catch {
      return undefined;
    }
  }

  private async startFrr(): Promise<void> {
    // Routers first, so a node's first connection attempt finds a listening bgpd (FRR's connect retry is long).
    await Promise.all(
      this.plan.routers.map(async (r) => {
        this.writeFrrFiles(r.suffix, r.name, { zebra: `hostname ${r.name}\n`, bfdd: r.bfdConfig, bgpd: r.bgpdConfig });
        await this.startDaemons(r.suffix, { bgpListen: true });
      }),
    );
    await Promise.all(
      this.plan.routers.map((r) =>
        // A router no node peers with (a plain gateway) has no peers: bgpd answers `{}`.
        pollUntil(async () => {
          const j = await this.vtyshJson(r.suffix, 'show bgp summary json');
          return (r.neighbors.length ? j?.ipv4Unicast : j) ? true : undefined;
        }, 5000, 20, `bgpd on router ${r.name}`),
      ),
    );
    this.log(`lab ${this.prefix}: routers up after ${Date.now() - this.started} ms`);
    await Promise.all(this.plan.nodes.filter((n) => n.frr).map((n) => this.startNodeFrr(n)));
    await this.applyLinksDown();
  }

  private async startNodeFrr(n: PlannedNode): Promise<void> {
    const hostname = n.name;
    const integrated = n.frrConfig ?? `hostname ${hostname}\n`;
    // Each daemon reads its share of the rendered config at start-up (what `vtysh -b` would send
    // it), so sessions start at once instead of after bgpd's post-load hold.
    const parts = splitIntegratedConfig(integrated);
    // Without it zebra would pick the highest loopback address — a BGP LoadBalancer IP that every
    // announcing node holds on lo — and all speakers would share one router ID.
    parts.zebra += `ip router-id ${n.ip}\n`;
    const d = this.writeFrrFiles(n.suffix, hostname, parts, integrated);
    // The reloader checks the file before it applies it; vtysh's dry run is the same parser.
    const [check] = await Promise.all([
      runCommand(['vtysh', '--config_dir', join(d, 'etc'), '-C', '-f', join(d, 'etc', 'frr.conf')], { timeoutMs: 10_000 }),
      // MetalLB's FRR image runs staticd too (its liveness probe expects it in `show daemons`).
      this.startDaemons(n.suffix, { bgpListen: false, staticd: true }),
    ]);
    writeFileSync(join(d, 'reloader', '.status'), `${Math.floor(Date.now() / 1000)} ${check.code === 0 ? 'success' : 'failure'}\n`);
    if (check.code !== 0) this.log(`lab ${this.prefix}: FRR config of ${n.name} does not parse: ${(check.stdout + check.stderr).trim().split('\n').slice(-3).join(' | ')}`);
  }

  /** Foreign listeners (a second BGP daemon, BIRD, ...): a process with that name holding the port. */
  private async startListeners(): Promise<void> {
    const python = realpathSync(findExecutable('python3', '/usr/bin:/bin') ?? '/usr/bin/python3');
    const binDir = join(this.workDir, 'bin');
    for (const n of this.plan.nodes) {
      for (const l of n.override.extraListeners ?? []) {
        if (!/^[\w.-]{1,15}$/.test(l.process)) throw new UserError(`invalid listener process name ${l.process}`, 'use a short process name such as bird or bgpd');
        const address = l.address ?? '0.0.0.0';
        if (!/^[\d.]+$/.test(address) || !Number.isInteger(l.port) || l.port < 1 || l.port > 65535) throw new UserError(`invalid listener ${address}:${l.port} on node ${n.name}`, 'use an IPv4 address and a port 1-65535');
        mkdirSync(binDir, { recursive: true });
        const exe = join(binDir, l.process);
        // The kernel names a process after the file it executed, so `ss -p` shows this name.
        if (!existsSync(exe)) symlinkSync(python, exe);
        const udp = l.proto === 'udp';
        const script = udp
          ? `import socket\ns=socket.socket(socket.AF_INET,socket.SOCK_DGRAM)\ns.bind(('${address}',${l.port}))\nprint('up',flush=True)\nwhile True: s.recvfrom(4096)\n`
          : `import socket\ns=socket.socket()\ns.setsockopt(socket.SOL_SOCKET,socket.SO_REUSEADDR,1)\ns.bind(('${address}',${l.port}))\ns.listen(16)\nprint('up',flush=True)\nconns=[]\nwhile True: conns.append(s.accept()[0])\n`;
        const child = spawn('ip', ['netns', 'exec', this.ns(n.suffix), exe, '-c', script, this.workDir], { detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
        if (child.pid) this.listeners.add(child.pid);
        await new Promise<void>((resolve, reject) => {
          let err = '';
          child.stderr.on('data', (b: Buffer) => (err += b.toString()));
          child.stdout.once('data', () => resolve());
          child.once('exit', (code) => reject(new Error(`listener ${l.process} on ${n.name}:${l.port} exited (${code}): ${err.trim()}`)));
        });
        child.stdout.resume();
        child.stderr.resume();
      }
    }
  }

  // ------------------------------------------------------------ readiness

  private neighborState(suffix: string, addr: string): Promise<any> {
    // Every poll of the ready wait comes through here: a lab closed before it was ready stops
    // waiting at once instead of polling vanished namespaces until the deadline (which also kept
    // the process alive after its teardown).
    this.assertOpen();
    return this.vtyshJson(suffix, `show bgp neighbors ${addr} json`).then((j) => j?.[addr]);
  }

  /**
   * A speaker whose first connection attempt raced zebra's next-hop tracking waits out its connect
   * retry timer (120 s unless the BGPPeer sets connectTime). When a session has not left
   * Idle/Connect/Active for a few seconds, reset it once, as an operator would with `clear bgp`.
   */
  private kicker(suffix: string, addr: string): (nb: any) => Promise<void> {
    const started = Date.now();
    let lastKick = 0;
    return async (nb) => {
      const stuck = ['Idle', 'Connect', 'Active'].includes(nb?.bgpState) && !nb?.lastNotificationReason;
      if (!stuck || Date.now() - started < 4000 || Date.now() - lastKick < 8000) return;
      lastKick = Date.now();
      this.log(`lab ${this.prefix}: ${this.ns(suffix)} → ${addr} still ${nb?.bgpState}, clear bgp`);
      await runCommand([...this.vtyshArgs(suffix), '-c', `clear bgp ${addr}`], { timeoutMs: 5000 });
    };
  }

  private async waitSession(s: PlannedSession, timeoutMs: number): Promise<void> {
    const node = this.plan.nodes.find((n) => n.name === s.node)!;
    const router = this.plan.routers.find((r) => r.name === s.router);
    if (!router || s.expect === 'no-router' || s.expect === 'vrf-missing' || s.expect === 'not-connected') return;
    if ((node.override.linksDown ?? []).includes(this.plan.iface)) return;
    const what = `${s.node} → ${s.router} (${s.expect})`;
    const kick = this.kicker(node.suffix, router.address);
    const notified = async (re: RegExp): Promise<true | undefined> => {
      const nb = await this.neighborState(node.suffix, router.address);
      if (re.test(nb?.lastNotificationReason ?? '')) return true;
      await kick(nb);
      return undefined;
    };
    if (s.expect === 'established') {
      await pollUntil(
        async () => {
          const nb = await this.neighborState(node.suffix, router.address);
          if (nb?.bgpState !== 'Established') await kick(nb);
          const sent = nb?.addressFamilyInfo?.ipv4Unicast?.sentPrefixCounter ?? 0;
          return nb?.bgpState === 'Established' && sent >= s.prefixes ? true : undefined;
        },
        timeoutMs,
        50,
        what,
      );
      if (s.bfd) await pollUntil(async () => ((await this.neighborState(node.suffix, router.address))?.peerBfdInfo?.status === 'Up' ? true : undefined), timeoutMs, 100, `${what} BFD up`);
    } else if (s.expect === 'bad-peer-as') {
      // The speaker retries with back-off; the first OPEN exchange already records the NOTIFICATION.
      await pollUntil(() => notified(/Bad Peer AS/i), timeoutMs, 50, what);
    } else if (s.expect === 'bad-bgp-id') {
      await pollUntil(() => notified(/Bad BGP Identifier/i), timeoutMs, 50, what);
    } else if (s.expect === 'md5-mismatch') {
      // Segments without the right MD5 signature are dropped silently: the session only ever tries.
      await pollUntil(async () => (['Connect', 'Active'].includes((await this.neighborState(node.suffix, router.address))?.bgpState) ? true : undefined), timeoutMs, 50, what);
    }
  }

  private assertOpen(): void {
    if (this.closing) throw new Error(`lab ${this.prefix} was closed before it was ready`);
  }

  private async waitReady(timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const left = (): number => Math.max(1000, deadline - Date.now());
    // One session at a time keeps the CPU free (vtysh polls are cheap but not free).
    for (const s of this.plan.sessions) {
      await this.waitSession(s, left());
      this.log(`lab ${this.prefix}: ${s.node} → ${s.router} ${s.expect} after ${Date.now() - this.started} ms`);
    }
    for (const r of this.plan.routers) {
      this.assertOpen();
      const sessions = this.plan.sessions.filter((s) => s.router === r.name && s.expect === 'established');
      const nodes = sessions.map((s) => this.plan.nodes.find((n) => n.name === s.node)!);
      if (r.bfdStopped) {
        await this.freezeDaemon(r, 'bfdd');
        // BFD down resets the session once; BGP comes back while BFD stays down.
        for (const n of nodes) {
          await pollUntil(async () => {
            const nb = await this.neighborState(n.suffix, r.address);
            return nb?.peerBfdInfo?.status === 'Down' && nb?.bgpState === 'Established' ? true : undefined;
          }, left(), 100, `${n.name} BFD down towards ${r.name}`);
        }
      }
      if (r.bgpdStopped) {
        await this.freezeDaemon(r, 'bgpd');
        for (const n of nodes) {
          await pollUntil(async () => (/Hold Timer Expired/i.test((await this.neighborState(n.suffix, r.address))?.lastNotificationReason ?? '') ? true : undefined), left(), 100, `${n.name} hold timer towards ${r.name}`);
        }
      }
    }
  }

  /** SIGSTOP: the daemon keeps its sockets but answers nothing (a hung router process). */
  private async freezeDaemon(r: PlannedRouter, daemon: 'bgpd' | 'bfdd'): Promise<void> {
    const run = join(this.frrDir(r.suffix), 'run');
    const pid = Number(readFileSync(join(run, `${daemon}.pid`), 'utf8').trim());
    if (!pidIsOurs(pid, run)) throw new Error(`${daemon} on ${r.name} is not running`);
    signalPid(pid, 'SIGSTOP');
    this.stopped.add(pid);
    this.log(`lab ${this.prefix}: stopped ${daemon} on router ${r.name}`);
  }

  // ------------------------------------------------------------ exec

  async run(target: ExecTarget, argv: string[], io: ExecIO): Promise<ExecResult> {
    const notFound = (name: string): ExecResult => ({ exitCode: 128, startError: `exec: "${name}": executable file not found in $PATH` });
    if (this.closed || this.closing) return { exitCode: 128, startError: 'container is not running (lab closed)' };
    if (argv.length === 0) return { exitCode: 128, startError: 'exec: no command' };
    if (target.distroless) return notFound(argv[0]);
    // Commands see the scenario's state, not a lab still converging (a failed readiness is logged by
    // whoever awaits `ready`; the command then shows whatever state the sessions are in).
    await this.ready.catch(() => undefined);
    if (this.closed || this.closing) return { exitCode: 128, startError: 'container is not running (lab closed)' };
    const node = this.plan.nodes.find((n) => n.name === target.node);
    if (!node) return { exitCode: 128, startError: `container is not running: node ${target.node} is not part of the lab` };
    const role = target.kind === 'ephemeral' || target.kind === 'debug-pod' ? 'debug' : frrContainers.has(target.container) ? 'frr' : 'container';
    if (role === 'frr' && (!node.frr || !frrImageTools.has(basename(argv[0])))) return notFound(argv[0]);
    if (!findExecutable(argv[0])) return notFound(argv[0]);
    const inNodeNs = target.hostNetwork || target.kind === 'debug-pod';
    const ns = inNodeNs ? this.ns(node.suffix) : this.podNs;
    const tmp = this.nodeTmp(inNodeNs ? node.suffix : 'pod');

    let command = this.synthesize(target, argv);
    let script = 'mount --bind "$1" /tmp || exit 126; shift 3; exec "$@"';
    let etc = '-';
    let run = '-';
    if (role === 'frr') {
      const d = this.frrDir(node.suffix);
      etc = join(d, 'etc');
      run = join(d, 'run');
      // The FRR container sees /etc/frr, /var/run/frr and /etc/frr_reloader of its own node.
      // No private /tmp here: the work dir (and so /etc/frr_reloader) may live below /tmp.
      script = 'mount --bind "$2" /etc/frr && mount --bind "$3" /run/frr || exit 126; shift 3; exec "$@"';
      command = argv.map((a) => a.replaceAll('/etc/frr_reloader', join(d, 'reloader')));
    }
    return this.spawnStreaming(['ip', 'netns', 'exec', ns, '/bin/sh', '-c', script, 'sh', tmp, etc, run, ...command], io, role === 'frr' ? this.frrDir(node.suffix) : undefined);
  }

  /**
   * The connect-probe and kube-proxy-rules scripts (alone or inside a batch) replaced by what the
   * scenario says they print: `printf` of the synthesised text, so the rest of a batch runs for real.
   */
  private synthesize(target: ExecTarget, argv: string[]): string[] {
    const model = this.synthesized;
    const node = model?.nodeByName.get(target.node);
    if (!model || !node || argv[0] !== 'sh' || argv[1] !== '-c' || !argv[2]) return argv;
    const pod = model.install.pods.find((p) => p.pod.metadata.name === target.pod);
    const answer = (inner: string): string | undefined =>
      inner.startsWith(connectProbeMarker) ? answerProbes(model, node, pod?.component === 'controller', inner).stdout : inner.startsWith(rulesMarker) ? answerRules(model, node, inner) : undefined;
    const direct = answer(argv[2]);
    if (direct !== undefined) return ['printf', '%s', direct];
    let script = argv[2];
    for (const marker of [connectProbeMarker, rulesMarker]) {
      const start = script.indexOf(`sh -c '${marker}`);
      if (start < 0) continue;
      // The quoted word ends at a quote that does not open the '\'' escape of a quote inside it.
      let i = start + 7;
      while (i < script.length && !(script[i] === "'" && script.slice(i, i + 4) !== "'\\''")) i += script.slice(i, i + 4) === "'\\''" ? 4 : 1;
      const inner = script.slice(start + 7, i).replaceAll("'\\''", "'");
      const text = answer(inner);
      if (text === undefined) continue;
      script = `${script.slice(0, start)}printf '%s' '${text.replaceAll("'", "'\\''")}'${script.slice(i + 1)}`;
    }
    return ['sh', '-c', script];
  }

  private spawnStreaming(argv: string[], io: ExecIO, frrDir: string | undefined): Promise<ExecResult> {
    return new Promise((resolve) => {
      const child = spawn(argv[0], argv.slice(1), { detached: true, stdio: ['pipe', 'pipe', 'pipe'], env: { PATH: '/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin', HOME: '/root', LANG: 'C.UTF-8' } });
      const pid = child.pid;
      if (pid) this.running.add(pid);
      // Paths of the work dir never leak into what the client sees.
      const unmap = (b: Buffer): Buffer | string => (frrDir && b.includes(frrDir) ? b.toString('utf8').replaceAll(join(frrDir, 'reloader'), '/etc/frr_reloader') : b);
      child.stdout.on('data', (b: Buffer) => io.stdout(unmap(b)));
      child.stderr.on('data', (b: Buffer) => io.stderr(unmap(b)));
      let killTimer: NodeJS.Timeout | undefined;
      const onAbort = (): void => {
        if (!pid) return;
        signalGroup(pid, 'SIGTERM');
        killTimer = setTimeout(() => signalGroup(pid, 'SIGKILL'), 1000);
      };
      if (io.signal.aborted) onAbort();
      else io.signal.addEventListener('abort', onAbort, { once: true });
      child.stdin.on('error', () => undefined);
      if (io.stdin) {
        void (async () => {
          try {
            for await (const chunk of io.stdin!) if (!child.stdin.write(chunk)) await new Promise((r) => child.stdin.once('drain', r));
          } catch {
            /* client went away */
          }
          child.stdin.end();
        })();
      } else child.stdin.end();
      child.on('error', (e) => {
        if (pid) this.running.delete(pid);
        resolve({ exitCode: 128, startError: errorMessage(e) });
      });
      child.on('close', (code, signal) => {
        if (pid) this.running.delete(pid);
        if (killTimer) clearTimeout(killTimer);
        io.signal.removeEventListener('abort', onAbort);
        const signum = signal ? ({ SIGTERM: 15, SIGKILL: 9, SIGINT: 2 } as Record<string, number>)[signal] ?? 1 : 0;
        resolve({ exitCode: code ?? 128 + signum });
      });
    });
  }

  // ------------------------------------------------------------ teardown

  describe(): LabDescription {
    return {
      prefix: this.prefix,
      workDir: this.workDir,
      mode: this.plan.mode,
      namespaces: [...this.namespaces],
      nodes: this.plan.nodes.map((n) => ({ name: n.name, namespace: this.ns(n.suffix), ip: n.ip, mac: n.mac, frr: n.frr, l2Ips: n.l2Ips, bgpIps: n.bgpIps })),
      routers: this.plan.routers.map((r) => ({ name: r.name, namespace: this.ns(r.suffix), address: r.address, asn: r.asn, mac: r.mac, frozen: !!(r.bgpdStopped || r.bfdStopped) })),
      sessions: this.plan.sessions,
      pids: [...this.daemons.keys(), ...this.listeners, ...this.running],
      zlogDirs: [...this.zlogDirs.values()],
      timings: { ...this.timings },
      closed: this.closed,
    };
  }

  close(): Promise<void> {
    this.closing ??= this.doClose();
    return this.closing;
  }

  private async doClose(): Promise<void> {
    const t0 = Date.now();
    for (const pid of this.running) {
      signalGroup(pid, 'SIGKILL');
    }
    const daemons = [...this.daemons].filter(([pid, marker]) => pidIsOurs(pid, marker)).map(([pid]) => pid);
    for (const pid of daemons) {
      if (this.stopped.has(pid)) signalPid(pid, 'SIGCONT');
      signalPid(pid, 'SIGTERM');
    }
    for (const pid of this.listeners) signalGroup(pid, 'SIGTERM');
    let survivors = await waitExited([...daemons, ...this.listeners, ...this.running], 3000);
    for (const pid of survivors) signalPid(pid, 'SIGKILL');
    survivors = await waitExited(survivors, 2000);
    if (survivors.length) this.log(`lab ${this.prefix}: processes still alive after SIGKILL: ${survivors.join(', ')}`);
    for (const ns of [...this.namespaces].reverse()) {
      const r = await runCommand(['ip', 'netns', 'del', ns]);
      if (r.code !== 0) this.log(`lab ${this.prefix}: ip netns del ${ns}: ${r.stderr.trim()}`);
    }
    this.namespaces.length = 0;
    this.cleanVarTmp(daemons);
    if (this.ownWorkDir && !process.env.MLB_LAB_KEEP) rmSync(this.workDir, { recursive: true, force: true });
    this.closed = true;
    openLabs.delete(this);
    this.timings.teardownMs = Date.now() - t0;
    this.log(`lab ${this.prefix}: torn down in ${this.timings.teardownMs} ms`);
  }

  /** FRR's per-daemon zlog directories (named with the PID before daemonising) if a daemon had to be killed. */
  private cleanVarTmp(pids: number[], evenIfAlive = false): void {
    for (const pid of pids) {
      const dir = this.zlogDirs.get(pid);
      if (dir && existsSync(dir) && (evenIfAlive || !pidAlive(pid))) rmSync(dir, { recursive: true, force: true });
    }
  }

  /** Synchronous best effort for process exit without close(). */
  closeSync(): void {
    if (this.closed) return;
    for (const pid of this.running) signalGroup(pid, 'SIGKILL');
    for (const [pid, marker] of this.daemons) {
      if (!pidIsOurs(pid, marker)) continue;
      signalPid(pid, 'SIGCONT');
      signalPid(pid, 'SIGKILL');
    }
    for (const pid of this.listeners) signalGroup(pid, 'SIGKILL');
    // SIGKILLed daemons cannot remove their own zlog directories.
    this.cleanVarTmp([...this.daemons.keys()], true);
    for (const ns of this.namespaces) {
      spawnSync('ip', ['netns', 'del', ns]);
    }
    if (this.ownWorkDir) rmSync(this.workDir, { recursive: true, force: true });
    this.closed = true;
  }
}

function existingNamespaces(): string[] {
  const r = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' });
  return (r.stdout ?? '').split('\n').map((l) => l.split(' ')[0]).filter(Boolean);
}

/** `mlb` + 6 random hex digits + `-`, never one that prefixes a namespace that already exists. */
function randomPrefix(): string {
  const existing = existingNamespaces();
  for (;;) {
    const p = `mlb${randomBytes(3).toString('hex')}-`;
    if (!existing.some((n) => n.startsWith(p))) return p;
  }
}

/**
 * Builds the scenario's data plane and returns once FRR runs; `ready` resolves when every session
 * reached the state the scenario asks for. On any failure everything already made is removed.
 */
export async function createLabBackend(world: World, opts: LabOptions = {}): Promise<LabBackend> {
  requireRoot();
  const prefix = opts.prefix ?? randomPrefix();
  if (!/^[a-z0-9-]{1,10}$/.test(prefix)) throw new UserError(`lab prefix ${JSON.stringify(prefix)} is invalid`, 'use at most 10 characters of a-z, 0-9 and -');
  if (opts.prefix && existingNamespaces().some((n) => n.startsWith(prefix))) {
    throw new UserError(`network namespaces starting with ${prefix} already exist`, 'choose another --prefix, or remove the namespaces of the old run (ip netns list)');
  }
  const lab = new Lab(world, prefix, opts.workDir, opts.log);
  lab.synthesized = opts.model;
  installSignalHandlers();
  openLabs.add(lab);
  try {
    await lab.start(opts.readyTimeoutMs);
  } catch (e) {
    await lab.close();
    throw e;
  }
  return lab;
}

export { buildPlan } from './plan.js';
export type { LabPlan } from './plan.js';
