import { expect } from "chai";
import { getBytes } from "ethers";

import { type AdvanceGasCap, challengeGasCap } from "../../rollup-node/bridge/advanceGasCap";
import { challengeGasBound, maxCommittedBytes } from "../../rollup-node/bridge/challengeBound";
import { Challenger, challengeL2Gas } from "../../rollup-node/bridge/challenger";
import { DEFAULT_L2_GAS_LIMIT } from "../../rollup-node/l2/genesis";
import { TestSigner, tamperBlock, word } from "../../tools/l2Fixtures";
import { L2TestChain } from "../../tools/l2TestChain";
import {
  ATTACK_BOND,
  ATTACK_L2_CHAIN_ID,
  attackChallenger,
  attackL1,
  deployAttackRollup,
  passChallengeWindow,
  recordingLogger,
} from "../support/attackL1";

const L2_CHAIN_ID = ATTACK_L2_CHAIN_ID;
/** EIP-7825: no L1 transaction may carry more. */
const L1_TX_GAS_CAP = 1n << 24n;
/** A private L1's block gas limit, below 2^24: no transaction of more gas can ever be included. */
const L1_BLOCK_GAS_LIMIT = 8_000_000n;
/**
 * What `propose` lets a challenge need on this L1 (docs/design/challenge-gas-cap.md): the block gas
 * limit less a 32nd, which the limit cannot lose in fewer than 32 L1 blocks (a 1024th per block at most).
 */
const L1_CHALLENGE_CAP = L1_BLOCK_GAS_LIMIT - L1_BLOCK_GAS_LIMIT / 32n;
/** MalformedInput: the committed witness is filler bytes, the proposer's fault. */
const MALFORMED_INPUT = 1;

/**
 * Attack (optimistic mode, "propose what no L1 block can challenge"): on an L1 whose block gas
 * limit G is below 2^24, a proposal whose challenge needs between G and 2^24 gas passed the joint
 * rule (its bound was compared with 2^24 only), yet no L1 block can include a transaction of that
 * much gas: its invalid state root finalizes after the window. `propose` must compare the bound
 * with what this L1 can include (docs/design/challenge-gas-cap.md).
 */
