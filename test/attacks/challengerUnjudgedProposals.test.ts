import { RLP } from "@ethereumjs/rlp";
import { expect } from "chai";
import { AbiCoder, Wallet, getBytes, parseEther } from "ethers";

import { EXECUTE_ADDRESS } from "../../precompiles";
import { Challenger, judgeBlock } from "../../rollup-node/bridge/challenger";
import {
  ATTACK_BOND,
  ATTACK_L2_CHAIN_ID,
  ATTACK_WINDOW,
  attackChallenger,
  attackL1,
  deployAttackRollup,
  passChallengeWindow,
  recordingLogger,
} from "../support/attackL1";
import { TestSigner, tamperBlock, word } from "../../tools/l2Fixtures";
import { type BuiltBlock, L2TestChain } from "../../tools/l2TestChain";

const L2_CHAIN_ID = ATTACK_L2_CHAIN_ID;

async function transferBlock(): Promise<BuiltBlock> {
  const probe = await L2TestChain.create(L2_CHAIN_ID, []);
  const alice = TestSigner.fromSeed(0x53, probe.common);
  const chain = await L2TestChain.create(L2_CHAIN_ID, [{ address: alice.address.toString(), balance: 10n ** 20n }]);
  return chain.buildBlock(
    [TestSigner.fromSeed(0x53, chain.common).tx({ to: "0x00000000000000000000000000000000000000aa", value: 1n })],
    { discard: true },
  );
}

/** The block's RLP with its transactions replaced by `transactions` (raw RLP items), the header as is. */
function withTransactions(blockRlp: Uint8Array, transactions: unknown[]): Uint8Array {
  const [header, , ommers, withdrawals] = RLP.decode(blockRlp) as unknown as unknown[];
  return RLP.encode([header, transactions, ommers, withdrawals] as never);
}

/**
 * Attack review S3: the challenger must challenge whatever EXECUTE would reject for the
 * proposer's fault, retry only what is transient, and never let a proposal it has not removed
 * reach the end of its window quietly.
 */
describe("attack: proposals the challenger cannot judge or cannot challenge (S3)", function () {
  this.timeout(600_000);
  const l1 = attackL1();

  it("a proposal whose body does not decode (a typed transaction with no fields) is judged as EXECUTE judges it, challenged and removed", async () => {
    const built = await transferBlock();
    const malformed = withTransactions(built.blockRlp, [Uint8Array.of(0x02, 0xc0)]);
    const verdict = await judgeBlock({
      chainId: L2_CHAIN_ID,
      parentHeader: built.parentHeader,
      block: malformed,
      witness: built.witness,
    });
    // Real EXECUTE on the L1 devnet: the same input is rejected, with the same code.
    const input = AbiCoder.defaultAbiCoder().encode(
      ["uint64", "bytes", "bytes", "bytes", "bytes"],
      [L2_CHAIN_ID, built.parentHeader, malformed, built.witness, "0x"],
    );
    const executed = await l1.provider.call({ to: EXECUTE_ADDRESS, data: input, gasLimit: 1n << 24n }).then(
      () => "accepted",
      (error: Error) => error.message,
    );
    process.stderr.write(`      local verdict ${JSON.stringify(verdict)}; EXECUTE: ${executed.slice(0, 160)}\n`);
    expect(verdict.kind).to.equal("invalid");
    expect(executed).to.not.equal("accepted");

    const deployed = await deployAttackRollup(l1, built.parentHeader);
    await (
      await deployed.rollup.propose(built.parentHeader, malformed, built.witness, 0, { value: ATTACK_BOND })
    ).wait();
    const lines: string[] = [];
    const challenger = attackChallenger(l1, deployed, lines);
    await challenger.poll();
    process.stderr.write(`      challenger log:\n${lines.map((l) => `        ${l.slice(0, 220)}`).join("\n")}\n`);
    expect(challenger.challenges).to.have.length(1);
    expect((await deployed.rollup.tip())[0]).to.equal(0n);
  });

  it("an invalid proposal it cannot get removed (its key is unfunded) is retried, alerted loudly (an error line and challenger.alerts, which rollup_status reports) as its window nears its end, and removed once the key is funded", async () => {
    const built = await transferBlock();
    const forged = tamperBlock(built.block, { stateRoot: getBytes(`0x${word(0x5e3)}`) });
    const deployed = await deployAttackRollup(l1, built.parentHeader);
    await (await deployed.rollup.propose(built.parentHeader, forged, built.witness, 0, { value: ATTACK_BOND })).wait();

    const lines: string[] = [];
    const key = Wallet.createRandom().connect(l1.provider);
    const challenger = new Challenger({
      l1Provider: l1.provider,
      rollupAddress: deployed.address,
      fromBlock: deployed.fromBlock,
      signer: key,
      l2ChainId: L2_CHAIN_ID,
      logger: recordingLogger(lines),
      retryDelayMs: 50,
      maxRetryDelayMs: 50,
      checkThreads: 0,
    });
    try {
      await challenger.poll();
      expect(challenger.challenges).to.have.length(0);
      expect(challenger.pending).to.equal(1);
      const alertsOf = () => challenger.alerts;
      expect(alertsOf()).to.deep.equal([]);

      // Three quarters of the window later, the block is still provisional: that must be loud.
      await l1.provider.send("evm_increaseTime", [Number((ATTACK_WINDOW * 3n) / 4n) + 10]);
      await l1.provider.send("evm_mine", []);
      await new Promise((resolve) => setTimeout(resolve, 100));
      await challenger.poll();
      await challenger.poll();
      process.stderr.write(`      challenger log:\n${lines.map((l) => `        ${l.slice(0, 240)}`).join("\n")}\n`);
      const alarms = lines.filter((l) => l.startsWith("error") && /window/.test(l) && /L2 block 1\b/.test(l));
      expect(alarms, "no error-level alert for an invalid block nearing the end of its window").to.have.length(1);
      expect(alertsOf().map((a) => a.number)).to.deep.equal([1n]);

      // Funded, it removes the block; the alert clears.
      await (await l1.wallet(2).sendTransaction({ to: key.address, value: parseEther("1") })).wait();
      await new Promise((resolve) => setTimeout(resolve, 100));
      await challenger.poll();
      expect(challenger.challenges).to.have.length(1);
      expect(alertsOf()).to.deep.equal([]);
      await passChallengeWindow(l1);
      expect((await deployed.rollup.tip())[0]).to.equal(0n);
    } finally {
      await challenger.stop();
    }
  });
});
