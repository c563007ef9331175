/**
 * `npm run bench`: mlb-report against the way people collect today, on the same simulated cluster.
 *
 * For each cluster size N the simulator serves `synthetic:nodes=N,mode=frr` in this process with the
 * latency model below; three contenders do the same work per node (interfaces, neighbours, sockets,
 * FRR summary) as child processes:
 *   - kubectl-sequential: one `kubectl debug … --target=speaker -i -- sh -c '…'` plus one
 *     `kubectl exec -c frr -- vtysh …` per node, one node after another (the usual by-hand recipe);
 *   - kubectl-xargs-p10: the same two commands per node through `xargs -P 10`;
 *   - mlb-report: `mlb-report collect` with default settings (no capture, or a 5 s capture).
 * Loops over hundreds of nodes take hours, so from `sampleAbove` nodes on the kubectl contenders run a
 * sample of nodes and the wall time is extrapolated linearly (the record says so: `extrapolated_from`).
 *
 * Writes bench/results.json and bench/results.md. `--quick` (CI): N ≤ 50, one run each.
 * Usage: npm run bench [-- --quick] [--nodes 10,50,200] [--runs 3] [--out bench] [--only mlb-report] [--strategy ephemeral|node-pod|daemonset] [--work DIR] [--render bench/results.json]
 */
import { execFileSync, spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync, existsSync, readdirSync } from 'node:fs';
import { cpus, totalmem, tmpdir, release } from 'node:os';
import { basename, join, resolve } from 'node:path';
import type { LatencyModel } from '../src/sim/world.js';
import { loadScenario } from '../src/sim/scenario/index.js';
import { startSimulator, type Simulator } from '../src/sim/server/index.js';

// ------------------------------------------------------------------ options

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? process.argv[i + 1] : undefined;
}
const quick = process.argv.includes('--quick');
const nodeCounts = (arg('nodes') ?? (quick ? '10' : '10,50,200,500,1000')).split(',').map(Number);
const runs = Number(arg('runs') ?? (quick ? 1 : 3));
const outDir = resolve(arg('out') ?? 'bench');
// The results are written after runs that can take hours: make the folder now, and stop now when
// it cannot be made, rather than losing the runs to ENOENT at the end.
try {
  mkdirSync(outDir, { recursive: true });
} catch (e) {
  console.error(`bench: cannot use --out ${outDir}: ${(e as Error).message}`);
  process.exit(2);
}
const captureWindows = (arg('capture') ?? (quick ? '0' : '0,5')).split(',').map(Number);
/**
 * Above these sizes the kubectl loops run a sample of nodes and are extrapolated (their time per
 * node is flat): the sequential loop is measured whole up to 50 nodes without capture (the
 * headline ratio) and on 10 nodes otherwise; the xargs loop whole up to 50 nodes.
 */
const sampleAbove = Number(arg('sample-above') ?? 50);
/** `--only mlb-report`: skip the kubectl loops (a quick before/after of mlb-report alone). */
const onlyMine = arg('only') === 'mlb-report';
/** `--strategy S`: passed to mlb-report's collect (its default, ephemeral, when absent) and recorded in each mlb-report row. */
const strategy = arg('strategy');
if (strategy !== undefined && !['ephemeral', 'node-pod', 'daemonset'].includes(strategy)) throw new Error(`--strategy ${strategy}: use ephemeral, node-pod or daemonset`);
const sequentialWholeUpTo = (capture: number): number => (capture > 0 ? sequentialSample : sampleAbove);
const sequentialSample = 10;
const xargsSample = 50;
const image = 'nicolaka/netshoot:v0.13';

/**
 * Latency model of a mid-size managed cluster, applied by the simulator:
 *  - 15 ms per API request: a GET/PATCH to a regional control plane from an engineer's laptop is
 *    typically 10–30 ms round trip plus server time;
 *  - 1.5 s from the ephemeral-container patch to the container running when the image is present
 *    (kubelet pod sync, sandbox already up, container create + start);
 *  - 8 s more when netshoot (~200 MB compressed layers) must be pulled (first use per node);
 *  - 120 ms per exec round trip (API server → kubelet → CRI exec setup and stream teardown).
 * The runs below use "image present" (the second incident on a cluster); `pulled` runs add a group.
 */
const latencyModel: LatencyModel = { requestMs: 15, containerStartMs: 1500, imagePullMs: 8000, execMs: 120, presentImages: [image] };

