/**
 * The replay ExecBackend: answers a command run in a container of the simulated cluster.
 *
 * Order: (a) outputs recorded from the lab (`fixtures/replay/<scenario>.json`, keyed by node, role
 * and argv joined with single spaces), else (b) outputs synthesised from the scenario (netout.ts,
 * frr.ts, capture.ts). Container roles: `debug` (ephemeral debug container / node debug pod: the
 * node's network view with a full tool set), `frr` (FRR image: busybox, iproute2, vtysh), distroless
 * MetalLB images (≥ v0.14.6: nothing can start) and Alpine MetalLB images (busybox only).
 */
 
import { existsSync, readFileSync } from 'node:fs';
import { setTimeout as delay } from 'node:timers/promises';
import { UserError } from '../../util/errors.js';
import type { ExecBackend, ExecIO, ExecResult, ExecTarget } from '../world.js';
import { arpingCommand, arpingNoInterfaceExit, parseArpingProbe } from '../../catalogue/index.js';
import { captureOutput } from './capture.js';
import { answerProbes, answerRules, nslookup, resolvConf, webhookListening } from './datapath.js';
import { bfdPeers, bgpNeighbors, bgpSummaryText, bgpRoutes, bgpSummary, desiredConfig, reloadStatus, runningConfig, showDaemons } from './frr.js';
import type { SimModel, SimNode } from './model.js';
import { arpAn, arping, ipAddrJson, ipAddrText, ipLinkJson, ipNeighJson, ipNeighText, ipRouteJson, podView, ssAll, ssListen, sysctlGrep, sysctlValues, type PodView } from './netout.js';

export type Role = 'debug' | 'frr';

export interface RecordedOutput {
  stdout: string;
  stderr: string;
  exitCode: number;
}

/** Format of fixtures/replay/<scenario>.json (written by the lab's `record` command). */
export interface Recording {
  recordedWith: Record<string, unknown>;
  nodes: Record<string, Partial<Record<Role, Record<string, RecordedOutput>>>>;
}

export function loadRecording(file: string): Recording | undefined {
  if (!existsSync(file)) return undefined;
  let data: any;
  try {
    data = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    throw new UserError(`${file}: invalid replay recording: ${(e as Error).message}`, 're-record it with `mlb-report sim record`');
  }
  if (!data || typeof data !== 'object' || typeof data.nodes !== 'object' || data.nodes === null) {
    throw new UserError(`${file}: invalid replay recording: missing "nodes" object`, 're-record it with `mlb-report sim record`');
  }
  return data as Recording;
}

interface Output {
  stdout: string;
  stderr?: string;
  exitCode: number;
}

const ok = (stdout: string): Output => ({ stdout, exitCode: 0 });
const notFound = (cmd: string): Output => ({ stdout: '', stderr: `sh: ${cmd}: not found\n`, exitCode: 127 });

const frrContainers = new Set(['frr', 'reloader', 'frr-metrics', 'frr-status']);
const distrolessImage = /^quay\.io\/metallb\/(speaker|controller):/;

export class ReplayBackend implements ExecBackend {
  readonly kind = 'replay' as const;
  /** Multiplies real waits (`sleep`, packet capture windows); tests set 0 to skip waiting. */
  timeScale = 1;
  private closed = false;

  constructor(
    readonly model: SimModel,
    readonly recording?: Recording,
  ) {}

  /** The role a target plays, or how it fails to start a process. */
  roleOf(target: ExecTarget): { role?: Role; startError?: string; busybox?: boolean } {
    if (target.kind === 'ephemeral' || target.kind === 'debug-pod') return { role: 'debug' };
    if (frrContainers.has(target.container)) return { role: 'frr' };
    if (target.distroless) return { startError: 'distroless' };
    if (distrolessImage.test(target.image)) return { role: 'debug', busybox: true };
    return { role: 'debug', busybox: true };
  }

