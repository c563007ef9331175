/**
 * MetalLB's address allocation replayed for one LoadBalancer service: which IPAddressPools the
 * controller may take an address from, in which order, and the rule that removed each pool, with
 * the error text the controller itself would give. The announcement model (announce.ts) starts
 * where this ends (an IP and its pool), so the two together are MetalLB's whole decision.
 *
 * Rules, as the upstream allocator applies them (internal/allocator/allocator.go Allocate,
 * AllocateFromPool, Assign, pinnedPoolsForService, isPoolCompatibleWithService, sortPools,
 * checkSharing, sharingOK; controller/service.go for the order of the three requests):
 *
 *   1. requested IPs (`metallb.io/loadBalancerIPs`, legacy `metallb.universe.tf/loadBalancerIPs`,
 *      then `spec.loadBalancerIP`): the pool containing every one of them, else
 *      `["ip"] is not allowed in config`; that pool's serviceAllocation must admit the service
 *      (`pool X not compatible for ip assignment`); autoAssign does not matter;
 *   2. a requested pool (`metallb.io/address-pool`): it must exist (`unknown pool "X"`) and admit the
 *      service; autoAssign does not matter;
 *   3. otherwise: first the pools pinned to the service (serviceAllocation namespaces /
 *      namespaceSelectors / serviceSelectors that match, autoAssign true), by priority (1 first, 0 =
 *      none = last); then every autoAssign pool WITHOUT serviceAllocation (an empty
 *      `serviceAllocation: {}` counts as one and pins to nothing: metallb/metallb#2003);
 *   4. on every path, the service's IP family must be in the pool (`no suitable pool for IPv6
 *      IPFamily`), and an address is free only if unused or shareable: same
 *      `metallb.io/allow-shared-ip` key on both sides, the same backend key (the pod selector when
 *      externalTrafficPolicy is Local, none otherwise) and no port/protocol used by both.
 */
import type { V1Service } from '@kubernetes/client-node';
import type { ClusterModel, KubeObject } from '../../model/cluster.js';
import { anySelectorMatches, type LabelSelector } from '../../util/label-selectors.js';
import { formatIp, parseIp, type Family } from './ip.js';
import { annotation, eventsFor, logRecords, metallbNamespace, poolContains, poolRanges, serviceIPs, svcKey } from './model.js';

export type AllocationRule = 'requested-ip' | 'address-pool' | 'service-allocation' | 'auto-assign' | 'ip-family' | 'sharing' | 'capacity' | 'no-pool';

export interface PoolRemoval {
  pool: string;
  why: string;
}

/** One step of the pool selection: the pools it took out and how many are left. */
export interface PoolStep {
  rule: AllocationRule;
  label: string;
  removed: PoolRemoval[];
  remaining: number;
}

/**
 * Rank of a finding whose cause the controller itself stated for a pending service: it sorts above
 * the generic pool findings (pool-exhausted, pool-overlap) that could otherwise explain the same
 * pending service.
 */
export const statedCauseRank = 95;

/** What the controller said about a failed allocation (AllocationFailed event or log line). */
export interface StatedFailure {
  source: 'event' | 'log';
  text: string;
  /** The check whose cause this text names. */
  check: 'ip-sharing-error' | 'pool-exhausted' | 'service-pending';
}

export interface AllocationDecision {
  request: 'ips' | 'pool' | 'auto';
  requestedIPs: string[];
  requestedPool?: string;
  family: Family | 'dual';
  steps: PoolStep[];
  /** Pools MetalLB would try, in its order; the first with a free address wins. */
  candidates: string[];
  /** The pool MetalLB would allocate from now (undefined: the service stays pending). */
  pool?: string;
  /** The allocation error MetalLB would report, in its own words. */
  error?: string;
  /** The rule of the step that removed the last pool. */
  rule?: AllocationRule;
  stated?: StatedFailure;
}

interface Port {
  proto: string;
  port: number;
}

