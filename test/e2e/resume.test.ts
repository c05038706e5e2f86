import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { expect } from "chai";
import { parseEther } from "ethers";

import { type E2eRollup, eventually, startE2eRollup } from "./support/harness";

describe("e2e: running the devnet again resumes both chains", function () {
  // Three devnet starts, each loading the L1's modules again on its own thread (docs/design/devnet-l1-thread.md).
  this.timeout(120_000);
  const dataDir = mkdtempSync(path.join(tmpdir(), "rollup-e2e-resume-"));
  let r: E2eRollup | undefined;

  after(async () => {
    await r?.stop();
    rmSync(dataDir, { recursive: true, force: true });
  });

  it("keeps L1, L2, the rollup and its message queue across a clean restart; --reset starts over", async () => {
    const recipient = "0x0000000000000000000000000000000000005e5e";
    r = await startE2eRollup({ dataDir, keepDataDir: true });
    expect(r.devnet.resumed).to.equal(false);
    await (await r.rollup(1).depositETH(recipient, { value: parseEther("1") })).wait();
    await eventually("the first deposit", async () =>
      ((await r?.l2.getBalance(recipient)) ?? 0n) > 0n ? true : undefined,
    );
    const address = r.devnet.deployment.address;
    await eventually("L1 to accept the L2 head", async () =>
      (await r?.rollup().headNumber()) === BigInt(await (r as E2eRollup).l2.getBlockNumber()) ? true : undefined,
    );
    const l2Head = await r.l2.getBlockNumber();
    await r.stop();

    r = await startE2eRollup({ dataDir, keepDataDir: true });
    expect(r.devnet.resumed).to.equal(true);
    expect(r.devnet.deployment.address).to.equal(address);
    expect(await r.l2.getBlockNumber()).to.equal(l2Head);
    expect(await r.rollup().headNumber()).to.equal(BigInt(l2Head));
    expect(await r.l2.getBalance(recipient)).to.equal(parseEther("1"));
    await (await r.rollup(1).depositETH(recipient, { value: parseEther("1") })).wait();
    await eventually("the second deposit", async () =>
      (await r?.l2.getBalance(recipient)) === parseEther("2") ? true : undefined,
    );
    await r.stop();

    r = await startE2eRollup({ dataDir, keepDataDir: true, reset: true });
    expect(r.devnet.resumed).to.equal(false);
    expect(await r.l2.getBalance(recipient)).to.equal(0n);
  });
});
