import { expect } from "chai";

import type { AnchorProvider, BlockAnchor } from "../../../rollup-node/l2/types";
import { describeSequencers, openSequencer, signers, sleep, waitFor } from "./l2Support";

const TO = "0x00000000000000000000000000000000000000bb";
/** How long this test's L1 takes to answer a read: several block times. */
const L1_READ_MS = 400;
const BLOCK_TIME_MS = 50;

// A rebase drops blocks L1 refused for their messages (OverdueMessageSkipped, AnchorMismatch after
// an L1 reorg: the submitter's rebuild). Timed blocks take the messages already read (issue 14),
// so without a read the rebuilt block is the refused one again, from the same stale view; after
// MAX_REBUILDS_PER_BLOCK (3) refusals in a row the submitter halts (RequiredMessagesNotBuiltError for an overdue refusal). The
// block built after a rebase must anchor on an L1 read begun after the rebase, as every block did
// before issue 14.
describe("L2 sequencer: the block after a rebase reads L1 first", function () {
  this.timeout(60_000);
  const { dirs, track } = describeSequencers();

  it("a timed block built after a rebase anchors on an L1 read begun after the rebase", async () => {
    /** When the last read of L1 that completed had begun (performance.now()). */
    let lastReadBegun = Number.NEGATIVE_INFINITY;
    /** Per block: when the L1 view its anchor was chosen from had been read. */
    const viewOf = new Map<bigint, number>();
    // The bridge's anchor (rollup-node/bridge/anchor.ts) in its timing only: a read of L1 is started
    // for every block and awaited unless the block is timed (`waitForL1: false`).
    const anchorProvider = async ({
      number,
      nextMessageNonce,
      waitForL1,
    }: Parameters<AnchorProvider>[0]): Promise<BlockAnchor> => {
      const begun = performance.now();
      const read = sleep(L1_READ_MS).then(() => {
        lastReadBegun = Math.max(lastReadBegun, begun);
      });
      if (waitForL1 !== false) await read;
      viewOf.set(number, lastReadBegun);
      return { root: new Uint8Array(32), consumedMessages: 0, firstMessageNonce: nextMessageNonce, transactions: [] };
    };
    const s = track(await openSequencer(dirs.make(), { blockTimeMs: BLOCK_TIME_MS, anchorProvider }));
    const [alice] = signers(1);
    await s.submitTransaction(alice.tx({ to: TO, value: 1n }));
    s.start();
    await waitFor(() => s.chain.headNumber >= 2n, 10_000, "expected 2 L2 blocks");
    // The submitter's rebuild: L1 refused block 1 for its messages; it and its successors are dropped.
    const rebasedAt = performance.now();
    await s.rebase(0n, []);
    await waitFor(() => s.chain.headNumber >= 1n, 10_000, "expected block 1 rebuilt");
    s.stop();
    const view = viewOf.get(1n) as number;
    expect(
      view,
      `block 1 rebuilt from an L1 view read ${Math.round(rebasedAt - view)} ms before the rebase`,
    ).to.be.at.least(rebasedAt);
  });
});
