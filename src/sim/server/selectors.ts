/**
 * Label and field selectors as the API server parses them
 * (`k8s.io/apimachinery/pkg/labels`, `.../fields`).
 */
import type { KubeObject } from '../../model/cluster.js';
import { badRequest } from './status.js';

export type ObjectPredicate = (obj: KubeObject) => boolean;

type LabelRequirement =
  | { op: 'eq' | 'neq'; key: string; value: string }
  | { op: 'in' | 'notin'; key: string; values: string[] }
  | { op: 'exists' | 'notexists'; key: string };

/** Splits on commas that are not inside `(...)`. */
function splitTopLevel(s: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let current = '';
  for (const ch of s) {
    if (ch === '(') depth++;
    if (ch === ')') depth--;
    if (ch === ',' && depth === 0) {
      parts.push(current);
      current = '';
    } else current += ch;
  }
  parts.push(current);
  return parts.map((p) => p.trim()).filter((p) => p.length > 0);
}

export function parseLabelSelector(selector: string | null): ObjectPredicate {
  if (!selector || selector.trim() === '') return () => true;
  const reqs: LabelRequirement[] = splitTopLevel(selector).map((part) => {
    let m = /^([^\s!=]+)\s+(in|notin)\s+\(([^)]*)\)$/.exec(part);
    if (m) return { op: m[2] as 'in' | 'notin', key: m[1]!, values: m[3]!.split(',').map((v) => v.trim()) };
    m = /^([^\s!=]+)\s*(==|=|!=)\s*([^\s]*)$/.exec(part);
    if (m) return { op: m[2] === '!=' ? 'neq' : 'eq', key: m[1]!, value: m[3]! };
    m = /^!\s*([^\s!=]+)$/.exec(part);
    if (m) return { op: 'notexists', key: m[1]! };
    m = /^([^\s!=(),]+)$/.exec(part);
    if (m) return { op: 'exists', key: m[1]! };
    throw badRequest(`unable to parse requirement: found '${part}', expected: in, notin, =, ==, !=, gt, lt`);
  });
  return (obj) => {
    const labels = obj.metadata.labels ?? {};
    return reqs.every((r) => {
      const has = Object.prototype.hasOwnProperty.call(labels, r.key);
      const v = labels[r.key];
      switch (r.op) {
        case 'eq':
          return has && v === r.value;
        case 'neq':
          return !has || v !== r.value;
        case 'in':
          return has && r.values.includes(v!);
        case 'notin':
          return !has || !r.values.includes(v!);
        case 'exists':
          return has;
        case 'notexists':
          return !has;
      }
    });
  };
}

/** Field labels each resource supports (the server rejects any other with 400). */
const supportedFields: Record<string, string[]> = {
  pods: [
    'spec.nodeName',
    'spec.restartPolicy',
    'spec.schedulerName',
    'spec.serviceAccountName',
    'spec.hostNetwork',
    'status.phase',
    'status.podIP',
    'status.podIPs',
    'status.nominatedNodeName',
  ],
  events: [
    'involvedObject.kind',
    'involvedObject.namespace',
    'involvedObject.name',
    'involvedObject.uid',
    'involvedObject.apiVersion',
    'involvedObject.resourceVersion',
    'involvedObject.fieldPath',
    'reason',
    'reportingComponent',
    'source',
    'type',
  ],
  nodes: ['spec.unschedulable'],
  secrets: ['type'],
  namespaces: ['status.phase'],
  replicasets: ['status.replicas'],
};

function fieldValue(obj: KubeObject, path: string): string {
  if (path === 'spec.hostNetwork') return String(Boolean(obj.spec?.hostNetwork));
  if (path === 'spec.unschedulable') return String(Boolean(obj.spec?.unschedulable));
  if (path === 'source') return String((obj as any).source?.component ?? '');
  if (path === 'status.podIPs') return String(obj.status?.podIPs?.[0]?.ip ?? '');
  let cur: any = obj;
  for (const part of path.split('.')) cur = cur?.[part];
  return cur === undefined || cur === null ? '' : String(cur);
}

export function parseFieldSelector(selector: string | null, resource: string): ObjectPredicate {
  if (!selector || selector.trim() === '') return () => true;
  const allowed = new Set(['metadata.name', 'metadata.namespace', ...(supportedFields[resource] ?? [])]);
  const reqs = selector.split(',').map((part) => {
    const m = /^([^=!]+)(==|=|!=)(.*)$/.exec(part.trim());
    if (!m) throw badRequest(`invalid selector: '${selector}'; can't understand '${part}'`);
    const key = m[1]!.trim();
    if (!allowed.has(key)) throw badRequest(`field label not supported: ${key}`);
    return { key, negate: m[2] === '!=', value: m[3]!.trim() };
  });
  return (obj) => reqs.every((r) => (fieldValue(obj, r.key) === r.value) !== r.negate);
}
