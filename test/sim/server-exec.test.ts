import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import https from 'node:https';
import WebSocket from 'ws';
import { api, miniSim, bgpSummaryJson, type RunningSim } from '../helpers/sim.js';

const ns = 'metallb-system';

interface StreamResult {
  protocol: string;
  frames: { channel: number; data: Buffer }[];
  stdout: string;
  stderr: string;
  status?: any;
  closeCode: number;
}

/** Opens an exec/attach WebSocket, optionally sends stdin, and collects everything until close. */
function stream(sim: RunningSim, path: string, opts: { protocols?: string[]; stdin?: Buffer[]; closeStdin?: boolean; closeAfterMs?: number } = {}): Promise<StreamResult> {
  const url = new URL(path, sim.url.replace('https', 'wss'));
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, opts.protocols ?? ['v5.channel.k8s.io'], { ca: sim.caPem, headers: { Authorization: `Bearer ${sim.token}` } });
    const frames: { channel: number; data: Buffer }[] = [];
    ws.on('open', () => {
      for (const chunk of opts.stdin ?? []) ws.send(Buffer.concat([Buffer.from([0]), chunk]));
      if (opts.closeStdin) ws.send(Buffer.from([255, 0]));
      if (opts.closeAfterMs !== undefined) setTimeout(() => ws.close(1000), opts.closeAfterMs);
    });
    ws.on('message', (data: Buffer, isBinary) => {
      assert.ok(isBinary, 'the server sends binary frames only');
      frames.push({ channel: data[0]!, data: data.subarray(1) });
    });
    ws.on('unexpected-response', (_req, res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => reject(Object.assign(new Error(`HTTP ${res.statusCode}`), { status: res.statusCode, body: JSON.parse(Buffer.concat(chunks).toString()) })));
    });
    ws.on('error', reject);
    ws.on('close', (code) => {
      const text = (ch: number): string => Buffer.concat(frames.filter((f) => f.channel === ch).map((f) => f.data)).toString();
      const statusText = text(3);
      resolve({ protocol: ws.protocol, frames, stdout: text(1), stderr: text(2), status: statusText ? JSON.parse(statusText) : undefined, closeCode: code });
    });
  });
}

const execPath = (pod: string, container: string, argv: string[], extra = 'stdout=true&stderr=true'): string =>
  `/api/v1/namespaces/${ns}/pods/${pod}/exec?${argv.map((a) => `command=${encodeURIComponent(a)}`).join('&')}&container=${container}&${extra}`;

