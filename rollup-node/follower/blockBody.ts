import { type Block, createBlockFromRLP } from "@ethereumjs/block";
import type { Common } from "@ethereumjs/common";
import { equalsBytes, hexToBytes } from "@ethereumjs/util";
import { type Provider, keccak256 } from "ethers";

import { transactionsRootOf } from "../../precompiles";
import { OPTIMISTIC_ROLLUP_INTERFACE } from "../bridge/contracts";
import { BodyMismatchError, BodyNotFoundError } from "./errors";

/**
 * Finding an accepted block's body on L1 (docs/design/follower.md, "Where the body is", and
 * docs/design/derivability.md for why it always exists).
 *
 * Every way a rollup accepts or proposes a block (`advance`, `propose`, and `prove`/`challenge`
 * which repeat it) takes the block's RLP as an argument, and EXECUTE (or the proposal's header
 * decoding) binds the block hash L1 records to those bytes. Where the bytes are on L1:
 * - a direct call of the rollup by an account: in the transaction's calldata, decoded by the ABI;
 * - a call by a contract (a forwarder, a multisig, a batcher, or one that builds the block in
 *   memory, e.g. from masked or compressed input): in the rollup's own log of that frame —
 *   `BlockData` from `advance` (emitted whenever the caller is not the origin or has code),
 *   `ProposalData` from every `propose`. Logs are matched by the rollup's address and the block
 *   hash in their topic, and the header is hashed again.
 * - as a last resort (a rollup deployed before `BlockData`): any RLP list in the calldata whose
 *   first item (the header) hashes to the event's `blockHash`, found by a scan.
 */

/** The body of one block found in calldata, with the witness when the call carried one. */
export interface FoundBody {
  readonly blockRlp: Uint8Array;
  /** RLP `[state, codes, headers]` from a direct `advance`/`propose` or a `ProposalData` log; undefined otherwise (proofs, `BlockData`, a scan). */
  readonly witness: Uint8Array | undefined;
  /** How it was found: decoded from a direct call of the rollup, read from the rollup's log, or found in foreign calldata. */
  readonly via: "rollup-call" | "event" | "calldata-scan";
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

/**
 * The most bytes a block header can take. Every field of a header is bounded (hashes, the 256-byte
 * bloom, quantities of at most 32 bytes, extraData of at most 32 bytes by consensus): an
 * Osaka-era header is under 800 bytes; twice that leaves room for fields future forks add. A scan
 * that hashed any longer "header" would let crafted calldata (a long list at every offset, each
 * claiming the rest of the bytes) cost it work quadratic in the calldata.
 */
export const MAX_HEADER_BYTES = 2_048;

/** Work done by a scan (for tests and logs). */
export interface ScanStats {
  hashedBytes: number;
}

/** The block RLP at `offset` if it is a list whose first item is a header hashing to `blockHash`. */
function blockAt(bytes: Uint8Array, offset: number, blockHash: string, stats?: ScanStats): Uint8Array | undefined {
  const block = rlpPrefix(bytes, offset);
  if (block === undefined || !block.isList) return undefined;
  const headerStart = offset + block.headerLength;
  const header = rlpPrefix(bytes, headerStart);
  if (header === undefined || !header.isList) return undefined;
  const headerBytes = header.headerLength + header.payloadLength;
  if (headerBytes > MAX_HEADER_BYTES) return undefined;
  const headerEnd = headerStart + headerBytes;
  if (headerEnd > headerStart + block.payloadLength) return undefined;
  if (stats !== undefined) stats.hashedBytes += headerBytes;
  if (keccak256(bytes.subarray(headerStart, headerEnd)) !== blockHash) return undefined;
  return bytes.slice(offset, offset + block.headerLength + block.payloadLength);
}

/**
 * Every block RLP in `calldata` whose header hashes to `blockHash`, in calldata order. Only long
 * lists (0xf8..0xfb: every block header alone is longer than 55 bytes) are candidates, and the
 * keccak runs only where the structure fits. Several can match: the same header with different
 * bodies (a decoy next to the real block); the deriver keeps the one whose body matches the
 * header's roots.
 */
export function scanCalldataForBlock(calldata: Uint8Array, blockHash: string, stats?: ScanStats): Uint8Array[] {
  const found: Uint8Array[] = [];
  for (let offset = 0; offset < calldata.length; offset++) {
    const byte = calldata[offset] as number;
    if (byte < 0xf8 || byte > 0xfb) continue;
    const block = blockAt(calldata, offset, blockHash, stats);
    if (block !== undefined) found.push(block);
  }
  return found;
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
    case "propose":
      // Both take (parentHeader, block_, witness, …): a proposal commits to its witness.
      return { block: a[1] as string, witness: a[2] as string };
    case "prove":
    case "challenge":
      return { block: a[2] as string, witness: a[3] as string };
    default:
      return undefined;
  }
}

