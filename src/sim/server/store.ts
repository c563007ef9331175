/**
 * The simulator's object store: every object keyed by resource and namespace/name, one global
 * resourceVersion counter bumped by every mutation, and an event log so a watch started from a
 * resourceVersion replays every later change (what `kubectl debug`'s list-then-watch relies on).
 * Stored objects are never mutated in place: each change stores a fresh copy, so event-log
 * snapshots stay valid.
 */
import { randomUUID } from 'node:crypto';
import type { KubeObject } from '../../model/cluster.js';
import { SimClock } from '../clock.js';
import type { ResourceType } from './resources.js';
import { alreadyExists, gone, notFound } from './status.js';

export type WatchEventType = 'ADDED' | 'MODIFIED' | 'DELETED';

interface LoggedEvent {
  rv: number;
  rkey: string;
  type: WatchEventType;
  object: KubeObject;
  previous?: KubeObject;
}

export interface WatchSubscription {
  rkey: string;
  namespace?: string;
  predicate: (obj: KubeObject) => boolean;
  send(type: WatchEventType, obj: KubeObject): void;
}

export const resourceKey = (rt: Pick<ResourceType, 'group' | 'resource'>): string => `${rt.group}/${rt.resource}`;
const objectKey = (namespace: string | undefined, name: string): string => `${namespace ?? ''}/${name}`;

export interface StoreOptions {
  /** How many events the log keeps; a watch from an older resourceVersion gets 410 Gone. */
  eventLogSize?: number;
  /** Stamps creationTimestamp on created objects; default the machine's clock. */
  clock?: SimClock;
}

export class ObjectStore {
  private rv = 1000;
  private readonly clock: SimClock;
  private readonly collections = new Map<string, Map<string, KubeObject>>();
  private readonly sortedKeys = new Map<string, string[]>();
  private readonly log: LoggedEvent[] = [];
  private logStart = 0;
  /** Events with rv <= compactedRv are gone from the log. */
  private compactedRv = this.rv;
  private readonly watchers = new Set<WatchSubscription>();
  private readonly eventLogSize: number;

  constructor(opts: StoreOptions = {}) {
    // Each entry pins one object version; 5000 keeps memory bounded for 1000-node worlds.
    this.eventLogSize = opts.eventLogSize ?? 5000;
    this.clock = opts.clock ?? new SimClock();
  }

  get resourceVersion(): string {
    return String(this.rv);
  }

  private collection(rkey: string): Map<string, KubeObject> {
    let c = this.collections.get(rkey);
    if (!c) {
      c = new Map();
      this.collections.set(rkey, c);
    }
    return c;
  }

  get(rt: ResourceType, namespace: string | undefined, name: string): KubeObject | undefined {
    return this.collections.get(resourceKey(rt))?.get(objectKey(rt.namespaced ? namespace : undefined, name));
  }

  mustGet(rt: ResourceType, namespace: string | undefined, name: string): KubeObject {
    const obj = this.get(rt, namespace, name);
    if (!obj) throw notFound(rt.resource, name, rt.group);
    return obj;
  }

  /** Objects in etcd key order (namespace, then name), optionally only one namespace. */
  list(rt: ResourceType, namespace?: string): KubeObject[] {
    const rkey = resourceKey(rt);
    const c = this.collections.get(rkey);
    if (!c) return [];
    let keys = this.sortedKeys.get(rkey);
    if (!keys) {
      keys = [...c.keys()].sort();
      this.sortedKeys.set(rkey, keys);
    }
    const out: KubeObject[] = [];
    const prefix = namespace !== undefined && rt.namespaced ? `${namespace}/` : undefined;
    for (const k of keys) if (!prefix || k.startsWith(prefix)) out.push(c.get(k)!);
    return out;
  }

  /** Loads an object without emitting events (initial world); the store takes ownership of `obj`. */
  seed(rt: ResourceType, obj: KubeObject): KubeObject {
    return this.insert(rt, obj, false);
  }

  create(rt: ResourceType, obj: KubeObject): KubeObject {
    return this.insert(rt, obj, true);
  }

