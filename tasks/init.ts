// `npx hardhat rollup:init <dir>` (or `npm run rollup:init -- <dir>`): creates a new rollup
// project from templates/rollup/. Definition only; the work loads when the task runs.
import { task, types } from "hardhat/config";

import { DEFAULT_L2_BLOCK_TIME_MS, DEFAULT_L2_CHAIN_ID } from "../rollup-node/devnet/defaults";
import { DEFAULT_INIT_GAS_LIMIT, DEFAULT_INIT_K, DEFAULT_INIT_PROOFS, DEFAULT_INIT_SEQUENCING } from "./init/defaults";
import type { InitArgs } from "./init/options";
import { taskAction } from "./taskErrors";

task(
  "rollup:init",
  "Creates a new native rollup project (its own contract, chain, policies and tests) in an empty folder",
)
  .addPositionalParam("dir", "The new project's folder (must not exist or be empty)", undefined, types.string)
  .addOptionalParam(
    "name",
    "Contract name prefix: <Name>Rollup (default: from the folder's name)",
    undefined,
    types.string,
  )
  // The defaults are named in the descriptions, not passed as Hardhat defaults: init/options.ts
  // resolves what was left out, as it does --n from --k.
  .addOptionalParam(
    "chainId",
    `L2 chain id (default ${DEFAULT_L2_CHAIN_ID}, the framework's, shared by every rollup that keeps it)`,
    undefined,
    types.int,
  )
  .addOptionalParam("blockTime", `L2 block interval in ms (default ${DEFAULT_L2_BLOCK_TIME_MS})`, undefined, types.int)
  .addOptionalParam("gasLimit", `L2 block gas limit (default ${DEFAULT_INIT_GAS_LIMIT})`, undefined, types.string)
  .addOptionalParam(
    "sequencing",
    `Who may advance: permissioned | based | fallback (permissioned, permissionless after inactivity); default ${DEFAULT_INIT_SEQUENCING}`,
    undefined,
    types.string,
  )
  .addOptionalParam(
    "proofs",
    `How blocks are verified: reexecution | k-of-n (default ${DEFAULT_INIT_PROOFS})`,
    undefined,
    types.string,
  )
  .addOptionalParam("k", `k-of-n: proofs required (default ${DEFAULT_INIT_K})`, undefined, types.int)
  .addOptionalParam("n", "k-of-n: proof types accepted (default k)", undefined, types.int)
  .addFlag("optimistic", "Blocks are proposed with a bond and final after a challenge window (OptimisticRollup)")
  .addOptionalParam(
    "framework",
    "Vendor this native-rollup tarball instead of packing one now",
    undefined,
    types.string,
  )
  .setAction(
    // A user mistake (a taken folder, a bad option) is its message and hint, never a stack trace.
    taskAction(async (args: InitArgs, hre) => {
      const { runInit } = await import("./init/run");
      await runInit(args, hre);
    }),
  );