const portsOf = (svc: V1Service): Port[] => (svc.spec?.ports ?? []).map((p) => ({ proto: p.protocol ?? 'TCP', port: p.port }));

/** The requested IPs in the controller's order: the annotation wins over spec.loadBalancerIP. */
export function requestedAddresses(svc: V1Service): string[] {
  const listed = annotation(svc, 'loadBalancerIPs');
  if (listed) return listed.split(',').map((s) => s.trim()).filter(Boolean);
  return svc.spec?.loadBalancerIP ? [svc.spec.loadBalancerIP] : [];
}

/** Sharing key and backend key (controller/service.go: the selector string under Local). */
function sharingKeys(svc: V1Service): { sharing: string; backend: string } {
  const selector = svc.spec?.selector ?? {};
  const backend =
    svc.spec?.externalTrafficPolicy === 'Local'
      ? Object.keys(selector)
          .sort()
          .map((k) => `${k}=${selector[k]}`)
          .join(',')
      : '';
  return { sharing: annotation(svc, 'allow-shared-ip') ?? '', backend };
}

/**
 * Why `svc` may not take `ip` that `holders` already use (checkSharing + sharingOK), or undefined
 * when it may. The messages are the allocator's.
 */
export function sharingConflict(svc: V1Service, ip: string, holders: V1Service[]): string | undefined {
  const others = holders.filter((o) => o !== svc);
  if (others.length === 0) return undefined;
  const mine = sharingKeys(svc);
  const theirs = sharingKeys(others[0]);
  const keyProblem = !theirs.sharing
    ? 'existing service does not allow sharing'
    : !mine.sharing
      ? 'new service does not allow sharing'
      : theirs.sharing !== mine.sharing
        ? `sharing key "${mine.sharing}" does not match existing sharing key "${theirs.sharing}"`
        : theirs.backend !== mine.backend
          ? `backend key "${mine.backend}" does not match existing sharing key "${theirs.backend}"`
          : undefined;
  if (keyProblem) return `can't change sharing key for "${svcKey(svc)}", address also in use by ${others.map(svcKey).join(',')} (${keyProblem})`;
  for (const p of portsOf(svc)) {
    if (others.some((o) => portsOf(o).some((q) => q.proto === p.proto && q.port === p.port))) return `port ${p.proto}/${p.port} is already in use on "${ip}"`;
  }
  return undefined;
}

/** The family the service asks for: its first ipFamily, or both under Require/PreferDualStack. */
function serviceFamily(svc: V1Service): Family | 'dual' {
  const policy = svc.spec?.ipFamilyPolicy;
  const families = svc.spec?.ipFamilies ?? [];
  if ((policy === 'RequireDualStack' || policy === 'PreferDualStack') && families.length > 1) return 'dual';
  return families[0] === 'IPv6' ? 6 : 4;
}

function poolFamilies(pool: KubeObject): Set<Family> {
  return new Set(poolRanges(pool).map((r) => r.family));
}

/** serviceAllocation admits the service (isPoolCompatibleWithService): namespaces list, then serviceSelectors. */
function admits(pool: KubeObject, svc: V1Service): boolean {
  const alloc = pool.spec?.serviceAllocation;
  if (!alloc) return true;
  const namespaces: string[] = alloc.namespaces ?? [];
  if (namespaces.length && !namespaces.includes(svc.metadata?.namespace ?? 'default')) return false;
  const selectors: LabelSelector[] = alloc.serviceSelectors ?? [];
  return selectors.length === 0 || anySelectorMatches(selectors, svc.metadata?.labels);
}

/**
 * The pool is pinned to the service (config.go ByNamespace / ByServiceSelector): its namespaces or
 * namespaceSelectors name the service's namespace, or its serviceSelectors match the service.
 * Namespace labels are not collected; `kubernetes.io/metadata.name`, which the API server sets on
 * every namespace, is the one a namespaceSelector can be matched against.
 */
