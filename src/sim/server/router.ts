/**
 * HTTP routing for the simulated API server: discovery, get/list/watch (selectors, pagination,
 * Tables), create/patch/update/delete, pod subresources (log, ephemeralcontainers, status, proxy,
 * exec/attach without upgrade), SelfSubjectAccessReview. Every error is a Status object.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { KubeObject } from '../../model/cluster.js';
import { DaemonSetController } from './daemonsets.js';
import { updateEphemeralContainers, patchMediaTypes } from './ephemeral.js';
import { deletePodNow } from './exec.js';
import type { ContainerRuntime } from './kubelet.js';
import { parseBool, parseIntParam, serveLogs } from './logs.js';
import { jsonMergePatch, jsonPatch, PatchError, strategicMerge } from './patch.js';
import { createPod, decodePodBody, deletePod } from './pods.js';
import { decodeProtobufObject } from './protobuf.js';
import { parseProxyTarget, servePodProxy } from './proxy.js';
import { groupVersion, type ResourceType } from './resources.js';
import { parseFieldSelector, parseLabelSelector } from './selectors.js';
import type { SimState } from './state.js';
import {
  ApiError,
  badRequest,
  conflict,
  internalError,
  invalid,
  methodNotSupported,
  readOnlyRefusal,
  unknownError,
  pathNotFound,
  patchRejected,
  unauthorized,
  unsupportedMediaType,
} from './status.js';
import { sleep } from './stream-util.js';
import { requestVerb } from './api-faults.js';
import { toTable, wantsTable } from './tables.js';

export interface ParsedPath {
  group: string;
  version: string;
  namespace?: string;
  resource: string;
  name?: string;
  subresource?: string;
  /** Path after the subresource (pod proxy). */
  rest?: string;
}

/** Splits an API path into group/version/namespace/resource/name/subresource. */
export function parseApiPath(pathname: string): ParsedPath | undefined {
  let segs: string[];
  try {
    segs = pathname.split('/').filter((s) => s.length > 0).map(decodeURIComponent);
  } catch {
    return undefined; // malformed %-escape: an unknown path
  }
  let group: string;
  let version: string;
  let rest: string[];
  if (segs[0] === 'api' && segs.length >= 2) {
    group = '';
    version = segs[1]!;
    rest = segs.slice(2);
  } else if (segs[0] === 'apis' && segs.length >= 3) {
    group = segs[1]!;
    version = segs[2]!;
    rest = segs.slice(3);
  } else return undefined;
  if (rest.length === 0) return undefined;
  if (rest[0] === 'namespaces' && rest.length >= 3) {
    return { group, version, namespace: rest[1], resource: rest[2]!, name: rest[3], subresource: rest[4], rest: rest.length > 5 ? rest.slice(5).join('/') : undefined };
  }
  return { group, version, resource: rest[0]!, name: rest[1], subresource: rest[2], rest: rest.length > 3 ? rest.slice(3).join('/') : undefined };
}

const maxBodyBytes = 16 * 1024 * 1024;

function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > maxBodyBytes) {
        reject(new ApiError({ kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: 'the request entity is too large', reason: 'RequestEntityTooLarge', code: 413 }));
        req.destroy();
        return;
      }
      chunks.push(c);
    });
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}

