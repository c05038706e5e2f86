import { task, types } from "hardhat/config";
import type { HardhatRuntimeEnvironment } from "hardhat/types";

// Light modules only at the top: this file loads with the config, for every task (the devnet's
// code loads in the action, docs/design/task-startup.md).
import { DEFAULT_HARDFORK } from "../rollup-node/chain/defaults";

import {
  DEFAULT_CHALLENGE_WINDOW,
  DEFAULT_DATA_DIR,
  DEFAULT_L1_CHAIN_ID,
  DEFAULT_L1_PORT,
  DEFAULT_L2_CHAIN_ID,
  DEFAULT_L2_BLOCK_TIME_MS,
  DEVNET_PORT_OPTIONS,
} from "../rollup-node/devnet/defaults";
import { DEFAULT_DEVNET_L1_GAS_LIMIT, checkedL1GasLimit } from "../rollup-node/devnet/l1GasLimit";
import { DEFAULT_L2_RPC_PORT } from "../rollup-node/l2/defaults";
import { DEFAULT_RPC_HOST } from "../rollup-node/rpc/defaults";
import type { DevnetMode, OptimisticDevnetMode, ProofsDevnetMode } from "../rollup-node/devnet/mode";
import type { L1DevnetOptions } from "../rollup-node/devnet/l1Devnet";
import { integerText, withIntegers } from "./integerOptions";
import { RollupTaskError, taskAction } from "./taskErrors";
import { InvalidTaskInputError, chainIdOption, etherAmount, portOption, positiveOption } from "./taskInput";

interface DevnetTaskArgs {
  host: string;
  port: number;
  l2Port: number;
  fork: string;
  blockTime?: number;
  l2BlockTime?: number;
  chainId: number;
  l2ChainId?: number;
  dataDir: string;
  reset: boolean;
  l1Only: boolean;
  emptyBlocks: boolean;
  l2Automine: boolean;
  proofs?: number;
  optimistic: boolean;
  challengeWindow?: number;
  proposalBond?: string;
  cors?: string;
  l1GasLimit?: string;
}

/**
 * `--cors a,b`: the web origins allowed to call both JSON-RPC servers (none without it), each
 * `*` or exactly an origin (scheme://host[:port], what a browser sends): an entry that is not one
 * would never match, and the page it was meant for would be refused without a word at start.
 */
function corsOrigins(value: string | undefined): string[] | undefined {
  if (value === undefined) return undefined;
  const origins = value
    .split(",")
    .map((o) => o.trim())
    .filter((o) => o !== "");
  for (const origin of origins) {
    if (origin === "*" || (URL.canParse(origin) && new URL(origin).origin === origin)) continue;
    throw new InvalidTaskInputError(
      `--cors "${origin}" is not a web origin`,
      "list origins as a browser sends them, scheme://host[:port] without a path or trailing slash, e.g. --cors http://localhost:3000 (or * for every origin)",
    );
  }
  return origins;
}

/** The L2's chain id must not be the L1's: a transaction signed for one would be valid on the other (EIP-155). */
function distinctChainIds(l1ChainId: bigint, l2ChainId: bigint): void {
  if (l1ChainId === l2ChainId)
    throw new InvalidTaskInputError(
      `--l2-chain-id ${l2ChainId} is the L1's chain id (--chain-id ${l1ChainId})`,
      "give the L2 a chain id of its own (a transaction signed for one layer would be valid on the other), or the L1 another --chain-id",
    );
}

/**
 * `--l1-gas-limit` for a devnet of `mode`: a whole number of gas, at least what the mode's rollup
 * runs on, or refused (CLI_USAGE) with which minimum and why (rollup-node/devnet/l1GasLimit.ts).
 */
export function devnetL1GasLimit(value: string | undefined, mode: DevnetMode | undefined): bigint | undefined {
  if (value === undefined) return undefined;
  const checked = checkedL1GasLimit(value, mode?.kind);
  if (typeof checked !== "bigint") throw new RollupTaskError("CLI_USAGE", checked.message, checked.hint);
  return checked;
}

/**
 * The devnet's mode from the flags over the config's, resolved once: `--proofs N` replaces the
 * config's proofs, `--optimistic` (or a window or bond) its optimistic parameters one by one; a
 * proof mode and an optimistic mode from either source together are refused.
 */
