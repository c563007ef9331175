/**
 * A control plane under stress, as the API server shows it to a client:
 * - `api-throttle`: 429 with `Retry-After` and the plain-text body of API Priority and Fairness and
 *   the max-in-flight filter (apiserver/pkg/server/filters: `http.Error(w, "Too many requests,
 *   please try again later.", 429)`, so the body is text, not a Status);
 * - `api-unavailable`: 500 `etcdserver: request timed out` (a storage error turned into a Status
 *   without reason), 503 ServiceUnavailable, 504 Timeout (the request-timeout filter);
 * - `connection-reset`: the TCP connection is reset before any answer;
 * - `watch-expired`: watches end with an ERROR event (410 Expired), old `continue` tokens answer 410;
 * - `kubelet-unreachable`: streams proxied to the node's kubelet answer 502 after the dial timeout;
 * - `pod-security`: Pod Security Admission rejects pods that violate the enforced level (403).
 *
 * Only rate-limited requests are throttled, failed or reset: exec, attach, log and pod proxy are
 * long-running requests the API server hands to a kubelet, outside the max-in-flight filter.
 * Which request is hit is drawn from a seeded generator per fault, so a run repeats itself.
 */
import type { Fault } from '../world.js';
import { ApiError, forbidden, type StatusBody } from './status.js';

type FaultOf<T extends Fault['type']> = Extract<Fault, { type: T }>;

/** mulberry32: small, fast, good enough to pick requests; seeded so a test run repeats. */
function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** What the server does instead of answering a request. */
export type Disruption =
  | { kind: 'reset'; fault: 'connection-reset' }
  | { kind: 'answer'; fault: 'api-throttle' | 'api-unavailable'; code: number; headers: Record<string, string>; body: string; contentType: string };

/** The verb of a request as the API server's RequestInfo names it. */
export function requestVerb(method: string, hasName: boolean, watch: boolean): string {
  if (method === 'GET' || method === 'HEAD') return watch ? 'watch' : hasName ? 'get' : 'list';
  if (method === 'POST') return 'create';
  if (method === 'PATCH') return 'patch';
  if (method === 'PUT') return 'update';
  if (method === 'DELETE') return 'delete';
  return method.toLowerCase();
}

function status(code: number, reason: string, message: string, details?: StatusBody['details']): string {
  // Key order as the real server marshals a Status; StatusReasonUnknown ("") is omitted.
  return JSON.stringify({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message, ...(reason ? { reason } : {}), ...(details ? { details } : {}), code });
}

/** The answer of an `api-unavailable` fault with the given status. */
export function unavailableAnswer(code: 500 | 503 | 504): Extract<Disruption, { kind: 'answer' }> {
  const json = 'application/json';
  if (code === 500) return { kind: 'answer', fault: 'api-unavailable', code, headers: {}, contentType: json, body: status(500, '', 'etcdserver: request timed out') };
  if (code === 504) {
    // apierrors.NewTimeoutError("request did not complete within requested timeout - context deadline exceeded", 0)
    return { kind: 'answer', fault: 'api-unavailable', code, headers: {}, contentType: json, body: status(504, 'Timeout', 'Timeout: request did not complete within requested timeout - context deadline exceeded', {}) };
  }
  return { kind: 'answer', fault: 'api-unavailable', code, headers: {}, contentType: json, body: status(503, 'ServiceUnavailable', 'the server is currently unable to handle the request') };
}

export function throttleAnswer(retryAfterSeconds: number): Extract<Disruption, { kind: 'answer' }> {
  return {
    kind: 'answer',
    fault: 'api-throttle',
    code: 429,
    // http.Error sets these and appends a newline to the text.
    headers: { 'Retry-After': String(retryAfterSeconds), 'X-Content-Type-Options': 'nosniff' },
    contentType: 'text/plain; charset=utf-8',
    body: 'Too many requests, please try again later.\n',
  };
}

interface Drawn<F> {
  fault: F;
  next: () => number;
}

export class ApiFaults {
  private readonly throttles: Drawn<FaultOf<'api-throttle'>>[];
  private readonly outages: Drawn<FaultOf<'api-unavailable'>>[];
  private readonly resets: Drawn<FaultOf<'connection-reset'>>[];
  readonly watchExpiry: FaultOf<'watch-expired'> | undefined;
  private readonly kubelets: FaultOf<'kubelet-unreachable'>[];
  readonly podSecurity: FaultOf<'pod-security'>[];
  /** How often each fault struck, for tests and the reliability table. */
  readonly counts = { 'api-throttle': 0, 'api-unavailable': 0, 'connection-reset': 0, 'watch-expired': 0, 'kubelet-unreachable': 0, 'pod-security': 0 };

