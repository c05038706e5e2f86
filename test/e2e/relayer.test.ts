import { expect } from "chai";
import { getAddress, parseEther } from "ethers";

import { deriveDevAccounts } from "../../rollup-node/chain/devAccounts";
import { type E2eRollup, eventually, startE2eRollup } from "./support/harness";

/** Gas per relay the relayer may lose (L2Bridge pays it back at the base fee, calldata at its cheapest). */
const MAX_UNREIMBURSED_GAS_PER_RELAY = 20_000n;
const DEPOSITS = 3;

describe("e2e: the devnet's relayer cannot be drained by the public, and relaying does not use it up", function () {
  this.timeout(60_000);
  let r: E2eRollup;

  before(async () => {
    r = await startE2eRollup();
  });

  after(async () => {
    await r?.stop();
  });

  it("its key is not one of the public dev mnemonic's, and after several relays its L2 balance has barely moved", async () => {
    const relayer = r.devnet.keys.relayer.address;
    const publicAddresses = deriveDevAccounts(50).map((a) => a.address);
    expect(publicAddresses).to.not.include(relayer);

    const before = await r.l2.getBalance(relayer);
    expect(before > 0n).to.equal(true);
    const recipient = getAddress("0x000000000000000000000000000000000000c0de");
    for (let i = 0; i < DEPOSITS; i++) {
      await (await r.rollup(1).depositETH(recipient, { value: parseEther("1") })).wait();
      await eventually(`deposit ${i} credited`, async () =>
        (await r.l2.getBalance(recipient)) === parseEther(String(i + 1)) ? true : undefined,
      );
    }
    const after = await r.l2.getBalance(relayer);
    const baseFee = (await r.l2.getBlock("latest"))?.baseFeePerGas ?? 0n;
    const spent = before - after;
    // Without the reimbursement each deposit relay costs it ≈ 100k gas.
    expect(
      spent <= BigInt(DEPOSITS) * MAX_UNREIMBURSED_GAS_PER_RELAY * baseFee * 2n,
      `relayer spent ${spent} wei`,
    ).to.equal(true);
  });
});
