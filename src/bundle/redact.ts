/**
 * Redaction applied to every byte before it touches disk (bundle files, manifest, tarball).
 *
 * Rules (names recorded in the manifest):
 * - `frr-password`: `password <value>` in FRR configs / running configs / logs keeps the keyword and
 *   replaces the value; values seen on `neighbor ... password X` lines are remembered.
 * - `json-secret-keys`: JSON keys such as `password`, `token`, `bearerToken` (BGPPeer spec.password,
 *   FRRConfiguration neighbors) get their value replaced; the values are remembered.
 * - `bearer-token`: `Authorization: Bearer ...` and JWT-shaped strings (service account tokens).
 * - `known-secrets`: every remembered secret value is replaced wherever else it appears (logs, events).
 * - `ips` (only with --redact-ips): IPv4/IPv6 addresses are replaced consistently for the whole run;
 *   addresses in the same /24 (IPv4) or /64 (IPv6) stay in one replacement network and keep their
 *   host part and prefix length, so subnets still line up (like `sos clean`). The mapping is kept in
 *   memory only; the collector may write it next to — never into — the bundle.
 *
 * Secret data of Kubernetes Secrets is never fetched (the collector keeps names and keys only).
 */
import { isIPv4, isIPv6 } from 'node:net';

export const redactedValue = '<redacted>';

const secretJsonKeys = /^(password|bgppassword|token|bearertoken|bearer-token|client-key-data|client-certificate-data|secretkey)$/i;
const passwordWord = /(\bpassword\s+)([^\s"]+)/gi;
const neighborPasswordLine = /^\s*neighbor\s+\S+\s+password\s+(\S+)\s*$/gim;
const jsonSecretField = /("(?:password|bgpPassword|token|bearerToken)"\s*:\s*")((?:[^"\\]|\\.)*)(")/gi;
const bearer = /(\bbearer\s+)([A-Za-z0-9\-._~+/]{8,}=*)/gi;
const jwt = /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}/g;
const ipv4Candidate = /(?<![0-9.])(?:\d{1,3}\.){3}\d{1,3}(?![0-9])/g;
const ipv6Candidate = /(?<![0-9A-Za-z:.])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:[0-9A-Fa-f]{1,4}|(?:\d{1,3}\.){3}\d{1,3})?(?![0-9A-Za-z:])/g;

/** A secret shorter than this is only redacted where a rule finds it, not everywhere (too many false hits). */
const minKnownSecretLength = 4;

export interface RedactionOptions {
  /** Replace IP addresses consistently (--redact-ips). */
  ips: boolean;
}

export class Redactor {
  /** How many replacements were made (all rules). */
  count = 0;
  private readonly knownSecrets = new Set<string>();
  private knownSecretPattern: RegExp | undefined;
  private readonly net4 = new Map<string, string>();
  private readonly net6 = new Map<string, string>();
  private readonly ipCache = new Map<string, string>();

  constructor(readonly options: RedactionOptions) {}

  get rules(): string[] {
    const rules = ['frr-password', 'json-secret-keys', 'bearer-token', 'known-secrets'];
    if (this.options.ips) rules.push('ips');
    return rules;
  }

  /** Remember a secret value so it is replaced wherever it appears later. */
  addSecret(value: string): void {
    if (typeof value !== 'string' || value.length < minKnownSecretLength || value === redactedValue) return;
    if (this.knownSecrets.has(value)) return;
    this.knownSecrets.add(value);
    const alternatives = [...this.knownSecrets]
      .sort((a, b) => b.length - a.length)
      .flatMap((s) => {
        const escaped = JSON.stringify(s).slice(1, -1);
        return escaped === s ? [s] : [s, escaped];
      })
      .map((s) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
    this.knownSecretPattern = new RegExp(alternatives.join('|'), 'g');
  }

  /** Redacts a text output (config, log, command output, raw JSON text). */
  text(input: string): string {
    let s = input;
    for (const m of s.matchAll(neighborPasswordLine)) this.addSecret(m[1]!);
    s = s.replace(jsonSecretField, (_all, pre: string, value: string, post: string) => {
      if (value === '' || value === redactedValue) return `${pre}${value}${post}`;
      this.addSecret(value);
      this.count++;
      return `${pre}${redactedValue}${post}`;
    });
    s = s.replace(passwordWord, (_all, pre: string, value: string) => {
      if (value === redactedValue) return `${pre}${value}`;
      this.count++;
      return `${pre}${redactedValue}`;
    });
    s = s.replace(bearer, (_all, pre: string) => {
      this.count++;
      return `${pre}${redactedValue}`;
    });
    s = s.replace(jwt, () => {
      this.count++;
      return redactedValue;
    });
    if (this.knownSecretPattern) {
      s = s.replace(this.knownSecretPattern, () => {
        this.count++;
        return redactedValue;
      });
    }
    if (this.options.ips) s = this.ipsInText(s);
    return s;
  }

  /**
   * Redacts a parsed JSON value (Kubernetes objects we serialise ourselves): secret-named keys lose
   * their values, every string goes through `text`, and with --redact-ips object keys too.
   */
  json<T>(value: T): T {
    // Learn secrets first so strings earlier in the document are covered too.
    this.learnJsonSecrets(value);
    return this.walk(value) as T;
  }

  /** Redacts bytes: text unless it looks binary (pcap), which is returned untouched. */
  bytes(data: Buffer): Buffer {
    if (looksBinary(data)) return data;
    const s = data.toString('utf8');
    const out = this.text(s);
    return out === s ? data : Buffer.from(out, 'utf8');
  }

  /** One IP address as it appears in the bundle (identity unless --redact-ips). */
  ip(address: string): string {
    if (!this.options.ips) return address;
    return this.mapIp(address);
  }

  /** The IP mapping (original → replacement); never written into the bundle. */
  ipMapping(): Record<string, string> {
    return Object.fromEntries(this.ipCache);
  }

  private learnJsonSecrets(value: unknown): void {
    if (Array.isArray(value)) {
      for (const v of value) this.learnJsonSecrets(v);
    } else if (value && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) {
        if (secretJsonKeys.test(k) && typeof v === 'string') this.addSecret(v);
        else this.learnJsonSecrets(v);
      }
    }
  }

