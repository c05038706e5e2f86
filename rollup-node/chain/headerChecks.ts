import type { Block } from "@ethereumjs/block";
import { ConsensusType } from "@ethereumjs/common";
import { equalsBytes } from "@ethereumjs/util";

import { InvalidBlockError } from "./errors";

/**
 * The consensus rules a block imported from elsewhere must meet against its parent, beyond
 * what execution checks (state root, receipts root, bloom, gas used: runBlock verifies those).
 * Each block's `common` must already be at the block's own fork.
 *
 * Not checked: the proof-of-work seal (ethash nonce and mix hash: verifying it needs the
 * ethash DAG) and the validity of uncle headers; the difficulty itself is checked.
 */
export function checkChildBlock(parent: Block, block: Block): void {
  const h = block.header;
  const p = parent.header;
  const fail = (reason: string): never => {
    throw new InvalidBlockError(h.number, reason);
  };
  if (!equalsBytes(h.parentHash, parent.hash())) fail("its parent hash is not the hash of the head");
  if (h.number !== p.number + 1n) fail(`its number does not follow the head's ${p.number}`);
  if (h.timestamp <= p.timestamp) fail(`its timestamp ${h.timestamp} is not above the parent's ${p.timestamp}`);
  try {
    h.validateGasLimit(p);
  } catch (error) {
    fail((error as Error).message.split(" (")[0] as string);
  }
  if (h.common.consensusType() === ConsensusType.ProofOfWork) {
    const expected = h.ethashCanonicalDifficulty(p);
    if (h.difficulty !== expected) fail(`difficulty ${h.difficulty}, expected ${expected}`);
  } else {
    if (h.difficulty !== 0n) fail("a proof-of-stake block has a non-zero difficulty");
    if (block.uncleHeaders.length > 0) fail("a proof-of-stake block has uncles");
  }
  if (h.common.isActivatedEIP(1559)) {
    const expected = p.common.isActivatedEIP(1559) ? p.calcNextBaseFee() : h.common.param("initialBaseFee");
    if (h.baseFeePerGas !== expected) fail(`base fee ${h.baseFeePerGas}, expected ${expected}`);
  }
  if (h.common.isActivatedEIP(4844)) {
    const expected = p.excessBlobGas === undefined ? 0n : p.calcNextExcessBlobGas(h.common);
    if (h.excessBlobGas !== expected) fail(`excess blob gas ${h.excessBlobGas}, expected ${expected}`);
  }
}
