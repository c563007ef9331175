/**
 * The simulated Kubernetes API server: `startSimulator({ world, backend })` serves a World over
 * HTTPS (self-signed CA generated at start) to kubectl and @kubernetes/client-node, with exec and
 * attach over WebSocket and the scenario's faults applied.
 */
import https from 'node:https';
import type { AddressInfo, Socket } from 'node:net';
import type { KubeObject } from '../../model/cluster.js';
import { UserError, ExitCode } from '../../util/errors.js';
import type { ExecBackend, World } from '../world.js';
import { deletePodNow, StreamServer, writeRawStatus } from './exec.js';
import { ContainerRuntime } from './kubelet.js';
import { applyNodeNotReady, defaultPod } from './pods.js';
import { parseApiPath, Router } from './router.js';
import { SimState } from './state.js';
import { pathNotFound, unauthorized } from './status.js';
import { generateSimulatorTls } from './tls.js';
import { renderKubeconfig } from './kubeconfig.js';

export interface StartSimulatorOptions {
  world: World;
  backend: ExecBackend;
  /** 0 (default) = any free port. */
  port?: number;
  host?: string;
  /** Bearer token for the kubeconfig user (random by default). */
  token?: string;
  /** Cap on deletion grace periods in ms (default 1000), so deleted pods vanish quickly. */
  maxGraceMs?: number;
  /** Close the backend in close() (default true). */
  closeBackend?: boolean;
  /**
   * Serve read-only: every write answers 405 MethodNotAllowed with this reason (`mlb-report serve`
   * shows a support bundle; nothing may change what the customer's cluster looked like).
   */
  readOnly?: string;
}

export interface Simulator {
  url: string;
  caPem: string;
  token: string;
  /** A kubeconfig (YAML) for this server: CA data, a token user, one context. */
  kubeconfig(opts?: { namespace?: string; contextName?: string }): string;
  /** Stops the server, every stream and process, and (by default) the backend. */
  close(): Promise<void>;
  /** Internal state, for tests and benchmarks. */
  readonly state: SimState;
}

function loadWorld(state: SimState, world: World): void {
  const notReady = new Set(state.faults.notReadyNodes());
  for (const original of world.objects) {
    const obj: KubeObject = structuredClone(original);
    const rt = state.registry.forObject(obj);
    if (rt.group === '' && rt.resource === 'pods') {
      obj.metadata.namespace ??= 'default';
      defaultPod(obj);
      if (notReady.has(obj.spec?.nodeName)) applyNodeNotReady(obj, undefined, state.clock.rfc3339());
    }
    if (rt.group === '' && rt.resource === 'nodes' && notReady.has(obj.metadata.name)) applyNodeNotReady(undefined, obj, state.clock.rfc3339());
    if (rt.namespaced) obj.metadata.namespace ??= 'default';
    try {
      state.store.seed(rt, obj);
    } catch {
      // Duplicate objects in a world: the first one wins.
    }
  }
  // Namespaces referenced by objects exist, as on a real cluster.
  const nsType = state.registry.lookup('', 'v1', 'namespaces')!;
  // pod-security faults: the namespaces carry the label Pod Security Admission reads.
  for (const f of state.apiFaults.podSecurity) {
    for (const name of f.namespaces ?? []) {
      const ns = world.objects.find((o) => o.kind === 'Namespace' && o.metadata.name === name);
      const labels = { 'kubernetes.io/metadata.name': name, ...(ns?.metadata.labels ?? {}), 'pod-security.kubernetes.io/enforce': f.level, 'pod-security.kubernetes.io/enforce-version': 'latest' };
      if (ns && state.store.get(nsType, undefined, name)) state.store.update(nsType, undefined, name, (draft) => void (draft.metadata.labels = labels));
      else if (!state.store.get(nsType, undefined, name)) state.store.seed(nsType, { apiVersion: 'v1', kind: 'Namespace', metadata: { name, labels }, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } });
    }
  }
  const namespaces = new Set<string>(['default', 'kube-system', 'kube-public']);
  for (const o of world.objects) if (o.metadata.namespace) namespaces.add(o.metadata.namespace);
  for (const ns of namespaces) {
    if (!state.store.get(nsType, undefined, ns)) {
      state.store.seed(nsType, { apiVersion: 'v1', kind: 'Namespace', metadata: { name: ns, labels: { 'kubernetes.io/metadata.name': ns } }, spec: { finalizers: ['kubernetes'] }, status: { phase: 'Active' } });
    }
  }
}

