import { type TypedTransaction, createFeeMarket1559Tx } from "@ethereumjs/tx";
import { type PrefixedHexString, createAddressFromPrivateKey, hexToBytes } from "@ethereumjs/util";
import { getBytes } from "ethers";

import type { CensorMode } from "./censorMode";
import type { AnchorProvider, BlockAnchor, SequencerApi } from "../l2/types";
import type { Logger } from "../logger";
import { nextGasLimit } from "../chain/gasLimit";
import { L2_BRIDGE_INTERFACE } from "./contracts";
import { BridgeConfigError } from "./errors";
import type { QueuedL1Message } from "./l1Watcher";
import { L2_BRIDGE_ADDRESS, messageProof, messageRoot } from "../../protocol/messages";

/**
 * Gas of a relay beyond its call's share: intrinsic gas, the proof check, the EIP-4788 read, the
 * bookkeeping and L2Bridge's CALL_RESERVE_GAS. `NativeRollup.RELAY_OVERHEAD_GAS`: L1 rejects a
 * block whose relay has less.
 */
export const RELAY_OVERHEAD_GAS = 200_000n;
/** Per calldata byte: the EIP-7623 floor price of a non-zero byte (`NativeRollup.RELAY_GAS_PER_CALLDATA_BYTE`). */
export const RELAY_GAS_PER_CALLDATA_BYTE = 40n;
export const DEFAULT_MAX_MESSAGES_PER_BLOCK = 64;
export const DEFAULT_MAX_RELAY_GAS_PER_BLOCK = 15_000_000n;

export interface AnchorConfig {
  /** Where the pending L1 messages come from. */
  readonly messages: { consecutiveFrom(nonce: bigint, max: number): QueuedL1Message[] };
  readonly sequencer: Pick<SequencerApi, "chain" | "pendingNonce">;
  /** Signs the relay transactions on L2; must be funded in the L2 genesis. */
  readonly relayerKey: PrefixedHexString;
  readonly maxMessagesPerBlock?: number;
  /** Relay gas one block may spend; the first message is always taken so none can be stuck. */
  readonly maxRelayGasPerBlock?: bigint;
  /**
   * Called before each block's messages are chosen (e.g. to poll L1). Awaited for a block asked on
   * demand, so a deposit just made is anchored; for a timed block (`waitForL1: false`) only
   * started, so a deposit waits for the read in progress and the block after it.
   */
  readonly refresh?: () => Promise<void>;
  /** A dev/test sequencer's censorship (`--censor`): undefined for every real node. */
  readonly censor?: MessageCensorship;
  readonly logger: Logger;
}

/**
 * A TEST/DEV tool (`rollup:node --censor`, docs/design/messages-and-forced-inclusion.md): the
 * sequencer leaves the L1 messages of `senders` (and every message queued after one, the queue
 * being consumed in order) out of its blocks until L1 forces them in, so forced inclusion can be
 * seen working. No real node is given one.
 */
export interface MessageCensorship {
  /** Lower-case addresses whose messages are held back. */
  readonly senders: ReadonlySet<string>;
  /** Until L1 forces them in (`delay`), or for good (`never`, L1 then refuses the blocks). */
  readonly mode: CensorMode;
  /**
   * Whether message `nonce` is overdue for a block built at L2 time `timestamp`: queued more than
   * FORCE_INCLUSION_DELAY before L1's time. L1 refuses a block that leaves an overdue message its
   * overdue budget still holds (`OverdueMessageSkipped`, `OverdueMessageLeft`), so a held message
   * that is overdue must go in.
   */
  forced(nonce: bigint, timestamp: bigint): Promise<boolean>;
}

/**
 * `candidates` cut before the first message of a censored sender: one L1 does not force in yet
 * (`delay`), or any (`never`: an overdue one too, so L1 refuses the block with
 * OverdueMessageSkipped and the submitter, after its rebuilds, halts).
 */
