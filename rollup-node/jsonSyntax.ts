// Where a hand-written JSON file (a genesis, a node config, a key list) breaks. JSON.parse on
// Node 20 names only a character offset ("in JSON at position 16469"), useless in a file whose
// alloc holds kilobytes of contract code on one line: an editor goes to a line and a column.

/** A JSON.parse failure placed in its text: 1-based line and column, and the line up to there. */
export interface JsonSyntaxLocation {
  readonly line: number;
  readonly column: number;
  /** The offending line, up to and including the character the parser stopped at (shortened). */
  readonly excerpt: string;
  /** The parser ran out of text: the file ends before the document does. */
  readonly atEnd: boolean;
}

/** How much of the offending line an excerpt keeps before the character the parser stopped at. */
const EXCERPT_CHARS = 40;

/** The parser's offset in `text`: Node 20 says "at position N", a later V8 adds "(line L column C)". */
function offsetOf(text: string, message: string): number | undefined {
  const position = /at position (\d+)/.exec(message);
  if (position !== null) return Math.min(Number(position[1]), text.length);
  const lineColumn = /\(line (\d+) column (\d+)\)/.exec(message);
  if (lineColumn !== null) {
    const lines = text.split("\n");
    const line = Math.min(Number(lineColumn[1]), lines.length);
    return lines.slice(0, line - 1).reduce((sum, l) => sum + l.length + 1, 0) + Number(lineColumn[2]) - 1;
  }
  // "Unexpected end of JSON input": the file stops where a value or a bracket was still due.
  if (/end of JSON input/.test(message)) return text.trimEnd().length;
  // "Unexpected token ']', …" names no place: find it by parsing prefixes.
  return firstBadOffset(text);
}

/** Whether JSON.parse of `prefix` fails before its end (not merely because it stops early). */
function failsInside(prefix: string): boolean {
  try {
    JSON.parse(prefix);
    return false;
  } catch (error) {
    const message = (error as Error).message;
    if (/end of JSON input/.test(message)) return false;
    const position = /at position (\d+)/.exec(message);
    return position === null || Number(position[1]) < prefix.length;
  }
}

/**
 * The offset of the first character no valid JSON text can have there: the shortest prefix that
 * fails before its end, less one. A prefix that fails inside stays failing as it grows, so a
 * binary search finds it in about log2(length) parses.
 */
function firstBadOffset(text: string): number | undefined {
  if (!failsInside(text)) return undefined;
  let good = 0;
  let bad = text.length;
  while (bad - good > 1) {
    const middle = Math.floor((good + bad) / 2);
    if (failsInside(text.slice(0, middle))) bad = middle;
    else good = middle;
  }
  return bad - 1;
}

/** Where `error` (thrown by JSON.parse(text)) lies in `text`; undefined when its message names no place. */
export function jsonSyntaxLocation(text: string, error: unknown): JsonSyntaxLocation | undefined {
  const found = offsetOf(text, error instanceof Error ? error.message : String(error));
  if (found === undefined) return undefined;
  // Past the last non-blank character: the file stopped early; point just after its last text.
  const end = text.trimEnd().length;
  const offset = Math.min(found, end);
  const lineStart = text.lastIndexOf("\n", offset - 1) + 1;
  const line = text.slice(0, lineStart).split("\n").length;
  const lineEnd = text.indexOf("\n", offset);
  // Up to and including the character the parser refused (a "}" after a trailing comma, say).
  const upTo = Math.min(offset + 1, lineEnd === -1 ? text.length : lineEnd, end);
  const from = Math.max(lineStart, upTo - EXCERPT_CHARS);
  const shown = text.slice(from, upTo).replace(/\r$/, "");
  let excerpt = from > lineStart ? `…${shown}` : shown.trimStart();
  // Only blanks before it on its line (a comma missing at the end of the line above): that line's end too.
  if (lineStart > 0 && text.slice(lineStart, offset).trim() === "") {
    const previous = text
      .slice(text.lastIndexOf("\n", lineStart - 2) + 1, lineStart - 1)
      .replace(/\r$/, "")
      .trim();
    const tail = previous.length > EXCERPT_CHARS ? `…${previous.slice(-EXCERPT_CHARS)}` : previous;
    excerpt = `${tail} ⏎ ${excerpt}`;
  }
  return { line, column: offset - lineStart + 1, excerpt, atEnd: offset === end };
}

