/**
 * What a partial bundle does not hold. A check that concludes from an empty list ("no endpoints",
 * "no pool contains the IP") must first know the list was read: a bundle whose manifest records the
 * list's step as skipped or failed says nothing about those objects.
 */
import { clusterItems } from '../../catalogue/index.js';
import type { ClusterModel } from '../../model/cluster.js';

/**
 * False when the manifest records the cluster list `file` (e.g. `cluster/endpointslices.json`) as
 * not collected (step skipped or failed) and the bundle does not hold the file. A model without a
 * manifest (built in memory) or a step the manifest does not list counts as collected.
 */
export function listCollected(model: ClusterModel, file: string): boolean {
  const steps = model.manifest?.clusterSteps;
  if (!Array.isArray(steps)) return true;
  if (model.raw && Object.hasOwn(model.raw, file)) return true;
  const ids = new Set(clusterItems.filter((i) => i.file === file).map((i) => i.id));
  const step = steps.find((s) => ids.has(s.step) || s.files?.includes(file));
  return !step || (step.status !== 'skipped' && step.status !== 'failed');
}
