/**
 * The `mlb-report sim` action: load a scenario, pick the exec backend, start the simulator,
 * write the kubeconfig, print one `ready <url> kubeconfig=<path>` line, run until SIGINT/SIGTERM.
 * It lives with the CLI because it joins the simulator and the lab (which builds on the
 * simulator): the simulator itself never imports the lab.
 */
import { statSync } from 'node:fs';
import { ExitCode, UserError } from '../util/errors.js';
import type { ExecBackend, Fault, World } from '../sim/world.js';
import type { JsonSchema } from '../sim/scenario/jsonschema.js';
import { startSimulator } from '../sim/server/index.js';
import { parsePort, runInForeground } from '../sim/server/foreground.js';

export interface SimCommandOptions {
  scenario?: string;
  port: string;
  kubeconfigOut?: string;
  backend: string;
  /** `--fault <yaml>`: faults added to the scenario's own (synthetic clusters have none). */
  fault?: string[];
}

/**
 * `--fault` values: each one fault in the scenario's `faults:` syntax (YAML flow or JSON),
 * checked against the scenario schema so a typo fails with the field that is wrong.
 */
export async function parseFaultOptions(values: string[]): Promise<Fault[]> {
  const [{ parse }, { scenarioSchema }, { validateSchema, formatPath }] = await Promise.all([import('yaml'), import('../sim/scenario/schema.js'), import('../sim/scenario/jsonschema.js')]);
  const itemSchema = (scenarioSchema.properties!.faults as { items: JsonSchema }).items;
  return values.map((text) => {
    let value: unknown;
    try {
      value = parse(text);
    } catch (e) {
      throw new UserError(`--fault ${JSON.stringify(text)} is not valid YAML: ${(e as Error).message.split('\n')[0]}`, "write one fault, e.g. --fault '{type: api-throttle, fraction: 0.3}'", ExitCode.usage);
    }
    const errors = validateSchema(itemSchema, value, scenarioSchema);
    if (errors.length > 0) {
      const e = errors[0]!;
      throw new UserError(`--fault ${JSON.stringify(text)}: ${formatPath(e.path) || 'the fault'}: ${e.message}`, 'see the faults section of docs/scenarios.md', ExitCode.usage);
    }
    return value as Fault;
  });
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

async function labBackend(world: World, replay: ExecBackend): Promise<ExecBackend> {
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
  // The replay backend's model answers what the lab does not build (API ClusterIP, pods, netfilter).
  const model = (replay as { model?: import('../sim/scenario/model.js').SimModel }).model;
  return mod.createLabBackend(world, { log: (line) => void process.stderr.write(`lab: ${line}\n`), model });
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
  const extraFaults = await parseFaultOptions(opts.fault ?? []);
  const loaded = await loadWorld(opts.scenario);
  loaded.world.faults.push(...extraFaults);
  let backend = loaded.backend;
  if (opts.backend === 'lab') {
    await loaded.backend.close();
    backend = await labBackend(loaded.world, loaded.backend);
  }
  const sim = await startSimulator({ world: loaded.world, backend, port }).catch(async (e) => {
    await backend.close();
    throw e;
  });
  await runInForeground(sim, { kubeconfigOut: opts.kubeconfigOut, command: 'sim' });
}
