import type { Block } from "@ethereumjs/block";
import type { TypedTransaction } from "@ethereumjs/tx";

import { type Witness, encodeWitness } from "../../precompiles";
import { WitnessCaptureError } from "./errors";
import type { BudgetExcess, MineOptions, MinedBlock, SkippedTransaction } from "./types";

/**
 * Transactions one block may try on their own, front first, after the witness budget cut to them
 * (each costs a few builds). Past them the block is searched from its tail instead, so oversized
 * transactions at the front cannot hold back the ones behind them.
 */
const MAX_ALONE_CHECKS_PER_BLOCK = 4;

/**
 * Builds the tail search may spend (each halves the candidates at least, or drops one oversized
 * transaction): bounds an attacker's extra work per block while letting the transactions behind
 * a dozen oversized ones in. Past it the block holds the relays only, the rest wait.
 */
const MAX_TAIL_BUILDS_PER_BLOCK = 16;

/** The limits a witnessed block is built within (see MineOptions). */
export type WitnessBudget = Pick<MineOptions, "maxWitnessBytes" | "blockBudget" | "requiredTransactions">;

/** How a block is built from candidate transactions, and how its witness is captured. */
export interface WitnessedBuilder {
  /** Builds (does not store) the block with `candidates` in order; invalid ones are skipped. */
  readonly build: (candidates: readonly TypedTransaction[]) => Promise<MinedBlock>;
  /** The stateless witness of a built block (a second, verifier-identical execution). */
  readonly witnessOf: (mined: MinedBlock) => Promise<Witness>;
}

/**
 * Builds, captures the witness, and while the block exceeds its budget (`maxWitnessBytes`,
 * `blockBudget`) rebuilds with fewer trailing transactions. Witness size grows less than
 * linearly (upper trie nodes are shared), so the proportional cut errs on the small side and
 * rarely needs a second round.
 *
 * No transaction gates the others: one that exceeds the budget on its own (after the required
 * relays) is dropped with the budget's reason, and the block is rebuilt with the transactions
 * behind it. After `MAX_ALONE_CHECKS_PER_BLOCK` such drops the search runs from the tail
 * (the front waits, retryable), so no run of oversized transactions ahead of others keeps them
 * out; `MAX_TAIL_BUILDS_PER_BLOCK` bounds that search. The required relays are never waived:
 * when they alone do not fit, they are left out (retryable, with the reason) and the caller
 * decides what becomes of them.
 */
export async function buildWithinWitnessBudget(
  builder: WitnessedBuilder,
  txs: readonly TypedTransaction[],
  options: WitnessBudget,
): Promise<MinedBlock> {
  const required = options.requiredTransactions ?? 0;
  const maxBytes = options.maxWitnessBytes;
  const excessOf = (block: Block, encoded: Uint8Array): BudgetExcess | undefined =>
    maxBytes !== undefined && encoded.length > maxBytes
      ? { reason: `its witness of ${encoded.length} B exceeds ${maxBytes} B`, ratio: encoded.length / maxBytes }
      : options.blockBudget?.(block, encoded);
  const skipped: SkippedTransaction[] = [];
  // Transactions cut from this block before they were tried: retryable in a later one.
  let rest: TypedTransaction[] = [];
  // Tail search: chunks cut from the front of an over-budget set, newest last; retryable.
  const deferred: TypedTransaction[][] = [];
  let candidates = txs;
  let alone = 0;
  let tail = false;
  let tailBuilds = 0;
  for (;;) {
    const mined = await builder.build(candidates);
    if (tail) tailBuilds++;
    skipped.push(...mined.skipped);
    const witness = await builder.witnessOf(mined);
    const encodedWitness = encodeWitness(witness);
    const included = mined.record.block.transactions;
    const excess = excessOf(mined.record.block, encodedWitness);
    if (excess === undefined) {
      const cut = [...deferred.flat(), ...rest].map(
        (tx): SkippedTransaction => ({ tx, reason: "block witness budget reached", retryable: true }),
      );
      return { ...mined, skipped: [...skipped, ...cut], witness, encodedWitness };
    }
    if (included.length === 0)
      throw new WitnessCaptureError(`an empty block exceeds the block budget: ${excess.reason}`);
    const relays = Math.min(required, included.length);
    const relayTxs = included.slice(0, relays);
    const others = included.slice(relays);
    const exhausted = tail && tailBuilds >= MAX_TAIL_BUILDS_PER_BLOCK;
    if (others.length > 1 && exhausted) {
      // The tail search is spent: the relays alone, everything else waits.
      rest = [...others, ...rest];
      candidates = relayTxs;
      continue;
    }
    if (others.length > 1 && !tail) {
      let keep = Math.floor(included.length / excess.ratio);
      if (keep >= included.length) keep = included.length - 1;
      if (keep < relays + 1) keep = relays + 1;
      rest = [...included.slice(keep), ...rest];
      candidates = included.slice(0, keep);
      continue;
    }
    if (others.length > 1) {
      // Tail search: the front waits (retryable), the back is tried; at least halving, so the
      // search takes log2(n) builds plus one per oversized transaction it meets.
      const n = others.length;
      const keep = Math.max(1, Math.min(n - 1, Math.floor(n / excess.ratio), Math.ceil(n / 2)));
      deferred.push(others.slice(0, n - keep));
      candidates = [...relayTxs, ...others.slice(n - keep)];
      continue;
    }
    if (others.length === 1) {
      // One transaction after the relays, and it does not fit: alone it is too big for any
      // block (dropped), beside the relays it waits for a block without them.
      const tx = others[0] as TypedTransaction;
      skipped.push(
        relays === 0
          ? { tx, reason: `exceeds the block budget: ${excess.reason}`, retryable: false, oversized: true }
          : {
              tx,
              reason: `block witness budget reached beside the L1 messages' relays: ${excess.reason}`,
              retryable: true,
            },
      );
      alone++;
      if (exhausted) {
        candidates = relayTxs;
      } else if (tail) {
        // Back to the chunk cut just before this one: what stood in front of the oversized one.
        candidates = [...relayTxs, ...(deferred.pop() ?? [])];
      } else {
        // Front first for a few; then the tail search over what is left, so no run of
        // oversized transactions at the front keeps the ones behind them out of the block.
        tail = alone >= MAX_ALONE_CHECKS_PER_BLOCK;
        candidates = [...relayTxs, ...rest];
        rest = [];
      }
      continue;
    }
    // The relays alone exceed the budget: they are not waived.
    for (const tx of included)
      skipped.push({
        tx,
        reason: `block budget reached by the L1 messages' relays alone: ${excess.reason}`,
        retryable: true,
        overBudget: true,
      });
    candidates = [];
  }
}
