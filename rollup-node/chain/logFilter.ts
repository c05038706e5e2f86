import { equalsBytes } from "@ethereumjs/util";

import type { BlockRecord, LocatedLog, LogFilter } from "./types";

function topicMatches(
  wanted: Uint8Array | readonly Uint8Array[] | null | undefined,
  actual: Uint8Array | undefined,
): boolean {
  if (wanted === null || wanted === undefined) return true;
  if (actual === undefined) return false;
  if (wanted instanceof Uint8Array) return equalsBytes(wanted, actual);
  // An empty OR-list matches anything, as in geth.
  return wanted.length === 0 || wanted.some((topic) => equalsBytes(topic, actual));
}

/** Logs of `record` that match `filter`'s addresses and topics (the block range is the caller's). */
export function matchingLogs(record: BlockRecord, filter: LogFilter): LocatedLog[] {
  const { block } = record;
  const out: LocatedLog[] = [];
  let logIndex = 0;
  record.receipts.forEach((receipt, transactionIndex) => {
    for (const log of receipt.logs) {
      const index = logIndex++;
      if (
        filter.addresses !== undefined &&
        filter.addresses.length > 0 &&
        !filter.addresses.some((a) => equalsBytes(a, log.address))
      )
        continue;
      const topics = filter.topics ?? [];
      if (topics.length > log.topics.length && topics.slice(log.topics.length).some((t) => t !== null)) continue;
      if (!topics.every((wanted, position) => topicMatches(wanted, log.topics[position]))) continue;
      out.push({
        ...log,
        blockNumber: block.header.number,
        blockHash: block.hash(),
        blockTimestamp: block.header.timestamp,
        transactionHash: receipt.transactionHash,
        transactionIndex,
        logIndex: index,
      });
    }
  });
  return out;
}