/**
 * The candidate bodies of block `blockHash` in `calldata`: the block argument of a direct rollup
 * call first (with its witness) when it is that block, then every match found in the bytes.
 */
export function findBlockBodies(calldata: string, blockHash: string): FoundBody[] {
  const hash = blockHash.toLowerCase();
  const direct = directBody(calldata, hash);
  return [...(direct === undefined ? [] : [direct]), ...scannedBodies(calldata, hash)];
}

/** The block argument of a direct rollup call (with its witness) when it is block `hash`. */
function directBody(calldata: string, hash: string): FoundBody | undefined {
  const direct = decodeRollupCall(calldata);
  if (direct === undefined) return undefined;
  const bytes = hexToBytes(direct.block as `0x${string}`);
  if (blockAt(bytes, 0, hash)?.length !== bytes.length) return undefined;
  const witness = direct.witness === undefined ? undefined : hexToBytes(direct.witness as `0x${string}`);
  return {
    blockRlp: bytes,
    witness: witness !== undefined && witness.length > 0 ? witness : undefined,
    via: "rollup-call",
  };
}

/** Every match of block `hash` found by scanning the bytes of `calldata`. */
function scannedBodies(calldata: string, hash: string): FoundBody[] {
  const out: FoundBody[] = [];
  for (const blockRlp of scanCalldataForBlock(hexToBytes(calldata as `0x${string}`), hash))
    out.push({ blockRlp, witness: undefined, via: "calldata-scan" });
  return out;
}

/** The first candidate of `findBlockBodies`, if any. */
export function findBlockBody(calldata: string, blockHash: string): FoundBody | undefined {
  return findBlockBodies(calldata, blockHash)[0];
}

/** topic0 of the rollup's logs that carry a block's bytes (both index `number` and `blockHash`). */
const BLOCK_DATA_TOPICS: readonly string[] = ["BlockData", "ProposalData"].map(
  (name) => OPTIMISTIC_ROLLUP_INTERFACE.getEvent(name)?.topicHash as string,
);

/** A log as the L1 RPC returns it (the fields the lookup reads). */
export interface BodyLog {
  readonly address: string;
  readonly topics: readonly string[];
  readonly data: string;
}

/**
 * The bodies of block `blockHash` that the rollup at `rollupAddress` published in `logs`
 * (`BlockData` of an `advance` by a contract, `ProposalData` of a `propose`), each checked to be a
 * block whose header hashes to `blockHash`.
 */
