/** Option parsing helpers shared by the CLI and the in-process API. */
import { UserError, ExitCode } from '../util/errors.js';

const units: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** `90s`, `5m`, `1h30m`, `250ms`, or a bare number of seconds → milliseconds. */
export function parseDuration(value: string, flag: string): number {
  const v = value.trim();
  if (/^\d+(\.\d+)?$/.test(v)) return Math.round(Number(v) * 1000);
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h|d)/gy;
  let total = 0;
  let consumed = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(v))) {
    total += Number(m[1]) * units[m[2]!]!;
    consumed = re.lastIndex;
  }
  if (consumed !== v.length || v.length === 0) {
    throw new UserError(`invalid duration for ${flag}: ${JSON.stringify(value)}`, `use a number with a unit, e.g. ${flag} 90s, 5m or 1h30m`, ExitCode.usage);
  }
  return Math.round(total);
}

export function parsePositiveInt(value: string, flag: string, min = 1, max = Number.MAX_SAFE_INTEGER): number {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max) {
    throw new UserError(`invalid value for ${flag}: ${JSON.stringify(value)}`, `pass a whole number between ${min} and ${max}`, ExitCode.usage);
  }
  return n;
}

export type ReportFormat = 'json' | 'html' | 'pdf';

/** `--format`: a list of json, html, pdf; or `none` for the raw bundle alone (analyse it later). */
export function parseFormats(value: string): ReportFormat[] {
  const parts = value.split(',').map((s) => s.trim().toLowerCase()).filter(Boolean);
  if (parts.length === 1 && parts[0] === 'none') return [];
  const bad = parts.filter((p) => p !== 'json' && p !== 'html' && p !== 'pdf');
  if (bad.length || parts.length === 0) {
    throw new UserError(`invalid --format: ${JSON.stringify(value)}`, 'use a comma-separated list of json, html, pdf (e.g. --format json,html), or none for the raw bundle alone', ExitCode.usage);
  }
  return [...new Set(parts)] as ReportFormat[];
}

/** Run id used in container and pod names: kubectl's alphabet (no vowels, no confusable digits). */
export function newRunId(length = 5): string {
  const alphabet = 'bcdfghjklmnpqrstvwxz2456789';
  let s = '';
  for (let i = 0; i < length; i++) s += alphabet[Math.floor(Math.random() * alphabet.length)];
  return s;
}

/** Default bundle directory name: mlb-report-YYYYMMDD-HHMMSS (UTC). */
export function defaultOutDir(now = new Date()): string {
  const p = (n: number): string => String(n).padStart(2, '0');
  return `mlb-report-${now.getUTCFullYear()}${p(now.getUTCMonth() + 1)}${p(now.getUTCDate())}-${p(now.getUTCHours())}${p(now.getUTCMinutes())}${p(now.getUTCSeconds())}`;
}

/** argv with values of secret-looking flags removed (tokens, passwords); never kubeconfig contents. */
export function scrubArgv(argv: string[]): string[] {
  const secretFlag = /^--?(token|password|client-key|client-certificate|as-token|bearer)/i;
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (secretFlag.test(a)) {
      if (a.includes('=')) out.push(`${a.split('=')[0]}=<redacted>`);
      else {
        out.push(a, '<redacted>');
        i++;
      }
    } else out.push(a);
  }
  return out;
}
