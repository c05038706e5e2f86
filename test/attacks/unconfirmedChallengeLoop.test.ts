import { expect } from "chai";
import { Wallet } from "ethers";

import { ExecuteErrorCode } from "../../precompiles";
import { Challenger } from "../../rollup-node/bridge/challenger";
import { OPTIMISTIC_ROLLUP_INTERFACE } from "../../rollup-node/bridge/contracts";
import type { Logger } from "../../rollup-node/logger";
import { oneTransferBlock, revertingMethod } from "../support/sentTransactions";

/**
 * The challenger's twin of unsimulatedAdvanceLoop (attack-review.md #2): a challenge whose
 * pre-flight eth_call meets L1's deadline (ChallengeFailed(SimulationTimeout)) is sent anyway, at
 * its whole gas bound. If that mined challenge reverts after EXECUTE (L1's EXECUTE accepts the
 * block the challenger judged invalid, or answers OutOfGas for the gas passed) while the block
 * stays provisional, the challenger retries with back-off: the next pre-flight meets the deadline
 * again and the challenge is sent again, its whole gas limit burnt each time, until the window
 * (days) closes.
 */

const SIMULATION_TIMEOUT = OPTIMISTIC_ROLLUP_INTERFACE.encodeErrorResult("ChallengeFailed", [
  ExecuteErrorCode.SimulationTimeout,
  "EXECUTE stopped after the 5000 ms a simulated call may run it",
]);

interface ChallengeInput {
  readonly chainId: bigint;
  readonly parentHeader: Uint8Array;
  readonly block: Uint8Array;
  readonly witness: Uint8Array;
}

async function proposalInput(): Promise<ChallengeInput & { blockHash: string }> {
  const built = await oneTransferBlock(905n, 5);
  return {
    chainId: 905n,
    parentHeader: built.parentHeader,
    block: built.blockRlp,
    witness: built.witness,
    blockHash: `0x${Buffer.from(built.block.hash()).toString("hex")}`,
  };
}

describe("attack: a challenge sent unconfirmed that reverts on chain is not resent every retry", () => {
  it("sends one unconfirmed challenge of a proposal whose pre-flight calls time out and whose mined challenge reverted", async () => {
    const input = await proposalInput();
    const lines: string[] = [];
    const log = (line: string): void => {
      lines.push(line);
    };
    const logger: Logger = { info: log, warn: log, error: log, debug: () => {} };
    const challenger = new Challenger({
      l1Provider: undefined as never,
      rollupAddress: Wallet.createRandom().address,
      fromBlock: 0,
      signer: Wallet.createRandom(),
      l2ChainId: input.chainId,
      logger,
      checkThreads: 0,
      l1GasCap: { sendCap: () => 30_000_000n, refresh: async () => {} } as never,
    });
    const txHash = `0x${"ef".repeat(32)}`;
    // Mined and reverted after EXECUTE (L1's EXECUTE accepted the block): the whole limit spent.
    const { method: challenge, sent } = revertingMethod(
      txHash,
      (gasLimit) =>
        Object.assign(new Error("transaction execution reverted"), {
          code: "CALL_EXCEPTION",
          shortMessage: "transaction execution reverted",
          receipt: { hash: txHash, blockNumber: 10, status: 0, gasUsed: gasLimit },
        }),
      SIMULATION_TIMEOUT,
    );
    // The block stays provisional throughout (its window is days long).
    const provisionalBlock = async () => ({ blockHash: input.blockHash, dataHash: "0x", witnessHash: "0x" });
    Object.defineProperty(challenger, "rollup", { value: { challenge, provisionalBlock } });
    const entry = {
      proposal: {
        number: 1n,
        blockHash: input.blockHash,
        parentHeader: input.parentHeader,
        block: input.block,
        witness: input.witness,
        l1TransactionHash: `0x${"01".repeat(32)}`,
        closesAt: 10n ** 12n,
      },
      verdict: { kind: "invalid", code: ExecuteErrorCode.StateRootMismatch, reason: "state root mismatch" },
      failures: 0,
      retryAt: 0,
    };
    const attempt = (
      challenger as unknown as { challenge(e: unknown, i: ChallengeInput): Promise<string> }
    ).challenge.bind(challenger);
    // The retries the back-off would make while the block stays provisional.
    const outcomes: string[] = [];
    for (let round = 0; round < 5; round++) outcomes.push(await attempt(entry, input));
    expect(
      sent.length,
      `challenges sent unconfirmed and mined reverted, each its whole gas limit (${sent.join(", ")}); outcomes ${outcomes.join(", ")}`,
    ).to.equal(1);
    expect(lines.some((l) => l.includes("reverted on chain") && l.includes("not sent again unconfirmed"))).to.equal(
      true,
    );
    await challenger.stop();
  });
});
