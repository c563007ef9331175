/**
 * Evidence excerpts made readable on screen and on paper. Checks cut excerpts from raw outputs, and
 * some outputs are minified JSON on one line (`ip -j addr`), so an excerpt could start or end in the
 * middle of a key and carry JSON's escaped `\n` and `\/`. Here each such line is re-laid out one
 * value per line, string values with newlines become indented blocks, and cut ends move to the next
 * token boundary. The words are the output's own; only the layout changes (the bundle keeps the
 * bytes).
 */

const ellipsis = '…';

/** Indented lines for one line of JSON or a fragment of it (depth may start inside an object). */
function layoutJsonLine(line: string): string[] {
  const out: string[] = [];
  let depth = 0;
  let current = '';
  const pad = (): string => '  '.repeat(Math.max(depth, 0));
  const flush = (): void => {
    if (current.trim() !== '') out.push(current.replace(/\s+$/, ''));
    current = pad();
  };
  for (let i = 0; i < line.length; i++) {
    const c = line[i];
    if (c === '"') {
      // A whole string literal: decoded for reading, and shown as a block when it holds lines.
      let j = i + 1;
      while (j < line.length && line[j] !== '"') j += line[j] === '\\' ? 2 : 1;
      const literal = line.slice(i, Math.min(j + 1, line.length));
      const value = decodeString(literal);
      if (value.includes('\n')) {
        current += '|';
        flush();
        depth += 1;
        for (const inner of value.replace(/\n$/, '').split('\n')) out.push(`${pad()}${inner}`);
        depth -= 1;
        current = pad();
      } else {
        current += literal.replace(/\\\//g, '/');
      }
      i = j;
    } else if (c === '{' || c === '[') {
      // Empty containers stay on one line.
      const close = c === '{' ? '}' : ']';
      if (line[i + 1] === close) {
        current += c + close;
        i += 1;
        continue;
      }
      current += c;
      depth += 1;
      flush();
    } else if (c === '}' || c === ']') {
      flush();
      depth -= 1;
      current = pad() + c;
    } else if (c === ',') {
      // After a block string the comma would stand alone on a line: the block's end says enough.
      if (current.trim() !== '') current += ',';
      flush();
    } else if (c === ':') {
      current += ': ';
      if (line[i + 1] === ' ') i += 1;
    } else if (c !== ' ' || current.trim() !== '') {
      current += c;
    }
  }
  flush();
  return out;
}

/** A JSON string literal's text, for reading (`\n`, `\t`, `\/`, `\"`, `\\`, `\u`); the raw literal if it does not parse. */
function decodeString(literal: string): string {
  try {
    const value: unknown = JSON.parse(literal);
    return typeof value === 'string' ? value : literal;
  } catch {
    return literal;
  }
}

/** Cut ends moved to a token boundary: `…ables":0},"num":1…"l…` → `… "num":1 …`. */
function trimCutEnds(line: string, json: boolean): string {
  let text = line;
  if (text.startsWith(ellipsis) && /^…[^\s,{}[\]]/.test(text)) {
    const boundary = json ? /[,{[]\s*(?=")/.exec(text.slice(1)) : /\s/.exec(text.slice(1));
    if (boundary) text = `${ellipsis} ${text.slice(1 + boundary.index + boundary[0].length).trimStart()}`;
  }
  if (text.endsWith(ellipsis) && /[^\s,{}[\]]…$/.test(text)) {
    const body = text.slice(0, -1);
    const cut = json ? Math.max(body.lastIndexOf(','), body.lastIndexOf('{'), body.lastIndexOf('[')) : body.search(/\s\S*$/);
    if (cut > 0) text = `${body.slice(0, cut + 1).trimEnd()} ${ellipsis}`;
  }
  return text;
}

/** One JSON record per line (a JSON log) reads best as it is: one line each. */
function isJsonRecord(line: string): boolean {
  if (!line.startsWith('{') || !line.endsWith('}')) return false;
  try {
    JSON.parse(line);
    return true;
  } catch {
    return false;
  }
}

/** Lines longer than this in a JSON output are laid out one value per line. */
const longJsonLine = 100;

export function readableExcerpt(excerpt: string, path: string): string {
  const json = /\.json$/i.test(path);
  const lines: string[] = [];
  for (const raw of excerpt.split('\n')) {
    const line = trimCutEnds(raw, json && !isJsonRecord(raw.trim()));
    const looksJson = json && /"[^"]*"\s*:/.test(line) && !isJsonRecord(line.trim());
    if (looksJson && (line.length > longJsonLine || /\\n/.test(line))) {
      const lead = line.startsWith(ellipsis) ? ellipsis : '';
      const tail = line.endsWith(ellipsis) && line.length > 1 ? ellipsis : '';
      const body = line.slice(lead.length, line.length - tail.length).trim();
      const indent = /^\s*/.exec(raw)![0];
      if (lead) lines.push(ellipsis);
      for (const laid of layoutJsonLine(body)) lines.push(`${indent}${laid}`);
      if (tail) lines.push(ellipsis);
    } else {
      lines.push(json ? line.replace(/\\\//g, '/') : line);
    }
  }
  return lines.join('\n');
}

/**
 * At most `maxLines` whole lines for paper; the rest is named, never cut inside a line.
 * Returns the text and how many lines were left out.
 */
export function capLines(text: string, maxLines: number): { text: string; omitted: number } {
  const lines = text.split('\n');
  if (lines.length <= maxLines) return { text, omitted: 0 };
  return { text: lines.slice(0, maxLines).join('\n'), omitted: lines.length - maxLines };
}