  async run(target: ExecTarget, argv: string[], io: ExecIO): Promise<ExecResult> {
    if (this.closed) throw new Error('replay backend is closed');
    if (argv.length === 0) return { exitCode: 126 };
    const r = this.roleOf(target);
    if (r.startError) {
      // What containerd says when the binary does not exist in the image.
      return { exitCode: 128, startError: `OCI runtime exec failed: exec failed: unable to start container process: exec: "${argv[0]}": executable file not found in $PATH: unknown` };
    }
    const role = r.role!;
    const pod = this.model.install.pods.find((p) => p.pod.metadata.name === target.pod)?.pod;
    // Recordings hold the node's network namespace: a pod with its own (the controller) is synthesised.
    const ownNetns = !!pod && !pod.spec.hostNetwork && !target.hostNetwork;
    const recorded = ownNetns ? undefined : this.recording?.nodes[target.node]?.[role]?.[argv.join(' ')];
    if (recorded) {
      if (recorded.stdout) io.stdout(recorded.stdout);
      if (recorded.stderr) io.stderr(recorded.stderr);
      return { exitCode: recorded.exitCode };
    }
    const node = this.model.nodeByName.get(target.node);
    if (!node) {
      io.stderr(`node ${target.node} is not part of scenario ${this.model.name}\n`);
      return { exitCode: 1 };
    }
    const view = ownNetns ? podView(this.model, node, pod) : undefined;
    // A webhook server that failed to start leaves 9443 unbound in the controller pod.
    if (view && isController(pod) && !webhookListening(this.model)) view.sockets = view.sockets.filter((x) => x.local[1] !== '9443');
    const out = await this.exec({ target, role, busybox: !!r.busybox, node, io, view }, argv);
    if (out.stdout) io.stdout(out.stdout);
    if (out.stderr) io.stderr(out.stderr);
    return { exitCode: out.exitCode };
  }

  async close(): Promise<void> {
    this.closed = true;
  }

  // ------------------------------------------------------------ command dispatch

  private async exec(ctx: Ctx, argv: string[]): Promise<Output> {
    const [cmd, ...args] = argv;
    switch (cmd) {
      case 'sh':
      case 'bash':
      case '/bin/sh':
      case '/bin/bash':
        if (cmd.endsWith('bash') && ctx.role === 'debug' && ctx.busybox) return notFound(cmd);
        if (args[0] === '-c' && args[1] !== undefined) return this.shell(ctx, args[1]);
        return { stdout: '', exitCode: 0 };
      case 'echo':
        return args[0] === '-n' ? ok(args.slice(1).join(' ')) : ok(args.join(' ') + '\n');
      case 'true':
        return ok('');
      case 'false':
        return { stdout: '', exitCode: 1 };
      case 'sleep':
        return this.sleep(ctx, Number(args[0] ?? 0));
      case 'cat':
        return this.cat(ctx, args);
      case 'hostname':
        return ok(`${ctx.node.name}\n`);
      case 'ip':
        return this.ip(ctx, args);
      case 'ss':
        if (ctx.busybox) return notFound('ss');
        return this.ss(ctx, args);
      case 'arp':
        return ok(arpAn(this.model, ctx.node));
      case 'nslookup':
        if (ctx.role !== 'debug' || ctx.busybox) return notFound('nslookup');
        return nslookup(this.model, args.filter((a) => !a.startsWith('-'))[0] ?? '', isController(this.podOf(ctx)));
      case 'sysctl':
        return this.sysctl(ctx, args);
      case 'vtysh':
        if (ctx.role !== 'frr') return notFound('vtysh');
        return this.vtysh(ctx, args);
      case 'arping':
        if (ctx.role !== 'debug' || ctx.busybox) return notFound('arping');
        return this.arping(ctx, args);
      case 'grep':
        return this.grep(ctx, args);
      case 'which':
        return this.which(ctx, args[0] ?? '');
      default:
        return notFound(cmd!);
    }
  }

