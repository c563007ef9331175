/**
 * A small JSON Schema / OpenAPI v3 validator: the subset the scenario schema and the MetalLB /
 * frr-k8s CRD `openAPIV3Schema`s use (type, properties, required, additionalProperties, items, enum,
 * const, pattern, format, min/max*, oneOf/anyOf/allOf, nullable, x-kubernetes-int-or-string,
 * x-kubernetes-preserve-unknown-fields). Errors carry the path of the offending value so a scenario
 * author sees `install.version: ...` rather than a stack trace.
 */

export interface JsonSchema {
  type?: string | string[];
  properties?: Record<string, JsonSchema>;
  required?: string[];
  additionalProperties?: boolean | JsonSchema;
  items?: JsonSchema;
  enum?: unknown[];
  const?: unknown;
  pattern?: string;
  format?: string;
  minimum?: number;
  maximum?: number;
  exclusiveMinimum?: number;
  minLength?: number;
  maxLength?: number;
  minItems?: number;
  maxItems?: number;
  minProperties?: number;
  maxProperties?: number;
  oneOf?: JsonSchema[];
  anyOf?: JsonSchema[];
  allOf?: JsonSchema[];
  not?: JsonSchema;
  nullable?: boolean;
  description?: string;
  default?: unknown;
  $ref?: string;
  definitions?: Record<string, JsonSchema>;
  'x-kubernetes-int-or-string'?: boolean;
  'x-kubernetes-preserve-unknown-fields'?: boolean;
  [k: string]: unknown;
}

export interface SchemaError {
  /** Path segments of the offending value (object keys and array indexes). */
  path: (string | number)[];
  message: string;
}

/** `install.version`, `nodes[2].name`, or `(root)`. */
export function formatPath(path: (string | number)[]): string {
  if (path.length === 0) return '(root)';
  let out = '';
  for (const seg of path) {
    if (typeof seg === 'number') out += `[${seg}]`;
    else if (/^[A-Za-z_$][\w$-]*$/.test(seg)) out += out === '' ? seg : `.${seg}`;
    else out += `[${JSON.stringify(seg)}]`;
  }
  return out;
}

