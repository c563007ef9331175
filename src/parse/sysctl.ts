/**
 * Sysctl values from `grep -H . /proc/sys/...` (`/proc/sys/net/ipv4/conf/eth0/arp_ignore:1`) or
 * `sysctl -a` style (`net.ipv4.conf.eth0.arp_ignore = 1`). Keys use sysctl's dotted form; a dot
 * inside an interface name becomes `/`, as sysctl(8) writes it (`net.ipv4.conf.eth0/100.rp_filter`).
 */
import { cleanText, looksBinary } from './json.js';
import { NoteSink, type Parsed } from './result.js';

export function procPathToKey(path: string): string {
  return path
    .replace(/^\/proc\/sys\//, '')
    .split('/')
    .filter((s) => s !== '')
    .map((segment) => segment.replace(/\./g, '/'))
    .join('.');
}

export function parse(text: string, path: string): Parsed<Record<string, string>> {
  const notes = new NoteSink(path);
  const out: Record<string, string> = Object.create(null);
  const t = cleanText(text);
  if (looksBinary(t)) {
    notes.add('not sysctl output: binary data');
    return notes.result({});
  }
  t.split(/\r?\n/).forEach((raw, i) => {
    const line = raw.trim();
    if (line === '') return;
    const proc = /^(\/proc\/sys\/[^:\s]+):(.*)$/.exec(line);
    if (proc) {
      out[procPathToKey(proc[1])] = proc[2].trim();
      return;
    }
    const dotted = /^([a-z0-9_]+(?:\.[A-Za-z0-9_/@:-]+)+)\s*=\s*(.*)$/.exec(line);
    if (dotted) {
      out[dotted[1]] = dotted[2].trim();
      return;
    }
    notes.add(`line ${i + 1}: not a sysctl line: ${line.slice(0, 80)}`);
  });
  return notes.result({ ...out });
}
