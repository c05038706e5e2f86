/** Where the node (sequencer, bridge, RPC) writes what it does. Passed in; library code never prints. */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  debug(message: string): void;
}

/** The same sink under another component name. */
export type LoggerFactory = (component: string) => Logger;

/** Drops everything (tests, benchmarks). */
export const silentLogger: Logger = { info: () => {}, warn: () => {}, error: () => {}, debug: () => {} };

/** Prefixes every line with a time and a component name; debug lines only when `verbose`. */
export function createLineLogger(component: string, write: (line: string) => void, verbose = false): Logger {
  const line = (level: string) => (message: string) => {
    const time = new Date().toISOString().slice(11, 23);
    write(`${time} ${level} [${component}] ${message}`);
  };
  return { info: line("INFO "), warn: line("WARN "), error: line("ERROR"), debug: verbose ? line("DEBUG") : () => {} };
}

/** Writes every line to stderr with `prefix` and the level, debug lines not at all (the sequencer's default). */
export function stderrLogger(prefix = "[l2]"): Logger {
  const write = (level: string, message: string): void => {
    process.stderr.write(`${prefix} ${level} ${message}\n`);
  };
  return {
    info: (message) => write("info", message),
    warn: (message) => write("WARN", message),
    error: (message) => write("ERROR", message),
    debug: () => {},
  };
}

/** Keeps lines in memory (tests that assert on what was logged). */
export class MemoryLogger implements Logger {
  readonly lines: { level: "info" | "warn" | "error" | "debug"; message: string }[] = [];

  info(message: string): void {
    this.lines.push({ level: "info", message });
  }

  warn(message: string): void {
    this.lines.push({ level: "warn", message });
  }

  error(message: string): void {
    this.lines.push({ level: "error", message });
  }

  debug(message: string): void {
    this.lines.push({ level: "debug", message });
  }
}

/**
 * `count` and the noun in the number it agrees with: "1 message", "2 messages", "0 messages".
 * `pluralNoun` for a noun whose plural is not `noun` + "s" ("1 entry", "3 entries").
 */
export function plural(count: number | bigint, noun: string, pluralNoun = `${noun}s`): string {
  return `${count} ${count === 1 || count === 1n ? noun : pluralNoun}`;
}
