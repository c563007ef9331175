/**
 * Deterministic helpers: a scenario must build the same World (uids, pod names, container ids,
 * timestamps) on every run, so replayed outputs, tests and reports are reproducible.
 */
import * as crypto from 'node:crypto';
import { createHash } from 'node:crypto';

// crypto.hash (Node ≥ 20.12) is the one-shot form, several times faster for short inputs.
const oneShot = (crypto as unknown as { hash?: (alg: string, data: string, enc: 'hex') => string }).hash;

export function sha256Hex(s: string): string {
  return oneShot ? oneShot('sha256', s, 'hex') : createHash('sha256').update(s).digest('hex');
}

/** RFC 4122-shaped uid derived from a seed. */
export function stableUid(seed: string): string {
  const h = sha256Hex(seed);
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${((parseInt(h[16]!, 16) & 3) | 8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}

/** The alphabet Kubernetes uses for generated name suffixes (no vowels, no confusable digits). */
const suffixAlphabet = 'bcdfghjklmnpqrstvwxz2456789';

/** `n` characters of a Kubernetes-style random suffix, derived from a seed. */
export function nameSuffix(seed: string, n = 5): string {
  const h = sha256Hex(seed);
  let out = '';
  for (let i = 0; i < n; i++) out += suffixAlphabet[parseInt(h.slice(2 * i, 2 * i + 2), 16) % suffixAlphabet.length];
  return out;
}

/** A pod-template-hash: 8–10 characters of the suffix alphabet. */
export function templateHash(seed: string): string {
  return nameSuffix(`template:${seed}`, 10);
}

/** Timestamp `seconds` before `now`, RFC 3339 without fractions (as metadata timestamps are). */
export function isoBefore(now: Date, seconds: number): string {
  return new Date(now.getTime() - seconds * 1000).toISOString().replace(/\.\d{3}Z$/, 'Z');
}

/** RFC3339Nano-ish timestamp `seconds` (may be fractional) before `now`, with 9 fraction digits. */
export function nanoBefore(now: Date, seconds: number): string {
  const ms = now.getTime() - seconds * 1000;
  const base = new Date(Math.floor(ms)).toISOString().replace(/Z$/, '');
  const sub = Math.round((seconds * 1e9) % 1e6)
    .toString()
    .padStart(6, '0');
  return `${base}${sub}Z`;
}

/** Clone of plain JSON data (Kubernetes objects); several times faster than structuredClone or a JSON round trip. */
export function deepClone<T>(v: T): T {
  if (v === null || typeof v !== 'object') return v;
  if (Array.isArray(v)) {
    const out = new Array(v.length);
    for (let i = 0; i < v.length; i++) out[i] = deepClone(v[i]);
    return out as T;
  }
  const out: Record<string, unknown> = {};
  for (const k in v as Record<string, unknown>) out[k] = deepClone((v as Record<string, unknown>)[k]);
  return out as T;
}

/** Parse `a.b.c.d` into a 32-bit number. */
export function ipToInt(ip: string): number {
  const p = ip.split('.').map(Number);
  return ((p[0]! << 24) >>> 0) + (p[1]! << 16) + (p[2]! << 8) + p[3]!;
}

export function intToIp(n: number): string {
  return [(n >>> 24) & 255, (n >>> 16) & 255, (n >>> 8) & 255, n & 255].join('.');
}

export function parseCidr(cidr: string): { base: number; prefix: number } {
  const [ip, len] = cidr.split('/');
  const prefix = len === undefined ? 32 : Number(len);
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return { base: (ipToInt(ip!) & mask) >>> 0, prefix };
}

export function cidrContains(cidr: string, ip: string): boolean {
  const { base, prefix } = parseCidr(cidr);
  const mask = prefix === 0 ? 0 : (0xffffffff << (32 - prefix)) >>> 0;
  return ((ipToInt(ip) & mask) >>> 0) === base;
}

/** Host `n` of a CIDR (n=1 → .1). */
export function cidrHost(cidr: string, n: number): string {
  return intToIp(parseCidr(cidr).base + n);
}

/** Does an IPAddressPool address entry (`CIDR` or `a.b.c.d-e.f.g.h`) contain `ip`? IPv4 only. */
export function poolEntryContains(entry: string, ip: string): boolean {
  if (entry.includes(':') || ip.includes(':')) return false;
  if (entry.includes('-')) {
    const [from, to] = entry.split('-').map((s) => s.trim());
    const v = ipToInt(ip);
    return v >= ipToInt(from!) && v <= ipToInt(to!);
  }
  return cidrContains(entry, ip);
}

/** First `count` IPv4 addresses of a pool entry. */
export function poolEntryAddresses(entry: string, count: number): string[] {
  let start: number;
  let end: number;
  if (entry.includes('-')) {
    const [from, to] = entry.split('-').map((s) => s.trim());
    start = ipToInt(from!);
    end = ipToInt(to!);
  } else {
    const { base, prefix } = parseCidr(entry);
    start = base;
    end = base + 2 ** (32 - prefix) - 1;
  }
  const out: string[] = [];
  for (let v = start; v <= end && out.length < count; v++) out.push(intToIp(v));
  return out;
}

/** go-kit JSON logger output: keys sorted, as encoding/json marshals a map. */
export function goKitJson(record: Record<string, unknown>): string {
  const sorted: Record<string, unknown> = {};
  for (const k of Object.keys(record).sort()) sorted[k] = record[k];
  return JSON.stringify(sorted);
}

/** Compare MetalLB release strings (`v0.14.9` vs `v0.14.6`). */
export function compareVersions(a: string, b: string): number {
  const pa = a.replace(/^v/, '').split('.').map(Number);
  const pb = b.replace(/^v/, '').split('.').map(Number);
  for (let i = 0; i < 3; i++) {
    const d = (pa[i] ?? 0) - (pb[i] ?? 0);
    if (d !== 0) return d;
  }
  return 0;
}

export const atLeast = (version: string, min: string): boolean => compareVersions(version, min) >= 0;