export function devnetTaskMode(
  args: Pick<DevnetTaskArgs, "proofs" | "optimistic" | "challengeWindow" | "proposalBond">,
  configured: DevnetMode | undefined,
): DevnetMode | undefined {
  const fromConfig = configured?.kind === "optimistic" ? configured : undefined;
  const optimistic: OptimisticDevnetMode | undefined =
    args.optimistic || args.challengeWindow !== undefined || args.proposalBond !== undefined
      ? {
          kind: "optimistic",
          challengeWindow:
            args.challengeWindow === undefined ? fromConfig?.challengeWindow : BigInt(args.challengeWindow),
          proposalBond:
            args.proposalBond === undefined
              ? fromConfig?.proposalBond
              : etherAmount("--proposal-bond", args.proposalBond, true),
        }
      : fromConfig;
  const proofs: ProofsDevnetMode | undefined =
    args.proofs !== undefined
      ? { kind: "proofs", committees: args.proofs }
      : configured?.kind === "proofs"
        ? configured
        : undefined;
  if (optimistic !== undefined && proofs !== undefined)
    // The optimistic submitter proposes without proofs; proving provisional blocks is not wired yet.
    throw new RollupTaskError(
      "DEVNET_OPTIONS",
      "optimistic mode and proof mode cannot be combined yet",
      "pass either --optimistic or --proofs N (or keep one of rollup.proofs and rollup.optimistic in the config)",
    );
  return optimistic ?? proofs ?? configured;
}

/** The L1-only devnet's EXECUTE options for the project's L2: its write rules, when the config declares some. */
function l1OnlyWriteRules(rollup: HardhatRuntimeEnvironment["config"]["rollup"]): Pick<L1DevnetOptions, "execute"> {
  return rollup.writeRules === undefined
    ? {}
    : { execute: { writeRules: new Map([[rollup.l2ChainId, rollup.writeRules]]) } };
}

/**
 * The line the devnet prints before it loads its modules: the node's code takes a minute to load
 * on a busy machine (64 s at load 30, trial s29), and without a word after Hardhat's compile line
 * the terminal looked stuck.
 */
export function devnetStartingLine(l1Only: boolean): string {
  return l1Only
    ? "Starting the L1 devnet: loading the chain (a few seconds, longer on a busy machine)…"
    : "Starting the native rollup devnet: loading the L1, the rollup and the L2 node (a few seconds, up to a minute on a busy machine)…";
}

/** The devnet's integer options, each with the value its hint shows (withIntegers). */
const DEVNET_INTEGER_EXAMPLES = {
  port: Number(DEFAULT_L1_PORT),
  l2Port: Number(DEFAULT_L2_RPC_PORT),
  blockTime: 1000,
  l2BlockTime: DEFAULT_L2_BLOCK_TIME_MS,
  chainId: Number(DEFAULT_L1_CHAIN_ID),
  l2ChainId: Number(DEFAULT_L2_CHAIN_ID),
  proofs: 2,
  challengeWindow: Number(DEFAULT_CHALLENGE_WINDOW),
} as const;

/**
 * The block times, committees and window, checked before anything starts: a zero or negative
 * value would otherwise be refused by the L1 thread only after the compile, or not at all.
 */
function checkDevnetDurations(
  args: Pick<DevnetTaskArgs, "blockTime" | "l2BlockTime" | "proofs" | "challengeWindow">,
): void {
  if (args.blockTime !== undefined) positiveOption("--block-time", args.blockTime, "milliseconds", 1000);
  if (args.l2BlockTime !== undefined)
    positiveOption("--l2-block-time", args.l2BlockTime, "milliseconds", DEFAULT_L2_BLOCK_TIME_MS);
  if (args.proofs !== undefined) positiveOption("--proofs", args.proofs, "committees", 2);
  if (args.challengeWindow !== undefined)
    positiveOption("--challenge-window", args.challengeWindow, "seconds", Number(DEFAULT_CHALLENGE_WINDOW));
}

