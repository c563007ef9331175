/**
 * GET of a text resource from the API server (container logs, metrics through the pod proxy) over
 * a kept-alive connection. These are most of a run's requests; through client-node each one paid
 * a new TLS connection, and client-node's fetch (node-fetch 2) cannot safely reuse connections
 * for chunked responses such as logs (false "Premature close", node-fetch issue #1767). Errors
 * are thrown in client-node's shape (`code` = HTTP status, `body` = the Status JSON), so
 * `apiError()` reads them the same way.
 */
import https from 'node:https';
import type { IncomingMessage } from 'node:http';
import type { Kube } from './client.js';
import { connectionFailure, retryableStatus, withRetries, type Retryable } from './retry.js';

const keepAliveAgents = new WeakMap<object, https.Agent>();

/** A kept-alive twin of the run's shared agent (same TLS context and session cache). */
function keepAliveAgentFor(agent: https.Agent): https.Agent {
  let twin = keepAliveAgents.get(agent);
  if (!twin) {
    twin = new https.Agent({ ...(agent.options as https.AgentOptions), keepAlive: true, keepAliveMsecs: 1000, maxSockets: 64, maxFreeSockets: 64, scheduling: 'lifo' });
    keepAliveAgents.set(agent, twin);
  }
  return twin;
}

export interface TextRequest {
  path: string;
  query?: Record<string, string | number | boolean | undefined>;
  timeoutMs: number;
  /** What is read, for the timeout message ("log read"). */
  what: string;
  /** Bytes kept; the rest of the response is discarded and `truncated` set. */
  maxBytes: number;
  method?: 'GET' | 'PATCH' | 'POST';
  body?: { contentType: string; data: string };
}

export class HttpStatusError extends Error {
  constructor(
    readonly code: number,
    readonly body: string,
    readonly headers: IncomingMessage['headers'] = {},
  ) {
    super(`HTTP ${code}`);
  }
}

/**
 * Whether a failed rate-limited request may be tried again (retry.ts): 429 and 5xx always; a
 * broken connection when the request may be repeated (`idempotent`).
 */
function classify(idempotent: boolean): (e: unknown) => Retryable | undefined {
  return (e) => {
    if (e instanceof HttpStatusError) return retryableStatus(e.code, e.headers['retry-after']);
    const broken = connectionFailure(e);
    return broken && idempotent ? { cause: broken, maxAttempts: 12 } : undefined;
  };
}

/** One rate-limited request with retries: each attempt takes a --qps token. */
function limited<T>(kube: Kube, idempotent: boolean, attempt: () => Promise<T>): Promise<T> {
  return withRetries(kube.retryOptions, classify(idempotent), async () => {
    await kube.admit();
    return attempt();
  });
}

/**
 * A list or get answered as plain JSON (no client-node models): cluster lists of big clusters run
 * to tens of megabytes, and client-node's model deserialisation (plus serialising them back for
 * the bundle) cost more CPU than the rest of the run; it also drops fields it does not know.
 * A rate-limited request: it takes a --qps token.
 */
export async function getJson<T = unknown>(kube: Kube, path: string, query: TextRequest['query'], timeoutMs: number, what: string): Promise<T> {
  const { text } = await limited(kube, true, () => fetchText(kube, { path, query, timeoutMs, what, maxBytes: 1024 * 1024 * 1024 }));
  return JSON.parse(text) as T;
}

/**
 * A write with a JSON body (the ephemeral-container patch), answered as plain JSON: the answer is
 * a whole pod, which client-node would turn into its models only for us to read three fields.
 * A rate-limited request: it takes a --qps token.
 */
export async function sendJson<T = unknown>(
  kube: Kube,
  method: 'PATCH' | 'POST',
  path: string,
  contentType: string,
  body: unknown,
  timeoutMs: number,
  what: string,
  /** The write may be repeated after a broken connection (the ephemeral-container patch: merged by container name). */
  opts: { idempotent?: boolean } = {},
): Promise<T> {
  const data = JSON.stringify(body);
  const { text } = await limited(kube, opts.idempotent ?? false, () => fetchText(kube, { path, timeoutMs, what, maxBytes: 64 * 1024 * 1024, method, body: { contentType, data } }));
  return JSON.parse(text) as T;
}

/** Fresh starts of a list whose `continue` token expired before the server's token is used instead. */
const listRestarts = 2;

/**
 * All items of a list, page by page (`limit`/`continue`). A `continue` token that expired (410:
 * etcd compacted the revision it pins) starts the list again for a consistent result; after
 * `listRestarts` such starts the token the 410 carries finishes it (possibly inconsistent, which
 * beats no list on a cluster that compacts faster than we page).
 */
