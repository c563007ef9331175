/** The real kubectl against a kubeconfig, with its own HOME and discovery cache, bounded in time; and any other command the same way. */
import { spawn } from 'node:child_process';
import { join } from 'node:path';

export const kubectlPath = '/usr/bin/kubectl';

export interface ProcessRun {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

export type KubectlRun = ProcessRun;

export function runKubectl(kubeconfig: string, home: string, args: string[], timeoutMs = 20_000): Promise<KubectlRun> {
  return runProcess(kubectlPath, ['--cache-dir', join(home, 'kube-cache'), ...args], { env: { ...process.env, KUBECONFIG: kubeconfig, HOME: home }, timeoutMs, label: `kubectl ${args.join(' ')}` });
}

/** Any command to its end, output gathered, killed (and rejected with what it printed) after `timeoutMs`. */
export function runProcess(command: string, args: string[], opts: { env?: NodeJS.ProcessEnv; timeoutMs?: number; label?: string } = {}): Promise<ProcessRun> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { env: opts.env ?? process.env });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`${opts.label ?? `${command} ${args.join(' ')}`} timed out\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, opts.timeoutMs ?? 20_000);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: Date.now() - started });
    });
  });
}