task(
  "devnet",
  `Starts the native rollup devnet: L1 (EXECUTE at 0x…0101) on ${DEFAULT_L1_PORT}, the rollup contract, the L2 node on ${DEFAULT_L2_RPC_PORT}`,
)
  .addOptionalParam("host", "Interface to listen on", DEFAULT_RPC_HOST, types.string)
  .addOptionalParam("port", "L1 port (0 picks a free one)", DEFAULT_L1_PORT, integerText)
  .addOptionalParam("l2Port", "L2 port (0 picks a free one)", DEFAULT_L2_RPC_PORT, integerText)
  .addOptionalParam("fork", "L1 hardfork, active from genesis (--l1-only)", DEFAULT_HARDFORK, types.string)
  .addOptionalParam("blockTime", "Mine an L1 block every N ms instead of one per transaction", undefined, integerText)
  .addOptionalParam(
    "l2BlockTime",
    "L2 block interval in ms (default: rollup.blockTimeMs of the config, else 1000)",
    undefined,
    integerText,
  )
  .addOptionalParam("chainId", "L1 chain id", Number(DEFAULT_L1_CHAIN_ID), integerText)
  .addOptionalParam(
    "l1GasLimit",
    `L1 block gas limit, fixed at genesis (default ${DEFAULT_DEVNET_L1_GAS_LIMIT}; below 2^24 the advance gas cap binds; a resumed chain keeps its own)`,
    undefined,
    types.string,
  )
  .addOptionalParam(
    "l2ChainId",
    "L2 chain id (default: rollup.l2ChainId of the config, else 42069)",
    undefined,
    integerText,
  )
  .addOptionalParam("dataDir", "Where both chains are kept between runs", DEFAULT_DATA_DIR, types.string)
  .addFlag("reset", "Start both chains from genesis instead of resuming")
  .addFlag("l1Only", "Only the L1 devnet, in memory: no rollup contract, no L2 node, nothing kept between runs")
  .addFlag("emptyBlocks", "Produce L2 blocks even without transactions or messages")
  .addFlag(
    "l2Automine",
    "L2 automine: each transaction gets its own L2 block before eth_sendRawTransaction returns, as tests expect (evm_setAutomine toggles it)",
  )
  .addOptionalParam(
    "proofs",
    "Proof mode: N attestation committees; blocks are accepted on their proofs alone (default: rollup.proofs of the config)",
    undefined,
    integerText,
  )
  .addFlag(
    "optimistic",
    "Optimistic mode: blocks are proposed with a bond, final after the challenge window; the node challenges invalid ones (default: rollup.optimistic of the config)",
  )
  .addOptionalParam(
    "challengeWindow",
    "Optimistic mode: seconds a proposed block can be challenged (default 30)",
    undefined,
    integerText,
  )
  .addOptionalParam("proposalBond", "Optimistic mode: ETH every proposal locks (default 0.1)", undefined, types.string)
  .addOptionalParam(
    "cors",
    "Comma-separated web origins whose pages may call the JSON-RPC (CORS), e.g. http://localhost:3000; none by default",
    undefined,
    types.string,
  )
  .setAction(
    // A start that fails (a taken port, options that do not go together) is one line and a hint.
    taskAction(
      withIntegers(DEVNET_INTEGER_EXAMPLES, async (args: DevnetTaskArgs, hre) => {
        // Checked before the L1 thread starts or the contracts compile: listen() would refuse it last.
        portOption("--port", args.port);
        portOption("--l2-port", args.l2Port);
        checkDevnetDurations(args);
        const l1ChainId = chainIdOption("--chain-id", args.chainId);
        const l2ChainIdFlag = args.l2ChainId === undefined ? undefined : chainIdOption("--l2-chain-id", args.l2ChainId);
        if (l2ChainIdFlag !== undefined) distinctChainIds(l1ChainId, l2ChainIdFlag);
        const cors = corsOrigins(args.cors);
        if (args.l1Only) {
          console.log(devnetStartingLine(true));
          const { runL1DevnetForeground } = await import("../rollup-node/devnet/run");
          await runL1DevnetForeground({
            host: args.host,
            port: args.port,
            portOption: DEVNET_PORT_OPTIONS.l1,
            hardfork: args.fork,
            blockTime: args.blockTime,
            chainId: l1ChainId,
            gasLimit: devnetL1GasLimit(args.l1GasLimit, undefined),
            corsOrigins: cors,
            // The project's L2 is deployed on it later: its EXECUTE verifies that chain under the
            // config's write rules (rollup.genesis.writeRules), as the L2's node records them.
            ...l1OnlyWriteRules(hre.config.rollup),
          });
          return;
        }
        // The rollup and the L2 genesis need the compiled contracts.
        await hre.run("compile", { quiet: true });
        console.log(devnetStartingLine(false));
        // Loaded here: the rollup needs the contract bindings that compile just generated.
        const { runRollupDevnetForeground } = await import("../rollup-node/devnet/runRollup");
        const { devnetOptionsFromConfig } = await import("./devnetConfig");
        const fromConfig = await devnetOptionsFromConfig(hre);
        const mode = devnetTaskMode(args, fromConfig.mode);
        const l2ChainId = l2ChainIdFlag ?? fromConfig.l2ChainId;
        // The config's chain id (or the framework's default) may meet --chain-id too.
        distinctChainIds(l1ChainId, l2ChainId ?? DEFAULT_L2_CHAIN_ID);
        await runRollupDevnetForeground({
          ...fromConfig,
          host: args.host,
          l1Port: args.port,
          l2Port: args.l2Port,
          l1ChainId,
          l2ChainId,
          l1BlockTimeMs: args.blockTime,
          l2BlockTimeMs: args.l2BlockTime ?? fromConfig.l2BlockTimeMs,
          dataDir: args.dataDir,
          reset: args.reset,
          allowEmptyBlocks: args.emptyBlocks,
          l2Automine: args.l2Automine,
          mode,
          l1GasLimit: devnetL1GasLimit(args.l1GasLimit, mode),
          corsOrigins: cors,
        });
      }),
    ),
  );
