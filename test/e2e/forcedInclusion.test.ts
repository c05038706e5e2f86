import { expect } from "chai";
import { Wallet, parseEther } from "ethers";

import { deriveDevAccounts } from "../../rollup-node/chain/devAccounts";
import { type E2eRollup, eventually, increaseL1Time, startE2eRollup } from "./support/harness";

/** Shortened for the test: a queued L1 message must be consumed within this many seconds of L1 time. */
const FORCE_INCLUSION_DELAY = 60n;
/** The censored user: a dev account, the same address on L1 and L2. */
const USER = 5;
/** Another user, whose L2 transactions keep the sequencer building blocks. */
const OTHER = 6;
const WAIT_MS = 90_000;

interface MessageStatus {
  status: string;
}

/**
 * Forced inclusion against a censoring sequencer (the dev/test `censor` option, `rollup:node
 * --censor`): the sequencer refuses the user's L2 transactions and leaves the user's L1 message
 * out of its blocks while others' transactions go in; once the message is older than the rollup's
 * FORCE_INCLUSION_DELAY by L1's clock, L1 refuses any block that leaves it behind
 * (NativeRollup's OverdueMessageSkipped), so the sequencer's next accepted block relays it.
 */
describe("e2e: forced inclusion through L1 against a censoring sequencer", function () {
  this.timeout(300_000);
  let r: E2eRollup;
  let user: Wallet;

  before(async () => {
    r = await startE2eRollup({
      policy: { sequencerInactivityPeriod: 3_600n, forceInclusionDelay: FORCE_INCLUSION_DELAY },
      // The devnet's accounts are the dev mnemonic's.
      censor: [deriveDevAccounts(USER + 1)[USER]?.address as string],
    });
    user = r.l2Wallet(USER);
    expect(user.address).to.equal(deriveDevAccounts(USER + 1)[USER]?.address);
  });

  after(async () => {
    await r?.stop();
  });

  /** A transfer by the other user, accepted on L1: the sequencer builds and submits meanwhile. */
  async function otherUsersBlockAccepted(): Promise<bigint> {
    const tx = await r.l2Wallet(OTHER).sendTransaction({ to: Wallet.createRandom().address, value: 1n });
    const receipt = await tx.wait();
    const number = BigInt(receipt?.blockNumber ?? 0);
    await eventually(
      "the other user's block accepted on L1",
      async () => ((await r.rollup().headNumber()) >= number ? true : undefined),
      WAIT_MS,
    );
    return number;
  }

  it("the user's L2 transaction is refused, its L1 message held back, and relayed once L1 forces it", async () => {
    const refused = await user.sendTransaction({ to: Wallet.createRandom().address, value: 1n }).then(
      () => "sent",
      (error: Error) => error.message,
    );
    expect(refused).to.contain("censored");
    expect(refused).to.contain("--censor");

    // Forced through L1: a deposit from the user's own L1 address.
    const nonce = await r.rollup().messageCount();
    const receipt = await (await r.rollup(USER).depositETH(user.address, { value: parseEther("1") })).wait();
    const status = async (): Promise<string> =>
      ((await r.l2.send("rollup_getMessageStatus", [{ l1TransactionHash: receipt?.hash }])) as MessageStatus).status;

    // Blocks with other users' transactions are built and accepted; the message stays out of them.
    await otherUsersBlockAccepted();
    await otherUsersBlockAccepted();
    expect(await status()).to.not.equal("relayed");
    expect(await r.rollup().nextMessageIndex()).to.be.at.most(nonce);
    expect(r.log.has(`--censor: holding back L1 → L2 message #${nonce}`)).to.equal(true);

    // Past the delay by L1's clock: L1 refuses a block that leaves the message behind.
    await increaseL1Time(r.l1, FORCE_INCLUSION_DELAY + 1n);
    await otherUsersBlockAccepted();
    await eventually(
      "the forced message relayed on L2",
      async () => ((await status()) === "relayed" ? true : undefined),
      WAIT_MS,
    );
    await eventually(
      "the forced message consumed on L1",
      async () => ((await r.rollup().nextMessageIndex()) > nonce ? true : undefined),
      WAIT_MS,
    );
    expect(await r.l2.getBalance(user.address)).to.be.greaterThan(parseEther("1"));
    process.stderr.write(
      `      ${r.log.lines
        .filter((line) => line.includes("--censor"))
        .slice(-2)
        .join("\n      ")}\n`,
    );
  });
});