function sendJson(res: ServerResponse, code: number, body: unknown, headers: Record<string, string | string[]> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(code, { 'Content-Type': 'application/json', 'Content-Length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export function sendError(res: ServerResponse, e: unknown): void {
  if (res.headersSent) {
    res.destroy();
    return;
  }
  const err = e instanceof ApiError ? e : internalError((e as Error)?.message ?? String(e));
  sendJson(res, err.status.code, err.status, err.headers);
}

/** An object as served in the requested version. */
function present(rt: ResourceType, version: string, obj: KubeObject): KubeObject {
  return { ...obj, apiVersion: groupVersion(rt.group, version), kind: rt.kind };
}

interface ContinueToken {
  rv: string;
  after: string;
  /** When the token was issued (ms since the epoch): watch-expired lets old ones expire. */
  at?: number;
}

function encodeContinue(t: ContinueToken): string {
  return Buffer.from(JSON.stringify(t)).toString('base64url');
}

function decodeContinue(s: string): ContinueToken {
  try {
    const t = JSON.parse(Buffer.from(s, 'base64url').toString('utf8'));
    if (typeof t.after === 'string') return t;
  } catch {
    // fall through
  }
  throw badRequest('continue key is not valid: illegal base64 data');
}

/** The first aggregated-discovery media type the client accepts (kubectl offers v2, then v2beta1). */
function aggregatedDiscoveryVersion(accept: string): 'v2' | 'v2beta1' | undefined {
  for (const part of accept.split(',')) {
    const params = new Map(
      part
        .split(';')
        .slice(1)
        .map((p) => p.trim().split('=') as [string, string]),
    );
    if (params.get('as') === 'APIGroupDiscoveryList' && params.get('g') === 'apidiscovery.k8s.io') {
      const v = params.get('v');
      if (v === 'v2' || v === 'v2beta1') return v;
    }
  }
  return undefined;
}

/**
 * For a read-only server: the write a request would make (resource and verb, as the Status names
 * them), or undefined when it reads. Not writes: access reviews (questions, `kubectl auth can-i`),
 * exec/attach (the SPDY fallback POSTs; the answer comes from the backend) and the ephemeral
 * containers patch `kubectl debug` sends, which adds a debug container to the served pod only.
 */
export function readOnlyWrite(method: string, p: ParsedPath): { resource: string; action: string } | undefined {
  if (method === 'GET' || method === 'HEAD' || method === 'OPTIONS') return undefined;
  if (p.group === 'authorization.k8s.io' || p.group === 'authentication.k8s.io') return undefined;
  if (p.group === '' && p.resource === 'pods' && (p.subresource === 'exec' || p.subresource === 'attach' || p.subresource === 'ephemeralcontainers')) return undefined;
  const action = method === 'POST' ? 'create' : method === 'PUT' ? 'update' : method === 'PATCH' ? 'patch' : method === 'DELETE' ? (p.name === undefined ? 'deletecollection' : 'delete') : method.toLowerCase();
  return { resource: p.subresource ? `${p.resource}/${p.subresource}` : p.resource, action };
}

const keyOf = (o: KubeObject): string => `${o.metadata.namespace ?? ''}/${o.metadata.name}`;

export class Router {
  constructor(
    private readonly state: SimState,
    private readonly runtime: ContainerRuntime,
    private readonly serverAddress: () => string,
    /** Set: every write is refused with a 405 naming this reason (see `readOnlyWrite`). */
    private readonly readOnly?: string,
  ) {}

  private daemonSetController?: DaemonSetController;
  /** Creates the pods of created DaemonSets and collects them when their DaemonSet goes. */
  private get daemonSets(): DaemonSetController {
    return (this.daemonSetController ??= new DaemonSetController(this.state, this.runtime));
  }

  authenticated(req: IncomingMessage): boolean {
    return req.headers.authorization === `Bearer ${this.state.token}`;
  }

  async handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    // Log reads and the pod proxy are long-running streams to the kubelet, like exec.
    this.state.countRequest(/\/pods\/[^/]+\/(log|proxy)(\/|\?|$)/.test(req.url ?? ''));
    try {
      const url = new URL(req.url ?? '/', 'https://sim.invalid');
      const path = url.pathname.replace(/\/+$/, '') || '/';
      if (['/healthz', '/livez', '/readyz'].includes(path)) {
        res.writeHead(200, { 'Content-Type': 'text/plain; charset=utf-8' });
        res.end('ok');
        return;
      }
      if (path === '/version') return sendJson(res, 200, this.version());
      if (!this.authenticated(req)) throw unauthorized();
      const delay = this.state.faults.requestDelayMs();
      if (delay > 0) await sleep(delay, this.state.stopSignal);
      const method = req.method ?? 'GET';
      if (method === 'GET' && this.discovery(path, res, String(req.headers.accept ?? ''))) return;
      const parsed = parseApiPath(path);
      if (!parsed) throw pathNotFound();
      if (this.readOnly !== undefined) {
        const refused = readOnlyWrite(method, parsed);
        if (refused) throw readOnlyRefusal(refused.resource, refused.action, this.readOnly);
      }
      if (this.disrupted(req, res, method, parsed, url.searchParams)) return;
      await this.resource(req, res, method, parsed, url.searchParams);
    } catch (e) {
      sendError(res, e);
    }
  }

  /**
   * Faults of a stressed control plane (api-faults.ts) on a rate-limited request: a 429, a 5xx or
   * a reset connection instead of the answer. True when the request was answered that way.
   */
  private disrupted(req: IncomingMessage, res: ServerResponse, method: string, p: ParsedPath, q: URLSearchParams): boolean {
    const faults = this.state.apiFaults;
    if (!faults.any) return false;
    // Long-running requests proxied to a kubelet are not rate-limited by the API server.
    if (p.subresource && ['log', 'exec', 'attach', 'proxy', 'portforward'].includes(p.subresource)) return false;
    const d = faults.disrupt(requestVerb(method, p.name !== undefined, parseBool(q.get('watch'))));
    if (!d) return false;
    if (d.kind === 'reset') {
      // RST before any byte of an answer, as when a load balancer in front of the API servers drops the flow.
      const socket = req.socket as IncomingMessage['socket'] & { resetAndDestroy?: () => void };
      try {
        socket.resetAndDestroy?.();
      } catch {
        // fall through to destroy
      }
      if (!socket.destroyed) socket.destroy();
      return true;
    }
    res.writeHead(d.code, { 'Content-Type': d.contentType, 'Content-Length': Buffer.byteLength(d.body), ...d.headers });
    res.end(d.body);
    return true;
  }

  private version(): object {
    const v = this.state.world.kubernetesVersion || 'v1.32.4';
    const m = /^v?(\d+)\.(\d+)/.exec(v);
    return {
      major: m?.[1] ?? '1',
      minor: m?.[2] ?? '32',
      gitVersion: v,
      gitCommit: '0000000000000000000000000000000000000000',
      gitTreeState: 'clean',
      buildDate: '2025-04-22T16:00:00Z',
      goVersion: 'go1.23.8',
      compiler: 'gc',
      platform: 'linux/amd64',
    };
  }

  private discovery(path: string, res: ServerResponse, accept: string): boolean {
    const reg = this.state.registry;
    if (path === '/api' || path === '/apis') {
      const aggregated = aggregatedDiscoveryVersion(accept);
      if (aggregated) {
        const body = JSON.stringify(reg.aggregatedDiscovery(path === '/api', aggregated));
        res.writeHead(200, { 'Content-Type': `application/json;g=apidiscovery.k8s.io;v=${aggregated};as=APIGroupDiscoveryList`, 'Content-Length': Buffer.byteLength(body) });
        res.end(body);
        return true;
      }
    }
    if (path === '/api') {
      sendJson(res, 200, reg.apiVersions(this.serverAddress()));
      return true;
    }
    if (path === '/apis') {
      sendJson(res, 200, reg.apiGroupList());
      return true;
    }
    if (path === '/api/v1') {
      sendJson(res, 200, reg.apiResourceList('', 'v1'));
      return true;
    }
    const m = /^\/apis\/([^/]+)(?:\/([^/]+))?$/.exec(path);
    if (m) {
      const [, group, version] = m;
      const g = reg.groups().find((x) => x.name === group);
      if (!g) throw pathNotFound();
      if (!version) sendJson(res, 200, reg.apiGroup(group!));
      else if (g.versions.includes(version)) sendJson(res, 200, reg.apiResourceList(group!, version));
      else throw pathNotFound();
      return true;
    }
    return false;
  }

  /** Reads of a CRD whose conversion webhook fails (fault conversion-webhook-failure) answer 500. */
  private conversionCheck(group: string, version: string, resource: string): void {
    const message = this.state.faults.conversionFailure(group, version, resource);
    if (message) throw unknownError(message);
  }

  private async resource(req: IncomingMessage, res: ServerResponse, method: string, p: ParsedPath, q: URLSearchParams): Promise<void> {
    const { state } = this;
    const rt = state.registry.lookup(p.group, p.version, p.resource);
    if (!rt) throw pathNotFound();
    if (rt.namespaced && p.namespace === undefined && p.name !== undefined) throw pathNotFound();
    if (!rt.namespaced && p.namespace !== undefined) throw pathNotFound();
    const ns = rt.namespaced ? p.namespace : undefined;

    if (p.subresource) return this.subresource(req, res, method, rt, p, q);

    if (p.name === undefined) {
      if (method === 'GET') {
        const watch = parseBool(q.get('watch'));
        state.authorize({ verb: watch ? 'watch' : 'list', group: rt.group, resource: rt.resource, namespace: ns });
        this.conversionCheck(rt.group, p.version, rt.resource);
        if (watch) return this.watch(req, res, rt, p.version, ns, q);
        return this.list(req, res, rt, p.version, ns, q);
      }
      if (method === 'POST') {
        state.authorize({ verb: 'create', group: rt.group, resource: rt.resource, namespace: ns });
        return this.create(req, res, rt, p.version, ns);
      }
      throw methodNotSupported(rt.resource, method === 'DELETE' ? 'deletecollection' : method.toLowerCase());
    }

    const name = p.name;
    switch (method) {
      case 'GET': {
        state.authorize({ verb: 'get', group: rt.group, resource: rt.resource, namespace: ns, name });
        this.conversionCheck(rt.group, p.version, rt.resource);
        const obj = state.store.mustGet(rt, ns, name);
        const table = wantsTable(req.headers.accept);
        if (table) return sendJson(res, 200, toTable(rt, [obj], { resourceVersion: obj.metadata.resourceVersion }, table, this.state.clock.nowMs()));
        return sendJson(res, 200, present(rt, p.version, obj));
      }
      case 'DELETE': {
        state.authorize({ verb: 'delete', group: rt.group, resource: rt.resource, namespace: ns, name });
        const body = await readBody(req);
        let grace = parseIntParam(q, 'gracePeriodSeconds');
        let propagation: string | undefined;
        if (body.length > 0) {
          try {
            // Typed clients (kubectl debug --copy-to --replace) send DeleteOptions as protobuf.
            const isProtobuf = String(req.headers['content-type'] ?? '').startsWith('application/vnd.kubernetes.protobuf');
            const opts = isProtobuf ? decodeProtobufObject(body, 'DeleteOptions') : JSON.parse(body.toString('utf8'));
            if (grace === undefined && typeof opts?.gracePeriodSeconds === 'number') grace = opts.gracePeriodSeconds;
            if (typeof opts?.propagationPolicy === 'string') propagation = opts.propagationPolicy;
          } catch {
            throw badRequest('the body of the request could not be decoded as DeleteOptions');
          }
        }
        if (rt.resource === 'daemonsets' && rt.group === 'apps') {
          const { code, body: result } = this.daemonSets.delete(ns!, name, q.get('propagationPolicy') ?? propagation);
          return sendJson(res, code, present(rt, p.version, result));
        }
        const result = rt.resource === 'pods' && rt.group === '' ? deletePod(state, this.runtime, ns!, name, grace) : state.store.delete(rt, ns, name);
        return sendJson(res, 200, present(rt, p.version, result));
      }
      case 'PATCH':
      case 'PUT': {
        state.authorize({ verb: method === 'PATCH' ? 'patch' : 'update', group: rt.group, resource: rt.resource, namespace: ns, name });
        const body = await readBody(req);
        const updated = this.update(rt, ns, name, method, String(req.headers['content-type'] ?? ''), body);
        return sendJson(res, 200, present(rt, p.version, updated));
      }
      default:
        throw methodNotSupported(rt.resource, method.toLowerCase());
    }
  }

  private list(req: IncomingMessage, res: ServerResponse, rt: ResourceType, version: string, ns: string | undefined, q: URLSearchParams): void {
    const { state } = this;
    const labelSel = parseLabelSelector(q.get('labelSelector'));
    const fieldSel = parseFieldSelector(q.get('fieldSelector'), rt.resource);
    const limit = parseIntParam(q, 'limit') ?? 0;
    const cont = q.get('continue');
    let items = state.store.list(rt, ns).filter((o) => labelSel(o) && fieldSel(o));
    const listRv = state.store.resourceVersion;
    if (cont) {
      const token = decodeContinue(cont);
      const expiry = state.apiFaults.watchExpiry;
      if (expiry && token.at !== undefined && Date.now() - token.at > expiry.afterMs) {
        // etcd compacted the revision the token pins: 410 with a token for the rest at the current revision.
        state.apiFaults.counts['watch-expired']++;
        // The new token pins the current revision ("inconsistent" continuation): it does not expire.
        const fresh = encodeContinue({ rv: listRv, after: token.after });
        const body = {
          kind: 'Status',
          apiVersion: 'v1',
          metadata: { continue: fresh },
          status: 'Failure',
          message:
            'The provided continue parameter is too old to display a consistent list result. You can start a new list without the continue parameter, or use the continue token in this response to retrieve the remainder of the results. Continuing with the provided token results in an inconsistent list - objects that were created, modified, or deleted between the time the first chunk was returned and now may show up in the list.',
          reason: 'Expired',
          code: 410,
        };
        return sendJson(res, 410, body);
      }
      items = items.filter((o) => keyOf(o) > token.after);
    }
    const meta: Record<string, unknown> = { resourceVersion: listRv };
    if (limit > 0 && items.length > limit) {
      const remaining = items.length - limit;
      items = items.slice(0, limit);
      meta.continue = encodeContinue({ rv: listRv, after: keyOf(items[items.length - 1]!), ...(state.apiFaults.watchExpiry ? { at: Date.now() } : {}) });
      if (!q.get('labelSelector') && !q.get('fieldSelector')) meta.remainingItemCount = remaining;
    }
    const table = wantsTable(req.headers.accept);
    if (table) return sendJson(res, 200, toTable(rt, items, meta, table, this.state.clock.nowMs()));
    // Large lists are written in ~256 kB chunks of per-object JSON cached on the (immutable)
    // stored object, so a 1000-node pod list neither re-serialises nor builds one huge string.
    const gv = groupVersion(rt.group, version);
    const head = JSON.stringify({ kind: `${rt.kind}List`, apiVersion: gv, metadata: meta }).slice(0, -1);
    res.writeHead(200, { 'Content-Type': 'application/json' });
    let chunk: string[] = [`${head},"items":[`];
    let size = 0;
    items.forEach((o, i) => {
      const json = this.objectJson(rt, version, o);
      chunk.push(i === 0 ? json : `,${json}`);
      size += json.length;
      if (size > 256 * 1024) {
        res.write(chunk.join(''));
        chunk = [];
        size = 0;
      }
    });
    chunk.push(']}');
    res.end(chunk.join(''));
  }

  private readonly jsonCache = new WeakMap<KubeObject, { version: string; json: string }>();

  /**
   * Serialises every pod in the background, a slice per event-loop turn, so the first full pod
   * list of a big world is as fast as later ones (the real apiserver's watch cache does the same).
   */
  prewarm(): void {
    const { state } = this;
    const pods = state.store.list(state.podType);
    let i = 0;
    const step = (): void => {
      if (state.stopped) return;
      for (const end = Math.min(i + 100, pods.length); i < end; i++) this.objectJson(state.podType, 'v1', pods[i]!);
      if (i < pods.length) setImmediate(step);
    };
    setImmediate(step);
  }

  /** JSON of a stored object in a version; stored objects never change, so it is cached. */
  private objectJson(rt: ResourceType, version: string, obj: KubeObject): string {
    const cached = this.jsonCache.get(obj);
    if (cached && cached.version === version) return cached.json;
    const json = JSON.stringify(present(rt, version, obj));
    this.jsonCache.set(obj, { version, json });
    return json;
  }

  private watch(req: IncomingMessage, res: ServerResponse, rt: ResourceType, version: string, ns: string | undefined, q: URLSearchParams): void {
    const { state } = this;
    const labelSel = parseLabelSelector(q.get('labelSelector'));
    const fieldSel = parseFieldSelector(q.get('fieldSelector'), rt.resource);
    const rvText = q.get('resourceVersion');
    const fromRv = rvText === null || rvText === '' ? undefined : Number(rvText);
    if (fromRv !== undefined && !Number.isFinite(fromRv)) throw badRequest(`resourceVersion: Invalid value: ${JSON.stringify(rvText)}: must be a number`);
    const timeoutSeconds = parseIntParam(q, 'timeoutSeconds');
    const bookmarks = parseBool(q.get('allowWatchBookmarks'));
    const table = wantsTable(req.headers.accept);
    const render = (obj: KubeObject): string => (table ? JSON.stringify(toTable(rt, [obj], { resourceVersion: obj.metadata.resourceVersion }, table, this.state.clock.nowMs())) : this.objectJson(rt, version, obj));
    const write = (type: string, object: unknown): void => {
      if (!res.writableEnded) res.write(`${JSON.stringify({ type, object })}\n`);
    };
    let started = false;
    const pendingBeforeHeaders: string[] = [];
    const send = (type: string, obj: KubeObject): void => {
      const line = `{"type":${JSON.stringify(type)},"object":${render(obj)}}`;
      if (!started) pendingBeforeHeaders.push(line);
      else if (!res.writableEnded) res.write(`${line}\n`);
    };
    let unsubscribe: () => void;
    try {
      unsubscribe = state.store.watch(rt, { namespace: ns, predicate: (o) => labelSel(o) && fieldSel(o), send }, fromRv);
    } catch (e) {
      if (e instanceof ApiError && e.status.code === 410) {
        // The real server answers 200 and then an ERROR event carrying the 410 Status.
        res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked' });
        write('ERROR', e.status);
        res.end();
        return;
      }
      throw e;
    }
    res.writeHead(200, { 'Content-Type': 'application/json', 'Transfer-Encoding': 'chunked', 'Cache-Control': 'no-cache, private' });
    res.flushHeaders();
    started = true;
    for (const line of pendingBeforeHeaders) res.write(`${line}\n`);
    const bookmark = (): void => {
      if (bookmarks && !table) write('BOOKMARK', { kind: rt.kind, apiVersion: groupVersion(rt.group, version), metadata: { resourceVersion: state.store.resourceVersion } });
    };
    bookmark();
    const bookmarkTimer = bookmarks ? setInterval(bookmark, 5000) : undefined;
    const timeout = timeoutSeconds && timeoutSeconds > 0 ? setTimeout(() => finish(), timeoutSeconds * 1000) : undefined;
    const expiry = state.apiFaults.watchExpiry;
    const openedAtRv = state.store.resourceVersion;
    // watch-expired: the watch cache no longer holds the watch's position; the stream ends with ERROR 410.
    const expire = expiry
      ? setTimeout(() => {
          state.apiFaults.counts['watch-expired']++;
          write('ERROR', { kind: 'Status', apiVersion: 'v1', metadata: {}, status: 'Failure', message: `too old resource version: ${fromRv ?? openedAtRv} (${state.store.resourceVersion})`, reason: 'Expired', code: 410 });
          finish();
        }, expiry.afterMs)
      : undefined;
    const finish = (): void => {
      unsubscribe();
      if (bookmarkTimer) clearInterval(bookmarkTimer);
      if (timeout) clearTimeout(timeout);
      if (expire) clearTimeout(expire);
      state.stopSignal.removeEventListener('abort', finish);
      if (!res.writableEnded) res.end();
    };
    // res 'close' (not req 'close') tells that the client went away.
    res.on('close', finish);
    state.stopSignal.addEventListener('abort', finish, { once: true });
  }

  private async create(req: IncomingMessage, res: ServerResponse, rt: ResourceType, version: string, ns: string | undefined): Promise<void> {
    const { state } = this;
    const body = await readBody(req);
    const contentType = String(req.headers['content-type'] ?? 'application/json');
    if (rt.group === 'authorization.k8s.io' && (rt.resource === 'selfsubjectaccessreviews' || rt.resource === 'selfsubjectrulesreviews')) {
      let review: any;
      try {
        review = contentType.startsWith('application/vnd.kubernetes.protobuf') ? decodeProtobufObject(body, rt.kind) : JSON.parse(body.toString('utf8') || '{}');
      } catch (e) {
        throw badRequest(`the body of the request could not be decoded: ${(e as Error).message}`);
      }
      return sendJson(res, 201, this.review(rt, review));
    }
    if (rt.group === '' && rt.resource === 'pods') {
      const pod = decodePodBody(contentType, body);
      const rejected = state.apiFaults.admitPod(ns!, pod);
      if (rejected) throw rejected;
      const created = createPod(state, this.runtime, ns!, pod);
      return sendJson(res, 201, present(rt, version, created));
    }
    if (!contentType.includes('json')) throw unsupportedMediaType(['application/json', 'application/yaml']);
    if (rt.group === 'apps' && rt.resource === 'daemonsets') {
      let input: unknown;
      try {
        input = JSON.parse(body.toString('utf8'));
      } catch (e) {
        throw badRequest(`the body of the request could not be decoded: ${(e as Error).message}`);
      }
      return sendJson(res, 201, present(rt, version, this.daemonSets.create(ns!, input)));
    }
    let obj: KubeObject;
    try {
      obj = JSON.parse(body.toString('utf8'));
    } catch (e) {
      throw badRequest(`the body of the request could not be decoded: ${(e as Error).message}`);
    }
    if (!obj?.metadata?.name) throw invalid(rt.kind, '', [{ type: 'FieldValueRequired', field: 'metadata.name', detail: 'name or generateName is required' }], rt.group);
    if (rt.namespaced) obj.metadata.namespace = ns;
    const created = state.store.create(rt, { ...obj, apiVersion: groupVersion(rt.group, version), kind: rt.kind });
    return sendJson(res, 201, present(rt, version, created));
  }

  private review(rt: ResourceType, review: any): object {
    if (rt.resource === 'selfsubjectrulesreviews') {
      return {
        ...review,
        apiVersion: 'authorization.k8s.io/v1',
        kind: 'SelfSubjectRulesReview',
        status: { resourceRules: [{ verbs: ['*'], apiGroups: ['*'], resources: ['*'] }], nonResourceRules: [{ verbs: ['*'], nonResourceURLs: ['*'] }], incomplete: false },
      };
    }
    const attrs = review?.spec?.resourceAttributes;
    let allowed = true;
    if (attrs) {
      allowed = !this.state.faults.denies({
        verb: attrs.verb ?? '',
        group: attrs.group ?? '',
        resource: attrs.resource ?? '',
        subresource: attrs.subresource || undefined,
        namespace: attrs.namespace || undefined,
        name: attrs.name || undefined,
      });
    }
    return {
      kind: 'SelfSubjectAccessReview',
      apiVersion: 'authorization.k8s.io/v1',
      metadata: { creationTimestamp: null },
      spec: review?.spec ?? {},
      status: { allowed },
    };
  }

  /** Generic PATCH/PUT of a whole object (not the ephemeral containers subresource). */
  private update(rt: ResourceType, ns: string | undefined, name: string, method: string, contentType: string, body: Buffer): KubeObject {
    const { state } = this;
    const current = state.store.mustGet(rt, ns, name);
    const mediaType = contentType.split(';')[0]!.trim().toLowerCase();
    let parsed: any;
    try {
      parsed = JSON.parse(body.toString('utf8'));
    } catch (e) {
      throw badRequest(`the body of the request could not be decoded: ${(e as Error).message}`);
    }
    let next: any;
    if (method === 'PUT') {
      const rv = parsed?.metadata?.resourceVersion;
      if (rv && rv !== current.metadata.resourceVersion) throw conflict(rt.resource, name, 'the object has been modified; please apply your changes to the latest version and try again', rt.group);
      next = parsed;
    } else if (mediaType === 'application/strategic-merge-patch+json' || mediaType === 'application/apply-patch+yaml') next = strategicMerge(current, parsed);
    else if (mediaType === 'application/merge-patch+json') next = jsonMergePatch(current, parsed);
    else if (mediaType === 'application/json-patch+json') {
      if (!Array.isArray(parsed)) throw badRequest('json: cannot unmarshal object into Go value of type jsonpatch.Patch');
      try {
        next = jsonPatch(current, parsed);
      } catch (e) {
        if (e instanceof PatchError) throw patchRejected();
        throw e;
      }
    } else throw unsupportedMediaType(patchMediaTypes);
    if (rt.group === '' && rt.resource === 'pods') {
      const before = JSON.stringify(current.spec?.ephemeralContainers ?? []);
      const after = JSON.stringify(next?.spec?.ephemeralContainers ?? []);
      if (before !== after) {
        throw invalid('Pod', name, [{ type: 'FieldValueForbidden', field: 'spec', detail: 'pod updates may not change fields other than `spec.containers[*].image`,`spec.initContainers[*].image`,`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to existing tolerations),`spec.terminationGracePeriodSeconds` (allow it to be set to 1 if it was previously negative)' }]);
      }
    }
    return state.store.update(rt, ns, name, (draft) => {
      const keep = { uid: draft.metadata.uid, creationTimestamp: draft.metadata.creationTimestamp, name: draft.metadata.name, namespace: draft.metadata.namespace };
      for (const k of Object.keys(draft)) delete (draft as any)[k];
      Object.assign(draft, next, { metadata: { ...(next?.metadata ?? {}), ...keep } });
      if (rt.namespaced) draft.metadata.namespace = ns;
    });
  }

  /**
   * kubelet-unreachable: the API server's dial to the node's kubelet times out; the request then
   * fails with the proxy's error (a pod that does not exist fails as before, with NotFound).
   */
  private async dialKubelet(namespace: string, podName: string): Promise<void> {
    const pod = this.state.store.get(this.state.podType, namespace, podName);
    const node: string | undefined = pod?.spec?.nodeName;
    const delay = this.state.apiFaults.kubeletUnreachable(node);
    if (delay === undefined) return;
    if (delay > 0) await sleep(delay, this.state.stopSignal);
    throw this.state.apiFaults.kubeletDialError(this.nodeAddress(node!));
  }

  /** A node's InternalIP, as the API server dials its kubelet. */
  nodeAddress(node: string): string {
    const obj = this.state.store.get(this.state.nodeType, undefined, node);
    const addrs: { type?: string; address?: string }[] = obj?.status?.addresses ?? [];
    return addrs.find((a) => a.type === 'InternalIP')?.address ?? node;
  }

  /**
   * Pod Security Admission on an ephemeral-containers update: the pod as it would be with the
   * containers of the request (merged by name) must meet the namespace's level.
   */
  private admitEphemeral(namespace: string, name: string, contentType: string, body: Buffer): void {
    if (!this.state.apiFaults.enforcedLevel(namespace)) return;
    const pod = this.state.store.get(this.state.podType, namespace, name);
    if (!pod) return;
    let requested: { name?: string }[] = [];
    try {
      const parsed = JSON.parse(body.toString('utf8'));
      const list = Array.isArray(parsed) ? parsed.filter((op: any) => /ephemeralContainers/.test(op?.path ?? '')).map((op: any) => op.value).flat() : parsed?.spec?.ephemeralContainers;
      if (Array.isArray(list)) requested = list.filter((c: unknown) => c && typeof c === 'object');
    } catch {
      return; // the update itself answers the decoding error
    }
    if (contentType.includes('protobuf')) return;
    const byName = new Map<string, unknown>((pod.spec?.ephemeralContainers ?? []).map((c: { name: string }) => [c.name, c]));
    for (const c of requested) if (c.name) byName.set(c.name, c);
    const rejected = this.state.apiFaults.admitPod(namespace, { ...pod, spec: { ...pod.spec, ephemeralContainers: [...byName.values()] } });
    if (rejected) throw rejected;
  }

  private async subresource(req: IncomingMessage, res: ServerResponse, method: string, rt: ResourceType, p: ParsedPath, q: URLSearchParams): Promise<void> {
    const { state } = this;
    const ns = p.namespace;
    const name = p.name!;
    const sub = p.subresource!;
    const isPod = rt.group === '' && rt.resource === 'pods';
    if (isPod && sub === 'proxy') {
      state.authorize({ verb: method === 'GET' ? 'get' : 'create', group: '', resource: 'pods', subresource: 'proxy', namespace: ns, name });
      await this.dialKubelet(ns!, parseProxyTarget(name).pod);
      return servePodProxy(state, ns!, name, p.rest ?? '', res);
    }
    if (isPod && sub === 'log') {
      if (method !== 'GET') throw methodNotSupported('pods/log', method.toLowerCase());
      state.authorize({ verb: 'get', group: '', resource: 'pods', subresource: 'log', namespace: ns, name });
      await this.dialKubelet(ns!, name);
      return serveLogs(state, this.runtime, ns!, name, q, res);
    }
    if (isPod && (sub === 'exec' || sub === 'attach')) {
      state.authorize({ verb: method === 'GET' ? 'get' : 'create', group: '', resource: 'pods', subresource: sub, namespace: ns, name });
      state.getPod(ns!, name);
      throw badRequest('Upgrade request required');
    }
    if (isPod && sub === 'ephemeralcontainers') {
      if (state.faults.ephemeralUnsupported) throw pathNotFound();
      if (method === 'GET') {
        state.authorize({ verb: 'get', group: '', resource: 'pods', subresource: sub, namespace: ns, name });
        return sendJson(res, 200, present(rt, p.version, state.getPod(ns!, name)));
      }
      if (method !== 'PATCH' && method !== 'PUT') throw methodNotSupported('pods/ephemeralcontainers', method.toLowerCase());
      state.authorize({ verb: method === 'PATCH' ? 'patch' : 'update', group: '', resource: 'pods', subresource: sub, namespace: ns, name });
      const body = await readBody(req);
      this.admitEphemeral(ns!, name, String(req.headers['content-type'] ?? ''), body);
      const result = updateEphemeralContainers(state, this.runtime, { namespace: ns!, name, method, contentType: String(req.headers['content-type'] ?? ''), body });
      const headers: Record<string, string[]> = {};
      if (result.warnings.length > 0) headers.Warning = result.warnings.map((w) => `299 - ${JSON.stringify(w)}`);
      sendJson(res, 200, present(rt, p.version, result.pod), headers);
      const deletion = state.faults.podDeletions().find((f) => f.pod === name && (f.namespace ?? ns) === ns && f.when === 'on-ephemeral-patch');
      if (deletion) state.later(50, () => deletePodNow(state, this.runtime, ns!, name));
      return;
    }
    if (sub === 'status') {
      if (method !== 'GET') throw methodNotSupported(`${rt.resource}/status`, method.toLowerCase());
      state.authorize({ verb: 'get', group: rt.group, resource: rt.resource, subresource: 'status', namespace: ns, name });
      return sendJson(res, 200, present(rt, p.version, state.store.mustGet(rt, ns, name)));
    }
    throw pathNotFound();
  }
}