describe('sim server: exec and attach over WebSocket', () => {
  let sim: RunningSim;
  before(async () => {
    sim = await miniSim({
      mutateWorld: (w) => {
        w.faults.push({ type: 'exec-cut', containers: ['reloader'], afterBytes: 1000 });
        w.faults.push({ type: 'exec-hang', commandContains: 'hang-here' });
        w.faults.push({ type: 'node-unresponsive', node: 'node-2' });
      },
    });
  });
  after(() => sim.stop());

  it('runs a command over v5: ready frame, stdout, Success on channel 3, close 1000', async () => {
    const r = await stream(sim, execPath('speaker-4vzxk', 'frr', ['vtysh', '-c', 'show bgp summary json']));
    assert.equal(r.protocol, 'v5.channel.k8s.io');
    assert.deepEqual(r.frames[0], { channel: 1, data: Buffer.alloc(0) }, 'first frame is the empty ready signal on stdout');
    assert.equal(r.stdout, `${bgpSummaryJson}\n`);
    assert.deepEqual(r.status, { metadata: {}, status: 'Success' });
    assert.equal(r.closeCode, 1000);
    assert.ok(!r.frames.some((f) => f.channel === 255), 'never sends 255 frames');
  });

  it('reports a non-zero exit as NonZeroExitCode with the ExitCode cause, also over v4', async () => {
    const r = await stream(sim, execPath('speaker-4vzxk', 'frr', ['exit', '3']), { protocols: ['v4.channel.k8s.io'] });
    assert.equal(r.protocol, 'v4.channel.k8s.io');
    assert.equal(r.status.reason, 'NonZeroExitCode');
    assert.equal(r.status.message, 'command terminated with non-zero exit code: command terminated with exit code 3');
    assert.deepEqual(r.status.details.causes, [{ reason: 'ExitCode', message: '3' }]);
  });

  it('streams stdin and ends it with the v5 close signal', async () => {
    const r = await stream(sim, execPath('speaker-4vzxk', 'frr', ['cat'], 'stdin=true&stdout=true&stderr=true'), { stdin: [Buffer.from('hello '), Buffer.from('world')], closeStdin: true });
    assert.equal(r.stdout, 'hello world');
    assert.equal(r.status.status, 'Success');
  });

  it('fails exec into a distroless container as the runtime does', async () => {
    const r = await stream(sim, execPath('speaker-4vzxk', 'speaker', ['sh', '-c', 'ls']));
    assert.equal(r.status.status, 'Failure');
    assert.equal(r.status.reason, 'InternalError');
    assert.equal(r.status.code, 500);
    assert.match(r.status.message, /OCI runtime exec failed: exec failed: unable to start container process: exec: "sh": executable file not found in \$PATH: unknown$/);
  });

  it('answers pre-upgrade errors as plain HTTP Status, for WebSocket and for the SPDY POST alike', async () => {
    await assert.rejects(stream(sim, execPath('speaker-4vzxk', 'nope', ['ls'])), (e: any) => e.status === 400 && e.body.message === 'container nope is not valid for pod speaker-4vzxk');
    await assert.rejects(stream(sim, execPath('nosuch', 'frr', ['ls'])), (e: any) => e.status === 404 && e.body.message === 'pods "nosuch" not found');
    const spdy = await new Promise<{ status: number; body: any }>((resolve, reject) => {
      const req = https.request(new URL(execPath('speaker-4vzxk', 'nope', ['ls']), sim.url), {
        method: 'POST',
        ca: sim.caPem,
        headers: { Authorization: `Bearer ${sim.token}`, Connection: 'Upgrade', Upgrade: 'SPDY/3.1', 'X-Stream-Protocol-Version': 'v4.channel.k8s.io' },
      });
      req.on('response', (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => resolve({ status: res.statusCode!, body: JSON.parse(Buffer.concat(chunks).toString()) }));
      });
      req.on('upgrade', () => reject(new Error('unexpected upgrade')));
      req.on('error', reject);
      req.end();
    });
    assert.equal(spdy.status, 400);
    assert.equal(spdy.body.kind, 'Status');
    assert.equal(spdy.body.message, 'container nope is not valid for pod speaker-4vzxk');
    const plain = await api(sim, 'GET', execPath('speaker-4vzxk', 'frr', ['ls']));
    assert.equal(plain.status, 400);
    assert.equal(plain.json.message, 'Upgrade request required');
  });

  it('cuts the stream after N bytes without a status (exec-cut)', async () => {
    const r = await stream(sim, execPath('speaker-4vzxk', 'reloader', ['bytes', '5000']));
    assert.equal(r.stdout.length, 1000);
    assert.equal(r.status, undefined);
  });

  it('never ends a hanging exec until the client goes away, and stops the command then', async () => {
    const started = Date.now();
    const r = await stream(sim, execPath('speaker-4vzxk', 'frr', ['echo', 'hang-here']), { closeAfterMs: 300 });
    assert.ok(Date.now() - started >= 290);
    assert.equal(r.stdout, '');
    assert.equal(r.status, undefined);
  });

  it('keeps exec on an unresponsive node silent; the ephemeral container there stays waiting', async () => {
    const r = await stream(sim, execPath('speaker-9q2mt', 'frr', ['echo', 'x']), { closeAfterMs: 200 });
    assert.equal(r.stdout, '');
    assert.equal(r.status, undefined);
    await api(sim, 'PATCH', `/api/v1/namespaces/${ns}/pods/speaker-9q2mt/ephemeralcontainers`, { contentType: 'application/strategic-merge-patch+json', body: { spec: { ephemeralContainers: [{ name: 'stuck', image: 'busybox', command: ['echo', 'x'] }] } } });
    await new Promise((r) => setTimeout(r, 300));
    const pod = (await api(sim, 'GET', `/api/v1/namespaces/${ns}/pods/speaker-9q2mt`)).json;
    assert.deepEqual(pod.status.ephemeralContainerStatuses.find((s: any) => s.name === 'stuck').state, { waiting: { reason: 'ContainerCreating' } });
  });

  it('attaches to an interactive ephemeral container: stdin runs commands, its end terminates the container', async () => {
    await api(sim, 'PATCH', `/api/v1/namespaces/${ns}/pods/speaker-4vzxk/ephemeralcontainers`, { contentType: 'application/strategic-merge-patch+json', body: { spec: { ephemeralContainers: [{ name: 'shell', image: 'nicolaka/netshoot', stdin: true }] } } });
    for (let i = 0; i < 100; i++) {
      const pod = (await api(sim, 'GET', `/api/v1/namespaces/${ns}/pods/speaker-4vzxk`)).json;
      if (pod.status.ephemeralContainerStatuses?.find((s: any) => s.name === 'shell')?.state?.running) break;
      await new Promise((r) => setTimeout(r, 20));
    }
    const r = await stream(sim, `/api/v1/namespaces/${ns}/pods/speaker-4vzxk/attach?container=shell&stdin=true&stdout=true&stderr=true`, { stdin: [Buffer.from('echo first\nstderr oops\n')], closeStdin: true });
    assert.equal(r.stdout, 'first\n');
    assert.equal(r.stderr, 'oops\n');
    assert.deepEqual(r.status, { metadata: {}, status: 'Success' });
    let state: any;
    for (let i = 0; i < 100 && !state?.terminated; i++) {
      const pod = (await api(sim, 'GET', `/api/v1/namespaces/${ns}/pods/speaker-4vzxk`)).json;
      state = pod.status.ephemeralContainerStatuses.find((s: any) => s.name === 'shell').state;
      await new Promise((res) => setTimeout(res, 20));
    }
    assert.equal(state.terminated.reason, 'Completed');
    const late = await stream(sim, execPath('speaker-4vzxk', 'shell', ['echo', 'x']));
    assert.equal(late.status.reason, 'InternalError');
    assert.equal(late.status.message, 'Internal error occurred: unable to upgrade connection: container not found ("shell")');
  });
});

describe('sim server: a pod deleted while a command runs in it', () => {
  let sim: RunningSim;
  before(async () => {
    sim = await miniSim({ mutateWorld: (w) => w.faults.push({ type: 'pod-deleted', pod: 'speaker-9q2mt', when: { afterMs: 400 } }) });
  });
  after(() => sim.stop());

  it('ends the exec with the killed command status and 404s afterwards', async () => {
    const r = await stream(sim, execPath('speaker-9q2mt', 'frr', ['wait-abort']));
    assert.equal(r.status.reason, 'NonZeroExitCode');
    assert.deepEqual(r.status.details.causes, [{ reason: 'ExitCode', message: '137' }]);
    assert.equal(r.closeCode, 1000);
    const gone = await api(sim, 'GET', `/api/v1/namespaces/${ns}/pods/speaker-9q2mt`);
    assert.equal(gone.status, 404);
    await assert.rejects(stream(sim, execPath('speaker-9q2mt', 'frr', ['echo', 'x'])), (e: any) => e.status === 404);
  });
});
