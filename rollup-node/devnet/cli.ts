import { parseArgs } from "node:util";

import { parseEther } from "ethers";

import { readGenesisFile } from "../chain/genesisFile";
import { runCli } from "../cli";
import { NodeError } from "../errors";
import { DEVNET_PORT_OPTIONS } from "./defaults";
import { checkedL1GasLimit } from "./l1GasLimit";
import type { DevnetMode, OptimisticDevnetMode } from "./mode";
import { runL1DevnetForeground } from "./run";
import { runRollupDevnetForeground } from "./runRollup";

/** Thrown for command-line arguments the devnet cannot use. */
export class CliUsageError extends NodeError {
  constructor(message: string, hint: string) {
    super("CLI_USAGE", message, hint);
  }
}

const USAGE =
  "usage: ts-node rollup-node/devnet/cli.ts [--host H] [--port N] [--block-time ms] [--chain-id N] " +
  "[--l1-gas-limit GAS] [--l2-port N] [--l2-block-time ms] [--l2-chain-id N] [--data-dir DIR] [--reset] [--empty-blocks] [--proofs N] [--optimistic [--challenge-window s] [--proposal-bond ETH]] [--cors ORIGINS] | --l1-only [--fork osaka] [--l2-genesis FILE]";

/** `--optimistic` and its parameters; window and bond alone do not switch the mode on. */
function optimisticOption(values: {
  optimistic?: boolean;
  "challenge-window"?: string;
  "proposal-bond"?: string;
}): OptimisticDevnetMode | undefined {
  if (values.optimistic !== true) {
    if (values["challenge-window"] !== undefined || values["proposal-bond"] !== undefined) {
      throw new CliUsageError("--challenge-window and --proposal-bond need --optimistic", USAGE);
    }
    return undefined;
  }
  const window = integer(values["challenge-window"], "challenge-window");
  let bond: bigint | undefined;
  try {
    bond = values["proposal-bond"] === undefined ? undefined : parseEther(values["proposal-bond"]);
  } catch {
    throw new CliUsageError(`--proposal-bond must be an amount of ETH, got "${values["proposal-bond"]}"`, USAGE);
  }
  return {
    kind: "optimistic",
    ...(window === undefined ? {} : { challengeWindow: BigInt(window) }),
    ...(bond === undefined ? {} : { proposalBond: bond }),
  };
}

/** `--proofs N` or `--optimistic`, resolved once into the devnet's mode (both at once is refused). */
export function modeOption(values: {
  proofs?: string;
  optimistic?: boolean;
  "challenge-window"?: string;
  "proposal-bond"?: string;
}): DevnetMode | undefined {
  const optimistic = optimisticOption(values);
  if (values.proofs === undefined) return optimistic;
  if (optimistic !== undefined)
    // The optimistic submitter proposes without proofs; proving provisional blocks is not wired yet.
    throw new CliUsageError(
      "--optimistic and --proofs cannot be combined yet",
      "pass either --optimistic or --proofs N",
    );
  return { kind: "proofs", committees: integer(values.proofs, "proofs") ?? 2 };
}

/**
 * `--l1-gas-limit GAS` for a devnet of `mode`: refused with the reason when it is not a whole
 * number or below what that mode's rollup runs on (l1GasLimit.ts says which and why).
 */
export function l1GasLimitOption(value: string | undefined, mode: DevnetMode | undefined): bigint | undefined {
  if (value === undefined) return undefined;
  const checked = checkedL1GasLimit(value, mode?.kind);
  if (typeof checked !== "bigint") throw new CliUsageError(checked.message, checked.hint);
  return checked;
}

function integer(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  if (!/^\d+$/.test(value)) throw new CliUsageError(`--${name} must be a non-negative integer, got "${value}"`, USAGE);
  return Number(value);
}

async function main(argv: string[]): Promise<void> {
  const { values } = parseArgs({
    args: argv,
    options: {
      host: { type: "string" },
      port: { type: "string" },
      fork: { type: "string" },
      "block-time": { type: "string" },
      "l1-gas-limit": { type: "string" },
      "chain-id": { type: "string" },
      "l2-port": { type: "string" },
      "l2-block-time": { type: "string" },
      "l2-chain-id": { type: "string" },
      "data-dir": { type: "string" },
      reset: { type: "boolean" },
      "empty-blocks": { type: "boolean" },
      proofs: { type: "string" },
      optimistic: { type: "boolean" },
      "challenge-window": { type: "string" },
      "proposal-bond": { type: "string" },
      "l1-only": { type: "boolean" },
      "l2-genesis": { type: "string" },
      cors: { type: "string" },
      help: { type: "boolean", short: "h" },
    },
  });
  if (values.help === true) {
    console.log(USAGE);
    return;
  }
  const chainId = integer(values["chain-id"], "chain-id");
  if (values["l1-only"] !== true) {
    if (values["l2-genesis"] !== undefined)
      throw new CliUsageError(
        "--l2-genesis is for --l1-only",
        "the rollup devnet builds its own L2 genesis: give its write rules in hardhat.config.ts rollup.genesis.writeRules",
      );
    const l2ChainId = integer(values["l2-chain-id"], "l2-chain-id");
    const mode = modeOption(values);
    await runRollupDevnetForeground({
      host: values.host,
      l1Port: integer(values.port, "port"),
      l2Port: integer(values["l2-port"], "l2-port"),
      l1BlockTimeMs: integer(values["block-time"], "block-time"),
      l2BlockTimeMs: integer(values["l2-block-time"], "l2-block-time"),
      l1ChainId: chainId === undefined ? undefined : BigInt(chainId),
      l2ChainId: l2ChainId === undefined ? undefined : BigInt(l2ChainId),
      dataDir: values["data-dir"],
      reset: values.reset === true,
      allowEmptyBlocks: values["empty-blocks"] === true,
      mode,
      l1GasLimit: l1GasLimitOption(values["l1-gas-limit"], mode),
      corsOrigins: corsOption(values.cors),
    });
    return;
  }
  // An L2 to be deployed on this L1 whose genesis schedules EXECUTE's write rules: its EXECUTE applies them.
  const l2Genesis = values["l2-genesis"] === undefined ? undefined : await readGenesisFile(values["l2-genesis"]);
  await runL1DevnetForeground({
    ...(l2Genesis?.writeRules === undefined
      ? {}
      : { execute: { writeRules: new Map([[l2Genesis.chainId, l2Genesis.writeRules]]) } }),
    host: values.host,
    port: integer(values.port, "port"),
    portOption: DEVNET_PORT_OPTIONS.l1,
    hardfork: values.fork,
    blockTime: integer(values["block-time"], "block-time"),
    chainId: chainId === undefined ? undefined : BigInt(chainId),
    // An L1 alone is made for a rollup to be deployed on: the same floor as the default mode's.
    gasLimit: l1GasLimitOption(values["l1-gas-limit"], undefined),
    corsOrigins: corsOption(values.cors),
  });
}

/** `--cors a,b`: the web origins allowed to call the JSON-RPC servers (none without it). */
function corsOption(value: string | undefined): string[] | undefined {
  return value === undefined
    ? undefined
    : value
        .split(",")
        .map((o) => o.trim())
        .filter((o) => o !== "");
}

if (require.main === module) runCli(() => main(process.argv.slice(2)));
