import { anvilMethods } from "./anvil";
import { configMethods } from "./config";
import { debugMethods } from "./debug";
import { ethMethods } from "./eth";
import { evmMethods } from "./evm";
import { hardhatMethods } from "./hardhat";
import { netMethods } from "./net";
import { simulateMethods } from "./simulate";
import { testingMethods } from "./testing";
import { txpoolMethods } from "./txpool";
import type { MethodTable } from "./types";
import { web3Methods } from "./web3";

/** Every method a dev node answers. An L2 node may compose a smaller table. */
export const DEFAULT_METHODS: MethodTable = {
  ...ethMethods,
  ...netMethods,
  ...web3Methods,
  ...evmMethods,
  ...hardhatMethods,
  ...anvilMethods,
  ...debugMethods,
  ...txpoolMethods,
  ...simulateMethods,
  ...configMethods,
  ...testingMethods,
};

export {
  anvilMethods,
  configMethods,
  debugMethods,
  ethMethods,
  evmMethods,
  hardhatMethods,
  netMethods,
  simulateMethods,
  testingMethods,
  txpoolMethods,
  web3Methods,
};
export type { MethodHandler, MethodTable } from "./types";
