import type { TypedTransaction } from "@ethereumjs/tx";
import { hexToBytes, toChecksumAddress } from "@ethereumjs/util";

import { senderKeyOf } from "../../chain/txPool";

import type { RpcBackend } from "../backend";
import { type Json, formatTransaction } from "../format";
import { parseAddress, quantity } from "../hex";
import type { MethodTable } from "./types";

interface PoolView {
  /** Sender (lower-case hex; checksummed in the answers) → its transactions executable now, nonces contiguous. */
  readonly pending: Map<string, TypedTransaction[]>;
  /** Transactions behind a nonce gap. */
  readonly queued: Map<string, TypedTransaction[]>;
}

/**
 * Splits the pool as geth does: a sender's transactions from its state nonce up to the first nonce
 * gap are pending, those after the gap queued.
 * Linear in the pool (no array copied per transaction; addresses checksummed only in answers): a
 * full pool is 10,000 transactions, possibly of one sender.
 */
async function poolView(backend: RpcBackend): Promise<PoolView> {
  // The pool's own sender key, derived once per (frozen) transaction: deriving the address (a
  // keccak of the recovered key) on every call was most of a txpool_status on a full pool.
  const bySender = new Map<string, TypedTransaction[]>();
  for (const tx of backend.pooledTransactions?.() ?? []) {
    const sender = senderKeyOf(tx);
    const txs = bySender.get(sender);
    if (txs === undefined) bySender.set(sender, [tx]);
    else txs.push(tx);
  }
  const pending = new Map<string, TypedTransaction[]>();
  const queued = new Map<string, TypedTransaction[]>();
  for (const [sender, txs] of bySender) {
    txs.sort((a, b) => (a.nonce < b.nonce ? -1 : a.nonce > b.nonce ? 1 : 0));
    let next = await backend.chain.getNonce(hexToBytes(sender as `0x${string}`), "latest");
    const executable: TypedTransaction[] = [];
    const gapped: TypedTransaction[] = [];
    for (const tx of txs) {
      // Below the sender's nonce: already mined, in a block the pool has not settled yet (the
      // chain moves while this reads it). It is in no later block: neither pending nor queued.
      if (tx.nonce < next) continue;
      if (tx.nonce === next) {
        executable.push(tx);
        next++;
      } else gapped.push(tx);
    }
    if (executable.length > 0) pending.set(sender, executable);
    if (gapped.length > 0) queued.set(sender, gapped);
  }
  return { pending, queued };
}

function byNonce(txs: readonly TypedTransaction[]): { [nonce: string]: Json } {
  const out: { [nonce: string]: Json } = {};
  for (const tx of txs) out[tx.nonce.toString()] = formatTransaction(tx, undefined, undefined);
  return out;
}

function content(groups: Map<string, TypedTransaction[]>, only?: string): { [sender: string]: Json } {
  const out: { [sender: string]: Json } = {};
  for (const [sender, txs] of groups)
    if (only === undefined || sender === only) out[toChecksumAddress(sender)] = byNonce(txs);
  return out;
}

/** The txpool_* namespace (geth's): what the node holds for its next blocks. */
export const txpoolMethods: MethodTable = {
  txpool_status: async (_params, backend) => {
    const view = await poolView(backend);
    const count = (groups: Map<string, TypedTransaction[]>): number =>
      [...groups.values()].reduce((n, txs) => n + txs.length, 0);
    return { pending: quantity(count(view.pending)), queued: quantity(count(view.queued)) };
  },
  txpool_content: async (_params, backend) => {
    const view = await poolView(backend);
    return { pending: content(view.pending), queued: content(view.queued) };
  },
  txpool_contentFrom: async (params, backend) => {
    const address = `0x${Buffer.from(parseAddress(params[0], "address")).toString("hex")}`;
    const view = await poolView(backend);
    const pending = content(view.pending, address);
    const queued = content(view.queued, address);
    return { pending: Object.values(pending)[0] ?? {}, queued: Object.values(queued)[0] ?? {} };
  },
};
