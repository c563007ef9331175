/** Kubernetes label selectors (matchLabels + matchExpressions), as MetalLB evaluates them on pools and nodes. */

export interface LabelSelector {
  matchLabels?: Record<string, string>;
  matchExpressions?: { key: string; operator: string; values?: string[] }[];
}

export function selectorMatches(selector: LabelSelector | undefined, labels: Record<string, string> | undefined): boolean {
  if (!selector) return true;
  const have = labels ?? {};
  for (const [key, value] of Object.entries(selector.matchLabels ?? {})) {
    if (have[key] !== value) return false;
  }
  for (const expression of selector.matchExpressions ?? []) {
    const present = Object.prototype.hasOwnProperty.call(have, expression.key);
    const values = expression.values ?? [];
    switch (expression.operator) {
      case 'In':
        if (!present || !values.includes(have[expression.key])) return false;
        break;
      case 'NotIn':
        if (present && values.includes(have[expression.key])) return false;
        break;
      case 'Exists':
        if (!present) return false;
        break;
      case 'DoesNotExist':
        if (present) return false;
        break;
      default:
        // An operator the API server would have rejected: select nothing rather than guess.
        return false;
    }
  }
  return true;
}

/** A list of selectors where an empty list means "everything" and any match selects (MetalLB's semantics). */
export function anySelectorMatches(selectors: LabelSelector[] | undefined, labels: Record<string, string> | undefined): boolean {
  if (!selectors || selectors.length === 0) return true;
  return selectors.some((selector) => selectorMatches(selector, labels));
}