  private walk(value: unknown): unknown {
    if (typeof value === 'string') return this.text(value);
    if (Array.isArray(value)) return value.map((v) => this.walk(v));
    if (value && typeof value === 'object') {
      if (value instanceof Date) return this.text(value.toISOString());
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) {
        const key = this.options.ips ? this.ipsInText(k) : k;
        if (secretJsonKeys.test(k) && typeof v === 'string' && v !== '') {
          this.count++;
          out[key] = redactedValue;
        } else {
          out[key] = this.walk(v);
        }
      }
      return out;
    }
    return value;
  }

  private ipsInText(s: string): string {
    s = s.replace(ipv4Candidate, (m) => (isIPv4(m) ? this.mapIp(m) : m));
    s = s.replace(ipv6Candidate, (m) => (m.includes('::') || m.split(':').length === 8 ? (isIPv6(m) ? this.mapIp(m) : m) : m));
    return s;
  }

  private mapIp(address: string): string {
    const cached = this.ipCache.get(address);
    if (cached) return cached;
    let out = address;
    if (isIPv4(address)) out = this.mapIpv4(address);
    else if (isIPv6(address)) out = this.mapIpv6(address);
    if (out !== address) {
      this.count++;
      this.ipCache.set(address, out);
    }
    return out;
  }

  private mapIpv4(address: string): string {
    const o = address.split('.').map(Number);
    // Keep addresses that carry no information about the site: unspecified, loopback, masks, multicast.
    if (o[0] === 0 || o[0] === 127 || o[0]! >= 224) return address;
    const net = `${o[0]}.${o[1]}.${o[2]}`;
    let mapped = this.net4.get(net);
    if (!mapped) {
      const i = this.net4.size;
      // 100.64.0.0/10 (shared address space) gives 16384 replacement /24s.
      mapped = `100.${64 + ((i >> 8) & 63)}.${i & 255}`;
      this.net4.set(net, mapped);
    }
    return `${mapped}.${o[3]}`;
  }

  private mapIpv6(address: string): string {
    const groups = expandIpv6(address);
    if (!groups) return address;
    const allZeroPrefix = groups.slice(0, 7).every((g) => g === 0);
    // Keep ::, ::1 and link-local (fe80::/10) which say nothing about the site's addressing.
    if (allZeroPrefix || (groups[0]! & 0xffc0) === 0xfe80 || (groups[0]! & 0xff00) === 0xff00) return address;
    const prefix = groups.slice(0, 4).join(':');
    let mapped = this.net6.get(prefix);
    if (!mapped) {
      const i = this.net6.size + 1;
      mapped = `fd00:0:${(i >> 16).toString(16)}:${(i & 0xffff).toString(16)}`;
      this.net6.set(prefix, mapped);
    }
    return `${mapped}:${groups.slice(4).map((g) => g.toString(16)).join(':')}`;
  }
}

function expandIpv6(address: string): number[] | undefined {
  let s = address;
  const tail: number[] = [];
  const v4 = /(\d{1,3}\.\d{1,3}\.\d{1,3}\.\d{1,3})$/.exec(s);
  if (v4) {
    const o = v4[1]!.split('.').map(Number);
    tail.push((o[0]! << 8) | o[1]!, (o[2]! << 8) | o[3]!);
    s = s.slice(0, -v4[1]!.length);
    if (s.endsWith(':') && !s.endsWith('::')) s = s.slice(0, -1);
  }
  const [head, rest] = s.split('::') as [string, string | undefined];
  const parse = (part: string): number[] => (part === '' ? [] : part.split(':').map((g) => parseInt(g, 16)));
  const h = parse(head);
  const r = rest === undefined ? [] : parse(rest);
  const missing = 8 - h.length - r.length - tail.length;
  if (rest === undefined && missing !== 0) return undefined;
  const groups = [...h, ...new Array(Math.max(0, missing)).fill(0), ...r, ...tail];
  return groups.length === 8 && groups.every((g) => Number.isFinite(g)) ? groups : undefined;
}

/** Heuristic: NUL bytes or a pcap magic number mean binary. */
export function looksBinary(data: Buffer): boolean {
  if (data.length >= 4) {
    const magic = data.readUInt32LE(0);
    if (magic === 0xa1b2c3d4 || magic === 0xd4c3b2a1 || magic === 0xa1b23c4d || magic === 0x4d3cb2a1 || magic === 0x0a0d0d0a) return true;
  }
  return data.subarray(0, 8192).includes(0);
}
