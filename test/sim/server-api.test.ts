import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { api, miniSim, watchEvents, type RunningSim } from '../helpers/sim.js';
import WebSocket from 'ws';
import { encodeProtobufPod } from '../../src/sim/server/protobuf.js';
import { waitFor } from '../helpers/wait.js';

const ns = 'metallb-system';
const tableAccept = 'application/json;as=Table;v=v1;g=meta.k8s.io,application/json;as=Table;v=v1beta1;g=meta.k8s.io,application/json';

describe('sim server: discovery, get, list, watch', () => {
  let sim: RunningSim;
  before(async () => {
    sim = await miniSim({ mutateWorld: (w) => w.faults.push({ type: 'rbac-deny', verb: 'list', resource: 'secrets', namespace: 'metallb-system' }) });
  });
  after(() => sim.stop());

  it('serves legacy discovery with the groups MetalLB needs', async () => {
    const apiRes = await api(sim, 'GET', '/api');
    assert.equal(apiRes.json.kind, 'APIVersions');
    assert.deepEqual(apiRes.json.versions, ['v1']);
    const apis = await api(sim, 'GET', '/apis');
    assert.equal(apis.status, 200);
    const groups = new Map(apis.json.groups.map((g: any) => [g.name, g]));
    for (const g of ['apps', 'discovery.k8s.io', 'admissionregistration.k8s.io', 'authorization.k8s.io', 'metallb.io', 'frrk8s.metallb.io']) assert.ok(groups.has(g), g);
    assert.deepEqual((groups.get('metallb.io') as any).versions.map((v: any) => v.version), ['v1beta2', 'v1beta1']);
    const v1 = await api(sim, 'GET', '/api/v1');
    const names = v1.json.resources.map((r: any) => r.name);
    for (const r of ['pods', 'pods/exec', 'pods/attach', 'pods/log', 'pods/ephemeralcontainers', 'nodes', 'events']) assert.ok(names.includes(r), r);
    const beta2 = await api(sim, 'GET', '/apis/metallb.io/v1beta2');
    assert.deepEqual(beta2.json.resources.map((r: any) => r.name), ['bgppeers']);
    const version = await api(sim, 'GET', '/version', { anonymous: true });
    assert.equal(version.json.gitVersion, 'v1.32.4');
    assert.equal(version.json.minor, '32');
  });

  it('serves aggregated discovery when asked, with the exact content type', async () => {
    const accept = 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,application/json';
    const core = await api(sim, 'GET', '/api', { accept });
    assert.equal(core.headers['content-type'], 'application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList');
    const pods = core.json.items[0].versions[0].resources.find((r: any) => r.resource === 'pods');
    assert.equal(pods.scope, 'Namespaced');
    assert.ok(pods.subresources.some((s: any) => s.subresource === 'ephemeralcontainers' && s.responseKind.kind === 'Pod'));
    const groups = await api(sim, 'GET', '/apis', { accept });
    const metallb = groups.json.items.find((g: any) => g.metadata.name === 'metallb.io');
    assert.deepEqual(metallb.versions.map((v: any) => v.version), ['v1beta2', 'v1beta1']);
    assert.deepEqual(metallb.versions[0].resources.map((r: any) => r.resource), ['bgppeers']);
  });

  it('answers 401 without the token and a generic 404 Status for unknown paths', async () => {
    const r = await api(sim, 'GET', '/api/v1/pods', { anonymous: true });
    assert.equal(r.status, 401);
    assert.equal(r.json.reason, 'Unauthorized');
    const nf = await api(sim, 'GET', '/apis/nosuch.io/v1/things');
    assert.equal(nf.status, 404);
    assert.deepEqual(nf.json, { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'the server could not find the requested resource', reason: 'NotFound', details: {}, code: 404 });
  });

  it('gets objects with server defaults and 404s as the real server words them', async () => {
    const pod = await api(sim, 'GET', `/api/v1/namespaces/${ns}/pods/speaker-4vzxk`);
    assert.equal(pod.json.kind, 'Pod');
    assert.deepEqual(pod.json.spec.securityContext, {});
    assert.equal(pod.json.spec.containers[0].terminationMessagePolicy, 'File');
    assert.match(pod.json.metadata.resourceVersion, /^\d+$/);
    const missing = await api(sim, 'GET', `/api/v1/namespaces/${ns}/pods/nosuch`);
    assert.equal(missing.status, 404);
    assert.equal(missing.json.message, 'pods "nosuch" not found');
    assert.deepEqual(missing.json.details, { name: 'nosuch', kind: 'pods' });
    const cr = await api(sim, 'GET', `/apis/metallb.io/v1beta1/namespaces/${ns}/ipaddresspools/nosuch`);
    assert.equal(cr.json.message, 'ipaddresspools.metallb.io "nosuch" not found');
    assert.equal(cr.json.details.group, 'metallb.io');
  });

  it('serves a BGPPeer in both versions', async () => {
    const b1 = await api(sim, 'GET', `/apis/metallb.io/v1beta1/namespaces/${ns}/bgppeers/tor`);
    const b2 = await api(sim, 'GET', `/apis/metallb.io/v1beta2/namespaces/${ns}/bgppeers/tor`);
    assert.equal(b1.json.apiVersion, 'metallb.io/v1beta1');
    assert.equal(b2.json.apiVersion, 'metallb.io/v1beta2');
  });

  it('lists with label and field selectors, cluster-wide and namespaced', async () => {
    const speakers = await api(sim, 'GET', `/api/v1/namespaces/${ns}/pods?labelSelector=${encodeURIComponent('component=speaker,app in (metallb)')}`);
    assert.equal(speakers.json.kind, 'PodList');
    assert.deepEqual(speakers.json.items.map((p: any) => p.metadata.name), ['speaker-4vzxk', 'speaker-9q2mt']);
    const onNode = await api(sim, 'GET', `/api/v1/pods?fieldSelector=${encodeURIComponent('spec.nodeName=node-2,status.phase=Running')}`);
    assert.deepEqual(onNode.json.items.map((p: any) => p.metadata.name).sort(), ['controller-7d9b8c5f4-x2lzp', 'speaker-9q2mt']);
    const notController = await api(sim, 'GET', `/api/v1/pods?labelSelector=${encodeURIComponent('component!=controller')}`);
    assert.equal(notController.json.items.length, 2);
    const events = await api(sim, 'GET', `/api/v1/namespaces/${ns}/events?fieldSelector=${encodeURIComponent('involvedObject.name=speaker-4vzxk,involvedObject.namespace=metallb-system')}`);
    assert.equal(events.json.items.length, 1);
    const bad = await api(sim, 'GET', `/api/v1/pods?fieldSelector=${encodeURIComponent('spec.bogus=1')}`);
    assert.equal(bad.status, 400);
    assert.equal(bad.json.message, 'field label not supported: spec.bogus');
    const nodes = await api(sim, 'GET', '/api/v1/nodes');
    assert.equal(nodes.json.items.length, 2);
  });

  it('paginates with limit and continue', async () => {
    const first = await api(sim, 'GET', '/api/v1/pods?limit=2');
    assert.equal(first.json.items.length, 2);
    assert.equal(first.json.metadata.remainingItemCount, 1);
    const second = await api(sim, 'GET', `/api/v1/pods?limit=2&continue=${encodeURIComponent(first.json.metadata.continue)}`);
    assert.equal(second.json.items.length, 1);
    assert.equal(second.json.metadata.continue, undefined);
    const all = [...first.json.items, ...second.json.items].map((p: any) => p.metadata.name);
    assert.equal(new Set(all).size, 3);
  });

  it('answers Table requests with the pod columns and row objects', async () => {
    const t = await api(sim, 'GET', `/api/v1/namespaces/${ns}/pods`, { accept: tableAccept });
    assert.equal(t.json.kind, 'Table');
    assert.deepEqual(
      t.json.columnDefinitions.map((c: any) => c.name),
      ['Name', 'Ready', 'Status', 'Restarts', 'Age', 'IP', 'Node', 'Nominated Node', 'Readiness Gates'],
    );
    const speaker = t.json.rows.find((r: any) => r.cells[0] === 'speaker-4vzxk');
    assert.equal(speaker.cells[1], '4/4');
    assert.equal(speaker.cells[2], 'Running');
    // Restarted at 10:05, the world's clock stands at 13:00: kubectl's HumanDuration prints minutes below 3 h.
    assert.match(speaker.cells[3], /^1 \(17[56]m ago\)$/);
    assert.equal(speaker.object.kind, 'PartialObjectMetadata');
    assert.equal(speaker.object.metadata.namespace, ns);
    const svc = await api(sim, 'GET', '/api/v1/services', { accept: tableAccept });
    assert.deepEqual(svc.json.rows[0].cells.slice(0, 5), ['web', 'LoadBalancer', '10.96.0.20', '192.0.2.200', '80:30080/TCP']);
  });

  it('forbids what an rbac-deny fault denies, with the real message', async () => {
    const r = await api(sim, 'GET', `/api/v1/namespaces/${ns}/secrets`);
    assert.equal(r.status, 403);
    assert.match(r.json.message, /^secrets is forbidden: User ".+" cannot list resource "secrets" in API group "" in the namespace "metallb-system"$/);
    const ssar = await api(sim, 'POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', {
      body: { apiVersion: 'authorization.k8s.io/v1', kind: 'SelfSubjectAccessReview', spec: { resourceAttributes: { namespace: ns, verb: 'list', resource: 'secrets' } } },
    });
    assert.equal(ssar.status, 201);
    assert.equal(ssar.json.status.allowed, false);
    const allowed = await api(sim, 'POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', {
      body: { spec: { resourceAttributes: { namespace: ns, verb: 'create', resource: 'pods', subresource: 'exec' } } },
    });
    assert.equal(allowed.json.status.allowed, true);
  });

  it('watches from a resourceVersion, replaying changes made after it', async () => {
    const list = await api(sim, 'GET', `/api/v1/namespaces/${ns}/pods?fieldSelector=metadata.name%3Dspeaker-9q2mt`);
    const rv = list.json.metadata.resourceVersion;
    // A change between the list and the watch must not be lost.
    await api(sim, 'PATCH', `/api/v1/namespaces/${ns}/pods/speaker-9q2mt`, { body: { metadata: { labels: { touched: 'yes' } } }, contentType: 'application/merge-patch+json' });
    const events = await watchEvents(sim, `/api/v1/namespaces/${ns}/pods?watch=true&resourceVersion=${rv}&fieldSelector=metadata.name%3Dspeaker-9q2mt`, (e) => e.length >= 1);
    assert.equal(events[0].type, 'MODIFIED');
    assert.equal(events[0].object.metadata.labels.touched, 'yes');
    assert.ok(Number(events[0].object.metadata.resourceVersion) > Number(rv));
  });

  it('sends bookmarks when asked, one-row Tables for Table watches, and ends at timeoutSeconds', async () => {
    const rv = (await api(sim, 'GET', '/api/v1/nodes')).json.metadata.resourceVersion;
    const started = Date.now();
    const events = await watchEvents(sim, `/api/v1/nodes?watch=1&resourceVersion=${rv}&allowWatchBookmarks=true&timeoutSeconds=1`, () => false, 5000);
    assert.ok(Date.now() - started < 4000, 'the watch ended at timeoutSeconds');
    assert.equal(events[0].type, 'BOOKMARK');
    assert.equal(events[0].object.metadata.resourceVersion, rv);
    const tableEvents = await watchEvents(sim, `/api/v1/namespaces/${ns}/pods?watch=true`, (e) => e.length >= 3, 3000, tableAccept);
    assert.equal(tableEvents[0].type, 'ADDED');
    assert.equal(tableEvents[0].object.kind, 'Table');
    assert.equal(tableEvents[0].object.rows.length, 1);
  });

  it('answers a too-old resourceVersion with an ERROR event carrying 410 Expired', async () => {
    const events = await watchEvents(sim, '/api/v1/pods?watch=true&resourceVersion=5', (e) => e.length >= 1);
    assert.equal(events[0].type, 'ERROR');
    assert.equal(events[0].object.code, 410);
    assert.equal(events[0].object.reason, 'Expired');
    assert.match(events[0].object.message, /^too old resource version: 5 \(\d+\)$/);
  });
});

