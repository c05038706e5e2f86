// `npx hardhat rollup:init <dir>` (or `npm run rollup:init -- <dir>`): creates a new rollup
// project from templates/rollup/. Definition only; the work loads when the task runs.
import { task, types } from "hardhat/config";

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
  .addOptionalParam("chainId", "L2 chain id", undefined, types.int)
  .addOptionalParam("blockTime", "L2 block interval in ms", undefined, types.int)
  .addOptionalParam("gasLimit", "L2 block gas limit", undefined, types.string)
  .addOptionalParam(
    "sequencing",
    "Who may advance: permissioned | based | fallback (permissioned, permissionless after inactivity)",
    undefined,
    types.string,
  )
  .addOptionalParam("proofs", "How blocks are verified: reexecution | k-of-n", undefined, types.string)
  .addOptionalParam("k", "k-of-n: proofs required", undefined, types.int)
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
