/** The reloader's `/etc/frr_reloader/.status`: `<epoch> success|failure`. */
import { cleanText, firstLine, looksBinary } from './json.js';
import { NoteSink, type Parsed } from './result.js';
import type { FrrState } from '../model/cluster.js';

export type ReloadStatus = NonNullable<FrrState['reloadStatus']>;

export function parse(text: string, path: string): Parsed<ReloadStatus> {
  const notes = new NoteSink(path);
  const t = cleanText(text).trim();
  const value: ReloadStatus = { status: 'unknown', raw: t.slice(0, 200), path };
  if (t === '') {
    notes.add('empty reload status');
    return notes.result(value);
  }
  if (looksBinary(t)) {
    notes.add('not a reload status: binary data');
    value.raw = '';
    return notes.result(value);
  }
  const m = /^(\d+)\s+(success|failure)\b/i.exec(t) ?? /^()(success|failure)\b/i.exec(t);
  if (!m) {
    notes.add(`unrecognised reload status: ${firstLine(t, 80)}`);
    return notes.result(value);
  }
  value.status = m[2].toLowerCase() as 'success' | 'failure';
  if (m[1]) {
    value.epoch = Number(m[1]);
    const d = new Date(value.epoch * 1000);
    if (!Number.isNaN(d.getTime())) value.at = d.toISOString();
  }
  return notes.result(value);
}
