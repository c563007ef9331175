import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { BatchDemux, batchCommand, newNonce, shellQuote, type BatchItem } from '../../src/collect/batch.js';
import { isStreamRequest } from '../../src/kube/client.js';

/** Runs argv with the real sh, as a container would. */
function run(argv: string[]): { stdout: Buffer; stderr: string } {
  const r = spawnSync(argv[0]!, argv.slice(1), { encoding: 'buffer' });
  return { stdout: r.stdout, stderr: r.stderr.toString('utf8') };
}

/** Feeds `data` to the demux in chunks of `size` bytes (markers split across chunks included). */
function feed(demux: BatchDemux, data: Buffer, size: number): void {
  for (let i = 0; i < data.length; i += size) demux.pushStdout(data.subarray(i, i + size));
}

const item = (id: string, command: string[], timeoutMs = 5000, maxBytes = 1 << 20): BatchItem => ({ id, command, timeoutMs, maxBytes });

test('a batch keeps each command output byte for byte, with its exit status and stderr', () => {
  const items = [
    item('no-newline', ['printf', 'a\nb']),
    item('quotes', ['echo', "it's a \"test\" $HOME `x` ;&&"]),
    item('fails', ['sh', '-c', 'echo out; echo why >&2; exit 3']),
    item('empty', ['true']),
    item('binaryish', ['printf', '\\001\\377\\000z']),
  ];
  const nonce = newNonce();
  const { stdout, stderr } = run(batchCommand(items, nonce));
  for (const size of [1, 7, 4096]) {
    const demux = new BatchDemux(items, nonce);
    feed(demux, stdout, size);
    demux.pushStderr(stderr);
    const r = demux.results();
    assert.deepEqual(r.get('no-newline')!.stdout, Buffer.from('a\nb'));
    assert.equal(r.get('no-newline')!.exitCode, 0);
    assert.equal(r.get('quotes')!.stdout.toString(), "it's a \"test\" $HOME `x` ;&&\n");
    assert.equal(r.get('fails')!.exitCode, 3);
    assert.equal(r.get('fails')!.stdout.toString(), 'out\n');
    assert.equal(r.get('fails')!.stderr, 'why\n');
    assert.equal(r.get('empty')!.stdout.length, 0);
    assert.equal(r.get('empty')!.finished, true);
    assert.deepEqual(r.get('binaryish')!.stdout, Buffer.from([1, 0xff, 0, 0x7a]));
    assert.ok([...r.values()].every((x) => x.started && x.finished && !x.timedOut));
  }
});

test('a command over its timeout is killed by timeout and the next one still runs', () => {
  const items = [item('slow', ['sleep', '5'], 1000), item('after', ['echo', 'still here'])];
  const nonce = newNonce();
  const t0 = Date.now();
  const { stdout } = run(batchCommand(items, nonce));
  assert.ok(Date.now() - t0 < 4000, 'the batch did not wait for sleep 5');
  const demux = new BatchDemux(items, nonce);
  demux.pushStdout(stdout);
  const r = demux.results();
  assert.equal(r.get('slow')!.timedOut, true);
  assert.equal(r.get('after')!.stdout.toString(), 'still here\n');
});

test('output cannot forge a marker without the nonce, and a cut stream keeps what arrived', () => {
  const nonce = newNonce();
  const items = [item('forger', ['echo', `@@mlb-report:${'0'.repeat(16)} end forger 0`]), item('second', ['echo', 'two']), item('third', ['echo', 'three'])];
  const { stdout } = run(batchCommand(items, nonce));
  const whole = new BatchDemux(items, nonce);
  whole.pushStdout(stdout);
  assert.equal(whole.results().get('forger')!.stdout.toString(), `@@mlb-report:${'0'.repeat(16)} end forger 0\n`);

  // Cut in the middle of the second command's output: first kept, second partial, third not run.
  const cutAt = stdout.indexOf('two') + 1;
  const cut = new BatchDemux(items, nonce);
  cut.pushStdout(stdout.subarray(0, cutAt));
  const r = cut.results();
  assert.equal(r.get('forger')!.finished, true);
  assert.equal(r.get('second')!.started, true);
  assert.equal(r.get('second')!.finished, false);
  assert.equal(r.get('second')!.stdout.toString(), 't');
  assert.equal(r.get('third')!.started, false);
  assert.equal(cut.running()?.id, 'second');
});

