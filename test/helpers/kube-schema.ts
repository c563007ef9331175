/**
 * Whether an object is one a real API server would accept (shared by the simulator's served
 * objects, test/sim/validate-objects.test.ts, and the deploy/ manifests, test/deploy/):
 * - Kubernetes core/apps/batch/rbac/… objects validate against the Kubernetes OpenAPI schemas
 *   shipped by `kubernetes-models` (types, required fields, formats) and carry no field the
 *   OpenAPI model does not know (checked with the attribute maps of @kubernetes/client-node's
 *   generated models, generated from the same OpenAPI document);
 * - MetalLB and frr-k8s custom resources validate against the `openAPIV3Schema` of the CRDs in
 *   fixtures/upstream (copied from the upstream repositories), with unknown fields reported.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse } from 'yaml';
import * as k8s from '@kubernetes/client-node';
import type { KubeObject } from '../../src/model/cluster.js';
import { formatPath, validateSchema, type JsonSchema } from '../../src/sim/scenario/jsonschema.js';
import { upstreamDir } from '../../src/sim/scenario/install.js';

interface CrdVersionSchema {
  group: string;
  kind: string;
  version: string;
  schema: JsonSchema;
}

function loadCrdSchemas(): CrdVersionSchema[] {
  const out: CrdVersionSchema[] = [];
  for (const dir of [join(upstreamDir, 'metallb', 'crds'), join(upstreamDir, 'frr-k8s', 'crds')]) {
    for (const f of readdirSync(dir).filter((x) => x.endsWith('.yaml'))) {
      const crd = parse(readFileSync(join(dir, f), 'utf8'));
      for (const v of crd.spec.versions) out.push({ group: crd.spec.group, kind: crd.spec.names.kind, version: v.name, schema: v.schema.openAPIV3Schema });
    }
  }
  return out;
}

const crdSchemas = loadCrdSchemas();

/** `kubernetes-models/<group>/<version>/<Kind>` for a built-in API object. */
async function coreModel(o: KubeObject): Promise<{ validate(): void } | undefined> {
  const [group, version] = o.apiVersion!.includes('/') ? o.apiVersion!.split('/') : ['', o.apiVersion!];
  const path = `kubernetes-models/${group ? `${group}/` : ''}${version}/${o.kind}`;
  const mod = (await import(path)) as Record<string, new (data: unknown) => { validate(): void }>;
  const Model = mod[o.kind!];
  return Model ? new Model(o) : undefined;
}

type Attr = { baseName: string; type: string };
const models = k8s as unknown as Record<string, { getAttributeTypeMap?: () => Attr[] } | undefined>;

/** Fields the OpenAPI model of `type` does not define, as paths. */
function unknownFields(type: string, v: unknown, path: string, out: string[]): void {
  if (v === null || v === undefined) return;
  const arr = /^Array<(.+)>$/.exec(type);
  if (arr) {
    if (Array.isArray(v)) v.forEach((x, i) => unknownFields(arr[1]!, x, `${path}[${i}]`, out));
    return;
  }
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map) {
    if (typeof v === 'object') for (const [k, x] of Object.entries(v as object)) unknownFields(map[1]!, x, `${path}.${k}`, out);
    return;
  }
  const model = models[type];
  if (!model?.getAttributeTypeMap || typeof v !== 'object') return;
  const attrs = model.getAttributeTypeMap();
  for (const [k, x] of Object.entries(v as object)) {
    const a = attrs.find((t) => t.baseName === k);
    if (!a) out.push(`${path}.${k}`);
    else unknownFields(a.type, x, `${path}.${k}`, out);
  }
}

const clientModelName: Record<string, string> = { Event: 'CoreV1Event', EndpointSlice: 'V1EndpointSlice' };

/** Every problem with `o`, one line each naming the object and the field; [] when it is valid. */
export async function problemsOf(o: KubeObject): Promise<string[]> {
  const id = `${o.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name}`;
  const group = o.apiVersion!.includes('/') ? o.apiVersion!.split('/')[0]! : '';
  if (group === 'metallb.io' || group === 'frrk8s.metallb.io') {
    const version = o.apiVersion!.split('/')[1]!;
    const crd = crdSchemas.find((c) => c.group === group && c.kind === o.kind && c.version === version);
    // The MetalLB operator's own CR (operator installs) has no CRD among the upstream data.
    if (!crd) return o.kind === 'MetalLB' ? [] : [`${id}: no CRD schema for ${o.apiVersion} ${o.kind}`];
    return validateSchema(crd.schema, o, crd.schema, { closedObjects: true }).map((e) => `${id}: ${formatPath(e.path)}: ${e.message}`);
  }
  const problems: string[] = [];
  const model = await coreModel(o);
  if (!model) return [`${id}: no Kubernetes model for ${o.apiVersion} ${o.kind}`];
  try {
    model.validate();
  } catch (e) {
    problems.push(`${id}: ${(e as Error).message}`);
  }
  const typeName = clientModelName[o.kind!] ?? `V1${o.kind}`;
  const unknown: string[] = [];
  // CRD schemas are free-form JSON Schema (x-kubernetes-* keys, nested properties), not typed models.
  if (o.kind !== 'CustomResourceDefinition') unknownFields(typeName, o, id, unknown);
  for (const u of unknown) problems.push(`${u}: unknown field`);
  return problems;
}
