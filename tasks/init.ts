// `npx hardhat rollup:init <dir>` (or `npm run rollup:init -- <dir>`): creates a new rollup
// project from templates/rollup/. Definition only; the work loads when the task runs.
import { task, types } from "hardhat/config";
import { HardhatPluginError } from "hardhat/plugins";

import type { InitArgs } from "./init/options";

task("rollup:init", "Creates a new native rollup project (its own contract, chain, policies and tests) in an empty folder")
  .addPositionalParam("dir", "The new project's folder (must not exist or be empty)", undefined, types.string)
  .addOptionalParam("name", "Contract name prefix: <Name>Rollup (default: from the folder's name)", undefined, types.string)
  .addOptionalParam("chainId", "L2 chain id", undefined, types.int)
  .addOptionalParam("blockTime", "L2 block interval in ms", undefined, types.int)
  .addOptionalParam("gasLimit", "L2 block gas limit", undefined, types.string)
  .addOptionalParam("sequencing", "Who may advance: permissioned | based | fallback (permissioned, permissionless after inactivity)", undefined, types.string)
  .addOptionalParam("proofs", "How blocks are verified: reexecution | k-of-n", undefined, types.string)
  .addOptionalParam("k", "k-of-n: proofs required", undefined, types.int)
  .addOptionalParam("n", "k-of-n: proof types accepted (default k)", undefined, types.int)
  .addFlag("optimistic", "Blocks are proposed with a bond and final after a challenge window (OptimisticRollup)")
  .addOptionalParam("framework", "Vendor this native-rollup tarball instead of packing one now", undefined, types.string)
  .setAction(async (args: InitArgs, hre) => {
    const { runInit } = await import("./init/run");
    const { InitOptionsError } = await import("./init/options");
    const { InitProjectError } = await import("./init/project");
    try {
      await runInit(args, hre);
    } catch (error) {
      // Hardhat prints a plugin error as its message alone, without a stack: what a user mistake needs.
      if (error instanceof InitOptionsError || error instanceof InitProjectError) throw new HardhatPluginError("native-rollup", `${error.message} [${error.code}]`, error);
      throw error;
    }
  });
