import { EventEmitter } from "node:events";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { extendEnvironment } from "hardhat/config";
import type { EIP1193Provider, HardhatRuntimeEnvironment, RequestArguments } from "hardhat/types";

import type { RollupDevnet } from "../rollup-node/devnet/rollupDevnet";

/**
 * The Hardhat network served in-process by a whole rollup devnet started for the run: L1 with
 * EXECUTE, the project's rollup contract, and the L2 node with automine and the dev methods. Its
 * provider is the L2's: `npx hardhat test --network l2devnet` tests L2 contracts as on any Hardhat
 * network (loadFixture's evm_snapshot/evm_revert detach this throwaway devnet from its L1, which
 * is fine here: docs/design/l2-dev-state.md).
 */
export const IN_PROCESS_L2_NETWORK = "l2devnet";

/** Starts the rollup on first use (compilation and config-only commands never pay for it). */
class LazyRollupProvider extends EventEmitter implements EIP1193Provider {
  private devnet: Promise<RollupDevnet> | undefined;

  constructor(private readonly hre: HardhatRuntimeEnvironment) {
    super();
  }

  private async start(): Promise<RollupDevnet> {
    const [{ startRollupDevnet }, { devnetOptionsFromConfig }, { silentLogger, createLineLogger }] = await Promise.all([
      import("../rollup-node/devnet/rollupDevnet"),
      import("./devnetConfig"),
      import("../rollup-node/logger"),
    ]);
    const dataDir = mkdtempSync(path.join(tmpdir(), "l2devnet-"));
    // Process exit is the end of the run (Hardhat exits after its task): the chains are throwaway.
    process.once("exit", () => rmSync(dataDir, { recursive: true, force: true }));
    const verbose = process.env.ROLLUP_LOG === "1";
    return startRollupDevnet({
      ...(await devnetOptionsFromConfig(this.hre)),
      dataDir,
      l1Port: 0,
      l2Port: 0,
      l2Automine: true,
      logger: (component) =>
        verbose ? createLineLogger(component, (line) => process.stderr.write(`${line}\n`)) : silentLogger,
    });
  }

  async request(args: RequestArguments): Promise<unknown> {
    this.devnet ??= this.start();
    const devnet = await this.devnet;
    return devnet.node.provider.request({ method: args.method, params: (args.params as unknown[] | undefined) ?? [] });
  }
}

extendEnvironment((hre) => {
  if (hre.network.name !== IN_PROCESS_L2_NETWORK) return;
  // The L2 node holds no keys: Hardhat's own wrappers sign with the network's dev accounts and
  // fill gas and fees, as they do for the `l2` network of a running devnet.
  const { applyProviderWrappers } =
    require("hardhat/internal/core/providers/construction") as typeof import("hardhat/internal/core/providers/construction");
  const { BackwardsCompatibilityProviderAdapter } =
    require("hardhat/internal/core/providers/backwards-compatibility") as typeof import("hardhat/internal/core/providers/backwards-compatibility");
  hre.network.provider = new BackwardsCompatibilityProviderAdapter(
    applyProviderWrappers(new LazyRollupProvider(hre), hre.network.config, []),
  );
});
