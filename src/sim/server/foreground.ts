/**
 * A served API in the foreground, as `mlb-report sim` and `mlb-report serve` run it: write the
 * kubeconfig, print one `ready <url> kubeconfig=<path>` line, run until SIGINT/SIGTERM, close.
 */
import { chmodSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { ExitCode, UserError } from '../../util/errors.js';

/** `--port`: 0 to 65535 (0 = any free port). */
export function parsePort(text: string): number {
  if (!/^\d+$/.test(text) || Number(text) > 65535) {
    throw new UserError(`invalid --port ${JSON.stringify(text)}`, 'give a number from 0 to 65535 (0 = any free port)', ExitCode.usage);
  }
  return Number(text);
}

export interface ForegroundServer {
  url: string;
  kubeconfig(): string;
  close(): Promise<void>;
}

/**
 * Runs `server` until a stop is asked for, then closes it and removes a temporary kubeconfig. A stop
 * asked for is a clean end (exit 0). The handlers stay until the teardown is done: the lab backend
 * tears itself down on a signal as well, and exits 130/143 itself only when no other handler owned
 * that signal when it arrived.
 */
export async function runInForeground(server: ForegroundServer, opts: { kubeconfigOut?: string; command: string }): Promise<void> {
  const kubeconfigPath = opts.kubeconfigOut ? resolve(opts.kubeconfigOut) : join(tmpdir(), `mlb-report-${opts.command}-${process.pid}.kubeconfig`);
  try {
    writeFileSync(kubeconfigPath, server.kubeconfig(), { mode: 0o600 });
    chmodSync(kubeconfigPath, 0o600);
  } catch (e) {
    await server.close();
    throw new UserError(`cannot write the kubeconfig to ${kubeconfigPath}: ${(e as Error).message}`, 'choose a writable --kubeconfig-out path', ExitCode.usage);
  }
  process.stdout.write(`ready ${server.url} kubeconfig=${kubeconfigPath}\n`);
  let stop = (): void => undefined;
  const stopped = new Promise<void>((resolveStop) => (stop = resolveStop));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  try {
    await stopped;
    await server.close();
    if (!opts.kubeconfigOut) rmSync(kubeconfigPath, { force: true });
  } finally {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  }
}
