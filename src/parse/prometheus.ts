/** Prometheus text exposition format (`/metrics` of speaker, controller, frr-metrics, frr-k8s). */
import { cleanText, looksBinary, setOwn } from './json.js';
import { NoteSink, type Parsed } from './result.js';
import type { MetricSample } from '../model/cluster.js';

const sampleRe = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{.*\})?\s+(\S+)(?:\s+(-?\d+))?\s*$/;

function parseValue(v: string): number | undefined {
  if (v === 'NaN') return NaN;
  if (v === '+Inf' || v === 'Inf') return Infinity;
  if (v === '-Inf') return -Infinity;
  const n = Number(v);
  return Number.isFinite(n) ? n : undefined;
}

/** `{a="x",b="y \"q\""}` → labels; undefined when malformed. */
export function parseLabels(text: string): Record<string, string> | undefined {
  const labels: Record<string, string> = {};
  let i = 1;
  const end = text.length - 1;
  while (i < end) {
    while (i < end && (text[i] === ' ' || text[i] === ',')) i++;
    if (i >= end) break;
    const nameMatch = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(text.slice(i));
    if (!nameMatch) return undefined;
    const name = nameMatch[0];
    i += name.length;
    while (text[i] === ' ') i++;
    if (text[i] !== '=' || text[i + 1] !== '"') return undefined;
    i += 2;
    let value = '';
    while (i < end && text[i] !== '"') {
      if (text[i] === '\\' && i + 1 < end) {
        const c = text[i + 1];
        value += c === 'n' ? '\n' : c;
        i += 2;
      } else value += text[i++];
    }
    if (text[i] !== '"') return undefined;
    i++;
    setOwn(labels, name, value);
  }
  return labels;
}

export function parse(text: string, path: string): Parsed<MetricSample[]> {
  const notes = new NoteSink(path);
  const t = cleanText(text);
  if (looksBinary(t)) {
    notes.add('not Prometheus text: binary data');
    return notes.result([]);
  }
  const types = new Map<string, string>();
  const samples: MetricSample[] = [];
  t.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '') return;
    if (line.startsWith('#')) {
      const m = /^#\s+TYPE\s+(\S+)\s+(\S+)/.exec(line);
      if (m) types.set(m[1], m[2]);
      return;
    }
    const m = sampleRe.exec(line);
    const labels = m ? (m[2] ? parseLabels(m[2]) : {}) : undefined;
    const value = m ? parseValue(m[3]) : undefined;
    if (!m || !labels || value === undefined) {
      notes.add(`line ${i + 1}: not a metric sample: ${line.slice(0, 80)}`);
      return;
    }
    const sample: MetricSample = { name: m[1], labels, value };
    if (m[4]) sample.timestampMs = Number(m[4]);
    const type = types.get(m[1]) ?? types.get(m[1].replace(/_(bucket|sum|count|total|created)$/, ''));
    if (type) sample.type = type;
    samples.push(sample);
  });
  return notes.result(samples);
}
