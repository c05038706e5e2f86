/**
 * How a task fails: one line saying what went wrong and one saying what to do, never a stack
 * trace. Hardhat prints a HardhatPluginError as "Error in plugin native-rollup: <message>" and
 * keeps its stack for --show-stack-traces; anything else it reports as "An unexpected error
 * occurred" with the stack. So every rollup:* action runs inside `taskAction`, which turns the
 * framework's typed errors (code + hint) and a node that does not answer into a RollupTaskError.
 */
import { inspect } from "node:util";

import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { HardhatPluginError } from "hardhat/plugins";

/** The plugin's name, as Hardhat prints it before the message. */
export const PLUGIN_NAME = "native-rollup";

/** The environment variables the tasks read a node's URL from (after --l1-rpc / --l2-rpc). */
export const RPC_ENV = { L1: "L1_RPC_URL", L2: "L2_RPC_URL" } as const;

/** A rollup:* task cannot go on: bad input, no rollup, a node that does not answer, a failed step. */
export class RollupTaskError extends HardhatPluginError {
  constructor(
    readonly code: string,
    message: string,
    readonly hint: string,
    parent?: Error,
  ) {
    super(PLUGIN_NAME, `${message}\nhint: ${hint}`, parent);
    // Hardhat prints the error object itself (its stack) after the message on a machine it
    // takes for a CI server, which includes any Linux without a display. A task's error is for
    // the user and its message says everything, so the stack shows only when asked for. An own
    // property: Hardhat's base class reads its stack through the same inspect hook.
    const stack = (this as unknown as { _stack?: string })._stack ?? "";
    Object.defineProperty(this, inspect.custom, {
      value: (): string => (stackTracesRequested() ? stack : ""),
      enumerable: false,
    });
  }
}

/** Whether the user asked Hardhat for stack traces (--show-stack-traces, or its environment variable). */
export function stackTracesRequested(
  argv: readonly string[] = process.argv,
  env: NodeJS.ProcessEnv = process.env,
): boolean {
  return (
    argv.includes("--show-stack-traces") ||
    (env.HARDHAT_SHOW_STACK_TRACES !== undefined && env.HARDHAT_SHOW_STACK_TRACES !== "false")
  );
}

/** How to start the devnet, or point a task at another node. */
export function startDevnetHint(layer: "L1" | "L2"): string {
  const flag = layer === "L1" ? "--l1-rpc" : "--l2-rpc";
  return `start the devnet in another terminal (npx hardhat devnet), or point the task at your node with ${flag} <url> or ${RPC_ENV[layer]}=<url>`;
}

/** A node at `url` did not answer. */
export class NodeUnreachableError extends RollupTaskError {
  constructor(
    readonly layer: "L1" | "L2",
    readonly url: string,
    cause: string,
  ) {
    super("NODE_UNREACHABLE", `cannot reach the ${layer} node at ${url} (${cause})`, startDevnetHint(layer));
  }
}

