// The process side of the foreground commands (the devnet, a node in its own process).

import path from "node:path";
import { Worker, type WorkerOptions } from "node:worker_threads";

/**
 * Runs a command-line entry point: exits 0 once `main` resolves; on an error prints its message
 * and, when it has one, its hint, and exits 1.
 */
export function runCli(main: () => Promise<void>): void {
  main().then(
    () => process.exit(0),
    (error: Error & { hint?: string }) => {
      console.error(`error: ${error.message}`);
      if (error.hint !== undefined) console.error(`hint: ${error.hint}`);
      process.exit(1);
    },
  );
}

/**
 * What child processes and worker threads register to run the TypeScript sources by default: the
 * caching loader (./tsLoader.js), which reads back what an earlier process or thread transpiled,
 * where ts-node transpiled every file again in each of them (docs/design/startup-time.md).
 */
const DEFAULT_TYPESCRIPT_LOADER = path.join(__dirname, "tsLoader.js");

/**
 * The module a process or worker thread started from the TypeScript sources registers first
 * (compiled JavaScript needs none): the caching loader, unless NATIVE_ROLLUP_TS_LOADER names
 * another (e.g. `ts-node/register/transpile-only`).
 */
export function typescriptLoader(): string {
  return process.env.NATIVE_ROLLUP_TS_LOADER ?? DEFAULT_TYPESCRIPT_LOADER;
}

/**
 * Starts the module `name` beside `callerFile` (the caller's `__filename`) in a worker thread. From
 * compiled JavaScript the file is loaded as is; from the TypeScript sources (the tests, `hardhat
 * devnet`) the thread registers typescriptLoader() first, since a worker does not inherit the main
 * thread's module hooks.
 */
export function startWorkerBeside(callerFile: string, name: string, options: WorkerOptions = {}): Worker {
  const extension = path.extname(callerFile);
  const entry = path.join(path.dirname(callerFile), `${name}${extension}`);
  if (extension !== ".ts") return new Worker(entry, options);
  return new Worker(`require(${JSON.stringify(typescriptLoader())}); require(${JSON.stringify(entry)});`, {
    ...options,
    eval: true,
  });
}

/**
 * Resolves at the first SIGINT or SIGTERM. The handlers are removed at once, so a second
 * Ctrl-C while the caller shuts down kills the process as usual.
 */
export function untilStopSignal(): Promise<void> {
  return new Promise<void>((resolve) => {
    const stop = (): void => {
      process.off("SIGINT", stop);
      process.off("SIGTERM", stop);
      resolve();
    };
    process.on("SIGINT", stop);
    process.on("SIGTERM", stop);
  });
}
