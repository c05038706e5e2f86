import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";
import { Wallet, hexlify, parseEther } from "ethers";

import { ExecuteErrorCode } from "../../precompiles/errors";
import { BatchSubmitter } from "../../rollup-node/bridge/batchSubmitter";
import { connectRollup, decodeRollupRevert, revertDataOf } from "../../rollup-node/bridge/contracts";
import { BlockRejectedError } from "../../rollup-node/bridge/errors";
import { silentLogger } from "../../rollup-node/logger";
import { Sequencer } from "../../rollup-node/l2/sequencer";
import type { ProducedBlock, SequencerApi } from "../../rollup-node/l2/types";
import { tamperBlock } from "../../tools/l2Fixtures";
import { rejection } from "../rollup-node/rejection";
import { type E2eRollup, eventually, increaseL1Time, startE2eRollup } from "./support/harness";

describe("e2e: sequencing rules enforced on L1 against the real node", function () {
  this.timeout(60_000);
  let r: E2eRollup;
  let sequencer: Sequencer;

  const revertName = (error: unknown): string | undefined => decodeRollupRevert(revertDataOf(error) ?? "0x")?.name;
  const acceptedHead = (): Promise<bigint> => r.rollup().headNumber();

  before(async () => {
    // Blocks are produced by hand here, so each test decides what the next block holds.
    r = await startE2eRollup({ produceBlocks: false });
    sequencer = r.devnet.node.sequencer;
  });

  after(async () => {
    await r?.stop();
  });

  it("advance reverts when a block skips an overdue L1 message; the node's own block (which consumes it) is accepted", async () => {
    await (await r.rollup(1).depositETH(r.l1Wallet(1).address, { value: parseEther("1") })).wait();
    // Another sequencer on the same genesis, without the bridge: its block consumes nothing.
    const dir = mkdtempSync(path.join(tmpdir(), "rollup-e2e-rogue-"));
    const rogue = await Sequencer.open({ dataDir: dir, genesis: r.devnet.genesis, logger: silentLogger });
    try {
      const skipping = await rogue.produceBlock();
      await increaseL1Time(r.l1, r.devnet.deployment.policy.forceInclusionDelay + 10n);
      const asSequencer = connectRollup(
        r.devnet.deployment.address,
        new Wallet(r.devnet.keys.sequencer.privateKey, r.l1),
      );
      const error = await rejection(
        asSequencer.advance(skipping.parentHeader, skipping.blockRlp, skipping.encodedWitness, "0x", 0, {
          gasLimit: 16_000_000n,
        }),
      );
      expect(revertName(error)).to.equal("OverdueMessageSkipped");
    } finally {
      await rogue.close();
      rmSync(dir, { recursive: true, force: true });
    }
    const own = await sequencer.produceBlock();
    expect(own.consumedMessages).to.equal(1);
    await eventually("block 1 on L1", async () => ((await acceptedHead()) === 1n ? true : undefined));
  });

  it("after the sequencer's inactivity period another account advances, and the node carries on from there", async () => {
    const submitter = r.devnet.node.bridge.submitter as BatchSubmitter;
    await submitter.stop();
    const block = await sequencer.produceBlock();
    const stranger = r.rollup(6);
    const early = await rejection(
      stranger.advance(block.parentHeader, block.blockRlp, block.encodedWitness, "0x", block.consumedMessages, {
        gasLimit: 16_000_000n,
      }),
    );
    expect(revertName(early)).to.equal("NotSequencer");

    await increaseL1Time(r.l1, r.devnet.deployment.policy.sequencerInactivityPeriod + 10n);
    const receipt = await (
      await stranger.advance(block.parentHeader, block.blockRlp, block.encodedWitness, "0x", block.consumedMessages, {
        gasLimit: 16_000_000n,
      })
    ).wait();
    const advanced = await stranger.queryFilter(
      stranger.filters.BlockAdvanced(block.number),
      receipt?.blockNumber,
      receipt?.blockNumber,
    );
    expect(advanced[0]?.args.submitter).to.equal(r.l1Wallet(6).address);

    submitter.start();
    const next = await sequencer.produceBlock();
    await eventually("the node's next block on L1", async () =>
      (await acceptedHead()) === next.number ? true : undefined,
    );
    expect(submitter.haltReason).to.equal(undefined);
  });

  it("a block the sequencer tampered with is rejected by EXECUTE and the node does not advance past it", async () => {
    const submitter = r.devnet.node.bridge.submitter as BatchSubmitter;
    await submitter.stop();
    const before = await acceptedHead();
    const honest = await sequencer.produceBlock();
    const forgedRoot = new Uint8Array(32).fill(7);
    // The submitter reads blocks through this view: block `honest.number` comes out with a false state root.
    const tampering: Pick<SequencerApi, "producedBlock" | "onBlock"> = {
      producedBlock: async (n: bigint): Promise<ProducedBlock | undefined> => {
        const produced = await sequencer.producedBlock(n);
        return produced !== undefined && n === honest.number
          ? { ...produced, blockRlp: tamperBlock(produced.block, { stateRoot: forgedRoot }) }
          : produced;
      },
      onBlock: (listener) => sequencer.onBlock(listener),
    };
    const tamperedSubmitter = new BatchSubmitter({
      sequencer: tampering,
      rollupAddress: r.devnet.deployment.address,
      signer: new Wallet(r.devnet.keys.sequencer.privateKey, r.l1),
      logger: r.log.factory("tampering-submitter"),
      retry: { initialDelayMs: 20, maxDelayMs: 100 },
    });
    tamperedSubmitter.start();
    const halted = await eventually("the submitter to halt", async () => tamperedSubmitter.haltReason);
    expect(halted).to.be.instanceOf(BlockRejectedError);
    expect((halted as BlockRejectedError).executeCode).to.equal(ExecuteErrorCode.StateRootMismatch);
    expect((halted as BlockRejectedError).blockNumber).to.equal(honest.number);
    expect(r.log.has("BATCH SUBMISSION STOPPED")).to.equal(true);

    await sequencer.produceBlock();
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(await acceptedHead()).to.equal(before);
    expect(await r.rollup().headHash()).to.equal(
      hexlify((await sequencer.producedBlock(before))?.block.hash() as Uint8Array),
    );
    await tamperedSubmitter.stop();
  });
});