function pinned(pool: KubeObject, svc: V1Service): boolean {
  const alloc = pool.spec?.serviceAllocation;
  if (!alloc) return false;
  const ns = svc.metadata?.namespace ?? 'default';
  const byNamespace = ((alloc.namespaces ?? []) as string[]).includes(ns) || ((alloc.namespaceSelectors ?? []) as LabelSelector[]).some((s) => anySelectorMatches([s], { 'kubernetes.io/metadata.name': ns }));
  const bySelector = ((alloc.serviceSelectors ?? []) as LabelSelector[]).length > 0 && anySelectorMatches(alloc.serviceSelectors, svc.metadata?.labels);
  return byNamespace || bySelector;
}

/** sortPools: priority 1 first, 0 (none) last, stable otherwise. */
function byPriority(pools: KubeObject[]): KubeObject[] {
  const prio = (p: KubeObject) => Number(p.spec?.serviceAllocation?.priority ?? 0);
  return pools
    .map((p, i) => ({ p, i }))
    .sort((a, b) => {
      const pa = prio(a.p);
      const pb = prio(b.p);
      if (pa > 0 && pb > 0 && pa !== pb) return pa - pb;
      if (pa === 0 && pb > 0) return 1;
      if (pb === 0 && pa > 0) return -1;
      return a.i - b.i;
    })
    .map((e) => e.p);
}

/** Services holding each address (their status ingress), for sharing and capacity. */
const holdersCache = new WeakMap<ClusterModel, Map<string, V1Service[]>>();

function holdersByIp(model: ClusterModel): Map<string, V1Service[]> {
  const cached = holdersCache.get(model);
  if (cached) return cached;
  const out = new Map<string, V1Service[]>();
  holdersCache.set(model, out);
  for (const s of model.kube.services) {
    if (s.spec?.type !== 'LoadBalancer') continue;
    for (const ip of serviceIPs(s)) {
      const key = canonical(ip);
      out.set(key, [...(out.get(key) ?? []), s]);
    }
  }
  return out;
}

/** A free (or shareable) address of `family` in the pool for `svc`, scanning at most `limit` addresses. */
function freeAddress(pool: KubeObject, family: Family, svc: V1Service, holders: Map<string, V1Service[]>, limit = 1 << 16): string | undefined {
  const avoidBuggy = pool.spec?.avoidBuggyIPs === true;
  let scanned = 0;
  for (const r of poolRanges(pool)) {
    if (r.family !== family) continue;
    for (let v = r.first; v <= r.last; v++) {
      if (++scanned > limit) return undefined;
      if (avoidBuggy && family === 4 && ((v & 0xffn) === 0n || (v & 0xffn) === 255n)) continue;
      const ip = valueToIp(v, family);
      const users = (holders.get(ip) ?? []).filter((o) => o !== svc);
      if (users.length === 0 || !sharingConflict(svc, ip, users)) return ip;
    }
  }
  return undefined;
}

const valueToIp = (v: bigint, family: Family): string => formatIp(family, v);

/** One text per address, so `2001:db8::1` and `2001:DB8:0::1` meet. */
function canonical(ip: string): string {
  const p = parseIp(ip);
  return p ? formatIp(p.family, p.value) : ip;
}

const sharingPattern = /sharing key|does not allow sharing|is already in use on|backend key|can't change sharing key/;

/** The controller's own word on this service's allocation: the newest AllocationFailed event, else its log. */
export function statedAllocationFailure(model: ClusterModel, svc: V1Service): StatedFailure | undefined {
  const events = eventsFor(model, 'Service', svc.metadata?.namespace, svc.metadata?.name ?? '').filter((e) => e.reason === 'AllocationFailed');
  const latest = events[events.length - 1];
  let text = latest?.message;
  let source: StatedFailure['source'] = 'event';
  if (!text) {
    const key = svcKey(svc);
    // v0.13+ lines carry no service field: the reconcile they belong to starts with "start reconcile".
    let current = '';
    for (const { record } of logRecords(model, 'controller')) {
      const f = record.fields ?? {};
      if (typeof f['start reconcile'] === 'string') current = f['start reconcile'];
      if (record.msg === 'IP allocation failed' && (f.service ?? current) === key && typeof f.error === 'string') {
        text = f.error;
        source = 'log';
      }
    }
  }
  if (!text) return undefined;
  text = text.replace(/^Failed to allocate IP for "[^"]*": /, '');
  const check: StatedFailure['check'] = sharingPattern.test(text) ? 'ip-sharing-error' : /no available IPs in pool/.test(text) ? 'pool-exhausted' : 'service-pending';
  return { source, text, check };
}

