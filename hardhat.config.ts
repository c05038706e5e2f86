import "@nomicfoundation/hardhat-toolbox";
import type { HardhatUserConfig } from "hardhat/config";
import path from "node:path";

import "./tasks/plugin";
import { SOLC_VERSION } from "./tasks/solc";

const config: HardhatUserConfig = {
  solidity: {
    version: SOLC_VERSION,
    settings: {
      optimizer: { enabled: true, runs: 200 },
      evmVersion: "prague",
      // L2Bridge's storage layout is a committed snapshot (test/contracts/snapshots.test.ts);
      // Hardhat adds the outputs it needs itself.
      outputSelection: { "*": { "*": ["storageLayout"] } },
    },
  },
  // The plugin (./tasks/plugin.ts, "native-rollup/hardhat" in created projects) adds the networks:
  // `devnet` in this process (EXECUTE at 0x0101) as the default, `l1` and `l2` for a running
  // devnet (L1_RPC_URL, L2_RPC_URL), with the dev accounts.
  mocha: {
    timeout: 120_000,
    reporter: path.join(__dirname, "test", "support", "summaryReporter.js"),
  },
  typechain: {
    outDir: "typechain-types",
    target: "ethers-v6",
  },
  gasReporter: {
    enabled: false,
    offline: true,
  },
};

export default config;
