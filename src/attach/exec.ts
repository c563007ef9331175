/**
 * Runs one command in a container over the exec WebSocket and captures its output with a time
 * limit and a byte cap. Every way an exec can end is turned into a result, never an exception:
 * the collector records it as ok / partial / failed.
 */
import { Writable } from 'node:stream';
import * as k8s from '@kubernetes/client-node';
import type { Kube } from '../kube/client.js';
import { apiError } from '../kube/client.js';
import { whenAborted } from '../util/abort.js';

export interface ExecRequest {
  namespace: string;
  pod: string;
  container: string;
  command: string[];
  timeoutMs: number;
  maxBytes: number;
  /** Sees each stdout/stderr chunk as it arrives (batches split and time their items this way). */
  onStdout?: (chunk: Buffer) => void;
  onStderr?: (text: string) => void;
  /** Ends the exec early, counted as a timeout with the abort reason (a batch watchdog). */
  cancel?: AbortSignal;
  /** Called when the exec may start (a stream slot is held): watchdogs start counting then. */
  onStart?: () => void;
  /**
   * A command that waits out a window (the packet capture): it takes no stream slot, so the
   * windows of all nodes overlap instead of queueing behind each other (and behind every short
   * exec); node concurrency bounds them.
   */
  windowed?: boolean;
}

export interface ExecOutcome {
  stdout: Buffer;
  stderr: string;
  /** Exit code when the command ran to the end (0 = success). */
  exitCode?: number;
  /** Why there is no exit code: could not start, connection refused/cut, timeout. */
  error?: string;
  /** HTTP status of a refused upgrade (403, 404, 400...). */
  httpCode?: number;
  truncated: boolean;
  timedOut: boolean;
  durationMs: number;
}

const maxStderrBytes = 64 * 1024;

/**
 * Runs the exec; one that failed before any byte arrived (a broken connection, 429, 502/503/504:
 * the API server or its dial to the kubelet failed, the command never ran) is tried once more.
 */
export async function execCapture(kube: Kube, req: ExecRequest): Promise<ExecOutcome> {
  const first = await execOnce(kube, req);
  const cause = execRetryCause(first);
  if (!cause || kube.signal.aborted || req.cancel?.aborted) return first;
  kube.retries.record(cause);
  return execOnce(kube, req);
}

/** Why a failed exec may be tried once more: it failed before its command produced anything. */
export function execRetryCause(o: ExecOutcome): string | undefined {
  if (o.timedOut || o.exitCode !== undefined || o.stdout.length > 0 || o.stderr.length > 0 || !o.error) return undefined;
  if (o.httpCode !== undefined) return [429, 502, 503, 504].includes(o.httpCode) ? `exec ${o.httpCode}` : undefined;
  if (/ECONNRESET|socket hang up|ECONNREFUSED|closed before the connection was established/i.test(o.error)) return 'exec connection reset';
  return undefined;
}

