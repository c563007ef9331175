/**
 * `mlb-report serve <bundle>`: a customer's support bundle as a read-only cluster for kubectl.
 * The bundle (a folder, or a tarball extracted safely as `analyze` does; a tarball with any entry
 * the extraction refuses is refused whole, before anything is served) becomes a simulator World
 * (world.ts) whose commands are answered from the recorded outputs (backend.ts), served by the
 * simulator's API server in read-only mode.
 */
import { lstat, mkdtemp, readdir, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { ExitCode, UserError } from '../util/errors.js';
import { extractBundle } from '../bundle/extract.js';
import { startSimulator, type Simulator } from '../sim/server/index.js';
import { parsePort, runInForeground } from '../sim/server/foreground.js';
import { BundleBackend } from './backend.js';
import { BundleFiles } from './files.js';
import { bundleWorld } from './world.js';

export const readOnlyReason = 'this API server shows a support bundle (mlb-report serve) and is read-only';

export interface OpenedBundle {
  /** The bundle root (the folder that holds manifest.json). */
  dir: string;
  /** Removes what opening made (the extracted copy of a tarball). */
  dispose(): Promise<void>;
}

const bundleHint = 'Pass a bundle directory or the .tar.gz written by `mlb-report collect`.';

/** A tarball holds one top folder (`mlb-report-…/`) with the bundle in it. */
async function bundleRootIn(dir: string): Promise<string> {
  const entries = await readdir(dir, { withFileTypes: true });
  if (entries.some((e) => e.isFile() && e.name === 'manifest.json')) return dir;
  const dirs = entries.filter((e) => e.isDirectory());
  if (dirs.length === 1 && entries.length === 1) return join(dir, dirs[0]!.name);
  return dir;
}

/** Opens a bundle folder or tarball; a hostile tarball is refused with every entry it tried. */
export async function openBundle(path: string): Promise<OpenedBundle> {
  let st;
  try {
    st = await lstat(path);
  } catch {
    throw new UserError(`bundle not found: ${path}`, bundleHint, ExitCode.usage);
  }
  if (st.isDirectory()) {
    const dir = await bundleRootIn(path);
    await assertBundle(dir, path);
    return { dir, dispose: async () => undefined };
  }
  if (!st.isFile()) throw new UserError(`not a bundle: ${path}`, bundleHint, ExitCode.usage);
  const temp = await mkdtemp(join(tmpdir(), 'mlb-report-serve-'));
  const dispose = (): Promise<void> => rm(temp, { recursive: true, force: true });
  try {
    const extraction = await extractBundle(path, temp);
    if (extraction.refused.length) {
      const shown = extraction.refused.slice(0, 3).map((r) => `${JSON.stringify(r.name)} (${r.reason})`).join(', ');
      const more = extraction.refused.length > 3 ? ` and ${extraction.refused.length - 3} more` : '';
      throw new UserError(
        `refusing to serve ${path}: the archive holds entries that safe extraction refused: ${shown}${more}`,
        'Ask for the bundle again (an archive written by `mlb-report collect` has only plain files inside one folder), or inspect it with `mlb-report analyze`.',
        ExitCode.usage,
      );
    }
    const dir = await bundleRootIn(temp);
    await assertBundle(dir, path);
    return { dir, dispose };
  } catch (e) {
    await dispose();
    throw e;
  }
}

async function assertBundle(dir: string, shown: string): Promise<void> {
  const entries = await readdir(dir).catch(() => [] as string[]);
  if (!entries.includes('manifest.json') && !entries.includes('cluster')) {
    throw new UserError(`not an mlb-report bundle (no manifest.json or cluster/): ${shown}`, 'Pass the folder that contains manifest.json, or the .tar.gz written by `mlb-report collect`.', ExitCode.usage);
  }
}

export interface ServedBundle {
  sim: Simulator;
  /** Stops the server and removes an extracted copy. */
  close(): Promise<void>;
}

/** Loads a bundle and serves it read-only (for the command and for tests). */
export async function serveBundle(path: string, opts: { port?: number; host?: string } = {}): Promise<ServedBundle> {
  const opened = await openBundle(path);
  try {
    const files = new BundleFiles(opened.dir);
    const { world, manifest } = bundleWorld(files, `bundle-${basename(resolve(path)).replace(/\.tar(\.gz)?$|\.tgz$/, '')}`.replace(/[^A-Za-z0-9._-]/g, '_').slice(0, 100));
    const backend = new BundleBackend(files, manifest);
    const sim = await startSimulator({ world, backend, port: opts.port, host: opts.host, readOnly: readOnlyReason });
    let closed: Promise<void> | undefined;
    return {
      sim,
      close: () =>
        (closed ??= (async () => {
          await sim.close();
          await opened.dispose();
        })()),
    };
  } catch (e) {
    await opened.dispose();
    throw e;
  }
}

export interface ServeCommandOptions {
  port: string;
  kubeconfigOut?: string;
}

/** The command: serve, write the kubeconfig, print one `ready <url> kubeconfig=<path>` line, run until SIGINT/SIGTERM. */
export async function runServe(bundle: string, opts: ServeCommandOptions): Promise<void> {
  const port = parsePort(opts.port);
  const served = await serveBundle(bundle, { port });
  await runInForeground({ url: served.sim.url, kubeconfig: () => served.sim.kubeconfig(), close: () => served.close() }, { kubeconfigOut: opts.kubeconfigOut, command: 'serve' });
}
