/**
 * `GET /api/v1/namespaces/{ns}/pods/{name}/log`: parameter validation (422 PodLogOptions),
 * container resolution as for exec, the kubelet's container-state errors (400 with its text),
 * and the body as text/plain with tailLines, limitBytes, sinceSeconds, sinceTime, timestamps and follow applied.
 */
import type { ServerResponse } from 'node:http';
import type { KubeObject } from '../../model/cluster.js';
import type { ContainerRuntime, LogLine } from './kubelet.js';
import type { SimState } from './state.js';
import type { ContainerLog } from '../world.js';
import { badRequest, invalid, type FieldError } from './status.js';

export function parseBool(v: string | null): boolean {
  if (v === null) return false;
  return !(v === '0' || v.toLowerCase() === 'false');
}

export function parseIntParam(q: URLSearchParams, name: string): number | undefined {
  const v = q.get(name);
  if (v === null) return undefined;
  if (!/^-?\d+$/.test(v.trim())) throw badRequest(`${name}: strconv.ParseInt: parsing ${JSON.stringify(v)}: invalid syntax`);
  return Number(v);
}

interface LogOptions {
  container: string | null;
  follow: boolean;
  previous: boolean;
  timestamps: boolean;
  sinceSeconds?: number;
  sinceTime?: number;
  tailLines?: number;
  limitBytes?: number;
}

function readOptions(q: URLSearchParams, podName: string): LogOptions {
  const opts: LogOptions = {
    container: q.get('container'),
    follow: parseBool(q.get('follow')),
    previous: parseBool(q.get('previous')),
    timestamps: parseBool(q.get('timestamps')),
    sinceSeconds: parseIntParam(q, 'sinceSeconds'),
    tailLines: parseIntParam(q, 'tailLines'),
    limitBytes: parseIntParam(q, 'limitBytes'),
  };
  const sinceTime = q.get('sinceTime');
  if (sinceTime !== null) {
    const t = Date.parse(sinceTime);
    if (Number.isNaN(t)) throw badRequest(`parsing time ${JSON.stringify(sinceTime)} as "2006-01-02T15:04:05Z07:00": cannot parse ${JSON.stringify(sinceTime)} as "2006"`);
    opts.sinceTime = t;
  }
  const errors: FieldError[] = [];
  if (opts.tailLines !== undefined && opts.tailLines < 0) errors.push({ type: 'FieldValueInvalid', field: 'tailLines', value: opts.tailLines, detail: 'must be greater than or equal to 0' });
  if (opts.limitBytes !== undefined && opts.limitBytes < 1) errors.push({ type: 'FieldValueInvalid', field: 'limitBytes', value: opts.limitBytes, detail: 'must be greater than 0' });
  if (opts.sinceSeconds !== undefined && opts.sinceTime !== undefined) errors.push({ type: 'FieldValueForbidden', field: '', detail: 'at most one of `sinceTime` or `sinceSeconds` may be specified' });
  else if (opts.sinceSeconds !== undefined && opts.sinceSeconds < 1) errors.push({ type: 'FieldValueInvalid', field: 'sinceSeconds', value: opts.sinceSeconds, detail: 'must be greater than 0' });
  const stream = q.get('stream');
  if (stream !== null && !['All', 'Stdout', 'Stderr'].includes(stream)) errors.push({ type: 'FieldValueNotSupported', field: 'stream', value: stream, detail: 'supported values: "All", "Stderr", "Stdout"' });
  if (errors.length > 0) throw invalid('PodLogOptions', podName, errors);
  return opts;
}

function containerStatus(pod: KubeObject, name: string): any {
  const s = pod.status ?? {};
  return [...(s.initContainerStatuses ?? []), ...(s.containerStatuses ?? []), ...(s.ephemeralContainerStatuses ?? [])].find((c: any) => c.name === name);
}

/** The kubelet's `validateContainerLogStatus`, answered as the apiserver relays it (400). */
function checkContainerState(pod: KubeObject, container: string, previous: boolean, hasWorldLog: boolean): void {
  const status = containerStatus(pod, container);
  const c = JSON.stringify(container);
  const p = JSON.stringify(pod.metadata.name);
  if (!status) {
    if (hasWorldLog) return;
    throw badRequest(`container ${c} in pod ${p} is not available`);
  }
  const { waiting, running, terminated } = status.state ?? {};
  const lastTerminated = status.lastState?.terminated;
  if (previous) {
    if (!lastTerminated) throw badRequest(`previous terminated container ${c} in pod ${p} not found`);
    return;
  }
  if (running || terminated || lastTerminated) return;
  if (waiting) {
    if (waiting.reason === 'ErrImagePull') throw badRequest(`container ${c} in pod ${p} is waiting to start: image can't be pulled`);
    if (waiting.reason === 'ImagePullBackOff') throw badRequest(`container ${c} in pod ${p} is waiting to start: trying and failing to pull image`);
    throw badRequest(`container ${c} in pod ${p} is waiting to start: ${waiting.reason ?? ''}`);
  }
}

