import type { Block } from "@ethereumjs/block";
import type { EVMMockBlockchainInterface } from "@ethereumjs/evm";

import type { BlockStore } from "./blockStore";

/** What the EVM asks of a blockchain (BLOCKHASH), answered from the chain's block store. */
export class StoreBlockchain implements EVMMockBlockchainInterface {
  constructor(private readonly store: BlockStore) {}

  async getBlock(number: number | bigint | Uint8Array): Promise<Block> {
    const record =
      number instanceof Uint8Array ? this.store.byHash(number) : this.store.byNumberOrUndefined(BigInt(number));
    if (record === undefined) throw new Error(`block ${String(number)} is not in this chain`);
    return record.block;
  }

  async putBlock(): Promise<void> {
    // Blocks are stored by the Chain once built, never by the VM.
  }

  shallowCopy(): StoreBlockchain {
    return this;
  }
}
