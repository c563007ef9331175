/**
 * Exec and attach over WebSocket (`v5.channel.k8s.io`, `v4.channel.k8s.io`): errors decided
 * before the upgrade go out as a plain HTTP Status (also to kubectl's SPDY fallback POST), the
 * stream itself uses 1-byte channel prefixes, a ready frame, one Status on channel 3 and close 1000.
 */
import type { IncomingMessage } from 'node:http';
import type { Duplex } from 'node:stream';
import { randomBytes } from 'node:crypto';
import { WebSocketServer, type WebSocket } from 'ws';
import type { KubeObject } from '../../model/cluster.js';
import type { ExecResult } from '../world.js';
import type { ContainerRuntime } from './kubelet.js';
import { parseBool } from './logs.js';
import type { SimState } from './state.js';
import { ApiError, badRequest, internalError, streamStatus, type StatusBody } from './status.js';
import { AsyncQueue, sleep } from './stream-util.js';

const supportedProtocols = ['v5.channel.k8s.io', 'v4.channel.k8s.io'];

const CH_STDIN = 0;
const CH_STDOUT = 1;
const CH_STDERR = 2;
const CH_ERROR = 3;
const CH_RESIZE = 4;
const CH_CLOSE = 255;

/** Writes a complete HTTP response with a Status body on a socket that was never upgraded. */
export function writeRawStatus(socket: Duplex, status: StatusBody & { code: number }, extraHeaders: Record<string, string> = {}): void {
  if (socket.destroyed) return;
  const body = JSON.stringify(status);
  const reasonPhrases: Record<number, string> = { 400: 'Bad Request', 401: 'Unauthorized', 403: 'Forbidden', 404: 'Not Found', 500: 'Internal Server Error', 502: 'Bad Gateway' };
  const headers = [
    `HTTP/1.1 ${status.code} ${reasonPhrases[status.code] ?? 'Error'}`,
    'Content-Type: application/json',
    `Content-Length: ${Buffer.byteLength(body)}`,
    'Cache-Control: no-cache, private',
    ...Object.entries(extraHeaders).map(([k, v]) => `${k}: ${v}`),
    'Connection: close',
    '',
    '',
  ].join('\r\n');
  socket.end(headers + body);
}

export interface StreamRequest {
  kind: 'exec' | 'attach';
  namespace: string;
  pod: string;
  query: URLSearchParams;
}

interface StreamFlags {
  stdin: boolean;
  stdout: boolean;
  stderr: boolean;
  tty: boolean;
}

function isRunning(pod: KubeObject, containerName: string, runtime: ContainerRuntime): boolean {
  const s = pod.status ?? {};
  const status = [...(s.containerStatuses ?? []), ...(s.initContainerStatuses ?? []), ...(s.ephemeralContainerStatuses ?? [])].find((c: any) => c.name === containerName);
  const proc = runtime.process(pod.metadata.namespace ?? 'default', pod.metadata.name, containerName);
  if (proc) return !proc.finished && Boolean(status?.state?.running);
  if (status) return Boolean(status.state?.running);
  // World pods without per-container status: a Running pod's containers are running.
  return s.phase === 'Running';
}

function startErrorMessage(startError: string): string {
  if (startError.includes('OCI runtime')) return `error executing command in container: ${startError}`;
  const execId = randomBytes(32).toString('hex');
  return `error executing command in container: failed to exec in container: failed to start exec "${execId}": OCI runtime exec failed: exec failed: unable to start container process: ${startError}: unknown`;
}

export function exitStatus(result: ExecResult): string {
  if (result.startError) {
    const e = internalError(startErrorMessage(result.startError)).status;
    return streamStatus({ metadata: {}, status: 'Failure', message: e.message, reason: e.reason, details: e.details, code: e.code });
  }
  if (result.exitCode === 0) return streamStatus({ metadata: {}, status: 'Success' });
  return streamStatus({
    metadata: {},
    status: 'Failure',
    message: `command terminated with non-zero exit code: command terminated with exit code ${result.exitCode}`,
    reason: 'NonZeroExitCode',
    details: { causes: [{ reason: 'ExitCode', message: String(result.exitCode) }] },
  });
}

