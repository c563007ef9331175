/**
 * The ExecBackend of a served bundle: a command run in a container (`kubectl exec`, or the
 * container `kubectl debug` adds) is answered with what collection recorded for that node, when
 * the command is one the bundle recorded: argv → catalogue item → `nodes/<node>/<item file>`, with
 * the exit status the manifest kept. Anything else answers at once on stderr with what this node's
 * bundle does hold, and a non-zero exit: a command that was not collected has no answer to give.
 */
import { arpingFile, nodeItems, parseArpingProbe, type NodeItem } from '../catalogue/index.js';
import type { Manifest, NodeRecord, StepRecord } from '../model/bundle.js';
import { nodeFilePath } from '../bundle/paths.js';
import type { ExecBackend, ExecIO, ExecResult, ExecTarget } from '../sim/world.js';
import type { BundleFiles } from './files.js';

/** Exit status of a command the bundle cannot answer (as a shell's "not found" would be non-zero). */
export const notCollectedExit = 127;

const frrContainers = new Set(['frr', 'reloader', 'frr-metrics', 'frr-status']);

type Role = 'debug' | 'frr';

/** The container a node item runs in, as collection ran it. */
const itemContainer = (item: NodeItem): string => item.container ?? 'frr';

/** argv as a person would type it in a shell: arguments with spaces or quotes are single-quoted. */
export function shellText(argv: string[]): string {
  return argv.map((a) => (/^[\w@%+=:,./-]+$/.test(a) ? a : `'${a.replace(/'/g, `'\\''`)}'`)).join(' ');
}

/** Bundle text shown on a terminal: control characters (escape sequences) become `?`. */
const printable = (s: string): string => s.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');

const squash = (s: string): string => s.trim().replace(/\s+/g, ' ');

/** The vtysh command of `vtysh -c <cmd>` (one -c only), whitespace normalised. */
function vtyshCommand(argv: string[]): string | undefined {
  if (argv.length === 3 && (argv[0] === 'vtysh' || argv[0] === '/usr/bin/vtysh') && argv[1] === '-c') return squash(argv[2]!);
  return undefined;
}

/** `show bgp vrf all …` output → the default VRF's part, which is what the command without `vrf all` prints. */
function defaultVrf(text: string): string | undefined {
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch {
    return undefined;
  }
  if (!doc || typeof doc !== 'object' || Array.isArray(doc)) return undefined;
  const def = (doc as Record<string, unknown>).default;
  if (def === undefined) return '{\n}\n';
  return `${JSON.stringify(def, null, 2)}\n`;
}

/**
 * vtysh commands answered from an item recorded with another spelling: FRR prints the default
 * VRF's part of a `vrf all` answer for the same command without it (or with `vrf default`).
 */
const vtyshDerived: { re: RegExp; item: string; derive?: (text: string) => string | undefined }[] = [
  { re: /^show (?:ip )?bgp(?: vrf default)? summary json$/, item: 'frr.bgp-summary', derive: defaultVrf },
  { re: /^show (?:ip )?bgp vrf all summary json$/, item: 'frr.bgp-summary' },
  { re: /^show (?:ip )?bgp(?: vrf default)? neighbors? json$/, item: 'frr.bgp-neighbors', derive: defaultVrf },
  { re: /^show (?:ip )?bgp vrf all neighbors? json$/, item: 'frr.bgp-neighbors' },
  { re: /^show bgp(?: vrf default)? ipv4(?: unicast)? json$/, item: 'frr.bgp-ipv4', derive: defaultVrf },
  { re: /^show bgp vrf all ipv4(?: unicast)? json$/, item: 'frr.bgp-ipv4' },
  { re: /^show bgp(?: vrf default)? ipv6(?: unicast)? json$/, item: 'frr.bgp-ipv6', derive: defaultVrf },
  { re: /^show bgp vrf all ipv6(?: unicast)? json$/, item: 'frr.bgp-ipv6' },
  { re: /^show run(?:ning-config|ning-conf|ning)?$/, item: 'frr.running-config' },
  { re: /^show bfd peers? json$/, item: 'frr.bfd-peers' },
  { re: /^show daemons$/, item: 'frr.daemons' },
];

interface Answer {
  file: string;
  step?: StepRecord;
  derive?: (text: string) => string | undefined;
}

export class BundleBackend implements ExecBackend {
  readonly kind = 'replay' as const;
  private readonly nodes = new Map<string, NodeRecord>();

  constructor(
    private readonly files: BundleFiles,
    manifest: Manifest | undefined,
  ) {
    for (const n of manifest?.nodes ?? []) this.nodes.set(n.node, n);
  }

  private roleOf(target: ExecTarget): Role | undefined {
    if (target.kind === 'ephemeral' || target.kind === 'debug-pod') return 'debug';
    if (frrContainers.has(target.container)) return 'frr';
    return undefined;
  }

  /** The items of this role and container, as collection ran them. */
  private itemsFor(role: Role, container: string): NodeItem[] {
    return nodeItems.filter((i) => i.runIn === role && (role === 'debug' || itemContainer(i) === container));
  }

  private stepOf(node: string, id: string): StepRecord | undefined {
    return this.nodes.get(node)?.steps.find((s) => s.step === id);
  }

  /** Which file answers argv on this target, if the bundle recorded it. */
  private answerFor(target: ExecTarget, role: Role, argv: string[]): Answer | undefined {
    const items = this.itemsFor(role, target.container);
    const exact = items.find((i) => i.command.length === argv.length && i.command.every((a, k) => a === argv[k]));
    if (exact) return { file: exact.file, step: this.stepOf(target.node, exact.id) };
    const vtysh = role === 'frr' ? vtyshCommand(argv) : undefined;
    if (vtysh !== undefined) {
      const spelled = items.find((i) => vtyshCommand(i.command) === vtysh);
      if (spelled) return { file: spelled.file, step: this.stepOf(target.node, spelled.id) };
      const d = vtyshDerived.find((x) => x.re.test(vtysh));
      const item = d && items.find((i) => i.id === d.item);
      if (d && item) return { file: item.file, step: this.stepOf(target.node, item.id), derive: d.derive };
    }
    // arping of a LoadBalancer IP from the debug container (catalogue arpingCommand).
    if (role === 'debug' && argv[0] === 'arping' && argv.length === 8 && argv.slice(1, 6).join(' ') === '-c 2 -w 2 -I') {
      const ip = argv[7]!;
      return { file: arpingFile(ip), step: this.stepOf(target.node, `probe.arping.${ip}`) };
    }
    // The same, as the collector sends it (catalogue arpingProbeCommand: the interface found in the shell).
    const probe = role === 'debug' && argv[0] === 'sh' && argv[1] === '-c' && argv[2] ? parseArpingProbe(argv[2]) : undefined;
    if (probe) return { file: arpingFile(probe.ip), step: this.stepOf(target.node, `probe.arping.${probe.ip}`) };
    return undefined;
  }

  /** The commands this target can be asked, for the "not collected" answer. */
  collected(target: ExecTarget): string[] {
    const role = this.roleOf(target);
    if (!role) return [];
    const node = this.nodes.get(target.node);
    const out: string[] = [];
    for (const item of this.itemsFor(role, target.container)) {
      if (this.files.bytes(nodeFilePath(target.node, item.file)) !== undefined) out.push(shellText(item.command));
    }
    if (role === 'debug') {
      for (const s of node?.steps ?? []) {
        const ip = /^probe\.arping\.(.+)$/.exec(s.step)?.[1];
        if (ip && s.files.length) out.push(`arping -c 2 -w 2 -I <interface> ${printable(ip)}`);
      }
    }
    return out;
  }

  async run(target: ExecTarget, argv: string[], io: ExecIO): Promise<ExecResult> {
    if (argv.length === 0) return { exitCode: 126 };
    const role = this.roleOf(target);
    if (!role && target.distroless) {
      // What containerd says when the binary does not exist in the image, as on the live cluster.
      return { exitCode: 128, startError: `OCI runtime exec failed: exec failed: unable to start container process: exec: "${argv[0]}": executable file not found in $PATH: unknown` };
    }
    const answer = role ? this.answerFor(target, role, argv) : undefined;
    const bytes = answer ? this.files.bytes(nodeFilePath(target.node, answer.file)) : undefined;
    if (answer && bytes !== undefined) {
      let out: Buffer | string = bytes;
      if (answer.derive) {
        const derived = answer.derive(bytes.toString('utf8'));
        if (derived === undefined) return this.notCollected(target, argv, io, 'the recorded output it derives from is not JSON');
        out = derived;
      }
      if (out.length) io.stdout(out);
      const code = answer.step?.exitCode;
      return { exitCode: typeof code === 'number' && Number.isInteger(code) && code >= 0 && code < 256 ? code : 0 };
    }
    const failed = answer?.step && answer.step.status !== 'ok' ? `collection ran it: ${answer.step.status}${answer.step.reason ? ` (${printable(answer.step.reason)})` : ''}` : undefined;
    return this.notCollected(target, argv, io, failed);
  }

  private notCollected(target: ExecTarget, argv: string[], io: ExecIO, why?: string): ExecResult {
    const list = this.collected(target);
    const where = printable(`${target.container} on ${target.node}`);
    io.stderr(
      `${printable(shellText(argv))}: not collected in this bundle${why ? ` (${why})` : ''}; collected: ${list.length ? list.join('; ') : `nothing for ${where}`}\n`,
    );
    return { exitCode: notCollectedExit };
  }

  async close(): Promise<void> {
    // Nothing runs: answers are files.
  }
}
