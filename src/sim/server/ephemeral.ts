/**
 * The `pods/ephemeralcontainers` subresource: GET, PATCH (strategic merge, merge, JSON patch,
 * apply), PUT; only `spec.ephemeralContainers` of the body is honoured (podEphemeralContainersStrategy),
 * new containers are defaulted and validated like the real server, stored with a resourceVersion
 * bump, and handed to the runtime to start.
 */
import { parse as parseYaml } from 'yaml';
import type { KubeObject } from '../../model/cluster.js';
import type { ContainerRuntime } from './kubelet.js';
import { jsonMergePatch, jsonPatch, PatchError, strategicMerge } from './patch.js';
import type { SimState } from './state.js';
import { badRequest, conflict, invalid, patchRejected, unsupportedMediaType, type FieldError } from './status.js';

export const patchMediaTypes = [
  'application/json-patch+json',
  'application/merge-patch+json',
  'application/strategic-merge-patch+json',
  'application/apply-patch+yaml',
];

const dns1123LabelMessage =
  "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character (e.g. 'my-name',  or '123-abc', regex used for validation is '[a-z0-9]([-a-z0-9]*[a-z0-9])?')";

/** `imagePullPolicy` default: Always for `:latest` or no tag, else IfNotPresent (core/v1 defaults.go). */
export function defaultPullPolicy(image: string): string {
  if (image.includes('@')) return 'IfNotPresent';
  const last = image.slice(image.lastIndexOf('/') + 1);
  const colon = last.lastIndexOf(':');
  if (colon < 0) return 'Always';
  return last.slice(colon + 1) === 'latest' ? 'Always' : 'IfNotPresent';
}

export function defaultContainer(c: any): any {
  const out = { ...c };
  if (out.image && !out.imagePullPolicy) out.imagePullPolicy = defaultPullPolicy(out.image);
  out.terminationMessagePath ||= '/dev/termination-log';
  out.terminationMessagePolicy ||= 'File';
  return out;
}

/** JSON with sorted keys, for "did this container change" comparisons. */
function canonical(v: unknown): string {
  if (Array.isArray(v)) return `[${v.map(canonical).join(',')}]`;
  if (v && typeof v === 'object') {
    return `{${Object.keys(v)
      .filter((k) => (v as any)[k] !== undefined)
      .sort()
      .map((k) => `${JSON.stringify(k)}:${canonical((v as any)[k])}`)
      .join(',')}}`;
  }
  return JSON.stringify(v);
}

function changeSummary(before: any, after: any): string {
  const keys = [...new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})])].sort();
  const lines = ['  core.EphemeralContainer{'];
  for (const k of keys) {
    if (canonical(before?.[k]) === canonical(after?.[k])) continue;
    if (before?.[k] !== undefined) lines.push(`- \t${k}: ${JSON.stringify(before[k])},`);
    if (after?.[k] !== undefined) lines.push(`+ \t${k}: ${JSON.stringify(after[k])},`);
  }
  lines.push('  }');
  return lines.join('\n');
}

const forbiddenEphemeralFields = ['ports', 'livenessProbe', 'readinessProbe', 'startupProbe', 'lifecycle', 'resizePolicy', 'restartPolicy'];

export function validateEphemeralContainers(pod: KubeObject, previous: any[], next: any[]): FieldError[] {
  const errors: FieldError[] = [];
  const base = 'spec.ephemeralContainers';
  if (pod.metadata.annotations?.['kubernetes.io/config.mirror'] !== undefined) {
    errors.push({ type: 'FieldValueForbidden', field: '', detail: 'static pods do not support ephemeral containers' });
    return errors;
  }
  const spec = pod.spec ?? {};
  const regularNames = new Set<string>([...(spec.containers ?? []), ...(spec.initContainers ?? [])].map((c: any) => c.name));
  const seen = new Set<string>();
  next.forEach((c, i) => {
    const path = `${base}[${i}]`;
    if (!c || typeof c !== 'object') {
      errors.push({ type: 'FieldValueInvalid', field: path, value: c, detail: 'must be an object' });
      return;
    }
    if (!c.name) errors.push({ type: 'FieldValueRequired', field: `${path}.name` });
    else if (!/^[a-z0-9]([-a-z0-9]*[a-z0-9])?$/.test(c.name) || c.name.length > 63) errors.push({ type: 'FieldValueInvalid', field: `${path}.name`, value: c.name, detail: dns1123LabelMessage });
    else if (regularNames.has(c.name) || seen.has(c.name)) errors.push({ type: 'FieldValueDuplicate', field: `${path}.name`, value: c.name });
    if (c.name) seen.add(c.name);
    if (!c.image) errors.push({ type: 'FieldValueRequired', field: `${path}.image` });
    if (c.terminationMessagePolicy && !['File', 'FallbackToLogsOnError'].includes(c.terminationMessagePolicy)) {
      errors.push({ type: 'FieldValueNotSupported', field: `${path}.terminationMessagePolicy`, value: c.terminationMessagePolicy, detail: 'supported values: "File", "FallbackToLogsOnError"' });
    }
    if (c.imagePullPolicy && !['Always', 'IfNotPresent', 'Never'].includes(c.imagePullPolicy)) {
      errors.push({ type: 'FieldValueNotSupported', field: `${path}.imagePullPolicy`, value: c.imagePullPolicy, detail: 'supported values: "Always", "IfNotPresent", "Never"' });
    }
    if (c.targetContainerName && !regularNames.has(c.targetContainerName)) {
      errors.push({ type: 'FieldValueNotFound', field: `${path}.targetContainerName`, value: c.targetContainerName });
    }
    for (const f of forbiddenEphemeralFields) {
      if (c[f] !== undefined && c[f] !== null) errors.push({ type: 'FieldValueForbidden', field: `${path}.${f}`, detail: 'cannot be set for an Ephemeral Container' });
    }
    const res = c.resources;
    if (res && typeof res === 'object' && Object.values(res).some((v) => v && (typeof v !== 'object' || Object.keys(v).length > 0))) {
      errors.push({ type: 'FieldValueForbidden', field: `${path}.resources`, detail: 'cannot be set for an Ephemeral Container' });
    }
    (c.volumeMounts ?? []).forEach((m: any, j: number) => {
      if (m?.subPath) errors.push({ type: 'FieldValueForbidden', field: `${path}.volumeMounts[${j}].subPath`, detail: 'cannot be set for an Ephemeral Container' });
      if (m?.subPathExpr) errors.push({ type: 'FieldValueForbidden', field: `${path}.volumeMounts[${j}].subPathExpr`, detail: 'cannot be set for an Ephemeral Container' });
    });
  });
  const nextByName = new Map(next.filter((c) => c && typeof c === 'object').map((c) => [c.name, c]));
  for (const old of previous) {
    const now = nextByName.get(old.name);
    if (!now) errors.push({ type: 'FieldValueForbidden', field: base, detail: `existing ephemeral containers "${old.name}" may not be removed\n` });
    else if (canonical(now) !== canonical(old)) {
      errors.push({ type: 'FieldValueForbidden', field: base, detail: `existing ephemeral containers "${old.name}" may not be changed\n${changeSummary(old, now)}` });
    }
  }
  return errors;
}

