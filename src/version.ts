import { execFileSync } from 'node:child_process';
import { chmodSync, existsSync, lstatSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { fileURLToPath } from 'node:url';
import { dirname, join } from 'node:path';

/** Set by scripts/bundle.mjs (esbuild `define`): the git commit the bundle was built from. */
declare const __MLB_REPORT_COMMIT__: string | undefined;

/** The asset a single executable carries to describe the others (written by scripts/build-binary.mjs). */
interface SeaAssetIndex {
  /** sha256 over every asset: a changed binary never reads an older binary's files. */
  hash: string;
  /** Asset keys, which are also paths relative to the package root (`templates/report.hbs`). */
  files: string[];
}

/**
 * Inside a single executable (`npm run build:binary`) templates and fixtures are embedded assets,
 * not files. Everything that reads them goes through `packageRoot` with node:fs, so the assets are
 * written once to a private folder named after their hash and `packageRoot` points there: the code
 * that reads them stays the same in a clone, an npm install and the binary.
 * `process.getBuiltinModule` exists on every Node that can build such a binary (20.16+); older Node
 * is never a single executable, so its absence just means "not one".
 */
function seaPackageRoot(): string | undefined {
  const sea = process.getBuiltinModule?.('node:sea') as typeof import('node:sea') | undefined;
  if (!sea?.isSea()) return undefined;
  const index = JSON.parse(sea.getAsset('sea-index.json', 'utf8')) as SeaAssetIndex;
  const uid = process.getuid?.() ?? 0;
  const root = join(tmpdir(), `mlb-report-${index.hash.slice(0, 16)}-${uid}`);
  const done = join(root, '.complete');
  if (existsSync(done)) {
    // A shared /tmp: use the folder only if this user made it and nobody else can write to it.
    const st = lstatSync(root);
    if (st.isDirectory() && st.uid === uid && (st.mode & 0o022) === 0) return root;
    throw new Error(`${root} is not a private folder of this user; remove it or set TMPDIR to a private folder`);
  }
  const staging = `${root}.${process.pid}`;
  rmSync(staging, { recursive: true, force: true });
  mkdirSync(staging, { recursive: true, mode: 0o700 });
  for (const file of index.files) {
    mkdirSync(dirname(join(staging, file)), { recursive: true, mode: 0o700 });
    writeFileSync(join(staging, file), new Uint8Array(sea.getAsset(file)));
  }
  writeFileSync(join(staging, '.complete'), index.hash);
  chmodSync(staging, 0o700);
  try {
    renameSync(staging, root);
  } catch {
    // Another run extracted the same assets at the same moment: its copy is identical.
    rmSync(staging, { recursive: true, force: true });
    if (!existsSync(done)) throw new Error(`cannot extract the embedded files to ${root}`);
  }
  return root;
}

/**
 * The nearest folder above this module that holds package.json: `..` from src/version.ts in a
 * clone, `..` or `../..` from the bundle's entry or one of its chunks (dist/, dist/chunks/).
 */
function moduleRoot(): string {
  const here = dirname(fileURLToPath(import.meta.url));
  let dir = dirname(here);
  while (!existsSync(join(dir, 'package.json')) && dirname(dir) !== dir) dir = dirname(dir);
  return existsSync(join(dir, 'package.json')) ? dir : join(here, '..');
}

/** Repository / package root (holds package.json, templates/, fixtures/). */
export const packageRoot = seaPackageRoot() ?? moduleRoot();

export const toolVersion: string = (
  JSON.parse(readFileSync(join(packageRoot, 'package.json'), 'utf8')) as { version: string }
).version;

/**
 * The git commit this build came from: embedded by the bundler; from sources, asked of git when the
 * package root is a checkout; `unknown` otherwise (sources without git).
 */
export function toolCommit(): string {
  if (typeof __MLB_REPORT_COMMIT__ === 'string') return __MLB_REPORT_COMMIT__;
  if (!existsSync(join(packageRoot, '.git'))) return 'unknown';
  try {
    return execFileSync('git', ['rev-parse', '--short=12', 'HEAD'], { cwd: packageRoot, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim() || 'unknown';
  } catch {
    return 'unknown';
  }
}
