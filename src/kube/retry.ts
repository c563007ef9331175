/**
 * Retries for a control plane under stress, as client-go does them and a little more: a 429 (API
 * Priority and Fairness queues full) or a 502/503/504 (an API server restarting, a request timeout)
 * is tried again after capped exponential backoff with jitter, or after the server's `Retry-After`;
 * a 500 (an etcd timeout, but also a conversion webhook that will keep failing) a few times only; a
 * connection reset or refused only for requests that may be repeated (reads, deletes, and writes
 * that are idempotent by name). Nothing waits past the run's deadline (`--timeout`).
 *
 * Every retry is recorded with its cause in a `RetryLedger`, under the node and step the request
 * belongs to (an AsyncLocalStorage scope the collection sets), for the manifest and the report.
 */
import { AsyncLocalStorage } from 'node:async_hooks';

export interface RetryScope {
  node?: string;
  step?: string;
}

/** Retries of one step (of one node, or cluster-wide), by cause. */
export interface RetryTally {
  node?: string;
  step: string;
  count: number;
  causes: Record<string, number>;
}

export class RetryLedger {
  private readonly als = new AsyncLocalStorage<RetryScope>();
  private readonly tallies = new Map<string, RetryTally>();
  total = 0;

  /** Runs `fn` with its retries recorded under `scope` (merged into the enclosing one). */
  scope<T>(scope: RetryScope, fn: () => T): T {
    return this.als.run({ ...this.als.getStore(), ...scope }, fn);
  }

  record(cause: string): void {
    const s = this.als.getStore() ?? {};
    const step = s.step ?? 'api';
    const key = `${s.node ?? ''}|${step}`;
    let t = this.tallies.get(key);
    if (!t) this.tallies.set(key, (t = { ...(s.node ? { node: s.node } : {}), step, count: 0, causes: {} }));
    t.count++;
    t.causes[cause] = (t.causes[cause] ?? 0) + 1;
    this.total++;
  }

  /** Tallies of a node (or, with `undefined`, the cluster-wide ones), sorted by step. */
  of(node: string | undefined): RetryTally[] {
    return [...this.tallies.values()].filter((t) => t.node === node).sort((a, b) => (a.step < b.step ? -1 : a.step > b.step ? 1 : 0));
  }

  /** Every cause over the whole run, for summaries. */
  causes(): Record<string, number> {
    const out: Record<string, number> = {};
    for (const t of this.tallies.values()) for (const [c, n] of Object.entries(t.causes)) out[c] = (out[c] ?? 0) + n;
    return out;
  }
}

/** Why a failed attempt may be retried, and how. */
export interface Retryable {
  cause: string;
  /** Seconds the server asked to wait (Retry-After), if it said. */
  retryAfterSeconds?: number;
  /** Attempts allowed in all for this cause. */
  maxAttempts: number;
}

const connectionCodes = /ECONNRESET|ECONNREFUSED|EPIPE|ECONNABORTED|ERR_STREAM_PREMATURE_CLOSE|UND_ERR_SOCKET/;

/** A connection that broke before an answer: reset, refused, closed mid-way. */
export function connectionFailure(e: unknown): string | undefined {
  const err = e as { code?: unknown; errno?: unknown; cause?: { code?: unknown }; message?: unknown; type?: unknown };
  if (!err || typeof err !== 'object') return undefined;
  const code = [err.code, err.errno, err.cause?.code].find((c) => typeof c === 'string') as string | undefined;
  const message = typeof err.message === 'string' ? err.message : '';
  if (code && connectionCodes.test(code)) return code === 'ECONNREFUSED' ? 'connection refused' : 'connection reset';
  if (/socket hang up|ECONNRESET|Premature close|ECONNREFUSED|EPIPE|other side closed/i.test(message)) return /REFUSED/i.test(message) ? 'connection refused' : 'connection reset';
  return undefined;
}

/** Parses a Retry-After header: seconds, or an HTTP date. */
export function parseRetryAfter(value: string | string[] | undefined): number | undefined {
  const v = Array.isArray(value) ? value[0] : value;
  if (v === undefined || v.trim() === '') return undefined;
  if (/^\d+$/.test(v.trim())) return Number(v.trim());
  const at = Date.parse(v);
  return Number.isFinite(at) ? Math.max(0, Math.ceil((at - Date.now()) / 1000)) : undefined;
}

/** The retry rule for an HTTP status, or undefined when the answer is final. */
export function retryableStatus(code: number, retryAfter?: string | string[]): Retryable | undefined {
  const retryAfterSeconds = parseRetryAfter(retryAfter);
  if (code === 429) return { cause: '429 Too Many Requests', retryAfterSeconds, maxAttempts: 40 };
  if (code === 502 || code === 503 || code === 504) return { cause: `${code} ${code === 502 ? 'Bad Gateway' : code === 503 ? 'Service Unavailable' : 'Gateway Timeout'}`, retryAfterSeconds, maxAttempts: 12 };
  // A 500 is as often a fault that will not pass (a failing conversion webhook) as a passing etcd timeout.
  if (code === 500) return { cause: '500 Internal Server Error', retryAfterSeconds, maxAttempts: retryAfterSeconds !== undefined ? 12 : 3 };
  return undefined;
}

export interface RetryOptions {
  /** Aborted on Ctrl-C or --timeout: stop waiting at once. */
  signal: AbortSignal;
  /** Epoch ms after which no retry starts (the run's deadline). */
  deadline?: number;
  ledger?: RetryLedger;
  /** Base and cap of the exponential backoff, in ms. */
  baseMs?: number;
  capMs?: number;
}

/** Backoff before retry number `n` (1-based): Retry-After when given, else capped exponential with jitter. */
export function backoffMs(n: number, r: Retryable, baseMs = 250, capMs = 8000): number {
  if (r.retryAfterSeconds !== undefined) return r.retryAfterSeconds * 1000 + Math.floor(Math.random() * 250);
  const ceiling = Math.min(capMs, baseMs * 2 ** (n - 1));
  // "Equal jitter": at least half the step, so retries of many clients spread without collapsing to 0.
  return Math.floor(ceiling / 2 + Math.random() * (ceiling / 2));
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason ?? new Error('aborted'));
    const t = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(t);
      reject(signal.reason ?? new Error('aborted'));
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

/**
 * Runs `attempt` until it succeeds or fails in a way that is final; `classify` says whether a
 * failure may be retried. The last failure is thrown as it came.
 */
export async function withRetries<T>(opts: RetryOptions, classify: (e: unknown) => Retryable | undefined, attempt: (n: number) => Promise<T>): Promise<T> {
  for (let n = 1; ; n++) {
    try {
      return await attempt(n);
    } catch (e) {
      const r = opts.signal.aborted ? undefined : classify(e);
      if (!r || n >= r.maxAttempts) throw e;
      const wait = backoffMs(n, r, opts.baseMs, opts.capMs);
      if (opts.deadline !== undefined && Date.now() + wait >= opts.deadline) throw e;
      opts.ledger?.record(r.cause);
      try {
        await sleep(wait, opts.signal);
      } catch {
        throw e;
      }
    }
  }
}
