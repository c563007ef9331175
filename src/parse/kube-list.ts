/**
 * Kubernetes object lists as written under `cluster/`: a `*List` (`{"kind":"PodList","items":[..]}`),
 * a bare array, or a single object. A `Status` (an API error saved instead of a list) becomes a note.
 * Manifests users paste (YAML, one or more `---` documents, or `kubectl get -o yaml` output) read into
 * the same objects through `parseManifests`; the kube-proxy ConfigMap and MetalLB's legacy `config`
 * ConfigMap (before 0.13) have readers for what they configure.
 */
import { parseAllDocuments, parse as parseYaml } from 'yaml';
import { cleanText, isRecord, looksBinary, num, parseJsonTolerant, str, strArray } from './json.js';
import { NoteSink, type Parsed } from './result.js';
import type { ClusterModel, KubeObject } from '../model/cluster.js';

export function parse(text: string, path: string): Parsed<KubeObject[]> {
  const notes = new NoteSink(path);
  const data = parseJsonTolerant(text, notes, 'Kubernetes JSON');
  return notes.result(objectsFrom(data, notes));
}

export function objectsFrom(data: unknown, notes: NoteSink): KubeObject[] {
  if (data === undefined) return [];
  let items: unknown[];
  if (Array.isArray(data)) items = data;
  else if (isRecord(data) && data.kind === 'Status') {
    notes.add(`API error saved instead of objects: ${str(data.reason) ?? ''} ${str(data.message) ?? ''}`.trim());
    return [];
  } else if (isRecord(data) && Array.isArray(data.items)) items = data.items;
  else if (isRecord(data) && isRecord(data.metadata)) items = [data];
  else {
    notes.add('expected a Kubernetes List or object');
    return [];
  }
  // The API leaves kind/apiVersion off list items; restore them from the list so objects stand alone.
  const listKind = isRecord(data) && typeof data.kind === 'string' && data.kind.endsWith('List') && data.kind !== 'List' ? data.kind.slice(0, -4) : undefined;
  const listApiVersion = isRecord(data) ? str(data.apiVersion) : undefined;
  const out: KubeObject[] = [];
  items.forEach((item, i) => {
    if (!isRecord(item) || !isRecord(item.metadata) || typeof item.metadata.name !== 'string') {
      notes.add(`item ${i} has no metadata.name; skipped`);
      return;
    }
    const obj = item as KubeObject;
    if (obj.kind === undefined && listKind) obj.kind = listKind;
    if (obj.apiVersion === undefined && listApiVersion && listKind) obj.apiVersion = listApiVersion;
    out.push(obj);
  });
  return out;
}

/** Alias expansion bound: a hostile paste cannot blow up memory through YAML aliases. */
const yamlOptions = { maxAliasCount: 50 } as const;

/**
 * Objects of a manifest: JSON (as `parse` reads it) or YAML with one or more documents. A document
 * that is not YAML, or not a Kubernetes object, is a note naming its position; empty documents
 * (a leading `---`) are skipped.
 */
