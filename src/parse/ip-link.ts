/** `ip -j -d link show` → links (name, MAC, state, flags, master, kind). */
import { linkFromEntry, ipJsonArray } from './iproute.js';
import { NoteSink, type Parsed } from './result.js';
import type { Link } from '../model/cluster.js';

export function parse(text: string, path: string): Parsed<Link[]> {
  const notes = new NoteSink(path);
  const links: Link[] = [];
  ipJsonArray(text, notes, 'link').forEach((entry, i) => {
    const link = linkFromEntry(entry);
    if (link) links.push(link);
    else notes.add(`link entry ${i} has no ifname`);
  });
  return notes.result(links);
}
