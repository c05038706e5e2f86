import { expect } from "chai";
import { JsonRpcProvider } from "ethers";

import { sequencingOpensAt } from "../../../rollup-node/bridge/authorization";
import { type ExampleRollup, OPTIMISTIC_ROLLUP_INTERFACE, connectRollup } from "../../../rollup-node/bridge/contracts";
import { type E2eRollup, increaseL1Time, startE2eRollup } from "../../e2e/support/harness";

describe("bridge: asking the rollup whether an account may advance (its own _authorizeAdvance rule)", function () {
  this.timeout(60_000);
  let r: E2eRollup;
  /** The rollup read through the L1 provider (no signer: the call names its `from`). */
  const reader = (): ExampleRollup => connectRollup(r.devnet.deployment.address, r.l1);

  before(async () => {
    r = await startE2eRollup({ produceBlocks: false });
  });

  after(async () => {
    await r?.stop();
  });

  it("under fallback: the SEQUENCER always; another account only from openSequencingAt, which the answer names", async () => {
    const stranger = r.l1Wallet(6).address;
    const before = await sequencingOpensAt(reader(), stranger);
    expect(before).to.deep.equal({ status: "refused", openAt: (await reader().openSequencingAt()) as bigint });
    expect(await sequencingOpensAt(reader(), r.devnet.keys.sequencer.address)).to.deep.equal({ status: "allowed" });

    await increaseL1Time(r.l1, r.devnet.deployment.policy.sequencerInactivityPeriod);
    expect(await sequencingOpensAt(reader(), stranger)).to.deep.equal({ status: "allowed" });
  });

  it("an L1 that does not answer is no answer: the failure is thrown, never read as allowed", async () => {
    const dead = new JsonRpcProvider("http://127.0.0.1:1", undefined, { staticNetwork: true });
    try {
      let thrown: unknown;
      await sequencingOpensAt(connectRollup(r.devnet.deployment.address, dead), r.l1Wallet(6).address).catch(
        (error: unknown) => {
          thrown = error;
        },
      );
      expect(thrown).to.be.instanceOf(Error);
    } finally {
      dead.destroy();
    }
  });
});

describe("bridge: the authorization probe reads only the answers that mean it", () => {
  /** A rollup handle whose `advance` probe reverts with `data` (what an L1 node returns for the call). */
  function revertingRollup(data: string): ExampleRollup {
    const probe = {
      staticCall: async () => {
        throw Object.assign(new Error("execution reverted"), { data });
      },
    };
    return { advance: probe, openSequencingAt: async () => 1_234n } as unknown as ExampleRollup;
  }
  const stranger = "0x00000000000000000000000000000000000000aa";

  it("an optimistic rollup with provisional blocks answers before its rule is asked: that is not a yes", async () => {
    const pending = OPTIMISTIC_ROLLUP_INTERFACE.encodeErrorResult("ProvisionalBlocksPending", [1n]);
    // Its own answer: the rule itself was not asked (the sequencing-rule check reads no answer from it).
    expect(await sequencingOpensAt(revertingRollup(pending), stranger)).to.deep.equal({
      status: "provisional",
      openAt: 1_234n,
    });
  });

  it("a revert no known ABI explains (a custom rule's own error) is no answer: thrown, never a yes", async () => {
    let thrown: unknown;
    await sequencingOpensAt(revertingRollup("0xdeadbeef"), stranger).catch((error: unknown) => {
      thrown = error;
    });
    expect(thrown).to.be.instanceOf(Error);
  });
});