export function parseManifests(text: string, path: string): Parsed<KubeObject[]> {
  const t = cleanText(text);
  if (/^\s*[[{]/.test(t) || looksBinary(t)) return parse(t, path);
  const notes = new NoteSink(path);
  const out: KubeObject[] = [];
  if (t.trim() === '') {
    notes.add('empty manifest');
    return notes.result(out);
  }
  parseAllDocuments(t).forEach((doc, i) => {
    if (doc.errors.length > 0) {
      notes.add(`YAML document ${i + 1} is not valid YAML: ${doc.errors[0].message.split('\n')[0]}`);
      return;
    }
    let value: unknown;
    try {
      value = doc.toJS(yamlOptions);
    } catch (e) {
      notes.add(`YAML document ${i + 1} could not be read: ${e instanceof Error ? e.message.split('\n')[0] : String(e)}`);
      return;
    }
    if (value === null || value === undefined) return;
    const sink = new NoteSink(path);
    out.push(...objectsFrom(value, sink));
    for (const n of sink.notes) notes.add(`YAML document ${i + 1}: ${n.message}`);
  });
  return notes.result(out);
}

type KubeProxy = NonNullable<ClusterModel['kube']['kubeProxy']>;

/** Proxy mode and strictARP from the kube-proxy ConfigMap's `config.conf` (KubeProxyConfiguration YAML). */
export function kubeProxyFromConfigMap(cm: KubeObject | undefined, path: string, sink: NoteSink): KubeProxy | undefined {
  if (!cm) return undefined;
  const conf = isRecord(cm.data) ? str((cm.data as Record<string, unknown>)['config.conf']) : undefined;
  if (conf === undefined) {
    sink.add('kube-proxy ConfigMap has no config.conf');
    return undefined;
  }
  let doc: unknown;
  try {
    doc = parseYaml(conf, yamlOptions) as unknown;
  } catch (e) {
    sink.add(`kube-proxy config.conf is not YAML: ${(e instanceof Error ? e.message : String(e)).split('\n')[0]}`);
    return undefined;
  }
  const mode = isRecord(doc) ? str(doc.mode) : undefined;
  const ipvs = isRecord(doc) && isRecord(doc.ipvs) ? doc.ipvs : undefined;
  const kubeProxy: KubeProxy = {
    // An empty mode means the platform default, iptables on Linux.
    mode: mode === undefined || mode === '' ? 'iptables' : mode === 'iptables' || mode === 'ipvs' || mode === 'nftables' ? mode : 'unknown',
    path,
  };
  if (typeof ipvs?.strictARP === 'boolean') kubeProxy.strictARP = ipvs.strictARP;
  return kubeProxy;
}

/**
 * The kube-proxy ConfigMap as a user pastes it (`kubectl -n kube-system get cm kube-proxy -o yaml`,
 * or its JSON): the first document with `data["config.conf"]`, even when the paste was cut before
 * `metadata` (which `-o yaml` prints after `data`).
 */
export function parseKubeProxyConfigMap(text: string, path: string): Parsed<KubeProxy | undefined> {
  const notes = new NoteSink(path);
  const t = cleanText(text);
  let docs: unknown[] = [];
  if (/^\s*[[{]/.test(t)) docs = [parseJsonTolerant(t, notes, 'ConfigMap JSON')];
  else {
    for (const doc of parseAllDocuments(t)) {
      if (doc.errors.length > 0) notes.add(`not valid YAML: ${doc.errors[0].message.split('\n')[0]}`);
      else docs.push(doc.toJS(yamlOptions));
    }
  }
  docs = docs.flatMap((d) => (isRecord(d) && Array.isArray(d.items) ? d.items : [d]));
  const cm = docs.find((d): d is KubeObject => isRecord(d) && isRecord(d.data) && typeof d.data['config.conf'] === 'string');
  if (!cm) {
    notes.add('no ConfigMap with data["config.conf"] (the KubeProxyConfiguration) found');
    return notes.result(undefined);
  }
  return notes.result(kubeProxyFromConfigMap(cm, path, notes));
}

/** What MetalLB's legacy `config` ConfigMap (before 0.13, `data.config`) configures. */
export interface LegacyMetallbConfig {
  addressPools: { name: string; protocol?: string; addresses: string[]; autoAssign?: boolean }[];
  peers: { peerAddress: string; peerASN?: number; myASN?: number; addressPools?: string[] }[];
}

/**
 * The pools and peers of a legacy MetalLB ConfigMap (`address-pools`, `peers`; MetalLB 0.13 replaced
 * it with CRs). Undefined, with a note, when `data.config` is missing or not YAML.
 */
export function legacyMetallbConfig(cm: KubeObject, path: string, sink: NoteSink): LegacyMetallbConfig | undefined {
  const text = isRecord(cm.data) ? str((cm.data as Record<string, unknown>).config) : undefined;
  if (text === undefined) {
    sink.add(`ConfigMap ${cm.metadata?.name ?? ''} has no data.config: not a legacy MetalLB configuration`);
    return undefined;
  }
  let doc: unknown;
  try {
    doc = parseYaml(text, yamlOptions) as unknown;
  } catch (e) {
    sink.add(`legacy MetalLB config is not YAML: ${(e instanceof Error ? e.message : String(e)).split('\n')[0]}`);
    return undefined;
  }
  if (!isRecord(doc)) {
    sink.add('legacy MetalLB config is not a mapping of address-pools and peers');
    return undefined;
  }
  const list = (v: unknown): Record<string, unknown>[] => (Array.isArray(v) ? v.filter(isRecord) : []);
  const config: LegacyMetallbConfig = { addressPools: [], peers: [] };
  list(doc['address-pools']).forEach((p, i) => {
    const name = str(p.name);
    if (!name) return sink.add(`legacy MetalLB config: address pool ${i + 1} has no name`);
    const pool: LegacyMetallbConfig['addressPools'][number] = { name, addresses: strArray(p.addresses) };
    if (str(p.protocol)) pool.protocol = str(p.protocol);
    if (typeof p['auto-assign'] === 'boolean') pool.autoAssign = p['auto-assign'];
    config.addressPools.push(pool);
  });
  list(doc.peers).forEach((p, i) => {
    const peerAddress = str(p['peer-address']);
    if (!peerAddress) return sink.add(`legacy MetalLB config: peer ${i + 1} has no peer-address`);
    const peer: LegacyMetallbConfig['peers'][number] = { peerAddress };
    if (num(p['peer-asn']) !== undefined) peer.peerASN = num(p['peer-asn']);
    if (num(p['my-asn']) !== undefined) peer.myASN = num(p['my-asn']);
    if (Array.isArray(p['address-pools'])) peer.addressPools = strArray(p['address-pools']);
    config.peers.push(peer);
  });
  return config;
}
