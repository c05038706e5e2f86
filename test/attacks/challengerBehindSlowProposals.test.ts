import { expect } from "chai";
import { ContractFactory, JsonRpcProvider, NonceManager, Wallet, getBytes, keccak256, parseEther } from "ethers";
import { artifacts } from "hardhat";

import { ExecuteErrorCode, decodeHeader, l2Common } from "../../precompiles";
import { Challenger, judgeBlock } from "../../rollup-node/bridge/challenger";
import { type OptimisticExampleRollup, connectOptimisticRollup } from "../../rollup-node/bridge/contracts";
import { type L1Devnet, startL1Devnet } from "../../rollup-node/devnet/l1Devnet";
import type { Logger } from "../../rollup-node/logger";
import { LOOP_ADDRESS, ecrecoverInput, precompileLoopCode } from "../../tools/heavyBlocks";
import { TestSigner, tamperBlock, word } from "../../tools/l2Fixtures";
import { type BuiltBlock, L2TestChain } from "../../tools/l2TestChain";
import { withProposalGasDefaults } from "../../deploy/rollup";

const L2_CHAIN_ID = 4343n;
const BOND = parseEther("0.1");
/** Valid proposals posted ahead of the forged one, each as slow to check as the others. */
const VALID_PROPOSALS = 6;
/**
 * L2 gas of each valid block's ecrecover loop: half a second of checking each on a quiet
 * machine, so that the window (whole seconds, as L1 timestamps are) is 3 s or more: a 1 s window
 * can close within the L1 second its proposal was mined in.
 */
const VALID_BLOCK_GAS = 5_000_000n;
/**
 * The challenge window in units of one valid check. Checked one after another, the forged
 * proposal's verdict comes after VALID_PROPOSALS checks (6 units); checked side by side, its own
 * check is all it waits for (a fraction of a unit, even sharing the cores with the slow ones).
 */
const WINDOW_IN_CHECKS = 4.5;
/** The shortest window, in L1 seconds, whatever one check takes. */
const MIN_WINDOW_S = 3;

/** Collects the challenger's log lines. */
function recordingLogger(lines: string[]): Logger {
  const origin = Date.now();
  const push = (level: string) => (message: string) => {
    lines.push(`+${((Date.now() - origin) / 1000).toFixed(1)}s ${level} ${message}`);
  };
  return { info: push("info"), warn: push("warn"), error: push("error"), debug: push("debug") };
}

/**
 * Attack (optimistic mode, issue 10's review: "a run of slow valid proposals delays the forged
 * one"): the attacker posts, in one L1 block, several valid proposals that are each slow to
 * re-execute (an ecrecover loop) and then a cheap forged one on top. A challenger that checks
 * proposals one after another on its main thread reaches the forged one only after every valid
 * one, past the window; the challenger checks on worker threads side by side, so the cheap
 * forged check never waits for the slow ones, and challenges the forged block before its window closes
 * (docs/design/challenger-scheduling.md). The window is calibrated from one check measured here,
 * so the test holds on a fast or a loaded machine alike.
 */
