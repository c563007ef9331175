/**
 * The three patch formats the API server applies: strategic merge patch (with the list merge keys
 * of core/v1 types and the `$setElementOrder`/`$patch`/`$retainKeys`/`$deleteFromPrimitiveList`
 * directives), JSON merge patch (RFC 7386) and JSON patch (RFC 6902).
 */

type Json = any;

/** List fields merged by key in core/v1 (`patchStrategy:"merge" patchMergeKey:...`). */
const mergeKeys: Record<string, string> = {
  containers: 'name',
  initContainers: 'name',
  ephemeralContainers: 'name',
  env: 'name',
  volumeMounts: 'mountPath',
  volumeDevices: 'devicePath',
  volumes: 'name',
  ports: 'containerPort',
  imagePullSecrets: 'name',
  hostAliases: 'ip',
  conditions: 'type',
  ownerReferences: 'uid',
};

const isObject = (v: unknown): v is Record<string, Json> => typeof v === 'object' && v !== null && !Array.isArray(v);

export class PatchError extends Error {}

export function strategicMerge(original: Json, patch: Json): Json {
  if (!isObject(patch)) return patch;
  if (patch.$patch === 'replace') {
    const { $patch: _, ...rest } = patch;
    return stripDirectives(rest);
  }
  if (patch.$patch === 'delete') return undefined;
  const result: Record<string, Json> = isObject(original) ? { ...original } : {};
  const retainKeys: string[] | undefined = Array.isArray(patch.$retainKeys) ? patch.$retainKeys : undefined;
  for (const [key, value] of Object.entries(patch)) {
    if (key === '$patch' || key === '$retainKeys') continue;
    if (key.startsWith('$setElementOrder/')) continue;
    if (key.startsWith('$deleteFromPrimitiveList/')) {
      const field = key.slice('$deleteFromPrimitiveList/'.length);
      if (Array.isArray(result[field]) && Array.isArray(value)) result[field] = result[field].filter((x: Json) => !value.includes(x));
      continue;
    }
    if (value === null) {
      delete result[key];
      continue;
    }
    const mergeKey = mergeKeys[key];
    if (Array.isArray(value) && mergeKey && (Array.isArray(result[key]) || result[key] === undefined)) {
      result[key] = mergeList(result[key] ?? [], value, mergeKey, patch[`$setElementOrder/${key}`]);
    } else if (isObject(value)) {
      const merged = strategicMerge(result[key], value);
      if (merged === undefined) delete result[key];
      else result[key] = merged;
    } else {
      result[key] = Array.isArray(value) ? value.map(stripDirectives) : value;
    }
  }
  if (retainKeys) for (const k of Object.keys(result)) if (!retainKeys.includes(k) && !(k in patch)) delete result[k];
  return result;
}

function mergeList(original: Json[], patch: Json[], key: string, order: Json[] | undefined): Json[] {
  if (patch.some((p) => isObject(p) && p.$patch === 'replace')) {
    return patch.filter((p) => !(isObject(p) && p.$patch === 'replace')).map(stripDirectives);
  }
  const result: Json[] = original.map((x) => x);
  for (const item of patch) {
    if (!isObject(item)) {
      result.push(item);
      continue;
    }
    const idx = result.findIndex((x) => isObject(x) && x[key] === item[key]);
    if (item.$patch === 'delete') {
      if (idx >= 0) result.splice(idx, 1);
      continue;
    }
    if (idx >= 0) result[idx] = strategicMerge(result[idx], item);
    else result.push(stripDirectives(item));
  }
  if (Array.isArray(order)) {
    const rank = new Map(order.map((o: Json, i: number) => [isObject(o) ? o[key] : o, i]));
    const indexed = result.map((item, i) => ({ item, i, r: rank.get(item?.[key]) }));
    indexed.sort((a, b) => (a.r ?? Number.MAX_SAFE_INTEGER) - (b.r ?? Number.MAX_SAFE_INTEGER) || a.i - b.i);
    return indexed.map((x) => x.item);
  }
  return result;
}