export async function listJson<T = unknown>(kube: Kube, path: string, query: TextRequest['query'], timeoutMs: number, what: string): Promise<T[]> {
  let items: T[] = [];
  let cont: string | undefined;
  let expired = 0;
  for (;;) {
    let page: { items?: T[]; metadata?: { continue?: string } };
    try {
      page = await getJson(kube, path, { ...query, limit: 500, continue: cont }, timeoutMs, what);
    } catch (e) {
      if (!(cont && e instanceof HttpStatusError && e.code === 410)) throw e;
      kube.retries.record('410 continue expired');
      // A server whose fresh tokens expire too would page forever: give up after a few.
      if (++expired > listRestarts + 3) throw e;
      if (expired <= listRestarts) {
        items = [];
        cont = undefined;
        continue;
      }
      const fresh = (JSON.parse(e.body || '{}') as { metadata?: { continue?: string } }).metadata?.continue;
      if (!fresh) throw e;
      cont = fresh;
      continue;
    }
    items.push(...(page.items ?? []));
    cont = page.metadata?.continue || undefined;
    if (!cont) return items;
  }
}

/**
 * A stream read (log, pod proxy): counted as a stream; the caller holds a stream slot. A read that
 * fails before any of its content arrived (a broken connection, 429, 502/503/504) is tried once more.
 */
export async function getText(kube: Kube, req: TextRequest): Promise<{ text: string; truncated: boolean }> {
  kube.countStream();
  try {
    return await fetchText(kube, req);
  } catch (e) {
    const cause = streamRetryCause(e);
    if (!cause || kube.signal.aborted) throw e;
    kube.retries.record(cause);
    kube.countStream();
    return fetchText(kube, req);
  }
}

/** Why a stream that failed before its first byte may be tried once more, or undefined. */
export function streamRetryCause(e: unknown): string | undefined {
  if (e instanceof HttpStatusError) return [429, 502, 503, 504].includes(e.code) ? retryableStatus(e.code)!.cause : undefined;
  return connectionFailure(e);
}

async function fetchText(kube: Kube, req: TextRequest): Promise<{ text: string; truncated: boolean }> {
  const cluster = kube.kc.getCurrentCluster();
  if (!cluster) throw new Error('kubeconfig has no current cluster');
  const url = new URL(req.path.replace(/^\//, ''), cluster.server.endsWith('/') ? cluster.server : `${cluster.server}/`);
  for (const [k, v] of Object.entries(req.query ?? {})) if (v !== undefined) url.searchParams.set(k, String(v));
  const options: https.RequestOptions & { headers?: Record<string, string> } = { headers: {} };
  await kube.kc.applyToHTTPSOptions(options);
  const agent = options.agent instanceof https.Agent && options.agent.constructor === https.Agent ? keepAliveAgentFor(options.agent) : options.agent;
  const signal = AbortSignal.any([kube.signal, AbortSignal.timeout(req.timeoutMs)]);
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { ...(options.headers as Record<string, string>), Accept: req.body ? 'application/json' : '*/*' };
    if (req.body) {
      headers['Content-Type'] = req.body.contentType;
      headers['Content-Length'] = Buffer.byteLength(req.body.data);
    }
    const request = https.request(url, { ...options, agent, method: req.method ?? 'GET', signal, headers }, (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      let bytes = 0;
      let truncated = false;
      res.on('data', (c: Buffer) => {
        if (bytes >= req.maxBytes) {
          truncated = true;
          return;
        }
        const part = c.length > req.maxBytes - bytes ? c.subarray(0, req.maxBytes - bytes) : c;
        if (part.length < c.length) truncated = true;
        chunks.push(part);
        bytes += part.length;
      });
      res.on('end', () => {
        const text = Buffer.concat(chunks, bytes).toString('utf8');
        const status = res.statusCode ?? 0;
        if (status >= 200 && status < 300) resolve({ text, truncated });
        else reject(new HttpStatusError(status, text, res.headers));
      });
      res.on('error', reject);
    });
    request.on('error', (e: Error & { name?: string }) => {
      if (kube.signal.aborted) reject(Object.assign(new Error('request aborted (interrupted)'), { name: 'AbortError' }));
      else if (signal.aborted) reject(new Error(`${req.what} timed out after ${Math.round(req.timeoutMs / 1000)} s`));
      else reject(e);
    });
    request.end(req.body?.data);
  });
}
