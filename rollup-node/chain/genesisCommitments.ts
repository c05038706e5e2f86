import { bytesToHex } from "@ethereumjs/util";

import { Chain } from "./chain";
import type { GenesisConfig } from "./genesis";

/** The hash and state root a rollup contract is deployed with for `genesis`. */
export async function genesisCommitments(genesis: GenesisConfig): Promise<{ hash: string; stateRoot: string }> {
  const probe = await Chain.create({ genesis });
  return { hash: bytesToHex(probe.head.hash()), stateRoot: bytesToHex(probe.head.header.stateRoot) };
}