async function execOnce(kube: Kube, req: ExecRequest): Promise<ExecOutcome> {
  const started = Date.now();
  const chunks: Buffer[] = [];
  let bytes = 0;
  let truncated = false;
  let stderr = '';
  let status: k8s.V1Status | undefined;
  let socket: { close(): void; on(ev: string, fn: (...a: any[]) => void): void; readyState?: number } | undefined;
  let settle: ((why?: string) => void) | undefined;
  let commandStartedAt = started;

  const stdout = new Writable({
    write(chunk: Buffer, _enc, cb) {
      if (!truncated) req.onStdout?.(chunk.length > req.maxBytes - bytes ? chunk.subarray(0, Math.max(0, req.maxBytes - bytes)) : chunk);
      if (!truncated) {
        const room = req.maxBytes - bytes;
        if (chunk.length > room) {
          chunks.push(chunk.subarray(0, Math.max(0, room)));
          bytes += Math.max(0, room);
          truncated = true;
          settle?.('truncated');
        } else {
          chunks.push(chunk);
          bytes += chunk.length;
        }
      }
      cb();
    },
  });
  const stderrStream = new Writable({
    write(chunk: Buffer, _enc, cb) {
      if (req.onStderr) req.onStderr(chunk.toString('utf8'));
      if (stderr.length < maxStderrBytes) stderr += chunk.toString('utf8');
      cb();
    },
  });

  const result = (extra: Partial<ExecOutcome>): ExecOutcome => ({
    stdout: Buffer.concat(chunks),
    stderr: stderr.slice(0, maxStderrBytes),
    truncated,
    timedOut: false,
    durationMs: Date.now() - commandStartedAt,
    ...extra,
  });

  let release: (() => void) | undefined;
  try {
    // An exec is a stream: it holds a slot, not a rate-limit token (see kube/client.ts).
    release = req.windowed ? () => {} : await kube.streamSlots.acquire(kube.signal);
    kube.countStream();
  } catch {
    release?.();
    return result({ error: 'interrupted' });
  }
  // The command's own time starts once it may run.
  commandStartedAt = Date.now();
  req.onStart?.();

  return new Promise<ExecOutcome>((resolve) => {
    let done = false;
    let stopListening = (): void => undefined;
    const finish = (outcome: ExecOutcome): void => {
      if (done) return;
      done = true;
      release?.();
      clearTimeout(timer);
      stopListening();
      req.cancel?.removeEventListener('abort', onCancel);
      try {
        socket?.close();
      } catch {
        /* already closed */
      }
      resolve(outcome);
    };
    const fromStatus = (): ExecOutcome => {
      if (!status) return result({ error: 'connection closed without an exit status' });
      if (status.status === 'Success') return result({ exitCode: 0 });
      if (status.reason === 'NonZeroExitCode') {
        const cause = status.details?.causes?.find((c) => c.reason === 'ExitCode');
        const code = Number(cause?.message);
        if (Number.isInteger(code)) return result({ exitCode: code });
      }
      return result({ error: status.message ?? status.reason ?? 'exec failed', httpCode: status.code });
    };
    settle = (why) => {
      if (why === 'truncated') finish(result({ error: undefined, exitCode: undefined }));
    };
    const timer = setTimeout(() => finish(result({ timedOut: true, error: `timed out after ${req.timeoutMs} ms` })), req.timeoutMs);
    const onAbort = (): void => finish(result({ error: 'interrupted' }));
    const onCancel = (): void => finish(result({ timedOut: true, error: String(req.cancel?.reason instanceof Error ? req.cancel.reason.message : req.cancel?.reason ?? 'cancelled') }));
    if (kube.signal.aborted) return onAbort();
    if (req.cancel?.aborted) return onCancel();
    stopListening = whenAborted(kube.signal, onAbort);
    req.cancel?.addEventListener('abort', onCancel, { once: true });

    new k8s.Exec(kube.kc)
      .exec(req.namespace, req.pod, req.container, req.command, stdout, stderrStream, null, false, (s: k8s.V1Status) => {
        status = s;
        // client-node closes the socket itself after the status frame; give the close a moment.
        setImmediate(() => finish(fromStatus()));
      })
      .then((ws) => {
        socket = ws as unknown as typeof socket;
        if (done) {
          try {
            ws.close();
          } catch {
            /* ignore */
          }
          return;
        }
        ws.on('close', () => setImmediate(() => finish(fromStatus())));
        ws.on('error', (e: unknown) => finish(result({ error: apiError(e).message })));
        // The socket may already have closed between open and this handler (very short commands).
        if ((ws as { readyState?: number }).readyState === 3) setImmediate(() => finish(fromStatus()));
      })
      .catch((e: unknown) => {
        const info = apiError(e);
        finish(result({ error: info.message, httpCode: info.code }));
      });
  });
}

/** One line describing an exec outcome for step reasons. */
export function describeOutcome(o: ExecOutcome): string {
  if (o.timedOut) return o.error ?? 'timed out';
  if (o.error) return o.error + (o.stderr.trim() ? `: ${firstLine(o.stderr)}` : '');
  if (o.exitCode !== undefined && o.exitCode !== 0) return `exit code ${o.exitCode}${o.stderr.trim() ? `: ${firstLine(o.stderr)}` : ''}`;
  if (o.truncated) return 'output truncated at the size cap';
  return 'ok';
}

function firstLine(s: string): string {
  return s.trim().split('\n')[0]!.slice(0, 200);
}