  constructor(faults: Fault[]) {
    const draw = <F extends { seed?: number }>(list: F[], salt: number): Drawn<F>[] => list.map((fault, i) => ({ fault, next: seeded((fault.seed ?? 1) * 7919 + salt + i) }));
    const of = <T extends Fault['type']>(type: T): FaultOf<T>[] => faults.filter((f): f is FaultOf<T> => f.type === type);
    this.throttles = draw(of('api-throttle'), 1);
    this.outages = draw(of('api-unavailable'), 101);
    this.resets = draw(of('connection-reset'), 211);
    this.watchExpiry = of('watch-expired')[0];
    this.kubelets = of('kubelet-unreachable');
    this.podSecurity = of('pod-security');
  }

  get any(): boolean {
    return this.throttles.length + this.outages.length + this.resets.length > 0;
  }

  /** What happens to a rate-limited request with this verb, or undefined when it is answered normally. */
  disrupt(verb: string): Disruption | undefined {
    const hits = <F extends { fraction: number; verbs?: string[] }>(d: Drawn<F>): boolean => {
      // Draw for every request, so which requests are hit does not depend on the verbs of others.
      const roll = d.next();
      return (!d.fault.verbs || d.fault.verbs.length === 0 || d.fault.verbs.includes(verb)) && roll < d.fault.fraction;
    };
    for (const d of this.resets)
      if (hits(d)) {
        this.counts['connection-reset']++;
        return { kind: 'reset', fault: 'connection-reset' };
      }
    for (const d of this.throttles)
      if (hits(d)) {
        this.counts['api-throttle']++;
        return throttleAnswer(d.fault.retryAfterSeconds ?? 1);
      }
    for (const d of this.outages)
      if (hits(d)) {
        this.counts['api-unavailable']++;
        return unavailableAnswer(d.fault.status ?? 503);
      }
    return undefined;
  }

  /** The kubelet dial timeout for a node whose kubelet the API server cannot reach, else undefined. */
  kubeletUnreachable(node: string | undefined): number | undefined {
    if (!node) return undefined;
    const f = this.kubelets.find((k) => k.nodes.includes(node));
    return f ? f.dialTimeoutMs ?? 30_000 : undefined;
  }

  /**
   * The API server's answer once the dial to the kubelet timed out: the proxy's own error text
   * (apimachinery/pkg/util/proxy/upgradeaware.go: `error dialing backend: %v` around the
   * net.Dialer error), with 502 Bad Gateway and no reason.
   */
  kubeletDialError(nodeIp: string): ApiError {
    this.counts['kubelet-unreachable']++;
    const message = `error dialing backend: dial tcp ${nodeIp}:10250: i/o timeout`;
    return new ApiError(JSON.parse(status(502, '', message)));
  }

  /** The level Pod Security Admission enforces in a namespace, if any. */
  enforcedLevel(namespace: string): 'baseline' | 'restricted' | undefined {
    const levels = this.podSecurity.filter((f) => !f.namespaces || f.namespaces.length === 0 || f.namespaces.includes(namespace)).map((f) => f.level);
    if (levels.includes('restricted')) return 'restricted';
    return levels[0];
  }

  /**
   * Pod Security Admission on a pod about to be created or to get new ephemeral containers: a 403
   * with the admission plugin's message when the pod (all its containers, ephemeral ones included)
   * violates the namespace's level.
   */
  admitPod(namespace: string, pod: any): ApiError | undefined {
    const level = this.enforcedLevel(namespace);
    if (!level) return undefined;
    const violations = podSecurityViolations(pod?.spec ?? {}, level);
    if (violations.length === 0) return undefined;
    this.counts['pod-security']++;
    const name = String(pod?.metadata?.name ?? '');
    return forbidden('pods', name || undefined, '', `violates PodSecurity "${level}:latest": ${violations.join(', ')}`);
  }
}

// ---------------------------------------------------------------- Pod Security Standards

/** Capabilities the baseline level allows to add (pod-security-admission check_capabilities_baseline.go). */
const baselineCapabilities = new Set(['AUDIT_WRITE', 'CHOWN', 'DAC_OVERRIDE', 'FOWNER', 'FSETID', 'KILL', 'MKNOD', 'NET_BIND_SERVICE', 'SETFCAP', 'SETGID', 'SETPCAP', 'SETUID', 'SYS_CHROOT']);

const joinQuote = (items: string[]): string => items.map((i) => JSON.stringify(i)).join(', ');
const plural = (one: string, many: string, n: number): string => (n === 1 ? one : many);

interface ContainerSpec {
  name: string;
  ports?: { hostPort?: number; containerPort?: number }[];
  securityContext?: { privileged?: boolean; allowPrivilegeEscalation?: boolean; runAsNonRoot?: boolean; seccompProfile?: { type?: string }; capabilities?: { add?: string[]; drop?: string[] } };
}

/**
 * The "reason (detail)" texts the admission plugin joins with ", " after `violates PodSecurity
 * "<level>:latest": `, in the order of its check IDs. Covered: host namespaces, hostPort,
 * privileged and capabilities (baseline); allowPrivilegeEscalation, unrestricted capabilities,
 * runAsNonRoot and seccompProfile (restricted). Volumes, AppArmor, SELinux, procMount and sysctls
 * are not checked: no debug container or MetalLB pod sets them.
 */