  /**
   * A tiny shell: `;`/`&&` sequences of simple commands with `$?`, a trailing `>&2`, `timeout N`
   * prefixes (the collector's batches), plus the catalogue's capture script.
   * Each simple command is answered like a lone exec: from the recording first, else synthesised.
   */
  private async shell(ctx: Ctx, script: string): Promise<Output> {
    if (script.startsWith('# mlb-report connect probes')) return this.connectProbes(ctx, script);
    const arpingProbe = parseArpingProbe(script);
    if (arpingProbe) return this.arpingProbe(ctx, arpingProbe.ip, arpingProbe.nodeIp);
    if (script.startsWith('# mlb-report data-path rules')) {
      // The FRR image and busybox have none of the three tools.
      if (ctx.role !== 'debug' || ctx.busybox) return ok('--- unavailable: no iptables-save, nft or ipvsadm in this container\n');
      return ok(answerRules(this.model, ctx.node, script));
    }
    if (script.includes('tcpdump') && script.includes('mlb-report pcap base64')) {
      if (ctx.role !== 'debug' || ctx.busybox) return { stdout: '', stderr: 'sh: tcpdump: not found\n', exitCode: 127 };
      const m = /timeout (\d+) tcpdump/.exec(script);
      const seconds = m ? Number(m[1]) : 10;
      const waited = await this.wait(ctx, seconds);
      if (!waited) return { stdout: '', exitCode: 143 };
      return ok(captureOutput(this.model, ctx.node, seconds));
    }
    let last: Output = ok('');
    let stdout = '';
    let stderr = '';
    for (const part of splitSequence(script)) {
      if (part.op === '&&' && last.exitCode !== 0) continue;
      let cmd = expandStatus(part.cmd, last.exitCode);
      const toStderr = /\s>&2\s*$/.test(cmd);
      if (toStderr) cmd = cmd.replace(/\s>&2\s*$/, '');
      let words = shellWords(cmd);
      let limit: number | undefined;
      if (words[0] === 'timeout' && /^\d+$/.test(words[1] ?? '')) {
        limit = Number(words[1]);
        words = words.slice(2);
      }
      if (words.length === 0) continue;
      if (words[0] === 'tcpdump' && !words.includes('-r')) last = await this.liveCapture(ctx, limit);
      else if (words[0] === 'command' && words[1] === '-v') last = await this.which(ctx, words[2] ?? '');
      else if (words[0] === 'exit') last = { stdout: '', exitCode: Number(words[1] ?? 0) };
      else last = this.recorded(ctx, words) ?? (await this.exec(ctx, words));
      if (toStderr) stderr += last.stdout;
      else stdout += last.stdout;
      stderr += last.stderr ?? '';
    }
    return { stdout, stderr, exitCode: last.exitCode };
  }

  /** The catalogue's connect probes: every `curl` at once, so the batch lasts as long as its slowest probe. */
  private async connectProbes(ctx: Ctx, script: string): Promise<Output> {
    const fromController = isController(this.podOf(ctx));
    const r = answerProbes(this.model, ctx.node, fromController, script);
    // No curl in the image: the script's own check stops it.
    if (ctx.role !== 'debug' || ctx.busybox) return { stdout: '', stderr: 'sh: curl: not found\n', exitCode: 127 };
    if (!(await this.wait(ctx, r.seconds))) return { stdout: '', exitCode: 143 };
    return ok(r.stdout);
  }

  /**
   * The catalogue's arping probe: the interface holding the node IP, as `ip -o -4 addr` shows it
   * here, then arping from it, answered like the lone `arping -I <interface>` it stands for.
   */
  private async arpingProbe(ctx: Ctx, ip: string, nodeIp: string): Promise<Output> {
    const addr = this.recorded(ctx, ['ip', '-j', '-d', 'addr', 'show']) ?? this.ip(ctx, ['-j', '-d', 'addr', 'show']);
    let dev: string | undefined;
    try {
      const links = JSON.parse(addr.stdout) as { ifname?: string; addr_info?: { family?: string; local?: string }[] }[];
      dev = links.find((l) => (l.addr_info ?? []).some((a) => a.family === 'inet' && a.local === nodeIp))?.ifname;
    } catch {
      dev = undefined;
    }
    if (!dev) return { stdout: '', stderr: `no interface holds the node IP ${nodeIp}\n`, exitCode: arpingNoInterfaceExit };
    const argv = arpingCommand(ip, dev);
    return this.recorded(ctx, argv) ?? (await this.exec(ctx, argv));
  }

  private podOf(ctx: Ctx): any {
    return this.model.install.pods.find((p) => p.pod.metadata.name === ctx.target.pod)?.pod;
  }

  /**
   * A live `tcpdump` typed by hand (`timeout N tcpdump -i any ...`): it runs until `timeout` stops
   * it (exit 124), printing the decoded packets of the window; without a timeout it would run until
   * the exec ends, so it is cut at 10 s here.
   */
  private async liveCapture(ctx: Ctx, limit: number | undefined): Promise<Output> {
    if (ctx.role !== 'debug' || ctx.busybox) return notFound('tcpdump');
    const seconds = limit ?? 10;
    if (!(await this.wait(ctx, seconds))) return { stdout: '', exitCode: 143 };
    const text = captureOutput(this.model, ctx.node, seconds).split('--- mlb-report pcap base64 ---')[0]!;
    return { stdout: text, stderr: 'tcpdump: data link type LINUX_SLL2\n', exitCode: limit !== undefined ? 124 : 0 };
  }

