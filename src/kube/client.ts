/**
 * API access for collect: typed client-node clients that share one client-side token bucket
 * (--qps), count every request (benchmarks), and give each request a timeout and the run's
 * abort signal (Ctrl-C / --timeout).
 *
 * Two kinds of request are limited differently, as the API server itself does. Ordinary requests
 * (get, list, patch, create, delete, watch) pass the token bucket: they are what API Priority and
 * Fairness and the max-in-flight limits budget. Streams the API server proxies to a kubelet (exec,
 * attach, log, pod proxy) are "long-running" there and exempt from those limits — kubectl does not
 * rate-limit exec either; their cost is an open connection per stream, so a semaphore bounds how
 * many are open at once (`--max-streams`) instead.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import * as k8s from '@kubernetes/client-node';
import { withSharedTls } from './tls-reuse.js';
import { connectionFailure, RetryLedger, retryableStatus, withRetries, type RetryOptions } from './retry.js';
import { whenAborted } from '../util/abort.js';

/**
 * Parks the caller in `queue` until something calls its entry (head of the queue when `first`);
 * rejects, leaving the queue, when `signal` aborts first.
 */
function waitInQueue(queue: (() => void)[], signal: AbortSignal | undefined, first = false): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    let stopListening = (): void => undefined;
    const onAbort = (): void => {
      const i = queue.indexOf(wake);
      if (i >= 0) queue.splice(i, 1);
      reject(signal?.reason ?? new Error('aborted'));
    };
    const wake = (): void => {
      stopListening();
      resolve();
    };
    if (signal?.aborted) return onAbort();
    if (signal) stopListening = whenAborted(signal, onAbort);
    if (first) queue.unshift(wake);
    else queue.push(wake);
  });
}

/** Client-side rate limit shared by every API call, WebSocket exec and watch of a run. */
export class TokenBucket {
  private tokens: number;
  private last = Date.now();
  private readonly waiters: (() => void)[] = [];
  private timer: NodeJS.Timeout | undefined;

  constructor(
    readonly qps: number,
    readonly burst = Math.max(1, Math.ceil(qps)),
  ) {
    this.tokens = this.burst;
  }

  /**
   * Resolves when a request may start; rejects when `signal` aborts first. `first` puts the
   * request at the head of the queue (the shared pod watch: every attach waits for it).
   */
  take(signal?: AbortSignal, first = false): Promise<void> {
    if (!Number.isFinite(this.qps) || this.qps <= 0) return Promise.resolve();
    this.refill();
    if (this.waiters.length === 0 && this.tokens >= 1) {
      this.tokens -= 1;
      return Promise.resolve();
    }
    const waiting = waitInQueue(this.waiters, signal, first);
    if (this.waiters.length > 0) this.schedule();
    return waiting;
  }

  private refill(): void {
    const now = Date.now();
    this.tokens = Math.min(this.burst, this.tokens + ((now - this.last) / 1000) * this.qps);
    this.last = now;
  }

  private schedule(): void {
    if (this.timer) return;
    const tick = (): void => {
      this.timer = undefined;
      this.refill();
      while (this.waiters.length > 0 && this.tokens >= 1) {
        this.tokens -= 1;
        this.waiters.shift()!();
      }
      if (this.waiters.length > 0) {
        const waitMs = Math.max(1, Math.ceil(((1 - this.tokens) / this.qps) * 1000));
        this.timer = setTimeout(tick, waitMs);
      }
    };
    const waitMs = Math.max(1, Math.ceil(((1 - this.tokens) / this.qps) * 1000));
    this.timer = setTimeout(tick, waitMs);
  }
}

/** Counting semaphore: bounds concurrent exec streams so per-command timeouts measure the command, not a queue. */
export class Semaphore {
  private active = 0;
  private readonly queue: (() => void)[] = [];

  constructor(readonly limit: number) {}

  async acquire(signal?: AbortSignal): Promise<() => void> {
    if (this.active < this.limit) {
      this.active++;
      return this.releaser();
    }
    await waitInQueue(this.queue, signal);
    this.active++;
    return this.releaser();
  }

  private releaser(): () => void {
    let done = false;
    return () => {
      if (done) return;
      done = true;
      this.active--;
      this.queue.shift()?.();
    };
  }
}

export interface ApiStats {
  /** Every API request: REST calls, watches and streams. */
  requests: number;
  /** Of those, streams (exec, log, pod proxy): not rate-limited, bounded by stream slots. */
  streams: number;
}

/** Subresources the API server treats as long-running (proxied to the kubelet). */
const streamPath = /\/pods\/[^/]+\/(log|exec|attach|portforward|proxy)(\/|\?|$)/;

export function isStreamRequest(url: string): boolean {
  return streamPath.test(url);
}