describe("attack: a proposal whose challenge needs more gas than the L1's blocks hold", function () {
  // Proposals of ≈ 100 KB, re-executed by the in-process L1: slow on a loaded machine.
  this.timeout(300_000);
  const l1 = attackL1({ gasLimit: L1_BLOCK_GAS_LIMIT });

  it("is refused by propose on an 8M-gas L1 (ProposalNotChallengeable with the L1's cap), while the largest proposal it accepts is challenged within one L1 block and never finalizes", async () => {
    const probe = await L2TestChain.create(L2_CHAIN_ID, []);
    const alice = TestSigner.fromSeed(7, probe.common);
    // The node's default gas limit: EXECUTE's charge for it is part of every challenge.
    const chain = await L2TestChain.create(L2_CHAIN_ID, [{ address: alice.address.toString(), balance: 10n ** 20n }], {
      gasLimit: DEFAULT_L2_GAS_LIMIT,
    });
    const built = await chain.buildBlock(
      [TestSigner.fromSeed(7, chain.common).tx({ to: "0x00000000000000000000000000000000000000aa", value: 1n })],
      { discard: true },
    );
    // Forged: a state root no execution gives; the committed witness is filler sized to `committed`.
    const forged = tamperBlock(built.block, { stateRoot: getBytes(`0x${word(0xbad)}`) });
    const witnessFor = (committed: number): Uint8Array =>
      new Uint8Array(committed - built.parentHeader.length - forged.length).fill(0xab);

    const deployed = await deployAttackRollup(l1, built.parentHeader);
    const { rollup } = deployed;
    expect((await l1.provider.getBlock("latest"))?.gasLimit).to.equal(L1_BLOCK_GAS_LIMIT);
    // The contract's cap here, and the node's reading of it (rollup-node/bridge/advanceGasCap.ts).
    expect(await rollup.challengeGasCap()).to.equal(L1_CHALLENGE_CAP);
    expect(challengeGasCap(L1_BLOCK_GAS_LIMIT)).to.equal(L1_CHALLENGE_CAP);

    // Over: its challenge needs more than an L1 block holds, though less than 2^24.
    const over = maxCommittedBytes(DEFAULT_L2_GAS_LIMIT, { cap: L1_BLOCK_GAS_LIMIT }) + 1;
    const overGas = challengeGasBound(over, DEFAULT_L2_GAS_LIMIT);
    expect(overGas).to.be.greaterThan(L1_BLOCK_GAS_LIMIT);
    expect(overGas).to.be.lessThan(L1_TX_GAS_CAP);
    process.stderr.write(
      `      over: ${over} B committed, challenge bound ${overGas} L1 gas (L1 block gas limit ${L1_BLOCK_GAS_LIMIT})\n`,
    );
    await expect(rollup.propose.staticCall(built.parentHeader, forged, witnessFor(over), 0, { value: ATTACK_BOND }))
      .to.be.revertedWithCustomError(rollup, "ProposalNotChallengeable")
      .withArgs(overGas, L1_CHALLENGE_CAP);

    // At the cap: the largest proposal the contract accepts here. Its challenge fits an L1 block.
    const largest = maxCommittedBytes(DEFAULT_L2_GAS_LIMIT, { cap: L1_CHALLENGE_CAP });
    const largestGas = challengeGasBound(largest, DEFAULT_L2_GAS_LIMIT);
    await expect(
      rollup.propose.staticCall(built.parentHeader, forged, witnessFor(largest + 1), 0, { value: ATTACK_BOND }),
    )
      .to.be.revertedWithCustomError(rollup, "ProposalNotChallengeable")
      .withArgs(challengeGasBound(largest + 1, DEFAULT_L2_GAS_LIMIT), L1_CHALLENGE_CAP);
    await (await rollup.propose(built.parentHeader, forged, witnessFor(largest), 0, { value: ATTACK_BOND })).wait();
    expect((await rollup.tip())[0]).to.equal(1n);

    // The node's challenger removes it with one transaction that an 8M block includes.
    const lines: string[] = [];
    const challenger = attackChallenger(l1, deployed, lines);
    await challenger.poll();
    process.stderr.write(`      challenger log:\n${lines.map((l) => `        ${l.slice(0, 300)}`).join("\n")}\n`);
    expect(challenger.challenges.length, "the node's challenger should have won a challenge").to.equal(1);
    const won = challenger.challenges[0];
    expect(won?.code).to.equal(MALFORMED_INPUT);
    const tx = await l1.provider.getTransaction(won?.l1TransactionHash as string);
    const receipt = await l1.provider.getTransactionReceipt(won?.l1TransactionHash as string);
    expect(tx?.gasLimit).to.be.lessThanOrEqual(L1_CHALLENGE_CAP);
    process.stderr.write(
      `      largest: ${largest} B committed, challenge bound ${largestGas}, sent with gas limit ${tx?.gasLimit}, used ${receipt?.gasUsed} L1 gas\n`,
    );
    expect((await rollup.tip())[0]).to.equal(0n);

    // The forged root never finalizes.
    await passChallengeWindow(l1);
    await expect(rollup.finalize(1n)).to.be.reverted;
    expect(await rollup.headNumber()).to.equal(0n);
  });

  it("a challenger whose L1 holds less than a proposal's challenge bound (the limit fell after the proposal) says so and sends within what an L1 block can include", async () => {
    const probe = await L2TestChain.create(L2_CHAIN_ID, []);
    const chain = await L2TestChain.create(
      L2_CHAIN_ID,
      [{ address: TestSigner.fromSeed(8, probe.common).address.toString(), balance: 10n ** 20n }],
      { gasLimit: DEFAULT_L2_GAS_LIMIT },
    );
    const built = await chain.buildBlock(
      [TestSigner.fromSeed(8, chain.common).tx({ to: "0x00000000000000000000000000000000000000aa", value: 1n })],
      { discard: true },
    );
    const forged = tamperBlock(built.block, { stateRoot: getBytes(`0x${word(0xbad)}`) });
    const committed = maxCommittedBytes(DEFAULT_L2_GAS_LIMIT, { cap: L1_CHALLENGE_CAP });
    const witness = new Uint8Array(committed - built.parentHeader.length - forged.length).fill(0xab);
    const deployed = await deployAttackRollup(l1, built.parentHeader);
    await (await deployed.rollup.propose(built.parentHeader, forged, witness, 0, { value: ATTACK_BOND })).wait();

    // The challenger's own bound (EXECUTE's charge for this block); the L1 is read as if its
    // block gas limit had since fallen just below it (a devnet's limit cannot be voted down).
    const bound = challengeGasBound(committed, challengeL2Gas(forged));
    const includable = bound - 20_000n;
    const fallen: AdvanceGasCap = {
      limits: () => ({ cap: includable, policyKeys: 0 }),
      sendCap: () => includable,
      proposalCaps: () => ({ build: includable, send: includable }),
      refresh: async () => undefined,
    };
    const lines: string[] = [];
    const challenger = new Challenger({
      l1Provider: l1.provider,
      rollupAddress: deployed.address,
      fromBlock: deployed.fromBlock,
      signer: l1.wallet(1),
      l2ChainId: L2_CHAIN_ID,
      logger: recordingLogger(lines),
      l1GasCap: fallen,
    });
    await challenger.poll();
    process.stderr.write(`      challenger log:\n${lines.map((l) => `        ${l.slice(0, 400)}`).join("\n")}\n`);
    expect(
      lines.some(
        (l) =>
          l.startsWith("error ") &&
          l.includes(`could need up to ${bound} L1 gas, more than the ${includable} an L1 block can include now`),
      ),
    ).to.equal(true);
    expect(lines.some((l) => l.includes(`gas limit ${includable})`))).to.equal(true);
    // The bound is an upper bound: this challenge needs less, and still wins within the lower limit.
    expect(challenger.challenges.length).to.equal(1);
    const tx = await l1.provider.getTransaction(challenger.challenges[0]?.l1TransactionHash as string);
    expect(tx?.gasLimit).to.equal(includable);
  });
});

