import { type TypedTransaction, createFeeMarket1559Tx } from "@ethereumjs/tx";
import { type PrefixedHexString, createAddressFromPrivateKey, hexToBytes } from "@ethereumjs/util";
import { getBytes } from "ethers";

import type { AnchorProvider, BlockAnchor, SequencerApi } from "../l2/types";
import type { Logger } from "../logger";
import { L2_BRIDGE_INTERFACE } from "./contracts";
import type { QueuedL1Message } from "./l1Watcher";
import { L2_BRIDGE_ADDRESS, messageProof, messageRoot } from "./messages";

/** Proof checking, the EIP-4788 read, the `relayed` write, the event and a value transfer to a new account. */
export const RELAY_OVERHEAD_GAS = 150_000n;
/** Per calldata byte: the EIP-7623 floor price of a non-zero byte, so any calldata is covered. */
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
  /** Called before each block's messages are chosen (e.g. to poll L1), so a deposit waits at most one block. */
  readonly refresh?: () => Promise<void>;
  readonly logger: Logger;
}

function minimum(a: bigint, b: bigint): bigint {
  return a < b ? a : b;
}

/** Gas of the relay transaction of `message` given its calldata. */
export function relayGasLimit(messageGasLimit: bigint, calldataLength: number): bigint {
  // L2Bridge forwards exactly `gasLimit` to the call: the 63/64 rule needs a 64th more at the CALL.
  return messageGasLimit + messageGasLimit / 63n + RELAY_OVERHEAD_GAS + RELAY_GAS_PER_CALLDATA_BYTE * BigInt(calldataLength);
}

/** `L2Bridge.relayMessage` calldata for the message at `index` of a block's message tree. */
export function relayCalldata(queued: readonly QueuedL1Message[], index: number, anchorTimestamp: bigint): string {
  const leaves = queued.map((q) => q.hash);
  const { message } = queued[index] as QueuedL1Message;
  return L2_BRIDGE_INTERFACE.encodeFunctionData("relayMessage", [message, anchorTimestamp, index, messageProof(leaves, index)]);
}

/**
 * The sequencer's AnchorProvider: each L2 block consumes the pending L1 messages from the
 * parent's `nextMessageNonce` on (as many as the caps allow), anchors their MessageTree root in
 * `parentBeaconBlockRoot`, and starts with one relay transaction per message, signed by the relayer.
 */
export function createAnchorProvider(config: AnchorConfig): AnchorProvider {
  const maxMessages = config.maxMessagesPerBlock ?? DEFAULT_MAX_MESSAGES_PER_BLOCK;
  const maxGas = config.maxRelayGasPerBlock ?? DEFAULT_MAX_RELAY_GAS_PER_BLOCK;
  const relayerKey = hexToBytes(config.relayerKey);
  const relayer = createAddressFromPrivateKey(relayerKey);
  const { chain } = config.sequencer;

  return async ({ number, timestamp, nextMessageNonce }): Promise<BlockAnchor> => {
    if (config.refresh !== undefined) {
      await config.refresh().catch((error: unknown) => config.logger.warn(`could not refresh L1 messages, anchoring what is known: ${(error as Error).message}`));
    }
    const candidates = config.messages.consecutiveFrom(nextMessageNonce, maxMessages);
    const parent = chain.getBlock(number - 1n)?.block ?? chain.head;
    // The block may not fit more relay gas than its own limit (the gas limit barely moves per block).
    const blockGas = (parent.header.gasLimit * 9n) / 10n;
    const budget = maxGas < blockGas ? maxGas : blockGas;
    const chosen: QueuedL1Message[] = [];
    let gas = 0n;
    for (const candidate of candidates) {
      // The final tree may be deeper than this partial one: allow for a proof of up to 8 more levels.
      const size = getBytes(relayCalldata([...chosen, candidate], chosen.length, timestamp)).length + 32 * 8;
      const needed = relayGasLimit(candidate.message.gasLimit, size);
      if (chosen.length > 0 && gas + needed > budget) break;
      chosen.push(candidate);
      gas += needed;
    }
    if (chosen.length === 0) return { root: new Uint8Array(32), consumedMessages: 0, firstMessageNonce: nextMessageNonce, transactions: [] };

    const baseFee = parent.header.calcNextBaseFee();
    const firstNonce = await config.sequencer.pendingNonce(relayer.bytes);
    const transactions: TypedTransaction[] = chosen.map((queued, index) => {
      const data = relayCalldata(chosen, index, timestamp) as PrefixedHexString;
      return createFeeMarket1559Tx(
        {
          chainId: chain.chainId,
          nonce: firstNonce + BigInt(index),
          // Twice the base fee: the block's own base fee is known, a margin keeps retries valid.
          maxFeePerGas: baseFee * 2n,
          maxPriorityFeePerGas: 0n,
          // A message asking for more gas than an L2 block holds is still relayed (and reverts, staying
          // relayable): leaving it out would make the sequencer drop the whole anchor, for ever.
          gasLimit: minimum(relayGasLimit(queued.message.gasLimit, getBytes(data).length), blockGas),
          to: L2_BRIDGE_ADDRESS,
          value: 0n,
          data,
        },
        { common: chain.common },
      ).sign(relayerKey);
    });
    const root = messageRoot(chosen.map((q) => q.hash));
    const first = chosen[0]?.message.nonce as bigint;
    const last = chosen[chosen.length - 1]?.message.nonce as bigint;
    config.logger.info(`anchored L1 → L2 message${chosen.length > 1 ? `s #${first}..#${last}` : ` #${first}`} in L2 block ${number} (root ${root.slice(0, 10)}…), relaying`);
    return { root: getBytes(root), consumedMessages: chosen.length, firstMessageNonce: nextMessageNonce, transactions };
  };
}
