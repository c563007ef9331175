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
 * Every value is redacted exactly once: the writer redacts raw data (contents and file paths), the
 * manifest is built from raw values and redacted when written, and analysis reads the folder
 * through `restore` (the inverse of the map) so that it sees the real addresses (MetalLB's layer-2
 * election hashes node#ip: a replaced address elects another node). What analysis writes
 * (findings.json, the reports) goes through `addresses` / `json` of the same Redactor, so the
 * addresses in it match the bundle's. A replacement address is never fed back into the map.
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
// Not inside a longer dotted number (an OID, a version), but after a word and a dot it is an address:
// the manifest's step ids read `probe.arping.<address>`.
const ipv4Candidate = /(?<![0-9]|[0-9]\.)(?:\d{1,3}\.){3}\d{1,3}(?![0-9])/g;
const ipv6Candidate = /(?<![0-9A-Za-z:.])(?:[0-9A-Fa-f]{0,4}:){2,7}(?:[0-9A-Fa-f]{1,4}|(?:\d{1,3}\.){3}\d{1,3})?(?![0-9A-Za-z:])/g;

/**
 * Every rule above needs one of these words in its match; most outputs hold none of them, and one
 * pass to find out is much cheaper than five replace passes (every output and every string of every
 * object goes through `text`).
 */
const anyRuleWord = /password|token|bearer|eyJ/i;

/** A secret shorter than this is only redacted where a rule finds it, not everywhere (too many false hits). */
const minKnownSecretLength = 4;

export interface RedactionOptions {
  /** Replace IP addresses consistently (--redact-ips). */
  ips: boolean;
  /**
   * A mapping written by an earlier run (`<dir>.ip-map.json`, original → replacement): the same
   * addresses get the same replacements, so outputs written beside that bundle match it.
   */
  ipMap?: Record<string, string>;
}

export class Redactor {
  /** How many replacements were made (all rules). */
  count = 0;
  private readonly knownSecrets = new Set<string>();
  private knownSecretPattern: RegExp | undefined;
  private readonly net4 = new Map<string, string>();
  private readonly net6 = new Map<string, string>();
  private readonly ipCache = new Map<string, string>();
  /** Replacement → original: what `restore` reads. */
  private readonly reverse = new Map<string, string>();
  /** Replacement networks handed out (IPv4 /24 and IPv6 /64 prefixes), never handed out twice. */
  private readonly usedNets = new Set<string>();

  constructor(readonly options: RedactionOptions) {
    for (const [original, replacement] of Object.entries(options.ipMap ?? {})) this.learnMapping(original, replacement);
  }

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
    if (!anyRuleWord.test(s)) return this.knownSecretsAndIps(s);
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
    return this.knownSecretsAndIps(s);
  }

  /** The rules that do not start from a word: secrets seen elsewhere, and addresses (--redact-ips). */
  private knownSecretsAndIps(input: string): string {
    let s = input;
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
  json<T>(value: T, opts: { verbatim?: ReadonlySet<string> } = {}): T {
    // Learn secrets first so strings earlier in the document are covered too.
    this.learnJsonSecrets(value);
    return this.walk(value, opts.verbatim) as T;
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

  /**
   * Only the IP addresses of a text (identity without --redact-ips). For what analysis writes from
   * restored data: secrets were removed when the bundle was written and are never restored, and the
   * secret rules would rewrite escaped markup such as `password &lt;redacted&gt;` in the HTML.
   */
  addresses(input: string): string {
    return this.options.ips ? this.ipsInText(input) : input;
  }

  /** `addresses` over every string and key of a JSON value (findings.json built from restored data). */
  addressesIn<T>(value: T): T {
    // Addresses hold no character JSON escapes, so they read the same in the serialised text.
    return this.options.ips ? (JSON.parse(this.ipsInText(JSON.stringify(value))) as T) : value;
  }

  /** A bundle-relative file path as written to disk: addresses in it are replaced like in contents. */
  path(relPath: string): string {
    return this.addresses(relPath);
  }

  /** The inverse of the IP mapping over a text: replacements back to the original addresses. */
  restore(input: string): string {
    return restoreIps(input, this.reverse);
  }

  /** True when something was replaced (analysis then has to read the folder through `restore`). */
  get hasIpMapping(): boolean {
    return this.ipCache.size > 0;
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

  /** `verbatim`: keys whose values are already redacted (bundle paths as written): copied as they are. */
  private walk(value: unknown, verbatim?: ReadonlySet<string>): unknown {
    if (typeof value === 'string') return this.text(value);
    if (Array.isArray(value)) return value.map((v) => this.walk(v, verbatim));
    if (value && typeof value === 'object') {
      if (value instanceof Date) return this.text(value.toISOString());
      const out: Record<string, unknown> = {};
      for (const [k, v] of Object.entries(value)) {
        const key = this.options.ips ? this.ipsInText(k) : k;
        if (verbatim?.has(k)) {
          out[k] = v;
        } else if (secretJsonKeys.test(k) && typeof v === 'string' && v !== '') {
          this.count++;
          out[key] = redactedValue;
        } else {
          out[key] = this.walk(v, verbatim);
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
      this.reverse.set(out, address);
    }
    return out;
  }

  /** Seeds the tables from a mapping an earlier run wrote, so the same addresses map the same way. */
  private learnMapping(original: string, replacement: string): void {
    if (typeof replacement !== 'string' || this.ipCache.has(original)) return;
    if (isIPv4(original) && isIPv4(replacement)) {
      const net = original.split('.').slice(0, 3).join('.');
      const mapped = replacement.split('.').slice(0, 3).join('.');
      this.net4.set(net, mapped);
      this.usedNets.add(mapped);
    } else if (isIPv6(original) && isIPv6(replacement)) {
      const from = expandIpv6(original);
      const to = expandIpv6(replacement);
      if (!from || !to) return;
      const mapped = `fd00:0:${to[2]!.toString(16)}:${to[3]!.toString(16)}`;
      this.net6.set(from.slice(0, 4).join(':'), mapped);
      this.usedNets.add(mapped);
    } else return;
    this.ipCache.set(original, replacement);
    this.reverse.set(replacement, original);
  }

  private mapIpv4(address: string): string {
    const o = address.split('.').map(Number);
    // Keep addresses that carry no information about the site: unspecified, loopback, masks, multicast.
    if (o[0] === 0 || o[0] === 127 || o[0]! >= 224) return address;
    const net = `${o[0]}.${o[1]}.${o[2]}`;
    let mapped = this.net4.get(net);
    if (!mapped) {
      // 100.64.0.0/10 (shared address space) gives 16384 replacement /24s. A /24 already handed out,
      // or one the site itself uses, is skipped: replacements stay distinct, so `restore` is exact.
      for (let i = this.net4.size; ; i++) {
        mapped = `100.${64 + ((i >> 8) & 63)}.${i & 255}`;
        if ((mapped !== net && !this.usedNets.has(mapped) && !this.net4.has(mapped)) || i > this.net4.size + 16384) break;
      }
      this.net4.set(net, mapped!);
      this.usedNets.add(mapped!);
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
      for (let i = this.net6.size + 1; ; i++) {
        mapped = `fd00:0:${(i >> 16).toString(16)}:${(i & 0xffff).toString(16)}`;
        if (mapped !== prefix && !this.usedNets.has(mapped)) break;
      }
      this.net6.set(prefix, mapped);
      this.usedNets.add(mapped);
    }
    return `${mapped}:${groups.slice(4).map((g) => g.toString(16)).join(':')}`;
  }
}

/**
 * Replaces every address of `text` found in `reverse` (replacement → original). Only replacements
 * are touched: addresses the redaction kept (loopback, link-local, multicast) stay as they are.
 */
function restoreIps(text: string, reverse: ReadonlyMap<string, string>): string {
  if (reverse.size === 0) return text;
  const back = (m: string): string => reverse.get(m) ?? m;
  return text.replace(ipv4Candidate, back).replace(ipv6Candidate, back);
}

/**
 * The inverse of a mapping written beside a bundle (`<dir>.ip-map.json`, original → replacement):
 * a function that gives a redacted text its real addresses back (`analyze --ip-map`).
 */
export function ipRestorer(map: Record<string, string>): (text: string) => string {
  const reverse = new Map<string, string>();
  for (const [original, replacement] of Object.entries(map)) if (typeof replacement === 'string') reverse.set(replacement, original);
  return (text) => restoreIps(text, reverse);
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
