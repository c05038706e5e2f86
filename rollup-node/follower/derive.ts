import { bytesToHex } from "@ethereumjs/util";
import { type Provider, zeroPadValue, toBeHex } from "ethers";

import type { Chain } from "../chain/chain";
import type { BlockRecord } from "../chain/types";
import { OPTIMISTIC_ROLLUP_INTERFACE } from "../bridge/contracts";
import { type FoundBody, fetchBlockBodies, pickBody } from "./blockBody";
import { DerivationMismatchError } from "./errors";
import { type RollupBlockEvent, decodeRollupEvent } from "./events";

/**
 * The one derivation step every node runs on a block L1 accepted or proposed: the follower for
 * each block it derives, a sequencer for each foreign block it rebases on (docs/design/
 * rebase-and-takeover.md). Its body is found in the L1 transaction that emitted the event — its
 * calldata, or the rollup's log of the block's bytes (./blockBody.ts, docs/design/derivability.md) — executed on the node's own state by the same Chain that builds
 * blocks, and kept only if it reproduces the hash L1 recorded.
 */

/** What derivation needs of a block event: which block, and the L1 transaction that carried it. */
export type AcceptedBlockEvent = RollupBlockEvent & { kind: "advanced" | "proposed" };

/** The L1 candidates for the body of the block of `event` (its transaction's calldata, or the rollup's logs in it). */
export function fetchEventBodies(
  provider: Provider,
  rollupAddress: string,
  event: AcceptedBlockEvent,
): Promise<FoundBody[]> {
  return fetchBlockBodies(provider, rollupAddress, event.number, event.blockHash, event.origin.transactionHash);
}

/**
 * Executes the first candidate body that matches its header on `chain`'s head and appends it;
 * throws when none does (the caller decides whether that stops it: an accepted block that does
 * not execute here is a consensus split, a provisional one waits for its challenge).
 */
export async function executeBody(
  chain: Chain,
  candidates: readonly FoundBody[],
  blockHash: string,
): Promise<{ record: BlockRecord; body: FoundBody }> {
  const picked = await pickBody(candidates, chain.common);
  const hash = bytesToHex(picked.block.hash());
  if (hash !== blockHash.toLowerCase())
    throw new DerivationMismatchError(
      picked.block.header.number,
      `its body hashes to ${hash}, not the ${blockHash} L1 recorded`,
    );
  // importBlock re-executes it and keeps it only if its state root, receipts and gas match the header.
  return { record: await chain.importBlock(picked.block), body: picked.body };
}

/** The topic of an indexed uint64 or bytes32 event argument. */
const topicOf = (value: bigint | string): string =>
  typeof value === "bigint" ? zeroPadValue(toBeHex(value), 32) : value.toLowerCase();

const ACCEPTING_TOPICS = ["BlockAdvanced", "BlockProposed"].map(
  (name) => OPTIMISTIC_ROLLUP_INTERFACE.getEvent(name)?.topicHash as string,
);

/**
 * The last canonical event that accepted (`advance`) or proposed block `number` with hash
 * `blockHash` on the rollup, searched from L1 block `fromBlock`. Both fields are indexed, so one
 * log query finds it however long the chain is. Undefined when L1 has none (yet).
 */
export async function findAcceptingEvent(
  provider: Provider,
  rollupAddress: string,
  number: bigint,
  blockHash: string,
  fromBlock: number,
): Promise<AcceptedBlockEvent | undefined> {
  const logs = await provider.getLogs({
    address: rollupAddress,
    topics: [ACCEPTING_TOPICS, topicOf(number), topicOf(blockHash)],
    fromBlock,
    toBlock: "latest",
  });
  const events = logs
    .slice()
    .sort((a, b) => a.blockNumber - b.blockNumber || a.index - b.index)
    .map(decodeRollupEvent)
    .filter((e): e is AcceptedBlockEvent => e !== undefined && (e.kind === "advanced" || e.kind === "proposed"));
  return events[events.length - 1];
}
