/**
 * The `mlb-report sim` action: load a scenario, pick the exec backend, start the simulator,
 * write the kubeconfig, print one `ready <url> kubeconfig=<path>` line, run until SIGINT/SIGTERM.
 * It lives with the CLI because it joins the simulator and the lab (which builds on the
 * simulator): the simulator itself never imports the lab.
 */
import { chmodSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ExitCode, UserError } from '../util/errors.js';
import type { ExecBackend, World } from '../sim/world.js';
import { startSimulator } from '../sim/server/index.js';

export interface SimCommandOptions {
  scenario?: string;
  port: string;
  kubeconfigOut?: string;
  backend: string;
}

function parsePort(text: string): number {
  if (!/^\d+$/.test(text) || Number(text) > 65535) {
    throw new UserError(`invalid --port ${JSON.stringify(text)}`, 'give a number from 0 to 65535 (0 = any free port)', ExitCode.usage);
  }
  return Number(text);
}

const isMissingModule = (e: unknown, path: string): boolean => (e as { code?: string }).code === 'ERR_MODULE_NOT_FOUND' && String(e).includes(path);

async function loadWorld(scenario: string): Promise<{ world: World; backend: ExecBackend }> {
  let mod: typeof import('../sim/scenario/index.js');
  try {
    mod = await import('../sim/scenario/index.js');
  } catch (e) {
    if (isMissingModule(e, 'sim/scenario/index')) throw new UserError('the scenario loader (src/sim/scenario) is missing from this installation', 'reinstall mlb-report', ExitCode.usage);
    throw e;
  }
  return mod.loadScenario(scenario);
}

async function labBackend(world: World): Promise<ExecBackend> {
  let mod: typeof import('../lab/index.js');
  try {
    mod = await import('../lab/index.js');
  } catch (e) {
    if (isMissingModule(e, 'lab/index')) {
      throw new UserError('the lab backend (src/lab/index.ts) is not available in this installation', 'use --backend replay, or install a build that includes the network lab', ExitCode.usage);
    }
    throw e;
  }
  // Lab progress goes to stderr: stdout carries only the ready line.
  return mod.createLabBackend(world, { log: (line) => void process.stderr.write(`lab: ${line}\n`) });
}

/**
 * A folder or a tarball given as `--scenario` is most likely a support bundle (a scenario is one
 * YAML file): say which command serves a bundle instead of failing on reading a folder.
 */
function notABundle(scenario: string): void {
  let isDir = false;
  try {
    isDir = statSync(scenario).isDirectory();
  } catch {
    // Not a path: a built-in name or synthetic:…, which the loader checks.
  }
  if (isDir || /\.(tar\.gz|tgz|tar)$/i.test(scenario)) {
    throw new UserError(
      `--scenario ${JSON.stringify(scenario)} is a ${isDir ? 'folder' : 'tarball'}, not a scenario YAML file; to serve a support bundle to kubectl use \`mlb-report serve ${scenario}\``,
      'give a built-in scenario name, synthetic:nodes=N, or a scenario YAML file',
      ExitCode.usage,
    );
  }
}

export async function runSim(opts: SimCommandOptions): Promise<void> {
  if (!opts.scenario) throw new UserError('--scenario is required', 'give a built-in scenario name, synthetic:nodes=N, or a scenario YAML file', ExitCode.usage);
  const port = parsePort(opts.port);
  notABundle(opts.scenario);
  if (opts.backend !== 'replay' && opts.backend !== 'lab') {
    throw new UserError(`unknown --backend ${JSON.stringify(opts.backend)}`, 'use --backend replay or --backend lab', ExitCode.usage);
  }
  const loaded = await loadWorld(opts.scenario);
  let backend = loaded.backend;
  if (opts.backend === 'lab') {
    await loaded.backend.close();
    backend = await labBackend(loaded.world);
  }
  const sim = await startSimulator({ world: loaded.world, backend, port }).catch(async (e) => {
    await backend.close();
    throw e;
  });
  const kubeconfigPath = opts.kubeconfigOut ? resolve(opts.kubeconfigOut) : join(tmpdir(), `mlb-report-sim-${process.pid}.kubeconfig`);
  try {
    writeFileSync(kubeconfigPath, sim.kubeconfig(), { mode: 0o600 });
    chmodSync(kubeconfigPath, 0o600);
  } catch (e) {
    await sim.close();
    throw new UserError(`cannot write the kubeconfig to ${kubeconfigPath}: ${(e as Error).message}`, 'choose a writable --kubeconfig-out path', ExitCode.usage);
  }
  process.stdout.write(`ready ${sim.url} kubeconfig=${kubeconfigPath}\n`);
  let stop = (): void => undefined;
  const stopped = new Promise<void>((resolveStop) => (stop = resolveStop));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  // A stop asked for is a clean end: exit 0, with either backend. The handlers stay until the
  // teardown is done: the lab backend tears itself down on a signal as well, and exits 130/143
  // itself only when no other handler owned that signal when it arrived.
  try {
    await stopped;
    await sim.close();
    if (!opts.kubeconfigOut) rmSync(kubeconfigPath, { force: true });
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}