async function censored(
  candidates: readonly QueuedL1Message[],
  timestamp: bigint,
  censor: MessageCensorship | undefined,
  logger: Logger,
): Promise<readonly QueuedL1Message[]> {
  if (censor === undefined) return candidates;
  const at = candidates.findIndex((q) => censor.senders.has(q.message.from.toLowerCase()));
  if (at < 0) return candidates;
  const held = candidates[at] as QueuedL1Message;
  const forced = await censor.forced(held.message.nonce, timestamp);
  if (forced && censor.mode === "never") {
    logger.warn(
      `--censor-mode never: L1 → L2 message #${held.message.nonce} from ${held.message.from} is overdue and still left out: L1 refuses this sequencer's blocks until another node sequences (take-over)`,
    );
    return candidates.slice(0, at);
  }
  if (forced) {
    logger.warn(
      `--censor: L1 → L2 message #${held.message.nonce} from ${held.message.from} is overdue: L1 forces its inclusion`,
    );
    return candidates;
  }
  logger.warn(
    `--censor: holding back L1 → L2 message #${held.message.nonce} from ${held.message.from} until L1 forces it`,
  );
  return candidates.slice(0, at);
}

/** Gas of the relay transaction of `message` given its calldata (the least L1 accepts). */
export function relayGasLimit(messageGasLimit: bigint, calldataLength: number): bigint {
  // L2Bridge forwards exactly `gasLimit` to the call: the 63/64 rule needs a 64th more at the CALL.
  return (
    messageGasLimit + messageGasLimit / 63n + RELAY_OVERHEAD_GAS + RELAY_GAS_PER_CALLDATA_BYTE * BigInt(calldataLength)
  );
}

/** `NativeRollup.MAX_REFUND_GAS_LIMIT`: the largest gas limit of a refund request, which L1 never lets a block defer. */
export const MAX_REFUND_GAS_LIMIT = 200_000n;
/** `MESSAGE_DATA_SIZE_LIMIT` (contracts/rollup/RollupConstants.sol): the largest calldata of an L1 → L2 message. */
export const MESSAGE_DATA_SIZE_LIMIT = 64 * 1024;
/** `NativeRollup.RELAY_CALL_ABI_BYTES`: a relay's calldata beyond its message's data, alone in its block (12 words and a selector). */
const RELAY_CALL_ABI_BYTES = 4 + 32 * 12;
/**
 * `NativeRollup.MIN_L2_GAS_LIMIT`: the least L2 block gas limit L1 accepts, the relay of the largest
 * refund request alone in its block. Below it one such message could be consumed by no block.
 */
export const MIN_L2_GAS_LIMIT = relayGasLimit(MAX_REFUND_GAS_LIMIT, MESSAGE_DATA_SIZE_LIMIT + RELAY_CALL_ABI_BYTES);

/** `NativeRollup.RELAY_PROOF_BYTES`: calldata a message's weight allows for its MessageTree proof (8 levels). */
const RELAY_PROOF_BYTES = 32 * 8;
/** The most messages a block consumes: with more, a relay's proof outgrows what its weight allows. */
export const MAX_MESSAGES_BY_WEIGHT = 2 ** 8;

/**
 * `NativeRollup._relayWeight`, the weight L1 stores with a message when it is queued: the gas limit
 * L1 requires of its relay in a block of up to MAX_MESSAGES_BY_WEIGHT messages (data padded to words,
 * the ABI head, the longest proof). `messageWeight(0n, length)` bounds its deferral the same way.
 */
export function messageWeight(gasLimit: bigint, dataLength: number): bigint {
  const paddedData = Math.ceil(dataLength / 32) * 32;
  return relayGasLimit(gasLimit, paddedData + RELAY_CALL_ABI_BYTES + RELAY_PROOF_BYTES);
}

/**
 * The most overdue messages L1 may require one block to consume: the overdue budget at its largest
 * (`MIN_L2_GAS_LIMIT`) over the lightest weight a message can have (no gas, no data). A node that
 * consumes fewer a block would have its blocks refused (`OverdueMessageLeft`) once such a backlog forms.
 */
export const MAX_REQUIRED_MESSAGES_PER_BLOCK = Number(MIN_L2_GAS_LIMIT / messageWeight(0n, 0));

/** NativeRollup's overdue budget of a block of `gasLimit` gas: `min(gasLimit, MIN_L2_GAS_LIMIT)`. */
export function overdueBudget(gasLimit: bigint): bigint {
  return gasLimit < MIN_L2_GAS_LIMIT ? gasLimit : MIN_L2_GAS_LIMIT;
}

/**
 * The gas limit the sequencer gives the block after one whose gas limit is `parentGasLimit`: the
 * parent's, unless it is below `MIN_L2_GAS_LIMIT`, then the most EXECUTE's header rule allows
 * above it (a 1024th less one), capped at the floor. L1 accepts a block below the floor only when
 * it climbs (NativeRollup's `_checkGasLimit`), so a chain whose genesis is below it (a file genesis,
 * a deployment by hash) reaches the floor in ≈ 1024 · ln(floor / genesis) blocks and stays there.
 */
