import { expect } from "chai";

import type { BlockProofs } from "../../../rollup-node/bridge/batchSubmitter";
import { devnetProofsFor } from "../../../rollup-node/devnet/rollupDevnet";
import { NodeError } from "../../../rollup-node/errors";
import type { ProducedBlock } from "../../../rollup-node/l2/types";

// The proof mode path with the real committees is run by a k-of-n project's sequencing test
// (test/templates/init.test.ts); these are the other branches of RollupDevnet.proofsFor.
describe("RollupDevnet.proofsFor", () => {
  const block = { number: 5n } as ProducedBlock;
  const source = (proofs: BlockProofs) => async (): Promise<BlockProofs> => proofs;

  it('is "0x" when the devnet is not in proof mode: the block is re-executed from its witness', async () => {
    expect(await devnetProofsFor(undefined, 0)(block)).to.equal("0x");
  });

  it("is the proof source's encoding, as hex, when enough committees delivered", async () => {
    const encoded = new Uint8Array([1, 2, 3, 254]);
    const proofsFor = devnetProofsFor(source({ encoded, provenBy: ["committee-1"] }), 1);
    expect(await proofsFor(block)).to.equal("0x010203fe");
  });

  it("rejects with DEVNET_PROOFS_SHORT, naming the failed committee, below the threshold", async () => {
    const proofsFor = devnetProofsFor(
      source({ encoded: new Uint8Array(), provenBy: ["committee-1"], failures: ["committee-2: attester down"] }),
      2,
    );
    const error = await proofsFor(block).then(
      () => undefined,
      (e: unknown) => e,
    );
    expect(error).to.be.instanceOf(NodeError);
    expect((error as NodeError).code).to.equal("DEVNET_PROOFS_SHORT");
    expect((error as NodeError).message)
      .to.contain("L2 block 5: 1 of the 2")
      .and.to.contain("committee-2: attester down");
  });
});
