import "@nomicfoundation/hardhat-toolbox";
import type { HardhatUserConfig } from "hardhat/config";
import path from "node:path";

import "./tasks/plugin";
import { DEV_MNEMONIC } from "./rollup-node/devnet/accounts";
import { IN_PROCESS_NETWORK, IN_PROCESS_URL } from "./tasks/inProcessNetwork";
import { SOLC_VERSION } from "./tasks/solc";

const L1_RPC_URL = process.env.L1_RPC_URL ?? "http://127.0.0.1:8545";
const L2_RPC_URL = process.env.L2_RPC_URL ?? "http://127.0.0.1:9545";
/** The devnet's user accounts (#0–#9 of the public test mnemonic) on both layers. */
const DEV_ACCOUNTS = { mnemonic: DEV_MNEMONIC, count: 10 };

const config: HardhatUserConfig = {
  solidity: {
    version: SOLC_VERSION,
    settings: {
      optimizer: { enabled: true, runs: 200 },
      evmVersion: "prague",
    },
  },
  // Tests run against the patched EthereumJS EVM (with EXECUTE at 0x0101), in this process.
  // Hardhat's own EDR network cannot host a JavaScript precompile.
  defaultNetwork: IN_PROCESS_NETWORK,
  networks: {
    [IN_PROCESS_NETWORK]: {
      // Never dialled: the provider of this network is replaced by the in-process devnet.
      url: IN_PROCESS_URL,
      timeout: 600_000,
    },
    l1: {
      url: L1_RPC_URL,
      accounts: DEV_ACCOUNTS,
      timeout: 600_000,
    },
    l2: {
      url: L2_RPC_URL,
      accounts: DEV_ACCOUNTS,
      timeout: 600_000,
    },
  },
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