export function nextL2GasLimit(parentGasLimit: bigint): bigint {
  return parentGasLimit < MIN_L2_GAS_LIMIT ? nextGasLimit(parentGasLimit, MIN_L2_GAS_LIMIT) : parentGasLimit;
}

/** Gas of the transaction that defers a message (consumes it without running its call). */
export function deferGasLimit(calldataLength: number): bigint {
  return RELAY_OVERHEAD_GAS + RELAY_GAS_PER_CALLDATA_BYTE * BigInt(calldataLength);
}

/** `L2Bridge.relayMessage` (or `deferMessage`) calldata for the message at `index` of a block's message tree. */
export function relayCalldata(
  queued: readonly QueuedL1Message[],
  index: number,
  anchorTimestamp: bigint,
  method: "relayMessage" | "deferMessage" = "relayMessage",
): string {
  const leaves = queued.map((q) => q.hash);
  const { message } = queued[index] as QueuedL1Message;
  return L2_BRIDGE_INTERFACE.encodeFunctionData(method, [message, anchorTimestamp, index, messageProof(leaves, index)]);
}

/** Whether the message calls `L2Bridge.refundMessage`: L1 forbids deferring it (mirror of `L2Bridge.isRefundRequest`). */
export function isRefundRequest(message: QueuedL1Message["message"]): boolean {
  return (
    message.to.toLowerCase() === L2_BRIDGE_ADDRESS.toLowerCase() &&
    message.data
      .toLowerCase()
      .startsWith(L2_BRIDGE_INTERFACE.getFunction("refundMessage")?.selector.toLowerCase() ?? "0x-")
  );
}

/**
 * The sequencer's AnchorProvider: each L2 block consumes the pending L1 messages from the
 * parent's `nextMessageNonce` on (as many as the caps allow), anchors their MessageTree root in
 * `parentBeaconBlockRoot`, and starts with one transaction per message, signed by the relayer:
 * `relayMessage` with the full gas the message is owed, or `deferMessage` when that gas cannot
 * fit an L2 block (L2Bridge records it as failed, its value held for a retry or a refund). Each
 * relay comes with its deferral (same nonce), which the sequencer swaps in when the relays'
 * witness does not fit the block.
 */
