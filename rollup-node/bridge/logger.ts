/** Where the bridge and the node write what they do. Passed in; library code never prints. */
export interface Logger {
  info(message: string): void;
  warn(message: string): void;
  error(message: string): void;
  debug(message: string): void;
}

export const silentLogger: Logger = { info: () => {}, warn: () => {}, error: () => {}, debug: () => {} };

/** Prefixes every line with a time and a component name; debug lines only when `verbose`. */
export function createLineLogger(component: string, write: (line: string) => void, verbose = false): Logger {
  const line = (level: string) => (message: string) => {
    const time = new Date().toISOString().slice(11, 23);
    write(`${time} ${level} [${component}] ${message}`);
  };
  return { info: line("INFO "), warn: line("WARN "), error: line("ERROR"), debug: verbose ? line("DEBUG") : () => {} };
}

/** The same sink under another component name. */
export type LoggerFactory = (component: string) => Logger;
