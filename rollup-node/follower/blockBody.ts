import { hexToBytes } from "@ethereumjs/util";
import { type Provider, keccak256 } from "ethers";

import { OPTIMISTIC_ROLLUP_INTERFACE } from "../bridge/contracts";
import { BodyNotFoundError } from "./errors";

/**
 * Finding an accepted block's body on L1 (docs/design/follower.md, "Where the body is").
 *
 * Every way a rollup accepts or proposes a block (`advance`, `propose`, and `prove`/`challenge`
 * which repeat it) takes the block's RLP as calldata, and EXECUTE (or the proposal's header
 * decoding) binds the block hash L1 records to those bytes. So the body is in the calldata of
 * the L1 transaction that emitted the event, and it is recognised by its hash: the block is the
 * RLP list whose first item (the header) hashes to the event's `blockHash`. Whether the rollup
 * was called directly or through another contract (a forwarder, a multisig, a batcher that
 * accepts several blocks in one transaction) does not matter: the bytes are in the outer calldata
 * either way, because a contract can only pass on calldata it received. No tracer is needed.
 * (A contract that builds the block in memory from something else, e.g. decompresses it, would
 * break this rule; the design note says how such a rollup must publish its blocks.)
 */

/** The body of one block found in calldata, with the witness when the call carried one. */
export interface FoundBody {
  readonly blockRlp: Uint8Array;
  /** RLP `[state, codes, headers]` from a direct `advance` or `challenge`; undefined otherwise (proofs, `propose`, a forwarder). */
  readonly witness: Uint8Array | undefined;
  /** How it was found: decoded from a direct call of the rollup, or found in foreign calldata. */
  readonly via: "rollup-call" | "calldata-scan";
}

interface RlpPrefix {
  readonly isList: boolean;
  /** Bytes of the prefix. */
  readonly headerLength: number;
  readonly payloadLength: number;
}

/** The RLP item prefix at `offset`; undefined when the bytes cannot start an item that fits. */
function rlpPrefix(bytes: Uint8Array, offset: number): RlpPrefix | undefined {
  const first = bytes[offset];
  if (first === undefined) return undefined;
  let prefix: RlpPrefix;
  if (first < 0x80) prefix = { isList: false, headerLength: 0, payloadLength: 1 };
  else if (first <= 0xb7) prefix = { isList: false, headerLength: 1, payloadLength: first - 0x80 };
  else if (first < 0xc0 || first >= 0xf8) {
    const isList = first >= 0xf8;
    const lengthOfLength = first - (isList ? 0xf7 : 0xb7);
    if (lengthOfLength > 4 || offset + 1 + lengthOfLength > bytes.length) return undefined;
    let length = 0;
    for (let i = 1; i <= lengthOfLength; i++) length = length * 256 + (bytes[offset + i] as number);
    prefix = { isList, headerLength: 1 + lengthOfLength, payloadLength: length };
  } else prefix = { isList: true, headerLength: 1, payloadLength: first - 0xc0 };
  return offset + prefix.headerLength + prefix.payloadLength <= bytes.length ? prefix : undefined;
}

/** The block RLP at `offset` if it is a list whose first item is a header hashing to `blockHash`. */
function blockAt(bytes: Uint8Array, offset: number, blockHash: string): Uint8Array | undefined {
  const block = rlpPrefix(bytes, offset);
  if (block === undefined || !block.isList) return undefined;
  const headerStart = offset + block.headerLength;
  const header = rlpPrefix(bytes, headerStart);
  if (header === undefined || !header.isList) return undefined;
  const headerEnd = headerStart + header.headerLength + header.payloadLength;
  if (headerEnd > headerStart + block.payloadLength) return undefined;
  if (keccak256(bytes.subarray(headerStart, headerEnd)) !== blockHash) return undefined;
  return bytes.slice(offset, offset + block.headerLength + block.payloadLength);
}

/**
 * Every offset where a block RLP of at least 56 bytes (a long list: 0xf8..0xfb, as every block
 * header alone is longer than that) whose header hashes to `blockHash` starts. Linear in the
 * calldata; the keccak runs only where the structure fits.
 */
export function scanCalldataForBlock(calldata: Uint8Array, blockHash: string): Uint8Array | undefined {
  for (let offset = 0; offset < calldata.length; offset++) {
    const byte = calldata[offset] as number;
    if (byte < 0xf8 || byte > 0xfb) continue;
    const found = blockAt(calldata, offset, blockHash);
    if (found !== undefined) return found;
  }
  return undefined;
}

/** The block and witness arguments of a direct call of the rollup (by its ABI), if it is one. */
function decodeRollupCall(calldata: string): { block: string; witness: string | undefined } | undefined {
  let parsed;
  try {
    parsed = OPTIMISTIC_ROLLUP_INTERFACE.parseTransaction({ data: calldata });
  } catch {
    return undefined;
  }
  if (parsed === null) return undefined;
  const a = parsed.args;
  switch (parsed.name) {
    case "advance":
      return { block: a[1] as string, witness: a[2] as string };
    case "propose":
      return { block: a[0] as string, witness: undefined };
    case "prove":
    case "challenge":
      return { block: a[2] as string, witness: a[3] as string };
    default:
      return undefined;
  }
}

/**
 * The body of the block `blockHash` in `calldata`: decoded from a direct rollup call when the
 * calldata is one and its block argument is that block, otherwise searched for in the bytes.
 */
export function findBlockBody(calldata: string, blockHash: string): FoundBody | undefined {
  const hash = blockHash.toLowerCase();
  const direct = decodeRollupCall(calldata);
  if (direct !== undefined) {
    const bytes = hexToBytes(direct.block as `0x${string}`);
    if (blockAt(bytes, 0, hash)?.length === bytes.length) {
      const witness = direct.witness === undefined ? undefined : hexToBytes(direct.witness as `0x${string}`);
      return { blockRlp: bytes, witness: witness !== undefined && witness.length > 0 ? witness : undefined, via: "rollup-call" };
    }
  }
  const scanned = scanCalldataForBlock(hexToBytes(calldata as `0x${string}`), hash);
  return scanned === undefined ? undefined : { blockRlp: scanned, witness: undefined, via: "calldata-scan" };
}

/** Fetches the L1 transaction `transactionHash` and finds block `blockHash` (number `number`) in its calldata. */
export async function fetchBlockBody(provider: Provider, number: bigint, blockHash: string, transactionHash: string): Promise<FoundBody> {
  const tx = await provider.getTransaction(transactionHash);
  if (tx === null) throw new BodyNotFoundError(number, transactionHash, "the L1 node does not know the transaction");
  const found = findBlockBody(tx.data, blockHash);
  if (found === undefined) throw new BodyNotFoundError(number, transactionHash, `no RLP block whose header hashes to ${blockHash} in ${(tx.data.length - 2) / 2} bytes`);
  return found;
}
