import { RLP } from "@ethereumjs/rlp";
import { bytesToHex } from "@ethereumjs/util";
import type { Provider } from "ethers";

import { fetchEventBodies, findAcceptingEvent } from "../follower/derive";
import type { ForeignBlock, RebaseReport, SequencerApi } from "../l2/types";
import { BridgeError } from "./errors";

/** An L2 block as L1 names it. */
export interface L1BlockRef {
  readonly number: bigint;
  readonly hash: string;
}

export interface RebaseSource {
  readonly l1Provider: Provider;
  readonly rollupAddress: string;
  /** The rollup's deployment block: no event is older. */
  readonly deployBlock: number;
}

/** The sequencer's side of a rebase: its block hashes and the rebase itself. */
export type RebasingSequencer = Pick<SequencerApi, "chain"> & { rebase: NonNullable<SequencerApi["rebase"]> };

/** L1's chain does not reach back to the local one (a foreign block's event is missing from L1's logs, or a different genesis). */
export class RebaseError extends BridgeError {
  constructor(
    message: string,
    hint: string,
    /** True when a later attempt may succeed (an L1 node behind its logs). */
    readonly retryable: boolean,
  ) {
    super("REBASE", message, hint);
  }
}

/** The local hash of block `number`, if the chain has it. */
export function localHash(sequencer: Pick<SequencerApi, "chain">, number: bigint): string | undefined {
  const record = sequencer.chain.getBlock(number);
  return record === undefined ? undefined : bytesToHex(record.block.hash());
}

/**
 * What a rebase onto L1's `head` needs (docs/design/rebase-and-takeover.md): walks back from the
 * head, one L1 event per block (found by its indexed number and hash), taking each block's parent
 * hash from its own header, until a block the local chain holds with the same hash. Returns that
 * block's number (`keep`) and the foreign blocks after it, oldest first, with their bodies'
 * candidates from L1 calldata. Reads L1 only; the chain is untouched.
 */
export async function planRebase(
  source: RebaseSource,
  sequencer: Pick<SequencerApi, "chain">,
  head: L1BlockRef,
): Promise<{ keep: bigint; foreign: ForeignBlock[] }> {
  const foreign: ForeignBlock[] = [];
  let target: L1BlockRef = { number: head.number, hash: head.hash.toLowerCase() };
  while (localHash(sequencer, target.number) !== target.hash) {
    if (target.number === 0n) {
      throw new RebaseError(
        `L1's chain starts from genesis ${target.hash}, not this node's ${localHash(sequencer, 0n) ?? "?"}`,
        "the node's genesis is not the rollup's: start it with the rollup's genesis",
        false,
      );
    }
    const event = await findAcceptingEvent(
      source.l1Provider,
      source.rollupAddress,
      target.number,
      target.hash,
      source.deployBlock,
    );
    if (event === undefined) {
      // The rollup recorded it, so its event exists: an L1 node behind its own state, retried.
      throw new RebaseError(
        `no L1 event accepted L2 block ${target.number} (${target.hash}) yet`,
        "the L1 node's logs lag its state; the submitter retries",
        true,
      );
    }
    const candidates = await fetchEventBodies(source.l1Provider, source.rollupAddress, event);
    foreign.push({ event, candidates });
    // Every candidate's header hashes to the accepted block hash: any of them names the parent.
    target = { number: target.number - 1n, hash: parentHashOf(candidates[0]?.blockRlp) };
  }
  return { keep: target.number, foreign: foreign.reverse() };
}

/**
 * The parent hash in a block's RLP (its header's first field); "" when there is no header. Only
 * the header is decoded: it is what hashes to the block hash L1 accepted, so every candidate found
 * for that hash carries the same one, while a body beside it may be anything (a decoy whose body
 * is not canonical RLP must not hide the parent).
 */
export function parentHashOf(blockRlp: Uint8Array | undefined): string {
  const first = blockRlp?.[0];
  if (blockRlp === undefined || first === undefined || first < 0xc0) return "";
  try {
    const payloadStart = first >= 0xf8 ? 1 + (first - 0xf7) : 1;
    // Stream mode decodes the first item of the list's payload, the header, and leaves the rest.
    const { data } = RLP.decode(blockRlp.subarray(payloadStart), true) as unknown as { data: Uint8Array[] };
    const parentHash = Array.isArray(data) ? data[0] : undefined;
    return parentHash instanceof Uint8Array && parentHash.length === 32 ? bytesToHex(parentHash) : "";
  } catch {
    return "";
  }
}

/** Plans and runs a rebase of `sequencer` onto L1's `head`. */
export async function rebaseOnto(
  source: RebaseSource,
  sequencer: RebasingSequencer,
  head: L1BlockRef,
): Promise<RebaseReport> {
  const { keep, foreign } = await planRebase(source, sequencer, head);
  return sequencer.rebase(keep, foreign);
}
