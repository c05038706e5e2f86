import { expect } from "chai";
import { type HDNodeWallet, Interface, Wallet } from "ethers";

import { ExecuteErrorCode } from "../../precompiles";
import { AdvanceSubmitter } from "../../rollup-node/bridge/advanceSubmitter";
import { INativeRollup__factory } from "../../typechain-types";
import type { ProducedBlock } from "../../rollup-node/l2/types";
import type { Logger } from "../../rollup-node/logger";
import { oneTransferBlock, revertingMethod } from "../support/sentTransactions";

/**
 * Second pass on attack-review-s23.md finding 3's fix: after a SimulationTimeout the advance is
 * sent unsimulated at the simulated limit. If that transaction then reverts on chain for a reason
 * found only after EXECUTE (the rollup's `_checkSequencing`, `_checkRelays`, `_validateBlock` run
 * after it: an L1 message that became overdue between the simulation and the mining, a relay the
 * queue no longer holds, another executor's extra work out of gas), the replay that classifies
 * the revert is an eth_call too and meets the same deadline (SimulationTimeout, "execute-retry"),
 * so the loop retries the same block: simulate (timeout), send (revert on chain), ... Each round
 * burns the advance's whole gas limit, without bound.
 */

const EXECUTE_ERRORS = new Interface(["error ExecuteInvalid(uint8 code, string reason)"]);
const TIMEOUT = EXECUTE_ERRORS.encodeErrorResult("ExecuteInvalid", [
  ExecuteErrorCode.SimulationTimeout,
  "EXECUTE stopped after the 5000 ms a simulated call may run it",
]);

async function producedBlock(): Promise<ProducedBlock> {
  const built = await oneTransferBlock(903n, 3);
  return {
    number: built.block.header.number,
    block: built.block,
    parentHeader: built.parentHeader,
    blockRlp: built.blockRlp,
    witness: built.witnessParts as unknown as ProducedBlock["witness"],
    encodedWitness: built.witness,
    consumedMessages: 0,
    firstMessageNonce: 0n,
  };
}

/**
 * An AdvanceSubmitter on an L1 where every eth_call of the advance (the simulation, and the replay
 * of a mined revert) meets the deadline, and whose sent advances end as `waitFails` says; `sent`
 * collects the gas limit of each advance sent.
 */
function submitterOnSlowL1(
  signer: Wallet | HDNodeWallet,
  txHash: string,
  waitFails: (gasLimit: bigint) => Error,
): { submitter: AdvanceSubmitter; sent: bigint[] } {
  const logger: Logger = { info: () => {}, warn: () => {}, error: () => {}, debug: () => {} };
  const rollupAddress = Wallet.createRandom().address;
  const submitter = new AdvanceSubmitter(
    { sequencer: { producedBlock: async () => undefined, onBlock: () => () => {} }, rollupAddress, signer, logger },
    undefined,
  );
  const { method: advance, sent } = revertingMethod(txHash, waitFails, TIMEOUT);
  Object.defineProperty(submitter, "rollup", {
    value: {
      interface: INativeRollup__factory.connect(rollupAddress).interface,
      proofPolicy: async () => ({ threshold: 0n, allowReexecution: true, acceptedKeys: [] }),
    },
  });
  // The advance's calls on L1 (encoded once by the submitter): simulated, and sent at a limit.
  Object.defineProperty(submitter, "advanceCalls", {
    value: { simulate: advance.staticCall, send: (_data: string, gasLimit: bigint) => advance({ gasLimit }) },
  });
  return { submitter, sent };
}

describe("attack (second pass): an unsimulated advance that reverts on chain is not resent forever", () => {
  it("sends one unsimulated advance of a block whose simulations time out and whose mined transaction reverted, not one per retry", async () => {
    const produced = await producedBlock();
    const txHash = `0x${"ab".repeat(32)}`;
    // Every mined advance reverts after EXECUTE.
    const { submitter, sent } = submitterOnSlowL1(Wallet.createRandom(), txHash, (gasLimit) =>
      Object.assign(new Error("transaction execution reverted"), {
        code: "CALL_EXCEPTION",
        receipt: { hash: txHash, blockNumber: 10, status: 0, gasUsed: gasLimit },
      }),
    );
    const send = (submitter as unknown as { send(p: ProducedBlock): Promise<void> }).send.bind(submitter);
    // The loop's retries of the same block after each transient error.
    const errors: string[] = [];
    for (let round = 0; round < 5; round++) await send(produced).catch((e: Error) => errors.push(e.message));
    expect(errors).to.have.length(5);
    expect(
      sent.length,
      `advances mined and reverted, each its whole gas limit (${sent.join(", ")}): ${errors[errors.length - 1]}`,
    ).to.equal(1);
  });

  it("also when the reverted advance was mined after the receipt wait gave up (settled on the next round)", async () => {
    const produced = await producedBlock();
    const txHash = `0x${"cd".repeat(32)}`;
    // An L1 where the advance is slow to mine: the wait times out, the receipt (reverted) comes later.
    const l1 = {
      getBalance: async () => 10n ** 30n,
      getFeeData: async () => ({ maxFeePerGas: 1n, gasPrice: 1n }),
      getBlock: async () => ({ baseFeePerGas: 1n }),
      getCode: async () => "0x",
      getTransaction: async () => null,
      getTransactionReceipt: async () => ({ hash: txHash, blockNumber: 10, status: 0 }),
    };
    const signer = new Wallet(Wallet.createRandom().privateKey, l1 as never);
    const { submitter, sent } = submitterOnSlowL1(signer, txHash, () =>
      Object.assign(new Error("timeout"), { code: "TIMEOUT" }),
    );
    const loop = submitter as unknown as {
      send(p: ProducedBlock): Promise<void>;
      settleInFlight(head: bigint): Promise<boolean>;
      inFlight: unknown;
    };
    for (let round = 0; round < 4; round++) {
      // What submitNext does first each round: settle the advance in flight (L1's head is still 0).
      if (loop.inFlight !== undefined) await loop.settleInFlight(0n);
      await loop.send(produced).catch(() => undefined);
    }
    expect(sent.length, `advances sent unsimulated and mined reverted (${sent.join(", ")})`).to.equal(1);
  });
});