// ------------------------------------------------------------------ helpers

interface RunRecord {
  contender: 'mlb-report' | 'kubectl-sequential' | 'kubectl-xargs-p10';
  nodes: number;
  capture_s: number;
  wall_s_median: number;
  wall_s_runs: number[];
  peak_rss_mb: number | null;
  api_requests_per_node: number;
  max_request_rate_per_s: number;
  /** Busiest second of requests a client-side --qps limits (everything but exec/attach/log/proxy streams). */
  max_rate_limited_per_s?: number;
  /** Busiest second of exec/attach/log/pod-proxy streams (bounded by --max-streams, not --qps). */
  max_streams_per_s?: number;
  qps_setting?: number;
  burst_setting?: number;
  max_streams_setting?: number;
  concurrency_setting?: number;
  bundle_bytes?: number;
  nodes_collected?: number;
  /** The simulator's own CPU time during a run (median) and its peak RSS (it runs in the benchmark's process). */
  simulator_cpu_s_median?: number;
  simulator_peak_rss_mb?: number;
  extrapolated_from?: number;
}

const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const m = Math.floor(s.length / 2);
  return s.length % 2 ? s[m]! : (s[m - 1]! + s[m]!) / 2;
};
const round = (x: number, d = 2): number => Math.round(x * 10 ** d) / 10 ** d;

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv): Promise<{ code: number; stderr: string }> {
  return new Promise((resolveRun, reject) => {
    const child = spawn(cmd, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
    let stderr = '';
    child.stderr.on('data', (c: Buffer) => {
      if (stderr.length < 20_000) stderr += c.toString();
    });
    child.on('error', reject);
    child.on('close', (code) => resolveRun({ code: code ?? -1, stderr }));
  });
}

function dirSize(path: string): number {
  if (!existsSync(path)) return 0;
  const st = statSync(path);
  if (!st.isDirectory()) return st.size;
  return readdirSync(path).reduce((sum, name) => sum + dirSize(join(path, name)), 0);
}

interface SimHandle {
  sim: Simulator;
  kubeconfig: string;
  speakers: { node: string; pod: string }[];
  namespace: string;
}

async function startCluster(nodes: number, work: string): Promise<SimHandle> {
  const { world, backend } = await loadScenario(`synthetic:nodes=${nodes},mode=frr`);
  world.latency = latencyModel;
  const sim = await startSimulator({ world, backend });
  const kubeconfig = join(work, 'kubeconfig');
  writeFileSync(kubeconfig, sim.kubeconfig(), { mode: 0o600 });
  const pods = sim.state.store.list(sim.state.podType) as { metadata: { name: string; namespace?: string; labels?: Record<string, string> }; spec?: { nodeName?: string } }[];
  const speakerPods = pods.filter((p) => p.metadata.labels?.component === 'speaker' || p.metadata.labels?.['app.kubernetes.io/component'] === 'speaker');
  const namespace = speakerPods[0]?.metadata.namespace ?? 'metallb-system';
  return {
    sim,
    kubeconfig,
    namespace,
    speakers: speakerPods.map((p) => ({ node: p.spec?.nodeName ?? '', pod: p.metadata.name })).sort((a, b) => a.node.localeCompare(b.node)),
  };
}

/** The by-hand recipe for one node, as a shell script reading $1 = speaker pod. */
function manualScript(namespace: string, captureSeconds: number): string {
  const capture = captureSeconds > 0 ? `; timeout ${captureSeconds} tcpdump -i any -nn -c 2000 arp or port 179` : '';
  return [
    `kubectl -n ${namespace} debug "$1" --image=${image} --target=speaker --profile=netadmin -i -q -- sh -c 'ip -j addr; ip -j neigh; ss -tulpnH${capture}' > "$OUT/$1.debug" 2>&1`,
    `kubectl -n ${namespace} exec "$1" -c frr -- vtysh -c 'show bgp summary json' > "$OUT/$1.frr" 2>&1`,
  ].join('\n');
}

async function kubectlContender(
  kind: 'kubectl-sequential' | 'kubectl-xargs-p10',
  cluster: SimHandle,
  nodes: number,
  captureSeconds: number,
  work: string,
): Promise<{ wallS: number; sample: number; requests: number; maxRate: number }> {
  const wholeUpTo = kind === 'kubectl-sequential' ? sequentialWholeUpTo(captureSeconds) : sampleAbove;
  const sample = nodes > wholeUpTo ? Math.min(nodes, kind === 'kubectl-sequential' ? sequentialSample : xargsSample) : nodes;
  const pods = cluster.speakers.slice(0, sample).map((s) => s.pod);
  const out = mkdtempSync(join(work, 'manual-'));
  const script = join(work, 'per-node.sh');
  writeFileSync(script, `#!/bin/sh\n${manualScript(cluster.namespace, captureSeconds)}\n`, { mode: 0o755 });
  const env = { ...process.env, KUBECONFIG: cluster.kubeconfig, OUT: out, KUBECACHEDIR: join(work, 'kube-cache') };
  const before = cluster.sim.state.requestStats();
  const t0 = performance.now();
  if (kind === 'kubectl-sequential') {
    for (const pod of pods) await run('sh', [script, pod], env);
  } else {
    const list = join(work, 'pods.txt');
    writeFileSync(list, pods.join('\n') + '\n');
    await run('sh', ['-c', `xargs -P 10 -n 1 sh "${script}" < "${list}"`], env);
  }
  const wall = (performance.now() - t0) / 1000;
  const after = cluster.sim.state.requestStats(t0);
  // Nodes without a BGPPeer answer `{}`: any JSON object counts as an FRR summary.
  const ok = readdirSync(out).filter((f) => f.endsWith('.frr') && readFileSync(join(out, f), 'utf8').trimStart().startsWith('{')).length;
  if (ok < pods.length) console.warn(`  ${kind}: only ${ok}/${pods.length} nodes returned an FRR summary`);
  discard(out);
  return { wallS: (wall * nodes) / sample, sample, requests: (after.total - before.total) / sample, maxRate: after.maxPerSecond };
}

async function mlbReportContender(
  cluster: SimHandle,
  nodes: number,
  captureSeconds: number,
  work: string,
): Promise<{ wallS: number; rssMb: number | null; requests: number; maxRate: number; maxLimited: number; maxStreams: number; bundleBytes: number; collected: number; dir: string; simCpuS: number; simRssMb: number }> {
  const dir = join(work, `bundle-${nodes}-${captureSeconds}-${Date.now()}`);
  const rssFile = join(work, 'rss.txt');
  rmSync(rssFile, { force: true });
  const args = ['--import', resolve('bench/rss-probe.mjs'), resolve('bin/mlb-report.js'), 'collect', '--kubeconfig', cluster.kubeconfig, '--out', dir, '--format', 'none', '--fail-on', 'never'];
  if (captureSeconds > 0) args.push('--capture-seconds', String(captureSeconds));
  else args.push('--no-capture');
  if (strategy) args.push('--strategy', strategy);
  const env = { ...process.env, MLB_BENCH_RSS_FILE: rssFile, CI: '1', NO_COLOR: '1' };
  const before = cluster.sim.state.requestStats();
  // The simulator runs in this process: its CPU time and peak RSS during the run are this process's.
  const simCpu = process.cpuUsage();
  let simRss = process.memoryUsage.rss();
  const sampler = setInterval(() => (simRss = Math.max(simRss, process.memoryUsage.rss())), 250);
  const t0 = performance.now();
  const result = await run(process.execPath, args, env).finally(() => clearInterval(sampler));
  const wall = (performance.now() - t0) / 1000;
  const cpu = process.cpuUsage(simCpu);
  const after = cluster.sim.state.requestStats(t0);
  if (result.code !== 0) console.warn(`  mlb-report exited ${result.code}: ${result.stderr.split('\n').slice(-3).join(' | ')}`);
  const rssKb = existsSync(rssFile) ? Number(readFileSync(rssFile, 'utf8')) : NaN;
  let collected = 0;
  try {
    const manifest = JSON.parse(readFileSync(join(dir, 'manifest.json'), 'utf8')) as { nodes: { status: string }[] };
    collected = manifest.nodes.filter((n) => n.status === 'ok').length;
  } catch {
    console.warn('  mlb-report wrote no manifest');
  }
  const bundleBytes = existsSync(`${dir}.tar.gz`) ? statSync(`${dir}.tar.gz`).size : dirSize(dir);
  return { wallS: wall, rssMb: Number.isFinite(rssKb) ? rssKb / 1024 : null, requests: (after.total - before.total) / nodes, maxRate: after.maxPerSecond, maxLimited: after.maxLimitedPerSecond, maxStreams: after.maxStreamsPerSecond, bundleBytes, collected, dir, simCpuS: (cpu.user + cpu.system) / 1e6, simRssMb: simRss / 2 ** 20 };
}

async function timeAnalyze(bundleDir: string, work: string): Promise<{ analyzeS: number; pdfBytes: number; htmlBytes: number; pdfPages: number | null }> {
  const out = join(work, 'analyze-out');
  const t0 = performance.now();
  await run(process.execPath, [resolve('bin/mlb-report.js'), 'analyze', bundleDir, '--out', out, '--format', 'json,html,pdf', '--fail-on', 'never'], process.env);
  const analyzeS = (performance.now() - t0) / 1000;
  const pdf = join(out, 'report.pdf');
  let pdfPages: number | null = null;
  try {
    const info = execFileSync('pdfinfo', [pdf], { encoding: 'utf8' });
    pdfPages = Number(/Pages:\s+(\d+)/.exec(info)?.[1] ?? NaN);
  } catch {
    pdfPages = null;
  }
  return { analyzeS, pdfBytes: existsSync(pdf) ? statSync(pdf).size : 0, htmlBytes: existsSync(join(out, 'report.html')) ? statSync(join(out, 'report.html')).size : 0, pdfPages };
}

// ------------------------------------------------------------------ main

const machine = `${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${Math.round(totalmem() / 2 ** 30)} GiB RAM, Linux ${release()}, Node ${process.version}, kubectl ${kubectlVersion()}`;
function kubectlVersion(): string {
  try {
    return /Client Version: (\S+)/.exec(execFileSync('kubectl', ['version', '--client'], { encoding: 'utf8' }))?.[1] ?? 'unknown';
  } catch {
    return 'not found';
  }
}

// `--render results.json`: rewrite the markdown of an earlier run (after editing this renderer).
const renderFrom = arg('render');
if (renderFrom) {
  const loaded = JSON.parse(readFileSync(renderFrom, 'utf8')) as Results & { quick?: boolean };
  writeFileSync(join(outDir, loaded.quick ? 'results.quick.md' : 'results.md'), renderMarkdown(loaded));
  process.exit(0);
}

const records: RunRecord[] = [];
const extras: Record<string, unknown> = {};
// `--work DIR`: where the bundles are written (default the temporary folder). File creation on some
// file systems slows down for a while after many deletions; a tmpfs takes the disk out of the figures.
const work = mkdtempSync(join(arg('work') ?? tmpdir(), 'mlb-bench-'));
const discarded = join(work, 'discarded');
mkdirSync(discarded);
/**
 * Moves a finished run's output aside; everything is deleted once the benchmark ends. Deleting a
 * 500-node bundle (13,000 files) just before the next run slows that run's own file creation by
 * seconds on ext4 without a journal, which skips recently deleted inodes one by one: a cost of the
 * benchmark's housekeeping, not of the measured tool.
 */
function discard(path: string): void {
  renameSync(path, join(discarded, `${basename(path)}-${Math.random().toString(36).slice(2, 8)}`));
}
// Measure the code as it is now: `npm ci` bundles the CLI (scripts/bundle.mjs), and bin/ falls back
// to the slower-starting tsx path when a source file is newer than the bundle.
{
  const built = spawnSync(process.execPath, [resolve('scripts/bundle.mjs')], { encoding: 'utf8' });
  if (built.status !== 0) throw new Error(`bundling the CLI failed: ${built.stderr}`);
  console.log(built.stdout.trim());
}
console.log(`machine: ${machine}`);
console.log(`latency model: ${JSON.stringify(latencyModel)}`);
try {
  for (const n of nodeCounts) {
    const cluster = await startCluster(n, work);
    try {
      for (const capture of captureWindows) {
        const walls: Record<string, number[]> = { 'mlb-report': [], 'kubectl-sequential': [], 'kubectl-xargs-p10': [] };
        const last: Record<string, { rss?: number | null; req: number; rate: number; limited?: number; streams?: number; bundle?: number; collected?: number; sample?: number; simCpu?: number[]; simRss?: number }> = {};
        let lastBundle = '';
        for (let r = 0; r < runs; r++) {
          const mine = await mlbReportContender(cluster, n, capture, work);
          walls['mlb-report']!.push(mine.wallS);
          const prevRss = last['mlb-report']?.rss ?? 0;
          last['mlb-report'] = { rss: Math.max(prevRss ?? 0, mine.rssMb ?? 0) || null, req: mine.requests, rate: mine.maxRate, limited: mine.maxLimited, streams: mine.maxStreams, bundle: mine.bundleBytes, collected: mine.collected, simCpu: [...(last['mlb-report']?.simCpu ?? []), mine.simCpuS], simRss: Math.max(last['mlb-report']?.simRss ?? 0, mine.simRssMb) };
          if (lastBundle) discard(lastBundle);
          lastBundle = mine.dir;
          console.log(`N=${n} capture=${capture}s run ${r + 1}: mlb-report ${mine.wallS.toFixed(2)} s, ${mine.rssMb?.toFixed(0)} MB, ${mine.requests.toFixed(1)} req/node, ${mine.collected}/${n} nodes; simulator ${mine.simCpuS.toFixed(1)} s CPU, ${mine.simRssMb.toFixed(0)} MB`);
          for (const kind of ['kubectl-sequential', 'kubectl-xargs-p10'] as const) {
            // Loops are slow and their time per node is flat: above 10 nodes one run each.
            if ((r > 0 && n > 10) || onlyMine) continue;
            const loop = await kubectlContender(kind, cluster, n, capture, work);
            walls[kind]!.push(loop.wallS);
            last[kind] = { req: loop.requests, rate: loop.maxRate, sample: loop.sample };
            console.log(`N=${n} capture=${capture}s run ${r + 1}: ${kind} ${loop.wallS.toFixed(1)} s${loop.sample < n ? ` (extrapolated from ${loop.sample} nodes)` : ''}`);
          }
        }
        for (const contender of ['mlb-report', 'kubectl-sequential', 'kubectl-xargs-p10'] as const) {
          const l = last[contender];
          if (!l) continue;
          records.push({
            contender,
            nodes: n,
            capture_s: capture,
            wall_s_median: round(median(walls[contender]!)),
            wall_s_runs: walls[contender]!.map((w) => round(w)),
            peak_rss_mb: contender === 'mlb-report' ? (l.rss ? round(l.rss, 0) : null) : null,
            api_requests_per_node: round(l.req, 1),
            max_request_rate_per_s: l.rate,
            ...(contender === 'mlb-report' ? { max_rate_limited_per_s: l.limited, max_streams_per_s: l.streams, strategy: strategy ?? 'ephemeral', qps_setting: 50, burst_setting: 100, max_streams_setting: 128, concurrency_setting: 1000, bundle_bytes: l.bundle, nodes_collected: l.collected, simulator_cpu_s_median: l.simCpu ? round(median(l.simCpu)) : undefined, simulator_peak_rss_mb: l.simRss ? round(l.simRss, 0) : undefined } : {}),
            ...(l.sample !== undefined && l.sample < n ? { extrapolated_from: l.sample } : {}),
          });
        }
        if (n === 500 && capture === 0 && lastBundle) extras.analyze_500 = await timeAnalyze(lastBundle, work);
        if (lastBundle) discard(lastBundle);
      }
    } finally {
      await cluster.sim.close();
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

const results = { machine, generated_at: new Date().toISOString(), quick, latency_model: latencyModel, runs_per_group: runs, ...extras, runs: records };
writeFileSync(join(outDir, quick ? 'results.quick.json' : 'results.json'), JSON.stringify(results, null, 2) + '\n');
writeFileSync(join(outDir, quick ? 'results.quick.md' : 'results.md'), renderMarkdown(results));
console.log(renderMarkdown(results));

interface Results {
  machine: string;
  latency_model: LatencyModel;
  runs_per_group: number;
  analyze_500?: unknown;
  runs: RunRecord[];
}

function renderMarkdown(results: Results): string {
  const rs = results.runs;
  const model = results.latency_model;
  const lines = [
    '# mlb-report benchmark',
    '',
    `Machine: ${results.machine}.`,
    '',
    `Latency model (simulator): ${model.requestMs} ms per API request, ephemeral container start ${model.containerStartMs} ms with the image present (+${model.imagePullMs} ms when pulled), ${model.execMs} ms per exec round trip. Cluster: \`synthetic:nodes=N,mode=frr\`. Work per node: interfaces, neighbours, sockets, FRR summary.`,
    '',
    `Runs per group: mlb-report ${results.runs_per_group} (median); the kubectl loops once above 10 nodes. The sequential loop ran whole up to ${sampleAbove} nodes without capture and on ${sequentialSample} nodes otherwise; the xargs loop whole up to ${sampleAbove} nodes and on ${xargsSample} above; sampled loops are extrapolated linearly (column "sample").`,
    '',
    'mlb-report runs with its default collection settings (`--qps 50`, burst 100, `--max-streams 128`, `--concurrency 1000`, as printed by `mlb-report collect --help`) and `--format none` (the bundle alone; the loops write no report either — analysis, HTML and PDF are timed separately below; `--format json` adds findings.json). "max req/s" is the busiest second at the simulator: all requests, then those a client-side `--qps` limits (get, list, patch, watch), then streams (exec, log, pod proxy), which a real API server treats as long-running and does not rate-limit — kubectl does not rate-limit exec either; `--max-streams` bounds how many are open at once.',
    '',
    'Wall time runs from starting the process to its exit: start-up (the CLI as `npm ci` bundles it; the benchmark bundles it again first), collection and the finished tarball. The simulator runs on the same two cores. Finished bundles are moved aside and deleted when the benchmark ends (deleting 13,000 files just before the next run slows that run on this file system).',
    '',
    '| N | capture s | contender | wall s (median) | peak RSS MB | API req/node | max req/s (all / limited / streams) | bundle MB | sample | speed-up vs this |',
    '|---|---|---|---|---|---|---|---|---|---|',
  ];
  for (const r of rs) {
    const mine = rs.find((x) => x.contender === 'mlb-report' && x.nodes === r.nodes && x.capture_s === r.capture_s);
    const ratio = mine && r.contender !== 'mlb-report' ? `${round(r.wall_s_median / mine.wall_s_median, 1)}×` : '';
    lines.push(
      `| ${r.nodes} | ${r.capture_s} | ${r.contender} | ${r.wall_s_median} | ${r.peak_rss_mb ?? ''} | ${r.api_requests_per_node} | ${r.max_request_rate_per_s}${r.max_rate_limited_per_s !== undefined ? ` / ${r.max_rate_limited_per_s} / ${r.max_streams_per_s}` : ''} | ${r.bundle_bytes !== undefined ? round(r.bundle_bytes / 2 ** 20) : ''} | ${r.extrapolated_from ?? ''} | ${ratio} |`,
    );
  }
  if (results.analyze_500) lines.push('', `analyze + HTML + PDF of the 500-node bundle: ${JSON.stringify(results.analyze_500)}`);
  lines.push(...targetLines(rs), '');
  return lines.join('\n');
}

/** The goals this benchmark was built to check, from the runs above (absent groups are skipped). */
function targetLines(rs: RunRecord[]): string[] {
  const find = (contender: RunRecord['contender'], nodes: number, capture: number): RunRecord | undefined => rs.find((r) => r.contender === contender && r.nodes === nodes && r.capture_s === capture);
  const verdict = (ok: boolean): string => (ok ? 'met' : '**not met**');
  const out: string[] = [];
  const mine50 = find('mlb-report', 50, 0);
  for (const [contender, target] of [['kubectl-sequential', 20], ['kubectl-xargs-p10', 3]] as const) {
    const loop = find(contender, 50, 0);
    if (!mine50 || !loop) continue;
    const ratio = loop.wall_s_median / mine50.wall_s_median;
    out.push(`- 50 nodes, no capture: ${round(ratio, 1)}× faster than ${contender} (target ≥ ${target}×): ${verdict(ratio >= target)}.`);
  }
  for (const capture of [0, 5]) {
    const r = find('mlb-report', 500, capture);
    if (r) out.push(`- 500 nodes, capture ${capture} s: ${r.wall_s_median} s median wall (target ≤ ${capture + 15} s): ${verdict(r.wall_s_median <= capture + 15)}.`);
  }
  const rss = rs.filter((r) => r.contender === 'mlb-report' && r.nodes === 500 && r.peak_rss_mb !== null).map((r) => r.peak_rss_mb!);
  if (rss.length) out.push(`- 500 nodes, peak RSS: ${Math.max(...rss)} MB, the highest of every 500-node run (target ≤ 400 MB): ${verdict(Math.max(...rss) <= 400)}.`);
  return out.length ? ['', '## Targets', '', ...out] : [];
}