export interface Kube {
  kc: k8s.KubeConfig;
  core: k8s.CoreV1Api;
  authz: k8s.AuthorizationV1Api;
  version: k8s.VersionApi;
  bucket: TokenBucket;
  /** Streams (exec, log, pod proxy) open at once. */
  streamSlots: Semaphore;
  stats: ApiStats;
  /** Aborted on Ctrl-C or when --timeout expires. */
  signal: AbortSignal;
  /** Timeout of one rate-limited request (get, list, patch). */
  requestTimeoutMs: number;
  /** Retries of the run by node, step and cause (see retry.ts). */
  retries: RetryLedger;
  /** How retries of this run wait: its signal, its deadline, its ledger. */
  retryOptions: RetryOptions;
  /**
   * Waits for a token and counts a request made outside the generated clients (watch, our own
   * HTTP client); `first`, or a call inside `first()`, jumps the queue.
   */
  admit(first?: boolean): Promise<void>;
  /** Counts a stream opened outside the generated clients (exec); the caller holds a stream slot. */
  countStream(): void;
  /**
   * Runs `fn` with its rate-limited requests at the head of the token queue: the cluster lists
   * (their parsing and writing then overlap the attach waits instead of following every patch).
   */
  first<T>(fn: () => Promise<T>): Promise<T>;
  /** Runs `open` (a log read or pod-proxy call of the generated clients) holding a stream slot. */
  stream<T>(open: () => Promise<T>): Promise<T>;
}

export interface KubeOptions {
  qps: number;
  burst?: number;
  requestTimeoutMs: number;
  signal: AbortSignal;
  /** Streams open at once (default 128). */
  maxStreams?: number;
  /** Epoch ms of the run's end (--timeout): no retry waits past it. */
  deadline?: number;
  /** Shared with another client of the same run (cleanup), so its retries count too. */
  retries?: RetryLedger;
}

/**
 * client-node's fetch with retries (retry.ts): every call of the generated clients (get, create,
 * delete, access reviews, /version) tries again on 429 and 5xx, and on a reset or refused
 * connection: their reads and deletes may be repeated, the access review is a question, and the
 * only create is the node debug pod, whose fixed name makes a repeat answer AlreadyExists (which
 * attach takes as created). Each retry takes a --qps token, as any request does.
 */
class RetryingHttpLibrary implements k8s.HttpLibrary {
  private readonly inner = new k8s.IsomorphicFetchHttpLibrary();

  constructor(
    private readonly again: () => Promise<void>,
    private readonly options: RetryOptions,
    private readonly requestTimeoutMs: number,
  ) {}

  send(request: k8s.RequestContext): k8s.Observable<k8s.ResponseContext> {
    return new k8s.Observable(this.run(request));
  }

  private async run(request: k8s.RequestContext): Promise<k8s.ResponseContext> {
    try {
      return await withRetries(
        this.options,
        (e) => (e instanceof RetryableAnswer ? e.retry : connectionFailure(e) ? { cause: connectionFailure(e)!, maxAttempts: 12 } : undefined),
        async (n) => {
          if (n > 1) {
            await this.again();
            request.setSignal(AbortSignal.any([this.options.signal, AbortSignal.timeout(this.requestTimeoutMs)]) as any);
          }
          const res = await this.inner.send(request).toPromise();
          const retry = retryableStatus(res.httpStatusCode, res.headers['retry-after']);
          if (!retry) return res;
          // The body can be read once: keep it for the caller in case this was the last attempt.
          const text = await res.body.text().catch(() => '');
          const kept = new k8s.ResponseContext(res.httpStatusCode, res.headers, { text: async () => text, binary: async () => Buffer.from(text) });
          throw new RetryableAnswer(kept, retry);
        },
      );
    } catch (e) {
      if (e instanceof RetryableAnswer) return e.response;
      throw e;
    }
  }
}

class RetryableAnswer extends Error {
  constructor(
    readonly response: k8s.ResponseContext,
    readonly retry: NonNullable<ReturnType<typeof retryableStatus>>,
  ) {
    super(`HTTP ${response.httpStatusCode}`);
  }
}

/** Streams open at once by default: a few per node for a hundred nodes in flight. */
export const defaultMaxStreams = 128;

