import { IoFormatError } from "./errors";

/** One request and the response it must get. */
export interface RoundTrip {
  readonly request: unknown;
  readonly response: unknown;
}

/** One `<method>/<case>.io` file of the execution-apis test suite. */
export interface IoCase {
  /** `<method>/<case>`, e.g. `eth_call/call-callenv`. */
  readonly name: string;
  /** The method folder the case lives in. */
  readonly method: string;
  /** The `//` comment lines, without the slashes. */
  readonly comments: readonly string[];
  /**
   * Upstream marks some cases `speconly`: the response is only checked against the OpenRPC
   * schema, never for equality (traces, capabilities, pools whose content depends on the client).
   */
  readonly specOnly: boolean;
  readonly roundTrips: readonly RoundTrip[];
}

function parseJson(text: string, name: string, line: number): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new IoFormatError(`${name}:${line}: ${(error as Error).message}`);
  }
}

/**
 * Parses an `.io` file: `// comment` lines, `>> request` and `<< response` (one JSON document
 * each, on one line), every request followed by its response; several round trips may follow
 * each other and run in order.
 */
export function parseIoFile(text: string, method: string, caseName: string): IoCase {
  const name = `${method}/${caseName}`;
  const comments: string[] = [];
  const roundTrips: RoundTrip[] = [];
  let pending: unknown = undefined;
  let hasPending = false;
  text.split(/\r?\n/).forEach((raw, index) => {
    const line = raw.trim();
    const lineNo = index + 1;
    if (line === "") return;
    if (line.startsWith("//")) {
      comments.push(line.slice(2).trim());
    } else if (line.startsWith(">>")) {
      if (hasPending) throw new IoFormatError(`${name}:${lineNo}: a request follows a request without a response`);
      pending = parseJson(line.slice(2).trim(), name, lineNo);
      hasPending = true;
    } else if (line.startsWith("<<")) {
      if (!hasPending) throw new IoFormatError(`${name}:${lineNo}: a response without a request`);
      roundTrips.push({ request: pending, response: parseJson(line.slice(2).trim(), name, lineNo) });
      hasPending = false;
    } else {
      throw new IoFormatError(`${name}:${lineNo}: a line must start with //, >> or <<`);
    }
  });
  if (hasPending) throw new IoFormatError(`${name}: the last request has no response`);
  if (roundTrips.length === 0) throw new IoFormatError(`${name}: no round trip`);
  return { name, method, comments, specOnly: comments.some((c) => c.startsWith("speconly")), roundTrips };
}
