import { type Provider, getBytes, keccak256 } from "ethers";

import { decodeExecutionProofs } from "../../precompiles/proofs/codec";
import { ROLLUP_INTERFACE, connectRollup } from "./contracts";

/**
 * How L1 accepted one L2 block: re-executed from its witness, proven (proofs and no witness:
 * nothing else could have passed), or sent with both (EXECUTE used the proofs, or re-executed
 * if they fell short and the policy allows it).
 */
export type AcceptanceMode = "re-executed" | "proven" | "proofs-or-re-executed";

export interface BlockAcceptance {
  readonly number: bigint;
  readonly blockHash: string;
  readonly mode: AcceptanceMode;
  /** keccak256 of each verification key whose proof came with the block (empty when re-executed). */
  readonly proofKeys: readonly string[];
  /** Whether the witness travelled with the block (proofs alone: false). */
  readonly withWitness: boolean;
  readonly l1TransactionHash: string;
  readonly l1BlockNumber: number;
  readonly l1GasUsed: bigint;
  readonly messagesConsumed: bigint;
}

/**
 * Every L2 block the rollup accepted since `fromBlock`, with how: re-executed from its witness
 * by EXECUTE, or proven (and under which keys). Read from the `BlockAdvanced` events and the
 * calldata of the `advance` transactions that emitted them.
 */
export async function acceptanceHistory(l1: Provider, rollupAddress: string, fromBlock = 0): Promise<BlockAcceptance[]> {
  const rollup = connectRollup(rollupAddress, l1);
  const events = await rollup.queryFilter(rollup.filters.BlockAdvanced(), fromBlock);
  const history: BlockAcceptance[] = [];
  for (const event of events) {
    const [tx, receipt] = await Promise.all([l1.getTransaction(event.transactionHash), l1.getTransactionReceipt(event.transactionHash)]);
    if (tx === null || receipt === null) continue;
    const call = ROLLUP_INTERFACE.parseTransaction({ data: tx.data });
    const proofsField = call?.name === "advance" ? getBytes(call.args[3] as string) : new Uint8Array();
    const witness = call?.name === "advance" ? getBytes(call.args[2] as string) : new Uint8Array();
    const proofKeys = proofsField.length === 0 ? [] : decodeExecutionProofs(proofsField).map((p) => keccak256(p.verificationKey));
    history.push({
      number: event.args.number,
      blockHash: event.args.blockHash,
      mode: proofKeys.length === 0 ? "re-executed" : witness.length === 0 ? "proven" : "proofs-or-re-executed",
      proofKeys,
      withWitness: witness.length > 0,
      l1TransactionHash: event.transactionHash,
      l1BlockNumber: event.blockNumber,
      l1GasUsed: receipt.gasUsed,
      messagesConsumed: event.args.messagesConsumed,
    });
  }
  return history;
}
