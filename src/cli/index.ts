import { Command, CommanderError } from 'commander';
import { toolCommit, toolVersion } from '../version.js';
import { addExamples } from './examples.js';
import { errorMessage, ExitCode, isUserError } from '../util/errors.js';

/**
 * Subcommands, each in src/cli/commands/<name>.ts exporting `register(program)`.
 * A command module must stay cheap to import: it imports its implementation lazily
 * inside the action, so `mlb-report --help` does not load puppeteer or client-node.
 * Literal specifiers, so the install-time bundle (scripts/bundle.mjs) includes every command.
 */
const commandModules: Record<string, () => Promise<{ register?: (p: Command) => void }>> = {
  collect: () => import('./commands/collect.js'),
  cleanup: () => import('./commands/cleanup.js'),
  analyze: () => import('./commands/analyze.js'),
  checks: () => import('./commands/checks.js'),
  demo: () => import('./commands/demo.js'),
  diff: () => import('./commands/diff.js'),
  sim: () => import('./commands/sim.js'),
  serve: () => import('./commands/serve.js'),
  completion: () => import('./commands/completion.js'),
};

export async function buildProgram(): Promise<Command> {
  const program = new Command('mlb-report')
    .description(
      'Collect, analyse and report MetalLB incidents. Attaches to every speaker, FRR and the controller at once, ' +
        'runs MetalLB-specific checks and writes an HTML/PDF report plus a support bundle.',
    )
    // Not commander's .version(): the line names the commit too, asked of git only when wanted.
    .option('-V, --version', 'print the version and the git commit')
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();
  program.on('option:version', () => {
    process.stdout.write(`${versionLine()}\n`);
    throw new CommanderError(0, 'commander.version', versionLine());
  });
  for (const load of Object.values(commandModules)) (await load()).register?.(program);
  addExamples(program);
  return program;
}

/** `mlb-report --version`: `mlb-report 0.1.0 (commit 1c2900b4e5f6)`. */
export function versionLine(): string {
  return `mlb-report ${toolVersion} (commit ${toolCommit()})`;
}

export async function main(argv: string[]): Promise<void> {
  // `mlb-report checks | head -1` closes the pipe early: the reader has what it wanted.
  for (const stream of [process.stdout, process.stderr]) {
    stream.on('error', (e: NodeJS.ErrnoException) => {
      if (e.code === 'EPIPE') process.exit(process.exitCode ?? 0);
      throw e;
    });
  }
  // `--version` alone answers before the command modules load: it is what scripts and install
  // checks run, and it should cost no more than starting Node.
  if (argv.length === 3 && (argv[2] === '--version' || argv[2] === '-V')) {
    process.stdout.write(`${versionLine()}\n`);
    return;
  }
  let program: Command;
  try {
    program = await buildProgram();
    await program.parseAsync(argv);
  } catch (e) {
    process.exitCode = reportError(e);
  }
}

/** Prints an error the way the CLI promises (one line, a fix, no stack trace) and returns the exit code. */
export function reportError(e: unknown): number {
  if (e instanceof CommanderError) {
    // commander already printed the message (help, version, or usage error).
    return e.exitCode === 0 ? ExitCode.ok : ExitCode.usage;
  }
  if (isUserError(e)) {
    process.stderr.write(`error: ${e.message}\n`);
    if (e.hint) process.stderr.write(`fix: ${e.hint}\n`);
    return e.exitCode;
  }
  const fsProblem = fileSystemProblem(e);
  if (fsProblem) {
    process.stderr.write(`error: ${fsProblem.message}\nfix: ${fsProblem.hint}\n`);
    return ExitCode.usage;
  }
  process.stderr.write(`error: ${errorMessage(e)}\n`);
  if (process.env.MLB_REPORT_DEBUG) process.stderr.write(`${(e as Error)?.stack ?? ''}\n`);
  else process.stderr.write('fix: this is a bug in mlb-report; rerun with MLB_REPORT_DEBUG=1 for a stack trace and report it\n');
  return 1;
}

const fileSystemCauses: Record<string, string> = {
  ENOTDIR: 'a part of the path is a file, not a folder',
  EEXIST: 'it already exists',
  EISDIR: 'it is a folder',
  EACCES: 'permission denied',
  EPERM: 'operation not permitted',
  EROFS: 'the file system is read-only',
  ENOSPC: 'no space left on the device',
  EDQUOT: 'disk quota exceeded',
  ENAMETOOLONG: 'the name is too long',
};

/**
 * A path the user chose that cannot be written (a file where a folder should be, no permission,
 * a read-only or full disk) is bad input, not a bug: one line naming the path, and the fix.
 */
export function fileSystemProblem(e: unknown): { message: string; hint: string } | undefined {
  const err = e as NodeJS.ErrnoException | undefined;
  const cause = err?.code ? fileSystemCauses[err.code] : undefined;
  if (!cause || typeof err?.path !== 'string') return undefined;
  const hint = err.code === 'ENOSPC' || err.code === 'EDQUOT' ? 'free some space or pass --out on another disk' : 'pass --out with a folder you can write to (it is created if missing)';
  return { message: `cannot write ${err.path}: ${cause} (${err.code})`, hint };
}
