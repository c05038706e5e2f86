import { getBytes, type Interface } from "ethers";

import { createAnchorProvider } from "../../rollup-node/bridge/anchor";
import type { QueuedL1Message } from "../../rollup-node/bridge/l1Watcher";
import type { GenesisConfig } from "../../rollup-node/chain/genesis";
import { Sequencer } from "../../rollup-node/l2/sequencer";
import type { AnchorProvider } from "../../rollup-node/l2/types";
import { type Logger, silentLogger } from "../../rollup-node/logger";
import { type L1Message, L2_BRIDGE_ADDRESS, hashL1Message, messageProof, messageRoot } from "../../protocol/messages";
import type { TestSigner } from "../../tools/l2Fixtures";
import type { BuiltBlock, L2TestChain } from "../../tools/l2TestChain";

/** NativeRollup.RELAY_OVERHEAD_GAS and RELAY_GAS_PER_CALLDATA_BYTE: the least gas L1 accepts for a deferral. */
const RELAY_OVERHEAD_GAS = 200_000n;
const RELAY_GAS_PER_CALLDATA_BYTE = 40n;

/** `message` as the L1 watcher reports it (block and transaction are not read by the anchor). */
export function queued(message: L1Message): QueuedL1Message {
  return { message, hash: hashL1Message(message), l1BlockNumber: 1, l1TransactionHash: `0x${"00".repeat(32)}` };
}

/**
 * The node's Sequencer with the node's anchor (`createAnchorProvider`) reading its L1 messages from
 * `queue` (appended to by the test), relays signed by `relayerKey` (funded in `genesis`).
 */
export async function openQueuedSequencer(options: {
  readonly dataDir: string;
  readonly genesis: GenesisConfig;
  readonly queue: readonly QueuedL1Message[];
  readonly relayerKey: string;
  readonly logger?: Logger;
  readonly now?: () => bigint;
}): Promise<Sequencer> {
  const logger = options.logger ?? silentLogger;
  let anchor: AnchorProvider | undefined;
  const node = await Sequencer.open({
    dataDir: options.dataDir,
    genesis: options.genesis,
    logger,
    ...(options.now === undefined ? {} : { now: options.now }),
    anchorProvider: (context) => (anchor as AnchorProvider)(context),
  });
  anchor = createAnchorProvider({
    messages: {
      consecutiveFrom: (nonce, max) => options.queue.slice(Number(nonce), Number(nonce) + max),
    },
    sequencer: node,
    relayerKey: options.relayerKey as `0x${string}`,
    logger,
  });
  return node;
}

/**
 * The next block of `chain` deferring `consumed` (L2Bridge's `deferMessage`, each with the least gas
 * L1 accepts), signed by `signer`, anchored at `timestamp`; `discard` builds it without keeping it.
 */
export function deferralBlock(
  chain: L2TestChain,
  bridge: Interface,
  consumed: readonly L1Message[],
  signer: TestSigner,
  timestamp: bigint,
  discard: boolean,
): Promise<BuiltBlock> {
  const leaves = consumed.map(hashL1Message);
  const txs = consumed.map((message, index) => {
    const data = bridge.encodeFunctionData("deferMessage", [message, timestamp, index, messageProof(leaves, index)]);
    const gas = RELAY_OVERHEAD_GAS + RELAY_GAS_PER_CALLDATA_BYTE * BigInt(getBytes(data).length);
    return signer.tx({ to: L2_BRIDGE_ADDRESS, data, gasLimit: gas });
  });
  return chain.buildBlock(txs, { timestamp, parentBeaconBlockRoot: getBytes(messageRoot(leaves)), discard });
}
