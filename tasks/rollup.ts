// Task definitions only: their actions live in ./rollupActions and load when a task runs,
// because they need the contract bindings `hardhat compile` generates after the config loads.
import { task, types } from "hardhat/config";

import { DEFAULT_ROLLUP_POLICY } from "../deploy/policy";
import { DEFAULT_L2_CHAIN_ID } from "../rollup-node/devnet/defaults";
import type { CommonArgs } from "./rollupActions";

const withCommon = <T extends ReturnType<typeof task>>(t: T): T =>
  t.addOptionalParam("rollup", "Rollup contract on L1 (default: the devnet's .devnet/rollup.json)", undefined, types.string).addOptionalParam("account", "Index of the `l1` network's account to act with (default the dev accounts 0–9; NATIVE_ROLLUP_USER_KEY wins)", 0, types.int).addFlag("dev", "Allow the public dev keys on an L1 other than the devnet's") as T;

task("rollup:deploy", "Deploys the rollup contract of hardhat.config.ts `rollup.contract` (default ExampleRollup) on L1 for an L2 genesis (by default the devnet's dev genesis with `rollup.genesis`)")
  .addOptionalParam("l2ChainId", "L2 chain id", Number(DEFAULT_L2_CHAIN_ID), types.int)
  .addOptionalParam("genesisHash", "L2 genesis block hash (default: the dev genesis, built now)", undefined, types.string)
  .addOptionalParam("genesisStateRoot", "L2 genesis state root (with --genesis-hash)", undefined, types.string)
  .addOptionalParam("sequencer", "L1 address allowed to advance (default: the dev node's key)", undefined, types.string)
  .addOptionalParam("inactivity", "Seconds of sequencer silence after which anyone may advance", Number(DEFAULT_ROLLUP_POLICY.sequencerInactivityPeriod), types.int)
  .addOptionalParam("forceInclusion", "Seconds after which a queued message must be consumed", Number(DEFAULT_ROLLUP_POLICY.forceInclusionDelay), types.int)
  .addOptionalParam("out", "Write the deployment record here (a node reads it: rollup-node/node/cli.ts --deployment)", undefined, types.string)
  .setAction(async (args: { l2ChainId: number; genesisHash?: string; genesisStateRoot?: string; sequencer?: string; inactivity: number; forceInclusion: number; out?: string }, hre) => (await import("./rollupActions")).deploy(args, hre));

withCommon(task("rollup:deposit", "Deposits ETH from L1 to L2 and waits until it is credited on L2"))
  .addParam("amount", "ETH to deposit", undefined, types.string)
  .addOptionalParam("to", "L2 recipient (default: the same account)", undefined, types.string)
  .setAction(async (args: CommonArgs & { amount: string; to?: string }, hre) => (await import("./rollupActions")).deposit(args, hre));

withCommon(task("rollup:send-message", "Sends an L1 → L2 call (L2Bridge.l1Sender() is the sender during it) and waits for its relay"))
  .addParam("to", "L2 contract to call", undefined, types.string)
  .addOptionalParam("data", "Calldata", "0x", types.string)
  .addOptionalParam("gasLimit", "Gas of the L2 call", 200_000, types.int)
  .addOptionalParam("value", "ETH to send along", "0", types.string)
  .setAction(async (args: CommonArgs & { to: string; data: string; gasLimit: number; value: string }, hre) => (await import("./rollupActions")).sendMessage(args, hre));

withCommon(task("rollup:withdraw", "Withdraws ETH from L2 to L1: initiates on L2, waits until provable, finalizes on L1"))
  .addParam("amount", "ETH to withdraw", undefined, types.string)
  .addOptionalParam("to", "L1 recipient (default: the same account)", undefined, types.string)
  .addOptionalParam("timeout", "Seconds to wait for the L2 block to be accepted on L1", 300, types.int)
  .setAction(async (args: CommonArgs & { amount: string; to?: string; timeout: number }, hre) => (await import("./rollupActions")).withdraw(args, hre));

withCommon(task("rollup:status", "Shows the L1 and L2 heads, the L2 head accepted on L1 and the pending L1 messages")).setAction(async (args: CommonArgs, hre) => (await import("./rollupActions")).status(args, hre));

withCommon(task("rollup:blocks", "Shows how L1 accepted each L2 block: re-executed by EXECUTE, or proven (under which of the policy's keys)"))
  .addOptionalParam("last", "How many of the latest accepted blocks to show", 20, types.int)
  .setAction(async (args: CommonArgs & { last: number }, hre) => (await import("./rollupActions")).blocks(args, hre));
