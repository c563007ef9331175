/**
 * Kubernetes object lists as written under `cluster/`: a `*List` (`{"kind":"PodList","items":[..]}`),
 * a bare array, or a single object. A `Status` (an API error saved instead of a list) becomes a note.
 */
import { isRecord, parseJsonTolerant, str } from './json.js';
import { NoteSink, type Parsed } from './result.js';
import type { KubeObject } from '../model/cluster.js';

export function parse(text: string, path: string): Parsed<KubeObject[]> {
  const notes = new NoteSink(path);
  const data = parseJsonTolerant(text, notes, 'Kubernetes JSON');
  return notes.result(objectsFrom(data, notes));
}

export function objectsFrom(data: unknown, notes: NoteSink): KubeObject[] {
  if (data === undefined) return [];
  let items: unknown[];
  if (Array.isArray(data)) items = data;
  else if (isRecord(data) && data.kind === 'Status') {
    notes.add(`API error saved instead of objects: ${str(data.reason) ?? ''} ${str(data.message) ?? ''}`.trim());
    return [];
  } else if (isRecord(data) && Array.isArray(data.items)) items = data.items;
  else if (isRecord(data) && isRecord(data.metadata)) items = [data];
  else {
    notes.add('expected a Kubernetes List or object');
    return [];
  }
  // The API leaves kind/apiVersion off list items; restore them from the list so objects stand alone.
  const listKind = isRecord(data) && typeof data.kind === 'string' && data.kind.endsWith('List') && data.kind !== 'List' ? data.kind.slice(0, -4) : undefined;
  const listApiVersion = isRecord(data) ? str(data.apiVersion) : undefined;
  const out: KubeObject[] = [];
  items.forEach((item, i) => {
    if (!isRecord(item) || !isRecord(item.metadata) || typeof item.metadata.name !== 'string') {
      notes.add(`item ${i} has no metadata.name; skipped`);
      return;
    }
    const obj = item as KubeObject;
    if (obj.kind === undefined && listKind) obj.kind = listKind;
    if (obj.apiVersion === undefined && listApiVersion && listKind) obj.apiVersion = listApiVersion;
    out.push(obj);
  });
  return out;
}
