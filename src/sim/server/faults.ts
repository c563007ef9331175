/**
 * The faults a scenario declares (`world.faults`), answered as questions the handlers ask:
 * "is this request denied?", "does this exec hang?", ...
 */
import type { ExecTarget, Fault, LatencyModel } from '../world.js';

type FaultOf<T extends Fault['type']> = Extract<Fault, { type: T }>;

export interface RequestAttributes {
  verb: string;
  group: string;
  resource: string;
  subresource?: string;
  namespace?: string;
  name?: string;
}

const inList = (list: string[] | undefined, value: string): boolean => !list || list.length === 0 || list.includes(value);

export class Faults {
  constructor(
    readonly all: Fault[],
    private readonly latency: LatencyModel | undefined,
  ) {}

  private of<T extends Fault['type']>(type: T): FaultOf<T>[] {
    return this.all.filter((f): f is FaultOf<T> => f.type === type);
  }

  /** The rbac-deny fault matching a request, if any (`*` matches any verb/resource). */
  denies(attrs: RequestAttributes): boolean {
    return this.of('rbac-deny').some((f) => {
      if (f.verb !== '*' && f.verb !== attrs.verb) return false;
      if (f.resource !== '*' && f.resource !== attrs.resource) return false;
      if ((f.subresource ?? '') !== (attrs.subresource ?? '') && f.subresource !== '*') return false;
      if (f.group !== undefined && f.group !== '*' && f.group !== attrs.group) return false;
      if (f.namespace !== undefined && f.namespace !== attrs.namespace) return false;
      if (f.name !== undefined && f.name !== attrs.name) return false;
      return true;
    });
  }

  /**
   * The Status a read of `group/version resource` answers while its conversion webhook fails, or
   * undefined. The message names the version being converted from: the stored objects are in the
   * other served version (apiextensions-apiserver webhook converter: "conversion webhook for %v failed").
   */
  conversionFailure(group: string, version: string, resource: string): string | undefined {
    const f = this.of('conversion-webhook-failure').find((x) => x.resource === resource && (x.group ?? 'metallb.io') === group);
    if (!f?.url) return undefined;
    const from = (f.versions ?? []).find((v) => v !== version) ?? version;
    return `conversion webhook for ${group}/${from}, Kind=${f.kind} failed: Post "${f.url}": ${f.error}`;
  }

  get ephemeralUnsupported(): boolean {
    return this.of('ephemeral-unsupported').length > 0;
  }

  /** Whether pulling `image` on `node` fails. */
  imagePullFails(image: string, node: string): boolean {
    return this.of('image-pull-failure').some((f) => (f.image === undefined || image === f.image || image.startsWith(`${f.image}:`) || image.includes(f.image)) && inList(f.nodes, node));
  }

  /** Extra container start time on `node`. */
  slowStartMs(node: string): number {
    return this.of('slow-container-start')
      .filter((f) => inList(f.nodes, node))
      .reduce((sum, f) => sum + f.ms, 0);
  }

  private matchesExec(f: { nodes?: string[]; containers?: string[]; commandContains?: string }, target: ExecTarget, argv: string[]): boolean {
    return inList(f.nodes, target.node) && inList(f.containers, target.container) && (f.commandContains === undefined || argv.join(' ').includes(f.commandContains));
  }

  /** Byte budget after which the stream is cut, or undefined. */
  execCutAfter(target: ExecTarget, argv: string[]): number | undefined {
    const f = this.of('exec-cut').find((x) => this.matchesExec(x, target, argv));
    return f?.afterBytes;
  }

  execHangs(target: ExecTarget, argv: string[]): boolean {
    return this.of('exec-hang').some((x) => this.matchesExec(x, target, argv));
  }

  nodeUnresponsive(node: string): boolean {
    return this.of('node-unresponsive').some((f) => f.node === node);
  }

  notReadyNodes(): string[] {
    return this.of('node-not-ready').map((f) => f.node);
  }

  podDeletions(): FaultOf<'pod-deleted'>[] {
    return this.of('pod-deleted');
  }

  /** Delay to add to this request: world.latency.requestMs plus any api-latency fault (with jitter). */
  requestDelayMs(): number {
    let ms = this.latency?.requestMs ?? 0;
    for (const f of this.of('api-latency')) ms += f.ms + (f.jitterMs ? Math.random() * f.jitterMs : 0);
    return ms;
  }

  get containerStartMs(): number {
    return this.latency?.containerStartMs ?? 0;
  }

  get imagePullMs(): number {
    return this.latency?.imagePullMs ?? 0;
  }

  get execMs(): number {
    return this.latency?.execMs ?? 0;
  }
}
