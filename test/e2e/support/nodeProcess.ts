import { type ChildProcess, spawn } from "node:child_process";
import path from "node:path";

import { DEPLOYMENT_FILE } from "../../../rollup-node/devnet/rollupDevnet";
import { READY_PREFIX } from "../../../rollup-node/node/cli";
import { TYPESCRIPT_CHILD_ARGS } from "../../support/typescriptChild";
import { type E2eRollup, startE2eRollup } from "./harness";

const NODE_CLI = path.resolve(__dirname, "..", "..", "..", "rollup-node", "node", "cli.ts");

export interface NodeProcess {
  readonly child: ChildProcess;
  readonly url: string;
  readonly output: string[];
}

/** The node command's options for `r`'s deployment and L1, on a free port. */
export function nodeCommandArgs(r: E2eRollup): string[] {
  return ["--deployment", path.join(r.devnet.dataDir, DEPLOYMENT_FILE), "--l1-rpc", r.devnet.l1Url, "--port", "0"];
}

/** Runs the L2 node in its own process (same data directory and rollup), so a test can SIGKILL it like a crash. */
export function spawnNode(r: E2eRollup, blockTimeMs = 200): Promise<NodeProcess> {
  return spawnNodeCommand(r, ["--block-time", String(blockTimeMs)]);
}

/**
 * Runs the node command on `r`'s deployment and L1 in its own process, on a free port, with the
 * options `args` adds (e.g. `--role follower`) and the environment `env` adds (its keys);
 * resolves once it prints its ready line.
 */
export async function spawnNodeCommand(
  r: E2eRollup,
  args: readonly string[],
  env: Readonly<Record<string, string>> = {},
): Promise<NodeProcess> {
  const child = spawn(process.execPath, [...TYPESCRIPT_CHILD_ARGS, NODE_CLI, ...nodeCommandArgs(r), ...args], {
    stdio: ["ignore", "pipe", "pipe"],
    env: { ...process.env, ...env },
  });
  const output: string[] = [];
  child.stderr?.on("data", (chunk: Buffer) => {
    output.push(chunk.toString());
    if (process.env.E2E_LOG === "1") process.stdout.write(chunk);
  });
  const url = await new Promise<string>((resolve, reject) => {
    let buffered = "";
    child.stdout?.on("data", (chunk: Buffer) => {
      buffered += chunk.toString();
      const line = buffered.split("\n").find((l) => l.startsWith(READY_PREFIX));
      if (line !== undefined) resolve(line.slice(READY_PREFIX.length).trim());
    });
    child.once("exit", (code) =>
      reject(new Error(`the node exited (${code}) before it was ready:\n${output.join("")}`)),
    );
  });
  return { child, url, output };
}

/** SIGKILLs the node (no shutdown at all) and resolves once it is gone. */
export function kill(node: NodeProcess): Promise<void> {
  return new Promise((resolve) => {
    if (node.child.exitCode !== null || node.child.signalCode !== null) return resolve();
    node.child.once("exit", () => resolve());
    node.child.kill("SIGKILL");
  });
}

/** The rollup of a describe whose node runs as a child process, and the node processes it starts. */
export interface ChildNodeRollup {
  /** The rollup `before` started (its in-process node stopped). */
  readonly r: E2eRollup;
  /** Runs the node in its own process (spawnNode); `after` SIGKILLs the last one started. */
  spawnNode(blockTimeMs?: number): Promise<NodeProcess>;
}

/**
 * Registers the mocha hooks of a describe whose node runs as a child process (the crash and kill
 * tests): `before` starts the rollup and stops its in-process node, so that the node processes
 * run on the same data directory and rollup; `after` SIGKILLs the last node process started and
 * stops the rollup.
 */
export function childNodeRollup(): ChildNodeRollup {
  let rollup: E2eRollup | undefined;
  let last: NodeProcess | undefined;
  before(async () => {
    rollup = await startE2eRollup();
    await rollup.devnet.node.stop();
  });
  after(async () => {
    if (last !== undefined) await kill(last);
    await rollup?.stop();
  });
  const started = (): E2eRollup => {
    if (rollup === undefined) throw new Error("the rollup starts in the describe's before hook");
    return rollup;
  };
  return {
    get r(): E2eRollup {
      return started();
    },
    spawnNode: async (blockTimeMs) => {
      last = await spawnNode(started(), blockTimeMs);
      return last;
    },
  };
}