export class StreamServer {
  private readonly wss: WebSocketServer;
  private readonly sockets = new Set<WebSocket>();
  private readonly execCounts = new Map<string, number>();

  constructor(
    private readonly state: SimState,
    private readonly runtime: ContainerRuntime,
  ) {
    this.wss = new WebSocketServer({
      noServer: true,
      perMessageDeflate: false,
      handleProtocols: (offered) => supportedProtocols.find((p) => offered.has(p)) ?? false,
    });
  }

  /** Checks done before the upgrade; throws ApiError for a plain HTTP answer. */
  private preflight(req: StreamRequest): { pod: KubeObject; container: string; flags: StreamFlags; command: string[] } {
    const { state } = this;
    state.authorize({ verb: 'create', group: '', resource: 'pods', subresource: req.kind, namespace: req.namespace, name: req.pod });
    if (req.kind === 'exec') this.applyFirstExecDeletion(req.namespace, req.pod);
    const pod = state.getPod(req.namespace, req.pod);
    const ref = state.resolveContainer(pod, req.query.get('container'));
    if (!pod.spec?.nodeName) throw badRequest(`pod ${req.pod} does not have a host assigned`);
    const flags: StreamFlags = {
      stdin: parseBool(req.query.get('stdin')),
      stdout: parseBool(req.query.get('stdout')),
      stderr: parseBool(req.query.get('stderr')),
      tty: parseBool(req.query.get('tty')),
    };
    if (!flags.stdin && !flags.stdout && !flags.stderr) throw badRequest('you must specify at least 1 of stdin, stdout, stderr');
    const command = req.query.getAll('command');
    if (req.kind === 'exec' && command.length === 0) throw badRequest('you must specify at least 1 command');
    return { pod, container: ref.spec.name, flags, command };
  }

  private applyFirstExecDeletion(namespace: string, pod: string): void {
    const key = `${namespace}/${pod}`;
    const count = (this.execCounts.get(key) ?? 0) + 1;
    this.execCounts.set(key, count);
    if (count !== 1) return;
    const fault = this.state.faults.podDeletions().find((f) => f.pod === pod && (f.namespace ?? namespace) === namespace && f.when === 'on-first-exec');
    if (fault) deletePodNow(this.state, this.runtime, namespace, pod);
  }

  handleUpgrade(request: IncomingMessage, socket: Duplex, head: Buffer, req: StreamRequest): void {
    let checked: ReturnType<StreamServer['preflight']>;
    try {
      checked = this.preflight(req);
    } catch (e) {
      if (e instanceof ApiError) return writeRawStatus(socket, e.status, e.headers);
      return writeRawStatus(socket, internalError((e as Error).message).status);
    }
    const isWebSocket = (request.headers.upgrade ?? '').toLowerCase() === 'websocket';
    if (!isWebSocket) {
      return writeRawStatus(socket, badRequest('unable to upgrade connection: this server accepts exec and attach over WebSocket (v5.channel.k8s.io, v4.channel.k8s.io) only').status);
    }
    const offered = String(request.headers['sec-websocket-protocol'] ?? '')
      .split(',')
      .map((p) => p.trim());
    if (!offered.some((p) => supportedProtocols.includes(p))) {
      return writeRawStatus(socket, badRequest(`unable to upgrade connection: none of the requested subprotocols ${JSON.stringify(offered)} is supported; use one of ${JSON.stringify(supportedProtocols)}`).status);
    }
    this.wss.handleUpgrade(request, socket, head, (ws) => {
      this.sockets.add(ws);
      ws.on('close', () => this.sockets.delete(ws));
      void this.serve(ws, req, checked).catch(() => {
        if (ws.readyState === ws.OPEN) ws.close(1011);
      });
    });
  }

