/**
 * Just enough Kubernetes protobuf to read the Pod that `kubectl debug node/...` (and `--copy-to`)
 * POSTs: the `k8s\0` envelope (runtime.Unknown) and the Pod fields those commands set
 * (field numbers from k8s.io/api/core/v1/generated.proto @ kubernetes-1.32.4).
 */

type WireValue = number | Buffer;
type Fields = Map<number, WireValue[]>;

function readVarint(buf: Buffer, pos: number): [number, number] {
  let result = 0;
  let shift = 0;
  for (;;) {
    if (pos >= buf.length) throw new Error('truncated varint');
    const b = buf[pos++]!;
    result += (b & 0x7f) * 2 ** shift;
    if ((b & 0x80) === 0) return [result, pos];
    shift += 7;
    if (shift > 63) throw new Error('varint too long');
  }
}

function decodeFields(buf: Buffer): Fields {
  const fields: Fields = new Map();
  let pos = 0;
  while (pos < buf.length) {
    const [key, next] = readVarint(buf, pos);
    pos = next;
    const field = Math.floor(key / 8);
    const wire = key & 7;
    let value: WireValue;
    if (wire === 0) [value, pos] = readVarint(buf, pos);
    else if (wire === 2) {
      const [len, start] = readVarint(buf, pos);
      if (start + len > buf.length) throw new Error('truncated field');
      value = buf.subarray(start, start + len);
      pos = start + len;
    } else if (wire === 1) {
      value = buf.subarray(pos, pos + 8);
      pos += 8;
    } else if (wire === 5) {
      value = buf.subarray(pos, pos + 4);
      pos += 4;
    } else throw new Error(`unsupported wire type ${wire}`);
    const list = fields.get(field) ?? [];
    list.push(value);
    fields.set(field, list);
  }
  return fields;
}

// ---------------------------------------------------------------- schema

type FieldSpec =
  | { name: string; type: 'string' | 'int' | 'bool' | 'ptrbool' }
  | { name: string; type: 'strings' }
  | { name: string; type: 'map' }
  | { name: string; type: 'message'; schema: Schema; repeated?: boolean }
  | { name: string; type: 'inline'; schema: Schema };
type Schema = Record<number, FieldSpec>;

const s = (name: string): FieldSpec => ({ name, type: 'string' });
const i = (name: string): FieldSpec => ({ name, type: 'int' });
const b = (name: string): FieldSpec => ({ name, type: 'bool' });
const pb = (name: string): FieldSpec => ({ name, type: 'ptrbool' });
const msg = (name: string, schema: Schema, repeated = false): FieldSpec => ({ name, type: 'message', schema, repeated });

const objectMeta: Schema = { 1: s('name'), 2: s('generateName'), 3: s('namespace'), 5: s('uid'), 6: s('resourceVersion'), 11: { name: 'labels', type: 'map' }, 12: { name: 'annotations', type: 'map' } };
const capabilities: Schema = { 1: { name: 'add', type: 'strings' }, 2: { name: 'drop', type: 'strings' } };
const securityContext: Schema = {
  1: msg('capabilities', capabilities),
  2: pb('privileged'),
  4: i('runAsUser'),
  5: pb('runAsNonRoot'),
  7: pb('allowPrivilegeEscalation'),
  11: msg('seccompProfile', { 1: s('type'), 2: s('localhostProfile') }),
};
const podSecurityContext: Schema = { 2: i('runAsUser'), 3: pb('runAsNonRoot'), 5: i('fsGroup'), 6: i('runAsGroup'), 10: msg('seccompProfile', { 1: s('type') }) };
const container: Schema = {
  1: s('name'),
  2: s('image'),
  3: { name: 'command', type: 'strings' },
  4: { name: 'args', type: 'strings' },
  5: s('workingDir'),
  6: msg('ports', { 1: s('name'), 2: i('hostPort'), 3: i('containerPort'), 4: s('protocol') }, true),
  7: msg('env', { 1: s('name'), 2: s('value') }, true),
  8: msg('resources', {}),
  9: msg('volumeMounts', { 1: s('name'), 2: b('readOnly'), 3: s('mountPath'), 4: s('subPath') }, true),
  13: s('terminationMessagePath'),
  14: s('imagePullPolicy'),
  15: msg('securityContext', securityContext),
  16: b('stdin'),
  17: b('stdinOnce'),
  18: b('tty'),
  20: s('terminationMessagePolicy'),
};
const volume: Schema = { 1: s('name'), 2: { name: '', type: 'inline', schema: { 1: msg('hostPath', { 1: s('path'), 2: s('type') }), 2: msg('emptyDir', {}) } } };
const toleration: Schema = { 1: s('key'), 2: s('operator'), 3: s('value'), 4: s('effect'), 5: i('tolerationSeconds') };
const podSpec: Schema = {
  1: msg('volumes', volume, true),
  2: msg('containers', container, true),
  3: s('restartPolicy'),
  4: i('terminationGracePeriodSeconds'),
  6: s('dnsPolicy'),
  7: { name: 'nodeSelector', type: 'map' },
  8: s('serviceAccountName'),
  10: s('nodeName'),
  11: b('hostNetwork'),
  12: b('hostPID'),
  13: b('hostIPC'),
  14: msg('securityContext', podSecurityContext),
  20: msg('initContainers', container, true),
  22: msg('tolerations', toleration, true),
  27: pb('shareProcessNamespace'),
  34: msg('ephemeralContainers', { 1: { name: '', type: 'inline', schema: container }, 2: s('targetContainerName') }, true),
};
const pod: Schema = { 1: msg('metadata', objectMeta), 2: msg('spec', podSpec) };

