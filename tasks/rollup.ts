// Task definitions only: their actions live in ./rollupActions and load when a task runs,
// because they need the contract bindings `hardhat compile` generates after the config loads.
import { task, types } from "hardhat/config";

import { DEFAULT_ROLLUP_POLICY } from "../deploy/policy";
import { DEFAULT_L2_CHAIN_ID } from "../rollup-node/devnet/defaults";
import type { CommonArgs, DeployArgs } from "./rollupActions";

const withCommon = <T extends ReturnType<typeof task>>(t: T): T =>
  t.addOptionalParam("rollup", "Rollup contract on L1 (default: the devnet's .devnet/rollup.json)", undefined, types.string).addOptionalParam("account", "Dev account index (0–9) to act with", 0, types.int) as T;

task("rollup:deploy", "Deploys the rollup contract of hardhat.config.ts `rollup.contract` (default: ExampleRollup, or ProvenRollup with --verification-keys) on an L1 you name, after checking that L1 can verify it; writes deployment.json and resumes an interrupted run")
  .addOptionalParam("l1Rpc", "L1 JSON-RPC URL; the deployer's key comes from ROLLUP_DEPLOYER_KEY or ROLLUP_DEPLOYER_KEYSTORE (+ _PASSWORD). Or use --network <name> and its accounts", undefined, types.string)
  .addOptionalParam("l2ChainId", "L2 chain id", Number(DEFAULT_L2_CHAIN_ID), types.int)
  .addOptionalParam("genesisHash", "L2 genesis block hash (default: the dev genesis, built now)", undefined, types.string)
  .addOptionalParam("genesisStateRoot", "L2 genesis state root (with --genesis-hash)", undefined, types.string)
  .addOptionalParam("sequencer", "L1 address allowed to advance (required off the devnet; on it, the dev node's key)", undefined, types.string)
  .addOptionalParam("relayer", "L2 address funded in the dev genesis to relay L1 → L2 messages (default: the dev node's relayer)", undefined, types.string)
  .addOptionalParam("inactivity", "Seconds of sequencer silence after which anyone may advance", Number(DEFAULT_ROLLUP_POLICY.sequencerInactivityPeriod), types.int)
  .addOptionalParam("forceInclusion", "Seconds after which a queued message must be consumed", Number(DEFAULT_ROLLUP_POLICY.forceInclusionDelay), types.int)
  .addOptionalParam("verificationKeys", "Proof mode: a JSON file with the ABI-encoded verification key of each accepted proof type (a committee's: committeeVerificationKey)", undefined, types.string)
  .addOptionalParam("threshold", "Proof mode: how many of the keys must prove each block (default: rollup.proofs.threshold, else all)", undefined, types.int)
  .addFlag("verifiers", "Proof mode: verify with Solidity Groth16 verifiers even where the L1 has EXECUTE (chosen anyway where it has not)")
  .addFlag("dev", "Allow a key of the public dev mnemonic on an L1 other than the devnet (a throwaway local chain only)")
  .addOptionalParam("out", "The deployment record (a node reads it: rollup-node/node/cli.ts --deployment); <out>.partial holds an unfinished run", "deployment.json", types.string)
  .setAction(async (args: DeployArgs, hre) => (await import("./rollupActions")).deploy(args, hre));

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