function formatLine(line: LogLine, timestamps: boolean): string {
  return timestamps ? `${line.ts} ${line.text}\n` : `${line.text}\n`;
}

const logKey = (namespace: string, pod: string, container: string, previous: boolean): string => `${namespace}/${pod}/${container}/${previous ? 'previous' : 'current'}`;
const logIndexes = new WeakMap<ContainerLog[], { size: number; byKey: Map<string, ContainerLog> }>();

/**
 * The world's logs by pod and container: a collection asks for every speaker's logs, and scanning
 * the list for each (4 containers × N nodes requests over 4 × N logs) grew with the square of N.
 * Rebuilt when logs are added (a test or scenario may push more).
 */
function logIndex(logs: ContainerLog[]): Map<string, ContainerLog> {
  let index = logIndexes.get(logs);
  if (!index || index.size !== logs.length) {
    const byKey = new Map<string, ContainerLog>();
    // The first entry wins, as with a scan.
    for (const l of logs) {
      const key = logKey(l.namespace, l.pod, l.container, Boolean(l.previous));
      if (!byKey.has(key)) byKey.set(key, l);
    }
    index = { size: logs.length, byKey };
    logIndexes.set(logs, index);
  }
  return index.byKey;
}

export function serveLogs(state: SimState, runtime: ContainerRuntime, namespace: string, name: string, q: URLSearchParams, res: ServerResponse): void {
  const opts = readOptions(q, name);
  const pod = state.getPod(namespace, name);
  const ref = state.resolveContainer(pod, opts.container);
  const container: string = ref.spec.name;
  const worldLog = logIndex(state.world.logs).get(logKey(namespace, name, container, opts.previous));
  const proc = opts.previous ? undefined : runtime.process(namespace, name, container);
  if (!pod.spec?.nodeName) {
    res.writeHead(200, { 'Content-Type': 'text/plain' });
    res.end();
    return;
  }
  checkContainerState(pod, container, opts.previous, worldLog !== undefined || proc !== undefined);
  const now = state.clock.nowMs();
  const since = opts.sinceTime ?? (opts.sinceSeconds !== undefined ? now - opts.sinceSeconds * 1000 : undefined);
  let lines: LogLine[] = proc ? [...proc.lines] : (worldLog?.lines ?? []);
  if (since !== undefined) lines = lines.filter((l) => Date.parse(l.ts) >= since);
  if (opts.tailLines !== undefined) lines = opts.tailLines === 0 ? [] : lines.slice(-opts.tailLines);
  let budget = opts.limitBytes ?? Infinity;
  res.writeHead(200, { 'Content-Type': 'text/plain' });
  /** Writes within the byte budget; returns false once the budget is spent. */
  const emit = (text: string): boolean => {
    if (budget <= 0) return false;
    let buf = Buffer.from(text);
    if (buf.length > budget) buf = buf.subarray(0, budget);
    budget -= buf.length;
    res.write(buf);
    return budget > 0;
  };
  let open = true;
  for (const l of lines) {
    if (!emit(formatLine(l, opts.timestamps))) {
      open = false;
      break;
    }
  }
  const status = containerStatus(pod, container);
  const running = proc ? !proc.finished : Boolean(status?.state?.running) || (!status && !!worldLog);
  if (!opts.follow || !open || !running || opts.previous) {
    res.end();
    return;
  }
  // follow: stream new lines until the container stops, the budget is spent, or the client leaves.
  let unsubscribe = (): void => {};
  const finish = (): void => {
    unsubscribe();
    state.stopSignal.removeEventListener('abort', finish);
    if (!res.writableEnded) res.end();
  };
  if (proc) {
    unsubscribe = proc.followLines(
      (line) => {
        if (!emit(formatLine(line, opts.timestamps))) finish();
      },
      () => setImmediate(finish),
    );
  }
  res.on('close', finish);
  state.stopSignal.addEventListener('abort', finish, { once: true });
}
