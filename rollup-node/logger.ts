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

/**
 * How long a warning or error repeated word for word is written once. A node whose L1 is gone
 * (down, reset, or another chain) retries on every poll, and a line per retry buried everything
 * else: 1,923 warnings in six minutes in the session-25 trial, none saying anything new.
 */
export const QUIET_REPEATS_MS = 60_000;

/**
 * `logger` with warnings and errors repeated word for word written once per `windowMs`: the
 * repeats are counted and the count is written before the next different line (or with the first
 * repeat after the window), so nothing is hidden for longer than it takes to say it again.
 * Info and debug lines are passed through. For the processes users run (node, devnet, attester).
 */
export function quietRepeats(logger: Logger, windowMs = QUIET_REPEATS_MS, now: () => number = Date.now): Logger {
  let last: { level: "warn" | "error"; message: string; at: number; repeats: number } | undefined;
  const sayRepeats = (): void => {
    if (last === undefined || last.repeats === 0) return;
    const seconds = Math.round((now() - last.at) / 1000);
    logger[last.level](`(the line above repeated ${plural(last.repeats, "more time")} in ${seconds} s)`);
    last.repeats = 0;
  };
  const repeated = (level: "warn" | "error", message: string): void => {
    if (last !== undefined && last.level === level && last.message === message && now() - last.at < windowMs) {
      last.repeats++;
      return;
    }
    sayRepeats();
    last = { level, message, at: now(), repeats: 0 };
    logger[level](message);
  };
  return {
    info: (message) => {
      sayRepeats();
      logger.info(message);
    },
    warn: (message) => repeated("warn", message),
    error: (message) => repeated("error", message),
    debug: (message) => logger.debug(message),
  };
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
