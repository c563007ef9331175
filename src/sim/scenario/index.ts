/**
 * Scenario loader: a built-in name, `synthetic:nodes=N[,mode=frr|native|frr-k8s][,version=vX]`, or a
 * path to a YAML file becomes a World (objects, logs, metrics, faults, data plane) plus a replay
 * ExecBackend answering commands from recorded or synthesised outputs.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { basename, join, resolve } from 'node:path';
import { LineCounter, parseDocument, isNode, type Document } from 'yaml';
import { UserError, isUserError } from '../../util/errors.js';
import type { ExecBackend, World } from '../world.js';
import { buildWorld } from './build.js';
import { repoRoot } from './install.js';
import { formatPath, validateSchema } from './jsonschema.js';
import { ReplayBackend, loadRecording } from './replay.js';
import { scenarioSchema } from './schema.js';
import { syntheticScenario } from './synthetic.js';
import type { Scenario } from './types.js';

export type { Scenario } from './types.js';
export type { Dataplane } from './dataplane.js';

export interface LoadedScenario {
  world: World;
  backend: ExecBackend;
  scenario: Scenario;
}

export const scenariosDir = join(repoRoot, 'fixtures', 'scenarios');
export const replayDir = join(repoRoot, 'fixtures', 'replay');

export function builtinScenarioNames(): string[] {
  if (!existsSync(scenariosDir)) return [];
  return readdirSync(scenariosDir)
    .filter((f) => f.endsWith('.yaml'))
    .map((f) => f.slice(0, -'.yaml'.length))
    .sort();
}

/**
 * Loads a built-in scenario, `synthetic:nodes=N` or a scenario file. `opts.time` pins the world's
 * clock (as a scenario's `time:` does), e.g. to build the same world twice.
 */
export async function loadScenario(nameOrPath: string, opts: { backend?: 'replay'; time?: string } = {}): Promise<LoadedScenario> {
  if (opts.backend !== undefined && opts.backend !== 'replay') {
    throw new UserError(`unknown scenario backend ${JSON.stringify(opts.backend)}`, 'the scenario loader provides the replay backend; the lab backend lives in src/lab');
  }
  let scenario: Scenario;
  let source: string;
  let recordingName: string | undefined;
  if (nameOrPath.startsWith('synthetic:')) {
    scenario = syntheticScenario(nameOrPath);
    source = nameOrPath;
  } else {
    const isBuiltin = builtinScenarioNames().includes(nameOrPath);
    const looksLikePath = /[/\\]/.test(nameOrPath) || /\.ya?ml$/i.test(nameOrPath);
    let file: string;
    if (isBuiltin && !looksLikePath) {
      file = join(scenariosDir, `${nameOrPath}.yaml`);
      recordingName = nameOrPath;
    } else if (looksLikePath || existsSync(nameOrPath)) {
      file = resolve(nameOrPath);
      if (!existsSync(file)) throw new UserError(`scenario file ${nameOrPath} does not exist`, 'check the path, or use a built-in scenario name');
    } else {
      throw new UserError(
        `unknown scenario ${JSON.stringify(nameOrPath)}; built-in scenarios: ${builtinScenarioNames().join(', ')}`,
        'use one of the built-in names, synthetic:nodes=N, or a path to a scenario YAML file',
      );
    }
    source = file;
    scenario = parseScenarioFile(file, readFileSync(file, 'utf8'));
    recordingName ??= existsSync(join(replayDir, `${basename(file).replace(/\.ya?ml$/i, '')}.json`)) && file.startsWith(scenariosDir) ? basename(file).replace(/\.ya?ml$/i, '') : undefined;
  }
  let built;
  try {
    built = buildWorld(opts.time ? { ...scenario, time: opts.time } : scenario);
  } catch (e) {
    if (isUserError(e)) throw new UserError(`${source}: ${e.message}`, e.hint, e.exitCode);
    throw e;
  }
  // A synthetic world is named by its spec, so reports and logs say how to rebuild it.
  if (nameOrPath.startsWith('synthetic:')) built.world.name = nameOrPath;
  const recording = recordingName ? loadRecording(join(replayDir, `${recordingName}.json`)) : undefined;
  return { world: built.world, backend: new ReplayBackend(built.model, recording), scenario };
}

/** Parse and validate scenario YAML; errors name the file, the YAML path, the line and the reason. */
export function parseScenarioFile(file: string, text: string): Scenario {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false, uniqueKeys: true });
  if (doc.errors.length > 0) {
    const err = doc.errors[0]!;
    const pos = lineCounter.linePos(err.pos[0]);
    throw new UserError(`${file}:${pos.line}:${pos.col}: invalid YAML: ${err.message.split('\n')[0]}`, 'fix the YAML syntax at that line');
  }
  const value: unknown = doc.toJS();
  const errors = validateSchema(scenarioSchema, value);
  if (errors.length > 0) {
    const e = errors[0]!;
    const where = formatPath(e.path);
    const line = lineOf(doc, lineCounter, e.path);
    throw new UserError(
      `${file}: ${where}${line ? ` (line ${line})` : ''}: ${e.message}${errors.length > 1 ? ` (and ${errors.length - 1} more problem${errors.length > 2 ? 's' : ''})` : ''}`,
      'see docs/scenarios.md for the scenario format',
    );
  }
  return value as Scenario;
}

function lineOf(doc: Document, lc: LineCounter, path: (string | number)[]): number | undefined {
  // The deepest existing node on the path (a missing required key points at its parent).
  for (let n = path.length; n >= 0; n--) {
    const node = n === 0 ? doc.contents : doc.getIn(path.slice(0, n), true);
    if (isNode(node) && node.range) return lc.linePos(node.range[0]).line;
  }
  return undefined;
}
