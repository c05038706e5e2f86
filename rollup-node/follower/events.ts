import type { Log } from "ethers";

import { OPTIMISTIC_ROLLUP_INTERFACE } from "../bridge/contracts";

/**
 * The rollup's block events as the follower reads them. This file is the only place that knows
 * their ABI (NativeRollup's BlockAdvanced; OptimisticRollup's BlockProposed, BlockProven,
 * BlockFinalized and BlockChallenged): when the contracts change, only `decodeRollupEvent` and
 * `ROLLUP_EVENT_TOPICS` change.
 */

/** Where on L1 an event was emitted. */
export interface L1Origin {
  readonly blockNumber: number;
  readonly blockHash: string;
  readonly transactionHash: string;
  readonly logIndex: number;
}

/** A block accepted at once (EXECUTE verified it: re-execution or proofs). Final on the rollup. */
export interface AdvancedEvent {
  readonly kind: "advanced";
  readonly number: bigint;
  readonly blockHash: string;
  readonly stateRoot: string;
  readonly messagesConsumed: bigint;
  readonly origin: L1Origin;
}

/** A block posted without verification: provisional until finalized, removable by a challenge. */
export interface ProposedEvent {
  readonly kind: "proposed";
  readonly number: bigint;
  readonly blockHash: string;
  readonly stateRoot: string;
  readonly messagesConsumed: bigint;
  readonly origin: L1Origin;
}

/** A provisional block was verified by EXECUTE (it can no longer be challenged). */
export interface ProvenEvent {
  readonly kind: "proven";
  readonly number: bigint;
  readonly blockHash: string;
  readonly origin: L1Origin;
}

/** A provisional block became final (the rollup's head). */
export interface FinalizedEvent {
  readonly kind: "finalized";
  readonly number: bigint;
  readonly blockHash: string;
  readonly origin: L1Origin;
}

/** A challenge removed blocks `number .. number + removed - 1` from the provisional chain. */
export interface ChallengedEvent {
  readonly kind: "challenged";
  readonly number: bigint;
  readonly blockHash: string;
  readonly removed: bigint;
  readonly reason: string;
  readonly origin: L1Origin;
}

export type RollupBlockEvent = AdvancedEvent | ProposedEvent | ProvenEvent | FinalizedEvent | ChallengedEvent;

const EVENT_NAMES = ["BlockAdvanced", "BlockProposed", "BlockProven", "BlockFinalized", "BlockChallenged"] as const;

/** topic0 of every event the follower reads (one eth_getLogs filter: any of them). */
export const ROLLUP_EVENT_TOPICS: readonly string[] = EVENT_NAMES.map(
  (name) => OPTIMISTIC_ROLLUP_INTERFACE.getEvent(name)?.topicHash as string,
);

function originOf(log: Log): L1Origin {
  return {
    blockNumber: log.blockNumber,
    blockHash: log.blockHash,
    transactionHash: log.transactionHash,
    logIndex: log.index,
  };
}

/** Decodes one rollup log; undefined for logs that are not block events (e.g. MessageQueued). */
export function decodeRollupEvent(log: Log): RollupBlockEvent | undefined {
  const parsed = OPTIMISTIC_ROLLUP_INTERFACE.parseLog({ topics: [...log.topics], data: log.data });
  if (parsed === null) return undefined;
  const a = parsed.args;
  const origin = originOf(log);
  const base = { number: a.number as bigint, blockHash: (a.blockHash as string).toLowerCase(), origin };
  switch (parsed.name) {
    case "BlockAdvanced":
      return {
        kind: "advanced",
        ...base,
        stateRoot: a.stateRoot as string,
        messagesConsumed: a.messagesConsumed as bigint,
      };
    case "BlockProposed":
      return {
        kind: "proposed",
        ...base,
        stateRoot: a.stateRoot as string,
        messagesConsumed: a.messagesConsumed as bigint,
      };
    case "BlockProven":
      return { kind: "proven", ...base };
    case "BlockFinalized":
      return { kind: "finalized", ...base };
    case "BlockChallenged":
      return { kind: "challenged", ...base, removed: a.removed as bigint, reason: a.reason as string };
    default:
      return undefined;
  }
}
