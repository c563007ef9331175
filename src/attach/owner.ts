/**
 * How a run marks the objects it creates in the cluster (node debug pods, debug DaemonSets), so
 * that a leftover of a run that could not clean up (a killed process) can be found by label and
 * judged by its expiry: see collect/leftovers.ts and `mlb-report cleanup`.
 */
export const ownerLabel = 'app.kubernetes.io/managed-by';
export const ownerValue = 'mlb-report';
/** Label naming the run that created the object. */
export const runLabel = 'mlb-report/run';
/** RFC 3339 time after which the object is a leftover of a run that could not clean up. */
export const expiresAnnotation = 'mlb-report/expires';

/** The owner label, the run label and the expiry annotation of an object a run creates. */
export function ownerMetadata(runId: string, lifetimeSeconds: number, now = Date.now()): { labels: Record<string, string>; annotations: Record<string, string> } {
  return {
    labels: { [ownerLabel]: ownerValue, [runLabel]: runId },
    annotations: { [expiresAnnotation]: new Date(now + Math.max(1, lifetimeSeconds) * 1000).toISOString() },
  };
}
