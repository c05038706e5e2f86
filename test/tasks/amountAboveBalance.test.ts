import { expect } from "chai";

import { type E2eRollup, startE2eRollup } from "../e2e/support/harness";
import { rejection } from "../rollup-node/rejection";
import { runTask } from "../support/runTask";

/** A task error's code and message (the message ends with its hint line). */
type TaskFailure = { code?: string; message: string };

describe("rollup:deposit / rollup:withdraw of more than the account holds: refused in ETH, with what to do, nothing sent", function () {
  this.timeout(120_000);
  let r: E2eRollup;

  before(async () => {
    r = await startE2eRollup({ produceBlocks: false });
  });

  after(async () => {
    await r?.stop();
  });

  const connection = (): Record<string, unknown> => ({
    l1Rpc: r.devnet.l1Url,
    l2Rpc: r.devnet.l2Url,
    rollup: r.devnet.deployment.address,
    account: 3,
  });

  it("a deposit above the L1 balance names both amounts in ETH and sends nothing", async () => {
    const account = r.l1Wallet(3).address;
    const nonce = await r.l1.getTransactionCount(account);
    const error = (await rejection(runTask("rollup:deposit", { ...connection(), amount: "20000" }))) as TaskFailure;
    expect(error.code, error.message).to.equal("INSUFFICIENT_FUNDS");
    expect(error.message).to.match(
      new RegExp(`^--amount 20000.0 ETH is more than ${account} holds on L1 \\(10000.0 ETH\\): nothing sent\\n`),
    );
    expect(error.message).to.match(/hint: deposit less, or fund the account on L1 first/);
    // The balance command the hint names shows this account on this rollup: without --address it
    // shows dev account #0 (a user key from NATIVE_ROLLUP_USER_KEY is no dev account), without
    // the connection flags the default nodes'.
    const c = connection();
    expect(error.message).to.include(
      `npx hardhat rollup:balance --address ${account} --l1-rpc ${c.l1Rpc} --l2-rpc ${c.l2Rpc} --rollup ${c.rollup} shows both layers`,
    );
    expect(await r.l1.getTransactionCount(account)).to.equal(nonce);
  });

  it("a withdrawal above the L2 balance names both amounts in ETH and sends nothing", async () => {
    const account = r.l2Wallet(3).address;
    const nonce = await r.l2.getTransactionCount(account);
    const error = (await rejection(
      runTask("rollup:withdraw", { ...connection(), amount: "20000", timeout: 60 }),
    )) as TaskFailure;
    expect(error.code, error.message).to.equal("INSUFFICIENT_FUNDS");
    expect(error.message).to.match(
      new RegExp(`^--amount 20000.0 ETH is more than ${account} holds on L2 \\(\\d+\\.\\d+ ETH\\): nothing sent\\n`),
    );
    expect(error.message).to.match(/hint: withdraw less, or deposit to L2 first \(npx hardhat rollup:deposit/);
    expect(await r.l2.getTransactionCount(account)).to.equal(nonce);
  });
});
