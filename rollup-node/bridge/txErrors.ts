import { type Provider, type TransactionReceipt, dataLength, isHexString, keccak256 } from "ethers";

import { revertDataOf } from "./contracts";

/** Longest error text a log line carries: enough for any node's reason, never a transaction. */
export const MAX_ERROR_TEXT = 240;

function field(value: unknown, key: string): unknown {
  return typeof value === "object" && value !== null ? (value as Record<string, unknown>)[key] : undefined;
}

/** The signed transaction a failed `eth_sendRawTransaction` carried, if the error holds it. */
function rawTransactionOf(error: unknown): string | undefined {
  // ethers keeps the request in `info.payload`, or in `payload` when it could not coalesce the error.
  const payload = field(field(error, "info"), "payload") ?? field(error, "payload");
  const params = field(payload, "params");
  if (field(payload, "method") === "eth_sendRawTransaction" && Array.isArray(params) && isHexString(params[0]))
    return params[0];
  const transaction = field(error, "transaction");
  return isHexString(transaction) ? transaction : undefined;
}

function errorText(error: unknown): string {
  const short = field(error, "shortMessage");
  return typeof short === "string" ? short : error instanceof Error ? error.message : String(error);
}

/**
 * The L1 node's own reason when ethers could not map its JSON-RPC error to one of its codes:
 * ethers then says only "could not coalesce error" and keeps the node's `{ code, message }` in
 * `error.error` (an L1 such as `npx hardhat node` refusing an advance of a lost race).
 */
function nodeReason(error: unknown): string | undefined {
  if (field(error, "code") !== "UNKNOWN_ERROR") return undefined;
  const rpc = field(error, "error");
  const message = field(rpc, "message");
  if (typeof message !== "string") return undefined;
  const code = field(rpc, "code");
  return `L1 node: ${message}${typeof code === "number" ? ` (JSON-RPC error ${code})` : ""}`;
}

/**
 * A failed send in one short line: the node's reason (ethers' `shortMessage`, without the
 * request it echoes) and the transaction by hash and size. An `advance` carries the block and its
 * witness — up to megabytes — which ethers' full message repeats: logging it on every retry
 * filled tens of megabytes in minutes.
 */
export function describeSendError(error: unknown): string {
  const text = nodeReason(error) ?? errorText(error);
  const reason = text.length > MAX_ERROR_TEXT ? `${text.slice(0, MAX_ERROR_TEXT)}…` : text;
  const raw = rawTransactionOf(error);
  return raw === undefined ? reason : `${reason} (tx ${keccak256(raw)} (${dataLength(raw)} B))`;
}

/**
 * A mined, failed transaction has no revert data in its receipt: its data learnt by replaying it
 * as a call. First on the state before its L1 block; if it passes there, a transaction before it
 * in the same block made it fail (another node's advance or finalize of the same blocks: the
 * race), so again on the state after the block, where the winner's effect shows (ParentNotHead,
 * NotProvisional). Undefined when `error` has no receipt or both replays pass.
 */
export async function replayedRevertData(provider: Provider | null, error: unknown): Promise<string | undefined> {
  const receipt = field(error, "receipt") as TransactionReceipt | undefined;
  if (receipt === undefined || provider === null) return undefined;
  const tx = await provider.getTransaction(receipt.hash);
  if (tx === null) return undefined;
  for (const blockTag of [receipt.blockNumber - 1, receipt.blockNumber]) {
    try {
      await provider.call({ from: tx.from, to: tx.to, data: tx.data, gasLimit: tx.gasLimit, blockTag });
    } catch (replayed) {
      return revertDataOf(replayed);
    }
  }
  return undefined;
}
