import { expect } from "chai";

import {
  type AnchorConfig,
  DEFAULT_MAX_MESSAGES_PER_BLOCK,
  MAX_REQUIRED_MESSAGES_PER_BLOCK,
  MIN_L2_GAS_LIMIT,
  createAnchorProvider,
  messageWeight,
  overdueBudget,
} from "../../../rollup-node/bridge/anchor";
import { BridgeConfigError } from "../../../rollup-node/bridge/errors";
import { silentLogger } from "../../../rollup-node/logger";

/** An anchor configuration with `maxMessagesPerBlock`; nothing else is read before a block is anchored. */
function configWith(maxMessagesPerBlock: number | undefined): AnchorConfig {
  return {
    messages: { consecutiveFrom: () => [] },
    sequencer: { chain: {} as AnchorConfig["sequencer"]["chain"], pendingNonce: async () => 0n },
    relayerKey: `0x${"11".repeat(32)}`,
    maxMessagesPerBlock,
    logger: silentLogger,
  };
}

describe("anchor: how many messages a block may consume", () => {
  it("L1 may require up to MAX_REQUIRED_MESSAGES_PER_BLOCK overdue messages of one block, and no more", () => {
    // The lightest message (no gas, no data): L1 requires the next overdue one while its weight
    // fits what the budget has left after those consumed.
    const lightest = messageWeight(0n, 0);
    const budget = overdueBudget(MIN_L2_GAS_LIMIT);
    const left = (consumed: number): bigint => budget - BigInt(consumed) * lightest;
    expect(left(MAX_REQUIRED_MESSAGES_PER_BLOCK - 1) >= lightest).to.equal(true, "the last required one fits");
    expect(left(MAX_REQUIRED_MESSAGES_PER_BLOCK) < lightest).to.equal(true, "one more is never required");
    expect(MAX_REQUIRED_MESSAGES_PER_BLOCK).to.equal(13);
  });

  it("refuses a maxMessagesPerBlock below what L1 may require: its blocks would be refused once a backlog forms", () => {
    for (const bad of [0, 1, MAX_REQUIRED_MESSAGES_PER_BLOCK - 1, 2.5]) {
      let error: unknown;
      try {
        createAnchorProvider(configWith(bad));
      } catch (e) {
        error = e;
      }
      expect(error, `maxMessagesPerBlock ${bad}`).to.be.instanceOf(BridgeConfigError);
      expect((error as BridgeConfigError).code).to.equal("BRIDGE_CONFIG");
      expect((error as Error).message).to.contain(
        `maxMessagesPerBlock ${bad} is below ${MAX_REQUIRED_MESSAGES_PER_BLOCK}`,
      );
    }
  });

  it("accepts the least L1 may require, and the default", () => {
    expect(() => createAnchorProvider(configWith(MAX_REQUIRED_MESSAGES_PER_BLOCK))).not.to.throw();
    expect(() => createAnchorProvider(configWith(undefined))).not.to.throw();
    expect(DEFAULT_MAX_MESSAGES_PER_BLOCK).to.be.at.least(MAX_REQUIRED_MESSAGES_PER_BLOCK);
  });
});
