/** Where the L2 node reports what it does; passed in so library code never writes to the console. */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
}

/** Writes every line to stderr with `prefix` and the level (the default logger of the node). */
export function stderrLogger(prefix = "[l2]"): Logger {
  const write = (level: string, message: string): void => {
    process.stderr.write(`${prefix} ${level} ${message}\n`);
  };
  return {
    info: (message) => write("info", message),
    warn: (message) => write("WARN", message),
    error: (message) => write("ERROR", message),
  };
}

/** Drops everything (tests). */
export const silentLogger: Logger = { info: () => {}, warn: () => {}, error: () => {} };

/** Keeps lines in memory (tests that assert on what was logged). */
export class MemoryLogger implements Logger {
  readonly lines: { level: "info" | "warn" | "error"; message: string }[] = [];

  info(message: string): void {
    this.lines.push({ level: "info", message });
  }

  warn(message: string): void {
    this.lines.push({ level: "warn", message });
  }

  error(message: string): void {
    this.lines.push({ level: "error", message });
  }
}
