/**
 * Tolerant JSON reading for command outputs. Outputs are capped at a byte limit by the collector,
 * so a large `ip -j` or vtysh answer may be cut mid-value; the salvage below keeps every element
 * that was complete before the cut instead of losing the whole file.
 */
import type { NoteSink } from './result.js';

/** Text of a file, with a UTF-8 BOM and NUL padding removed. */
export function cleanText(text: string): string {
  let t = typeof text === 'string' ? text : String(text ?? '');
  if (t.charCodeAt(0) === 0xfeff) t = t.slice(1);
  return t;
}

/** Heuristic: more than 10% control characters (other than whitespace) means binary data. */
export function looksBinary(text: string): boolean {
  const sample = text.slice(0, 4096);
  if (sample.length === 0) return false;
  let control = 0;
  for (let i = 0; i < sample.length; i++) {
    const c = sample.charCodeAt(i);
    if ((c < 32 && c !== 9 && c !== 10 && c !== 13) || c === 0xfffd) control++;
  }
  return control / sample.length > 0.1;
}

/**
 * Parse JSON; on failure, salvage the longest prefix that can be closed into valid JSON
 * (a truncated output). Returns undefined (with a note) when nothing usable is there.
 * `elementDepth` is how deep the records a cut may end after sit (1: elements of the top-level
 * array or object; 3: peers of `{"ipv4Unicast":{"peers":{...}}}`).
 */
export function parseJsonTolerant(text: string, notes: NoteSink, what = 'JSON', elementDepth = 1): unknown {
  const t = cleanText(text).trim();
  if (t === '') {
    notes.add(`empty output (expected ${what})`);
    return undefined;
  }
  try {
    return JSON.parse(t);
  } catch (e) {
    if (looksBinary(t)) {
      notes.add(`not ${what}: binary data`);
      return undefined;
    }
    // vtysh prints errors such as "% Unknown command" or "No BGP process is configured" instead of JSON.
    if (!/^[[{]/.test(t)) {
      notes.add(`not ${what}: ${firstLine(t)}`);
      return undefined;
    }
    // FRR before 7 printed a comma after the last peer of `show bgp summary json` (FRRouting/frr#2567).
    const noTrailingCommas = withoutTrailingCommas(t);
    if (noTrailingCommas !== t) {
      try {
        const value: unknown = JSON.parse(noTrailingCommas);
        notes.add(`${what} has commas before a closing bracket (older FRR printed them); read without them`);
        return value;
      } catch {
        // not the only problem: salvage below
      }
    }
    const salvaged = salvageTruncatedJson(t, elementDepth);
    if (salvaged !== undefined) {
      const empty = (Array.isArray(salvaged) && salvaged.length === 0) || (isRecord(salvaged) && Object.keys(salvaged).length === 0);
      notes.add(`${what} is truncated or damaged (${(e as Error).message}); ${empty ? 'nothing in it was complete before the damage, so nothing was read' : 'kept the complete part'}`);
      return salvaged;
    }
    notes.add(`not valid ${what}: ${(e as Error).message}`);
    return undefined;
  }
}

/** Where a character-by-character scan of JSON text stands with respect to string literals. */
interface StringState {
  inString: boolean;
  escaped: boolean;
}

/**
 * Advances `st` over `c` when the scan is inside a string literal and says so; false for a character
 * outside any string, which the caller handles (a `"` there opens a string: set `st.inString`).
 */
function insideString(st: StringState, c: string): boolean {
  if (!st.inString) return false;
  if (st.escaped) st.escaped = false;
  else if (c === '\\') st.escaped = true;
  else if (c === '"') st.inString = false;
  return true;
}

/** The text with every comma that directly precedes `}` or `]` (outside strings) removed. */
export function withoutTrailingCommas(text: string): string {
  let out = '';
  const st: StringState = { inString: false, escaped: false };
  let pendingComma = -1; // index in `out` of a comma not yet followed by a value
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (insideString(st, c)) {
      out += c;
      continue;
    }
    if (c === ',') pendingComma = out.length;
    else if ((c === '}' || c === ']') && pendingComma >= 0) out = out.slice(0, pendingComma) + out.slice(pendingComma + 1);
    else if (!/\s/.test(c)) pendingComma = -1;
    out += c;
    if (c === '"') st.inString = true;
    if (c === '}' || c === ']') pendingComma = -1;
  }
  return out;
}

export function firstLine(text: string, max = 120): string {
  const line = text.split(/\r?\n/, 1)[0] ?? '';
  return line.length > max ? `${line.slice(0, max)}…` : line;
}

/**
 * Close a cut-off JSON document: remember every point where a top-level element had just completed
 * (before a comma, after the opening bracket, after an element's closing bracket), then cut at the
 * last such point and append the closers still open there. Only whole top-level elements survive
 * (an interface, a peer): a half-read record would look like real data with fields missing.
 */
export function salvageTruncatedJson(text: string, maxDepth = 1): unknown {
  const cuts: { at: number; closers: string }[] = [];
  const stack: string[] = [];
  const st: StringState = { inString: false, escaped: false };
  const maxCuts = 64;
  const remember = (at: number): void => {
    if (stack.length > maxDepth) return;
    cuts.push({ at, closers: stack.slice().reverse().join('') });
    if (cuts.length > maxCuts) cuts.shift();
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (insideString(st, c)) continue;
    if (c === '"') st.inString = true;
    else if (c === '{' || c === '[') {
      stack.push(c === '{' ? '}' : ']');
      remember(i + 1);
    } else if (c === '}' || c === ']') {
      if (stack.pop() !== c) break; // mismatched: stop, salvage what came before
      remember(i + 1);
      if (stack.length === 0) break;
    } else if (c === ',') remember(i);
  }
  for (let k = cuts.length - 1; k >= 0 && k >= cuts.length - 8; k--) {
    const { at, closers } = cuts[k];
    try {
      return JSON.parse(text.slice(0, at) + closers);
    } catch {
      // try an earlier cut
    }
  }
  return undefined;
}

export function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}