export async function startSimulator(opts: StartSimulatorOptions): Promise<Simulator> {
  const host = opts.host ?? '127.0.0.1';
  const state = new SimState({ world: opts.world, backend: opts.backend, token: opts.token, maxGraceMs: opts.maxGraceMs });
  loadWorld(state, opts.world);
  const runtime = new ContainerRuntime(state);
  const streams = new StreamServer(state, runtime);
  const tls = generateSimulatorTls(host === '127.0.0.1' || host === 'localhost' ? [] : [host]);
  let url = '';
  const router = new Router(state, runtime, () => new URL(url).host, opts.readOnly);
  const server = https.createServer({ key: tls.keyPem, cert: tls.certPem }, (req, res) => void router.handle(req, res));
  server.keepAliveTimeout = 60_000;
  const sockets = new Set<Socket>();
  server.on('connection', (s: Socket) => {
    sockets.add(s);
    s.on('close', () => sockets.delete(s));
  });
  server.on('tlsClientError', () => {
    // A client that rejects our certificate or drops the handshake: nothing to answer.
  });
  server.on('upgrade', (req, socket, head) => {
    state.countRequest(true);
    socket.on('error', () => socket.destroy());
    void (async () => {
      const url = new URL(req.url ?? '/', 'https://sim.invalid');
      if (!router.authenticated(req)) return writeRawStatus(socket, unauthorized().status);
      const delay = state.faults.requestDelayMs();
      if (delay > 0) await new Promise((r) => setTimeout(r, delay));
      const p = parseApiPath(url.pathname);
      if (!p || p.group !== '' || p.resource !== 'pods' || !p.namespace || !p.name || (p.subresource !== 'exec' && p.subresource !== 'attach')) {
        return writeRawStatus(socket, pathNotFound().status);
      }
      // kubelet-unreachable: the API server's dial to the kubelet times out before any upgrade.
      const node: string | undefined = state.store.get(state.podType, p.namespace, p.name)?.spec?.nodeName;
      const dialMs = state.apiFaults.kubeletUnreachable(node);
      if (dialMs !== undefined) {
        if (dialMs > 0) await new Promise((r) => setTimeout(r, dialMs));
        const err = state.apiFaults.kubeletDialError(router.nodeAddress(node!));
        return writeRawStatus(socket, err.status);
      }
      streams.handleUpgrade(req, socket, head, { kind: p.subresource, namespace: p.namespace, pod: p.name, query: url.searchParams });
    })();
  });

  await new Promise<void>((resolve, reject) => {
    const onError = (e: NodeJS.ErrnoException): void => {
      server.off('listening', onListening);
      if (e.code === 'EADDRINUSE') {
        reject(new UserError(`port ${opts.port} on ${host} is already in use`, 'choose another --port, or --port 0 for any free port', ExitCode.usage));
      } else if (e.code === 'EACCES') {
        reject(new UserError(`not allowed to listen on ${host}:${opts.port}`, 'use a port above 1023, or --port 0 for any free port', ExitCode.usage));
      } else reject(e);
    };
    const onListening = (): void => {
      server.off('error', onError);
      resolve();
    };
    server.once('error', onError);
    server.once('listening', onListening);
    server.listen(opts.port ?? 0, host);
  });
  const address = server.address() as AddressInfo;
  const hostForUrl = address.family === 'IPv6' ? `[${address.address}]` : address.address;
  url = `https://${hostForUrl}:${address.port}`;

  router.prewarm();

  // pod-deleted faults on a timer.
  for (const f of state.faults.podDeletions()) {
    if (typeof f.when === 'object') {
      const ns = f.namespace;
      state.later(f.when.afterMs, () => {
        const pods = state.store.list(state.podType).filter((p) => p.metadata.name === f.pod && (ns === undefined || p.metadata.namespace === ns));
        for (const p of pods) deletePodNow(state, runtime, p.metadata.namespace ?? 'default', p.metadata.name);
      });
    }
  }

  let closed: Promise<void> | undefined;
  return {
    url,
    caPem: tls.caPem,
    token: state.token,
    state,
    kubeconfig: (k = {}) => renderKubeconfig({ server: url, caPem: tls.caPem, token: state.token, name: opts.world.name, namespace: k.namespace, contextName: k.contextName }),
    close() {
      closed ??= (async () => {
        state.stop();
        runtime.stopAll();
        streams.closeAll();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          for (const s of sockets) s.destroy();
        });
        if (opts.closeBackend !== false) await opts.backend.close();
      })();
      return closed;
    },
  };
}
