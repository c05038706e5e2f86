import type { BlockHeader } from "@ethereumjs/block";
import { bytesToBigInt, equalsBytes } from "@ethereumjs/util";

import { keccak256 } from "./crypto";
import { ExecuteError, ExecuteErrorCode, MissingWitnessDataError } from "./errors";
import { decodeBoundedRlp } from "./rlpDepth";

/** Positions of the fields BLOCKHASH needs in a header's RLP list (identical in every fork). */
const PARENT_HASH_INDEX = 0;
const NUMBER_INDEX = 8;

interface AncestorHeader {
  readonly hash: Uint8Array;
  readonly parentHash: Uint8Array;
  readonly number: bigint;
}

function readAncestor(rlp: Uint8Array): AncestorHeader {
  let values: unknown;
  try {
    values = decodeBoundedRlp(rlp);
  } catch (error) {
    throw new ExecuteError(
      ExecuteErrorCode.MalformedInput,
      `witness header is not valid RLP: ${(error as Error).message}`,
      { cause: error },
    );
  }
  if (!Array.isArray(values) || values.length <= NUMBER_INDEX || !values.every((v) => v instanceof Uint8Array)) {
    throw new ExecuteError(ExecuteErrorCode.MalformedInput, "witness header is not an RLP list of header fields");
  }
  return { hash: keccak256(rlp), parentHash: values[PARENT_HASH_INDEX], number: bytesToBigInt(values[NUMBER_INDEX]) };
}

/**
 * The ancestry BLOCKHASH sees during stateless execution: the parent, then every witness
 * header reachable from it by parent hashes. A header is trusted only through that hash chain,
 * so unlinked headers in the witness are ignored, and a lookup past the chain is a missing
 * witness entry, never a zero hash.
 */
export class WitnessBlockchain {
  private constructor(private readonly byNumber: ReadonlyMap<bigint, Uint8Array>) {}

  static fromHeaders(parent: BlockHeader, headers: readonly Uint8Array[]): WitnessBlockchain {
    const byHash = new Map<string, AncestorHeader>();
    for (const rlp of headers) {
      const header = readAncestor(rlp);
      byHash.set(Buffer.from(header.hash).toString("hex"), header);
    }
    const byNumber = new Map<bigint, Uint8Array>([[parent.number, parent.hash()]]);
    let parentHash = parent.parentHash;
    let expectedNumber = parent.number - 1n;
    for (;;) {
      const ancestor = byHash.get(Buffer.from(parentHash).toString("hex"));
      if (ancestor === undefined || ancestor.number !== expectedNumber || !equalsBytes(ancestor.hash, parentHash))
        break;
      byNumber.set(ancestor.number, ancestor.hash);
      parentHash = ancestor.parentHash;
      expectedNumber -= 1n;
    }
    return new WitnessBlockchain(byNumber);
  }

  /** Only `hash()` is read by the EVM's BLOCKHASH. */
  async getBlock(blockId: number | bigint | Uint8Array): Promise<{ hash(): Uint8Array }> {
    const number = blockId instanceof Uint8Array ? undefined : BigInt(blockId);
    const hash = number === undefined ? undefined : this.byNumber.get(number);
    if (hash === undefined) throw new MissingWitnessDataError(`the header of ancestor block ${String(blockId)}`);
    return { hash: () => hash };
  }

  async putBlock(): Promise<void> {}

  shallowCopy(): WitnessBlockchain {
    return this;
  }
}