  private recorded(ctx: Ctx, argv: string[]): Output | undefined {
    if (ctx.view) return undefined;
    const r = this.recording?.nodes[ctx.node.name]?.[ctx.role]?.[argv.join(' ')];
    return r ? { stdout: r.stdout, stderr: r.stderr, exitCode: r.exitCode } : undefined;
  }

  private async wait(ctx: Ctx, seconds: number): Promise<boolean> {
    const ms = Math.max(0, seconds * 1000 * this.timeScale);
    if (ms === 0) return !ctx.io.signal.aborted;
    try {
      await delay(ms, undefined, { signal: ctx.io.signal });
      return true;
    } catch {
      return false;
    }
  }

  private async sleep(ctx: Ctx, seconds: number): Promise<Output> {
    if (!Number.isFinite(seconds) || seconds < 0) return { stdout: '', stderr: `sleep: invalid number '${seconds}'\n`, exitCode: 1 };
    return (await this.wait(ctx, seconds)) ? ok('') : { stdout: '', exitCode: 143 };
  }

  private which(ctx: Ctx, tool: string): Output {
    const debugTools = ['ip', 'ss', 'tcpdump', 'arping', 'curl', 'nslookup', 'sysctl', 'grep', 'cat', 'sh', 'bash', 'base64', 'timeout', 'arp', 'sleep', 'echo'];
    const frrTools = ['ip', 'ss', 'vtysh', 'grep', 'cat', 'sh', 'bash', 'python3', 'sleep', 'echo', 'sysctl'];
    const busyboxTools = ['ip', 'grep', 'cat', 'sh', 'sleep', 'echo', 'sysctl', 'arp'];
    const tools = ctx.role === 'frr' ? frrTools : ctx.busybox ? busyboxTools : debugTools;
    if (!tools.includes(tool)) return { stdout: '', exitCode: 1 };
    const dir = tool === 'vtysh' ? '/usr/bin' : ['ip', 'ss', 'arping', 'sysctl', 'arp'].includes(tool) ? '/sbin' : ['sh', 'cat', 'grep', 'sleep', 'echo', 'bash'].includes(tool) ? '/bin' : '/usr/bin';
    return ok(`${dir}/${tool}\n`);
  }

  private cat(ctx: Ctx, files: string[]): Output {
    let stdout = '';
    let stderr = '';
    let exitCode = 0;
    for (const f of files) {
      const content = this.file(ctx, f);
      if (content === undefined) {
        stderr += ctx.role === 'frr' || ctx.busybox ? `cat: can't open '${f}': No such file or directory\n` : `cat: ${f}: No such file or directory\n`;
        exitCode = 1;
      } else stdout += content;
    }
    return { stdout, stderr, exitCode };
  }

  /** Does the target container mount `dir`? (emptyDirs shared between the FRR sidecars differ.) */
  private mounts(ctx: Ctx, dir: string): boolean {
    const pod = this.model.install.pods.find((p) => p.pod.metadata.name === ctx.target.pod)?.pod;
    const c = pod?.spec.containers.find((x: any) => x.name === ctx.target.container);
    if (!c) return ctx.role === 'frr';
    return (c.volumeMounts ?? []).some((m: any) => m.mountPath === dir);
  }