describe("attack: slow valid proposals ahead of a forged one must not delay its challenge past the window", function () {
  this.timeout(900_000);
  let devnet: L1Devnet;
  let provider: JsonRpcProvider;
  let challenger: Challenger | undefined;

  before(async () => {
    devnet = await startL1Devnet({ port: 0 });
    provider = new JsonRpcProvider(devnet.url, undefined, {
      staticNetwork: true,
      polling: true,
      pollingInterval: 50,
      cacheTimeout: -1,
    });
  });

  after(async () => {
    await challenger?.stop();
    provider?.destroy();
    await devnet?.stop();
  });

  it("the forged proposal posted after slow valid ones is challenged and removed within its window", async () => {
    const input = ecrecoverInput();
    const probe = await L2TestChain.create(L2_CHAIN_ID, []);
    const sender = TestSigner.fromSeed(0xec, probe.common);
    const chain = await L2TestChain.create(L2_CHAIN_ID, [
      { address: sender.address.toString(), balance: 10n ** 22n },
      { address: LOOP_ADDRESS, code: precompileLoopCode(1, (input.length - 2) / 2) },
    ]);
    const signer = TestSigner.fromSeed(0xec, chain.common);
    const valid: BuiltBlock[] = [];
    for (let i = 0; i < VALID_PROPOSALS; i++)
      valid.push(await chain.buildBlock([signer.tx({ to: LOOP_ADDRESS, data: input, gasLimit: VALID_BLOCK_GAS })]));
    // The forged block: one cheap transaction, and a state root no execution gives.
    const cheap = await chain.buildBlock([signer.tx({ to: LOOP_ADDRESS, data: input, gasLimit: 30_000n })], {
      discard: true,
    });
    const forged = tamperBlock(cheap.block, { stateRoot: getBytes(`0x${word(0xbad)}`) });
    expect(
      (
        await judgeBlock({
          chainId: L2_CHAIN_ID,
          parentHeader: cheap.parentHeader,
          block: forged,
          witness: cheap.witness,
        })
      ).kind,
    ).to.equal("invalid");

    // One check of a valid proposal, timed here: the unit the window is sized in.
    const started = performance.now();
    const verdict = await judgeBlock({
      chainId: L2_CHAIN_ID,
      parentHeader: valid[0].parentHeader,
      block: valid[0].blockRlp,
      witness: valid[0].witness,
    });
    const checkMs = performance.now() - started;
    expect(verdict.kind).to.equal("valid");
    // At least 3 s: L1 timestamps are whole seconds, so a window can close up to a second after its
    // proposal's timestamp sooner than it reads, and finding, judging and sending a challenge take
    // about a second here besides the check itself.
    const window = BigInt(Math.max(MIN_WINDOW_S, Math.ceil((WINDOW_IN_CHECKS * checkMs) / 1000)));
    process.stderr.write(`      one valid check: ${Math.round(checkMs)} ms; challenge window ${window} s\n`);

    const deployer = new Wallet(devnet.accounts[0].privateKey, provider);
    const genesis = decodeHeader(valid[0].parentHeader, l2Common(L2_CHAIN_ID), "genesis");
    const artifact = await artifacts.readArtifact("OptimisticExampleRollup");
    const contract = await new ContractFactory(artifact.abi, artifact.bytecode, deployer).deploy(
      L2_CHAIN_ID,
      keccak256(valid[0].parentHeader),
      genesis.stateRoot,
      deployer.address,
      { sequencerInactivityPeriod: 86_400n, forceInclusionDelay: 86_400n },
      // A burst that holds the whole attack in one L1 block (each valid block charges ≈ 11M of
      // check gas): the rate limit is not what this test is about.
      withProposalGasDefaults({ challengeWindow: window, proposalBond: BOND, proposalGasBurst: 2n ** 27n }),
      { threshold: 0, allowReexecution: false, acceptedKeys: [] },
    );
    await contract.waitForDeployment();
    const address = await contract.getAddress();
    const fromBlock = (await provider.getBlockNumber()) + 1;
    const rollup: OptimisticExampleRollup = connectOptimisticRollup(address, new NonceManager(deployer));

    // The challenger is running before the attack, as a node's is.
    const lines: string[] = [];
    challenger = new Challenger({
      l1Provider: provider,
      rollupAddress: address,
      fromBlock,
      signer: new Wallet(devnet.accounts[1].privateKey, provider),
      l2ChainId: L2_CHAIN_ID,
      logger: recordingLogger(lines),
      pollIntervalMs: 100,
      // A thread per proposal of the attack: no check waits for another to finish.
      checkThreads: VALID_PROPOSALS + 1,
    });
    challenger.start();
    await challenger.ready();

    // Every proposal lands in one L1 block: one deadline for all, the forged one last.
    await provider.send("evm_setAutomine", [false]);
    const sent = [];
    for (const b of valid)
      sent.push(await rollup.propose(b.parentHeader, b.blockRlp, b.witness, 0, { value: BOND, gasLimit: 2_000_000n }));
    sent.push(
      await rollup.propose(cheap.parentHeader, forged, cheap.witness, 0, { value: BOND, gasLimit: 2_000_000n }),
    );
    await provider.send("evm_mine", []);
    await provider.send("evm_setAutomine", [true]);
    const receipts = await Promise.all(sent.map((tx) => tx.wait()));
    expect(new Set(receipts.map((r) => r?.blockNumber)).size).to.equal(1);
    process.stderr.write(`      L1 gas of each proposal: ${receipts.map((r) => r?.gasUsed).join(", ")}\n`);
    const minedAt = Number((await provider.getBlock(receipts[0]?.blockNumber ?? "latest"))?.timestamp);
    // L1 time runs with the wall clock from the mined block on.
    const l1Offset = minedAt - Date.now() / 1000;
    expect((await rollup.tip())[0]).to.equal(BigInt(VALID_PROPOSALS + 1));
    const forgedNumber = BigInt(VALID_PROPOSALS + 1);
    const closesAt = Number((await rollup.provisionalBlock(forgedNumber)).proposedAt + window);

    // Wait until the challenge is won or the window has closed on L1 (L1 time is wall-clock time).
    while (challenger.challenges.length === 0 && Date.now() / 1000 + l1Offset <= closesAt + 1)
      await new Promise((resolve) => setTimeout(resolve, 250));
    await challenger.stop();
    process.stderr.write(`      challenger log:\n${lines.map((l) => `        ${l.slice(0, 200)}`).join("\n")}\n`);

    expect(challenger.challenges.length, "the forged proposal should have been challenged within its window").to.equal(
      1,
    );
    expect(challenger.challenges[0]?.number).to.equal(forgedNumber);
    expect(challenger.challenges[0]?.code).to.equal(ExecuteErrorCode.StateRootMismatch);
    expect((await rollup.tip())[0]).to.equal(BigInt(VALID_PROPOSALS));
  });

  it("a proposal whose window closed before the challenger first read it is dropped unchecked, with a warning naming it and saying it can no longer be challenged", async () => {
    const chain = await L2TestChain.create(L2_CHAIN_ID, []);
    const built = await chain.buildBlock([], { discard: true });
    const forged = tamperBlock(built.block, { stateRoot: getBytes(`0x${word(0xbad)}`) });
    const deployer = new Wallet(devnet.accounts[2].privateKey, provider);
    const genesis = decodeHeader(built.parentHeader, l2Common(L2_CHAIN_ID), "genesis");
    const artifact = await artifacts.readArtifact("OptimisticExampleRollup");
    const contract = await new ContractFactory(artifact.abi, artifact.bytecode, deployer).deploy(
      L2_CHAIN_ID,
      keccak256(built.parentHeader),
      genesis.stateRoot,
      deployer.address,
      { sequencerInactivityPeriod: 86_400n, forceInclusionDelay: 86_400n },
      withProposalGasDefaults({ challengeWindow: 60n, proposalBond: BOND }),
      { threshold: 0, allowReexecution: false, acceptedKeys: [] },
    );
    await contract.waitForDeployment();
    const address = await contract.getAddress();
    const fromBlock = (await provider.getBlockNumber()) + 1;
    const rollup = connectOptimisticRollup(address, deployer);
    await (await rollup.propose(built.parentHeader, forged, built.witness, 0, { value: BOND })).wait();
    // Nobody watched during its window; it is still provisional (no one finalized it).
    await provider.send("evm_increaseTime", [61]);
    await provider.send("evm_mine", []);

    const lines: string[] = [];
    const late = new Challenger({
      l1Provider: provider,
      rollupAddress: address,
      fromBlock,
      signer: new Wallet(devnet.accounts[3].privateKey, provider),
      l2ChainId: L2_CHAIN_ID,
      logger: recordingLogger(lines),
      checkThreads: 0,
    });
    await late.poll();
    await late.stop();
    // A warning, not an error (s31-trial): nothing this challenger could have done, and a take-over
    // node's first read meets the dead sequencer's last block so; unchecked, so its verdict is not known.
    expect(
      lines.filter((l) => l.includes(" warn L2 block 1: its challenge window had closed")),
      lines.join("\n"),
    ).to.have.length(1);
    expect(lines.find((l) => l.includes("L2 block 1"))).to.contain(
      "it can no longer be challenged, so it is not checked",
    );
    expect(lines.some((l) => l.includes("checking L2 block 1"))).to.equal(false);
    expect(late.pending).to.equal(0);
    expect(late.challenges).to.deep.equal([]);
    expect((await rollup.tip())[0]).to.equal(1n);
  });
});