/** The system error code (ECONNREFUSED, …) anywhere in an error's causes, when there is one. */
function connectionFailure(error: unknown, seen = new Set<unknown>()): string | undefined {
  if (typeof error !== "object" || error === null || seen.has(error)) return undefined;
  seen.add(error);
  const record = error as Record<string, unknown>;
  if (
    typeof record.code === "string" &&
    /^(ECONNREFUSED|ECONNRESET|ENOTFOUND|EHOSTUNREACH|ETIMEDOUT|EAI_AGAIN|UND_ERR_SOCKET|UND_ERR_CONNECT_TIMEOUT)$/.test(
      record.code,
    )
  )
    return record.code;
  for (const key of ["cause", "error", "info"]) {
    const found = connectionFailure(record[key], seen);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** The first line of an error's message (ethers appends its JSON details on later lines and in parentheses). */
function firstLine(error: unknown): string {
  const shortMessage = (error as { shortMessage?: unknown } | null)?.shortMessage;
  if (typeof shortMessage === "string") return shortMessage;
  const message = error instanceof Error ? error.message : String(error);
  return message.split("\n")[0] ?? message;
}

/** The nodes a task talks to, to name the one that stopped answering. */
export interface TaskEndpoints {
  readonly l1?: string;
  readonly l2?: string;
}

/**
 * Any error of a task as a RollupTaskError: the framework's own (a `code` and a `hint`: the
 * SDK's RollupSdkError, the node's NodeError) keep theirs; a refused connection names the URL;
 * Hardhat's own errors pass through (Hardhat prints them cleanly); anything else keeps its first line.
 */
export function toTaskError(error: unknown, endpoints: TaskEndpoints = {}): Error {
  if (error instanceof RollupTaskError || HardhatPluginError.isHardhatPluginError(error)) return error as Error;
  if (typeof error === "object" && error !== null && (error as { _isHardhatError?: unknown })._isHardhatError === true)
    return error as Error;
  const parent = error instanceof Error ? error : undefined;
  const connection = connectionFailure(error);
  if (connection !== undefined) {
    // Which node: the task cannot tell from the socket error alone when it talks to both.
    const url = [endpoints.l1, endpoints.l2].filter((u) => u !== undefined).join(" or ");
    return new RollupTaskError(
      "NODE_UNREACHABLE",
      `lost the connection to the node${url === "" ? "" : ` at ${url}`} (${connection})`,
      "check that the devnet is still running (npx hardhat devnet), then run the task again",
      parent,
    );
  }
  const typed = error as { code?: unknown; hint?: unknown; message?: unknown } | null;
  if (typeof typed?.code === "string" && typeof typed.hint === "string" && typeof typed.message === "string") {
    // rollup:init's messages end with "\nhint: …" (the SDK's and the node's do not): keep the message part only.
    const message = typed.message.split("\nhint: ")[0] ?? typed.message;
    return new RollupTaskError(typed.code, message.split("\n")[0] ?? message, typed.hint, parent);
  }
  return new RollupTaskError(
    "FAILED",
    firstLine(error),
    "run the task again with --show-stack-traces to see where it failed",
    parent,
  );
}

/** A cross-domain message a task has already sent, and the task that follows it from there. */
export interface SentMessage {
  readonly messageHash: string;
  /** The rollup:* task that picks the message up again (`rollup:message`, `rollup:finalize`). */
  readonly resumeWith: string;
  /** The flags that task needs to reach the same rollup (`repeatFlags`: those this task was given). */
  readonly flags?: string;
}

/**
 * A failure after the task sent its message, as a task error. "Run the task again" would then
 * send a second deposit or withdrawal, so a lost node says the message is out and names the task
 * that follows it instead; every other error keeps its own hint (theirs already name the message).
 */
export function afterSending(error: unknown, sent: SentMessage, endpoints: TaskEndpoints = {}): Error {
  const taskError = toTaskError(error, endpoints);
  // By code, not instanceof: Hardhat's HardhatPluginError resets the prototype to its own.
  if ((taskError as { code?: unknown }).code !== "NODE_UNREACHABLE") return taskError;
  const message = taskError.message.split("\nhint: ")[0] ?? taskError.message;
  return new RollupTaskError(
    "NODE_UNREACHABLE",
    `${message}, after message ${sent.messageHash} was sent`,
    `do not run the task again, it would send another: once the devnet is back (npx hardhat devnet resumes its chain), follow this one with npx hardhat ${sent.resumeWith} ${sent.messageHash}${sent.flags ?? ""}`,
    error instanceof Error ? error : undefined,
  );
}

/**
 * While a task follows a message it sent, Ctrl-C (SIGINT) ends it with the line that picks the
 * message up again: the message is out, and without this the task ended with no word, leaving
 * its hash in the scrollback and rollup:finalize to be found in the README. Returns the remover.
 */
export function noticeOnInterrupt(
  sent: SentMessage,
  signals: NodeJS.EventEmitter = process,
  exit: (code: number) => void = (code) => process.exit(code),
  write: (line: string) => void = console.log,
): () => void {
  const onInterrupt = (): void => {
    write(
      `\ninterrupted: nothing is lost, message ${sent.messageHash} is sent; follow it with npx hardhat ${sent.resumeWith} ${sent.messageHash}${sent.flags ?? ""}`,
    );
    exit(130); // 128 + SIGINT, as a shell reports a Ctrl-C
  };
  signals.once("SIGINT", onInterrupt);
  return () => void signals.off("SIGINT", onInterrupt);
}

/** A task action whose every failure is a RollupTaskError (see the module comment). */
export function taskAction<A>(
  run: (args: A, hre: HardhatRuntimeEnvironment) => Promise<void>,
): (args: A, hre: HardhatRuntimeEnvironment) => Promise<void> {
  return async (args, hre) => {
    try {
      await run(args, hre);
    } catch (error) {
      throw toTaskError(error);
    }
  };
}
