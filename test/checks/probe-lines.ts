/** Lines of `probe/connect.txt` as curl's write-out prints them (see src/parse/connect-probes.ts). */
import { announceDecisions } from '../../src/checks/lib/announce.js';
import { model, type BundleSpec } from './helpers.js';

export const probe = {
  ok: (id: string, url: string) => `${id} ${url} 0 200 0.001163 10.96.0.1 `,
  http: (id: string, url: string, code: number) => `${id} ${url} 0 ${code} 0.001163 10.96.0.1 `,
  connected: (id: string, url: string) => `${id} ${url} 28 000 0.000412 ${/\/\/([^:/]+)/.exec(url)![1]} Time-out`,
  timeout: (id: string, url: string) => `${id} ${url} 28 000 0.000000  Connection timed out after 2002 milliseconds`,
  refused: (id: string, url: string) => `${id} ${url} 7 000 0.000000  Failed to connect to ${/\/\/([^:/]+)/.exec(url)![1]} port ${/:(\d+)/.exec(url.slice(8))![1]} after 0 ms: Couldn't connect to server`,
};

export const apiUrl = 'https://10.96.0.1:443/healthz';
export const lines = (...l: string[]): string => l.join('\n') + '\n';

/** The node MetalLB's model says announces `key` in `spec`. */
export function announcerOf(spec: BundleSpec, key: string): string {
  for (const d of announceDecisions(model(spec)).values()) if (d.key === key) return d.announcers[0]!;
  throw new Error(`no announcer for ${key}`);
}
