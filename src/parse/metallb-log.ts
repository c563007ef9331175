/**
 * Container logs of MetalLB pods. MetalLB logs go-kit JSON (`{"caller":..,"level":..,"msg":..,"ts":..}`
 * plus context keys); controller-runtime lines come through zap (numeric `ts`); klog text lines
 * (`I1127 12:47:20.123456  1 file.go:12] msg`) and anything else are kept as `raw`. Lines may carry
 * the RFC 3339 prefix `kubectl logs --timestamps` / the API's `timestamps=true` adds, and the
 * pod/container prefix of `kubectl logs --prefix` or stern.
 */
import { cleanText, looksBinary, isRecord, setOwn } from './json.js';
import { NoteSink, type Parsed } from './result.js';
import type { LogRecord } from '../model/cluster.js';

const streamTsRe = /^(\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(?:\.\d+)?(?:Z|[+-]\d{2}:\d{2}))\s(.*)$/;
/**
 * The pod and container a multi-pod log reader puts before each line: `kubectl logs --prefix`
 * (`[pod/speaker-gxwrl/speaker] `) or stern (`speaker-gxwrl speaker `), as users paste them.
 */
const podPrefixRe = /^(?:\[pod\/[^/\]\s]+\/[^\]\s]+\]|[a-z0-9][a-z0-9.-]{0,252} [a-z0-9][a-z0-9-]{0,62}) (?=\{)/;
const klogRe = /^([IWEF])\d{4} \d{2}:\d{2}:\d{2}\.\d+\s+\d+\s+([^\]]+)\]\s?(.*)$/;
const klogLevels: Record<string, string> = { I: 'info', W: 'warn', E: 'error', F: 'fatal' };
/** Longest line kept verbatim; longer ones are cut so one runaway line cannot bloat a report. */
const maxRawLine = 64 * 1024;

export function parse(text: string, path: string): Parsed<LogRecord[]> {
  const notes = new NoteSink(path);
  const t = cleanText(text);
  if (looksBinary(t)) {
    notes.add('not a text log: binary data');
    return notes.result([]);
  }
  const records: LogRecord[] = [];
  const lines = t.split(/\r?\n/);
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  lines.forEach((rawLine, i) => {
    let line = rawLine;
    let streamTs: string | undefined;
    const ts = streamTsRe.exec(line);
    if (ts) {
      streamTs = ts[1];
      line = ts[2];
    }
    const record: LogRecord = { line: i + 1, fields: {} };
    if (streamTs) record.streamTs = streamTs;
    let trimmed = line.trim();
    const prefix = podPrefixRe.exec(trimmed);
    if (prefix) trimmed = trimmed.slice(prefix[0].length);
    if (trimmed.startsWith('{')) {
      let obj: unknown;
      try {
        obj = JSON.parse(trimmed);
      } catch {
        obj = undefined;
      }
      if (isRecord(obj)) {
        for (const [k, v] of Object.entries(obj)) {
          if (k === 'ts') record.ts = normalizeTs(v);
          else if (k === 'level' && typeof v === 'string') record.level = v;
          else if (k === 'msg' && typeof v === 'string') record.msg = v;
          else if (k === 'caller' && typeof v === 'string') record.caller = v;
          else setOwn(record.fields, k, v);
        }
        if (record.ts === undefined && streamTs) record.ts = streamTs;
        records.push(record);
        return;
      }
    }
    record.raw = line.length > maxRawLine ? `${line.slice(0, maxRawLine)}…` : line;
    const klog = klogRe.exec(line);
    if (klog) {
      record.level = klogLevels[klog[1]];
      record.caller = klog[2].trim();
      record.msg = klog[3];
    }
    if (streamTs) record.ts = streamTs;
    records.push(record);
  });
  return notes.result(records);
}

/** go-kit writes RFC 3339 strings; zap writes epoch seconds as a float. */
function normalizeTs(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) {
    const d = new Date(v * 1000);
    return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
  }
  return undefined;
}
