#!/usr/bin/env node
// The node command as a process: `native-rollup-node` (the package's bin), `ts-node
// rollup-node/node/cli.ts`, and what `npx hardhat rollup:node` runs. Options: nodeCommand.ts.
import type { SequencingRuleName } from "../../deploy/policy";
import { runCli, untilStopSignal } from "../cli";
import { createLineLogger, quietRepeats } from "../logger";
import { parseCommandLine } from "./commandOptions";
import { NODE_OPTIONS, nodeHelp, nodeUsage } from "./nodeOptions";

/** Prints this line on stdout once the node serves JSON-RPC (parents wait for it). */
export const READY_PREFIX = "L2 node ready at ";
/** Prints this line on stdout when a follower started with --takeover starts sequencing. */
export const TAKEOVER_PREFIX = "L2 node took over sequencing at ";

/**
 * Runs the node until SIGINT or SIGTERM. Logs go to stderr, the ready line to stdout; keys are
 * read from the environment or keystores, never from the command line.
 */
export async function runNodeCommand(
  argv: readonly string[],
  command = "native-rollup-node",
  configFlag = "--config",
  /** The project's declared sequencing rule (rollup:node passes rollup.sequencing.rule), checked on L1. */
  declaredSequencing?: SequencingRuleName,
): Promise<void> {
  const usage = nodeUsage(command, configFlag);
  // `--help` is answered from the options alone: the node's modules take ≈ 1 CPU s to load, for a
  // text (docs/design/fast-tests.md, round 31b).
  const loaded = parseCommandLine(NODE_OPTIONS, argv, usage).help === true ? undefined : await import("./nodeCommand");
  const options = await loaded?.resolveNodeCommand(argv, usage);
  if (loaded === undefined || options === undefined) {
    process.stdout.write(`${nodeHelp(command)}\n`);
    return;
  }
  const write = (line: string): void => void process.stderr.write(`${line}\n`);
  // A node that serves nothing any more (a take-over that can neither sequence nor follow) exits
  // non-zero with the reason: a supervisor restarts a process that exits, not one that idles.
  let fail: (error: Error) => void = () => undefined;
  const failed = new Promise<never>((_, reject) => {
    fail = reject;
  });
  const node = await loaded.startNodeCommand(options, {
    logger: (component) => quietRepeats(createLineLogger(component, write)),
    onTakeover: (url) => void process.stdout.write(`${TAKEOVER_PREFIX}${url}\n`),
    onFatal: (error) => fail(error),
    configFlag,
    ...(declaredSequencing === undefined ? {} : { declaredSequencing }),
  });
  process.stdout.write(`${READY_PREFIX}${node.url}\n`);
  try {
    await Promise.race([untilStopSignal(), failed]);
    write("Stopping the L2 node");
  } finally {
    await node.stop();
  }
}

if (require.main === module) runCli(() => runNodeCommand(process.argv.slice(2)));
