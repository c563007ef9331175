import type { Check, CheckDocs, Category, Finding, Severity } from '../model/finding.js';
import type { ClusterModel } from '../model/cluster.js';

/** What a rule returns: a finding without the fields the registry fills, optionally with its own severity. */
export type Draft = Omit<Finding, 'id' | 'severity' | 'category' | 'title'> & { severity?: Severity };

export interface RuleDefinition {
  id: string;
  title: string;
  severity: Severity;
  category: Category;
  rank: number;
  docs: CheckDocs;
  run(model: ClusterModel): Draft[];
}

/** Typed identity: lets a rule file declare its check with a `Draft[]`-returning run. */
export function defineCheck(rule: RuleDefinition): Check & { run(model: ClusterModel): Draft[] } {
  return rule;
}