export function makeKube(original: k8s.KubeConfig, options: KubeOptions): Kube {
  const kc = withSharedTls(original);
  const cluster = kc.getCurrentCluster();
  if (!cluster) throw new Error('kubeconfig has no current cluster');
  const bucket = new TokenBucket(options.qps, options.burst);
  const stats: ApiStats = { requests: 0, streams: 0 };
  const streamSlots = new Semaphore(Math.max(1, options.maxStreams ?? defaultMaxStreams));
  const priority = new AsyncLocalStorage<boolean>();
  const retries = options.retries ?? new RetryLedger();
  const retryOptions: RetryOptions = { signal: options.signal, deadline: options.deadline, ledger: retries };
  const middleware: k8s.Middleware = {
    pre: async (ctx) => {
      if (isStreamRequest(ctx.getUrl())) stats.streams++;
      else await bucket.take(options.signal, priority.getStore() === true);
      stats.requests++;
      ctx.setSignal(AbortSignal.any([options.signal, AbortSignal.timeout(options.requestTimeoutMs)]) as any);
      return ctx;
    },
    post: async (ctx) => ctx,
  };
  const configuration = k8s.createConfiguration({
    baseServer: new k8s.ServerConfiguration(cluster.server, {}),
    authMethods: { default: kc },
    promiseMiddleware: [middleware],
    httpApi: new RetryingHttpLibrary(
      async () => {
        await bucket.take(options.signal, priority.getStore() === true);
        stats.requests++;
      },
      retryOptions,
      options.requestTimeoutMs,
    ),
  });
  return {
    kc,
    core: new k8s.CoreV1Api(configuration),
    authz: new k8s.AuthorizationV1Api(configuration),
    version: new k8s.VersionApi(configuration),
    bucket,
    streamSlots,
    stats,
    signal: options.signal,
    requestTimeoutMs: options.requestTimeoutMs,
    retries,
    retryOptions,
    admit: async (first = false) => {
      await bucket.take(options.signal, first || priority.getStore() === true);
      stats.requests++;
    },
    first: (fn) => priority.run(true, fn),
    countStream: () => {
      stats.requests++;
      stats.streams++;
    },
    stream: async <T>(open: () => Promise<T>): Promise<T> => {
      const release = await streamSlots.acquire(options.signal);
      try {
        return await open();
      } finally {
        release();
      }
    },
  };
}

export interface ApiErrorInfo {
  /** HTTP status, when the server answered. */
  code?: number;
  reason?: string;
  message: string;
}

/** Status code, reason and message of anything a client-node call threw. */
export function apiError(e: unknown): ApiErrorInfo {
  const err = e as { code?: unknown; body?: unknown; message?: string; name?: string; statusCode?: number; type?: string };
  if (err && typeof err === 'object' && typeof err.code === 'number') {
    let reason: string | undefined;
    let message = `HTTP ${err.code}`;
    if (typeof err.body === 'string') {
      try {
        const status = JSON.parse(err.body) as { reason?: string; message?: string };
        reason = status.reason;
        if (status.message) message = status.message;
      } catch {
        if (err.body.trim()) message = err.body.trim().slice(0, 300);
      }
    } else if (err.body && typeof err.body === 'object') {
      const status = err.body as { reason?: string; message?: string };
      reason = status.reason;
      if (status.message) message = status.message;
    } else if (err.code === 401) {
      message = 'Unauthorized';
    }
    return { code: err.code, reason, message };
  }
  if (err && typeof err === 'object' && typeof err.statusCode === 'number') {
    return { code: err.statusCode, message: err.message ?? `HTTP ${err.statusCode}` };
  }
  if (err?.name === 'AbortError' || err?.name === 'TimeoutError' || err?.type === 'aborted') {
    return { message: 'request aborted (timeout or interrupted)' };
  }
  // WebSocket failures arrive as ErrorEvent-like objects ({ type, message, error }).
  const nested = (e as { error?: unknown })?.error;
  if (nested && nested !== e && !(e instanceof Error)) return apiError(nested);
  const msg = e instanceof Error ? e.message : typeof (e as { message?: unknown })?.message === 'string' ? (e as { message: string }).message : String(e);
  const m = /Unexpected server response: (\d{3})/.exec(msg);
  if (m) return { code: Number(m[1]), message: msg };
  return { message: msg.split('\n')[0]!.slice(0, 300) };
}

/** Connection-level failure (no HTTP answer at all): refused, DNS, TLS, reset. */
export function isConnectionError(e: unknown): boolean {
  const err = e as { code?: unknown; cause?: { code?: string }; errno?: string; type?: string; message?: string };
  if (typeof err?.code === 'number') return false;
  const code = (typeof err?.code === 'string' ? err.code : undefined) ?? err?.cause?.code ?? err?.errno;
  if (code && /ECONNREFUSED|ENOTFOUND|EAI_AGAIN|ECONNRESET|EHOSTUNREACH|ENETUNREACH|ETIMEDOUT|CERT|SSL|EPROTO/.test(code)) return true;
  return err?.type === 'system' || /ECONNREFUSED|ENOTFOUND|getaddrinfo|socket hang up|certificate/i.test(err?.message ?? '');
}
