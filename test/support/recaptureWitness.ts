import type { Block } from "@ethereumjs/block";

import type { Witness, WriteRules } from "../../precompiles";
import type { BlockStore } from "../../rollup-node/chain/blockStore";
import type { Chain } from "../../rollup-node/chain/chain";
import type { MinedBlock } from "../../rollup-node/chain/types";
import { type CaptureParams, captureWitness, storeAncestors } from "../../rollup-node/chain/witnessCapture";

/**
 * The node's witness recorder run again on a block `chain` mined, with the database and block store
 * `mineBlock` hands the capture (the chain's private fields): under another write rule, on another
 * block over the same pre-state (a tampered copy), or with EthereumJS's runBlock (the baseline).
 */
export function recaptureWitness(
  chain: Chain,
  mined: MinedBlock,
  options: { readonly writes?: WriteRules; readonly block?: Block; readonly ethereumJsRunBlock?: boolean } = {},
): Promise<Witness> {
  const internals = chain as unknown as { db: CaptureParams["db"]; store: BlockStore };
  return captureWitness({
    common: chain.common,
    db: internals.db,
    ancestors: storeAncestors(internals.store),
    preStateRoot: mined.preStateRoot,
    block: options.block ?? mined.record.block,
    ...(options.writes === undefined ? {} : { writes: options.writes }),
    ...(options.ethereumJsRunBlock === undefined ? {} : { ethereumJsRunBlock: options.ethereumJsRunBlock }),
  });
}
