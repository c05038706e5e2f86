import { bytesToHex } from "@ethereumjs/util";
import { formatEther } from "ethers";

import { L2_BRIDGE_INTERFACE } from "../bridge/contracts";
import { L2_BRIDGE_ADDRESS } from "../../protocol/messages";
import type { ProducedBlock, SequencerApi } from "../l2/types";
import type { Logger } from "../logger";

/**
 * Logs the L2 side of each cross-domain step as blocks are produced: L1 → L2 messages relayed
 * and L2 → L1 messages initiated. Returns an unsubscribe function.
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
        if (parsed?.name === "MessageRelayed") {
          logger.info(
            `L1 → L2 message #${parsed.args.nonce as bigint} relayed in L2 block ${produced.number} (tx ${bytesToHex(receipt.transactionHash)})`,
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
