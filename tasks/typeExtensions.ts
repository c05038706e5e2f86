// Adds the `rollup` section to Hardhat's config types (user-facing and resolved).
import "hardhat/types/config";

import type { ResolvedRollupConfig, RollupUserConfig } from "./rollupConfig";

declare module "hardhat/types/config" {
  interface HardhatUserConfig {
    rollup?: RollupUserConfig;
  }
  interface HardhatConfig {
    rollup: ResolvedRollupConfig;
  }
}