export function createAnchorProvider(config: AnchorConfig): AnchorProvider {
  const maxMessages = config.maxMessagesPerBlock ?? DEFAULT_MAX_MESSAGES_PER_BLOCK;
  if (!Number.isInteger(maxMessages) || maxMessages < MAX_REQUIRED_MESSAGES_PER_BLOCK)
    throw new BridgeConfigError(
      `maxMessagesPerBlock ${maxMessages} is below ${MAX_REQUIRED_MESSAGES_PER_BLOCK}, the most overdue messages L1 may require one block to consume`,
      `set maxMessagesPerBlock to at least ${MAX_REQUIRED_MESSAGES_PER_BLOCK} (default ${DEFAULT_MAX_MESSAGES_PER_BLOCK}), or leave it unset`,
    );
  const maxGas = config.maxRelayGasPerBlock ?? DEFAULT_MAX_RELAY_GAS_PER_BLOCK;
  const relayerKey = hexToBytes(config.relayerKey);
  const relayer = createAddressFromPrivateKey(relayerKey);
  const { chain } = config.sequencer;

  return async ({ number, timestamp, nextMessageNonce, maxMessages: asked, waitForL1 }): Promise<BlockAnchor> => {
    if (config.refresh !== undefined) {
      const read = config
        .refresh()
        .catch((error: unknown) =>
          config.logger.warn(`could not refresh L1 messages, anchoring what is known: ${(error as Error).message}`),
        );
      // A timed block does not wait: L1 may take seconds to answer (an EXECUTE simulation holds a
      // devnet's L1), and the read started here serves the next block.
      if (waitForL1 !== false) await read;
    }
    const candidates = await censored(
      config.messages.consecutiveFrom(
        nextMessageNonce,
        asked !== undefined && asked < maxMessages ? asked : maxMessages,
      ),
      timestamp,
      config.censor,
      config.logger,
    );
    const parent = chain.getBlock(number - 1n)?.block ?? chain.head;
    // The block's own gas limit (the sequencer's, which climbs below the floor): L1 judges the block
    // by it, so the relays and the overdue budget are measured against it, not the parent's.
    const gasLimit = nextL2GasLimit(parent.header.gasLimit);
    // The block may not fit more relay gas than its own limit.
    const blockGas = (gasLimit * 9n) / 10n;
    const own = maxGas < blockGas ? maxGas : blockGas;
    // Never less than L1's overdue budget: each message below costs at most its L1 weight, so the
    // loop stops only where L1 lets a block leave the next overdue message (requiredOverdueCount).
    const l1Budget = overdueBudget(gasLimit);
    const budget = own > l1Budget ? own : l1Budget;
    // At or above the floor the first message always fits (MIN_L2_GAS_LIMIT) and L1 refuses a block
    // that leaves an overdue one with none consumed. A climbing block may hold none: L1 exempts it
    // from consuming one, and a message heavier than the block (a 64 KB refund request) would make
    // the block unbuildable, so the chain could never climb (attack-review-s27.md, finding 5).
    const climbing = gasLimit < MIN_L2_GAS_LIMIT;
    const chosen: QueuedL1Message[] = [];
    let gas = 0n;
    for (const candidate of candidates) {
      if (chosen.length === MAX_MESSAGES_BY_WEIGHT) break;
      const dataLength = getBytes(candidate.message.data).length;
      const full = messageWeight(candidate.message.gasLimit, dataLength);
      // A relay that cannot fit the block is deferred: its weight without the call's share.
      const needed = full <= blockGas || isRefundRequest(candidate.message) ? full : messageWeight(0n, dataLength);
      if ((chosen.length > 0 || climbing) && gas + needed > budget) break;
      chosen.push(candidate);
      gas += needed;
    }
    if (chosen.length === 0)
      return { root: new Uint8Array(32), consumedMessages: 0, firstMessageNonce: nextMessageNonce, transactions: [] };

    const baseFee = parent.header.calcNextBaseFee();
    const firstNonce = await config.sequencer.pendingNonce(relayer.bytes);
    const sign = (index: number, method: "relayMessage" | "deferMessage"): TypedTransaction => {
      const queued = chosen[index] as QueuedL1Message;
      const data = relayCalldata(chosen, index, timestamp, method) as PrefixedHexString;
      const length = getBytes(data).length;
      return createFeeMarket1559Tx(
        {
          chainId: chain.chainId,
          nonce: firstNonce + BigInt(index),
          // Twice the base fee: the block's own base fee is known, a margin keeps retries valid.
          // L2Bridge pays the relayer back at the base fee, so relaying does not drain it.
          maxFeePerGas: baseFee * 2n,
          maxPriorityFeePerGas: 0n,
          gasLimit: method === "relayMessage" ? relayGasLimit(queued.message.gasLimit, length) : deferGasLimit(length),
          to: L2_BRIDGE_ADDRESS,
          value: 0n,
          data,
        },
        { common: chain.common },
      ).sign(relayerKey);
    };
    const transactions: TypedTransaction[] = [];
    const deferrals: (TypedTransaction | undefined)[] = [];
    const deferredNow: bigint[] = [];
    chosen.forEach((queued, index) => {
      const refund = isRefundRequest(queued.message);
      const relay = sign(index, "relayMessage");
      // A message owed more gas than an L2 block holds can only be deferred (never a refund request:
      // L1 caps their gas so that they always fit).
      if (relay.gasLimit > blockGas && !refund) {
        transactions.push(sign(index, "deferMessage"));
        deferrals.push(undefined);
        deferredNow.push(queued.message.nonce);
      } else {
        transactions.push(relay);
        deferrals.push(refund ? undefined : sign(index, "deferMessage"));
      }
    });
    const root = messageRoot(chosen.map((q) => q.hash));
    const first = chosen[0]?.message.nonce as bigint;
    const last = chosen[chosen.length - 1]?.message.nonce as bigint;
    config.logger.info(
      `anchored L1 → L2 message${chosen.length > 1 ? `s #${first}..#${last}` : ` #${first}`} in L2 block ${number} (root ${root.slice(0, 10)}…), relaying`,
    );
    for (const nonce of deferredNow) {
      config.logger.warn(
        `L1 → L2 message #${nonce} asks for more gas than an L2 block holds: deferred (recorded as failed; anyone may retry it, its sender may refund it)`,
      );
    }
    return {
      root: getBytes(root),
      consumedMessages: chosen.length,
      firstMessageNonce: nextMessageNonce,
      transactions,
      deferrals,
    };
  };
}
