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
  ) {
    super(`HTTP ${code}`);
  }
}

/**
 * A list or get answered as plain JSON (no client-node models): cluster lists of big clusters run
 * to tens of megabytes, and client-node's model deserialisation (plus serialising them back for
 * the bundle) cost more CPU than the rest of the run; it also drops fields it does not know.
 * A rate-limited request: it takes a --qps token.
 */
export async function getJson<T = unknown>(kube: Kube, path: string, query: TextRequest['query'], timeoutMs: number, what: string): Promise<T> {
  await kube.admit();
  const { text } = await fetchText(kube, { path, query, timeoutMs, what, maxBytes: 1024 * 1024 * 1024 });
  return JSON.parse(text) as T;
}

/**
 * A write with a JSON body (the ephemeral-container patch), answered as plain JSON: the answer is
 * a whole pod, which client-node would turn into its models only for us to read three fields.
 * A rate-limited request: it takes a --qps token.
 */
export async function sendJson<T = unknown>(kube: Kube, method: 'PATCH' | 'POST', path: string, contentType: string, body: unknown, timeoutMs: number, what: string): Promise<T> {
  await kube.admit();
  const { text } = await fetchText(kube, { path, timeoutMs, what, maxBytes: 64 * 1024 * 1024, method, body: { contentType, data: JSON.stringify(body) } });
  return JSON.parse(text) as T;
}

/** All items of a list, page by page (`limit`/`continue`). */
export async function listJson<T = unknown>(kube: Kube, path: string, query: TextRequest['query'], timeoutMs: number, what: string): Promise<T[]> {
  const items: T[] = [];
  let cont: string | undefined;
  do {
    const page = await getJson<{ items?: T[]; metadata?: { continue?: string } }>(kube, path, { ...query, limit: 500, continue: cont }, timeoutMs, what);
    items.push(...(page.items ?? []));
    cont = page.metadata?.continue || undefined;
  } while (cont);
  return items;
}

/** A stream read (log, pod proxy): counted as a stream; the caller holds a stream slot. */
export async function getText(kube: Kube, req: TextRequest): Promise<{ text: string; truncated: boolean }> {
  kube.countStream();
  return fetchText(kube, req);
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
        else reject(new HttpStatusError(status, text));
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
