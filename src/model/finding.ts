import type { ClusterModel } from './cluster.js';

export type Severity = 'error' | 'warning' | 'info';
export type Category =
  | 'allocation'
  | 'announcement-l2'
  | 'bgp'
  | 'bfd'
  | 'frr'
  | 'memberlist'
  | 'install'
  | 'kube-proxy'
  | 'collection';

/** What a finding is about, e.g. `{ kind: 'Service', namespace: 'default', name: 'web' }`. */
export interface Subject {
  kind: 'Service' | 'Node' | 'BGPPeer' | 'IPAddressPool' | 'L2Advertisement' | 'BGPAdvertisement' | 'Pod' | 'BFDProfile' | 'Cluster' | 'Webhook' | 'ConfigMap' | 'Neighbor' | string;
  name: string;
  namespace?: string;
}

/** A pointer into the bundle plus the lines that prove the point. */
export interface Evidence {
  /** Path relative to the bundle root, e.g. `nodes/node-1/frr/bgp-neighbors.json`. */
  path: string;
  /** A short excerpt (a few lines) from that file; shown verbatim (escaped) in the report. */
  excerpt: string;
  /** Optional label, e.g. "router's NOTIFICATION in capture". */
  label?: string;
}

export interface Remediation {
  /** One sentence: what to change. */
  summary: string;
  /** Ready-to-apply YAML or a shell command, when there is one. */
  snippet?: string;
  snippetLanguage?: 'yaml' | 'shell' | 'frr' | 'text';
}

export interface Finding {
  /** The check's stable id, e.g. `bgp-session-down`. */
  id: string;
  severity: Severity;
  category: Category;
  title: string;
  /** One line: what is wrong, naming the subject, e.g. "BGP session node-1 → 192.0.2.1 is Idle: OPEN Message Error/Bad Peer AS". */
  summary: string;
  subjects: Subject[];
  evidence: Evidence[];
  remediation: Remediation;
  /**
   * Ranking hint: a root cause outranks the symptoms it explains. Higher = more likely a root cause.
   * Filled from the check's `rank` unless a check overrides it per finding.
   */
  rank?: number;
  /** Ids of findings (same subject) that this one explains; filled by the ranker. */
  explains?: string[];
}

export interface CheckDocs {
  /** Why this happens. */
  cause: string;
  /** How a person confirms it by hand (commands). */
  confirm: string;
  /** How to fix it. */
  fix: string;
  /** Upstream issue references, e.g. `metallb/metallb#1154`. */
  references?: string[];
  /**
   * Public threads (URLs) of real incidents this check was built or verified from: each has a bundle
   * in fixtures/real/incidents whose thread-found root cause this check ranks first.
   */
  threads?: string[];
}

/** One heuristic check, ESLint-rule style: one file in src/checks/rules/, pure function of the model. */
export interface Check {
  id: string;
  title: string;
  severity: Severity;
  category: Category;
  /** Root-cause weight used by the ranker (0–100); symptoms low, causes high. */
  rank: number;
  docs: CheckDocs;
  run(model: ClusterModel): Omit<Finding, 'id' | 'severity' | 'category' | 'title'>[] | Finding[];
}