describe('sim server: logs', () => {
  let sim: RunningSim;
  before(async () => {
    sim = await miniSim();
  });
  after(() => sim.stop());
  const logPath = (q: string): string => `/api/v1/namespaces/${ns}/pods/speaker-4vzxk/log?${q}`;

  it('serves text/plain with tailLines, limitBytes, timestamps and sinceTime', async () => {
    const tail = await api(sim, 'GET', logPath('container=speaker&tailLines=2'));
    assert.equal(tail.status, 200);
    assert.equal(tail.headers['content-type'], 'text/plain');
    assert.deepEqual(tail.text.trim().split('\n').map((l) => JSON.parse(l).msg), ['line 9', 'line 10']);
    const limited = await api(sim, 'GET', logPath('container=speaker&limitBytes=10'));
    assert.equal(limited.text.length, 10);
    const ts = await api(sim, 'GET', logPath('container=speaker&tailLines=1&timestamps=true'));
    assert.match(ts.text, /^2026-11-27T10:09:00\.000000000Z \{/);
    const since = await api(sim, 'GET', logPath(`container=speaker&sinceTime=${encodeURIComponent('2026-11-27T10:08:00Z')}`));
    assert.equal(since.text.trim().split('\n').length, 2);
    const prev = await api(sim, 'GET', logPath('container=speaker&previous=true'));
    assert.equal(prev.text, 'previous instance crashed\n');
  });

  it('rejects bad options with 422 PodLogOptions and container problems with 400', async () => {
    const bad = await api(sim, 'GET', logPath('container=speaker&tailLines=-1&limitBytes=0'));
    assert.equal(bad.status, 422);
    assert.equal(bad.json.details.kind, 'PodLogOptions');
    assert.equal(bad.json.message, 'PodLogOptions "speaker-4vzxk" is invalid: [tailLines: Invalid value: -1: must be greater than or equal to 0, limitBytes: Invalid value: 0: must be greater than 0]');
    const both = await api(sim, 'GET', logPath('container=speaker&sinceSeconds=5&sinceTime=2026-11-27T10:08:00Z'));
    assert.equal(both.json.message, 'PodLogOptions "speaker-4vzxk" is invalid: Forbidden: at most one of `sinceTime` or `sinceSeconds` may be specified');
    const noName = await api(sim, 'GET', logPath(''));
    assert.equal(noName.status, 400);
    assert.equal(noName.json.message, 'a container name must be specified for pod speaker-4vzxk, choose one of: [speaker frr reloader frr-metrics]');
    const wrong = await api(sim, 'GET', logPath('container=nope'));
    assert.equal(wrong.json.message, 'container nope is not valid for pod speaker-4vzxk');
    const noPrev = await api(sim, 'GET', `/api/v1/namespaces/${ns}/pods/speaker-9q2mt/log?container=speaker&previous=true`);
    assert.equal(noPrev.status, 400);
    assert.equal(noPrev.json.message, 'previous terminated container "speaker" in pod "speaker-9q2mt" not found');
  });
});

describe('sim server: ephemeral containers', () => {
  let sim: RunningSim;
  before(async () => {
    sim = await miniSim({
      mutateWorld: (w) => {
        w.faults.push({ type: 'image-pull-failure', image: 'example.invalid/missing' });
      },
    });
  });
  after(() => sim.stop());
  const ecPath = (pod: string): string => `/api/v1/namespaces/${ns}/pods/${pod}/ephemeralcontainers`;
  const smp = 'application/strategic-merge-patch+json';

  it('adds containers by strategic merge patch (with $setElementOrder), defaults them and runs them to completion', async () => {
    const first = await api(sim, 'PATCH', ecPath('speaker-9q2mt'), {
      contentType: smp,
      body: { spec: { ephemeralContainers: [{ image: 'nicolaka/netshoot', name: 'debugger-aaaaa', command: ['ip', '-j', 'addr'], resources: {}, targetContainerName: 'speaker', terminationMessagePolicy: 'File' }] } },
    });
    assert.equal(first.status, 200);
    const ec = first.json.spec.ephemeralContainers[0];
    assert.equal(ec.imagePullPolicy, 'Always');
    assert.equal(ec.terminationMessagePath, '/dev/termination-log');
    assert.equal(first.json.status.ephemeralContainerStatuses, undefined, 'no status entry in the PATCH response');
    const second = await api(sim, 'PATCH', ecPath('speaker-9q2mt'), {
      contentType: smp,
      body: { spec: { '$setElementOrder/ephemeralContainers': [{ name: 'debugger-aaaaa' }, { name: 'idle' }], ephemeralContainers: [{ image: 'busybox:1.36', name: 'idle', command: ['sleep', '3600'], resources: {}, terminationMessagePolicy: 'File' }] } },
    });
    assert.deepEqual(second.json.spec.ephemeralContainers.map((c: any) => c.name), ['debugger-aaaaa', 'idle']);
    assert.equal(second.json.spec.ephemeralContainers[1].imagePullPolicy, 'IfNotPresent');
    assert.ok(!JSON.stringify(second.json).includes('$setElementOrder'));
    const done = await waitFor(async () => {
      const pod = (await api(sim, 'GET', `/api/v1/namespaces/${ns}/pods/speaker-9q2mt`)).json;
      const statuses = pod.status.ephemeralContainerStatuses ?? [];
      const d = statuses.find((s: any) => s.name === 'debugger-aaaaa');
      const idle = statuses.find((s: any) => s.name === 'idle');
      return d?.state?.terminated && idle?.state?.running ? { d, idle } : undefined;
    });
    assert.equal(done.d.state.terminated.exitCode, 0);
    assert.equal(done.d.state.terminated.reason, 'Completed');
    assert.match(done.idle.containerID, /^containerd:\/\/[0-9a-f]{64}$/);
    const log = await api(sim, 'GET', `/api/v1/namespaces/${ns}/pods/speaker-9q2mt/log?container=debugger-aaaaa`);
    assert.match(log.text, /"ifname":"eth0"/);
    assert.match(log.text, /192\.0\.2\.12/);
  });

  it('publishes the status progression through watch with resourceVersion bumps', async () => {
    const pod = (await api(sim, 'GET', `/api/v1/namespaces/${ns}/pods/speaker-4vzxk`)).json;
    const watching = watchEvents(
      sim,
      `/api/v1/namespaces/${ns}/pods?watch=true&resourceVersion=${pod.metadata.resourceVersion}&fieldSelector=metadata.name%3Dspeaker-4vzxk`,
      (events) => events.some((e) => e.object.status?.ephemeralContainerStatuses?.some((s: any) => s.name === 'w1' && s.state.terminated)),
    );
    await api(sim, 'PATCH', ecPath('speaker-4vzxk'), { contentType: smp, body: { spec: { ephemeralContainers: [{ name: 'w1', image: 'busybox', command: ['echo', 'hi'] }] } } });
    const events = await watching;
    const states = events.map((e) => {
      const s = e.object.status?.ephemeralContainerStatuses?.find((x: any) => x.name === 'w1');
      return s ? Object.keys(s.state)[0] + (s.state.waiting ? `:${s.state.waiting.reason}` : '') : 'spec-only';
    });
    assert.deepEqual(states, ['spec-only', 'waiting:ContainerCreating', 'running', 'terminated']);
    const rvs = events.map((e) => Number(e.object.metadata.resourceVersion));
    assert.deepEqual([...rvs].sort((a, b) => a - b), rvs);
    assert.equal(new Set(rvs).size, rvs.length);
  });

  it('shows ErrImagePull then ImagePullBackOff with the image-pull fault, and logs refuse with the kubelet text', async () => {
    await api(sim, 'PATCH', ecPath('speaker-4vzxk'), { contentType: smp, body: { spec: { ephemeralContainers: [{ name: 'pull', image: 'example.invalid/missing:1' }] } } });
    const status = await waitFor(async () => {
      const pod = (await api(sim, 'GET', `/api/v1/namespaces/${ns}/pods/speaker-4vzxk`)).json;
      const s = pod.status.ephemeralContainerStatuses.find((x: any) => x.name === 'pull');
      return s?.state?.waiting?.reason === 'ImagePullBackOff' ? s : undefined;
    });
    assert.equal(status.state.waiting.message, 'Back-off pulling image "example.invalid/missing:1"');
    const log = await api(sim, 'GET', `/api/v1/namespaces/${ns}/pods/speaker-4vzxk/log?container=pull`);
    assert.equal(log.status, 400);
    assert.equal(log.json.message, 'container "pull" in pod "speaker-4vzxk" is waiting to start: trying and failing to pull image');
  });

  it('validates like the real server (422 Invalid with causes)', async () => {
    const bad = await api(sim, 'PATCH', ecPath('controller-7d9b8c5f4-x2lzp'), {
      contentType: smp,
      body: { spec: { ephemeralContainers: [{ name: 'dbg', image: 'busybox', targetContainerName: 'nope', ports: [{ containerPort: 80 }] }] } },
    });
    assert.equal(bad.status, 422);
    assert.equal(bad.json.reason, 'Invalid');
    assert.deepEqual(bad.json.details.kind, 'Pod');
    assert.equal(
      bad.json.message,
      'Pod "controller-7d9b8c5f4-x2lzp" is invalid: [spec.ephemeralContainers[0].targetContainerName: Not found: "nope", spec.ephemeralContainers[0].ports: Forbidden: cannot be set for an Ephemeral Container]',
    );
    assert.deepEqual(bad.json.details.causes[0], { reason: 'FieldValueNotFound', message: 'Not found: "nope"', field: 'spec.ephemeralContainers[0].targetContainerName' });
    const dup = await api(sim, 'PATCH', ecPath('controller-7d9b8c5f4-x2lzp'), { contentType: smp, body: { spec: { ephemeralContainers: [{ name: 'controller', image: 'busybox' }] } } });
    assert.equal(dup.json.message, 'Pod "controller-7d9b8c5f4-x2lzp" is invalid: spec.ephemeralContainers[0].name: Duplicate value: "controller"');
  });

  it('applies merge patch wholesale (removal → 422) and JSON patch (object body → 400)', async () => {
    await api(sim, 'PATCH', ecPath('controller-7d9b8c5f4-x2lzp'), { contentType: smp, body: { spec: { ephemeralContainers: [{ name: 'one', image: 'busybox', command: ['sleep', '3600'] }] } } });
    const merge = await api(sim, 'PATCH', ecPath('controller-7d9b8c5f4-x2lzp'), { contentType: 'application/merge-patch+json', body: { spec: { ephemeralContainers: [{ name: 'two', image: 'busybox' }] } } });
    assert.equal(merge.status, 422);
    assert.match(merge.json.message, /spec\.ephemeralContainers: Forbidden: existing ephemeral containers "one" may not be removed/);
    const objectBody = await api(sim, 'PATCH', ecPath('controller-7d9b8c5f4-x2lzp'), { contentType: 'application/json-patch+json', body: { spec: {} } });
    assert.equal(objectBody.status, 400);
    assert.equal(objectBody.json.message, 'json: cannot unmarshal object into Go value of type jsonpatch.Patch');
    const jp = await api(sim, 'PATCH', ecPath('controller-7d9b8c5f4-x2lzp'), { contentType: 'application/json-patch+json', body: [{ op: 'add', path: '/spec/ephemeralContainers/-', value: { name: 'three', image: 'busybox' } }] });
    assert.equal(jp.status, 200);
    assert.deepEqual(jp.json.spec.ephemeralContainers.map((c: any) => c.name), ['one', 'three']);
    const badPath = await api(sim, 'PATCH', ecPath('speaker-9q2mt'), { contentType: 'application/json-patch+json', body: [{ op: 'replace', path: '/spec/nothing/here', value: 1 }] });
    assert.equal(badPath.status, 422);
    assert.equal(badPath.json.message, 'the server rejected our request due to an error in our request');
    const other = await api(sim, 'PATCH', ecPath('speaker-9q2mt'), { contentType: 'text/plain', body: 'x' });
    assert.equal(other.status, 415);
    assert.match(other.json.message, /accepted media types include: application\/json-patch\+json, application\/merge-patch\+json/);
  });

  it('silently ignores a body that is not shaped like a Pod (with a Warning header)', async () => {
    const before = (await api(sim, 'GET', `/api/v1/namespaces/${ns}/pods/speaker-9q2mt`)).json;
    const r = await api(sim, 'PATCH', ecPath('speaker-9q2mt'), { contentType: smp, body: { ephemeralContainers: [{ name: 'ignored', image: 'busybox' }] } });
    assert.equal(r.status, 200);
    assert.equal(r.json.spec.ephemeralContainers.length, before.spec.ephemeralContainers.length);
    assert.match(String(r.headers.warning), /299 - "unknown field \\"ephemeralContainers\\""/);
  });
});

describe('sim server: pods created through the API, deletion, proxy, faults', () => {
  let sim: RunningSim;
  before(async () => {
    sim = await miniSim({
      maxGraceMs: 200,
      mutateWorld: (w) => {
        w.faults.push({ type: 'node-not-ready', node: 'node-2' });
        w.faults.push({ type: 'pod-deleted', pod: 'controller-7d9b8c5f4-x2lzp', when: 'on-ephemeral-patch' });
      },
    });
  });
  after(() => sim.stop());

  it('creates a node debug pod from kubectl-style protobuf and runs it Pending → Running → Succeeded', async () => {
    const body = encodeProtobufPod({
      metadata: { name: 'node-debugger-node-1-abcde', namespace: '' },
      spec: {
        nodeName: 'node-1',
        restartPolicy: 'Never',
        hostNetwork: true,
        hostPID: true,
        tolerations: [{ operator: 'Exists' }],
        volumes: [{ name: 'host-root', hostPath: { path: '/' } }],
        containers: [{ name: 'debugger', image: 'busybox', command: ['ip', '-j', 'addr'], terminationMessagePolicy: 'File', volumeMounts: [{ name: 'host-root', mountPath: '/host' }], stdin: false }],
      },
    });
    const created = await api(sim, 'POST', '/api/v1/namespaces/default/pods', { body, contentType: 'application/vnd.kubernetes.protobuf' });
    assert.equal(created.status, 201);
    assert.equal(created.json.status.phase, 'Pending');
    assert.equal(created.json.spec.hostNetwork, true);
    assert.deepEqual(created.json.spec.volumes, [{ name: 'host-root', hostPath: { path: '/' } }]);
    assert.equal(created.json.spec.containers[0].stdin, undefined, 'false bools are the zero value');
    const finished = await waitFor(async () => {
      const p = (await api(sim, 'GET', '/api/v1/namespaces/default/pods/node-debugger-node-1-abcde')).json;
      return p.status.phase === 'Succeeded' ? p : undefined;
    });
    assert.equal(finished.status.containerStatuses[0].state.terminated.reason, 'Completed');
    const log = await api(sim, 'GET', '/api/v1/namespaces/default/pods/node-debugger-node-1-abcde/log?container=debugger');
    assert.match(log.text, /192\.0\.2\.11/);
    assert.equal(sim.sim.state.backend instanceof Object, true);
  });

  it('refuses ephemeralContainers on create and deletes with a grace period', async () => {
    const bad = await api(sim, 'POST', '/api/v1/namespaces/default/pods', { body: { metadata: { name: 'x' }, spec: { containers: [{ name: 'a', image: 'busybox' }], ephemeralContainers: [{ name: 'e', image: 'busybox' }] } } });
    assert.equal(bad.status, 422);
    assert.equal(bad.json.message, 'Pod "x" is invalid: spec.ephemeralContainers: Forbidden: cannot be set on create');
    const ok = await api(sim, 'POST', '/api/v1/namespaces/default/pods', { body: { metadata: { generateName: 'idle-' }, spec: { nodeName: 'node-1', containers: [{ name: 'a', image: 'busybox', command: ['sleep', 'infinity'] }] } } });
    const name = ok.json.metadata.name;
    assert.match(name, /^idle-[bcdfghjklmnpqrstvwxz2456789]{5}$/);
    await waitFor(async () => ((await api(sim, 'GET', `/api/v1/namespaces/default/pods/${name}`)).json.status.phase === 'Running' ? true : undefined));
    const del = await api(sim, 'DELETE', `/api/v1/namespaces/default/pods/${name}`);
    assert.equal(del.status, 200);
    assert.ok(del.json.metadata.deletionTimestamp);
    assert.equal(del.json.metadata.deletionGracePeriodSeconds, 30);
    await waitFor(async () => ((await api(sim, 'GET', `/api/v1/namespaces/default/pods/${name}`)).status === 404 ? true : undefined));
  });

  it('marks node-not-ready nodes and their pods', async () => {
    const node = (await api(sim, 'GET', '/api/v1/nodes/node-2')).json;
    const ready = node.status.conditions.find((c: any) => c.type === 'Ready');
    assert.equal(ready.status, 'Unknown');
    assert.equal(ready.reason, 'NodeStatusUnknown');
    assert.ok(node.spec.taints.some((t: any) => t.key === 'node.kubernetes.io/unreachable'));
    const pod = (await api(sim, 'GET', `/api/v1/namespaces/${ns}/pods/speaker-9q2mt`)).json;
    assert.equal(pod.status.conditions.find((c: any) => c.type === 'Ready').status, 'False');
  });

  it('deletes a pod after an ephemeral patch with the pod-deleted fault (watch sees DELETED, then 404)', async () => {
    const path = `/api/v1/namespaces/${ns}/pods/controller-7d9b8c5f4-x2lzp`;
    const rv = (await api(sim, 'GET', path)).json.metadata.resourceVersion;
    const watching = watchEvents(sim, `/api/v1/namespaces/${ns}/pods?watch=true&resourceVersion=${rv}&fieldSelector=metadata.name%3Dcontroller-7d9b8c5f4-x2lzp`, (e) => e.some((x) => x.type === 'DELETED'));
    const patched = await api(sim, 'PATCH', `${path}/ephemeralcontainers`, { contentType: 'application/strategic-merge-patch+json', body: { spec: { ephemeralContainers: [{ name: 'd', image: 'busybox' }] } } });
    assert.equal(patched.status, 200);
    const events = await watching;
    assert.equal(events[events.length - 1].type, 'DELETED');
    assert.equal((await api(sim, 'GET', path)).status, 404);
  });

  it('proxies metrics, answering 401 where the endpoint needs a token', async () => {
    const m = await api(sim, 'GET', `/api/v1/namespaces/${ns}/pods/speaker-4vzxk:7472/proxy/metrics`);
    assert.equal(m.status, 200);
    assert.match(m.text, /^metallb_bgp_session_up/);
    const tokenNeeded = await api(sim, 'GET', `/api/v1/namespaces/${ns}/pods/https:speaker-9q2mt:9120/proxy/metrics`);
    assert.equal(tokenNeeded.status, 401);
    assert.equal(tokenNeeded.text, 'Unauthorized\n');
    const refused = await api(sim, 'GET', `/api/v1/namespaces/${ns}/pods/speaker-4vzxk:9999/proxy/metrics`);
    assert.equal(refused.status, 503);
    assert.match(refused.json.message, /connect: connection refused/);
  });
});

describe('sim server: ephemeral-unsupported fault', () => {
  let sim: RunningSim;
  before(async () => {
    sim = await miniSim({ mutateWorld: (w) => w.faults.push({ type: 'ephemeral-unsupported' }) });
  });
  after(() => sim.stop());

  it('answers 404 with empty details and hides the subresource from discovery', async () => {
    const r = await api(sim, 'PATCH', `/api/v1/namespaces/${ns}/pods/speaker-4vzxk/ephemeralcontainers`, { contentType: 'application/strategic-merge-patch+json', body: { spec: { ephemeralContainers: [{ name: 'x', image: 'busybox' }] } } });
    assert.equal(r.status, 404);
    assert.deepEqual(r.json.details, {});
    const v1 = await api(sim, 'GET', '/api/v1');
    assert.ok(!v1.json.resources.some((x: any) => x.name === 'pods/ephemeralcontainers'));
  });
});

describe('sim server: latency faults, RBAC on subresources, log follow', () => {
  let sim: RunningSim;
  before(async () => {
    sim = await miniSim({
      mutateWorld: (w) => {
        w.faults.push({ type: 'api-latency', ms: 150 });
        w.faults.push({ type: 'slow-container-start', ms: 400, nodes: ['node-1'] });
        w.faults.push({ type: 'rbac-deny', verb: 'patch', resource: 'pods', subresource: 'ephemeralcontainers', namespace: 'default' });
      },
    });
  });
  after(() => sim.stop());

  it('delays every API request by api-latency', async () => {
    const started = Date.now();
    await api(sim, 'GET', '/api/v1/nodes');
    assert.ok(Date.now() - started >= 150);
  });

  it('starts containers late on nodes with slow-container-start', async () => {
    const patched = Date.now();
    await api(sim, 'PATCH', `/api/v1/namespaces/${ns}/pods/speaker-4vzxk/ephemeralcontainers`, { contentType: 'application/strategic-merge-patch+json', body: { spec: { ephemeralContainers: [{ name: 'slow', image: 'busybox', command: ['sleep', '30'] }] } } });
    await waitFor(async () => {
      const pod = (await api(sim, 'GET', `/api/v1/namespaces/${ns}/pods/speaker-4vzxk`)).json;
      return pod.status.ephemeralContainerStatuses?.find((s: any) => s.name === 'slow')?.state?.running ? true : undefined;
    });
    assert.ok(Date.now() - patched >= 400, 'running only after the extra start time');
  });

  it('denies the ephemeralcontainers subresource per namespace, in SSAR and on PATCH', async () => {
    const created = await api(sim, 'POST', '/api/v1/namespaces/default/pods', { body: { metadata: { name: 'app' }, spec: { nodeName: 'node-2', containers: [{ name: 'app', image: 'busybox', command: ['sleep', 'infinity'] }] } } });
    assert.equal(created.status, 201);
    const review = (attrs: Record<string, string>): Promise<boolean> =>
      api(sim, 'POST', '/apis/authorization.k8s.io/v1/selfsubjectaccessreviews', { body: { spec: { resourceAttributes: attrs } } }).then((r) => r.json.status.allowed);
    assert.equal(await review({ namespace: 'default', verb: 'patch', resource: 'pods', subresource: 'ephemeralcontainers' }), false);
    assert.equal(await review({ namespace: ns, verb: 'patch', resource: 'pods', subresource: 'ephemeralcontainers' }), true);
    assert.equal(await review({ namespace: 'default', verb: 'patch', resource: 'pods' }), true);
    const denied = await api(sim, 'PATCH', '/api/v1/namespaces/default/pods/app/ephemeralcontainers', { contentType: 'application/strategic-merge-patch+json', body: { spec: { ephemeralContainers: [{ name: 'x', image: 'busybox' }] } } });
    assert.equal(denied.status, 403);
    assert.match(denied.json.message, /^pods "app" is forbidden: User "[^"]+" cannot patch resource "pods\/ephemeralcontainers" in API group "" in the namespace "default"$/);
    assert.deepEqual(denied.json.details, { name: 'app', kind: 'pods' });
  });

  it('follows the log of a running container until it ends', async () => {
    await api(sim, 'PATCH', `/api/v1/namespaces/${ns}/pods/speaker-9q2mt/ephemeralcontainers`, { contentType: 'application/strategic-merge-patch+json', body: { spec: { ephemeralContainers: [{ name: 'talker', image: 'busybox', stdin: true }] } } });
    await waitFor(async () => {
      const pod = (await api(sim, 'GET', `/api/v1/namespaces/${ns}/pods/speaker-9q2mt`)).json;
      return pod.status.ephemeralContainerStatuses?.find((s: any) => s.name === 'talker')?.state?.running ? true : undefined;
    });
    const followed = api(sim, 'GET', `/api/v1/namespaces/${ns}/pods/speaker-9q2mt/log?container=talker&follow=true`);
    await new Promise((r) => setTimeout(r, 100));
    // Drive the interactive shell through an attach, then end its input.
    const ws = new WebSocket(`${sim.url.replace('https', 'wss')}/api/v1/namespaces/${ns}/pods/speaker-9q2mt/attach?container=talker&stdin=true&stdout=true`, ['v5.channel.k8s.io'], { ca: sim.caPem, headers: { Authorization: `Bearer ${sim.token}` } });
    await new Promise((r) => ws.on('open', r));
    ws.send(Buffer.concat([Buffer.from([0]), Buffer.from('echo one\necho two\n')]));
    ws.send(Buffer.from([255, 0]));
    await new Promise((r) => ws.on('close', r));
    const log = await followed;
    assert.equal(log.status, 200);
    assert.equal(log.text, 'one\ntwo\n');
  });
});

describe('sim server: image pull latency', () => {
  let sim: RunningSim;
  before(async () => {
    sim = await miniSim({ mutateWorld: (w) => (w.latency = { requestMs: 0, containerStartMs: 0, imagePullMs: 1500, execMs: 0, presentImages: ['busybox:1.36'] }) });
  });
  after(() => sim.stop());

  const runningAfterMs = async (pod: string, name: string, image: string): Promise<number> => {
    const start = Date.now();
    await api(sim, 'PATCH', `/api/v1/namespaces/${ns}/pods/${pod}/ephemeralcontainers`, { contentType: 'application/strategic-merge-patch+json', body: { spec: { ephemeralContainers: [{ name, image, command: ['sleep', '30'] }] } } });
    await waitFor(async () => {
      const p = (await api(sim, 'GET', `/api/v1/namespaces/${ns}/pods/${pod}`)).json;
      return p.status.ephemeralContainerStatuses?.find((s: any) => s.name === name)?.state?.running ? true : undefined;
    });
    return Date.now() - start;
  };

  it('charges imagePullMs for the first pull on a node only, and never for present images', async () => {
    assert.ok((await runningAfterMs('speaker-4vzxk', 'first', 'nicolaka/netshoot:v0.13')) >= 1500);
    assert.ok((await runningAfterMs('speaker-4vzxk', 'again', 'nicolaka/netshoot:v0.13')) < 1500, 'pulled already on node-1');
    assert.ok((await runningAfterMs('speaker-9q2mt', 'present', 'busybox:1.36')) < 1500, 'present on every node');
  });
});