function step(rule: AllocationRule, label: string, pools: KubeObject[], keep: (p: KubeObject) => string | undefined): { step: PoolStep; left: KubeObject[] } {
  const removed: PoolRemoval[] = [];
  const left: KubeObject[] = [];
  for (const p of pools) {
    const why = keep(p);
    if (why === undefined) left.push(p);
    else removed.push({ pool: p.metadata.name, why });
  }
  return { step: { rule, label, removed, remaining: left.length }, left };
}

/**
 * The whole pool selection for one service, as the controller would run it on the collected state.
 * A bare "no available IPs" from the controller names exhaustion only when the rules end at the
 * capacity step; after autoAssign, serviceAllocation or IP family it is the allocator's catch-all.
 */
export function decideAllocation(model: ClusterModel, svc: V1Service, holders = holdersByIp(model)): AllocationDecision {
  const d = selectPool(model, svc, holders);
  if (d.stated && /^no available IPs$/.test(d.stated.text.trim())) d.stated.check = d.rule === 'capacity' ? 'pool-exhausted' : 'service-pending';
  return d;
}

/** Pools the capacity step found full for this service. */
export function exhaustedPools(d: AllocationDecision): string[] {
  return d.steps.filter((s) => s.rule === 'capacity').flatMap((s) => s.removed.map((r) => r.pool));
}