function decodeMessage(buf: Buffer, schema: Schema): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [num, values] of decodeFields(buf)) {
    const spec = schema[num];
    if (!spec) continue;
    const last = values[values.length - 1]!;
    switch (spec.type) {
      case 'string': {
        const v = Buffer.isBuffer(last) ? last.toString('utf8') : '';
        if (v !== '') out[spec.name] = v; // gogo writes empty strings: treat them as unset
        break;
      }
      case 'int':
        if (typeof last === 'number') out[spec.name] = last;
        break;
      case 'bool':
        if (last === 1) out[spec.name] = true; // non-pointer false is the zero value (omitted in JSON)
        break;
      case 'ptrbool':
        out[spec.name] = last === 1;
        break;
      case 'strings':
        out[spec.name] = values.filter(Buffer.isBuffer).map((v) => v.toString('utf8'));
        break;
      case 'map': {
        const m: Record<string, string> = {};
        for (const entry of values) {
          if (!Buffer.isBuffer(entry)) continue;
          const e = decodeMessage(entry, { 1: s('key'), 2: s('value') });
          m[String(e.key ?? '')] = String(e.value ?? '');
        }
        out[spec.name] = m;
        break;
      }
      case 'message':
        if (spec.repeated) out[spec.name] = values.filter(Buffer.isBuffer).map((v) => decodeMessage(v, spec.schema));
        else if (Buffer.isBuffer(last)) out[spec.name] = decodeMessage(last, spec.schema);
        break;
      case 'inline':
        if (Buffer.isBuffer(last)) Object.assign(out, decodeMessage(last, spec.schema));
        break;
    }
  }
  return out;
}

// `kubectl auth can-i` creates its SelfSubjectAccessReview with the typed (protobuf) client too
// (k8s.io/api/authorization/v1/generated.proto).
const resourceAttributes: Schema = { 1: s('namespace'), 2: s('verb'), 3: s('group'), 4: s('version'), 5: s('resource'), 6: s('subresource'), 7: s('name') };
const selfSubjectAccessReview: Schema = {
  1: msg('metadata', objectMeta),
  2: msg('spec', { 1: msg('resourceAttributes', resourceAttributes), 2: msg('nonResourceAttributes', { 1: s('path'), 2: s('verb') }) }),
};
const schemasByKind: Record<string, { apiVersion: string; schema: Schema }> = {
  Pod: { apiVersion: 'v1', schema: pod },
  SelfSubjectAccessReview: { apiVersion: 'authorization.k8s.io/v1', schema: selfSubjectAccessReview },
  DeleteOptions: { apiVersion: 'v1', schema: { 1: i('gracePeriodSeconds'), 4: s('propagationPolicy'), 5: { name: 'dryRun', type: 'strings' } } },
  SelfSubjectRulesReview: { apiVersion: 'authorization.k8s.io/v1', schema: { 1: msg('metadata', objectMeta), 2: msg('spec', { 1: s('namespace') }) } },
};

