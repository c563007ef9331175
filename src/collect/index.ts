/**
 * Collection writes a bundle and knows nothing of checks or reports:
 * discovery → RBAC preflight → cluster objects → every node in parallel (attach, catalogue, capture,
 * probes, logs, metrics) + the controller → cleanup → manifest and tarball. `collect()` seals the
 * bundle at once; `collectBundle()` leaves it open for the run module (src/run) to add findings and
 * reports before sealing.
 */
import { setMaxListeners } from 'node:events';
import { accessSync, constants, existsSync, readdirSync, statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { Listr } from 'listr2';
import type { AddedContainer, Discovery, Manifest, NodeRecord, StepRecord } from '../model/bundle.js';
import { ExitCode, UserError, errorMessage } from '../util/errors.js';
import { toolVersion } from '../version.js';
import { loadInCluster } from './in-cluster.js';
import { BundleWriter } from '../bundle/writer.js';
import { Redactor } from '../bundle/redact.js';
import { finishBundle } from '../bundle/index.js';
import { bundlePath } from '../bundle/paths.js';
import { DebugDaemonSet } from '../attach/daemonset.js';
import { defaultDebugImage, deleteNodePod, endDebugContainer, refreshEphemeralStates, waitForEnded } from '../attach/index.js';
import { PodWatcher } from '../attach/wait.js';
import { discover, type DiscoveryResult } from '../discover/index.js';
import { plannedPermissions, preflight as rbacPreflight, RbacResult } from '../discover/rbac.js';
import { defaultLogSinceSeconds } from '../catalogue/index.js';
import { collectCluster } from './cluster.js';
import type { RunContext, Step } from './context.js';
import { publicStep, step } from './context.js';
import { apiError, defaultMaxStreams, isConnectionError, makeKube, type Kube } from '../kube/client.js';
import { collectNode } from './node.js';
import { collectControllerNet } from './controller.js';
import { collectPodLogs, collectPodMetrics } from './pods.js';
import { defaultOutDir, newRunId, type ReportFormat } from './options.js';

export type { ReportFormat } from './options.js';

export interface CollectOptions {
  /** Injected KubeConfig (demo, tests, benchmarks); otherwise loaded from kubeconfigPath / KUBECONFIG / ~/.kube/config. */
  kubeConfig?: k8s.KubeConfig;
  kubeconfigPath?: string;
  context?: string;
  namespace?: string;
  /** Bundle directory; DIR.tar.gz is written next to it. Default ./mlb-report-<UTC time>. */
  out?: string;
  nodes?: string[];
  nodeSelector?: string;
  image?: string;
  captureSeconds?: number;
  capture?: boolean;
  probe?: boolean;
  concurrency?: number;
  qps?: number;
  /** Token-bucket burst (default 2 × qps). */
  burst?: number;
  /** Streams (exec, log, pod proxy) open at once. */
  maxStreams?: number;
  timeoutMs?: number;
  strategy?: 'ephemeral' | 'node-pod' | 'daemonset';
  /** Namespace of the node debug pods (--strategy node-pod, daemonset); default the MetalLB namespace. */
  debugNamespace?: string;
  sinceSeconds?: number;
  redactIps?: boolean;
  /** What the caller writes after collection (findings, reports); recorded in the manifest. */
  formats?: ReportFormat[];
  /** Command line for the manifest (secrets already removed). */
  command?: string[];
  /** listr2 renderer: 'default' (TTY), 'simple'/'verbose' (CI, non-TTY), 'silent' (in-process). */
  renderer?: 'default' | 'simple' | 'verbose' | 'silent';
  /** Aborting it (SIGINT) stops the run cleanly: node pods deleted, what was collected written. */
  signal?: AbortSignal;
  /** Write DIR.tar.gz (default true). */
  tar?: boolean;
  /** Where notes go (CLI: stderr); default silent. */
  log?: (line: string) => void;
  /**
   * collectBundle: write a manifest before sealing, for analysis to read the folder (default true).
   * Without readers it is only written at seal: at 500 nodes each write is a 2 MB redacted document.
   */
  draftManifest?: boolean;
}

export interface CollectResult {
  dir: string;
  tarball?: string;
  manifest: Manifest;
  discovery: Discovery;
  interrupted: boolean;
  timedOut: boolean;
  apiRequests: number;
  durationMs: number;
  notes: string[];
  /** With --redact-ips: `<dir>.ip-map.json` (original → replacement), beside the bundle, never in it. */
  ipMap?: string;
}

/**
 * How long a run waits for told-to-end debug containers to show as terminated: the kubelet reports
 * the exit a moment later (its idle loop polls every second, then the pod status is updated).
 */
export const endWaitMs = 5000;

/** Above this many nodes the progress shows one counting line instead of a line per node. */
const perNodeTaskLimit = 30;

/** Runs `fn` over `items` with at most `limit` at once. */
async function mapPool<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  const worker = async (): Promise<void> => {
    while (next < items.length) await fn(items[next++]!);
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
}

const defaults = {
  image: defaultDebugImage,
  captureSeconds: 10,
  concurrency: 1000,
  qps: 50,
  timeoutMs: 10 * 60_000,
  strategy: 'ephemeral' as const,
};

/** Loads and checks the kubeconfig; bad input → exit 2, unknown context → exit 3. */
export function loadKubeConfig(opts: Pick<CollectOptions, 'kubeConfig' | 'kubeconfigPath' | 'context'>): k8s.KubeConfig {
  let kc = opts.kubeConfig;
  if (!kc) {
    kc = new k8s.KubeConfig();
    const path = opts.kubeconfigPath;
    if (path) {
      if (!existsSync(path) || !statSync(path).isFile()) {
        throw new UserError(`kubeconfig not found: ${path}`, 'pass an existing file with --kubeconfig, or set KUBECONFIG', ExitCode.usage);
      }
      try {
        kc.loadFromFile(path);
      } catch (e) {
        throw new UserError(`invalid kubeconfig ${path}: ${errorMessage(e).split('\n')[0]}`, 'check the file with `kubectl config view --kubeconfig <file>`', ExitCode.usage);
      }
    } else {
      const envPath = process.env.KUBECONFIG?.split(process.platform === 'win32' ? ';' : ':').find(Boolean);
      if (envPath && !existsSync(envPath)) {
        throw new UserError(`kubeconfig not found: ${envPath} (from KUBECONFIG)`, 'fix the KUBECONFIG environment variable or pass --kubeconfig', ExitCode.usage);
      }
      // Without any kubeconfig client-node falls back to http://localhost:8080, which would only
      // confuse: say what was looked for instead.
      const noFile = !envPath && !existsSync(join(homedir(), '.kube', 'config'));
      if (noFile && !process.env.KUBERNETES_SERVICE_HOST) {
        throw new UserError('no kubeconfig found (KUBECONFIG is not set and ~/.kube/config does not exist)', 'pass --kubeconfig FILE, set KUBECONFIG, or run inside a cluster', ExitCode.usage);
      }
      // Inside a pod (deploy/job.yaml): the ServiceAccount's token, as kubectl does there.
      if (noFile) loadInCluster(kc);
      else {
        try {
          kc.loadFromDefault();
        } catch (e) {
          throw new UserError(`invalid kubeconfig: ${errorMessage(e).split('\n')[0]}`, 'check it with `kubectl config view`, or pass --kubeconfig', ExitCode.usage);
        }
      }
    }
  }
  if (opts.context) {
    if (!kc.getContextObject(opts.context)) {
      const known = kc.getContexts().map((c) => c.name);
      throw new UserError(`unknown context "${opts.context}"`, known.length ? `use one of: ${known.join(', ')}` : 'the kubeconfig has no contexts; check --kubeconfig', ExitCode.cluster);
    }
    kc.setCurrentContext(opts.context);
  }
  const cluster = kc.getCurrentCluster();
  if (!cluster || !cluster.server) {
    throw new UserError('the kubeconfig has no current cluster', 'select a context with --context or `kubectl config use-context`', ExitCode.usage);
  }
  if (!/^https?:\/\//.test(cluster.server)) {
    throw new UserError(`invalid server URL in kubeconfig: ${cluster.server}`, 'the cluster server must be an http(s) URL', ExitCode.usage);
  }
  if (cluster.server.startsWith('http://') && !cluster.skipTLSVerify) {
    throw new UserError(`plain-HTTP API server ${cluster.server} without insecure-skip-tls-verify`, 'use https, or set insecure-skip-tls-verify: true on that cluster entry', ExitCode.usage);
  }
  return kc;
}

/** The bundle folder: new or empty, and creatable, checked before anything is asked of the cluster. */
function chooseOutDir(out: string | undefined): string {
  const dir = resolve(out ?? defaultOutDir());
  if (existsSync(dir)) {
    if (!statSync(dir).isDirectory()) throw new UserError(`--out ${dir} exists and is not a directory`, 'choose another --out', ExitCode.usage);
    if (readdirSync(dir).length > 0) throw new UserError(`--out ${dir} exists and is not empty`, 'choose a new directory with --out, or remove the old bundle', ExitCode.usage);
  }
  // The nearest existing ancestor must be a folder we may write into (the bundle and DIR.tar.gz go there).
  let parent = dirname(dir);
  while (!existsSync(parent) && dirname(parent) !== parent) parent = dirname(parent);
  if (!statSync(parent).isDirectory()) throw new UserError(`--out ${dir}: ${parent} is a file, not a folder`, 'pass --out with a path under a folder', ExitCode.usage);
  try {
    accessSync(parent, constants.W_OK);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    throw new UserError(`--out ${dir}: cannot write in ${parent} (${code === 'EROFS' ? 'read-only file system' : 'permission denied'})`, 'pass --out with a folder you can write to', ExitCode.usage);
  }
  return dir;
}

async function checkServer(kube: Kube, server: string): Promise<string | undefined> {
  try {
    const v = await kube.version.getCode();
    return v.gitVersion;
  } catch (e) {
    if (isConnectionError(e) || apiError(e).message.startsWith('request aborted')) {
      throw new UserError(`cannot reach the API server at ${server}: ${apiError(e).message}`, 'check the server address, VPN and network (`kubectl cluster-info`), or pick another --context', ExitCode.cluster);
    }
    const info = apiError(e);
    if (info.code === 401) throw new UserError(`the API server at ${server} rejected the credentials (401 Unauthorized)`, 'refresh your login / token in the kubeconfig', ExitCode.cluster);
    // /version is optional on some servers; anything else is found out by the next calls.
    return undefined;
  }
}

/**
 * A collected bundle whose tarball is still open: the folder holds every collected file and a
 * manifest. `seal()` adds files written into the folder afterwards (findings, reports), rewrites the
 * manifest and finishes the tarball; nothing may be written to the folder after it.
 */
export interface OpenBundle extends Omit<CollectResult, 'tarball'> {
  /**
   * The run's Redactor: with --redact-ips, analysis reads the folder through `restore` and what it
   * writes into the bundle goes through `addresses` / `json`, so one map covers everything.
   */
  redactor: Redactor;
  /**
   * Waits at most `waitMs` until the debug containers told to end show as terminated, then records
   * their end states (in `manifest.addedContainers`; written to disk at seal). Nothing waits for it on a run's critical path: `collect()`
   * and a run that renders a report (seconds of work anyway) call it; otherwise `seal()` records
   * what the pod watch knows by then, and the report says a container was told to end.
   */
  settleDebugContainers(waitMs: number): Promise<void>;
  seal(addedFiles?: string[]): Promise<CollectResult>;
  /** Removes the half-built tarball (the folder stays): for a caller that fails before seal(). */
  abandon(): Promise<void>;
}

/** Collects and seals the bundle: raw data only. The run module (src/run) adds findings and reports. */
export async function collect(options: CollectOptions = {}): Promise<CollectResult> {
  const bundle = await collectBundle({ draftManifest: false, ...options });
  try {
    await bundle.settleDebugContainers(endWaitMs);
    return await bundle.seal();
  } catch (e) {
    await bundle.abandon();
    throw e;
  }
}

/** Collects everything into the bundle folder; the caller seals it (see OpenBundle). */
export async function collectBundle(options: CollectOptions = {}): Promise<OpenBundle> {
  const run = startRun(options);
  try {
    await discoverCluster(run);
    const ctx = await preflight(run);
    run.timings['nodesMs'] = await timed(() => collectAll(run, ctx));
    if (run.fatal !== undefined) throw writeFailure(run, run.fatal);
  } catch (e) {
    run.stopTimers();
    // What was written stays in the folder; only the half-built tarball beside it goes.
    await run.writer.tarball?.abandon().catch(() => undefined);
    await cleanUp(run).finally(() => closeWatchers(run));
    throw e;
  }
  run.stopTimers();
  await cleanUp(run);
  listUncollectedNodes(run);
  const t = Date.now();
  const draft = draftManifest(run);
  // The manifest is written now, so that analysis can read the folder before the bundle is sealed.
  if (options.draftManifest ?? true) {
    await finishBundle(run.writer, draft, { tar: false }).catch((e: unknown) => {
      closeWatchers(run);
      throw e;
    });
  }
  const found = run.found!;
  const result = (): Omit<CollectResult, 'tarball'> => ({
    dir: run.dir,
    manifest: { ...draft, files: run.writer.list() },
    discovery: found.discovery,
    interrupted: run.interrupted,
    timedOut: run.timedOut,
    apiRequests: run.kube.stats.requests,
    durationMs: Date.now() - run.t0,
    notes: run.notes,
  });
  let settled: Promise<void> | undefined;
  // The end states reach the manifest at seal (and the report through `manifest.addedContainers`).
  const settle = (waitMs: number): Promise<void> => (settled ??= settleEndStates(run, waitMs));
  return {
    ...result(),
    redactor: run.redactor,
    settleDebugContainers: settle,
    async seal(addedFiles = []) {
      await settle(0);
      for (const f of addedFiles) {
        const rel = relative(run.dir, f);
        if (!rel.startsWith('..')) await run.writer.adopt(rel);
      }
      draft.timings = { ...draft.timings, bundleMs: Date.now() - t, totalMs: Date.now() - run.t0 };
      (draft.options as { apiRequests: number }).apiRequests = run.kube.stats.requests;
      const { manifest, tarball } = await finishBundle(run.writer, draft, { tar: options.tar ?? true });
      let ipMap: string | undefined;
      if (run.redactor.options.ips) {
        // The mapping lets the owner translate findings back (`analyze --ip-map`); it is kept
        // beside, never inside, the bundle. Written last: findings and reports may add addresses.
        ipMap = `${run.dir}.ip-map.json`;
        await writeFile(ipMap, JSON.stringify(run.redactor.ipMapping(), null, 2) + '\n', { mode: 0o600 });
      }
      return { ...result(), manifest, tarball, ...(ipMap ? { ipMap } : {}) };
    },
    async abandon() {
      closeWatchers(run);
      await run.writer.tarball?.abandon().catch(() => undefined);
    },
  };
}

async function timed(fn: () => Promise<unknown>): Promise<number> {
  const t = Date.now();
  await fn();
  return Date.now() - t;
}

/** Everything one collection run shares between its steps. */
interface CollectionRun {
  options: CollectOptions;
  t0: number;
  kc: k8s.KubeConfig;
  server: string;
  dir: string;
  timeoutMs: number;
  concurrency: number;
  deadline: number;
  /** One abort for the run: SIGINT (interrupted) or --timeout (timedOut). */
  abort: AbortController;
  interrupted: boolean;
  timedOut: boolean;
  kube: Kube;
  redactor: Redactor;
  writer: BundleWriter;
  podWatchers: Map<string, PodWatcher>;
  /** Cleanup's own client (the run's may be aborted by then), kept for settleEndStates. */
  cleanupKube?: Kube;
  added: AddedContainer[];
  /** See RunContext.debugDaemonSet; cleanup deletes it. */
  debugDaemonSet?: DebugDaemonSet;
  clusterSteps: Step[];
  nodeRecords: NodeRecord[];
  /** See RunContext.pendingEnds. */
  pendingEnds: Promise<void>[];
  timings: Manifest['timings'];
  notes: string[];
  log: (line: string) => void;
  found?: DiscoveryResult;
  clusterVersion?: string;
  /** Why the run stopped for good (RunContext.fatal), if it did. */
  fatal?: unknown;
  /** See RunContext.noteCaptureFilter. */
  captureFilter?: string;
  stopTimers(): void;
}

/** Kubeconfig, output folder, the run's abort and deadline, the API client and the bundle writer. */
function startRun(options: CollectOptions): CollectionRun {
  const t0 = Date.now();
  const kc = loadKubeConfig(options);
  const timeoutMs = options.timeoutMs ?? defaults.timeoutMs;
  const dir = chooseOutDir(options.out);
  const abort = new AbortController();
  // Every in-flight request, exec and watch listens on this signal; hundreds at once is by design.
  setMaxListeners(0, abort.signal);
  const qps = options.qps ?? defaults.qps;
  const kube = makeKube(kc, { qps, burst: options.burst ?? 2 * qps, maxStreams: options.maxStreams ?? defaultMaxStreams, requestTimeoutMs: 30_000, signal: abort.signal, deadline: t0 + timeoutMs });
  const redactor = new Redactor({ ips: !!options.redactIps });
  const run: CollectionRun = {
    options,
    t0,
    kc,
    server: kc.getCurrentCluster()!.server,
    dir,
    timeoutMs,
    concurrency: Math.max(1, options.concurrency ?? defaults.concurrency),
    deadline: t0 + timeoutMs,
    abort,
    interrupted: false,
    timedOut: false,
    kube,
    redactor,
    writer: new BundleWriter(dir, redactor),
    podWatchers: new Map(),
    added: [],
    clusterSteps: [],
    nodeRecords: [],
    pendingEnds: [],
    timings: { totalMs: 0 },
    notes: [],
    log: options.log ?? (() => {}),
    stopTimers: () => {},
  };
  const onExternalAbort = (): void => {
    run.interrupted = true;
    abort.abort(new Error('interrupted'));
  };
  if (options.signal?.aborted) onExternalAbort();
  options.signal?.addEventListener('abort', onExternalAbort, { once: true });
  const deadlineTimer = setTimeout(() => {
    run.timedOut = true;
    abort.abort(new Error('run timeout'));
  }, timeoutMs);
  run.stopTimers = () => {
    clearTimeout(deadlineTimer);
    options.signal?.removeEventListener('abort', onExternalAbort);
  };
  return run;
}

/** The API server's version and MetalLB's install; either may end the run with a UserError. */
async function discoverCluster(run: CollectionRun): Promise<void> {
  const { kube, server, options } = run;
  const t = Date.now();
  try {
    run.clusterVersion = await kube.retries.scope({ step: 'version' }, () => checkServer(kube, server));
  } catch (e) {
    // Ctrl-C while the server has not answered yet aborts the request: that is the user stopping, not an unreachable server.
    if (run.interrupted) throw new UserError('interrupted while connecting to the API server; nothing collected', undefined, ExitCode.interrupted);
    throw e;
  }
  try {
    run.found = await kube.retries.scope({ step: 'discovery' }, () => discover(kube, { namespace: options.namespace, nodes: options.nodes, nodeSelector: options.nodeSelector }));
  } catch (e) {
    if (run.interrupted) throw new UserError('interrupted during discovery; nothing collected', undefined, ExitCode.interrupted);
    if (e instanceof UserError) throw e;
    if (isConnectionError(e)) throw new UserError(`cannot reach the API server at ${server}: ${apiError(e).message}`, 'check the server address and network (`kubectl cluster-info`)', ExitCode.cluster);
    const info = apiError(e);
    if (info.code === 401) throw new UserError(`the API server at ${server} rejected the credentials (401 Unauthorized)`, 'refresh your login / token in the kubeconfig', ExitCode.cluster);
    throw new UserError(`discovery failed: ${info.message}`, 'check that the kubeconfig user can list pods, nodes and daemonsets', ExitCode.cluster);
  }
  run.notes.push(...run.found.notes);
  run.timings['discoverMs'] = Date.now() - t;
  await run.writer.init();
  if (options.tar ?? true) run.writer.streamTarball();
}

/** RBAC preflight, the first bundle files, and the context every collection task shares. */
async function preflight(run: CollectionRun): Promise<RunContext> {
  const { kube, writer, options } = run;
  const found = run.found!;
  const t = Date.now();
  const strategy = options.strategy ?? defaults.strategy;
  const frrK8sNamespaces = [...new Set(found.discovery.frrK8s.map((p) => p.namespace))];
  const rbac = await kube.retries.scope({ step: 'rbac' }, () => rbacPreflight(kube, plannedPermissions({ namespace: found.discovery.namespace, frrK8sNamespaces, strategy, metrics: true, debugNamespace: options.debugNamespace }))).catch((e) => {
    run.notes.push(`RBAC preflight failed (${apiError(e).message}); continuing without it`);
    return new RbacResult([]);
  });
  run.timings['rbacMs'] = Date.now() - t;
  await writer.json('rbac.json', rbac.checks);
  for (const d of rbac.denied()) run.log(`rbac: not allowed: ${d.verb} ${d.group ? `${d.group}/` : ''}${d.resource}${d.subresource ? `/${d.subresource}` : ''}${d.namespace ? ` in ${d.namespace}` : ''}`);
  await writer.json('discovery.json', found.discovery);
  await writer.json('cluster/version.json', run.clusterVersion ? { gitVersion: run.clusterVersion } : {});
  let lbServicesLoaded: () => void = () => {};
  const runId = newRunId();
  if (strategy === 'daemonset') {
    const nodes = found.discovery.nodes;
    const lifetimeSeconds = Math.max(60, Math.ceil((run.deadline - Date.now()) / 1000) + 60);
    run.debugDaemonSet = new DebugDaemonSet(kube, { namespace: options.debugNamespace ?? found.discovery.namespace, runId, image: options.image ?? defaults.image, nodes, lifetimeSeconds });
  }
  return {
    kube,
    writer,
    found,
    rbac,
    lbServices: [],
    lbServicesReady: new Promise<void>((r) => {
      lbServicesLoaded = r;
    }),
    lbServicesLoaded: () => lbServicesLoaded(),
    pendingEnds: run.pendingEnds,
    added: run.added,
    debugDaemonSet: run.debugDaemonSet,
    podWatcher: (namespace: string) => {
      let w = run.podWatchers.get(namespace);
      if (!w) run.podWatchers.set(namespace, (w = new PodWatcher(kube, namespace)));
      return w;
    },
    settings: {
      runId,
      image: options.image ?? defaults.image,
      strategy,
      debugNamespace: options.debugNamespace,
      capture: options.capture ?? true,
      captureSeconds: options.captureSeconds ?? defaults.captureSeconds,
      probe: options.probe ?? true,
      sinceSeconds: options.sinceSeconds ? Math.max(1, Math.round(options.sinceSeconds)) : defaultLogSinceSeconds,
      redactIps: !!options.redactIps,
      deadline: run.deadline,
      attachTimeoutMs: Math.min(120_000, Math.max(10_000, run.timeoutMs / 2)),
    },
    noteCaptureFilter: (filter: string) => {
      run.captureFilter ??= filter;
    },
    fatal: (e: unknown) => {
      if (run.fatal !== undefined) return;
      run.fatal = e;
      run.log(`stopping: ${errorMessage(e)}`);
      run.abort.abort(new Error('bundle write failed'));
    },
    interrupted: () => run.interrupted,
    timedOut: () => run.timedOut,
  };
}

/** Cluster objects beside the nodes and the controller, shown as listr2 tasks. */
async function collectAll(run: CollectionRun, ctx: RunContext): Promise<void> {
  const d = ctx.found.discovery;
  const list = new Listr(
    [
      { title: `Cluster objects (MetalLB ${d.version ?? '?'}, ${d.mode}, ${d.installMethod}, namespace ${d.namespace})`, task: (_c: unknown, task: { title: string }) => clusterTask(run, ctx, task) },
      {
        title: `Nodes (${d.nodes.length}) and controller`,
        task: (_c: unknown, task: any) => task.newListr([controllerTask(run, ctx), ...nodeTasks(run, ctx)], { concurrent: run.concurrency, exitOnError: false }),
      },
    ],
    {
      // Cluster objects and nodes side by side: only the ARP probes need the Services (lbServicesReady).
      concurrent: true,
      exitOnError: false,
      registerSignalListeners: false,
      renderer: run.options.renderer ?? 'silent',
      fallbackRenderer: 'simple',
      rendererOptions: { collapseSubtasks: false },
    } as any,
  );
  await list.run();
}

async function clusterTask(run: CollectionRun, ctx: RunContext, task: { title: string }): Promise<void> {
  const s = Date.now();
  try {
    run.clusterSteps.push(...(await run.kube.first(() => collectCluster(ctx))));
  } finally {
    ctx.lbServicesLoaded();
  }
  run.timings['clusterMs'] = Date.now() - s;
  const failed = run.clusterSteps.filter((x) => x.problem).length;
  task.title = `Cluster objects: ${run.clusterSteps.length - failed}/${run.clusterSteps.length} ok`;
}

function controllerTask(run: CollectionRun, ctx: RunContext): { title: string; task: (_x: unknown, sub: { title: string }) => Promise<void> } {
  const pod = ctx.found.controllerPod;
  return {
    title: `controller ${pod?.metadata?.name ?? '(none)'}`,
    task: async (_x, sub) => {
      const s = Date.now();
      if (!pod) {
        run.clusterSteps.push(step('controller', 'skipped', 0, [], 'no controller pod found', { problem: true }));
      } else {
        // The debug container's attach and exec run beside the logs and metrics, which need none.
        // Like a node's lanes, a failure here could only be the bundle's write (a full disk): it stops the run.
        const net = collectControllerNet(ctx, pod).catch((e: unknown) => (ctx.fatal(e), []));
        try {
          run.clusterSteps.push(...(await collectPodLogs(ctx, pod)).map((x) => ({ ...x, step: `controller.${x.step}` })));
          run.clusterSteps.push(...(await collectPodMetrics(ctx, pod, bundlePath('controller'))).map((x) => ({ ...x, step: `controller.${x.step}` })));
        } catch (e) {
          ctx.fatal(e);
        }
        run.clusterSteps.push(...(await net));
      }
      run.timings['controllerMs'] = Date.now() - s;
      sub.title = `controller: done`;
    },
  };
}

/** A task per node for small clusters; above perNodeTaskLimit one task that counts them. */
function nodeTasks(run: CollectionRun, ctx: RunContext): { title: string; task: (_x: unknown, sub: { title: string; output: string; skip: (message: string) => void }) => Promise<void> }[] {
  const nodes = ctx.found.discovery.nodes;
  if (nodes.length <= perNodeTaskLimit) {
    // Line renderers (no terminal) print each output line on its own, away from the task title:
    // the node's name goes into the line so the log says which node is attaching or capturing.
    const named = (run.options.renderer ?? 'silent') !== 'default';
    return nodes.map((node) => ({
      title: node,
      task: async (_x, sub) => {
        const rec = await collectNode(ctx, node, (m) => {
          sub.output = named ? `${node}: ${m}` : m;
        });
        run.nodeRecords.push(rec);
        // The task's state shows the node's: a green tick is for ok and partial nodes only. A failed
        // node fails its task (exitOnError is off, so the others carry on) and a skipped one is skipped.
        const title = `${node}: ${rec.status}${rec.reason ? ` (${rec.reason})` : ''}`;
        // The terminal renderer shows a failed task's error in place of its title.
        if (rec.status === 'failed') throw new Error(title);
        if (rec.status === 'skipped') return sub.skip(title);
        sub.title = title;
      },
    }));
  }
  return [
    {
      // Hundreds of node lines would bury the terminal: one line counts them instead.
      title: `${nodes.length} nodes`,
      task: async (_x, sub) => {
        const count = { ok: 0, partial: 0, failed: 0, skipped: 0 };
        let shownAt = 0;
        const show = (): void => {
          // Line renderers (CI, no TTY) print every update: at most one a second.
          const done = count.ok + count.partial + count.failed + count.skipped;
          if (done < nodes.length && Date.now() - shownAt < 1000) return;
          shownAt = Date.now();
          sub.output = `${done}/${nodes.length} done: ${count.ok} ok, ${count.partial} partial, ${count.failed} failed`;
        };
        await mapPool(nodes, run.concurrency, async (node) => {
          const rec = await collectNode(ctx, node);
          run.nodeRecords.push(rec);
          count[rec.status]++;
          show();
        });
        sub.title = `${nodes.length} nodes: ${count.ok} ok, ${count.partial} partial, ${count.failed} failed`;
      },
    },
  ];
}

/**
 * Deletes node debug pods and tells every ephemeral container still running to end, with its own
 * deadline. After Ctrl-C or --timeout it also waits for the ends (the user is waiting for exactly
 * that); otherwise the wait is settleEndStates', off the critical path.
 */
async function cleanUp(run: CollectionRun): Promise<void> {
  const { added, kube, kc } = run;
  if (run.debugDaemonSet?.requested) {
    // One delete whatever the node count; its pods go with it (Background propagation).
    const dsKube = makeKube(kc, { qps: 0, requestTimeoutMs: 15_000, signal: AbortSignal.timeout(30_000), deadline: Date.now() + 30_000, retries: kube.retries });
    const refused = await run.debugDaemonSet.remove(dsKube);
    kube.stats.requests += 1;
    const { namespace } = run.debugDaemonSet.options;
    // Its pods are not listed as added containers (one per node); the note names what was created.
    run.notes.push(refused ?? `debug DaemonSet ${namespace}/${run.debugDaemonSet.name} (its pods on ${run.debugDaemonSet.options.nodes.length} nodes) was created and deleted`);
  }
  if (added.length > 0) {
    const t = Date.now();
    // The run's signal may already be aborted: cleanup gets its own short deadline.
    const cleanupKube = (run.cleanupKube = makeKube(kc, { qps: 0, requestTimeoutMs: 15_000, signal: AbortSignal.timeout(30_000), deadline: Date.now() + 30_000, retries: kube.retries }));
    await Promise.all(run.pendingEnds);
    const ephemeral = added.filter((a) => a.kind === 'ephemeral');
    // Containers whose node did not get to end them (Ctrl-C, --timeout, a failed exec) end now.
    const notEnded = ephemeral.filter((a) => a.finalState === 'running' && !a.endRequested);
    await Promise.all(notEnded.map(async (a) => (a.endRequested = await endDebugContainer(cleanupKube, a))));
    await Promise.all([...added.filter((a) => a.kind === 'pod').map((a) => deleteNodePod(cleanupKube, a, true)), run.interrupted || run.timedOut ? waitForEnded(ephemeral, run.podWatchers, endWaitMs) : undefined]);
    await refreshEphemeralStates(cleanupKube, ephemeral, run.podWatchers);
    // Cleanup calls go around the run's counters (the pod deletes even around cleanupKube's): count them here.
    kube.stats.requests += cleanupKube.stats.requests + added.filter((a) => a.kind === 'pod').length;
    run.timings['cleanupMs'] = Date.now() - t;
  }
}

/** Waits (at most `waitMs`) for told-to-end containers to show as terminated and records their states. */
async function settleEndStates(run: CollectionRun, waitMs: number): Promise<void> {
  const ephemeral = run.added.filter((a) => a.kind === 'ephemeral');
  if (ephemeral.length > 0 && run.cleanupKube) {
    await waitForEnded(ephemeral, run.podWatchers, waitMs);
    await refreshEphemeralStates(run.cleanupKube, ephemeral, run.podWatchers);
  }
  closeWatchers(run);
}

function closeWatchers(run: CollectionRun): void {
  for (const w of run.podWatchers.values()) w.close();
}

/** Nodes that never got a record (interrupted before their task ran) are still listed. */
function listUncollectedNodes(run: CollectionRun): void {
  const recorded = new Set(run.nodeRecords.map((r) => r.node));
  for (const n of run.found!.discovery.nodes) {
    if (!recorded.has(n)) run.nodeRecords.push({ node: n, status: 'skipped', reason: run.interrupted ? 'interrupted' : run.timedOut ? 'run timeout (--timeout) reached' : 'not collected', steps: [] });
  }
  run.nodeRecords.sort((a, b) => (a.node < b.node ? -1 : a.node > b.node ? 1 : 0));
  if (run.timedOut) run.notes.push(`run timeout reached after ${Math.round(run.timeoutMs / 1000)} s; the bundle holds what was collected`);
}

function draftManifest(run: CollectionRun): Omit<Manifest, 'files'> {
  const { options, redactor, kc } = run;
  // Steps name the raw paths they wrote; the manifest lists them as on disk (kept verbatim there).
  const written = (s: StepRecord): StepRecord => ({ ...s, files: s.files.map((f) => run.writer.pathAsWritten(f)) });
  return {
    schemaVersion: 1,
    tool: { name: 'mlb-report', version: toolVersion },
    createdAt: new Date(run.t0).toISOString(),
    finishedAt: new Date().toISOString(),
    command: options.command ?? ['mlb-report', 'collect'],
    // Raw values throughout: the manifest is redacted once, as it is written (finishBundle).
    cluster: { server: run.server, context: kc.getCurrentContext(), version: run.clusterVersion },
    options: {
      namespace: run.found!.discovery.namespace,
      nodes: options.nodes,
      nodeSelector: options.nodeSelector,
      image: options.image ?? defaults.image,
      strategy: options.strategy ?? defaults.strategy,
      debugNamespace: options.debugNamespace,
      capture: options.capture ?? true,
      captureSeconds: options.captureSeconds ?? defaults.captureSeconds,
      // What the captures listened for: a silent capture says nothing about an IP it did not name.
      ...(run.captureFilter ? { captureFilter: run.captureFilter } : {}),
      probe: options.probe ?? true,
      concurrency: run.concurrency,
      qps: options.qps ?? defaults.qps,
      timeoutMs: run.timeoutMs,
      sinceSeconds: options.sinceSeconds ?? defaultLogSinceSeconds,
      redactIps: !!options.redactIps,
      formats: options.formats ?? ['json', 'html'],
      apiRequests: run.kube.stats.requests,
      notes: run.notes,
    },
    timings: { ...run.timings, totalMs: Date.now() - run.t0 },
    interrupted: run.interrupted || undefined,
    redaction: { ips: redactor.options.ips, rules: redactor.rules, count: redactor.count },
    nodes: run.nodeRecords.map((n) => {
      const retries = retryRecords(run.kube, n.node);
      return { ...n, steps: n.steps.map(written), ...(retries.length ? { retries } : {}) };
    }),
    clusterSteps: run.clusterSteps.map(publicStep).map(written),
    ...(run.kube.retries.total > 0 ? { retries: { total: run.kube.retries.total, causes: run.kube.retries.causes(), cluster: retryRecords(run.kube, undefined) } } : {}),
    addedContainers: run.added,
  };
}

/**
 * A bundle that cannot be written (no space left, read-only, I/O error): the run has stopped and
 * cleaned up (debug containers told to end, debug pods deleted); what was written stays in the
 * folder, without a manifest. One line naming the folder, the cause and the fix.
 */
function writeFailure(run: CollectionRun, e: unknown): UserError {
  const code = (e as NodeJS.ErrnoException)?.code;
  const cause = code === 'ENOSPC' ? 'no space left on the device' : code === 'EROFS' ? 'read-only file system' : code === 'EDQUOT' ? 'disk quota exceeded' : errorMessage(e).split('\n')[0];
  return new UserError(
    `cannot write the bundle under ${run.dir}: ${cause}; the run stopped and cleaned up its debug containers and pods, and the folder keeps what was written before (no manifest, no tarball)`,
    'free space there, or pass --out on another file system, and collect again',
    ExitCode.usage,
  );
}

/** The ledger's tallies of a node (or the cluster-wide ones) as the manifest records them. */
function retryRecords(kube: Kube, node: string | undefined): NonNullable<NodeRecord['retries']> {
  return kube.retries.of(node).map((t) => ({ step: t.step, count: t.count, causes: t.causes }));
}

export { step };