  private async serve(ws: WebSocket, req: StreamRequest, checked: ReturnType<StreamServer['preflight']>): Promise<void> {
    const { state, runtime } = this;
    const { flags, container } = checked;
    const v5 = ws.protocol === 'v5.channel.k8s.io';
    const clientGone = new AbortController();
    ws.on('close', () => clientGone.abort());
    const onStop = (): void => clientGone.abort();
    state.stopSignal.addEventListener('abort', onStop, { once: true });
    ws.on('close', () => state.stopSignal.removeEventListener('abort', onStop));
    const send = (channel: number, data: Buffer | string): void => {
      if (ws.readyState !== ws.OPEN) return;
      ws.send(Buffer.concat([Buffer.from([channel]), typeof data === 'string' ? Buffer.from(data) : data]), { binary: true });
    };
    const finish = (statusJson: string | undefined): void => {
      if (ws.readyState !== ws.OPEN) return;
      if (statusJson !== undefined) send(CH_ERROR, statusJson);
      ws.close(1000);
    };
    // Ready signal: an empty frame on the lowest enabled output channel.
    send(flags.stdout ? CH_STDOUT : flags.stderr ? CH_STDERR : CH_ERROR, Buffer.alloc(0));

    const stdin = flags.stdin ? new AsyncQueue<Buffer>() : null;
    const stdinListeners: ((b: Buffer) => void)[] = [];
    const stdinEndListeners: (() => void)[] = [];
    ws.on('message', (data: Buffer, isBinary) => {
      const buf = Buffer.isBuffer(data) ? data : Buffer.from(data as ArrayBuffer);
      if (!isBinary || buf.length === 0) return;
      const channel = buf[0];
      if (channel === CH_STDIN && flags.stdin) {
        const payload = buf.subarray(1);
        stdin?.push(payload);
        for (const l of stdinListeners) l(payload);
      } else if (channel === CH_CLOSE && v5 && buf.length === 2 && buf[1] === CH_STDIN) {
        stdin?.end();
        for (const l of stdinEndListeners) l();
      }
      // CH_RESIZE and anything else: nothing to resize in a simulator.
      void CH_RESIZE;
    });
    ws.on('close', () => stdin?.end());

    const pod = state.store.get(state.podType, req.namespace, req.pod);
    if (!pod) return finish(exitStatusForMissingContainer(container));
    const node: string = pod.spec?.nodeName ?? '';
    // The kubelet on an unresponsive node never answers: the stream stays silent until the client leaves.
    if (state.faults.nodeUnresponsive(node)) return;
    if (!isRunning(pod, container, runtime)) return finish(exitStatusForMissingContainer(container));

    const ref = state.findContainer(pod, container)!;
    const target = state.execTarget(pod, ref);
    if (req.kind === 'attach') {
      const proc = runtime.process(req.namespace, req.pod, container);
      if (!proc) return; // a world container: nothing new is written to it, the attach stays open
      stdinListeners.push((b) => proc.stdin?.push(b));
      stdinEndListeners.push(() => proc.stdin?.end());
      const unsubscribe = proc.attach(
        (stream, chunk) => {
          if (stream === 1 && flags.stdout) send(CH_STDOUT, chunk);
          else if (stream === 2) {
            if (flags.tty && flags.stdout) send(CH_STDOUT, chunk);
            else if (flags.stderr) send(CH_STDERR, chunk);
          }
        },
        () => setImmediate(() => finish(streamStatus({ metadata: {}, status: 'Success' }))),
      );
      ws.on('close', unsubscribe);
      if (proc.finished) finish(streamStatus({ metadata: {}, status: 'Success' }));
      return;
    }

    const argv = checked.command;
    state.execsByProgram.set(argv[0] ?? '', (state.execsByProgram.get(argv[0] ?? '') ?? 0) + 1);
    const where = `${req.namespace}/${req.pod}/${container}`;
    state.execsByContainer.set(where, (state.execsByContainer.get(where) ?? 0) + 1);
    if (state.faults.execHangs(target, argv)) return; // never ends until the client goes away
    await sleep(state.faults.execMs, clientGone.signal);
    if (clientGone.signal.aborted) return;
    const cutAfter = state.faults.execCutAfter(target, argv);
    let sent = 0;
    let cut = false;
    const commandAbort = new AbortController();
    clientGone.signal.addEventListener('abort', () => commandAbort.abort(), { once: true });
    // A deleted pod kills its containers, and with them the command.
    const stopListening = runtime.onPodStopped((podNs, podName) => {
      if (podNs === req.namespace && podName === req.pod) commandAbort.abort();
    });
    ws.on('close', stopListening);
    const output = (channel: number) => (chunk: Buffer | string) => {
      if (cut) return;
      let buf = typeof chunk === 'string' ? Buffer.from(chunk) : chunk;
      if (channel === CH_STDERR && flags.tty) channel = CH_STDOUT;
      if (channel === CH_STDOUT && !flags.stdout) return;
      if (channel === CH_STDERR && !flags.stderr) return;
      if (cutAfter !== undefined && sent + buf.length >= cutAfter) {
        buf = buf.subarray(0, Math.max(0, cutAfter - sent));
        if (buf.length > 0) send(channel, buf);
        cut = true;
        commandAbort.abort();
        // The connection drops mid-stream: no status frame.
        if (ws.readyState === ws.OPEN) ws.close(1000);
        return;
      }
      sent += buf.length;
      send(channel, buf);
    };
    let result: ExecResult;
    try {
      if (argv[0] === 'touch' && argv.length > 1 && argv.slice(1).every((a) => a.startsWith('/'))) {
        // Flag files live in the kubelet's model of the container (see ContainerRuntime.touch),
        // never on a backend's host.
        runtime.touch(target, argv.slice(1));
        result = { exitCode: 0 };
      } else {
        // The same for a `touch` inside a shell script (a batch that ends with the end marker): the
        // backend runs `true` in its place, and the files appear once the script is done.
        const flags = scriptTouches(argv);
        result = await state.backend.run(target, flags ? flags.argv : argv, { stdin, stdout: output(CH_STDOUT), stderr: output(CH_STDERR), signal: commandAbort.signal });
        if (flags && !commandAbort.signal.aborted) runtime.touch(target, flags.paths);
      }
    } catch (e) {
      const err = internalError(`error executing command in container: ${(e as Error).message}`).status;
      return finish(streamStatus({ metadata: {}, status: 'Failure', message: err.message, reason: err.reason, details: err.details, code: err.code }));
    } finally {
      stopListening();
    }
    if (cut || clientGone.signal.aborted) return;
    if (cutAfter !== undefined && sent >= cutAfter) {
      if (ws.readyState === ws.OPEN) ws.close(1000);
      return;
    }
    finish(exitStatus(result));
  }

