/**
 * A throw-away certificate authority and server certificate, generated at start with node:crypto
 * only (ECDSA P-256, hand-encoded X.509 DER), so the simulator needs neither the openssl CLI nor an
 * extra npm package. kubectl (Go) and client-node (OpenSSL) both verify the chain through the
 * kubeconfig's certificate-authority-data.
 */
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';

export interface SimulatorTls {
  caPem: string;
  certPem: string;
  keyPem: string;
}

// ---------------------------------------------------------------- minimal DER encoder

function derLength(length: number): Buffer {
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let n = length; n > 0; n >>= 8) bytes.unshift(n & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

function tlv(tag: number, ...content: Buffer[]): Buffer {
  const body = Buffer.concat(content);
  return Buffer.concat([Buffer.from([tag]), derLength(body.length), body]);
}

const sequence = (...items: Buffer[]): Buffer => tlv(0x30, ...items);
const set = (...items: Buffer[]): Buffer => tlv(0x31, ...items);
const octetString = (b: Buffer): Buffer => tlv(0x04, b);
const bitString = (b: Buffer, unusedBits = 0): Buffer => tlv(0x03, Buffer.from([unusedBits]), b);
const utf8 = (s: string): Buffer => tlv(0x0c, Buffer.from(s, 'utf8'));
const booleanTrue = (): Buffer => tlv(0x01, Buffer.from([0xff]));

function integer(b: Buffer): Buffer {
  // DER integers are signed: keep a leading zero when the high bit is set.
  const bytes = b[0]! & 0x80 ? Buffer.concat([Buffer.from([0]), b]) : b;
  return tlv(0x02, bytes);
}

function oid(dotted: string): Buffer {
  const parts = dotted.split('.').map(Number);
  const out: number[] = [40 * parts[0]! + parts[1]!];
  for (const part of parts.slice(2)) {
    const chunk: number[] = [];
    let n = part;
    do {
      chunk.unshift(n & 0x7f);
      n = Math.floor(n / 128);
    } while (n > 0);
    for (let i = 0; i < chunk.length - 1; i++) chunk[i]! |= 0x80;
    out.push(...chunk);
  }
  return tlv(0x06, Buffer.from(out));
}

function utcTime(d: Date): Buffer {
  const p = (n: number): string => String(n).padStart(2, '0');
  const s = `${p(d.getUTCFullYear() % 100)}${p(d.getUTCMonth() + 1)}${p(d.getUTCDate())}${p(d.getUTCHours())}${p(d.getUTCMinutes())}${p(d.getUTCSeconds())}Z`;
  return tlv(0x17, Buffer.from(s, 'ascii'));
}

const name = (commonName: string): Buffer => sequence(set(sequence(oid('2.5.4.3'), utf8(commonName))));

function extension(id: string, critical: boolean, value: Buffer): Buffer {
  return critical ? sequence(oid(id), booleanTrue(), octetString(value)) : sequence(oid(id), octetString(value));
}

function keyId(spkiDer: Buffer): Buffer {
  // RFC 5280 §4.2.1.2 method 1 would hash only the key bits; any stable unique value is allowed.
  return createHash('sha1').update(spkiDer).digest();
}

const ecdsaWithSha256 = (): Buffer => sequence(oid('1.2.840.10045.4.3.2'));

interface CertRequest {
  subject: string;
  issuer: string;
  subjectKey: KeyObject;
  issuerKey: KeyObject;
  issuerSpki: Buffer;
  extensions: Buffer[];
}

function certificate(req: CertRequest): Buffer {
  const spki = req.subjectKey.export({ type: 'spki', format: 'der' });
  const serial = randomBytes(16);
  // Positive and minimal: DER forbids a leading zero byte that is not needed for the sign, and
  // OpenSSL rejects such a serial ("illegal padding") — keep the top byte in 0x40..0x7f.
  serial[0] = (serial[0]! & 0x3f) | 0x40;
  // OpenSSL checks validity against the machine's clock, not JavaScript's Date (which a test may
  // move to another day): take the time from the process's monotonic origin instead.
  const now = performance.timeOrigin + performance.now();
  const tbs = sequence(
    tlv(0xa0, integer(Buffer.from([2]))),
    integer(serial),
    ecdsaWithSha256(),
    name(req.issuer),
    sequence(utcTime(new Date(now - 3600_000)), utcTime(new Date(now + 365 * 86400_000))),
    name(req.subject),
    spki,
    tlv(
      0xa3,
      sequence(
        ...req.extensions,
        extension('2.5.29.14', false, octetString(keyId(spki))),
        extension('2.5.29.35', false, sequence(tlv(0x80, keyId(req.issuerSpki)))),
      ),
    ),
  );
  const signature = sign('sha256', tbs, req.issuerKey);
  return sequence(tbs, ecdsaWithSha256(), bitString(signature));
}

function pem(label: string, der: Buffer): string {
  const lines = der.toString('base64').match(/.{1,64}/g) ?? [];
  return `-----BEGIN ${label}-----\n${lines.join('\n')}\n-----END ${label}-----\n`;
}

/** A fresh CA and a server certificate for `127.0.0.1`/`localhost` (plus `extraHosts`) signed by it. */
export function generateSimulatorTls(extraHosts: string[] = []): SimulatorTls {
  const ca = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const server = generateKeyPairSync('ec', { namedCurve: 'prime256v1' });
  const caSpki = ca.publicKey.export({ type: 'spki', format: 'der' });
  // A unique CA name per simulator: verifiers look issuers up by name, and two simulators in one
  // process (tests, benchmarks) must never be confused with each other.
  const caName = `mlb-report-sim-ca-${randomBytes(6).toString('hex')}`;
  const caDer = certificate({
    subject: caName,
    issuer: caName,
    subjectKey: ca.publicKey,
    issuerKey: ca.privateKey,
    issuerSpki: caSpki,
    extensions: [
      extension('2.5.29.19', true, sequence(booleanTrue())),
      // digitalSignature | keyCertSign | cRLSign
      extension('2.5.29.15', true, bitString(Buffer.from([0x86]), 1)),
    ],
  });
  const hosts = ['127.0.0.1', 'localhost', '::1', ...extraHosts];
  const altNames = hosts.map((h) => {
    const v4 = /^(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(h);
    if (v4) return tlv(0x87, Buffer.from(v4.slice(1).map(Number)));
    if (h === '::1') return tlv(0x87, Buffer.from([...new Array(15).fill(0), 1]));
    return tlv(0x82, Buffer.from(h, 'ascii'));
  });
  const serverDer = certificate({
    subject: 'mlb-report-sim',
    issuer: caName,
    subjectKey: server.publicKey,
    issuerKey: ca.privateKey,
    issuerSpki: caSpki,
    extensions: [
      extension('2.5.29.15', true, bitString(Buffer.from([0x80]), 7)),
      extension('2.5.29.37', false, sequence(oid('1.3.6.1.5.5.7.3.1'))),
      extension('2.5.29.17', false, sequence(...altNames)),
    ],
  });
  return {
    caPem: pem('CERTIFICATE', caDer),
    certPem: pem('CERTIFICATE', serverDer),
    keyPem: server.privateKey.export({ type: 'pkcs8', format: 'pem' }).toString(),
  };
}