/**
 * The figures of docs/design/challenge-gas-cap.md: at each L1 block gas limit, the largest proposal
 * `propose` accepts at the node's default L2 gas limit, and what its challenge costs on that L1 when
 * EXECUTE charges the whole gas limit (a forged header claims gasUsed = gasLimit; its committed
 * witness is filler, so the challenge wins with MalformedInput after EXECUTE consumed its gas).
 */
for (const gasLimit of [8_000_000n, 15_000_000n, 30_000_000n]) {
  describe(`the largest proposal an L1 of ${gasLimit / 1_000_000n}M gas accepts, and its challenge`, function () {
    this.timeout(300_000);
    const l1 = attackL1({ gasLimit });

    it("is accepted, one byte more is refused, and its challenge is included in an L1 block and wins", async () => {
      const cap = challengeGasCap(gasLimit);
      const probe = await L2TestChain.create(L2_CHAIN_ID, []);
      const chain = await L2TestChain.create(
        L2_CHAIN_ID,
        [{ address: TestSigner.fromSeed(9, probe.common).address.toString(), balance: 10n ** 20n }],
        { gasLimit: DEFAULT_L2_GAS_LIMIT },
      );
      const built = await chain.buildBlock(
        [TestSigner.fromSeed(9, chain.common).tx({ to: "0x00000000000000000000000000000000000000aa", value: 1n })],
        { discard: true },
      );
      const forged = tamperBlock(built.block, {
        stateRoot: getBytes(`0x${word(0xbad)}`),
        gasUsed: DEFAULT_L2_GAS_LIMIT,
      });
      const largest = maxCommittedBytes(DEFAULT_L2_GAS_LIMIT, { cap });
      const witnessFor = (committed: number): Uint8Array =>
        new Uint8Array(committed - built.parentHeader.length - forged.length).fill(0xab);
      const deployed = await deployAttackRollup(l1, built.parentHeader);
      const { rollup } = deployed;
      expect(await rollup.challengeGasCap()).to.equal(cap);
      await expect(
        rollup.propose.staticCall(built.parentHeader, forged, witnessFor(largest + 1), 0, { value: ATTACK_BOND }),
      ).to.be.revertedWithCustomError(rollup, "ProposalNotChallengeable");
      const proposed = await (
        await rollup.propose(built.parentHeader, forged, witnessFor(largest), 0, { value: ATTACK_BOND })
      ).wait();

      const lines: string[] = [];
      const challenger = attackChallenger(l1, deployed, lines);
      await challenger.poll();
      expect(challenger.challenges.length, lines.join("\n")).to.equal(1);
      const hash = challenger.challenges[0]?.l1TransactionHash as string;
      const tx = await l1.provider.getTransaction(hash);
      const receipt = await l1.provider.getTransactionReceipt(hash);
      const bound = challengeGasBound(largest, DEFAULT_L2_GAS_LIMIT);
      process.stderr.write(
        `      L1 block gas limit ${gasLimit}: cap ${cap}; largest proposal ${largest} B at L2 gas limit ${DEFAULT_L2_GAS_LIMIT} (propose used ${proposed?.gasUsed} L1 gas); challenge bound ${bound}, sent with ${tx?.gasLimit}, used ${receipt?.gasUsed} L1 gas\n`,
      );
      expect(tx?.gasLimit).to.equal(bound);
      expect(receipt?.gasUsed).to.be.lessThanOrEqual(bound);
      expect(receipt?.gasUsed).to.be.lessThan(gasLimit);
    });
  });
}
