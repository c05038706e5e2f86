import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";

import { createTxFromRLP } from "@ethereumjs/tx";
import { hexToBytes } from "@ethereumjs/util";
import { expect } from "chai";
import { JsonRpcProvider, Wallet, dataLength, parseEther } from "ethers";

import { deployRollup } from "../../deploy/rollup";
import { BatchSubmitter } from "../../rollup-node/bridge/batchSubmitter";
import { challengeGasBound } from "../../rollup-node/bridge/challengeBound";
import { connectOptimisticRollup } from "../../rollup-node/bridge/contracts";
import type { GenesisAccount } from "../../rollup-node/chain/genesis";
import { genesisCommitments } from "../../rollup-node/devnet/rollupDevnet";
import { type L1Devnet, startL1Devnet } from "../../rollup-node/devnet/l1Devnet";
import { genesisSupply, l2Genesis, readL2BridgeRuntimeCode } from "../../rollup-node/l2/genesis";
import { rollupStatus } from "../../rollup-node/bridge/status";
import { createLineLogger } from "../../rollup-node/logger";
import { devNodeKeys } from "../../rollup-node/node/keys";
import { type RollupNode, startRollupNode } from "../../rollup-node/node/rollupNode";

const L2_CHAIN_ID = 781n;
/** A private L1's block gas limit, below EIP-7825's 2^24 per-transaction cap. */
const L1_BLOCK_GAS_LIMIT = 8_000_000n;
/**
 * What OptimisticRollup.propose lets a challenge need on this L1 (docs/design/challenge-gas-cap.md):
 * the block gas limit less a 32nd. A proposal over it could not be challenged in an L1 block.
 */
const L1_CHALLENGE_CAP = L1_BLOCK_GAS_LIMIT - L1_BLOCK_GAS_LIMIT / 32n;
/**
 * Four L2 contracts of 40 KB code each: a call to each puts its code in the witness. All four in
 * one block (≈ 165 KB committed) fit one `advance` on this L1 (≈ 7.2M L1 gas) but their challenge
 * could need ≈ 10M; two (≈ 83 KB) price a challenge at ≈ 7.0M, within the cap.
 */
const BIG_CODE_BYTES = 40_000;
const BIG = [
  "0x00000000000000000000000000000000000b1701",
  "0x00000000000000000000000000000000000b1702",
  "0x00000000000000000000000000000000000b1703",
  "0x00000000000000000000000000000000000b1704",
];

/**
 * Optimistic mode on an L1 whose block gas limit is below 2^24: the sequencer builds, and the
 * propose submitter sends, only proposals whose challenge an L1 block can include, so every
 * proposal is accepted and stays challengeable (docs/design/challenge-gas-cap.md).
 */