function stripDirectives(v: Json): Json {
  if (Array.isArray(v)) return v.map(stripDirectives);
  if (!isObject(v)) return v;
  const out: Record<string, Json> = {};
  for (const [k, x] of Object.entries(v)) if (!k.startsWith('$')) out[k] = stripDirectives(x);
  return out;
}

/** RFC 7386. */
export function jsonMergePatch(target: Json, patch: Json): Json {
  if (!isObject(patch)) return patch;
  const result: Record<string, Json> = isObject(target) ? { ...target } : {};
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete result[k];
    else result[k] = jsonMergePatch(result[k], v);
  }
  return result;
}

// ---------------------------------------------------------------- RFC 6902

function parsePointer(path: string): string[] {
  if (path === '') return [];
  if (!path.startsWith('/')) throw new PatchError(`invalid JSON pointer ${path}`);
  return path
    .slice(1)
    .split('/')
    .map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'));
}

function parentOf(doc: Json, tokens: string[]): { parent: Json; last: string } {
  let cur = doc;
  for (const t of tokens.slice(0, -1)) {
    if (Array.isArray(cur)) cur = cur[Number(t)];
    else if (isObject(cur)) cur = cur[t];
    else cur = undefined;
    if (cur === undefined) throw new PatchError(`path not found: /${tokens.join('/')}`);
  }
  return { parent: cur, last: tokens[tokens.length - 1]! };
}

function getAt(doc: Json, path: string): Json {
  let cur = doc;
  for (const t of parsePointer(path)) {
    cur = Array.isArray(cur) ? cur[Number(t)] : isObject(cur) ? cur[t] : undefined;
    if (cur === undefined) throw new PatchError(`path not found: ${path}`);
  }
  return cur;
}

function arrayIndex(token: string, length: number, forInsert: boolean): number {
  if (token === '-' && forInsert) return length;
  if (!/^\d+$/.test(token)) throw new PatchError(`invalid array index ${token}`);
  const i = Number(token);
  if (i > length || (!forInsert && i >= length)) throw new PatchError(`array index out of bounds ${token}`);
  return i;
}

function addAt(doc: Json, path: string, value: Json): Json {
  const tokens = parsePointer(path);
  if (tokens.length === 0) return value;
  const { parent, last } = parentOf(doc, tokens);
  if (Array.isArray(parent)) parent.splice(arrayIndex(last, parent.length, true), 0, value);
  else if (isObject(parent)) parent[last] = value;
  else throw new PatchError(`path not found: ${path}`);
  return doc;
}

function removeAt(doc: Json, path: string): Json {
  const tokens = parsePointer(path);
  const { parent, last } = parentOf(doc, tokens);
  if (Array.isArray(parent)) parent.splice(arrayIndex(last, parent.length, false), 1);
  else if (isObject(parent) && last in parent) delete parent[last];
  else throw new PatchError(`path not found: ${path}`);
  return doc;
}

export function jsonPatch(document: Json, ops: Json[]): Json {
  let doc = structuredClone(document);
  for (const op of ops) {
    if (!isObject(op) || typeof op.op !== 'string' || typeof op.path !== 'string') throw new PatchError('invalid operation');
    switch (op.op) {
      case 'add':
        doc = addAt(doc, op.path, structuredClone(op.value));
        break;
      case 'remove':
        doc = removeAt(doc, op.path);
        break;
      case 'replace':
        getAt(doc, op.path);
        doc = removeAt(doc, op.path);
        doc = addAt(doc, op.path, structuredClone(op.value));
        break;
      case 'move': {
        const v = getAt(doc, op.from);
        doc = removeAt(doc, op.from);
        doc = addAt(doc, op.path, v);
        break;
      }
      case 'copy':
        doc = addAt(doc, op.path, structuredClone(getAt(doc, op.from)));
        break;
      case 'test':
        if (JSON.stringify(getAt(doc, op.path)) !== JSON.stringify(op.value)) throw new PatchError(`testing value ${op.path} failed`);
        break;
      default:
        throw new PatchError(`unexpected kind: ${op.op}`);
    }
  }
  return doc;
}