function selectPool(model: ClusterModel, svc: V1Service, holders: Map<string, V1Service[]>): AllocationDecision {
  const ns = metallbNamespace(model);
  const all = model.metallb.ipAddressPools.filter((p) => (p.metadata.namespace ?? ns) === ns);
  const requestedIPs = requestedAddresses(svc);
  const requestedPool = annotation(svc, 'address-pool');
  const family = serviceFamily(svc);
  const decision: AllocationDecision = {
    request: requestedIPs.length ? 'ips' : requestedPool ? 'pool' : 'auto',
    requestedIPs,
    requestedPool,
    family,
    steps: [],
    candidates: [],
    stated: statedAllocationFailure(model, svc),
  };
  const families: Family[] = family === 'dual' ? [4, 6] : [family];
  const run = (rule: AllocationRule, label: string, pools: KubeObject[], keep: (p: KubeObject) => string | undefined): KubeObject[] => {
    const r = step(rule, label, pools, keep);
    decision.steps.push(r.step);
    return r.left;
  };
  const finish = (left: KubeObject[], error: string): AllocationDecision => {
    decision.candidates = left.map((p) => p.metadata.name);
    decision.pool = decision.candidates[0];
    if (!decision.pool) {
      decision.error = error;
      decision.rule = [...decision.steps].reverse().find((s) => s.removed.length > 0 && s.remaining === 0)?.rule ?? 'no-pool';
    }
    return decision;
  };
  if (all.length === 0) {
    decision.rule = 'no-pool';
    decision.error = requestedIPs.length ? `${JSON.stringify(requestedIPs)} is not allowed in config` : 'no available IPs';
    return decision;
  }

  if (decision.request === 'ips') {
    // service.go: the requested addresses must be of the service's families before any pool is looked at.
    const requestedFamilies = requestedIPs.map((ip) => parseIp(ip)?.family);
    const familyOk = family === 'dual' ? new Set(requestedFamilies).size === requestedIPs.length : requestedIPs.length === 1 && requestedFamilies[0] === family;
    if (!familyOk) {
      const left = run('ip-family', `requested IPs of the service's IP family`, all, () => `the service is ${family === 'dual' ? 'dual-stack' : `IPv${family} single-stack`}`);
      return finish(left, `requested loadBalancer IP(s) ${JSON.stringify(requestedIPs)} does not match the ipFamily of the service`);
    }
    // poolFor: an avoidBuggyIPs pool does not own its .0 and .255 addresses.
    const owns = (p: KubeObject, ip: string) => poolContains(p, ip) && !(p.spec?.avoidBuggyIPs === true && /\.(0|255)$/.test(ip));
    let left = run('requested-ip', `pool containing ${requestedIPs.join(', ')}`, all, (p) => (requestedIPs.every((ip) => owns(p, ip)) ? undefined : `does not contain ${requestedIPs.filter((ip) => !owns(p, ip)).join(', ')}`));
    if (left.length === 0) return finish(left, `${JSON.stringify(requestedIPs)} is not allowed in config`);
    const owner = left[0].metadata.name;
    left = run('service-allocation', 'serviceAllocation admits the service', left.slice(0, 1), (p) => (admits(p, svc) ? undefined : serviceAllocationWhy(p, svc)));
    if (left.length === 0) return finish(left, `pool ${owner} not compatible for ip assignment`);
    left = run('sharing', `${requestedIPs.join(', ')} free or shareable`, left, () => {
      for (const ip of requestedIPs) {
        const why = sharingConflict(svc, ip, holders.get(canonical(ip)) ?? []);
        if (why) return why;
      }
      return undefined;
    });
    return finish(left, decision.steps[decision.steps.length - 1].removed[0]?.why ?? 'no available IPs');
  }

  if (decision.request === 'pool') {
    let left = run('address-pool', `pool ${requestedPool} (metallb.io/address-pool)`, all, (p) => (p.metadata.name === requestedPool ? undefined : 'not the requested pool'));
    if (left.length === 0) return finish(left, `unknown pool "${requestedPool}"`);
    left = run('ip-family', `pool has IPv${families.join('/IPv')} addresses`, left, (p) => (families.every((f) => poolFamilies(p).has(f)) ? undefined : `has no IPv${families.find((f) => !poolFamilies(p).has(f))} range`));
    if (left.length === 0) return finish(left, `no available IPs in pool "${requestedPool}"`);
    left = run('capacity', 'a free or shareable address', left, (p) => (families.every((f) => freeAddress(p, f, svc, holders)) ? undefined : 'every address is in use and none can be shared'));
    if (left.length === 0) return finish(left, `no available IPs in pool "${requestedPool}"`);
    left = run('service-allocation', 'serviceAllocation admits the service', left, (p) => (admits(p, svc) ? undefined : serviceAllocationWhy(p, svc)));
    return finish(left, `pool ${requestedPool} not compatible for ip assignment`);
  }

  // Automatic: pinned pools by priority, then the unrestricted autoAssign pools.
  let left = run('auto-assign', 'autoAssign', all, (p) => (p.spec?.autoAssign === false ? 'autoAssign: false (only a metallb.io/address-pool or a requested IP uses it)' : undefined));
  left = run('service-allocation', 'serviceAllocation', left, (p) => {
    if (!p.spec?.serviceAllocation) return undefined;
    if (pinned(p, svc) && admits(p, svc)) return undefined;
    return serviceAllocationWhy(p, svc);
  });
  const ordered = [...byPriority(left.filter((p) => !!p.spec?.serviceAllocation)), ...left.filter((p) => !p.spec?.serviceAllocation)];
  left = run('ip-family', `pool has IPv${families.join('/IPv')} addresses`, ordered, (p) => (families.some((f) => poolFamilies(p).has(f)) && (family !== 'dual' || families.every((f) => poolFamilies(p).has(f)) || svc.spec?.ipFamilyPolicy === 'PreferDualStack') ? undefined : `has no IPv${families.find((f) => !poolFamilies(p).has(f))} range`));
  if (left.length === 0 && decision.steps[decision.steps.length - 1].removed.length) return finish(left, `no suitable pool for ${family === 'dual' ? 'DualStack' : `IPv${family}`} IPFamily`);
  // RequireDualStack needs a free address of both families; PreferDualStack settles for one.
  const needsBoth = family === 'dual' && svc.spec?.ipFamilyPolicy === 'RequireDualStack';
  left = run('capacity', 'a free or shareable address', left, (p) => {
    const free = families.filter((f) => poolFamilies(p).has(f)).filter((f) => freeAddress(p, f, svc, holders));
    return (needsBoth ? free.length === families.length : free.length > 0) ? undefined : 'every address is in use and none can be shared';
  });
  return finish(left, 'no available IPs');
}