describe("optimistic proposals on an L1 whose block gas limit is below 2^24", function () {
  // Blocks of ≈ 80 KB of witness on a loaded machine.
  this.timeout(600_000);
  const keys = devNodeKeys();
  let l1: L1Devnet;
  let provider: JsonRpcProvider;
  let dir: string;
  let node: RollupNode;
  let rollupAddress: string;
  const lines: string[] = [];

  before(async () => {
    l1 = await startL1Devnet({
      port: 0,
      gasLimit: L1_BLOCK_GAS_LIMIT,
      alloc: { [keys.sequencer.address]: { balance: parseEther("1000000") } },
    });
    provider = new JsonRpcProvider(l1.url, undefined, { staticNetwork: true, pollingInterval: 20, cacheTimeout: -1 });
    dir = mkdtempSync(path.join(tmpdir(), "propose-l1-gas-limit-"));
    const alloc: Record<string, GenesisAccount> = {};
    for (const account of [...l1.accounts, keys.relayer]) alloc[account.address] = { balance: account.balance };
    // Code that starts with STOP: a call succeeds at once, and the witness carries all of it
    // (a different filler each: the witness holds a code once per hash).
    for (const [i, address] of BIG.entries())
      alloc[address] = { code: `0x00${(0x5b + i).toString(16).repeat(BIG_CODE_BYTES - 1)}` };
    const genesis = l2Genesis({
      chainId: L2_CHAIN_ID,
      timestamp: BigInt(Math.floor(Date.now() / 1000)) - 10n,
      bridgeCode: readL2BridgeRuntimeCode(),
      alloc,
    });
    const commitments = await genesisCommitments(genesis);
    const deployment = await deployRollup(new Wallet(keys.sequencer.privateKey, provider), {
      l2ChainId: L2_CHAIN_ID,
      genesisBlockHash: commitments.hash,
      genesisStateRoot: commitments.stateRoot,
      sequencer: keys.sequencer.address,
      genesisSupply: genesisSupply(genesis),
      optimistic: { challengeWindow: 3_600n, proposalBond: parseEther("0.1") },
    });
    rollupAddress = deployment.address;
    node = await startRollupNode({
      storage: { dataDir: dir },
      l1: { provider, rollupAddress, deployBlock: deployment.deployBlock, pollMs: 50 },
      sequencer: { genesis, produce: false },
      submitter: { mode: { kind: "optimistic" }, retry: { initialDelayMs: 20, maxDelayMs: 200 } },
      keys,
      rpc: false,
      dashboard: false,
      logger: (component) => createLineLogger(component, (line) => lines.push(line)),
    });
  });

  after(async () => {
    await node?.stop();
    provider?.destroy();
    await l1?.stop();
    if (dir !== undefined) rmSync(dir, { recursive: true, force: true });
  });

  /** One call of each BIG contract, from dev accounts 1-4 with `nonce`. */
  async function callEach(nonce: number): Promise<void> {
    const common = node.sequencer.chain.common;
    for (const [i, to] of BIG.entries()) {
      const sender = new Wallet(l1.accounts[i + 1]?.privateKey as string);
      const raw = await sender.signTransaction({
        chainId: L2_CHAIN_ID,
        nonce,
        type: 2,
        maxFeePerGas: 10n ** 10n,
        maxPriorityFeePerGas: 0n,
        gasLimit: 100_000n,
        to,
      });
      await node.sequencer.submitTransaction(createTxFromRLP(hexToBytes(raw as `0x${string}`), { common }));
    }
  }

  it("builds and proposes only blocks whose challenge an L1 block can include, and L1 accepts every proposal", async () => {
    await callEach(0);
    // Blocks until the pool is empty: each holds what a challengeable proposal on this L1 carries.
    let last = await node.sequencer.produceBlock();
    let included = last.block.transactions.length;
    while (included < BIG.length && last.number < 10n) {
      last = await node.sequencer.produceBlock();
      included += last.block.transactions.length;
    }
    expect(included).to.equal(BIG.length, "every call is included in some block");

    const rollup = connectOptimisticRollup(rollupAddress, provider);
    const deadline = Date.now() + 120_000;
    while ((await rollup.tip())[0] < last.number) {
      if (Date.now() > deadline) {
        const tail = lines.filter((l) => l.includes("submitter")).slice(-3);
        throw new Error(
          `L2 block ${last.number} was not proposed on L1 within 120 s; the submitter's last lines: ${tail.join(" | ")}`,
        );
      }
      await new Promise((resolve) => setTimeout(resolve, 50));
    }

    // Every proposal L1 accepted: its challenge (the contract's bound) fits the L1's cap.
    const proposals = await rollup.queryFilter(rollup.filters.ProposalData());
    expect(proposals.map((p) => p.args.number)).to.deep.equal(
      Array.from({ length: Number(last.number) }, (_, i) => BigInt(i + 1)),
    );
    let largestWitness = 0;
    for (const proposal of proposals) {
      const { number, parentHeader, block_: block, witness } = proposal.args;
      const committed = dataLength(parentHeader) + dataLength(block) + dataLength(witness);
      const produced = await node.sequencer.producedBlock(number);
      const gasLimit = produced?.block.header.gasLimit as bigint;
      const bound = challengeGasBound(committed, gasLimit);
      const receipt = await proposal.getTransactionReceipt();
      largestWitness = Math.max(largestWitness, dataLength(witness));
      process.stderr.write(
        `      L2 block ${number}: ${produced?.block.transactions.length} txs, ${committed} B committed (witness ${dataLength(witness)} B), challenge bound ${bound} L1 gas, propose used ${receipt.gasUsed}\n`,
      );
      expect(bound, `the challenge of L2 block ${number} must fit this L1's blocks`).to.be.lessThanOrEqual(
        L1_CHALLENGE_CAP,
      );
    }
    // The blocks were large: two 40 KB codes at least in one witness.
    expect(largestWitness).to.be.greaterThan(2 * BIG_CODE_BYTES);
  });

  async function until(condition: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!condition()) {
      if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  // A block built as if the L1's blocks held 2^24 gas, proposed after its limit is read as 8M:
  // its challenge (≈ 10M) would fit no L1 block, and propose refuses it.
  let stale: bigint;

  it("a propose submitter that cannot rebuild waits on a block whose challenge no longer fits the L1's blocks, sends nothing, and says so in rollup_status", async () => {
    const nodeSubmitter = node.bridge.submitter as BatchSubmitter;
    await nodeSubmitter.stop();
    const cap = node.bridge.advanceGasCap as { proposalCaps: () => { build: bigint; send: bigint } };
    cap.proposalCaps = () => ({ build: 2n ** 24n, send: 2n ** 24n });
    await callEach(1);
    const built = await node.sequencer.produceBlock();
    Reflect.deleteProperty(cap, "proposalCaps");
    expect(built.block.transactions).to.have.length(BIG.length, "built as if the L1 held 2^24 gas");
    stale = built.number;
    const rollup = connectOptimisticRollup(rollupAddress, provider);
    expect((await rollup.tip())[0]).to.equal(stale - 1n);

    const submitter = new BatchSubmitter({
      sequencer: node.sequencer,
      rollupAddress,
      signer: new Wallet(keys.sequencer.privateKey, provider),
      logger: createLineLogger("own-submitter", (line) => lines.push(line)),
      retry: { initialDelayMs: 20, maxDelayMs: 200 },
      mode: { kind: "optimistic" },
      advanceGasCap: node.bridge.advanceGasCap,
    });
    submitter.start();
    try {
      await until(
        () => submitter.waitReason !== undefined || submitter.haltReason !== undefined,
        "the submitter to wait",
      );
      expect(submitter.haltReason).to.equal(undefined);
      expect(submitter.waitReason?.code).to.equal("PROPOSAL_OVER_L1_GAS_LIMIT");
      const status = await rollupStatus({
        sequencer: node.sequencer,
        rollup: connectOptimisticRollup(rollupAddress, provider),
        rollupAddress,
        l1Provider: provider,
        submitter,
      });
      expect(status.submitter).to.equal("waiting");
      expect(status.submitterErrorCode).to.equal("PROPOSAL_OVER_L1_GAS_LIMIT");
      expect(status.submitterError).to.include(`L2 block ${stale}`);
      expect(status.submitterHint).to.include("rebuilds the block");
      expect((await rollup.tip())[0]).to.equal(stale - 1n, "nothing was proposed");
    } finally {
      await submitter.stop();
    }
  });

  it("the node rebuilds such a block within the L1's cap, and L1 accepts every proposal", async () => {
    const nodeSubmitter = node.bridge.submitter as BatchSubmitter;
    nodeSubmitter.start();
    // The submitter drops the block (its transactions back to the pool) to build it again.
    await until(() => node.sequencer.chain.headNumber < stale, "the stale block to be dropped");
    expect(lines.some((l) => l.includes("PROPOSAL_OVER_L1_GAS_LIMIT") && l.includes("[submitter]"))).to.equal(true);
    let last = await node.sequencer.produceBlock();
    let included = last.block.transactions.length;
    while (included < BIG.length && last.number < stale + 10n) {
      last = await node.sequencer.produceBlock();
      included += last.block.transactions.length;
    }
    expect(included).to.equal(BIG.length, "every call is included again");
    expect(last.number > stale).to.equal(true, "spread over more blocks than before");
    const rollup = connectOptimisticRollup(rollupAddress, provider);
    const deadline = Date.now() + 120_000;
    while ((await rollup.tip())[0] < last.number) {
      if (Date.now() > deadline) throw new Error(`L2 block ${last.number} was not proposed within 120 s`);
      await new Promise((resolve) => setTimeout(resolve, 50));
    }
    expect(nodeSubmitter.haltReason).to.equal(undefined);
  });
});