export function podSecurityViolations(spec: any, level: 'baseline' | 'restricted'): string[] {
  const containers: ContainerSpec[] = [...(spec.initContainers ?? []), ...(spec.containers ?? []), ...(spec.ephemeralContainers ?? [])];
  const out: { id: string; text: string }[] = [];
  const add = (id: string, reason: string, detail: string): void => void out.push({ id, text: `${reason} (${detail})` });
  if (level === 'restricted') {
    const escalating = containers.filter((c) => c.securityContext?.allowPrivilegeEscalation !== false).map((c) => c.name);
    if (escalating.length) add('allowPrivilegeEscalation', 'allowPrivilegeEscalation != false', `${plural('container', 'containers', escalating.length)} ${joinQuote(escalating)} must set securityContext.allowPrivilegeEscalation=false`);
    const noDrop = containers.filter((c) => !(c.securityContext?.capabilities?.drop ?? []).includes('ALL')).map((c) => c.name);
    const badAdd = containers.filter((c) => (c.securityContext?.capabilities?.add ?? []).some((x) => x !== 'NET_BIND_SERVICE'));
    const caps = [...new Set(badAdd.flatMap((c) => (c.securityContext?.capabilities?.add ?? []).filter((x) => x !== 'NET_BIND_SERVICE')))].sort();
    const details: string[] = [];
    if (noDrop.length) details.push(`${plural('container', 'containers', noDrop.length)} ${joinQuote(noDrop)} must set securityContext.capabilities.drop=["ALL"]`);
    if (badAdd.length) details.push(`${plural('container', 'containers', badAdd.length)} ${joinQuote(badAdd.map((c) => c.name))} must not include ${joinQuote(caps)} in securityContext.capabilities.add`);
    if (details.length) add('capabilities_restricted', 'unrestricted capabilities', details.join('; '));
  } else {
    const badAdd = containers.filter((c) => (c.securityContext?.capabilities?.add ?? []).some((x) => !baselineCapabilities.has(x)));
    const caps = [...new Set(badAdd.flatMap((c) => (c.securityContext?.capabilities?.add ?? []).filter((x) => !baselineCapabilities.has(x))))].sort();
    if (badAdd.length) add('capabilities_baseline', 'non-default capabilities', `${plural('container', 'containers', badAdd.length)} ${joinQuote(badAdd.map((c) => c.name))} must not include ${joinQuote(caps)} in securityContext.capabilities.add`);
  }
  const hostNs = [spec.hostNetwork ? 'hostNetwork=true' : '', spec.hostPID ? 'hostPID=true' : '', spec.hostIPC ? 'hostIPC=true' : ''].filter(Boolean);
  if (hostNs.length) add('hostNamespaces', 'host namespaces', hostNs.join(', '));
  const portContainers = containers.filter((c) => (c.ports ?? []).some((p) => p.hostPort));
  if (portContainers.length) {
    const ports = portContainers.flatMap((c) => (c.ports ?? []).filter((p) => p.hostPort).map((p) => String(p.hostPort)));
    add('hostPorts', 'hostPort', `${plural('container', 'containers', portContainers.length)} ${joinQuote(portContainers.map((c) => c.name))} ${plural('uses', 'use', portContainers.length)} ${plural('hostPort', 'hostPorts', ports.length)} ${ports.join(', ')}`);
  }
  const privileged = containers.filter((c) => c.securityContext?.privileged).map((c) => c.name);
  if (privileged.length) add('privileged', 'privileged', `${plural('container', 'containers', privileged.length)} ${joinQuote(privileged)} must not set securityContext.privileged=true`);
  if (level === 'restricted') {
    const podNonRoot = spec.securityContext?.runAsNonRoot === true;
    const rootable = containers.filter((c) => c.securityContext?.runAsNonRoot !== true && !(podNonRoot && c.securityContext?.runAsNonRoot !== false)).map((c) => c.name);
    if (rootable.length) add('runAsNonRoot', 'runAsNonRoot != true', `pod or ${plural('container', 'containers', rootable.length)} ${joinQuote(rootable)} must set securityContext.runAsNonRoot=true`);
    const podSeccomp = spec.securityContext?.seccompProfile?.type;
    const okType = (t: string | undefined): boolean => t === 'RuntimeDefault' || t === 'Localhost';
    const noSeccomp = containers.filter((c) => !okType(c.securityContext?.seccompProfile?.type ?? podSeccomp)).map((c) => c.name);
    if (noSeccomp.length) add('seccompProfile_restricted', 'seccompProfile', `pod or ${plural('container', 'containers', noSeccomp.length)} ${joinQuote(noSeccomp)} must set securityContext.seccompProfile.type to "RuntimeDefault" or "Localhost"`);
  }
  return out.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0)).map((x) => x.text);
}