function typeOf(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function typeMatches(want: string, v: unknown): boolean {
  const got = typeOf(v);
  if (want === got) return true;
  if (want === 'number' && got === 'integer') return true;
  return false;
}

const dateTimeRe = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;
const ipv4Re = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/;

function formatOk(format: string, v: string): boolean {
  switch (format) {
    case 'date-time':
      return dateTimeRe.test(v);
    case 'ipv4':
      return ipv4Re.test(v);
    default:
      // Unknown formats (int32, int64, byte ...) annotate numbers/strings; Kubernetes does not enforce them either.
      return true;
  }
}

const patternCache = new Map<string, RegExp>();
function compiled(pattern: string): RegExp {
  let re = patternCache.get(pattern);
  if (!re) {
    re = new RegExp(pattern, 'u');
    patternCache.set(pattern, re);
  }
  return re;
}

/** Validate `value` against `schema`; returns every error found (empty = valid). */
export function validateSchema(schema: JsonSchema, value: unknown, root: JsonSchema = schema, opts: ValidateOptions = {}): SchemaError[] {
  const errors: SchemaError[] = [];
  walk(schema, value, [], errors, root, opts);
  return errors;
}

export interface ValidateOptions {
  /**
   * Treat an object schema with `properties` but no `additionalProperties` as closed. The API server
   * silently prunes such unknown fields from CRs; in tests we want to hear about them instead.
   */
  closedObjects?: boolean;
}

function resolveRef(ref: string, root: JsonSchema): JsonSchema {
  const m = /^#\/definitions\/(.+)$/.exec(ref);
  const target = m ? root.definitions?.[m[1]!] : undefined;
  if (!target) throw new Error(`unresolvable $ref ${ref}`);
  return target;
}

function walk(schemaIn: JsonSchema, v: unknown, path: (string | number)[], errors: SchemaError[], root: JsonSchema, opts: ValidateOptions): void {
  const schema = schemaIn.$ref ? resolveRef(schemaIn.$ref, root) : schemaIn;
  if (v === null && schema.nullable) return;
  if (schema['x-kubernetes-int-or-string']) {
    if (typeof v !== 'string' && !(typeof v === 'number' && Number.isInteger(v))) {
      errors.push({ path, message: `must be an integer or a string, got ${typeOf(v)}` });
    }
    return;
  }
  if (schema.type !== undefined) {
    const types = Array.isArray(schema.type) ? schema.type : [schema.type];
    if (!types.some((t) => typeMatches(t, v))) {
      errors.push({ path, message: `must be ${types.join(' or ')}, got ${typeOf(v)}` });
      return;
    }
  }
  if (schema.const !== undefined && v !== schema.const) {
    errors.push({ path, message: `must be ${JSON.stringify(schema.const)}` });
  }
  if (schema.enum && !schema.enum.some((e) => e === v)) {
    errors.push({ path, message: `must be one of ${schema.enum.map((e) => JSON.stringify(e)).join(', ')}, got ${JSON.stringify(v)}` });
  }
  if (typeof v === 'string') {
    if (schema.pattern && !compiled(schema.pattern).test(v)) {
      errors.push({ path, message: `${JSON.stringify(v)} does not match ${schema.pattern}` });
    }
    if (schema.format && !formatOk(schema.format, v)) errors.push({ path, message: `${JSON.stringify(v)} is not a valid ${schema.format}` });
    if (schema.minLength !== undefined && v.length < schema.minLength) errors.push({ path, message: `must be at least ${schema.minLength} characters` });
    if (schema.maxLength !== undefined && v.length > schema.maxLength) errors.push({ path, message: `must be at most ${schema.maxLength} characters` });
  }
  if (typeof v === 'number') {
    if (schema.minimum !== undefined && v < schema.minimum) errors.push({ path, message: `must be >= ${schema.minimum}, got ${v}` });
    if (schema.maximum !== undefined && v > schema.maximum) errors.push({ path, message: `must be <= ${schema.maximum}, got ${v}` });
    if (schema.exclusiveMinimum !== undefined && v <= schema.exclusiveMinimum) errors.push({ path, message: `must be > ${schema.exclusiveMinimum}, got ${v}` });
  }
  if (Array.isArray(v)) {
    if (schema.minItems !== undefined && v.length < schema.minItems) errors.push({ path, message: `must have at least ${schema.minItems} items` });
    if (schema.maxItems !== undefined && v.length > schema.maxItems) errors.push({ path, message: `must have at most ${schema.maxItems} items` });
    if (schema.items) v.forEach((item, i) => walk(schema.items!, item, [...path, i], errors, root, opts));
  }
  if (typeOf(v) === 'object') {
    const obj = v as Record<string, unknown>;
    const keys = Object.keys(obj);
    if (schema.minProperties !== undefined && keys.length < schema.minProperties) errors.push({ path, message: `must have at least ${schema.minProperties} properties` });
    if (schema.maxProperties !== undefined && keys.length > schema.maxProperties) errors.push({ path, message: `must have at most ${schema.maxProperties} properties` });
    for (const req of schema.required ?? []) {
      if (obj[req] === undefined) errors.push({ path: [...path, req], message: 'is required' });
    }
    for (const key of keys) {
      const value = obj[key];
      if (value === undefined) continue;
      const prop = schema.properties?.[key];
      if (prop) walk(prop, value, [...path, key], errors, root, opts);
      else if (typeof schema.additionalProperties === 'object') walk(schema.additionalProperties, value, [...path, key], errors, root, opts);
      else if (
        !schema['x-kubernetes-preserve-unknown-fields'] &&
        (schema.additionalProperties === false || (opts.closedObjects && schema.properties && schema.additionalProperties === undefined))
      ) {
        errors.push({ path: [...path, key], message: 'is not a known field' });
      }
    }
  }
  if (schema.allOf) for (const s of schema.allOf) walk(s, v, path, errors, root, opts);
  if (schema.anyOf && !schema.anyOf.some((s) => validateSchema(s, v, root, opts).length === 0)) {
    errors.push({ path, message: 'matches none of the allowed forms' });
  }
  if (schema.oneOf) {
    const results = schema.oneOf.map((s) => validateSchema(s, v, root, opts));
    const ok = results.filter((r) => r.length === 0).length;
    if (ok !== 1) {
      if (ok === 0) {
        // Report the closest alternative's errors: they usually name the real mistake.
        const best = results.reduce((a, b) => (b.length < a.length ? b : a));
        errors.push(...best.map((e) => ({ path: [...path, ...e.path], message: e.message })));
      } else errors.push({ path, message: 'matches more than one of the allowed forms' });
    }
  }
  if (schema.not && validateSchema(schema.not, v, root, opts).length === 0) errors.push({ path, message: 'matches a forbidden form' });
}