export interface EphemeralPatchRequest {
  namespace: string;
  name: string;
  method: 'PATCH' | 'PUT';
  contentType: string;
  body: Buffer;
}

export interface EphemeralPatchResult {
  pod: KubeObject;
  warnings: string[];
}

function parseBody(body: Buffer, yamlAllowed: boolean): any {
  const text = body.toString('utf8');
  try {
    return JSON.parse(text);
  } catch (e) {
    if (yamlAllowed) {
      try {
        return parseYaml(text);
      } catch {
        // fall through to the JSON error
      }
    }
    throw badRequest(`error decoding patch: ${(e as Error).message}`);
  }
}

/** Applies a PATCH/PUT to the subresource and returns the stored pod. */
export function updateEphemeralContainers(state: SimState, runtime: ContainerRuntime, req: EphemeralPatchRequest): EphemeralPatchResult {
  const pod = state.getPod(req.namespace, req.name);
  const mediaType = req.contentType.split(';')[0]!.trim().toLowerCase();
  const warnings: string[] = [];
  let candidate: any;
  if (req.method === 'PUT') {
    const body = parseBody(req.body, false);
    const rv = body?.metadata?.resourceVersion;
    if (rv && rv !== pod.metadata.resourceVersion) {
      throw conflict('pods', req.name, 'the object has been modified; please apply your changes to the latest version and try again');
    }
    candidate = body;
  } else if (mediaType === 'application/strategic-merge-patch+json' || mediaType === 'application/apply-patch+yaml') {
    const patch = parseBody(req.body, mediaType === 'application/apply-patch+yaml');
    if (!patch || typeof patch !== 'object' || Array.isArray(patch)) throw badRequest('json: cannot unmarshal array into Go value of type map[string]interface {}');
    candidate = strategicMerge(pod, patch);
  } else if (mediaType === 'application/merge-patch+json') {
    const patch = parseBody(req.body, false);
    candidate = jsonMergePatch(pod, patch);
  } else if (mediaType === 'application/json-patch+json') {
    const ops = parseBody(req.body, false);
    if (!Array.isArray(ops)) throw badRequest(`json: cannot unmarshal ${ops === null ? 'null' : typeof ops} into Go value of type jsonpatch.Patch`);
    try {
      candidate = jsonPatch(pod, ops);
    } catch (e) {
      if (e instanceof PatchError) throw patchRejected();
      throw e;
    }
  } else {
    throw unsupportedMediaType(patchMediaTypes);
  }
  // Fields outside a Pod's shape are dropped while decoding, with a warning (fieldValidation=Warn).
  if (candidate && typeof candidate === 'object') {
    for (const k of Object.keys(candidate)) {
      if (!['apiVersion', 'kind', 'metadata', 'spec', 'status'].includes(k)) warnings.push(`unknown field "${k}"`);
    }
  }
  const previous: any[] = pod.spec?.ephemeralContainers ?? [];
  const rawNext = candidate?.spec?.ephemeralContainers;
  const next: any[] = Array.isArray(rawNext) ? rawNext : rawNext === undefined || rawNext === null ? [] : [rawNext];
  const previousNames = new Set(previous.map((c) => c.name));
  const defaulted = next.map((c) => (c && typeof c === 'object' && !previousNames.has(c.name) ? defaultContainer(c) : c));
  const errors = validateEphemeralContainers(pod, previous, defaulted);
  if (errors.length > 0) throw invalid('Pod', req.name, errors);
  const added = defaulted.filter((c) => !previousNames.has(c.name)).map((c) => c.name as string);
  if (added.length === 0 && defaulted.length === previous.length) return { pod, warnings };
  const stored = state.store.update(state.podType, req.namespace, req.name, (draft) => {
    draft.spec.ephemeralContainers = defaulted;
  });
  for (const name of added) runtime.startEphemeral(stored, name);
  return { pod: stored, warnings };
}