function serviceAllocationWhy(pool: KubeObject, svc: V1Service): string {
  const alloc = pool.spec?.serviceAllocation ?? {};
  const parts: string[] = [];
  const namespaces: string[] = alloc.namespaces ?? [];
  if (namespaces.length) parts.push(`namespaces ${namespaces.join(', ')}`);
  if ((alloc.namespaceSelectors ?? []).length) parts.push('namespaceSelectors');
  if ((alloc.serviceSelectors ?? []).length) parts.push('serviceSelectors');
  if (parts.length === 0) return 'serviceAllocation: {} pins the pool to no service (metallb/metallb#2003)';
  return `serviceAllocation (${parts.join(', ')}) does not admit ${svcKey(svc)}`;
}

/** Words for the rule that left no pool, for summaries. */
export const allocationRuleText: Record<AllocationRule, string> = {
  'requested-ip': 'the requested IP is in no IPAddressPool',
  'address-pool': 'the pool named by metallb.io/address-pool does not exist',
  'service-allocation': "the pools' serviceAllocation does not admit the service",
  'auto-assign': 'every pool has autoAssign: false and the service names no pool or IP',
  'ip-family': "no pool has an address of the service's IP family",
  sharing: 'IP sharing rules forbid the requested address',
  capacity: 'every eligible pool is exhausted',
  'no-pool': 'there is no IPAddressPool',
};

/** The rule that left no pool, in words naming the pools, IPs and keys involved, with MetalLB's error. */
export function allocationCauseText(d: AllocationDecision): string {
  const last = [...d.steps].reverse().find((s) => s.removed.length > 0 && s.remaining === 0);
  const pools = last ? last.removed.map((r) => r.pool).join(', ') : '';
  let words: string;
  switch (d.rule) {
    case 'requested-ip':
      words = `the requested IP ${d.requestedIPs.join(', ')} is not in any pool`;
      break;
    case 'address-pool':
      words = `the requested pool ${d.requestedPool} does not exist`;
      break;
    case 'service-allocation':
      words = `${last?.removed[0]?.why ?? allocationRuleText['service-allocation']}${last && last.removed.length > 1 ? ` (pools ${pools})` : ` (pool ${pools})`}`;
      break;
    case 'sharing':
      words = `IP sharing rules forbid ${d.requestedIPs.join(', ')}: ${last?.removed[0]?.why ?? ''}`;
      break;
    case 'capacity':
      words = `pool ${pools} is exhausted`;
      break;
    case 'ip-family':
      words = d.request === 'ips' ? `the requested IP ${d.requestedIPs.join(', ')} does not match the service's IP families` : allocationRuleText['ip-family'];
      break;
    default:
      words = allocationRuleText[d.rule ?? 'no-pool'];
  }
  return d.error && d.rule !== 'sharing' ? `${words} (MetalLB: "${d.error}")` : words;
}

/** The pool selection of every LoadBalancer service, computed once per model. */
const cache = new WeakMap<ClusterModel, Map<V1Service, AllocationDecision>>();

export function allocationDecision(model: ClusterModel, svc: V1Service): AllocationDecision {
  let perModel = cache.get(model);
  if (!perModel) cache.set(model, (perModel = new Map()));
  let d = perModel.get(svc);
  if (!d) perModel.set(svc, (d = decideAllocation(model, svc)));
  return d;
}