/**
 * One line for a JSON.parse failure of `text`: `line L, column C (at: <the line up to there>):
 * <the parser's reason>`, or the parser's message alone when it names no place.
 */
export function describeJsonSyntaxError(text: string, error: unknown): string {
  const message = error instanceof Error ? error.message : String(error);
  const location = jsonSyntaxLocation(text, error);
  if (location === undefined) return message;
  const reason = message
    .replace(/\s*in JSON at position \d+/, "")
    .replace(/ at position \d+/, "")
    .replace(/\s*\(line \d+ column \d+\)/, "")
    // V8's own excerpt ("…" is not valid JSON): the location's replaces it.
    .replace(/, (".*"|\.\.\.".*") is not valid JSON$/s, "")
    .trim();
  const at = location.excerpt === "" ? "" : ` (at: ${location.excerpt})`;
  const ends = location.atEnd && !/end of JSON input/.test(reason) ? " (the file ends there)" : "";
  return `line ${location.line}, column ${location.column}${at}: ${reason}${ends}`;
}

/** A key given twice in one JSON object: JSON.parse keeps the last silently. */
export interface JsonDuplicateKey {
  /** The keys leading to the object (`["alloc"]`), array items as their index. */
  readonly path: readonly string[];
  readonly key: string;
  /** Where its second occurrence starts, 1-based. */
  readonly line: number;
  readonly column: number;
  /** The line of its first occurrence. */
  readonly firstLine: number;
}

/** 1-based line and column of `offset` in `text`. */
function lineColumn(text: string, offset: number): { line: number; column: number } {
  const lineStart = text.lastIndexOf("\n", offset - 1) + 1;
  return { line: text.slice(0, lineStart).split("\n").length, column: offset - lineStart + 1 };
}

interface Container {
  readonly path: readonly string[];
  /** Each key seen in this object and the offset of its first occurrence; undefined for an array. */
  readonly keys?: Map<string, number>;
  expectingKey: boolean;
  /** The last key read (an object) or the index of the next item (an array). */
  member: string;
}

/**
 * The first key that appears twice in one object of `text`, a document JSON.parse accepts (it
 * keeps the last of the two: an account listed twice in a genesis gets the second's balance
 * without a word). Undefined when every object's keys are distinct.
 */
export function firstDuplicateKey(text: string): JsonDuplicateKey | undefined {
  const stack: Container[] = [];
  const childPath = (): string[] => {
    const top = stack[stack.length - 1];
    return top === undefined ? [] : [...top.path, top.member];
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    const top = stack[stack.length - 1];
    if (c === "{") stack.push({ path: childPath(), keys: new Map(), expectingKey: true, member: "" });
    else if (c === "[") stack.push({ path: childPath(), expectingKey: false, member: "0" });
    else if (c === "}" || c === "]") stack.pop();
    else if (c === ":" && top !== undefined) top.expectingKey = false;
    else if (c === "," && top !== undefined) {
      if (top.keys !== undefined) top.expectingKey = true;
      else top.member = String(Number(top.member) + 1);
    } else if (c === '"') {
      let end = i + 1;
      while (text[end] !== '"') end += text[end] === "\\" ? 2 : 1;
      if (top?.keys !== undefined && top.expectingKey) {
        const key = JSON.parse(text.slice(i, end + 1)) as string;
        const first = top.keys.get(key);
        if (first !== undefined)
          return { path: top.path, key, ...lineColumn(text, i), firstLine: lineColumn(text, first).line };
        top.keys.set(key, i);
        top.member = key;
      }
      i = end;
    }
  }
  return undefined;
}

/**
 * `JSON.parse(text)`, or the error `refuse` makes from where and why the text is not JSON
 * (`describeJsonSyntaxError`): the one way the node's and the tasks' hand-written files are parsed.
 */
export function parseJsonOr(text: string, refuse: (description: string) => Error): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw refuse(describeJsonSyntaxError(text, error));
  }
}
