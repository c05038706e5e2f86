import { bytesToHex } from "@ethereumjs/util";
import { formatEther } from "ethers";

import { L2_BRIDGE_INTERFACE } from "../bridge/contracts";
import { failureReasonOf } from "../bridge/status";
import { L2_BRIDGE_ADDRESS } from "../../protocol/messages";
import type { ProducedBlock, SequencerApi } from "../l2/types";
import type { Logger } from "../logger";

/**
 * Logs the L2 side of each cross-domain step as blocks are produced: L1 → L2 messages relayed,
 * failed or retried, and L2 → L1 messages initiated. Returns an unsubscribe function.
 */
export function logL2Activity(sequencer: Pick<SequencerApi, "chain" | "onBlock">, logger: Logger): () => void {
  return sequencer.onBlock((produced: ProducedBlock) => {
    const record = sequencer.chain.getBlock(produced.number);
    if (record === undefined) return;
    for (const receipt of record.receipts) {
      for (const log of receipt.logs) {
        if (bytesToHex(log.address) !== L2_BRIDGE_ADDRESS) continue;
        const parsed = L2_BRIDGE_INTERFACE.parseLog({
          data: bytesToHex(log.data),
          topics: log.topics.map((t) => bytesToHex(t)),
        });
        // A consumed message whose call did not complete emits MessageRelayed(success = false) and
        // MessageFailed: the second says why, so it alone is logged, as a warning.
        if (parsed?.name === "MessageRelayed" && parsed.args.success === true) {
          logger.info(
            `L1 → L2 message #${parsed.args.nonce as bigint} relayed in L2 block ${produced.number} (tx ${bytesToHex(receipt.transactionHash)})`,
          );
        } else if (parsed?.name === "MessageFailed") {
          const deferred = failureReasonOf(parsed.args.reason) === "deferred";
          logger.warn(
            `L1 → L2 message #${parsed.args.nonce as bigint} was consumed in L2 block ${produced.number} but its call ` +
              `${deferred ? "was deferred (it did not fit the block)" : "reverted"} (tx ${bytesToHex(receipt.transactionHash)}); ` +
              `L2Bridge holds it for a retry or a refund: npx hardhat rollup:message ${parsed.args.messageHash as string}`,
          );
        } else if (parsed?.name === "MessageRetried") {
          logger.info(
            `L1 → L2 message #${parsed.args.nonce as bigint} retried and succeeded in L2 block ${produced.number} (tx ${bytesToHex(receipt.transactionHash)})`,
          );
        } else if (parsed?.name === "MessageSentToL1") {
          logger.info(
            `L2 → L1 message initiated in L2 block ${produced.number}: ${formatEther(parsed.args.value as bigint)} ETH from ${parsed.args.from as string} ` +
              `to ${parsed.args.to as string} (hash ${parsed.args.messageHash as string}); finalizable once L2 block ${produced.number} is accepted on L1`,
          );
        }
      }
    }
  });
}
