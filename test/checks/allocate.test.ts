/**
 * The allocation replay against cases of MetalLB's own allocator tests (internal/allocator
 * allocator_test.go: TestAssignment's sharing and pool-compatibility rows, buggy IPs, pinned pools
 * and priorities) and the allocator's error texts.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { allocationCauseText, decideAllocation, sharingConflict, statedAllocationFailure } from '../../src/checks/lib/allocate.js';
import { runChecks } from '../../src/checks/index.js';
import { rankFindings } from '../../src/checks/rank.js';
import { event, model, pool, service, type BundleSpec } from './helpers.js';

type Obj = Record<string, any>;

/** TestAssignment's pools: test (1.2.3.4/31), test2 (buggy-IP safe), test3 pinned to test-ns1, test4 to team=metallb, test5/test6 both. */
const upstreamPools = [
  pool('test', ['1.2.3.4/31', '1000::4/127']),
  pool('test2', ['1.2.4.0/24', '1000::4:0/120'], { avoidBuggyIPs: true }),
  pool('test3', ['1.2.5.0/24', '1000::5:0/120'], { avoidBuggyIPs: true, serviceAllocation: { namespaces: ['test-ns1'] } }),
  pool('test4', ['1.2.6.0/24', '1000::6:0/120'], { avoidBuggyIPs: true, serviceAllocation: { serviceSelectors: [{ matchLabels: { team: 'metallb' } }] } }),
  pool('test5', ['1.2.7.0/24', '1000::7:0/120'], { avoidBuggyIPs: true, serviceAllocation: { priority: 20, namespaces: ['test-ns1'], serviceSelectors: [{ matchLabels: { team: 'metallb' } }] } }),
  pool('test6', ['1.2.8.0/24', '1000::9:0/120'], { avoidBuggyIPs: true, serviceAllocation: { priority: 20, namespaces: ['test-ns2'], serviceSelectors: [{ matchLabels: { foo: 'bar' } }] } }),
];

function decide(target: Obj, others: Obj[] = [], pools: Obj[] = upstreamPools, extra: Partial<BundleSpec> = {}) {
  const m = model({ services: [target, ...others], metallb: { ipaddresspools: pools }, ...extra });
  const svc = m.kube.services.find((s) => s.metadata?.name === target.metadata.name && s.metadata?.namespace === target.metadata.namespace)!;
  return decideAllocation(m, svc);
}

const requesting = (key: string, ip: string, o: Parameters<typeof service>[1] = {}) => service(key, { ...o, annotations: { 'metallb.io/loadBalancerIPs': ip, ...(o.annotations ?? {}) } });
const shared = (key: string) => ({ 'metallb.io/allow-shared-ip': key });

