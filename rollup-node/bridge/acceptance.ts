import { Contract, type EventLog, type Provider, getBytes, keccak256 } from "ethers";

import { decodeExecutionProofs } from "../../precompiles";
import { OptimisticExampleRollup__factory } from "../../typechain-types";
import { ROLLUP_INTERFACE } from "./contracts";

/**
 * How a block got (or is getting) accepted: re-executed from its witness, proven (proofs and no
 * witness: nothing else could have passed), sent with both (EXECUTE used the proofs, or
 * re-executed if they fell short and the policy allows it), or proposed optimistically.
 */
export type AcceptanceMode = "re-executed" | "proven" | "proofs-or-re-executed" | "optimistic";

/** Where the block stands on L1. */
export type AcceptanceStatus = "final" | "provisional" | "challenged";

export interface BlockAcceptance {
  readonly number: bigint;
  readonly blockHash: string;
  readonly status: AcceptanceStatus;
  readonly mode: AcceptanceMode;
  /** keccak256 of each verification key whose proof came with the block (empty without proofs). */
  readonly proofKeys: readonly string[];
  /** The L1 transaction that made the latest change to this block's status. */
  readonly l1TransactionHash: string;
  readonly l1BlockNumber: number;
  /** For a challenged block: EXECUTE's code and reason. */
  readonly challenge?: { readonly code: number; readonly reason: string };
}

// Every optimistic rollup has NativeRollup's events plus these; on other rollups they never occur.
const OPTIMISTIC_INTERFACE = OptimisticExampleRollup__factory.createInterface();

function proofKeysOf(proofs: string): string[] {
  const bytes = getBytes(proofs);
  return bytes.length === 0 ? [] : decodeExecutionProofs(bytes).map((p) => keccak256(p.verificationKey));
}

/** Mode of an `advance` or `prove` call, read from its calldata. */
async function modeOfCall(l1: Provider, txHash: string): Promise<{ mode: AcceptanceMode; proofKeys: string[] }> {
  const tx = await l1.getTransaction(txHash);
  const call =
    tx === null
      ? null
      : (ROLLUP_INTERFACE.parseTransaction({ data: tx.data }) ??
        OPTIMISTIC_INTERFACE.parseTransaction({ data: tx.data }));
  if (call === null || (call.name !== "advance" && call.name !== "prove"))
    return { mode: "re-executed", proofKeys: [] };
  const witness = getBytes(call.args[call.name === "advance" ? 2 : 3] as string);
  const proofKeys = proofKeysOf(call.args[call.name === "advance" ? 3 : 4] as string);
  return {
    mode: proofKeys.length === 0 ? "re-executed" : witness.length === 0 ? "proven" : "proofs-or-re-executed",
    proofKeys,
  };
}

/**
 * Every L2 block the rollup has accepted or is considering since `fromBlock`, with how, read
 * from L1 alone: `BlockAdvanced` (final at once), and for optimistic rollups `BlockProposed`
 * (provisional), `BlockProven`, `BlockChallenged` (removed) and `BlockFinalized`.
 */
export async function acceptanceHistory(
  l1: Provider,
  rollupAddress: string,
  fromBlock = 0,
): Promise<BlockAcceptance[]> {
  const contract = new Contract(
    rollupAddress,
    [...ROLLUP_INTERFACE.fragments, ...OPTIMISTIC_INTERFACE.fragments.filter((f) => f.type === "event")],
    l1,
  );
  const names = ["BlockAdvanced", "BlockProposed", "BlockProven", "BlockChallenged", "BlockFinalized"];
  const events = (await Promise.all(names.map((name) => contract.queryFilter(name, fromBlock)))).flat() as EventLog[];
  events.sort((a, b) => a.blockNumber - b.blockNumber || a.index - b.index);
  // Keyed by block hash: a challenged block and its replacement share a number.
  const blocks = new Map<string, BlockAcceptance>();
  for (const event of events) {
    const number = event.args.number as bigint;
    const blockHash = String(event.args.blockHash);
    const at = { l1TransactionHash: event.transactionHash, l1BlockNumber: event.blockNumber };
    const current = blocks.get(blockHash);
    switch (event.eventName) {
      case "BlockAdvanced":
        blocks.set(blockHash, {
          number,
          blockHash,
          status: "final",
          ...(await modeOfCall(l1, event.transactionHash)),
          ...at,
        });
        break;
      case "BlockProposed":
        blocks.set(blockHash, { number, blockHash, status: "provisional", mode: "optimistic", proofKeys: [], ...at });
        break;
      case "BlockProven":
        if (current !== undefined)
          blocks.set(blockHash, { ...current, ...(await modeOfCall(l1, event.transactionHash)), ...at });
        break;
      case "BlockFinalized":
        if (current !== undefined) blocks.set(blockHash, { ...current, status: "final", ...at });
        break;
      case "BlockChallenged": {
        // The challenged block and every provisional block after it are removed.
        const challenge = { code: Number(event.args.code), reason: String(event.args.reason) };
        const end = number + BigInt(event.args.removed);
        for (const [hash, entry] of blocks) {
          if (entry.status === "provisional" && entry.number >= number && entry.number < end) {
            blocks.set(hash, { ...entry, status: "challenged", challenge, ...at });
          }
        }
        break;
      }
    }
  }
  return [...blocks.values()].sort((a, b) =>
    a.number < b.number ? -1 : a.number > b.number ? 1 : a.l1BlockNumber - b.l1BlockNumber,
  );
}