export function findBlockBodiesInLogs(logs: readonly BodyLog[], rollupAddress: string, blockHash: string): FoundBody[] {
  const hash = blockHash.toLowerCase();
  const rollup = rollupAddress.toLowerCase();
  const out: FoundBody[] = [];
  for (const log of logs) {
    if (log.address.toLowerCase() !== rollup || !BLOCK_DATA_TOPICS.includes(log.topics[0] ?? "")) continue;
    if (log.topics[2]?.toLowerCase() !== hash) continue;
    let parsed;
    try {
      parsed = OPTIMISTIC_ROLLUP_INTERFACE.parseLog({ topics: [...log.topics], data: log.data });
    } catch {
      continue;
    }
    if (parsed === null) continue;
    const bytes = hexToBytes(parsed.args.block_ as `0x${string}`);
    if (blockAt(bytes, 0, hash)?.length !== bytes.length) continue;
    const witness = parsed.name === "ProposalData" ? hexToBytes(parsed.args.witness as `0x${string}`) : undefined;
    out.push({
      blockRlp: bytes,
      witness: witness !== undefined && witness.length > 0 ? witness : undefined,
      via: "event",
    });
  }
  return out;
}

/**
 * Fetches the L1 transaction `transactionHash` and returns the candidate bodies of block
 * `blockHash` (number `number`) that it published: the direct call's argument when the
 * transaction called the rollup itself (then nothing else can have accepted a block in it: the
 * rollup calls no contract while accepting), else the rollup's logs in its receipt, then the
 * calldata scan.
 */
export async function fetchBlockBodies(
  provider: Provider,
  rollupAddress: string,
  number: bigint,
  blockHash: string,
  transactionHash: string,
): Promise<FoundBody[]> {
  const tx = await provider.getTransaction(transactionHash);
  // A node behind its own logs (a load-balanced RPC) may not know it yet: retried, not fatal.
  if (tx === null)
    throw new Error(`the L1 node does not know transaction ${transactionHash} of L2 block ${number} yet`);
  const hash = blockHash.toLowerCase();
  const direct = directBody(tx.data, hash);
  // The rollup accepted exactly this argument: nothing else in the calldata is looked at (bytes
  // anyone may append after the arguments must cost a follower nothing).
  if (direct !== undefined && tx.to?.toLowerCase() === rollupAddress.toLowerCase()) return [direct];
  const receipt = await provider.getTransactionReceipt(transactionHash);
  if (receipt === null)
    throw new Error(
      `the L1 node does not know the receipt of transaction ${transactionHash} of L2 block ${number} yet`,
    );
  // The rollup's own log carries the bytes it accepted; the scan is the fallback for rollups
  // deployed before BlockData (a forwarder's calldata), and its work is linear (MAX_HEADER_BYTES).
  const logged = findBlockBodiesInLogs(receipt.logs, rollupAddress, blockHash);
  const found = [
    ...logged,
    ...(direct === undefined ? [] : [direct]),
    ...(logged.length > 0 ? [] : scannedBodies(tx.data, hash)),
  ];
  if (found.length === 0)
    throw new BodyNotFoundError(
      number,
      transactionHash,
      `no RLP block whose header hashes to ${blockHash} in ${(tx.data.length - 2) / 2} bytes of calldata nor in the rollup's ${receipt.logs.length} logs`,
    );
  return found;
}

/**
 * The first candidate whose body is the one its header commits to (transactions and withdrawals
 * roots): calldata may hold the same header with other bodies beside the real block (a decoy in a
 * forwarder's extra bytes), which must not stop derivation. Throws when none decodes and matches.
 */
export async function pickBody(
  candidates: readonly FoundBody[],
  common: Common,
): Promise<{ body: FoundBody; block: Block }> {
  let reason = "no candidate";
  for (const body of candidates) {
    try {
      const block = createBlockFromRLP(body.blockRlp, { common });
      if (!equalsBytes(transactionsRootOf(block.transactions, common), block.header.transactionsTrie))
        reason = "its transactions do not match the header's transactions root";
      else if (block.withdrawals !== undefined && !(await block.withdrawalsTrieIsValid()))
        reason = "its withdrawals do not match the header's withdrawals root";
      else return { body, block };
    } catch (error) {
      reason = `the body does not decode: ${(error as Error).message}`;
    }
  }
  throw new BodyMismatchError(reason);
}
