/**
 * Several catalogue commands in one exec. Every exec is an API request, a WebSocket and a CRI exec
 * setup on the kubelet; running a node's fifteen commands one exec each made the exec round trip,
 * not the commands, the cost of a collection. A batch runs them one after another in one `sh -c`,
 * each under `timeout`, and frames each command's stdout and stderr with markers that carry a
 * per-batch random nonce (so no command output can forge one) and the command's exit status.
 *
 * The client reads the stream as it arrives: an item is done when its end marker arrives, which
 * also gives its duration; a watchdog aborts the batch when the running item outlives its timeout,
 * so the items already finished are kept and only the rest is lost.
 */
import { randomBytes } from 'node:crypto';

export interface BatchItem {
  id: string;
  command: string[];
  timeoutMs: number;
  maxBytes: number;
}

export interface BatchItemResult {
  stdout: Buffer;
  stderr: string;
  /** Exit status of the command (124/143: killed by `timeout`). */
  exitCode?: number;
  /** The command started (its begin marker arrived). */
  started: boolean;
  /** The command finished (its end marker arrived). */
  finished: boolean;
  truncated: boolean;
  timedOut: boolean;
  durationMs: number;
}

const safeWord = /^[A-Za-z0-9_@%+=:,./-]+$/;

/** A word for `sh`: bare when it needs no quoting, else single-quoted. */
export function shellQuote(word: string): string {
  return word !== '' && safeWord.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

export function newNonce(): string {
  return randomBytes(8).toString('hex');
}

const markerPrefix = (nonce: string): string => `@@mlb-report:${nonce}`;

/**
 * The `sh -c` argv running `items` in order. Exit codes of `timeout`: 124 (coreutils) or 143
 * (busybox: the child's SIGTERM status) when the command ran out of time.
 */
export function batchCommand(items: BatchItem[], nonce: string): string[] {
  const m = markerPrefix(nonce);
  const lines = items.map((item) => {
    const seconds = Math.max(1, Math.ceil(item.timeoutMs / 1000));
    const cmd = item.command.map(shellQuote).join(' ');
    // The end marker follows the output directly (no newline added), so output is kept byte for byte.
    return `echo '${m} begin ${item.id}'; echo '${m} begin ${item.id}' >&2; timeout ${seconds} ${cmd}; echo "${m} end ${item.id} $?"; echo '${m} end ${item.id}' >&2`;
  });
  return ['sh', '-c', lines.join('\n')];
}

/**
 * Splits a batch's stdout and stderr as they arrive. `push*` may be called with any chunking;
 * `results()` can be read at any time (e.g. after a watchdog abort) and describes each item.
 */
export class BatchDemux {
  private readonly chunks: Buffer[] = [];
  private bytes = 0;
  private pending = '';
  private err = '';
  private readonly beginAt = new Map<string, number>();
  private readonly endAt = new Map<string, number>();
  private readonly prefix: string;
  /** When the exec started (the first item's duration counts from here); see `start()`. */
  private startedAt = Date.now();

  constructor(
    readonly items: BatchItem[],
    readonly nonce: string,
    /** Called when an item's end marker arrives (watchdogs re-arm on it). */
    private readonly onItemEnd: (id: string, index: number) => void = () => {},
  ) {
    this.prefix = markerPrefix(nonce);
  }

  /** Marks the exec's start (after any wait for a stream slot). */
  start(): void {
    this.startedAt = Date.now();
  }

  pushStdout(chunk: Buffer): void {
    this.chunks.push(chunk);
    this.bytes += chunk.length;
    // Scan only new text plus the unfinished last line of the previous chunk: outputs run to
    // megabytes and chunks arrive by the thousand. Markers are ASCII, so latin1 is exact.
    const text = this.pending + chunk.toString('latin1');
    const lastNl = text.lastIndexOf('\n');
    const complete = lastNl >= 0 ? text.slice(0, lastNl + 1) : '';
    // A marker line is short: an unfinished tail longer than that cannot hold one.
    this.pending = (lastNl >= 0 ? text.slice(lastNl + 1) : text).slice(-256);
    if (!complete.includes(this.prefix)) return;
    const re = new RegExp(`${this.prefix} (begin|end) (\\S+)`, 'g');
    let m: RegExpExecArray | null;
    while ((m = re.exec(complete))) {
      const [, kind, id] = m;
      if (kind === 'begin' && !this.beginAt.has(id!)) this.beginAt.set(id!, Date.now());
      if (kind === 'end' && !this.endAt.has(id!)) {
        this.endAt.set(id!, Date.now());
        this.onItemEnd(id!, this.items.findIndex((i) => i.id === id));
      }
    }
  }

  /** Bytes of stdout received so far. */
  get receivedBytes(): number {
    return this.bytes;
  }

  pushStderr(text: string): void {
    if (this.err.length < 4 * 1024 * 1024) this.err += text;
  }

  /** The item that has begun and not ended (the one a watchdog is waiting for). */
  running(): BatchItem | undefined {
    return this.items.find((i) => this.beginAt.has(i.id) && !this.endAt.has(i.id));
  }

  results(): Map<string, BatchItemResult> {
    const out = Buffer.concat(this.chunks);
    const s = out.toString('latin1');
    const res = new Map<string, BatchItemResult>();
    let prevEnd = this.startedAt;
    for (const item of this.items) {
      const begin = `${this.prefix} begin ${item.id}\n`;
      const endRe = new RegExp(`${this.prefix} end ${escapeRe(item.id)} (\\d+)\\n`, 'g');
      const b = s.indexOf(begin);
      const started = b >= 0;
      let stdout = Buffer.alloc(0);
      let exitCode: number | undefined;
      let finished = false;
      if (started) {
        const from = b + begin.length;
        endRe.lastIndex = from;
        const e = endRe.exec(s);
        if (e) {
          finished = true;
          exitCode = Number(e[1]);
          stdout = out.subarray(from, e.index);
        } else {
          // Cut off mid-command (watchdog or connection end): keep what arrived, minus any later marker.
          const next = s.indexOf(this.prefix, from);
          stdout = out.subarray(from, next >= 0 ? next : out.length);
        }
      }
      const truncated = stdout.length > item.maxBytes;
      if (truncated) stdout = stdout.subarray(0, item.maxBytes);
      const end = this.endAt.get(item.id) ?? (started ? Date.now() : prevEnd);
      const beginTime = this.beginAt.get(item.id) ?? prevEnd;
      res.set(item.id, {
        stdout,
        stderr: this.stderrOf(item.id),
        exitCode,
        started,
        finished,
        truncated,
        timedOut: finished && (exitCode === 124 || exitCode === 143),
        durationMs: started ? Math.max(0, end - Math.min(beginTime, end)) : 0,
      });
      if (finished) prevEnd = end;
    }
    return res;
  }

  private stderrOf(id: string): string {
    const begin = `${this.prefix} begin ${id}\n`;
    const b = this.err.indexOf(begin);
    if (b < 0) return '';
    const rest = this.err.slice(b + begin.length);
    const e = rest.indexOf(this.prefix);
    return (e >= 0 ? rest.slice(0, e) : rest).slice(0, 64 * 1024);
  }
}

function escapeRe(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
