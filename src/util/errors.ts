/**
 * Errors a user can act on. The CLI prints them as one line (`error: <message>` plus
 * `fix: <hint>` when there is one) and exits with `exitCode`, never with a stack trace.
 */
export const ExitCode = {
  ok: 0,
  /** `analyze`/`collect` with `--fail-on`: findings at or above the threshold. */
  findings: 1,
  /** Bad input: usage, scenario file, bundle, kubeconfig, port in use. */
  usage: 2,
  /** The cluster cannot be used: unreachable API server, unknown context, no MetalLB found. */
  cluster: 3,
  /** Interrupted by SIGINT/SIGTERM (what was collected so far is still written). */
  interrupted: 130,
} as const;
export type ExitCodeValue = (typeof ExitCode)[keyof typeof ExitCode];

export class UserError extends Error {
  constructor(
    message: string,
    /** One sentence telling the user how to fix it. */
    readonly hint?: string,
    readonly exitCode: ExitCodeValue = ExitCode.usage,
  ) {
    super(message);
    this.name = 'UserError';
  }
}

export function isUserError(e: unknown): e is UserError {
  return e instanceof UserError;
}

/** Best-effort message of anything thrown, for collection logs and notes. */
export function errorMessage(e: unknown): string {
  if (e instanceof Error) return e.message;
  if (typeof e === 'string') return e;
  try {
    return JSON.stringify(e);
  } catch {
    return String(e);
  }
}