  closeAll(): void {
    for (const ws of this.sockets) {
      if (ws.readyState === ws.OPEN) ws.close(1001);
      else ws.terminate();
    }
    this.wss.close();
  }

  get openStreams(): number {
    return this.sockets.size;
  }
}

/**
 * `sh -c` scripts with simple `touch /abs/path…` commands (optionally after `timeout N`): the
 * script with `true` in their place and the paths, or undefined when there are none.
 */
export function scriptTouches(argv: string[]): { argv: string[]; paths: string[] } | undefined {
  if (!/^(\/bin\/)?(sh|bash)$/.test(argv[0] ?? '') || argv[1] !== '-c' || argv[2] === undefined || !argv[2].includes('touch /')) return undefined;
  const paths: string[] = [];
  const script = argv[2].replace(/(^|[;&|\n]\s*)((?:timeout \d+ )?)touch((?: \/[\w./-]+)+)(?=\s*(?:;|&&|\|\||\n|$))/g, (_m, lead: string, timeout: string, files: string) => {
    paths.push(...files.trim().split(/\s+/));
    return `${lead}${timeout}true`;
  });
  return paths.length ? { argv: [argv[0]!, '-c', script, ...argv.slice(3)], paths } : undefined;
}

function exitStatusForMissingContainer(container: string): string {
  const e = internalError(`unable to upgrade connection: container not found (${JSON.stringify(container)})`).status;
  return streamStatus({ metadata: {}, status: 'Failure', message: e.message, reason: e.reason, details: e.details, code: e.code });
}

/** Removes a pod at once (grace 0): DELETED for watchers, its processes stopped. */
export function deletePodNow(state: SimState, runtime: ContainerRuntime, namespace: string, name: string): void {
  try {
    state.store.delete(state.podType, namespace, name);
  } catch {
    return;
  }
  runtime.stopPod(namespace, name);
}
