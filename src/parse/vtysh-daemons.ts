/** `vtysh -c 'show daemons'`: daemon names separated by spaces (` zebra bgpd bfdd staticd watchfrr`). */
import { cleanText, firstLine, looksBinary } from './json.js';
import { NoteSink, type Parsed } from './result.js';

export function parse(text: string, path: string): Parsed<string[]> {
  const notes = new NoteSink(path);
  const t = cleanText(text).trim();
  if (t === '') {
    notes.add('empty output (expected daemon names)');
    return notes.result([]);
  }
  if (looksBinary(t)) {
    notes.add('not show daemons output: binary data');
    return notes.result([]);
  }
  if (t.startsWith('%') || /error|unknown command|failed/i.test(t)) {
    notes.add(`vtysh error: ${firstLine(t)}`);
    return notes.result([]);
  }
  const names = t.split(/\s+/).filter((w) => /^[a-z][a-z0-9_-]{0,31}$/.test(w));
  const odd = t.split(/\s+/).filter((w) => !/^[a-z][a-z0-9_-]{0,31}$/.test(w));
  if (odd.length > 0) notes.add(`unexpected words in show daemons: ${odd.slice(0, 5).join(' ').slice(0, 80)}`);
  return notes.result([...new Set(names)]);
}
