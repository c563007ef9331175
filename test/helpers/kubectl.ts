/** The real kubectl against a kubeconfig, with its own HOME and discovery cache, bounded in time. */
import { spawn } from 'node:child_process';
import { join } from 'node:path';

export const kubectlPath = '/usr/bin/kubectl';

export interface KubectlRun {
  code: number | null;
  stdout: string;
  stderr: string;
  ms: number;
}

export function runKubectl(kubeconfig: string, home: string, args: string[], timeoutMs = 20_000): Promise<KubectlRun> {
  const started = Date.now();
  return new Promise((resolve, reject) => {
    const child = spawn(kubectlPath, ['--cache-dir', join(home, 'kube-cache'), ...args], { env: { ...process.env, KUBECONFIG: kubeconfig, HOME: home } });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (c) => (stdout += c));
    child.stderr.on('data', (c) => (stderr += c));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`kubectl ${args.join(' ')} timed out\nstdout: ${stdout}\nstderr: ${stderr}`));
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, ms: Date.now() - started });
    });
  });
}
