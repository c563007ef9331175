/**
 * `collect(options)`: discovery → RBAC preflight → cluster objects → every node in parallel
 * (attach, catalogue, capture, probes, logs, metrics) + the controller → cleanup → bundle
 * (manifest + tarball) → optional analysis and report. Used by the CLI, the demo and benchmarks.
 */
import { setMaxListeners } from 'node:events';
import { existsSync, readdirSync, statSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join, relative, resolve } from 'node:path';
import * as k8s from '@kubernetes/client-node';
import { Listr } from 'listr2';
import type { AddedContainer, Discovery, Manifest, NodeRecord } from '../model/bundle.js';
import { ExitCode, UserError, errorMessage } from '../util/errors.js';
import { toolVersion } from '../version.js';
import { BundleWriter } from '../bundle/writer.js';
import { Redactor } from '../bundle/redact.js';
import { finishBundle } from '../bundle/index.js';
import { bundlePath } from '../bundle/paths.js';
import { defaultDebugImage, deleteNodePod, refreshEphemeralStates } from '../attach/index.js';
import { PodWatcher } from '../attach/wait.js';
import { discover, type DiscoveryResult } from '../discover/index.js';
import { plannedPermissions, preflight, RbacResult } from '../discover/rbac.js';
import { defaultLogSinceSeconds } from './catalogue.js';
import { collectCluster } from './cluster.js';
import type { RunContext, Step } from './context.js';
import { publicStep, step } from './context.js';
import { apiError, defaultMaxStreams, isConnectionError, makeKube, type Kube } from './kube.js';
import { collectNode } from './node.js';
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
  strategy?: 'ephemeral' | 'node-pod';
  sinceSeconds?: number;
  redactIps?: boolean;
  formats?: ReportFormat[];
  failOn?: string;
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
  /** Report files (html/pdf/json) when analysis ran. */
  reportFiles: string[];
  /** Findings when analysis ran (shape from src/analyze). */
  findings?: { severity: string }[];
  notes: string[];
}

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
      try {
        kc.loadFromDefault();
      } catch (e) {
        throw new UserError(`invalid kubeconfig: ${errorMessage(e).split('\n')[0]}`, 'check it with `kubectl config view`, or pass --kubeconfig', ExitCode.usage);
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

function chooseOutDir(out: string | undefined): string {
  const dir = resolve(out ?? defaultOutDir());
  if (existsSync(dir)) {
    if (!statSync(dir).isDirectory()) throw new UserError(`--out ${dir} exists and is not a directory`, 'choose another --out', ExitCode.usage);
    if (readdirSync(dir).length > 0) throw new UserError(`--out ${dir} exists and is not empty`, 'choose a new directory with --out, or remove the old bundle', ExitCode.usage);
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

export async function collect(options: CollectOptions = {}): Promise<CollectResult> {
  let writer: BundleWriter | undefined;
  try {
    return await collectRun(options, (w) => (writer = w));
  } catch (e) {
    // What was written stays in the folder; only the half-built tarball beside it goes.
    await writer?.tarball?.abandon().catch(() => undefined);
    throw e;
  }
}

async function collectRun(options: CollectOptions, onWriter: (writer: BundleWriter) => void): Promise<CollectResult> {
  const t0 = Date.now();
  const timings: Manifest['timings'] = { totalMs: 0 };
  const notes: string[] = [];
  const log = options.log ?? (() => {});
  const kc = loadKubeConfig(options);
  const server = kc.getCurrentCluster()!.server;
  const settingsTimeout = options.timeoutMs ?? defaults.timeoutMs;
  const concurrency = Math.max(1, options.concurrency ?? defaults.concurrency);
  const dir = chooseOutDir(options.out);

  // One abort for the run: SIGINT (interrupted) or --timeout (timedOut).
  const runAbort = new AbortController();
  // Every in-flight request, exec and watch listens on this signal; hundreds at once is by design.
  setMaxListeners(0, runAbort.signal);
  let interrupted = false;
  let timedOut = false;
  const onExternalAbort = (): void => {
    interrupted = true;
    runAbort.abort(new Error('interrupted'));
  };
  if (options.signal?.aborted) onExternalAbort();
  options.signal?.addEventListener('abort', onExternalAbort, { once: true });
  const deadline = t0 + settingsTimeout;
  const deadlineTimer = setTimeout(() => {
    timedOut = true;
    runAbort.abort(new Error('run timeout'));
  }, settingsTimeout);

  const qps = options.qps ?? defaults.qps;
  const kube = makeKube(kc, { qps, burst: options.burst ?? 2 * qps, maxStreams: options.maxStreams ?? defaultMaxStreams, requestTimeoutMs: 30_000, signal: runAbort.signal });
  const podWatchers = new Map<string, PodWatcher>();
  const redactor = new Redactor({ ips: !!options.redactIps });
  const writer = new BundleWriter(dir, redactor);
  onWriter(writer);
  const added: AddedContainer[] = [];
  const clusterSteps: Step[] = [];
  const nodeRecords: NodeRecord[] = [];
  let found: DiscoveryResult | undefined;
  let clusterVersion: string | undefined;

  try {
    // Discovery and preflight come first and may end the run with a UserError.
    let t = Date.now();
    clusterVersion = await checkServer(kube, server);
    try {
      found = await discover(kube, { namespace: options.namespace, nodes: options.nodes, nodeSelector: options.nodeSelector });
    } catch (e) {
      if (interrupted) throw new UserError('interrupted during discovery; nothing collected', undefined, ExitCode.interrupted);
      if (e instanceof UserError) throw e;
      if (isConnectionError(e)) throw new UserError(`cannot reach the API server at ${server}: ${apiError(e).message}`, 'check the server address and network (`kubectl cluster-info`)', ExitCode.cluster);
      const info = apiError(e);
      if (info.code === 401) throw new UserError(`the API server at ${server} rejected the credentials (401 Unauthorized)`, 'refresh your login / token in the kubeconfig', ExitCode.cluster);
      throw new UserError(`discovery failed: ${info.message}`, 'check that the kubeconfig user can list pods, nodes and daemonsets', ExitCode.cluster);
    }
    notes.push(...found.notes);
    timings['discoverMs'] = Date.now() - t;
    await writer.init();
    if (options.tar ?? true) writer.streamTarball();

    t = Date.now();
    const strategy = options.strategy ?? defaults.strategy;
    const frrK8sNamespaces = [...new Set(found.discovery.frrK8s.map((p) => p.namespace))];
    const rbac = await preflight(kube, plannedPermissions({ namespace: found.discovery.namespace, frrK8sNamespaces, strategy, metrics: true })).catch((e) => {
      notes.push(`RBAC preflight failed (${apiError(e).message}); continuing without it`);
      return new RbacResult([]);
    });
    timings['rbacMs'] = Date.now() - t;
    await writer.json('rbac.json', rbac.checks);
    for (const d of rbac.denied()) log(`rbac: not allowed: ${d.verb} ${d.group ? `${d.group}/` : ''}${d.resource}${d.subresource ? `/${d.subresource}` : ''}${d.namespace ? ` in ${d.namespace}` : ''}`);
    await writer.json('discovery.json', found.discovery);
    await writer.json('cluster/version.json', clusterVersion ? { gitVersion: clusterVersion } : {});

    let lbServicesLoaded: () => void = () => {};
    const ctx: RunContext = {
      kube,
      writer,
      found,
      rbac,
      lbServices: [],
      lbServicesReady: new Promise<void>((r) => {
        lbServicesLoaded = r;
      }),
      added,
      podWatcher: (namespace: string) => {
        let w = podWatchers.get(namespace);
        if (!w) podWatchers.set(namespace, (w = new PodWatcher(kube, namespace)));
        return w;
      },
      settings: {
        runId: newRunId(),
        image: options.image ?? defaults.image,
        strategy,
        capture: options.capture ?? true,
        captureSeconds: options.captureSeconds ?? defaults.captureSeconds,
        probe: options.probe ?? true,
        sinceSeconds: options.sinceSeconds ? Math.max(1, Math.round(options.sinceSeconds)) : defaultLogSinceSeconds,
        redactIps: !!options.redactIps,
        deadline,
        attachTimeoutMs: Math.min(120_000, Math.max(10_000, settingsTimeout / 2)),
      },
      interrupted: () => interrupted,
      timedOut: () => timedOut,
    };
    const d = found.discovery;
    const nodes = d.nodes;
    const renderer = options.renderer ?? 'silent';
    const list = new Listr(
      [
        {
          title: `Cluster objects (MetalLB ${d.version ?? '?'}, ${d.mode}, ${d.installMethod}, namespace ${d.namespace})`,
          task: async (_c: unknown, task: { title: string }) => {
            const s = Date.now();
            try {
              clusterSteps.push(...(await kube.first(() => collectCluster(ctx))));
            } finally {
              lbServicesLoaded();
            }
            timings['clusterMs'] = Date.now() - s;
            const failed = clusterSteps.filter((x) => x.problem).length;
            task.title = `Cluster objects: ${clusterSteps.length - failed}/${clusterSteps.length} ok`;
          },
        },
        {
          title: `Nodes (${nodes.length}) and controller`,
          task: (_c: unknown, task: any) =>
            task.newListr(
              [
                {
                  title: `controller ${found!.controllerPod?.metadata?.name ?? '(none)'}`,
                  task: async (_x: unknown, sub: { title: string }) => {
                    const s = Date.now();
                    if (!found!.controllerPod) {
                      clusterSteps.push(step('controller', 'skipped', 0, [], 'no controller pod found', { problem: true }));
                    } else {
                      clusterSteps.push(...(await collectPodLogs(ctx, found!.controllerPod)).map((x) => ({ ...x, step: `controller.${x.step}` })));
                      clusterSteps.push(...(await collectPodMetrics(ctx, found!.controllerPod, bundlePath('controller'))).map((x) => ({ ...x, step: `controller.${x.step}` })));
                    }
                    timings['controllerMs'] = Date.now() - s;
                    sub.title = `controller: done`;
                  },
                },
                ...(nodes.length <= perNodeTaskLimit
                  ? nodes.map((node) => ({
                      title: node,
                      task: async (_x: unknown, sub: { title: string; output: string }) => {
                        const rec = await collectNode(ctx, node, (m) => {
                          sub.output = m;
                        });
                        nodeRecords.push(rec);
                        sub.title = `${node}: ${rec.status}${rec.reason ? ` (${rec.reason})` : ''}`;
                      },
                    }))
                  : [
                      {
                        // Hundreds of node lines would bury the terminal: one line counts them instead.
                        title: `${nodes.length} nodes`,
                        task: async (_x: unknown, sub: { title: string; output: string }) => {
                          const count = { ok: 0, partial: 0, failed: 0, skipped: 0 };
                          let shownAt = 0;
                          const show = (): void => {
                            // Line renderers (CI, no TTY) print every update: at most one a second.
                            const done = count.ok + count.partial + count.failed + count.skipped;
                            if (done < nodes.length && Date.now() - shownAt < 1000) return;
                            shownAt = Date.now();
                            sub.output = `${done}/${nodes.length} done: ${count.ok} ok, ${count.partial} partial, ${count.failed} failed`;
                          };
                          await mapPool(nodes, concurrency, async (node) => {
                            const rec = await collectNode(ctx, node);
                            nodeRecords.push(rec);
                            count[rec.status]++;
                            show();
                          });
                          sub.title = `${nodes.length} nodes: ${count.ok} ok, ${count.partial} partial, ${count.failed} failed`;
                        },
                      },
                    ]),
              ],
              { concurrent: concurrency, exitOnError: false },
            ),
        },
      ],
      {
        // Cluster objects and nodes side by side: only the ARP probes need the Services (lbServicesReady).
        concurrent: true,
        exitOnError: false,
        registerSignalListeners: false,
        renderer,
        fallbackRenderer: 'simple',
        rendererOptions: { collapseSubtasks: false },
      } as any,
    );
    t = Date.now();
    await list.run();
    timings['nodesMs'] = Date.now() - t;
  } finally {
    clearTimeout(deadlineTimer);
    options.signal?.removeEventListener('abort', onExternalAbort);
    // Cleanup runs with its own short deadline: the run's signal may already be aborted.
    if (added.length > 0) {
      const t = Date.now();
      const cleanupKube = makeKube(kc, { qps: 0, requestTimeoutMs: 15_000, signal: AbortSignal.timeout(30_000) });
      await Promise.all([...added.filter((a) => a.kind === 'pod').map((a) => deleteNodePod(cleanupKube, a, true)), refreshEphemeralStates(cleanupKube, added.filter((a) => a.kind !== 'pod'), podWatchers)]);
      // Cleanup calls go around the run's counters (the pod deletes even around cleanupKube's): count them here.
      kube.stats.requests += cleanupKube.stats.requests + added.filter((a) => a.kind === 'pod').length;
      timings['cleanupMs'] = Date.now() - t;
    }
    for (const w of podWatchers.values()) w.close();
  }

  // Nodes that never got a record (interrupted before their task ran) are still listed.
  const recorded = new Set(nodeRecords.map((r) => r.node));
  for (const n of found.discovery.nodes) {
    if (!recorded.has(n)) nodeRecords.push({ node: n, status: 'skipped', reason: interrupted ? 'interrupted' : timedOut ? 'run timeout (--timeout) reached' : 'not collected', steps: [] });
  }
  nodeRecords.sort((a, b) => (a.node < b.node ? -1 : a.node > b.node ? 1 : 0));
  if (timedOut) notes.push(`run timeout reached after ${Math.round(settingsTimeout / 1000)} s; the bundle holds what was collected`);

  const t = Date.now();
  const manifestBase: Omit<Manifest, 'files'> = {
    schemaVersion: 1,
    tool: { name: 'mlb-report', version: toolVersion },
    createdAt: new Date(t0).toISOString(),
    finishedAt: new Date().toISOString(),
    command: options.command ?? ['mlb-report', 'collect'],
    cluster: { server: redactor.text(server), context: kc.getCurrentContext(), version: clusterVersion },
    options: {
      namespace: found.discovery.namespace,
      nodes: options.nodes,
      nodeSelector: options.nodeSelector,
      image: options.image ?? defaults.image,
      strategy: options.strategy ?? defaults.strategy,
      capture: options.capture ?? true,
      captureSeconds: options.captureSeconds ?? defaults.captureSeconds,
      probe: options.probe ?? true,
      concurrency,
      qps: options.qps ?? defaults.qps,
      timeoutMs: settingsTimeout,
      sinceSeconds: options.sinceSeconds ?? defaultLogSinceSeconds,
      redactIps: !!options.redactIps,
      formats: options.formats ?? ['json', 'html'],
      apiRequests: kube.stats.requests,
      notes,
    },
    timings: { ...timings, totalMs: Date.now() - t0 },
    interrupted: interrupted || undefined,
    redaction: { ips: redactor.options.ips, rules: redactor.rules, count: redactor.count },
    nodes: nodeRecords,
    clusterSteps: clusterSteps.map(publicStep),
    addedContainers: added,
  };

  // Analysis and report, unless json-only or interrupted; they become part of the bundle.
  const formats = options.formats ?? ['json', 'html'];
  const reportFiles: string[] = [];
  let findings: { severity: string }[] | undefined;
  if (!interrupted && formats.some((f) => f !== 'json')) {
    await finishBundle(writer, manifestBase, { tar: false });
    const analysis = await runAnalysis(dir, formats, options.failOn, notes);
    if (analysis) {
      findings = analysis.findings;
      for (const f of analysis.files) {
        const rel = relative(dir, f);
        if (!rel.startsWith('..')) await writer.adopt(rel);
        reportFiles.push(f);
      }
    }
  }
  manifestBase.timings = { ...manifestBase.timings, bundleMs: Date.now() - t, totalMs: Date.now() - t0 };
  (manifestBase.options as { apiRequests: number }).apiRequests = kube.stats.requests;
  const { manifest, tarball } = await finishBundle(writer, manifestBase, { tar: options.tar ?? true });
  if (redactor.options.ips) {
    // The mapping lets the owner translate findings back; it is kept beside, never inside, the bundle.
    await writeFile(`${dir}.ip-map.json`, JSON.stringify(redactor.ipMapping(), null, 2) + '\n', { mode: 0o600 });
  }
  return {
    dir,
    tarball,
    manifest,
    discovery: found.discovery,
    interrupted,
    timedOut,
    apiRequests: kube.stats.requests,
    durationMs: Date.now() - t0,
    reportFiles,
    findings,
    notes,
  };
}

interface AnalysisOutcome {
  findings: { severity: string }[];
  files: string[];
}

/** Loads the analyzer and renderer lazily; either may not exist in a partial build. */
async function runAnalysis(dir: string, formats: ReportFormat[], failOn: string | undefined, notes: string[]): Promise<AnalysisOutcome | undefined> {
  let analyze: { analyzeBundle?: (dir: string, opts: unknown) => Promise<any> };
  try {
    analyze = (await import('../analyze/index.js')) as unknown as typeof analyze;
  } catch (e) {
    notes.push(`analysis skipped: analyzer not available (${errorMessage(e).split('\n')[0]})`);
    return undefined;
  }
  if (typeof analyze.analyzeBundle !== 'function') {
    notes.push('analysis skipped: analyzer has no analyzeBundle()');
    return undefined;
  }
  let result: any;
  try {
    result = await analyze.analyzeBundle(dir, { failOn });
  } catch (e) {
    notes.push(`analysis failed: ${errorMessage(e).split('\n')[0]}`);
    return undefined;
  }
  const findings = (result?.findings ?? []) as { severity: string }[];
  const files: string[] = [];
  const findingsDocument = (analyze as { findingsDocument?: (r: unknown, path: string) => unknown }).findingsDocument;
  if (formats.includes('json') && typeof findingsDocument === 'function') {
    // The analyzer's findings.json schema (docs/findings.md), beside the raw data in the bundle.
    const file = join(dir, 'findings.json');
    await writeFile(file, JSON.stringify(findingsDocument(result, dir), null, 2) + '\n', { mode: 0o600 });
    files.push(file);
    formats = formats.filter((f) => f !== 'json');
  }
  let render: { renderReport?: (input: any) => Promise<{ files: string[]; notes: string[] }> };
  try {
    render = (await import('../render/index.js')) as unknown as typeof render;
  } catch (e) {
    notes.push(`report skipped: renderer not available (${errorMessage(e).split('\n')[0]})`);
    return { findings, files };
  }
  if (typeof render.renderReport === 'function' && result?.model && formats.length > 0) {
    try {
      const out = await render.renderReport({ model: result.model, findings, outDir: dir, formats });
      files.push(...out.files);
      notes.push(...out.notes);
    } catch (e) {
      notes.push(`report failed: ${errorMessage(e).split('\n')[0]}`);
    }
  }
  return { findings, files };
}

/** Exit code for --fail-on: 1 when a finding is at or above the threshold. */
export function failOnExitCode(findings: { severity: string }[] | undefined, failOn: string | undefined): number {
  if (!failOn || !findings || failOn === 'never') return ExitCode.ok;
  const rank: Record<string, number> = { info: 1, warning: 2, error: 3 };
  const threshold = rank[failOn] ?? 0;
  return findings.some((f) => (rank[f.severity] ?? 0) >= threshold) ? ExitCode.findings : ExitCode.ok;
}

export { step };