const magic = Buffer.from([0x6b, 0x38, 0x73, 0x00]);

/** Decodes a `application/vnd.kubernetes.protobuf` body (Pod, SelfSubject*Review) into its JSON shape. */
export function decodeProtobufObject(body: Buffer, expectedKind?: string): Record<string, any> {
  if (body.length < 4 || !body.subarray(0, 4).equals(magic)) throw new Error('provided data does not appear to be a protobuf message, expected prefix [107 56 115 0]');
  const unknown = decodeFields(body.subarray(4));
  const typeMetaRaw = unknown.get(1)?.[0];
  const raw = unknown.get(2)?.[0];
  const typeMeta = Buffer.isBuffer(typeMetaRaw) ? decodeMessage(typeMetaRaw, { 1: s('apiVersion'), 2: s('kind') }) : {};
  const kind = String(typeMeta.kind ?? expectedKind ?? '');
  if (expectedKind && kind !== expectedKind) throw new Error(`expected a ${expectedKind}, got ${kind}`);
  const known = schemasByKind[kind];
  if (!known) throw new Error(`no protobuf support for kind ${JSON.stringify(kind)}`);
  if (!Buffer.isBuffer(raw)) throw new Error('protobuf envelope without an object');
  return { apiVersion: known.apiVersion, kind, ...decodeMessage(raw, known.schema) };
}

export function decodeProtobufPod(body: Buffer): Record<string, any> {
  return decodeProtobufObject(body, 'Pod');
}

// ---------------------------------------------------------------- encoder (tests build kubectl-like bodies with it)

function varint(n: number): Buffer {
  const out: number[] = [];
  let v = n;
  while (v >= 0x80) {
    out.push((v % 128) | 0x80);
    v = Math.floor(v / 128);
  }
  out.push(v);
  return Buffer.from(out);
}

function encodeMessage(obj: Record<string, any>, schema: Schema): Buffer {
  const parts: Buffer[] = [];
  const field = (num: number, wire: number, payload: Buffer): void => {
    parts.push(varint(num * 8 + wire), payload);
  };
  const bytes = (num: number, b: Buffer): void => field(num, 2, Buffer.concat([varint(b.length), b]));
  for (const [numText, spec] of Object.entries(schema)) {
    const num = Number(numText);
    if (spec.type === 'inline') {
      const inner = encodeMessage(obj, spec.schema);
      if (inner.length > 0) bytes(num, inner);
      continue;
    }
    const v = obj[spec.name];
    if (v === undefined) continue;
    switch (spec.type) {
      case 'string':
        bytes(num, Buffer.from(String(v)));
        break;
      case 'int':
        field(num, 0, varint(Number(v)));
        break;
      case 'bool':
      case 'ptrbool':
        field(num, 0, varint(v ? 1 : 0));
        break;
      case 'strings':
        for (const x of v as string[]) bytes(num, Buffer.from(x));
        break;
      case 'map':
        for (const [k, x] of Object.entries(v as Record<string, string>)) bytes(num, encodeMessage({ key: k, value: x }, { 1: s('key'), 2: s('value') }));
        break;
      case 'message':
        if (spec.repeated) for (const x of v as any[]) bytes(num, encodeMessage(x, spec.schema));
        else bytes(num, encodeMessage(v, spec.schema));
        break;
    }
  }
  return Buffer.concat(parts);
}

/** Encodes a Pod the way client-go does (envelope + gogo fields), for tests. */
export function encodeProtobufPod(podJson: Record<string, any>): Buffer {
  const typeMeta = encodeMessage({ apiVersion: 'v1', kind: 'Pod' }, { 1: s('apiVersion'), 2: s('kind') });
  const raw = encodeMessage(podJson, pod);
  const envelope = Buffer.concat([varint(1 * 8 + 2), varint(typeMeta.length), typeMeta, varint(2 * 8 + 2), varint(raw.length), raw]);
  return Buffer.concat([magic, envelope]);
}
