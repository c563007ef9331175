/** Kubernetes label selector evaluation, as MetalLB applies it to pools, nodes and services (used by the checks and the report). */

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

/** An empty selector matches everything (Kubernetes semantics). */
export function selectorMatches(selector: LabelSelector | undefined, labels: Record<string, string> | undefined): boolean {
  if (!selector) return true;
  const l = labels ?? {};
  for (const [k, v] of Object.entries(selector.matchLabels ?? {})) if (l[k] !== v) return false;
  for (const e of selector.matchExpressions ?? []) {
    const has = Object.prototype.hasOwnProperty.call(l, e.key);
    const values = e.values ?? [];
    switch (e.operator) {
      case 'In':
        if (!has || !values.includes(l[e.key])) return false;
        break;
      case 'NotIn':
        if (has && values.includes(l[e.key])) return false;
        break;
      case 'Exists':
        if (!has) return false;
        break;
      case 'DoesNotExist':
        if (has) return false;
        break;
      default:
        return false;
    }
  }
  return true;
}

/** A list of selectors ORed together; an empty or missing list matches everything. */
export function anySelectorMatches(selectors: LabelSelector[] | undefined, labels: Record<string, string> | undefined): boolean {
  if (!selectors || selectors.length === 0) return true;
  return selectors.some((s) => selectorMatches(s, labels));
}

export function describeSelector(s: LabelSelector): string {
  const parts = Object.entries(s.matchLabels ?? {}).map(([k, v]) => `${k}=${v}`);
  for (const e of s.matchExpressions ?? []) parts.push(`${e.key} ${e.operator} ${(e.values ?? []).join(',')}`.trim());
  return parts.join(', ') || '(everything)';
}
