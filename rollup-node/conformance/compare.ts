/** The verdict on one response. */
export interface Comparison {
  readonly ok: boolean;
  /** Human-readable differences (JSON paths), empty when ok. */
  readonly differences: readonly string[];
}

type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };

const MAX_DIFFERENCES = 20;

function kind(value: unknown): string {
  if (value === null) return "null";
  if (Array.isArray(value)) return "array";
  return typeof value;
}

function show(value: unknown): string {
  const text = JSON.stringify(value);
  return text === undefined ? "undefined" : text.length > 120 ? `${text.slice(0, 117)}...` : text;
}

/** Deep JSON equality (object key order ignored); appends each difference with its path. */
function diff(expected: unknown, actual: unknown, path: string, out: string[]): void {
  if (out.length >= MAX_DIFFERENCES) return;
  if (kind(expected) !== kind(actual)) {
    out.push(`${path}: expected ${show(expected)}, got ${show(actual)}`);
    return;
  }
  if (Array.isArray(expected)) {
    const a = actual as JsonValue[];
    if (expected.length !== a.length) out.push(`${path}: expected ${expected.length} items, got ${a.length}`);
    for (let i = 0; i < Math.min(expected.length, a.length); i++) diff(expected[i], a[i], `${path}[${i}]`, out);
    return;
  }
  if (typeof expected === "object" && expected !== null) {
    const e = expected as Record<string, unknown>;
    const a = actual as Record<string, unknown>;
    for (const key of Object.keys(e)) {
      if (!(key in a) || a[key] === undefined) out.push(`${path}.${key}: missing (expected ${show(e[key])})`);
      else diff(e[key], a[key], `${path}.${key}`, out);
    }
    for (const key of Object.keys(a))
      if (!(key in e) && a[key] !== undefined) out.push(`${path}.${key}: unexpected ${show(a[key])}`);
    return;
  }
  if (expected !== actual) out.push(`${path}: expected ${show(expected)}, got ${show(actual)}`);
}

interface ResponseShape {
  readonly result?: unknown;
  readonly error?: { readonly code?: unknown; readonly message?: unknown };
}

/**
 * Compares a response with the expected one as upstream's runner does: results must be
 * JSON-equal; for errors the code must match and the message may differ.
 *
 * `specOnly` cases are only schema-checked upstream; without the OpenRPC schema here, such a
 * case passes when it answers a result (not an error) of the expected JSON kind whose object
 * keys include the expected ones — weaker than equality, and reported as such.
 */
export function compareResponse(expected: unknown, actual: unknown, specOnly = false): Comparison {
  const e = expected as ResponseShape;
  const a = (actual ?? {}) as ResponseShape;
  const differences: string[] = [];
  if (e.error !== undefined) {
    if (a.error === undefined) differences.push(`expected error ${show(e.error)}, got result ${show(a.result)}`);
    else if (a.error.code !== e.error.code)
      differences.push(
        `error code: expected ${show(e.error.code)}, got ${show(a.error.code)} (${show(a.error.message)})`,
      );
    return { ok: differences.length === 0, differences };
  }
  if (a.error !== undefined) return { ok: false, differences: [`expected a result, got error ${show(a.error)}`] };
  if (specOnly) {
    if (kind(e.result) !== kind(a.result))
      differences.push(`result: expected a ${kind(e.result)}, got ${show(a.result)}`);
    else if (kind(e.result) === "object") {
      const got = a.result as Record<string, unknown>;
      for (const key of Object.keys(e.result as object))
        if (got[key] === undefined) differences.push(`result.${key}: missing`);
    }
    return { ok: differences.length === 0, differences };
  }
  diff(e.result, a.result, "result", differences);
  return { ok: differences.length === 0, differences };
}