  private file(ctx: Ctx, f: string): string | undefined {
    const { model } = this;
    const node = ctx.node;
    if (f.startsWith('/proc/sys/')) {
      const key = f.slice('/proc/sys/'.length).replace(/\//g, '.');
      const v = sysctlValues(model, node).get(key);
      return v === undefined ? undefined : `${v}\n`;
    }
    if (f === '/etc/hostname') return `${node.name}\n`;
    if (f === '/etc/resolv.conf' && ctx.view) return resolvConf(this.podOf(ctx)?.metadata?.namespace ?? model.namespace);
    const frrHere = model.mode !== 'native' && ctx.role === 'frr';
    if (frrHere && f.startsWith('/etc/frr_reloader/') && this.mounts(ctx, '/etc/frr_reloader')) {
      if (f === '/etc/frr_reloader/frr.conf') return desiredConfig(model, node);
      if (f === '/etc/frr_reloader/.status') return reloadStatus(model);
      if (f === '/etc/frr_reloader/reloader.pid') return '12\n';
      if (f === '/etc/frr_reloader/running-config' && model.mode === 'frr-k8s') return runningConfig(model, node);
    }
    if (frrHere && f.startsWith('/etc/frr/') && this.mounts(ctx, '/etc/frr')) {
      if (f === '/etc/frr/frr.conf') return runningConfig(model, node).replace(/^Building configuration...\n\nCurrent configuration:\n/, '');
      if (f === '/etc/frr/daemons') return frrDaemonsFile;
      if (f === '/etc/frr/vtysh.conf') return 'service integrated-vtysh-config\n';
    }
    return undefined;
  }

  private ip(ctx: Ctx, args: string[]): Output {
    let json = false;
    let details = false;
    let i = 0;
    for (; i < args.length && args[i]!.startsWith('-'); i++) {
      const a = args[i]!;
      if (a === '-j' || a === '-json') json = true;
      else if (a === '-d' || a === '-details') details = true;
      else if (a === '-4' || a === '-s' || a === '-p' || a === '-pretty') continue;
      else return { stdout: '', stderr: `Option "${a}" is unknown, try "ip -help".\n`, exitCode: 255 };
    }
    if (json && ctx.busybox) return { stdout: '', stderr: `ip: invalid option -- 'j'\nBusyBox v1.36.1 (2024-06-10 11:59:37 UTC) multi-call binary.\n\nUsage: ip [OPTIONS] address|route|link|tunnel|neigh|rule [ARGS]\n`, exitCode: 1 };
    const obj = args[i] ?? 'address';
    const rest = args.slice(i + 1).filter((a) => !['show', 'list', 'ls'].includes(a));
    const { model } = this;
    const node = ctx.node;
    const is = (full: string, min: number): boolean => obj.length >= min && full.startsWith(obj);
    const ifaces = ctx.view?.ifaces;
    if (is('address', 1) || obj === 'addr') {
      return ok(json ? ipAddrJson(model, node, details, ifaces) : ipAddrText(model, node, ifaces));
    }
    if (is('link', 1)) return ok(json ? ipLinkJson(model, node, details, ifaces) : ipAddrText(model, node, ifaces).split('\n').filter((l) => !/^\s+(inet|valid_lft)/.test(l)).join('\n'));
    if (is('route', 1)) {
      const all = rest.includes('table') && rest[rest.indexOf('table') + 1] === 'all';
      const routes = (ctx.view?.routes ?? JSON.parse(ipRouteJson(model, node))) as any[];
      // Without `table all` only the main table is shown, and without -d neither type nor table.
      const chosen = all ? routes : routes.filter((r) => r.table === 'main').map(({ table: _table, ...r }) => r);
      if (json) return ok(JSON.stringify(details ? chosen : chosen.map(({ type: _t, ...r }) => r)) + '\n');
      return ok(chosen.map((r) => `${r.type !== 'unicast' ? `${r.type} ` : ''}${r.dst}${r.gateway ? ` via ${r.gateway}` : ''} dev ${r.dev}${r.table && r.table !== 'main' ? ` table ${r.table}` : ''} proto ${r.protocol} scope ${r.scope ?? 'global'}${r.prefsrc ? ` src ${r.prefsrc}` : ''}${r.metric ? ` metric ${r.metric}` : ''} \n`).join(''));
    }
    if (is('neighbour', 1) || obj === 'neighbor') {
      if (ctx.view) return ok(json ? JSON.stringify(ctx.view.neighbors) + '\n' : ctx.view.neighbors.map((n) => `${n.dst} dev ${n.dev} lladdr ${n.lladdr} ${n.state.join(' ')}\n`).join(''));
      return ok(json ? ipNeighJson(model, node) : ipNeighText(model, node));
    }
    return { stdout: '', stderr: `Object "${obj}" is unknown, try "ip help".\n`, exitCode: 255 };
  }

  private ss(ctx: Ctx, args: string[]): Output {
    const flags = args.filter((a) => /^-[a-zA-Z]+$/.test(a)).join('').replace(/-/g, '');
    if (/[tuanplHO]/.test(flags) === false && args.length) return { stdout: '', stderr: `ss: bad option\n`, exitCode: 1 };
    const header = !flags.includes('H');
    if (flags.includes('u') || flags.includes('a')) {
      const text = ssAll(this.model, ctx.node, ctx.view?.sockets);
      const lines = text.split('\n').filter(Boolean);
      const wantTcp = flags.includes('t') || !flags.includes('u');
      const wantUdp = flags.includes('u');
      const listening = flags.includes('l') && !flags.includes('a');
      const chosen = lines.filter((l) => ((wantTcp && l.startsWith('tcp')) || (wantUdp && l.startsWith('udp'))) && (!listening || /^\S+\s+(LISTEN|UNCONN)/.test(l)));
      return ok((header ? 'Netid State  Recv-Q Send-Q Local Address:Port Peer Address:PortProcess\n' : '') + chosen.map((l) => `${l}\n`).join(''));
    }
    return ok(ssListen(this.model, ctx.node, header, ctx.view?.sockets));
  }

  private sysctl(ctx: Ctx, args: string[]): Output {
    const nOnly = args.includes('-n');
    const keys = args.filter((a) => !a.startsWith('-'));
    const values = sysctlValues(this.model, ctx.node);
    let stdout = '';
    for (const k of keys) {
      const key = k.replace(/\//g, '.');
      const v = values.get(key);
      if (v === undefined) return { stdout, stderr: `sysctl: cannot stat /proc/sys/${key.replace(/\./g, '/')}: No such file or directory\n`, exitCode: 255 };
      stdout += nOnly ? `${v}\n` : `${key} = ${v}\n`;
    }
    return ok(stdout);
  }

  private grep(ctx: Ctx, args: string[]): Output {
    // Only the catalogue's `grep -H . <files>` form over /proc/sys is meaningful here.
    const files = args.filter((a) => !a.startsWith('-') && a !== '.');
    if (!args.includes('.') || files.some((f) => !f.startsWith('/proc/sys/'))) return { stdout: '', exitCode: 1 };
    return ok(sysctlGrep(this.model, ctx.node, files));
  }

  private arping(ctx: Ctx, args: string[]): Output {
    let count = 3;
    let iface = this.model.dataplane.interface;
    let ip: string | undefined;
    for (let i = 0; i < args.length; i++) {
      const a = args[i]!;
      if (a === '-c') count = Number(args[++i]);
      else if (a === '-w') i++;
      else if (a === '-I') iface = args[++i]!;
      else if (a.startsWith('-')) continue;
      else ip = a;
    }
    if (!ip) return { stdout: '', stderr: 'arping: usage error: destination must be specified\n', exitCode: 2 };
    const r = arping(this.model, ctx.node, ip, iface, count);
    return { stdout: r.stdout, exitCode: r.exitCode, ...(r.exitCode === 2 && !r.stdout ? { stderr: `arping: ${iface}: No such device\n` } : {}) };
  }

  private vtysh(ctx: Ctx, args: string[]): Output {
    const cmds: string[] = [];
    for (let i = 0; i < args.length; i++) if (args[i] === '-c') cmds.push(args[++i] ?? '');
    let stdout = '';
    for (const c of cmds) {
      const r = this.vtyshOne(ctx.node, c.trim().replace(/\s+/g, ' '));
      if (r.exitCode !== 0) return { stdout, stderr: r.stderr ?? r.stdout, exitCode: r.exitCode };
      stdout += r.stdout;
    }
    return ok(stdout);
  }

  private vtyshOne(node: SimNode, c: string): Output {
    const m = this.model;
    if (/^show run(ning-config|ning-conf|ning)?$/.test(c)) return ok(runningConfig(m, node));
    let x: RegExpExecArray | null;
    if ((x = /^show (?:ip )?bgp( vrf (?:all|default))? summary json$/.exec(c))) return ok(bgpSummary(m, node, x[1] === ' vrf all'));
    if ((x = /^show (?:ip )?bgp( vrf (?:all|default))? neighbors? json$/.exec(c))) return ok(bgpNeighbors(m, node, x[1] === ' vrf all'));
    if ((x = /^show (?:ip )?bgp neighbors? (\S+) json$/.exec(c))) {
      const all = JSON.parse(bgpNeighbors(m, node, false)) as Record<string, unknown>;
      const one = all[x[1]!];
      return one ? ok(JSON.stringify({ [x[1]!]: one }, null, 2) + '\n') : ok(`{\n  "bgpNoSuchNeighbor":true\n}\n`);
    }
    if ((x = /^show bgp( vrf (?:all|default))? (ipv4|ipv6)(?: unicast)? json$/.exec(c))) return ok(bgpRoutes(m, node, x[1] === ' vrf all', x[2] as 'ipv4' | 'ipv6'));
    if (/^show bfd (vrf (all|default) )?peers? json$/.test(c)) return ok(bfdPeers(m, node));
    if (/^show (?:ip )?bgp summary$/.test(c)) return ok(bgpSummaryText(m, node));
    if (c === 'show daemons') return ok(showDaemons());
    if (c === 'show version') return ok(`FRRouting ${m.install.frrVersion ?? '9.1.0'} (${node.name}) on Linux(6.1.0-28-amd64).\nCopyright 1996-2005 Kunihiro Ishiguro, et al.\n`);
    return { stdout: `% Unknown command: ${c}\n`, exitCode: 1 };
  }
}

function isController(pod: any): boolean {
  return !!pod?.spec?.containers?.some((c: { name: string }) => c.name === 'controller');
}

interface Ctx {
  target: ExecTarget;
  role: Role;
  busybox: boolean;
  node: SimNode;
  io: ExecIO;
  /** Set when the target shares a (non-hostNetwork) pod's network namespace. */
  view?: PodView;
}

const frrDaemonsFile = [
  'bgpd=yes',
  'ospfd=no',
  'ospf6d=no',
  'ripd=no',
  'ripngd=no',
  'isisd=no',
  'pimd=no',
  'ldpd=no',
  'nhrpd=no',
  'eigrpd=no',
  'babeld=no',
  'sharpd=no',
  'pbrd=no',
  'bfdd=yes',
  'fabricd=no',
  'vrrpd=no',
  '',
  'vtysh_enable=yes',
  'zebra_options="  -A 127.0.0.1 -s 90000000 --limit-fds 100000"',
  'bgpd_options="   -A 127.0.0.1 -p 0 --limit-fds 100000"',
  'bfdd_options="   -A 127.0.0.1 --limit-fds 100000"',
  '',
].join('\n');

/** `$?` outside single quotes replaced by the last exit status. */
export function expandStatus(cmd: string, status: number): string {
  if (!cmd.includes('$?')) return cmd;
  let out = '';
  let single = false;
  for (let i = 0; i < cmd.length; i++) {
    const ch = cmd[i]!;
    if (ch === "'" ) single = !single;
    if (!single && ch === '$' && cmd[i + 1] === '?') {
      out += String(status);
      i++;
    } else out += ch;
  }
  return out;
}

/** Split a shell script on `;`, `&&` and newlines outside quotes. */
export function splitSequence(script: string): { op: ';' | '&&'; cmd: string }[] {
  const out: { op: ';' | '&&'; cmd: string }[] = [];
  let cur = '';
  let quote: string | null = null;
  let op: ';' | '&&' = ';';
  for (let i = 0; i < script.length; i++) {
    const ch = script[i]!;
    if (quote) {
      if (ch === quote) quote = null;
      cur += ch;
    } else if (ch === '\\' && i + 1 < script.length) {
      cur += ch + script[++i];
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      cur += ch;
    } else if (ch === ';' || ch === '\n') {
      out.push({ op, cmd: cur });
      cur = '';
      op = ';';
    } else if (ch === '&' && script[i + 1] === '&') {
      out.push({ op, cmd: cur });
      cur = '';
      op = '&&';
      i++;
    } else cur += ch;
  }
  out.push({ op, cmd: cur });
  return out.filter((p) => p.cmd.trim() !== '');
}

/** Words of a simple command, honouring single and double quotes and backslashes. */
export function shellWords(cmd: string): string[] {
  const words: string[] = [];
  let cur = '';
  let has = false;
  let quote: string | null = null;
  for (let i = 0; i < cmd.length; i++) {
    const ch = cmd[i]!;
    if (quote) {
      if (ch === quote) quote = null;
      else if (ch === '\\' && quote === '"' && i + 1 < cmd.length) cur += cmd[++i];
      else cur += ch;
    } else if (ch === "'" || ch === '"') {
      quote = ch;
      has = true;
    } else if (ch === '\\' && i + 1 < cmd.length) {
      cur += cmd[++i];
      has = true;
    } else if (/\s/.test(ch)) {
      if (has || cur) words.push(cur);
      cur = '';
      has = false;
    } else {
      cur += ch;
      has = true;
    }
  }
  if (has || cur) words.push(cur);
  return words;
}
