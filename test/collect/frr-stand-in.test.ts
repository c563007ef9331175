/**
 * The FRR lane in one exec: vtysh's commands and the reloader's files run together in MetalLB's
 * `reloader` container (the FRR image, with the daemons' sockets), and vtysh falls back to the
 * `frr` container when the reloader is not running.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { V1Pod } from '@kubernetes/client-node';
import type { World } from '../../src/sim/world.js';
import { vtyshStandIn } from '../../src/collect/node.js';
import { nodeItems } from '../../src/catalogue/index.js';
import { runCollect, speakerNodes, worldIndex } from './support.js';

const frrItems = nodeItems.filter((i) => i.runIn === 'frr');
const vtyshItems = frrItems.filter((i) => !i.container).map((i) => i.id);
const reloaderItems = frrItems.filter((i) => i.container === 'reloader').map((i) => i.id);

const sockets = { name: 'frr-sockets', mountPath: '/var/run/frr' };
const pod = (frr: object, reloader?: object): V1Pod => ({ spec: { containers: [{ name: 'frr', image: 'quay.io/frrouting/frr:9.1.0', volumeMounts: [sockets], ...frr }, ...(reloader ? [{ name: 'reloader', image: 'quay.io/frrouting/frr:9.1.0', volumeMounts: [sockets], ...reloader }] : [])] } });

const cases: { name: string; pod: V1Pod; want: string | undefined }[] = [
  { name: 'same image, same sockets volume', pod: pod({}, {}), want: 'reloader' },
  { name: 'no reloader container', pod: pod({}), want: undefined },
  { name: 'reloader on another image', pod: pod({}, { image: 'quay.io/metallb/frr-k8s:v0.0.16' }), want: undefined },
  { name: 'reloader without the sockets', pod: pod({}, { volumeMounts: [{ name: 'reloader', mountPath: '/etc/frr_reloader' }] }), want: undefined },
  { name: 'another volume at /var/run/frr', pod: pod({}, { volumeMounts: [{ name: 'other', mountPath: '/var/run/frr' }] }), want: undefined },
  { name: 'sockets through a subPath', pod: pod({}, { volumeMounts: [{ ...sockets, subPath: 'x' }] }), want: undefined },
];

for (const c of cases) {
  test(`vtyshStandIn: ${c.name}`, () => {
    assert.equal(vtyshStandIn(c.pod), c.want);
  });
}

/** Execs the simulator ran in each container of one pod: `container×count`. */
function execContainers(ran: Awaited<ReturnType<typeof runCollect>>, pod: string): Map<string, number> {
  const out = new Map<string, number>();
  for (const [where, n] of ran.sim.sim.state.execsByContainer) {
    const [, p, container] = where.split('/');
    if (p === pod) out.set(container!, n);
  }
  return out;
}
const show = (m: Map<string, number>): string => [...m].map(([c, n]) => `${c}×${n}`).join(', ');

test('FRR mode: vtysh and the reloader files take one exec in the reloader; every FRR item ok', { timeout: 120_000 }, async () => {
  const ran = await runCollect('healthy-frr', { captureSeconds: 0, capture: false });
  try {
    const manifest = ran.result.manifest;
    const { speakers } = worldIndex(ran.world);
    for (const node of speakerNodes(ran.world)) {
      const rec = manifest.nodes.find((n) => n.node === node)!;
      for (const id of [...vtyshItems, ...reloaderItems]) assert.equal(rec.steps.find((s) => s.step === id)?.status, 'ok', `${node} ${id}`);
      const containers = execContainers(ran, speakers.get(node)!);
      assert.equal(containers.get('frr'), undefined, `${node}: no exec in frr (${show(containers)})`);
      assert.equal(containers.get('reloader'), 1, `${node}: one exec in the reloader (${show(containers)})`);
    }
  } finally {
    await ran.cleanup();
  }
});

test('reloader not running: vtysh runs in frr, the reloader files are marked, the node partial', { timeout: 120_000 }, async () => {
  let down = '';
  let downPod = '';
  const ran = await runCollect('healthy-frr', { captureSeconds: 0, capture: false }, (w: World) => {
    const node = speakerNodes(w)[0]!;
    downPod = worldIndex(w).speakers.get(node)!;
    down = node;
    const p = w.objects.find((o) => o.kind === 'Pod' && o.metadata.name === downPod)!;
    const st = (p.status.containerStatuses as { name: string; ready: boolean; started: boolean; state: object }[]).find((s) => s.name === 'reloader')!;
    Object.assign(st, { ready: false, started: false, state: { waiting: { reason: 'CrashLoopBackOff', message: 'back-off 5m0s restarting failed container=reloader' } } });
    return [];
  });
  try {
    const rec = ran.result.manifest.nodes.find((n) => n.node === down)!;
    for (const id of vtyshItems) assert.equal(rec.steps.find((s) => s.step === id)?.status, 'ok', `${id} ran in frr`);
    for (const id of reloaderItems) {
      const s = rec.steps.find((x) => x.step === id)!;
      assert.notEqual(s.status, 'ok', id);
      assert.match(s.reason ?? '', /container not found|reloader/, `${id}: ${s.reason}`);
    }
    assert.equal(rec.status, 'partial');
    const containers = execContainers(ran, downPod);
    assert.equal(containers.get('frr'), 1, `vtysh retried in frr (${show(containers)})`);
    for (const other of speakerNodes(ran.world).filter((n) => n !== down)) assert.equal(ran.result.manifest.nodes.find((n) => n.node === other)?.status, 'ok', other);
  } finally {
    await ran.cleanup();
  }
});