test("upstream TestAssignment: s2 can't grab s1's IP, and can get the other one", () => {
  const s1 = service('default/s1', { ip: '1.2.3.4' });
  const grab = decide(requesting('default/s2', '1.2.3.4'), [s1]);
  assert.equal(grab.rule, 'sharing');
  assert.match(grab.error!, /can't change sharing key for "default\/s2", address also in use by default\/s1 \(existing service does not allow sharing\)/);
  assert.equal(decide(requesting('default/s2', '1.2.3.5'), [s1]).pool, 'test');
});

test('upstream TestAssignment: a buggy .0 / .255 address of an avoidBuggyIPs pool is not allowed in config', () => {
  for (const ip of ['1.2.4.0', '1.2.4.255']) {
    const d = decide(requesting('default/s3', ip));
    assert.equal(d.rule, 'requested-ip', ip);
    assert.equal(d.error, `["${ip}"] is not allowed in config`);
  }
  assert.equal(decide(requesting('default/s3', '1.2.4.254')).pool, 'test2');
});

test('upstream TestAssignment: sharing needs the same key, the same backend key and disjoint ports', () => {
  const s4 = service('default/s4', { ip: '1.2.4.3', ports: [80], annotations: shared('share') });
  assert.match(decide(requesting('default/s3', '1.2.4.3', { ports: [80], annotations: shared('share') }), [s4]).error!, /port TCP\/80 is already in use on "1\.2\.4\.3"/);
  assert.match(decide(requesting('default/s3', '1.2.4.3', { ports: [443], annotations: shared('othershare') }), [s4]).error!, /sharing key "othershare" does not match existing sharing key "share"/);
  // The backend key is the pod selector under externalTrafficPolicy Local.
  const local4 = service('default/s4', { ip: '1.2.4.3', ports: [80], etp: 'Local', annotations: shared('share'), selector: { app: 'a' } });
  assert.match(decide(requesting('default/s3', '1.2.4.3', { ports: [443], etp: 'Local', annotations: shared('share'), selector: { app: 'b' } }), [local4]).error!, /backend key "app=b" does not match existing sharing key "app=a"/);
  assert.equal(decide(requesting('default/s3', '1.2.4.3', { ports: [443], annotations: shared('share') }), [s4]).pool, 'test2');
});

test('upstream TestAssignment: pools pinned by namespace or service label admit only those services', () => {
  const inNs = decide(requesting('test-ns1/s1', '1.2.5.10'));
  assert.equal(inNs.pool, 'test3');
  const otherNs = decide(requesting('testns-not-exist/s1', '1.2.5.10'));
  assert.equal(otherNs.rule, 'service-allocation');
  assert.equal(otherNs.error, 'pool test3 not compatible for ip assignment');
  assert.equal(decide(requesting('testns-not-exist/s1', '1.2.6.10', { labels: { team: 'metallb' } })).pool, 'test4');
  assert.equal(decide(requesting('testns-not-exist/s1', '1.2.6.10', { labels: { team: 'red' } })).rule, 'service-allocation');
  assert.equal(decide(requesting('test-ns1/s1', '1.2.7.10', { labels: { team: 'metallb' } })).pool, 'test5');
  assert.equal(decide(requesting('test-ns2/s1', '1.2.8.10', { labels: { team: 'metallb' } })).rule, 'service-allocation');
  assert.equal(decide(requesting('testns-not-exist/s1', '1.2.8.10', { labels: { foo: 'bar' } })).rule, 'service-allocation');
});

test('automatic allocation: pinned pools first by priority (0 = last), then the unrestricted autoAssign pools', () => {
  const pools = [
    pool('open', ['192.0.2.10/32']),
    pool('low', ['192.0.2.20/32'], { serviceAllocation: { priority: 0, namespaces: ['shop'] } }),
    pool('high', ['192.0.2.30/32'], { serviceAllocation: { priority: 1, namespaces: ['shop'] } }),
    pool('mid', ['192.0.2.40/32'], { serviceAllocation: { priority: 5, namespaceSelectors: [{ matchLabels: { 'kubernetes.io/metadata.name': 'shop' } }] } }),
  ];
  assert.deepEqual(decide(service('shop/web'), [], pools).candidates, ['high', 'mid', 'low', 'open']);
  // Another namespace only sees the unrestricted pool.
  assert.deepEqual(decide(service('blog/web'), [], pools).candidates, ['open']);
});

test('automatic allocation: autoAssign false, an empty serviceAllocation (metallb/metallb#2003) and a full pool leave nothing', () => {
  const manual = decide(service('default/web'), [], [pool('lan', ['192.0.2.10/31'], { autoAssign: false })]);
  assert.equal(manual.rule, 'auto-assign');
  assert.equal(manual.error, 'no available IPs');
  assert.match(allocationCauseText(manual), /autoAssign: false/);
  const empty = decide(service('default/web'), [], [pool('lan', ['192.0.2.10/31'], { serviceAllocation: {} })]);
  assert.equal(empty.rule, 'service-allocation');
  assert.match(allocationCauseText(empty), /pins the pool to no service/);
  const full = decide(service('default/web'), [service('default/a', { ip: '192.0.2.10' }), service('default/b', { ip: '192.0.2.11' })], [pool('lan', ['192.0.2.10/31'])]);
  assert.equal(full.rule, 'capacity');
  assert.match(allocationCauseText(full), /pool lan is exhausted/);
  // A key shared with a holder on other ports makes its address usable again.
  const sharable = decide(service('default/web', { ports: [443], annotations: shared('k') }), [service('default/a', { ip: '192.0.2.10', annotations: shared('k') }), service('default/b', { ip: '192.0.2.11' })], [pool('lan', ['192.0.2.10/31'])]);
  assert.equal(sharable.pool, 'lan');
});

test('requested pool and IP family', () => {
  const unknown = decide(service('default/web', { annotations: { 'metallb.universe.tf/address-pool': 'gold' } }), [], [pool('lan', ['192.0.2.10/31'])]);
  assert.equal(unknown.rule, 'address-pool');
  assert.equal(unknown.error, 'unknown pool "gold"');
  const v6 = service('default/web');
  v6.spec.ipFamilies = ['IPv6'];
  const family = decide(v6, [], [pool('lan', ['192.0.2.10/31'])]);
  assert.equal(family.rule, 'ip-family');
  assert.equal(family.error, 'no suitable pool for IPv6 IPFamily');
  // spec.loadBalancerIP counts when no annotation lists IPs.
  assert.equal(decide(service('default/web', { loadBalancerIP: '203.0.113.9' }), [], [pool('lan', ['192.0.2.10/31'])]).rule, 'requested-ip');
});

test('sharingConflict: a service never conflicts with itself', () => {
  const m = model({ services: [service('default/a', { ip: '192.0.2.10' })] });
  assert.equal(sharingConflict(m.kube.services[0], '192.0.2.10', m.kube.services), undefined);
});

test("the controller's stated reason is read from the newest AllocationFailed event, else its log", () => {
  const svc = service('default/web');
  const fromEvent = model({ services: [svc], events: [event('default/web', 'AllocationFailed', 'Failed to allocate IP for "default/web": can\'t change sharing key for "default/web", address also in use by default/dns')] });
  assert.deepEqual(statedAllocationFailure(fromEvent, fromEvent.kube.services[0]), { source: 'event', text: 'can\'t change sharing key for "default/web", address also in use by default/dns', check: 'ip-sharing-error' });
  const log = JSON.stringify({ caller: 'service.go:150', error: 'no available IPs in pool "lan"', level: 'error', msg: 'IP allocation failed', op: 'allocateIPs', service: 'default/web', ts: '2026-11-27T12:00:00Z' });
  const fromLog = model({ services: [svc], pods: [{ metadata: { name: 'controller-1', namespace: 'metallb-system', labels: { component: 'controller' } }, spec: { nodeName: 'n1', containers: [{ name: 'controller' }] }, status: { phase: 'Running' } }], logs: { 'controller-1/controller': log } });
  assert.equal(statedAllocationFailure(fromLog, fromLog.kube.services[0])?.check, 'pool-exhausted');
  // v0.13+ lines name the service only in the reconcile's opening line (metallb/metallb#1742).
  const lines = [
    { caller: 'service_controller.go:64', controller: 'ServiceReconciler', level: 'info', 'start reconcile': 'default/other', ts: '2026-11-27T12:00:00Z' },
    { caller: 'service.go:140', error: 'no available IPs', level: 'error', msg: 'IP allocation failed', op: 'allocateIPs', ts: '2026-11-27T12:00:00Z' },
    { caller: 'service_controller.go:64', controller: 'ServiceReconciler', level: 'info', 'start reconcile': 'default/web', ts: '2026-11-27T12:00:01Z' },
    { caller: 'service.go:140', error: 'requested loadBalancer IP(s) ["192.0.2.10" "2001:db8::1"] does not match the ipFamily of the service', level: 'error', msg: 'IP allocation failed', op: 'allocateIPs', ts: '2026-11-27T12:00:01Z' },
  ].map((l) => JSON.stringify(l));
  const fromReconcile = model({ services: [svc], pods: [{ metadata: { name: 'controller-1', namespace: 'metallb-system', labels: { component: 'controller' } }, spec: { nodeName: 'n1', containers: [{ name: 'controller' }] }, status: { phase: 'Running' } }], logs: { 'controller-1/controller': lines.join('\n') } });
  assert.match(statedAllocationFailure(fromReconcile, fromReconcile.kube.services[0])?.text ?? '', /does not match the ipFamily/);
});

test('a stated sharing failure ranks its check above a full pool and the pending symptom', () => {
  const spec: BundleSpec = {
    services: [
      service('dns/tcp', { ip: '192.0.2.10', ports: [53], annotations: shared('dns') }),
      service('dns/udp', { ports: [53], annotations: { ...shared('dns-udp'), 'metallb.io/loadBalancerIPs': '192.0.2.10' } }),
      service('shop/web', { ip: '192.0.2.11' }),
    ],
    events: [event('dns/udp', 'AllocationFailed', 'Failed to allocate IP for "dns/udp": can\'t change sharing key for "dns/udp", address also in use by dns/tcp')],
    metallb: { ipaddresspools: [pool('lan', ['192.0.2.10/31'])] },
  };
  const findings = rankFindings(runChecks(model(spec), { only: ['ip-sharing-error', 'pool-exhausted', 'service-pending'] }));
  assert.deepEqual(findings.map((f) => f.id), ['ip-sharing-error', 'service-pending', 'pool-exhausted']);
  // The pool is full but nobody waits for an address of it: not the outage.
  assert.equal(findings.find((f) => f.id === 'pool-exhausted')?.severity, 'warning');
});

test('requested addresses must match the service IP family (metallb/metallb#1742)', () => {
  const svc = service('default/example', { annotations: { 'metallb.io/loadBalancerIPs': '192.0.2.10,2001:db8::10' } });
  svc.spec.ipFamilyPolicy = 'PreferDualStack';
  svc.spec.ipFamilies = ['IPv4'];
  const d = decide(svc, [], [pool('both', ['192.0.2.10/31', '2001:db8::10/127'])]);
  assert.equal(d.rule, 'ip-family');
  assert.equal(d.error, 'requested loadBalancer IP(s) ["192.0.2.10","2001:db8::10"] does not match the ipFamily of the service');
  svc.spec.ipFamilies = ['IPv4', 'IPv6'];
  assert.equal(decide(svc, [], [pool('both', ['192.0.2.10/31', '2001:db8::10/127'])]).pool, 'both');
});

test('RequireDualStack needs a free address of each family; PreferDualStack takes the family left', () => {
  const pools = [pool('both', ['192.0.2.10/32', '2001:db8::10/127'])];
  const v4Holder = service('default/a', { ip: '192.0.2.10' });
  const dual = (policy: string) => {
    const svc = service('default/web');
    svc.spec.ipFamilies = ['IPv4', 'IPv6'];
    svc.spec.ipFamilyPolicy = policy;
    return decide(svc, [v4Holder], pools);
  };
  assert.equal(dual('RequireDualStack').rule, 'capacity');
  assert.equal(dual('PreferDualStack').pool, 'both');
});