  private insert(rt: ResourceType, obj: KubeObject, emit: boolean): KubeObject {
    const rkey = resourceKey(rt);
    const c = this.collection(rkey);
    const key = objectKey(rt.namespaced ? obj.metadata.namespace : undefined, obj.metadata.name);
    if (c.has(key)) throw alreadyExists(rt.resource, obj.metadata.name, rt.group);
    // Seeded objects are already private copies; created ones come from a request body or a caller.
    const stored = emit ? structuredClone(obj) : obj;
    stored.metadata.uid ??= randomUUID();
    stored.metadata.creationTimestamp ??= this.clock.rfc3339();
    stored.metadata.resourceVersion = String(++this.rv);
    c.set(key, stored);
    this.sortedKeys.delete(rkey);
    if (emit) this.record({ rv: this.rv, rkey, type: 'ADDED', object: stored });
    return stored;
  }

  /**
   * Replaces an object with a changed copy: `change` receives a deep clone to modify.
   * Returns the stored new version (resourceVersion bumped, MODIFIED emitted).
   */
  update(rt: ResourceType, namespace: string | undefined, name: string, change: (draft: KubeObject) => void): KubeObject {
    const rkey = resourceKey(rt);
    const key = objectKey(rt.namespaced ? namespace : undefined, name);
    const c = this.collection(rkey);
    const previous = c.get(key);
    if (!previous) throw notFound(rt.resource, name, rt.group);
    const draft = structuredClone(previous);
    change(draft);
    draft.metadata.resourceVersion = String(++this.rv);
    c.set(key, draft);
    this.record({ rv: this.rv, rkey, type: 'MODIFIED', object: draft, previous });
    return draft;
  }

  delete(rt: ResourceType, namespace: string | undefined, name: string): KubeObject {
    const rkey = resourceKey(rt);
    const key = objectKey(rt.namespaced ? namespace : undefined, name);
    const c = this.collection(rkey);
    const previous = c.get(key);
    if (!previous) throw notFound(rt.resource, name, rt.group);
    c.delete(key);
    this.sortedKeys.delete(rkey);
    const final = structuredClone(previous);
    final.metadata.resourceVersion = String(++this.rv);
    this.record({ rv: this.rv, rkey, type: 'DELETED', object: final, previous });
    return final;
  }

  private record(ev: LoggedEvent): void {
    this.log.push(ev);
    if (this.log.length - this.logStart > this.eventLogSize) {
      // Compact in batches so the array shift cost stays amortised.
      const drop = Math.max(1, Math.floor(this.eventLogSize / 10));
      this.compactedRv = this.log[this.logStart + drop - 1]!.rv;
      this.logStart += drop;
      // Drop the compacted entries now: each pins an object version and its previous one (pods of
      // a big cluster under collection: tens of kB each), and keeping them until a whole log's worth
      // had piled up held twice the log. Moving 5000 references every 500 events costs nothing.
      this.log.splice(0, this.logStart);
      this.logStart = 0;
    }
    for (const w of this.watchers) this.deliver(w, ev);
  }

  private deliver(w: WatchSubscription, ev: LoggedEvent): void {
    if (w.rkey !== ev.rkey) return;
    const ns = ev.object.metadata.namespace;
    if (w.namespace !== undefined && ns !== w.namespace) return;
    const now = w.predicate(ev.object);
    if (ev.type === 'MODIFIED' && ev.previous) {
      const before = w.predicate(ev.previous);
      // An object entering or leaving the selection looks like ADDED/DELETED to the watcher.
      if (now && !before) w.send('ADDED', ev.object);
      else if (!now && before) w.send('DELETED', ev.object);
      else if (now) w.send('MODIFIED', ev.object);
      return;
    }
    if (now) w.send(ev.type, ev.object);
  }

  /**
   * Starts a watch. With `fromRv` (a resourceVersion > 0) every logged change after it is replayed
   * first; without it, the current matching objects arrive as ADDED. Throws 410 Gone when the
   * log no longer reaches back to `fromRv`.
   */
  watch(rt: ResourceType, sub: Omit<WatchSubscription, 'rkey'>, fromRv: number | undefined): () => void {
    const w: WatchSubscription = { ...sub, rkey: resourceKey(rt) };
    if (fromRv === undefined || fromRv === 0) {
      for (const obj of this.list(rt, sub.namespace)) if (w.predicate(obj)) w.send('ADDED', obj);
    } else {
      if (fromRv < this.compactedRv) throw gone(`too old resource version: ${fromRv} (${this.rv})`);
      for (let i = this.logStart; i < this.log.length; i++) {
        const ev = this.log[i]!;
        if (ev.rv > fromRv) this.deliver(w, ev);
      }
    }
    this.watchers.add(w);
    return () => this.watchers.delete(w);
  }

  get watcherCount(): number {
    return this.watchers.size;
  }
}