export function str(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' && Number.isFinite(v)) return String(v);
  return undefined;
}

export function num(v: unknown): number | undefined {
  if (typeof v === 'number' && Number.isFinite(v)) return v;
  if (typeof v === 'string' && v.trim() !== '' && Number.isFinite(Number(v))) return Number(v);
  return undefined;
}

export function bool(v: unknown): boolean | undefined {
  if (typeof v === 'boolean') return v;
  if (v === 'true') return true;
  if (v === 'false') return false;
  return undefined;
}

export function strArray(v: unknown): string[] {
  return Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : [];
}

/**
 * Copy without the keys whose value is undefined, so models compare cleanly with deepEqual.
 * (A fresh object rather than `delete`, which would push V8 objects into slow dictionary mode.)
 */
export function compact<T extends object>(o: T): T {
  const out: Record<string, unknown> = {};
  for (const k in o) if (o[k] !== undefined) out[k] = o[k];
  return out as T;
}

/**
 * Own-property access for maps keyed by names from the cluster (prefix-list names, node names,
 * JSON keys). Plain `obj[name]` would reach `Object.prototype` for `constructor` or `__proto__`.
 */
export function getOwn<T>(obj: Record<string, T>, key: string): T | undefined {
  return Object.prototype.hasOwnProperty.call(obj, key) ? obj[key] : undefined;
}

export function setOwn<T>(obj: Record<string, T>, key: string, value: T): T {
  if (key === '__proto__') Object.defineProperty(obj, key, { value, enumerable: true, writable: true, configurable: true });
  else obj[key] = value;
  return value;
}

/** The own entry under `key`, created by `make` when absent. */
export function ownEntry<T>(obj: Record<string, T>, key: string, make: () => T): T {
  return getOwn(obj, key) ?? setOwn(obj, key, make());
}
