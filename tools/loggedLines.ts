import type { Logger } from "../rollup-node/logger";

/**
 * A Logger that keeps the info, warning and error lines a component writes, in order, for a test to
 * read; debug lines are dropped, as the node's own loggers drop them unless asked.
 */
export class LoggedLines implements Logger {
  readonly all: string[] = [];
  info = (message: string): void => void this.all.push(message);
  warn = (message: string): void => void this.all.push(message);
  error = (message: string): void => void this.all.push(message);
  debug = (): void => {};
}