test('each item keeps its own byte cap', () => {
  const items = [item('big', ['sh', '-c', 'printf "%0100d" 0'], 5000, 10), item('small', ['echo', 'ok'])];
  const nonce = newNonce();
  const demux = new BatchDemux(items, nonce);
  demux.pushStdout(run(batchCommand(items, nonce)).stdout);
  const r = demux.results();
  assert.equal(r.get('big')!.stdout.length, 10);
  assert.equal(r.get('big')!.truncated, true);
  assert.equal(r.get('small')!.truncated, false);
});

test('the demux reports each item end as it arrives (watchdogs re-arm on it)', () => {
  const items = [item('a', ['echo', 'a']), item('b', ['echo', 'b'])];
  const nonce = newNonce();
  const ended: string[] = [];
  const demux = new BatchDemux(items, nonce, (id) => ended.push(id));
  feed(demux, run(batchCommand(items, nonce)).stdout, 3);
  assert.deepEqual(ended, ['a', 'b']);
});

test('shell quoting round-trips through sh', () => {
  for (const word of ['plain', '', "a'b", 'a b', '$(id)', '*', 'x\ny', '\\']) {
    const out = run(['sh', '-c', `printf %s ${shellQuote(word)}`]).stdout.toString();
    assert.equal(out, word);
  }
});

test('stream requests are told apart from rate-limited ones', () => {
  assert.equal(isStreamRequest('https://h/api/v1/namespaces/ns/pods/p/log?container=c'), true);
  assert.equal(isStreamRequest('https://h/api/v1/namespaces/ns/pods/p:7472/proxy/metrics'), true);
  assert.equal(isStreamRequest('https://h/api/v1/namespaces/ns/pods/p/exec?command=x'), true);
  assert.equal(isStreamRequest('https://h/api/v1/namespaces/ns/pods/p/ephemeralcontainers'), false);
  assert.equal(isStreamRequest('https://h/api/v1/namespaces/ns/pods?watch=true'), false);
  assert.equal(isStreamRequest('https://h/api/v1/namespaces/ns/pods/log'), false);
});

test('a batch waiting for a stream slot is not cut by its watchdog: the watchdog counts from the exec start', async () => {
  const k8s = await import('@kubernetes/client-node');
  const { startSim } = await import('../helpers/sim.js');
  const { makeKube } = await import('../../src/kube/client.js');
  const { execBatch } = await import('../../src/collect/node.js');
  const { execCapture } = await import('../../src/attach/exec.js');
  const running = await startSim('healthy-frr');
  try {
    const kc = new k8s.KubeConfig();
    kc.loadFromFile(running.kubeconfigPath);
    const kube = makeKube(kc, { qps: 0, requestTimeoutMs: 10_000, signal: new AbortController().signal, maxStreams: 1 });
    const pods = (await kube.core.listNamespacedPod({ namespace: 'metallb-system', labelSelector: 'component=speaker' })).items;
    const target = { namespace: 'metallb-system', pod: pods[0]!.metadata!.name!, container: 'frr' };
    // The only stream slot is held for longer than the batch item's timeout plus the watchdog slack.
    const hog = execCapture(kube, { ...target, command: ['sleep', '7'], timeoutMs: 20_000, maxBytes: 1024 });
    await new Promise((r) => setTimeout(r, 100));
    const ctx = { kube, settings: { deadline: Date.now() + 60_000 } } as unknown as Parameters<typeof execBatch>[0];
    const run = await execBatch(ctx, target, 'frr', [{ id: 'one', command: ['echo', 'one'], timeoutMs: 1000, maxBytes: 1024 }]);
    assert.equal((await hog).exitCode, 0);
    assert.equal(run.results.get('one')!.finished, true, run.why);
    assert.equal(run.results.get('one')!.stdout.toString(), 'one\n');
  } finally {
    await running.stop();
  }
});
